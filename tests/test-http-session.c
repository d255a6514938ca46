/* test-http-session.c: what an AsyncHttpSession does beyond one request,
 * against the loopback fixture server: the cookie jar, retries, redirects
 * as browsers follow them, raise-for-status that keeps the response,
 * proxies, the per-host key, folded headers and bodies past 4 GiB. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <async-glib/async-glib.h>

#include "test-http-util.h"

#define TIMEOUT_S TEST_HTTP_TIMEOUT_S

static AsyncTestServer *server;

#define request_for(method, path) test_http_request_for (server, (method), (path))
#define send(session, request) test_http_send_at (G_STRLOC, (session), (request))

#define text_of(session, request) test_http_text_at (G_STRLOC, (session), (request))

#define assert_text(session, request, expected) \
  G_STMT_START { \
    char *text_ = text_of ((session), (request)); \
    g_assert_cmpstr (text_, ==, (expected)); \
    g_free (text_); \
  } G_STMT_END

/* ---------------------------------------------------------------- cookies */

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The Cookie header /cookies echoed, its cookies sorted: curl sends them
 * in an order of its own. */
#define assert_cookies(session, expected) \
  G_STMT_START { \
    char *text_ = text_of ((session), request_for ("GET", "/cookies")); \
    char **names_ = g_strsplit (text_, "; ", -1); \
    char *sorted_; \
    qsort (names_, g_strv_length (names_), sizeof (char *), compare_strings); \
    sorted_ = g_strjoinv ("; ", names_); \
    g_assert_cmpstr (sorted_, ==, (expected)); \
    g_free (sorted_); \
    g_strfreev (names_); \
    g_free (text_); \
  } G_STMT_END

static void
test_cookies_round_trip (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  GStrv cookies;

  assert_cookies (session, "");
  g_free (text_of (session, request_for ("GET", "/cookies/set?a=1&b=2")));
  assert_cookies (session, "a=1; b=2");
  cookies = async_http_session_get_cookies (session);
  g_assert_cmpuint (g_strv_length (cookies), ==, 2);
  g_assert_true (g_str_has_suffix (cookies[0], "\ta\t1"));
  g_strfreev (cookies);

  g_free (text_of (session, request_for ("GET", "/cookies/delete?a")));
  assert_cookies (session, "b=2");

  async_http_session_clear_cookies (session);
  assert_cookies (session, "");

  /* Off: neither stored nor sent. */
  async_http_session_set_cookies_enabled (session, FALSE);
  g_free (text_of (session, request_for ("GET", "/cookies/set?c=3")));
  assert_cookies (session, "");
  cookies = async_http_session_get_cookies (session);
  g_assert_cmpuint (g_strv_length (cookies), ==, 0);
  g_strfreev (cookies);

  async_http_session_unref (session);
}

/* Two transfers on two workers at once, each learning a cookie: both end
 * up in the jar, and one's deletion does not undo the other's. */
static void
test_cookies_concurrent_merge (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *slow = async_test_server_url (server, "/cookies/set?x=1&delay=200");
  char *fast = async_test_server_url (server, "/cookies/set?y=2");
  AsyncFuture *both;

  both = async_gather (async_http_session_get (session, slow),
                       async_http_session_get (session, fast), NULL);
  test_await (both, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (both));
  async_future_unref (both);
  assert_cookies (session, "x=1; y=2");

  g_free (slow);
  g_free (fast);
  async_http_session_unref (session);
}

static void
test_cookies_file (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpSession *other = async_http_session_new ();
  char *dir = g_dir_make_tmp ("test-http-session-XXXXXX", NULL);
  char *path = g_build_filename (dir, "cookies.txt", NULL);
  char *contents = NULL;
  GError *error = NULL;

  g_free (text_of (session, request_for ("GET", "/cookies/set?kept=yes")));
  g_assert_true (async_http_session_save_cookies (session, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "# Netscape HTTP Cookie File"));
  g_assert_nonnull (strstr (contents, "\tkept\tyes"));

  g_assert_true (async_http_session_load_cookies (other, path, &error));
  g_assert_no_error (error);
  assert_cookies (other, "kept=yes");

  /* An empty jar replaces the file with an empty one, and leaves no
   * temporary file behind. */
  g_free (contents);
  async_http_session_clear_cookies (session);
  g_assert_true (async_http_session_save_cookies (session, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "# Netscape HTTP Cookie File"));
  g_assert_null (strstr (contents, "kept"));
  {
    GDir *listing = g_dir_open (dir, 0, NULL);

    g_assert_cmpstr (g_dir_read_name (listing), ==, "cookies.txt");
    g_assert_null (g_dir_read_name (listing));
    g_dir_close (listing);
  }

  g_assert_false (async_http_session_load_cookies (other, "/nonexistent/cookies.txt", &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE);
  g_clear_error (&error);
  g_assert_false (async_http_session_save_cookies (other, "/nonexistent/dir/cookies.txt", &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE);
  g_clear_error (&error);

  g_unlink (path);
  g_rmdir (dir);
  g_free (contents);
  g_free (path);
  g_free (dir);
  async_http_session_unref (other);
  async_http_session_unref (session);
}

/* ---------------------------------------------------------------- retries */

static AsyncHttpResponse *
response_of (AsyncFuture *future)
{
  AsyncHttpResponse *response = async_http_future_get_response (future);

  g_assert_nonnull (response);
  return response;
}

static void
test_retry_after_seconds_and_date (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future;
  gint64 start;

  async_http_session_set_retry (session, 3, 0.01, 10);

  /* Two 503s whose Retry-After says 1 s each: two waits of 1 s. */
  start = g_get_monotonic_time ();
  future = send (session, request_for ("GET", "/retry/seconds?fail=2&after=1"));
  g_assert_cmpstr (async_http_response_get_text (response_of (future), NULL), ==, "ok after 3");
  g_assert_cmpuint (async_http_response_get_n_attempts (response_of (future)), ==, 3);
  g_assert_cmpfloat (test_elapsed (start), >=, 2.0);
  async_future_unref (future);

  /* An HTTP date two seconds ahead, to the second: at least one. */
  start = g_get_monotonic_time ();
  future = send (session, request_for ("GET", "/retry/date?fail=1&after=date"));
  g_assert_cmpuint (async_http_response_get_n_attempts (response_of (future)), ==, 2);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.9);
  async_future_unref (future);

  /* 429 is retried by default; 500 is not. */
  future = send (session, request_for ("GET", "/retry/429?fail=1&status=429"));
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 200);
  async_future_unref (future);
  future = send (session, request_for ("GET", "/retry/500?fail=1&status=500"));
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 500);
  g_assert_cmpuint (async_http_response_get_n_attempts (response_of (future)), ==, 1);
  async_future_unref (future);

  async_http_session_unref (session);
}

static void
test_retry_limits (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  const guint only_500[] = { 500 };
  AsyncHttpSession *fresh;
  AsyncHttpRequest *request;
  AsyncFuture *future;
  gint64 start;

  async_http_session_set_retry (session, 3, 0.01, 1);

  /* Exhausted: the last response is returned. */
  future = send (session, request_for ("GET", "/retry/exhausted?fail=5"));
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 503);
  g_assert_cmpuint (async_http_response_get_n_attempts (response_of (future)), ==, 3);
  async_future_unref (future);

  /* A Retry-After past the cap is not waited for. */
  start = g_get_monotonic_time ();
  future = send (session, request_for ("GET", "/retry/long?fail=1&after=60"));
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 503);
  g_assert_cmpuint (async_http_response_get_n_attempts (response_of (future)), ==, 1);
  g_assert_cmpfloat (test_elapsed (start), <, 30);
  async_future_unref (future);

  /* POST is not idempotent, unless the caller says so. */
  future = send (session, request_for ("POST", "/retry/post?fail=1"));
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 503);
  async_future_unref (future);
  request = request_for ("POST", "/retry/post-idempotent?fail=1");
  async_http_request_set_idempotent (request, TRUE);
  future = send (session, request);
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 200);
  g_assert_cmpuint (async_http_response_get_n_attempts (response_of (future)), ==, 2);
  async_future_unref (future);

  /* A reset connection is retried. On a fresh session: curl itself
   * retries a request whose reused connection turns out dead. */
  fresh = async_http_session_new ();
  async_http_session_set_retry (fresh, 3, 0.01, 1);
  future = send (fresh, request_for ("GET", "/retry/reset?fail=1&reset=1"));
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 200);
  g_assert_cmpuint (async_http_response_get_n_attempts (response_of (future)), ==, 2);
  async_future_unref (future);
  async_http_session_unref (fresh);

  /* The statuses are the caller's to choose. */
  async_http_session_set_retry_statuses (session, only_500, G_N_ELEMENTS (only_500));
  future = send (session, request_for ("GET", "/retry/only-500?fail=1&status=500"));
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 200);
  async_future_unref (future);
  future = send (session, request_for ("GET", "/retry/no-503?fail=1"));
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 503);
  async_future_unref (future);

  async_http_session_unref (session);
}

static void
test_retry_backoff (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future;
  gint64 start;

  /* No Retry-After: 0.2 s then 0.4 s, each at least half of that. */
  async_http_session_set_retry (session, 3, 0.2, 10);
  start = g_get_monotonic_time ();
  future = send (session, request_for ("GET", "/retry/backoff?fail=2"));
  g_assert_cmpuint (async_http_response_get_n_attempts (response_of (future)), ==, 3);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.1 + 0.2);
  async_future_unref (future);

  /* A connection refused is retried too, and fails in the end. */
  future = send (session, async_http_request_new ("GET", "http://127.0.0.1:1/"));
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_CONNECT);
  async_future_unref (future);

  /* The total time-out covers the attempts: no wait past it. */
  async_http_session_set_timeout (session, 0.5);
  async_http_session_set_retry (session, 5, 5, 10);
  start = g_get_monotonic_time ();
  future = send (session, request_for ("GET", "/retry/deadline?fail=5"));
  g_assert_cmpuint (async_http_response_get_status (response_of (future)), ==, 503);
  g_assert_cmpuint (async_http_response_get_n_attempts (response_of (future)), ==, 1);
  g_assert_cmpfloat (test_elapsed (start), <, 5);
  async_future_unref (future);

  async_http_session_unref (session);
}

static guint
server_attempts (AsyncHttpSession *session,
                 const char       *key)
{
  char *path = g_strdup_printf ("/attempts/%s", key);
  char *text = text_of (session, request_for ("GET", path));
  guint n = (guint) g_ascii_strtoull (text, NULL, 10);

  g_free (text);
  g_free (path);
  return n;
}

static void
test_retry_cancel_stops_waiting (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpSession *observer = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("GET", "/retry/cancelled?fail=5&after=20");
  AsyncFuture *future;
  gint64 start;

  async_http_session_set_retry (session, 5, 0.01, 60);
  future = async_http_session_send (session, request);
  async_http_request_unref (request);
  /* Wait for the first attempt's answer: the session now waits 20 s. */
  while (server_attempts (observer, "cancelled") == 0)
    ;
  start = g_get_monotonic_time ();
  g_assert_true (async_future_cancel (future));
  async_http_session_close (session);
  g_assert_cmpfloat (test_elapsed (start), <, 10);
  test_await (future, TIMEOUT_S);
  g_assert_true (async_future_is_cancelled (future));
  g_assert_cmpuint (server_attempts (observer, "cancelled"), ==, 1);
  async_future_unref (future);

  async_http_session_unref (observer);
  async_http_session_unref (session);
}

/* ---------------------------------------------------------------- redirects */

static AsyncHttpRequest *
redirect_to (const char *method,
             const char *target,
             guint       status)
{
  char *path = g_strdup_printf ("/redirect-to?status=%u&url=%s", status, target);
  AsyncHttpRequest *request = request_for (method, path);

  g_free (path);
  return request;
}

static void
test_redirect_methods (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request;
  char *text;

  /* 303: every method but HEAD becomes a GET, without the body. */
  request = redirect_to ("PUT", "/echo", 303);
  async_http_request_set_body_text (request, "the body", NULL);
  text = text_of (session, request);
  g_assert_true (g_str_has_prefix (text, "GET /echo\n"));
  g_assert_null (strstr (text, "the body"));
  g_assert_null (strstr (text, "Content-Type"));
  g_free (text);

  request = redirect_to ("DELETE", "/echo", 303);
  text = text_of (session, request);
  g_assert_true (g_str_has_prefix (text, "GET /echo\n"));
  g_free (text);

  /* 301 and 302: POST becomes GET; PUT stays PUT. */
  request = redirect_to ("POST", "/echo", 301);
  async_http_request_set_body_text (request, "posted", NULL);
  text = text_of (session, request);
  g_assert_true (g_str_has_prefix (text, "GET /echo\n"));
  g_assert_null (strstr (text, "posted"));
  g_free (text);

  request = redirect_to ("PUT", "/echo", 302);
  async_http_request_set_body_text (request, "put body", NULL);
  text = text_of (session, request);
  g_assert_true (g_str_has_prefix (text, "PUT /echo\n"));
  g_assert_true (g_str_has_suffix (text, "\n\nput body"));
  g_free (text);

  /* 307 and 308 keep the method and the body. */
  request = redirect_to ("POST", "/echo", 307);
  async_http_request_set_body_text (request, "kept", NULL);
  text = text_of (session, request);
  g_assert_true (g_str_has_prefix (text, "POST /echo\n"));
  g_assert_true (g_str_has_suffix (text, "\n\nkept"));
  g_free (text);

  async_http_session_unref (session);
}

/* A 307 sends the body again: a seekable stream is rewound, another one
 * cannot be and fails the request rather than send half a body. */
static void
test_redirect_stream_body (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request;
  GInputStream *memory, *unseekable;
  GCharsetConverter *identity;
  AsyncFuture *future;
  char *text;

  memory = g_memory_input_stream_new_from_data ("streamed body", 13, NULL);
  request = redirect_to ("POST", "/echo", 307);
  async_http_request_set_body_stream (request, memory, -1, NULL);
  text = text_of (session, request);
  g_assert_true (g_str_has_prefix (text, "POST /echo\n"));
  g_assert_true (g_str_has_suffix (text, "\n\nstreamed body"));
  g_free (text);
  g_object_unref (memory);

  memory = g_memory_input_stream_new_from_data ("streamed body", 13, NULL);
  identity = g_charset_converter_new ("UTF-8", "UTF-8", NULL);
  unseekable = g_converter_input_stream_new (memory, G_CONVERTER (identity));
  g_assert_false (G_IS_SEEKABLE (unseekable));
  request = redirect_to ("POST", "/echo", 307);
  async_http_request_set_body_stream (request, unseekable, -1, NULL);
  future = send (session, request);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_FILE);
  g_test_message ("%s", async_future_get_error (future)->message);
  async_future_unref (future);
  g_object_unref (unseekable);
  g_object_unref (identity);
  g_object_unref (memory);

  async_http_session_unref (session);
}

static void
test_redirect_credentials_stay (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *elsewhere = g_strdup_printf ("http://localhost:%u/echo",
                                     async_test_server_get_port (server));
  AsyncHttpRequest *request;
  char *text;

  /* The same origin: the credentials go along. */
  request = redirect_to ("GET", "/echo", 302);
  g_assert_true (async_http_request_set_bearer_auth (request, "secret", NULL));
  text = text_of (session, request);
  g_assert_nonnull (strstr (text, "Authorization: Bearer secret\n"));
  g_free (text);

  /* Another host: neither the helper's nor a hand-written header. */
  request = redirect_to ("GET", elsewhere, 302);
  g_assert_true (async_http_request_set_bearer_auth (request, "secret", NULL));
  text = text_of (session, request);
  g_assert_true (g_str_has_prefix (text, "GET /echo\n"));
  g_assert_nonnull (strstr (text, "Host: localhost:"));
  g_assert_null (strstr (text, "Authorization"));
  g_free (text);

  request = redirect_to ("GET", elsewhere, 307);
  g_assert_true (async_http_request_add_header (request, "Authorization", "Custom secret", NULL));
  g_assert_true (async_http_request_add_header (request, "X-Other", "kept", NULL));
  text = text_of (session, request);
  g_assert_null (strstr (text, "Authorization"));
  g_assert_nonnull (strstr (text, "X-Other: kept\n"));
  g_free (text);

  g_free (elsewhere);
  async_http_session_unref (session);
}

/* ---------------------------------------------------------------- status */

static void
test_raise_for_status_keeps_response (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request;
  AsyncHttpResponse *response;
  AsyncFuture *future;

  async_http_session_set_raise_for_status (session, TRUE);
  future = send (session, request_for ("GET", "/status/404"));
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_STATUS);
  response = async_http_future_get_response (future);
  g_assert_nonnull (response);
  g_assert_cmpuint (async_http_response_get_status (response), ==, 404);
  g_assert_cmpstr (async_http_response_get_header (response, "Content-Type"), ==,
                   "text/plain; charset=utf-8");
  g_assert_cmpstr (async_http_response_get_text (response, NULL), ==, "status 404");
  async_future_unref (future);

  /* A request may say otherwise. */
  request = request_for ("GET", "/status/404");
  async_http_request_set_raise_for_status (request, FALSE);
  future = send (session, request);
  g_assert_true (async_future_is_resolved (future));
  async_future_unref (future);

  /* A failure without a response has none. */
  future = async_http_session_get (session, "http://127.0.0.1:1/");
  test_await (future, TIMEOUT_S);
  g_assert_null (async_http_future_get_response (future));
  g_assert_nonnull (async_future_get_error (future));
  async_future_unref (future);

  async_http_session_unref (session);
}

static void
count_chunk (GBytes   *chunk,
             gpointer  user_data)
{
  *(gsize *) user_data += g_bytes_get_size (chunk);
}

static void
test_raise_for_status_stream_gets_no_body (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("GET", "/status/404");
  gsize delivered = 0;
  AsyncFuture *future;

  async_http_request_set_raise_for_status (request, TRUE);
  future = async_http_session_send_stream (session, request, count_chunk, &delivered, NULL);
  async_http_request_unref (request);
  test_await (future, TIMEOUT_S);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_STATUS);
  g_assert_cmpuint (delivered, ==, 0);
  g_assert_cmpstr (async_http_response_get_text (response_of (future), NULL), ==, "status 404");
  async_future_unref (future);

  /* A success is streamed as before. */
  request = request_for ("GET", "/bytes/5000");
  async_http_request_set_raise_for_status (request, TRUE);
  future = async_http_session_send_stream (session, request, count_chunk, &delivered, NULL);
  async_http_request_unref (request);
  test_await (future, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpuint (delivered, ==, 5000);
  async_future_unref (future);

  async_http_session_unref (session);
}

/* ---------------------------------------------------------------- proxies */

static void
test_proxy_explicit (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpResponse *response;
  AsyncFuture *future;

  async_http_session_set_proxy (session, async_test_server_get_url (server));
  future = send (session, async_http_request_new ("GET", "http://example.invalid/path?q=1"));
  response = response_of (future);
  g_assert_cmpstr (async_http_response_get_header (response, "X-Proxied"), ==, "yes");
  g_assert_cmpstr (async_http_response_get_text (response, NULL), ==,
                   "proxied GET http://example.invalid/path?q=1");
  async_future_unref (future);

  /* Bypassed for the hosts of no_proxy. */
  async_http_session_set_no_proxy (session, "127.0.0.1");
  future = send (session, request_for ("GET", "/text/direct"));
  g_assert_cmpstr (async_http_response_get_text (response_of (future), NULL), ==, "direct");
  async_future_unref (future);

  async_http_session_unref (session);
}

static void
test_proxy_environment (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future;

  /* aiohttp's default: http_proxy is ignored... */
  g_setenv ("http_proxy", async_test_server_get_url (server), TRUE);
  future = send (session, async_http_request_new ("GET", "http://example.invalid/"));
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_RESOLVE);
  async_future_unref (future);

  /* ...unless the session trusts the environment. */
  async_http_session_set_trust_env (session, TRUE);
  future = send (session, async_http_request_new ("GET", "http://example.invalid/"));
  g_assert_cmpstr (async_http_response_get_text (response_of (future), NULL), ==,
                   "proxied GET http://example.invalid/");
  async_future_unref (future);
  g_unsetenv ("http_proxy");

  async_http_session_unref (session);
}

/* ---------------------------------------------------------------- the rest */

static void
test_limit_per_host_case_insensitive (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *lower = g_strdup_printf ("http://localhost:%u/delay/300", async_test_server_get_port (server));
  char *upper = g_strdup_printf ("http://LOCALHOST:%u/delay/300", async_test_server_get_port (server));
  AsyncFuture *both;
  gint64 start;

  async_http_session_set_limit_per_host (session, 1);
  start = g_get_monotonic_time ();
  both = async_gather (async_http_session_get (session, lower),
                       async_http_session_get (session, upper), NULL);
  test_await (both, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (both));
  /* One host, so one after the other. */
  g_assert_cmpfloat (test_elapsed (start), >=, 0.6);
  async_future_unref (both);

  g_free (lower);
  g_free (upper);
  async_http_session_unref (session);
}

/* Issue 10: a session runs no more transfers at once than the process has
 * descriptors left for (three each, beyond those open and 64 kept for the
 * rest): with room for three, twelve requests allowed at once run three at
 * a time, in four rounds of 200 ms (three, if a descriptor closed before
 * the session counted them), and none fails to connect for want of one. */
static void
test_limit_capped_by_descriptors (void)
{
  struct rlimit saved, low;
  AsyncHttpSession *session;
  GPtrArray *futures = g_ptr_array_new ();
  char *url = g_strdup_printf ("http://127.0.0.1:%u/delay/200", async_test_server_get_port (server));
  AsyncFuture *all;
  gint64 start;
  guint i;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  low = saved;
  /* The directory listing /proc/self/fd counts itself. */
  low.rlim_cur = test_count_fds () + 1 + 64 + 3 * 3;
  if (saved.rlim_cur < low.rlim_cur)
    {
      g_test_skip ("the descriptor limit is already too low");
      g_free (url);
      g_ptr_array_unref (futures);
      return;
    }
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);

  session = async_http_session_new ();
  async_http_session_set_limit (session, 12);
  start = g_get_monotonic_time ();
  for (i = 0; i < 12; i++)
    g_ptr_array_add (futures, async_http_session_get (session, url));
  all = async_gather_array (ASYNC_GATHER_RETURN_EXCEPTIONS, (AsyncFuture **) futures->pdata,
                            futures->len);
  test_await (all, TIMEOUT_S);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);

  for (i = 0; i < 12; i++)
    {
      AsyncFuture *one = async_gather_get_result (all, i);

      if (!async_future_is_resolved (one))
        g_error ("request %u: %s", i, async_future_get_error (one)->message);
    }
  /* Three at a time, or four if a descriptor closed meanwhile; twelve at
   * once took 0.2 s. */
  g_test_message ("12 requests of 200 ms, three at a time: %.3f s", test_elapsed (start));
  g_assert_cmpfloat (test_elapsed (start), >=, 0.55);
  g_assert_cmpuint (async_http_session_get_limit (session), ==, 12);

  async_future_unref (all);
  g_ptr_array_unref (futures);
  g_free (url);
  async_http_session_unref (session);
}

static void
test_folded_headers (void)
{
  /* 70,000 took 1.3 s when each line copied the value so far; the
   * sanitizer builds (ASYNC_TEST_QUICK) are slow at any size. */
  guint n = g_getenv ("ASYNC_TEST_QUICK") != NULL ? 10000 : 70000;
  AsyncHttpSession *session = async_http_session_new ();
  char *path = g_strdup_printf ("/folded/%u", n);
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *future = send (session, request_for ("GET", path));
  AsyncHttpResponse *response = response_of (future);
  const char *value = async_http_response_get_header (response, "X-Folded");

  g_test_message ("%u folded lines in %.3f s", n, test_elapsed (start));
  g_assert_nonnull (value);
  g_assert_cmpuint (strlen (value), ==, strlen ("start") + n * 2);
  g_assert_true (g_str_has_prefix (value, "start x x"));
  g_assert_cmpstr (async_http_response_get_text (response, NULL), ==, "folded");
  async_future_unref (future);

  g_free (path);
  async_http_session_unref (session);
}

typedef struct
{
  AsyncFuture *future;
  gsize        received;
} Cutter;

static void
cancel_after_first_megabyte (GBytes   *chunk,
                             gpointer  user_data)
{
  Cutter *cutter = user_data;

  cutter->received += g_bytes_get_size (chunk);
  if (cutter->received >= 1024 * 1024)
    async_future_cancel (cutter->future);
}

static void
test_body_past_4gib (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request;
  AsyncFuture *future;
  Cutter cutter = { NULL, 0 };

  async_http_session_set_max_body_size (session, 0);
  /* Held in memory: refused as soon as its length is announced. */
  future = send (session, request_for ("GET", "/bytes/5368709120"));
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_TOO_LARGE);
  async_future_unref (future);

  /* Streamed: read as long as the caller wants. */
  request = request_for ("GET", "/bytes/5368709120");
  cutter.future = async_http_session_send_stream (session, request, cancel_after_first_megabyte,
                                                  &cutter, NULL);
  async_http_request_unref (request);
  test_await (cutter.future, TIMEOUT_S);
  g_assert_true (async_future_is_cancelled (cutter.future));
  g_assert_cmpuint (cutter.received, >=, 1024 * 1024);
  async_future_unref (cutter.future);

  async_http_session_unref (session);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/session/cookies/round-trip", test_cookies_round_trip);
  g_test_add_func ("/http/session/cookies/concurrent-merge", test_cookies_concurrent_merge);
  g_test_add_func ("/http/session/cookies/netscape-file", test_cookies_file);
  g_test_add_func ("/http/session/retry/retry-after-seconds-and-date", test_retry_after_seconds_and_date);
  g_test_add_func ("/http/session/retry/limits", test_retry_limits);
  g_test_add_func ("/http/session/retry/cancel-stops-waiting", test_retry_cancel_stops_waiting);
  g_test_add_func ("/http/session/retry/backoff-and-deadline", test_retry_backoff);
  g_test_add_func ("/http/session/redirect/methods", test_redirect_methods);
  g_test_add_func ("/http/session/redirect/credentials-stay-with-host", test_redirect_credentials_stay);
  g_test_add_func ("/http/session/redirect/stream-body-sent-again", test_redirect_stream_body);
  g_test_add_func ("/http/session/raise-for-status/keeps-response", test_raise_for_status_keeps_response);
  g_test_add_func ("/http/session/raise-for-status/stream-gets-no-body", test_raise_for_status_stream_gets_no_body);
  g_test_add_func ("/http/session/proxy/explicit", test_proxy_explicit);
  g_test_add_func ("/http/session/proxy/environment-only-when-trusted", test_proxy_environment);
  g_test_add_func ("/http/session/limit-per-host/case-insensitive", test_limit_per_host_case_insensitive);
  g_test_add_func ("/http/session/limit/capped-by-descriptors", test_limit_capped_by_descriptors);
  g_test_add_func ("/http/response/folded-headers", test_folded_headers);
  g_test_add_func ("/http/session/body-past-4gib", test_body_past_4gib);

  server = async_test_server_start ();
  status = g_test_run ();
  async_test_server_stop (server);
  return status;
}
