/* http-exchange.c: one request in flight, as a future: made by the session,
 * queued for its host and then in the pool, run on a worker by
 * http-transfer.c, settled on the caller's context. Cancellation from any
 * thread, and a streamed body handed from the worker to the caller. */

#include "config.h"

#include "http-exchange-private.h"

#include <string.h>
#include <sys/resource.h>

#include "http-download-private.h"
#include "http-hops-private.h"
#include "http-transfer-private.h"

/* A streamed body waits on its worker past this many undelivered bytes, so
 * that a slow consumer bounds the memory a download takes. */
#define STREAM_HIGH_WATER (1024 * 1024)
/* The largest body whose announced length is allocated at once. */
#define PREALLOCATED_MAX  (1024 * 1024)
/* A GByteArray's length is a guint. */
#define MAX_BUFFERED      ((guint64) G_MAXUINT - 1)

/* ------------------------------------------- the caller's scheduler
 *
 * The one place that holds the caller's scheduler for an exchange: held
 * (so that async_run () waits for the exchange) from submit until the
 * exchange has completed, and where its outcome is delivered. */

static void
scheduler_hold (AsyncHttpExchange *exchange)
{
  exchange->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());
  /* Listed: async_run () cancels the exchange if it is still running. */
  async_scheduler_hold (exchange->scheduler, &exchange->held, &exchange->parent, NULL);
}

/* Before the exchange settles and drops its in-flight reference, which
 * keeps @held alive. */
static AsyncScheduler *
scheduler_unlist (AsyncHttpExchange *exchange)
{
  AsyncScheduler *scheduler = g_steal_pointer (&exchange->scheduler);

  async_scheduler_unlist (scheduler, &exchange->held);
  return scheduler;
}

/* The last thing an exchange does with its scheduler: async_run () may
 * return at once. */
static void
scheduler_release (AsyncScheduler *scheduler)
{
  async_scheduler_release (scheduler, NULL);
  async_scheduler_unref (scheduler);
}

void
async_http_exchange_call_soon (AsyncHttpExchange   *exchange,
                               AsyncFutureCallback  func)
{
  async_scheduler_call_soon (exchange->scheduler, func, exchange, NULL);
}

/* ------------------------------------------------------------ settling */

static void
exchange_settle (AsyncHttpExchange *exchange)
{
  AsyncFuture *future = &exchange->parent;

  /* An opened response's caller holds the head future; the exchange's own
   * is internal (listed for async_run (), cancelled by close ()). A head
   * never delivered gets the exchange's outcome. */
  if (exchange->reader != NULL)
    {
      gboolean cancelled = !async_future_resolve_quietly (future, NULL, NULL)
                           && async_future_is_cancelled (future);

      future = g_steal_pointer (&exchange->head);
      if (future == NULL || cancelled)
        {
          if (future != NULL)
            async_future_cancel (future);
          g_clear_pointer (&future, async_future_unref);
          g_clear_pointer (&exchange->response, async_http_response_unref);
          g_clear_error (&exchange->error);
          return;
        }
    }
  if (exchange->response != NULL)
    async_future_resolve_quietly (future, g_steal_pointer (&exchange->response),
                                  (GDestroyNotify) async_http_response_unref);
  else if (exchange->error != NULL)
    async_future_reject_quietly (future, g_steal_pointer (&exchange->error));
  else
    async_future_cancel (future);
  if (future != &exchange->parent)
    async_future_unref (future);
}

static void
stream_deliver (AsyncHttpExchange *exchange)
{
  GQueue chunks;
  GBytes *chunk;

  g_mutex_lock (&exchange->lock);
  chunks = exchange->chunks;
  g_queue_init (&exchange->chunks);
  exchange->n_queued_bytes = 0;
  exchange->delivery_scheduled = FALSE;
  g_cond_broadcast (&exchange->cond);
  g_mutex_unlock (&exchange->lock);

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
  AsyncScheduler *scheduler;

  if (exchange->on_chunk != NULL)
    stream_deliver (exchange);
  if (exchange->chunk_data_destroy != NULL)
    exchange->chunk_data_destroy (exchange->chunk_data);
  exchange->chunk_data = NULL;
  if (exchange->progress_data_destroy != NULL)
    exchange->progress_data_destroy (exchange->progress_data);
  exchange->progress_data = NULL;
  scheduler = scheduler_unlist (exchange);
  exchange_settle (exchange);
  async_future_unref (&exchange->parent);
  scheduler_release (scheduler);
}

void
async_http_exchange_complete (AsyncHttpExchange *exchange)
{
  AsyncScheduler *scheduler;

  if (exchange->reader != NULL)
    async_http_body_reader_finish (exchange->reader,
                                   exchange->error != NULL ? g_error_copy (exchange->error) : NULL);
  /* The caller's data is freed on the caller's context. */
  if (exchange->on_chunk != NULL || exchange->on_progress != NULL)
    {
      async_http_exchange_call_soon (exchange, stream_finish_cb);
      return;
    }

  scheduler = scheduler_unlist (exchange);
  exchange_settle (exchange);
  /* The in-flight reference. */
  async_future_unref (&exchange->parent);
  scheduler_release (scheduler);
}

/* ------------------------------------------------------------ cancelling */

/* Tells the worker to stop, wherever it is: in curl, waiting for the
 * reader, or between attempts. A waiting exchange leaves its host's
 * queue and completes. */
static void
exchange_stop (AsyncHttpExchange *exchange)
{
  AsyncHttpSession *session = exchange->session;
  GQueue to_complete = G_QUEUE_INIT;
  AsyncHttpExchange *other;

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

  g_mutex_lock (&exchange->lock);
  g_cond_broadcast (&exchange->cond);
  g_mutex_unlock (&exchange->lock);
  if (exchange->reader != NULL)
    async_http_body_reader_wake (exchange->reader);

  while ((other = g_queue_pop_head (&to_complete)) != NULL)
    async_http_exchange_complete (other);
}

static gboolean
exchange_cancel (AsyncFuture *future)
{
  AsyncHttpExchange *exchange = (AsyncHttpExchange *) future;
  gboolean cancelled;

  /* Settled before the worker is told, or the worker could settle it first
   * and this call would report that it cancelled nothing. */
  cancelled = async_future_cancel_quietly (future);
  exchange_stop (exchange);
  return cancelled;
}

void
async_http_exchange_abort (AsyncHttpExchange *exchange)
{
  /* Cancelling settles a pending future; an opened response's future has
   * settled already, and its transfer must stop all the same. */
  if (!async_future_cancel (&exchange->parent))
    exchange_stop (exchange);
}

gboolean
async_http_exchange_is_cancelled (AsyncHttpExchange *exchange)
{
  return g_atomic_int_get (&exchange->cancelled)
         || (exchange->reader != NULL && async_http_body_reader_is_closed (exchange->reader));
}

static void
exchange_finalize (AsyncFuture *future)
{
  AsyncHttpExchange *exchange = (AsyncHttpExchange *) future;

  g_clear_pointer (&exchange->response, async_http_response_unref);
  g_clear_error (&exchange->error);
  g_clear_pointer (&exchange->received, g_byte_array_unref);
  g_queue_clear_full (&exchange->chunks, (GDestroyNotify) g_bytes_unref);
  g_mutex_clear (&exchange->lock);
  g_cond_clear (&exchange->cond);
  g_clear_pointer (&exchange->failed_response, async_http_response_unref);
  g_clear_pointer (&exchange->cookies_before, g_ptr_array_unref);
  g_clear_pointer (&exchange->cookies_after, g_ptr_array_unref);
  g_clear_pointer (&exchange->reader, async_http_body_reader_unref);
  g_clear_pointer (&exchange->head, async_future_unref);
  g_free (exchange->download_path);
  g_free (exchange->temporary_path);
  g_ptr_array_unref (exchange->headers);
  g_free (exchange->authorization);
  g_free (exchange->user_agent);
  async_http_settings_clear (&exchange->settings);
  g_free (exchange->host_key);
  g_free (exchange->first_url);
  g_free (exchange->url);
  g_free (exchange->method);
  async_http_request_unref (exchange->request);
  async_http_session_unref (exchange->session);
}

static const AsyncFutureClass exchange_class = {
  .name = "AsyncHttpSession request",
  .cancel = exchange_cancel,
  .finalize = exchange_finalize,
};

/* The future of an opened response's head, what async_http_session_open ()
 * returns. It holds the exchange, not the other way round once the head
 * is delivered: the response then holds the body reader only, so that
 * dropping the last reference to it closes the reader and ends the
 * transfer, instead of a cycle keeping both alive. */
typedef struct
{
  AsyncFuture        parent;
  AsyncHttpExchange *exchange;   /* a reference */
} HeadFuture;

static gboolean
head_cancel (AsyncFuture *future)
{
  HeadFuture *head = (HeadFuture *) future;
  gboolean cancelled = async_future_cancel_quietly (future);

  async_future_cancel (&head->exchange->parent);
  return cancelled;
}

static void
head_finalize (AsyncFuture *future)
{
  HeadFuture *head = (HeadFuture *) future;

  async_future_unref (&head->exchange->parent);
}

static const AsyncFutureClass head_class = {
  .name = "AsyncHttpSession opened response",
  .cancel = head_cancel,
  .finalize = head_finalize,
};

/* ------------------------------------------------------------ the body */

static void
stream_push (AsyncHttpExchange *exchange,
             const char        *data,
             gsize              length)
{
  gboolean schedule;

  g_mutex_lock (&exchange->lock);
  g_queue_push_tail (&exchange->chunks, g_bytes_new (data, length));
  exchange->n_queued_bytes += length;
  schedule = !exchange->delivery_scheduled;
  exchange->delivery_scheduled = TRUE;
  g_mutex_unlock (&exchange->lock);

  if (schedule)
    {
      async_future_ref (&exchange->parent);
      async_http_exchange_call_soon (exchange, stream_deliver_cb);
    }

  g_mutex_lock (&exchange->lock);
  while (exchange->n_queued_bytes > STREAM_HIGH_WATER
         && !async_http_exchange_is_cancelled (exchange))
    g_cond_wait (&exchange->cond, &exchange->lock);
  g_mutex_unlock (&exchange->lock);
}

/* An opened response: its head is the head future's value now; the
 * worker goes on with a private response for what still comes (trailers,
 * timings), so that the one the caller holds never changes. */
static void
deliver_head (AsyncHttpExchange *exchange)
{
  AsyncHttpResponse *response = g_steal_pointer (&exchange->response);
  AsyncFuture *head;

  response->reader = async_http_body_reader_ref (exchange->reader);
  response->n_attempts = exchange->n_attempts;
  async_http_response_take_body (response, g_bytes_new_static ("", 0));
  exchange->response = async_http_response_new ();
  exchange->head_delivered = TRUE;
  head = g_steal_pointer (&exchange->head);
  async_future_resolve_quietly (head, response, (GDestroyNotify) async_http_response_unref);
  async_future_unref (head);
}

/* A body's buffer, of the size announced (and a NUL) if it is reasonable,
 * so that it is allocated once. */
static GByteArray *
buffer_for (AsyncHttpExchange *exchange)
{
  const char *length = async_http_response_get_header (exchange->response, "Content-Length");
  guint64 size = 0;

  if (length != NULL && strcmp (exchange->method, "HEAD") != 0
      && g_ascii_string_to_unsigned (length, 10, 0, PREALLOCATED_MAX, &size, NULL)
      && (exchange->settings.max_body_size == 0 || size <= exchange->settings.max_body_size))
    return g_byte_array_sized_new ((guint) size + 1);
  return g_byte_array_new ();
}

void
async_http_exchange_head (AsyncHttpExchange *exchange)
{
  guint status = exchange->response->status;
  gboolean final;

  exchange->n_received = 0;
  final = !(exchange->request->follow_redirects && async_http_hops_is_redirect (status)
            && async_http_response_get_header (exchange->response, "Location") != NULL)
          && !async_http_hops_status_is_retried (exchange, status);

  if (exchange->on_chunk == NULL && exchange->reader == NULL && exchange->download_path == NULL)
    exchange->sink = ASYNC_HTTP_SINK_BUFFER;
  else if (!final)
    exchange->sink = ASYNC_HTTP_SINK_DISCARD;
  /* A failure's body goes with the failed response, never to the
   * caller's callback, reader or file. */
  else if (exchange->settings.raise_for_status && status >= 400)
    exchange->sink = ASYNC_HTTP_SINK_BUFFER;
  else if (exchange->reader != NULL)
    {
      exchange->sink = ASYNC_HTTP_SINK_PULL;
      deliver_head (exchange);
    }
  else if (exchange->download_path != NULL)
    exchange->sink = async_http_download_open (exchange) ? ASYNC_HTTP_SINK_FILE : ASYNC_HTTP_SINK_DISCARD;
  else
    exchange->sink = ASYNC_HTTP_SINK_PUSH;
  if (exchange->sink == ASYNC_HTTP_SINK_BUFFER && exchange->received == NULL)
    exchange->received = buffer_for (exchange);
}

gboolean
async_http_exchange_receive (AsyncHttpExchange *exchange,
                             const char        *data,
                             gsize              length)
{
  guint64 limit = exchange->settings.max_body_size;

  if (async_http_exchange_is_cancelled (exchange) || exchange->error != NULL)
    return FALSE;
  /* A GByteArray holds less than 4 GiB: a larger body must be streamed. */
  if (exchange->sink == ASYNC_HTTP_SINK_BUFFER && (limit == 0 || limit > MAX_BUFFERED))
    limit = MAX_BUFFERED;
  if (limit != 0 && exchange->n_received + length > limit)
    {
      exchange->too_large = TRUE;
      exchange->too_large_limit = limit;
      return FALSE;
    }
  exchange->n_received += length;

  switch (exchange->sink)
    {
    case ASYNC_HTTP_SINK_DISCARD:
      break;
    case ASYNC_HTTP_SINK_BUFFER:
      g_byte_array_append (exchange->received, (const guint8 *) data, length);
      break;
    case ASYNC_HTTP_SINK_PUSH:
      exchange->n_pushed += length;
      stream_push (exchange, data, length);
      break;
    case ASYNC_HTTP_SINK_PULL:
      exchange->n_pushed += length;
      return async_http_body_reader_push (exchange->reader, data, length, &exchange->cancelled);
    case ASYNC_HTTP_SINK_FILE:
      exchange->n_pushed += length;
      return async_http_download_write (exchange, data, length);
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

/* The body into the response, after the last hop. */
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
  response->n_attempts = exchange->n_attempts;

  if (exchange->settings.raise_for_status && response->status >= 400)
    {
      g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_STATUS,
                   "%s: HTTP %u %s", response->url, response->status,
                   async_http_response_get_reason (response));
      exchange->failed_response = g_steal_pointer (&exchange->response);
    }
}

/* ------------------------------------------------------------ running */

/* Every attempt, and every hop of each, on one handle. */
static void
exchange_transfer (AsyncHttpExchange *exchange,
                   AsyncHttpHandle   *handle)
{
  gint64 delay_us;

  if (!async_http_cookie_jar_load (exchange, handle))
    {
      g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_OPTION,
                   "%s: libcurl refused the session's cookies", exchange->first_url);
      return;
    }

  if (exchange->settings.timeout > 0)
    exchange->deadline = g_get_monotonic_time () + (gint64) (exchange->settings.timeout * G_USEC_PER_SEC);

  for (;;)
    {
      guint n_redirects = 0;
      double redirect_time = 0;
      AsyncHttpHop hop;
      gboolean ok;

      exchange->n_attempts++;
      g_free (exchange->url);
      exchange->url = g_strdup (exchange->first_url);
      g_free (exchange->method);
      exchange->method = g_strdup (exchange->request->method);
      exchange->send_body = TRUE;
      exchange->send_authorization = TRUE;

      for (;;)
        {
          exchange->response = async_http_response_new ();
          ok = async_http_transfer_run (exchange, handle, &hop);
          if (!ok)
            g_clear_pointer (&exchange->response, async_http_response_unref);
          if (!ok || !async_http_hops_follow_redirect (exchange, hop.redirect_url, &n_redirects, &redirect_time))
            break;
          g_clear_pointer (&hop.redirect_url, g_free);
          if (exchange->error != NULL)
            break;
        }
      g_clear_pointer (&hop.redirect_url, g_free);
      if (exchange->response != NULL)
        exchange->response->timings.redirect = redirect_time;

      if (ok && exchange->error != NULL)
        break;   /* a redirect refused */
      if (!async_http_hops_should_retry (exchange, hop.retry_after, &delay_us))
        break;
      if (!async_http_hops_wait (exchange, delay_us))
        {
          g_clear_error (&exchange->error);
          g_set_error (&exchange->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                       "%s: the transfer was cancelled", exchange->first_url);
          g_clear_pointer (&exchange->response, async_http_response_unref);
          break;
        }
      g_clear_error (&exchange->error);
      g_clear_pointer (&exchange->response, async_http_response_unref);
      g_clear_pointer (&exchange->received, g_byte_array_unref);
    }

  if (exchange->response != NULL)
    exchange_finish_response (exchange);
  async_http_download_close (exchange);
  /* Merged when the exchange ends, under the lock taken then. */
  async_http_cookie_jar_read_back (exchange, handle);
}

/* ------------------------------------------------------------ runners
 *
 * A runner is one item in the session's pool: it takes the exchanges of
 * the session's ready queue one after the other, on one easy handle, until
 * none is left. A worker that finished a transfer thus starts the next one
 * itself, under the one lock it takes to end the last, instead of a trip
 * through the pool's queue and another thread's wake-up. At most
 * session->max_runners runners are in the pool: the limit of transfers at
 * once, or fewer if the process's descriptors are.
 *
 * Exchanges ended on a worker complete on their caller's scheduler, in
 * batches: the worker that finds no batch pending for that scheduler
 * queues one callback there, and those ending meanwhile join it, so that a
 * busy loop is woken once for many transfers, and settles their futures on
 * its own thread. */

typedef struct
{
  AsyncPoolItem     item;
  AsyncHttpSession *session;   /* a reference: a runner may start after the
                                * last exchange has ended */
} AsyncHttpRunner;

/* Exchanges of one scheduler that ended on workers, waiting to complete. */
typedef struct
{
  AsyncHttpSession *session;
  AsyncScheduler   *scheduler;   /* every exchange in it holds it */
  GQueue            exchanges;   /* AsyncHttpExchange.wait_link */
  gboolean          taken;
} AsyncHttpDone;

static void
done_take (AsyncHttpDone *done)
{
  AsyncHttpSession *session = done->session;
  GQueue exchanges;
  GList *link;

  g_mutex_lock (&session->lock);
  g_ptr_array_remove_fast (session->done, done);
  exchanges = done->exchanges;
  g_queue_init (&done->exchanges);
  done->taken = TRUE;
  g_mutex_unlock (&session->lock);

  /* The last one may free the session. */
  while ((link = g_queue_pop_head_link (&exchanges)) != NULL)
    async_http_exchange_complete (link->data);
}

static void
done_cb (AsyncFuture *unused,
         gpointer     data)
{
  done_take (data);
}

/* Also where a batch ends whose scheduler was closed before it ran. */
static void
done_free (gpointer data)
{
  AsyncHttpDone *done = data;

  if (!done->taken)
    done_take (done);
  g_free (done);
}

/* Adds @exchange to the batch of its scheduler; returns the batch if it is
 * new, to be scheduled by the caller once the lock is dropped. */
static AsyncHttpDone *
done_push_unlocked (AsyncHttpSession  *session,
                    AsyncHttpExchange *exchange)
{
  AsyncHttpDone *done = NULL;
  guint i;

  for (i = 0; i < session->done->len; i++)
    if (((AsyncHttpDone *) session->done->pdata[i])->scheduler == exchange->scheduler)
      {
        done = session->done->pdata[i];
        break;
      }
  if (done != NULL)
    {
      g_queue_push_tail_link (&done->exchanges, &exchange->wait_link);
      return NULL;
    }
  done = g_new0 (AsyncHttpDone, 1);
  done->session = session;
  done->scheduler = exchange->scheduler;
  g_queue_init (&done->exchanges);
  g_queue_push_tail_link (&done->exchanges, &exchange->wait_link);
  g_ptr_array_add (session->done, done);
  return done;
}

static void
done_schedule (AsyncHttpDone *done)
{
  if (done != NULL)
    async_scheduler_call_soon (done->scheduler, done_cb, done, done_free);
}

static void runner_run (AsyncPoolItem *item,
                        gboolean       run);

/* Each transfer in flight holds three file descriptors: its socket and the
 * wake-up socket pair that libcurl 7.88 opens for the multi handle each
 * worker's easy handle is driven by. A session runs no more transfers at
 * once than the process has descriptors left for when its first request
 * comes (RLIMIT_NOFILE less those open, less FD_RESERVE for what the
 * program opens later), so that a limit of 10,000 under a limit of 20,000
 * descriptors makes the rest wait in order, as any request past the limit
 * does, instead of failing to connect (EMFILE). */
#define FDS_PER_TRANSFER 3
#define FD_RESERVE 64

/* 0 where /proc is not there to tell. */
static guint
count_open_fds (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}

static guint
runners_for_fd_limit (guint limit)
{
  struct rlimit nofile;
  rlim_t used, budget;

  if (getrlimit (RLIMIT_NOFILE, &nofile) != 0 || nofile.rlim_cur == RLIM_INFINITY)
    return limit;

  used = count_open_fds () + FD_RESERVE;
  budget = nofile.rlim_cur > used ? (nofile.rlim_cur - used) / FDS_PER_TRANSFER : 0;
  return (guint) MAX (1, MIN ((rlim_t) limit, budget));
}

static gboolean
runner_start_unlocked (AsyncHttpSession  *session,
                       GError           **error)
{
  AsyncHttpRunner *runner = g_new0 (AsyncHttpRunner, 1);

  runner->item.func = runner_run;
  runner->session = async_http_session_ref (session);
  session->n_runners++;
  if (async_pool_push_item (session->pool, &runner->item, error))
    return TRUE;
  session->n_runners--;
  /* Not the last reference: the caller holds one. */
  async_http_session_unref (session);
  g_free (runner);
  return FALSE;
}

gboolean
async_http_exchange_queue_unlocked (AsyncHttpSession  *session,
                                    AsyncHttpExchange *exchange)
{
  exchange->state = ASYNC_HTTP_EXCHANGE_QUEUED;
  g_queue_push_tail_link (&session->ready, &exchange->wait_link);
  if (session->n_runners >= session->max_runners)
    return TRUE;
  /* A runner already in the pool takes it if the pool refuses a new one. */
  if (runner_start_unlocked (session, session->n_runners == 0 ? &exchange->error : NULL)
      || session->n_runners > 0)
    return TRUE;
  g_queue_unlink (&session->ready, &exchange->wait_link);
  return FALSE;
}

/* Out of every list, its slot given to the next exchange of its host, and
 * into the batch of its scheduler. */
static AsyncHttpDone *
exchange_end_unlocked (AsyncHttpSession  *session,
                       AsyncHttpExchange *exchange,
                       AsyncHttpHandle   *handle,
                       GQueue            *to_complete)
{
  if (exchange->handle != NULL)
    async_http_cookie_jar_checkin_unlocked (session, exchange, handle);
  exchange->handle = NULL;
  g_queue_unlink (&session->exchanges, &exchange->link);
  exchange->state = ASYNC_HTTP_EXCHANGE_ENDED;
  async_http_host_queue_release_unlocked (session, exchange, to_complete);
  return done_push_unlocked (session, exchange);
}

static void
runner_run (AsyncPoolItem *item,
            gboolean       run)
{
  AsyncHttpRunner *runner = (AsyncHttpRunner *) item;
  AsyncHttpSession *session = runner->session;
  AsyncHttpExchange *exchange = NULL;
  AsyncHttpHandle *handle = NULL;

  g_free (runner);
  g_mutex_lock (&session->lock);
  for (;;)
    {
      GQueue to_complete = G_QUEUE_INIT;
      AsyncHttpExchange *other;
      AsyncHttpDone *done = NULL;
      GList *link;
      gboolean transfer = FALSE;

      if (exchange != NULL)
        done = exchange_end_unlocked (session, exchange, handle, &to_complete);

      link = g_queue_pop_head_link (&session->ready);
      exchange = link != NULL ? link->data : NULL;
      if (exchange == NULL)
        {
          session->n_runners--;
          if (handle != NULL)
            g_ptr_array_add (session->idle_handles, handle);
        }
      else if (run && !async_http_exchange_is_cancelled (exchange))
        {
          if (handle == NULL && session->idle_handles->len > 0)
            handle = g_ptr_array_steal_index_fast (session->idle_handles,
                                                   session->idle_handles->len - 1);
          if (handle == NULL)
            handle = async_http_handle_new ();
          exchange->state = ASYNC_HTTP_EXCHANGE_RUNNING;
          exchange->handle = handle;
          async_http_cookie_jar_checkout_unlocked (session, exchange, handle);
          transfer = TRUE;
        }
      g_mutex_unlock (&session->lock);

      done_schedule (done);
      while ((other = g_queue_pop_head (&to_complete)) != NULL)
        async_http_exchange_complete (other);
      if (exchange == NULL)
        {
          /* Maybe the last reference, on this worker: the session's pool
           * and handles can be freed from one of its own threads. */
          async_http_session_unref (session);
          return;
        }

      if (!run)
        g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CLOSED,
                     "%s: the session was closed", exchange->first_url);
      else if (transfer)
        exchange_transfer (exchange, handle);

      g_mutex_lock (&session->lock);
    }
}

/* ------------------------------------------------------------ submitting */

static AsyncFuture *
reject_early (GError                  *error,
              const AsyncHttpDelivery *delivery)
{
  if (delivery->chunk_data_destroy != NULL)
    delivery->chunk_data_destroy (delivery->chunk_data);
  if (delivery->progress_data_destroy != NULL)
    delivery->progress_data_destroy (delivery->progress_data);
  return async_future_new_rejected (error);
}

static gboolean
has_header_named (AsyncHttpRequest *request,
                  const char       *line)
{
  gsize length = strcspn (line, ":");
  guint i;

  for (i = 0; i < request->headers->len; i++)
    {
      const char *own = request->headers->pdata[i];

      if (g_ascii_strncasecmp (own, line, length) == 0 && own[length] == ':')
        return TRUE;
    }
  return FALSE;
}

/* How long "scheme://authority" is at the start of @url, or 0 if the rest
 * is not one that curl's parser takes as it is (no control byte, no
 * space): what decides the host key and whether the URL is valid. */
static gsize
authority_length (const char *url)
{
  const char *p = url;
  gsize length;

  if (!g_ascii_isalpha (*p))
    return 0;
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  if (strncmp (p, "://", 3) != 0)
    return 0;
  length = p + 3 - url;
  length += strcspn (url + length, "/?#");
  for (p = url + length; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == 0x7f)
      return 0;
  return length;
}

/* The host key of @url, which also validates it. Transfers mostly go to
 * one host: the last key worked out serves every URL with the same
 * scheme and authority whose rest curl takes as it is. */
static char *
host_key_of (AsyncHttpSession  *session,
             const char        *url,
             GError           **error)
{
  gsize length = authority_length (url);
  char *key = NULL;

  if (length > 0)
    {
      g_mutex_lock (&session->lock);
      if (session->memo_authority != NULL && strlen (session->memo_authority) == length
          && memcmp (session->memo_authority, url, length) == 0)
        key = g_strdup (session->memo_host_key);
      g_mutex_unlock (&session->lock);
      if (key != NULL)
        return key;
    }

  key = async_http_transfer_host_key (url, error);
  if (key != NULL && length > 0)
    {
      g_mutex_lock (&session->lock);
      g_free (session->memo_authority);
      g_free (session->memo_host_key);
      session->memo_authority = g_strndup (url, length);
      session->memo_host_key = g_strdup (key);
      g_mutex_unlock (&session->lock);
    }
  return key;
}

AsyncFuture *
async_http_exchange_submit (AsyncHttpSession        *session,
                            AsyncHttpRequest        *request,
                            const AsyncHttpDelivery *delivery)
{
  static const AsyncHttpDelivery in_memory = { NULL };
  AsyncHttpExchange *exchange;
  GError *error = NULL;
  char *url, *base_url, *host_key, *download_path = NULL;
  AsyncFuture *returned;
  GQueue to_complete = G_QUEUE_INIT;
  AsyncHttpExchange *other;
  guint i;

  if (delivery == NULL)
    delivery = &in_memory;
  async_http_request_freeze (request);
  if (request->error != NULL)
    return reject_early (g_error_copy (request->error), delivery);
  g_mutex_lock (&session->lock);
  base_url = g_strdup (session->base_url);
  g_mutex_unlock (&session->lock);
  url = async_http_request_build_url (request, base_url, &error);
  g_free (base_url);
  if (url == NULL)
    return reject_early (error, delivery);
  if (!async_http_is_token (request->method, strlen (request->method)))
    {
      char *escaped = g_strescape (request->method, NULL);

      error = g_error_new (ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER,
                           "%s: invalid method “%s”", url, escaped);
      g_free (escaped);
      g_free (url);
      return reject_early (error, delivery);
    }
  host_key = host_key_of (session, url, &error);
  if (host_key == NULL)
    {
      g_free (url);
      return reject_early (error, delivery);
    }
  if (delivery->download != NULL)
    {
      download_path = g_file_get_path (delivery->download);
      if (download_path == NULL)
        {
          error = g_error_new (ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                               "%s: the destination is not a local file", url);
          g_free (host_key);
          g_free (url);
          return reject_early (error, delivery);
        }
    }

  exchange = async_future_alloc (&exchange_class, sizeof (AsyncHttpExchange), G_STRFUNC);
  returned = &exchange->parent;
  exchange->session = async_http_session_ref (session);
  exchange->link.data = exchange;
  exchange->wait_link.data = exchange;
  exchange->request = async_http_request_ref (request);
  exchange->first_url = url;
  exchange->host_key = host_key;
  exchange->on_chunk = delivery->on_chunk;
  exchange->chunk_data = delivery->chunk_data;
  exchange->chunk_data_destroy = delivery->chunk_data_destroy;
  if (delivery->pull)
    {
      HeadFuture *head = async_future_alloc (&head_class, sizeof (HeadFuture), G_STRFUNC);

      /* The caller's reference on the exchange goes to the head. */
      head->exchange = exchange;
      exchange->head = async_future_ref (&head->parent);
      exchange->reader = async_http_body_reader_new (STREAM_HIGH_WATER);
      returned = &head->parent;
    }
  exchange->download_path = download_path;
  exchange->download_fd = -1;
  exchange->on_progress = delivery->on_progress;
  exchange->progress_data = delivery->progress_data;
  exchange->progress_data_destroy = delivery->progress_data_destroy;
  exchange->headers = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&exchange->lock);
  g_cond_init (&exchange->cond);
  g_queue_init (&exchange->chunks);
  scheduler_hold (exchange);
  /* The in-flight reference, dropped by async_http_exchange_complete (). */
  async_future_ref (&exchange->parent);

  g_mutex_lock (&session->lock);
  async_http_settings_copy (&exchange->settings, &session->settings);
  exchange->user_agent = g_strdup (session->user_agent);
  /* A request's own header replaces the session's of the same name. */
  for (i = 0; i < session->default_headers->len; i++)
    if (!has_header_named (request, session->default_headers->pdata[i]))
      g_ptr_array_add (exchange->headers, g_strdup (session->default_headers->pdata[i]));
  exchange->authorization = g_strdup (request->authorization != NULL ? request->authorization
                                                                      : session->authorization);
  g_mutex_unlock (&session->lock);
  for (i = 0; i < request->headers->len; i++)
    g_ptr_array_add (exchange->headers, g_strdup (request->headers->pdata[i]));
  if (request->timeout >= 0)
    exchange->settings.timeout = request->timeout;
  exchange->max_redirects = request->max_redirects >= 0 ? (guint) request->max_redirects
                                                         : exchange->settings.max_redirects;
  if (request->raise_for_status >= 0)
    exchange->settings.raise_for_status = request->raise_for_status;
  /* An error page is never saved as the file asked for. */
  if (download_path != NULL)
    exchange->settings.raise_for_status = TRUE;

  g_mutex_lock (&session->lock);
  if (session->closed)
    {
      g_mutex_unlock (&session->lock);
      exchange->state = ASYNC_HTTP_EXCHANGE_ENDED;
      g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CLOSED,
                   "%s: the session was closed", url);
      async_http_exchange_complete (exchange);
      return returned;
    }
  if (session->pool == NULL)
    {
      session->max_runners = runners_for_fd_limit (session->limit);
      session->pool = async_pool_new (session->max_runners);
    }

  g_queue_push_tail_link (&session->exchanges, &exchange->link);
  async_http_host_queue_push_unlocked (session, exchange, &to_complete);
  g_mutex_unlock (&session->lock);

  while ((other = g_queue_pop_head (&to_complete)) != NULL)
    async_http_exchange_complete (other);
  return returned;
}

/**
 * async_http_future_get_response:
 * @future: a future returned by an #AsyncHttpSession
 *
 * The response a request's future settled with, including one that
 * rejected it with %ASYNC_HTTP_ERROR_STATUS (raise-for-status): the
 * status, headers and body of the failure stay readable, as
 * `ClientResponseError` keeps them in aiohttp.
 *
 * Any thread.
 *
 * Returns: (transfer none) (nullable): the response, or %NULL if the
 *   future is pending or failed without one
 *
 * Since: 0.2
 */
AsyncHttpResponse *
async_http_future_get_response (AsyncFuture *future)
{
  AsyncHttpExchange *exchange = (AsyncHttpExchange *) future;

  g_return_val_if_fail (future != NULL, NULL);

  if (future->klass == &head_class)
    exchange = ((HeadFuture *) future)->exchange;
  else if (future->klass != &exchange_class)
    return NULL;
  if (async_future_is_resolved (future))
    return async_future_get_value (future);
  if (async_future_is_pending (future))
    return NULL;
  return exchange->failed_response;
}
