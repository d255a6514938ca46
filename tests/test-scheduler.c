/* test-scheduler.c: the one-source scheduler of a GMainContext: nested
 * iterations run the rest of a batch, a context that its owner frees is
 * freed with its scheduler (no file descriptor or coroutine left behind),
 * and no user code runs under a library lock. */

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"

/* --- nested iteration ----------------------------------------------------- */

typedef struct
{
  gboolean second_ran;
  gboolean first_done;
} Nested;

static void
second_continuation (AsyncFuture *future,
                     gpointer     user_data)
{
  Nested *nested = user_data;

  nested->second_ran = TRUE;
}

/* The gtk_dialog_run () pattern: a callback that iterates the context until
 * something queued behind it, in the same batch, has run. */
static void
first_continuation (AsyncFuture *future,
                    gpointer     user_data)
{
  Nested *nested = user_data;

  test_spin_until (&nested->second_ran, 5);
  nested->first_done = TRUE;
}

static void
test_nested_iteration_runs_batch (void)
{
  Nested nested = { FALSE, FALSE };
  AsyncFuture *a = async_future_new_int (1);
  AsyncFuture *b = async_future_new_int (2);

  /* Both queued before the loop runs: one batch. */
  async_future_then (a, first_continuation, &nested, NULL);
  async_future_then (b, second_continuation, &nested, NULL);
  test_spin_until (&nested.first_done, 10);
  g_assert_true (nested.second_ran);

  async_future_unref (a);
  async_future_unref (b);
}

static void
nested_sleep_done (AsyncFuture *future,
                   gpointer     user_data)
{
  gint *n = user_data;

  (*n)++;
}

static void
nested_iterating_sleep_done (AsyncFuture *future,
                             gpointer     user_data)
{
  gint *n = user_data;
  gboolean *all = (gboolean *) (n + 1);

  (*n)++;
  while (*n < 3)
    g_main_context_iteration (NULL, TRUE);
  *all = TRUE;
}

/* The same with expired timers: three sleeps of the same deadline fire in
 * one batch; the first one's continuation iterates until the others ran. */
static void
test_nested_iteration_runs_timers (void)
{
  gint state[2] = { 0, FALSE };
  AsyncFuture *sleeps[3];
  guint i;

  for (i = 0; i < 3; i++)
    sleeps[i] = async_sleep_usec (1000);
  async_future_then (sleeps[0], nested_iterating_sleep_done, state, NULL);
  async_future_then (sleeps[1], nested_sleep_done, state, NULL);
  async_future_then (sleeps[2], nested_sleep_done, state, NULL);
  test_spin_until (&state[1], 10);
  g_assert_cmpint (state[0], ==, 3);

  for (i = 0; i < 3; i++)
    async_future_unref (sleeps[i]);
}

/* --- a context per thread ------------------------------------------------- */

typedef struct
{
  gint *frames_destroyed;
} Worker;

static void
count_frame (gpointer data)
{
  Worker *worker = data;

  g_atomic_int_inc (worker->frames_destroyed);
  g_free (worker);
}

static void
short_job (AsyncCoroutine *co,
           gpointer        data)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (0.0005));
  ASYNC_RETURN_INT (co, 1);
  ASYNC_END (co);
}

/* Waits for ever: its context is freed while it waits. */
static void
forever_job (AsyncCoroutine *co,
             gpointer        data)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (INFINITY));
  ASYNC_END (co);
}

typedef struct
{
  gint         frames_destroyed;
  gint         results;
  AsyncFuture *outliving;   /* pending futures that outlive their contexts */
  GMutex       lock;
  GPtrArray   *survivors;
} PerThread;

static gpointer
thread_with_context (gpointer data)
{
  PerThread *shared = data;
  GMainContext *context = g_main_context_new ();
  AsyncFuture *done, *forever, *outliving;
  Worker *worker;

  g_main_context_push_thread_default (context);

  worker = g_new0 (Worker, 1);
  worker->frames_destroyed = &shared->frames_destroyed;
  done = async_spawn (short_job, worker, count_frame);
  worker = g_new0 (Worker, 1);
  worker->frames_destroyed = &shared->frames_destroyed;
  forever = async_spawn (forever_job, worker, count_frame);

  outliving = async_future_new ();
  async_future_then (outliving, nested_sleep_done, &shared->results, NULL);

  while (async_future_is_pending (done))
    g_main_context_iteration (context, TRUE);
  g_atomic_int_add (&shared->results, (gint) async_future_get_int (done));

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  /* The context is gone: the coroutine that waited for ever has ended
   * cancelled, its frame destroyed. */
  g_assert_true (async_future_is_cancelled (forever));

  g_mutex_lock (&shared->lock);
  g_ptr_array_add (shared->survivors, outliving);
  g_mutex_unlock (&shared->lock);

  async_future_unref (done);
  async_future_unref (forever);

  return NULL;
}

/* Issue 7, item 5: 500 short-lived threads, each with a context of its own,
 * leave no file descriptor and no coroutine behind. */
static void
test_context_per_thread_freed (void)
{
  guint n_threads = g_getenv ("ASYNC_TEST_QUICK") != NULL ? 100 : 500;
  PerThread shared = { 0 };
  guint fds_before, fds_after, i;

  shared.survivors = g_ptr_array_new_with_free_func ((GDestroyNotify) async_future_unref);
  g_mutex_init (&shared.lock);

  /* The first use creates process-wide state (GLib's own, the pool's):
   * count after it. */
  g_thread_join (g_thread_new ("warm-up", thread_with_context, &shared));
  fds_before = test_count_fds ();

  for (i = 0; i < n_threads; i++)
    g_thread_join (g_thread_new ("per-job", thread_with_context, &shared));

  fds_after = test_count_fds ();
  g_assert_cmpuint (fds_after, <=, fds_before);
  g_assert_cmpint (shared.frames_destroyed, ==, 2 * (n_threads + 1));
  g_assert_cmpint (shared.results, ==, n_threads + 1);

  /* Futures that outlived their contexts settle harmlessly: what waited
   * on them is dropped, never run. */
  for (i = 0; i < shared.survivors->len; i++)
    async_future_resolve_int (g_ptr_array_index (shared.survivors, i), 1);
  g_assert_cmpint (shared.results, ==, n_threads + 1);

  g_ptr_array_unref (shared.survivors);
  g_mutex_clear (&shared.lock);
}

/* --- nothing user-supplied under a lock ----------------------------------- */

typedef struct
{
  AsyncFuture *future;
  gint         notified;
} TouchOnDestroy;

static void
never_runs (AsyncFuture *future,
            gpointer     user_data)
{
  g_assert_not_reached ();
}

/* A destroy notify that uses the future it was attached to: it takes the
 * future's lock, so it deadlocks if called with that lock held. */
static void
touch_future (gpointer data)
{
  TouchOnDestroy *touch = data;

  async_future_then (touch->future, nested_sleep_done, &touch->notified, NULL);
  g_atomic_int_inc (&touch->notified);
}

static AsyncFuture *
attach_and_leave (gpointer data)
{
  TouchOnDestroy *touch = data;

  async_future_then (touch->future, never_runs, touch, touch_future);
  return async_future_new_int (0);
}

static gpointer
settle_in_thread (gpointer data)
{
  TouchOnDestroy *touch = data;

  async_future_resolve_int (touch->future, 1);
  return GINT_TO_POINTER (1);
}

/* Issue 7, item 3: a future outlives its async_run () and is settled later:
 * the dropped continuation's destroy notify runs with no lock held, so it
 * may use the future. */
static void
test_destroy_notify_outside_lock (void)
{
  TouchOnDestroy touch = { async_future_new (), 0 };
  AsyncFuture *result = async_run (attach_and_leave, &touch);
  GThread *thread;
  gint64 deadline;

  async_future_unref (result);
  g_assert_cmpint (touch.notified, ==, 0);

  /* Settled on a thread of its own, so that a deadlock fails the test
   * instead of hanging it. */
  thread = g_thread_new ("settle", settle_in_thread, &touch);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_atomic_int_get (&touch.notified) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_cmpint (g_atomic_int_get (&touch.notified), ==, 1);
  g_assert_nonnull (g_thread_join (thread));

  test_await (touch.future, 5);
  g_assert_cmpint (touch.notified, ==, 2);
  async_future_unref (touch.future);
}

/* --- the dispatch budget -------------------------------------------------- */

#define N_SLOW 20

typedef struct
{
  guint n_slow_run;
  guint slow_run_when_other_ran;  /* G_MAXUINT until the other source ran */
} Budget;

static void
slow_continuation (AsyncFuture *future,
                   gpointer     user_data)
{
  Budget *budget = user_data;

  g_usleep (2000);
  budget->n_slow_run++;
}

static gboolean
other_source_ran (gpointer user_data)
{
  Budget *budget = user_data;

  budget->slow_run_when_other_ran = budget->n_slow_run;
  return G_SOURCE_REMOVE;
}

/* Queues N_SLOW slow continuations on @ready, then a source of the same
 * priority, attached after the scheduler's (without the budget it would
 * run only once every slow callback had), and runs both to the end. */
static void
run_slow_beside_other_source (Budget      *budget,
                              AsyncFuture *ready)
{
  GSource *other;
  guint i;

  for (i = 0; i < N_SLOW; i++)
    async_future_then (ready, slow_continuation, budget, NULL);
  other = g_timeout_source_new (0);
  g_source_set_callback (other, other_source_ran, budget, NULL);
  g_source_attach (other, g_main_context_get_thread_default ());
  g_source_unref (other);

  while (budget->n_slow_run < N_SLOW || budget->slow_run_when_other_ran == G_MAXUINT)
    g_main_context_iteration (NULL, TRUE);

  g_test_message ("the other source ran after %u of %u slow callbacks",
                  budget->slow_run_when_other_ran, N_SLOW);
}

/* Issue 10: the budget is kept by time. Twenty callbacks of 2 ms each are
 * far fewer than the clock's every-64 reading, so a count-only check let
 * them all run (40 ms) before another source of the same priority had a
 * turn; by time, the dispatch yields after the 4 ms budget, two or three
 * of them. */
static void
test_dispatch_budget_by_time (void)
{
  Budget budget = { 0, G_MAXUINT };
  AsyncFuture *ready = async_future_new_int (1);

  run_slow_beside_other_source (&budget, ready);
  g_assert_cmpuint (budget.slow_run_when_other_ran, >=, 1);
  g_assert_cmpuint (budget.slow_run_when_other_ran, <=, N_SLOW / 2);
  async_future_unref (ready);
}

static void
quick_continuation (AsyncFuture *future,
                    gpointer     user_data)
{
}

/* Slow callbacks behind a long run of quick ones: the clock is read less
 * often during the quick ones, but never fewer than once every 16
 * callbacks, so the dispatch still yields long before the slow ones are
 * through (with a reading every 64 callbacks, all of them ran first). */
static void
test_dispatch_budget_quick_then_slow (void)
{
  Budget budget = { 0, G_MAXUINT };
  AsyncFuture *ready = async_future_new_int (1);
  guint i;

  for (i = 0; i < 200; i++)
    async_future_then (ready, quick_continuation, NULL, NULL);
  run_slow_beside_other_source (&budget, ready);
  g_assert_cmpuint (budget.slow_run_when_other_ran, <=, 17);
  async_future_unref (ready);
}

/* --- the order of the ready queue ------------------------------------------ */

typedef struct
{
  AsyncFuture *from_thread;
  AsyncFuture *local;
  GString     *order;
} Order;

static void
record_order (AsyncFuture *future,
              gpointer     user_data)
{
  Order *order = user_data;

  g_string_append (order->order, future == order->from_thread ? "thread " : "local ");
}

static gpointer
resolve_from_thread (gpointer data)
{
  Order *order = data;

  async_future_resolve_int (order->from_thread, 1);
  return NULL;
}

/* Runs in a dispatch: another thread queues a continuation, then this
 * callback queues one. */
static void
queue_both (AsyncFuture *future,
            gpointer     user_data)
{
  Order *order = user_data;

  g_thread_join (g_thread_new ("resolve", resolve_from_thread, order));
  async_future_resolve_int (order->local, 2);
}

/* What a callback queues goes to the end of the batch with no lock, unless
 * another thread queued something first: that runs first, as the two
 * happened. */
static void
test_ready_order_across_threads (void)
{
  Order order = { async_future_new (), async_future_new (), g_string_new ("") };
  AsyncFuture *start = async_future_new_int (0);

  async_future_then (order.from_thread, record_order, &order, NULL);
  async_future_then (order.local, record_order, &order, NULL);
  async_future_then (start, queue_both, &order, NULL);
  while (order.order->len < strlen ("thread local "))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (order.order->str, ==, "thread local ");

  g_string_free (order.order, TRUE);
  async_future_unref (order.from_thread);
  async_future_unref (order.local);
  async_future_unref (start);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scheduler/nested-iteration/runs-rest-of-batch", test_nested_iteration_runs_batch);
  g_test_add_func ("/scheduler/nested-iteration/runs-expired-timers", test_nested_iteration_runs_timers);
  g_test_add_func ("/scheduler/context-per-thread/freed", test_context_per_thread_freed);
  g_test_add_func ("/scheduler/destroy-notify/outside-future-lock", test_destroy_notify_outside_lock);
  g_test_add_func ("/scheduler/dispatch-budget/by-time", test_dispatch_budget_by_time);
  g_test_add_func ("/scheduler/dispatch-budget/quick-then-slow", test_dispatch_budget_quick_then_slow);
  g_test_add_func ("/scheduler/ready-queue/order-across-threads", test_ready_order_across_threads);

  return g_test_run ();
}
