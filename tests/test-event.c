/* test-event.c: AsyncEvent, mirroring CPython's Lib/test/test_asyncio/
 * test_locks.py EventTests (test_wait, test_wait_on_set, test_wait_cancel,
 * test_clear, test_clear_with_waiters), and beyond asyncio: set from worker
 * threads waking waiters on their own loops (run under TSan). */

#include "config.h"

#include "test-util.h"

typedef struct
{
  AsyncEvent *event;
  GArray     *trace;
  gint        id;
} Waiter;

static void
waiter_free (gpointer data)
{
  Waiter *self = data;

  async_event_unref (self->event);
  g_free (self);
}

static void
waiter_body (AsyncCoroutine *co,
             gpointer        data)
{
  Waiter *self = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_event_wait (self->event));
  g_array_append_val (self->trace, self->id);
  ASYNC_END (co);
}

static AsyncFuture *
spawn_waiter (AsyncEvent *event,
              GArray     *trace,
              gint        id)
{
  Waiter *self = g_new0 (Waiter, 1);

  self->event = async_event_ref (event);
  self->trace = trace;
  self->id = id;
  return async_spawn (waiter_body, self, waiter_free);
}

/* test_wait: set wakes every waiter; one spawned before the set but not
 * yet started runs first and does not wait at all. */
static void
test_wait (void)
{
  g_autoptr (AsyncEvent) event = async_event_new ();
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t[3];

  g_assert_false (async_event_is_set (event));
  t[0] = spawn_waiter (event, trace, 1);
  t[1] = spawn_waiter (event, trace, 2);
  test_iterate_pending ();
  g_assert_cmpuint (trace->len, ==, 0);

  t[2] = spawn_waiter (event, trace, 3);
  async_event_set (event);
  for (guint i = 0; i < 3; i++)
    test_await (t[i], 5);
  g_assert_cmpuint (trace->len, ==, 3);
  g_assert_cmpint (g_array_index (trace, gint, 0), ==, 3);
  g_assert_cmpint (g_array_index (trace, gint, 1), ==, 1);
  g_assert_cmpint (g_array_index (trace, gint, 2), ==, 2);
  for (guint i = 0; i < 3; i++)
    async_future_unref (t[i]);
}

/* test_wait_on_set: resolved at once, the continuation still queued. */
static void
test_wait_on_set (void)
{
  g_autoptr (AsyncEvent) event = async_event_new ();
  AsyncFuture *wait;
  gint called = 0;

  async_event_set (event);
  wait = async_event_wait (event);
  g_assert_true (async_future_is_resolved (wait));
  async_future_then (wait, test_count_call, &called, NULL);
  g_assert_cmpint (called, ==, 0);
  test_iterate_pending ();
  g_assert_cmpint (called, ==, 1);
  async_future_unref (wait);
}

/* test_wait_cancel: a cancelled wait is withdrawn; a later set resolves
 * nothing of it. */
static void
test_wait_cancel (void)
{
  g_autoptr (AsyncEvent) event = async_event_new ();
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *task = spawn_waiter (event, trace, 1);

  test_iterate_pending ();
  g_assert_true (async_future_cancel (task));
  test_await (task, 5);
  g_assert_true (async_future_is_cancelled (task));
  async_event_set (event);
  test_iterate_pending ();
  g_assert_cmpuint (trace->len, ==, 0);
  async_future_unref (task);
}

/* Woken, then cancelled before it resumed: that coroutine ends cancelled;
 * the other waiters still wake, and the event stays set. */
static void
test_cancel_after_wake (void)
{
  g_autoptr (AsyncEvent) event = async_event_new ();
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t1 = spawn_waiter (event, trace, 1);
  AsyncFuture *t2 = spawn_waiter (event, trace, 2);
  const gint expected[] = { 2 };

  test_iterate_pending ();
  async_event_set (event);
  g_assert_true (async_future_cancel (t1));
  test_await (t1, 5);
  test_await (t2, 5);
  g_assert_true (async_future_is_cancelled (t1));
  g_assert_true (async_future_is_resolved (t2));
  test_assert_trace (trace, expected, 1);
  g_assert_true (async_event_is_set (event));
  async_future_unref (t1);
  async_future_unref (t2);
}

/* test_clear */
static void
test_clear (void)
{
  g_autoptr (AsyncEvent) event = async_event_new ();
  AsyncFuture *wait;

  async_event_set (event);
  g_assert_true (async_event_is_set (event));
  async_event_clear (event);
  g_assert_false (async_event_is_set (event));
  wait = async_event_wait (event);
  g_assert_true (async_future_is_pending (wait));
  async_event_set (event);
  g_assert_true (async_future_is_resolved (wait));
  async_future_unref (wait);
}

/* test_clear_with_waiters: set then clear at once still wakes the waiter
 * that was there; setting twice wakes it once. */
static void
test_clear_with_waiters (void)
{
  g_autoptr (AsyncEvent) event = async_event_new ();
  g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *task = spawn_waiter (event, trace, 1);

  test_iterate_pending ();
  async_event_set (event);
  async_event_clear (event);
  g_assert_false (async_event_is_set (event));
  async_event_set (event);
  async_event_set (event);
  test_await (task, 5);
  g_assert_cmpuint (trace->len, ==, 1);
  g_assert_true (async_future_is_resolved (task));
  async_future_unref (task);
}

/* The last unref cancels pending waits. */
static void
test_unref_cancels_waiters (void)
{
  AsyncEvent *event = async_event_new ();
  AsyncFuture *wait = async_event_wait (event);

  async_event_unref (event);
  g_assert_true (async_future_is_cancelled (wait));
  async_future_unref (wait);
}

/* ------------------------------------------------------------- threads */

#define N_LOOPS 4
#define N_WAITERS 50

/* A thread with a loop of its own: N_WAITERS coroutines wait on the event,
 * each checks it resumed on this thread. */
typedef struct
{
  AsyncEvent *event;
  GThread    *self;
  gint        woken;       /* atomic */
} Loop;

/* The loops tell the test they have queued every waiter. */
static GMutex ready_mutex;
static GCond ready_cond;
static guint n_ready;      /* protected by ready_mutex */

typedef struct
{
  Loop *loop;
} LoopWaiter;

static void
loop_waiter_body (AsyncCoroutine *co,
                  gpointer        data)
{
  LoopWaiter *self = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_event_wait (self->loop->event));
  g_assert_true (g_thread_self () == self->loop->self);
  g_atomic_int_inc (&self->loop->woken);
  ASYNC_END (co);
}

static gpointer
loop_thread (gpointer data)
{
  Loop *loop = data;
  GMainContext *context = g_main_context_new ();
  GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) async_future_unref);

  g_main_context_push_thread_default (context);
  loop->self = g_thread_self ();
  for (guint i = 0; i < N_WAITERS; i++)
    {
      LoopWaiter *waiter = g_new0 (LoopWaiter, 1);

      waiter->loop = loop;
      g_ptr_array_add (tasks, async_spawn (loop_waiter_body, waiter, g_free));
    }
  test_iterate_pending ();
  g_mutex_lock (&ready_mutex);
  n_ready++;
  g_cond_signal (&ready_cond);
  g_mutex_unlock (&ready_mutex);
  for (guint i = 0; i < tasks->len; i++)
    test_await (g_ptr_array_index (tasks, i), 10);
  g_ptr_array_unref (tasks);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  return NULL;
}

static gpointer
setter_thread (gpointer data)
{
  async_event_set (data);
  return NULL;
}

static void
test_set_from_worker (void)
{
  g_autoptr (AsyncEvent) event = async_event_new ();
  Loop loops[N_LOOPS] = { { 0 } };
  GThread *threads[N_LOOPS];
  GThread *setter;

  for (guint i = 0; i < N_LOOPS; i++)
    {
      loops[i].event = event;
      threads[i] = g_thread_new ("loop", loop_thread, &loops[i]);
    }
  g_mutex_lock (&ready_mutex);
  while (n_ready < N_LOOPS)
    g_cond_wait (&ready_cond, &ready_mutex);
  g_mutex_unlock (&ready_mutex);

  g_assert_false (async_event_is_set (event));
  setter = g_thread_new ("setter", setter_thread, event);
  g_thread_join (setter);
  for (guint i = 0; i < N_LOOPS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpint (g_atomic_int_get (&loops[i].woken), ==, N_WAITERS);
    }
  g_assert_true (async_event_is_set (event));
}

/* Waits, sets, clears and cancels from several threads at once: every
 * wait settles exactly once, resolved or cancelled. */
#define N_RACERS 4
#define N_ROUNDS 2000

typedef struct
{
  AsyncEvent *event;
  gint        resolved;    /* atomic */
  gint        cancelled;   /* atomic */
} Race;

static gpointer
racer_thread (gpointer data)
{
  Race *race = data;

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      AsyncFuture *wait = async_event_wait (race->event);

      switch (i % 3)
        {
        case 0:
          async_event_set (race->event);
          break;
        case 1:
          async_event_clear (race->event);
          break;
        default:
          async_future_cancel (wait);
          break;
        }
      /* Whatever the others did, a set settles what is still pending. */
      if (async_future_is_pending (wait))
        async_event_set (race->event);
      g_assert_false (async_future_is_pending (wait));
      g_atomic_int_inc (async_future_is_cancelled (wait) ? &race->cancelled : &race->resolved);
      async_future_unref (wait);
    }
  return NULL;
}

static void
test_threads_race (void)
{
  Race race = { async_event_new (), 0, 0 };
  GThread *threads[N_RACERS];

  for (guint i = 0; i < N_RACERS; i++)
    threads[i] = g_thread_new ("racer", racer_thread, &race);
  for (guint i = 0; i < N_RACERS; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (race.resolved + race.cancelled, ==, N_RACERS * N_ROUNDS);
  async_event_unref (race.event);
}

/* NULL where an event is needed: criticals, harmless returns. */
static void
test_null_arguments (void)
{
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_null (async_event_wait (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  async_event_set (NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  async_event_clear (NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_false (async_event_is_set (NULL));
  g_test_assert_expected_messages ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/event/wait/set-wakes-every-waiter", test_wait);
  g_test_add_func ("/event/wait/on-set-resolves-at-once", test_wait_on_set);
  g_test_add_func ("/event/wait/cancel-withdraws", test_wait_cancel);
  g_test_add_func ("/event/cancel/after-wake", test_cancel_after_wake);
  g_test_add_func ("/event/clear/unsets", test_clear);
  g_test_add_func ("/event/clear/keeps-woken-waiters", test_clear_with_waiters);
  g_test_add_func ("/event/unref/cancels-waiters", test_unref_cancels_waiters);
  g_test_add_func ("/event/threads/set-from-worker-wakes-each-loop", test_set_from_worker);
  g_test_add_func ("/event/threads/wait-set-clear-cancel-race", test_threads_race);

  g_test_add_func ("/event/bad-input/null-arguments", test_null_arguments);

  return g_test_run ();
}
