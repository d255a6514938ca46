/* test-as-completed.c: asyncio.as_completed() with 3.13's semantics: the
 * futures given come back, in the order they complete; and its time-out.
 * Mirrors CPython's test_tasks.py test_as_completed,
 * test_as_completed_with_timeout, test_as_completed_with_unused_timeout
 * and test_as_completed_reverse_wait. */

#include "config.h"

#include "test-util.h"

/* The input future the next step resolves with, borrowed. */
static AsyncFuture *
next_input (AsyncAsCompleted *it)
{
  AsyncFuture *next = async_as_completed_next (it);
  AsyncFuture *input;

  test_await (next, 5);
  g_assert_true (async_future_is_resolved (next));
  input = async_future_get_value (next);
  g_assert_false (async_future_is_pending (input));
  /* The iterator's reference goes with `next`; keep one for the test. */
  async_future_ref (input);
  async_future_unref (next);
  async_future_unref (input);
  return input;
}

/* The inputs themselves come back, in the order they settle, not the order
 * given; next () asked for before anything settled waits. */
static void
test_completion_order (void)
{
  AsyncFuture *a = async_future_new ();
  AsyncFuture *b = async_future_new ();
  AsyncFuture *c = async_future_new ();
  AsyncFuture *inputs[3] = { async_future_ref (a), async_future_ref (b), async_future_ref (c) };
  g_autoptr (AsyncAsCompleted) it = async_as_completed_new (inputs, 3, ASYNC_TIMEOUT_INFINITE);
  AsyncFuture *first = async_as_completed_next (it);

  test_iterate_pending ();
  g_assert_true (async_future_is_pending (first));
  async_future_resolve_int (b, 2);
  test_await (first, 5);
  g_assert_true (async_future_get_value (first) == b);
  async_future_unref (first);

  async_future_reject (c, g_error_new_literal (TEST_ERROR, 1, "c failed"));
  async_future_resolve_int (a, 1);
  g_assert_true (async_as_completed_has_next (it));
  g_assert_true (next_input (it) == c);
  g_assert_true (next_input (it) == a);
  g_assert_false (async_as_completed_has_next (it));
  g_assert_error ((GError *) async_future_get_error (c), TEST_ERROR, 1);

  async_future_unref (a);
  async_future_unref (b);
  async_future_unref (c);
}

/* Futures that have settled already come back in the order given. */
static void
test_settled_already (void)
{
  AsyncFuture *inputs[2] = { async_future_new_int (1), async_future_new_int (2) };
  AsyncFuture *one = inputs[0], *two = inputs[1];
  g_autoptr (AsyncAsCompleted) it = NULL;

  async_future_ref (one);
  async_future_ref (two);
  it = async_as_completed_new (inputs, 2, ASYNC_TIMEOUT_INFINITE);
  g_assert_true (next_input (it) == one);
  g_assert_true (next_input (it) == two);
  g_assert_false (async_as_completed_has_next (it));
  async_future_unref (one);
  async_future_unref (two);
}

/* test_as_completed_with_timeout: what completed in time comes back; then
 * the time-out, no earlier than asked; what is still running is not
 * cancelled. */
static void
test_timeout_rejects_next (void)
{
  AsyncFuture *quick = async_future_new_int (1);
  AsyncFuture *never = async_future_new ();
  AsyncFuture *inputs[2] = { async_future_ref (quick), async_future_ref (never) };
  gint64 start = g_get_monotonic_time ();
  g_autoptr (AsyncAsCompleted) it = async_as_completed_new (inputs, 2, 0.05);
  AsyncFuture *next;

  g_assert_true (next_input (it) == quick);
  g_assert_true (async_as_completed_has_next (it));
  next = async_as_completed_next (it);
  test_await (next, 5);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.05);
  g_assert_error ((GError *) async_future_get_error (next), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_false (async_as_completed_has_next (it));
  g_assert_true (async_future_is_pending (never));
  async_future_unref (next);
  async_future_unref (quick);
  async_future_unref (never);
}

/* The time-out passed while nobody asked: the next call reports it. */
static void
test_timeout_reported_to_next_call (void)
{
  AsyncFuture *never = async_future_new ();
  AsyncFuture *inputs[1] = { async_future_ref (never) };
  g_autoptr (AsyncAsCompleted) it = async_as_completed_new (inputs, 1, 0.01);
  AsyncFuture *next;

  test_iterate_for (0.03);
  g_assert_true (async_as_completed_has_next (it));
  next = async_as_completed_next (it);
  g_assert_error ((GError *) async_future_get_error (next), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_false (async_as_completed_has_next (it));
  async_future_unref (next);
  async_future_unref (never);
}

/* test_as_completed_with_unused_timeout: everything in time, no error. */
static void
test_timeout_unused (void)
{
  AsyncFuture *a = async_future_new ();
  AsyncFuture *inputs[1] = { async_future_ref (a) };
  g_autoptr (AsyncAsCompleted) it = async_as_completed_new (inputs, 1, 10);
  AsyncFuture *next = async_as_completed_next (it);
  gint64 start = g_get_monotonic_time ();

  async_future_resolve_int (a, 3);
  test_await (next, 5);
  g_assert_true (async_future_get_value (next) == a);
  g_assert_cmpfloat (test_elapsed (start), <, 5);
  g_assert_false (async_as_completed_has_next (it));
  async_future_unref (next);
  async_future_unref (a);
}

/* Freeing the iterator early cancels a pending next () and leaves the
 * inputs running. */
static void
test_free_early (void)
{
  AsyncFuture *never = async_future_new ();
  AsyncFuture *inputs[1] = { async_future_ref (never) };
  AsyncAsCompleted *it = async_as_completed_new (inputs, 1, 1);
  AsyncFuture *next = async_as_completed_next (it);

  async_as_completed_free (it);
  g_assert_true (async_future_is_cancelled (next));
  g_assert_true (async_future_is_pending (never));
  async_future_resolve_int (never, 1);
  test_iterate_pending ();
  async_future_unref (next);
  async_future_unref (never);
}

static void
test_empty (void)
{
  g_autoptr (AsyncAsCompleted) it = async_as_completed_new (NULL, 0, ASYNC_TIMEOUT_INFINITE);

  g_assert_false (async_as_completed_has_next (it));
}

/* Programming errors: criticals and harmless returns (docs/bad-input.md). */
static void
test_bad_input (void)
{
  AsyncFuture *inputs[1] = { async_future_new_int (1) };
  AsyncFuture *waits[1] = { async_future_new_int (1) };
  g_autoptr (AsyncAsCompleted) it = NULL;

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*isnan*");
  g_assert_null (async_as_completed_new (inputs, 1, NAN));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*isnan*");
  g_assert_null (async_wait_full (ASYNC_WAIT_ALL_COMPLETED, NAN, waits, 1));
  g_test_assert_expected_messages ();

  it = async_as_completed_new (inputs, 1, ASYNC_TIMEOUT_INFINITE);
  {
    AsyncFuture *next = async_as_completed_next (it);

    test_await (next, 5);
    async_future_unref (next);
  }
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*has_next*");
  g_assert_null (async_as_completed_next (it));
  g_test_assert_expected_messages ();
  async_future_unref (waits[0]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/as-completed/order/completion-order", test_completion_order);
  g_test_add_func ("/as-completed/order/settled-already", test_settled_already);
  g_test_add_func ("/as-completed/timeout/rejects-next", test_timeout_rejects_next);
  g_test_add_func ("/as-completed/timeout/reported-to-next-call", test_timeout_reported_to_next_call);
  g_test_add_func ("/as-completed/timeout/unused", test_timeout_unused);
  g_test_add_func ("/as-completed/free-early", test_free_early);
  g_test_add_func ("/as-completed/empty", test_empty);
  g_test_add_func ("/as-completed/bad-input/criticals", test_bad_input);

  return g_test_run ();
}
