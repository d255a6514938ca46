/* error-private.h: how lib/ defines its error domains' quarks. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before error-private.h"
#endif

#include <glib.h>

/* As G_DEFINE_QUARK, but through g_once: G_DEFINE_QUARK's unlocked static
 * is a data race that ThreadSanitizer rightly reports when two threads
 * fail at once. */
#define ASYNC_DEFINE_QUARK(QN, q_n) \
GQuark \
q_n##_quark (void) \
{ \
  static gsize q_n##_quark_value = 0; \
 \
  if (g_once_init_enter (&q_n##_quark_value)) \
    g_once_init_leave (&q_n##_quark_value, g_quark_from_static_string (#QN)); \
 \
  return (GQuark) q_n##_quark_value; \
}

/* An ASYNC_ERROR_TASK_GROUP error that takes @errors (at least one): its
 * message names the first. */
GError *async_error_new_task_group_ (GPtrArray *errors);
