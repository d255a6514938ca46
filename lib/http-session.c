/* http-session.c: AsyncHttpSession, aiohttp's ClientSession: its settings,
 * its requests' entry points and close (). Each request is an exchange
 * (http-exchange.c) whose blocking curl transfer (http-transfer.c) runs on
 * the session's own AsyncPool. */

#include "config.h"

#include "http-session-private.h"

#include <string.h>

#include "error-private.h"
#include "http-exchange-private.h"
#include "http-request-private.h"
#include "http-transfer-private.h"

#define DEFAULT_LIMIT          100
#define DEFAULT_MAX_REDIRECTS  10
#define DEFAULT_MAX_BODY_SIZE  (G_GUINT64_CONSTANT (64) << 20)
#define DEFAULT_TIMEOUT_S      300.0
#define DEFAULT_RETRY_BASE_DELAY_S 0.5
#define DEFAULT_RETRY_MAX_DELAY_S  30.0

/* What is usually worth another attempt: overload and gateways. */
static const guint default_retry_statuses[] = { 429, 502, 503, 504 };

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

void
async_http_settings_copy (AsyncHttpSettings       *to,
                          const AsyncHttpSettings *from)
{
  *to = *from;
  to->proxy = g_strdup (from->proxy);
  to->no_proxy = g_strdup (from->no_proxy);
  to->ca_file = g_strdup (from->ca_file);
  to->client_cert = g_strdup (from->client_cert);
  to->client_key = g_strdup (from->client_key);
}

void
async_http_settings_clear (AsyncHttpSettings *settings)
{
  g_clear_pointer (&settings->proxy, g_free);
  g_clear_pointer (&settings->no_proxy, g_free);
  g_clear_pointer (&settings->ca_file, g_free);
  g_clear_pointer (&settings->client_cert, g_free);
  g_clear_pointer (&settings->client_key, g_free);
}

/**
 * async_http_session_new:
 *
 * Creates a session with aiohttp's defaults: at most 100 transfers at once
 * and no limit per host, a total time-out of 300 seconds, at most 10
 * redirects, TLS certificates verified, bodies of at most 64 MiB, only
 * `http` and `https`, a cookie jar, no proxy (the environment's
 * `http_proxy` is ignored, as aiohttp's `trust_env=False`), no retries.
 * Change them with the setters before the first request.
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
  session->settings.cookies_enabled = TRUE;
  session->settings.retry.attempts = 1;
  session->settings.retry.base_delay = DEFAULT_RETRY_BASE_DELAY_S;
  session->settings.retry.max_delay = DEFAULT_RETRY_MAX_DELAY_S;
  memcpy (session->settings.retry.statuses, default_retry_statuses, sizeof default_retry_statuses);
  session->cookies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  session->cookie_generation = 1;
  session->user_agent = g_strdup (PACKAGE_NAME "/" PACKAGE_VERSION);
  session->default_headers = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&session->exchanges);
  session->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&session->ready);
  session->done = g_ptr_array_new ();
  session->idle_handles = g_ptr_array_new_with_free_func (async_http_handle_free);
  session->share = async_http_share_new ();
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
  g_return_if_fail (session != NULL);

  if (!g_atomic_ref_count_dec (&session->ref_count))
    return;

  g_clear_pointer (&session->pool, async_pool_unref);
  g_ptr_array_unref (session->idle_handles);
  g_ptr_array_unref (session->done);
  g_free (session->memo_authority);
  g_free (session->memo_host_key);
  async_http_share_free (session->share);
  g_hash_table_unref (session->hosts);
  g_hash_table_unref (session->cookies);
  g_ptr_array_unref (session->default_headers);
  async_http_settings_clear (&session->settings);
  g_free (session->authorization);
  g_free (session->base_url);
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
 * async_http_session_set_base_url:
 * @session: a session
 * @base_url: (nullable): an absolute `http` or `https` URL; %NULL for none
 *
 * aiohttp's `ClientSession(base_url=)`: a request whose URL has no scheme
 * ("/users", "users?id=1") is resolved against it (RFC 3986), so that
 * "users" against "http://host/api/" is "http://host/api/users". Applies
 * to later requests.
 *
 * Since: 0.2
 */
void
async_http_session_set_base_url (AsyncHttpSession *session,
                                 const char       *base_url)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (base_url == NULL || g_uri_peek_scheme (base_url) != NULL);

  g_mutex_lock (&session->lock);
  g_free (session->base_url);
  session->base_url = g_strdup (base_url);
  g_mutex_unlock (&session->lock);
}

/* The session's Authorization value: what a request's helper made for
 * @scratch, a request that only serves to build and check it (taken), if
 * the helper @accepted the credentials. Returns @accepted. */
static gboolean
take_default_authorization (AsyncHttpSession *session,
                            AsyncHttpRequest *scratch,
                            gboolean          accepted)
{
  if (accepted)
    {
      g_mutex_lock (&session->lock);
      g_free (session->authorization);
      session->authorization = g_steal_pointer (&scratch->authorization);
      g_mutex_unlock (&session->lock);
    }
  async_http_request_unref (scratch);
  return accepted;
}

/**
 * async_http_session_set_basic_auth:
 * @session: a session
 * @user: the user name, without a colon
 * @password: the password
 * @error: where invalid credentials are reported
 *
 * aiohttp's `ClientSession(auth=BasicAuth(…))`: an `Authorization` header
 * for every request that sets none of its own; never sent to another host
 * after a redirect. Applies to later requests.
 *
 * Returns: %FALSE with %ASYNC_HTTP_ERROR_INVALID_HEADER as
 *   async_http_request_set_basic_auth()
 *
 * Since: 0.2
 */
gboolean
async_http_session_set_basic_auth (AsyncHttpSession  *session,
                                   const char        *user,
                                   const char        *password,
                                   GError           **error)
{
  AsyncHttpRequest *scratch;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  scratch = async_http_request_new ("GET", "/");
  return take_default_authorization (session, scratch,
                                     async_http_request_set_basic_auth (scratch, user,
                                                                        password, error));
}

/**
 * async_http_session_set_bearer_auth:
 * @session: a session
 * @token: the token
 * @error: where an invalid token is reported
 *
 * An `Authorization: Bearer` header for every request that sets none of
 * its own; never sent to another host after a redirect. Applies to later
 * requests.
 *
 * Returns: %FALSE with %ASYNC_HTTP_ERROR_INVALID_HEADER if @token has a CR
 *   or LF
 *
 * Since: 0.2
 */
gboolean
async_http_session_set_bearer_auth (AsyncHttpSession  *session,
                                    const char        *token,
                                    GError           **error)
{
  AsyncHttpRequest *scratch;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  scratch = async_http_request_new ("GET", "/");
  return take_default_authorization (session, scratch,
                                     async_http_request_set_bearer_auth (scratch, token, error));
}

/**
 * async_http_session_set_raise_for_status:
 * @session: a session
 * @raise: %TRUE to reject the futures of responses of 400 or more
 *
 * aiohttp's `ClientSession(raise_for_status=True)`, for the requests that
 * do not say otherwise. The failed response stays readable through
 * async_http_future_get_response(). Applies to later requests.
 *
 * Since: 0.2
 */
void
async_http_session_set_raise_for_status (AsyncHttpSession *session,
                                         gboolean          raise)
{
  g_return_if_fail (session != NULL);

  g_mutex_lock (&session->lock);
  session->settings.raise_for_status = raise != FALSE;
  g_mutex_unlock (&session->lock);
}

static void
set_string (AsyncHttpSession  *session,
            char             **field,
            const char        *value)
{
  g_mutex_lock (&session->lock);
  g_free (*field);
  *field = g_strdup (value);
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_proxy:
 * @session: a session
 * @proxy_url: (nullable): the proxy, as curl's `--proxy` takes it:
 *   `http://host:port`, `https://…`, `socks5h://…`, with `user:password@`
 *   if it needs them; %NULL for none
 *
 * Sends every later request through the proxy (aiohttp's `proxy=`).
 *
 * Since: 0.2
 */
void
async_http_session_set_proxy (AsyncHttpSession *session,
                              const char       *proxy_url)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (proxy_url == NULL || strpbrk (proxy_url, "\r\n") == NULL);

  set_string (session, &session->settings.proxy, proxy_url);
}

/**
 * async_http_session_set_no_proxy:
 * @session: a session
 * @hosts: (nullable): host names (and domains) that bypass the proxy,
 *   comma-separated, as curl's `--noproxy`; "*" for all
 *
 * Sets the hosts that the session reaches without its proxy.
 *
 * Since: 0.2
 */
void
async_http_session_set_no_proxy (AsyncHttpSession *session,
                                 const char       *hosts)
{
  g_return_if_fail (session != NULL);

  set_string (session, &session->settings.no_proxy, hosts);
}

/**
 * async_http_session_set_trust_env:
 * @session: a session
 * @trust_env: %TRUE to obey `http_proxy`, `https_proxy`, `all_proxy` and
 *   `no_proxy` from the environment
 *
 * aiohttp's `trust_env=`, %FALSE by default: unlike the curl tool, a
 * session ignores the environment's proxies unless told to. An explicit
 * async_http_session_set_proxy() wins either way.
 *
 * Since: 0.2
 */
void
async_http_session_set_trust_env (AsyncHttpSession *session,
                                  gboolean          trust_env)
{
  g_return_if_fail (session != NULL);

  g_mutex_lock (&session->lock);
  session->settings.trust_env = trust_env != FALSE;
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_ca_file:
 * @session: a session
 * @path: (nullable): a PEM file of the certificate authorities to trust,
 *   in place of the system's; %NULL for the system's
 *
 * curl's `--cacert`; aiohttp's `ssl=ssl.create_default_context(cafile=)`.
 *
 * Since: 0.2
 */
void
async_http_session_set_ca_file (AsyncHttpSession *session,
                                const char       *path)
{
  g_return_if_fail (session != NULL);

  set_string (session, &session->settings.ca_file, path);
}

/**
 * async_http_session_set_client_certificate:
 * @session: a session
 * @certificate_path: (nullable): a PEM client certificate to present; %NULL
 *   for none
 * @key_path: (nullable): its private key, if not in the same file
 *
 * curl's `--cert` and `--key`.
 *
 * Since: 0.2
 */
void
async_http_session_set_client_certificate (AsyncHttpSession *session,
                                           const char       *certificate_path,
                                           const char       *key_path)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (key_path == NULL || certificate_path != NULL);

  set_string (session, &session->settings.client_cert, certificate_path);
  set_string (session, &session->settings.client_key, key_path);
}

/**
 * async_http_session_set_retry:
 * @session: a session
 * @attempts: how many attempts at most, the first included; 1 for none
 *   (the default)
 * @base_delay: seconds before the second attempt; each later one waits
 *   twice as long, with jitter (between half and all of it)
 * @max_delay: the cap of a delay; a `Retry-After` longer than this is not
 *   waited for: the response is returned instead
 *
 * The retry policy, which aiohttp leaves to its users. An attempt is
 * retried if it failed to connect (%ASYNC_HTTP_ERROR_CONNECT), had its
 * connection reset (%ASYNC_HTTP_ERROR_CONNECTION_RESET) or got a status of
 * async_http_session_set_retry_statuses() (429, 502, 503, 504 by default),
 * and only if the request is idempotent (async_http_request_set_idempotent())
 * and none of its body was delivered to a chunk callback. `Retry-After`
 * (seconds or an HTTP date) replaces the computed delay. The total
 * time-out covers all attempts; cancelling the future stops the waiting
 * at once. The response tells how many attempts it took
 * (async_http_response_get_n_attempts()). The wait holds the request's
 * worker thread and its slot of the per-host limit.
 *
 * Since: 0.2
 */
void
async_http_session_set_retry (AsyncHttpSession *session,
                              guint             attempts,
                              double            base_delay,
                              double            max_delay)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (attempts >= 1);
  g_return_if_fail (base_delay >= 0);
  g_return_if_fail (max_delay >= base_delay);

  g_mutex_lock (&session->lock);
  session->settings.retry.attempts = attempts;
  session->settings.retry.base_delay = base_delay;
  session->settings.retry.max_delay = max_delay;
  g_mutex_unlock (&session->lock);
}

/**
 * async_http_session_set_retry_statuses:
 * @session: a session
 * @statuses: (array length=n_statuses): the statuses worth another attempt
 * @n_statuses: how many; at most 15
 *
 * 429, 502, 503 and 504 by default.
 *
 * Since: 0.2
 */
void
async_http_session_set_retry_statuses (AsyncHttpSession *session,
                                       const guint      *statuses,
                                       gsize             n_statuses)
{
  AsyncHttpRetry *retry;
  gsize i;

  g_return_if_fail (session != NULL);
  g_return_if_fail (statuses != NULL || n_statuses == 0);
  g_return_if_fail (n_statuses < G_N_ELEMENTS (retry->statuses));

  g_mutex_lock (&session->lock);
  retry = &session->settings.retry;
  memset (retry->statuses, 0, sizeof retry->statuses);
  for (i = 0; i < n_statuses; i++)
    retry->statuses[i] = statuses[i];
  g_mutex_unlock (&session->lock);
}

/* The 0.1 API's arguments as a request. NULL with @error for a header
 * line that is not one. */
static AsyncHttpRequest *
request_from_arguments (const char            *method,
                        const char            *url,
                        const char * const    *headers,
                        GBytes                *body,
                        AsyncHttpRequestFlags  flags,
                        GError               **error)
{
  AsyncHttpRequest *request = async_http_request_new (method, url);
  guint i;

  for (i = 0; headers != NULL && headers[i] != NULL; i++)
    if (!async_http_request_add_header_line (request, headers[i], error))
      {
        async_http_request_unref (request);
        return NULL;
      }
  if (body != NULL)
    {
      request->body_kind = ASYNC_HTTP_BODY_BYTES;
      request->body = g_bytes_ref (body);
      /* 0.1 sent the body as it was, with curl's form type. */
      request->content_type = g_strdup ("application/x-www-form-urlencoded");
    }
  if (flags & ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS)
    request->raise_for_status = TRUE;
  if (flags & ASYNC_HTTP_REQUEST_NO_REDIRECTS)
    request->follow_redirects = FALSE;
  return request;
}

static AsyncFuture *
submit_arguments (AsyncHttpSession      *session,
                  const char            *method,
                  const char            *url,
                  const char * const    *headers,
                  GBytes                *body,
                  AsyncHttpRequestFlags  flags,
                  AsyncHttpChunkFunc     on_chunk,
                  gpointer               user_data,
                  GDestroyNotify         user_data_destroy)
{
  GError *error = NULL;
  AsyncHttpRequest *request = request_from_arguments (method, url, headers, body, flags, &error);
  AsyncFuture *future;

  if (request == NULL)
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      return async_future_new_rejected (error);
    }
  {
    AsyncHttpDelivery delivery = { on_chunk, user_data, user_data_destroy, FALSE, NULL, NULL, NULL, NULL };

    future = async_http_exchange_submit (session, request, on_chunk != NULL ? &delivery : NULL);
  }
  async_http_request_unref (request);
  return future;
}

/**
 * async_http_session_send:
 * @session: a session
 * @request: the request; the session takes a reference and freezes it
 *
 * Sends @request (aiohttp's `session.request()`, with the body read). The
 * transfer waits for a slot of the session's pool and of its host, then
 * runs on a worker thread; redirects are followed and failed attempts
 * retried as the session and the request say. A malformed URL, method or
 * header, or a scheme other than http and https, rejects the future before
 * anything is sent. Cancelling the future aborts the transfer at once, and
 * stops the retrying. async_run() waits for the request to end before it
 * returns.
 *
 * Any thread; the future settles on the scheduler of the caller's context.
 *
 * Returns: (transfer full): the future of an #AsyncHttpResponse
 *   (async_future_get_value()), or of an %ASYNC_HTTP_ERROR; with
 *   raise-for-status, async_http_future_get_response() still gives the
 *   failed response
 *
 * Since: 0.2
 */
AsyncFuture *
async_http_session_send (AsyncHttpSession *session,
                         AsyncHttpRequest *request)
{
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);

  return async_http_exchange_submit (session, request, NULL);
}

/**
 * async_http_session_send_stream:
 * @session: a session
 * @request: the request; the session takes a reference and freezes it
 * @on_chunk: receives the body piece by piece
 * @user_data: (nullable): the data for @on_chunk
 * @user_data_destroy: (nullable): frees @user_data on the caller's context
 *   once the request has ended
 *
 * As async_http_session_send(), but the body of the final response goes to
 * @on_chunk as it arrives, on the caller's context, instead of into the
 * response, whose body is then empty. The transfer stops reading from the
 * socket while more than 1 MiB waits for @on_chunk. The bodies of
 * redirects and retried attempts never reach @on_chunk, nor does the body
 * of a failure when raise-for-status is on: that one goes with the failed
 * response (async_http_future_get_response()). The body cap still
 * applies; set it to 0 for unbounded downloads.
 *
 * Any thread whose thread-default context is iterated.
 *
 * Returns: (transfer full): the future of an #AsyncHttpResponse, settled
 *   after the last chunk was delivered
 *
 * Since: 0.2
 */
AsyncFuture *
async_http_session_send_stream (AsyncHttpSession   *session,
                                AsyncHttpRequest   *request,
                                AsyncHttpChunkFunc  on_chunk,
                                gpointer            user_data,
                                GDestroyNotify      user_data_destroy)
{
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (on_chunk != NULL, NULL);

  {
    AsyncHttpDelivery delivery = { on_chunk, user_data, user_data_destroy, FALSE, NULL, NULL, NULL, NULL };

    return async_http_exchange_submit (session, request, &delivery);
  }
}

/**
 * async_http_session_open:
 * @session: a session
 * @request: the request; the session takes a reference and freezes it
 *
 * aiohttp's `async with session.get(url) as response:` before any body is
 * read: the future resolves with the response's status line and headers
 * as soon as they arrived (after redirects and retries), and the body is
 * then read with async_http_response_read() until it ends, or dropped with
 * async_http_response_close(), or by dropping the last reference to the
 * response: nobody can read it then, and the transfer ends. Raise-for-status is decided here: a
 * failure rejects the future and its body goes with the failed response
 * (async_http_future_get_response()), never to a reader.
 *
 * Any thread.
 *
 * Returns: (transfer full): the future of an #AsyncHttpResponse whose body
 *   is read with async_http_response_read()
 *
 * Since: 0.2
 */
AsyncFuture *
async_http_session_open (AsyncHttpSession *session,
                         AsyncHttpRequest *request)
{
  AsyncHttpDelivery delivery = { NULL, NULL, NULL, TRUE, NULL, NULL, NULL, NULL };

  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);

  return async_http_exchange_submit (session, request, &delivery);
}

/**
 * async_http_session_download:
 * @session: a session
 * @request: the request; the session takes a reference and freezes it
 * @destination: a local file, replaced on success
 * @on_progress: (nullable): told the bytes written so far, on the caller's
 *   context
 * @user_data: (nullable): the data for @on_progress
 * @user_data_destroy: (nullable): frees @user_data on the caller's context
 *   once the download has ended
 *
 * Writes the body to a temporary file beside @destination (its name with
 * `.part-XXXXXX` added) on the worker thread, and renames it into place
 * only once the whole body arrived: a failed or cancelled download leaves
 * nothing behind, and an existing @destination is untouched until then.
 * A status of 400 or more always fails (%ASYNC_HTTP_ERROR_STATUS, its
 * body with async_http_future_get_response()): an error page is never
 * saved as the file. The body cap still applies; set it to 0 for no cap.
 *
 * Any thread whose thread-default context is iterated.
 *
 * Returns: (transfer full): the future of an #AsyncHttpResponse with an
 *   empty body, settled after the file was renamed into place; errors
 *   writing it are %ASYNC_HTTP_ERROR_FILE
 *
 * Since: 0.2
 */
AsyncFuture *
async_http_session_download (AsyncHttpSession      *session,
                             AsyncHttpRequest      *request,
                             GFile                 *destination,
                             AsyncHttpProgressFunc  on_progress,
                             gpointer               user_data,
                             GDestroyNotify         user_data_destroy)
{
  AsyncHttpDelivery delivery = { NULL, NULL, NULL, FALSE, destination,
                                 on_progress, user_data, user_data_destroy };

  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (destination), NULL);

  return async_http_exchange_submit (session, request, &delivery);
}

/**
 * async_http_session_request:
 * @session: a session
 * @method: "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" or another
 *   token, sent as given (methods are case-sensitive; 0.1 upper-cased it)
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

  return submit_arguments (session, method, url, headers, body, flags, NULL, NULL, NULL);
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

  return submit_arguments (session, "GET", url, NULL, NULL, ASYNC_HTTP_REQUEST_DEFAULT,
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
 * transfer slows down while more than 1 MiB waits for @on_chunk. With
 * %ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS the body of a failure never reaches
 * @on_chunk: it goes with the failed response
 * (async_http_future_get_response()). The body cap still applies; set it
 * to 0 for unbounded downloads.
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

  return submit_arguments (session, method, url, headers, body, flags,
                           on_chunk, user_data, user_data_destroy);
}

/**
 * async_http_session_close:
 * @session: a session
 *
 * aiohttp's `close()`: cancels every request not ended yet (their futures
 * are cancelled at once, their transfers aborted, those of opened
 * responses too), waits for the worker
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
    async_http_exchange_abort (in_flight->pdata[i]);
  g_ptr_array_unref (in_flight);

  if (pool != NULL)
    {
      async_pool_shutdown (pool, TRUE);
      async_pool_unref (pool);
    }
}
