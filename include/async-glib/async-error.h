/* async-error.h: the library's error domain. Cancellation is reported as
 * G_IO_ERROR_CANCELLED and time-outs as G_IO_ERROR_TIMED_OUT, so that GIO
 * code understands them; the HTTP client has ASYNC_HTTP_ERROR. */

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
 * @ASYNC_ERROR_LIMIT_OVERRUN: asyncio's `LimitOverrunError`: the separator
 *   of async_stream_readuntil() or async_stream_readline() was not found
 *   within the stream's limit (async_stream_read_get_consumed() says how
 *   far it looked). Since: 0.2
 * @ASYNC_ERROR_INCOMPLETE_READ: asyncio's `IncompleteReadError`: the
 *   stream ended before async_stream_readexactly() or
 *   async_stream_readuntil() had what it needed; the bytes read are
 *   async_stream_read_get_partial(). Since: 0.2
 *
 * Error codes in the %ASYNC_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum
{
  ASYNC_ERROR_FAILED,
  ASYNC_ERROR_POOL_SHUT_DOWN,
  ASYNC_ERROR_LIMIT_OVERRUN,
  ASYNC_ERROR_INCOMPLETE_READ,
} AsyncError;

ASYNC_AVAILABLE_IN_ALL
GQuark async_error_quark (void);

G_END_DECLS
