/* test-semaphore.c: AsyncSemaphore and its bounded form, mirroring
 * CPython's Lib/test/test_asyncio/test_locks.py SemaphoreTests: counting,
 * FIFO order, cancellation before and after a permit was handed over
 * (gh-90155, gh-93222, gh-97549), and BoundedSemaphore's refusal. */

#include "config.h"

#include "test-util.h"

typedef enum
{
  HOLD,                 /* acquire, record, keep the permit */
  RELEASE,              /* acquire, record, yield, release */
  RELEASE_AND_AGAIN,    /* acquire, record, release, acquire, record id+10 */
  TWICE_WITH_YIELDS,    /* (acquire, record, yield, release) twice */
} Plan;

typedef struct
{
  AsyncSemaphore *semaphore;
  GArray         *trace;
  gint            id;
  Plan            plan;
  guint           round;
} Acquirer;

static void
acquirer_free (gpointer data)
{
  Acquirer *self = data;

  async_semaphore_unref (self->semaphore);
  g_free (self);
}

static void
record (Acquirer *self,
        gint      value)
{
  g_array_append_val (self->trace, value);
}

static void
acquirer_body (AsyncCoroutine *co,
               gpointer        data)
{
  Acquirer *self = data;

  ASYNC_BEGIN (co);
  for (self->round = 0; self->round < (self->plan == TWICE_WITH_YIELDS ? 2u : 1u); self->round++)
    {
      ASYNC_AWAIT (co, async_semaphore_acquire (self->semaphore));
      record (self, self->id + 10 * (gint) self->round);
      if (self->plan == HOLD)
        ASYNC_RETURN (co, NULL, NULL);
      if (self->plan != RELEASE_AND_AGAIN)
        ASYNC_YIELD (co);
      async_semaphore_release (self->semaphore);
    }
  if (self->plan == RELEASE_AND_AGAIN)
    {
      ASYNC_AWAIT (co, async_semaphore_acquire (self->semaphore));
      record (self, self->id + 10);
    }
  ASYNC_END (co);
}

static AsyncFuture *
spawn_acquirer (AsyncSemaphore *semaphore,
                GArray         *trace,
                gint            id,
                Plan            plan)
{
  Acquirer *self = g_new0 (Acquirer, 1);

  self->semaphore = async_semaphore_ref (semaphore);
  self->trace = trace;
  self->id = id;
  self->plan = plan;
  return async_spawn (acquirer_body, self, acquirer_free);
}

static void
unref_all (AsyncFuture **futures,
           guint         n)
{
  for (guint i = 0; i < n; i++)
    async_future_unref (futures[i]);
}

/* test_initial_value_zero */
static void
test_initial_value_zero (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (0);

  g_assert_true (async_semaphore_locked (semaphore));
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 0);
}

/* test_acquire: Semaphore(3), two taken; of three more acquirers one gets
 * through, two wait; two releases hand them their permits. */
static void
test_acquire (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (3);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *a = async_semaphore_acquire (semaphore);
  AsyncFuture *b = async_semaphore_acquire (semaphore);
  AsyncFuture *t[4];
  const gint expected[] = { 1, 2, 3 };

  g_assert_true (async_future_is_resolved (a) && async_future_is_resolved (b));
  g_assert_false (async_semaphore_locked (semaphore));
  for (guint i = 0; i < 3; i++)
    t[i] = spawn_acquirer (semaphore, trace, (gint) i + 1, HOLD);
  test_iterate_pending ();
  test_assert_trace (trace, expected, 1);
  g_assert_true (async_semaphore_locked (semaphore));
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 0);

  t[3] = spawn_acquirer (semaphore, trace, 4, HOLD);
  async_semaphore_release (semaphore);
  async_semaphore_release (semaphore);
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 0);
  test_iterate_pending ();
  test_assert_trace (trace, expected, 3);
  g_assert_true (async_future_is_pending (t[3]));
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 0);

  async_semaphore_release (semaphore);
  test_await (t[3], 5);
  unref_all (t, 4);
  async_future_unref (a);
  async_future_unref (b);
}

/* test_acquire_cancel: a cancelled pending acquire leaves no waiter: the
 * permit released later is free. */
static void
test_cancel_pending (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (1);
  AsyncFuture *held = async_semaphore_acquire (semaphore);
  AsyncFuture *waiting = async_semaphore_acquire (semaphore);

  g_assert_true (async_future_cancel (waiting));
  g_assert_true (async_future_is_cancelled (waiting));
  async_semaphore_release (semaphore);
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 1);
  g_assert_false (async_semaphore_locked (semaphore));
  async_future_unref (waiting);
  async_future_unref (held);
}

/* test_acquire_cancel_before_awoken: two of four waiters cancelled before a
 * release: the third gets the permit, the fourth still waits. */
static void
test_cancel_before_awoken (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (0);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t[4];
  const gint expected[] = { 3 };

  for (guint i = 0; i < 4; i++)
    t[i] = spawn_acquirer (semaphore, trace, (gint) i + 1, HOLD);
  test_iterate_pending ();
  async_future_cancel (t[0]);
  async_future_cancel (t[1]);
  async_semaphore_release (semaphore);
  test_await (t[2], 5);
  test_iterate_pending ();

  test_assert_trace (trace, expected, 1);
  g_assert_true (async_future_is_cancelled (t[0]) && async_future_is_cancelled (t[1]));
  g_assert_true (async_future_is_pending (t[3]));
  async_future_cancel (t[3]);
  test_await (t[3], 5);
  unref_all (t, 4);
}

/* test_acquire_hang: the first of two waiters cancelled, one release: the
 * second gets it and the semaphore is locked again. */
static void
test_acquire_hang (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (0);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t1 = spawn_acquirer (semaphore, trace, 1, HOLD);
  AsyncFuture *t2 = spawn_acquirer (semaphore, trace, 2, HOLD);

  test_iterate_pending ();
  async_future_cancel (t1);
  async_semaphore_release (semaphore);
  test_await (t2, 5);
  g_assert_true (async_semaphore_locked (semaphore));
  g_assert_true (async_future_is_resolved (t2));
  g_assert_true (async_future_is_cancelled (t1));
  async_future_unref (t1);
  async_future_unref (t2);
}

/* test_acquire_no_hang, and the hang gh-90155 reported: the permit is
 * handed to a waiter that is then cancelled before it resumes: the permit
 * is not lost, the next acquire succeeds. */
static void
test_cancel_after_wake_hands_on (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (1);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *held = async_semaphore_acquire (semaphore);
  AsyncFuture *t2 = spawn_acquirer (semaphore, trace, 2, HOLD);
  AsyncFuture *t3 = spawn_acquirer (semaphore, trace, 3, HOLD);
  AsyncFuture *again;
  const gint expected[] = { 3 };

  test_iterate_pending ();
  async_semaphore_release (semaphore);
  async_future_cancel (t2);
  test_await (t3, 5);
  test_assert_trace (trace, expected, 1);
  g_assert_true (async_future_is_cancelled (t2));

  /* And with nobody else waiting, the permit comes back to the count. */
  async_semaphore_release (semaphore);
  again = spawn_acquirer (semaphore, trace, 4, HOLD);
  async_future_cancel (again);
  test_await (again, 5);
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 1);

  async_future_unref (again);
  async_future_unref (held);
  async_future_unref (t2);
  async_future_unref (t3);
}

/* test_acquire_fifo_order: three coroutines each take the permit twice,
 * yielding while they hold it: strictly round-robin. */
static void
test_fifo_order (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (1);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t[3];
  const gint expected[] = { 1, 2, 3, 11, 12, 13 };

  for (guint i = 0; i < 3; i++)
    t[i] = spawn_acquirer (semaphore, trace, (gint) i + 1, TWICE_WITH_YIELDS);
  for (guint i = 0; i < 3; i++)
    test_await (t[i], 5);
  test_assert_trace (trace, expected, 6);
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 1);
  unref_all (t, 3);
}

/* test_acquire_fifo_order_2. CPython expects [1, 2, 3, 4]: there, 3 was
 * only woken, and 2's second acquire waits for 3 to run. Here the release
 * handed 3 its permit already, so 2's second acquire takes the permit 2
 * itself released, and nobody waiting is passed over: [1, 2, 12, 3]. */
static void
test_fifo_order_2 (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (1);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t[3];
  const gint expected[] = { 1, 2, 12, 3 };

  t[0] = spawn_acquirer (semaphore, trace, 1, HOLD);
  t[1] = spawn_acquirer (semaphore, trace, 2, RELEASE_AND_AGAIN);
  t[2] = spawn_acquirer (semaphore, trace, 3, HOLD);
  test_iterate_pending ();
  async_semaphore_release (semaphore);
  async_semaphore_release (semaphore);
  for (guint i = 0; i < 3; i++)
    test_await (t[i], 5);
  test_assert_trace (trace, expected, 4);
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 0);
  unref_all (t, 3);
}

/* test_acquire_fifo_order_3: the first of three waiters cancelled, two
 * releases: the other two, in order. */
static void
test_fifo_order_3 (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (0);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t[3];
  const gint expected[] = { 2, 3 };

  for (guint i = 0; i < 3; i++)
    t[i] = spawn_acquirer (semaphore, trace, (gint) i + 1, HOLD);
  test_iterate_pending ();
  async_future_cancel (t[0]);
  test_iterate_pending ();
  async_semaphore_release (semaphore);
  async_semaphore_release (semaphore);
  for (guint i = 0; i < 3; i++)
    test_await (t[i], 5);
  test_assert_trace (trace, expected, 2);
  unref_all (t, 3);
}

/* test_release_not_acquired (BoundedSemaphore): a release past the initial
 * value is a critical; FALSE; the value is unchanged. */
static void
test_bounded_refuses (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_bounded_semaphore_new (1);
  AsyncFuture *held;

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*bound*failed*");
  g_assert_false (async_semaphore_release (semaphore));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 1);

  held = async_semaphore_acquire (semaphore);
  g_assert_true (async_semaphore_release (semaphore));
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 1);
  async_future_unref (held);
}

/* An unbounded semaphore takes any number of releases. */
static void
test_unbounded_grows (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (0);

  for (guint i = 0; i < 5; i++)
    g_assert_true (async_semaphore_release (semaphore));
  g_assert_cmpuint (async_semaphore_get_value (semaphore), ==, 5);
}

/* test_release_no_waiters */
static void
test_release_no_waiters (void)
{
  g_autoptr (AsyncSemaphore) semaphore = async_semaphore_new (1);
  AsyncFuture *held = async_semaphore_acquire (semaphore);

  g_assert_true (async_semaphore_locked (semaphore));
  async_semaphore_release (semaphore);
  g_assert_false (async_semaphore_locked (semaphore));
  async_future_unref (held);
}

/* The last unref cancels acquires still waiting. */
static void
test_unref_cancels_waiters (void)
{
  AsyncSemaphore *semaphore = async_semaphore_new (0);
  AsyncFuture *waiting = async_semaphore_acquire (semaphore);

  async_semaphore_unref (semaphore);
  g_assert_true (async_future_is_cancelled (waiting));
  async_future_unref (waiting);
}

/* NULL where a semaphore is needed: criticals, harmless returns. */
static void
test_null_arguments (void)
{
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_null (async_semaphore_acquire (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_false (async_semaphore_release (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_cmpuint (async_semaphore_get_value (NULL), ==, 0);
  g_test_assert_expected_messages ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/semaphore/new/initial-value-zero-is-locked", test_initial_value_zero);
  g_test_add_func ("/semaphore/acquire/counts", test_acquire);
  g_test_add_func ("/semaphore/acquire/fifo-order", test_fifo_order);
  g_test_add_func ("/semaphore/acquire/fifo-order-2-permit-handed-over", test_fifo_order_2);
  g_test_add_func ("/semaphore/acquire/fifo-order-3-skips-cancelled", test_fifo_order_3);
  g_test_add_func ("/semaphore/cancel/pending-withdraws", test_cancel_pending);
  g_test_add_func ("/semaphore/cancel/before-awoken", test_cancel_before_awoken);
  g_test_add_func ("/semaphore/cancel/no-hang", test_acquire_hang);
  g_test_add_func ("/semaphore/cancel/after-wake-hands-on", test_cancel_after_wake_hands_on);
  g_test_add_func ("/semaphore/release/no-waiters", test_release_no_waiters);
  g_test_add_func ("/semaphore/release/unbounded-grows", test_unbounded_grows);
  g_test_add_func ("/semaphore/release/bounded-refuses-past-initial", test_bounded_refuses);
  g_test_add_func ("/semaphore/unref/cancels-waiters", test_unref_cancels_waiters);

  g_test_add_func ("/semaphore/bad-input/null-arguments", test_null_arguments);

  return g_test_run ();
}
