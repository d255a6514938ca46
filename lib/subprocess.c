/* subprocess.c: asyncio.create_subprocess_exec() over GSubprocess: the pipes
 * become streams (stream-private.h), the exit a future watched from the
 * start, and communicate () a gather of feeding stdin and draining stdout
 * and stderr, so that no pipe can fill up and deadlock the child. */

#include "config.h"

#include <signal.h>

#include "async-glib/async-coro.h"
#include "async-glib/async-gather.h"
#include "async-glib/async-subprocess.h"
#include "async-glib/async-wait.h"
#include "stream-private.h"

/* Thread safety: every field is touched on the thread that runs the
 * context the subprocess was started in; @exited is a future, settled by
 * GSubprocess's wait in that context. */
struct _AsyncSubprocess
{
  gatomicrefcount  ref_count;
  GSubprocess     *process;
  AsyncStream     *stdin_stream;
  AsyncStream     *stdout_stream;
  AsyncStream     *stderr_stream;
  AsyncFuture     *exited;        /* of the return code */
};

/* asyncio's returncode: the exit status, or minus the signal that killed
 * the child. */
static void
subprocess_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GSubprocess *process = G_SUBPROCESS (source);
  AsyncFuture *exited = user_data;
  int returncode;

  /* Not cancellable, so it cannot fail. */
  g_subprocess_wait_finish (process, result, NULL);
  if (g_subprocess_get_if_exited (process))
    returncode = g_subprocess_get_exit_status (process);
  else
    returncode = -g_subprocess_get_term_sig (process);

  async_future_resolve_int (exited, returncode);
  async_future_unref (exited);
}

/**
 * async_subprocess_exec:
 * @argv: (array zero-terminated=1): the program (looked up in `PATH`) and
 *   its arguments
 * @flags: GSubprocess's flags: which pipes to make, %G_SUBPROCESS_FLAGS_STDERR_MERGE, …
 *
 * asyncio.create_subprocess_exec: starts the child. Its pipes are
 * async_subprocess_get_stdin() (a stream with a writer side only),
 * async_subprocess_get_stdout() and async_subprocess_get_stderr() (reader
 * sides only). Call it on the thread that runs the thread-default context.
 *
 * Returns: (transfer full): a future of the #AsyncSubprocess, or of the
 *   spawn's error (%G_SPAWN_ERROR_NOENT, …)
 *
 * Since: 0.2
 */
AsyncFuture *
async_subprocess_exec (const char * const *argv,
                       GSubprocessFlags    flags)
{
  AsyncSubprocess *self;
  GSubprocess *process;
  GError *error = NULL;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  process = g_subprocess_newv (argv, flags, &error);
  if (process == NULL)
    return async_future_new_rejected (error);

  self = g_new0 (AsyncSubprocess, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->process = process;
  if (g_subprocess_get_stdin_pipe (process) != NULL)
    self->stdin_stream = async_stream_new_for_pipes (NULL, g_subprocess_get_stdin_pipe (process));
  if (g_subprocess_get_stdout_pipe (process) != NULL)
    self->stdout_stream = async_stream_new_for_pipes (g_subprocess_get_stdout_pipe (process), NULL);
  if (g_subprocess_get_stderr_pipe (process) != NULL)
    self->stderr_stream = async_stream_new_for_pipes (g_subprocess_get_stderr_pipe (process), NULL);

  self->exited = async_future_new ();
  g_subprocess_wait_async (process, NULL, subprocess_exited, async_future_ref (self->exited));

  return async_future_new_resolved (self, (GDestroyNotify) async_subprocess_unref);
}

/**
 * async_subprocess_ref:
 * @subprocess: a subprocess
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @subprocess
 *
 * Since: 0.2
 */
AsyncSubprocess *
async_subprocess_ref (AsyncSubprocess *subprocess)
{
  g_return_val_if_fail (subprocess != NULL, NULL);

  g_atomic_ref_count_inc (&subprocess->ref_count);

  return subprocess;
}

/**
 * async_subprocess_unref:
 * @subprocess: (transfer full): a subprocess
 *
 * Drops a reference; the last one closes the pipes (as their streams'
 * last references do). The child is not killed.
 *
 * Since: 0.2
 */
void
async_subprocess_unref (AsyncSubprocess *subprocess)
{
  g_return_if_fail (subprocess != NULL);

  if (!g_atomic_ref_count_dec (&subprocess->ref_count))
    return;

  g_clear_pointer (&subprocess->stdin_stream, async_stream_unref);
  g_clear_pointer (&subprocess->stdout_stream, async_stream_unref);
  g_clear_pointer (&subprocess->stderr_stream, async_stream_unref);
  async_future_unref (subprocess->exited);
  g_object_unref (subprocess->process);
  g_free (subprocess);
}

/**
 * async_subprocess_get_stdin:
 * @subprocess: a subprocess
 *
 * asyncio's `process.stdin`.
 *
 * Returns: (transfer none) (nullable): a stream to write to the child's
 *   standard input, with %G_SUBPROCESS_FLAGS_STDIN_PIPE
 *
 * Since: 0.2
 */
AsyncStream *
async_subprocess_get_stdin (AsyncSubprocess *subprocess)
{
  g_return_val_if_fail (subprocess != NULL, NULL);

  return subprocess->stdin_stream;
}

/**
 * async_subprocess_get_stdout:
 * @subprocess: a subprocess
 *
 * asyncio's `process.stdout`.
 *
 * Returns: (transfer none) (nullable): a stream to read the child's
 *   standard output, with %G_SUBPROCESS_FLAGS_STDOUT_PIPE
 *
 * Since: 0.2
 */
AsyncStream *
async_subprocess_get_stdout (AsyncSubprocess *subprocess)
{
  g_return_val_if_fail (subprocess != NULL, NULL);

  return subprocess->stdout_stream;
}

/**
 * async_subprocess_get_stderr:
 * @subprocess: a subprocess
 *
 * asyncio's `process.stderr`.
 *
 * Returns: (transfer none) (nullable): a stream to read the child's
 *   standard error, with %G_SUBPROCESS_FLAGS_STDERR_PIPE
 *
 * Since: 0.2
 */
AsyncStream *
async_subprocess_get_stderr (AsyncSubprocess *subprocess)
{
  g_return_val_if_fail (subprocess != NULL, NULL);

  return subprocess->stderr_stream;
}

/**
 * async_subprocess_get_identifier:
 * @subprocess: a subprocess
 *
 * asyncio's `process.pid`, as GSubprocess gives it.
 *
 * Returns: (nullable): the process id as a string, %NULL once it has
 *   exited
 *
 * Since: 0.2
 */
const char *
async_subprocess_get_identifier (AsyncSubprocess *subprocess)
{
  g_return_val_if_fail (subprocess != NULL, NULL);

  return g_subprocess_get_identifier (subprocess->process);
}

/**
 * async_subprocess_wait:
 * @subprocess: a subprocess
 *
 * asyncio's `process.wait`: a future of the return code once the child
 * has exited (async_future_get_int()): its exit status, or minus the
 * signal that killed it. Cancelling the future does not kill the child.
 *
 * Returns: (transfer full): a future of an integer
 *
 * Since: 0.2
 */
AsyncFuture *
async_subprocess_wait (AsyncSubprocess *subprocess)
{
  g_return_val_if_fail (subprocess != NULL, NULL);

  return async_shield (async_future_ref (subprocess->exited));
}

/**
 * async_subprocess_get_returncode:
 * @subprocess: a subprocess
 * @returncode: (out) (optional): the return code, if it has exited
 *
 * asyncio's `process.returncode`.
 *
 * Returns: %TRUE if the child has exited (and been waited for)
 *
 * Since: 0.2
 */
gboolean
async_subprocess_get_returncode (AsyncSubprocess *subprocess,
                                 int             *returncode)
{
  g_return_val_if_fail (subprocess != NULL, FALSE);

  if (!async_future_is_resolved (subprocess->exited))
    return FALSE;
  if (returncode != NULL)
    *returncode = async_future_get_int (subprocess->exited);

  return TRUE;
}

/**
 * async_subprocess_send_signal:
 * @subprocess: a subprocess
 * @signal_number: the signal
 *
 * asyncio's `send_signal`. Once the child has exited it does nothing
 * (GSubprocess's rule; asyncio raises ProcessLookupError).
 *
 * Since: 0.2
 */
void
async_subprocess_send_signal (AsyncSubprocess *subprocess,
                              int              signal_number)
{
  g_return_if_fail (subprocess != NULL);
  g_return_if_fail (signal_number > 0);

  g_subprocess_send_signal (subprocess->process, signal_number);
}

/**
 * async_subprocess_terminate:
 * @subprocess: a subprocess
 *
 * asyncio's `terminate`: sends `SIGTERM`.
 *
 * Since: 0.2
 */
void
async_subprocess_terminate (AsyncSubprocess *subprocess)
{
  async_subprocess_send_signal (subprocess, SIGTERM);
}

/**
 * async_subprocess_kill:
 * @subprocess: a subprocess
 *
 * asyncio's `kill`: sends `SIGKILL`.
 *
 * Since: 0.2
 */
void
async_subprocess_kill (AsyncSubprocess *subprocess)
{
  async_subprocess_send_signal (subprocess, SIGKILL);
}

/* --- communicate ---------------------------------------------------------- */

typedef struct
{
  AsyncStream *stdin_stream;
  GBytes      *input;
} FeedStdin;

static void
feed_stdin_free (gpointer data)
{
  FeedStdin *self = data;

  async_stream_unref (self->stdin_stream);
  g_clear_pointer (&self->input, g_bytes_unref);
  g_free (self);
}

/* asyncio's _feed_stdin (): a child that exits without reading all of its
 * input is no error. */
static void
feed_stdin_body (AsyncCoroutine *co,
                 gpointer        frame)
{
  FeedStdin *self = frame;
  GError *error = NULL;

  ASYNC_BEGIN (co);

  if (self->input != NULL)
    {
      async_stream_write_bytes (self->stdin_stream, self->input);
      ASYNC_AWAIT_TRY (co, async_stream_drain (self->stdin_stream), &error);
      if (error != NULL &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        ASYNC_RETURN_ERROR (co, error);
      g_clear_error (&error);
    }

  async_stream_close (self->stdin_stream);
  ASYNC_AWAIT_TRY (co, async_stream_wait_closed (self->stdin_stream), &error);
  g_clear_error (&error);

  ASYNC_END (co);
}

typedef struct
{
  AsyncSubprocess       *subprocess;
  GBytes                *input;
  AsyncSubprocessOutput *output;
} Communicate;

static void
communicate_free (gpointer data)
{
  Communicate *self = data;

  async_subprocess_unref (self->subprocess);
  g_clear_pointer (&self->input, g_bytes_unref);
  g_clear_pointer (&self->output, async_subprocess_output_free);
  g_free (self);
}

static AsyncFuture *
read_all_or_nothing (AsyncStream *stream)
{
  if (stream == NULL)
    return async_future_new_resolved (NULL, NULL);

  return async_stream_read (stream, -1);
}

static GBytes *
gathered_bytes (AsyncFuture *gathered,
                guint        index)
{
  GBytes *bytes = async_future_get_value (async_gather_get_result (gathered, index));

  return bytes != NULL ? g_bytes_ref (bytes) : NULL;
}

static void
communicate_body (AsyncCoroutine *co,
                  gpointer        frame)
{
  Communicate *self = frame;
  AsyncSubprocess *subprocess = self->subprocess;

  ASYNC_BEGIN (co);

  {
    AsyncFuture *feed;
    AsyncFuture *out;
    AsyncFuture *err;

    if (subprocess->stdin_stream != NULL)
      {
        FeedStdin *feeder = g_new0 (FeedStdin, 1);

        feeder->stdin_stream = async_stream_ref (subprocess->stdin_stream);
        feeder->input = g_steal_pointer (&self->input);
        feed = async_spawn_at ("async_subprocess_communicate()", feed_stdin_body, feeder,
                               feed_stdin_free);
      }
    else
      feed = async_future_new_resolved (NULL, NULL);
    out = read_all_or_nothing (subprocess->stdout_stream);
    err = read_all_or_nothing (subprocess->stderr_stream);

    ASYNC_AWAIT (co, async_gather (feed, out, err, NULL));
  }

  self->output = g_new0 (AsyncSubprocessOutput, 1);
  self->output->stdout_data = gathered_bytes (async_coroutine_get_awaited (co), 1);
  self->output->stderr_data = gathered_bytes (async_coroutine_get_awaited (co), 2);

  ASYNC_AWAIT (co, async_subprocess_wait (subprocess));
  self->output->returncode = async_coroutine_get_int (co);

  ASYNC_RETURN (co, g_steal_pointer (&self->output), (GDestroyNotify) async_subprocess_output_free);

  ASYNC_END (co);
}

/**
 * async_subprocess_communicate:
 * @subprocess: a subprocess
 * @input: (nullable): what to write to its standard input
 *
 * asyncio's `communicate(input)`: writes @input to the child's standard
 * input and closes it, reads its standard output and error to their ends,
 * all at once (so that a child writing megabytes on both cannot deadlock
 * on a full pipe), then waits for it to exit. With no stdin pipe, @input
 * is ignored, as asyncio does; a child that exits without reading its
 * input is no error. Cancelling the future cancels the reads and the
 * feed, not the child.
 *
 * Returns: (transfer full): a future of an #AsyncSubprocessOutput
 *
 * Since: 0.2
 */
AsyncFuture *
async_subprocess_communicate (AsyncSubprocess *subprocess,
                              GBytes          *input)
{
  Communicate *self;

  g_return_val_if_fail (subprocess != NULL, NULL);

  self = g_new0 (Communicate, 1);
  self->subprocess = async_subprocess_ref (subprocess);
  self->input = input != NULL ? g_bytes_ref (input) : NULL;

  return async_spawn_at ("async_subprocess_communicate()", communicate_body, self,
                         communicate_free);
}

/**
 * async_subprocess_output_free:
 * @output: (transfer full): what async_subprocess_communicate() resolved
 *   with
 *
 * Frees @output and its bytes.
 *
 * Since: 0.2
 */
void
async_subprocess_output_free (AsyncSubprocessOutput *output)
{
  g_return_if_fail (output != NULL);

  g_clear_pointer (&output->stdout_data, g_bytes_unref);
  g_clear_pointer (&output->stderr_data, g_bytes_unref);
  g_free (output);
}
