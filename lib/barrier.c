/* barrier.c: AsyncBarrier, asyncio.Barrier. The waits of a round are kept
 * in arrival order; the last arrival resolves them all, each with its
 * index. */

#include "config.h"

#include "async-glib/async-barrier.h"
#include "async-glib/async-error.h"
#include "waiter-private.h"

/* Thread safety: loop-local; no lock of its own. */
struct _AsyncBarrier
{
  AsyncPrimitive  parent;
  guint           parties;
  AsyncWaiterList waiters;
  gboolean        broken;
};

static gboolean
barrier_waiter_cancel_on_loop (AsyncWaiter *waiter)
{
  AsyncBarrier *self = (AsyncBarrier *) waiter->owner;

  return async_waiter_list_withdraw (&self->waiters, waiter);
}

static gboolean
barrier_waiter_cancel (AsyncFuture *future)
{
  return async_waiter_cancel_on_loop ((AsyncWaiter *) future, barrier_waiter_cancel_on_loop);
}

/* No abandon: a round that was passed stays passed for the others. */
static const AsyncFutureClass barrier_waiter_class = {
  "AsyncBarrier.wait",
  barrier_waiter_cancel,
  async_waiter_finalize,
  NULL,
};

static void
barrier_dispose (gpointer primitive)
{
  AsyncBarrier *self = primitive;

  async_waiter_list_cancel_all (&self->waiters);
}

/**
 * async_barrier_new:
 * @parties: how many waits make a round; at least 1
 *
 * asyncio's `Barrier(parties)`. @parties of 0 is a programming error: a
 * critical, and %NULL.
 *
 * Returns: (transfer full): a new barrier
 *
 * Since: 0.2
 */
AsyncBarrier *
async_barrier_new (guint parties)
{
  AsyncBarrier *self;

  g_return_val_if_fail (parties >= 1, NULL);

  self = g_new0 (AsyncBarrier, 1);
  async_primitive_init (&self->parent, barrier_dispose, g_free);
  self->parties = parties;

  return self;
}

/**
 * async_barrier_ref:
 * @barrier: a barrier
 *
 * Returns: (transfer full): @barrier
 *
 * Since: 0.2
 */
AsyncBarrier *
async_barrier_ref (AsyncBarrier *barrier)
{
  g_return_val_if_fail (barrier != NULL, NULL);

  return async_primitive_ref (barrier);
}

/**
 * async_barrier_unref:
 * @barrier: (transfer full): a barrier
 *
 * Drops a reference. When the last one goes, pending waits are cancelled:
 * nobody else can arrive.
 *
 * Since: 0.2
 */
void
async_barrier_unref (AsyncBarrier *barrier)
{
  g_return_if_fail (barrier != NULL);

  async_primitive_unref (barrier);
}

static AsyncFuture *
new_broken_future (const char *message)
{
  return async_future_new_rejected (g_error_new_literal (ASYNC_ERROR, ASYNC_ERROR_BROKEN_BARRIER,
                                                         message));
}

/**
 * async_barrier_wait:
 * @barrier: a barrier
 *
 * asyncio's `await barrier.wait()`: a future resolved, once @parties waits
 * are pending, with this wait's index in its round (read it with
 * async_future_get_int()); the last arrival's future is resolved at once.
 * Cancelled while it waits, it leaves the round (n_waiting drops). Rejected
 * with %ASYNC_ERROR_BROKEN_BARRIER if the barrier is broken
 * (async_barrier_abort()), or becomes broken or is reset while it waits.
 *
 * Returns: (transfer full): a future resolved with the arrival index
 *
 * Since: 0.2
 */
AsyncFuture *
async_barrier_wait (AsyncBarrier *barrier)
{
  AsyncWaiter *waiter;
  gint64 index = 0;

  g_return_val_if_fail (barrier != NULL, NULL);

  if (barrier->broken)
    return new_broken_future ("The barrier was aborted");

  if (barrier->waiters.length + 1 < barrier->parties)
    {
      waiter = async_waiter_new (&barrier_waiter_class, barrier, TRUE, "async_barrier_wait()");
      async_waiter_list_push_tail (&barrier->waiters, waiter);
      return &waiter->parent;
    }

  while ((waiter = async_waiter_list_pop_head (&barrier->waiters)) != NULL)
    {
      async_future_resolve_int (&waiter->parent, index++);
      async_future_unref (&waiter->parent);
    }

  return async_future_new_int (index);
}

static void
barrier_break_waits (AsyncBarrier *self,
                     const char   *message)
{
  AsyncWaiter *waiter;

  while ((waiter = async_waiter_list_pop_head (&self->waiters)) != NULL)
    {
      async_future_reject_quietly (&waiter->parent,
                                   g_error_new_literal (ASYNC_ERROR, ASYNC_ERROR_BROKEN_BARRIER, message));
      async_future_unref (&waiter->parent);
    }
}

/**
 * async_barrier_reset:
 * @barrier: a barrier
 *
 * asyncio's `await barrier.reset()` (here it needs no await): pending waits
 * fail with %ASYNC_ERROR_BROKEN_BARRIER, and the barrier, broken or not,
 * starts an empty round.
 *
 * Since: 0.2
 */
void
async_barrier_reset (AsyncBarrier *barrier)
{
  g_return_if_fail (barrier != NULL);

  barrier_break_waits (barrier, "The barrier was reset");
  barrier->broken = FALSE;
}

/**
 * async_barrier_abort:
 * @barrier: a barrier
 *
 * asyncio's `await barrier.abort()` (here it needs no await): breaks the
 * barrier. Pending waits, and every wait until async_barrier_reset(), fail
 * with %ASYNC_ERROR_BROKEN_BARRIER.
 *
 * Since: 0.2
 */
void
async_barrier_abort (AsyncBarrier *barrier)
{
  g_return_if_fail (barrier != NULL);

  barrier->broken = TRUE;
  barrier_break_waits (barrier, "The barrier was aborted");
}

/**
 * async_barrier_get_parties:
 * @barrier: a barrier
 *
 * Returns: the number of waits that make a round
 *
 * Since: 0.2
 */
guint
async_barrier_get_parties (AsyncBarrier *barrier)
{
  g_return_val_if_fail (barrier != NULL, 0);

  return barrier->parties;
}

/**
 * async_barrier_get_n_waiting:
 * @barrier: a barrier
 *
 * Returns: the number of waits pending in this round
 *
 * Since: 0.2
 */
guint
async_barrier_get_n_waiting (AsyncBarrier *barrier)
{
  g_return_val_if_fail (barrier != NULL, 0);

  return barrier->waiters.length;
}

/**
 * async_barrier_is_broken:
 * @barrier: a barrier
 *
 * Returns: %TRUE if @barrier was aborted and not reset since
 *
 * Since: 0.2
 */
gboolean
async_barrier_is_broken (AsyncBarrier *barrier)
{
  g_return_val_if_fail (barrier != NULL, FALSE);

  return barrier->broken;
}
