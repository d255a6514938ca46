/* Runs tests/fixtures/async-test-server as a child of a GTest program; see
 * test-server-util.h.  Uses blocking I/O only, never a main context. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "test-server-util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <glib.h>

#define STARTUP_TIMEOUT_S  10
#define SHUTDOWN_TIMEOUT_S 10

/* Plain g_spawn and waitpid (), not GSubprocess: GSubprocess reaps its
 * children on GLib's worker thread, a hand-off ThreadSanitizer cannot see,
 * and these helpers need no thread at all. */
struct _AsyncTestServer
{
  GPid  pid;
  int   stdin_fd;
  guint port;
  char *url;
};

static char *
find_server_binary (void)
{
  const char *env = g_getenv ("ASYNC_TEST_SERVER");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_test_build_filename (G_TEST_BUILT, "fixtures", "async-test-server", NULL);
}

/* Reads the server's first line from @fd within STARTUP_TIMEOUT_S. */
static char *
read_first_line (int fd)
{
  gint64 deadline = g_get_monotonic_time () + STARTUP_TIMEOUT_S * G_USEC_PER_SEC;
  GString *line = g_string_new (NULL);

  for (;;)
    {
      struct pollfd readable = { fd, POLLIN, 0 };
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      char c;
      ssize_t n;

      if (left_ms <= 0 || poll (&readable, 1, (int) left_ms) == 0)
        break;
      n = read (fd, &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (c == '\n')
        return g_string_free (line, FALSE);
      g_string_append_c (line, c);
    }

  g_string_free (line, TRUE);
  return NULL;
}

AsyncTestServer *
async_test_server_start_with_seed (guint64 seed)
{
  AsyncTestServer *server;
  GError *error = NULL;
  char *path, *seed_str, *line;
  char *argv[4];
  int stdout_fd;
  guint64 port;

  path = find_server_binary ();
  seed_str = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);
  argv[0] = path;
  argv[1] = (char *) "--seed";
  argv[2] = seed_str;
  argv[3] = NULL;

  server = g_new0 (AsyncTestServer, 1);
  if (!g_spawn_async_with_pipes (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &server->pid, &server->stdin_fd, &stdout_fd, NULL, &error))
    g_error ("Cannot start test server %s: %s", path, error->message);

  line = read_first_line (stdout_fd);
  close (stdout_fd);

  if (line == NULL)
    g_error ("Test server %s printed no port within %d s", path, STARTUP_TIMEOUT_S);
  if (!g_str_has_prefix (line, "PORT ")
      || !g_ascii_string_to_unsigned (line + strlen ("PORT "), 10, 1, 65535, &port, &error))
    g_error ("Test server %s printed \"%s\" instead of its port", path, line);

  server->port = port;
  server->url = g_strdup_printf ("http://127.0.0.1:%u", server->port);

  g_free (line);
  g_free (seed_str);
  g_free (path);
  return server;
}

AsyncTestServer *
async_test_server_start (void)
{
  return async_test_server_start_with_seed (0);
}

const char *
async_test_server_get_url (AsyncTestServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);

  return server->url;
}

char *
async_test_server_url (AsyncTestServer *server,
                       const char      *path_format,
                       ...)
{
  va_list args;
  char *path, *url;

  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (path_format != NULL, NULL);

  va_start (args, path_format);
  path = g_strdup_vprintf (path_format, args);
  va_end (args);

  url = g_strconcat (server->url,
                     *path == '/' || *path == '?' || *path == '\0' ? "" : "/",
                     path, NULL);
  g_free (path);
  return url;
}

guint
async_test_server_get_port (AsyncTestServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server->port;
}

void
async_test_server_stop (AsyncTestServer *server)
{
  gint64 deadline = g_get_monotonic_time () + SHUTDOWN_TIMEOUT_S * G_USEC_PER_SEC;
  int status = 0;
  pid_t done = 0;

  if (server == NULL)
    return;

  /* EOF on its stdin is the server's signal to exit. */
  close (server->stdin_fd);

  while (g_get_monotonic_time () < deadline)
    {
      done = waitpid (server->pid, &status, WNOHANG);
      if (done != 0 && !(done < 0 && errno == EINTR))
        break;
      g_usleep (10 * 1000);
    }

  if (done == 0)
    {
      kill (server->pid, SIGKILL);
      waitpid (server->pid, &status, 0);
      g_error ("Test server did not exit within %d s of stdin closing",
               SHUTDOWN_TIMEOUT_S);
    }

  /* A crash in the fixture must not pass silently as a client failure. */
  if (done < 0)
    g_error ("Cannot wait for the test server: %s", g_strerror (errno));
  if (WIFSIGNALED (status))
    g_error ("Test server was killed by signal %d", WTERMSIG (status));
  if (WEXITSTATUS (status) != 0)
    g_error ("Test server exited with status %d", WEXITSTATUS (status));

  g_spawn_close_pid (server->pid);
  g_free (server->url);
  g_free (server);
}
