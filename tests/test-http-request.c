/* test-http-request.c: AsyncHttpRequest against the loopback fixture
 * server's /echo, which sends back the request line, the headers and the
 * body it received: methods, query parameters, the base URL, headers, auth,
 * per-request limits, and every kind of body, JSON included. */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <async-glib/async-glib.h>

#include "test-http-util.h"

#define TIMEOUT_S TEST_HTTP_TIMEOUT_S

static AsyncTestServer *server;

#define request_for(method, path) test_http_request_for (server, (method), (path))
#define send(session, request) test_http_send_at (G_STRLOC, (session), (request))

#define echo(session, request) test_http_text_at (G_STRLOC, (session), (request))

/* The body /echo sent back: what follows the blank line. */
static const char *
echoed_body (const char *echo)
{
  const char *blank = strstr (echo, "\n\n");

  g_assert_nonnull (blank);
  return blank + 2;
}

static void
test_method_kept (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *text;

  text = echo (session, request_for ("PROPFIND", "/echo"));
  g_assert_true (g_str_has_prefix (text, "PROPFIND /echo\n"));
  g_free (text);
  /* Case-sensitive, so sent as given. */
  text = echo (session, request_for ("get", "/echo"));
  g_assert_true (g_str_has_prefix (text, "get /echo\n"));
  g_free (text);

  async_http_session_unref (session);
}

static void
test_query_escaped (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("GET", "/echo?kept=1#fragment");
  char *text, *url;

  async_http_request_add_query (request, "q", "a b&c=d");
  async_http_request_add_query (request, "é", "100%");
  async_http_request_add_query (request, "q", "again");
  url = async_http_request_get_url (request);
  g_assert_true (g_str_has_suffix (url, "/echo?kept=1&q=a+b%26c%3Dd&%C3%A9=100%25&q=again#fragment"));
  g_free (url);
  text = echo (session, request);
  /* The fragment stays with the client. */
  g_assert_true (g_str_has_prefix (text, "GET /echo?kept=1&q=a+b%26c%3Dd&%C3%A9=100%25&q=again\n"));
  g_free (text);

  async_http_session_unref (session);
}

static void
test_base_url (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *base = async_test_server_url (server, "/echo/api/");
  AsyncHttpRequest *request;
  AsyncFuture *future;
  char *text;

  async_http_session_set_base_url (session, base);
  text = echo (session, async_http_request_new ("GET", "users?id=1"));
  g_assert_true (g_str_has_prefix (text, "GET /echo/api/users?id=1\n"));
  g_free (text);
  text = echo (session, async_http_request_new ("GET", "/echo/root"));
  g_assert_true (g_str_has_prefix (text, "GET /echo/root\n"));
  g_free (text);
  /* An absolute URL ignores the base. */
  request = request_for ("GET", "/echo/absolute");
  text = echo (session, request);
  g_assert_true (g_str_has_prefix (text, "GET /echo/absolute\n"));
  g_free (text);

  /* Without a base, a reference is not a URL. */
  async_http_session_set_base_url (session, NULL);
  future = send (session, async_http_request_new ("GET", "users"));
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_INVALID_URL);
  async_future_unref (future);

  g_free (base);
  async_http_session_unref (session);
}

static void
test_headers_override_session (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("GET", "/echo");
  GError *error = NULL;
  char *text;

  g_assert_true (async_http_session_add_default_header (session, "X-Shared", "session", NULL));
  g_assert_true (async_http_session_add_default_header (session, "X-Replaced", "session", NULL));
  g_assert_true (async_http_request_add_header (request, "x-replaced", "request", &error));
  g_assert_no_error (error);
  g_assert_false (async_http_request_add_header (request, "X-Bad", "a\r\nX-Injected: 1", &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  g_clear_error (&error);
  g_assert_false (async_http_request_add_header (request, "Bad Name", "x", &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  g_clear_error (&error);

  text = echo (session, request);
  g_assert_nonnull (strstr (text, "X-Shared: session\n"));
  g_assert_nonnull (strstr (text, "x-replaced: request\n"));
  g_assert_null (strstr (text, "X-Replaced: session"));
  g_assert_null (strstr (text, "X-Injected"));
  g_free (text);

  async_http_session_unref (session);
}

static void
test_auth_helpers (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request;
  GError *error = NULL;
  char *text;

  g_assert_true (async_http_session_set_bearer_auth (session, "session-token", NULL));
  text = echo (session, request_for ("GET", "/echo"));
  g_assert_nonnull (strstr (text, "Authorization: Bearer session-token\n"));
  g_free (text);

  request = request_for ("GET", "/echo");
  /* "Aladdin:open sesame", RFC 7617's example. */
  g_assert_true (async_http_request_set_basic_auth (request, "Aladdin", "open sesame", &error));
  g_assert_no_error (error);
  text = echo (session, request);
  g_assert_nonnull (strstr (text, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\n"));
  g_assert_null (strstr (text, "session-token"));
  g_free (text);

  request = request_for ("GET", "/echo");
  g_assert_false (async_http_request_set_basic_auth (request, "a:b", "c", &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  g_clear_error (&error);
  g_assert_false (async_http_request_set_bearer_auth (request, "t\r\nX-Injected: 1", &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER);
  g_clear_error (&error);
  async_http_request_unref (request);

  async_http_session_unref (session);
}

static void
test_per_request_limits (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request;
  AsyncFuture *future;
  AsyncHttpResponse *response;

  request = request_for ("GET", "/delay/5000");
  async_http_request_set_timeout (request, 0.2);
  future = send (session, request);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_TIMED_OUT);
  async_future_unref (future);

  request = request_for ("GET", "/redirect/3");
  async_http_request_set_max_redirects (request, 2);
  future = send (session, request);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS);
  async_future_unref (future);

  request = request_for ("GET", "/redirect/3");
  async_http_request_set_follow_redirects (request, FALSE);
  future = send (session, request);
  response = async_future_get_value (future);
  g_assert_cmpuint (async_http_response_get_status (response), ==, 302);
  async_future_unref (future);

  request = request_for ("GET", "/status/404");
  async_http_request_set_raise_for_status (request, TRUE);
  future = send (session, request);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_STATUS);
  async_future_unref (future);

  async_http_session_unref (session);
}

static void
test_sent_request_frozen (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("GET", "/echo");
  AsyncFuture *future;
  char *text;

  future = send (session, async_http_request_ref (request));
  async_future_unref (future);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*was sent already*");
  async_http_request_add_query (request, "late", "1");
  g_test_assert_expected_messages ();
  /* And it can be sent again, unchanged. */
  text = echo (session, request);
  g_assert_true (g_str_has_prefix (text, "GET /echo\n"));
  g_free (text);

  async_http_session_unref (session);
}

static void
test_body_text_and_bytes (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("PUT", "/echo");
  GBytes *bytes = g_bytes_new_static ("\1\2\3", 3);
  char *text;

  async_http_request_set_body_text (request, "héllo", NULL);
  text = echo (session, request);
  g_assert_true (g_str_has_prefix (text, "PUT /echo\n"));
  g_assert_nonnull (strstr (text, "Content-Type: text/plain; charset=utf-8\n"));
  g_assert_nonnull (strstr (text, "Content-Length: 6\n"));
  g_assert_cmpstr (echoed_body (text), ==, "héllo");
  g_free (text);

  request = request_for ("POST", "/echo");
  async_http_request_set_body_bytes (request, bytes, "application/x-custom");
  text = echo (session, request);
  g_assert_nonnull (strstr (text, "Content-Type: application/x-custom\n"));
  g_assert_nonnull (strstr (text, "Content-Length: 3\n"));
  g_free (text);

  g_bytes_unref (bytes);
  async_http_session_unref (session);
}

static void
test_body_form (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("POST", "/echo");
  char *text;

  async_http_request_add_form_field (request, "name", "Ada Lovelace");
  async_http_request_add_form_field (request, "expr", "1+1=2&");
  text = echo (session, request);
  g_assert_nonnull (strstr (text, "Content-Type: application/x-www-form-urlencoded\n"));
  g_assert_cmpstr (echoed_body (text), ==, "name=Ada+Lovelace&expr=1%2B1%3D2%26");
  g_free (text);

  async_http_session_unref (session);
}

static void
test_body_multipart (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("POST", "/echo");
  char *dir = g_dir_make_tmp ("test-http-request-XXXXXX", NULL);
  char *path = g_build_filename (dir, "notes.txt", NULL);
  GFile *file = g_file_new_for_path (path);
  GFile *missing;
  AsyncFuture *future;
  char *text;

  g_assert_true (g_file_set_contents (path, "file contents\n", -1, NULL));
  async_http_request_add_multipart_field (request, "title", "A title");
  async_http_request_add_multipart_file (request, "upload", file, NULL, "text/plain");
  text = echo (session, request);
  g_assert_nonnull (strstr (text, "Content-Type: multipart/form-data; boundary="));
  g_assert_nonnull (strstr (text, "Content-Disposition: form-data; name=\"title\"\r\n\r\nA title\r\n"));
  g_assert_nonnull (strstr (text, "Content-Disposition: form-data; name=\"upload\"; filename=\"notes.txt\"\r\n"
                                  "Content-Type: text/plain\r\n\r\nfile contents\n\r\n"));
  g_free (text);

  /* A file that is gone when the request is sent rejects it. */
  missing = g_file_new_for_path ("/nonexistent/file");
  request = request_for ("POST", "/echo");
  async_http_request_add_multipart_file (request, "upload", missing, NULL, NULL);
  future = send (session, request);
  g_assert_nonnull (async_future_get_error (future));
  g_test_message ("%s", async_future_get_error (future)->message);
  async_future_unref (future);
  g_object_unref (missing);

  g_unlink (path);
  g_rmdir (dir);
  g_object_unref (file);
  g_free (path);
  g_free (dir);
  async_http_session_unref (session);
}

static void
test_body_file_and_stream (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *dir = g_dir_make_tmp ("test-http-request-XXXXXX", NULL);
  char *path = g_build_filename (dir, "body.bin", NULL);
  GFile *file = g_file_new_for_path (path);
  GString *contents = g_string_new (NULL);
  AsyncHttpRequest *request;
  GInputStream *stream;
  AsyncFuture *future;
  GFile *missing;
  char *text;
  guint i;

  for (i = 0; i < 100000; i++)
    g_string_append_c (contents, 'a' + i % 26);
  g_assert_true (g_file_set_contents (path, contents->str, contents->len, NULL));

  request = request_for ("PUT", "/echo");
  async_http_request_set_body_file (request, file, NULL);
  text = echo (session, request);
  g_assert_nonnull (strstr (text, "Content-Length: 100000\n"));
  g_assert_null (strstr (text, "Transfer-Encoding"));
  g_assert_cmpstr (echoed_body (text), ==, contents->str);
  g_free (text);

  /* Of unknown length: chunked. */
  stream = g_memory_input_stream_new_from_data (g_strdup (contents->str), contents->len, g_free);
  request = request_for ("POST", "/echo");
  async_http_request_set_body_stream (request, stream, -1, "application/octet-stream");
  text = echo (session, request);
  g_assert_nonnull (strstr (text, "Transfer-Encoding: chunked\n"));
  g_assert_null (strstr (text, "Content-Length"));
  g_assert_cmpstr (echoed_body (text), ==, contents->str);
  g_free (text);
  g_object_unref (stream);

  /* Of known length: not chunked. */
  stream = g_memory_input_stream_new_from_data ("12345", 5, NULL);
  request = request_for ("POST", "/echo");
  async_http_request_set_body_stream (request, stream, 5, NULL);
  text = echo (session, request);
  g_assert_nonnull (strstr (text, "Content-Length: 5\n"));
  g_assert_cmpstr (echoed_body (text), ==, "12345");
  g_free (text);
  g_object_unref (stream);

  missing = g_file_new_for_path ("/nonexistent/body");
  request = request_for ("PUT", "/echo");
  async_http_request_set_body_file (request, missing, NULL);
  future = send (session, request);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE);
  async_future_unref (future);
  g_object_unref (missing);

  g_unlink (path);
  g_rmdir (dir);
  g_string_free (contents, TRUE);
  g_object_unref (file);
  g_free (path);
  g_free (dir);
  async_http_session_unref (session);
}

#if ASYNC_GLIB_HAS_JSON
static void
test_json_body (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("POST", "/echo");
  JsonBuilder *builder = json_builder_new ();
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "async \"glib\"");
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, 3);
  json_builder_end_object (builder);
  async_http_request_set_body_json_builder (request, builder);
  text = echo (session, request);
  g_assert_nonnull (strstr (text, "Content-Type: application/json\n"));
  g_assert_cmpstr (echoed_body (text), ==, "{\"name\":\"async \\\"glib\\\"\",\"n\":3}");
  g_free (text);

  g_object_unref (builder);
  async_http_session_unref (session);
}

static void
test_json_response (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future = send (session, request_for ("GET", "/json"));
  AsyncHttpResponse *response = async_future_get_value (future);
  GError *error = NULL;
  JsonNode *node;
  JsonObject *object;

  node = async_http_response_get_json (response, &error);
  g_assert_no_error (error);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "async-glib");
  g_assert_cmpint (json_object_get_int_member (object, "n"), ==, 3);
  json_node_unref (node);
  async_future_unref (future);

  future = send (session, request_for ("GET", "/text/not%20json"));
  g_assert_null (async_http_response_get_json (async_future_get_value (future), &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_JSON);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  async_future_unref (future);

  future = send (session, request_for ("GET", "/status/204"));
  g_assert_null (async_http_response_get_json (async_future_get_value (future), &error));
  g_assert_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_JSON);
  g_clear_error (&error);
  async_future_unref (future);

  async_http_session_unref (session);
}
#endif

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/request/method-kept", test_method_kept);
  g_test_add_func ("/http/request/query-escaped", test_query_escaped);
  g_test_add_func ("/http/request/base-url", test_base_url);
  g_test_add_func ("/http/request/headers-override-session", test_headers_override_session);
  g_test_add_func ("/http/request/auth-helpers", test_auth_helpers);
  g_test_add_func ("/http/request/per-request-limits", test_per_request_limits);
  g_test_add_func ("/http/request/frozen-once-sent", test_sent_request_frozen);
  g_test_add_func ("/http/request/body-text-and-bytes", test_body_text_and_bytes);
  g_test_add_func ("/http/request/form-body", test_body_form);
  g_test_add_func ("/http/request/multipart-body", test_body_multipart);
  g_test_add_func ("/http/request/file-and-stream-body", test_body_file_and_stream);
#if ASYNC_GLIB_HAS_JSON
  g_test_add_func ("/http/request/json-body", test_json_body);
  g_test_add_func ("/http/response/json", test_json_response);
#endif

  server = async_test_server_start ();
  status = g_test_run ();
  async_test_server_stop (server);
  return status;
}
