/* test-wait.c: async_wait_for () (time-outs cancel the inner future),
 * async_wait () in its three modes, and async_shield () (cancelling the
 * shield leaves the inner future running). */

#include "config.h"

#include "test-util.h"

typedef struct
{
  double  delay;
  gint64  value;
  gint    code;       /* non-zero: fail with this TEST_ERROR code */
  gint   *destroyed;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  if (job->destroyed != NULL)
    (*job->destroyed)++;
  g_free (job);
}

static void
job_run (AsyncCoroutine *co,
         gpointer        data)
{
  Job *self = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (self->delay));
  if (self->code != 0)
    ASYNC_RETURN_ERROR (co, g_error_new (TEST_ERROR, self->code, "job failed"));
  ASYNC_RETURN_INT (co, self->value);
  ASYNC_END (co);
}

static AsyncFuture *
spawn_job (double  delay,
           gint64  value,
           gint    code,
           gint   *destroyed)
{
  Job *job = g_new0 (Job, 1);

  job->delay = delay;
  job->value = value;
  job->code = code;
  job->destroyed = destroyed;
  return async_spawn (job_run, job, job_free);
}

/* ------------------------------------------------------------ wait_for */

static void
test_wait_for_fast (void)
{
  AsyncFuture *inner = async_future_new ();
  AsyncFuture *waiting;

  waiting = async_wait_for (spawn_job (0.01, 5, 0, NULL), 2.0);
  test_await (waiting, 5);
  g_assert_true (async_future_is_resolved (waiting));
  g_assert_cmpint (async_future_get_int (waiting), ==, 5);
  async_future_unref (waiting);

  /* A pointer value is readable from the waiting future. */
  waiting = async_wait_for (async_future_ref (inner), 2.0);
  test_iterate_pending ();
  async_future_resolve (inner, g_strdup ("in time"), g_free);
  test_await (waiting, 5);
  g_assert_cmpstr (async_future_get_value (waiting), ==, "in time");
  async_future_unref (waiting);
  async_future_unref (inner);

  /* An already-settled future with a zero time-out: its outcome, not a
   * time-out (asyncio). */
  waiting = async_wait_for (async_future_new_int (3), 0);
  test_await (waiting, 5);
  g_assert_cmpint (async_future_get_int (waiting), ==, 3);
  async_future_unref (waiting);
}

static void
test_wait_for_timeout (void)
{
  gint destroyed = 0;
  AsyncFuture *inner = async_sleep (30);
  AsyncFuture *coroutine = spawn_job (30, 1, 0, &destroyed);
  AsyncFuture *waiting;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  waiting = async_wait_for (async_future_ref (inner), 0.05);
  test_await (waiting, 5);
  elapsed = test_elapsed (start);
  g_assert_cmpint (async_future_get_state (waiting), ==, ASYNC_FUTURE_REJECTED);
  g_assert_error (async_future_get_error (waiting), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpfloat (elapsed, >=, 0.05);
  g_assert_cmpfloat (elapsed, <, 2.0);
  test_await (inner, 1);
  g_assert_true (async_future_is_cancelled (inner));
  async_future_unref (waiting);
  async_future_unref (inner);

  /* A coroutine timed out is cancelled and ends (its frame goes). */
  waiting = async_wait_for (async_future_ref (coroutine), 0.02);
  test_await (waiting, 5);
  g_assert_error (async_future_get_error (waiting), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  test_await (coroutine, 1);
  g_assert_true (async_future_is_cancelled (coroutine));
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (waiting);
  async_future_unref (coroutine);
}

static void
test_wait_for_no_timeout (void)
{
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *waiting = async_wait_for (spawn_job (0.05, 8, 0, NULL), ASYNC_TIMEOUT_INFINITE);

  test_await (waiting, 5);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.05);
  g_assert_true (async_future_is_resolved (waiting));
  g_assert_cmpint (async_future_get_int (waiting), ==, 8);
  async_future_unref (waiting);
}

static void
test_wait_for_rejected (void)
{
  AsyncFuture *waiting = async_wait_for (spawn_job (0.01, 0, 12, NULL), 2.0);

  test_await (waiting, 5);
  g_assert_cmpint (async_future_get_state (waiting), ==, ASYNC_FUTURE_REJECTED);
  g_assert_error (async_future_get_error (waiting), TEST_ERROR, 12);
  async_future_unref (waiting);
}

static void
test_wait_for_cancel (void)
{
  AsyncFuture *inner = async_future_new ();
  AsyncFuture *waiting = async_wait_for (async_future_ref (inner), 30);

  test_iterate_pending ();
  async_future_cancel (waiting);
  test_await (waiting, 5);
  g_assert_true (async_future_is_cancelled (waiting));
  test_iterate_pending ();
  g_assert_true (async_future_is_cancelled (inner));
  async_future_unref (waiting);
  async_future_unref (inner);
}

/* ------------------------------------------------------------ wait */

/* test_wait_with_timeout (CPython test_tasks.py): when the time-out
 * passes first, the wait resolves anyway, no earlier, with what is done
 * and what is still pending, and cancels nothing. */
static void
test_wait_timeout_returns_pending (void)
{
  AsyncFuture *done = async_future_new_int (1);
  AsyncFuture *never = async_future_new ();
  AsyncFuture *futures[2] = { async_future_ref (done), async_future_ref (never) };
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *waiting = async_wait_full (ASYNC_WAIT_ALL_COMPLETED, 0.05, futures, 2);
  GPtrArray *all;

  test_await (waiting, 5);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.05);
  g_assert_true (async_future_is_resolved (waiting));
  all = async_future_get_value (waiting);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_true (g_ptr_array_index (all, 1) == never);
  g_assert_true (async_future_is_pending (never));
  /* Settled, it lets go of the wait's continuation. */
  async_future_cancel (never);
  async_future_unref (waiting);
  async_future_unref (done);
  async_future_unref (never);
}

/* A time-out of 0 settles on the next turn, with what had settled. */
static void
test_wait_timeout_zero (void)
{
  AsyncFuture *never = async_future_new ();
  AsyncFuture *futures[1] = { async_future_ref (never) };
  AsyncFuture *waiting = async_wait_full (ASYNC_WAIT_FIRST_COMPLETED, 0, futures, 1);

  g_assert_true (async_future_is_pending (waiting));
  test_await (waiting, 5);
  g_assert_true (async_future_is_resolved (waiting));
  g_assert_true (async_future_is_pending (never));
  async_future_cancel (never);
  async_future_unref (waiting);
  async_future_unref (never);
}

/* test_wait_with_unused_timeout-like: done in time, the wait settles as
 * async_wait () does and its timer is gone (the test does not wait 30 s). */
static void
test_wait_timeout_unused (void)
{
  AsyncFuture *soon = async_future_new ();
  AsyncFuture *futures[1] = { async_future_ref (soon) };
  AsyncFuture *waiting = async_wait_full (ASYNC_WAIT_ALL_COMPLETED, 30, futures, 1);

  async_future_resolve_int (soon, 1);
  test_await (waiting, 5);
  g_assert_true (async_future_is_resolved (waiting));
  async_future_unref (waiting);
  async_future_unref (soon);
}

static void
test_wait_first_completed (void)
{
  AsyncFuture *slow = async_sleep (30);
  AsyncFuture *fast = spawn_job (0.01, 1, 0, NULL);
  AsyncFuture *never = async_future_new ();
  AsyncFuture *waiting;
  GPtrArray *all;

  waiting = async_wait (ASYNC_WAIT_FIRST_COMPLETED, async_future_ref (slow),
                        async_future_ref (fast), async_future_ref (never), NULL);
  test_await (waiting, 5);
  g_assert_true (async_future_is_resolved (waiting));
  all = async_future_get_value (waiting);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_true (g_ptr_array_index (all, 0) == slow);
  g_assert_true (g_ptr_array_index (all, 1) == fast);
  g_assert_true (g_ptr_array_index (all, 2) == never);
  g_assert_true (async_future_is_resolved (fast));
  /* The others are asyncio's `pending` set: still running, not cancelled. */
  g_assert_true (async_future_is_pending (slow));
  g_assert_true (async_future_is_pending (never));

  async_future_cancel (slow);
  async_future_cancel (never);
  async_future_unref (waiting);
  async_future_unref (slow);
  async_future_unref (fast);
  async_future_unref (never);
}

static void
test_wait_first_exception (void)
{
  AsyncFuture *slow = async_sleep (30);
  AsyncFuture *failing = spawn_job (0.01, 0, 13, NULL);
  AsyncFuture *done = async_future_new_int (2);
  AsyncFuture *waiting;
  GPtrArray *all;

  waiting = async_wait (ASYNC_WAIT_FIRST_EXCEPTION, async_future_ref (slow),
                        async_future_ref (failing), async_future_ref (done), NULL);
  test_await (waiting, 5);
  /* asyncio.wait () never raises: the error stays with its future. */
  g_assert_true (async_future_is_resolved (waiting));
  all = async_future_get_value (waiting);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_true (g_ptr_array_index (all, 1) == failing);
  g_assert_error (async_future_get_error (failing), TEST_ERROR, 13);
  g_assert_true (async_future_is_resolved (done));
  g_assert_true (async_future_is_pending (slow));
  async_future_cancel (slow);
  async_future_unref (waiting);
  async_future_unref (slow);
  async_future_unref (failing);
  async_future_unref (done);

  /* With no error at all, it waits for every one. */
  slow = async_sleep (0.03);
  waiting = async_wait (ASYNC_WAIT_FIRST_EXCEPTION, async_future_ref (slow),
                        async_future_new_int (1), NULL);
  test_await (waiting, 5);
  g_assert_true (async_future_is_resolved (slow));
  async_future_unref (waiting);
  async_future_unref (slow);
}

static void
test_wait_all_completed (void)
{
  AsyncFuture *a = async_sleep (0.03);
  AsyncFuture *b = spawn_job (0.01, 0, 14, NULL);
  AsyncFuture *c = spawn_job (0.02, 3, 0, NULL);
  AsyncFuture *waiting;
  GPtrArray *all;
  guint i;

  waiting = async_wait (ASYNC_WAIT_ALL_COMPLETED, async_future_ref (a),
                        async_future_ref (b), async_future_ref (c), NULL);
  test_await (waiting, 5);
  g_assert_true (async_future_is_resolved (waiting));
  all = async_future_get_value (waiting);
  g_assert_cmpuint (all->len, ==, 3);
  for (i = 0; i < all->len; i++)
    g_assert_false (async_future_is_pending (g_ptr_array_index (all, i)));
  g_assert_true (g_ptr_array_index (all, 0) == a);
  g_assert_true (async_future_is_resolved (a));
  g_assert_error (async_future_get_error (b), TEST_ERROR, 14);
  g_assert_cmpint (async_future_get_int (c), ==, 3);
  async_future_unref (waiting);
  async_future_unref (a);
  async_future_unref (b);
  async_future_unref (c);
}

static void
test_wait_cancel (void)
{
  AsyncFuture *a = async_future_new ();
  AsyncFuture *children[1];
  AsyncFuture *waiting;

  /* The array form; cancelling the wait cancels none of its futures. */
  children[0] = async_future_ref (a);
  waiting = async_wait_array (ASYNC_WAIT_ALL_COMPLETED, children, 1);
  async_future_cancel (waiting);
  test_await (waiting, 5);
  g_assert_true (async_future_is_cancelled (waiting));
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (a));
  async_future_resolve_int (a, 1);
  test_iterate_pending ();
  async_future_unref (waiting);
  async_future_unref (a);
}

/* ------------------------------------------------------------ shield */

static void
test_shield_cancel (void)
{
  AsyncFuture *inner = async_future_new ();
  AsyncFuture *shield = async_shield (async_future_ref (inner));
  AsyncFuture *job = spawn_job (0.02, 9, 0, NULL);
  AsyncFuture *job_shield = async_shield (async_future_ref (job));

  async_future_cancel (shield);
  test_await (shield, 5);
  g_assert_true (async_future_is_cancelled (shield));

  /* The inner future is untouched, and settles later on its own. */
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (inner));
  async_future_resolve_int (inner, 1);
  test_iterate_pending ();
  g_assert_true (async_future_is_cancelled (shield));

  /* A shielded coroutine runs on to its value. */
  async_future_cancel (job_shield);
  test_await (job, 5);
  g_assert_true (async_future_is_resolved (job));
  g_assert_cmpint (async_future_get_int (job), ==, 9);

  async_future_unref (shield);
  async_future_unref (inner);
  async_future_unref (job_shield);
  async_future_unref (job);
}

static void
test_shield_outcome (void)
{
  AsyncFuture *shield;

  shield = async_shield (spawn_job (0.01, 6, 0, NULL));
  test_await (shield, 5);
  g_assert_cmpint (async_future_get_int (shield), ==, 6);
  async_future_unref (shield);

  shield = async_shield (async_future_new_resolved (g_strdup ("shielded"), g_free));
  test_await (shield, 5);
  g_assert_cmpstr (async_future_get_value (shield), ==, "shielded");
  async_future_unref (shield);

  shield = async_shield (spawn_job (0.01, 0, 15, NULL));
  test_await (shield, 5);
  g_assert_error (async_future_get_error (shield), TEST_ERROR, 15);
  async_future_unref (shield);
}

static void
test_shield_cancelled_inner_fails (void)
{
  gint destroyed = 0;
  AsyncFuture *shield;

  /* Once the shield is cancelled nobody can read the inner error: asyncio
   * marks it retrieved, so it does not warn (which would abort here). */
  shield = async_shield (spawn_job (0.02, 0, 16, &destroyed));
  async_future_cancel (shield);
  test_await (shield, 5);
  test_iterate_for (0.1);
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (shield);
  test_iterate_pending ();
}

/* ------------------------------------------- wait_for as asyncio's (item 10) */

typedef enum
{
  CLEANUP_CANCELLED,   /* cleans up, then ends cancelled */
  CLEANUP_VALUE,       /* swallows the cancellation and returns a value */
  CLEANUP_ERROR,       /* fails with another error while handling it */
} Cleanup;

typedef struct
{
  Cleanup  cleanup;
  gint     started;
  gint     cleaned_up;
  GError  *error;
} Slow;

static void
slow_with_cleanup (AsyncCoroutine *co,
                   gpointer        data)
{
  Slow *self = data;

  ASYNC_BEGIN (co);
  self->started++;
  ASYNC_AWAIT_TRY (co, async_sleep (30), &self->error);
  g_assert_error (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  ASYNC_AWAIT (co, async_sleep (0.05));
  self->cleaned_up++;
  if (self->cleanup == CLEANUP_VALUE)
    {
      g_clear_error (&self->error);
      ASYNC_RETURN_INT (co, 77);
    }
  if (self->cleanup == CLEANUP_ERROR)
    {
      g_clear_error (&self->error);
      ASYNC_RETURN_ERROR (co, g_error_new_literal (TEST_ERROR, 5, "cleanup failed"));
    }
  ASYNC_RETURN_ERROR (co, g_steal_pointer (&self->error));
  ASYNC_END (co);
}

/* test_wait_for_waits_for_task_cancellation: the time-out settles only once
 * the inner task has finished being cancelled. */
static void
test_wait_for_waits_for_cancellation (void)
{
  Slow slow = { CLEANUP_CANCELLED, 0, 0, NULL };
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *waiting = async_wait_for (async_spawn (slow_with_cleanup, &slow, NULL), 0.02);

  test_await (waiting, 5);
  g_assert_cmpint (slow.cleaned_up, ==, 1);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.07);
  g_assert_error (async_future_get_error (waiting), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  async_future_unref (waiting);
}

/* test_wait_for_cancel_suppressed: an inner task that swallows the
 * cancellation and returns a value: wait_for resolves with it. */
static void
test_wait_for_cancel_suppressed (void)
{
  Slow slow = { CLEANUP_VALUE, 0, 0, NULL };
  AsyncFuture *waiting = async_wait_for (async_spawn (slow_with_cleanup, &slow, NULL), 0.02);

  test_await (waiting, 5);
  g_assert_true (async_future_is_resolved (waiting));
  g_assert_cmpint (async_future_get_int (waiting), ==, 77);
  async_future_unref (waiting);
}

/* test_wait_for_reraises_exception_during_cancellation. */
static void
test_wait_for_reraises (void)
{
  Slow slow = { CLEANUP_ERROR, 0, 0, NULL };
  AsyncFuture *waiting = async_wait_for (async_spawn (slow_with_cleanup, &slow, NULL), 0.02);

  test_await (waiting, 5);
  g_assert_error (async_future_get_error (waiting), TEST_ERROR, 5);
  async_future_unref (waiting);
}

/* test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started. */
static void
test_wait_for_zero_not_started (void)
{
  const double timeouts[] = { 0, -1, -0.5 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (timeouts); i++)
    {
      Slow slow = { CLEANUP_CANCELLED, 0, 0, NULL };
      AsyncFuture *waiting = async_wait_for (async_spawn (slow_with_cleanup, &slow, NULL),
                                             timeouts[i]);

      test_await (waiting, 5);
      g_assert_error (async_future_get_error (waiting), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      g_assert_cmpint (slow.started, ==, 0);
      async_future_unref (waiting);
    }
}

/* A negative time-out on a pending future times out at once; only INFINITY
 * waits for ever, and a time-out past the clock's range is as good. */
static void
test_wait_for_negative_and_huge (void)
{
  AsyncFuture *inner = async_future_new ();
  AsyncFuture *waiting = async_wait_for (async_future_ref (inner), -1);
  AsyncFuture *infinite, *huge;

  test_await (waiting, 1);
  g_assert_error (async_future_get_error (waiting), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (async_future_is_cancelled (inner));
  async_future_unref (waiting);
  async_future_unref (inner);

  inner = async_future_new ();
  infinite = async_wait_for (async_future_ref (inner), ASYNC_TIMEOUT_INFINITE);
  huge = async_wait_for (async_future_ref (inner), 1e13);
  test_iterate_for (0.05);
  g_assert_true (async_future_is_pending (infinite));
  g_assert_true (async_future_is_pending (huge));
  async_future_resolve_int (inner, 4);
  test_await (infinite, 1);
  test_await (huge, 1);
  g_assert_cmpint (async_future_get_int (infinite), ==, 4);
  g_assert_cmpint (async_future_get_int (huge), ==, 4);
  async_future_unref (infinite);
  async_future_unref (huge);
  async_future_unref (inner);
}

/* Cancelling wait_for cancels the inner future and settles once it ended. */
static void
test_wait_for_cancel_waits (void)
{
  Slow slow = { CLEANUP_CANCELLED, 0, 0, NULL };
  AsyncFuture *waiting = async_wait_for (async_spawn (slow_with_cleanup, &slow, NULL), 10);

  test_iterate_for (0.01);
  g_assert_true (async_future_cancel (waiting));
  g_assert_false (async_future_cancel (waiting));
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (waiting));
  test_await (waiting, 5);
  g_assert_cmpint (slow.cleaned_up, ==, 1);
  g_assert_true (async_future_is_cancelled (waiting));
  async_future_unref (waiting);
}

/* ------------------------------- one owner for a borrowed value (item 6) */

typedef struct
{
  AsyncFuture *inner;
  TestTracked *stolen;
  gboolean     shield;
} Steal;

static void
steal_through (AsyncCoroutine *co,
               gpointer        data)
{
  Steal *self = data;
  AsyncFuture *outer;

  ASYNC_BEGIN (co);
  outer = async_future_ref (self->inner);
  outer = self->shield ? async_shield (outer) : async_wait_for (outer, 5);
  ASYNC_AWAIT (co, outer);
  self->stolen = async_coroutine_steal_value (co);
  ASYNC_END (co);
}

/* Stealing after awaiting wait_for () or shield () takes the value from the
 * future that owns it: it is freed once, by the thief. */
static void
test_steal_borrowed_value (gconstpointer data)
{
  gint destroyed = 0;
  Steal steal = { async_future_new (), NULL, GPOINTER_TO_INT (data) };
  AsyncFuture *co = async_spawn (steal_through, &steal, NULL);

  test_iterate_pending ();
  async_future_resolve (steal.inner, test_tracked_new (&destroyed, 3), test_tracked_free);
  test_await (co, 5);
  g_assert_true (async_future_is_resolved (co));
  g_assert_nonnull (steal.stolen);
  g_assert_cmpint (steal.stolen->payload, ==, 3);
  g_assert_null (async_future_get_value (steal.inner));

  async_future_unref (co);
  async_future_unref (steal.inner);
  g_assert_cmpint (destroyed, ==, 0);
  test_tracked_free (steal.stolen);
  g_assert_cmpint (destroyed, ==, 1);
}

/* ------------------------------------- the kind of value is kept (item 9) */

/* An integer with its low word set: a 32-bit build that chose the slot by
 * the low word kept only that. */
#define WIDE G_GINT64_CONSTANT (0x100000001)

static void
test_integer_kind_kept (void)
{
  AsyncFuture *inner = async_future_new ();
  AsyncFuture *waiting = async_wait_for (async_future_ref (inner), 5);
  AsyncFuture *shield = async_shield (async_future_ref (inner));
  AsyncFuture *pointer = async_future_new_resolved (g_strdup ("text"), g_free);

  async_future_resolve_int (inner, WIDE);
  test_await (waiting, 5);
  test_await (shield, 5);
  g_assert_cmpint (async_future_get_int (waiting), ==, WIDE);
  g_assert_cmpint (async_future_get_int (shield), ==, WIDE);

  /* Each kind is read as what it is. */
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (async_future_get_value (waiting));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_cmpint (async_future_get_int (pointer), ==, 0);
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (async_future_steal_value (shield));
  g_test_assert_expected_messages ();
  g_assert_cmpint (async_future_get_int (inner), ==, WIDE);

  async_future_unref (waiting);
  async_future_unref (shield);
  async_future_unref (inner);
  async_future_unref (pointer);
}

/* ------------------------------ FIRST_EXCEPTION ignores a cancellation (12) */

static void
test_wait_first_exception_ignores_cancelled (void)
{
  AsyncFuture *cancelled = async_future_new ();
  AsyncFuture *slow = spawn_job (0.03, 1, 0, NULL);
  AsyncFuture *waiting = async_wait (ASYNC_WAIT_FIRST_EXCEPTION, async_future_ref (cancelled),
                                     async_future_ref (slow));

  async_future_cancel (cancelled);
  test_iterate_for (0.01);
  g_assert_true (async_future_is_pending (waiting));
  test_await (waiting, 5);
  g_assert_true (async_future_is_resolved (slow));
  async_future_unref (waiting);
  async_future_unref (slow);
  async_future_unref (cancelled);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wait-for/fast", test_wait_for_fast);
  g_test_add_func ("/wait-for/timeout", test_wait_for_timeout);
  g_test_add_func ("/wait-for/no-timeout", test_wait_for_no_timeout);
  g_test_add_func ("/wait-for/rejected", test_wait_for_rejected);
  g_test_add_func ("/wait-for/cancel", test_wait_for_cancel);
  g_test_add_func ("/wait-for/timeout/waits-for-cancellation", test_wait_for_waits_for_cancellation);
  g_test_add_func ("/wait-for/timeout/cancel-suppressed", test_wait_for_cancel_suppressed);
  g_test_add_func ("/wait-for/timeout/reraises-other-error", test_wait_for_reraises);
  g_test_add_func ("/wait-for/timeout/zero-coroutine-not-started", test_wait_for_zero_not_started);
  g_test_add_func ("/wait-for/timeout/negative-and-huge", test_wait_for_negative_and_huge);
  g_test_add_func ("/wait-for/cancel/waits-for-inner", test_wait_for_cancel_waits);
  g_test_add_data_func ("/wait-for/steal/borrowed-value", GINT_TO_POINTER (FALSE), test_steal_borrowed_value);
  g_test_add_data_func ("/shield/steal/borrowed-value", GINT_TO_POINTER (TRUE), test_steal_borrowed_value);
  g_test_add_func ("/wait-for/value/integer-kind-kept", test_integer_kind_kept);
  g_test_add_func ("/wait/first-exception/ignores-cancelled", test_wait_first_exception_ignores_cancelled);
  g_test_add_func ("/wait/first-completed", test_wait_first_completed);
  g_test_add_func ("/wait/first-exception", test_wait_first_exception);
  g_test_add_func ("/wait/all-completed", test_wait_all_completed);
  g_test_add_func ("/wait/cancel", test_wait_cancel);
  g_test_add_func ("/wait/timeout/returns-pending", test_wait_timeout_returns_pending);
  g_test_add_func ("/wait/timeout/zero-next-turn", test_wait_timeout_zero);
  g_test_add_func ("/wait/timeout/unused", test_wait_timeout_unused);
  g_test_add_func ("/shield/cancel", test_shield_cancel);
  g_test_add_func ("/shield/outcome", test_shield_outcome);
  g_test_add_func ("/shield/cancelled-inner-fails", test_shield_cancelled_inner_fails);

  return g_test_run ();
}
