/* http-host-queue-private.h: the per-host limit: requests to one
 * scheme://host:port wait outside the pool for a slot of their host. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-host-queue-private.h"
#endif

#include "http-session-private.h"

G_BEGIN_DECLS

typedef struct _AsyncHttpExchange AsyncHttpExchange;

/* All of these expect session->lock held. */

/* Puts @exchange behind the waiting exchanges of its host; it goes to the
 * pool at once if the host has a free slot. Exchanges the pool refuses (it
 * was shut down) go to @to_complete, to be completed after the lock. */
void async_http_host_queue_push_unlocked    (AsyncHttpSession  *session,
                                             AsyncHttpExchange *exchange,
                                             GQueue            *to_complete);
/* Takes back the slot of an exchange that ended, and hands the free slots
 * to the next waiting ones. */
void async_http_host_queue_release_unlocked (AsyncHttpSession  *session,
                                             AsyncHttpExchange *exchange,
                                             GQueue            *to_complete);
/* Takes a waiting @exchange out of its host's queue (it was cancelled). */
void async_http_host_queue_remove_unlocked  (AsyncHttpSession  *session,
                                             AsyncHttpExchange *exchange,
                                             GQueue            *to_complete);

G_END_DECLS
