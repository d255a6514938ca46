/* http-exchange.c: one request in flight, as a future: made by the session,
 * queued for its host and then in the pool, run on a worker by
 * http-transfer.c, settled on the caller's context. Cancellation from any
 * thread, and a streamed body handed from the worker to the caller. */

#include "config.h"

#include "http-exchange-private.h"

#include <string.h>

#include "http-transfer-private.h"

/* A streamed body waits on its worker past this many undelivered bytes, so
 * that a slow consumer bounds the memory a download takes. */
#define STREAM_HIGH_WATER (1024 * 1024)

/* ------------------------------------------- the caller's scheduler
 *
 * The one place that holds the caller's scheduler for an exchange: held
 * (so that async_run () waits for the exchange) from submit until the
 * exchange has completed, and where its outcome is delivered. */

static void
scheduler_hold (AsyncHttpExchange *exchange)
{
  exchange->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());
  async_scheduler_hold (exchange->scheduler);
}

static void
scheduler_release (AsyncHttpExchange *exchange)
{
  AsyncScheduler *scheduler = g_steal_pointer (&exchange->scheduler);

  async_scheduler_release (scheduler);
  async_scheduler_unref (scheduler);
}

static void
scheduler_call_soon (AsyncHttpExchange   *exchange,
                     AsyncFutureCallback  func)
{
  async_scheduler_call_soon (exchange->scheduler, func, exchange);
}

/* ------------------------------------------------------------ settling */

static void
exchange_settle (AsyncHttpExchange *exchange)
{
  if (exchange->response != NULL)
    async_future_resolve_quietly (&exchange->parent, g_steal_pointer (&exchange->response),
                                  (GDestroyNotify) async_http_response_unref);
  else if (exchange->error != NULL)
    async_future_reject_quietly (&exchange->parent, g_steal_pointer (&exchange->error));
}

static void
stream_deliver (AsyncHttpExchange *exchange)
{
  GQueue chunks;
  GBytes *chunk;

  g_mutex_lock (&exchange->stream_lock);
  chunks = exchange->chunks;
  g_queue_init (&exchange->chunks);
  exchange->n_queued_bytes = 0;
  exchange->delivery_scheduled = FALSE;
  g_cond_broadcast (&exchange->stream_cond);
  g_mutex_unlock (&exchange->stream_lock);

  while ((chunk = g_queue_pop_head (&chunks)) != NULL)
    {
      if (async_future_is_pending (&exchange->parent))
        exchange->on_chunk (chunk, exchange->chunk_data);
      g_bytes_unref (chunk);
    }
}

static void
stream_deliver_cb (AsyncFuture *unused,
                   gpointer     data)
{
  AsyncHttpExchange *exchange = data;

  stream_deliver (exchange);
  async_future_unref (&exchange->parent);
}

/* On the caller's context, after every chunk scheduled before it. */
static void
stream_finish_cb (AsyncFuture *unused,
                  gpointer     data)
{
  AsyncHttpExchange *exchange = data;

  stream_deliver (exchange);
  if (exchange->chunk_data_destroy != NULL)
    exchange->chunk_data_destroy (exchange->chunk_data);
  exchange->chunk_data = NULL;
  exchange_settle (exchange);
  scheduler_release (exchange);
  async_future_unref (&exchange->parent);
}

void
async_http_exchange_complete (AsyncHttpExchange *exchange)
{
  if (exchange->on_chunk != NULL)
    {
      scheduler_call_soon (exchange, stream_finish_cb);
      return;
    }

  exchange_settle (exchange);
  scheduler_release (exchange);
  /* The in-flight reference. */
  async_future_unref (&exchange->parent);
}

/* Out of every list, its slot given to the next exchange of its host. */
static void
exchange_end (AsyncHttpExchange *exchange,
              AsyncHttpHandle   *handle)
{
  AsyncHttpSession *session = exchange->session;
  GQueue to_complete = G_QUEUE_INIT;
  AsyncHttpExchange *other;

  if (handle != NULL)
    async_http_handle_reset (handle);

  g_mutex_lock (&session->lock);
  exchange->handle = NULL;
  if (handle != NULL)
    g_ptr_array_add (session->idle_handles, handle);
  g_queue_unlink (&session->exchanges, &exchange->link);
  exchange->state = ASYNC_HTTP_EXCHANGE_ENDED;
  async_http_host_queue_release_unlocked (session, exchange, &to_complete);
  g_mutex_unlock (&session->lock);

  async_http_exchange_complete (exchange);
  while ((other = g_queue_pop_head (&to_complete)) != NULL)
    async_http_exchange_complete (other);
}

/* ------------------------------------------------------------ cancelling */

static gboolean
exchange_cancel (AsyncFuture *future)
{
  AsyncHttpExchange *exchange = (AsyncHttpExchange *) future;
  AsyncHttpSession *session = exchange->session;
  GQueue to_complete = G_QUEUE_INIT;
  AsyncHttpExchange *other;
  gboolean cancelled;

  /* Settled before the worker is told, or the worker could settle it first
   * and this call would report that it cancelled nothing. */
  cancelled = async_future_cancel_quietly (future);
  g_atomic_int_set (&exchange->cancelled, TRUE);

  g_mutex_lock (&session->lock);
  if (exchange->state == ASYNC_HTTP_EXCHANGE_WAITING)
    {
      g_queue_unlink (&session->exchanges, &exchange->link);
      exchange->state = ASYNC_HTTP_EXCHANGE_ENDED;
      async_http_host_queue_remove_unlocked (session, exchange, &to_complete);
      g_queue_push_head (&to_complete, exchange);
    }
  else if (exchange->state == ASYNC_HTTP_EXCHANGE_RUNNING && exchange->handle != NULL)
    async_http_handle_wakeup (exchange->handle);
  g_mutex_unlock (&session->lock);

  if (exchange->on_chunk != NULL)
    {
      g_mutex_lock (&exchange->stream_lock);
      g_cond_broadcast (&exchange->stream_cond);
      g_mutex_unlock (&exchange->stream_lock);
    }

  while ((other = g_queue_pop_head (&to_complete)) != NULL)
    async_http_exchange_complete (other);

  return cancelled;
}

gboolean
async_http_exchange_is_cancelled (AsyncHttpExchange *exchange)
{
  return g_atomic_int_get (&exchange->cancelled);
}

static void
exchange_finalize (AsyncFuture *future)
{
  AsyncHttpExchange *exchange = (AsyncHttpExchange *) future;

  g_clear_pointer (&exchange->response, async_http_response_unref);
  g_clear_error (&exchange->error);
  g_clear_pointer (&exchange->received, g_byte_array_unref);
  g_queue_clear_full (&exchange->chunks, (GDestroyNotify) g_bytes_unref);
  g_mutex_clear (&exchange->stream_lock);
  g_cond_clear (&exchange->stream_cond);
  g_clear_pointer (&exchange->body, g_bytes_unref);
  g_ptr_array_unref (exchange->headers);
  g_free (exchange->user_agent);
  g_free (exchange->host_key);
  g_free (exchange->url);
  g_free (exchange->method);
  async_http_session_unref (exchange->session);
}

static const AsyncFutureClass exchange_class = {
  .name = "AsyncHttpSession request",
  .cancel = exchange_cancel,
  .finalize = exchange_finalize,
};

/* ------------------------------------------------------------ the body */

static void
stream_push (AsyncHttpExchange *exchange,
             const char        *data,
             gsize              length)
{
  gboolean schedule;

  g_mutex_lock (&exchange->stream_lock);
  g_queue_push_tail (&exchange->chunks, g_bytes_new (data, length));
  exchange->n_queued_bytes += length;
  schedule = !exchange->delivery_scheduled;
  exchange->delivery_scheduled = TRUE;
  g_mutex_unlock (&exchange->stream_lock);

  if (schedule)
    {
      async_future_ref (&exchange->parent);
      scheduler_call_soon (exchange, stream_deliver_cb);
    }

  g_mutex_lock (&exchange->stream_lock);
  while (exchange->n_queued_bytes > STREAM_HIGH_WATER
         && !async_http_exchange_is_cancelled (exchange))
    g_cond_wait (&exchange->stream_cond, &exchange->stream_lock);
  g_mutex_unlock (&exchange->stream_lock);
}

gboolean
async_http_exchange_receive (AsyncHttpExchange *exchange,
                             const char        *data,
                             gsize              length)
{
  if (async_http_exchange_is_cancelled (exchange))
    return FALSE;
  if (exchange->settings.max_body_size != 0
      && exchange->n_received + length > exchange->settings.max_body_size)
    {
      exchange->too_large = TRUE;
      return FALSE;
    }
  exchange->n_received += length;

  if (exchange->on_chunk != NULL)
    stream_push (exchange, data, length);
  else
    g_byte_array_append (exchange->received, (const guint8 *) data, length);
  return TRUE;
}

/* The body into the response, and raise-for-status, after the transfer. */
static void
exchange_finish_response (AsyncHttpExchange *exchange)
{
  AsyncHttpResponse *response = exchange->response;

  if (exchange->received != NULL)
    {
      GByteArray *received = g_steal_pointer (&exchange->received);
      gsize size = received->len;

      /* The NUL past the end lets get_text () return the body as it is. */
      g_byte_array_append (received, (const guint8 *) "", 1);
      async_http_response_take_body (response,
                                     g_bytes_new_take (g_byte_array_free (received, FALSE),
                                                       size));
    }
  else
    async_http_response_take_body (response, g_bytes_new_static ("", 0));

  if ((exchange->flags & ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS) && response->status >= 400)
    {
      g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_STATUS,
                   "%s: HTTP %u %s", response->url, response->status, response->reason);
      g_clear_pointer (&exchange->response, async_http_response_unref);
    }
}

/* ------------------------------------------------------------ running */

static AsyncHttpHandle *
checkout_handle_unlocked (AsyncHttpSession *session)
{
  if (session->idle_handles->len > 0)
    return g_ptr_array_steal_index_fast (session->idle_handles,
                                         session->idle_handles->len - 1);
  return async_http_handle_new ();
}

static void
exchange_run (AsyncPoolItem *item,
              gboolean       run)
{
  AsyncHttpExchange *exchange = (AsyncHttpExchange *) ((char *) item - G_STRUCT_OFFSET (AsyncHttpExchange, item));
  AsyncHttpSession *session = exchange->session;
  AsyncHttpHandle *handle = NULL;

  g_mutex_lock (&session->lock);
  if (run && !async_http_exchange_is_cancelled (exchange))
    {
      exchange->state = ASYNC_HTTP_EXCHANGE_RUNNING;
      handle = exchange->handle = checkout_handle_unlocked (session);
    }
  g_mutex_unlock (&session->lock);

  if (!run)
    g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CLOSED,
                 "%s: the session was closed", exchange->url);
  else if (handle != NULL)
    {
      exchange->response = async_http_response_new ();
      if (exchange->on_chunk == NULL)
        exchange->received = g_byte_array_new ();
      async_http_transfer_run (exchange, handle);
      if (exchange->response != NULL)
        exchange_finish_response (exchange);
    }

  exchange_end (exchange, handle);
}

/* ------------------------------------------------------------ submitting */

static AsyncFuture *
reject_early (GError         *error,
              gpointer        chunk_data,
              GDestroyNotify  chunk_data_destroy)
{
  if (chunk_data_destroy != NULL)
    chunk_data_destroy (chunk_data);
  return async_future_new_rejected (error);
}

AsyncFuture *
async_http_exchange_submit (AsyncHttpSession      *session,
                            const char            *method,
                            const char            *url,
                            const char * const    *headers,
                            GBytes                *body,
                            AsyncHttpRequestFlags  flags,
                            AsyncHttpChunkFunc     on_chunk,
                            gpointer               chunk_data,
                            GDestroyNotify         chunk_data_destroy)
{
  AsyncHttpExchange *exchange;
  GError *error = NULL;
  char *host_key;
  GQueue to_complete = G_QUEUE_INIT;
  AsyncHttpExchange *other;
  guint i;

  if (!async_http_is_token (method, strlen (method)))
    {
      char *escaped = g_strescape (method, NULL);

      error = g_error_new (ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER,
                           "%s: invalid method “%s”", url, escaped);
      g_free (escaped);
      return reject_early (error, chunk_data, chunk_data_destroy);
    }
  for (i = 0; headers != NULL && headers[i] != NULL; i++)
    if (!async_http_check_header (headers[i], &error))
      return reject_early (error, chunk_data, chunk_data_destroy);
  host_key = async_http_transfer_host_key (url, &error);
  if (host_key == NULL)
    return reject_early (error, chunk_data, chunk_data_destroy);

  exchange = async_future_alloc (&exchange_class, sizeof (AsyncHttpExchange), G_STRFUNC);
  exchange->item.func = exchange_run;
  exchange->session = async_http_session_ref (session);
  exchange->link.data = exchange;
  exchange->wait_link.data = exchange;
  exchange->method = g_ascii_strup (method, -1);
  exchange->url = g_strdup (url);
  exchange->host_key = host_key;
  exchange->body = body != NULL ? g_bytes_ref (body) : NULL;
  exchange->flags = flags;
  exchange->on_chunk = on_chunk;
  exchange->chunk_data = chunk_data;
  exchange->chunk_data_destroy = chunk_data_destroy;
  exchange->headers = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&exchange->stream_lock);
  g_cond_init (&exchange->stream_cond);
  g_queue_init (&exchange->chunks);
  scheduler_hold (exchange);
  /* The in-flight reference, dropped by async_http_exchange_complete (). */
  async_future_ref (&exchange->parent);

  g_mutex_lock (&session->lock);
  exchange->settings = session->settings;
  exchange->user_agent = g_strdup (session->user_agent);
  for (i = 0; i < session->default_headers->len; i++)
    g_ptr_array_add (exchange->headers, g_strdup (session->default_headers->pdata[i]));
  for (i = 0; headers != NULL && headers[i] != NULL; i++)
    g_ptr_array_add (exchange->headers, g_strdup (headers[i]));

  if (session->closed)
    {
      g_mutex_unlock (&session->lock);
      exchange->state = ASYNC_HTTP_EXCHANGE_ENDED;
      g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CLOSED,
                   "%s: the session was closed", url);
      async_http_exchange_complete (exchange);
      return &exchange->parent;
    }
  if (session->pool == NULL)
    session->pool = async_pool_new (session->limit);

  g_queue_push_tail_link (&session->exchanges, &exchange->link);
  async_http_host_queue_push_unlocked (session, exchange, &to_complete);
  g_mutex_unlock (&session->lock);

  while ((other = g_queue_pop_head (&to_complete)) != NULL)
    async_http_exchange_complete (other);
  return &exchange->parent;
}
