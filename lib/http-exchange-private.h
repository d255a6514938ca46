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
#include "http-body-reader-private.h"
#include "http-host-queue-private.h"
#include "http-request-private.h"
#include "http-response-private.h"
#include "http-session-private.h"
#include "pool-private.h"
#include "scheduler-private.h"

G_BEGIN_DECLS

typedef enum
{
  ASYNC_HTTP_EXCHANGE_WAITING,   /* for a slot of its host */
  ASYNC_HTTP_EXCHANGE_QUEUED,    /* in the session's ready queue, for a runner */
  ASYNC_HTTP_EXCHANGE_RUNNING,
  ASYNC_HTTP_EXCHANGE_ENDED,
} AsyncHttpExchangeState;

/* What the worker does with the body of the current hop. */
typedef enum
{
  ASYNC_HTTP_SINK_DISCARD,   /* a redirect about to be followed, a retried status */
  ASYNC_HTTP_SINK_BUFFER,    /* into the response */
  ASYNC_HTTP_SINK_PUSH,      /* to the caller's chunk callback */
  ASYNC_HTTP_SINK_PULL,      /* to the reader of an opened response */
  ASYNC_HTTP_SINK_FILE,      /* to a download's temporary file */
} AsyncHttpSink;

/* Where the body of the final response goes, besides the response. */
typedef struct
{
  AsyncHttpChunkFunc     on_chunk;        /* pushed to the caller */
  gpointer               chunk_data;
  GDestroyNotify         chunk_data_destroy;
  gboolean               pull;            /* read by the caller */
  GFile                 *download;        /* written to a file */
  AsyncHttpProgressFunc  on_progress;
  gpointer               progress_data;
  GDestroyNotify         progress_data_destroy;
} AsyncHttpDelivery;

struct _AsyncHttpExchange
{
  AsyncFuture            parent;
  AsyncHttpSession      *session;     /* a reference */
  AsyncScheduler        *scheduler;   /* held until the exchange has ended */
  AsyncHeld              held;        /* listed for async_run () to cancel */
  GList                  link;        /* in session->exchanges */
  GList                  wait_link;   /* in its host's waiting queue, then in the
                                       * session's ready queue, then in a batch
                                       * of ended exchanges */
  AsyncHttpExchangeState state;       /* protected by session->lock */
  AsyncHttpHandle       *handle;      /* protected by session->lock */
  gint                   cancelled;   /* atomic */

  /* Set when the exchange is made, then read-only. */
  AsyncHttpRequest      *request;     /* frozen */
  char                  *first_url;   /* with its query, resolved against the base URL */
  char                  *host_key;    /* of the first URL */
  guint                  max_redirects;
  GPtrArray             *headers;     /* "Name: value": the session's, then the request's */
  char                  *authorization;
  char                  *user_agent;
  AsyncHttpSettings      settings;
  gint64                 deadline;    /* monotonic µs; 0: none */

  /* Touched by the worker only, until the exchange has ended. */
  char                  *url;         /* of the current hop */
  char                  *method;      /* of the current hop */
  gboolean               send_body;   /* FALSE once a redirect turned it into a GET */
  gboolean               send_authorization;
  guint                  n_attempts;
  gboolean               stream_used;   /* a stream body was sent once */
  goffset                stream_offset; /* where it started */
  guint64                n_pushed;    /* bytes given to the chunk callback */
  AsyncHttpSink          sink;
  AsyncHttpResponse     *response;
  GByteArray            *received;
  guint64                n_received;
  gboolean               too_large;
  guint64                too_large_limit;  /* the cap it passed */
  GError                *error;
  AsyncHttpResponse     *failed_response;  /* kept with a STATUS error */

  /* The cookie jar, as the handle's engine has it: checked out when the
   * exchange starts, checked in when it ends (both under session->lock),
   * loaded and read back by the worker. */
  GPtrArray             *cookies_before;   /* what the engine holds at the start */
  gboolean               cookies_load;     /* ...once they are loaded into it */
  guint64                cookies_generation;  /* of the jar they are, or JAR_EMPTY */
  gint64                 cookies_expiry;   /* the jar's first expiry then */
  gboolean               cookies_received; /* a Set-Cookie header came */
  GPtrArray             *cookies_after;    /* read back from the engine, to merge */

  /* Streaming: chunks go from the worker to the caller's context. */
  AsyncHttpChunkFunc     on_chunk;
  gpointer               chunk_data;
  GDestroyNotify         chunk_data_destroy;
  AsyncHttpBodyReader   *reader;              /* an opened response's body */
  AsyncFuture           *head;                /* its head's future, until settled */
  gboolean               head_delivered;      /* the future resolved with the head */

  /* A download: written by the worker, renamed into place on success. */
  char                  *download_path;
  char                  *temporary_path;
  int                    download_fd;
  gint64                 download_total;      /* -1: unknown */
  AsyncHttpProgressFunc  on_progress;
  gpointer               progress_data;
  GDestroyNotify         progress_data_destroy;
  guint64                progress_now;        /* protected by lock */
  gboolean               progress_scheduled;  /* protected by lock */

  GMutex                 lock;
  GCond                  cond;                /* a chunk delivered, or cancelled */
  GQueue                 chunks;              /* GBytes *, protected by lock */
  gsize                  n_queued_bytes;      /* protected by lock */
  gboolean               delivery_scheduled;  /* protected by lock */
};

/* Starts an exchange for @request (frozen by this call); rejects at once
 * for a malformed method, header or URL. */
AsyncFuture *async_http_exchange_submit (AsyncHttpSession        *session,
                                         AsyncHttpRequest        *request,
                                         const AsyncHttpDelivery *delivery);

/* With session->lock held: @exchange, given a slot of its host, goes to
 * the session's ready queue, and a runner is started for it if fewer than
 * the session's limit are in the pool. FALSE, with @exchange->error set
 * and @exchange in no queue, if no runner can take it (the pool was shut
 * down). */
gboolean     async_http_exchange_queue_unlocked (AsyncHttpSession  *session,
                                                 AsyncHttpExchange *exchange);

/* The session's cookie jar and a handle's engine (http-cookie-jar.c):
 * the jar is loaded into the engine only if it changed since the handle's
 * last transfer, and read back only if the transfer received a cookie or
 * one may have expired. */
void         async_http_cookie_jar_checkout_unlocked (AsyncHttpSession  *session,
                                                      AsyncHttpExchange *exchange,
                                                      AsyncHttpHandle   *handle);
gboolean     async_http_cookie_jar_load              (AsyncHttpExchange *exchange,
                                                      AsyncHttpHandle   *handle);
void         async_http_cookie_jar_read_back         (AsyncHttpExchange *exchange,
                                                      AsyncHttpHandle   *handle);
void         async_http_cookie_jar_checkin_unlocked  (AsyncHttpSession  *session,
                                                      AsyncHttpExchange *exchange,
                                                      AsyncHttpHandle   *handle);

/* Completes an exchange that left the session's lists (ENDED), with no
 * lock held. */
void         async_http_exchange_complete (AsyncHttpExchange *exchange);

/* From the transfer, on the worker, once per hop: the status line and
 * headers are in @exchange->response; decides the sink of the body. */
void         async_http_exchange_head     (AsyncHttpExchange *exchange);
/* From the transfer, on the worker: a piece of the body. FALSE aborts the
 * transfer (cancelled, or over the body cap). */
gboolean     async_http_exchange_receive  (AsyncHttpExchange *exchange,
                                           const char        *data,
                                           gsize              length);
gboolean     async_http_exchange_is_cancelled (AsyncHttpExchange *exchange);
/* async_future_cancel (), and the transfer stopped even if the future had
 * settled (an opened response's): what closing the session does. */
void         async_http_exchange_abort        (AsyncHttpExchange *exchange);
/* Queues @func (@exchange as its data) on the caller's context. */
void         async_http_exchange_call_soon    (AsyncHttpExchange   *exchange,
                                               AsyncFutureCallback  func);

G_END_DECLS
