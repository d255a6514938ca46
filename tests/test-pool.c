/* test-pool.c: AsyncPool and async_to_thread (): values and errors back on
 * the caller's context, the bound, submission order, cancellation before and
 * while running, shutdown, and async_run () waiting for pool work. */

#include "config.h"

#include <async-glib/async-glib.h>

#include "test-util.h"

/* A job that can be held at its start until the test lets it go, and that
 * records what happened to it. */
typedef struct
{
  GMutex    lock;
  GCond     cond;
  gboolean  released;
  gint      n_started;
  gint      n_running;
  gint      max_running;
  gint      n_saw_cancel;
  GArray   *order;
  guint     sleep_ms;
} Shared;

typedef struct
{
  Shared *shared;
  guint   index;
  gint   *n_destroyed;
} JobData;

static Shared *
shared_new (void)
{
  Shared *shared = g_new0 (Shared, 1);

  g_mutex_init (&shared->lock);
  g_cond_init (&shared->cond);
  shared->order = g_array_new (FALSE, FALSE, sizeof (guint));
  return shared;
}

static void
shared_free (Shared *shared)
{
  g_array_unref (shared->order);
  g_mutex_clear (&shared->lock);
  g_cond_clear (&shared->cond);
  g_free (shared);
}

static void
shared_release (Shared *shared)
{
  g_mutex_lock (&shared->lock);
  shared->released = TRUE;
  g_cond_broadcast (&shared->cond);
  g_mutex_unlock (&shared->lock);
}

static JobData *
job_data_new (Shared *shared,
              guint   index,
              gint   *n_destroyed)
{
  JobData *data = g_new0 (JobData, 1);

  data->shared = shared;
  data->index = index;
  data->n_destroyed = n_destroyed;
  return data;
}

static void
job_data_free (gpointer p)
{
  JobData *data = p;

  if (data->n_destroyed != NULL)
    g_atomic_int_inc (data->n_destroyed);
  g_free (data);
}

/* Records its start, waits until released (or cancelled), sleeps
 * shared->sleep_ms, and returns its index + 1. */
static gpointer
recording_job (gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  JobData *data = user_data;
  Shared *shared = data->shared;
  gint running;

  g_mutex_lock (&shared->lock);
  g_atomic_int_inc (&shared->n_started);
  running = ++shared->n_running;
  shared->max_running = MAX (shared->max_running, running);
  g_array_append_val (shared->order, data->index);
  while (!shared->released && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait_until (&shared->cond, &shared->lock, g_get_monotonic_time () + 10 * 1000);
  if (g_cancellable_is_cancelled (cancellable))
    shared->n_saw_cancel++;
  g_mutex_unlock (&shared->lock);

  if (shared->sleep_ms > 0)
    g_usleep (shared->sleep_ms * 1000);

  g_mutex_lock (&shared->lock);
  shared->n_running--;
  g_mutex_unlock (&shared->lock);
  return GUINT_TO_POINTER (data->index + 1);
}

static gpointer
failing_job (gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  g_set_error_literal (error, TEST_ERROR, 7, "the job failed");
  return NULL;
}

typedef struct
{
  GThread *thread;
  gint    *destroyed;
} ThreadRecord;

static gpointer
thread_recording_job (gpointer       user_data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  ThreadRecord *record = user_data;

  record->thread = g_thread_self ();
  return test_tracked_new (record->destroyed, 42);
}

static void
note_continuation_thread (AsyncFuture *future,
                          gpointer     user_data)
{
  GThread **thread = user_data;

  *thread = g_thread_self ();
}

/* async_gather_array () takes the futures; the test keeps its own. */
static AsyncFuture *
gather_refs (AsyncFuture **futures,
             guint         n_futures)
{
  AsyncFuture **refs = g_new (AsyncFuture *, n_futures);
  AsyncFuture *all;
  guint i;

  for (i = 0; i < n_futures; i++)
    refs[i] = async_future_ref (futures[i]);
  all = async_gather_array (ASYNC_GATHER_DEFAULT, refs, n_futures);
  g_free (refs);
  return all;
}

/* Waits, without iterating any context, until a worker has counted @n. */
static void
wait_for_count (gint *count,
                gint  n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_atomic_int_get (count) < n && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_cmpint (g_atomic_int_get (count), ==, n);
}

static void
test_to_thread_value (void)
{
  ThreadRecord record = { NULL, NULL };
  gint destroyed = 0;
  GThread *continuation_thread = NULL;
  AsyncFuture *future;
  TestTracked *value;

  record.destroyed = &destroyed;
  future = async_to_thread (thread_recording_job, &record, NULL, test_tracked_free);
  async_future_then (future, note_continuation_thread, &continuation_thread, NULL);
  test_await (future, 10);
  test_iterate_pending ();

  g_assert_true (async_future_is_resolved (future));
  value = async_future_get_value (future);
  g_assert_cmpint (value->payload, ==, 42);
  g_assert_true (record.thread != NULL);
  g_assert_true (record.thread != g_thread_self ());
  g_assert_true (continuation_thread == g_thread_self ());

  /* The worker hands its reference back to this thread's loop, so the
   * value is freed here, once the loop has run, never on the worker. */
  async_future_unref (future);
  test_spin_until (&destroyed, 10);
  g_assert_cmpint (g_atomic_int_get (&destroyed), ==, 1);
}

static void
test_to_thread_error (void)
{
  AsyncFuture *future = async_to_thread (failing_job, NULL, NULL, NULL);
  GError *error = NULL;

  test_await (future, 10);
  g_assert_true (async_future_is_rejected (future));
  g_assert_false (async_future_propagate_error (future, &error));
  g_assert_error (error, TEST_ERROR, 7);
  g_error_free (error);
  async_future_unref (future);
}

static void
test_default_pool (void)
{
  AsyncPool *pool = async_pool_get_default ();

  g_assert_true (pool == async_pool_get_default ());
  g_assert_cmpuint (async_pool_get_max_threads (pool), >=, 4);
  g_assert_cmpuint (async_pool_get_max_threads (pool), <=, 32);
}

static void
test_bound_and_order (void)
{
  AsyncPool *pool = async_pool_new (2);
  Shared *shared = shared_new ();
  AsyncFuture *futures[8];
  AsyncFuture *all;
  gint destroyed = 0;
  guint i;

  shared->sleep_ms = 20;
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = async_pool_submit (pool, recording_job, job_data_new (shared, i, &destroyed),
                                    job_data_free, NULL);

  /* Both threads are held at their start: the rest must queue. */
  while (g_atomic_int_get (&shared->n_started) < 2)
    g_usleep (1000);
  g_assert_cmpuint (async_pool_get_n_running (pool), ==, 2);
  g_assert_cmpuint (async_pool_get_n_queued (pool), ==, G_N_ELEMENTS (futures) - 2);
  shared_release (shared);

  all = gather_refs (futures, G_N_ELEMENTS (futures));
  test_await (all, 30);
  g_assert_true (async_future_is_resolved (all));
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (async_future_get_value (futures[i])), ==, i + 1);

  g_assert_cmpint (shared->max_running, ==, 2);
  g_assert_cmpuint (shared->order->len, ==, G_N_ELEMENTS (futures));
  /* With two threads the first two may start in either order; every later
   * job starts after the ones submitted before it were taken. */
  for (i = 2; i < shared->order->len; i++)
    g_assert_cmpuint (g_array_index (shared->order, guint, i), ==, i);
  g_assert_cmpint (g_atomic_int_get (&destroyed), ==, G_N_ELEMENTS (futures));

  async_future_unref (all);
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    async_future_unref (futures[i]);
  async_pool_unref (pool);
  shared_free (shared);
}

static void
test_order_single_thread (void)
{
  AsyncPool *pool = async_pool_new (1);
  Shared *shared = shared_new ();
  AsyncFuture *futures[20];
  AsyncFuture *all;
  guint i;

  shared->released = TRUE;
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = async_pool_submit (pool, recording_job, job_data_new (shared, i, NULL),
                                    job_data_free, NULL);
  all = gather_refs (futures, G_N_ELEMENTS (futures));
  test_await (all, 30);

  g_assert_cmpuint (shared->order->len, ==, G_N_ELEMENTS (futures));
  for (i = 0; i < shared->order->len; i++)
    g_assert_cmpuint (g_array_index (shared->order, guint, i), ==, i);
  g_assert_cmpint (shared->max_running, ==, 1);

  async_future_unref (all);
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    async_future_unref (futures[i]);
  async_pool_unref (pool);
  shared_free (shared);
}

static void
test_cancel_queued_never_runs (void)
{
  AsyncPool *pool = async_pool_new (1);
  Shared *shared = shared_new ();
  gint destroyed = 0;
  AsyncFuture *first, *second;

  first = async_pool_submit (pool, recording_job, job_data_new (shared, 0, &destroyed),
                             job_data_free, NULL);
  second = async_pool_submit (pool, recording_job, job_data_new (shared, 1, &destroyed),
                              job_data_free, NULL);
  while (g_atomic_int_get (&shared->n_started) < 1)
    g_usleep (1000);

  g_assert_true (async_future_cancel (second));
  /* Cancelled at once, as asyncio.to_thread()'s future is. */
  g_assert_true (async_future_is_cancelled (second));
  shared_release (shared);

  test_await (first, 10);
  g_assert_true (async_future_is_resolved (first));
  /* The skipped job still ends: its data is freed and the pool empties. */
  wait_for_count (&destroyed, 2);
  g_assert_cmpint (g_atomic_int_get (&shared->n_started), ==, 1);
  g_assert_cmpuint (g_array_index (shared->order, guint, 0), ==, 0);

  async_future_unref (first);
  async_future_unref (second);
  async_pool_unref (pool);
  shared_free (shared);
}

static void
test_cancel_running_sees_cancellable (void)
{
  AsyncPool *pool = async_pool_new (1);
  Shared *shared = shared_new ();
  gint destroyed = 0;
  AsyncFuture *future;

  future = async_pool_submit (pool, recording_job, job_data_new (shared, 0, &destroyed),
                              job_data_free, NULL);
  while (g_atomic_int_get (&shared->n_started) < 1)
    g_usleep (1000);

  g_assert_true (async_future_cancel (future));
  g_assert_true (async_future_is_cancelled (future));
  /* The job, waiting for a release that never comes, ends because it sees
   * the cancellable; its late value is dropped. */
  wait_for_count (&destroyed, 1);
  g_assert_cmpint (shared->n_saw_cancel, ==, 1);
  g_assert_true (async_future_is_cancelled (future));

  async_future_unref (future);
  async_pool_unref (pool);
  shared_free (shared);
}

typedef struct
{
  gint     destroyed;   /* first: a TestTracked counter */
  gint     started;     /* atomic */
  GThread *destroyed_on;
} LateValue;

static gpointer
late_value_job (gpointer       user_data,
                GCancellable  *cancellable,
                GError       **error)
{
  LateValue *late = user_data;

  g_atomic_int_set (&late->started, TRUE);
  while (!g_cancellable_is_cancelled (cancellable))
    g_usleep (1000);
  return test_tracked_new (&late->destroyed, 1);
}

static void
record_thread_free (gpointer data)
{
  TestTracked *tracked = data;
  LateValue *late = (LateValue *) tracked->destroyed;

  late->destroyed_on = g_thread_self ();
  test_tracked_free (data);
}

/* The value a cancelled job returns late is freed, and on the loop's
 * thread, as every value of a future is: a value bound to that thread (a
 * widget) must not be freed on a worker. */
static void
test_cancel_drops_late_value (void)
{
  LateValue late = { 0, FALSE, NULL };
  AsyncFuture *future = async_to_thread (late_value_job, &late, NULL, record_thread_free);

  /* Cancelled once it runs: cancelled before, it would never run (a
   * thread can take longer than any fixed wait to start under TSan). */
  while (!g_atomic_int_get (&late.started))
    g_usleep (1000);
  async_future_cancel (future);
  g_assert_true (async_future_is_cancelled (future));
  test_spin_until (&late.destroyed, 10);
  g_assert_true (late.destroyed_on == g_thread_self ());
  async_future_unref (future);
}

static void
test_shutdown_drain (void)
{
  AsyncPool *pool = async_pool_new (1);
  Shared *shared = shared_new ();
  AsyncFuture *futures[3];
  AsyncFuture *late;
  GError *error = NULL;
  guint i;

  shared->released = TRUE;
  shared->sleep_ms = 20;
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = async_pool_submit (pool, recording_job, job_data_new (shared, i, NULL),
                                    job_data_free, NULL);
  async_pool_shutdown (pool, FALSE);

  /* Every queued job ran before shutdown returned. */
  g_assert_cmpint (g_atomic_int_get (&shared->n_started), ==, G_N_ELEMENTS (futures));
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      g_assert_true (async_future_is_resolved (futures[i]));
      async_future_unref (futures[i]);
    }

  late = async_pool_submit (pool, recording_job, job_data_new (shared, 9, NULL),
                            job_data_free, NULL);
  test_await (late, 10);
  g_assert_false (async_future_propagate_error (late, &error));
  g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_POOL_SHUT_DOWN);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&shared->n_started), ==, G_N_ELEMENTS (futures));

  /* A second shutdown does nothing. */
  async_pool_shutdown (pool, TRUE);

  async_future_unref (late);
  async_pool_unref (pool);
  shared_free (shared);
}

static gpointer
release_later (gpointer data)
{
  g_usleep (100 * 1000);
  shared_release (data);
  return NULL;
}

static void
test_shutdown_cancel_queued (void)
{
  AsyncPool *pool = async_pool_new (1);
  Shared *shared = shared_new ();
  AsyncFuture *futures[4];
  GThread *releaser;
  GError *error = NULL;
  gint destroyed = 0;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = async_pool_submit (pool, recording_job, job_data_new (shared, i, &destroyed),
                                    job_data_free, NULL);
  while (g_atomic_int_get (&shared->n_started) < 1)
    g_usleep (1000);

  /* Shutdown waits for the running job, which a thread releases later. */
  releaser = g_thread_new ("releaser", release_later, shared);
  async_pool_shutdown (pool, TRUE);
  g_thread_join (releaser);

  g_assert_cmpint (g_atomic_int_get (&shared->n_started), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&destroyed), ==, G_N_ELEMENTS (futures));
  g_assert_true (async_future_is_resolved (futures[0]));
  for (i = 1; i < G_N_ELEMENTS (futures); i++)
    {
      g_assert_true (async_future_is_rejected (futures[i]));
      g_assert_false (async_future_propagate_error (futures[i], &error));
      g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_POOL_SHUT_DOWN);
      g_clear_error (&error);
    }

  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    async_future_unref (futures[i]);
  async_pool_unref (pool);
  shared_free (shared);
}

static void
test_unref_keeps_queued_jobs (void)
{
  AsyncPool *pool = async_pool_new (1);
  Shared *shared = shared_new ();
  AsyncFuture *futures[3];
  AsyncFuture *all;
  guint i;

  shared->released = TRUE;
  shared->sleep_ms = 10;
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = async_pool_submit (pool, recording_job, job_data_new (shared, i, NULL),
                                    job_data_free, NULL);
  async_pool_unref (pool);

  all = gather_refs (futures, G_N_ELEMENTS (futures));
  test_await (all, 10);
  g_assert_true (async_future_is_resolved (all));
  g_assert_cmpint (g_atomic_int_get (&shared->n_started), ==, G_N_ELEMENTS (futures));

  async_future_unref (all);
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    async_future_unref (futures[i]);
  shared_free (shared);
}

typedef struct
{
  gint started;
  gint done;
} ForgottenJob;

/* Ignores its cancellable, as blocking code often does. */
static gpointer
slow_flag_job (gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  ForgottenJob *job = user_data;

  g_atomic_int_set (&job->started, 1);
  g_usleep (100 * 1000);
  g_atomic_int_set (&job->done, 1);
  return NULL;
}

static void
wait_until_started (AsyncCoroutine *co,
                    gpointer        data)
{
  ForgottenJob *job = data;

  ASYNC_BEGIN (co);
  while (!g_atomic_int_get (&job->started))
    ASYNC_AWAIT (co, async_sleep (0.001));
  ASYNC_RETURN_INT (co, 1);
  ASYNC_END (co);
}

static AsyncFuture *
start_forgotten_job (gpointer user_data)
{
  /* Submitted and dropped: nobody awaits it. Once it runs, async_run ()
   * cancels it and must still wait for it to return. */
  async_future_unref (async_to_thread (slow_flag_job, user_data, NULL, NULL));
  return async_spawn (wait_until_started, user_data, NULL);
}

static void
test_run_waits_for_jobs (void)
{
  ForgottenJob job = { 0, 0 };
  AsyncFuture *result = async_run (start_forgotten_job, &job);

  g_assert_cmpint (g_atomic_int_get (&job.done), ==, 1);
  g_assert_cmpint (async_future_get_int (result), ==, 1);
  async_future_unref (result);
}

/* A burst past what one thread starts at a time: every job of a pool as
 * large as the burst runs at once, the threads started along the way. */
static void
test_burst_all_at_once (void)
{
  guint n = 100;
  AsyncPool *pool = async_pool_new (n);
  Shared *shared = shared_new ();
  AsyncFuture **futures = g_new (AsyncFuture *, n);
  AsyncFuture *all;
  guint i;

  for (i = 0; i < n; i++)
    futures[i] = async_pool_submit (pool, recording_job, job_data_new (shared, i, NULL),
                                    job_data_free, NULL);
  wait_for_count (&shared->n_started, (gint) n);
  g_assert_cmpuint (async_pool_get_n_running (pool), ==, n);
  g_assert_cmpuint (async_pool_get_n_queued (pool), ==, 0);
  shared_release (shared);

  all = gather_refs (futures, n);
  test_await (all, 30);
  g_assert_true (async_future_is_resolved (all));
  g_assert_cmpint (shared->max_running, ==, (gint) n);

  async_future_unref (all);
  for (i = 0; i < n; i++)
    async_future_unref (futures[i]);
  g_free (futures);
  async_pool_unref (pool);
  shared_free (shared);
}

/* Touches @size bytes of the stack, below its caller's frame. */
static G_GNUC_NO_INLINE guint
touch_stack (gsize size)
{
  volatile guchar *bytes = g_alloca (size);
  guint sum = 0;
  gsize i;

  for (i = 0; i < size; i += 1024)
    bytes[i] = (guchar) i;
  for (i = 0; i < size; i += 1024)
    sum += bytes[i];
  return sum;
}

static gpointer
deep_stack_job (gpointer       user_data,
                GCancellable  *cancellable,
                GError       **error)
{
  touch_stack (256 * 1024);
  return GUINT_TO_POINTER (1);
}

/* The workers' stacks are small (512 KiB, async_pool_new ()), and still
 * far deeper than a job of the library uses: a job may take 256 KiB. */
static void
test_stack_depth (void)
{
  AsyncPool *pool = async_pool_new (1);
  AsyncFuture *future = async_pool_submit (pool, deep_stack_job, NULL, NULL, NULL);

  test_await (future, 10);
  g_assert_cmpuint (GPOINTER_TO_UINT (async_future_get_value (future)), ==, 1);
  async_future_unref (future);
  async_pool_unref (pool);
}

static guint
count_threads (void)
{
  GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}

/* Idle workers end, as a GThreadPool's do: a pool that ran a burst holds
 * no thread a while after it, though it was never unreffed. */
static void
test_idle_threads_end (void)
{
  AsyncPool *pool;
  Shared *shared;
  AsyncFuture *futures[8];
  AsyncFuture *all;
  guint during, i;
  gint64 deadline;

  if (!g_file_test ("/proc/self/task", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no /proc/self/task to count threads in");
      return;
    }

  pool = async_pool_new (G_N_ELEMENTS (futures));
  shared = shared_new ();
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    futures[i] = async_pool_submit (pool, recording_job, job_data_new (shared, i, NULL),
                                    job_data_free, NULL);
  wait_for_count (&shared->n_started, G_N_ELEMENTS (futures));
  /* The threads of earlier tests may still be ending: only ours are
   * counted on, eight at least while their jobs are held. */
  during = count_threads ();
  g_assert_cmpuint (during, >, G_N_ELEMENTS (futures));
  shared_release (shared);
  all = gather_refs (futures, G_N_ELEMENTS (futures));
  test_await (all, 30);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (count_threads () > during - G_N_ELEMENTS (futures) && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpuint (count_threads (), <=, during - G_N_ELEMENTS (futures));
  g_assert_cmpuint (async_pool_get_n_running (pool), ==, 0);

  async_future_unref (all);
  for (i = 0; i < G_N_ELEMENTS (futures); i++)
    async_future_unref (futures[i]);
  async_pool_unref (pool);
  shared_free (shared);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pool/to-thread/value", test_to_thread_value);
  g_test_add_func ("/pool/to-thread/error", test_to_thread_error);
  g_test_add_func ("/pool/default", test_default_pool);
  g_test_add_func ("/pool/submit/bound-and-order", test_bound_and_order);
  g_test_add_func ("/pool/submit/order", test_order_single_thread);
  g_test_add_func ("/pool/cancel/queued-never-runs", test_cancel_queued_never_runs);
  g_test_add_func ("/pool/cancel/running-sees-cancellable", test_cancel_running_sees_cancellable);
  g_test_add_func ("/pool/cancel/late-value-freed", test_cancel_drops_late_value);
  g_test_add_func ("/pool/shutdown/drain", test_shutdown_drain);
  g_test_add_func ("/pool/shutdown/cancel-queued", test_shutdown_cancel_queued);
  g_test_add_func ("/pool/unref/queued-jobs-still-run", test_unref_keeps_queued_jobs);
  g_test_add_func ("/pool/run/waits-for-jobs", test_run_waits_for_jobs);
  g_test_add_func ("/pool/threads/burst-all-at-once", test_burst_all_at_once);
  g_test_add_func ("/pool/threads/stack-depth", test_stack_depth);
  g_test_add_func ("/pool/threads/idle-end", test_idle_threads_end);

  return g_test_run ();
}
