/* error.c: the ASYNC_ERROR domain. It is an extended GError domain (GLib
 * 2.68): an ASYNC_ERROR_TASK_GROUP error carries the errors of the
 * group's children, and g_error_copy () copies them along. */

#include "config.h"

#include "async-glib/async-error.h"
#include "error-private.h"

typedef struct
{
  GPtrArray *errors;   /* (element-type GError) (nullable) */
} AsyncErrorPrivate;

/* Where GLib keeps an extended error's private data: right before the
 * GError, aligned as G_DEFINE_EXTENDED_ERROR () computes it. */
static AsyncErrorPrivate *
error_get_private (const GError *error)
{
  const gsize alignment = 2 * sizeof (gsize);
  const gsize size = (sizeof (AsyncErrorPrivate) + (alignment - 1)) & -alignment;

  return (AsyncErrorPrivate *) (((guint8 *) error) - size);
}

static void
error_private_init (GError *error)
{
  error_get_private (error)->errors = NULL;
}

static void
error_private_copy (const GError *source,
                    GError       *destination)
{
  GPtrArray *errors = error_get_private (source)->errors;
  GPtrArray *copy = NULL;

  if (errors != NULL)
    {
      guint i;

      copy = g_ptr_array_new_full (errors->len, (GDestroyNotify) g_error_free);
      for (i = 0; i < errors->len; i++)
        g_ptr_array_add (copy, g_error_copy (g_ptr_array_index (errors, i)));
    }
  error_get_private (destination)->errors = copy;
}

static void
error_private_clear (GError *error)
{
  g_clear_pointer (&error_get_private (error)->errors, g_ptr_array_unref);
}

/**
 * async_error_quark:
 *
 * The error domain of async-glib's own errors, %ASYNC_ERROR. Any thread.
 *
 * Returns: the quark of the %ASYNC_ERROR domain
 *
 * Since: 0.1
 */
GQuark
async_error_quark (void)
{
  static gsize quark = 0;

  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_error_domain_register_static ("async-error-quark",
                                                               sizeof (AsyncErrorPrivate),
                                                               error_private_init,
                                                               error_private_copy,
                                                               error_private_clear));

  return (GQuark) quark;
}

GError *
async_error_new_task_group_ (GPtrArray *errors)
{
  const GError *first = g_ptr_array_index (errors, 0);
  GError *error = g_error_new (ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP,
                               "unhandled errors in a TaskGroup (%u sub-error%s), the first: %s",
                               errors->len, errors->len == 1 ? "" : "s", first->message);

  error_get_private (error)->errors = errors;
  return error;
}

/**
 * async_task_group_error_get_errors:
 * @error: an %ASYNC_ERROR_TASK_GROUP error
 *
 * The errors an #AsyncTaskGroup failed with (Python's
 * `ExceptionGroup.exceptions`): its children's, in the order they failed,
 * then the one its body ended with, if any. Copies of @error
 * (g_error_copy()) carry copies of them.
 *
 * Returns: (transfer none) (element-type GError): the errors, owned by
 *   @error
 *
 * Since: 0.2
 */
const GPtrArray *
async_task_group_error_get_errors (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);
  g_return_val_if_fail (g_error_matches (error, ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP), NULL);

  return error_get_private (error)->errors;
}
