/* http-session.c: AsyncHttpSession, aiohttp's ClientSession: its settings,
 * its requests' entry points and close (). Each request is an exchange
 * (http-exchange.c) whose blocking curl transfer (http-transfer.c) runs on
 * the session's own AsyncPool. */

#include "config.h"

#include "http-session-private.h"

#include <string.h>

#include "error-private.h"
#include "http-exchange-private.h"
#include "http-transfer-private.h"

#define DEFAULT_LIMIT          100
#define DEFAULT_MAX_REDIRECTS  10
#define DEFAULT_MAX_BODY_SIZE  (G_GUINT64_CONSTANT (64) << 20)
#define DEFAULT_TIMEOUT_S      300.0

/**
 * async_http_error_quark:
 *
 * Returns: the quark of the %ASYNC_HTTP_ERROR domain
 *
 * Since: 0.1
 */
ASYNC_DEFINE_QUARK (async-http-error-quark, async_http_error)

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

  async_http_transfer_init_once ();

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
  g_queue_init (&session->exchanges);
  session->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  session->idle_handles = g_ptr_array_new_with_free_func (async_http_handle_free);
  session->share = async_http_share_new ();
  return session;
}

/**
 * async_http_session_ref:
 * @session: a session
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
  g_return_if_fail (session != NULL);

  if (!g_atomic_ref_count_dec (&session->ref_count))
    return;

  g_clear_pointer (&session->pool, async_pool_unref);
  g_ptr_array_unref (session->idle_handles);
  async_http_share_free (session->share);
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

gboolean
async_http_is_token (const char *text,
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

gboolean
async_http_check_header (const char  *line,
                         GError     **error)
{
  const char *colon = strchr (line, ':');

  if (colon == NULL || !async_http_is_token (line, colon - line) || strpbrk (line, "\r\n") != NULL)
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
  if (strchr (name, ':') != NULL || !async_http_check_header (line, error))
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

  return async_http_exchange_submit (session, method, url, headers, body, flags, NULL, NULL, NULL);
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

  return async_http_exchange_submit (session, "GET", url, NULL, NULL, ASYNC_HTTP_REQUEST_DEFAULT,
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

  return async_http_exchange_submit (session, method, url, headers, body, flags,
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
  for (link = session->exchanges.head; link != NULL; link = link->next)
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
