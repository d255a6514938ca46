/* test-gather.c: async_gather (): results in argument order whatever the
 * settle order, the three ways of treating errors, cancellation reaching
 * every child, and ownership of the children (nothing leaked). */

#include "config.h"

#include "test-util.h"

typedef struct
{
  gint64 value;
  double delay;
  gint  *destroyed;
} Child;

static void
child_free (gpointer data)
{
  Child *child = data;

  if (child->destroyed != NULL)
    (*child->destroyed)++;
  g_free (child);
}

static void
sleep_then_return (AsyncCoroutine *co,
                   gpointer        data)
{
  Child *self = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (self->delay));
  ASYNC_RETURN_INT (co, self->value);
  ASYNC_END (co);
}

static AsyncFuture *
spawn_child (gint64  value,
             double  delay,
             gint   *destroyed)
{
  Child *child = g_new0 (Child, 1);

  child->value = value;
  child->delay = delay;
  child->destroyed = destroyed;
  return async_spawn (sleep_then_return, child, child_free);
}

static void
test_order_settled_reversed (void)
{
  AsyncFuture *children[4];
  AsyncFuture *gathered;
  GPtrArray *results;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (children); i++)
    children[i] = async_future_new ();
  gathered = async_gather (async_future_ref (children[0]), async_future_ref (children[1]),
                           async_future_ref (children[2]), async_future_ref (children[3]),
                           NULL);

  /* Settled in the order 3, 1, 0, 2, with a turn of the loop between. */
  async_future_resolve_int (children[3], 30);
  test_iterate_pending ();
  async_future_resolve_int (children[1], 10);
  test_iterate_pending ();
  async_future_resolve_int (children[0], 0);
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (gathered));
  async_future_resolve_int (children[2], 20);

  test_await (gathered, 5);
  g_assert_true (async_future_is_resolved (gathered));
  for (i = 0; i < G_N_ELEMENTS (children); i++)
    {
      AsyncFuture *result = async_gather_get_result (gathered, i);

      g_assert_true (result == children[i]);
      g_assert_cmpint (async_future_get_int (result), ==, i * 10);
    }
  results = async_future_get_value (gathered);
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, G_N_ELEMENTS (children));
  for (i = 0; i < G_N_ELEMENTS (children); i++)
    g_assert_true (g_ptr_array_index (results, i) == children[i]);

  async_future_unref (gathered);
  for (i = 0; i < G_N_ELEMENTS (children); i++)
    async_future_unref (children[i]);
}

static void
test_order_coroutines (void)
{
  gint destroyed = 0;
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *gathered;

  /* The tutorial's gather: concurrent coroutines, each sleeping; the last one
   * given finishes first. */
  gathered = async_gather (spawn_child (1, 0.3, &destroyed),
                           spawn_child (2, 0.2, &destroyed),
                           spawn_child (3, 0.1, &destroyed),
                           NULL);
  test_await (gathered, 5);
  g_assert_true (async_future_is_resolved (gathered));
  g_assert_cmpint (async_future_get_int (async_gather_get_result (gathered, 0)), ==, 1);
  g_assert_cmpint (async_future_get_int (async_gather_get_result (gathered, 1)), ==, 2);
  g_assert_cmpint (async_future_get_int (async_gather_get_result (gathered, 2)), ==, 3);
  /* Concurrent: as long as the slowest, not the sum. */
  g_assert_cmpfloat (test_elapsed (start), >=, 0.3);
  g_assert_cmpfloat (test_elapsed (start), <, 0.3 + 0.2 + 0.1);
  g_assert_cmpint (destroyed, ==, 3);
  async_future_unref (gathered);
}

static void
test_first_error (void)
{
  AsyncFuture *a = async_future_new ();
  AsyncFuture *b = async_future_new ();
  AsyncFuture *c = async_future_new ();
  AsyncFuture *gathered;

  gathered = async_gather (async_future_ref (a), async_future_ref (b),
                           async_future_ref (c), NULL);
  async_future_reject_literal (b, TEST_ERROR, 2, "b failed");
  test_await (gathered, 5);

  g_assert_cmpint (async_future_get_state (gathered), ==, ASYNC_FUTURE_REJECTED);
  g_assert_error (async_future_get_error (gathered), TEST_ERROR, 2);
  g_assert_cmpstr (async_future_get_error (gathered)->message, ==, "b failed");

  /* The siblings run on, untouched. */
  test_iterate_for (0.02);
  g_assert_true (async_future_is_pending (a));
  g_assert_true (async_future_is_pending (c));
  async_future_resolve_int (a, 1);

  /* A later error changes nothing, and counts as retrieved by the gather
   * (asyncio): freeing it does not warn, which would abort this test. */
  async_future_reject_literal (c, TEST_ERROR, 3, "c failed too");
  test_iterate_for (0.02);
  g_assert_error (async_future_get_error (gathered), TEST_ERROR, 2);

  async_future_unref (gathered);
  async_future_unref (a);
  async_future_unref (b);
  async_future_unref (c);
  test_iterate_pending ();
}

static void
test_first_error_coroutines (void)
{
  gint destroyed = 0;
  AsyncFuture *slow = spawn_child (1, 0.1, &destroyed);
  AsyncFuture *failing = async_future_new_rejected (g_error_new (TEST_ERROR, 4, "fails"));
  AsyncFuture *gathered;

  gathered = async_gather (async_future_ref (slow), failing, NULL);
  test_await (gathered, 5);
  g_assert_error (async_future_get_error (gathered), TEST_ERROR, 4);

  /* The slow sibling is not cancelled: it finishes with its value. */
  g_assert_true (async_future_is_pending (slow));
  test_await (slow, 5);
  g_assert_true (async_future_is_resolved (slow));
  g_assert_cmpint (async_future_get_int (slow), ==, 1);
  g_assert_cmpint (destroyed, ==, 1);

  async_future_unref (gathered);
  async_future_unref (slow);
}

static void
test_return_exceptions (void)
{
  AsyncFuture *a = async_future_new ();
  AsyncFuture *b = async_future_new ();
  AsyncFuture *c = async_future_new ();
  AsyncFuture *gathered;

  gathered = async_gather_full (ASYNC_GATHER_RETURN_EXCEPTIONS,
                                async_future_ref (a), async_future_ref (b),
                                async_future_ref (c), NULL);
  async_future_reject_literal (b, TEST_ERROR, 5, "b failed");
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (gathered));
  async_future_cancel (c);
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (gathered));
  async_future_resolve_int (a, 7);

  test_await (gathered, 5);
  g_assert_true (async_future_is_resolved (gathered));
  g_assert_cmpint (async_future_get_int (async_gather_get_result (gathered, 0)), ==, 7);
  g_assert_cmpint (async_future_get_state (async_gather_get_result (gathered, 1)), ==,
                   ASYNC_FUTURE_REJECTED);
  g_assert_error (async_future_get_error (async_gather_get_result (gathered, 1)), TEST_ERROR, 5);
  g_assert_true (async_future_is_cancelled (async_gather_get_result (gathered, 2)));

  async_future_unref (gathered);
  async_future_unref (a);
  async_future_unref (b);
  async_future_unref (c);
}

static void
test_return_exceptions_retrieved (void)
{
  AsyncFuture *gathered;

  /* The gather handed the error over as a result, as asyncio's
   * return_exceptions=True does, so an unread one does not warn when
   * freed (a warning would abort this test). */
  gathered = async_gather_full (ASYNC_GATHER_RETURN_EXCEPTIONS,
                                async_future_new_int (1),
                                async_future_new_rejected (g_error_new (TEST_ERROR, 6, "unread")),
                                NULL);
  test_await (gathered, 5);
  g_assert_true (async_future_is_resolved (gathered));
  async_future_unref (gathered);
  test_iterate_pending ();
}

static void
test_cancel_on_error (void)
{
  gint destroyed = 0;
  AsyncFuture *plain = async_future_new ();
  AsyncFuture *sleeping = async_sleep (30);
  AsyncFuture *coroutine = spawn_child (1, 30, &destroyed);
  AsyncFuture *failing = async_future_new ();
  AsyncFuture *gathered;

  gathered = async_gather_full (ASYNC_GATHER_CANCEL_ON_ERROR,
                                async_future_ref (plain), async_future_ref (sleeping),
                                async_future_ref (coroutine), async_future_ref (failing),
                                NULL);
  test_iterate_for (0.02);
  async_future_reject_literal (failing, TEST_ERROR, 8, "fails");
  test_await (gathered, 5);
  g_assert_error (async_future_get_error (gathered), TEST_ERROR, 8);

  /* Every sibling is cancelled, the coroutine's frame destroyed. */
  test_await (coroutine, 5);
  g_assert_true (async_future_is_cancelled (plain));
  g_assert_true (async_future_is_cancelled (sleeping));
  g_assert_true (async_future_is_cancelled (coroutine));
  g_assert_cmpint (destroyed, ==, 1);

  async_future_unref (gathered);
  async_future_unref (plain);
  async_future_unref (sleeping);
  async_future_unref (coroutine);
  async_future_unref (failing);
}

static void
test_cancel (void)
{
  gint destroyed = 0;
  AsyncFuture *plain = async_future_new ();
  AsyncFuture *sleeping = async_sleep (30);
  AsyncFuture *coroutine = spawn_child (1, 30, &destroyed);
  AsyncFuture *done = async_future_new_int (4);
  AsyncFuture *gathered;
  gint64 start = g_get_monotonic_time ();

  gathered = async_gather (async_future_ref (plain), async_future_ref (sleeping),
                           async_future_ref (coroutine), async_future_ref (done), NULL);
  test_iterate_for (0.02);
  async_future_cancel (gathered);
  test_await (gathered, 5);
  test_await (coroutine, 5);

  g_assert_true (async_future_is_cancelled (gathered));
  g_assert_true (async_future_is_cancelled (plain));
  g_assert_true (async_future_is_cancelled (sleeping));
  g_assert_true (async_future_is_cancelled (coroutine));
  /* A child that had finished keeps its value. */
  g_assert_true (async_future_is_resolved (done));
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_cmpfloat (test_elapsed (start), <, 5);

  async_future_unref (gathered);
  async_future_unref (plain);
  async_future_unref (sleeping);
  async_future_unref (coroutine);
  async_future_unref (done);
}

static void
test_empty (void)
{
  AsyncFuture *gathered = async_gather_array (ASYNC_GATHER_DEFAULT, NULL, 0);
  GPtrArray *results;

  test_await (gathered, 5);
  g_assert_true (async_future_is_resolved (gathered));
  results = async_future_get_value (gathered);
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, 0);
  async_future_unref (gathered);
}

static void
test_already_settled (void)
{
  AsyncFuture *gathered;

  gathered = async_gather (async_future_new_int (1), async_future_new_boolean (TRUE),
                           async_future_new_resolved (g_strdup ("three"), g_free), NULL);
  test_await (gathered, 5);
  g_assert_true (async_future_is_resolved (gathered));
  g_assert_cmpint (async_future_get_int (async_gather_get_result (gathered, 0)), ==, 1);
  g_assert_true (async_future_get_boolean (async_gather_get_result (gathered, 1)));
  g_assert_cmpstr (async_future_get_value (async_gather_get_result (gathered, 2)), ==, "three");
  async_future_unref (gathered);
}

#define ARRAY_CHILDREN 64

static void
test_array_ownership (void)
{
  AsyncFuture *children[ARRAY_CHILDREN];
  AsyncFuture *gathered;
  gint destroyed = 0;
  guint i;

  /* The elements are taken, the array stays the caller's (on the stack
   * here): once the gather goes, every child and its value goes too. */
  for (i = 0; i < ARRAY_CHILDREN; i++)
    children[i] = async_future_new_resolved (test_tracked_new (&destroyed, i),
                                             test_tracked_free);
  gathered = async_gather_array (ASYNC_GATHER_DEFAULT, children, ARRAY_CHILDREN);
  test_await (gathered, 5);
  for (i = 0; i < ARRAY_CHILDREN; i++)
    {
      TestTracked *value = async_future_get_value (async_gather_get_result (gathered, i));

      g_assert_cmpint (value->payload, ==, i);
    }
  g_assert_cmpint (destroyed, ==, 0);
  async_future_unref (gathered);
  test_iterate_pending ();
  g_assert_cmpint (destroyed, ==, ARRAY_CHILDREN);

  /* The same when it is cancelled with children pending. */
  destroyed = 0;
  for (i = 0; i < ARRAY_CHILDREN; i++)
    children[i] = async_future_new ();
  async_future_resolve (children[0], test_tracked_new (&destroyed, 0), test_tracked_free);
  gathered = async_gather_array (ASYNC_GATHER_DEFAULT, children, ARRAY_CHILDREN);
  async_future_cancel (gathered);
  test_await (gathered, 5);
  test_iterate_pending ();
  async_future_unref (gathered);
  test_iterate_pending ();
  g_assert_cmpint (destroyed, ==, 1);
}

/* The children's frames show that a gather of coroutines that the caller
 * lets go of still ends them and frees everything. */
static void
test_dropped_gather (void)
{
  gint destroyed = 0;

  async_future_unref (async_gather (spawn_child (1, 0.01, &destroyed),
                                    spawn_child (2, 0.02, &destroyed),
                                    NULL));
  test_iterate_for (0.1);
  g_assert_cmpint (destroyed, ==, 2);
}

/* -------------------------- a cancelled gather waits for its children (11) */

typedef struct
{
  double cleanup;
  gint   cleaned_up;
} Cleaner;

/* Catches its cancellation and takes a while to clean up. */
static void
slow_cleanup (AsyncCoroutine *co,
              gpointer        data)
{
  Cleaner *self = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT_TRY (co, async_sleep (30), NULL);
  ASYNC_AWAIT (co, async_sleep (self->cleanup));
  self->cleaned_up++;
  ASYNC_RETURN_ERROR (co, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cleaned up"));
  ASYNC_END (co);
}

/* cancel (task); await task means the children's cleanup has run, in
 * either error mode (CPython's _GatheringFuture with return_exceptions;
 * see the README for where we are stricter). */
static void
test_cancel_waits_for_children (gconstpointer data)
{
  AsyncGatherFlags flags = GPOINTER_TO_INT (data);
  Cleaner quick = { 0.01, 0 }, slow = { 0.06, 0 };
  AsyncFuture *gathered = async_gather_full (flags, async_spawn (slow_cleanup, &quick, NULL),
                                             async_spawn (slow_cleanup, &slow, NULL));

  test_iterate_for (0.01);
  g_assert_true (async_future_cancel (gathered));
  test_iterate_for (0.03);
  g_assert_cmpint (quick.cleaned_up, ==, 1);
  g_assert_true (async_future_is_pending (gathered));
  test_await (gathered, 5);
  g_assert_cmpint (slow.cleaned_up, ==, 1);
  g_assert_true (async_future_is_cancelled (gathered));
  async_future_unref (gathered);
}

/* test_cancel_gather_1 (bpo-26923): the children have all finished, their
 * continuations have not run yet: cancel refuses, the results come. */
static void
test_cancel_after_children_finished (void)
{
  AsyncFuture *a = async_future_new ();
  AsyncFuture *b = async_future_new ();
  AsyncFuture *gathered = async_gather (async_future_ref (a), async_future_ref (b));

  async_future_resolve_int (a, 1);
  async_future_resolve_int (b, 2);
  g_assert_false (async_future_cancel (gathered));
  test_await (gathered, 5);
  g_assert_true (async_future_is_resolved (gathered));
  g_assert_cmpint (async_gather_get_int (gathered, 1), ==, 2);
  async_future_unref (gathered);
  async_future_unref (a);
  async_future_unref (b);
}

/* -------------------------------------------- NULL among varargs (item 8) */

static void
test_varargs_null_in_middle (void)
{
  gint destroyed = 0;
  AsyncFuture *gathered, *waiting;

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*NULL among the futures*2 were released*");
  gathered = async_gather (async_future_new_resolved (test_tracked_new (&destroyed, 1), test_tracked_free),
                           NULL,
                           async_future_new_resolved (test_tracked_new (&destroyed, 2), test_tracked_free));
  g_test_assert_expected_messages ();
  g_assert_null (gathered);
  g_assert_cmpint (destroyed, ==, 2);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*NULL among the futures*2 were released*");
  waiting = async_wait (ASYNC_WAIT_ALL_COMPLETED,
                        async_future_new_resolved (test_tracked_new (&destroyed, 1), test_tracked_free),
                        NULL,
                        async_future_new_resolved (test_tracked_new (&destroyed, 2), test_tracked_free),
                        NULL);
  g_test_assert_expected_messages ();
  g_assert_null (waiting);
  g_assert_cmpint (destroyed, ==, 4);
}

/* The macros need no NULL at the end; a trailing one is still the end. */
static void
test_varargs_terminator (void)
{
  AsyncFuture *without = async_gather (async_future_new_int (1), async_future_new_int (2));
  AsyncFuture *with = async_gather (async_future_new_int (1), async_future_new_int (2), NULL);
  AsyncFuture *none = async_gather (NULL);

  test_await (without, 5);
  test_await (with, 5);
  test_await (none, 5);
  g_assert_cmpuint (((GPtrArray *) async_future_get_value (without))->len, ==, 2);
  g_assert_cmpuint (((GPtrArray *) async_future_get_value (with))->len, ==, 2);
  g_assert_cmpuint (((GPtrArray *) async_future_get_value (none))->len, ==, 0);
  async_future_unref (without);
  async_future_unref (with);
  async_future_unref (none);
}

/* ------------------------------------------- one line per result (item 18) */

static void
test_typed_accessors (void)
{
  AsyncFuture *gathered = async_gather_full (ASYNC_GATHER_RETURN_EXCEPTIONS,
                                             async_future_new_int (7),
                                             async_future_new_resolved (g_strdup ("seven"), g_free),
                                             async_future_new_rejected (g_error_new_literal (TEST_ERROR, 7, "no")));
  char *stolen;

  test_await (gathered, 5);
  g_assert_cmpint (async_gather_get_int (gathered, 0), ==, 7);
  g_assert_cmpstr (async_gather_get_value (gathered, 1), ==, "seven");
  g_assert_error (async_gather_get_error (gathered, 2), TEST_ERROR, 7);
  g_assert_null (async_gather_get_error (gathered, 0));
  stolen = async_gather_steal_value (gathered, 1);
  g_assert_cmpstr (stolen, ==, "seven");
  g_assert_null (async_gather_get_value (gathered, 1));
  g_free (stolen);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_cmpint (async_gather_get_int (gathered, 3), ==, 0);
  g_test_assert_expected_messages ();
  async_future_unref (gathered);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gather/order/settled-in-reverse", test_order_settled_reversed);
  g_test_add_func ("/gather/order/coroutines", test_order_coroutines);
  g_test_add_func ("/gather/error/first-rejects", test_first_error);
  g_test_add_func ("/gather/error/siblings-run-on", test_first_error_coroutines);
  g_test_add_func ("/gather/return-exceptions", test_return_exceptions);
  g_test_add_func ("/gather/return-exceptions/retrieved", test_return_exceptions_retrieved);
  g_test_add_func ("/gather/cancel-on-error", test_cancel_on_error);
  g_test_add_func ("/gather/cancel", test_cancel);
  g_test_add_data_func ("/gather/cancel/waits-for-children", GINT_TO_POINTER (ASYNC_GATHER_DEFAULT),
                        test_cancel_waits_for_children);
  g_test_add_data_func ("/gather/cancel/waits-for-children/return-exceptions",
                        GINT_TO_POINTER (ASYNC_GATHER_RETURN_EXCEPTIONS), test_cancel_waits_for_children);
  g_test_add_func ("/gather/cancel/after-children-finished", test_cancel_after_children_finished);
  g_test_add_func ("/gather/varargs/null-in-middle", test_varargs_null_in_middle);
  g_test_add_func ("/gather/varargs/terminator", test_varargs_terminator);
  g_test_add_func ("/gather/accessors/one-line-per-result", test_typed_accessors);
  g_test_add_func ("/gather/empty", test_empty);
  g_test_add_func ("/gather/already-settled", test_already_settled);
  g_test_add_func ("/gather/array/ownership", test_array_ownership);
  g_test_add_func ("/gather/dropped", test_dropped_gather);

  return g_test_run ();
}
