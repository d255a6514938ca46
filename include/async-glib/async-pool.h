/* async-pool.h: blocking work on a bounded pool of threads, asyncio's
 * to_thread() and run_in_executor(). */

/**
 * SECTION:async-pool
 * @title: AsyncPool
 * @short_description: asyncio's to_thread and run_in_executor
 *
 * Blocking work on a bounded pool of worker threads; every job is a future,
 * settled on the scheduler of the context that submitted it, and gets a
 * #GCancellable that cancelling its future triggers.
 */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncPool:
 *
 * A bounded pool of worker threads with a queue in submission order past
 * the bound. Every job is a future, settled on the scheduler of the context
 * that submitted it.
 *
 * Thread safety: all functions are safe to call from any thread.
 *
 * Since: 0.1
 */
typedef struct _AsyncPool AsyncPool;

/**
 * AsyncThreadFunc:
 * @user_data: the data given with the job
 * @cancellable: cancelled when the job's future is cancelled
 * @error: where the job reports a failure
 *
 * Blocking work, run on a worker thread.
 *
 * Returns: (transfer full) (nullable): the job's value; %NULL with @error
 *   set is a failure
 *
 * Since: 0.1
 */
typedef gpointer (*AsyncThreadFunc) (gpointer       user_data,
                                     GCancellable  *cancellable,
                                     GError       **error);

ASYNC_AVAILABLE_IN_ALL
AsyncPool   *async_pool_new             (guint            max_threads);
ASYNC_AVAILABLE_IN_ALL
AsyncPool   *async_pool_get_default     (void);
ASYNC_AVAILABLE_IN_ALL
AsyncPool   *async_pool_ref             (AsyncPool       *pool);
ASYNC_AVAILABLE_IN_ALL
void         async_pool_unref           (AsyncPool       *pool);
ASYNC_AVAILABLE_IN_ALL
guint        async_pool_get_max_threads (AsyncPool       *pool);
ASYNC_AVAILABLE_IN_ALL
guint        async_pool_get_n_queued    (AsyncPool       *pool);
ASYNC_AVAILABLE_IN_ALL
guint        async_pool_get_n_running   (AsyncPool       *pool);
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_pool_submit          (AsyncPool       *pool,
                                         AsyncThreadFunc  func,
                                         gpointer         user_data,
                                         GDestroyNotify   user_data_destroy,
                                         GDestroyNotify   value_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
void         async_pool_shutdown        (AsyncPool       *pool,
                                         gboolean         cancel_queued);
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_to_thread            (AsyncThreadFunc  func,
                                         gpointer         user_data,
                                         GDestroyNotify   user_data_destroy,
                                         GDestroyNotify   value_destroy) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncPool, async_pool_unref)

G_END_DECLS
