/* test-stress.c: the core under load: a million futures settled and
 * cancelled from many threads, deep chains and wide gathers, 100,000 live
 * coroutines cancelled at random, a saturated pool. ASYNC_TEST_QUICK=1
 * (the sanitizer builds) scales the counts down. */

#include "config.h"

#include <async-glib/async-glib.h>

#include "test-util.h"

static gboolean
test_quick (void)
{
  return g_strcmp0 (g_getenv ("ASYNC_TEST_QUICK"), "1") == 0;
}

/* --- /stress/futures/cross-thread ---------------------------------------- */

#define N_SETTLERS  8
#define N_CANCELERS 2

typedef struct
{
  guint         n;
  AsyncFuture **futures;
  gint          n_published;   /* atomic: futures[0 .. n_published) exist */
  gint         *wins;          /* atomic: TRUE returns of resolve and cancel */
  guint        *runs;          /* main thread only: continuation runs */
  guint         n_continued;   /* main thread only */
  gboolean      all_continued;
  gboolean      wrong_thread;
  GThread      *loop_thread;
} CrossThread;

typedef struct
{
  CrossThread *ct;
  guint        index;
} Worker;

static void
cross_thread_done (AsyncFuture *future,
                   gpointer     user_data)
{
  Worker *slot = user_data;
  CrossThread *ct = slot->ct;

  if (g_thread_self () != ct->loop_thread)
    ct->wrong_thread = TRUE;
  g_assert_false (async_future_is_pending (future));
  ct->runs[slot->index]++;
  if (++ct->n_continued == ct->n)
    ct->all_continued = TRUE;
}

/* Waits until future @i has been published by the loop thread. */
static AsyncFuture *
cross_thread_get (CrossThread *ct,
                  guint        i)
{
  while ((guint) g_atomic_int_get (&ct->n_published) <= i)
    g_thread_yield ();
  return ct->futures[i];
}

static gpointer
settler_thread (gpointer data)
{
  Worker *worker = data;
  CrossThread *ct = worker->ct;
  guint i;

  for (i = worker->index; i < ct->n; i += N_SETTLERS)
    {
      AsyncFuture *future = cross_thread_get (ct, i);

      if (async_future_resolve_int (future, i))
        g_atomic_int_inc (&ct->wins[i]);
    }
  return NULL;
}

/* Both cancelers go for the same quarter of the futures, so that cancel
 * races with cancel as well as with resolve. */
static gpointer
canceler_thread (gpointer data)
{
  Worker *worker = data;
  CrossThread *ct = worker->ct;
  guint i;

  for (i = 0; i < ct->n; i++)
    {
      guint j = worker->index == 0 ? i : ct->n - 1 - i;

      if (j % 4 != 1)
        continue;
      if (async_future_cancel (cross_thread_get (ct, j)))
        g_atomic_int_inc (&ct->wins[j]);
    }
  return NULL;
}

static void
test_futures_cross_thread (void)
{
  CrossThread ct = { 0 };
  Worker settlers[N_SETTLERS], cancelers[N_CANCELERS];
  GThread *threads[N_SETTLERS + N_CANCELERS];
  Worker *slots;
  guint i, n_threads = 0, n_resolved = 0, n_cancelled = 0;
  gint64 start = g_get_monotonic_time ();

  ct.n = test_quick () ? 200000 : 1000000;
  ct.futures = g_new (AsyncFuture *, ct.n);
  ct.wins = g_new0 (gint, ct.n);
  ct.runs = g_new0 (guint, ct.n);
  ct.loop_thread = g_thread_self ();
  slots = g_new (Worker, ct.n);

  for (i = 0; i < N_SETTLERS; i++)
    {
      settlers[i] = (Worker) { &ct, i };
      threads[n_threads++] = g_thread_new ("settler", settler_thread, &settlers[i]);
    }
  for (i = 0; i < N_CANCELERS; i++)
    {
      cancelers[i] = (Worker) { &ct, i };
      threads[n_threads++] = g_thread_new ("canceler", canceler_thread, &cancelers[i]);
    }

  /* Attach while the other threads settle, so that attaching races with
   * settling; run the loop now and then, so that continuations run while
   * settles arrive. */
  for (i = 0; i < ct.n; i++)
    {
      ct.futures[i] = async_future_new ();
      slots[i] = (Worker) { &ct, i };
      async_future_then (ct.futures[i], cross_thread_done, &slots[i], NULL);
      g_atomic_int_set (&ct.n_published, i + 1);
      if (i % 4096 == 0)
        test_iterate_pending ();
    }

  test_spin_until (&ct.all_continued, 120);

  for (i = 0; i < n_threads; i++)
    g_thread_join (threads[i]);
  test_iterate_pending ();

  g_assert_false (ct.wrong_thread);
  for (i = 0; i < ct.n; i++)
    {
      AsyncFuture *future = ct.futures[i];

      if (ct.runs[i] != 1 || g_atomic_int_get (&ct.wins[i]) != 1)
        g_error ("future %u: continuation ran %u times, settled by %d calls (state %d)",
                 i, ct.runs[i], g_atomic_int_get (&ct.wins[i]),
                 async_future_get_state (future));
      if (async_future_is_resolved (future))
        {
          g_assert_cmpint (async_future_get_int (future), ==, i);
          n_resolved++;
        }
      else
        {
          g_assert_true (async_future_is_cancelled (future));
          g_assert_cmpuint (i % 4, ==, 1);
          n_cancelled++;
        }
      async_future_unref (future);
    }
  g_assert_cmpuint (n_resolved + n_cancelled, ==, ct.n);
  g_test_message ("%u futures: %u resolved, %u cancelled, %.2f s",
                  ct.n, n_resolved, n_cancelled, test_elapsed (start));

  g_free (slots);
  g_free (ct.runs);
  g_free (ct.wins);
  g_free (ct.futures);
}

/* --- /stress/futures/deep-chain ------------------------------------------ */

typedef struct
{
  AsyncFuture **chain;
  guint         index;
} Link;

/* Each future's continuation settles the next one. */
static void
chain_link_done (AsyncFuture *future,
                 gpointer     user_data)
{
  Link *link = user_data;

  g_assert_true (async_future_resolve_int (link->chain[link->index + 1],
                                           async_future_get_int (future) + 1));
}

static void
test_futures_deep_chain (void)
{
  const guint n = 100000;
  AsyncFuture **chain = g_new (AsyncFuture *, n + 1);
  Link *links = g_new (Link, n);
  AsyncFuture **children = g_new (AsyncFuture *, n);
  AsyncFuture *gathered;
  guint i;

  for (i = 0; i <= n; i++)
    chain[i] = async_future_new ();
  for (i = 0; i < n; i++)
    {
      links[i] = (Link) { chain, i };
      async_future_then (chain[i], chain_link_done, &links[i], NULL);
    }

  async_future_resolve_int (chain[0], 0);
  test_await (chain[n], 60);
  g_assert_cmpint (async_future_get_int (chain[n]), ==, n);
  for (i = 0; i <= n; i++)
    async_future_unref (chain[i]);

  /* A gather as wide, its children settled last to first: the results
   * still come back in the order given. */
  for (i = 0; i < n; i++)
    children[i] = async_future_new ();
  for (i = 0; i < n; i++)
    async_future_ref (children[i]);
  gathered = async_gather_array (ASYNC_GATHER_DEFAULT, children, n);
  for (i = n; i > 0; i--)
    {
      async_future_resolve_int (children[i - 1], i - 1);
      async_future_unref (children[i - 1]);
    }
  test_await (gathered, 60);
  g_assert_true (async_future_is_resolved (gathered));
  for (i = 0; i < n; i += 997)
    g_assert_cmpint (async_future_get_int (async_gather_get_result (gathered, i)), ==, i);
  g_assert_cmpint (async_future_get_int (async_gather_get_result (gathered, n - 1)), ==, n - 1);
  async_future_unref (gathered);

  g_free (children);
  g_free (links);
  g_free (chain);
}

/* --- /stress/coroutines/cancel ------------------------------------------- */

typedef struct
{
  guint  n;
  gint  *destroyed;       /* per coroutine: frame_destroy calls */
  gint   n_destroyed;
  gint   n_caught;        /* cancellations a coroutine caught and survived */
  AsyncFuture **futures;
} CoroStress;

typedef struct
{
  CoroStress *stress;
  guint       index;
  guint       iterations;
  guint       max_iterations;
  gboolean    catches;    /* catches its cancellation, awaits once more */
  guint32     rand_state; /* xorshift32: a GRand is 2.5 KiB */
} SleeperFrame;

static gint64
sleeper_next_usec (SleeperFrame *frame)
{
  guint32 x = frame->rand_state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  frame->rand_state = x;
  return x % 5000;
}

static void
sleeper_frame_free (gpointer data)
{
  SleeperFrame *frame = data;

  g_atomic_int_inc (&frame->stress->destroyed[frame->index]);
  g_atomic_int_inc (&frame->stress->n_destroyed);
  g_free (frame);
}

static void
sleeper (AsyncCoroutine *co,
         gpointer        data)
{
  SleeperFrame *frame = data;
  GError *error = NULL;

  ASYNC_BEGIN (co);

  for (frame->iterations = 0; frame->iterations < frame->max_iterations; frame->iterations++)
    {
      if (!frame->catches)
        {
          ASYNC_AWAIT (co, async_sleep_usec (sleeper_next_usec (frame)));
          continue;
        }

      ASYNC_AWAIT_TRY (co, async_sleep_usec (sleeper_next_usec (frame)), &error);
      if (error != NULL)
        {
          /* Python's `except CancelledError: await asyncio.sleep (0); raise`. */
          g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
          g_clear_error (&error);
          frame->stress->n_caught++;
          ASYNC_AWAIT (co, async_sleep (0));
          ASYNC_RETURN_ERROR (co, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                       "re-raised"));
        }
    }

  ASYNC_RETURN_INT (co, frame->index);

  ASYNC_END (co);
}

typedef struct
{
  CoroStress *stress;
  GRand      *rand;
  guint       round;
} DriverFrame;

static void
driver_frame_free (gpointer data)
{
  DriverFrame *frame = data;

  g_rand_free (frame->rand);
  g_free (frame);
}

/* Cancels a random few hundred coroutines every millisecond for a while
 * (before they start, while they sleep, after they ended), then the rest. */
static void
driver (AsyncCoroutine *co,
        gpointer        data)
{
  DriverFrame *frame = data;
  CoroStress *stress = frame->stress;
  guint i;

  ASYNC_BEGIN (co);

  for (i = 0; i < stress->n / 50; i++)
    async_future_cancel (stress->futures[g_rand_int_range (frame->rand, 0, stress->n)]);

  for (frame->round = 0; frame->round < 10; frame->round++)
    {
      ASYNC_AWAIT (co, async_sleep (0.001));
      for (i = 0; i < stress->n / 100; i++)
        async_future_cancel (stress->futures[g_rand_int_range (frame->rand, 0, stress->n)]);
    }

  for (i = 0; i < stress->n; i++)
    async_future_cancel (stress->futures[i]);

  ASYNC_END (co);
}

static AsyncFuture *
coroutine_stress_start (gpointer user_data)
{
  CoroStress *stress = user_data;
  DriverFrame *driver_frame = g_new0 (DriverFrame, 1);
  AsyncFuture **all = g_new (AsyncFuture *, stress->n + 1);
  GRand *rand = g_rand_new_with_seed (4);
  AsyncFuture *gathered;
  guint i;

  for (i = 0; i < stress->n; i++)
    {
      SleeperFrame *frame = g_new0 (SleeperFrame, 1);

      frame->stress = stress;
      frame->index = i;
      frame->max_iterations = g_rand_int_range (rand, 1, 20);
      frame->catches = i % 7 == 0;
      frame->rand_state = i + 1;
      stress->futures[i] = async_spawn (sleeper, frame, sleeper_frame_free);
      all[i] = async_future_ref (stress->futures[i]);
    }

  driver_frame->stress = stress;
  driver_frame->rand = rand;
  all[stress->n] = async_spawn (driver, driver_frame, driver_frame_free);

  gathered = async_gather_array (ASYNC_GATHER_RETURN_EXCEPTIONS, all, stress->n + 1);
  g_free (all);
  return gathered;
}

static void
test_coroutines_cancel (void)
{
  CoroStress stress = { 0 };
  AsyncFuture *result;
  guint i, n_resolved = 0, n_cancelled = 0;
  gint64 start = g_get_monotonic_time ();

  stress.n = test_quick () ? 20000 : 100000;
  stress.destroyed = g_new0 (gint, stress.n);
  stress.futures = g_new (AsyncFuture *, stress.n);

  result = async_run (coroutine_stress_start, &stress);
  g_assert_true (async_future_is_resolved (result));
  async_future_unref (result);

  g_assert_cmpint (stress.n_destroyed, ==, stress.n);
  for (i = 0; i < stress.n; i++)
    {
      AsyncFuture *future = stress.futures[i];

      g_assert_cmpint (stress.destroyed[i], ==, 1);
      if (async_future_is_resolved (future))
        {
          g_assert_cmpint (async_future_get_int (future), ==, i);
          n_resolved++;
        }
      else
        {
          g_assert_true (async_future_is_cancelled (future));
          n_cancelled++;
        }
      async_future_unref (future);
    }
  /* Both outcomes happened, and some coroutines caught the request. */
  g_assert_cmpuint (n_resolved, >, 0);
  g_assert_cmpuint (n_cancelled, >, 0);
  g_assert_cmpint (stress.n_caught, >, 0);
  g_test_message ("%u coroutines: %u ended, %u cancelled (%d caught it), %.2f s",
                  stress.n, n_resolved, n_cancelled, stress.n_caught, test_elapsed (start));

  g_free (stress.futures);
  g_free (stress.destroyed);
}

/* --- /stress/pool/saturate ----------------------------------------------- */

#define POOL_THREADS 4
#define POOL_JOBS    200

typedef enum
{
  JOB_QUICK,          /* runs to the end */
  JOB_CANCEL_BEFORE,  /* cancelled while queued: must never run */
  JOB_CANCEL_DURING,  /* cancelled while running: sees its cancellable */
} JobKind;

typedef struct
{
  gint      live;          /* atomic: jobs inside their function */
  gint      max_live;      /* atomic */
  gint      ran[POOL_JOBS];
  gint      saw_cancel[POOL_JOBS];
  gint      ended[POOL_JOBS];
  gint      gate_open;       /* atomic */
  gint      n_ended;         /* atomic */
  gint      unfinished_at_end;
  JobKind   kinds[POOL_JOBS];
  AsyncFuture *futures[POOL_JOBS];
  AsyncPool *pool;
} PoolStress;

typedef struct
{
  PoolStress *stress;
  guint       index;
} PoolJob;

static gpointer
pool_job (gpointer       user_data,
          GCancellable  *cancellable,
          GError       **error)
{
  PoolJob *job = user_data;
  PoolStress *stress = job->stress;
  gint live = g_atomic_int_add (&stress->live, 1) + 1;
  gint max_live;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  do
    max_live = g_atomic_int_get (&stress->max_live);
  while (live > max_live && !g_atomic_int_compare_and_exchange (&stress->max_live, max_live, live));

  g_atomic_int_inc (&stress->ran[job->index]);

  switch (stress->kinds[job->index])
    {
    case JOB_QUICK:
      /* The first jobs hold every thread until the test has cancelled the
       * queued ones, so that those cannot have started. */
      while (!g_atomic_int_get (&stress->gate_open) && g_get_monotonic_time () < deadline)
        g_usleep (200);
      g_usleep (g_random_int_range (0, 2000));
      break;
    case JOB_CANCEL_BEFORE:
      break;
    case JOB_CANCEL_DURING:
      while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < deadline)
        g_usleep (200);
      if (g_cancellable_is_cancelled (cancellable))
        g_atomic_int_inc (&stress->saw_cancel[job->index]);
      break;
    default:
      g_assert_not_reached ();
    }

  g_atomic_int_inc (&stress->ended[job->index]);
  g_atomic_int_inc (&stress->n_ended);
  g_atomic_int_add (&stress->live, -1);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return GUINT_TO_POINTER (job->index + 1);
}

typedef struct
{
  PoolStress *stress;
  guint       i;
} PoolDriverFrame;

/* Saturates the pool, cancels the queued jobs it picked while the gate
 * holds every thread, then cancels others as they start running. The main
 * future settles while the jobs of the second half still run or wait:
 * async_run () must cancel them and wait for those running. */
static void
pool_driver (AsyncCoroutine *co,
             gpointer        data)
{
  PoolDriverFrame *frame = data;
  PoolStress *stress = frame->stress;
  guint i;

  ASYNC_BEGIN (co);

  for (i = 0; i < POOL_JOBS; i++)
    {
      PoolJob *job = g_new (PoolJob, 1);

      job->stress = stress;
      job->index = i;
      if (i < POOL_THREADS || i % 3 == 0)
        stress->kinds[i] = JOB_QUICK;
      else if (i % 3 == 1)
        stress->kinds[i] = JOB_CANCEL_BEFORE;
      else
        stress->kinds[i] = i < POOL_JOBS / 2 ? JOB_CANCEL_DURING : JOB_QUICK;
      stress->futures[i] = async_pool_submit (stress->pool, pool_job, job, g_free, NULL);
    }

  for (i = 0; i < POOL_JOBS; i++)
    if (stress->kinds[i] == JOB_CANCEL_BEFORE)
      g_assert_true (async_future_cancel (stress->futures[i]));
  g_atomic_int_set (&stress->gate_open, TRUE);

  for (frame->i = 0; frame->i < POOL_JOBS; frame->i++)
    {
      if (stress->kinds[frame->i] != JOB_CANCEL_DURING)
        continue;
      while (g_atomic_int_get (&stress->ran[frame->i]) == 0)
        ASYNC_AWAIT (co, async_sleep (0.0005));
      async_future_cancel (stress->futures[frame->i]);
    }

  /* The jobs of the second half are still queued or running. */
  stress->unfinished_at_end = POOL_JOBS - g_atomic_int_get (&stress->n_ended);

  ASYNC_END (co);
}

static AsyncFuture *
pool_stress_start (gpointer user_data)
{
  PoolDriverFrame *frame = g_new0 (PoolDriverFrame, 1);

  frame->stress = user_data;
  return async_spawn (pool_driver, frame, g_free);
}

static void
test_pool_saturate (void)
{
  PoolStress stress = { 0 };
  AsyncFuture *result;
  guint i, n_before = 0, n_during = 0, n_saw = 0, n_left = 0;

  stress.pool = async_pool_new (POOL_THREADS);

  result = async_run (pool_stress_start, &stress);
  g_assert_true (async_future_is_resolved (result));
  async_future_unref (result);

  /* async_run () returned: nothing it started may still run, though work
   * was left when its main future settled. */
  g_assert_cmpint (stress.unfinished_at_end, >, 0);
  g_assert_cmpint (g_atomic_int_get (&stress.live), ==, 0);
  g_assert_cmpint (stress.max_live, <=, POOL_THREADS);
  g_assert_cmpint (stress.max_live, >=, 1);

  for (i = 0; i < POOL_JOBS; i++)
    {
      AsyncFuture *future = stress.futures[i];

      g_assert_false (async_future_is_pending (future));
      g_assert_cmpint (stress.ended[i], ==, stress.ran[i]);
      g_assert_cmpint (stress.ran[i], <=, 1);
      switch (stress.kinds[i])
        {
        case JOB_QUICK:
          /* async_run () cancelled what was left when the main future
           * settled: a quick job ran, or ends cancelled without running. */
          if (stress.ran[i] == 0)
            {
              g_assert_true (async_future_is_cancelled (future));
              n_left++;
            }
          break;
        case JOB_CANCEL_BEFORE:
          g_assert_cmpint (stress.ran[i], ==, 0);
          g_assert_true (async_future_is_cancelled (future));
          n_before++;
          break;
        case JOB_CANCEL_DURING:
          if (async_future_is_cancelled (future) && stress.ran[i] == 1)
            {
              n_during++;
              n_saw += stress.saw_cancel[i];
            }
          break;
        default:
          g_assert_not_reached ();
        }
      if (async_future_is_resolved (future))
        g_assert_cmpuint (GPOINTER_TO_UINT (async_future_get_value (future)), ==, i + 1);
      async_future_unref (future);
    }

  g_assert_cmpuint (n_before, >, 0);
  g_assert_cmpuint (n_during, >, 0);
  g_assert_cmpuint (n_saw, ==, n_during);
  g_test_message ("%u jobs on %u threads: %u cancelled queued, %u cancelled running, "
                  "%u left queued and cancelled by async_run ()",
                  POOL_JOBS, POOL_THREADS, n_before, n_during, n_left);

  async_pool_shutdown (stress.pool, FALSE);
  async_pool_unref (stress.pool);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stress/futures/cross-thread", test_futures_cross_thread);
  g_test_add_func ("/stress/futures/deep-chain", test_futures_deep_chain);
  g_test_add_func ("/stress/coroutines/cancel", test_coroutines_cancel);
  g_test_add_func ("/stress/pool/saturate", test_pool_saturate);

  return g_test_run ();
}
