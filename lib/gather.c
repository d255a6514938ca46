/* gather.c: asyncio.gather(): one future for many; its value is the array
 * of the children, settled, in the order they were given. */

#include "config.h"

#include "async-glib/async-gather.h"
#include "scheduler-private.h"

/* Thread safety: @remaining is only touched by the children's
 * continuations, which all run on @scheduler. */
typedef struct
{
  AsyncFuture      parent;
  GPtrArray       *children;   /* of AsyncFuture, references */
  guint            remaining;
  AsyncGatherFlags flags;
} AsyncGather;

static gboolean
gather_cancel (AsyncFuture *future)
{
  AsyncGather *self = (AsyncGather *) future;
  guint i;

  if (!async_future_cancel_quietly (future))
    return FALSE;

  for (i = 0; i < self->children->len; i++)
    async_future_cancel (g_ptr_array_index (self->children, i));

  return TRUE;
}

static void
gather_finalize (AsyncFuture *future)
{
  AsyncGather *self = (AsyncGather *) future;

  g_ptr_array_unref (self->children);
}

static const AsyncFutureClass gather_class = {
  "AsyncGather",
  gather_cancel,
  gather_finalize,
};

static void
gather_child_done (AsyncFuture *child,
                   gpointer     user_data)
{
  AsyncGather *self = user_data;
  gboolean failed = !async_future_is_resolved (child);

  self->remaining--;

  /* With RETURN_EXCEPTIONS the error is a result, handed to the caller. */
  if (failed && (self->flags & ASYNC_GATHER_RETURN_EXCEPTIONS))
    async_future_mark_error_seen (child);

  if (failed && !(self->flags & ASYNC_GATHER_RETURN_EXCEPTIONS))
    {
      /* Later errors are retrieved here too, as asyncio does, so that they
       * do not warn: the gather reported the first. */
      GError *error = g_error_copy (async_future_get_error (child));

      if (async_future_reject_quietly (&self->parent, error) &&
          (self->flags & ASYNC_GATHER_CANCEL_ON_ERROR))
        {
          guint i;

          for (i = 0; i < self->children->len; i++)
            async_future_cancel (g_ptr_array_index (self->children, i));
        }
      return;
    }

  if (self->remaining == 0)
    async_future_resolve_quietly (&self->parent,
                                  g_ptr_array_ref (self->children),
                                  (GDestroyNotify) g_ptr_array_unref);
}

/**
 * async_gather_array:
 * @flags: how errors are treated
 * @futures: (array length=n_futures) (transfer full): the futures; the
 *   array itself stays the caller's, its elements are taken
 * @n_futures: how many
 *
 * asyncio.gather(): a future that resolves once every one of @futures has,
 * with a #GPtrArray of them in the order given (read each value with
 * async_gather_get_result()), whatever order they settle in. By default the
 * first error rejects it at once and the others keep running; see
 * #AsyncGatherFlags. Cancelling it cancels every child. Must be called on
 * the thread that runs the thread-default context.
 *
 * Returns: (transfer full): the gathering future
 *
 * Since: 0.1
 */
AsyncFuture *
async_gather_array (AsyncGatherFlags flags,
                    AsyncFuture    **futures,
                    guint            n_futures)
{
  AsyncScheduler *scheduler;
  AsyncGather *self;
  guint i;

  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);

  for (i = 0; i < n_futures; i++)
    g_return_val_if_fail (futures[i] != NULL, NULL);

  self = async_future_alloc (&gather_class, sizeof (AsyncGather), "async_gather()");
  self->children = g_ptr_array_new_full (n_futures, (GDestroyNotify) async_future_unref);
  self->flags = flags;
  self->remaining = n_futures;

  if (n_futures == 0)
    {
      async_future_resolve (&self->parent, g_ptr_array_ref (self->children),
                            (GDestroyNotify) g_ptr_array_unref);
      return &self->parent;
    }

  scheduler = async_scheduler_get_thread_default ();
  for (i = 0; i < n_futures; i++)
    {
      g_ptr_array_add (self->children, futures[i]);
      async_future_then_on (futures[i], scheduler, gather_child_done,
                            async_future_ref (&self->parent),
                            (GDestroyNotify) async_future_unref);
    }

  return &self->parent;
}

static AsyncFuture *
gather_valist (AsyncGatherFlags flags,
               AsyncFuture     *first,
               va_list          args)
{
  GPtrArray *futures = g_ptr_array_new ();
  AsyncFuture *future, *gathered;

  for (future = first; future != NULL; future = va_arg (args, AsyncFuture *))
    g_ptr_array_add (futures, future);

  gathered = async_gather_array (flags, (AsyncFuture **) futures->pdata, futures->len);
  g_ptr_array_unref (futures);

  return gathered;
}

/**
 * async_gather: (skip)
 * @first: (transfer full) (nullable): the first future
 * @...: (transfer full): more futures, then %NULL
 *
 * asyncio.gather(*futures), taking ownership of every argument so that the
 * Python one-liner is a C one-liner: `async_gather (a (), b (), NULL)`. See
 * async_gather_array().
 *
 * Returns: (transfer full): the gathering future
 *
 * Since: 0.1
 */
AsyncFuture *
async_gather (AsyncFuture *first,
              ...)
{
  AsyncFuture *gathered;
  va_list args;

  va_start (args, first);
  gathered = gather_valist (ASYNC_GATHER_DEFAULT, first, args);
  va_end (args);

  return gathered;
}

/**
 * async_gather_full: (skip)
 * @flags: how errors are treated
 * @first: (transfer full) (nullable): the first future
 * @...: (transfer full): more futures, then %NULL
 *
 * As async_gather(), with @flags.
 *
 * Returns: (transfer full): the gathering future
 *
 * Since: 0.1
 */
AsyncFuture *
async_gather_full (AsyncGatherFlags flags,
                   AsyncFuture     *first,
                   ...)
{
  AsyncFuture *gathered;
  va_list args;

  va_start (args, first);
  gathered = gather_valist (flags, first, args);
  va_end (args);

  return gathered;
}

/**
 * async_gather_get_result:
 * @gathered: a resolved future from async_gather() and friends
 * @index: which child, in the order they were given
 *
 * One child of a gather, in the order given: asyncio's result list, one slot
 * at a time. Any thread.
 *
 * Returns: (transfer none): the child future at @index, settled; read its
 *   outcome with async_future_get_value() and friends
 *
 * Since: 0.1
 */
AsyncFuture *
async_gather_get_result (AsyncFuture *gathered,
                         guint        index)
{
  GPtrArray *children;

  g_return_val_if_fail (gathered != NULL, NULL);
  g_return_val_if_fail (async_future_is_resolved (gathered), NULL);

  children = async_future_get_value (gathered);
  g_return_val_if_fail (children != NULL && index < children->len, NULL);

  return g_ptr_array_index (children, index);
}
