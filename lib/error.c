/* error.c: the ASYNC_ERROR domain. */

#include "config.h"

#include "async-glib/async-error.h"
#include "error-private.h"

/**
 * async_error_quark:
 *
 * Returns: the quark of the %ASYNC_ERROR domain
 *
 * Since: 0.1
 */
ASYNC_DEFINE_QUARK (async-error-quark, async_error)
