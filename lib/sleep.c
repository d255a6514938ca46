/* sleep.c: asyncio.sleep(): a future resolved by a timer on the heap of the
 * thread-default context's scheduler. */

#include "config.h"

#include <math.h>

#include "async-glib/async-sleep.h"
#include "scheduler-private.h"

typedef struct
{
  AsyncFuture     parent;
  AsyncTimer      timer;
  AsyncScheduler *scheduler;
} AsyncSleep;

static gboolean
sleep_cancel (AsyncFuture *future)
{
  AsyncSleep *self = (AsyncSleep *) future;

  /* The heap's reference goes with the timer; the caller holds one. */
  if (async_scheduler_remove_timer (self->scheduler, &self->timer))
    async_future_unref (future);

  return async_future_cancel_quietly (future);
}

static void
sleep_finalize (AsyncFuture *future)
{
  AsyncSleep *self = (AsyncSleep *) future;

  async_scheduler_unref (self->scheduler);
}

static const AsyncFutureClass sleep_class = {
  "AsyncSleep",
  sleep_cancel,
  sleep_finalize,
  NULL,
};

static void
sleep_fired (AsyncTimer *timer,
             gboolean    fired)
{
  AsyncSleep *self = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (AsyncSleep, timer));

  if (fired)
    async_future_resolve_quietly (&self->parent, NULL, NULL);
  else
    async_future_cancel_quietly (&self->parent);
  async_future_unref (&self->parent);
}

static void
sleep_zero_done (AsyncFuture *unused,
                 gpointer     user_data)
{
  AsyncFuture *future = user_data;

  async_future_resolve_quietly (future, NULL, NULL);
}

/* A sleep until @deadline (async_deadline_*, which is never 0), or a yield
 * for a @deadline of 0: no second reading of the clock. */
static AsyncFuture *
sleep_until (gint64 deadline)
{
  AsyncScheduler *scheduler = async_scheduler_get_thread_default ();
  AsyncSleep *self;

  self = async_future_alloc (&sleep_class, sizeof (AsyncSleep), "async_sleep()");
  self->scheduler = async_scheduler_ref (scheduler);

  if (deadline == 0)
    {
      /* sleep(0) is a yield: resolved behind what is queued now. */
      async_scheduler_call_soon (scheduler, sleep_zero_done,
                                 async_future_ref (&self->parent),
                                 (GDestroyNotify) async_future_unref);
      return &self->parent;
    }

  self->timer.callback = sleep_fired;
  async_future_ref (&self->parent);
  async_scheduler_add_timer (scheduler, &self->timer, deadline);

  return &self->parent;
}

/**
 * async_sleep_usec:
 * @usec: how long to sleep, in microseconds of the monotonic clock; 0 or
 *   less yields one turn of the loop, %G_MAXINT64 sleeps for ever
 *
 * As async_sleep(), in microseconds. Must be called from the thread that
 * runs the thread-default context, or with it held.
 *
 * Returns: (transfer full): a future resolved with %NULL once @usec have
 *   passed
 *
 * Since: 0.1
 */
AsyncFuture *
async_sleep_usec (gint64 usec)
{
  return sleep_until (usec <= 0 ? 0 : async_deadline_after_usec (usec));
}

/**
 * async_sleep:
 * @seconds: how long to sleep; 0 or less yields one turn of the loop;
 *   `INFINITY` (or any time past the clock's range) sleeps until cancelled
 *
 * asyncio.sleep(): a future resolved once @seconds have passed on the
 * monotonic clock, never earlier, with microsecond precision (the loop
 * wakes with millisecond precision). All sleeps of a context share one
 * timer heap, so a million of them cost what a million heap entries cost.
 * Cancelling the future removes its timer. NaN is a programming error.
 *
 * Returns: (transfer full): a future resolved with %NULL
 *
 * Since: 0.1
 */
AsyncFuture *
async_sleep (double seconds)
{
  g_return_val_if_fail (!isnan (seconds), NULL);

  return sleep_until (seconds <= 0 ? 0 : async_deadline_after_seconds (seconds));
}
