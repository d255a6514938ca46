/* test-util.h: helpers shared by the core's test programs: spinning the
 * thread-default main context with a time-out guard, and destroy counters. */

#pragma once

#include <async-glib/async-glib.h>

G_BEGIN_DECLS

static inline gboolean
test_util_flag_set (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the thread-default context until *@done is TRUE. A guard timer
 * wakes the loop after @timeout_s so that a test whose event never comes
 * fails at @where instead of hanging. */
static inline void
test_spin_until_at (const char     *where,
                    const gboolean *done,
                    double          timeout_s)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  GSource *guard = g_timeout_source_new ((guint) (timeout_s * 1000));
  gboolean timed_out = FALSE;

  g_source_set_callback (guard, test_util_flag_set, &timed_out, NULL);
  g_source_attach (guard, context);

  while (!g_atomic_int_get (done) && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (guard);
  g_source_unref (guard);
  g_main_context_unref (context);

  if (!g_atomic_int_get (done))
    {
      g_test_message ("%s: still waiting after %.1f s", where, timeout_s);
      g_assert_not_reached ();
    }
}
#define test_spin_until(done, timeout_s) \
  test_spin_until_at (G_STRLOC, (done), (timeout_s))

static inline void
test_util_future_settled (AsyncFuture *future,
                          gpointer     user_data)
{
  gboolean *settled = user_data;

  *settled = TRUE;
}

/* Iterates the thread-default context until @future has settled and the
 * continuations attached before this call have run, failing the test at
 * @where if that takes longer than @timeout_s. */
static inline void
test_await_at (const char  *where,
               AsyncFuture *future,
               double       timeout_s)
{
  gboolean settled = FALSE;

  async_future_then (future, test_util_future_settled, &settled, NULL);
  test_spin_until_at (where, &settled, timeout_s);
  g_assert_false (async_future_is_pending (future));
}
#define test_await(future, timeout_s) \
  test_await_at (G_STRLOC, (future), (timeout_s))

/* Iterates the thread-default context for @seconds, whatever happens. */
static inline void
test_iterate_for (double seconds)
{
  gboolean done = FALSE;
  GMainContext *context = g_main_context_ref_thread_default ();
  GSource *timer = g_timeout_source_new ((guint) (seconds * 1000));

  g_source_set_callback (timer, test_util_flag_set, &done, NULL);
  g_source_attach (timer, context);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_source_unref (timer);
  g_main_context_unref (context);
}

/* Runs what is ready on the thread-default context without blocking. */
static inline void
test_iterate_pending (void)
{
  GMainContext *context = g_main_context_ref_thread_default ();

  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_unref (context);
}

/* A GDestroyNotify for a `gint` counter: counts how often it was called. */
static inline void
test_count_destroy (gpointer counter)
{
  g_atomic_int_inc ((gint *) counter);
}

/* A continuation counting its calls in the `gint` at @user_data. */
static inline void
test_count_call (AsyncFuture *future,
                 gpointer     user_data)
{
  g_assert_false (async_future_is_pending (future));
  g_atomic_int_inc ((gint *) user_data);
}

/* A value whose destruction is counted, for checking that values are freed
 * exactly once: resolve with test_tracked_new (&n), test_tracked_free. */
typedef struct
{
  gint *destroyed;
  gint  payload;
} TestTracked;

static inline TestTracked *
test_tracked_new (gint *destroyed,
                  gint  payload)
{
  TestTracked *tracked = g_new0 (TestTracked, 1);

  tracked->destroyed = destroyed;
  tracked->payload = payload;
  return tracked;
}

static inline void
test_tracked_free (gpointer data)
{
  TestTracked *tracked = data;

  g_atomic_int_inc (tracked->destroyed);
  g_free (tracked);
}

/* Seconds since @start_us (a g_get_monotonic_time () reading). */
static inline double
test_elapsed (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC;
}

/* Asserts that @trace (of gint) holds exactly the @n values of @expected. */
static inline void
test_assert_trace (GArray     *trace,
                   const gint *expected,
                   guint       n)
{
  g_assert_cmpuint (trace->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (trace, gint, i), ==, expected[i]);
}

#define TEST_ERROR (g_quark_from_static_string ("async-glib-test-error"))

G_END_DECLS
