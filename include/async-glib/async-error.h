/* async-error.h: the library's error domain. Cancellation is reported as
 * G_IO_ERROR_CANCELLED and time-outs as G_IO_ERROR_TIMED_OUT, so that GIO
 * code understands them; the HTTP client has ASYNC_HTTP_ERROR. */

/**
 * SECTION:async-error
 * @title: Errors
 * @short_description: the ASYNC_ERROR domain
 *
 * async-glib's own failures are in %ASYNC_ERROR. Cancellation is reported as
 * %G_IO_ERROR_CANCELLED and time-outs as %G_IO_ERROR_TIMED_OUT, so that GIO
 * code understands them; HTTP transfers fail in %ASYNC_HTTP_ERROR.
 */

#pragma once

#include <async-glib/async-macros.h>

G_BEGIN_DECLS

/**
 * ASYNC_ERROR:
 *
 * The error domain of async-glib's own errors (not the HTTP client's, which
 * are %ASYNC_HTTP_ERROR).
 *
 * Since: 0.1
 */
#define ASYNC_ERROR (async_error_quark ())

/**
 * AsyncError:
 * @ASYNC_ERROR_FAILED: a failure with no more specific code.
 * @ASYNC_ERROR_POOL_SHUT_DOWN: work was submitted to, or was still queued
 *   on, an #AsyncPool that was shut down.
 * @ASYNC_ERROR_BROKEN_BARRIER: an #AsyncBarrier wait failed because the
 *   barrier was aborted (async_barrier_abort()) or reset
 *   (async_barrier_reset()) while it waited, or is broken. Since: 0.2
 * @ASYNC_ERROR_QUEUE_FULL: async_queue_put_nowait() on a full #AsyncQueue.
 *   Since: 0.2
 * @ASYNC_ERROR_QUEUE_EMPTY: async_queue_get_nowait() on an empty
 *   #AsyncQueue. Since: 0.2
 * @ASYNC_ERROR_QUEUE_SHUT_DOWN: a put on an #AsyncQueue that was shut down
 *   (async_queue_shutdown()), or a get once it is also empty. Since: 0.2
 * @ASYNC_ERROR_LIMIT_OVERRUN: asyncio's `LimitOverrunError`: the separator
 *   of async_stream_readuntil() or async_stream_readline() was not found
 *   within the stream's limit (async_stream_read_get_consumed() says how
 *   far it looked). Since: 0.2
 * @ASYNC_ERROR_INCOMPLETE_READ: asyncio's `IncompleteReadError`: the
 *   stream ended before async_stream_readexactly() or
 *   async_stream_readuntil() had what it needed; the bytes read are
 *   async_stream_read_get_partial(). Since: 0.2
 * @ASYNC_ERROR_TASK_GROUP: children of an #AsyncTaskGroup failed (or its
 *   body did): async_task_group_error_get_errors() lists every error, and
 *   the message names the first. Since: 0.2
 *
 * Error codes in the %ASYNC_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum
{
  ASYNC_ERROR_FAILED,
  ASYNC_ERROR_POOL_SHUT_DOWN,
  ASYNC_ERROR_BROKEN_BARRIER,
  ASYNC_ERROR_QUEUE_FULL,
  ASYNC_ERROR_QUEUE_EMPTY,
  ASYNC_ERROR_QUEUE_SHUT_DOWN,
  ASYNC_ERROR_LIMIT_OVERRUN,
  ASYNC_ERROR_INCOMPLETE_READ,
  ASYNC_ERROR_TASK_GROUP,
} AsyncError;

ASYNC_AVAILABLE_IN_ALL
GQuark           async_error_quark                 (void);
ASYNC_AVAILABLE_IN_0_2
const GPtrArray *async_task_group_error_get_errors (const GError *error);

G_END_DECLS
