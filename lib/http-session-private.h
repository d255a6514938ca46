/* http-session-private.h: the inside of AsyncHttpSession, shared by the
 * files of the HTTP client: the session (http-session.c), the exchanges in
 * flight (http-exchange.c), the per-host queue (http-host-queue.c) and the
 * curl transfer (http-transfer.c). */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-session-private.h"
#endif

#include "async-glib/async-http-session.h"
#include "pool-private.h"

G_BEGIN_DECLS

typedef struct _AsyncHttpHandle AsyncHttpHandle;
typedef struct _AsyncHttpShare  AsyncHttpShare;

/* What an exchange copies from the session when it is made. */
typedef struct
{
  guint64  max_body_size;
  double   timeout;
  double   connect_timeout;
  guint    low_speed_limit;
  guint    low_speed_time;
  guint    max_redirects;
  gboolean verify_tls;
} AsyncHttpSettings;

/*
 * Thread safety: every field below @lock is protected by it. An exchange
 * holds a reference on its session for its whole life, so a cancellation
 * from any thread finds the session alive.
 */
struct _AsyncHttpSession
{
  gatomicrefcount   ref_count;
  GMutex            lock;
  guint             limit;
  guint             limit_per_host;
  AsyncHttpSettings settings;
  char             *user_agent;
  GPtrArray        *default_headers;   /* "Name: value" */
  AsyncPool        *pool;              /* made by the first request */
  gboolean          closed;
  GQueue            exchanges;         /* AsyncHttpExchange.link: not ended yet */
  GHashTable       *hosts;             /* host key → AsyncHttpHost */
  GPtrArray        *idle_handles;      /* AsyncHttpHandle *, the warmest last */
  AsyncHttpShare   *share;             /* DNS only */
};

/* TRUE if @text[0, @length) is an HTTP token (RFC 9110): a method or a
 * header name. */
gboolean async_http_is_token     (const char  *text,
                                  gsize        length);
/* A "Name: value" line, as curl takes it; a value may be empty ("Accept:"
 * removes a header curl would add). FALSE with INVALID_HEADER otherwise. */
gboolean async_http_check_header (const char  *line,
                                  GError     **error);

G_END_DECLS
