/* test-tcp-server.c: async_start_server (), asyncio.start_server(), with its
 * clients from async_open_connection (): echo with one and with a thousand
 * clients, closing with handlers running, failing handlers, TLS both ways
 * with a throwaway CA made here with openssl, and descriptors counted.
 * Mirrors CPython's test_streams.py test_start_server and
 * test_asyncio/test_server.py where named. */

#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "echo-handler.h"
#include "test-util.h"

/* --- the echo client (the handler is echo-handler.h's) ----------------------- */

typedef struct
{
  guint16      port;
  const char  *ca_file;     /* TLS if set */
  const char  *host;
  GBytes      *payload;
  gsize        piece;       /* written in pieces of this size */
  gsize        offset;
  AsyncStream *stream;
  gboolean     same;
} EchoClient;

static void
echo_client_free (gpointer data)
{
  EchoClient *self = data;

  g_clear_pointer (&self->stream, async_stream_unref);
  g_bytes_unref (self->payload);
  g_free (self);
}

/* Connects, sends the payload in pieces (draining after each), reads it
 * back exactly, and resolves with TRUE if every byte came back in order. */
static void
echo_client (AsyncCoroutine *co,
             gpointer        frame)
{
  EchoClient *self = frame;
  gsize size = g_bytes_get_size (self->payload);
  const guint8 *data = g_bytes_get_data (self->payload, NULL);
  GBytes *echoed;

  ASYNC_BEGIN (co);

  if (self->ca_file != NULL)
    ASYNC_AWAIT (co, async_open_tls_connection (self->host, self->port, self->ca_file));
  else
    ASYNC_AWAIT (co, async_open_connection ("127.0.0.1", self->port));
  self->stream = async_stream_ref (async_coroutine_get_value (co));

  for (self->offset = 0; self->offset < size; self->offset += self->piece)
    {
      async_stream_write (self->stream, data + self->offset, MIN (self->piece, size - self->offset));
      ASYNC_AWAIT (co, async_stream_drain (self->stream));
    }

  ASYNC_AWAIT (co, async_stream_readexactly (self->stream, size));
  echoed = async_coroutine_get_value (co);
  self->same = g_bytes_equal (echoed, self->payload);
  async_stream_close (self->stream);
  ASYNC_AWAIT (co, async_stream_wait_closed (self->stream));
  ASYNC_RETURN_INT (co, self->same);

  ASYNC_END (co);
}

static GBytes *
payload_new (guint seed,
             gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (seed * 31 + i * 7 + (i >> 8));

  return g_bytes_new_take (data, size);
}

static AsyncFuture *
spawn_echo_client (guint16     port,
                   guint       seed,
                   gsize       size,
                   const char *ca_file,
                   const char *host)
{
  EchoClient *client = g_new0 (EchoClient, 1);

  client->port = port;
  client->payload = payload_new (seed, size);
  client->piece = 1000;
  client->ca_file = ca_file;
  client->host = host;

  return async_spawn (echo_client, client, echo_client_free);
}

static AsyncServer *
await_server (AsyncFuture *start)
{
  AsyncServer *server;

  test_await (start, 10);
  if (!async_future_is_resolved (start))
    g_error ("the server did not start: %s", async_future_get_error (start)->message);
  server = async_server_ref (async_future_get_value (start));
  async_future_unref (start);

  return server;
}

static void
close_server (AsyncServer *server)
{
  AsyncFuture *closed = async_server_wait_closed (server);

  async_server_close (server);
  test_await (closed, 30);
  g_assert_true (async_future_is_resolved (closed));
  async_future_unref (closed);
  async_server_unref (server);
}

static void
assert_echoed (AsyncFuture *client)
{
  test_await (client, 30);
  if (!async_future_is_resolved (client))
    g_error ("the client failed: %s", async_future_get_error (client)->message);
  g_assert_true (async_future_get_int (client));
  async_future_unref (client);
}

/* --- plain TCP ------------------------------------------------------------ */

/* test_streams.py test_start_server: one client, one line back. */
static void
test_echo_one_client (void)
{
  AsyncServer *server;

  server = await_server (async_start_server ("127.0.0.1", 0, echo_handler,
                                             sizeof (EchoHandler), NULL, NULL));
  g_assert_true (async_server_is_serving (server));
  assert_echoed (spawn_echo_client (async_server_get_port (server), 1, 100, NULL, NULL));
  close_server (server);
}

/* The port of a port-0 server is readable, and taken: a second server on
 * it fails with the bind's error. */
static void
test_port_zero (void)
{
  AsyncServer *server;
  AsyncFuture *second;
  guint16 port;

  server = await_server (async_start_server ("127.0.0.1", 0, echo_handler,
                                             sizeof (EchoHandler), NULL, NULL));
  port = async_server_get_port (server);
  g_assert_cmpuint (port, >, 0);
  second = async_start_server ("127.0.0.1", port, echo_handler, sizeof (EchoHandler), NULL, NULL);
  test_await (second, 10);
  g_assert_error ((GError *) async_future_get_error (second), G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  async_future_unref (second);
  close_server (server);

  /* A host name is resolved (localhost: 127.0.0.1 and perhaps ::1). */
  server = await_server (async_start_server ("localhost", 0, echo_handler,
                                             sizeof (EchoHandler), NULL, NULL));
  g_assert_cmpuint (async_server_get_port (server), >, 0);
  assert_echoed (spawn_echo_client (async_server_get_port (server), 2, 10, NULL, NULL));
  close_server (server);
}

/* A thousand clients at once on one server, each echoing 4 KiB in pieces:
 * every byte comes back to the client that sent it, in order. */
static void
test_echo_many_clients (void)
{
  guint n = g_getenv ("ASYNC_TEST_QUICK") != NULL ? 200 : 1000;
  AsyncFuture **clients = g_new0 (AsyncFuture *, n);
  AsyncServer *server;
  AsyncFuture *all;

  server = await_server (async_start_server ("127.0.0.1", 0, echo_handler,
                                             sizeof (EchoHandler), NULL, NULL));
  for (guint i = 0; i < n; i++)
    clients[i] = spawn_echo_client (async_server_get_port (server), i, 4096, NULL, NULL);
  all = async_gather_array (ASYNC_GATHER_DEFAULT, clients, n);
  test_await (all, 120);
  if (!async_future_is_resolved (all))
    g_error ("a client failed: %s", async_future_get_error (all)->message);
  for (guint i = 0; i < n; i++)
    g_assert_true (async_future_get_int (async_gather_get_result (all, i)));
  async_future_unref (all);
  g_free (clients);
  close_server (server);
}

/* --- closing with handlers running ---------------------------------------- */

typedef struct
{
  AsyncServerConnection connection;
} LineHandler;

static gint handlers_started;
static gint handlers_ended;

static void
line_handler_clear (gpointer frame)
{
  g_atomic_int_inc (&handlers_ended);
}

/* test_streams.py's handle_client: one line back, then close. */
static void
line_handler (AsyncCoroutine *co,
              gpointer        frame)
{
  LineHandler *self = frame;
  AsyncStream *stream = self->connection.stream;

  ASYNC_BEGIN (co);
  handlers_started++;
  ASYNC_AWAIT (co, async_stream_readline (stream));
  async_stream_write_bytes (stream, async_coroutine_get_value (co));
  ASYNC_AWAIT (co, async_stream_drain (stream));
  async_stream_close (stream);
  ASYNC_AWAIT (co, async_stream_wait_closed (stream));
  ASYNC_END (co);
}

static AsyncStream *
await_stream (AsyncFuture *open)
{
  AsyncStream *stream;

  test_await (open, 10);
  if (!async_future_is_resolved (open))
    g_error ("the connection failed: %s", async_future_get_error (open)->message);
  stream = async_stream_ref (async_future_get_value (open));
  async_future_unref (open);

  return stream;
}

static void
assert_line (AsyncStream *stream,
             const char  *line)
{
  AsyncFuture *read = async_stream_readline (stream);
  GBytes *bytes;

  test_await (read, 10);
  g_assert_true (async_future_is_resolved (read));
  bytes = async_future_get_value (read);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), line, strlen (line));
  async_future_unref (read);
}

/* close () stops accepting at once, the handlers running go on, and
 * wait_closed () waits for them (test_server.py
 * test_wait_closed_basic). */
static void
test_close_with_handlers_running (void)
{
  AsyncServer *server;
  AsyncStream *clients[3];
  AsyncFuture *closed, *refused;
  guint16 port;

  handlers_started = handlers_ended = 0;
  server = await_server (async_start_server ("127.0.0.1", 0, line_handler, sizeof (LineHandler),
                                             line_handler_clear, NULL));
  port = async_server_get_port (server);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = await_stream (async_open_connection ("127.0.0.1", port));
  while (handlers_started < (gint) G_N_ELEMENTS (clients))
    test_iterate_pending ();
  g_assert_cmpuint (async_server_get_n_connections (server), ==, 3);

  closed = async_server_wait_closed (server);
  async_server_close (server);
  g_assert_false (async_server_is_serving (server));
  refused = async_open_connection ("127.0.0.1", port);
  test_await (refused, 10);
  g_assert_error ((GError *) async_future_get_error (refused), G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  async_future_unref (refused);

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_assert_true (async_future_is_pending (closed));
      async_stream_write (clients[i], "hello world!\n", 13);
      assert_line (clients[i], "hello world!\n");
      async_stream_unref (clients[i]);
    }
  test_await (closed, 10);
  g_assert_true (async_future_is_resolved (closed));
  g_assert_cmpint (handlers_ended, ==, 3);
  g_assert_cmpuint (async_server_get_n_connections (server), ==, 0);
  async_future_unref (closed);
  async_server_unref (server);
}

/* --- a failing handler ---------------------------------------------------- */

static void
failing_handler (AsyncCoroutine *co,
                 gpointer        frame)
{
  LineHandler *self = frame;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_stream_readline (self->connection.stream));
  ASYNC_RETURN_ERROR (co, g_error_new_literal (TEST_ERROR, 1, "boom"));
  ASYNC_END (co);
}

/* A handler that fails is logged with where the server was started; its
 * connection is closed (asyncio closes the transport) and the server goes
 * on serving. */
static void
test_failing_handler (void)
{
  AsyncServer *server;
  AsyncStream *client;
  AsyncFuture *end;

  server = await_server (async_start_server ("127.0.0.1", 0, failing_handler,
                                             sizeof (LineHandler), NULL, NULL));
  for (int round = 0; round < 2; round++)
    {
      client = await_stream (async_open_connection ("127.0.0.1", async_server_get_port (server)));
      g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_WARNING,
                             "*server started at *test-tcp-server.c:* failed: boom");
      async_stream_write (client, "x\n", 2);
      end = async_stream_read (client, 10);
      test_await (end, 10);
      g_assert_true (async_future_is_resolved (end));
      g_assert_cmpuint (g_bytes_get_size (async_future_get_value (end)), ==, 0);
      async_future_unref (end);
      g_test_assert_expected_messages ();
      async_stream_unref (client);
    }
  g_assert_true (async_server_is_serving (server));
  close_server (server);
}

/* --- TLS ------------------------------------------------------------------ */

typedef struct
{
  char            *dir;
  char            *ca_file;
  GTlsCertificate *certificate;
} Pki;

static void
run_openssl (const char *dir,
             const char *arguments)
{
  GError *error = NULL;
  char *command = g_strdup_printf ("openssl %s", arguments);
  char **argv;
  int status;
  char *err = NULL;

  g_shell_parse_argv (command, NULL, &argv, &error);
  g_assert_no_error (error);
  g_spawn_sync (dir, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_exit_status (status, NULL))
    g_error ("%s failed: %s", command, err);
  g_strfreev (argv);
  g_free (err);
  g_free (command);
}

/* A CA and a server certificate it signed for 127.0.0.1, made fresh in a
 * temporary directory: nothing is trusted but for this test. */
static void
pki_init (Pki *pki)
{
  GError *error = NULL;
  char *cert, *key;

  g_assert_true (g_tls_backend_supports_tls (g_tls_backend_get_default ()));
  pki->dir = g_dir_make_tmp ("async-glib-tls-XXXXXX", &error);
  g_assert_no_error (error);
  cert = g_build_filename (pki->dir, "ext.cnf", NULL);
  g_file_set_contents (cert, "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n", -1, &error);
  g_assert_no_error (error);
  g_free (cert);
  run_openssl (pki->dir, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                         "-keyout ca.key -out ca.pem -days 2 -subj /CN=async-glib-test-ca");
  run_openssl (pki->dir, "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                         "-keyout server.key -out server.csr -subj /CN=127.0.0.1");
  run_openssl (pki->dir, "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                         "-out server.pem -days 2 -extfile ext.cnf");
  pki->ca_file = g_build_filename (pki->dir, "ca.pem", NULL);
  cert = g_build_filename (pki->dir, "server.pem", NULL);
  key = g_build_filename (pki->dir, "server.key", NULL);
  pki->certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  g_free (cert);
  g_free (key);
}

static void
pki_clear (Pki *pki)
{
  const char *files[] = { "ext.cnf", "ca.key", "ca.pem", "ca.srl", "server.key", "server.csr", "server.pem" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      char *path = g_build_filename (pki->dir, files[i], NULL);

      g_unlink (path);
      g_free (path);
    }
  g_rmdir (pki->dir);
  g_free (pki->dir);
  g_free (pki->ca_file);
  g_object_unref (pki->certificate);
}

static AsyncServer *
start_tls_echo (Pki *pki)
{
  return await_server (async_start_tls_server ("127.0.0.1", 0, pki->certificate, echo_handler,
                                               sizeof (EchoHandler), NULL, NULL));
}

/* TLS both ways: our server's handshake, our client's verification against
 * the CA file, and the echo over them, in pieces, 64 KiB. */
static void
test_tls_echo (void)
{
  Pki pki;
  AsyncServer *server;

  AsyncStream *client;
  char *peer, *expected;

  pki_init (&pki);
  server = start_tls_echo (&pki);
  assert_echoed (spawn_echo_client (async_server_get_port (server), 7, 64 * 1024,
                                    pki.ca_file, "127.0.0.1"));
  /* get_extra_info('peername') through the TLS layer */
  client = await_stream (async_open_tls_connection ("127.0.0.1", async_server_get_port (server), pki.ca_file));
  g_assert_true (G_IS_TLS_CONNECTION (async_stream_get_io_stream (client)));
  g_assert_false (async_stream_can_write_eof (client));
  peer = async_stream_dup_peer_name (client);
  expected = g_strdup_printf ("127.0.0.1:%u", async_server_get_port (server));
  g_assert_cmpstr (peer, ==, expected);
  g_free (peer);
  g_free (expected);
  /* A clean close sends close_notify; without it the server's read would
   * fail, as a truncation (glib-networking requires close_notify). */
  {
    AsyncFuture *closed = async_stream_wait_closed (client);

    async_stream_close (client);
    test_await (closed, 10);
    g_assert_true (async_future_is_resolved (closed));
    async_future_unref (closed);
  }
  async_stream_unref (client);
  close_server (server);
  pki_clear (&pki);
}

static void
assert_tls_refused (Pki        *pki,
                    guint16     port,
                    const char *host,
                    const char *ca_file)
{
  AsyncFuture *open = async_open_tls_connection (host, port, ca_file);

  test_await (open, 10);
  g_assert_error ((GError *) async_future_get_error (open), G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  async_future_unref (open);
}

/* Verification is on: a CA the client does not trust, or a certificate
 * for another name, fails the open; the server serves on. */
static void
test_tls_verification (void)
{
  Pki pki;
  AsyncServer *server;
  guint16 port;

  pki_init (&pki);
  server = start_tls_echo (&pki);
  port = async_server_get_port (server);
  /* The system's CAs do not know ours. */
  assert_tls_refused (&pki, port, "127.0.0.1", NULL);
  /* The certificate is for 127.0.0.1 only. */
  assert_tls_refused (&pki, port, "localhost", pki.ca_file);
  assert_echoed (spawn_echo_client (port, 8, 100, pki.ca_file, "127.0.0.1"));
  close_server (server);
  pki_clear (&pki);
}

/* A client that does not speak TLS fails its handshake, not the server. */
static void
test_tls_plain_client (void)
{
  Pki pki;
  AsyncServer *server;
  AsyncStream *plain;
  AsyncFuture *end;

  pki_init (&pki);
  server = start_tls_echo (&pki);
  plain = await_stream (async_open_connection ("127.0.0.1", async_server_get_port (server)));
  async_stream_write (plain, "GET / HTTP/1.0\r\n\r\n", 18);
  /* The server gives up on it: an end, or a reset. */
  end = async_stream_read (plain, -1);
  test_await (end, 10);
  if (!async_future_is_resolved (end))
    g_assert_error ((GError *) async_future_get_error (end), G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  async_future_unref (end);
  async_stream_unref (plain);
  assert_echoed (spawn_echo_client (async_server_get_port (server), 9, 100, pki.ca_file, "127.0.0.1"));
  close_server (server);
  pki_clear (&pki);
}

/* --- descriptors ---------------------------------------------------------- */

/* A server and its connections leave no descriptor behind once closed. */
static void
test_no_fd_leak (void)
{
  AsyncServer *server;
  AsyncFuture *clients[20];
  guint before;

  /* First use of the resolver and the socket client opens GLib's own. */
  server = await_server (async_start_server ("127.0.0.1", 0, echo_handler,
                                             sizeof (EchoHandler), NULL, NULL));
  assert_echoed (spawn_echo_client (async_server_get_port (server), 0, 10, NULL, NULL));
  close_server (server);
  test_iterate_pending ();
  before = test_count_fds ();

  server = await_server (async_start_server ("127.0.0.1", 0, echo_handler,
                                             sizeof (EchoHandler), NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = spawn_echo_client (async_server_get_port (server), i, 3000, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    assert_echoed (clients[i]);
  close_server (server);
  test_iterate_pending ();
  g_assert_cmpuint (test_count_fds (), ==, before);
}

static void
test_bad_input (void)
{
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*frame_size*");
  g_assert_null (async_start_server ("127.0.0.1", 0, echo_handler, sizeof (AsyncServerConnection) - 1,
                                     NULL, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*handler != NULL*");
  g_assert_null (async_start_server ("127.0.0.1", 0, NULL, sizeof (EchoHandler), NULL, NULL));
  g_test_assert_expected_messages ();
}

int
main (int   argc,
      char *argv[])
{
  struct rlimit limit;

  g_test_init (&argc, &argv, NULL);

  /* A thousand clients and their server connections need 2,000 fds. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 4096)
    {
      limit.rlim_cur = MIN (limit.rlim_max, 4096);
      setrlimit (RLIMIT_NOFILE, &limit);
    }

  g_test_add_func ("/tcp-server/echo/one-client", test_echo_one_client);
  g_test_add_func ("/tcp-server/echo/1000-clients", test_echo_many_clients);
  g_test_add_func ("/tcp-server/port-zero-readable", test_port_zero);
  g_test_add_func ("/tcp-server/close/with-handlers-running", test_close_with_handlers_running);
  g_test_add_func ("/tcp-server/handler/failure-logged-server-serves-on", test_failing_handler);
  g_test_add_func ("/tcp-server/tls/echo", test_tls_echo);
  g_test_add_func ("/tcp-server/tls/verification", test_tls_verification);
  g_test_add_func ("/tcp-server/tls/plain-client-fails-handshake-only", test_tls_plain_client);
  g_test_add_func ("/tcp-server/fds/no-leak", test_no_fd_leak);
  g_test_add_func ("/tcp-server/bad-input", test_bad_input);

  return g_test_run ();
}
