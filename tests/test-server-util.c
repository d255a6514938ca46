/* Runs tests/fixtures/async-test-server as a child of a GTest program; see
 * test-server-util.h.  Uses blocking I/O only, never a main context. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "test-server-util.h"

#include <stdarg.h>
#include <string.h>

#include <gio/gio.h>

#define STARTUP_TIMEOUT_S  10
#define SHUTDOWN_TIMEOUT_S 10

struct _AsyncTestServer
{
  GSubprocess *process;
  GOutputStream *stdin_pipe;
  guint port;
  char *url;
};

/* Cancels a GCancellable unless stopped within a deadline, so a blocking
 * call can be bounded without iterating any main context. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean stopped;
  gint64 deadline;
  GCancellable *cancellable;
  GThread *thread;
} Watchdog;

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *dog = data;
  gboolean expired = FALSE;

  g_mutex_lock (&dog->lock);
  while (!dog->stopped && !expired)
    expired = !g_cond_wait_until (&dog->cond, &dog->lock, dog->deadline);
  g_mutex_unlock (&dog->lock);

  if (expired)
    g_cancellable_cancel (dog->cancellable);
  return NULL;
}

static void
watchdog_start (Watchdog *dog,
                guint     seconds)
{
  g_mutex_init (&dog->lock);
  g_cond_init (&dog->cond);
  dog->stopped = FALSE;
  dog->deadline = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;
  dog->cancellable = g_cancellable_new ();
  dog->thread = g_thread_new ("test-server-watchdog", watchdog_thread, dog);
}

static void
watchdog_stop (Watchdog *dog)
{
  g_mutex_lock (&dog->lock);
  dog->stopped = TRUE;
  g_cond_signal (&dog->cond);
  g_mutex_unlock (&dog->lock);

  g_thread_join (dog->thread);
  g_object_unref (dog->cancellable);
  g_cond_clear (&dog->cond);
  g_mutex_clear (&dog->lock);
}

static char *
find_server_binary (void)
{
  const char *env = g_getenv ("ASYNC_TEST_SERVER");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_test_build_filename (G_TEST_BUILT, "fixtures", "async-test-server", NULL);
}

AsyncTestServer *
async_test_server_start_with_seed (guint64 seed)
{
  AsyncTestServer *server;
  GInputStream *stdout_pipe;
  GDataInputStream *lines;
  GError *error = NULL;
  Watchdog dog;
  char *path, *seed_str, *line;
  guint64 port;

  path = find_server_binary ();
  seed_str = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);

  server = g_new0 (AsyncTestServer, 1);
  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                      | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                      &error, path, "--seed", seed_str, NULL);
  if (server->process == NULL)
    g_error ("Cannot start test server %s: %s", path, error->message);
  server->stdin_pipe = g_object_ref (g_subprocess_get_stdin_pipe (server->process));

  stdout_pipe = g_subprocess_get_stdout_pipe (server->process);
  lines = g_data_input_stream_new (stdout_pipe);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);

  watchdog_start (&dog, STARTUP_TIMEOUT_S);
  line = g_data_input_stream_read_line (lines, NULL, dog.cancellable, &error);
  watchdog_stop (&dog);

  if (line == NULL)
    g_error ("Test server %s printed no port: %s", path,
             error != NULL ? error->message : "unexpected end of output");
  if (!g_str_has_prefix (line, "PORT ")
      || !g_ascii_string_to_unsigned (line + strlen ("PORT "), 10, 1, 65535, &port, &error))
    g_error ("Test server %s printed \"%s\" instead of its port", path, line);

  server->port = port;
  server->url = g_strdup_printf ("http://127.0.0.1:%u", server->port);

  g_free (line);
  g_object_unref (lines);
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
  GError *error = NULL;
  Watchdog dog;
  gboolean timed_out;

  if (server == NULL)
    return;

  /* EOF on its stdin is the server's signal to exit. */
  g_output_stream_close (server->stdin_pipe, NULL, NULL);

  watchdog_start (&dog, SHUTDOWN_TIMEOUT_S);
  timed_out = !g_subprocess_wait (server->process, dog.cancellable, &error);
  watchdog_stop (&dog);

  if (timed_out)
    {
      g_clear_error (&error);
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
      g_error ("Test server did not exit within %d s of stdin closing",
               SHUTDOWN_TIMEOUT_S);
    }

  /* A crash in the fixture must not pass silently as a client failure. */
  if (g_subprocess_get_if_signaled (server->process))
    g_error ("Test server was killed by signal %d",
             g_subprocess_get_term_sig (server->process));
  if (g_subprocess_get_exit_status (server->process) != 0)
    g_error ("Test server exited with status %d",
             g_subprocess_get_exit_status (server->process));

  g_object_unref (server->stdin_pipe);
  g_object_unref (server->process);
  g_free (server->url);
  g_free (server);
}
