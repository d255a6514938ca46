/* test-future.c: AsyncFuture: settling exactly once (also under a race of
 * threads), continuations (never synchronous, in order, on the right
 * context), ownership of values and errors, the unretrieved-error warning. */

#include "config.h"

#include <string.h>

#include "test-util.h"

/* Settling a resolved or rejected future again is a programming error the
 * library warns about (settling a cancelled one is the normal race with a
 * consumer, and is quiet). */
#define expect_settled_twice() \
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_WARNING, "*settled twice*")

static void
count_call (AsyncFuture *future,
            gpointer     user_data)
{
  g_assert_false (async_future_is_pending (future));
  (*(gint *) user_data)++;
}

typedef struct
{
  GArray *order;
  gint    index;
} OrderEntry;

static void
record_order (AsyncFuture *future,
              gpointer     user_data)
{
  OrderEntry *entry = user_data;

  g_array_append_val (entry->order, entry->index);
}

static void
then_record_order (AsyncFuture *future,
                   GArray      *order,
                   gint         index)
{
  OrderEntry *entry = g_new0 (OrderEntry, 1);

  entry->order = order;
  entry->index = index;
  async_future_then (future, record_order, entry, g_free);
}

/* ------------------------------------------------------------ settling */

static void
test_resolve_once (void)
{
  gint destroyed = 0;
  AsyncFuture *future = async_future_new ();
  TestTracked *value;

  g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_PENDING);
  g_assert_true (async_future_is_pending (future));

  g_assert_true (async_future_resolve (future, test_tracked_new (&destroyed, 1),
                                       test_tracked_free));
  g_assert_false (async_future_is_pending (future));

  /* Every later settle loses, keeps the first outcome, and frees what it
   * brought at once. */
  expect_settled_twice ();
  g_assert_false (async_future_resolve (future, test_tracked_new (&destroyed, 2),
                                        test_tracked_free));
  g_assert_cmpint (destroyed, ==, 1);
  expect_settled_twice ();
  g_assert_false (async_future_resolve_int (future, 3));
  expect_settled_twice ();
  g_assert_false (async_future_resolve_boolean (future, TRUE));
  expect_settled_twice ();
  g_assert_false (async_future_reject (future, g_error_new (TEST_ERROR, 4, "late")));
  expect_settled_twice ();
  g_assert_false (async_future_reject_literal (future, TEST_ERROR, 5, "late"));
  g_test_assert_expected_messages ();
  /* Cancelling a settled future is no error, and changes nothing. */
  g_assert_false (async_future_cancel (future));

  g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_RESOLVED);
  g_assert_true (async_future_is_resolved (future));
  g_assert_false (async_future_is_rejected (future));
  g_assert_false (async_future_is_cancelled (future));
  g_assert_null (async_future_get_error (future));
  value = async_future_get_value (future);
  g_assert_cmpint (value->payload, ==, 1);
  g_assert_cmpint (destroyed, ==, 1);

  async_future_unref (future);
  g_assert_cmpint (destroyed, ==, 2);
}

static void
test_reject_once (void)
{
  gint destroyed = 0;
  AsyncFuture *future = async_future_new ();
  const GError *error;

  g_assert_true (async_future_reject (future, g_error_new (TEST_ERROR, 7, "first")));
  expect_settled_twice ();
  g_assert_false (async_future_reject (future, g_error_new (TEST_ERROR, 8, "second")));
  expect_settled_twice ();
  g_assert_false (async_future_reject_literal (future, TEST_ERROR, 9, "third"));
  expect_settled_twice ();
  g_assert_false (async_future_resolve (future, test_tracked_new (&destroyed, 1),
                                        test_tracked_free));
  g_assert_cmpint (destroyed, ==, 1);
  expect_settled_twice ();
  g_assert_false (async_future_resolve_int (future, 1));
  g_test_assert_expected_messages ();
  g_assert_false (async_future_cancel (future));

  g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_REJECTED);
  g_assert_true (async_future_is_rejected (future));
  g_assert_false (async_future_is_resolved (future));
  g_assert_false (async_future_is_cancelled (future));
  error = async_future_get_error (future);
  g_assert_error (error, TEST_ERROR, 7);
  g_assert_cmpstr (error->message, ==, "first");

  async_future_unref (future);
}

static void
test_reject_literal (void)
{
  AsyncFuture *future = async_future_new ();
  const GError *error;

  g_assert_true (async_future_reject_literal (future, TEST_ERROR, 2, "literal"));
  error = async_future_get_error (future);
  g_assert_error (error, TEST_ERROR, 2);
  g_assert_cmpstr (error->message, ==, "literal");
  async_future_unref (future);
}

static void
test_cancel_once (void)
{
  gint destroyed = 0;
  AsyncFuture *future = async_future_new ();

  g_assert_true (async_future_cancel (future));
  g_assert_false (async_future_cancel (future));
  /* A producer settling after a cancel is the normal race: quietly refused
   * (a warning would abort this test). */
  g_assert_false (async_future_resolve (future, test_tracked_new (&destroyed, 1),
                                        test_tracked_free));
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_false (async_future_reject (future, g_error_new (TEST_ERROR, 1, "late")));

  g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_CANCELLED);
  g_assert_true (async_future_is_cancelled (future));
  g_assert_false (async_future_is_resolved (future));
  g_assert_error (async_future_get_error (future), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  async_future_unref (future);
}

static void
test_int (void)
{
  AsyncFuture *future = async_future_new ();

  g_assert_true (async_future_resolve_int (future, G_MININT64));
  expect_settled_twice ();
  g_assert_false (async_future_resolve_int (future, 1));
  g_test_assert_expected_messages ();
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpint (async_future_get_int (future), ==, G_MININT64);
  async_future_unref (future);

  future = async_future_new ();
  g_assert_true (async_future_resolve_int (future, G_MAXINT64));
  g_assert_cmpint (async_future_get_int (future), ==, G_MAXINT64);
  async_future_unref (future);
}

static void
test_boolean (void)
{
  AsyncFuture *future = async_future_new ();

  g_assert_true (async_future_resolve_boolean (future, TRUE));
  expect_settled_twice ();
  g_assert_false (async_future_resolve_boolean (future, FALSE));
  g_test_assert_expected_messages ();
  g_assert_true (async_future_get_boolean (future));
  async_future_unref (future);

  future = async_future_new ();
  g_assert_true (async_future_resolve_boolean (future, FALSE));
  g_assert_true (async_future_is_resolved (future));
  g_assert_false (async_future_get_boolean (future));
  async_future_unref (future);
}

static void
test_new_settled (void)
{
  gint destroyed = 0;
  gint calls = 0;
  AsyncFuture *future;

  future = async_future_new_resolved (test_tracked_new (&destroyed, 11),
                                      test_tracked_free);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpint (((TestTracked *) async_future_get_value (future))->payload, ==, 11);
  g_assert_false (async_future_cancel (future));
  async_future_unref (future);
  g_assert_cmpint (destroyed, ==, 1);

  future = async_future_new_resolved (NULL, NULL);
  g_assert_true (async_future_is_resolved (future));
  g_assert_null (async_future_get_value (future));
  async_future_unref (future);

  future = async_future_new_int (-42);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpint (async_future_get_int (future), ==, -42);
  async_future_unref (future);

  future = async_future_new_boolean (TRUE);
  g_assert_true (async_future_is_resolved (future));
  g_assert_true (async_future_get_boolean (future));
  async_future_unref (future);

  future = async_future_new_rejected (g_error_new (TEST_ERROR, 12, "rejected"));
  g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_REJECTED);
  expect_settled_twice ();
  g_assert_false (async_future_resolve_int (future, 1));
  g_test_assert_expected_messages ();
  g_assert_error (async_future_get_error (future), TEST_ERROR, 12);
  async_future_unref (future);

  future = async_future_new_cancelled ();
  g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_CANCELLED);
  g_assert_error (async_future_get_error (future), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  async_future_unref (future);

  /* Continuations still run on an already-settled future. */
  future = async_future_new_int (1);
  async_future_then (future, count_call, &calls, NULL);
  async_future_unref (future);
  g_assert_cmpint (calls, ==, 0);
  test_spin_until (&calls, 5);
  g_assert_cmpint (calls, ==, 1);
}

/* ------------------------------------------------------------ values */

static void
test_value_destroy_last_ref (void)
{
  gint destroyed = 0;
  gint calls = 0;
  AsyncFuture *future = async_future_new ();

  async_future_ref (future);
  async_future_ref (future);
  async_future_then (future, count_call, &calls, NULL);
  async_future_resolve (future, test_tracked_new (&destroyed, 1), test_tracked_free);
  test_spin_until (&calls, 5);

  async_future_unref (future);
  async_future_unref (future);
  g_assert_cmpint (destroyed, ==, 0);
  async_future_unref (future);
  g_assert_cmpint (destroyed, ==, 1);
}

static void
test_steal_value (void)
{
  gint destroyed = 0;
  AsyncFuture *future = async_future_new ();
  TestTracked *value;

  async_future_resolve (future, test_tracked_new (&destroyed, 5), test_tracked_free);
  value = async_future_steal_value (future);
  g_assert_nonnull (value);
  g_assert_cmpint (value->payload, ==, 5);
  async_future_unref (future);
  /* The caller owns a stolen value: freeing the future must not free it. */
  g_assert_cmpint (destroyed, ==, 0);
  test_tracked_free (value);
  g_assert_cmpint (destroyed, ==, 1);
}

static void
test_autoptr (void)
{
  gint destroyed = 0;

  {
    g_autoptr (AsyncFuture) future = async_future_new ();

    async_future_resolve (future, test_tracked_new (&destroyed, 1), test_tracked_free);
  }
  g_assert_cmpint (destroyed, ==, 1);
}

static void
test_propagate_error (void)
{
  GError *error = NULL;
  AsyncFuture *future;

  future = async_future_new_int (1);
  g_assert_true (async_future_propagate_error (future, &error));
  g_assert_no_error (error);
  async_future_unref (future);

  future = async_future_new ();
  async_future_reject_literal (future, TEST_ERROR, 21, "propagated");
  g_assert_false (async_future_propagate_error (future, &error));
  g_assert_error (error, TEST_ERROR, 21);
  g_assert_cmpstr (error->message, ==, "propagated");
  g_clear_error (&error);
  /* The future keeps its own error: propagating copies it. */
  g_assert_error (async_future_get_error (future), TEST_ERROR, 21);
  async_future_unref (future);

  future = async_future_new_cancelled ();
  g_assert_false (async_future_propagate_error (future, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  async_future_unref (future);

  future = async_future_new ();
  g_assert_false (async_future_propagate_error (future, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  async_future_unref (future);

  /* A NULL error still counts as looking at it: no warning when freed. */
  future = async_future_new ();
  async_future_reject_literal (future, TEST_ERROR, 22, "ignored on purpose");
  g_assert_false (async_future_propagate_error (future, NULL));
  async_future_unref (future);
}

static void
test_where (void)
{
  AsyncFuture *future;
  int line;
  char *pattern;

  line = __LINE__ + 1;
  future = async_future_new ();
  pattern = g_strdup_printf ("*test-future.c:%d*", line);
  g_assert_nonnull (async_future_get_where (future));
  g_assert_true (g_pattern_match_simple (pattern, async_future_get_where (future)));
  g_free (pattern);
  async_future_unref (future);
}

/* ------------------------------------------------------------ continuations */

static void
test_then_never_synchronous (void)
{
  gint calls = 0;
  AsyncFuture *future;

  /* Not inside then () on a settled future. */
  future = async_future_new_int (1);
  async_future_then (future, count_call, &calls, NULL);
  g_assert_cmpint (calls, ==, 0);
  test_spin_until (&calls, 5);
  async_future_unref (future);

  /* Not inside resolve (), reject () or cancel () on a pending one. */
  calls = 0;
  future = async_future_new ();
  async_future_then (future, count_call, &calls, NULL);
  async_future_resolve_int (future, 1);
  g_assert_cmpint (calls, ==, 0);
  test_spin_until (&calls, 5);
  async_future_unref (future);

  calls = 0;
  future = async_future_new ();
  async_future_then (future, count_call, &calls, NULL);
  async_future_reject_literal (future, TEST_ERROR, 1, "rejected");
  g_assert_cmpint (calls, ==, 0);
  test_spin_until (&calls, 5);
  g_assert_error (async_future_get_error (future), TEST_ERROR, 1);
  async_future_unref (future);

  calls = 0;
  future = async_future_new ();
  async_future_then (future, count_call, &calls, NULL);
  async_future_cancel (future);
  g_assert_cmpint (calls, ==, 0);
  test_spin_until (&calls, 5);
  async_future_unref (future);
}

/* A continuation that attaches another to the same settled future: that one
 * too must wait for a later turn rather than run nested. */
typedef struct
{
  gint outer;
  gint inner;
  gint inner_during_outer;
} NestedThen;

static void
nested_inner (AsyncFuture *future,
              gpointer     user_data)
{
  NestedThen *nested = user_data;

  nested->inner++;
}

static void
nested_outer (AsyncFuture *future,
              gpointer     user_data)
{
  NestedThen *nested = user_data;

  nested->outer++;
  async_future_then (future, nested_inner, nested, NULL);
  nested->inner_during_outer = nested->inner;
}

static void
test_then_nested (void)
{
  NestedThen nested = { 0, 0, 0 };
  AsyncFuture *future = async_future_new_int (1);

  async_future_then (future, nested_outer, &nested, NULL);
  test_spin_until (&nested.inner, 5);
  g_assert_cmpint (nested.outer, ==, 1);
  g_assert_cmpint (nested.inner, ==, 1);
  g_assert_cmpint (nested.inner_during_outer, ==, 0);
  async_future_unref (future);
}

static void
test_then_order (void)
{
  GArray *order = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *future = async_future_new ();
  AsyncFuture *other = async_future_new ();
  guint i;

  for (i = 0; i < 4; i++)
    then_record_order (future, order, i);
  async_future_resolve_int (future, 1);
  /* Attached after settling: still after the first four. */
  for (i = 4; i < 8; i++)
    then_record_order (future, order, i);

  test_await (future, 5);
  g_assert_cmpuint (order->len, ==, 8);
  for (i = 0; i < order->len; i++)
    g_assert_cmpint (g_array_index (order, gint, i), ==, i);

  /* Across futures, continuations queue in the order their futures
   * settled. */
  g_array_set_size (order, 0);
  async_future_unref (future);
  future = async_future_new ();
  then_record_order (future, order, 1);
  then_record_order (other, order, 0);
  async_future_resolve_int (other, 0);
  async_future_resolve_int (future, 1);
  test_await (future, 5);
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_cmpint (g_array_index (order, gint, 0), ==, 0);
  g_assert_cmpint (g_array_index (order, gint, 1), ==, 1);

  async_future_unref (future);
  async_future_unref (other);
  g_array_unref (order);
}

typedef struct
{
  gint called;
  gint destroyed;
  gint destroyed_before_call;
} DestroyProbe;

static void
probe_call (AsyncFuture *future,
            gpointer     user_data)
{
  DestroyProbe *probe = user_data;

  probe->called++;
  probe->destroyed_before_call = probe->destroyed;
}

static void
probe_destroy (gpointer user_data)
{
  DestroyProbe *probe = user_data;

  probe->destroyed++;
}

static void
test_then_destroy_notify (void)
{
  DestroyProbe probe = { 0, 0, 0 };
  AsyncFuture *future = async_future_new ();

  async_future_then (future, probe_call, &probe, probe_destroy);
  async_future_resolve_int (future, 1);
  test_spin_until (&probe.destroyed, 5);
  test_iterate_pending ();
  g_assert_cmpint (probe.called, ==, 1);
  g_assert_cmpint (probe.destroyed, ==, 1);
  g_assert_cmpint (probe.destroyed_before_call, ==, 0);
  async_future_unref (future);
}

static void
test_then_user_data_destroy (void)
{
  DestroyProbe probes[4] = { { 0, 0, 0 }, };
  AsyncFuture *future = async_future_new ();
  guint i;

  /* Two attached before settling and two after: every destroy notify runs
   * once, after its own continuation. */
  async_future_then (future, probe_call, &probes[0], probe_destroy);
  async_future_then (future, probe_call, &probes[1], probe_destroy);
  async_future_reject_literal (future, TEST_ERROR, 1, "rejected");
  async_future_then (future, probe_call, &probes[2], probe_destroy);
  async_future_then (future, probe_call, &probes[3], probe_destroy);
  test_spin_until (&probes[3].destroyed, 5);
  test_iterate_pending ();
  for (i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      g_assert_cmpint (probes[i].called, ==, 1);
      g_assert_cmpint (probes[i].destroyed, ==, 1);
      g_assert_cmpint (probes[i].destroyed_before_call, ==, 0);
    }
  g_assert_error (async_future_get_error (future), TEST_ERROR, 1);
  async_future_unref (future);
}

static void
test_then_unsettled_free (void)
{
  DestroyProbe probe = { 0, 0, 0 };
  AsyncFuture *future = async_future_new ();

  /* A future dropped while pending never calls its continuations, but
   * their user data is still freed. */
  async_future_then (future, probe_call, &probe, probe_destroy);
  async_future_unref (future);
  test_iterate_pending ();
  g_assert_cmpint (probe.called, ==, 0);
  g_assert_cmpint (probe.destroyed, ==, 1);
}

/* Continuations run on the context that was thread-default when they were
 * attached, one thread: iterating the global default context does not run
 * one attached under another context. */
static void
test_then_context_pushed (void)
{
  GMainContext *other = g_main_context_new ();
  AsyncFuture *future = async_future_new ();
  gint calls = 0;

  g_main_context_push_thread_default (other);
  async_future_then (future, count_call, &calls, NULL);
  g_main_context_pop_thread_default (other);

  async_future_resolve_int (future, 1);
  test_iterate_for (0.05);
  g_assert_cmpint (calls, ==, 0);

  g_main_context_push_thread_default (other);
  test_spin_until (&calls, 5);
  g_main_context_pop_thread_default (other);
  g_assert_cmpint (calls, ==, 1);

  async_future_unref (future);
  g_main_context_unref (other);
}

typedef struct
{
  AsyncFuture  *future;
  GMutex        mutex;
  GCond         cond;
  gboolean      attached;
  GMainContext *worker_context;
  GThread      *ran_on;
  GMainContext *ran_in;
  gboolean      ran;
} ContextProbe;

static void
note_thread (AsyncFuture *future,
             gpointer     user_data)
{
  ContextProbe *probe = user_data;

  probe->ran_on = g_thread_self ();
  probe->ran_in = g_main_context_get_thread_default ();
  g_atomic_int_set (&probe->ran, TRUE);
}

static gpointer
context_worker (gpointer user_data)
{
  ContextProbe *probe = user_data;

  probe->worker_context = g_main_context_new ();
  g_main_context_push_thread_default (probe->worker_context);
  async_future_then (probe->future, note_thread, probe, NULL);

  g_mutex_lock (&probe->mutex);
  probe->attached = TRUE;
  g_cond_signal (&probe->cond);
  g_mutex_unlock (&probe->mutex);

  test_spin_until (&probe->ran, 10);
  g_main_context_pop_thread_default (probe->worker_context);
  return NULL;
}

static void
test_then_context_threads (void)
{
  ContextProbe worker_probe = { 0, };
  ContextProbe main_probe = { 0, };
  GThread *worker;

  worker_probe.future = async_future_new ();
  g_mutex_init (&worker_probe.mutex);
  g_cond_init (&worker_probe.cond);
  worker = g_thread_new ("context-worker", context_worker, &worker_probe);

  g_mutex_lock (&worker_probe.mutex);
  while (!worker_probe.attached)
    g_cond_wait (&worker_probe.cond, &worker_probe.mutex);
  g_mutex_unlock (&worker_probe.mutex);

  async_future_then (worker_probe.future, note_thread, &main_probe, NULL);
  /* Settled by this thread; the worker's continuation still runs there. */
  async_future_resolve_int (worker_probe.future, 1);
  test_spin_until (&main_probe.ran, 10);
  g_thread_join (worker);

  g_assert_true (main_probe.ran_on == g_thread_self ());
  g_assert_true (worker_probe.ran_on == worker);
  g_assert_true (worker_probe.ran_in == worker_probe.worker_context);
  g_assert_true (main_probe.ran_in != worker_probe.worker_context);

  async_future_unref (worker_probe.future);
  g_main_context_unref (worker_probe.worker_context);
  g_mutex_clear (&worker_probe.mutex);
  g_cond_clear (&worker_probe.cond);
}

/* ------------------------------------------------------------ race */

#define RACE_FUTURES 10000
#define RACE_THREADS 8

enum { RACE_RESOLVE, RACE_REJECT, RACE_CANCEL };

typedef enum
{
  /* One producer per future resolves or rejects it while every other
   * thread cancels it: the race every producer has with its consumers. */
  RACE_PRODUCER_AGAINST_CANCELLERS,
  /* Every thread resolves, rejects or cancels every future: settling twice
   * is a programming error, but must still settle once and leak nothing. */
  RACE_EVERYONE_SETTLES,
} RaceMode;

typedef struct
{
  RaceMode     mode;
  AsyncFuture *futures[RACE_FUTURES];
  gint         wins[RACE_FUTURES];
  gint         winner[RACE_FUTURES];
  gint         settle_losses[RACE_FUTURES];
  gint         first_calls[RACE_FUTURES];
  gint         second_calls[RACE_FUTURES];
  gint         out_of_order;
  gint         total_calls;
  gboolean     all_called;
  gint         go;
  gint         values_made;
  gint         values_destroyed;
  gint         settled_twice_warnings;
  gint         other_warnings;
} Race;

static Race *race;

static void
race_first_continuation (AsyncFuture *future,
                         gpointer     user_data)
{
  guint i = GPOINTER_TO_UINT (user_data);

  g_assert_true (future == race->futures[i]);
  g_assert_false (async_future_is_pending (future));
  race->first_calls[i]++;
  if (++race->total_calls == 2 * RACE_FUTURES)
    race->all_called = TRUE;
}

static void
race_second_continuation (AsyncFuture *future,
                          gpointer     user_data)
{
  guint i = GPOINTER_TO_UINT (user_data);

  g_assert_true (future == race->futures[i]);
  g_assert_false (async_future_is_pending (future));
  /* Attached later, so it must run later. */
  if (race->first_calls[i] == 0)
    race->out_of_order++;
  race->second_calls[i]++;
  if (++race->total_calls == 2 * RACE_FUTURES)
    race->all_called = TRUE;
}

static gint
race_action (guint i,
             guint t)
{
  if (race->mode == RACE_EVERYONE_SETTLES)
    return (i + t) % 3;
  if (i % RACE_THREADS != t)
    return RACE_CANCEL;
  return i % 2 == 0 ? RACE_RESOLVE : RACE_REJECT;
}

static gpointer
race_thread (gpointer user_data)
{
  guint t = GPOINTER_TO_UINT (user_data);
  guint k;

  while (!g_atomic_int_get (&race->go))
    g_thread_yield ();

  for (k = 0; k < RACE_FUTURES; k++)
    {
      /* Each thread walks the futures from its own starting point, so that
       * they collide all along the array. */
      guint i = (k + t * (RACE_FUTURES / RACE_THREADS)) % RACE_FUTURES;
      gint action = race_action (i, t);
      gboolean won = FALSE;

      switch (action)
        {
        case RACE_RESOLVE:
          g_atomic_int_inc (&race->values_made);
          won = async_future_resolve (race->futures[i],
                                      test_tracked_new (&race->values_destroyed, i),
                                      test_tracked_free);
          break;
        case RACE_REJECT:
          won = async_future_reject (race->futures[i],
                                     g_error_new (TEST_ERROR, i, "thread %u", t));
          break;
        case RACE_CANCEL:
          won = async_future_cancel (race->futures[i]);
          break;
        default:
          g_assert_not_reached ();
        }
      if (won)
        {
          g_atomic_int_inc (&race->wins[i]);
          g_atomic_int_set (&race->winner[i], action);
        }
      else if (action != RACE_CANCEL)
        {
          g_atomic_int_inc (&race->settle_losses[i]);
        }
    }
  return NULL;
}

static void
race_log_handler (const char     *log_domain,
                  GLogLevelFlags  log_level,
                  const char     *message,
                  gpointer        user_data)
{
  if (strstr (message, "settled twice") != NULL)
    g_atomic_int_inc (&race->settled_twice_warnings);
  else
    g_atomic_int_inc (&race->other_warnings);
}

static gboolean
race_fatal_filter (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  return strstr (message, "settled twice") == NULL;
}

static void
test_race (gconstpointer data)
{
  GThread *threads[RACE_THREADS];
  GMainContext *context = g_main_context_default ();
  guint handler = 0;
  gint expected_warnings = 0;
  guint i;

  race = g_new0 (Race, 1);
  race->mode = GPOINTER_TO_INT (data);
  if (race->mode == RACE_EVERYONE_SETTLES)
    {
      handler = g_log_set_handler ("AsyncGlib",
                                   G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL,
                                   race_log_handler, NULL);
      g_test_log_set_fatal_handler (race_fatal_filter, NULL);
    }

  for (i = 0; i < RACE_FUTURES; i++)
    {
      race->futures[i] = async_future_new ();
      async_future_then (race->futures[i], race_first_continuation,
                         GUINT_TO_POINTER (i), NULL);
    }
  for (i = 0; i < RACE_THREADS; i++)
    threads[i] = g_thread_new ("race", race_thread, GUINT_TO_POINTER (i));

  /* Attach a second continuation to each future while the threads settle
   * them and the loop runs what is ready. */
  g_atomic_int_set (&race->go, TRUE);
  for (i = 0; i < RACE_FUTURES; i++)
    {
      async_future_then (race->futures[i], race_second_continuation,
                         GUINT_TO_POINTER (i), NULL);
      if (i % 64 == 0)
        g_main_context_iteration (context, FALSE);
    }

  for (i = 0; i < RACE_THREADS; i++)
    g_thread_join (threads[i]);
  test_spin_until (&race->all_called, 10);
  test_iterate_pending ();

  if (handler != 0)
    {
      g_log_remove_handler ("AsyncGlib", handler);
      g_test_log_set_fatal_handler (NULL, NULL);
    }

  for (i = 0; i < RACE_FUTURES; i++)
    {
      AsyncFuture *future = race->futures[i];

      g_assert_cmpint (race->wins[i], ==, 1);
      g_assert_cmpint (race->first_calls[i], ==, 1);
      g_assert_cmpint (race->second_calls[i], ==, 1);
      switch (race->winner[i])
        {
        case RACE_RESOLVE:
          g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_RESOLVED);
          g_assert_cmpint (((TestTracked *) async_future_get_value (future))->payload, ==, i);
          expected_warnings += race->settle_losses[i];
          break;
        case RACE_REJECT:
          g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_REJECTED);
          g_assert_error (async_future_get_error (future), TEST_ERROR, (gint) i);
          expected_warnings += race->settle_losses[i];
          break;
        case RACE_CANCEL:
          g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_CANCELLED);
          break;
        default:
          g_assert_not_reached ();
        }
      async_future_unref (future);
    }
  g_assert_cmpint (race->total_calls, ==, 2 * RACE_FUTURES);
  g_assert_cmpint (race->out_of_order, ==, 0);
  /* Every value offered was freed exactly once: the losers' at once, the
   * winners' with their futures. */
  g_assert_cmpint (race->values_destroyed, ==, race->values_made);
  if (race->mode == RACE_EVERYONE_SETTLES)
    {
      g_assert_cmpint (race->settled_twice_warnings, ==, expected_warnings);
      g_assert_cmpint (race->other_warnings, ==, 0);
    }
  g_clear_pointer (&race, g_free);
}

/* ------------------------------------------------------------ the warning */

static AsyncFuture *
future_new_noting_line (int *line)
{
  *line = __LINE__ + 1;
  return async_future_new ();
}

static void
test_unretrieved_error_warns (void)
{
  int line;
  char *pattern;

  if (g_test_subprocess ())
    {
      AsyncFuture *future = future_new_noting_line (&line);

      /* The warning is the subject here, not a failure. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      async_future_reject_literal (future, TEST_ERROR, 3, "nobody reads this");
      async_future_unref (future);
      test_iterate_pending ();
      return;
    }

  async_future_unref (future_new_noting_line (&line));
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  pattern = g_strdup_printf ("*test-future.c:%d*", line);
  g_test_trap_assert_stderr (pattern);
  g_free (pattern);
  pattern = g_strdup_printf ("*test-future.c:%d*test-future.c:%d*", line, line);
  g_test_trap_assert_stderr_unmatched (pattern);
  g_free (pattern);
}

static void
read_error (AsyncFuture *future,
            gpointer     user_data)
{
  g_assert_nonnull (async_future_get_error (future));
}

/* Each case below would abort the test with a warning made fatal by
 * g_test_init () if the future warned. */
static void
test_unretrieved_error_retrieved (void)
{
  AsyncFuture *future;
  GError *error = NULL;
  gint calls = 0;

  future = async_future_new ();
  async_future_reject_literal (future, TEST_ERROR, 1, "read with get_error");
  g_assert_nonnull (async_future_get_error (future));
  async_future_unref (future);

  future = async_future_new ();
  async_future_reject_literal (future, TEST_ERROR, 1, "read with propagate_error");
  async_future_propagate_error (future, &error);
  g_clear_error (&error);
  async_future_unref (future);

  /* Looked at by a continuation, after the last outside reference went. */
  future = async_future_new ();
  async_future_then (future, read_error, NULL, NULL);
  async_future_then (future, count_call, &calls, NULL);
  async_future_reject_literal (future, TEST_ERROR, 1, "read in a continuation");
  async_future_unref (future);
  test_spin_until (&calls, 5);
  test_iterate_pending ();

  future = async_future_new ();
  async_future_cancel (future);
  async_future_unref (future);

  async_future_unref (async_future_new_cancelled ());
  test_iterate_pending ();
}

/* --- attaching while another thread settles -------------------------------- */

#define ATTACH_THREADS 1
#define ATTACH_PER_THREAD 2000
#define ATTACH_WAITING 100000
#define ATTACH_ROUNDS 20

/* The sanitizer and valgrind runs (ASYNC_TEST_QUICK=1) take a tenth: under
 * valgrind, threads take turns, and every wait below is a turn. */
static guint
attach_scale (void)
{
  return g_strcmp0 (g_getenv ("ASYNC_TEST_QUICK"), "1") == 0 ? 10 : 1;
}

typedef struct
{
  AsyncFuture *future;
  gint         go;
  gint         n_attached;                 /* atomic: threads half way */
  gint         settling;                   /* atomic */
  guint        next[ATTACH_THREADS + 1];   /* per attaching thread, and the main one */
  gboolean     in_order;
  guint        n_ran;
} AttachRace;

typedef struct
{
  AttachRace *attach;
  guint thread;
  guint sequence;
} AttachNode;

static void
attach_ran (AsyncFuture *future,
          gpointer     user_data)
{
  AttachNode *node = user_data;
  AttachRace *attach = node->attach;

  if (attach->next[node->thread] != node->sequence)
    attach->in_order = FALSE;
  attach->next[node->thread] = node->sequence + 1;
  attach->n_ran++;
}

static gpointer
attach_thread (gpointer data)
{
  AttachNode *nodes = data;
  AttachRace *attach = nodes[0].attach;
  guint i;

  while (!g_atomic_int_get (&attach->go))
    ;
  /* Half before the settle starts, half while it runs. */
  for (i = 0; i < ATTACH_PER_THREAD; i++)
    {
      if (i == ATTACH_PER_THREAD / 2)
        {
          g_atomic_int_inc (&attach->n_attached);
          while (!g_atomic_int_get (&attach->settling))
            g_thread_yield ();
        }
      async_future_then (attach->future, attach_ran, &nodes[i], NULL);
    }
  return NULL;
}

/* Issue 10: a future has no lock. Threads attach while the main thread
 * settles: every continuation runs once, and those of one thread in the
 * order it attached them, whether they were waiting when the future
 * settled, attached while the settle queued the waiting ones (thousands
 * of them, to make that moment long), or after. */
static void
test_then_threads_attach_while_settling (void)
{
  guint n_waiting = ATTACH_WAITING / attach_scale ();
  guint round;

  for (round = 0; round < ATTACH_ROUNDS / attach_scale (); round++)
    {
      AttachRace attach = { async_future_new (), FALSE, 0, FALSE, { 0 }, TRUE, 0 };
      AttachNode *nodes[ATTACH_THREADS];
      AttachNode *waiting = g_new (AttachNode, n_waiting);
      GThread *threads[ATTACH_THREADS];
      guint t, i;

      for (i = 0; i < n_waiting; i++)
        {
          waiting[i] = (AttachNode) { &attach, ATTACH_THREADS, i };
          async_future_then (attach.future, attach_ran, &waiting[i], NULL);
        }
      for (t = 0; t < ATTACH_THREADS; t++)
        {
          nodes[t] = g_new (AttachNode, ATTACH_PER_THREAD);
          for (i = 0; i < ATTACH_PER_THREAD; i++)
            nodes[t][i] = (AttachNode) { &attach, t, i };
          threads[t] = g_thread_new ("attach", attach_thread, nodes[t]);
        }
      g_atomic_int_set (&attach.go, TRUE);
      while (g_atomic_int_get (&attach.n_attached) < ATTACH_THREADS)
        g_thread_yield ();
      g_atomic_int_set (&attach.settling, TRUE);
      async_future_resolve_int (attach.future, round);
      for (t = 0; t < ATTACH_THREADS; t++)
        g_thread_join (threads[t]);

      while (attach.n_ran < n_waiting + ATTACH_THREADS * ATTACH_PER_THREAD)
        g_main_context_iteration (NULL, TRUE);
      test_iterate_pending ();
      g_assert_cmpuint (attach.n_ran, ==, n_waiting + ATTACH_THREADS * ATTACH_PER_THREAD);
      g_assert_true (attach.in_order);
      async_future_unref (attach.future);
      for (t = 0; t < ATTACH_THREADS; t++)
        g_free (nodes[t]);
      g_free (waiting);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/future/settle/resolve-once", test_resolve_once);
  g_test_add_func ("/future/settle/reject-once", test_reject_once);
  g_test_add_func ("/future/settle/reject-literal", test_reject_literal);
  g_test_add_func ("/future/settle/cancel-once", test_cancel_once);
  g_test_add_func ("/future/settle/int", test_int);
  g_test_add_func ("/future/settle/boolean", test_boolean);
  g_test_add_func ("/future/settle/already-settled", test_new_settled);
  g_test_add_data_func ("/future/settle/race/producer-against-cancellers",
                        GINT_TO_POINTER (RACE_PRODUCER_AGAINST_CANCELLERS), test_race);
  g_test_add_data_func ("/future/settle/race/everyone-settles",
                        GINT_TO_POINTER (RACE_EVERYONE_SETTLES), test_race);
  g_test_add_func ("/future/value/destroy-on-last-unref", test_value_destroy_last_ref);
  g_test_add_func ("/future/value/steal", test_steal_value);
  g_test_add_func ("/future/value/autoptr", test_autoptr);
  g_test_add_func ("/future/error/propagate", test_propagate_error);
  g_test_add_func ("/future/where", test_where);
  g_test_add_func ("/future/then/never-synchronous", test_then_never_synchronous);
  g_test_add_func ("/future/then/nested", test_then_nested);
  g_test_add_func ("/future/then/order", test_then_order);
  g_test_add_func ("/future/then/user-data-destroy", test_then_user_data_destroy);
  g_test_add_func ("/future/then/destroy-notify-after-call", test_then_destroy_notify);
  g_test_add_func ("/future/then/unsettled-free", test_then_unsettled_free);
  g_test_add_func ("/future/then/context/pushed", test_then_context_pushed);
  g_test_add_func ("/future/then/context/threads", test_then_context_threads);
  g_test_add_func ("/future/then/threads/race-settle", test_then_threads_attach_while_settling);
  g_test_add_func ("/future/unretrieved-error/warns", test_unretrieved_error_warns);
  g_test_add_func ("/future/unretrieved-error/retrieved", test_unretrieved_error_retrieved);

  return g_test_run ();
}
