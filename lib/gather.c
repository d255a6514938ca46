/* gather.c: asyncio.gather(): one future for many; its value is the array
 * of the children, settled, in the order they were given. */

#include "config.h"

#include "async-glib/async-gather.h"
#include "scheduler-private.h"

/* Thread safety: @remaining is only touched by the children's
 * continuations, which all run on the scheduler; @children and @nodes do
 * not change after creation; @cancel_requested is set from any thread.
 *
 * The continuation waiting on each child is a node of @nodes, one
 * allocation for all, borrowing the gather's reference on @scheduler;
 * between them the nodes hold one reference on the gather, dropped when
 * the last is released (@nodes_live, atomic: a child freed unsettled drops
 * its node on the thread that frees it). Per child, that is no allocation
 * and one atomic operation, where a node of its own cost one of each and
 * four atomic operations. */
typedef struct
{
  AsyncFuture        parent;
  GPtrArray         *children;   /* of AsyncFuture, references */
  AsyncContinuation *nodes;
  AsyncScheduler    *scheduler;  /* a reference, for @nodes */
  guint              remaining;
  gint               nodes_live;
  AsyncGatherFlags   flags;
  gint               cancel_requested;   /* atomic */
} AsyncGather;

/* CPython's _GatheringFuture.cancel (): a request to the children. The
 * gather settles, cancelled, once they have all ended, so that awaiting a
 * cancelled gather means the children's cleanup has run. If none of them
 * took the request (all had finished), nothing is cancelled and the gather
 * delivers their results (bpo-26923). */
static gboolean
gather_cancel (AsyncFuture *future)
{
  AsyncGather *self = (AsyncGather *) future;
  gboolean cancelled = FALSE;
  guint i;

  if (!async_future_is_pending (future))
    return FALSE;

  for (i = 0; i < self->children->len; i++)
    if (async_future_cancel (g_ptr_array_index (self->children, i)))
      cancelled = TRUE;

  if (cancelled)
    g_atomic_int_set (&self->cancel_requested, TRUE);

  return cancelled;
}

static void
gather_finalize (AsyncFuture *future)
{
  AsyncGather *self = (AsyncGather *) future;

  g_ptr_array_unref (self->children);
  g_free (self->nodes);
  if (self->scheduler != NULL)
    async_scheduler_unref (self->scheduler);
}

static const AsyncFutureClass gather_class = {
  "AsyncGather",
  gather_cancel,
  gather_finalize,
  NULL,
};

static void
gather_cancel_children (AsyncGather *self)
{
  guint i;

  for (i = 0; i < self->children->len; i++)
    async_future_cancel (g_ptr_array_index (self->children, i));
}

static void
gather_child_done (AsyncFuture *child,
                   gpointer     user_data)
{
  AsyncGather *self = user_data;
  gboolean failed = !async_future_is_resolved (child);

  self->remaining--;

  /* Errors that do not settle the gather are retrieved here, as asyncio
   * does, so that they do not warn: with RETURN_EXCEPTIONS they are
   * results; otherwise the gather reported the first, or was cancelled. */
  if (failed && (!async_future_is_pending (&self->parent) ||
                 (self->flags & ASYNC_GATHER_RETURN_EXCEPTIONS) ||
                 g_atomic_int_get (&self->cancel_requested)))
    async_future_mark_error_seen (child);

  if (!async_future_is_pending (&self->parent))
    return;

  if (g_atomic_int_get (&self->cancel_requested))
    {
      if (self->remaining == 0)
        async_future_cancel_quietly (&self->parent);
      return;
    }

  if (failed && !(self->flags & ASYNC_GATHER_RETURN_EXCEPTIONS))
    {
      GError *error = g_error_copy (async_future_get_error (child));

      if (async_future_reject_quietly (&self->parent, error) &&
          (self->flags & ASYNC_GATHER_CANCEL_ON_ERROR))
        gather_cancel_children (self);
      return;
    }

  if (self->remaining == 0)
    async_future_resolve_quietly (&self->parent,
                                  g_ptr_array_ref (self->children),
                                  (GDestroyNotify) g_ptr_array_unref);
}

static void
gather_node_released (gpointer user_data)
{
  AsyncGather *self = user_data;

  if (g_atomic_int_dec_and_test (&self->nodes_live))
    async_future_unref (&self->parent);
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
  g_return_val_if_fail (n_futures <= G_MAXINT, NULL);
  if (!async_future_array_check (G_STRFUNC, futures, n_futures))
    return NULL;

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
  self->scheduler = async_scheduler_ref (scheduler);
  self->nodes = g_new (AsyncContinuation, n_futures);
  self->nodes_live = (gint) n_futures;
  async_future_ref (&self->parent);
  for (i = 0; i < n_futures; i++)
    g_ptr_array_add (self->children, futures[i]);
  for (i = 0; i < n_futures; i++)
    {
      async_continuation_init_borrowing (&self->nodes[i], scheduler, gather_child_done,
                                         self, gather_node_released);
      async_future_attach (futures[i], &self->nodes[i]);
    }

  return &self->parent;
}

static AsyncFuture *
gather_valist (const char      *caller,
               AsyncGatherFlags flags,
               AsyncFuture     *first,
               va_list          args,
               AsyncFuture     *end)
{
  GPtrArray *futures = g_ptr_array_new ();
  AsyncFuture *gathered = NULL;

  if (async_future_collect_valist (caller, first, args, end, futures))
    gathered = async_gather_array (flags, (AsyncFuture **) futures->pdata, futures->len);
  g_ptr_array_unref (futures);

  return gathered;
}

/**
 * async_gather_varargs_: (skip)
 * @flags: how errors are treated
 * @first: (transfer full) (nullable): the first future
 * @...: (transfer full): more futures, then %ASYNC_END_OF_FUTURES_
 *
 * What the async_gather() and async_gather_full() macros call.
 *
 * Returns: (transfer full) (nullable): the gathering future, or %NULL if
 *   an argument was %NULL
 *
 * Since: 0.2
 */
AsyncFuture *
async_gather_varargs_ (AsyncGatherFlags flags,
                       AsyncFuture     *first,
                       ...)
{
  AsyncFuture *gathered;
  va_list args;

  va_start (args, first);
  gathered = gather_valist ("async_gather", flags, first, args, ASYNC_END_OF_FUTURES_);
  va_end (args);

  return gathered;
}

/**
 * async_gather: (skip)
 * @first: (transfer full) (nullable): the first future
 * @...: (transfer full): more futures, then %NULL
 *
 * asyncio.gather(*futures), taking ownership of every argument so that the
 * Python one-liner is a C one-liner: `async_gather (a (), b ())`. From C
 * this is a macro that needs no %NULL at the end (one is still accepted);
 * a %NULL among the futures is a critical, and every future given is
 * released. This function, for bindings, stops at the first %NULL. See
 * async_gather_array().
 *
 * Returns: (transfer full): the gathering future
 *
 * Since: 0.1
 */
AsyncFuture *
(async_gather) (AsyncFuture *first,
                ...)
{
  AsyncFuture *gathered;
  va_list args;

  va_start (args, first);
  gathered = gather_valist ("async_gather", ASYNC_GATHER_DEFAULT, first, args, NULL);
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
(async_gather_full) (AsyncGatherFlags flags,
                     AsyncFuture     *first,
                     ...)
{
  AsyncFuture *gathered;
  va_list args;

  va_start (args, first);
  gathered = gather_valist ("async_gather_full", flags, first, args, NULL);
  va_end (args);

  return gathered;
}

/* The child at @index of a resolved gather, or NULL after a critical. */
static AsyncFuture *
gather_child (AsyncFuture *gathered,
              guint        index)
{
  GPtrArray *children;

  g_return_val_if_fail (gathered != NULL, NULL);
  g_return_val_if_fail (async_future_is_resolved (gathered), NULL);

  children = async_future_get_value (gathered);
  g_return_val_if_fail (children != NULL && index < children->len, NULL);

  return g_ptr_array_index (children, index);
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
  return gather_child (gathered, index);
}

/**
 * async_gather_get_value:
 * @gathered: a resolved future from async_gather() and friends
 * @index: which child, in the order they were given
 *
 * The value of child @index: `x, y = await gather (a (), b ())` is one
 * line per result.
 *
 * Returns: (transfer none) (nullable): the value, owned by the child
 *
 * Since: 0.2
 */
gpointer
async_gather_get_value (AsyncFuture *gathered,
                        guint        index)
{
  AsyncFuture *child = gather_child (gathered, index);

  return child != NULL ? async_future_get_value (child) : NULL;
}

/**
 * async_gather_steal_value:
 * @gathered: a resolved future from async_gather() and friends
 * @index: which child
 *
 * Takes the value out of child @index, as async_future_steal_value().
 *
 * Returns: (transfer full) (nullable): the value
 *
 * Since: 0.2
 */
gpointer
async_gather_steal_value (AsyncFuture *gathered,
                          guint        index)
{
  AsyncFuture *child = gather_child (gathered, index);

  return child != NULL ? async_future_steal_value (child) : NULL;
}

/**
 * async_gather_get_int:
 * @gathered: a resolved future from async_gather() and friends
 * @index: which child
 *
 * The integer value of child @index: one line per result.
 *
 * Returns: the integer value of child @index
 *
 * Since: 0.2
 */
gint64
async_gather_get_int (AsyncFuture *gathered,
                      guint        index)
{
  AsyncFuture *child = gather_child (gathered, index);

  return child != NULL ? async_future_get_int (child) : 0;
}

/**
 * async_gather_get_error:
 * @gathered: a resolved future from async_gather_full() with
 *   %ASYNC_GATHER_RETURN_EXCEPTIONS
 * @index: which child
 *
 * The error of child @index, for a gather with %ASYNC_GATHER_RETURN_EXCEPTIONS.
 *
 * Returns: (transfer none) (nullable): the error of child @index, or %NULL
 *   if it resolved
 *
 * Since: 0.2
 */
const GError *
async_gather_get_error (AsyncFuture *gathered,
                        guint        index)
{
  AsyncFuture *child = gather_child (gathered, index);

  return child != NULL ? async_future_get_error (child) : NULL;
}
