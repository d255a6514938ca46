/* http-exchange-private.h: one request in flight, from the moment a session
 * accepts it until its future settles: its state machine (waiting for its
 * host, queued in the pool, running, ended), cancellation and the hand-off
 * of a streamed body to the caller's context. The curl side of it is in
 * http-transfer.c. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-exchange-private.h"
#endif

#include "future-private.h"
#include "http-host-queue-private.h"
#include "http-response-private.h"
#include "http-session-private.h"
#include "pool-private.h"
#include "scheduler-private.h"

G_BEGIN_DECLS

typedef enum
{
  ASYNC_HTTP_EXCHANGE_WAITING,   /* for a slot of its host */
  ASYNC_HTTP_EXCHANGE_QUEUED,    /* in the pool's queue */
  ASYNC_HTTP_EXCHANGE_RUNNING,
  ASYNC_HTTP_EXCHANGE_ENDED,
} AsyncHttpExchangeState;

struct _AsyncHttpExchange
{
  AsyncFuture            parent;
  AsyncPoolItem          item;
  AsyncHttpSession      *session;     /* a reference */
  AsyncScheduler        *scheduler;   /* held until the exchange has ended */
  GList                  link;        /* in session->exchanges */
  GList                  wait_link;   /* in its host's waiting queue */
  AsyncHttpExchangeState state;       /* protected by session->lock */
  AsyncHttpHandle       *handle;      /* protected by session->lock */
  gint                   cancelled;   /* atomic */

  /* Set when the exchange is made, then read-only. */
  char                  *method;
  char                  *url;
  char                  *host_key;
  GPtrArray             *headers;     /* "Name: value" */
  GBytes                *body;
  char                  *user_agent;
  AsyncHttpRequestFlags  flags;
  AsyncHttpSettings      settings;

  /* Touched by the worker only, until the exchange has ended. */
  AsyncHttpResponse     *response;
  GByteArray            *received;
  guint64                n_received;
  gboolean               too_large;
  GError                *error;

  /* Streaming: chunks go from the worker to the caller's context. */
  AsyncHttpChunkFunc     on_chunk;
  gpointer               chunk_data;
  GDestroyNotify         chunk_data_destroy;
  GMutex                 stream_lock;
  GCond                  stream_cond;
  GQueue                 chunks;              /* GBytes *, protected by stream_lock */
  gsize                  n_queued_bytes;      /* protected by stream_lock */
  gboolean               delivery_scheduled;  /* protected by stream_lock */
};

/* Starts an exchange; rejects at once for a malformed method, header or
 * URL. Takes nothing: copies what it needs. */
AsyncFuture *async_http_exchange_submit (AsyncHttpSession      *session,
                                         const char            *method,
                                         const char            *url,
                                         const char * const    *headers,
                                         GBytes                *body,
                                         AsyncHttpRequestFlags  flags,
                                         AsyncHttpChunkFunc     on_chunk,
                                         gpointer               chunk_data,
                                         GDestroyNotify         chunk_data_destroy);

/* Completes an exchange that left the session's lists (ENDED), with no
 * lock held. */
void         async_http_exchange_complete (AsyncHttpExchange *exchange);

/* From the transfer, on the worker: a piece of the body. FALSE aborts the
 * transfer (cancelled, or over the body cap). */
gboolean     async_http_exchange_receive  (AsyncHttpExchange *exchange,
                                           const char        *data,
                                           gsize              length);
gboolean     async_http_exchange_is_cancelled (AsyncHttpExchange *exchange);

G_END_DECLS
