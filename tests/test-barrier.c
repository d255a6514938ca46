/* test-barrier.c: AsyncBarrier, mirroring CPython's Lib/test/test_asyncio/
 * test_locks.py BarrierTests: parties, filling one by one, arrival indexes,
 * waiting twice, cancelling a waiter, reset and abort while tasks wait and
 * after, with ASYNC_ERROR_BROKEN_BARRIER. */

#include "config.h"

#include "test-util.h"

#define N 5
#define BROKEN (-1)

/* Waits @rounds times; records each index, or BROKEN for a wait that
 * failed so (and goes on to the next round). If @abort_at is an index it
 * got, it aborts the barrier instead of waiting again. */
typedef struct
{
  AsyncBarrier *barrier;
  GArray       *trace;
  guint         rounds;
  guint         round;
  gint          abort_at;
} Party;

static void
party_free (gpointer data)
{
  Party *self = data;

  async_barrier_unref (self->barrier);
  g_free (self);
}

static void
party_body (AsyncCoroutine *co,
            gpointer        data)
{
  Party *self = data;
  g_autoptr (GError) error = NULL;
  gint index;

  ASYNC_BEGIN (co);
  for (self->round = 0; self->round < self->rounds; self->round++)
    {
      ASYNC_AWAIT_TRY (co, async_barrier_wait (self->barrier), &error);
      if (error != NULL && !g_error_matches (error, ASYNC_ERROR, ASYNC_ERROR_BROKEN_BARRIER))
        ASYNC_RETURN_ERROR (co, g_steal_pointer (&error));
      index = error == NULL ? (gint) async_coroutine_get_int (co) : BROKEN;
      g_clear_error (&error);
      g_array_append_val (self->trace, index);
      if (index != BROKEN && index == self->abort_at)
        {
          async_barrier_abort (self->barrier);
          break;
        }
    }
  ASYNC_END (co);
}

static AsyncFuture *
spawn_party (AsyncBarrier *barrier,
             GArray       *trace,
             guint         rounds,
             gint          abort_at)
{
  Party *self = g_new0 (Party, 1);

  self->barrier = async_barrier_ref (barrier);
  self->trace = trace;
  self->rounds = rounds;
  self->abort_at = abort_at;
  return async_spawn (party_body, self, party_free);
}

static void
await_all (AsyncFuture **tasks,
           guint         n)
{
  for (guint i = 0; i < n; i++)
    {
      test_await (tasks[i], 5);
      g_assert_false (async_future_is_rejected (tasks[i]));
      async_future_unref (tasks[i]);
    }
}

static guint
count (GArray *trace,
       gint    value)
{
  guint n = 0;

  for (guint i = 0; i < trace->len; i++)
    n += g_array_index (trace, gint, i) == value;
  return n;
}

/* test_barrier_parties: 0 parties is a critical. */
static void
test_parties (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (N);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*parties*failed*");
  g_assert_null (async_barrier_new (0));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (async_barrier_get_parties (barrier), ==, N);
  g_assert_false (async_barrier_is_broken (barrier));
}

/* test_context_manager, test_filling_tasks_check_return_value: N waits
 * get the indexes 0 … N-1. */
static void
test_indexes (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (N);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *tasks[N];

  for (guint i = 0; i < N; i++)
    tasks[i] = spawn_party (barrier, trace, 1, BROKEN);
  await_all (tasks, N);
  g_assert_cmpuint (trace->len, ==, N);
  for (gint i = 0; i < N; i++)
    g_assert_cmpuint (count (trace, i), ==, 1);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 0);
  g_assert_false (async_barrier_is_broken (barrier));
}

/* test_filling_one_task, test_filling_one_task_twice: a barrier of one
 * passes every wait at once, with index 0. */
static void
test_one_party (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (1);

  for (guint i = 0; i < 2; i++)
    {
      AsyncFuture *wait = async_barrier_wait (barrier);

      g_assert_true (async_future_is_resolved (wait));
      g_assert_cmpint (async_future_get_int (wait), ==, 0);
      async_future_unref (wait);
    }
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 0);
}

/* test_filling_task_by_task: n_waiting counts the arrivals until the last. */
static void
test_filling_task_by_task (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (3);
  AsyncFuture *waits[3];

  waits[0] = async_barrier_wait (barrier);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 1);
  waits[1] = async_barrier_wait (barrier);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 2);
  g_assert_true (async_future_is_pending (waits[0]) && async_future_is_pending (waits[1]));
  waits[2] = async_barrier_wait (barrier);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 0);
  for (gint i = 0; i < 3; i++)
    {
      g_assert_cmpint (async_future_get_int (waits[i]), ==, i);
      async_future_unref (waits[i]);
    }
}

/* test_filling_tasks_wait_twice, test_blocking_tasks_while_draining: each
 * of N waits twice: two full rounds, no mixing. */
static void
test_wait_twice (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (N);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *tasks[N];

  for (guint i = 0; i < N; i++)
    tasks[i] = spawn_party (barrier, trace, 2, BROKEN);
  await_all (tasks, N);
  g_assert_cmpuint (trace->len, ==, 2 * N);
  for (gint i = 0; i < N; i++)
    g_assert_cmpuint (count (trace, i), ==, 2);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 0);
}

/* test_filling_tasks_cancel_one: a cancelled wait leaves the round; two
 * more arrivals complete it. */
static void
test_cancel_one (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (3);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t1 = spawn_party (barrier, trace, 1, BROKEN);
  AsyncFuture *rest[3];

  rest[0] = spawn_party (barrier, trace, 1, BROKEN);
  test_iterate_pending ();
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 2);
  async_future_cancel (t1);
  test_await (t1, 5);
  g_assert_true (async_future_is_cancelled (t1));
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 1);

  rest[1] = spawn_party (barrier, trace, 1, BROKEN);
  test_iterate_pending ();
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 2);
  rest[2] = spawn_party (barrier, trace, 1, BROKEN);
  await_all (rest, 3);
  g_assert_cmpuint (trace->len, ==, 3);
  for (gint i = 0; i < 3; i++)
    g_assert_cmpuint (count (trace, i), ==, 1);
  async_future_unref (t1);
}

/* A party cancelled after its round was passed, before it resumed: it
 * ends cancelled; the round stays passed for the others, and the next
 * round starts empty. */
static void
test_cancel_after_trip (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (3);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t[2];
  AsyncFuture *last;

  t[0] = spawn_party (barrier, trace, 1, BROKEN);
  t[1] = spawn_party (barrier, trace, 1, BROKEN);
  test_iterate_pending ();
  last = async_barrier_wait (barrier);
  g_assert_cmpint (async_future_get_int (last), ==, 2);
  g_assert_true (async_future_cancel (t[0]));
  test_await (t[0], 5);
  test_await (t[1], 5);
  g_assert_true (async_future_is_cancelled (t[0]));
  g_assert_true (async_future_is_resolved (t[1]));
  g_assert_cmpuint (trace->len, ==, 1);
  g_assert_cmpint (g_array_index (trace, gint, 0), ==, 1);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 0);
  async_future_unref (last);
  async_future_unref (t[0]);
  async_future_unref (t[1]);
}

/* test_reset_barrier: a reset with nobody waiting leaves it unbroken. */
static void
test_reset_idle (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (1);

  async_barrier_reset (barrier);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 0);
  g_assert_false (async_barrier_is_broken (barrier));
}

/* test_reset_barrier_while_tasks_waiting, and _and_waiting_again: N-1
 * waits fail with BROKEN_BARRIER at the reset; waiting again with one more
 * party completes a round. */
static void
test_reset_while_waiting (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (N);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *tasks[N];

  for (guint i = 0; i < N - 1; i++)
    tasks[i] = spawn_party (barrier, trace, 2, BROKEN);
  test_iterate_pending ();
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, N - 1);
  async_barrier_reset (barrier);
  test_iterate_pending ();
  g_assert_cmpuint (count (trace, BROKEN), ==, N - 1);
  g_assert_false (async_barrier_is_broken (barrier));
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, N - 1);

  tasks[N - 1] = spawn_party (barrier, trace, 1, BROKEN);
  await_all (tasks, N);
  g_assert_cmpuint (trace->len, ==, 2 * N - 1);
  for (gint i = 0; i < N; i++)
    g_assert_cmpuint (count (trace, i), ==, 1);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 0);
}

/* test_abort_barrier: broken, and every wait fails at once. */
static void
test_abort_idle (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (1);
  AsyncFuture *wait;

  async_barrier_abort (barrier);
  g_assert_true (async_barrier_is_broken (barrier));
  wait = async_barrier_wait (barrier);
  g_assert_true (async_future_is_rejected (wait));
  g_assert_error (async_future_get_error (wait), ASYNC_ERROR, ASYNC_ERROR_BROKEN_BARRIER);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 0);
  async_future_unref (wait);
}

/* test_abort_barrier_when_exception, _when_exception_then_resetting: after
 * a first round, the party with index N/2 aborts instead of waiting again:
 * the others' second waits fail; after a reset the barrier works again. */
static void
test_abort_then_reset (void)
{
  g_autoptr (AsyncBarrier) barrier = async_barrier_new (N);
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *tasks[N];

  for (guint i = 0; i < N; i++)
    tasks[i] = spawn_party (barrier, trace, 2, N / 2);
  await_all (tasks, N);
  g_assert_true (async_barrier_is_broken (barrier));
  g_assert_cmpuint (count (trace, BROKEN), ==, N - 1);
  g_assert_cmpuint (async_barrier_get_n_waiting (barrier), ==, 0);

  async_barrier_reset (barrier);
  g_assert_false (async_barrier_is_broken (barrier));
  g_array_set_size (trace, 0);
  for (guint i = 0; i < N; i++)
    tasks[i] = spawn_party (barrier, trace, 1, BROKEN);
  await_all (tasks, N);
  g_assert_cmpuint (count (trace, BROKEN), ==, 0);
  g_assert_cmpuint (trace->len, ==, N);
}

/* The last unref cancels pending waits. */
static void
test_unref_cancels_waiters (void)
{
  AsyncBarrier *barrier = async_barrier_new (2);
  AsyncFuture *wait = async_barrier_wait (barrier);

  async_barrier_unref (barrier);
  g_assert_true (async_future_is_cancelled (wait));
  async_future_unref (wait);
}

/* NULL where a barrier is needed: criticals, harmless returns. */
static void
test_null_arguments (void)
{
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_null (async_barrier_wait (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  async_barrier_abort (NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  async_barrier_reset (NULL);
  g_test_assert_expected_messages ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/barrier/new/parties", test_parties);
  g_test_add_func ("/barrier/wait/arrival-indexes", test_indexes);
  g_test_add_func ("/barrier/wait/one-party-passes-at-once", test_one_party);
  g_test_add_func ("/barrier/wait/filling-task-by-task", test_filling_task_by_task);
  g_test_add_func ("/barrier/wait/twice-two-rounds", test_wait_twice);
  g_test_add_func ("/barrier/cancel/leaves-the-round", test_cancel_one);
  g_test_add_func ("/barrier/cancel/after-trip-keeps-round", test_cancel_after_trip);
  g_test_add_func ("/barrier/reset/idle", test_reset_idle);
  g_test_add_func ("/barrier/reset/breaks-waiting", test_reset_while_waiting);
  g_test_add_func ("/barrier/abort/later-waits-fail", test_abort_idle);
  g_test_add_func ("/barrier/abort/then-reset", test_abort_then_reset);
  g_test_add_func ("/barrier/unref/cancels-waiters", test_unref_cancels_waiters);

  g_test_add_func ("/barrier/bad-input/null-arguments", test_null_arguments);

  return g_test_run ();
}
