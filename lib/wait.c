/* wait.c: asyncio.wait_for(), asyncio.wait() and asyncio.shield(): futures
 * that watch others. */

#include "config.h"

#include <math.h>

#include "async-glib/async-wait.h"
#include "scheduler-private.h"

/* --- wait_for ------------------------------------------------------------- */

/* Thread safety: @timed_out is only touched on @scheduler's thread (the
 * timer and the inner future's continuation run there); @cancelled is
 * set by async_future_cancel () from any thread. */
typedef struct
{
  AsyncFuture     parent;
  AsyncFuture    *inner;
  AsyncTimer      timer;
  AsyncScheduler *scheduler;
  double          timeout;
  gboolean        timed_out;
  gint            cancelled;   /* atomic */
} AsyncWaitFor;

/* As asyncio's wait_for (): cancelling it cancels the inner future, and it
 * settles, cancelled, once the inner one has ended. */
static gboolean
wait_for_cancel (AsyncFuture *future)
{
  AsyncWaitFor *self = (AsyncWaitFor *) future;

  if (!g_atomic_int_compare_and_exchange (&self->cancelled, FALSE, TRUE))
    return FALSE;

  if (async_scheduler_remove_timer (self->scheduler, &self->timer))
    async_future_unref (future);
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

static AsyncFuture *
wait_for_value_owner (AsyncFuture *future)
{
  return ((AsyncWaitFor *) future)->inner;
}

static const AsyncFutureClass wait_for_class = {
  .name = "AsyncWaitFor",
  .cancel = wait_for_cancel,
  .finalize = wait_for_finalize,
  .value_owner = wait_for_value_owner,
};

/* Out of time: the inner future is cancelled, and the waiting future
 * settles when it has ended. */
static void
wait_for_timer (AsyncTimer *timer,
                gboolean    fired)
{
  AsyncWaitFor *self = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (AsyncWaitFor, timer));

  if (fired)
    {
      self->timed_out = TRUE;
      async_future_cancel (self->inner);
    }
  else
    {
      async_future_cancel_quietly (&self->parent);
    }

  async_future_unref (&self->parent);
}

static void
wait_for_inner_done (AsyncFuture *inner,
                     gpointer     user_data)
{
  AsyncWaitFor *self = user_data;

  if (async_scheduler_remove_timer (self->scheduler, &self->timer))
    async_future_unref (&self->parent);

  if (!async_future_is_pending (&self->parent))
    {
      if (!async_future_is_resolved (inner))
        async_future_mark_error_seen (inner);
      return;
    }

  if (g_atomic_int_get (&self->cancelled))
    {
      if (!async_future_is_resolved (inner))
        async_future_mark_error_seen (inner);
      async_future_cancel_quietly (&self->parent);
    }
  else if (self->timed_out && async_future_is_cancelled (inner))
    {
      async_future_mark_error_seen (inner);
      async_future_reject_quietly (&self->parent,
                                   g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                "Timed out after %g s", MAX (self->timeout, 0)));
    }
  else
    {
      /* In time; or out of time, but the inner future swallowed the
       * cancellation and returned a value, or failed otherwise while
       * handling it: that outcome is the answer (asyncio). */
      async_future_settle_from (&self->parent, inner);
    }
}

/**
 * async_wait_for:
 * @future: (transfer full): the future to wait for
 * @timeout_seconds: how long to wait; %ASYNC_TIMEOUT_INFINITE (`INFINITY`)
 *   waits for ever; 0 or less is out of time at once
 *
 * asyncio.wait_for(): a future that settles as @future does, unless
 * @timeout_seconds pass first. Then @future is cancelled, and the waiting
 * future settles once it has actually ended: rejected with
 * %G_IO_ERROR_TIMED_OUT if it ended cancelled, or with its outcome if it
 * swallowed the cancellation and returned a value or failed with another
 * error. A @future that has settled already is returned as it is, even
 * with a time-out of 0. Cancelling the waiting future cancels @future and
 * settles, cancelled, once @future has ended. NaN is a programming error.
 * Must be called on the thread that runs the thread-default context.
 *
 * Returns: (transfer full): the waiting future; its value is borrowed from
 *   @future (async_future_steal_value() takes it from @future)
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

  if ((isinf (timeout_seconds) && timeout_seconds > 0) || !async_future_is_pending (future))
    return future;

  self = async_future_alloc (&wait_for_class, sizeof (AsyncWaitFor), "async_wait_for()");
  self->inner = future;
  self->timeout = timeout_seconds;
  self->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());
  self->timer.callback = wait_for_timer;

  async_future_then_on (future, self->scheduler, wait_for_inner_done,
                        async_future_ref (&self->parent),
                        (GDestroyNotify) async_future_unref);

  if (timeout_seconds <= 0)
    {
      /* Out of time already: a coroutine not yet started never runs its
       * body (asyncio). */
      self->timed_out = TRUE;
      async_future_cancel (future);
      return &self->parent;
    }

  /* The timer's reference. */
  async_future_ref (&self->parent);
  async_scheduler_add_timer (self->scheduler, &self->timer,
                             async_deadline_after_seconds (timeout_seconds));

  return &self->parent;
}

/* --- wait ----------------------------------------------------------------- */

/* Thread safety: everything is touched on @scheduler's thread (the
 * children's continuations and the timer run there). */
typedef struct
{
  AsyncFuture     parent;
  GPtrArray      *children;
  guint           remaining;
  AsyncWaitMode   mode;
  AsyncScheduler *scheduler;   /* a reference, with a time-out only */
  AsyncTimer      timer;       /* holds a reference to the wait while on the heap */
} AsyncWait;

static void
wait_finalize (AsyncFuture *future)
{
  AsyncWait *self = (AsyncWait *) future;

  g_ptr_array_unref (self->children);
  if (self->scheduler != NULL)
    async_scheduler_unref (self->scheduler);
}

/* Cancelling a wait does not cancel what it watches, as asyncio.wait(). */
static const AsyncFutureClass wait_class = {
  "AsyncWait",
  NULL,
  wait_finalize,
  NULL,
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
      /* A cancelled future is not an exception (asyncio's _wait). */
      done = self->remaining == 0 || async_future_is_rejected (child);
      break;
    case ASYNC_WAIT_ALL_COMPLETED:
    default:
      done = self->remaining == 0;
      break;
    }

  if (done && async_future_is_pending (&self->parent))
    {
      if (self->scheduler != NULL && async_scheduler_remove_timer (self->scheduler, &self->timer))
        async_future_unref (&self->parent);
      async_future_resolve_quietly (&self->parent, g_ptr_array_ref (self->children),
                                    (GDestroyNotify) g_ptr_array_unref);
    }
}

/* asyncio.wait ()'s time-out is no error: it resolves with what is done
 * by then, and the rest still pending. */
static void
wait_timer (AsyncTimer *timer,
            gboolean    fired)
{
  AsyncWait *self = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (AsyncWait, timer));

  if (fired)
    async_future_resolve_quietly (&self->parent, g_ptr_array_ref (self->children),
                                  (GDestroyNotify) g_ptr_array_unref);
  else
    async_future_cancel_quietly (&self->parent);
  async_future_unref (&self->parent);
}

static AsyncFuture *
wait_new (const char   *caller,
          AsyncWaitMode mode,
          AsyncFuture **futures,
          guint         n_futures,
          double        timeout_seconds)
{
  AsyncScheduler *scheduler;
  AsyncWait *self;
  guint i;

  if (!async_future_array_check (caller, futures, n_futures))
    return NULL;

  self = async_future_alloc (&wait_class, sizeof (AsyncWait), "async_wait()");
  self->children = g_ptr_array_new_full (n_futures, (GDestroyNotify) async_future_unref);
  self->remaining = n_futures;
  self->mode = mode;

  scheduler = async_scheduler_get_thread_default ();
  if (!(isinf (timeout_seconds) && timeout_seconds > 0))
    {
      /* The timer first: a timer of 0 fires on the next turn, after the
       * children that have settled already were counted. */
      self->scheduler = async_scheduler_ref (scheduler);
      self->timer.callback = wait_timer;
      async_future_ref (&self->parent);
      async_scheduler_add_timer (scheduler, &self->timer,
                                 async_deadline_after_seconds (MAX (timeout_seconds, 0)));
    }
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
  g_return_val_if_fail (futures != NULL, NULL);
  g_return_val_if_fail (n_futures > 0, NULL);
  g_return_val_if_fail (mode <= ASYNC_WAIT_ALL_COMPLETED, NULL);

  return wait_new (G_STRFUNC, mode, futures, n_futures, ASYNC_TIMEOUT_INFINITE);
}

/**
 * async_wait_full:
 * @mode: when to settle
 * @timeout_seconds: the most to wait; %ASYNC_TIMEOUT_INFINITE for no
 *   limit; 0 or less settles on the next turn of the loop. NaN is a
 *   programming error.
 * @futures: (array length=n_futures) (transfer full): the futures; the
 *   array stays the caller's, its elements are taken
 * @n_futures: how many, at least one
 *
 * asyncio.wait() with its `timeout`: as async_wait_array(), but when
 * @timeout_seconds have passed first it resolves anyway, with the same
 * array: those still pending are the `pending` set. A time-out is no
 * error, as in asyncio, and nothing is cancelled.
 *
 * Returns: (transfer full): the waiting future
 *
 * Since: 0.2
 */
AsyncFuture *
async_wait_full (AsyncWaitMode mode,
                 double        timeout_seconds,
                 AsyncFuture **futures,
                 guint         n_futures)
{
  g_return_val_if_fail (futures != NULL, NULL);
  g_return_val_if_fail (n_futures > 0, NULL);
  g_return_val_if_fail (mode <= ASYNC_WAIT_ALL_COMPLETED, NULL);
  g_return_val_if_fail (!isnan (timeout_seconds), NULL);

  return wait_new (G_STRFUNC, mode, futures, n_futures, timeout_seconds);
}

static AsyncFuture *
wait_valist (AsyncWaitMode mode,
             AsyncFuture  *first,
             va_list       args,
             AsyncFuture  *end)
{
  GPtrArray *futures = g_ptr_array_new ();
  AsyncFuture *waiting = NULL;

  if (async_future_collect_valist ("async_wait", first, args, end, futures))
    waiting = async_wait_array (mode, (AsyncFuture **) futures->pdata, futures->len);
  g_ptr_array_unref (futures);

  return waiting;
}

/**
 * async_wait_varargs_: (skip)
 * @mode: when to settle
 * @first: (transfer full): the first future
 * @...: (transfer full): more futures, then %ASYNC_END_OF_FUTURES_
 *
 * What the async_wait() macro calls.
 *
 * Returns: (transfer full) (nullable): the waiting future, or %NULL if an
 *   argument was %NULL
 *
 * Since: 0.2
 */
AsyncFuture *
async_wait_varargs_ (AsyncWaitMode mode,
                     AsyncFuture  *first,
                     ...)
{
  AsyncFuture *waiting;
  va_list args;

  va_start (args, first);
  waiting = wait_valist (mode, first, args, ASYNC_END_OF_FUTURES_);
  va_end (args);

  return waiting;
}

/**
 * async_wait: (skip)
 * @mode: when to settle
 * @first: (transfer full): the first future
 * @...: (transfer full): more futures, then %NULL
 *
 * As async_wait_array(), with the futures as arguments. From C this is a
 * macro that needs no %NULL at the end (one is still accepted), and a
 * %NULL among the arguments is a critical that releases them all; this
 * function, for bindings, stops at the first %NULL.
 *
 * Returns: (transfer full): the waiting future
 *
 * Since: 0.1
 */
AsyncFuture *
(async_wait) (AsyncWaitMode mode,
              AsyncFuture  *first,
              ...)
{
  AsyncFuture *waiting;
  va_list args;

  va_start (args, first);
  waiting = wait_valist (mode, first, args, NULL);
  va_end (args);

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

static AsyncFuture *
shield_value_owner (AsyncFuture *future)
{
  return ((AsyncShield *) future)->inner;
}

/* No cancel hook: cancelling the shield settles only the shield. */
static const AsyncFutureClass shield_class = {
  .name = "AsyncShield",
  .finalize = shield_finalize,
  .value_owner = shield_value_owner,
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
