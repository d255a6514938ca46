/* test-subprocess.c: AsyncSubprocess, asyncio.create_subprocess_exec(). The
 * cases mirror CPython's Lib/test/test_asyncio/test_subprocess.py (named in
 * each comment), with sh, cat, tee and sleep for its Python children. The
 * paths start with /process: GTest runs a path containing "/subprocess"
 * only inside g_test_trap_subprocess (). */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

static AsyncSubprocess *
exec_ok (GSubprocessFlags flags,
         const char      *first,
         ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  AsyncFuture *exec;
  AsyncSubprocess *child;
  const char *arg;
  va_list args;

  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  exec = async_subprocess_exec ((const char * const *) argv->pdata, flags);
  test_await (exec, 10);
  if (!async_future_is_resolved (exec))
    g_error ("exec %s: %s", first, async_future_get_error (exec)->message);
  child = async_subprocess_ref (async_future_get_value (exec));
  async_future_unref (exec);
  g_ptr_array_unref (argv);

  return child;
}

static int
await_returncode (AsyncSubprocess *child)
{
  AsyncFuture *wait = async_subprocess_wait (child);
  int returncode;

  test_await (wait, 30);
  g_assert_true (async_future_is_resolved (wait));
  returncode = async_future_get_int (wait);
  async_future_unref (wait);

  return returncode;
}

static AsyncSubprocessOutput *
await_communicate (AsyncSubprocess *child,
                   GBytes          *input)
{
  AsyncFuture *communicate = async_subprocess_communicate (child, input);
  AsyncSubprocessOutput *output;

  test_await (communicate, 60);
  if (!async_future_is_resolved (communicate))
    g_error ("communicate: %s", async_future_get_error (communicate)->message);
  output = async_future_steal_value (communicate);
  async_future_unref (communicate);

  return output;
}

static void
assert_bytes (GBytes     *bytes,
              const char *expected)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, strlen (expected));
}

/* test_stdin_stdout: write, drain, close stdin, read stdout, wait. */
static void
test_stdin_stdout (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                    "cat", NULL);
  AsyncStream *in = async_subprocess_get_stdin (child);
  AsyncFuture *drain, *line, *closed;

  g_assert_null (async_subprocess_get_stderr (child));
  async_stream_write (in, "some data\n", 10);
  drain = async_stream_drain (in);
  test_await (drain, 10);
  g_assert_true (async_future_is_resolved (drain));
  async_future_unref (drain);
  line = async_stream_readline (async_subprocess_get_stdout (child));
  test_await (line, 10);
  assert_bytes (async_future_get_value (line), "some data\n");
  async_future_unref (line);
  closed = async_stream_wait_closed (in);
  async_stream_close (in);
  test_await (closed, 10);
  async_future_unref (closed);
  g_assert_cmpint (await_returncode (child), ==, 0);
  line = async_stream_read (async_subprocess_get_stdout (child), -1);
  test_await (line, 10);
  assert_bytes (async_future_get_value (line), "");
  g_assert_true (async_stream_at_eof (async_subprocess_get_stdout (child)));
  async_future_unref (line);
  async_subprocess_unref (child);
}

/* test_communicate, test_stdin_not_inheritable */
static void
test_communicate (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                    "sh", "-c", "cat; echo err >&2; exit 3", NULL);
  GBytes *input = g_bytes_new_static ("some data", 9);
  AsyncSubprocessOutput *output = await_communicate (child, input);
  int returncode;

  assert_bytes (output->stdout_data, "some data");
  assert_bytes (output->stderr_data, "err\n");
  g_assert_cmpint (output->returncode, ==, 3);
  g_assert_true (async_subprocess_get_returncode (child, &returncode));
  g_assert_cmpint (returncode, ==, 3);
  async_subprocess_output_free (output);
  g_bytes_unref (input);
  async_subprocess_unref (child);
}

/* test_empty_input, test_devnull_output: no stdout pipe, no bytes. */
static void
test_communicate_empty_input (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                    "wc", "-c", NULL);
  GBytes *empty = g_bytes_new (NULL, 0);
  AsyncSubprocessOutput *output = await_communicate (child, empty);
  char *text = g_strstrip (g_strndup (g_bytes_get_data (output->stdout_data, NULL),
                                      g_bytes_get_size (output->stdout_data)));

  g_assert_cmpstr (text, ==, "0");
  g_assert_null (output->stderr_data);
  g_free (text);
  g_bytes_unref (empty);
  async_subprocess_output_free (output);
  async_subprocess_unref (child);

  child = exec_ok (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, "cat", NULL);
  output = await_communicate (child, NULL);
  g_assert_null (output->stdout_data);
  g_assert_cmpint (output->returncode, ==, 0);
  async_subprocess_output_free (output);
  async_subprocess_unref (child);
}

/* 10 MiB in, and 10 MiB on each of stdout and stderr, interleaved by tee:
 * a communicate that did not feed and drain all three at once would
 * deadlock on a full pipe. */
static void
test_communicate_10mib (void)
{
  gsize size = 10 * 1024 * 1024;
  guint8 *data = g_malloc (size);
  GBytes *input;
  AsyncSubprocess *child;
  AsyncSubprocessOutput *output;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 131 + (i >> 12));
  input = g_bytes_new_take (data, size);
  child = exec_ok (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                   G_SUBPROCESS_FLAGS_STDERR_PIPE, "tee", "/dev/stderr", NULL);
  output = await_communicate (child, input);
  g_assert_cmpint (output->returncode, ==, 0);
  g_assert_true (g_bytes_equal (output->stdout_data, input));
  g_assert_true (g_bytes_equal (output->stderr_data, input));
  async_subprocess_output_free (output);
  g_bytes_unref (input);
  async_subprocess_unref (child);
}

/* test_communicate_ignore_broken_pipe: a child that reads none of its 1 MiB
 * input is no error for communicate (). */
static void
test_communicate_ignore_broken_pipe (void)
{
  GBytes *input = g_bytes_new_take (g_malloc0 (1024 * 1024), 1024 * 1024);
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_STDIN_PIPE, "true", NULL);
  AsyncSubprocessOutput *output = await_communicate (child, input);

  g_assert_cmpint (output->returncode, ==, 0);
  async_subprocess_output_free (output);
  g_bytes_unref (input);
  async_subprocess_unref (child);
}

/* test_stdin_broken_pipe: drain () reports the pipe the child closed, and
 * SIGPIPE does not kill us. */
static void
test_stdin_broken_pipe (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_STDIN_PIPE, "true", NULL);
  AsyncStream *in = async_subprocess_get_stdin (child);
  gsize size = 1024 * 1024;
  guint8 *data = g_malloc0 (size);
  AsyncFuture *drain;

  g_assert_cmpint (await_returncode (child), ==, 0);
  async_stream_write (in, data, size);
  drain = async_stream_drain (in);
  test_await (drain, 10);
  g_assert_error ((GError *) async_future_get_error (drain), G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  async_future_unref (drain);
  g_free (data);
  async_subprocess_unref (child);
}

/* test_exit_status-like: the status of sh -c 'exit 7'. */
static void
test_exit_status (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_NONE, "sh", "-c", "exit 7", NULL);

  g_assert_cmpint (await_returncode (child), ==, 7);
  /* wait () again, after the exit: the same code, at once. */
  g_assert_cmpint (await_returncode (child), ==, 7);
  async_subprocess_unref (child);
}

/* test_kill, test_terminate */
static void
test_kill_terminate (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_NONE, "sleep", "3600", NULL);

  g_assert_false (async_subprocess_get_returncode (child, NULL));
  g_assert_nonnull (async_subprocess_get_identifier (child));
  async_subprocess_kill (child);
  g_assert_cmpint (await_returncode (child), ==, -SIGKILL);
  /* After the exit, signals do nothing. */
  async_subprocess_kill (child);
  async_subprocess_unref (child);

  child = exec_ok (G_SUBPROCESS_FLAGS_NONE, "sleep", "3600", NULL);
  async_subprocess_terminate (child);
  g_assert_cmpint (await_returncode (child), ==, -SIGTERM);
  async_subprocess_unref (child);
}

/* test_send_signal: synchronised on a line, as CPython's. */
static void
test_send_signal (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                    "sh", "-c", "echo sleeping; exec sleep 3600", NULL);
  AsyncFuture *line = async_stream_readline (async_subprocess_get_stdout (child));

  test_await (line, 10);
  assert_bytes (async_future_get_value (line), "sleeping\n");
  async_future_unref (line);
  async_subprocess_send_signal (child, SIGHUP);
  g_assert_cmpint (await_returncode (child), ==, -SIGHUP);
  async_subprocess_unref (child);
}

/* test_cancel_process_wait: cancelling wait () leaves the child running. */
static void
test_cancel_wait (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_NONE, "sleep", "3600", NULL);
  AsyncFuture *wait = async_subprocess_wait (child);
  AsyncFuture *later;

  g_assert_true (async_future_cancel (wait));
  async_future_unref (wait);
  /* The child is still there: a signal 0 finds it, and a sleep later it
   * has not exited. */
  later = async_sleep (0.2);
  test_await (later, 5);
  async_future_unref (later);
  g_assert_false (async_subprocess_get_returncode (child, NULL));
  g_assert_cmpint (kill (atoi (async_subprocess_get_identifier (child)), 0), ==, 0);
  async_subprocess_kill (child);
  g_assert_cmpint (await_returncode (child), ==, -SIGKILL);
  async_subprocess_unref (child);
}

/* The README's one line: kill on time-out. */
typedef struct
{
  AsyncSubprocess *child;
  GError          *error;
} Deadline;

static void
deadline_free (gpointer data)
{
  Deadline *self = data;

  g_clear_error (&self->error);
  async_subprocess_unref (self->child);
  g_free (self);
}

static void
deadline_body (AsyncCoroutine *co,
               gpointer        frame)
{
  Deadline *self = frame;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT_TRY (co, async_wait_for (async_subprocess_wait (self->child), 0.2), &self->error);
  if (g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) async_subprocess_kill (self->child);
  ASYNC_AWAIT (co, async_subprocess_wait (self->child));
  ASYNC_RETURN_INT (co, async_coroutine_get_int (co));
  ASYNC_END (co);
}

static void
test_kill_on_timeout (void)
{
  Deadline *deadline = g_new0 (Deadline, 1);
  AsyncFuture *task;
  gint64 start = g_get_monotonic_time ();

  deadline->child = exec_ok (G_SUBPROCESS_FLAGS_NONE, "sleep", "3600", NULL);
  task = async_spawn (deadline_body, deadline, deadline_free);
  test_await (task, 10);
  g_assert_cmpint (async_future_get_int (task), ==, -SIGKILL);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.2);
  async_future_unref (task);
}

/* A child killed in the middle of its output: what it wrote is read to
 * the end of the pipe, and its status says how it died. */
static void
test_killed_mid_output (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "yes", "output", NULL);
  AsyncStream *out = async_subprocess_get_stdout (child);
  AsyncFuture *read;
  GBytes *rest;

  read = async_stream_readexactly (out, 256 * 1024);
  test_await (read, 10);
  g_assert_true (async_future_is_resolved (read));
  g_assert_true (g_str_has_prefix (g_bytes_get_data (async_future_get_value (read), NULL), "output\n"));
  async_future_unref (read);

  async_subprocess_kill (child);
  read = async_stream_read (out, -1);
  test_await (read, 10);
  g_assert_true (async_future_is_resolved (read));
  rest = async_future_get_value (read);
  /* Whatever it wrote before it died, from where the last read left off
   * (256 KiB is 37449 lines of 7 bytes and 1 byte), then the end. */
  g_assert_cmpuint (g_bytes_get_size (rest), >=, 6);
  g_assert_cmpmem (g_bytes_get_data (rest, NULL), 6, "utput\n", 6);
  g_assert_true (async_stream_at_eof (out));
  async_future_unref (read);
  g_assert_cmpint (await_returncode (child), ==, -SIGKILL);
  async_subprocess_unref (child);
}

/* test_read_stdout_after_process_exit: the pipe keeps what was written. */
static void
test_read_after_exit (void)
{
  AsyncSubprocess *child = exec_ok (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "sh", "-c",
                                    "head -c 32768 /dev/zero; exit 1", NULL);
  AsyncFuture *read;

  g_assert_cmpint (await_returncode (child), ==, 1);
  read = async_stream_read (async_subprocess_get_stdout (child), -1);
  test_await (read, 10);
  g_assert_cmpuint (g_bytes_get_size (async_future_get_value (read)), ==, 32768);
  async_future_unref (read);
  async_subprocess_unref (child);
}

/* test_popen_error: a program that does not exist fails the exec. */
static void
test_exec_not_found (void)
{
  const char *argv[] = { "/nonexistent/async-glib-program", NULL };
  AsyncFuture *exec = async_subprocess_exec (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE);

  test_await (exec, 10);
  g_assert_error ((GError *) async_future_get_error (exec), G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
  async_future_unref (exec);
}

/* The pipes go with the subprocess: none is left after many children. */
static void
test_no_fd_leak (void)
{
  GBytes *input = g_bytes_new_static ("x", 1);
  guint before = 0;

  for (int i = 0; i < 23; i++)
    {
      AsyncSubprocess *child;
      AsyncSubprocessOutput *output;

      /* After three rounds of warm-up (GLib's child watch, the poller's
       * first use) and the loop's pending work. */
      if (i == 3)
        {
          test_iterate_pending ();
          before = test_count_fds ();
        }
      child = exec_ok (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                       G_SUBPROCESS_FLAGS_STDERR_PIPE, "cat", NULL);
      if (i % 2 == 0)
        {
          output = await_communicate (child, input);
          async_subprocess_output_free (output);
        }
      else
        {
          async_subprocess_kill (child);
          await_returncode (child);
        }
      async_subprocess_unref (child);
    }
  /* GLib's child watch holds a pidfd of its own on GLib's worker thread
   * until that thread has finalized the watch, a moment after the child's
   * status came: nothing to await for it, so poll, bounded. */
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    test_iterate_pending ();
    while (test_count_fds () > before && g_get_monotonic_time () < deadline)
      test_iterate_for (0.01);
  }
  g_assert_cmpuint (test_count_fds (), <=, before);
  g_bytes_unref (input);
}

static void
test_bad_input (void)
{
  const char *empty[] = { NULL };
  AsyncSubprocess *child;

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (async_subprocess_exec (NULL, G_SUBPROCESS_FLAGS_NONE));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (async_subprocess_exec (empty, G_SUBPROCESS_FLAGS_NONE));
  g_test_assert_expected_messages ();

  /* A pipe has one side only. */
  child = exec_ok (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, "cat", NULL);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*input != NULL*");
  g_assert_null (async_stream_readline (async_subprocess_get_stdin (child)));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*output != NULL*");
  async_stream_write (async_subprocess_get_stdout (child), "x", 1);
  g_test_assert_expected_messages ();
  async_subprocess_kill (child);
  g_assert_cmpint (await_returncode (child), ==, -SIGKILL);
  async_subprocess_unref (child);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/process/stdin-stdout", test_stdin_stdout);
  g_test_add_func ("/process/communicate/basic", test_communicate);
  g_test_add_func ("/process/communicate/empty-input-and-no-pipe", test_communicate_empty_input);
  g_test_add_func ("/process/communicate/10-mib-on-stdout-and-stderr", test_communicate_10mib);
  g_test_add_func ("/process/communicate/ignore-broken-pipe", test_communicate_ignore_broken_pipe);
  g_test_add_func ("/process/stdin-broken-pipe", test_stdin_broken_pipe);
  g_test_add_func ("/process/exit-status", test_exit_status);
  g_test_add_func ("/process/kill-terminate", test_kill_terminate);
  g_test_add_func ("/process/send-signal", test_send_signal);
  g_test_add_func ("/process/cancel-wait-does-not-kill", test_cancel_wait);
  g_test_add_func ("/process/kill-on-timeout", test_kill_on_timeout);
  g_test_add_func ("/process/killed-mid-output", test_killed_mid_output);
  g_test_add_func ("/process/read-after-exit", test_read_after_exit);
  g_test_add_func ("/process/exec-not-found", test_exec_not_found);
  g_test_add_func ("/process/fds/no-leak", test_no_fd_leak);
  g_test_add_func ("/process/bad-input", test_bad_input);

  return g_test_run ();
}
