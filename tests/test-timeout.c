/* test-timeout.c: AsyncTimeout, asyncio.timeout() and timeout_at(). Each
 * case names the CPython test (Lib/test/test_asyncio/test_timeouts.py) it
 * mirrors. Timers assert lower bounds only. */

#include "config.h"

#include "test-util.h"

typedef enum
{
  BODY_AWAIT,          /* ASYNC_AWAIT (never): the scope ends as the body does */
  BODY_TRY_AND_END,    /* ASYNC_AWAIT_TRY (never), then async_timeout_end () */
  BODY_YIELD_AND_END,  /* a quick await, then async_timeout_end () */
  BODY_CANCEL_SELF,    /* cancels itself, then ASYNC_AWAIT (never) */
  BODY_YIELD_THEN_AWAIT,  /* a quick await, then ASYNC_AWAIT (never) */
  BODY_NESTED,         /* an inner scope of 0.01 s inside, caught and ended */
} Body;

typedef struct
{
  Body          body;
  double        seconds;
  gint64        at;           /* used when seconds is NAN */
  AsyncFuture  *never;        /* a reference; never settled by the test */
  AsyncTimeout *scope;        /* a reference, the test's */
  AsyncTimeout *inner;
  GError       *error;
  GError       *inner_error;
  gboolean      end_ok;
  gboolean      inner_end_ok;
  gint          after;        /* steps after the scope */
} Scoped;

static void
scoped_free (gpointer data)
{
  Scoped *self = data;

  g_clear_pointer (&self->never, async_future_unref);
  g_clear_pointer (&self->inner, async_timeout_unref);
}

static void
scoped_clear (Scoped *self)
{
  g_clear_pointer (&self->scope, async_timeout_unref);
  g_clear_error (&self->error);
  g_clear_error (&self->inner_error);
}

ASYNC_DEFINE_COROUTINE (scoped, Scoped)
{
  ASYNC_BEGIN (co);
  if (isnan (self->seconds))
    self->scope = async_timeout_new_at (co, self->at);
  else
    self->scope = async_timeout_new (co, self->seconds);

  switch (self->body)
    {
    case BODY_AWAIT:
      ASYNC_AWAIT (co, async_future_ref (self->never));
      break;
    case BODY_TRY_AND_END:
      ASYNC_AWAIT_TRY (co, async_future_ref (self->never), &self->error);
      g_assert_error (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      /* test_timeout_expiring: an expiring scope cannot be moved. */
      g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*TIMEOUT_ENTERED*");
      async_timeout_reschedule (self->scope, g_get_monotonic_time () + G_USEC_PER_SEC);
      g_test_assert_expected_messages ();
      self->end_ok = async_timeout_end (self->scope, &self->error);
      break;
    case BODY_YIELD_AND_END:
      ASYNC_YIELD (co);
      self->end_ok = async_timeout_end (self->scope, &self->error);
      break;
    case BODY_CANCEL_SELF:
      async_future_cancel (async_coroutine_get_future (co));
      ASYNC_AWAIT (co, async_future_ref (self->never));
      break;
    case BODY_YIELD_THEN_AWAIT:
      ASYNC_YIELD (co);
      self->after++;
      ASYNC_AWAIT (co, async_future_ref (self->never));
      break;
    case BODY_NESTED:
      self->inner = async_timeout_new (co, 0.01);
      ASYNC_AWAIT_TRY (co, async_future_ref (self->never), &self->inner_error);
      self->inner_end_ok = async_timeout_end (self->inner, &self->inner_error);
      self->end_ok = async_timeout_end (self->scope, &self->error);
      break;
    default:
      g_assert_not_reached ();
    }
  self->after++;
  ASYNC_RETURN_INT (co, 1);
  ASYNC_END (co);
}

static AsyncFuture *
scoped_spawn (Scoped *frame)
{
  if (frame->never == NULL)
    frame->never = async_future_new ();
  return async_spawn (scoped, frame, scoped_free);
}

/* test_timeout_basic, test_outer_task_is_not_cancelled: at the deadline
 * the await is cancelled and the coroutine ends timed out, not cancelled. */
static void
test_expires_times_out (void)
{
  Scoped frame = { .body = BODY_AWAIT, .seconds = 0.01 };
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *task = scoped_spawn (&frame);
  AsyncFuture *never = async_future_ref (frame.never);

  test_await (task, 5);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.01);
  g_assert_true (async_future_is_rejected (task));
  g_assert_false (async_future_is_cancelled (task));
  g_assert_error ((GError *) async_future_get_error (task), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (async_future_is_cancelled (never));
  g_assert_true (async_timeout_expired (frame.scope));
  g_assert_cmpint (frame.after, ==, 0);
  scoped_clear (&frame);
  async_future_unref (never);
  async_future_unref (task);
}

/* One deadline over several awaits: the first ends in time, the second is
 * the one cancelled. */
static void
test_expires_over_several_awaits (void)
{
  Scoped frame = { .body = BODY_YIELD_THEN_AWAIT, .seconds = 0.02 };
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *task = scoped_spawn (&frame);

  test_await (task, 5);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.02);
  g_assert_cmpint (frame.after, ==, 1);
  g_assert_error ((GError *) async_future_get_error (task), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  scoped_clear (&frame);
  async_future_unref (task);
}

/* test_timeout_expiring: caught with ASYNC_AWAIT_TRY, the cancellation
 * becomes a time-out at async_timeout_end (), and the body goes on. */
static void
test_end_turns_cancel_into_timeout (void)
{
  Scoped frame = { .body = BODY_TRY_AND_END, .seconds = 0.01 };
  AsyncFuture *task = scoped_spawn (&frame);

  test_await (task, 5);
  g_assert_false (frame.end_ok);
  g_assert_error (frame.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (async_future_get_int (task), ==, 1);
  /* The scope took its own request back. */
  g_assert_cmpuint (async_coroutine_cancelling (async_coroutine_from_future (task)), ==, 0);
  scoped_clear (&frame);
  async_future_unref (task);
}

/* test_timeout_not_expired: in time, nothing happens, and the timer is
 * gone (the coroutine ends long before the deadline). */
static void
test_not_expired (void)
{
  Scoped frame = { .body = BODY_YIELD_AND_END, .seconds = 10 };
  AsyncFuture *task = scoped_spawn (&frame);

  test_await (task, 5);
  g_assert_true (frame.end_ok);
  g_assert_no_error (frame.error);
  g_assert_false (async_timeout_expired (frame.scope));
  g_assert_cmpint (async_future_get_int (task), ==, 1);
  scoped_clear (&frame);
  async_future_unref (task);
}

/* test_timeout_zero_sleep_zero, test_timeout_in_the_past_sleep_zero: a
 * deadline that has passed expires on the next turn, even around a
 * yield. */
static void
test_past_deadline_next_turn (void)
{
  Scoped zero = { .body = BODY_YIELD_THEN_AWAIT, .seconds = 0 };
  Scoped past = { .body = BODY_YIELD_THEN_AWAIT, .seconds = NAN };
  gint64 before = g_get_monotonic_time ();
  AsyncFuture *task;

  task = scoped_spawn (&zero);
  test_await (task, 5);
  g_assert_error ((GError *) async_future_get_error (task), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (zero.after, ==, 0);
  g_assert_true (async_timeout_expired (zero.scope));
  g_assert_cmpint (async_timeout_get_when (zero.scope), >=, before);
  g_assert_cmpint (async_timeout_get_when (zero.scope), <=, g_get_monotonic_time ());
  scoped_clear (&zero);
  async_future_unref (task);

  past.at = g_get_monotonic_time () - 11 * G_USEC_PER_SEC;
  task = scoped_spawn (&past);
  test_await (task, 5);
  g_assert_error ((GError *) async_future_get_error (task), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (past.after, ==, 0);
  g_assert_cmpint (async_timeout_get_when (past.scope), ==, past.at);
  scoped_clear (&past);
  async_future_unref (task);
}

/* test_foreign_cancel_doesnt_timeout_if_not_expired: a cancellation from
 * elsewhere stays a cancellation. */
static void
test_outside_cancel_stays_cancelled (void)
{
  Scoped frame = { .body = BODY_CANCEL_SELF, .seconds = 10 };
  AsyncFuture *task = scoped_spawn (&frame);

  test_await (task, 5);
  g_assert_true (async_future_is_cancelled (task));
  g_assert_false (async_timeout_expired (frame.scope));
  scoped_clear (&frame);
  async_future_unref (task);
}

/* test_cancel_in_timeout_after_cancellation: the deadline passed, but
 * another request came too (uncancel () > the count at the start): the
 * coroutine ends cancelled, not timed out. */
static void
test_outside_cancel_after_deadline_stays_cancelled (void)
{
  Scoped frame = { .body = BODY_CANCEL_SELF, .seconds = 0 };
  AsyncFuture *task = scoped_spawn (&frame);

  test_await (task, 5);
  g_assert_true (async_timeout_expired (frame.scope));
  g_assert_true (async_future_is_cancelled (task));
  scoped_clear (&frame);
  async_future_unref (task);
}

/* test_reschedule; and a deadline moved into the past expires on the next
 * turn. */
static void
test_reschedule (void)
{
  Scoped frame = { .body = BODY_AWAIT, .seconds = NAN };
  gint64 deadline1 = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint64 deadline2 = deadline1 + 20 * G_USEC_PER_SEC;
  AsyncFuture *task;

  frame.at = deadline1;
  task = scoped_spawn (&frame);
  test_iterate_pending ();
  g_assert_nonnull (frame.scope);
  g_assert_cmpint (async_timeout_get_when (frame.scope), ==, deadline1);
  async_timeout_reschedule (frame.scope, deadline2);
  g_assert_cmpint (async_timeout_get_when (frame.scope), ==, deadline2);
  async_timeout_reschedule (frame.scope, ASYNC_TIMEOUT_NEVER);
  g_assert_cmpint (async_timeout_get_when (frame.scope), ==, ASYNC_TIMEOUT_NEVER);
  async_future_cancel (task);
  test_await (task, 5);
  g_assert_true (async_future_is_cancelled (task));
  g_assert_false (async_timeout_expired (frame.scope));
  /* test_timeout_finished: a scope that ended cannot be moved. */
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*TIMEOUT_ENTERED*");
  async_timeout_reschedule (frame.scope, deadline1);
  g_test_assert_expected_messages ();
  scoped_clear (&frame);
  async_future_unref (task);

  frame = (Scoped) { .body = BODY_AWAIT, .seconds = ASYNC_TIMEOUT_INFINITE };
  task = scoped_spawn (&frame);
  test_iterate_pending ();
  g_assert_cmpint (async_timeout_get_when (frame.scope), ==, ASYNC_TIMEOUT_NEVER);
  async_timeout_reschedule (frame.scope, g_get_monotonic_time () - 1);
  test_await (task, 5);
  g_assert_error ((GError *) async_future_get_error (task), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  scoped_clear (&frame);
  async_future_unref (task);
}

/* test_nested_timeouts_loop_busy's inner half: the inner scope's deadline
 * is the inner scope's time-out; the outer one has not expired. */
static void
test_nested_inner_fires (void)
{
  Scoped frame = { .body = BODY_NESTED, .seconds = 10 };
  AsyncFuture *task = scoped_spawn (&frame);

  test_await (task, 5);
  g_assert_false (frame.inner_end_ok);
  g_assert_error (frame.inner_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (frame.end_ok);
  g_assert_false (async_timeout_expired (frame.scope));
  g_assert_cmpint (async_future_get_int (task), ==, 1);
  scoped_clear (&frame);
  async_future_unref (task);
}

/* test_timeout_taskgroup: a group inside a scope, whose child fails while
 * it handles the cancellation: the group's error comes out, not a
 * time-out (only a cancellation becomes one). */
typedef struct
{
  AsyncTimeout   *scope;
  AsyncTaskGroup *group;
  AsyncFuture    *never;
} ScopedGroup;

static void
scoped_group_free (gpointer data)
{
  ScopedGroup *self = data;

  g_clear_pointer (&self->scope, async_timeout_unref);
  g_clear_pointer (&self->group, async_task_group_unref);
  g_clear_pointer (&self->never, async_future_unref);
  g_free (self);
}

typedef struct
{
  AsyncFuture *never;
  GError      *error;
} Crasher;

static void
crasher_free (gpointer data)
{
  Crasher *self = data;

  g_clear_pointer (&self->never, async_future_unref);
  g_clear_error (&self->error);
  g_free (self);
}

ASYNC_DEFINE_COROUTINE (crash_in_cleanup, Crasher)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT_TRY (co, async_future_ref (self->never), &self->error);
  ASYNC_RETURN_ERROR (co, g_error_new (TEST_ERROR, 7, "crash in cleanup"));
  ASYNC_END (co);
}

ASYNC_DEFINE_COROUTINE (scoped_group, ScopedGroup)
{
  ASYNC_BEGIN (co);
  self->scope = async_timeout_new (co, 0.01);
  self->group = async_task_group_new (co);
  async_task_group_spawn (self->group, crash_in_cleanup,
                          g_memdup2 (&(Crasher) { async_future_ref (self->never), NULL }, sizeof (Crasher)),
                          crasher_free);
  ASYNC_AWAIT (co, async_future_ref (self->never));
  ASYNC_END (co);
}

static void
test_task_group_inside (void)
{
  ScopedGroup *frame = g_new0 (ScopedGroup, 1);
  AsyncFuture *task;
  const GError *error;

  frame->never = async_future_new ();
  task = async_spawn (scoped_group, frame, scoped_group_free);
  test_await (task, 5);
  error = async_future_get_error (task);
  g_assert_error ((GError *) error, ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  g_assert_cmpuint (async_task_group_error_get_errors (error)->len, ==, 1);
  async_future_unref (task);
}

/* Programming errors: criticals and harmless returns (docs/bad-input.md);
 * an infinite delay is no error. */
typedef struct
{
  gboolean checked;
} BadInput;

ASYNC_DEFINE_COROUTINE (bad_input, BadInput)
{
  AsyncTimeout *scope;

  ASYNC_BEGIN (co);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*isnan*");
  g_assert_null (async_timeout_new (co, NAN));
  g_test_assert_expected_messages ();
  scope = async_timeout_new (co, INFINITY);
  g_assert_cmpint (async_timeout_get_when (scope), ==, ASYNC_TIMEOUT_NEVER);
  g_assert_true (async_timeout_end (scope, NULL));
  async_timeout_unref (scope);
  self->checked = TRUE;
  ASYNC_END (co);
}

static void
test_bad_input (void)
{
  BadInput frame = { FALSE };
  AsyncFuture *task;

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*co != NULL*");
  g_assert_null (async_timeout_new_at (NULL, 0));
  g_test_assert_expected_messages ();
  task = async_spawn (bad_input, &frame, NULL);
  test_await (task, 5);
  g_assert_true (frame.checked);
  async_future_unref (task);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/timeout/expires/times-out-the-await", test_expires_times_out);
  g_test_add_func ("/timeout/expires/over-several-awaits", test_expires_over_several_awaits);
  g_test_add_func ("/timeout/end/turns-its-cancel-into-timeout", test_end_turns_cancel_into_timeout);
  g_test_add_func ("/timeout/not-expired", test_not_expired);
  g_test_add_func ("/timeout/past-deadline/next-turn", test_past_deadline_next_turn);
  g_test_add_func ("/timeout/outside-cancel/stays-cancelled", test_outside_cancel_stays_cancelled);
  g_test_add_func ("/timeout/outside-cancel/after-deadline-stays-cancelled",
                   test_outside_cancel_after_deadline_stays_cancelled);
  g_test_add_func ("/timeout/reschedule", test_reschedule);
  g_test_add_func ("/timeout/nested/inner-fires", test_nested_inner_fires);
  g_test_add_func ("/timeout/task-group-inside", test_task_group_inside);
  g_test_add_func ("/timeout/bad-input/criticals-and-infinity", test_bad_input);

  return g_test_run ();
}
