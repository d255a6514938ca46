/* error.c: the ASYNC_ERROR domain. */

#include "config.h"

#include "async-glib/async-error.h"

/**
 * async_error_quark:
 *
 * Returns: the quark of the %ASYNC_ERROR domain
 *
 * Since: 0.1
 */
GQuark
async_error_quark (void)
{
  static gsize quark = 0;

  /* Not G_DEFINE_QUARK: its unlocked static is a data race that
   * ThreadSanitizer rightly reports when two threads fail at once. */
  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_quark_from_static_string ("async-error-quark"));

  return (GQuark) quark;
}
