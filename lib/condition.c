/* condition.c: AsyncCondition, asyncio.Condition. A wait gives up the lock
 * and queues on the condition; a notify moves it to the lock's own queue,
 * and the lock's hand-off resolves it: a wait always settles with the lock
 * held again, also when it is cancelled. */

#include "config.h"

#include "async-glib/async-condition.h"
#include "lock-private.h"

/* Thread safety: loop-local, as its lock; no lock of its own. */
struct _AsyncCondition
{
  AsyncPrimitive  parent;
  AsyncLock      *lock;       /* a reference */
  AsyncWaiterList waiters;    /* waits not notified yet */
};

/* A wait's AsyncWaiter.flags. */
enum
{
  CONDITION_NOTIFIED = 1 << 0,       /* it was woken: a notify is spent on it */
  CONDITION_CANCEL_PENDING = 1 << 1, /* cancelled; settles once it holds the lock */
};

static void condition_notify (AsyncCondition *self,
                              guint           n);

/* The lock is held for the wait's caller again. A wait that was woken and
 * is cancelled passes its notification on, so that none is lost
 * (CPython's test_cancelled_wakeup_relock). */
static void
condition_waiter_granted (AsyncWaiter *waiter)
{
  AsyncCondition *self = (AsyncCondition *) waiter->owner;

  if ((waiter->flags & CONDITION_CANCEL_PENDING) == 0)
    {
      async_future_resolve_quietly (&waiter->parent, NULL, NULL);
      return;
    }

  async_future_cancel_quietly (&waiter->parent);
  if (waiter->flags & CONDITION_NOTIFIED)
    condition_notify (self, 1);
}

/* Cancelled while it waits for a notify: it leaves the condition's queue
 * for the lock's, and settles when the lock is its. Cancelled while it
 * waits for the lock: it settles then. */
static gboolean
condition_waiter_cancel_on_loop (AsyncWaiter *waiter)
{
  AsyncCondition *self = (AsyncCondition *) waiter->owner;

  if (waiter->flags & CONDITION_CANCEL_PENDING)
    return FALSE;

  if (async_waiter_list_remove (&self->waiters, waiter))
    {
      waiter->flags |= CONDITION_CANCEL_PENDING;
      async_lock_acquire_for (self->lock, waiter);
      return TRUE;
    }

  if (!async_lock_is_queued (self->lock, waiter))
    return FALSE;

  waiter->flags |= CONDITION_CANCEL_PENDING;
  return TRUE;
}

static gboolean
condition_waiter_cancel (AsyncFuture *future)
{
  return async_waiter_cancel_on_loop ((AsyncWaiter *) future, condition_waiter_cancel_on_loop);
}

/* Woken and holding the lock, then cancelled before its coroutine resumed:
 * the coroutine holds the lock (and must release it, as after any wait),
 * and the notification goes to the next waiter (CPython's
 * test_cancelled_wakeup). */
static void
condition_waiter_abandon (AsyncFuture *future)
{
  AsyncWaiter *waiter = (AsyncWaiter *) future;

  if (waiter->flags & CONDITION_NOTIFIED)
    condition_notify ((AsyncCondition *) waiter->owner, 1);
}

static const AsyncFutureClass condition_waiter_class = {
  "AsyncCondition.wait",
  condition_waiter_cancel,
  async_waiter_finalize,
  condition_waiter_abandon,
};

/* Nobody can notify any more: the waits are cancelled, each once it holds
 * the lock again, as any cancelled wait. */
static void
condition_dispose (gpointer primitive)
{
  AsyncCondition *self = primitive;
  AsyncWaiter *waiter;

  while ((waiter = async_waiter_list_pop_head (&self->waiters)) != NULL)
    {
      waiter->flags |= CONDITION_CANCEL_PENDING;
      async_lock_acquire_for (self->lock, waiter);
      async_future_unref (&waiter->parent);
    }
}

static void
condition_free (gpointer primitive)
{
  AsyncCondition *self = primitive;

  async_lock_unref (self->lock);
  g_free (self);
}

/**
 * async_condition_new:
 * @lock: (nullable): the lock to use, or %NULL for a new one
 *
 * asyncio's `Condition(lock=None)`.
 *
 * Returns: (transfer full): a new condition
 *
 * Since: 0.2
 */
AsyncCondition *
async_condition_new (AsyncLock *lock)
{
  AsyncCondition *self = g_new0 (AsyncCondition, 1);

  async_primitive_init (&self->parent, condition_dispose, condition_free);
  self->lock = lock != NULL ? async_lock_ref (lock) : async_lock_new ();

  return self;
}

/**
 * async_condition_ref:
 * @condition: a condition
 *
 * Returns: (transfer full): @condition
 *
 * Since: 0.2
 */
AsyncCondition *
async_condition_ref (AsyncCondition *condition)
{
  g_return_val_if_fail (condition != NULL, NULL);

  return async_primitive_ref (condition);
}

/**
 * async_condition_unref:
 * @condition: (transfer full): a condition
 *
 * Drops a reference. When the last one goes, waits not notified yet are
 * cancelled; each settles once it holds the lock again.
 *
 * Since: 0.2
 */
void
async_condition_unref (AsyncCondition *condition)
{
  g_return_if_fail (condition != NULL);

  async_primitive_unref (condition);
}

/**
 * async_condition_get_lock:
 * @condition: a condition
 *
 * Returns: (transfer none): the lock of @condition
 *
 * Since: 0.2
 */
AsyncLock *
async_condition_get_lock (AsyncCondition *condition)
{
  g_return_val_if_fail (condition != NULL, NULL);

  return condition->lock;
}

/**
 * async_condition_acquire:
 * @condition: a condition
 *
 * async_lock_acquire() on the condition's lock.
 *
 * Returns: (transfer full): a future resolved when the lock is held
 *
 * Since: 0.2
 */
AsyncFuture *
async_condition_acquire (AsyncCondition *condition)
{
  g_return_val_if_fail (condition != NULL, NULL);

  return async_lock_acquire (condition->lock);
}

/**
 * async_condition_release:
 * @condition: a condition whose lock is held
 *
 * async_lock_release() on the condition's lock.
 *
 * Since: 0.2
 */
void
async_condition_release (AsyncCondition *condition)
{
  g_return_if_fail (condition != NULL);

  async_lock_release (condition->lock);
}

/**
 * async_condition_locked:
 * @condition: a condition
 *
 * Returns: %TRUE if the condition's lock is held
 *
 * Since: 0.2
 */
gboolean
async_condition_locked (AsyncCondition *condition)
{
  g_return_val_if_fail (condition != NULL, FALSE);

  return async_lock_locked (condition->lock);
}

/**
 * async_condition_wait:
 * @condition: a condition whose lock the caller holds
 *
 * asyncio's `await cond.wait()`: releases the lock and waits for a notify,
 * then for the lock. The future resolves (with %NULL) with the lock held
 * again. Cancelled, it also settles only once the lock is held again, as
 * asyncio's: whatever the outcome, the caller holds the lock afterwards and
 * releases it. A wait woken and then cancelled passes the notification on
 * to the next waiter. Calling it without the lock held is a programming
 * error: a critical, and %NULL.
 *
 * Returns: (transfer full): a future resolved when notified and holding
 *   the lock
 *
 * Since: 0.2
 */
AsyncFuture *
async_condition_wait (AsyncCondition *condition)
{
  AsyncWaiter *waiter;

  g_return_val_if_fail (condition != NULL, NULL);
  g_return_val_if_fail (async_lock_locked (condition->lock), NULL);

  waiter = async_waiter_new (&condition_waiter_class, condition, TRUE, "async_condition_wait()");
  waiter->granted = condition_waiter_granted;
  async_waiter_list_push_tail (&condition->waiters, waiter);
  async_lock_release (condition->lock);

  return &waiter->parent;
}

static void
condition_notify (AsyncCondition *self,
                  guint           n)
{
  AsyncWaiter *waiter;

  for (; n > 0 && (waiter = async_waiter_list_pop_head (&self->waiters)) != NULL; n--)
    {
      waiter->flags |= CONDITION_NOTIFIED;
      async_lock_acquire_for (self->lock, waiter);
      async_future_unref (&waiter->parent);
    }
}

/**
 * async_condition_notify:
 * @condition: a condition whose lock the caller holds
 * @n: how many waits to wake at most
 *
 * asyncio's `cond.notify(n)`: wakes the first @n waits, which then wait for
 * the lock (the caller still holds it). Without the lock held: a critical.
 *
 * Since: 0.2
 */
void
async_condition_notify (AsyncCondition *condition,
                        guint           n)
{
  g_return_if_fail (condition != NULL);
  g_return_if_fail (async_lock_locked (condition->lock));

  condition_notify (condition, n);
}

/**
 * async_condition_notify_all:
 * @condition: a condition whose lock the caller holds
 *
 * asyncio's `cond.notify_all()`. Without the lock held: a critical.
 *
 * Since: 0.2
 */
void
async_condition_notify_all (AsyncCondition *condition)
{
  async_condition_notify (condition, G_MAXUINT);
}

/* ------------------------------------------------------------- wait_for */

/* A loop of waits, each followed by the predicate, in a continuation of
 * the waiter's loop: the predicate never runs inside another coroutine's
 * notify or release. */
typedef struct
{
  AsyncWaiter             parent;
  AsyncCondition         *condition;   /* a reference */
  AsyncFuture            *wait;        /* the wait in progress, or the last */
  AsyncConditionPredicate predicate;
  gpointer                user_data;
  GDestroyNotify          user_data_destroy;
  gboolean                cancel_requested;
} ConditionWaitFor;

static gboolean
wait_for_cancel_on_loop (AsyncWaiter *waiter)
{
  ConditionWaitFor *self = (ConditionWaitFor *) waiter;

  if (self->cancel_requested)
    return FALSE;

  /* The wait settles cancelled with the lock held, and the step below
   * settles this future; if it resolved already, the step sees the flag. */
  self->cancel_requested = TRUE;
  async_future_cancel (self->wait);

  return TRUE;
}

static gboolean
wait_for_cancel (AsyncFuture *future)
{
  return async_waiter_cancel_on_loop ((AsyncWaiter *) future, wait_for_cancel_on_loop);
}

static void
wait_for_abandon (AsyncFuture *future)
{
  ConditionWaitFor *self = (ConditionWaitFor *) future;

  if (self->wait != NULL)
    async_future_abandon (self->wait);
}

static void
wait_for_finalize (AsyncFuture *future)
{
  ConditionWaitFor *self = (ConditionWaitFor *) future;

  g_clear_pointer (&self->wait, async_future_unref);
  if (self->user_data_destroy != NULL)
    self->user_data_destroy (self->user_data);
  async_condition_unref (self->condition);
  async_waiter_finalize (future);
}

static const AsyncFutureClass wait_for_class = {
  "AsyncCondition.wait_for",
  wait_for_cancel,
  wait_for_finalize,
  wait_for_abandon,
};

static void
wait_for_step (AsyncFuture *wait,
               gpointer     user_data)
{
  ConditionWaitFor *self = user_data;

  if (!async_future_is_resolved (wait))
    {
      async_future_settle_from (&self->parent.parent, wait);
      return;
    }

  if (self->cancel_requested)
    {
      /* Woken, but cancelled before the predicate ran: the notification
       * goes on, and the caller holds the lock, as after any wait. */
      async_future_abandon (wait);
      async_future_cancel_quietly (&self->parent.parent);
      return;
    }

  if (self->predicate (self->user_data))
    {
      async_future_resolve_quietly (&self->parent.parent, NULL, NULL);
      return;
    }

  async_future_unref (self->wait);
  self->wait = async_condition_wait (self->condition);
  async_future_then (self->wait, wait_for_step,
                     async_future_ref (&self->parent.parent), (GDestroyNotify) async_future_unref);
}

/**
 * async_condition_wait_for:
 * @condition: a condition
 * @predicate: what to wait for
 * @user_data: (closure): data for @predicate
 * @user_data_destroy: (nullable): frees @user_data once the future is freed
 *
 * asyncio's `await cond.wait_for(predicate)`: if @predicate is already
 * %TRUE, a resolved future; otherwise waits (async_condition_wait()) until
 * @predicate, checked after each wake-up with the lock held, is %TRUE. The
 * future then resolves (with %NULL) with the lock held. Cancelled, it
 * settles with the lock held, as a wait. Unless @predicate is %TRUE at
 * once, the caller must hold the lock: otherwise a critical, and %NULL.
 *
 * Returns: (transfer full): a future resolved once @predicate is %TRUE,
 *   with the lock held
 *
 * Since: 0.2
 */
AsyncFuture *
async_condition_wait_for (AsyncCondition         *condition,
                          AsyncConditionPredicate predicate,
                          gpointer                user_data,
                          GDestroyNotify          user_data_destroy)
{
  ConditionWaitFor *self;
  gboolean done;

  g_return_val_if_fail (condition != NULL, NULL);
  g_return_val_if_fail (predicate != NULL, NULL);

  done = predicate (user_data);
  if (!done && !async_lock_locked (condition->lock))
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      g_return_val_if_fail (async_lock_locked (condition->lock), NULL);
    }

  self = async_waiter_alloc (&wait_for_class, sizeof (ConditionWaitFor), condition, TRUE,
                             "async_condition_wait_for()");
  self->condition = async_condition_ref (condition);
  self->predicate = predicate;
  self->user_data = user_data;
  self->user_data_destroy = user_data_destroy;

  if (done)
    {
      async_future_resolve_quietly (&self->parent.parent, NULL, NULL);
      return &self->parent.parent;
    }

  self->wait = async_condition_wait (condition);
  async_future_then (self->wait, wait_for_step,
                     async_future_ref (&self->parent.parent), (GDestroyNotify) async_future_unref);

  return &self->parent.parent;
}
