/* test-lock.c: AsyncLock, mirroring CPython's Lib/test/test_asyncio/
 * test_locks.py LockTests: FIFO acquisition, release of an unlocked lock,
 * cancellation before and after the hand-off (the races of bpo-27585,
 * bpo-32734, bpo-90155/gh-93222 and gh-97549), and what unref does to
 * waiters. */

#include "config.h"

#include "test-util.h"

/* A coroutine that takes the lock, records its id in @trace, optionally
 * waits for @blocker while it holds the lock, and releases it. */
typedef struct
{
  AsyncLock   *lock;
  GArray      *trace;
  gint         id;
  AsyncFuture *blocker;
  gboolean     cancelled;
} Locker;

static void
locker_free (gpointer data)
{
  Locker *self = data;

  g_clear_pointer (&self->blocker, async_future_unref);
  async_lock_unref (self->lock);
  g_free (self);
}

static void
locker_body (AsyncCoroutine *co,
             gpointer        data)
{
  Locker *self = data;
  g_autoptr (GError) error = NULL;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT_TRY (co, async_lock_acquire (self->lock), &error);
  if (error != NULL)
    {
      self->cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      ASYNC_RETURN_ERROR (co, g_steal_pointer (&error));
    }
  g_array_append_val (self->trace, self->id);
  if (self->blocker != NULL)
    ASYNC_AWAIT (co, async_future_ref (self->blocker));
  async_lock_release (self->lock);
  ASYNC_END (co);
}

static AsyncFuture *
spawn_locker (AsyncLock   *lock,
              GArray      *trace,
              gint         id,
              AsyncFuture *blocker)
{
  Locker *self = g_new0 (Locker, 1);

  self->lock = async_lock_ref (lock);
  self->trace = trace;
  self->id = id;
  self->blocker = blocker;
  return async_spawn (locker_body, self, locker_free);
}

/* test_acquire: waiters get the lock in the order they asked, one per
 * release. */
static void
test_acquire_fifo (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *held = async_lock_acquire (lock);
  AsyncFuture *blockers[3] = { async_future_new (), async_future_new (), async_future_new () };
  AsyncFuture *tasks[3];
  const gint expected[] = { 1, 2, 3 };

  g_assert_true (async_future_is_resolved (held));
  g_assert_true (async_lock_locked (lock));
  tasks[0] = spawn_locker (lock, trace, 1, async_future_ref (blockers[0]));
  tasks[1] = spawn_locker (lock, trace, 2, async_future_ref (blockers[1]));
  test_iterate_pending ();
  g_assert_cmpuint (trace->len, ==, 0);

  async_lock_release (lock);
  test_iterate_pending ();
  test_assert_trace (trace, expected, 1);

  tasks[2] = spawn_locker (lock, trace, 3, async_future_ref (blockers[2]));
  test_iterate_pending ();
  test_assert_trace (trace, expected, 1);

  for (guint i = 0; i < 3; i++)
    {
      async_future_resolve (blockers[i], NULL, NULL);
      test_await (tasks[i], 5);
      g_assert_true (async_future_is_resolved (tasks[i]));
      test_assert_trace (trace, expected, i + 1 < 3 ? i + 2 : 3);
    }

  g_assert_false (async_lock_locked (lock));
  for (guint i = 0; i < 3; i++)
    {
      async_future_unref (tasks[i]);
      async_future_unref (blockers[i]);
    }
  async_future_unref (held);
}

/* An uncontended acquire is already resolved, and its continuation is
 * still queued, not run inside the call. */
static void
test_acquire_uncontended (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  AsyncFuture *first = async_lock_acquire (lock);
  gint called = 0;

  g_assert_true (async_future_is_resolved (first));
  async_future_then (first, test_count_call, &called, NULL);
  g_assert_cmpint (called, ==, 0);
  test_iterate_pending ();
  g_assert_cmpint (called, ==, 1);

  /* Released and taken again many times, without a waiter: each acquire
   * resolves at once. */
  for (guint i = 0; i < 100; i++)
    {
      AsyncFuture *again;

      async_lock_release (lock);
      g_assert_false (async_lock_locked (lock));
      again = async_lock_acquire (lock);
      g_assert_true (async_future_is_resolved (again));
      async_future_unref (again);
    }
  async_lock_release (lock);
  async_future_unref (first);
}

/* test_acquire_cancel: a cancelled pending acquire leaves no waiter behind:
 * the next release unlocks the lock. */
static void
test_cancel_pending (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  AsyncFuture *held = async_lock_acquire (lock);
  AsyncFuture *waiting = async_lock_acquire (lock);

  g_assert_true (async_future_is_pending (waiting));
  g_assert_true (async_future_cancel (waiting));
  g_assert_true (async_future_is_cancelled (waiting));
  g_assert_false (async_future_cancel (waiting));

  async_lock_release (lock);
  g_assert_false (async_lock_locked (lock));
  async_future_unref (waiting);
  async_future_unref (held);
}

/* test_cancel_race: A holds the lock, B and C wait; B is cancelled as A
 * releases: C gets the lock, not the cancelled B. */
static void
test_cancel_race (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *fa = async_future_new ();
  AsyncFuture *ta = spawn_locker (lock, trace, 1, async_future_ref (fa));
  AsyncFuture *tb, *tc;
  const gint expected[] = { 1, 3 };

  test_iterate_pending ();
  g_assert_true (async_lock_locked (lock));
  tb = spawn_locker (lock, trace, 2, NULL);
  tc = spawn_locker (lock, trace, 3, NULL);
  test_iterate_pending ();

  async_future_resolve (fa, NULL, NULL);
  g_assert_true (async_future_cancel (tb));
  test_await (tc, 5);
  g_assert_true (async_future_is_resolved (ta));
  g_assert_true (async_future_is_cancelled (tb));
  g_assert_true (async_future_is_resolved (tc));
  test_assert_trace (trace, expected, 2);
  g_assert_false (async_lock_locked (lock));

  async_future_unref (fa);
  async_future_unref (ta);
  async_future_unref (tb);
  async_future_unref (tc);
}

/* test_cancel_release_race (bpo-32734): with three waiters, cancelling the
 * first and releasing in one callback lets exactly one other through. */
typedef struct
{
  AsyncLock   *lock;
  AsyncFuture *victim;
} Trigger;

static void
trigger_cancel_then_release (AsyncFuture *unused,
                             gpointer     user_data)
{
  Trigger *trigger = user_data;

  async_future_cancel (trigger->victim);
  async_lock_release (trigger->lock);
}

static void
test_cancel_release_race (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *held = async_lock_acquire (lock);
  AsyncFuture *never = async_future_new ();
  AsyncFuture *t1 = spawn_locker (lock, trace, 1, NULL);
  AsyncFuture *t2 = spawn_locker (lock, trace, 2, async_future_ref (never));
  AsyncFuture *t3 = spawn_locker (lock, trace, 3, NULL);
  AsyncFuture *go = async_future_new_resolved (NULL, NULL);
  Trigger trigger = { lock, t1 };
  const gint expected[] = { 2 };

  test_iterate_pending ();
  async_future_then (go, trigger_cancel_then_release, &trigger, NULL);
  test_await (t1, 5);
  test_iterate_pending ();
  g_assert_true (async_future_is_cancelled (t1));
  test_assert_trace (trace, expected, 1);
  g_assert_true (async_future_is_pending (t3));

  async_future_cancel (t3);
  test_await (t3, 5);
  g_assert_true (async_future_is_cancelled (t3));
  async_future_resolve (never, NULL, NULL);
  test_await (t2, 5);
  g_assert_false (async_lock_locked (lock));

  async_future_unref (go);
  async_future_unref (never);
  async_future_unref (held);
  async_future_unref (t1);
  async_future_unref (t2);
  async_future_unref (t3);
}

/* test_finished_waiter_cancelled: B waits; C is spawned; B is cancelled and
 * the lock released before either runs: C gets the lock. */
static void
test_finished_waiter_cancelled (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *held = async_lock_acquire (lock);
  AsyncFuture *never = async_future_new ();
  AsyncFuture *tb = spawn_locker (lock, trace, 2, NULL);
  AsyncFuture *tc;
  const gint expected[] = { 3 };

  test_iterate_pending ();
  tc = spawn_locker (lock, trace, 3, async_future_ref (never));
  async_future_cancel (tb);
  async_lock_release (lock);
  test_await (tb, 5);
  test_iterate_pending ();

  g_assert_true (async_future_is_cancelled (tb));
  g_assert_true (async_lock_locked (lock));
  test_assert_trace (trace, expected, 1);

  async_future_resolve (never, NULL, NULL);
  test_await (tc, 5);
  g_assert_false (async_lock_locked (lock));
  async_future_unref (never);
  async_future_unref (held);
  async_future_unref (tb);
  async_future_unref (tc);
}

/* The hang of bpo-90155/gh-93222/gh-97549: the lock is handed to B (its
 * acquire resolved), then B is cancelled before it resumes. B must not keep
 * the lock: it goes on to C. */
static void
test_cancel_after_wake_hands_on (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *held = async_lock_acquire (lock);
  AsyncFuture *tb = spawn_locker (lock, trace, 2, NULL);
  AsyncFuture *tc = spawn_locker (lock, trace, 3, NULL);
  const gint expected[] = { 3 };

  test_iterate_pending ();
  async_lock_release (lock);
  g_assert_true (async_lock_locked (lock));
  g_assert_true (async_future_cancel (tb));
  test_await (tc, 5);

  g_assert_true (async_future_is_cancelled (tb));
  g_assert_true (async_future_is_resolved (tc));
  test_assert_trace (trace, expected, 1);
  g_assert_false (async_lock_locked (lock));
  async_future_unref (held);
  async_future_unref (tb);
  async_future_unref (tc);
}

/* A coroutine cancelled while it runs, whose acquire then resolves at once,
 * does not keep the lock either. */
typedef struct
{
  AsyncLock *lock;
} SelfCancel;

static void
self_cancel_body (AsyncCoroutine *co,
                  gpointer        data)
{
  SelfCancel *self = data;

  ASYNC_BEGIN (co);
  async_future_cancel (async_coroutine_get_future (co));
  ASYNC_AWAIT (co, async_lock_acquire (self->lock));
  g_assert_not_reached ();
  ASYNC_END (co);
}

static void
test_cancel_uncontended_hands_back (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  SelfCancel frame = { lock };
  AsyncFuture *task = async_spawn (self_cancel_body, &frame, NULL);

  test_await (task, 5);
  g_assert_true (async_future_is_cancelled (task));
  g_assert_false (async_lock_locked (lock));
  async_future_unref (task);
}

/* test_release_not_acquired: a programming error, a critical; the lock
 * stays unlocked. */
static void
test_release_unlocked (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*locked*failed*");
  async_lock_release (lock);
  g_test_assert_expected_messages ();
  g_assert_false (async_lock_locked (lock));
}

/* test_release_no_waiters */
static void
test_release_no_waiters (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  AsyncFuture *held = async_lock_acquire (lock);

  g_assert_true (async_lock_locked (lock));
  async_lock_release (lock);
  g_assert_false (async_lock_locked (lock));
  async_future_unref (held);
}

/* The last unref cancels the acquires still waiting: nobody could release
 * the lock to them. */
static void
test_unref_cancels_waiters (void)
{
  AsyncLock *lock = async_lock_new ();
  AsyncFuture *held = async_lock_acquire (lock);
  AsyncFuture *waiting = async_lock_acquire (lock);

  async_lock_unref (lock);
  g_assert_true (async_future_is_cancelled (waiting));
  async_future_unref (waiting);
  async_future_unref (held);
}

/* Cancelling a waiter from another thread is marshalled to the loop. */
static gpointer
cancel_in_thread (gpointer data)
{
  async_future_cancel (data);
  return NULL;
}

static void
test_cancel_from_thread (void)
{
  g_autoptr (AsyncLock) lock = async_lock_new ();
  AsyncFuture *held = async_lock_acquire (lock);
  AsyncFuture *waiting = async_lock_acquire (lock);
  GThread *thread = g_thread_new ("canceller", cancel_in_thread, waiting);

  g_thread_join (thread);
  test_await (waiting, 5);
  g_assert_true (async_future_is_cancelled (waiting));
  async_lock_release (lock);
  g_assert_false (async_lock_locked (lock));
  async_future_unref (waiting);
  async_future_unref (held);
}

/* NULL where a lock is needed: criticals, harmless returns. */
static void
test_null_arguments (void)
{
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_null (async_lock_acquire (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  async_lock_release (NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_false (async_lock_locked (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  async_lock_unref (NULL);
  g_test_assert_expected_messages ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lock/acquire/fifo", test_acquire_fifo);
  g_test_add_func ("/lock/acquire/uncontended-resolved", test_acquire_uncontended);
  g_test_add_func ("/lock/cancel/pending-withdraws", test_cancel_pending);
  g_test_add_func ("/lock/cancel/race-with-release", test_cancel_race);
  g_test_add_func ("/lock/cancel/release-race-one-taken", test_cancel_release_race);
  g_test_add_func ("/lock/cancel/finished-waiter-cancelled", test_finished_waiter_cancelled);
  g_test_add_func ("/lock/cancel/after-wake-hands-on", test_cancel_after_wake_hands_on);
  g_test_add_func ("/lock/cancel/uncontended-hands-back", test_cancel_uncontended_hands_back);
  g_test_add_func ("/lock/cancel/from-another-thread", test_cancel_from_thread);
  g_test_add_func ("/lock/release/unlocked-is-critical", test_release_unlocked);
  g_test_add_func ("/lock/release/no-waiters", test_release_no_waiters);
  g_test_add_func ("/lock/unref/cancels-waiters", test_unref_cancels_waiters);

  g_test_add_func ("/lock/bad-input/null-arguments", test_null_arguments);

  return g_test_run ();
}
