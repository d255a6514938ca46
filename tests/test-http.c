/* test-http.c: AsyncHttpSession against the loopback fixture server:
 * responses, methods and headers, redirects and refused schemes, every error
 * code, the body cap, time-outs, cancellation, streaming, the limits,
 * connection reuse, closing, and the fetch-urls sample's output. */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <async-glib/async-glib.h>

#include "test-server-util.h"
#include "test-util.h"

#define TIMEOUT_S 30

static AsyncTestServer *server;

static char *
url_for (const char *path)
{
  return async_test_server_url (server, "%s", path);
}

/* Makes the request, waits for it, and returns its settled future. */
static AsyncFuture *
fetch_at (const char       *where,
          AsyncHttpSession *session,
          const char       *method,
          const char       *path,
          const char * const *headers,
          GBytes           *body,
          AsyncHttpRequestFlags flags)
{
  char *url = path[0] == '/' ? url_for (path) : g_strdup (path);
  AsyncFuture *future = async_http_session_request (session, method, url, headers, body, flags);

  test_await_at (where, future, TIMEOUT_S);
  g_free (url);
  return future;
}
#define fetch(session, method, path, headers, body, flags) \
  fetch_at (G_STRLOC, (session), (method), (path), (headers), (body), (flags))

/* A GET that must succeed; returns its response, a reference. */
static AsyncHttpResponse *
get_ok (AsyncHttpSession *session,
        const char       *path)
{
  AsyncFuture *future = fetch (session, "GET", path, NULL, NULL, 0);
  AsyncHttpResponse *response;
  GError *error = NULL;

  if (!async_future_propagate_error (future, &error))
    g_error ("GET %s: %s", path, error->message);
  response = async_http_response_ref (async_future_get_value (future));
  async_future_unref (future);
  return response;
}

static void
assert_fails_at (const char       *where,
                 AsyncHttpSession *session,
                 const char       *method,
                 const char       *path,
                 const char * const *headers,
                 AsyncHttpRequestFlags flags,
                 GQuark            domain,
                 gint              code)
{
  AsyncFuture *future = fetch_at (where, session, method, path, headers, NULL, flags);
  GError *error = NULL;

  g_assert_false (async_future_propagate_error (future, &error));
  if (!g_error_matches (error, domain, code))
    g_error ("%s: %s %s: expected %s %d, got %s %d: %s", where, method, path,
             g_quark_to_string (domain), code, g_quark_to_string (error->domain),
             error->code, error->message);
  g_test_message ("%s %s: %s", method, path, error->message);
  g_error_free (error);
  async_future_unref (future);
}
#define assert_fails(session, method, path, headers, flags, domain, code) \
  assert_fails_at (G_STRLOC, (session), (method), (path), (headers), (flags), (domain), (code))

static gboolean
is_pattern (GBytes *bytes,
            gsize   offset)
{
  gsize size, i;
  const char *data = g_bytes_get_data (bytes, &size);

  for (i = 0; i < size; i++)
    if (data[i] != 'a' + (char) ((offset + i) % 26))
      return FALSE;
  return TRUE;
}

/* connections=C requests=R */
static void
get_stats (AsyncHttpSession *session,
           guint            *connections,
           guint            *requests)
{
  AsyncHttpResponse *response = get_ok (session, "/stats");
  const char *text = async_http_response_get_text (response, NULL);

  g_assert_nonnull (text);
  g_assert_cmpint (sscanf (text, "connections=%u requests=%u", connections, requests), ==, 2);
  async_http_response_unref (response);
}

static void
test_get_basic (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpResponse *response = get_ok (session, "/text/Hello%20world");
  const AsyncHttpTimings *timings;
  char *url = url_for ("/text/Hello%20world");

  g_assert_cmpuint (async_http_response_get_status (response), ==, 200);
  g_assert_cmpstr (async_http_response_get_reason (response), ==, "OK");
  g_assert_cmpstr (async_http_response_get_text (response, NULL), ==, "Hello world");
  g_assert_cmpstr (async_http_response_get_http_version (response), ==, "1.1");
  g_assert_cmpstr (async_http_response_get_url (response), ==, url);
  g_assert_cmpstr (async_http_response_get_header (response, "content-type"), ==,
                   "text/plain; charset=utf-8");
  g_assert_cmpstr (async_http_response_get_header (response, "CONTENT-LENGTH"), ==, "11");
  g_assert_null (async_http_response_get_header (response, "X-Not-There"));
  g_assert_cmpuint (async_http_response_get_n_headers (response), >=, 2);

  timings = async_http_response_get_timings (response);
  g_assert_cmpfloat (timings->total, >, 0);
  g_assert_cmpfloat (timings->first_byte, <=, timings->total);
  g_assert_cmpfloat (timings->connect, <=, timings->first_byte);
  g_assert_cmpfloat (timings->tls, ==, 0);

  g_free (url);
  async_http_response_unref (response);
  async_http_session_unref (session);
}

static void
test_get_one_call (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *url = url_for ("/bytes/1024");
  AsyncFuture *future = async_http_session_get (session, url);
  AsyncHttpResponse *response;

  test_await (future, TIMEOUT_S);
  response = async_future_get_value (future);
  g_assert_nonnull (response);
  g_assert_cmpuint (g_bytes_get_size (async_http_response_get_body (response)), ==, 1024);
  g_assert_true (is_pattern (async_http_response_get_body (response), 0));

  async_future_unref (future);
  g_free (url);
  async_http_session_unref (session);
}

static void
test_get_large_and_chunked (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpResponse *response;

  response = get_ok (session, "/bytes/3000000");
  g_assert_cmpuint (g_bytes_get_size (async_http_response_get_body (response)), ==, 3000000);
  g_assert_true (is_pattern (async_http_response_get_body (response), 0));
  async_http_response_unref (response);

  response = get_ok (session, "/chunked/100000?chunk=777");
  g_assert_cmpuint (g_bytes_get_size (async_http_response_get_body (response)), ==, 100000);
  g_assert_true (is_pattern (async_http_response_get_body (response), 0));
  g_assert_null (async_http_response_get_header (response, "Content-Length"));
  async_http_response_unref (response);

  async_http_session_unref (session);
}

static void
test_methods (void)
{
  const char *methods[] = { "POST", "PUT", "PATCH", "DELETE" };
  AsyncHttpSession *session = async_http_session_new ();
  GBytes *body = g_bytes_new_static ("name=value", 10);
  AsyncFuture *future;
  AsyncHttpResponse *response;
  guint i;

  future = fetch (session, "HEAD", "/bytes/100", NULL, NULL, 0);
  response = async_future_get_value (future);
  g_assert_cmpuint (async_http_response_get_status (response), ==, 200);
  g_assert_cmpstr (async_http_response_get_header (response, "Content-Length"), ==, "100");
  g_assert_cmpuint (g_bytes_get_size (async_http_response_get_body (response)), ==, 0);
  async_future_unref (future);

  for (i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      char *first_line = g_strdup_printf ("%s /echo\n", methods[i]);
      const char *text;

      future = fetch (session, methods[i], "/echo", NULL, body, 0);
      response = async_future_get_value (future);
      g_assert_nonnull (response);
      text = async_http_response_get_text (response, NULL);
      g_assert_true (g_str_has_prefix (text, first_line));
      g_assert_true (g_str_has_suffix (text, "\n\nname=value"));
      g_assert_nonnull (strstr (text, "Content-Length: 10\n"));
      g_assert_null (strstr (text, "Expect"));
      g_free (first_line);
      async_future_unref (future);
    }

  /* A POST without a body is still a POST, of zero bytes. */
  future = fetch (session, "post", "/echo", NULL, NULL, 0);
  response = async_future_get_value (future);
  g_assert_true (g_str_has_prefix (async_http_response_get_text (response, NULL), "POST /echo\n"));
  async_future_unref (future);

  g_bytes_unref (body);
  async_http_session_unref (session);
}

static void
test_request_headers (void)
{
  const char *headers[] = { "X-Custom: one", "X-Other: two", "Accept:", NULL };
  AsyncHttpSession *session = async_http_session_new ();
  GError *error = NULL;
  AsyncFuture *future;
  const char *text;

  g_assert_true (async_http_session_add_default_header (session, "X-Default", "yes", &error));
  g_assert_no_error (error);
  g_assert_false (async_http_session_add_default_header (session, "X-Bad", "a\r\nX-Injected: 1", &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  g_clear_error (&error);
  g_assert_false (async_http_session_add_default_header (session, "Bad Name", "x", &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  g_clear_error (&error);
  async_http_session_set_user_agent (session, "test-http/1");

  future = fetch (session, "GET", "/echo", headers, NULL, 0);
  text = async_http_response_get_text (async_future_get_value (future), NULL);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "X-Custom: one\n"));
  g_assert_nonnull (strstr (text, "X-Other: two\n"));
  g_assert_nonnull (strstr (text, "X-Default: yes\n"));
  g_assert_nonnull (strstr (text, "User-Agent: test-http/1\n"));
  g_assert_null (strstr (text, "Accept:"));
  g_assert_null (strstr (text, "X-Injected"));
  async_future_unref (future);

  async_http_session_unref (session);
}

static void
test_invalid_headers_refused (void)
{
  const char *crlf[] = { "X-A: b\r\nX-Injected: c", NULL };
  const char *no_colon[] = { "X-A b", NULL };
  const char *bad_name[] = { "X A: b", NULL };
  AsyncHttpSession *session = async_http_session_new ();
  guint connections_before, connections_after, requests_before, requests_after;

  get_stats (session, &connections_before, &requests_before);
  assert_fails (session, "GET", "/echo", crlf, 0, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  assert_fails (session, "GET", "/echo", no_colon, 0, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  assert_fails (session, "GET", "/echo", bad_name, 0, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  assert_fails (session, "GET /x HTTP/1.1\r\n", "/echo", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  get_stats (session, &connections_after, &requests_after);
  /* Nothing was sent: the only new request is the second /stats. */
  g_assert_cmpuint (requests_after, ==, requests_before + 1);

  async_http_session_unref (session);
}

static void
test_response_headers_repeated (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpResponse *response = get_ok (session, "/headers");
  GStrv cookies = async_http_response_get_header_all (response, "set-cookie");
  GStrv none = async_http_response_get_header_all (response, "X-None");
  const char *name, *value;
  guint i, n_cookies = 0;

  g_assert_cmpuint (g_strv_length (cookies), >=, 2);
  g_assert_cmpstr (cookies[0], !=, cookies[1]);
  g_assert_cmpstr (async_http_response_get_header (response, "Set-Cookie"), ==, cookies[0]);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  for (i = 0; async_http_response_get_nth_header (response, i, &name, &value); i++)
    if (g_ascii_strcasecmp (name, "set-cookie") == 0)
      g_assert_cmpstr (value, ==, cookies[n_cookies++]);
  g_assert_cmpuint (n_cookies, ==, g_strv_length (cookies));
  g_assert_cmpuint (i, ==, async_http_response_get_n_headers (response));

  g_strfreev (cookies);
  g_strfreev (none);
  async_http_response_unref (response);
  async_http_session_unref (session);
}

static void
test_text_invalid_utf8 (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpResponse *response = get_ok (session, "/utf8-invalid");
  GError *error = NULL;

  g_assert_null (async_http_response_get_text (response, &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_UTF8);
  g_clear_error (&error);
  g_assert_cmpuint (g_bytes_get_size (async_http_response_get_body (response)), >, 0);

  async_http_response_unref (response);
  async_http_session_unref (session);
}

static void
test_redirects (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpResponse *response = get_ok (session, "/redirect/3");
  char *final_url = url_for ("/redirect/0");
  AsyncFuture *future;

  g_assert_cmpuint (async_http_response_get_status (response), ==, 200);
  g_assert_cmpstr (async_http_response_get_url (response), ==, final_url);
  g_assert_cmpstr (async_http_response_get_text (response, NULL), ==, "redirected");
  g_assert_cmpfloat (async_http_response_get_timings (response)->redirect, >, 0);
  async_http_response_unref (response);

  future = fetch (session, "GET", "/redirect/1", NULL, NULL, ASYNC_HTTP_REQUEST_NO_REDIRECTS);
  response = async_future_get_value (future);
  g_assert_cmpuint (async_http_response_get_status (response), ==, 302);
  g_assert_cmpstr (async_http_response_get_header (response, "Location"), ==, "/redirect/0");
  async_future_unref (future);

  assert_fails (session, "GET", "/redirect/11", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS);
  assert_fails (session, "GET", "/fault/redirect-loop", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS);
  async_http_session_set_max_redirects (session, 2);
  assert_fails (session, "GET", "/redirect/3", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS);
  response = get_ok (session, "/redirect/2");
  async_http_response_unref (response);

  g_free (final_url);
  async_http_session_unref (session);
}

static void
test_schemes_refused (void)
{
  AsyncHttpSession *session = async_http_session_new ();

  assert_fails (session, "GET", "file:///etc/passwd", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME);
  assert_fails (session, "GET", "ftp://127.0.0.1/", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME);
  assert_fails (session, "GET", "gopher://127.0.0.1/", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME);
  assert_fails (session, "GET", "/redirect-to?url=file:///etc/passwd", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME);
  assert_fails (session, "GET", "/redirect-to?url=ftp://127.0.0.1/x&status=301", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME);
  assert_fails (session, "GET", "http://", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_URL);
  assert_fails (session, "GET", "no scheme at all", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_URL);

  async_http_session_unref (session);
}

/* A port nothing listens on: bound, then closed. */
static guint
closed_port (void)
{
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
  GSocketAddress *bound;
  guint port;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (address);
  g_object_unref (loopback);
  g_object_unref (socket);
  return port;
}

static void
test_errors_network (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *refused = g_strdup_printf ("http://127.0.0.1:%u/", closed_port ());
  char *tls = g_strdup_printf ("https://127.0.0.1:%u/bytes/10",
                               async_test_server_get_port (server));

  assert_fails (session, "GET", refused, NULL, 0, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CONNECT);
  assert_fails (session, "GET", "http://no-such-host.invalid/", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_RESOLVE);
  /* A plain-HTTP server does not answer a TLS handshake. */
  assert_fails (session, "GET", tls, NULL, 0, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TLS);

  g_free (tls);
  g_free (refused);
  async_http_session_unref (session);
}

/* Accepts one connection and resets it without reading a byte. */
static gpointer
reset_one_connection (gpointer data)
{
  GSocket *listener = data;
  GSocket *client = g_socket_accept (listener, NULL, NULL);
  struct linger reset = { 1, 0 };
  char buffer[4096];

  if (client != NULL)
    {
      /* Read the start of the request first, so that the reset lands while
       * the client is sending its body and not, on a slow run (valgrind),
       * before it has seen its connect complete. */
      g_socket_set_timeout (client, TIMEOUT_S);
      g_socket_receive (client, buffer, sizeof buffer, NULL, NULL);
      setsockopt (g_socket_get_fd (client), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      g_object_unref (client);
    }
  return NULL;
}

static void
test_errors_send_no_sigpipe (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  GSocket *listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                    G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
  GSocketAddress *bound;
  gsize size = 16 * 1024 * 1024;
  GBytes *body = g_bytes_new_take (g_malloc0 (size), size);
  AsyncFuture *future;
  const GError *error;
  GThread *thread;
  char *url;

  /* A write to a reset connection must be an error, not SIGPIPE's death. */
  signal (SIGPIPE, SIG_DFL);
  g_assert_true (g_socket_bind (listener, address, TRUE, NULL));
  g_assert_true (g_socket_listen (listener, NULL));
  g_socket_set_timeout (listener, TIMEOUT_S);
  bound = g_socket_get_local_address (listener, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u/upload",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  thread = g_thread_new ("reset", reset_one_connection, listener);

  future = async_http_session_request (session, "POST", url, NULL, body, 0);
  test_await (future, TIMEOUT_S);
  error = async_future_get_error (future);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_error_matches (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_SEND)
                 || g_error_matches (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_PROTOCOL));

  g_thread_join (thread);
  async_future_unref (future);
  g_free (url);
  g_object_unref (bound);
  g_object_unref (address);
  g_object_unref (loopback);
  g_object_unref (listener);
  g_bytes_unref (body);
  async_http_session_unref (session);
}

static void
test_errors_protocol (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  const char *faults[] = {
    "/fault/bad-status-line", "/fault/wrong-length", "/fault/bad-chunked",
    "/fault/close-mid-body", "/drop/10000", "/fault/reset-before-headers",
    "/fault/reset-mid-headers", "/fault/reset-after-headers",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      AsyncFuture *future = fetch (session, "GET", faults[i], NULL, NULL, 0);
      const GError *error = async_future_get_error (future);

      g_assert_nonnull (error);
      g_test_message ("%s: %s", faults[i], error->message);
      g_assert_error ((GError *) error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_PROTOCOL);
      /* The message names the URL and says what curl saw. */
      g_assert_nonnull (strstr (error->message, faults[i]));
      g_assert_cmpuint (strlen (error->message), >, strlen (faults[i]) + 30);
      async_future_unref (future);
    }

  async_http_session_unref (session);
}

static void
test_errors_status (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future;

  future = fetch (session, "GET", "/status/404", NULL, NULL, 0);
  g_assert_cmpuint (async_http_response_get_status (async_future_get_value (future)), ==, 404);
  async_future_unref (future);

  future = fetch (session, "GET", "/fault/5xx", NULL, NULL, 0);
  g_assert_cmpuint (async_http_response_get_status (async_future_get_value (future)), ==, 503);
  async_future_unref (future);

  assert_fails (session, "GET", "/status/404", NULL, ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_STATUS);
  assert_fails (session, "GET", "/status/500", NULL, ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_STATUS);

  future = fetch (session, "GET", "/status/204", NULL, NULL, ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS);
  g_assert_cmpuint (async_http_response_get_status (async_future_get_value (future)), ==, 204);
  async_future_unref (future);

  async_http_session_unref (session);
}

static void
test_body_cap (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpResponse *response;
  AsyncFuture *future;

  async_http_session_set_max_body_size (session, 1000);
  /* Announced too large, refused from the Content-Length. */
  assert_fails (session, "GET", "/bytes/100000", NULL, 0, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_LARGE);
  /* Unannounced, stopped as it arrives. */
  assert_fails (session, "GET", "/chunked/100000?chunk=100", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_LARGE);
  assert_fails (session, "GET", "/chunked/1001?chunk=100", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_LARGE);

  response = get_ok (session, "/chunked/1000?chunk=100");
  g_assert_cmpuint (g_bytes_get_size (async_http_response_get_body (response)), ==, 1000);
  async_http_response_unref (response);
  response = get_ok (session, "/bytes/1000");
  async_http_response_unref (response);

  /* HEAD announces the length without sending the body: no cap applies. */
  future = fetch (session, "HEAD", "/bytes/100000", NULL, NULL, 0);
  g_assert_cmpuint (async_http_response_get_status (async_future_get_value (future)), ==, 200);
  async_future_unref (future);

  async_http_session_unref (session);
}

static void
test_timeouts (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  gint64 start;

  async_http_session_set_timeout (session, 0.3);
  start = g_get_monotonic_time ();
  assert_fails (session, "GET", "/delay/5000", NULL, 0, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TIMED_OUT);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.25);
  g_assert_cmpfloat (test_elapsed (start), <, 4);

  async_http_session_set_timeout (session, 0);
  async_http_session_set_low_speed (session, 100, 1);
  start = g_get_monotonic_time ();
  assert_fails (session, "GET", "/trickle/100?interval=200", NULL, 0,
                ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TIMED_OUT);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.9);
  g_assert_cmpfloat (test_elapsed (start), <, 10);

  start = g_get_monotonic_time ();
  assert_fails (session, "GET", "/fault/stall", NULL, 0, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TIMED_OUT);
  g_assert_cmpfloat (test_elapsed (start), <, 10);

  async_http_session_unref (session);
}

/* A listener whose accept queue is full and never drained: the kernel
 * drops further SYNs, so connecting to it hangs. */
static void
test_connect_timeout (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  GSocket *listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                    G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
  GSocketAddress *bound;
  GPtrArray *fillers = g_ptr_array_new_with_free_func (g_object_unref);
  char *url;
  gint64 start;
  guint i;

  g_assert_true (g_socket_bind (listener, address, TRUE, NULL));
  g_socket_set_listen_backlog (listener, 0);
  g_assert_true (g_socket_listen (listener, NULL));
  bound = g_socket_get_local_address (listener, NULL);
  for (i = 0; i < 4; i++)
    {
      GSocket *filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL);

      g_socket_set_blocking (filler, FALSE);
      g_socket_connect (filler, bound, NULL, NULL);
      g_ptr_array_add (fillers, filler);
    }
  url = g_strdup_printf ("http://127.0.0.1:%u/",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  async_http_session_set_connect_timeout (session, 0.3);
  start = g_get_monotonic_time ();
  assert_fails (session, "GET", url, NULL, 0, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TIMED_OUT);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.25);
  g_assert_cmpfloat (test_elapsed (start), <, 5);

  g_free (url);
  g_ptr_array_unref (fillers);
  g_object_unref (bound);
  g_object_unref (address);
  g_object_unref (loopback);
  g_object_unref (listener);
  async_http_session_unref (session);
}

static void
test_cancel_mid_transfer (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *url = url_for ("/trickle/10000?interval=10");
  guint connections_before, connections_after, requests;
  AsyncHttpResponse *response;
  AsyncFuture *future;
  gint64 start;

  async_http_session_set_limit (session, 1);
  get_stats (session, &connections_before, &requests);

  future = async_http_session_get (session, url);
  test_iterate_for (0.2);
  g_assert_true (async_future_is_pending (future));
  g_assert_true (async_future_cancel (future));
  g_assert_true (async_future_is_cancelled (future));

  /* The only worker is free again at once, not at the end of the 100 s
   * trickle, and the cancelled transfer's connection was closed, so that
   * the next request needs a new one. */
  start = g_get_monotonic_time ();
  get_stats (session, &connections_after, &requests);
  g_assert_cmpfloat (test_elapsed (start), <, 2);
  g_assert_cmpuint (connections_after, ==, connections_before + 1);

  response = get_ok (session, "/bytes/10");
  async_http_response_unref (response);

  async_future_unref (future);
  g_free (url);
  async_http_session_unref (session);
}

static void
test_cancel_queued (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *slow = url_for ("/delay/300");
  char *queued_url = url_for ("/text/queued-never-sent");
  guint connections, requests_before, requests_after;
  AsyncFuture *first, *queued;

  async_http_session_set_limit (session, 1);
  get_stats (session, &connections, &requests_before);
  first = async_http_session_get (session, slow);
  queued = async_http_session_get (session, queued_url);
  g_assert_true (async_future_cancel (queued));
  g_assert_true (async_future_is_cancelled (queued));
  test_await (first, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (first));

  get_stats (session, &connections, &requests_after);
  /* /delay/300 and the second /stats: the cancelled one never went out. */
  g_assert_cmpuint (requests_after, ==, requests_before + 2);

  async_future_unref (first);
  async_future_unref (queued);
  g_free (slow);
  g_free (queued_url);
  async_http_session_unref (session);
}

/* Ten requests of 200 ms each, the session's limit given. */
static double
time_ten_delays (guint limit)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *futures[10];
  AsyncFuture *all;
  gint64 start;
  guint i;

  async_http_session_set_limit (session, limit);
  start = g_get_monotonic_time ();
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      char *url = async_test_server_url (server, "/delay/200?n=%u", i);

      futures[i] = async_http_session_get (session, url);
      g_free (url);
    }
  all = async_gather_array (ASYNC_GATHER_DEFAULT, futures, G_N_ELEMENTS (futures));
  test_await (all, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (all));

  async_future_unref (all);
  async_http_session_unref (session);
  return test_elapsed (start);
}

static void
test_concurrency_bounded (void)
{
  double ten = time_ten_delays (10);
  double two = time_ten_delays (2);

  g_test_message ("10 × 200 ms: %.3f s with 10 jobs, %.3f s with 2", ten, two);
  g_assert_cmpfloat (ten, >=, 0.19);
  g_assert_cmpfloat (ten, <, 0.9);
  g_assert_cmpfloat (two, >=, 0.95);
  g_assert_cmpfloat (two, <, 5);
}

static void
test_results_in_order (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *futures[12];
  AsyncFuture *all;
  guint i;

  /* The later the URL, the sooner it answers. */
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      char *url = async_test_server_url (server, "/text/%u?delay=%u", i,
                                         (guint) (G_N_ELEMENTS (futures) - i) * 20);

      futures[i] = async_http_session_get (session, url);
      g_free (url);
    }
  all = async_gather_array (ASYNC_GATHER_DEFAULT, futures, G_N_ELEMENTS (futures));
  test_await (all, TIMEOUT_S);

  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      AsyncHttpResponse *response = async_future_get_value (async_gather_get_result (all, i));
      char *expected = g_strdup_printf ("%u", i);

      g_assert_cmpstr (async_http_response_get_text (response, NULL), ==, expected);
      g_free (expected);
    }

  async_future_unref (all);
  async_http_session_unref (session);
}

static void
test_connections_reused (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  guint connections_before, connections_after, requests_before, requests_after;
  AsyncFuture *futures[40];
  AsyncFuture *all;
  guint i;

  async_http_session_set_limit (session, 4);
  get_stats (session, &connections_before, &requests_before);
  for (i = 0; i < 30; i++)
    {
      AsyncHttpResponse *response = get_ok (session, "/bytes/100");

      async_http_response_unref (response);
    }
  get_stats (session, &connections_after, &requests_after);
  g_test_message ("30 sequential requests: %u new connections",
                  connections_after - connections_before);
  g_assert_cmpuint (requests_after - requests_before, ==, 31);
  /* Sequential requests take the warmest handle: one connection. */
  g_assert_cmpuint (connections_after - connections_before, <=, 1);

  /* Concurrent ones: never more connections than the pool has threads. */
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      char *url = async_test_server_url (server, "/bytes/%u?delay=5", 100 + i);

      futures[i] = async_http_session_get (session, url);
      g_free (url);
    }
  all = async_gather_array (ASYNC_GATHER_DEFAULT, futures, G_N_ELEMENTS (futures));
  test_await (all, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (all));
  async_future_unref (all);
  connections_before = connections_after;
  get_stats (session, &connections_after, &requests_after);
  g_test_message ("40 concurrent requests, limit 4: %u new connections",
                  connections_after - connections_before);
  g_assert_cmpuint (connections_after - connections_before, <=, 4);

  async_http_session_unref (session);
}

typedef struct
{
  GThread *thread;
  gsize    n_bytes;
  guint    n_chunks;
  gboolean in_order;
  gboolean after_settle;
  gint     n_destroyed;
  AsyncFuture *future;
} StreamRecord;

static void
on_chunk (GBytes   *chunk,
          gpointer  user_data)
{
  StreamRecord *record = user_data;

  if (g_thread_self () != record->thread)
    record->thread = NULL;
  if (!is_pattern (chunk, record->n_bytes))
    record->in_order = FALSE;
  if (record->future != NULL && !async_future_is_pending (record->future))
    record->after_settle = TRUE;
  g_assert_cmpuint (g_bytes_get_size (chunk), >, 0);
  record->n_bytes += g_bytes_get_size (chunk);
  record->n_chunks++;
}

static void
count_destroy_into (gpointer user_data)
{
  StreamRecord *record = user_data;

  record->n_destroyed++;
}

static void
test_streaming (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  StreamRecord record = { g_thread_self (), 0, 0, TRUE, FALSE, 0, NULL };
  char *url = url_for ("/chunked/3000000?chunk=10000");
  AsyncHttpResponse *response;
  AsyncFuture *future;

  /* The cap bounds streamed bodies too: lift it for a 3 MB download. */
  async_http_session_set_max_body_size (session, 0);
  future = async_http_session_request_stream (session, "GET", url, NULL, NULL, 0,
                                              on_chunk, &record, count_destroy_into);
  record.future = future;
  g_assert_cmpint (record.n_destroyed, ==, 0);
  test_await (future, TIMEOUT_S);

  response = async_future_get_value (future);
  g_assert_nonnull (response);
  g_assert_cmpuint (async_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (g_bytes_get_size (async_http_response_get_body (response)), ==, 0);
  g_assert_cmpuint (record.n_bytes, ==, 3000000);
  g_assert_cmpuint (record.n_chunks, >, 1);
  g_assert_true (record.thread == g_thread_self ());
  g_assert_true (record.in_order);
  g_assert_false (record.after_settle);
  g_assert_cmpint (record.n_destroyed, ==, 1);

  async_future_unref (future);
  g_free (url);
  async_http_session_unref (session);
}

static void
test_streaming_cancel (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  StreamRecord record = { g_thread_self (), 0, 0, TRUE, FALSE, 0, NULL };
  char *url = url_for ("/trickle/100000?interval=5");
  AsyncFuture *future;
  gsize n_at_cancel;
  gint64 start;

  future = async_http_session_request_stream (session, "GET", url, NULL, NULL, 0,
                                              on_chunk, &record, count_destroy_into);
  start = g_get_monotonic_time ();
  while (record.n_bytes < 5)
    {
      g_assert_cmpfloat (test_elapsed (start), <, TIMEOUT_S);
      test_iterate_for (0.02);
    }
  async_future_cancel (future);
  g_assert_true (async_future_is_cancelled (future));
  n_at_cancel = record.n_bytes;
  test_spin_until (&record.n_destroyed, TIMEOUT_S);
  /* No chunk after the cancellation, and the data was freed once. */
  g_assert_cmpuint (record.n_bytes, ==, n_at_cancel);
  g_assert_cmpint (record.n_destroyed, ==, 1);

  async_future_unref (future);
  g_free (url);
  async_http_session_unref (session);
}

static void
test_limit_per_host (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *futures[6];
  AsyncFuture *all, *other;
  char *other_url;
  double other_seconds = 0;
  gint64 start;
  guint i;

  /* Three workers: two for the first host, and the waiting requests must
   * leave the third free. */
  async_http_session_set_limit (session, 3);
  async_http_session_set_limit_per_host (session, 2);
  start = g_get_monotonic_time ();
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      char *url = async_test_server_url (server, "/delay/200?n=%u", i);

      futures[i] = async_http_session_get (session, url);
      g_free (url);
    }
  /* Another host (by name) is not held up by the first one's waiting
   * requests: they wait outside the pool. */
  other_url = g_strdup_printf ("http://localhost:%u/delay/10", async_test_server_get_port (server));
  other = async_http_session_get (session, other_url);
  test_await (other, TIMEOUT_S);
  other_seconds = test_elapsed (start);
  g_assert_true (async_future_is_resolved (other));

  all = async_gather_array (ASYNC_GATHER_DEFAULT, futures, G_N_ELEMENTS (futures));
  test_await (all, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (all));
  g_test_message ("6 × 200 ms at 2 per host: %.3f s; another host: %.3f s",
                  test_elapsed (start), other_seconds);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.55);
  g_assert_cmpfloat (other_seconds, <, 0.5);

  async_future_unref (all);
  async_future_unref (other);
  g_free (other_url);
  async_http_session_unref (session);
}

static void
test_limit_per_host_cancel_waiting (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *url = url_for ("/delay/100");
  AsyncFuture *first, *waiting, *after;

  async_http_session_set_limit_per_host (session, 1);
  first = async_http_session_get (session, url);
  waiting = async_http_session_get (session, url);
  after = async_http_session_get (session, url);
  g_assert_true (async_future_cancel (waiting));
  g_assert_true (async_future_is_cancelled (waiting));
  test_await (after, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (first));
  g_assert_true (async_future_is_resolved (after));

  async_future_unref (first);
  async_future_unref (waiting);
  async_future_unref (after);
  g_free (url);
  async_http_session_unref (session);
}

static void
test_close (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *url = url_for ("/delay/10000");
  AsyncFuture *futures[3];
  AsyncFuture *late;
  gint64 start;
  guint i;

  async_http_session_set_limit (session, 2);
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = async_http_session_get (session, url);
  test_iterate_for (0.1);

  start = g_get_monotonic_time ();
  async_http_session_close (session);
  g_assert_cmpfloat (test_elapsed (start), <, 2);
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      g_assert_true (async_future_is_cancelled (futures[i]));
      async_future_unref (futures[i]);
    }

  late = async_http_session_get (session, url);
  test_await (late, TIMEOUT_S);
  g_assert_true (g_error_matches (async_future_get_error (late),
                                  ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CLOSED));
  async_future_unref (late);
  async_http_session_close (session);

  g_free (url);
  async_http_session_unref (session);
}

static void
cancel_future (AsyncFuture *future,
               gpointer     user_data)
{
  async_future_cancel (user_data);
}

/* Many requests at once, some answered with faults, some cancelled while
 * queued or running: every one settles with an outcome that fits. */
static void
test_soak_random_faults (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *futures[300];
  AsyncFuture *all;
  guint i, n_ok = 0, n_failed = 0, n_cancelled = 0;

  async_http_session_set_limit (session, 16);
  async_http_session_set_limit_per_host (session, 12);
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      char *url = async_test_server_url (server, "/fault/random?i=%u", i);

      futures[i] = async_http_session_get (session, url);
      if (i % 7 == 3)
        {
          AsyncFuture *timer = async_sleep ((i % 5) * 0.002);

          async_future_then (timer, cancel_future, async_future_ref (futures[i]),
                             (GDestroyNotify) async_future_unref);
          async_future_unref (timer);
        }
      g_free (url);
    }
  all = async_gather_array (ASYNC_GATHER_RETURN_EXCEPTIONS, futures, G_N_ELEMENTS (futures));
  test_await (all, TIMEOUT_S);

  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      AsyncFuture *result = async_gather_get_result (all, i);
      const GError *error = async_future_get_error (result);

      if (async_future_is_cancelled (result))
        {
          g_assert_cmpuint (i % 7, ==, 3);
          n_cancelled++;
        }
      else if (error != NULL)
        {
          g_assert_true (error->domain == ASYNC_HTTP_ERROR);
          g_assert_true (error->code == ASYNC_HTTP_ERROR_PROTOCOL
                         || error->code == ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS);
          n_failed++;
        }
      else
        {
          AsyncHttpResponse *response = async_future_get_value (result);
          guint status = async_http_response_get_status (response);

          g_assert_true (status == 200 || status == 503);
          if (status == 200)
            {
              char *expected = g_strdup_printf ("ok %u", i);

              g_assert_cmpstr (async_http_response_get_text (response, NULL), ==, expected);
              g_free (expected);
            }
          n_ok++;
        }
    }
  g_test_message ("%u answered, %u failed, %u cancelled", n_ok, n_failed, n_cancelled);
  g_assert_cmpuint (n_failed, >, 0);
  g_assert_cmpuint (n_ok, >, G_N_ELEMENTS (futures) / 2);

  async_future_unref (all);
  async_http_session_unref (session);
}

/* async_run () with a coroutine that gathers three GETs, as the tutorial's
 * task 3 does, plus one request nobody awaits, which the run still ends. */
typedef struct
{
  AsyncHttpSession *session;
  char             *urls[3];
  char             *texts[3];
  AsyncFuture      *forgotten;
} SeedFrame;

static void
seed_frame_free (gpointer data)
{
  SeedFrame *frame = data;
  guint i;

  for (i = 0; i < 3; i++)
    {
      g_free (frame->urls[i]);
      g_free (frame->texts[i]);
    }
  async_http_session_unref (frame->session);
}

static void
seed_main (AsyncCoroutine *co,
           gpointer        data)
{
  SeedFrame *frame = data;
  AsyncFuture *all;
  guint i;

  ASYNC_BEGIN (co);
  frame->forgotten = async_http_session_get (frame->session, frame->urls[2]);
  ASYNC_AWAIT (co, async_gather (async_http_session_get (frame->session, frame->urls[0]),
                                 async_http_session_get (frame->session, frame->urls[1]),
                                 NULL));
  all = async_coroutine_get_awaited (co);
  for (i = 0; i < 2; i++)
    {
      AsyncHttpResponse *response = async_future_get_value (async_gather_get_result (all, i));

      frame->texts[i] = g_strdup (async_http_response_get_text (response, NULL));
    }
  ASYNC_END (co);
}

static void
test_async_run (void)
{
  SeedFrame frame = { async_http_session_new (), { NULL }, { NULL }, NULL };
  AsyncFuture *result;

  frame.urls[0] = url_for ("/text/first?delay=100");
  frame.urls[1] = url_for ("/text/second");
  frame.urls[2] = url_for ("/delay/300");
  result = async_run_coroutine (seed_main, &frame, NULL);
  g_assert_true (async_future_is_resolved (result));
  g_assert_cmpstr (frame.texts[0], ==, "first");
  g_assert_cmpstr (frame.texts[1], ==, "second");
  /* async_run () waited for the request nobody awaited. */
  g_assert_false (async_future_is_pending (frame.forgotten));

  async_future_unref (frame.forgotten);
  async_future_unref (result);
  seed_frame_free (&frame);
}

/* fetch-urls, the tutorial's task 3 as a tool */

static char *
fetch_urls_path (void)
{
  const char *dir = g_getenv ("ASYNC_SAMPLES_DIR");

  if (dir != NULL)
    return g_build_filename (dir, "fetch-urls", NULL);
  return g_test_build_filename (G_TEST_BUILT, "..", "samples", "fetch-urls", NULL);
}

static int
run_fetch_urls (const char * const *args,
                const char         *input,
                char              **out,
                char              **err)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  GSubprocess *process;
  GError *error = NULL;
  GBytes *stdin_bytes = g_bytes_new (input, input != NULL ? strlen (input) : 0);
  GBytes *stdout_bytes = NULL, *stderr_bytes = NULL;
  int status;

  g_ptr_array_add (argv, fetch_urls_path ());
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, stdin_bytes, NULL, &stdout_bytes, &stderr_bytes, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  status = g_subprocess_get_exit_status (process);

  *out = g_strdup_printf ("%.*s", (int) g_bytes_get_size (stdout_bytes),
                          (const char *) g_bytes_get_data (stdout_bytes, NULL));
  *err = g_strdup_printf ("%.*s", (int) g_bytes_get_size (stderr_bytes),
                          (const char *) g_bytes_get_data (stderr_bytes, NULL));
  g_test_message ("fetch-urls exited %d; stderr: %s", status, *err);

  g_bytes_unref (stdin_bytes);
  g_bytes_unref (stdout_bytes);
  g_bytes_unref (stderr_bytes);
  g_object_unref (process);
  g_ptr_array_unref (argv);
  return status;
}

static void
test_fetch_urls_output (void)
{
  char *a = url_for ("/text/alpha?delay=200");
  char *b = url_for ("/text/beta");
  char *c = url_for ("/text/gamma%0A");
  const char *args[] = { a, b, c, NULL };
  char *out, *err;

  g_assert_cmpint (run_fetch_urls (args, NULL, &out, &err), ==, 0);
  /* In the order given though alpha is the slowest; a newline is added
   * after a body without one. */
  g_assert_cmpstr (out, ==, "alpha\nbeta\ngamma\n");
  g_assert_cmpstr (err, ==, "");

  g_free (out);
  g_free (err);
  g_free (a);
  g_free (b);
  g_free (c);
}

static void
test_fetch_urls_input_and_summary (void)
{
  char *a = url_for ("/text/hidden%20body");
  char *b = url_for ("/bytes/100");
  char *input = g_strdup_printf ("%s\n\n%s\n", a, b);
  const char *args[] = { "--quiet", "--summary", "-j", "1", "-i", "-", NULL };
  char *out, *err;

  g_assert_cmpint (run_fetch_urls (args, input, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, a));
  g_assert_nonnull (strstr (out, b));
  g_assert_nonnull (strstr (out, "200"));
  g_assert_nonnull (strstr (out, " 100 "));
  g_assert_null (strstr (out, "hidden body"));
  g_assert_true (strstr (out, a) < strstr (out, b));

  g_free (out);
  g_free (err);
  g_free (input);
  g_free (a);
  g_free (b);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (; *text != '\0'; text++)
    n += *text == '\n';
  return n;
}

static void
test_fetch_urls_failure (void)
{
  char *good = url_for ("/text/fine");
  char *refused = g_strdup_printf ("http://127.0.0.1:%u/", closed_port ());
  const char *args[] = { refused, good, "file:///etc/passwd", NULL };
  char *expected_line = g_strdup_printf ("fetch-urls: %s: ", refused);
  char *out, *err;

  g_assert_cmpint (run_fetch_urls (args, NULL, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "fine\n");
  g_assert_true (g_str_has_prefix (err, expected_line));
  g_assert_nonnull (strstr (err, "fetch-urls: file:///etc/passwd: "));
  /* One line per failure, nothing else. */
  g_assert_cmpuint (count_lines (err), ==, 2);

  g_free (out);
  g_free (err);
  g_free (expected_line);
  g_free (refused);
  g_free (good);
}

static void
test_fetch_urls_usage (void)
{
  const char *no_urls[] = { NULL };
  const char *bad_option[] = { "--no-such-option", NULL };
  const char *bad_jobs[] = { "-j", "0", "http://127.0.0.1/", NULL };
  const char *missing_file[] = { "-i", "/nonexistent/urls.txt", NULL };
  char *out, *err;

  g_assert_cmpint (run_fetch_urls (no_urls, NULL, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "fetch-urls"));
  g_free (out);
  g_free (err);
  g_assert_cmpint (run_fetch_urls (bad_option, NULL, &out, &err), ==, 2);
  g_free (out);
  g_free (err);
  g_assert_cmpint (run_fetch_urls (bad_jobs, NULL, &out, &err), ==, 2);
  g_free (out);
  g_free (err);
  g_assert_cmpint (run_fetch_urls (missing_file, NULL, &out, &err), ==, 2);
  g_free (out);
  g_free (err);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/get/basic", test_get_basic);
  g_test_add_func ("/http/get/one-call", test_get_one_call);
  g_test_add_func ("/http/get/large-and-chunked", test_get_large_and_chunked);
  g_test_add_func ("/http/methods", test_methods);
  g_test_add_func ("/http/headers/request", test_request_headers);
  g_test_add_func ("/http/headers/invalid-refused", test_invalid_headers_refused);
  g_test_add_func ("/http/headers/response-repeated", test_response_headers_repeated);
  g_test_add_func ("/http/text/invalid-utf8", test_text_invalid_utf8);
  g_test_add_func ("/http/redirect/follow-and-limit", test_redirects);
  g_test_add_func ("/http/redirect/schemes-refused", test_schemes_refused);
  g_test_add_func ("/http/error/network", test_errors_network);
  g_test_add_func ("/http/error/protocol", test_errors_protocol);
  g_test_add_func ("/http/error/send-no-sigpipe", test_errors_send_no_sigpipe);
  g_test_add_func ("/http/error/status", test_errors_status);
  g_test_add_func ("/http/body-cap", test_body_cap);
  g_test_add_func ("/http/timeout/total-and-low-speed", test_timeouts);
  g_test_add_func ("/http/timeout/connect", test_connect_timeout);
  g_test_add_func ("/http/cancel/mid-transfer", test_cancel_mid_transfer);
  g_test_add_func ("/http/cancel/queued", test_cancel_queued);
  g_test_add_func ("/http/limit/bounded", test_concurrency_bounded);
  g_test_add_func ("/http/limit/per-host", test_limit_per_host);
  g_test_add_func ("/http/limit/per-host-cancel-waiting", test_limit_per_host_cancel_waiting);
  g_test_add_func ("/http/order", test_results_in_order);
  g_test_add_func ("/http/connections/reused", test_connections_reused);
  g_test_add_func ("/http/stream/chunks", test_streaming);
  g_test_add_func ("/http/stream/cancel", test_streaming_cancel);
  g_test_add_func ("/http/close", test_close);
  g_test_add_func ("/http/soak/random-faults", test_soak_random_faults);
  g_test_add_func ("/http/run/seed-task", test_async_run);
  g_test_add_func ("/http/fetch-urls/output-in-order", test_fetch_urls_output);
  g_test_add_func ("/http/fetch-urls/input-and-summary", test_fetch_urls_input_and_summary);
  g_test_add_func ("/http/fetch-urls/failure-exit-status", test_fetch_urls_failure);
  g_test_add_func ("/http/fetch-urls/usage", test_fetch_urls_usage);

  server = async_test_server_start ();
  status = g_test_run ();
  async_test_server_stop (server);
  return status;
}
