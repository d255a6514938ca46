/* test-coro.c: coroutines: awaiting, values, errors propagating through
 * nested coroutines, the TRY form, returns, cancellation reaching what a
 * coroutine awaits, and its frame destroyed exactly once whatever happens. */

#include "config.h"

#include <string.h>

#include "test-util.h"

/* One frame type for every coroutine below: the test keeps pointers into
 * it only while the coroutine lives, and counts its destruction. */
typedef struct
{
  gint        *destroyed;
  gint         steps;
  gboolean     after_await;
  gint64       sum;
  guint        i;
  AsyncFuture *pending;        /* a future the test settles, or NULL */
  AsyncFuture *self_future;
  AsyncFuture *awaited;        /* a reference to what was awaited */
  GArray      *trace;
  gint         id;
  gint        *value_destroyed;
  gint         child_destroyed;
} Frame;

static Frame *
frame_new (gint *destroyed)
{
  Frame *frame = g_new0 (Frame, 1);

  frame->destroyed = destroyed;
  return frame;
}

static void
frame_free (gpointer data)
{
  Frame *frame = data;

  g_atomic_int_inc (frame->destroyed);
  g_clear_pointer (&frame->pending, async_future_unref);
  g_clear_pointer (&frame->awaited, async_future_unref);
  g_free (frame);
}

/* ------------------------------------------------------------ straight line */

static void
straight_line (AsyncCoroutine *co,
               gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  self->steps++;
  self->self_future = async_coroutine_get_future (co);
  ASYNC_RETURN_INT (co, 42);
  ASYNC_END (co);
}

static void
test_straight_line (void)
{
  gint destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  AsyncFuture *future = async_spawn (straight_line, frame, frame_free);

  /* Spawning never runs the body. */
  g_assert_cmpint (frame->steps, ==, 0);
  g_assert_true (async_future_is_pending (future));

  test_await (future, 5);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpint (async_future_get_int (future), ==, 42);
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (future);
}

static void
note_own_future (AsyncCoroutine *co,
                 gpointer        data)
{
  AsyncFuture **seen = data;

  ASYNC_BEGIN (co);
  *seen = async_coroutine_get_future (co);
  ASYNC_END (co);
}

static void
test_get_future (void)
{
  AsyncFuture *seen = NULL;
  AsyncFuture *future = async_spawn (note_own_future, &seen, NULL);

  /* The body sees its own future; ASYNC_END resolves it with NULL. */
  test_await (future, 5);
  g_assert_true (seen == future);
  g_assert_true (async_future_is_resolved (future));
  g_assert_null (async_future_get_value (future));
  async_future_unref (future);
}

/* ------------------------------------------------------------ awaiting */

static void
await_values (AsyncCoroutine *co,
              gpointer        data)
{
  Frame *self = data;
  TestTracked *tracked;

  ASYNC_BEGIN (co);

  ASYNC_AWAIT (co, async_future_new_int (7));
  self->sum += async_coroutine_get_int (co);

  ASYNC_AWAIT (co, async_future_new_boolean (TRUE));
  if (async_coroutine_get_boolean (co))
    self->sum += 100;

  ASYNC_AWAIT (co, async_future_new_resolved (g_strdup ("hello"), g_free));
  g_assert_cmpstr (async_coroutine_get_value (co), ==, "hello");
  self->sum += strlen (async_coroutine_get_value (co));

  /* A pending future the test settles later: the coroutine resumes after
   * this line, where get_awaited () is that future. */
  ASYNC_AWAIT (co, async_future_ref (self->pending));
  g_assert_true (async_coroutine_get_awaited (co) == self->pending);
  self->after_await = TRUE;
  tracked = async_coroutine_steal_value (co);
  self->sum += tracked->payload;
  test_tracked_free (tracked);

  ASYNC_RETURN_INT (co, self->sum);
  ASYNC_END (co);
}

static void
test_await_values (void)
{
  gint destroyed = 0;
  gint values_destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  AsyncFuture *pending = async_future_new ();
  AsyncFuture *future;

  frame->pending = async_future_ref (pending);
  future = async_spawn (await_values, frame, frame_free);

  test_iterate_for (0.05);
  g_assert_true (async_future_is_pending (future));
  g_assert_false (frame->after_await);
  g_assert_cmpint (frame->sum, ==, 7 + 100 + 5);

  async_future_resolve (pending, test_tracked_new (&values_destroyed, 1000),
                        test_tracked_free);
  test_await (future, 5);
  g_assert_cmpint (async_future_get_int (future), ==, 7 + 100 + 5 + 1000);
  /* The value was stolen by the coroutine and freed there, once. */
  g_assert_cmpint (values_destroyed, ==, 1);
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (pending);
  async_future_unref (future);
  g_assert_cmpint (values_destroyed, ==, 1);
}

static void
count_loop (AsyncCoroutine *co,
            gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  for (self->i = 1; self->i <= 3; self->i++)
    {
      g_array_append_val (self->trace, self->i);
      ASYNC_AWAIT (co, async_sleep (0));
    }
  ASYNC_END (co);
}

static void
test_loop_locals (void)
{
  gint destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  GArray *trace = g_array_new (FALSE, FALSE, sizeof (guint));
  AsyncFuture *future;

  frame->trace = trace;
  future = async_spawn (count_loop, frame, frame_free);
  test_await (future, 5);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpuint (trace->len, ==, 3);
  g_assert_cmpuint (g_array_index (trace, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (trace, guint, 1), ==, 2);
  g_assert_cmpuint (g_array_index (trace, guint, 2), ==, 3);
  g_assert_cmpint (destroyed, ==, 1);
  g_array_unref (trace);
  async_future_unref (future);
}

/* ------------------------------------------------------------ errors */

/* A chain outer → middle → inner where inner fails: the error reaches the
 * outer coroutine, and no body runs past its failing await. */
typedef struct
{
  gint         destroyed;
  gint         reached;
  AsyncFuture *middle;
} Chain;

static void
chain_destroy (gpointer data)
{
  Chain *chain = data;

  chain->destroyed++;
}

static void
chain_inner (AsyncCoroutine *co,
             gpointer        data)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (0));
  ASYNC_RETURN_ERROR (co, g_error_new (TEST_ERROR, 43, "deep failure"));
  ASYNC_END (co);
}

static void
chain_middle (AsyncCoroutine *co,
              gpointer        data)
{
  Chain *chain = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_spawn (chain_inner, chain, chain_destroy));
  chain->reached++;
  ASYNC_END (co);
}

static void
chain_outer (AsyncCoroutine *co,
             gpointer        data)
{
  Chain *chain = data;

  ASYNC_BEGIN (co);
  chain->middle = async_spawn (chain_middle, chain, chain_destroy);
  ASYNC_AWAIT (co, async_future_ref (chain->middle));
  chain->reached++;
  ASYNC_END (co);
}

static void
test_error_nested (void)
{
  Chain chain = { 0, 0, NULL };
  AsyncFuture *future = async_spawn (chain_outer, &chain, chain_destroy);
  const GError *error;

  test_await (future, 5);
  g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_REJECTED);
  error = async_future_get_error (future);
  g_assert_error (error, TEST_ERROR, 43);
  g_assert_cmpstr (error->message, ==, "deep failure");
  g_assert_cmpint (async_future_get_state (chain.middle), ==, ASYNC_FUTURE_REJECTED);
  g_assert_cmpint (chain.reached, ==, 0);
  /* Three coroutines, three frame destroys. */
  g_assert_cmpint (chain.destroyed, ==, 3);
  async_future_unref (chain.middle);
  async_future_unref (future);
}

static void
await_try (AsyncCoroutine *co,
           gpointer        data)
{
  Frame *self = data;
  GError *error = NULL;

  ASYNC_BEGIN (co);

  ASYNC_AWAIT_TRY (co, async_future_new_int (1), &error);
  g_assert_no_error (error);
  self->steps++;

  ASYNC_AWAIT_TRY (co, async_future_new_rejected (g_error_new (TEST_ERROR, 5, "caught")),
                   &error);
  g_assert_error (error, TEST_ERROR, 5);
  g_clear_error (&error);
  self->steps++;

  /* A pending one that the test rejects later. */
  ASYNC_AWAIT_TRY (co, async_future_ref (self->pending), &error);
  g_assert_error (error, TEST_ERROR, 9);
  g_clear_error (&error);
  self->steps++;

  /* The error may also be ignored with NULL. */
  ASYNC_AWAIT_TRY (co, async_future_new_rejected (g_error_new (TEST_ERROR, 6, "dropped")),
                   NULL);
  self->steps++;

  ASYNC_RETURN_INT (co, self->steps);
  ASYNC_END (co);
}

static void
test_error_try (void)
{
  gint destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  AsyncFuture *pending = async_future_new ();
  AsyncFuture *future;

  frame->pending = async_future_ref (pending);
  future = async_spawn (await_try, frame, frame_free);
  test_iterate_for (0.02);
  g_assert_cmpint (frame->steps, ==, 2);

  async_future_reject_literal (pending, TEST_ERROR, 9, "later");
  test_await (future, 5);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpint (async_future_get_int (future), ==, 4);
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (pending);
  async_future_unref (future);
}

/* ------------------------------------------------------------ returns */

static void
return_pointer (AsyncCoroutine *co,
                gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (0));
  ASYNC_RETURN (co, test_tracked_new (self->value_destroyed, 3), test_tracked_free);
  ASYNC_END (co);
}

static void
return_error (AsyncCoroutine *co,
              gpointer        data)
{
  ASYNC_BEGIN (co);
  ASYNC_RETURN_ERROR (co, g_error_new (TEST_ERROR, 77, "raised"));
  ASYNC_END (co);
}

static void
return_early (AsyncCoroutine *co,
              gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  if (self->steps == 0)
    ASYNC_RETURN_INT (co, -1);
  self->after_await = TRUE;
  ASYNC_END (co);
}

static void
test_returns (void)
{
  gint destroyed = 0;
  gint value_destroyed = 0;
  Frame *frame;
  AsyncFuture *future;
  TestTracked *value;

  /* ASYNC_RETURN hands its value to the future, which frees it. */
  frame = frame_new (&destroyed);
  frame->value_destroyed = &value_destroyed;
  future = async_spawn (return_pointer, frame, frame_free);
  test_await (future, 5);
  value = async_future_get_value (future);
  g_assert_nonnull (value);
  g_assert_cmpint (value->payload, ==, 3);
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_cmpint (value_destroyed, ==, 0);
  async_future_unref (future);
  g_assert_cmpint (value_destroyed, ==, 1);

  destroyed = 0;
  future = async_spawn (return_error, frame_new (&destroyed), frame_free);
  test_await (future, 5);
  g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_REJECTED);
  g_assert_error (async_future_get_error (future), TEST_ERROR, 77);
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (future);

  destroyed = 0;
  frame = frame_new (&destroyed);
  future = async_spawn (return_early, frame, frame_free);
  test_await (future, 5);
  g_assert_cmpint (async_future_get_int (future), ==, -1);
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (future);
}

/* ------------------------------------------------------------ cancellation */

static void
await_pending (AsyncCoroutine *co,
               gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  self->steps++;
  ASYNC_AWAIT (co, async_future_ref (self->pending));
  self->after_await = TRUE;
  ASYNC_RETURN_INT (co, 1);
  ASYNC_END (co);
}

static void
test_cancel_awaited (void)
{
  gint destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  AsyncFuture *pending = async_future_new ();
  AsyncFuture *future;

  frame->pending = async_future_ref (pending);
  future = async_spawn (await_pending, frame, frame_free);
  test_iterate_for (0.02);
  g_assert_cmpint (frame->steps, ==, 1);
  g_assert_true (async_future_is_pending (future));

  async_future_cancel (future);
  test_await (future, 5);
  /* What it awaited was cancelled, and so was the coroutine. */
  g_assert_true (async_future_is_cancelled (pending));
  g_assert_true (async_future_is_cancelled (future));
  g_assert_error (async_future_get_error (future), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (pending);
  async_future_unref (future);
}

static void
await_sleep_in_child (AsyncCoroutine *co,
                      gpointer        data)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (30));
  ASYNC_END (co);
}

static void
await_child (AsyncCoroutine *co,
             gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  self->awaited = async_spawn (await_sleep_in_child, frame_new (&self->child_destroyed),
                               frame_free);
  ASYNC_AWAIT (co, async_future_ref (self->awaited));
  self->after_await = TRUE;
  ASYNC_END (co);
}

static void
test_cancel_nested (void)
{
  gint destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  AsyncFuture *future = async_spawn (await_child, frame, frame_free);
  AsyncFuture *child;
  gint64 start;

  test_iterate_for (0.02);
  g_assert_nonnull (frame->awaited);
  child = async_future_ref (frame->awaited);

  /* The cancel goes down to the child coroutine and its sleep. */
  start = g_get_monotonic_time ();
  async_future_cancel (future);
  test_await (future, 5);
  g_assert_cmpfloat (test_elapsed (start), <, 5);
  g_assert_true (async_future_is_cancelled (future));
  g_assert_true (async_future_is_cancelled (child));
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (child);
  async_future_unref (future);
}

static void
catch_cancel (AsyncCoroutine *co,
              gpointer        data)
{
  Frame *self = data;
  GError *error = NULL;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT_TRY (co, async_future_ref (self->pending), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  self->after_await = TRUE;
  /* Having caught the cancellation it may go on awaiting, and return. */
  ASYNC_AWAIT (co, async_sleep (0));
  ASYNC_RETURN_INT (co, 5);
  ASYNC_END (co);
}

static void
test_cancel_caught (void)
{
  gint destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  AsyncFuture *pending = async_future_new ();
  AsyncFuture *future;

  frame->pending = async_future_ref (pending);
  future = async_spawn (catch_cancel, frame, frame_free);
  test_iterate_for (0.02);
  async_future_cancel (future);
  test_await (future, 5);
  g_assert_true (async_future_is_cancelled (pending));
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpint (async_future_get_int (future), ==, 5);
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (pending);
  async_future_unref (future);
}

typedef struct
{
  gint steps;
  gint destroyed;
} StepProbe;

static void
probe_steps (AsyncCoroutine *co,
             gpointer        data)
{
  StepProbe *probe = data;

  ASYNC_BEGIN (co);
  probe->steps++;
  ASYNC_AWAIT (co, async_sleep (0));
  probe->steps++;
  ASYNC_END (co);
}

static void
probe_destroy (gpointer data)
{
  StepProbe *probe = data;

  probe->destroyed++;
}

static void
test_cancel_before_start (void)
{
  StepProbe probe = { 0, 0 };
  AsyncFuture *future = async_spawn (probe_steps, &probe, probe_destroy);

  /* Cancelled by its spawner before the loop gave it a first step: the
   * body never runs (asyncio), and the frame is still destroyed once. */
  g_assert_true (async_future_cancel (future));
  test_await (future, 5);
  g_assert_true (async_future_is_cancelled (future));
  g_assert_cmpint (probe.steps, ==, 0);
  g_assert_cmpint (probe.destroyed, ==, 1);
  async_future_unref (future);
}

static AsyncFuture *
spawn_cancelled (StepProbe *probe)
{
  AsyncFuture *child = async_spawn (probe_steps, probe, probe_destroy);

  async_future_cancel (child);
  return child;
}

static void
spawn_and_cancel (AsyncCoroutine *co,
                  gpointer        data)
{
  StepProbe *probe = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT_TRY (co, spawn_cancelled (probe), NULL);
  ASYNC_END (co);
}

static void
test_cancel_before_start_in_loop (void)
{
  StepProbe probe = { 0, 0 };
  AsyncFuture *future = async_spawn (spawn_and_cancel, &probe, NULL);

  /* The same, from a coroutine running on the loop. */
  test_await (future, 5);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpint (probe.steps, ==, 0);
  g_assert_cmpint (probe.destroyed, ==, 1);
  async_future_unref (future);
}

static void
cancel_self (AsyncCoroutine *co,
             gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  async_future_cancel (async_coroutine_get_future (co));
  self->awaited = async_sleep (30);
  ASYNC_AWAIT (co, async_future_ref (self->awaited));
  self->after_await = TRUE;
  ASYNC_END (co);
}

static void
test_cancel_self (void)
{
  gint destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  AsyncFuture *future = async_spawn (cancel_self, frame, frame_free);

  /* As asyncio's task.cancel () from inside the task: the next await is
   * cancelled at once rather than waited out. */
  test_await (future, 5);
  g_assert_true (async_future_is_cancelled (future));
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (future);
}

typedef struct
{
  AsyncFuture *future;
  gboolean     done;
} CancelFromThread;

static gpointer
cancel_thread (gpointer data)
{
  CancelFromThread *request = data;

  async_future_cancel (request->future);
  return NULL;
}

static void
test_cancel_from_thread (void)
{
  gint destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  AsyncFuture *pending = async_future_new ();
  CancelFromThread request = { NULL, FALSE };
  GThread *thread;

  frame->pending = async_future_ref (pending);
  request.future = async_spawn (await_pending, frame, frame_free);
  test_iterate_for (0.02);

  thread = g_thread_new ("canceller", cancel_thread, &request);
  g_thread_join (thread);
  test_await (request.future, 5);
  g_assert_true (async_future_is_cancelled (request.future));
  g_assert_true (async_future_is_cancelled (pending));
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (pending);
  async_future_unref (request.future);
}

/* Cancelled while its resumption is already queued (what it awaited has
 * resolved): the request is delivered at that resumption, as asyncio does.
 * Both happen inside one step of another coroutine on the loop. */
typedef struct
{
  AsyncFuture *pending;
  AsyncFuture *target;
} ResolveAndCancel;

static void
resolve_and_cancel (AsyncCoroutine *co,
                    gpointer        data)
{
  ResolveAndCancel *request = data;

  ASYNC_BEGIN (co);
  async_future_resolve_int (request->pending, 1);
  async_future_cancel (request->target);
  ASYNC_END (co);
}

static void
test_cancel_while_ready (void)
{
  gint destroyed = 0;
  Frame *frame = frame_new (&destroyed);
  ResolveAndCancel request = { async_future_new (), NULL };
  AsyncFuture *helper;

  frame->pending = async_future_ref (request.pending);
  request.target = async_spawn (await_pending, frame, frame_free);
  test_iterate_for (0.02);

  helper = async_spawn (resolve_and_cancel, &request, NULL);
  test_await (request.target, 5);
  g_assert_true (async_future_is_cancelled (request.target));
  g_assert_cmpint (destroyed, ==, 1);
  test_await (helper, 5);
  async_future_unref (helper);
  async_future_unref (request.pending);
  async_future_unref (request.target);
}

/* ------------------------------------------------------------ lifetime */

static void
sleep_then_flag (AsyncCoroutine *co,
                 gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (0.02));
  *self->destroyed += 100;
  ASYNC_END (co);
}

static void
test_kept_alive (void)
{
  gint destroyed = 0;

  /* The caller drops the future at once; the runtime keeps the coroutine
   * running to its end, where the frame goes. */
  async_future_unref (async_spawn (sleep_then_flag, frame_new (&destroyed), frame_free));
  test_spin_until (&destroyed, 5);
  g_assert_cmpint (destroyed, ==, 101);
}

static void
record_id (AsyncCoroutine *co,
           gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  g_array_append_val (self->trace, self->id);
  ASYNC_AWAIT (co, async_sleep (0));
  g_array_append_val (self->trace, self->id);
  ASYNC_END (co);
}

static void
test_spawn_order (void)
{
  GArray *trace = g_array_new (FALSE, FALSE, sizeof (gint));
  gint destroyed = 0;
  AsyncFuture *futures[3];
  const gint expected[] = { 0, 1, 2, 0, 1, 2 };
  gint i;

  /* Spawned coroutines take their first step in spawn order, on later
   * turns; each yield lets the others run. */
  for (i = 0; i < 3; i++)
    {
      Frame *frame = frame_new (&destroyed);

      frame->trace = trace;
      frame->id = i;
      futures[i] = async_spawn (record_id, frame, frame_free);
    }
  g_assert_cmpuint (trace->len, ==, 0);
  for (i = 0; i < 3; i++)
    test_await (futures[i], 5);
  g_assert_cmpuint (trace->len, ==, G_N_ELEMENTS (expected));
  for (i = 0; i < (gint) G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (g_array_index (trace, gint, i), ==, expected[i]);
  g_assert_cmpint (destroyed, ==, 3);
  for (i = 0; i < 3; i++)
    async_future_unref (futures[i]);
  g_array_unref (trace);
}

/* ----------------------------------------- asyncio's must_cancel (item 13) */

static void
cancel_self_then_return (AsyncCoroutine *co,
                         gpointer        data)
{
  ASYNC_BEGIN (co);
  async_future_cancel (async_coroutine_get_future (co));
  ASYNC_RETURN (co, g_strdup ("never seen"), g_free);
  ASYNC_END (co);
}

/* test_cancel_at_end: cancelled right before it returns, having never seen
 * the cancellation: it ends cancelled and its value is dropped. */
static void
test_cancel_at_end (void)
{
  AsyncFuture *future = async_spawn (cancel_self_then_return, NULL, NULL);

  test_await (future, 5);
  g_assert_true (async_future_is_cancelled (future));
  async_future_unref (future);
}

static void
swallow_cancel (AsyncCoroutine *co,
                gpointer        data)
{
  GError *error = NULL;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT_TRY (co, async_sleep (30), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_error_free (error);
  ASYNC_RETURN_INT (co, 42);
  ASYNC_END (co);
}

static void
await_swallower (AsyncCoroutine *co,
                 gpointer        data)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_spawn (swallow_cancel, NULL, NULL));
  ASYNC_RETURN_INT (co, async_coroutine_get_int (co) + 1);
  ASYNC_END (co);
}

/* The awaited task took the cancellation and returned a value: the
 * awaiting coroutine goes on with it, as a Python task does. */
static void
test_cancel_swallowed_by_awaited (void)
{
  AsyncFuture *future = async_spawn (await_swallower, NULL, NULL);

  test_iterate_for (0.01);
  g_assert_true (async_future_cancel (future));
  test_await (future, 5);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpint (async_future_get_int (future), ==, 43);
  async_future_unref (future);
}

/* A cancellation caught with ASYNC_AWAIT_TRY may be followed by a value. */
static void
test_cancel_caught_may_return (void)
{
  AsyncFuture *future = async_spawn (swallow_cancel, NULL, NULL);

  test_iterate_for (0.01);
  async_future_cancel (future);
  test_await (future, 5);
  g_assert_cmpint (async_future_get_int (future), ==, 42);
  async_future_unref (future);
}

/* ---------------------------------------------- awaits anywhere (item 15) */

typedef struct
{
  guint  state;
  gint64 sum;
} Machine;

static void
await_in_switch (AsyncCoroutine *co,
                 gpointer        data)
{
  Machine *self = data;

  ASYNC_BEGIN (co);
  for (self->state = 0; self->state < 3; self->state++)
    {
      switch (self->state)
        {
        case 0:
          ASYNC_AWAIT (co, async_future_new_int (1));
          self->sum += async_coroutine_get_int (co);
          break;
        case 1:
          ASYNC_AWAIT (co, async_sleep (0.001));
          self->sum += 10;
          break;
        default:
          ASYNC_AWAIT (co, async_sleep (0));
          self->sum += 100;
          break;
        }
    }
  /* Two awaits on one line. */
  ASYNC_AWAIT (co, async_sleep (0)); ASYNC_AWAIT (co, async_future_new_int (1000));
  self->sum += async_coroutine_get_int (co);
  ASYNC_RETURN_INT (co, self->sum);
  ASYNC_END (co);
}

static void
test_await_inside_switch (void)
{
  AsyncFuture *future = async_spawn (await_in_switch, g_new0 (Machine, 1), g_free);

  test_await (future, 5);
  g_assert_cmpint (async_future_get_int (future), ==, 1111);
  async_future_unref (future);
}

/* ------------------------------------- a typed frame, allocated (item 17) */

typedef struct
{
  const char *greeting;
  guint       count;
} Greeter;

ASYNC_DEFINE_COROUTINE (greet, Greeter)
{
  ASYNC_BEGIN (co);
  for (; self->count < 3; self->count++)
    ASYNC_AWAIT (co, async_sleep (0));
  ASYNC_RETURN (co, g_strdup_printf ("%s %u", self->greeting != NULL ? self->greeting : "nobody", self->count), g_free);
  ASYNC_END (co);
}

static void
test_typed_frame (void)
{
  AsyncFuture *future = async_spawn_with (greet, Greeter, .greeting = "hello");
  AsyncFuture *zeros = async_spawn_with (greet, Greeter, 0);

  test_await (future, 5);
  test_await (zeros, 5);
  g_assert_cmpstr (async_future_get_value (future), ==, "hello 3");
  g_assert_cmpstr (async_future_get_value (zeros), ==, "nobody 3");
  async_future_unref (future);
  async_future_unref (zeros);
}

/* ------------------------------------ x, y = await gather (…) (item 18) */

typedef struct
{
  gint64  x;
  char   *y;
} Pair;

static void
gather_pair (AsyncCoroutine *co,
             gpointer        data)
{
  Pair *self = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_gather (async_future_new_int (5),
                                 async_future_new_resolved (g_strdup ("five"), g_free)));
  self->x = async_coroutine_get_gathered_int (co, 0);
  self->y = async_coroutine_steal_gathered_value (co, 1);
  g_assert_null (async_coroutine_get_gathered_value (co, 1));
  ASYNC_END (co);
}

static void
test_gathered_accessors (void)
{
  Pair pair = { 0, NULL };
  AsyncFuture *future = async_spawn (gather_pair, &pair, NULL);

  test_await (future, 5);
  g_assert_cmpint (pair.x, ==, 5);
  g_assert_cmpstr (pair.y, ==, "five");
  g_free (pair.y);
  async_future_unref (future);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/coro/straight-line", test_straight_line);
  g_test_add_func ("/coro/get-future", test_get_future);
  g_test_add_func ("/coro/await/values", test_await_values);
  g_test_add_func ("/coro/await/loop-locals", test_loop_locals);
  g_test_add_func ("/coro/error/nested", test_error_nested);
  g_test_add_func ("/coro/error/try", test_error_try);
  g_test_add_func ("/coro/return", test_returns);
  g_test_add_func ("/coro/cancel/awaited", test_cancel_awaited);
  g_test_add_func ("/coro/cancel/nested", test_cancel_nested);
  g_test_add_func ("/coro/cancel/caught", test_cancel_caught);
  g_test_add_func ("/coro/cancel/before-start", test_cancel_before_start);
  g_test_add_func ("/coro/cancel/before-start-in-loop", test_cancel_before_start_in_loop);
  g_test_add_func ("/coro/cancel/self", test_cancel_self);
  g_test_add_func ("/coro/cancel/from-thread", test_cancel_from_thread);
  g_test_add_func ("/coro/cancel/while-ready", test_cancel_while_ready);
  g_test_add_func ("/coro/cancel/at-end", test_cancel_at_end);
  g_test_add_func ("/coro/cancel/swallowed-by-awaited", test_cancel_swallowed_by_awaited);
  g_test_add_func ("/coro/cancel/caught-may-return", test_cancel_caught_may_return);
  g_test_add_func ("/coro/await/inside-switch-and-two-on-a-line", test_await_inside_switch);
  g_test_add_func ("/coro/frame/typed", test_typed_frame);
  g_test_add_func ("/coro/gathered/one-line-per-result", test_gathered_accessors);
  g_test_add_func ("/coro/spawn/kept-alive", test_kept_alive);
  g_test_add_func ("/coro/spawn/order", test_spawn_order);

  return g_test_run ();
}
