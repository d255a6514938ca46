/* test-https.c: HTTPS and HTTP/2 end to end, against nginx on loopback
 * with a throwaway certificate authority made by openssl at test time:
 * verification with the CA file set on the session, failures for an
 * unknown CA and a host name mismatch, verification turned off, a client
 * certificate, and HTTP/2 negotiated by ALPN. nginx runs in a temporary
 * directory of its own on a free port and is stopped by its PID. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <async-glib/async-glib.h>

#include "test-util.h"

#define TIMEOUT_S 30
#define STARTUP_TIMEOUT_S 10

static char  *dir;
static GPid   nginx_pid;
static guint  port;

static char *
path_in_dir (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* Runs a command that must succeed, in @dir. */
static void
run (const char * const *argv)
{
  char *err = NULL;
  int status;
  GError *error = NULL;

  if (!g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("%s failed: %s", argv[0], err);
  g_free (err);
}

/* A CA, and a certificate it signs for @subject with @san. */
static void
make_ca (const char *name)
{
  char *key = g_strconcat (name, ".key", NULL);
  char *pem = g_strconcat (name, ".pem", NULL);
  char *subject = g_strconcat ("/CN=", name, NULL);
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", pem,
                         "-days", "2", "-subj", subject, NULL };

  run (argv);
  g_free (subject);
  g_free (pem);
  g_free (key);
}

static void
make_certificate (const char *ca,
                  const char *name,
                  const char *san)
{
  char *key = g_strconcat (name, ".key", NULL);
  char *csr = g_strconcat (name, ".csr", NULL);
  char *pem = g_strconcat (name, ".pem", NULL);
  char *ca_pem = g_strconcat (ca, ".pem", NULL);
  char *ca_key = g_strconcat (ca, ".key", NULL);
  char *subject = g_strconcat ("/CN=", name, NULL);
  char *extensions = g_strdup_printf ("subjectAltName=%s", san);
  char *extension_file = path_in_dir ("extensions.cnf");
  const char *request[] = { "openssl", "req", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr,
                            "-subj", subject, NULL };
  const char *sign[] = { "openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key,
                         "-CAcreateserial", "-out", pem, "-days", "2", "-extfile", extension_file,
                         NULL };

  g_assert_true (g_file_set_contents (extension_file, extensions, -1, NULL));
  run (request);
  run (sign);
  g_free (extension_file);
  g_free (extensions);
  g_free (subject);
  g_free (ca_key);
  g_free (ca_pem);
  g_free (pem);
  g_free (csr);
  g_free (key);
}

/* A port nobody listens on now; nginx binds it next. */
static guint
free_port (void)
{
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
  GSocketAddress *bound;
  guint chosen;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  chosen = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (address);
  g_object_unref (loopback);
  g_object_unref (socket);
  return chosen;
}

/* A plain socket: GSocketClient would ask the system's proxy resolver. */
static gboolean
port_accepts (guint tcp_port)
{
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, tcp_port);
  gboolean connected = g_socket_connect (socket, address, NULL, NULL);

  g_object_unref (address);
  g_object_unref (loopback);
  g_object_unref (socket);
  return connected;
}

/* In nginx, before it runs: if this test dies on a failed assertion, nginx
 * gets SIGTERM instead of outliving it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
nginx_start (void)
{
  const char *nginx = g_file_test ("/usr/sbin/nginx", G_FILE_TEST_IS_EXECUTABLE)
                      ? "/usr/sbin/nginx" : "nginx";
  char *conf_path = path_in_dir ("nginx.conf");
  char *error_log = path_in_dir ("error.log");
  char *conf;
  const char *argv[] = { nginx, "-p", dir, "-c", conf_path, "-e", error_log, NULL };
  gint64 deadline;
  GError *error = NULL;
  int status;

  port = free_port ();
  conf = g_strdup_printf (
    "daemon off;\n"
    "master_process off;\n"
    "pid %s/nginx.pid;\n"
    "error_log %s/error.log;\n"
    "events { worker_connections 64; }\n"
    "http {\n"
    "  access_log off;\n"
    "  client_body_temp_path %s/temp; proxy_temp_path %s/temp; fastcgi_temp_path %s/temp;\n"
    "  uwsgi_temp_path %s/temp; scgi_temp_path %s/temp;\n"
    "  server {\n"
    "    listen 127.0.0.1:%u ssl http2;\n"
    "    server_name localhost;\n"
    "    ssl_certificate %s/server.pem;\n"
    "    ssl_certificate_key %s/server.key;\n"
    "    ssl_client_certificate %s/ca.pem;\n"
    "    ssl_verify_client optional;\n"
    "    location / {\n"
    "      default_type text/plain;\n"
    "      return 200 \"client=$ssl_client_verify protocol=$server_protocol\";\n"
    "    }\n"
    "  }\n"
    "}\n", dir, dir, dir, dir, dir, dir, dir, port, dir, dir, dir);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));
  g_free (conf);

  if (!g_spawn_async (dir, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      die_with_parent, NULL, &nginx_pid, &error))
    g_error ("cannot start nginx: %s", error->message);

  /* Ready once it accepts; gone if the port was taken in between. */
  deadline = g_get_monotonic_time () + STARTUP_TIMEOUT_S * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      if (waitpid (nginx_pid, &status, WNOHANG) == nginx_pid)
        {
          char *log = NULL;

          g_file_get_contents (error_log, &log, NULL, NULL);
          g_test_message ("nginx exited: %s", log);
          g_free (log);
          g_spawn_close_pid (nginx_pid);
          g_free (conf_path);
          g_free (error_log);
          return FALSE;
        }
      if (port_accepts (port))
        {
          g_free (conf_path);
          g_free (error_log);
          return TRUE;
        }
      g_usleep (20 * 1000);
    }
  g_error ("nginx did not accept connections within %d s", STARTUP_TIMEOUT_S);
}

static void
nginx_stop (void)
{
  int status;

  kill (nginx_pid, SIGTERM);
  while (waitpid (nginx_pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (nginx_pid);
}

static char *
url_for (const char *host)
{
  return g_strdup_printf ("https://%s:%u/", host, port);
}

static AsyncFuture *
get_at (const char       *where,
        AsyncHttpSession *session,
        const char       *host)
{
  char *url = url_for (host);
  AsyncFuture *future = async_http_session_get (session, url);

  test_await_at (where, future, TIMEOUT_S);
  g_free (url);
  return future;
}
#define get(session, host) get_at (G_STRLOC, (session), (host))

static void
assert_tls_error_at (const char  *where,
                     AsyncFuture *future)
{
  const GError *error = async_future_get_error (future);

  if (!g_error_matches (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TLS))
    g_error ("%s: expected a TLS error, got %s", where, error != NULL ? error->message : "success");
  g_test_message ("%s", error->message);
  async_future_unref (future);
}
#define assert_tls_error(future) assert_tls_error_at (G_STRLOC, (future))

static void
test_verify_with_ca_file (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *ca = path_in_dir ("ca.pem");
  AsyncFuture *future;
  AsyncHttpResponse *response;

  async_http_session_set_ca_file (session, ca);
  future = get (session, "localhost");
  g_assert_no_error ((GError *) async_future_get_error (future));
  response = async_future_get_value (future);
  g_assert_cmpuint (async_http_response_get_status (response), ==, 200);
  g_assert_cmpfloat (async_http_response_get_timings (response)->tls, >, 0);
  g_assert_true (g_str_has_prefix (async_http_response_get_text (response, NULL), "client=NONE "));
  async_future_unref (future);

  g_free (ca);
  async_http_session_unref (session);
}

static void
test_unknown_ca_refused (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *other = path_in_dir ("other-ca.pem");

  /* The system's authorities do not know ours... */
  assert_tls_error (get (session, "localhost"));
  /* ...nor does another throwaway one. */
  async_http_session_set_ca_file (session, other);
  assert_tls_error (get (session, "localhost"));

  g_free (other);
  async_http_session_unref (session);
}

static void
test_host_mismatch_refused (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *ca = path_in_dir ("ca.pem");

  /* The certificate names localhost only, not 127.0.0.1. */
  async_http_session_set_ca_file (session, ca);
  assert_tls_error (get (session, "127.0.0.1"));

  g_free (ca);
  async_http_session_unref (session);
}

static void
test_verification_off (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future;

  async_http_session_set_verify_tls (session, FALSE);
  future = get (session, "127.0.0.1");
  g_assert_cmpuint (async_http_response_get_status (async_future_get_value (future)), ==, 200);
  async_future_unref (future);

  async_http_session_unref (session);
}

static void
test_client_certificate (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *ca = path_in_dir ("ca.pem");
  char *certificate = path_in_dir ("client.pem");
  char *key = path_in_dir ("client.key");
  AsyncFuture *future;

  async_http_session_set_ca_file (session, ca);
  async_http_session_set_client_certificate (session, certificate, key);
  future = get (session, "localhost");
  g_assert_true (g_str_has_prefix (async_http_response_get_text (async_future_get_value (future), NULL),
                                   "client=SUCCESS "));
  async_future_unref (future);

  g_free (key);
  g_free (certificate);
  g_free (ca);
  async_http_session_unref (session);
}

static void
test_http2 (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *ca = path_in_dir ("ca.pem");
  AsyncFuture *future;
  AsyncHttpResponse *response;

  async_http_session_set_ca_file (session, ca);
  future = get (session, "localhost");
  response = async_future_get_value (future);
  g_assert_cmpstr (async_http_response_get_http_version (response), ==, "2");
  g_assert_true (g_str_has_suffix (async_http_response_get_text (response, NULL),
                                   "protocol=HTTP/2.0"));
  /* HTTP/2 has no reason phrase. */
  g_assert_cmpstr (async_http_response_get_reason (response), ==, "");
  async_future_unref (future);

  g_free (ca);
  async_http_session_unref (session);
}

/* fetch-urls with curl's TLS options; returns its exit status. */
static int
fetch_urls (const char * const *args,
            char              **out)
{
  const char *samples = g_getenv ("ASYNC_SAMPLES_DIR");
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  char *err = NULL;
  int status;

  g_ptr_array_add (argv, samples != NULL ? g_build_filename (samples, "fetch-urls", NULL)
                                         : g_test_build_filename (G_TEST_BUILT, "..", "samples",
                                                                  "fetch-urls", NULL));
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, &err, &status, NULL));
  g_test_message ("fetch-urls: %s", err);
  g_free (err);
  g_ptr_array_unref (argv);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_fetch_urls_tls_options (void)
{
  char *ca = path_in_dir ("ca.pem");
  char *by_name = url_for ("localhost");
  char *by_address = url_for ("127.0.0.1");
  const char *with_ca[] = { "--summary", "--cacert", ca, by_name, NULL };
  const char *without[] = { by_name, NULL };
  const char *insecure[] = { "-k", by_address, NULL };
  char *out;

  g_assert_cmpint (fetch_urls (with_ca, &out), ==, 0);
  g_assert_true (g_str_has_prefix (out, "client=NONE protocol=HTTP/2.0\n"));
  /* The summary tells the HTTP version. */
  g_assert_nonnull (strstr (out, "\n200    2    "));
  g_free (out);
  g_assert_cmpint (fetch_urls (without, &out), ==, 1);
  g_free (out);
  g_assert_cmpint (fetch_urls (insecure, &out), ==, 0);
  g_free (out);

  g_free (by_address);
  g_free (by_name);
  g_free (ca);
}

static void
remove_dir (const char *path)
{
  GDir *listing = g_dir_open (path, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (listing)) != NULL)
    {
      char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_dir (child);
      else
        g_unlink (child);
      g_free (child);
    }
  g_dir_close (listing);
  g_rmdir (path);
}

int
main (int    argc,
      char **argv)
{
  int status;
  guint attempt;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/https/verify/with-ca-file", test_verify_with_ca_file);
  g_test_add_func ("/https/verify/unknown-ca-refused", test_unknown_ca_refused);
  g_test_add_func ("/https/verify/host-mismatch-refused", test_host_mismatch_refused);
  g_test_add_func ("/https/verify/turned-off", test_verification_off);
  g_test_add_func ("/https/client-certificate", test_client_certificate);
  g_test_add_func ("/https/http2/negotiated", test_http2);
  g_test_add_func ("/https/fetch-urls/tls-options", test_fetch_urls_tls_options);

  dir = g_dir_make_tmp ("test-https-XXXXXX", NULL);
  make_ca ("ca");
  make_ca ("other-ca");
  make_certificate ("ca", "server", "DNS:localhost");
  make_certificate ("ca", "client", "DNS:client");
  /* The port may be taken between choosing it and nginx binding it. */
  for (attempt = 0; attempt < 3 && !nginx_start (); attempt++)
    ;
  if (attempt == 3)
    g_error ("nginx did not start");

  status = g_test_run ();

  nginx_stop ();
  remove_dir (dir);
  g_free (dir);
  return status;
}
