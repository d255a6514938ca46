/* test-condition.c: AsyncCondition, mirroring CPython's Lib/test/
 * test_asyncio/test_locks.py ConditionTests: wait and notify order, the
 * lock held again after every wait (also cancelled: test_wait_cancel,
 * test_wait_cancel_contested, test_wait_cancel_after_notify), wait_for,
 * the critical without the lock, an explicit lock, and no wake-up lost to
 * a cancellation (gh-112202: test_cancelled_wakeup,
 * test_cancelled_wakeup_relock). */

#include "config.h"

#include "test-util.h"

typedef struct
{
  AsyncCondition *condition;
  GArray         *trace;
  gint            id;
  gboolean        release_after;
  gint           *state;          /* for the consumers */
  gboolean        use_wait_for;
  gboolean        cancelled;
} Waiter;

static void
waiter_free (gpointer data)
{
  Waiter *self = data;

  async_condition_unref (self->condition);
  g_free (self);
}

static gboolean
state_nonzero (gpointer data)
{
  return *(gint *) data != 0;
}

/* test_wait's c1..c3: take the lock, wait, record; keep the lock unless
 * @release_after. A cancelled wait still holds the lock: release it. */
static void
waiter_body (AsyncCoroutine *co,
             gpointer        data)
{
  Waiter *self = data;
  g_autoptr (GError) error = NULL;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_condition_acquire (self->condition));
  ASYNC_AWAIT_TRY (co, async_condition_wait (self->condition), &error);
  g_assert_true (async_condition_locked (self->condition));
  if (error != NULL)
    {
      self->cancelled = TRUE;
      async_condition_release (self->condition);
      ASYNC_RETURN_ERROR (co, g_steal_pointer (&error));
    }
  g_array_append_val (self->trace, self->id);
  if (self->release_after)
    async_condition_release (self->condition);
  ASYNC_END (co);
}

/* test_cancelled_wakeup's consumer: take one unit of *state per wake-up,
 * end when it goes negative. */
static void
consumer_body (AsyncCoroutine *co,
               gpointer        data)
{
  Waiter *self = data;
  g_autoptr (GError) error = NULL;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_condition_acquire (self->condition));
  for (;;)
    {
      if (self->use_wait_for)
        ASYNC_AWAIT_TRY (co, async_condition_wait_for (self->condition, state_nonzero, self->state, NULL), &error);
      else if (*self->state == 0)
        ASYNC_AWAIT_TRY (co, async_condition_wait (self->condition), &error);
      g_assert_true (async_condition_locked (self->condition));
      if (error != NULL)
        {
          self->cancelled = TRUE;
          async_condition_release (self->condition);
          ASYNC_RETURN_ERROR (co, g_steal_pointer (&error));
        }
      if (*self->state < 0)
        break;
      if (*self->state > 0)
        (*self->state)--;
    }
  async_condition_release (self->condition);
  ASYNC_END (co);
}

static AsyncFuture *
spawn (AsyncCoroutineFunc func,
       AsyncCondition    *condition,
       GArray            *trace,
       gint               id,
       gboolean           release_after,
       Waiter           **out)
{
  Waiter *self = g_new0 (Waiter, 1);

  self->condition = async_condition_ref (condition);
  self->trace = trace;
  self->id = id;
  self->release_after = release_after;
  if (out != NULL)
    *out = self;
  return async_spawn (func, self, waiter_free);
}

static void
acquire_now (AsyncCondition *condition)
{
  AsyncFuture *held = async_condition_acquire (condition);

  test_await (held, 5);
  g_assert_true (async_future_is_resolved (held));
  async_future_unref (held);
}

/* test_wait: each notify wakes one more, in order, but only once the lock
 * is released to it. */
static void
test_wait (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t[3];
  const gint expected[] = { 1, 2, 3 };

  for (guint i = 0; i < 3; i++)
    t[i] = spawn (waiter_body, condition, trace, (gint) i + 1, FALSE, NULL);
  test_iterate_pending ();
  g_assert_cmpuint (trace->len, ==, 0);
  g_assert_false (async_condition_locked (condition));

  acquire_now (condition);
  async_condition_notify (condition, 1);
  test_iterate_pending ();
  g_assert_cmpuint (trace->len, ==, 0);
  g_assert_true (async_condition_locked (condition));

  async_condition_release (condition);
  test_iterate_pending ();
  test_assert_trace (trace, expected, 1);
  g_assert_true (async_condition_locked (condition));

  async_condition_notify (condition, 2);
  test_iterate_pending ();
  test_assert_trace (trace, expected, 1);

  async_condition_release (condition);
  test_iterate_pending ();
  test_assert_trace (trace, expected, 2);

  async_condition_release (condition);
  test_iterate_pending ();
  test_assert_trace (trace, expected, 3);
  g_assert_true (async_condition_locked (condition));

  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (async_future_is_resolved (t[i]));
      async_future_unref (t[i]);
    }
  async_condition_release (condition);
}

/* test_wait_cancel: cancelled, the wait settles with the lock held. */
static void
test_wait_cancel (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  AsyncFuture *wait;

  acquire_now (condition);
  wait = async_condition_wait (condition);
  g_assert_false (async_condition_locked (condition));
  g_assert_true (async_future_cancel (wait));
  g_assert_true (async_future_is_cancelled (wait));
  g_assert_true (async_condition_locked (condition));
  async_condition_release (condition);
  async_future_unref (wait);
}

/* The lock is taken by someone else when the wait is cancelled: the wait
 * stays pending until the lock is released to it. */
static void
test_wait_cancel_waits_for_lock (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  AsyncFuture *wait, *other;

  acquire_now (condition);
  wait = async_condition_wait (condition);
  other = async_condition_acquire (condition);
  g_assert_true (async_future_is_resolved (other));
  g_assert_true (async_future_cancel (wait));
  g_assert_true (async_future_is_pending (wait));
  async_condition_release (condition);
  g_assert_true (async_future_is_cancelled (wait));
  g_assert_true (async_condition_locked (condition));
  async_condition_release (condition);
  async_future_unref (other);
  async_future_unref (wait);
}

/* test_wait_cancel_contested: notified, then cancel and release queued
 * together: whichever way it ends, the waiter holds the lock. */
static void
cancel_cb (AsyncFuture *unused,
           gpointer     user_data)
{
  async_future_cancel (user_data);
}

static void
release_cb (AsyncFuture *unused,
            gpointer     user_data)
{
  async_condition_release (user_data);
}

static void
test_wait_cancel_contested (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  Waiter *frame;
  AsyncFuture *task = spawn (waiter_body, condition, trace, 1, FALSE, &frame);
  AsyncFuture *go = async_future_new_resolved (NULL, NULL);

  test_iterate_pending ();
  g_assert_false (async_condition_locked (condition));
  acquire_now (condition);
  async_condition_notify (condition, 1);
  async_future_then (go, cancel_cb, task, NULL);
  async_future_then (go, release_cb, condition, NULL);
  test_await (task, 5);
  /* Cancelled: it released the lock itself; resolved: it keeps it. */
  g_assert_true (async_future_is_cancelled (task) ? !async_condition_locked (condition)
                                                  : async_condition_locked (condition));
  if (async_future_is_resolved (task))
    async_condition_release (condition);
  async_future_unref (go);
  async_future_unref (task);
}

/* test_wait_cancel_after_notify (bpo-32841): notified, cancelled while it
 * waits for the lock, then the lock released: it ends cancelled, and got
 * the lock back first. */
static void
test_wait_cancel_after_notify (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  Waiter *frame;
  AsyncFuture *task = spawn (waiter_body, condition, trace, 1, FALSE, &frame);

  test_iterate_pending ();
  acquire_now (condition);
  async_condition_notify (condition, 1);
  test_iterate_pending ();
  async_future_cancel (task);
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (task));
  async_condition_release (condition);
  test_await (task, 5);
  g_assert_true (async_future_is_cancelled (task));
  g_assert_cmpuint (trace->len, ==, 0);
  g_assert_false (async_condition_locked (condition));
  async_future_unref (task);
}

/* test_wait_unacquired, test_notify_unacquired, test_notify_all_unacquired,
 * test_wait_for_unacquired: criticals, harmless returns. */
static gboolean
always_true (gpointer unused)
{
  return TRUE;
}

static gboolean
always_false (gpointer unused)
{
  return FALSE;
}

static void
test_unlocked_is_critical (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  AsyncFuture *wait_for;
  gint destroyed = 0;

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*locked*failed*");
  g_assert_null (async_condition_wait (condition));
  g_test_assert_expected_messages ();

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*locked*failed*");
  async_condition_notify (condition, 1);
  g_test_assert_expected_messages ();

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*locked*failed*");
  async_condition_notify_all (condition);
  g_test_assert_expected_messages ();

  /* A predicate TRUE at once needs no lock. */
  wait_for = async_condition_wait_for (condition, always_true, NULL, NULL);
  g_assert_true (async_future_is_resolved (wait_for));
  async_future_unref (wait_for);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*locked*failed*");
  g_assert_null (async_condition_wait_for (condition, always_false, &destroyed, test_count_destroy));
  g_test_assert_expected_messages ();
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_false (async_condition_locked (condition));
}

/* test_wait_for: a notify with the predicate still FALSE does not end the
 * wait; one with it TRUE does, with the lock held. */
static void
test_wait_for (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  gint state = 0;
  AsyncFuture *wait_for;

  acquire_now (condition);
  wait_for = async_condition_wait_for (condition, state_nonzero, &state, NULL);
  g_assert_false (async_condition_locked (condition));

  acquire_now (condition);
  async_condition_notify (condition, 1);
  async_condition_release (condition);
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (wait_for));
  g_assert_false (async_condition_locked (condition));

  acquire_now (condition);
  state = 1;
  async_condition_notify (condition, 1);
  async_condition_release (condition);
  test_await (wait_for, 5);
  g_assert_true (async_future_is_resolved (wait_for));
  g_assert_true (async_condition_locked (condition));
  async_condition_release (condition);
  async_future_unref (wait_for);
}

/* A wait_for cancelled settles cancelled with the lock held. */
static void
test_wait_for_cancel (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  gint state = 0;
  AsyncFuture *wait_for;

  acquire_now (condition);
  wait_for = async_condition_wait_for (condition, state_nonzero, &state, NULL);
  g_assert_true (async_future_cancel (wait_for));
  test_await (wait_for, 5);
  g_assert_true (async_future_is_cancelled (wait_for));
  g_assert_true (async_condition_locked (condition));
  async_condition_release (condition);
  async_future_unref (wait_for);
}

/* test_notify: notify (1), then notify (1) and notify (2048). */
static void
test_notify (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t[3];
  const gint expected[] = { 1, 2, 3 };

  for (guint i = 0; i < 3; i++)
    t[i] = spawn (waiter_body, condition, trace, (gint) i + 1, TRUE, NULL);
  test_iterate_pending ();

  acquire_now (condition);
  async_condition_notify (condition, 1);
  async_condition_release (condition);
  test_iterate_pending ();
  test_assert_trace (trace, expected, 1);

  acquire_now (condition);
  async_condition_notify (condition, 1);
  async_condition_notify (condition, 2048);
  async_condition_release (condition);
  for (guint i = 0; i < 3; i++)
    {
      test_await (t[i], 5);
      g_assert_true (async_future_is_resolved (t[i]));
      async_future_unref (t[i]);
    }
  test_assert_trace (trace, expected, 3);
  g_assert_false (async_condition_locked (condition));
}

/* test_notify_all */
static void
test_notify_all (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t[2];
  const gint expected[] = { 1, 2 };

  for (guint i = 0; i < 2; i++)
    t[i] = spawn (waiter_body, condition, trace, (gint) i + 1, TRUE, NULL);
  test_iterate_pending ();
  acquire_now (condition);
  async_condition_notify_all (condition);
  async_condition_release (condition);
  for (guint i = 0; i < 2; i++)
    {
      test_await (t[i], 5);
      async_future_unref (t[i]);
    }
  test_assert_trace (trace, expected, 2);
}

/* test_explicit_lock: the condition's lock is the one given. */
static void
test_explicit_lock (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  g_autoptr (AsyncCondition) condition = async_condition_new (lock);
  AsyncFuture *held;

  g_assert_true (async_condition_get_lock (condition) == lock);
  held = async_lock_acquire (lock);
  g_assert_true (async_condition_locked (condition));
  async_condition_release (condition);
  g_assert_false (async_lock_locked (lock));
  async_future_unref (held);
}

/* test_cancelled_wakeup (and _relock, which differs in asyncio only by a
 * turn of the loop: here a notify moves the waiter to the lock's queue at
 * once): one unit produced, one consumer notified and cancelled before it
 * got the lock: the notification passes to the other consumer. */
static void
run_cancelled_wakeup (gboolean use_wait_for,
                      gboolean cancel_after_release)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);
  gint state = 0;
  Waiter *frames[2];
  AsyncFuture *c[2];

  for (guint i = 0; i < 2; i++)
    {
      c[i] = spawn (consumer_body, condition, NULL, (gint) i, FALSE, &frames[i]);
      frames[i]->state = &state;
      frames[i]->use_wait_for = use_wait_for;
    }
  test_iterate_pending ();

  acquire_now (condition);
  state = 1;
  async_condition_notify (condition, 1);
  if (!cancel_after_release)
    async_future_cancel (c[0]);
  async_condition_release (condition);
  if (cancel_after_release)
    async_future_cancel (c[0]);
  test_await (c[0], 5);
  test_iterate_pending ();
  g_assert_true (async_future_is_cancelled (c[0]));
  g_assert_cmpint (state, ==, 0);

  acquire_now (condition);
  state = -1;
  async_condition_notify_all (condition);
  async_condition_release (condition);
  test_await (c[1], 5);
  g_assert_true (async_future_is_resolved (c[1]));
  g_assert_false (async_condition_locked (condition));
  async_future_unref (c[0]);
  async_future_unref (c[1]);
}

static void
test_cancelled_wakeup (void)
{
  run_cancelled_wakeup (TRUE, FALSE);
}

/* Cancelled after the lock was handed to the woken wait: wait_for sees the
 * request before its predicate and passes the notification on. */
static void
test_cancelled_wakeup_relock (void)
{
  run_cancelled_wakeup (TRUE, TRUE);
}

/* With plain waits, cancelled after the wait resolved but before the
 * coroutine resumed: the coroutine declines it, and the notification
 * passes on all the same. */
static void
test_cancelled_after_wake_wait (void)
{
  run_cancelled_wakeup (FALSE, TRUE);
}

/* The last unref cancels the waits, each with the lock held again. */
static void
test_unref_cancels_waiters (void)
{
  AsyncCondition *condition = async_condition_new (NULL);
  AsyncLock *lock = async_lock_ref (async_condition_get_lock (condition));
  AsyncFuture *wait;

  acquire_now (condition);
  wait = async_condition_wait (condition);
  async_condition_unref (condition);
  g_assert_true (async_future_is_cancelled (wait));
  g_assert_true (async_lock_locked (lock));
  async_lock_release (lock);
  async_lock_unref (lock);
  async_future_unref (wait);
}

/* NULL where a condition or a predicate is needed: criticals, harmless
 * returns. */
static void
test_null_arguments (void)
{
  g_autoptr (AsyncCondition) condition = async_condition_new (NULL);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_null (async_condition_wait (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  async_condition_notify (NULL, 1);
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_null (async_condition_wait_for (condition, NULL, NULL, NULL));
  g_test_assert_expected_messages ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/condition/wait/notify-wakes-in-order-with-lock", test_wait);
  g_test_add_func ("/condition/wait/cancel-reacquires-lock", test_wait_cancel);
  g_test_add_func ("/condition/wait/cancel-waits-for-lock", test_wait_cancel_waits_for_lock);
  g_test_add_func ("/condition/wait/cancel-contested", test_wait_cancel_contested);
  g_test_add_func ("/condition/wait/cancel-after-notify", test_wait_cancel_after_notify);
  g_test_add_func ("/condition/wait-for/predicate-after-notify", test_wait_for);
  g_test_add_func ("/condition/wait-for/cancel-reacquires-lock", test_wait_for_cancel);
  g_test_add_func ("/condition/notify/n", test_notify);
  g_test_add_func ("/condition/notify/all", test_notify_all);
  g_test_add_func ("/condition/unlocked-is-critical", test_unlocked_is_critical);
  g_test_add_func ("/condition/lock/explicit", test_explicit_lock);
  g_test_add_func ("/condition/cancel/wakeup-not-lost", test_cancelled_wakeup);
  g_test_add_func ("/condition/cancel/wakeup-not-lost-relock", test_cancelled_wakeup_relock);
  g_test_add_func ("/condition/cancel/after-wake-passes-notification", test_cancelled_after_wake_wait);
  g_test_add_func ("/condition/unref/cancels-waiters-with-lock", test_unref_cancels_waiters);

  g_test_add_func ("/condition/bad-input/null-arguments", test_null_arguments);

  return g_test_run ();
}
