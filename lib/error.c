/* error.c: the ASYNC_ERROR domain. */

#include "config.h"

#include "async-glib/async-error.h"
#include "error-private.h"

/**
 * async_error_quark:
 *
 * The error domain of async-glib's own errors, %ASYNC_ERROR. Any thread.
 *
 * Returns: the quark of the %ASYNC_ERROR domain
 *
 * Since: 0.1
 */
ASYNC_DEFINE_QUARK (async-error-quark, async_error)
