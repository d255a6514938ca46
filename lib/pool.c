/* pool.c: AsyncPool, blocking work on a bounded pool of threads (asyncio's
 * to_thread() and run_in_executor()): our own POSIX threads with small
 * stacks, started as work arrives and ending when idle, taking the jobs
 * from one queue in submission order. */

/* dl_iterate_phdr () (glibc, musl and the BSDs have it). */
#define _GNU_SOURCE 1

#include "config.h"

#include "pool-private.h"

#include <link.h>
#include <pthread.h>

#include "async-glib/async-error.h"
#include "future-private.h"
#include "scheduler-private.h"

/* A worker's stack. GLib's threads take the process default (8 MiB with
 * `ulimit -s` 8192); 10,000 transfers at once are 10,000 threads, and at
 * that size each stack sits alone in the 2 MiB a page-table page maps, and
 * costs that page (4 KiB of kernel memory) besides its own. The deepest
 * stack a job of the test suite and the benchmarks touched, painted and
 * read back (tests/bench/README.md says how), was 17 KiB (a blocking curl
 * transfer, struct pthread and static TLS included; 15 KiB for an HTTPS
 * one). 512 KiB leaves thirty times that for a job's own code; a job that
 * needs more starts a thread of its own. The static TLS, which glibc
 * places in the same mapping, comes on top (pool_stack_size ()). */
#define POOL_STACK_SIZE (512 * 1024)

/* How long a worker waits for a job before it ends, as a thread of a
 * non-exclusive GThreadPool waits half a second for its pool's next
 * task: long enough that a steady stream of jobs reuses its threads, short
 * enough that a burst of 10,000 gives its threads back soon after. */
#define POOL_IDLE_USEC (G_USEC_PER_SEC / 2)

/*
 * Thread safety: every function may be called from any thread, except
 * async_pool_shutdown () from a thread of the pool it shuts down. A job keeps
 * the pool alive until its function has run, so the last unref never
 * waits: once the pool is released, its workers end when idle, as always,
 * and the last of them frees it; if none is left, the unref frees it.
 */
struct _AsyncPool
{
  gatomicrefcount ref_count;
  guint           max_threads;
  GMutex          lock;
  GCond           work;       /* idle workers wait here for a job */
  GCond           ended;      /* a shutdown waits here for the jobs */
  GQueue          queued;     /* protected by @lock: items not started yet */
  guint           n_running;  /* protected by @lock */
  guint           n_threads;  /* protected by @lock: alive or being started */
  guint           n_starting; /* protected by @lock: created, not yet waiting */
  guint           n_idle;     /* protected by @lock: waiting on @work */
  gboolean        shut_down;  /* protected by @lock: pushes are refused */
  gboolean        released;   /* protected by @lock: the last reference is gone */
};

/* The pool whose job the current thread is running, so that a job cannot
 * shut its own pool down (it would wait for itself). */
static GPrivate current_pool;

/* Adds up the TLS segments of the modules loaded so far. */
static int
add_tls_size (struct dl_phdr_info *info,
              size_t               size,
              void                *data)
{
  gsize *total = data;
  int i;

  for (i = 0; i < info->dlpi_phnum; i++)
    if (info->dlpi_phdr[i].p_type == PT_TLS)
      *total += info->dlpi_phdr[i].p_memsz + info->dlpi_phdr[i].p_align;
  return 0;
}

/* POOL_STACK_SIZE for the job, plus the static TLS glibc carves out of the
 * same mapping: a few KiB in a plain program, but ThreadSanitizer's own
 * per-thread state is most of a megabyte there, which would leave a job
 * 128 KiB. Read once: modules opened later get their TLS elsewhere. */
static gsize
pool_stack_size (void)
{
  static gsize size;

  if (g_once_init_enter (&size))
    {
      gsize tls = 0;

      dl_iterate_phdr (add_tls_size, &tls);
      g_once_init_leave (&size, POOL_STACK_SIZE + ((tls + 4095) & ~(gsize) 4095));
    }
  return size;
}

static void pool_free (AsyncPool *pool);
static void pool_start_threads (AsyncPool *pool,
                                guint      n);

/* Under @lock: how many more threads the queue needs, counting those
 * already idle or on their way, within the bound. They are counted as
 * alive from here on, so that two deciders never start the same one. */
static guint
pool_reserve_threads_unlocked (AsyncPool *pool,
                               guint      at_most)
{
  guint coming = pool->n_idle + pool->n_starting;
  guint wanted, n;

  if (pool->queued.length <= coming || pool->n_threads >= pool->max_threads)
    return 0;
  wanted = pool->queued.length - coming;
  n = MIN (MIN (wanted, at_most), pool->max_threads - pool->n_threads);
  pool->n_threads += n;
  pool->n_starting += n;
  return n;
}

static void *
pool_worker (void *data)
{
  AsyncPool *pool = data;
  gboolean last;

  g_mutex_lock (&pool->lock);
  pool->n_starting--;
  for (;;)
    {
      AsyncPoolItem *item;
      gboolean run;
      guint n_more;

      /* A worker ends only after POOL_IDLE_USEC without a job, also once
       * its pool is shut down or released, as a GThreadPool's threads wait
       * in GLib's pool of unused ones: a program that exits right after
       * its last job exits with its workers blocked here, not in the
       * middle of their thread-exit destructors (OpenSSL's frees the
       * thread's error state in one), which would race exit (). */
      if (pool->queued.length == 0)
        {
          gint64 deadline = g_get_monotonic_time () + POOL_IDLE_USEC;

          pool->n_idle++;
          while (pool->queued.length == 0
                 && g_cond_wait_until (&pool->work, &pool->lock, deadline))
            ;
          pool->n_idle--;
        }
      if (pool->queued.length == 0)
        break;

      item = g_queue_pop_head_link (&pool->queued)->data;
      run = !item->skip;
      pool->n_running++;
      /* A burst of jobs is taken up by a tree of starting threads: each
       * new one starts up to two more before it runs its job, so that the
       * thread that submits them (the loop's, usually) starts only the
       * first, and 10,000 threads are started on every core at once. */
      n_more = pool_reserve_threads_unlocked (pool, 2);
      g_mutex_unlock (&pool->lock);

      if (n_more > 0)
        pool_start_threads (pool, n_more);

      g_private_set (&current_pool, pool);
      item->func (item, run);
      g_private_set (&current_pool, NULL);

      g_mutex_lock (&pool->lock);
      pool->n_running--;
      if (pool->n_running == 0 && pool->queued.length == 0)
        g_cond_broadcast (&pool->ended);
      /* The job's reference, dropped under the lock: if it was the last,
       * the last worker to end frees the pool. */
      if (g_atomic_ref_count_dec (&pool->ref_count))
        pool->released = TRUE;
    }

  pool->n_threads--;
  last = pool->released && pool->n_threads == 0;
  g_mutex_unlock (&pool->lock);

  if (last)
    pool_free (pool);
  return NULL;
}

/* Starts @n threads reserved with pool_reserve_threads_unlocked (). A
 * thread that cannot be started gives its reservation back; only a pool
 * left with no thread at all for its queued jobs is fatal, as it is for
 * g_thread_new (). */
static void
pool_start_threads (AsyncPool *pool,
                    guint      n)
{
  pthread_attr_t attr;
  guint i;

  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize (&attr, pool_stack_size ());
  for (i = 0; i < n; i++)
    {
      pthread_t thread;
      int status = pthread_create (&thread, &attr, pool_worker, pool);

      if (status != 0)
        {
          gboolean stranded, last;

          g_mutex_lock (&pool->lock);
          pool->n_threads -= n - i;
          pool->n_starting -= n - i;
          stranded = pool->n_threads == 0 && pool->queued.length > 0;
          last = pool->released && pool->n_threads == 0;
          g_mutex_unlock (&pool->lock);
          if (stranded)
            g_error ("AsyncPool: cannot start a worker thread: %s", g_strerror (status));
          g_debug ("AsyncPool: %u worker threads not started: %s", n - i, g_strerror (status));
          if (last)
            pool_free (pool);
          break;
        }
    }
  pthread_attr_destroy (&attr);
}

static void
pool_free (AsyncPool *pool)
{
  g_mutex_clear (&pool->lock);
  g_cond_clear (&pool->work);
  g_cond_clear (&pool->ended);
  g_free (pool);
}

/**
 * async_pool_new:
 * @max_threads: how many jobs may run at once; at least 1
 *
 * Creates a pool of at most @max_threads worker threads. Jobs past the bound
 * wait in a queue and start in the order they were submitted. Threads are
 * started on demand and end after half a second without work; each has a
 * stack of 512 KiB.
 *
 * May be called from any thread.
 *
 * Returns: (transfer full): a new pool
 *
 * Since: 0.1
 */
AsyncPool *
async_pool_new (guint max_threads)
{
  AsyncPool *pool;

  g_return_val_if_fail (max_threads > 0, NULL);

  pool = g_new0 (AsyncPool, 1);
  g_atomic_ref_count_init (&pool->ref_count);
  pool->max_threads = max_threads;
  g_mutex_init (&pool->lock);
  g_cond_init (&pool->work);
  g_cond_init (&pool->ended);
  g_queue_init (&pool->queued);
  return pool;
}

/**
 * async_pool_get_default:
 *
 * Returns the process-wide pool that async_to_thread() uses, created on
 * first use with as many threads as asyncio's default executor:
 * the number of processors plus 4, at least 4 and at most 32.
 *
 * May be called from any thread.
 *
 * Returns: (transfer none): the default pool; it lives until the process
 *   exits
 *
 * Since: 0.1
 */
AsyncPool *
async_pool_get_default (void)
{
  static AsyncPool *default_pool;

  if (g_once_init_enter (&default_pool))
    {
      guint n = MAX (4, MIN (32, g_get_num_processors () + 4));

      g_once_init_leave (&default_pool, async_pool_new (n));
    }
  return default_pool;
}

/**
 * async_pool_ref:
 * @pool: a pool
 *
 * May be called from any thread.
 *
 * Returns: (transfer full): @pool
 *
 * Since: 0.1
 */
AsyncPool *
async_pool_ref (AsyncPool *pool)
{
  g_return_val_if_fail (pool != NULL, NULL);

  g_atomic_ref_count_inc (&pool->ref_count);
  return pool;
}

/**
 * async_pool_unref:
 * @pool: (transfer full): a pool
 *
 * Drops a reference. Jobs hold their own reference until they have run, so
 * the last unref never waits: queued jobs still run, and the threads end
 * afterwards. Use async_pool_shutdown() to wait or to drop queued work.
 *
 * May be called from any thread.
 *
 * Since: 0.1
 */
void
async_pool_unref (AsyncPool *pool)
{
  gboolean now;

  g_return_if_fail (pool != NULL);

  if (!g_atomic_ref_count_dec (&pool->ref_count))
    return;

  /* No job is queued or running (each holds a reference), and this may be
   * a job's own thread: the workers end when they have been idle long
   * enough, and the last frees. */
  g_mutex_lock (&pool->lock);
  pool->released = TRUE;
  now = pool->n_threads == 0;
  g_mutex_unlock (&pool->lock);
  if (now)
    pool_free (pool);
}

/**
 * async_pool_get_max_threads:
 * @pool: a pool
 *
 * May be called from any thread.
 *
 * Returns: how many jobs of @pool may run at once
 *
 * Since: 0.1
 */
guint
async_pool_get_max_threads (AsyncPool *pool)
{
  g_return_val_if_fail (pool != NULL, 0);

  return pool->max_threads;
}

/**
 * async_pool_get_n_queued:
 * @pool: a pool
 *
 * May be called from any thread; the answer may be stale at once.
 *
 * Returns: how many jobs wait for a thread
 *
 * Since: 0.1
 */
guint
async_pool_get_n_queued (AsyncPool *pool)
{
  guint n;

  g_return_val_if_fail (pool != NULL, 0);

  g_mutex_lock (&pool->lock);
  n = pool->queued.length;
  g_mutex_unlock (&pool->lock);
  return n;
}

/**
 * async_pool_get_n_running:
 * @pool: a pool
 *
 * May be called from any thread; the answer may be stale at once.
 *
 * Returns: how many jobs are running on a thread of @pool
 *
 * Since: 0.1
 */
guint
async_pool_get_n_running (AsyncPool *pool)
{
  guint n;

  g_return_val_if_fail (pool != NULL, 0);

  g_mutex_lock (&pool->lock);
  n = pool->n_running;
  g_mutex_unlock (&pool->lock);
  return n;
}

gboolean
async_pool_push_item (AsyncPool      *pool,
                      AsyncPoolItem  *item,
                      GError        **error)
{
  g_return_val_if_fail (pool != NULL, FALSE);
  g_return_val_if_fail (item != NULL && item->func != NULL, FALSE);

  guint n_start;

  g_mutex_lock (&pool->lock);
  if (pool->shut_down)
    {
      g_mutex_unlock (&pool->lock);
      g_set_error_literal (error, ASYNC_ERROR, ASYNC_ERROR_POOL_SHUT_DOWN,
                           "The worker pool was shut down");
      return FALSE;
    }
  item->skip = FALSE;
  item->link.data = item;
  item->link.prev = item->link.next = NULL;
  g_queue_push_tail_link (&pool->queued, &item->link);
  /* The job's reference, dropped by the worker that takes it. */
  g_atomic_ref_count_inc (&pool->ref_count);
  if (pool->n_idle > 0)
    g_cond_signal (&pool->work);
  /* A thread only if no starting one can take this job: a burst starts
   * one here and the rest along the chain (pool_worker ()). */
  n_start = pool->n_starting == 0 ? pool_reserve_threads_unlocked (pool, 1) : 0;
  g_mutex_unlock (&pool->lock);

  if (n_start > 0)
    pool_start_threads (pool, n_start);
  return TRUE;
}

/**
 * async_pool_shutdown:
 * @pool: a pool
 * @cancel_queued: %TRUE to drop the jobs that have not started
 *
 * Stops @pool taking work: later submissions are rejected with
 * %ASYNC_ERROR_POOL_SHUT_DOWN. With @cancel_queued, the jobs still queued
 * never run and are rejected with %ASYNC_ERROR_POOL_SHUT_DOWN; otherwise
 * they all run. Either way this waits for every job to end, as
 * `Executor.shutdown(wait=True)` does. Calling it again does nothing.
 *
 * Must not be called from a thread of @pool, which would wait for itself.
 *
 * Since: 0.1
 */
void
async_pool_shutdown (AsyncPool *pool,
                     gboolean   cancel_queued)
{
  GList *link;

  g_return_if_fail (pool != NULL);
  g_return_if_fail (g_private_get (&current_pool) != pool);

  g_mutex_lock (&pool->lock);
  if (!pool->shut_down)
    {
      pool->shut_down = TRUE;
      if (cancel_queued)
        for (link = pool->queued.head; link != NULL; link = link->next)
          ((AsyncPoolItem *) link->data)->skip = TRUE;
    }
  /* The workers drain the queue (the skipped items too, which they hand
   * back with run = FALSE); they end when idle, as always. */
  while (pool->queued.length > 0 || pool->n_running > 0)
    g_cond_wait (&pool->ended, &pool->lock);
  g_mutex_unlock (&pool->lock);
}

/* A job of async_pool_submit (): a future whose cancellation cancels the
 * job's GCancellable. */
typedef struct
{
  AsyncFuture     parent;
  AsyncPoolItem   item;
  GCancellable   *cancellable;
  AsyncScheduler *scheduler;          /* held until the job has ended */
  AsyncHeld       held;
  AsyncThreadFunc func;
  gpointer        user_data;
  GDestroyNotify  user_data_destroy;
  GDestroyNotify  value_destroy;
} Job;

static gboolean
job_cancel (AsyncFuture *future)
{
  Job *job = (Job *) future;

  /* asyncio.to_thread (): the future is cancelled at once; a running
   * function sees the cancellable and may stop early. Settled first, so
   * that a function woken by its cancellable cannot resolve the future
   * in between. */
  if (!async_future_cancel_quietly (future))
    return FALSE;
  g_cancellable_cancel (job->cancellable);

  return TRUE;
}

static void
job_finalize (AsyncFuture *future)
{
  Job *job = (Job *) future;

  g_clear_object (&job->cancellable);
}

static const AsyncFutureClass job_class = {
  .name = "AsyncPool job",
  .cancel = job_cancel,
  .finalize = job_finalize,
};

/* Runs on the loop thread only to drop the worker's reference there. */
static void
job_hand_back (AsyncFuture *future,
               gpointer     user_data)
{
}

static void
job_run (AsyncPoolItem *item,
         gboolean       run)
{
  Job *job = (Job *) ((char *) item - G_STRUCT_OFFSET (Job, item));
  AsyncScheduler *scheduler = g_steal_pointer (&job->scheduler);
  GError *error = NULL;
  gpointer value = NULL;
  gboolean ran = FALSE;

  if (!run)
    g_set_error_literal (&error, ASYNC_ERROR, ASYNC_ERROR_POOL_SHUT_DOWN,
                         "The worker pool was shut down before the job started");
  else if (async_future_is_pending (&job->parent))
    {
      value = job->func (job->user_data, job->cancellable, &error);
      ran = TRUE;
      if (error != NULL && value != NULL && job->value_destroy != NULL)
        g_clear_pointer (&value, job->value_destroy);
    }

  /* Before settling, so that whoever sees the outcome sees the data freed. */
  if (job->user_data_destroy != NULL)
    job->user_data_destroy (job->user_data);
  job->user_data = NULL;

  /* Finished: async_run () has nothing left to cancel here. */
  async_scheduler_unlist (scheduler, &job->held);

  if (error != NULL)
    async_future_reject_quietly (&job->parent, error);
  else if (ran && !async_future_try_resolve (&job->parent, value, job->value_destroy) &&
           value != NULL && job->value_destroy != NULL)
    /* Cancelled meanwhile: the value goes to the loop thread to be freed,
     * as every value of a future is. */
    async_scheduler_call_soon (scheduler, NULL, value, job->value_destroy);

  /* The worker's reference goes back to the loop thread with a
   * continuation, so that the value is never freed on a worker thread
   * (which a value bound to the loop thread, a widget say, cannot bear). */
  async_future_then_on (&job->parent, scheduler, job_hand_back, job,
                        (GDestroyNotify) async_future_unref);

  /* Last: async_run () may return as soon as the job is released. */
  async_scheduler_release (scheduler, NULL);
  async_scheduler_unref (scheduler);
}

/**
 * async_pool_submit: (skip)
 * @pool: a pool
 * @func: the blocking work
 * @user_data: (nullable): the data for @func
 * @user_data_destroy: (nullable): frees @user_data on the worker thread once
 *   the job has ended, whether or not @func ran, before the future settles
 * @value_destroy: (nullable): frees the value @func returns
 *
 * Runs @func on a thread of @pool, after the jobs submitted before it, and
 * returns a future of its value (`loop.run_in_executor()`). Continuations on
 * the future run on the caller's context as always. Cancelling the future
 * settles it as cancelled at once and cancels the #GCancellable given to
 * @func; a job cancelled before it started never runs. async_run() waits
 * for the job to end before it returns.
 *
 * May be called from any thread.
 *
 * Returns: (transfer full): the future of the job's value; rejected with
 *   %ASYNC_ERROR_POOL_SHUT_DOWN if @pool was shut down
 *
 * Since: 0.1
 */
AsyncFuture *
async_pool_submit (AsyncPool       *pool,
                   AsyncThreadFunc  func,
                   gpointer         user_data,
                   GDestroyNotify   user_data_destroy,
                   GDestroyNotify   value_destroy)
{
  Job *job;

  g_return_val_if_fail (pool != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  job = async_future_alloc (&job_class, sizeof (Job), G_STRFUNC);
  job->item.func = job_run;
  job->cancellable = g_cancellable_new ();
  job->func = func;
  job->user_data = user_data;
  job->user_data_destroy = user_data_destroy;
  job->value_destroy = value_destroy;
  job->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());
  async_scheduler_hold (job->scheduler, &job->held, &job->parent, NULL);

  async_future_ref (&job->parent);
  if (!async_pool_push_item (pool, &job->item, NULL))
    job_run (&job->item, FALSE);
  return &job->parent;
}

/**
 * async_to_thread: (skip)
 * @func: the blocking work
 * @user_data: (nullable): the data for @func
 * @user_data_destroy: (nullable): frees @user_data once the job has ended
 * @value_destroy: (nullable): frees the value @func returns
 *
 * asyncio.to_thread(): async_pool_submit() on the default pool
 * (async_pool_get_default()).
 *
 * May be called from any thread.
 *
 * Returns: (transfer full): the future of @func's value
 *
 * Since: 0.1
 */
AsyncFuture *
async_to_thread (AsyncThreadFunc func,
                 gpointer        user_data,
                 GDestroyNotify  user_data_destroy,
                 GDestroyNotify  value_destroy)
{
  g_return_val_if_fail (func != NULL, NULL);

  return async_pool_submit (async_pool_get_default (), func, user_data,
                            user_data_destroy, value_destroy);
}
