/* semaphore.c: AsyncSemaphore, asyncio.Semaphore and BoundedSemaphore. As
 * AsyncLock, a release hands its permit to the first waiter directly, and
 * a waiter woken then cancelled hands it on. */

#include "config.h"

#include "async-glib/async-semaphore.h"
#include "waiter-private.h"

/* Thread safety: loop-local; no lock of its own. A waiter's cancel hook
 * may be called on another thread and is marshalled to the loop. */
struct _AsyncSemaphore
{
  AsyncPrimitive  parent;
  AsyncWaiterList waiters;
  AsyncWaiter    *held[2];     /* resolved acquires, reused */
  guint           value;       /* permits nobody holds */
  guint           bound;       /* the initial value, if @bounded */
  gboolean        bounded;
  gboolean        disposed;
};

static void semaphore_hand_on (AsyncSemaphore *self);

static gboolean
semaphore_waiter_cancel_on_loop (AsyncWaiter *waiter)
{
  AsyncSemaphore *self = (AsyncSemaphore *) waiter->owner;

  return async_waiter_list_withdraw (&self->waiters, waiter);
}

static gboolean
semaphore_waiter_cancel (AsyncFuture *future)
{
  return async_waiter_cancel_on_loop ((AsyncWaiter *) future, semaphore_waiter_cancel_on_loop);
}

/* Handed a permit, then cancelled before it resumed: the permit goes on. */
static void
semaphore_waiter_abandon (AsyncFuture *future)
{
  AsyncSemaphore *self = (AsyncSemaphore *) ((AsyncWaiter *) future)->owner;

  if (!self->disposed)
    semaphore_hand_on (self);
}

static const AsyncFutureClass semaphore_waiter_class = {
  "AsyncSemaphore.acquire",
  semaphore_waiter_cancel,
  async_waiter_finalize,
  semaphore_waiter_abandon,
};

static void
semaphore_dispose (gpointer primitive)
{
  AsyncSemaphore *self = primitive;

  self->disposed = TRUE;
  async_waiter_list_cancel_all (&self->waiters);
  async_waiter_clear_resolved (self->held);
}

static AsyncSemaphore *
semaphore_new (guint    value,
               gboolean bounded)
{
  AsyncSemaphore *self = g_new0 (AsyncSemaphore, 1);

  async_primitive_init (&self->parent, semaphore_dispose, g_free);
  self->value = value;
  self->bound = value;
  self->bounded = bounded;

  return self;
}

/**
 * async_semaphore_new:
 * @value: the number of permits
 *
 * asyncio's `Semaphore(value)`: @value acquires succeed before one waits.
 * (asyncio's `ValueError` for a negative value cannot happen: @value is
 * unsigned.)
 *
 * Returns: (transfer full): a new semaphore
 *
 * Since: 0.2
 */
AsyncSemaphore *
async_semaphore_new (guint value)
{
  return semaphore_new (value, FALSE);
}

/**
 * async_bounded_semaphore_new:
 * @value: the number of permits, and the most there may ever be
 *
 * asyncio's `BoundedSemaphore(value)`: as async_semaphore_new(), but a
 * release that would raise the count past @value is refused.
 *
 * Returns: (transfer full): a new bounded semaphore
 *
 * Since: 0.2
 */
AsyncSemaphore *
async_bounded_semaphore_new (guint value)
{
  return semaphore_new (value, TRUE);
}

/**
 * async_semaphore_ref:
 * @semaphore: a semaphore
 *
 * Returns: (transfer full): @semaphore
 *
 * Since: 0.2
 */
AsyncSemaphore *
async_semaphore_ref (AsyncSemaphore *semaphore)
{
  g_return_val_if_fail (semaphore != NULL, NULL);

  return async_primitive_ref (semaphore);
}

/**
 * async_semaphore_unref:
 * @semaphore: (transfer full): a semaphore
 *
 * Drops a reference. When the last one goes, acquires still waiting are
 * cancelled.
 *
 * Since: 0.2
 */
void
async_semaphore_unref (AsyncSemaphore *semaphore)
{
  g_return_if_fail (semaphore != NULL);

  async_primitive_unref (semaphore);
}

static void
semaphore_granted (AsyncWaiter *waiter)
{
  async_future_resolve_quietly (&waiter->parent, NULL, NULL);
}

/**
 * async_semaphore_acquire:
 * @semaphore: a semaphore
 *
 * asyncio's `await sem.acquire()`: a future resolved (with %NULL) once the
 * caller holds a permit. If a permit is free and nobody waits, the future
 * is already resolved; otherwise the caller waits its turn (FIFO), even if
 * a permit is free, as asyncio since gh-90155. A coroutine cancelled after
 * a permit was handed to it, before it resumed, does not hold it: the
 * permit goes to the next waiter.
 *
 * Returns: (transfer full): a future resolved when a permit is held
 *
 * Since: 0.2
 */
AsyncFuture *
async_semaphore_acquire (AsyncSemaphore *semaphore)
{
  AsyncWaiter *waiter;

  g_return_val_if_fail (semaphore != NULL, NULL);

  if (semaphore->value > 0 && semaphore->waiters.head == NULL)
    {
      semaphore->value--;
      return async_waiter_reuse_resolved (semaphore->held, &semaphore_waiter_class, semaphore);
    }

  waiter = async_waiter_new (&semaphore_waiter_class, semaphore, TRUE, "async_semaphore_acquire()");
  waiter->granted = semaphore_granted;
  async_waiter_list_push_tail (&semaphore->waiters, waiter);

  return &waiter->parent;
}

static void
semaphore_hand_on (AsyncSemaphore *self)
{
  AsyncWaiter *next = async_waiter_list_pop_head (&self->waiters);

  if (next == NULL)
    {
      self->value++;
      return;
    }

  next->granted (next);
  async_future_unref (&next->parent);
}

/**
 * async_semaphore_release:
 * @semaphore: a semaphore
 *
 * asyncio's `sem.release()`: hands a permit to the first waiter, or adds
 * one to the count. A bounded semaphore refuses a release past its initial
 * value: a programming error, a critical, and the value is unchanged.
 *
 * Returns: %TRUE, or %FALSE if a bounded semaphore refused the release
 *
 * Since: 0.2
 */
gboolean
async_semaphore_release (AsyncSemaphore *semaphore)
{
  g_return_val_if_fail (semaphore != NULL, FALSE);
  g_return_val_if_fail (!semaphore->bounded || semaphore->value < semaphore->bound, FALSE);

  semaphore_hand_on (semaphore);

  return TRUE;
}

/**
 * async_semaphore_locked:
 * @semaphore: a semaphore
 *
 * Returns: %TRUE if an acquire would wait: no permit is free, or others
 *   wait already
 *
 * Since: 0.2
 */
gboolean
async_semaphore_locked (AsyncSemaphore *semaphore)
{
  g_return_val_if_fail (semaphore != NULL, FALSE);

  return semaphore->value == 0 || semaphore->waiters.head != NULL;
}

/**
 * async_semaphore_get_value:
 * @semaphore: a semaphore
 *
 * Returns: the number of permits nobody holds
 *
 * Since: 0.2
 */
guint
async_semaphore_get_value (AsyncSemaphore *semaphore)
{
  g_return_val_if_fail (semaphore != NULL, 0);

  return semaphore->value;
}
