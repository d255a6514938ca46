/* test-loop.c: the loop's own calls: call_soon, call_later, call_at,
 * call_soon_threadsafe and their handles, and run_coroutine_threadsafe
 * (async_spawn_on ()) across threads. Mirrors CPython's
 * test_base_events.py / test_events.py: test_call_soon,
 * test_call_later, test_call_at, test_handle_cancel,
 * test_call_soon_threadsafe, and test_tasks.py's
 * RunCoroutineThreadsafeTests (test_run_coroutine_threadsafe,
 * test_run_coroutine_threadsafe_task_cancelled). */

#include "config.h"

#include "test-util.h"

typedef struct
{
  GArray  *order;
  gint     value;
  gint64   ran_at;
  GThread *ran_on;
  gint     done;      /* atomic */
} Call;

static void
record (gpointer user_data)
{
  Call *call = user_data;

  if (call->order != NULL)
    g_array_append_val (call->order, call->value);
  call->ran_at = g_get_monotonic_time ();
  call->ran_on = g_thread_self ();
  g_atomic_int_set (&call->done, TRUE);
}

static void
count_call (gpointer counter)
{
  g_atomic_int_add ((gint *) counter, 100);
}

/* test_call_soon: in the order queued, never inside the call. */
static void
test_call_soon_order (void)
{
  GArray *order = g_array_new (FALSE, FALSE, sizeof (gint));
  Call calls[3] = { { order, 1 }, { order, 2 }, { order, 3 } };
  guint i;

  for (i = 0; i < 3; i++)
    async_handle_unref (async_call_soon (record, &calls[i], NULL));
  g_assert_cmpuint (order->len, ==, 0);
  test_spin_until (&calls[2].done, 5);
  g_assert_cmpuint (order->len, ==, 3);
  for (i = 0; i < 3; i++)
    g_assert_cmpint (g_array_index (order, gint, i), ==, (gint) i + 1);
  g_array_unref (order);
}

/* test_handle_cancel: a cancelled call never runs, and its data is freed
 * once. */
static void
test_call_soon_cancel (void)
{
  Call call = { NULL, 0 };
  Call after = { NULL, 0 };
  gint destroyed = 0;
  AsyncHandle *handle = async_call_soon (record, &call, NULL);
  AsyncHandle *counted = async_call_soon (count_call, &destroyed, test_count_destroy);

  async_handle_cancel (handle);
  async_handle_cancel (counted);
  g_assert_true (async_handle_is_cancelled (handle));
  async_handle_unref (async_call_soon (record, &after, NULL));
  test_spin_until (&after.done, 5);
  g_assert_false (call.done);
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_cmpint (async_handle_get_when (handle), ==, 0);
  async_handle_unref (handle);
  async_handle_unref (counted);
}

/* test_call_later: no earlier than asked; when () is the deadline. */
static void
test_call_later_lower_bound (void)
{
  Call call = { NULL, 0 };
  gint64 start = g_get_monotonic_time ();
  AsyncHandle *handle = async_call_later (0.05, record, &call, NULL);

  g_assert_cmpint (async_handle_get_when (handle), >=, start + 50000);
  test_spin_until (&call.done, 5);
  g_assert_cmpint (call.ran_at, >=, async_handle_get_when (handle));
  g_assert_cmpint (call.ran_at - start, >=, 50000);
  g_assert_false (async_handle_is_cancelled (handle));
  /* Cancelling after it ran changes nothing. */
  async_handle_cancel (handle);
  g_assert_false (async_handle_is_cancelled (handle));
  async_handle_unref (handle);
}

/* A cancelled timer never fires; its data is freed on the loop. */
static void
test_call_later_cancel (void)
{
  Call call = { NULL, 0 };
  Call later = { NULL, 0 };
  gint destroyed = 0;
  AsyncHandle *handle = async_call_later (0.01, record, &call, NULL);
  AsyncHandle *counted = async_call_later (0.01, count_call, &destroyed, test_count_destroy);

  async_handle_cancel (handle);
  async_handle_cancel (counted);
  g_assert_cmpint (destroyed, ==, 0);   /* not inside cancel: on the loop */
  async_handle_unref (async_call_later (0.03, record, &later, NULL));
  test_spin_until (&later.done, 5);
  g_assert_false (call.done);
  g_assert_cmpint (destroyed, ==, 1);
  async_handle_unref (handle);
  async_handle_unref (counted);
}

/* test_call_at: a time that has passed runs on the next turn, never
 * inside the call. */
static void
test_call_at_past (void)
{
  Call call = { NULL, 0 };
  AsyncHandle *handle = async_call_at (g_get_monotonic_time () - G_USEC_PER_SEC, record, &call, NULL);

  g_assert_false (call.done);
  test_spin_until (&call.done, 5);
  async_handle_unref (handle);
}

/* test_call_soon_threadsafe: from a worker thread onto this loop, which
 * is woken; the callback runs on the loop's thread. */
static gpointer
call_from_thread (gpointer data)
{
  async_handle_unref (async_call_soon_threadsafe (NULL, record, data, NULL));
  return NULL;
}

static void
test_call_soon_threadsafe (void)
{
  Call call = { NULL, 0 };
  GThread *thread = g_thread_new ("caller", call_from_thread, &call);

  test_spin_until (&call.done, 5);
  g_assert_true (call.ran_on == g_thread_self ());
  g_thread_join (thread);
}

/* A loop of its own on another thread, for run_coroutine_threadsafe. */
typedef struct
{
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
  gint          started;  /* atomic */
} LoopThread;

static gboolean
loop_started (gpointer data)
{
  g_atomic_int_set (&((LoopThread *) data)->started, TRUE);
  return G_SOURCE_REMOVE;
}

static gpointer
loop_thread_main (gpointer data)
{
  LoopThread *self = data;
  GSource *idle = g_idle_source_new ();

  g_main_context_push_thread_default (self->context);
  g_source_set_callback (idle, loop_started, self, NULL);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
loop_thread_start (LoopThread *self)
{
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("loop", loop_thread_main, self);
  test_spin_until (&self->started, 5);
}

static void
loop_thread_stop (LoopThread *self)
{
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
}

typedef struct
{
  GThread     *ran_on;
  AsyncFuture *started;   /* a reference, or NULL: resolved before it waits */
  AsyncFuture *never;     /* a reference, or NULL */
  gboolean     saw_cancel;
  GError      *error;
} Remote;

static void
remote_free (gpointer data)
{
  Remote *self = data;

  g_clear_pointer (&self->never, async_future_unref);
  g_clear_pointer (&self->started, async_future_unref);
  g_clear_error (&self->error);
}

ASYNC_DEFINE_COROUTINE (remote, Remote)
{
  ASYNC_BEGIN (co);
  self->ran_on = g_thread_self ();
  if (self->never != NULL)
    {
      async_future_resolve_int (self->started, 1);
      ASYNC_AWAIT_TRY (co, async_future_ref (self->never), &self->error);
      self->saw_cancel = g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      ASYNC_RETURN_ERROR (co, g_steal_pointer (&self->error));
    }
  ASYNC_YIELD (co);
  ASYNC_RETURN_INT (co, 42);
  ASYNC_END (co);
}

typedef struct
{
  AsyncFuture *remote;   /* a reference */
  gint64       value;
} Awaiter;

ASYNC_DEFINE_COROUTINE (await_remote, Awaiter)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_future_ref (self->remote));
  self->value = async_coroutine_get_int (co);
  ASYNC_END (co);
}

/* test_run_coroutine_threadsafe: the coroutine runs on the other loop's
 * thread, and its future is awaited from this loop. */
static void
test_spawn_on_other_thread (void)
{
  LoopThread other = { NULL };
  Remote frame = { NULL };
  Awaiter awaiter = { NULL, 0 };
  AsyncFuture *future;
  AsyncFuture *local;

  loop_thread_start (&other);
  future = async_spawn_on (other.context, remote, &frame, remote_free);
  awaiter.remote = future;
  local = async_spawn (await_remote, &awaiter, NULL);
  test_await (local, 5);
  g_assert_true (async_future_is_resolved (local));
  g_assert_cmpint (awaiter.value, ==, 42);
  g_assert_true (frame.ran_on == other.thread);
  async_future_unref (local);
  async_future_unref (future);
  loop_thread_stop (&other);
}

/* test_run_coroutine_threadsafe_task_cancelled: cancelled from the
 * caller's thread, the coroutine sees the cancellation on its own. */
static void
test_spawn_on_cancel_from_caller (void)
{
  LoopThread other = { NULL };
  Remote frame = { NULL };
  AsyncFuture *future;
  AsyncFuture *started;

  loop_thread_start (&other);
  frame.never = async_future_new ();
  started = async_future_new ();
  frame.started = async_future_ref (started);
  future = async_spawn_on (other.context, remote, &frame, remote_free);
  /* Once it waits over there, cancel from here. */
  test_await (started, 5);
  async_future_cancel (future);
  test_await (future, 5);
  g_assert_true (async_future_is_cancelled (future));
  g_assert_true (frame.saw_cancel);
  async_future_unref (started);
  async_future_unref (future);
  loop_thread_stop (&other);
}

/* Programming errors: criticals and harmless returns (docs/bad-input.md). */
static void
test_bad_input (void)
{
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*callback != NULL*");
  g_assert_null (async_call_soon (NULL, NULL, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*isnan*");
  g_assert_null (async_call_later (NAN, record, NULL, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  g_assert_null (async_spawn_on (NULL, NULL, NULL, NULL));
  g_test_assert_expected_messages ();
}

/* An infinite delay never fires, and its handle still cancels. */
static void
test_call_later_infinite (void)
{
  gint destroyed = 0;
  AsyncHandle *handle = async_call_later (INFINITY, count_call, &destroyed, test_count_destroy);
  Call after = { NULL, 0 };

  g_assert_cmpint (async_handle_get_when (handle), ==, G_MAXINT64);
  async_handle_cancel (handle);
  async_handle_unref (async_call_soon (record, &after, NULL));
  test_spin_until (&after.done, 5);
  g_assert_cmpint (destroyed, ==, 1);
  async_handle_unref (handle);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loop/call-soon/in-order-never-synchronous", test_call_soon_order);
  g_test_add_func ("/loop/call-soon/cancel-before-run", test_call_soon_cancel);
  g_test_add_func ("/loop/call-later/no-earlier-than-asked", test_call_later_lower_bound);
  g_test_add_func ("/loop/call-later/cancel", test_call_later_cancel);
  g_test_add_func ("/loop/call-at/past-runs-next-turn", test_call_at_past);
  g_test_add_func ("/loop/call-soon-threadsafe/from-a-worker", test_call_soon_threadsafe);
  g_test_add_func ("/loop/spawn-on/other-thread-awaited-here", test_spawn_on_other_thread);
  g_test_add_func ("/loop/spawn-on/cancel-from-caller", test_spawn_on_cancel_from_caller);
  g_test_add_func ("/loop/bad-input/criticals", test_bad_input);
  g_test_add_func ("/loop/call-later/infinite-never-fires", test_call_later_infinite);

  return g_test_run ();
}
