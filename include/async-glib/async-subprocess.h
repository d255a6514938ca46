/* async-subprocess.h: asyncio.create_subprocess_exec() over GSubprocess:
 * the child's pipes as #AsyncStream, its exit as a future, communicate(). */

/**
 * SECTION:async-subprocess
 * @title: AsyncSubprocess
 * @short_description: asyncio's create_subprocess_exec
 *
 * A child process over #GSubprocess whose standard input, output and error
 * are streams (#AsyncStream); communicate feeds and drains them all at
 * once; wait, the exit status and signals. Loop-local.
 */

#pragma once

#include <async-glib/async-stream.h>

G_BEGIN_DECLS

/**
 * AsyncSubprocess:
 *
 * asyncio's `Process`: a child process, its pipes (those asked for with
 * %G_SUBPROCESS_FLAGS_STDIN_PIPE, %G_SUBPROCESS_FLAGS_STDOUT_PIPE,
 * %G_SUBPROCESS_FLAGS_STDERR_PIPE) as streams, and its exit.
 *
 * Cancelling async_subprocess_wait() does not kill the child (as
 * asyncio). To kill a child that runs too long:
 *
 *   ASYNC_AWAIT_TRY (co, async_wait_for (async_subprocess_wait (child), 5), &error);
 *   if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) async_subprocess_kill (child);
 *
 * Thread safety: a subprocess belongs to the thread-default context it was
 * started in; call its functions from the thread that runs that context.
 *
 * Since: 0.2
 */
typedef struct _AsyncSubprocess AsyncSubprocess;

/**
 * AsyncSubprocessOutput:
 * @stdout_data: (nullable): all the child wrote on its standard output,
 *   %NULL without %G_SUBPROCESS_FLAGS_STDOUT_PIPE
 * @stderr_data: (nullable): the same for its standard error
 * @returncode: as async_subprocess_get_returncode()
 *
 * What async_subprocess_communicate() resolves with: asyncio's
 * `(stdout_data, stderr_data)`, and the exit status.
 *
 * Since: 0.2
 */
typedef struct _AsyncSubprocessOutput AsyncSubprocessOutput;
struct _AsyncSubprocessOutput
{
  GBytes *stdout_data;
  GBytes *stderr_data;
  int     returncode;
};

ASYNC_AVAILABLE_IN_0_2
AsyncFuture     *async_subprocess_exec           (const char * const *argv,
                                                  GSubprocessFlags    flags) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncSubprocess *async_subprocess_ref            (AsyncSubprocess    *subprocess);
ASYNC_AVAILABLE_IN_0_2
void             async_subprocess_unref          (AsyncSubprocess    *subprocess);

ASYNC_AVAILABLE_IN_0_2
AsyncStream     *async_subprocess_get_stdin      (AsyncSubprocess    *subprocess);
ASYNC_AVAILABLE_IN_0_2
AsyncStream     *async_subprocess_get_stdout     (AsyncSubprocess    *subprocess);
ASYNC_AVAILABLE_IN_0_2
AsyncStream     *async_subprocess_get_stderr     (AsyncSubprocess    *subprocess);
ASYNC_AVAILABLE_IN_0_2
const char      *async_subprocess_get_identifier (AsyncSubprocess    *subprocess);

ASYNC_AVAILABLE_IN_0_2
AsyncFuture     *async_subprocess_wait           (AsyncSubprocess    *subprocess) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
gboolean         async_subprocess_get_returncode (AsyncSubprocess    *subprocess,
                                                  int                *returncode);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture     *async_subprocess_communicate    (AsyncSubprocess    *subprocess,
                                                  GBytes             *input) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
void             async_subprocess_send_signal    (AsyncSubprocess    *subprocess,
                                                  int                 signal_number);
ASYNC_AVAILABLE_IN_0_2
void             async_subprocess_terminate      (AsyncSubprocess    *subprocess);
ASYNC_AVAILABLE_IN_0_2
void             async_subprocess_kill           (AsyncSubprocess    *subprocess);

ASYNC_AVAILABLE_IN_0_2
void             async_subprocess_output_free    (AsyncSubprocessOutput *output);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncSubprocess, async_subprocess_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncSubprocessOutput, async_subprocess_output_free)

G_END_DECLS
