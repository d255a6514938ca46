/* wait.c: asyncio.wait_for(), asyncio.wait() and asyncio.shield(): futures
 * that watch others. */

#include "config.h"

#include <math.h>

#include "async-glib/async-wait.h"
#include "scheduler-private.h"

/* --- wait_for ------------------------------------------------------------- */

typedef struct
{
  AsyncFuture     parent;
  AsyncFuture    *inner;
  AsyncTimer      timer;
  AsyncScheduler *scheduler;
  double          timeout;
} AsyncWaitFor;

static gboolean
wait_for_cancel (AsyncFuture *future)
{
  AsyncWaitFor *self = (AsyncWaitFor *) future;

  if (async_scheduler_remove_timer (self->scheduler, &self->timer))
    async_future_unref (future);
  if (!async_future_cancel_quietly (future))
    return FALSE;

  async_future_cancel (self->inner);

  return TRUE;
}

static void
wait_for_finalize (AsyncFuture *future)
{
  AsyncWaitFor *self = (AsyncWaitFor *) future;

  async_future_unref (self->inner);
  async_scheduler_unref (self->scheduler);
}

static const AsyncFutureClass wait_for_class = {
  "AsyncWaitFor",
  wait_for_cancel,
  wait_for_finalize,
};

static void
wait_for_timer (AsyncTimer *timer,
                gboolean    fired)
{
  AsyncWaitFor *self = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (AsyncWaitFor, timer));

  if (fired &&
      async_future_reject_quietly (&self->parent,
                                   g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                "Timed out after %g s", self->timeout)))
    async_future_cancel (self->inner);
  else if (!fired)
    async_future_cancel_quietly (&self->parent);

  async_future_unref (&self->parent);
}

static void
wait_for_inner_done (AsyncFuture *inner,
                     gpointer     user_data)
{
  AsyncWaitFor *self = user_data;

  if (async_scheduler_remove_timer (self->scheduler, &self->timer))
    async_future_unref (&self->parent);

  if (async_future_is_pending (&self->parent))
    async_future_settle_from (&self->parent, inner);
}

/**
 * async_wait_for:
 * @future: (transfer full): the future to wait for
 * @timeout_seconds: how long to wait; negative waits for ever
 *
 * asyncio.wait_for(): a future that settles as @future does, unless
 * @timeout_seconds pass first: then it is rejected with
 * %G_IO_ERROR_TIMED_OUT and @future is cancelled. Cancelling it cancels
 * @future. Must be called on the thread that runs the thread-default
 * context.
 *
 * Returns: (transfer full): the waiting future; its value is borrowed from
 *   @future
 *
 * Since: 0.1
 */
AsyncFuture *
async_wait_for (AsyncFuture *future,
                double       timeout_seconds)
{
  AsyncWaitFor *self;

  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (!isnan (timeout_seconds), future);

  /* Nothing to wait for: asyncio returns a finished future's outcome even
   * with a time-out of zero. */
  if (timeout_seconds < 0 || !async_future_is_pending (future))
    return future;

  self = async_future_alloc (&wait_for_class, sizeof (AsyncWaitFor), "async_wait_for()");
  self->inner = future;
  self->timeout = timeout_seconds;
  self->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());
  self->timer.callback = wait_for_timer;
  self->timer.deadline = g_get_monotonic_time () + (gint64) (timeout_seconds * G_USEC_PER_SEC);

  /* The timer's reference, then the continuation's. */
  async_future_ref (&self->parent);
  async_scheduler_add_timer (self->scheduler, &self->timer);
  async_future_then_on (future, self->scheduler, wait_for_inner_done,
                        async_future_ref (&self->parent),
                        (GDestroyNotify) async_future_unref);

  return &self->parent;
}

/* --- wait ----------------------------------------------------------------- */

typedef struct
{
  AsyncFuture    parent;
  GPtrArray     *children;
  guint          remaining;
  AsyncWaitMode  mode;
} AsyncWait;

static void
wait_finalize (AsyncFuture *future)
{
  AsyncWait *self = (AsyncWait *) future;

  g_ptr_array_unref (self->children);
}

/* Cancelling a wait does not cancel what it watches, as asyncio.wait(). */
static const AsyncFutureClass wait_class = {
  "AsyncWait",
  NULL,
  wait_finalize,
};

static void
wait_child_done (AsyncFuture *child,
                 gpointer     user_data)
{
  AsyncWait *self = user_data;
  gboolean done;

  self->remaining--;

  switch (self->mode)
    {
    case ASYNC_WAIT_FIRST_COMPLETED:
      done = TRUE;
      break;
    case ASYNC_WAIT_FIRST_EXCEPTION:
      done = self->remaining == 0 || !async_future_is_resolved (child);
      break;
    case ASYNC_WAIT_ALL_COMPLETED:
    default:
      done = self->remaining == 0;
      break;
    }

  if (done && async_future_is_pending (&self->parent))
    async_future_resolve_quietly (&self->parent, g_ptr_array_ref (self->children),
                                  (GDestroyNotify) g_ptr_array_unref);
}

/**
 * async_wait_array:
 * @mode: when to settle
 * @futures: (array length=n_futures) (transfer full): the futures; the
 *   array stays the caller's, its elements are taken
 * @n_futures: how many, at least one
 *
 * asyncio.wait(): a future resolved, as @mode says, with a #GPtrArray of
 * all of @futures in the order given; those that have settled are asyncio's
 * `done` set, the others its `pending` set, still running. It never
 * rejects, and cancelling it cancels none of @futures. Must be called on the
 * thread that runs the thread-default context.
 *
 * Returns: (transfer full): the waiting future
 *
 * Since: 0.1
 */
AsyncFuture *
async_wait_array (AsyncWaitMode mode,
                  AsyncFuture **futures,
                  guint         n_futures)
{
  AsyncScheduler *scheduler;
  AsyncWait *self;
  guint i;

  g_return_val_if_fail (futures != NULL, NULL);
  g_return_val_if_fail (n_futures > 0, NULL);
  g_return_val_if_fail (mode <= ASYNC_WAIT_ALL_COMPLETED, NULL);
  for (i = 0; i < n_futures; i++)
    g_return_val_if_fail (futures[i] != NULL, NULL);

  self = async_future_alloc (&wait_class, sizeof (AsyncWait), "async_wait()");
  self->children = g_ptr_array_new_full (n_futures, (GDestroyNotify) async_future_unref);
  self->remaining = n_futures;
  self->mode = mode;

  scheduler = async_scheduler_get_thread_default ();
  for (i = 0; i < n_futures; i++)
    {
      g_ptr_array_add (self->children, futures[i]);
      async_future_then_on (futures[i], scheduler, wait_child_done,
                            async_future_ref (&self->parent),
                            (GDestroyNotify) async_future_unref);
    }

  return &self->parent;
}

/**
 * async_wait: (skip)
 * @mode: when to settle
 * @first: (transfer full): the first future
 * @...: (transfer full): more futures, then %NULL
 *
 * As async_wait_array(), with the futures as arguments.
 *
 * Returns: (transfer full): the waiting future
 *
 * Since: 0.1
 */
AsyncFuture *
async_wait (AsyncWaitMode mode,
            AsyncFuture  *first,
            ...)
{
  GPtrArray *futures = g_ptr_array_new ();
  AsyncFuture *future, *waiting;
  va_list args;

  va_start (args, first);
  for (future = first; future != NULL; future = va_arg (args, AsyncFuture *))
    g_ptr_array_add (futures, future);
  va_end (args);

  waiting = async_wait_array (mode, (AsyncFuture **) futures->pdata, futures->len);
  g_ptr_array_unref (futures);

  return waiting;
}

/* --- shield --------------------------------------------------------------- */

typedef struct
{
  AsyncFuture  parent;
  AsyncFuture *inner;
} AsyncShield;

static void
shield_finalize (AsyncFuture *future)
{
  AsyncShield *self = (AsyncShield *) future;

  async_future_unref (self->inner);
}

/* No cancel hook: cancelling the shield settles only the shield. */
static const AsyncFutureClass shield_class = {
  "AsyncShield",
  NULL,
  shield_finalize,
};

static void
shield_inner_done (AsyncFuture *inner,
                   gpointer     user_data)
{
  AsyncShield *self = user_data;

  if (async_future_is_pending (&self->parent))
    async_future_settle_from (&self->parent, inner);
  else if (!async_future_is_resolved (inner))
    async_future_mark_error_seen (inner);  /* as asyncio: the shield was cancelled */
}

/**
 * async_shield:
 * @future: (transfer full): the future to protect
 *
 * asyncio.shield(): a future that settles as @future does, but whose
 * cancellation does not reach @future, which goes on running. Must be
 * called on the thread that runs the thread-default context.
 *
 * Returns: (transfer full): the shielding future; its value is borrowed
 *   from @future
 *
 * Since: 0.1
 */
AsyncFuture *
async_shield (AsyncFuture *future)
{
  AsyncShield *self;

  g_return_val_if_fail (future != NULL, NULL);

  self = async_future_alloc (&shield_class, sizeof (AsyncShield), "async_shield()");
  self->inner = future;
  async_future_then (future, shield_inner_done, async_future_ref (&self->parent),
                     (GDestroyNotify) async_future_unref);

  return &self->parent;
}
