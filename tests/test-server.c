/* Tests for the async-test-server fixture itself, spoken to with a minimal
 * blocking HTTP/1.1 client on GSocketClient so that no code under test is involved. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "test-server-util.h"

typedef struct
{
  GSocketConnection *connection;
  GDataInputStream *in;
  GOutputStream *out;
} Client;

typedef struct
{
  guint status;
  GPtrArray *names;
  GPtrArray *values;
  GByteArray *body;
  gboolean chunked;
  guint n_chunks;
} Response;

static Client *
client_new (AsyncTestServer *server)
{
  GSocketClient *socket_client = g_socket_client_new ();
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback,
                                                       async_test_server_get_port (server));
  GError *error = NULL;
  Client *client = g_new0 (Client, 1);

  /* A fixture bug should fail the test, not hang it. */
  g_socket_client_set_timeout (socket_client, 5);
  client->connection = g_socket_client_connect (socket_client,
                                                G_SOCKET_CONNECTABLE (address),
                                                NULL, &error);
  g_assert_no_error (error);
  client->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (client->connection)));
  g_data_input_stream_set_newline_type (client->in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  client->out = g_io_stream_get_output_stream (G_IO_STREAM (client->connection));

  g_object_unref (address);
  g_object_unref (loopback);
  g_object_unref (socket_client);
  return client;
}

static void
client_free (Client *client)
{
  g_object_unref (client->in);
  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
  g_object_unref (client->connection);
  g_free (client);
}

/* @extra_headers is CRLF-terminated lines or NULL; a Content-Length is
 * added for @body unless @extra_headers sets Transfer-Encoding. */
static void
client_send (Client     *client,
             const char *method,
             const char *target,
             const char *extra_headers,
             const char *body)
{
  GString *request = g_string_new (NULL);
  GError *error = NULL;

  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, target);
  if (extra_headers != NULL)
    g_string_append (request, extra_headers);
  if (body != NULL && (extra_headers == NULL || strstr (extra_headers, "Transfer-Encoding") == NULL))
    g_string_append_printf (request, "Content-Length: %" G_GSIZE_FORMAT "\r\n", strlen (body));
  g_string_append (request, "\r\n");
  if (body != NULL)
    g_string_append (request, body);

  g_output_stream_write_all (client->out, request->str, request->len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_string_free (request, TRUE);
}

/* Returns NULL at EOF (with no error set). */
static char *
client_read_line (Client  *client,
                  GError **error)
{
  gsize len;
  char *line = g_data_input_stream_read_line (client->in, &len, NULL, error);

  if (line != NULL && len > 0 && line[len - 1] == '\r')
    line[len - 1] = '\0';
  return line;
}

static void
response_free (Response *response)
{
  g_ptr_array_unref (response->names);
  g_ptr_array_unref (response->values);
  g_byte_array_unref (response->body);
  g_free (response);
}

static const char *
response_get_header (Response   *response,
                     const char *name)
{
  guint i;

  for (i = 0; i < response->names->len; i++)
    if (g_ascii_strcasecmp (response->names->pdata[i], name) == 0)
      return response->values->pdata[i];
  return NULL;
}

static gboolean
read_body_bytes (Client     *client,
                 gsize       len,
                 GByteArray *body,
                 GError    **error)
{
  gsize old_len = body->len;
  gsize n_read;

  if (len == 0)
    return TRUE;
  g_byte_array_set_size (body, old_len + len);
  if (!g_input_stream_read_all (G_INPUT_STREAM (client->in), body->data + old_len,
                                len, &n_read, NULL, error))
    return FALSE;
  if (n_read != len)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "body truncated");
      return FALSE;
    }
  return TRUE;
}

/* Returns NULL with @error set on any failure, including EOF. */
static Response *
client_read_response (Client     *client,
                      const char *method,
                      GError    **error)
{
  Response *response = g_new0 (Response, 1);
  const char *value;
  char *line;

  response->names = g_ptr_array_new_with_free_func (g_free);
  response->values = g_ptr_array_new_with_free_func (g_free);
  response->body = g_byte_array_new ();

  line = client_read_line (client, error);
  if (line == NULL)
    goto eof;
  if (!g_str_has_prefix (line, "HTTP/1.1 ") || strlen (line) < 12)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad status line: %s", line);
      g_free (line);
      goto fail;
    }
  response->status = atoi (line + 9);
  g_free (line);

  for (;;)
    {
      char *colon;

      line = client_read_line (client, error);
      if (line == NULL)
        goto eof;
      if (*line == '\0')
        {
          g_free (line);
          break;
        }
      colon = strchr (line, ':');
      g_assert_nonnull (colon);
      g_ptr_array_add (response->names, g_strndup (line, colon - line));
      g_ptr_array_add (response->values, g_strdup (g_strstrip (colon + 1)));
      g_free (line);
    }

  if (g_strcmp0 (method, "HEAD") == 0)
    return response;

  value = response_get_header (response, "Transfer-Encoding");
  if (value != NULL)
    {
      g_assert_cmpstr (value, ==, "chunked");
      response->chunked = TRUE;
      for (;;)
        {
          char *end;
          guint64 size;

          line = client_read_line (client, error);
          if (line == NULL)
            goto eof;
          size = g_ascii_strtoull (line, &end, 16);
          if (end == line)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad chunk size: %s", line);
              g_free (line);
              goto fail;
            }
          g_free (line);
          if (size > 0 && !read_body_bytes (client, size, response->body, error))
            goto fail;
          line = client_read_line (client, error);
          if (line == NULL)
            goto eof;
          g_assert_cmpstr (line, ==, "");
          g_free (line);
          if (size == 0)
            break;
          response->n_chunks++;
        }
    }
  else if ((value = response_get_header (response, "Content-Length")) != NULL)
    {
      if (!read_body_bytes (client, g_ascii_strtoull (value, NULL, 10), response->body, error))
        goto fail;
    }

  return response;

eof:
  if (error != NULL && *error == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "unexpected EOF");
fail:
  response_free (response);
  return NULL;
}

static Response *
request (Client     *client,
         const char *method,
         const char *target,
         const char *extra_headers,
         const char *body)
{
  GError *error = NULL;
  Response *response;

  client_send (client, method, target, extra_headers, body);
  response = client_read_response (client, method, &error);
  g_assert_no_error (error);
  return response;
}

static void
assert_body_str (Response   *response,
                 const char *expected)
{
  g_assert_cmpmem (response->body->data, response->body->len, expected, strlen (expected));
}

static void
assert_pattern (Response *response,
                gsize     len)
{
  gsize i;

  g_assert_cmpuint (response->body->len, ==, len);
  for (i = 0; i < len; i++)
    if (response->body->data[i] != 'a' + i % 26)
      g_error ("byte %" G_GSIZE_FORMAT " is %d", i, response->body->data[i]);
}

static void
test_bytes (void)
{
  AsyncTestServer *server = async_test_server_start ();
  Client *client = client_new (server);
  Response *response;

  response = request (client, "GET", "/bytes/200000", NULL, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpstr (response_get_header (response, "Content-Length"), ==, "200000");
  assert_pattern (response, 200000);
  response_free (response);

  response = request (client, "GET", "/bytes/0", NULL, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  assert_pattern (response, 0);
  response_free (response);

  response = request (client, "HEAD", "/bytes/1000", NULL, NULL);
  g_assert_cmpstr (response_get_header (response, "Content-Length"), ==, "1000");
  g_assert_cmpuint (response->body->len, ==, 0);
  response_free (response);

  client_free (client);
  async_test_server_stop (server);
}

static void
test_keep_alive (void)
{
  AsyncTestServer *server = async_test_server_start ();
  Client *client = client_new (server);
  Response *response;
  GError *error = NULL;
  char *line;

  response = request (client, "GET", "/bytes/10", NULL, NULL);
  g_assert_null (response_get_header (response, "Connection"));
  response_free (response);
  response = request (client, "GET", "/json", NULL, NULL);
  g_assert_cmpstr (response_get_header (response, "Content-Type"), ==, "application/json");
  assert_body_str (response, "{\"name\":\"async-glib\",\"n\":3}");
  response_free (response);

  response = request (client, "GET", "/stats", NULL, NULL);
  assert_body_str (response, "connections=1 requests=3");
  response_free (response);

  response = request (client, "GET", "/text/caf%C3%A9%20ok", "Connection: close\r\n", NULL);
  g_assert_cmpstr (response_get_header (response, "Connection"), ==, "close");
  assert_body_str (response, "caf\xc3\xa9 ok");
  response_free (response);

  line = client_read_line (client, &error);
  g_assert_no_error (error);
  g_assert_null (line);
  client_free (client);

  client = client_new (server);
  response = request (client, "GET", "/stats/reset", NULL, NULL);
  assert_body_str (response, "reset");
  response_free (response);
  response = request (client, "GET", "/stats", NULL, NULL);
  assert_body_str (response, "connections=0 requests=1");
  response_free (response);
  client_free (client);

  async_test_server_stop (server);
}

static void
test_chunked (void)
{
  AsyncTestServer *server = async_test_server_start ();
  Client *client = client_new (server);
  Response *response;

  response = request (client, "GET", "/chunked/2500?chunk=1000", NULL, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_true (response->chunked);
  g_assert_cmpuint (response->n_chunks, ==, 3);
  assert_pattern (response, 2500);
  response_free (response);

  response = request (client, "GET", "/chunked/100", NULL, NULL);
  g_assert_cmpuint (response->n_chunks, ==, 1);
  assert_pattern (response, 100);
  response_free (response);

  client_free (client);
  async_test_server_stop (server);
}

static void
test_status (void)
{
  AsyncTestServer *server = async_test_server_start ();
  Client *client = client_new (server);
  Response *response;

  response = request (client, "GET", "/status/418", NULL, NULL);
  g_assert_cmpuint (response->status, ==, 418);
  assert_body_str (response, "status 418");
  response_free (response);

  response = request (client, "DELETE", "/status/503?delay=50", NULL, NULL);
  g_assert_cmpuint (response->status, ==, 503);
  response_free (response);

  response = request (client, "GET", "/no/such/route", NULL, NULL);
  g_assert_cmpuint (response->status, ==, 404);
  assert_body_str (response, "not found");
  response_free (response);

  client_free (client);
  async_test_server_stop (server);
}

static void
test_redirect (void)
{
  AsyncTestServer *server = async_test_server_start ();
  Client *client = client_new (server);
  Response *response;
  char *target = g_strdup ("/redirect/2");
  guint hops = 0;

  for (;;)
    {
      const char *location;

      response = request (client, "GET", target, NULL, NULL);
      if (response->status != 302)
        break;
      location = response_get_header (response, "Location");
      g_assert_nonnull (location);
      g_free (target);
      target = g_strdup (location);
      response_free (response);
      hops++;
    }
  g_assert_cmpuint (hops, ==, 2);
  g_assert_cmpstr (target, ==, "/redirect/0");
  g_assert_cmpuint (response->status, ==, 200);
  assert_body_str (response, "redirected");
  response_free (response);
  g_free (target);

  response = request (client, "GET", "/redirect-to?url=file%3A%2F%2F%2Ftmp%2Fx", NULL, NULL);
  g_assert_cmpuint (response->status, ==, 302);
  g_assert_cmpstr (response_get_header (response, "Location"), ==, "file:///tmp/x");
  response_free (response);

  client_free (client);
  async_test_server_stop (server);
}

static void
test_echo (void)
{
  AsyncTestServer *server = async_test_server_start ();
  Client *client = client_new (server);
  Response *response;

  response = request (client, "POST", "/echo?a=b&c=d", "X-First: 1\r\nx-second:  two \r\n",
                      "hello\r\nworld");
  g_assert_cmpuint (response->status, ==, 200);
  assert_body_str (response,
                   "POST /echo?a=b&c=d\n"
                   "Host: 127.0.0.1\n"
                   "X-First: 1\n"
                   "x-second: two\n"
                   "Content-Length: 12\n"
                   "\n"
                   "hello\r\nworld");
  response_free (response);

  /* The body must have been consumed fully for this to parse. */
  response = request (client, "PUT", "/echo", "Transfer-Encoding: chunked\r\n",
                      "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n");
  assert_body_str (response,
                   "PUT /echo\n"
                   "Host: 127.0.0.1\n"
                   "Transfer-Encoding: chunked\n"
                   "\n"
                   "abcdefg");
  response_free (response);

  response = request (client, "GET", "/headers", NULL, NULL);
  g_assert_cmpuint (response->names->len, >=, 3);
  g_assert_cmpstr (response_get_header (response, "X-Mixed-Case"), ==, "Yes");
  response_free (response);

  client_free (client);
  async_test_server_stop (server);
}

static void
test_fault_reset (void)
{
  AsyncTestServer *server = async_test_server_start ();
  Client *client = client_new (server);
  GError *error = NULL;
  char *line;

  client_send (client, "GET", "/fault/reset-before-headers", NULL, NULL);
  line = client_read_line (client, &error);
  g_assert_null (line);
  if (error != NULL)
    g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
                   || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)
                   || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED));
  g_clear_error (&error);
  client_free (client);

  client = client_new (server);
  client_send (client, "GET", "/fault/close-mid-body", NULL, NULL);
  g_assert_null (client_read_response (client, "GET", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  client_free (client);

  async_test_server_stop (server);
}

static char *
print_fault (guint64 seed,
             guint64 i)
{
  const char *env = g_getenv ("ASYNC_TEST_SERVER");
  char *path = env != NULL && *env != '\0'
               ? g_strdup (env)
               : g_test_build_filename (G_TEST_BUILT, "fixtures", "async-test-server", NULL);
  char *seed_str = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);
  char *i_str = g_strdup_printf ("%" G_GUINT64_FORMAT, i);
  GError *error = NULL;
  GSubprocess *process;
  char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              path, "--print-fault", seed_str, i_str, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  g_object_unref (process);
  g_free (i_str);
  g_free (seed_str);
  g_free (path);
  return g_strchomp (out);
}

static void
test_print_fault (void)
{
  AsyncTestServer *server = async_test_server_start_with_seed (42);
  guint n_faults = 0;
  guint64 i;

  for (i = 0; i < 40; i++)
    {
      char *kind = print_fault (42, i);
      char *again = print_fault (42, i);
      char *target = g_strdup_printf ("/fault/random?i=%" G_GUINT64_FORMAT, i);
      Client *client = client_new (server);
      Response *response;
      GError *error = NULL;

      g_assert_cmpstr (kind, ==, again);
      client_send (client, "GET", target, NULL, NULL);
      response = client_read_response (client, "GET", &error);

      if (strcmp (kind, "none") == 0)
        {
          char *body = g_strdup_printf ("ok %" G_GUINT64_FORMAT, i);

          g_assert_no_error (error);
          g_assert_cmpuint (response->status, ==, 200);
          g_assert_cmpstr (response_get_header (response, "X-Fault"), ==, "none");
          assert_body_str (response, body);
          g_free (body);
        }
      else
        {
          n_faults++;
          if (strcmp (kind, "5xx") == 0)
            {
              g_assert_no_error (error);
              g_assert_cmpuint (response->status, ==, 503);
              assert_body_str (response, "unavailable");
            }
          else if (strcmp (kind, "redirect-loop") == 0)
            {
              g_assert_no_error (error);
              g_assert_cmpuint (response->status, ==, 302);
              g_assert_cmpstr (response_get_header (response, "Location"), ==, target);
            }
          else if (strcmp (kind, "reset-after-headers") == 0)
            g_assert_nonnull (error);
          if (response != NULL)
            g_assert_cmpstr (response_get_header (response, "X-Fault"), ==, kind);
        }

      g_clear_error (&error);
      g_clear_pointer (&response, response_free);
      client_free (client);
      g_free (target);
      g_free (again);
      g_free (kind);
    }

  /* About 15% are faults; 40 draws with none would mean a broken hash. */
  g_assert_cmpuint (n_faults, >, 0);
  g_assert_cmpuint (n_faults, <, 20);

  async_test_server_stop (server);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/test-server/bytes", test_bytes);
  g_test_add_func ("/test-server/keep-alive", test_keep_alive);
  g_test_add_func ("/test-server/chunked", test_chunked);
  g_test_add_func ("/test-server/status", test_status);
  g_test_add_func ("/test-server/redirect", test_redirect);
  g_test_add_func ("/test-server/echo", test_echo);
  g_test_add_func ("/test-server/fault-reset", test_fault_reset);
  g_test_add_func ("/test-server/print-fault", test_print_fault);

  return g_test_run ();
}
