/* test-bad-input.c: what bad input gets, one case per row of
 * docs/bad-input.md: a g_critical and a harmless return for programming
 * errors, a warning for a second settle, a specific GError (and nothing on
 * the wire) for bad requests and bad responses. */

#include "config.h"

#include <math.h>
#include <string.h>

#include <async-glib/async-glib.h>

#include "test-server-util.h"
#include "test-util.h"

#define expect_critical() \
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*")

/* --- programming errors: a g_critical, a harmless return ------------------ */

static gpointer
never_called_thread_func (gpointer       user_data,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_assert_not_reached ();
}

static void
test_null_arguments (void)
{
  AsyncFuture *future = async_future_new ();
  AsyncFuture *children[2] = { NULL, NULL };
  AsyncPool *pool = async_pool_new (1);

  expect_critical ();
  g_assert_null (async_future_ref (NULL));
  g_test_assert_expected_messages ();

  expect_critical ();
  async_future_unref (NULL);
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_false (async_future_resolve (NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_false (async_future_reject (future, NULL));
  g_test_assert_expected_messages ();
  g_assert_true (async_future_is_pending (future));

  expect_critical ();
  g_assert_false (async_future_cancel (NULL));
  g_test_assert_expected_messages ();

  expect_critical ();
  async_future_then (future, NULL, NULL, NULL);
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_future_new_rejected (NULL));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_gather_array (ASYNC_GATHER_DEFAULT, NULL, 2));
  g_test_assert_expected_messages ();

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*NULL among the futures*");
  g_assert_null (async_gather_array (ASYNC_GATHER_DEFAULT, children, 2));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_spawn (NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_run (NULL, NULL));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_pool_submit (pool, NULL, NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_pool_submit (NULL, never_called_thread_func, NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_http_session_get (NULL, "http://127.0.0.1/"));
  g_test_assert_expected_messages ();

  /* Still usable after all that. */
  g_assert_true (async_future_resolve_int (future, 7));
  test_await (future, 10);
  g_assert_cmpint (async_future_get_int (future), ==, 7);

  async_future_unref (future);
  async_pool_unref (pool);
}

static void
test_out_of_range (void)
{
  AsyncFuture *pending = async_future_new ();
  AsyncFuture *rejected = async_future_new_rejected (g_error_new_literal (TEST_ERROR, 1, "no"));
  AsyncFuture *gathered = async_gather (async_future_new_int (1), NULL);
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *same;

  expect_critical ();
  g_assert_cmpint (async_future_get_int (pending), ==, 0);
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_future_get_value (rejected));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_sleep (NAN));
  g_test_assert_expected_messages ();

  /* A NaN time-out loses nothing: the future comes back as it was. */
  expect_critical ();
  same = async_wait_for (async_future_ref (pending), NAN);
  g_test_assert_expected_messages ();
  g_assert_true (same == pending);
  async_future_unref (same);

  expect_critical ();
  g_assert_null (async_pool_new (0));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_wait_array (ASYNC_WAIT_ALL_COMPLETED, NULL, 0));
  g_test_assert_expected_messages ();

  test_await (gathered, 10);
  expect_critical ();
  g_assert_null (async_gather_get_result (gathered, 1));
  g_test_assert_expected_messages ();
  g_assert_cmpint (async_future_get_int (async_gather_get_result (gathered, 0)), ==, 1);

  expect_critical ();
  async_http_session_set_limit (session, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (async_http_session_get_limit (session), >, 0);

  expect_critical ();
  async_http_session_set_timeout (session, -1);
  g_test_assert_expected_messages ();

  expect_critical ();
  async_http_session_set_user_agent (session, "agent\r\nX-Injected: 1");
  g_test_assert_expected_messages ();

  /* Out of range but meaningful: a negative sleep yields once. */
  {
    AsyncFuture *sleep = async_sleep (-5);

    test_await (sleep, 10);
    g_assert_true (async_future_is_resolved (sleep));
    async_future_unref (sleep);
  }

  g_assert_nonnull (async_future_get_error (rejected));
  async_http_session_unref (session);
  async_future_unref (gathered);
  async_future_unref (rejected);
  async_future_unref (pending);
}

/* --- a future settled twice ----------------------------------------------- */

static void
test_settled_twice (void)
{
  AsyncFuture *future = async_future_new ();
  gint destroyed_first = 0, destroyed_second = 0;

  g_assert_true (async_future_resolve (future, test_tracked_new (&destroyed_first, 1),
                                       test_tracked_free));

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_WARNING, "*settled twice*first outcome is kept*");
  g_assert_false (async_future_resolve (future, test_tracked_new (&destroyed_second, 2),
                                        test_tracked_free));
  g_test_assert_expected_messages ();
  /* The loser's value is freed at once; the winner's is kept. */
  g_assert_cmpint (destroyed_second, ==, 1);
  g_assert_cmpint (destroyed_first, ==, 0);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_WARNING, "*settled twice*");
  g_assert_false (async_future_reject (future, g_error_new_literal (TEST_ERROR, 1, "late")));
  g_test_assert_expected_messages ();

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_WARNING, "*settled twice*");
  g_assert_false (async_future_resolve_int (future, 3));
  g_test_assert_expected_messages ();

  /* Cancelling a settled future is no error: it just did not happen. */
  g_assert_false (async_future_cancel (future));

  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpint (((TestTracked *) async_future_get_value (future))->payload, ==, 1);
  async_future_unref (future);
  g_assert_cmpint (destroyed_first, ==, 1);

  /* A rejection is kept the same way. */
  future = async_future_new ();
  g_assert_true (async_future_reject (future, g_error_new_literal (TEST_ERROR, 5, "first")));
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_WARNING, "*settled twice*");
  g_assert_false (async_future_resolve_int (future, 1));
  g_test_assert_expected_messages ();
  g_assert_error (async_future_get_error (future), TEST_ERROR, 5);
  async_future_unref (future);

  /* Settling after a cancel is the producer's everyday race: quiet. */
  future = async_future_new ();
  g_assert_true (async_future_cancel (future));
  g_assert_false (async_future_resolve_int (future, 1));
  g_assert_true (async_future_is_cancelled (future));
  async_future_unref (future);
}

/* --- bad requests: a GError, nothing sent --------------------------------- */

static AsyncTestServer *server;

/* Runs one request to its end on the thread-default context. */
static AsyncFuture *
fetch (AsyncHttpSession   *session,
       const char         *method,
       const char         *url,
       const char * const *headers)
{
  AsyncFuture *future = async_http_session_request (session, method, url, headers, NULL,
                                                    ASYNC_HTTP_REQUEST_DEFAULT);

  g_assert_nonnull (future);
  test_await (future, 30);
  return future;
}

static void
assert_http_error (AsyncFuture *future,
                   gint         code)
{
  const GError *error = async_future_get_error (future);

  if (error == NULL)
    g_error ("expected ASYNC_HTTP_ERROR %d, the future is %s", code,
             async_future_is_resolved (future) ? "resolved" : "pending");
  g_assert_error (error, ASYNC_HTTP_ERROR, code);
}

static guint
server_request_count (AsyncHttpSession *session)
{
  char *url = async_test_server_url (server, "/stats");
  AsyncFuture *future = fetch (session, "GET", url, NULL);
  AsyncHttpResponse *response;
  const char *text, *found;
  guint count;

  g_assert_true (async_future_is_resolved (future));
  response = async_future_get_value (future);
  text = async_http_response_get_text (response, NULL);
  found = strstr (text, "requests=");
  g_assert_nonnull (found);
  count = (guint) g_ascii_strtoull (found + strlen ("requests="), NULL, 10);
  async_future_unref (future);
  g_free (url);
  return count;
}

static void
server_reset_stats (AsyncHttpSession *session)
{
  char *url = async_test_server_url (server, "/stats/reset");
  AsyncFuture *future = fetch (session, "GET", url, NULL);

  g_assert_true (async_future_is_resolved (future));
  async_future_unref (future);
  g_free (url);
}

static void
test_bad_urls (void)
{
  static const char * const malformed[] = {
    "",
    "not a url",
    "http://",
    "http://[::1",
    "http://127.0.0.1:99999/",
    "http://exa mple.com/",
  };
  static const char * const unsupported[] = {
    "ftp://127.0.0.1/file",
    "file:///etc/passwd",
    "gopher://127.0.0.1/",
    "dict://127.0.0.1/",
  };
  AsyncHttpSession *session = async_http_session_new ();
  guint i;

  server_reset_stats (session);

  for (i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      AsyncFuture *future = fetch (session, "GET", malformed[i], NULL);

      g_test_message ("“%s”: %s", malformed[i], async_future_get_error (future) != NULL
                      ? async_future_get_error (future)->message : "no error");
      assert_http_error (future, ASYNC_HTTP_ERROR_INVALID_URL);
      async_future_unref (future);
    }

  for (i = 0; i < G_N_ELEMENTS (unsupported); i++)
    {
      AsyncFuture *future = fetch (session, "GET", unsupported[i], NULL);

      assert_http_error (future, ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME);
      async_future_unref (future);
    }

  /* Only the /stats request itself reached the server. */
  g_assert_cmpuint (server_request_count (session), ==, 1);

  async_http_session_unref (session);
}

static void
test_bad_headers (void)
{
  static const char * const bad_values[] = { "X-A: b\r\nX-Injected: 1", NULL };
  static const char * const bad_lf[] = { "X-A: b\nX-Injected: 1", NULL };
  static const char * const bad_names[] = { "X-A\r\nX-Injected: 1: b", NULL };
  static const char * const no_colon[] = { "X-Alone", NULL };
  static const char * const bad_cr[] = { "X-A: b\rc", NULL };
  const char * const *cases[] = { bad_values, bad_lf, bad_names, no_colon, bad_cr };
  AsyncHttpSession *session = async_http_session_new ();
  char *url = async_test_server_url (server, "/echo");
  GError *error = NULL;
  AsyncFuture *future;
  guint i;

  server_reset_stats (session);

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      future = fetch (session, "GET", url, cases[i]);
      assert_http_error (future, ASYNC_HTTP_ERROR_INVALID_HEADER);
      async_future_unref (future);
    }

  future = fetch (session, "GET\r\nX-Injected: 1", url, NULL);
  assert_http_error (future, ASYNC_HTTP_ERROR_INVALID_HEADER);
  async_future_unref (future);

  g_assert_false (async_http_session_add_default_header (session, "X-A\r\n", "b", &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  g_clear_error (&error);
  g_assert_false (async_http_session_add_default_header (session, "X-A", "b\r\nX-Injected: 1",
                                                         &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  g_clear_error (&error);

  g_assert_cmpuint (server_request_count (session), ==, 1);

  g_free (url);
  async_http_session_unref (session);
}

/* --- bad responses: a GError -------------------------------------------- */

static void
test_body_over_cap (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future;
  char *url;

  async_http_session_set_max_body_size (session, 1000);

  url = async_test_server_url (server, "/bytes/1000");
  future = fetch (session, "GET", url, NULL);
  g_assert_true (async_future_is_resolved (future));
  async_future_unref (future);
  g_free (url);

  /* Announced by Content-Length, and not announced (chunked). */
  url = async_test_server_url (server, "/bytes/1001");
  future = fetch (session, "GET", url, NULL);
  assert_http_error (future, ASYNC_HTTP_ERROR_TOO_LARGE);
  async_future_unref (future);
  g_free (url);

  url = async_test_server_url (server, "/chunked/100000?chunk=100");
  future = fetch (session, "GET", url, NULL);
  assert_http_error (future, ASYNC_HTTP_ERROR_TOO_LARGE);
  async_future_unref (future);
  g_free (url);

  async_http_session_unref (session);
}

static void
test_redirect_loop (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future;
  char *url;

  url = async_test_server_url (server, "/fault/redirect-loop");
  future = fetch (session, "GET", url, NULL);
  assert_http_error (future, ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS);
  async_future_unref (future);
  g_free (url);

  async_http_session_set_max_redirects (session, 3);
  url = async_test_server_url (server, "/redirect/3");
  future = fetch (session, "GET", url, NULL);
  g_assert_true (async_future_is_resolved (future));
  async_future_unref (future);
  g_free (url);

  url = async_test_server_url (server, "/redirect/4");
  future = fetch (session, "GET", url, NULL);
  assert_http_error (future, ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS);
  async_future_unref (future);
  g_free (url);

  /* A redirect may not leave http and https either. */
  url = async_test_server_url (server, "/redirect-to?url=ftp://127.0.0.1/file");
  future = fetch (session, "GET", url, NULL);
  assert_http_error (future, ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME);
  async_future_unref (future);
  g_free (url);

  async_http_session_unref (session);
}

static void
test_invalid_utf8 (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *url = async_test_server_url (server, "/utf8-invalid");
  AsyncFuture *future = fetch (session, "GET", url, NULL);
  AsyncHttpResponse *response;
  GError *error = NULL;

  g_assert_true (async_future_is_resolved (future));
  response = async_future_get_value (future);
  g_assert_null (async_http_response_get_text (response, &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_UTF8);
  g_clear_error (&error);
  /* The bytes are still there for who wants them. */
  g_assert_cmpuint (g_bytes_get_size (async_http_response_get_body (response)), ==, 6);

  async_future_unref (future);
  g_free (url);
  async_http_session_unref (session);
}

/* The request builder and the 0.2 session calls: a critical and no
 * effect, the request and session still usable. */
static void
test_http_request_preconditions (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = async_http_request_new ("GET", "http://127.0.0.1:1/");
  GBytes *body = g_bytes_new_static ("x", 1);
  AsyncFuture *future;
  char *url;

  expect_critical ();
  g_assert_null (async_http_request_new (NULL, "http://127.0.0.1/"));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_http_session_send (session, NULL));
  g_test_assert_expected_messages ();

  expect_critical ();
  g_assert_null (async_http_session_send (NULL, request));
  g_test_assert_expected_messages ();

  expect_critical ();
  async_http_request_set_timeout (request, -1);
  g_test_assert_expected_messages ();

  expect_critical ();
  async_http_request_set_body_bytes (request, body, "text/plain\r\nX-Injected: 1");
  g_test_assert_expected_messages ();

  expect_critical ();
  async_http_request_add_query (request, "name", NULL);
  g_test_assert_expected_messages ();

  expect_critical ();
  async_http_session_set_retry (session, 0, 1, 2);
  g_test_assert_expected_messages ();

  expect_critical ();
  async_http_session_set_base_url (session, "no-scheme/path");
  g_test_assert_expected_messages ();

  expect_critical ();
  async_http_session_set_proxy (session, "http://proxy\r\n");
  g_test_assert_expected_messages ();

  /* None of that changed the request. */
  url = async_http_request_get_url (request);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:1/");
  g_free (url);

  /* A sent request is frozen. */
  future = async_http_session_send (session, request);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*was sent already*");
  async_http_request_add_query (request, "late", "1");
  g_test_assert_expected_messages ();
  test_await (future, 10);
  g_assert_nonnull (async_future_get_error (future));
  async_future_unref (future);

  /* Reading a response that was not opened. */
  url = async_test_server_url (server, "/text/x");
  future = async_http_session_get (session, url);
  test_await (future, 10);
  expect_critical ();
  g_assert_null (async_http_response_read (async_future_get_value (future)));
  g_test_assert_expected_messages ();
  async_future_unref (future);
  g_free (url);

  g_bytes_unref (body);
  async_http_request_unref (request);
  async_http_session_unref (session);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bad-input/null-arguments", test_null_arguments);
  g_test_add_func ("/bad-input/out-of-range", test_out_of_range);
  g_test_add_func ("/bad-input/future/settled-twice", test_settled_twice);
  g_test_add_func ("/bad-input/http/urls", test_bad_urls);
  g_test_add_func ("/bad-input/http/headers", test_bad_headers);
  g_test_add_func ("/bad-input/http/body-over-cap", test_body_over_cap);
  g_test_add_func ("/bad-input/http/redirect-loop", test_redirect_loop);
  g_test_add_func ("/bad-input/http/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/bad-input/http/request-preconditions", test_http_request_preconditions);

  server = async_test_server_start ();
  status = g_test_run ();
  async_test_server_stop (server);

  return status;
}
