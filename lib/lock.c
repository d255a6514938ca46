/* lock.c: AsyncLock, asyncio.Lock. A release hands the lock to the first
 * waiter directly, so a waiter woken and then cancelled (its coroutine
 * declines the resolved acquire) releases it again, to the next one: the
 * hang CPython fixed in bpo-90155, gh-93222 and gh-97549 has no window. */

#include "config.h"

#include "lock-private.h"

/* Thread safety: loop-local; no lock of its own. A waiter's cancel hook
 * may be called on another thread and is marshalled to the loop. */
struct _AsyncLock
{
  AsyncPrimitive  parent;
  AsyncWaiterList waiters;     /* acquires, and AsyncCondition's re-acquires */
  AsyncWaiter    *held[2];     /* resolved acquires, reused */
  gboolean        locked;
  gboolean        disposed;
};

static void lock_hand_on (AsyncLock *self);

static gboolean
lock_waiter_cancel_on_loop (AsyncWaiter *waiter)
{
  AsyncLock *self = (AsyncLock *) waiter->owner;

  return async_waiter_list_withdraw (&self->waiters, waiter);
}

static gboolean
lock_waiter_cancel (AsyncFuture *future)
{
  return async_waiter_cancel_on_loop ((AsyncWaiter *) future, lock_waiter_cancel_on_loop);
}

/* The coroutine the lock was handed to was cancelled before it resumed: it
 * does not hold the lock, so the next one gets it. */
static void
lock_waiter_abandon (AsyncFuture *future)
{
  AsyncLock *self = (AsyncLock *) ((AsyncWaiter *) future)->owner;

  if (!self->disposed)
    lock_hand_on (self);
}

static const AsyncFutureClass lock_waiter_class = {
  "AsyncLock.acquire",
  lock_waiter_cancel,
  async_waiter_finalize,
  lock_waiter_abandon,
};

static void
lock_granted (AsyncWaiter *waiter)
{
  async_future_resolve_quietly (&waiter->parent, NULL, NULL);
}

static void
lock_dispose (gpointer primitive)
{
  AsyncLock *self = primitive;

  self->disposed = TRUE;
  async_waiter_list_cancel_all (&self->waiters);
  async_waiter_clear_resolved (self->held);
}

/**
 * async_lock_new:
 *
 * Creates an unlocked lock (asyncio's `Lock()`). It is used on the loop of
 * the thread that first waits on it.
 *
 * Returns: (transfer full): a new lock
 *
 * Since: 0.2
 */
AsyncLock *
async_lock_new (void)
{
  AsyncLock *self = g_new0 (AsyncLock, 1);

  async_primitive_init (&self->parent, lock_dispose, g_free);

  return self;
}

/**
 * async_lock_ref:
 * @lock: a lock
 *
 * Returns: (transfer full): @lock
 *
 * Since: 0.2
 */
AsyncLock *
async_lock_ref (AsyncLock *lock)
{
  g_return_val_if_fail (lock != NULL, NULL);

  return async_primitive_ref (lock);
}

/**
 * async_lock_unref:
 * @lock: (transfer full): a lock
 *
 * Drops a reference. When the last one goes, acquires still waiting are
 * cancelled: nobody is left to release the lock to them.
 *
 * Since: 0.2
 */
void
async_lock_unref (AsyncLock *lock)
{
  g_return_if_fail (lock != NULL);

  async_primitive_unref (lock);
}

void
async_lock_acquire_for (AsyncLock   *self,
                        AsyncWaiter *waiter)
{
  if (!self->locked && self->waiters.head == NULL)
    {
      self->locked = TRUE;
      waiter->granted (waiter);
      return;
    }

  async_waiter_list_push_tail (&self->waiters, waiter);
}

gboolean
async_lock_is_queued (AsyncLock   *self,
                      AsyncWaiter *waiter)
{
  return waiter->list == &self->waiters;
}

/**
 * async_lock_acquire:
 * @lock: a lock
 *
 * asyncio's `await lock.acquire()`: a future resolved (with %NULL) once the
 * caller holds @lock. Waiters get the lock in the order they asked. An
 * acquire of a free lock nobody waits for returns a resolved future (its
 * continuations are queued all the same: never synchronous). Cancelling the
 * future before it resolved withdraws the request; a coroutine cancelled
 * after the lock was handed to it, before it resumed, does not hold it: the
 * lock goes on to the next waiter.
 *
 * Returns: (transfer full): a future resolved when @lock is held
 *
 * Since: 0.2
 */
AsyncFuture *
async_lock_acquire (AsyncLock *lock)
{
  AsyncWaiter *waiter;

  g_return_val_if_fail (lock != NULL, NULL);

  if (!lock->locked && lock->waiters.head == NULL)
    {
      lock->locked = TRUE;
      return async_waiter_reuse_resolved (lock->held, &lock_waiter_class, lock);
    }

  waiter = async_waiter_new (&lock_waiter_class, lock, TRUE, "async_lock_acquire()");
  waiter->granted = lock_granted;
  async_waiter_list_push_tail (&lock->waiters, waiter);

  return &waiter->parent;
}

static void
lock_hand_on (AsyncLock *self)
{
  AsyncWaiter *next = async_waiter_list_pop_head (&self->waiters);

  if (next == NULL)
    {
      self->locked = FALSE;
      return;
    }

  next->granted (next);
  async_future_unref (&next->parent);
}

/**
 * async_lock_release:
 * @lock: a locked lock
 *
 * asyncio's `lock.release()`: hands @lock to the first waiter, or unlocks
 * it. Releasing an unlocked lock is a programming error (a critical).
 *
 * Since: 0.2
 */
void
async_lock_release (AsyncLock *lock)
{
  g_return_if_fail (lock != NULL);
  g_return_if_fail (lock->locked);

  lock_hand_on (lock);
}

/**
 * async_lock_locked:
 * @lock: a lock
 *
 * Returns: %TRUE if @lock is held (or handed to a waiter)
 *
 * Since: 0.2
 */
gboolean
async_lock_locked (AsyncLock *lock)
{
  g_return_val_if_fail (lock != NULL, FALSE);

  return lock->locked;
}
