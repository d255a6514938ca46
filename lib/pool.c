/* pool.c: AsyncPool, blocking work on a bounded pool of threads (asyncio's
 * to_thread() and run_in_executor()), over a non-exclusive GThreadPool whose
 * own queue keeps the submission order past the bound. */

#include "config.h"

#include "pool-private.h"

#include "async-glib/async-error.h"
#include "future-private.h"
#include "scheduler-private.h"

/*
 * Thread safety: every function may be called from any thread, except
 * async_pool_shutdown () from a thread of the pool it shuts down. A job keeps
 * the pool alive until its function has run, so that the last unref never
 * waits: the GThreadPool then frees itself once its threads are idle.
 */
struct _AsyncPool
{
  gatomicrefcount ref_count;
  guint           max_threads;
  GMutex          lock;
  GThreadPool    *threads;    /* protected by @lock; NULL once shut down */
  GQueue          queued;     /* protected by @lock: items not started yet */
  guint           n_running;  /* protected by @lock */
};

/* The pool whose job the current thread is running, so that a job cannot
 * shut its own pool down (it would wait for itself). */
static GPrivate current_pool;

static void
pool_worker (gpointer data,
             gpointer user_data)
{
  AsyncPoolItem *item = data;
  AsyncPool *pool = user_data;
  gboolean run;

  g_mutex_lock (&pool->lock);
  g_queue_unlink (&pool->queued, &item->link);
  run = !item->skip;
  pool->n_running++;
  g_mutex_unlock (&pool->lock);

  g_private_set (&current_pool, pool);
  item->func (item, run);
  g_private_set (&current_pool, NULL);

  g_mutex_lock (&pool->lock);
  pool->n_running--;
  g_mutex_unlock (&pool->lock);

  async_pool_unref (pool);
}

/**
 * async_pool_new:
 * @max_threads: how many jobs may run at once; at least 1
 *
 * Creates a pool of at most @max_threads worker threads. Jobs past the bound
 * wait in a queue and start in the order they were submitted. Threads are
 * started on demand.
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
  g_queue_init (&pool->queued);
  /* A non-exclusive pool cannot fail to be created. */
  pool->threads = g_thread_pool_new (pool_worker, pool, (gint) MIN (max_threads, G_MAXINT),
                                     FALSE, NULL);
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
  g_return_if_fail (pool != NULL);

  if (!g_atomic_ref_count_dec (&pool->ref_count))
    return;

  /* No job is queued or running (each holds a reference), and this may be
   * the last job's own thread: free without waiting. */
  if (pool->threads != NULL)
    g_thread_pool_free (pool->threads, FALSE, FALSE);
  g_mutex_clear (&pool->lock);
  g_free (pool);
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

  g_mutex_lock (&pool->lock);
  if (pool->threads == NULL)
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
  async_pool_ref (pool);
  /* Under the lock, so that a shutdown sees either no item or a queued
   * one. A non-exclusive pool's push cannot fail. */
  g_thread_pool_push (pool->threads, item, NULL);
  g_mutex_unlock (&pool->lock);
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
  GThreadPool *threads;
  GList *link;

  g_return_if_fail (pool != NULL);
  g_return_if_fail (g_private_get (&current_pool) != pool);

  g_mutex_lock (&pool->lock);
  threads = g_steal_pointer (&pool->threads);
  if (cancel_queued)
    for (link = pool->queued.head; link != NULL; link = link->next)
      ((AsyncPoolItem *) link->data)->skip = TRUE;
  g_mutex_unlock (&pool->lock);

  if (threads != NULL)
    g_thread_pool_free (threads, FALSE, TRUE);
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
