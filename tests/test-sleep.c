/* test-sleep.c: async_sleep (): sleep (0) yields exactly one turn, deadlines
 * fire in order and never early, and a cancelled sleep leaves the loop
 * alone. Timing is checked with lower bounds and generous upper bounds. */

#include "config.h"

#include <math.h>

#include "test-util.h"

typedef struct
{
  GArray *trace;
  gint    id;
  gint    rounds;
  gint    i;
} PingPong;

static void
ping_pong (AsyncCoroutine *co,
           gpointer        data)
{
  PingPong *self = data;

  ASYNC_BEGIN (co);
  for (self->i = 0; self->i < self->rounds; self->i++)
    {
      g_array_append_val (self->trace, self->id);
      ASYNC_AWAIT (co, async_sleep (0));
    }
  ASYNC_END (co);
}

static void
test_zero_yields_one_turn (void)
{
  GArray *trace = g_array_new (FALSE, FALSE, sizeof (gint));
  PingPong a = { trace, 0, 3, 0 };
  PingPong b = { trace, 1, 3, 0 };
  AsyncFuture *fa = async_spawn (ping_pong, &a, NULL);
  AsyncFuture *fb = async_spawn (ping_pong, &b, NULL);
  guint i;

  /* Each sleep (0) lets the other, ready coroutine run once, and no more:
   * the two alternate. */
  test_await (fa, 5);
  test_await (fb, 5);
  g_assert_cmpuint (trace->len, ==, 6);
  for (i = 0; i < trace->len; i++)
    g_assert_cmpint (g_array_index (trace, gint, i), ==, i % 2);

  async_future_unref (fa);
  async_future_unref (fb);
  g_array_unref (trace);
}

static void
test_zero_is_pending (void)
{
  AsyncFuture *zero = async_sleep (0);
  AsyncFuture *negative = async_sleep (-1);
  AsyncFuture *zero_usec = async_sleep_usec (0);

  /* A yield: never settled inside the call, settled on the next turn. */
  g_assert_true (async_future_is_pending (zero));
  g_assert_true (async_future_is_pending (negative));
  g_assert_true (async_future_is_pending (zero_usec));
  test_await (zero, 1);
  test_await (negative, 1);
  test_await (zero_usec, 1);
  g_assert_true (async_future_is_resolved (zero));
  g_assert_true (async_future_is_resolved (negative));
  g_assert_true (async_future_is_resolved (zero_usec));
  g_assert_null (async_future_get_value (zero));
  async_future_unref (zero);
  async_future_unref (negative);
  async_future_unref (zero_usec);
}

typedef struct
{
  GArray *order;
  gint    id;
  gint64  start;
  gint64  min_usec;
  gint64  fired_after;
} Fired;

static void
record_fired (AsyncFuture *future,
              gpointer     user_data)
{
  Fired *fired = user_data;

  g_assert_true (async_future_is_resolved (future));
  fired->fired_after = g_get_monotonic_time () - fired->start;
  if (fired->order != NULL)
    g_array_append_val (fired->order, fired->id);
}

static void
test_deadline_order (void)
{
  const double delays[] = { 0.04, 0.02, 0.05, 0.03, 0.01 };
  gint expected[G_N_ELEMENTS (delays)];
  GArray *order = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *futures[G_N_ELEMENTS (delays)];
  Fired fired[G_N_ELEMENTS (delays)];
  guint i, j;

  /* The scheduler exists before the first deadline is taken. */
  test_iterate_pending ();

  for (i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      fired[i].order = order;
      fired[i].id = i;
      fired[i].start = g_get_monotonic_time ();
      futures[i] = async_sleep (delays[i]);
      async_future_then (futures[i], record_fired, &fired[i], NULL);
    }
  for (i = 0; i < G_N_ELEMENTS (delays); i++)
    test_await (futures[i], 5);

  /* The order of the deadlines as they were taken (4, 1, 3, 0, 2 on a
   * fast machine; a slow one, valgrind say, may space the sleeps out). */
  for (i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      gint64 deadline = fired[i].start + (gint64) (delays[i] * G_USEC_PER_SEC);

      for (j = i; j > 0 && fired[expected[j - 1]].start +
                           (gint64) (delays[expected[j - 1]] * G_USEC_PER_SEC) > deadline; j--)
        expected[j] = expected[j - 1];
      expected[j] = i;
    }

  g_assert_cmpuint (order->len, ==, G_N_ELEMENTS (expected));
  for (i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (g_array_index (order, gint, i), ==, expected[i]);
  for (i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      g_assert_cmpint (fired[i].fired_after, >=, (gint64) (delays[i] * G_USEC_PER_SEC));
      async_future_unref (futures[i]);
    }
  g_array_unref (order);
}

static void
test_bounds (void)
{
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *future = async_sleep (0.05);
  double elapsed;

  test_await (future, 5);
  elapsed = test_elapsed (start);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpfloat (elapsed, >=, 0.05);
  g_assert_cmpfloat (elapsed, <, 1.0);
  async_future_unref (future);
}

static void
test_usec (void)
{
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *future = async_sleep_usec (20000);
  double elapsed;

  g_assert_true (async_future_is_pending (future));
  test_await (future, 5);
  elapsed = test_elapsed (start);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpfloat (elapsed, >=, 0.02);
  g_assert_cmpfloat (elapsed, <, 1.0);
  async_future_unref (future);
}

/* Many concurrent sleeps of scattered length: each one fires at or after
 * its own deadline, and all are done soon after the longest. */
#define MANY_SLEEPS 2000

static void
test_many_never_early (void)
{
  AsyncFuture **futures = g_new0 (AsyncFuture *, MANY_SLEEPS);
  Fired *fired = g_new0 (Fired, MANY_SLEEPS);
  GRand *rand = g_rand_new_with_seed (22);
  gint64 start = g_get_monotonic_time ();
  guint i;

  for (i = 0; i < MANY_SLEEPS; i++)
    {
      fired[i].start = g_get_monotonic_time ();
      fired[i].min_usec = g_rand_int_range (rand, 0, 100000);
      futures[i] = async_sleep_usec (fired[i].min_usec);
      async_future_then (futures[i], record_fired, &fired[i], NULL);
    }
  for (i = 0; i < MANY_SLEEPS; i++)
    test_await (futures[i], 5);
  g_assert_cmpfloat (test_elapsed (start), <, 2.0);

  for (i = 0; i < MANY_SLEEPS; i++)
    {
      g_assert_cmpint (fired[i].fired_after, >=, fired[i].min_usec);
      async_future_unref (futures[i]);
    }
  g_rand_free (rand);
  g_free (fired);
  g_free (futures);
}

static void
test_cancel (void)
{
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *future = async_sleep (30);

  g_assert_true (async_future_cancel (future));
  /* A sleep is no coroutine: cancelling settles it at once. */
  g_assert_true (async_future_is_cancelled (future));
  g_assert_error (async_future_get_error (future), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (async_future_cancel (future));
  test_await (future, 1);
  g_assert_cmpfloat (test_elapsed (start), <, 1.0);
  async_future_unref (future);

  /* Cancelling one that already fired changes nothing. */
  future = async_sleep (0.001);
  test_await (future, 5);
  g_assert_false (async_future_cancel (future));
  g_assert_true (async_future_is_resolved (future));
  async_future_unref (future);
}

static void
test_cancel_removes_timer (void)
{
  GMainContext *context = g_main_context_default ();
  AsyncFuture *futures[1000];
  AsyncFuture *probe;
  gboolean done = FALSE;
  GSource *guard;
  guint iterations = 0;
  guint i;

  test_iterate_pending ();

  /* 1000 sleeps with deadlines spread over 50..250 ms, all cancelled. */
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      futures[i] = async_sleep_usec (50000 + i * 200);
      async_future_cancel (futures[i]);
      g_assert_true (async_future_is_cancelled (futures[i]));
    }

  /* They do not delay what comes after them... */
  probe = async_sleep (0.01);
  test_await (probe, 1);
  async_future_unref (probe);

  /* ...and the loop does not wake for them: over 350 ms it wakes for the
   * guard alone, not once per removed deadline. */
  guard = g_timeout_source_new (350);
  g_source_set_callback (guard, test_util_flag_set, &done, NULL);
  g_source_attach (guard, context);
  while (!done)
    {
      g_main_context_iteration (context, TRUE);
      iterations++;
    }
  g_source_unref (guard);
  g_assert_cmpuint (iterations, <, 10);

  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    async_future_unref (futures[i]);
}

static void
test_drop_pending (void)
{
  gint calls = 0;
  AsyncFuture *kept = async_sleep (0.02);

  /* A sleep whose caller lets go of it still fires, harmlessly. */
  async_future_unref (async_sleep (0.01));
  async_future_then (kept, test_count_call, &calls, NULL);
  test_await (kept, 5);
  test_iterate_pending ();
  g_assert_cmpint (calls, ==, 1);
  async_future_unref (kept);
}

/* Issue 7, item 2: a time-out past the clock's range never fires, however
 * it is written (no overflow of now + usec, no undefined conversion). */
static void
test_huge_never_fires (void)
{
  AsyncFuture *sleeps[] = {
    async_sleep (INFINITY),
    async_sleep (1e13),
    async_sleep (1e300),
    async_sleep ((double) G_MAXINT64),
    async_sleep_usec (G_MAXINT64),
    async_sleep_usec (G_MAXINT64 - 1),
  };
  AsyncFuture *probe = async_sleep (0.05);
  guint i;

  test_await (probe, 5);
  for (i = 0; i < G_N_ELEMENTS (sleeps); i++)
    {
      g_assert_true (async_future_is_pending (sleeps[i]));
      g_assert_true (async_future_cancel (sleeps[i]));
      async_future_unref (sleeps[i]);
    }
  async_future_unref (probe);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sleep/zero/yields-one-turn", test_zero_yields_one_turn);
  g_test_add_func ("/sleep/zero/pending-until-next-turn", test_zero_is_pending);
  g_test_add_func ("/sleep/deadline-order", test_deadline_order);
  g_test_add_func ("/sleep/bounds", test_bounds);
  g_test_add_func ("/sleep/usec", test_usec);
  g_test_add_func ("/sleep/huge/never-fires", test_huge_never_fires);
  g_test_add_func ("/sleep/many-never-early", test_many_never_early);
  g_test_add_func ("/sleep/cancel/settles", test_cancel);
  g_test_add_func ("/sleep/cancel/removes-timer", test_cancel_removes_timer);
  g_test_add_func ("/sleep/drop-pending", test_drop_pending);

  return g_test_run ();
}
