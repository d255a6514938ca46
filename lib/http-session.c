/* http-session.c: AsyncHttpSession, aiohttp's ClientSession: each request is
 * a future whose blocking curl transfer runs on the session's own AsyncPool,
 * on a long-lived easy handle that keeps its connections between uses. */

#include "config.h"

#include "async-glib/async-http-session.h"

#include <string.h>

#include <curl/curl.h>

#include "error-private.h"
#include "future-private.h"
#include "http-response-private.h"
#include "pool-private.h"
#include "scheduler-private.h"

#define DEFAULT_LIMIT          100
#define DEFAULT_MAX_REDIRECTS  10
#define DEFAULT_MAX_BODY_SIZE  (G_GUINT64_CONSTANT (64) << 20)
#define DEFAULT_TIMEOUT_S      300.0
/* A streamed body waits on its worker past this many undelivered bytes, so
 * that a slow consumer bounds the memory a download takes. */
#define STREAM_HIGH_WATER      (1024 * 1024)
/* How long a worker sleeps in curl_multi_poll () at most; cancellation
 * wakes it earlier through curl_multi_wakeup (). */
#define POLL_TIMEOUT_MS        1000

/**
 * async_http_error_quark:
 *
 * The error domain of failed transfers, %ASYNC_HTTP_ERROR. Any thread.
 *
 * Returns: the quark of the %ASYNC_HTTP_ERROR domain
 *
 * Since: 0.1
 */
ASYNC_DEFINE_QUARK (async-http-error-quark, async_http_error)

/* An easy handle and the multi handle it runs in. The multi handle owns the
 * connection cache, so live connections outlive each transfer, and lets a
 * cancelling thread wake the worker at once (curl_multi_wakeup ()). */
typedef struct
{
  CURL  *easy;
  CURLM *multi;
} Handle;

/* Requests to one scheme://host:port: how many hold a pool slot, and those
 * waiting for one, outside the pool, so that no worker blocks on them. */
typedef struct
{
  guint  active;
  GQueue waiting;   /* Request.wait_link */
} Host;

/* What a request copies from the session when it is made. */
typedef struct
{
  guint64  max_body_size;
  double   timeout;
  double   connect_timeout;
  guint    low_speed_limit;
  guint    low_speed_time;
  guint    max_redirects;
  gboolean verify_tls;
} Settings;

/*
 * Thread safety: every field below @lock is protected by it; the share
 * locks are curl's. A request holds a reference on its session for its
 * whole life, so a cancellation from any thread finds the session alive.
 */
struct _AsyncHttpSession
{
  gatomicrefcount ref_count;
  GMutex          lock;
  guint           limit;
  guint           limit_per_host;
  Settings        settings;
  char           *user_agent;
  GPtrArray      *default_headers;   /* "Name: value" */
  AsyncPool      *pool;              /* made by the first request */
  gboolean        closed;
  GQueue          requests;          /* Request.link: not ended yet */
  GHashTable     *hosts;             /* host key → Host */
  GPtrArray      *idle_handles;      /* Handle *, the warmest last */
  CURLSH         *share;
  GMutex          share_locks[CURL_LOCK_DATA_LAST];
};

typedef enum
{
  REQUEST_WAITING,   /* for a slot of its host */
  REQUEST_QUEUED,    /* in the pool's queue */
  REQUEST_RUNNING,
  REQUEST_ENDED,
} RequestState;

typedef struct
{
  AsyncFuture           parent;
  AsyncPoolItem         item;
  AsyncHttpSession     *session;     /* a reference */
  AsyncScheduler       *scheduler;   /* held until the request has ended */
  AsyncHeld             held;        /* listed for async_run () to cancel */
  GList                 link;        /* in session->requests */
  GList                 wait_link;   /* in Host.waiting */
  RequestState          state;       /* protected by session->lock */
  Handle               *handle;      /* protected by session->lock */
  gint                  cancelled;   /* atomic */

  char                 *method;
  char                 *url;
  char                 *host_key;
  struct curl_slist    *headers;
  GBytes               *body;
  char                 *user_agent;
  AsyncHttpRequestFlags flags;
  Settings              settings;

  /* Touched by the worker only, until the request has ended. */
  AsyncHttpResponse    *response;
  GByteArray           *received;
  guint64               n_received;
  gboolean              too_large;
  GError               *error;
  char                  error_buffer[CURL_ERROR_SIZE];

  /* Streaming: chunks go from the worker to the caller's context. */
  AsyncHttpChunkFunc    on_chunk;
  gpointer              chunk_data;
  GDestroyNotify        chunk_data_destroy;
  GMutex                stream_lock;
  GCond                 stream_cond;
  GQueue                chunks;              /* GBytes *, protected by stream_lock */
  gsize                 n_queued_bytes;      /* protected by stream_lock */
  gboolean              delivery_scheduled;  /* protected by stream_lock */
} Request;

static void
ensure_curl_initialized (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&initialized, 1);
    }
}

static void
share_lock (CURL             *easy,
            curl_lock_data    data,
            curl_lock_access  access,
            void             *user_data)
{
  AsyncHttpSession *session = user_data;

  g_mutex_lock (&session->share_locks[data]);
}

static void
share_unlock (CURL           *easy,
              curl_lock_data  data,
              void           *user_data)
{
  AsyncHttpSession *session = user_data;

  g_mutex_unlock (&session->share_locks[data]);
}

static void
handle_free (gpointer data)
{
  Handle *handle = data;

  curl_multi_cleanup (handle->multi);
  curl_easy_cleanup (handle->easy);
  g_free (handle);
}

/**
 * async_http_session_new:
 *
 * Creates a session with aiohttp's defaults: at most 100 transfers at once
 * and no limit per host, a total time-out of 300 seconds, at most 10
 * redirects, TLS certificates verified, bodies of at most 64 MiB, only
 * `http` and `https`. Change them with the setters before the first request.
 *
 * Any thread.
 *
 * Returns: (transfer full): a new session
 *
 * Since: 0.1
 */
AsyncHttpSession *
async_http_session_new (void)
{
  AsyncHttpSession *session;
  guint i;

  ensure_curl_initialized ();

  session = g_new0 (AsyncHttpSession, 1);
  g_atomic_ref_count_init (&session->ref_count);
  g_mutex_init (&session->lock);
  session->limit = DEFAULT_LIMIT;
  session->settings.max_body_size = DEFAULT_MAX_BODY_SIZE;
  session->settings.timeout = DEFAULT_TIMEOUT_S;
  session->settings.max_redirects = DEFAULT_MAX_REDIRECTS;
  session->settings.verify_tls = TRUE;
  session->user_agent = g_strdup (PACKAGE_NAME "/" PACKAGE_VERSION);
  session->default_headers = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&session->requests);
  session->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  session->idle_handles = g_ptr_array_new_with_free_func (handle_free);

  for (i = 0; i < G_N_ELEMENTS (session->share_locks); i++)
    g_mutex_init (&session->share_locks[i]);
  /* Only DNS: libcurl cannot share connections, TLS sessions or cookies
   * between transfers running at once on different threads. */
  session->share = curl_share_init ();
  curl_share_setopt (session->share, CURLSHOPT_LOCKFUNC, share_lock);
  curl_share_setopt (session->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
  curl_share_setopt (session->share, CURLSHOPT_USERDATA, session);
  curl_share_setopt (session->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  return session;
}

/**
 * async_http_session_ref:
 * @session: a session
 *
 * Takes a reference to @session. Any thread.
 *
 * Returns: (transfer full): @session
 *
 * Since: 0.1
 */
AsyncHttpSession *
async_http_session_ref (AsyncHttpSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);

  g_atomic_ref_count_inc (&session->ref_count);
  return session;
}

/**
 * async_http_session_unref:
 * @session: (transfer full): a session
 *
 * Drops a reference. Every request holds one until its future is freed, so
 * the session ends only when no transfer is left; to stop transfers, use
 * async_http_session_close().
 *
 * Any thread.
 *
 * Since: 0.1
 */
void
async_http_session_unref (AsyncHttpSession *session)
{
  guint i;

  g_return_if_fail (session != NULL);

  if (!g_atomic_ref_count_dec (&session->ref_count))
    return;

  g_clear_pointer (&session->pool, async_pool_unref);
  g_ptr_array_unref (session->idle_handles);
  curl_share_cleanup (session->share);
  for (i = 0; i < G_N_ELEMENTS (session->share_locks); i++)
    g_mutex_clear (&session->share_locks[i]);
  g_hash_table_unref (session->hosts);
  g_ptr_array_unref (session->default_headers);
  g_free (session->user_agent);
  g_mutex_clear (&session->lock);
  g_free (session);
}

/**
 * async_http_session_set_limit:
 * @session: a session
 * @limit: how many transfers may run at once; at least 1
 *
 * Sets the size of the session's worker pool (aiohttp's
 * `TCPConnector(limit=)`); requests past it wait in order. Only before the
 * first request.
 *
 * Since: 0.1
 */
void
async_http_session_set_limit (AsyncHttpSession *session,
                              guint             limit)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (limit > 0);

  g_mutex_lock (&session->lock);
  if (session->pool != NULL)
    g_critical ("async_http_session_set_limit () after the first request has no effect");
  else
    session->limit = limit;
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_get_limit:
 * @session: a session
 *
 * How many transfers the session runs at once
 * (async_http_session_set_limit()). Any thread.
 *
 * Returns: how many transfers may run at once
 *
 * Since: 0.1
 */
guint
async_http_session_get_limit (AsyncHttpSession *session)
{
  guint limit;

  g_return_val_if_fail (session != NULL, 0);

  g_mutex_lock (&session->lock);
  limit = session->limit;
  g_mutex_unlock (&session->lock);
  return limit;
}

/**
 * async_http_session_set_limit_per_host:
 * @session: a session
 * @limit: how many transfers to one scheme, host and port may run at once;
 *   0 for no limit (the default)
 *
 * aiohttp's `TCPConnector(limit_per_host=)`. Requests past it wait outside
 * the pool, in order, without taking a worker thread, so that other hosts'
 * requests go on. Applies to later requests.
 *
 * Since: 0.1
 */
void
async_http_session_set_limit_per_host (AsyncHttpSession *session,
                                       guint             limit)
{
  g_return_if_fail (session != NULL);

  g_mutex_lock (&session->lock);
  session->limit_per_host = limit;
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_timeout:
 * @session: a session
 * @seconds: the longest a whole transfer may take, redirects included; 0
 *   for none
 *
 * aiohttp's `ClientTimeout(total=)`, 300 seconds by default. A transfer that
 * takes longer is rejected with %ASYNC_HTTP_ERROR_TIMED_OUT. Applies to
 * later requests.
 *
 * Since: 0.1
 */
void
async_http_session_set_timeout (AsyncHttpSession *session,
                                double            seconds)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (seconds >= 0);

  g_mutex_lock (&session->lock);
  session->settings.timeout = seconds;
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_connect_timeout:
 * @session: a session
 * @seconds: the longest connecting may take; 0 for curl's default (300 s)
 *
 * Applies to later requests.
 *
 * Since: 0.1
 */
void
async_http_session_set_connect_timeout (AsyncHttpSession *session,
                                        double            seconds)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (seconds >= 0);

  g_mutex_lock (&session->lock);
  session->settings.connect_timeout = seconds;
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_low_speed:
 * @session: a session
 * @bytes_per_second: the slowest acceptable transfer speed; 0 for no limit
 * @seconds: for how long the transfer may stay slower
 *
 * Rejects a transfer with %ASYNC_HTTP_ERROR_TIMED_OUT once it stays below
 * @bytes_per_second for @seconds: a stalled server is given up on without
 * a total time-out cutting long downloads short. Applies to later requests.
 *
 * Since: 0.1
 */
void
async_http_session_set_low_speed (AsyncHttpSession *session,
                                  guint             bytes_per_second,
                                  guint             seconds)
{
  g_return_if_fail (session != NULL);

  g_mutex_lock (&session->lock);
  session->settings.low_speed_limit = bytes_per_second;
  session->settings.low_speed_time = seconds;
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_max_body_size:
 * @session: a session
 * @max_bytes: the largest body accepted; 0 for no limit
 *
 * A body that grows past @max_bytes aborts its transfer as it arrives, with
 * %ASYNC_HTTP_ERROR_TOO_LARGE. Streamed bodies count too. 64 MiB by
 * default. Applies to later requests.
 *
 * Since: 0.1
 */
void
async_http_session_set_max_body_size (AsyncHttpSession *session,
                                      guint64           max_bytes)
{
  g_return_if_fail (session != NULL);

  g_mutex_lock (&session->lock);
  session->settings.max_body_size = max_bytes;
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_max_redirects:
 * @session: a session
 * @max_redirects: how many redirects to follow; 10 by default
 *
 * One more is rejected with %ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS. Applies
 * to later requests.
 *
 * Since: 0.1
 */
void
async_http_session_set_max_redirects (AsyncHttpSession *session,
                                      guint             max_redirects)
{
  g_return_if_fail (session != NULL);

  g_mutex_lock (&session->lock);
  session->settings.max_redirects = max_redirects;
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_user_agent:
 * @session: a session
 * @user_agent: (nullable): the `User-Agent` header; %NULL to send none
 *
 * "async-glib/VERSION" by default. Applies to later requests.
 *
 * Since: 0.1
 */
void
async_http_session_set_user_agent (AsyncHttpSession *session,
                                   const char       *user_agent)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (user_agent == NULL || strpbrk (user_agent, "\r\n") == NULL);

  g_mutex_lock (&session->lock);
  g_free (session->user_agent);
  session->user_agent = g_strdup (user_agent);
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_verify_tls:
 * @session: a session
 * @verify: %FALSE to accept any certificate and host name
 *
 * TLS certificates are verified by default; turning that off is for tests
 * against self-signed servers. Applies to later requests.
 *
 * Since: 0.1
 */
void
async_http_session_set_verify_tls (AsyncHttpSession *session,
                                   gboolean          verify)
{
  g_return_if_fail (session != NULL);

  g_mutex_lock (&session->lock);
  session->settings.verify_tls = verify != FALSE;
  g_mutex_unlock (&session->lock);
}

static gboolean
is_token (const char *text,
          gsize       length)
{
  gsize i;

  if (length == 0)
    return FALSE;
  for (i = 0; i < length; i++)
    if (!g_ascii_isalnum (text[i]) && strchr ("!#$%&'*+-.^_`|~", text[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* A "Name: value" line, as curl takes it. A value may be empty ("Accept:"
 * removes a header curl would add). */
static gboolean
check_header (const char  *line,
              GError     **error)
{
  const char *colon = strchr (line, ':');

  if (colon == NULL || !is_token (line, colon - line) || strpbrk (line, "\r\n") != NULL)
    {
      char *escaped = g_strescape (line, NULL);

      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER,
                   "Invalid request header “%s”: not a “Name: value” line", escaped);
      g_free (escaped);
      return FALSE;
    }
  return TRUE;
}

/**
 * async_http_session_add_default_header:
 * @session: a session
 * @name: a header name
 * @value: its value
 * @error: where an invalid header is reported
 *
 * Sends the header with every later request, before the request's own
 * headers.
 *
 * Returns: %FALSE with %ASYNC_HTTP_ERROR_INVALID_HEADER if @name is not a
 *   token or either has a CR or LF in it
 *
 * Since: 0.1
 */
gboolean
async_http_session_add_default_header (AsyncHttpSession  *session,
                                       const char        *name,
                                       const char        *value,
                                       GError           **error)
{
  char *line;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  line = g_strdup_printf ("%s: %s", name, value);
  if (strchr (name, ':') != NULL || !check_header (line, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER,
                     "Invalid header name “%s”", name);
      g_free (line);
      return FALSE;
    }
  g_mutex_lock (&session->lock);
  g_ptr_array_add (session->default_headers, line);
  g_mutex_unlock (&session->lock);
  return TRUE;
}

/* ---------------------------------------------------------------- requests */

static Handle *
checkout_handle_unlocked (AsyncHttpSession *session)
{
  Handle *handle;

  if (session->idle_handles->len > 0)
    return g_ptr_array_steal_index_fast (session->idle_handles,
                                         session->idle_handles->len - 1);
  handle = g_new0 (Handle, 1);
  handle->easy = curl_easy_init ();
  handle->multi = curl_multi_init ();
  return handle;
}

static void
request_settle (Request *request)
{
  if (request->response != NULL)
    async_future_resolve_quietly (&request->parent, g_steal_pointer (&request->response),
                                  (GDestroyNotify) async_http_response_unref);
  else if (request->error != NULL)
    async_future_reject_quietly (&request->parent, g_steal_pointer (&request->error));
}

static void
stream_deliver (Request *request)
{
  GQueue chunks;
  GBytes *chunk;

  g_mutex_lock (&request->stream_lock);
  chunks = request->chunks;
  g_queue_init (&request->chunks);
  request->n_queued_bytes = 0;
  request->delivery_scheduled = FALSE;
  g_cond_broadcast (&request->stream_cond);
  g_mutex_unlock (&request->stream_lock);

  while ((chunk = g_queue_pop_head (&chunks)) != NULL)
    {
      if (async_future_is_pending (&request->parent))
        request->on_chunk (chunk, request->chunk_data);
      g_bytes_unref (chunk);
    }
}

static void
stream_deliver_cb (AsyncFuture *unused,
                   gpointer     data)
{
  Request *request = data;

  stream_deliver (request);
  async_future_unref (&request->parent);
}

/* On the caller's context, after every chunk scheduled before it. */
static void
stream_finish_cb (AsyncFuture *unused,
                  gpointer     data)
{
  Request *request = data;
  AsyncScheduler *scheduler = g_steal_pointer (&request->scheduler);

  stream_deliver (request);
  if (request->chunk_data_destroy != NULL)
    request->chunk_data_destroy (request->chunk_data);
  request->chunk_data = NULL;
  async_scheduler_unlist (scheduler, &request->held);
  request_settle (request);
  async_future_unref (&request->parent);
  async_scheduler_release (scheduler, NULL);
  async_scheduler_unref (scheduler);
}

/* Settles the request with its outcome and drops the in-flight reference.
 * Once per request, with no lock held, after it left the session's lists. */
static void
request_complete (Request *request)
{
  AsyncScheduler *scheduler;

  if (request->on_chunk != NULL)
    {
      async_scheduler_call_soon (request->scheduler, stream_finish_cb, request, NULL);
      return;
    }

  scheduler = g_steal_pointer (&request->scheduler);
  async_scheduler_unlist (scheduler, &request->held);
  request_settle (request);
  async_future_unref (&request->parent);
  async_scheduler_release (scheduler, NULL);
  async_scheduler_unref (scheduler);
}

/* Gives the free slots of a host to its waiting requests, after taking
 * back the caller's slot if @was_active. Requests the pool refuses (it was
 * shut down) go to @to_complete, for after the lock. */
static void
host_release_unlocked (AsyncHttpSession *session,
                       const char       *host_key,
                       gboolean          was_active,
                       GQueue           *to_complete)
{
  Host *host = g_hash_table_lookup (session->hosts, host_key);
  GList *link;

  if (was_active)
    host->active--;

  while (host->active < session->limit_per_host || session->limit_per_host == 0)
    {
      Request *next;

      link = g_queue_pop_head_link (&host->waiting);
      if (link == NULL)
        break;
      next = link->data;
      host->active++;
      next->state = REQUEST_QUEUED;
      if (!async_pool_push_item (session->pool, &next->item, &next->error))
        {
          host->active--;
          next->state = REQUEST_ENDED;
          g_queue_unlink (&session->requests, &next->link);
          g_queue_push_tail (to_complete, next);
        }
    }

  if (host->active == 0 && host->waiting.length == 0)
    g_hash_table_remove (session->hosts, host_key);
}

/* Out of every list, its slot given to the next request of its host. */
static void
request_end (Request *request,
             Handle  *handle)
{
  AsyncHttpSession *session = request->session;
  GQueue to_complete = G_QUEUE_INIT;
  Request *other;

  if (handle != NULL)
    curl_easy_reset (handle->easy);

  g_mutex_lock (&session->lock);
  request->handle = NULL;
  if (handle != NULL)
    g_ptr_array_add (session->idle_handles, handle);
  g_queue_unlink (&session->requests, &request->link);
  request->state = REQUEST_ENDED;
  host_release_unlocked (session, request->host_key, TRUE, &to_complete);
  g_mutex_unlock (&session->lock);

  request_complete (request);
  while ((other = g_queue_pop_head (&to_complete)) != NULL)
    request_complete (other);
}

static gboolean
request_cancel (AsyncFuture *future)
{
  Request *request = (Request *) future;
  AsyncHttpSession *session = request->session;
  GQueue to_complete = G_QUEUE_INIT;
  Request *other;
  gboolean cancelled;

  /* Settled before the worker is told, or the worker could settle it first
   * and this call would report that it cancelled nothing. */
  cancelled = async_future_cancel_quietly (future);
  g_atomic_int_set (&request->cancelled, TRUE);

  g_mutex_lock (&session->lock);
  if (request->state == REQUEST_WAITING)
    {
      Host *host = g_hash_table_lookup (session->hosts, request->host_key);

      g_queue_unlink (&host->waiting, &request->wait_link);
      g_queue_unlink (&session->requests, &request->link);
      request->state = REQUEST_ENDED;
      host_release_unlocked (session, request->host_key, FALSE, &to_complete);
      g_queue_push_head (&to_complete, request);
    }
  else if (request->state == REQUEST_RUNNING && request->handle != NULL)
    curl_multi_wakeup (request->handle->multi);
  g_mutex_unlock (&session->lock);

  if (request->on_chunk != NULL)
    {
      g_mutex_lock (&request->stream_lock);
      g_cond_broadcast (&request->stream_cond);
      g_mutex_unlock (&request->stream_lock);
    }

  while ((other = g_queue_pop_head (&to_complete)) != NULL)
    request_complete (other);

  return cancelled;
}

static void
request_finalize (AsyncFuture *future)
{
  Request *request = (Request *) future;

  g_clear_pointer (&request->response, async_http_response_unref);
  g_clear_error (&request->error);
  g_clear_pointer (&request->received, g_byte_array_unref);
  g_queue_clear_full (&request->chunks, (GDestroyNotify) g_bytes_unref);
  g_mutex_clear (&request->stream_lock);
  g_cond_clear (&request->stream_cond);
  g_clear_pointer (&request->body, g_bytes_unref);
  curl_slist_free_all (request->headers);
  g_free (request->user_agent);
  g_free (request->host_key);
  g_free (request->url);
  g_free (request->method);
  async_http_session_unref (request->session);
}

static const AsyncFutureClass request_class = {
  .name = "AsyncHttpSession request",
  .cancel = request_cancel,
  .finalize = request_finalize,
};

/* ---------------------------------------------------------------- transfer */

static size_t
on_header (char   *buffer,
           size_t  size,
           size_t  n_items,
           void   *data)
{
  Request *request = data;

  async_http_response_add_header_line (request->response, buffer, size * n_items);
  return size * n_items;
}

static void
stream_push (Request    *request,
             const char *data,
             gsize       length)
{
  gboolean schedule;

  g_mutex_lock (&request->stream_lock);
  g_queue_push_tail (&request->chunks, g_bytes_new (data, length));
  request->n_queued_bytes += length;
  schedule = !request->delivery_scheduled;
  request->delivery_scheduled = TRUE;
  g_mutex_unlock (&request->stream_lock);

  if (schedule)
    {
      async_future_ref (&request->parent);
      async_scheduler_call_soon (request->scheduler, stream_deliver_cb, request, NULL);
    }

  g_mutex_lock (&request->stream_lock);
  while (request->n_queued_bytes > STREAM_HIGH_WATER
         && !g_atomic_int_get (&request->cancelled))
    g_cond_wait (&request->stream_cond, &request->stream_lock);
  g_mutex_unlock (&request->stream_lock);
}

static size_t
on_write (char   *buffer,
          size_t  size,
          size_t  n_items,
          void   *data)
{
  Request *request = data;
  gsize length = size * n_items;

  if (g_atomic_int_get (&request->cancelled))
    return 0;
  if (request->settings.max_body_size != 0
      && request->n_received + length > request->settings.max_body_size)
    {
      request->too_large = TRUE;
      return 0;
    }
  request->n_received += length;

  if (request->on_chunk != NULL)
    stream_push (request, buffer, length);
  else
    g_byte_array_append (request->received, (const guint8 *) buffer, length);
  return length;
}

static int
on_progress (void       *data,
             curl_off_t  download_total,
             curl_off_t  downloaded,
             curl_off_t  upload_total,
             curl_off_t  uploaded)
{
  Request *request = data;

  return g_atomic_int_get (&request->cancelled) ? 1 : 0;
}

static AsyncHttpError
error_for_code (CURLcode code)
{
  /* An int: -Wswitch-enum would want every one of curl's codes. */
  switch ((int) code)
    {
    case CURLE_URL_MALFORMAT:
      return ASYNC_HTTP_ERROR_INVALID_URL;
    case CURLE_UNSUPPORTED_PROTOCOL:
      return ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return ASYNC_HTTP_ERROR_RESOLVE;
    case CURLE_COULDNT_CONNECT:
      return ASYNC_HTTP_ERROR_CONNECT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return ASYNC_HTTP_ERROR_TLS;
    case CURLE_OPERATION_TIMEDOUT:
      return ASYNC_HTTP_ERROR_TIMED_OUT;
    case CURLE_FILESIZE_EXCEEDED:
      return ASYNC_HTTP_ERROR_TOO_LARGE;
    case CURLE_TOO_MANY_REDIRECTS:
      return ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_RANGE_ERROR:
    /* curl reports broken chunked encoding as a receive error too. */
    case CURLE_RECV_ERROR:
      return ASYNC_HTTP_ERROR_PROTOCOL;
    case CURLE_SEND_ERROR:
    case CURLE_SEND_FAIL_REWIND:
      return ASYNC_HTTP_ERROR_SEND;
    default:
      return ASYNC_HTTP_ERROR_FAILED;
    }
}

static void
set_curl_error (Request  *request,
                CURL     *easy,
                CURLcode  code)
{
  const char *message = request->error_buffer[0] != '\0'
                        ? request->error_buffer : curl_easy_strerror (code);
  AsyncHttpError error_code = error_for_code (code);
  long status = 0;

  /* Our own check let only http and https through, so curl refuses a
   * scheme after a redirect (a 3xx was received) or refuses an HTTP/0.9
   * reply, which had no status line: the latter is a protocol error. */
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  if (error_code == ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME && status == 0)
    error_code = ASYNC_HTTP_ERROR_PROTOCOL;

  if (request->too_large)
    g_set_error (&request->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_LARGE,
                 "%s: the body is larger than %" G_GUINT64_FORMAT " bytes",
                 request->url, request->settings.max_body_size);
  else if (g_atomic_int_get (&request->cancelled))
    g_set_error (&request->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                 "%s: the transfer was cancelled", request->url);
  else
    g_set_error (&request->error, ASYNC_HTTP_ERROR, error_code,
                 "%s: %s", request->url, message);
}

static void
setup_transfer (Request *request,
                CURL    *easy)
{
  const Settings *settings = &request->settings;
  gboolean is_head = strcmp (request->method, "HEAD") == 0;

  curl_easy_setopt (easy, CURLOPT_URL, request->url);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_SHARE, request->session->share);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, request->error_buffer);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt (easy, CURLOPT_REDIR_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  if (!(request->flags & ASYNC_HTTP_REQUEST_NO_REDIRECTS))
    {
      curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt (easy, CURLOPT_MAXREDIRS, (long) settings->max_redirects);
    }
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, settings->verify_tls ? 1L : 0L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, settings->verify_tls ? 2L : 0L);
  /* Decoded as aiohttp does; the body cap applies to the decoded size. */
  curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");

  if (settings->timeout > 0)
    curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) MAX (1, settings->timeout * 1000));
  if (settings->connect_timeout > 0)
    curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS,
                      (long) MAX (1, settings->connect_timeout * 1000));
  if (settings->low_speed_limit > 0 && settings->low_speed_time > 0)
    {
      curl_easy_setopt (easy, CURLOPT_LOW_SPEED_LIMIT, (long) settings->low_speed_limit);
      curl_easy_setopt (easy, CURLOPT_LOW_SPEED_TIME, (long) settings->low_speed_time);
    }
  /* A HEAD response announces a length it does not send. */
  if (settings->max_body_size != 0 && !is_head)
    curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE,
                      (curl_off_t) MIN (settings->max_body_size, G_MAXINT64));

  if (request->user_agent != NULL)
    curl_easy_setopt (easy, CURLOPT_USERAGENT, request->user_agent);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, request->headers);

  if (is_head)
    curl_easy_setopt (easy, CURLOPT_NOBODY, 1L);
  else if (strcmp (request->method, "POST") == 0)
    curl_easy_setopt (easy, CURLOPT_POST, 1L);
  else if (strcmp (request->method, "GET") != 0 || request->body != NULL)
    curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, request->method);

  if (request->body != NULL || strcmp (request->method, "POST") == 0)
    {
      gsize size = 0;
      const void *data = request->body != NULL ? g_bytes_get_data (request->body, &size) : NULL;

      curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDS, data != NULL ? data : "");
    }

  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, request);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, request);
  curl_easy_setopt (easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (easy, CURLOPT_XFERINFODATA, request);
  curl_easy_setopt (easy, CURLOPT_NOPROGRESS, 0L);
}

static gboolean
transfer_run (Request  *request,
              Handle   *handle,
              CURLcode *code)
{
  int running = 1;
  CURLMsg *message;
  int n_left;

  curl_multi_add_handle (handle->multi, handle->easy);
  for (;;)
    {
      if (curl_multi_perform (handle->multi, &running) != CURLM_OK
          || running == 0 || g_atomic_int_get (&request->cancelled))
        break;
      curl_multi_poll (handle->multi, NULL, 0, POLL_TIMEOUT_MS, NULL);
    }

  *code = CURLE_ABORTED_BY_CALLBACK;
  while ((message = curl_multi_info_read (handle->multi, &n_left)) != NULL)
    if (message->msg == CURLMSG_DONE && message->easy_handle == handle->easy)
      *code = message->data.result;
  /* Removing an unfinished transfer closes its connection: the server
   * sees the cancellation at once. */
  curl_multi_remove_handle (handle->multi, handle->easy);
  return running == 0;
}

static double
seconds_of (CURL     *easy,
            CURLINFO  info)
{
  curl_off_t us = 0;

  curl_easy_getinfo (easy, info, &us);
  return us / (double) G_USEC_PER_SEC;
}

static void
collect_response (Request *request,
                  CURL    *easy)
{
  AsyncHttpResponse *response = request->response;
  long status = 0, version = 0;
  char *url = NULL;

  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo (easy, CURLINFO_EFFECTIVE_URL, &url);
  curl_easy_getinfo (easy, CURLINFO_HTTP_VERSION, &version);
  response->status = (guint) status;
  response->url = g_strdup (url != NULL ? url : request->url);
  g_free (response->http_version);
  switch (version)
    {
    case CURL_HTTP_VERSION_1_0:
      response->http_version = g_strdup ("1.0");
      break;
    case CURL_HTTP_VERSION_2_0:
      response->http_version = g_strdup ("2");
      break;
    case CURL_HTTP_VERSION_3:
      response->http_version = g_strdup ("3");
      break;
    default:
      response->http_version = g_strdup ("1.1");
      break;
    }

  response->timings.name_lookup = seconds_of (easy, CURLINFO_NAMELOOKUP_TIME_T);
  response->timings.connect = seconds_of (easy, CURLINFO_CONNECT_TIME_T);
  response->timings.tls = seconds_of (easy, CURLINFO_APPCONNECT_TIME_T);
  response->timings.first_byte = seconds_of (easy, CURLINFO_STARTTRANSFER_TIME_T);
  response->timings.total = seconds_of (easy, CURLINFO_TOTAL_TIME_T);
  response->timings.redirect = seconds_of (easy, CURLINFO_REDIRECT_TIME_T);

  if (request->received != NULL)
    {
      GByteArray *received = g_steal_pointer (&request->received);
      gsize size = received->len;

      /* The NUL past the end lets get_text () return the body as it is. */
      g_byte_array_append (received, (const guint8 *) "", 1);
      async_http_response_take_body (response,
                                     g_bytes_new_take (g_byte_array_free (received, FALSE),
                                                       size));
    }
  else
    async_http_response_take_body (response, g_bytes_new_static ("", 0));

  if ((request->flags & ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS) && status >= 400)
    {
      g_set_error (&request->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_STATUS,
                   "%s: HTTP %ld %s", response->url, status, response->reason);
      g_clear_pointer (&request->response, async_http_response_unref);
    }
}

static void
request_run (AsyncPoolItem *item,
             gboolean       run)
{
  Request *request = (Request *) ((char *) item - G_STRUCT_OFFSET (Request, item));
  AsyncHttpSession *session = request->session;
  Handle *handle = NULL;
  CURLcode code;

  g_mutex_lock (&session->lock);
  if (run && !g_atomic_int_get (&request->cancelled))
    {
      request->state = REQUEST_RUNNING;
      handle = request->handle = checkout_handle_unlocked (session);
    }
  g_mutex_unlock (&session->lock);

  if (!run)
    g_set_error (&request->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CLOSED,
                 "%s: the session was closed", request->url);
  else if (handle != NULL)
    {
      request->response = async_http_response_new ();
      if (request->on_chunk == NULL)
        request->received = g_byte_array_new ();
      setup_transfer (request, handle->easy);
      if (transfer_run (request, handle, &code) && code == CURLE_OK)
        collect_response (request, handle->easy);
      else
        {
          set_curl_error (request, handle->easy, code);
          g_clear_pointer (&request->response, async_http_response_unref);
        }
    }

  request_end (request, handle);
}

static AsyncFuture *
reject_early (GError         *error,
              gpointer        chunk_data,
              GDestroyNotify  chunk_data_destroy)
{
  if (chunk_data_destroy != NULL)
    chunk_data_destroy (chunk_data);
  return async_future_new_rejected (error);
}

/* scheme://host:port of @url, the key of the per-host limit; NULL with an
 * error if curl cannot parse it or it is not http or https. */
static char *
host_key_for (const char  *url,
              GError     **error)
{
  CURLU *parsed = curl_url ();
  char *scheme = NULL, *host = NULL, *port = NULL;
  char *key = NULL;
  CURLUcode code;

  code = curl_url_set (parsed, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
  if (code == CURLUE_OK)
    code = curl_url_get (parsed, CURLUPART_SCHEME, &scheme, 0);
  if (code == CURLUE_OK)
    code = curl_url_get (parsed, CURLUPART_HOST, &host, 0);
  if (code == CURLUE_OK)
    code = curl_url_get (parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);

  if (scheme != NULL
      && g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME,
                 "%s: the scheme “%s” is not supported, only http and https", url, scheme);
  else if (code != CURLUE_OK)
    g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_URL,
                 "%s: %s", url, curl_url_strerror (code));
  else
    key = g_strdup_printf ("%s://%s:%s", scheme, host, port);

  curl_free (scheme);
  curl_free (host);
  curl_free (port);
  curl_url_cleanup (parsed);
  return key;
}

static AsyncFuture *
request_submit (AsyncHttpSession      *session,
                const char            *method,
                const char            *url,
                const char * const    *headers,
                GBytes                *body,
                AsyncHttpRequestFlags  flags,
                AsyncHttpChunkFunc     on_chunk,
                gpointer               chunk_data,
                GDestroyNotify         chunk_data_destroy)
{
  Request *request;
  GError *error = NULL;
  char *host_key;
  struct curl_slist *header_list = NULL;
  gboolean has_expect = FALSE;
  GQueue to_complete = G_QUEUE_INIT;
  Request *other;
  Host *host;
  guint i;

  if (!is_token (method, strlen (method)))
    {
      char *escaped = g_strescape (method, NULL);

      error = g_error_new (ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER,
                           "%s: invalid method “%s”", url, escaped);
      g_free (escaped);
      return reject_early (error, chunk_data, chunk_data_destroy);
    }
  for (i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      if (!check_header (headers[i], &error))
        return reject_early (error, chunk_data, chunk_data_destroy);
      has_expect |= g_ascii_strncasecmp (headers[i], "Expect:", 7) == 0;
    }
  host_key = host_key_for (url, &error);
  if (host_key == NULL)
    return reject_early (error, chunk_data, chunk_data_destroy);

  request = async_future_alloc (&request_class, sizeof (Request), G_STRFUNC);
  request->item.func = request_run;
  request->session = async_http_session_ref (session);
  request->link.data = request;
  request->wait_link.data = request;
  request->method = g_ascii_strup (method, -1);
  request->url = g_strdup (url);
  request->host_key = host_key;
  request->body = body != NULL ? g_bytes_ref (body) : NULL;
  request->flags = flags;
  request->on_chunk = on_chunk;
  request->chunk_data = chunk_data;
  request->chunk_data_destroy = chunk_data_destroy;
  g_mutex_init (&request->stream_lock);
  g_cond_init (&request->stream_cond);
  g_queue_init (&request->chunks);
  request->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());
  async_scheduler_hold (request->scheduler, &request->held, &request->parent, NULL);
  /* The in-flight reference, dropped by request_complete (). */
  async_future_ref (&request->parent);

  g_mutex_lock (&session->lock);
  request->settings = session->settings;
  request->user_agent = g_strdup (session->user_agent);
  for (i = 0; i < session->default_headers->len; i++)
    header_list = curl_slist_append (header_list, session->default_headers->pdata[i]);
  for (i = 0; headers != NULL && headers[i] != NULL; i++)
    header_list = curl_slist_append (header_list, headers[i]);
  /* No 100-continue round trip before a large body. */
  if (body != NULL && !has_expect)
    header_list = curl_slist_append (header_list, "Expect:");
  request->headers = header_list;

  if (session->closed)
    {
      g_mutex_unlock (&session->lock);
      request->state = REQUEST_ENDED;
      g_set_error (&request->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CLOSED,
                   "%s: the session was closed", url);
      request_complete (request);
      return &request->parent;
    }
  if (session->pool == NULL)
    session->pool = async_pool_new (session->limit);

  g_queue_push_tail_link (&session->requests, &request->link);
  host = g_hash_table_lookup (session->hosts, host_key);
  if (host == NULL)
    {
      host = g_new0 (Host, 1);
      g_queue_init (&host->waiting);
      g_hash_table_insert (session->hosts, g_strdup (host_key), host);
    }
  /* Behind the host's waiting requests; it starts at once if the host has
   * a free slot. */
  request->state = REQUEST_WAITING;
  g_queue_push_tail_link (&host->waiting, &request->wait_link);
  host_release_unlocked (session, host_key, FALSE, &to_complete);
  g_mutex_unlock (&session->lock);

  while ((other = g_queue_pop_head (&to_complete)) != NULL)
    request_complete (other);
  return &request->parent;
}

/**
 * async_http_session_request:
 * @session: a session
 * @method: "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" or another token
 * @url: an `http` or `https` URL
 * @headers: (nullable) (array zero-terminated=1): "Name: value" lines, sent
 *   after the session's default headers; "Name:" removes a header curl
 *   would send
 * @body: (nullable): the request body
 * @flags: options
 *
 * Starts a request (aiohttp's `session.request()`, with the body read).
 * The transfer waits for a slot of the session's pool and of its host, then
 * runs on a worker thread. A malformed URL, method or header, or a scheme
 * other than http and https, rejects the future before anything is sent.
 * Cancelling the future aborts the transfer at once. async_run() waits for
 * the request to end before it returns.
 *
 * Any thread; the future settles on the scheduler of the caller's context.
 *
 * Returns: (transfer full): the future of an #AsyncHttpResponse
 *   (async_future_get_value()), or of an %ASYNC_HTTP_ERROR
 *
 * Since: 0.1
 */
AsyncFuture *
async_http_session_request (AsyncHttpSession      *session,
                            const char            *method,
                            const char            *url,
                            const char * const    *headers,
                            GBytes                *body,
                            AsyncHttpRequestFlags  flags)
{
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  return request_submit (session, method, url, headers, body, flags, NULL, NULL, NULL);
}

/**
 * async_http_session_get:
 * @session: a session
 * @url: an `http` or `https` URL
 *
 * `session.get(url)`: async_http_session_request() with "GET", no headers
 * of its own, no body, and the default flags.
 *
 * Any thread.
 *
 * Returns: (transfer full): the future of an #AsyncHttpResponse
 *
 * Since: 0.1
 */
AsyncFuture *
async_http_session_get (AsyncHttpSession *session,
                        const char       *url)
{
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  return request_submit (session, "GET", url, NULL, NULL, ASYNC_HTTP_REQUEST_DEFAULT,
                         NULL, NULL, NULL);
}

/**
 * async_http_session_request_stream:
 * @session: a session
 * @method: the method, as for async_http_session_request()
 * @url: an `http` or `https` URL
 * @headers: (nullable) (array zero-terminated=1): "Name: value" lines
 * @body: (nullable): the request body
 * @flags: options
 * @on_chunk: receives the body piece by piece
 * @user_data: (nullable): the data for @on_chunk
 * @user_data_destroy: (nullable): frees @user_data on the caller's context
 *   once the request has ended
 *
 * As async_http_session_request(), but the body goes to @on_chunk as it
 * arrives, on the caller's context, instead of into the response, whose
 * body is then empty: a large download never sits in memory whole. The
 * transfer slows down while more than 1 MiB waits for @on_chunk. The body
 * cap still applies; set it to 0 for unbounded downloads.
 *
 * Any thread whose thread-default context is iterated.
 *
 * Returns: (transfer full): the future of an #AsyncHttpResponse, settled
 *   after the last chunk was delivered
 *
 * Since: 0.1
 */
AsyncFuture *
async_http_session_request_stream (AsyncHttpSession      *session,
                                   const char            *method,
                                   const char            *url,
                                   const char * const    *headers,
                                   GBytes                *body,
                                   AsyncHttpRequestFlags  flags,
                                   AsyncHttpChunkFunc     on_chunk,
                                   gpointer               user_data,
                                   GDestroyNotify         user_data_destroy)
{
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (on_chunk != NULL, NULL);

  return request_submit (session, method, url, headers, body, flags,
                         on_chunk, user_data, user_data_destroy);
}

/**
 * async_http_session_close:
 * @session: a session
 *
 * aiohttp's `close()`: cancels every request not ended yet (their futures
 * are cancelled at once, their transfers aborted), waits for the worker
 * threads to let go of them, which takes milliseconds, and rejects later
 * requests with %ASYNC_HTTP_ERROR_CLOSED. Calling it again does nothing.
 *
 * Any thread but the session's own workers.
 *
 * Since: 0.1
 */
void
async_http_session_close (AsyncHttpSession *session)
{
  GPtrArray *in_flight;
  AsyncPool *pool;
  GList *link;
  guint i;

  g_return_if_fail (session != NULL);

  in_flight = g_ptr_array_new_with_free_func ((GDestroyNotify) async_future_unref);
  g_mutex_lock (&session->lock);
  session->closed = TRUE;
  pool = session->pool != NULL ? async_pool_ref (session->pool) : NULL;
  for (link = session->requests.head; link != NULL; link = link->next)
    g_ptr_array_add (in_flight, async_future_ref (link->data));
  g_mutex_unlock (&session->lock);

  for (i = 0; i < in_flight->len; i++)
    async_future_cancel (in_flight->pdata[i]);
  g_ptr_array_unref (in_flight);

  if (pool != NULL)
    {
      async_pool_shutdown (pool, TRUE);
      async_pool_unref (pool);
    }
}
