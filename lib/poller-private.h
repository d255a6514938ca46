/* poller-private.h: one epoll set per GMainContext for the streams' plain
 * sockets and pipes, watched by GLib as a single fd (poller.c). */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before poller-private.h"
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Called on the context's thread after an edge on the watched fd; the
 * flags below say what the fd may now do. */
typedef void (*AsyncPollerFunc) (gpointer user_data);

/* A registered fd, edge-triggered: @readable and @writable are set by the
 * poller when an edge comes, and cleared by the owner when the fd said
 * EAGAIN (or a short read without @hup); no edge comes again until the fd
 * changes. @hup: the peer has closed (no more edges will come for it). */
typedef struct
{
  gboolean readable;
  gboolean writable;
  gboolean hup;
} AsyncPollerWatch;

/* Registers @fd with the poller of @context, which must be the
 * thread-default one. NULL if epoll refuses it (a regular file, say). */
AsyncPollerWatch *async_poller_watch_add    (GMainContext     *context,
                                             int               fd,
                                             AsyncPollerFunc   func,
                                             gpointer          user_data);
/* Unregisters: @func is never called after this. Before the fd closes. */
void              async_poller_watch_remove (AsyncPollerWatch *watch);

G_END_DECLS
