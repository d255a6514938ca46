/* test-samples.c: runs the tutorial's samples (hello-world, gather-count)
 * and checks their exact output and, loosely, when each line appears; and
 * the streams' samples (echo-server with echo-client, run-parallel), their
 * output and exit status. */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

typedef struct
{
  char  *text;
  double at;     /* seconds after the sample was started */
} Line;

typedef struct
{
  GArray *lines;      /* of Line */
  GString *output;
  double   elapsed;   /* when the sample had exited */
} Run;

static void
line_clear (gpointer data)
{
  Line *line = data;

  g_free (line->text);
}

/* Runs $ASYNC_SAMPLES_DIR/@name, timestamping each line of its output as
 * it arrives (g_print () flushes every line, as Python's print on a
 * terminal does). Returns FALSE, skipping the test, without the samples. */
static gboolean
run_sample (const char *name,
            Run        *run)
{
  const char *dir = g_getenv ("ASYNC_SAMPLES_DIR");
  GError *error = NULL;
  GSubprocess *process;
  GDataInputStream *lines;
  char *path;
  const char *argv[2];
  gint64 start;
  char *text;

  if (dir == NULL)
    {
      g_test_skip ("ASYNC_SAMPLES_DIR is not set: run through make check");
      return FALSE;
    }

  path = g_build_filename (dir, name, NULL);
  argv[0] = path;
  argv[1] = NULL;

  run->lines = g_array_new (FALSE, TRUE, sizeof (Line));
  g_array_set_clear_func (run->lines, line_clear);
  run->output = g_string_new (NULL);

  start = g_get_monotonic_time ();
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  while ((text = g_data_input_stream_read_line (lines, NULL, NULL, &error)) != NULL)
    {
      Line line = { text, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC };

      g_test_message ("%s: \"%s\" at %.3f s", name, text, line.at);
      g_string_append_printf (run->output, "%s\n", text);
      g_array_append_val (run->lines, line);
    }
  g_assert_no_error (error);

  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  run->elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("%s: exited at %.3f s", name, run->elapsed);

  g_object_unref (lines);
  g_object_unref (process);
  g_free (path);
  return TRUE;
}

static void
run_clear (Run *run)
{
  g_array_unref (run->lines);
  g_string_free (run->output, TRUE);
}

static double
line_at (Run  *run,
         guint index)
{
  return g_array_index (run->lines, Line, index).at;
}

static void
test_hello_world (void)
{
  Run run;

  if (!run_sample ("hello-world", &run))
    return;

  g_assert_cmpstr (run.output->str, ==, "Hello\nWorld\n");
  /* World comes a second after the start, and the run ends then. */
  g_assert_cmpfloat (line_at (&run, 1), >=, 0.95);
  g_assert_cmpfloat (run.elapsed, >=, 1.0);
  g_assert_cmpfloat (run.elapsed, <, 3.0);
  run_clear (&run);
}

static void
test_gather_count (void)
{
  Run run;

  if (!run_sample ("gather-count", &run))
    return;

  g_assert_cmpstr (run.output->str, ==, "1\n3\n2\n2\n3\n1\n");
  /* "2" "2" a second after the start, "3" "1" two seconds after; the run
   * ends at three (each coroutine sleeps after its last line). */
  g_assert_cmpfloat (line_at (&run, 2), >=, 0.95);
  g_assert_cmpfloat (line_at (&run, 3), >=, 0.95);
  g_assert_cmpfloat (line_at (&run, 4), >=, 1.95);
  g_assert_cmpfloat (line_at (&run, 5), >=, 1.95);
  g_assert_cmpfloat (run.elapsed, >=, 3.0);
  g_assert_cmpfloat (run.elapsed, <, 6.0);
  run_clear (&run);
}

/* Runs a sample to its end: its standard output, error and exit status. */
static int
run_to_end (const char  *name,
            char       **out,
            char       **err,
            const char  *first_arg,
            ...)
{
  const char *dir = g_getenv ("ASYNC_SAMPLES_DIR");
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  GSubprocess *process;
  const char *arg;
  va_list args;
  int status;

  g_assert_nonnull (dir);
  g_ptr_array_add (argv, g_build_filename (dir, name, NULL));
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_test_message ("%s: stdout \"%s\", stderr \"%s\"", name, *out, *err);
  g_assert_true (g_subprocess_get_if_exited (process));
  status = g_subprocess_get_exit_status (process);
  g_object_unref (process);
  g_ptr_array_unref (argv);

  return status;
}

/* The asyncio docs' echo pair: the server on a port of its own choosing,
 * the client's exchange, the server's account of it, and a clean exit on
 * SIGTERM (the docs' Ctrl-C). */
static void
test_echo_pair (void)
{
  const char *dir = g_getenv ("ASYNC_SAMPLES_DIR");
  char *server_path = g_build_filename (dir, "echo-server", NULL);
  const char *server_argv[] = { server_path, "0", NULL };
  GError *error = NULL;
  GSubprocess *server;
  GDataInputStream *lines;
  char *line, *port, *out, *err;

  server = g_subprocess_newv (server_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "Serving on 127.0.0.1:"));
  port = g_strdup (line + strlen ("Serving on 127.0.0.1:"));
  g_assert_cmpint (atoi (port), >, 0);
  g_free (line);

  g_assert_cmpint (run_to_end ("echo-client", &out, &err, port, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Send: 'Hello World!'\nReceived: 'Hello World!'\nClose the connection\n");
  g_assert_cmpstr (err, ==, "");
  g_free (out);
  g_free (err);

  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_true (g_str_has_prefix (line, "Received 'Hello World!' from '127.0.0.1:"));
  g_free (line);
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_cmpstr (line, ==, "Send: 'Hello World!'");
  g_free (line);
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_cmpstr (line, ==, "Close the connection");
  g_free (line);

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait_check (server, NULL, &error);
  g_assert_no_error (error);

  /* Once the server is gone, the client fails, and says why. */
  g_assert_cmpint (run_to_end ("echo-client", &out, &err, port, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "echo-client: "));
  g_assert_nonnull (strstr (err, "refused"));
  g_free (out);
  g_free (err);

  g_object_unref (lines);
  g_object_unref (server);
  g_free (port);
  g_free (server_path);
}

static char *
write_commands (const char *dir,
                const char *text)
{
  char *path = g_build_filename (dir, "commands", NULL);
  GError *error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);

  return path;
}

/* Each command's output kept together and in the file's order, though
 * they ran at once and interleaved; stderr with stdout; blank lines
 * skipped; the summary; exit status 1 when one failed. */
static void
test_run_parallel_order (void)
{
  char *dir = g_dir_make_tmp ("async-glib-run-parallel-XXXXXX", NULL);
  char *path = write_commands (dir,
                               "echo a1; sleep 0.3; echo a2\n"
                               "echo b1; sleep 0.1; echo b2 >&2\n"
                               "\n"
                               "exit 3\n"
                               "echo d\n");
  char *out, *err;

  g_assert_cmpint (run_to_end ("run-parallel", &out, &err, "-j", "2", path, NULL), ==, 1);
  g_assert_cmpstr (out, ==,
                   "a1\na2\nb1\nb2\nd\n"
                   "[1] exit 0: echo a1; sleep 0.3; echo a2\n"
                   "[2] exit 0: echo b1; sleep 0.1; echo b2 >&2\n"
                   "[3] exit 3: exit 3\n"
                   "[4] exit 0: echo d\n");
  g_assert_cmpstr (err, ==, "");
  g_free (out);
  g_free (err);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* At most N at a time: six commands of 0.2 s on two workers take three
 * rounds. (A lower bound only.) All succeed: exit status 0. */
static void
test_run_parallel_bound (void)
{
  char *dir = g_dir_make_tmp ("async-glib-run-parallel-XXXXXX", NULL);
  char *path = write_commands (dir, "sleep 0.2\nsleep 0.2\nsleep 0.2\nsleep 0.2\nsleep 0.2\nsleep 0.2\n");
  gint64 start = g_get_monotonic_time ();
  char *out, *err;

  g_assert_cmpint (run_to_end ("run-parallel", &out, &err, "-j", "2", path, NULL), ==, 0);
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, >=, 0.6);
  g_assert_true (g_str_has_suffix (out, "[6] exit 0: sleep 0.2\n"));
  g_free (out);
  g_free (err);

  /* Bad usage: status 2 and a usage line. */
  g_assert_cmpint (run_to_end ("run-parallel", &out, &err, "-j", "0", path, NULL), ==, 2);
  g_assert_true (g_str_has_prefix (err, "usage: run-parallel"));
  g_free (out);
  g_free (err);

  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/samples/hello-world", test_hello_world);
  g_test_add_func ("/samples/gather-count", test_gather_count);
  g_test_add_func ("/samples/echo-server-and-client", test_echo_pair);
  g_test_add_func ("/samples/run-parallel/order-and-summary", test_run_parallel_order);
  g_test_add_func ("/samples/run-parallel/at-most-n", test_run_parallel_bound);

  return g_test_run ();
}
