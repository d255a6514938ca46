/* async-queue.h: AsyncQueue, asyncio.Queue, LifoQueue and PriorityQueue,
 * safe to feed from any thread. */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncQueue:
 *
 * asyncio's `Queue`, `LifoQueue` and `PriorityQueue` (one type, three
 * constructors): items are `gpointer`s the queue owns while it holds them
 * and frees with the destroy notify given at construction when it drops
 * them (at free, at an immediate shutdown, or a cancelled put).
 *
 * A value goes from the putter to the queue to the future of a get, which
 * owns it: read it with async_future_get_value(), or take it with
 * async_future_steal_value() (async_coroutine_steal_value() after an
 * await), after which it is the caller's. A coroutine cancelled after its
 * get resolved but before it resumed does not lose the item: it goes back
 * to the front of the queue (or to the next getter).
 *
 * Thread safety: unlike asyncio's, every function is safe to call from any
 * thread. A worker thread can put with async_queue_put_blocking() (waits
 * for room) or async_queue_put_nowait() (fails when full) while coroutines
 * on a loop await async_queue_get(); each get's continuation runs on the
 * context that was thread-default where it was called.
 *
 * Since: 0.2
 */
typedef struct _AsyncQueue AsyncQueue;

ASYNC_AVAILABLE_IN_0_2
AsyncQueue  *async_queue_new          (gint              maxsize,
                                       GDestroyNotify    item_destroy);
ASYNC_AVAILABLE_IN_0_2
AsyncQueue  *async_lifo_queue_new     (gint              maxsize,
                                       GDestroyNotify    item_destroy);
ASYNC_AVAILABLE_IN_0_2
AsyncQueue  *async_priority_queue_new (gint              maxsize,
                                       GCompareDataFunc  compare,
                                       gpointer          compare_data,
                                       GDestroyNotify    item_destroy);
ASYNC_AVAILABLE_IN_0_2
AsyncQueue  *async_queue_ref          (AsyncQueue       *queue);
ASYNC_AVAILABLE_IN_0_2
void         async_queue_unref        (AsyncQueue       *queue);

ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_queue_put          (AsyncQueue       *queue,
                                       gpointer          item) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
gboolean     async_queue_put_nowait   (AsyncQueue       *queue,
                                       gpointer          item,
                                       GError          **error);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_queue_put_blocking (AsyncQueue       *queue,
                                       gpointer          item,
                                       GError          **error);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_queue_get          (AsyncQueue       *queue) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
gboolean     async_queue_get_nowait   (AsyncQueue       *queue,
                                       gpointer         *item,
                                       GError          **error);
ASYNC_AVAILABLE_IN_0_2
void         async_queue_task_done    (AsyncQueue       *queue);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_queue_join         (AsyncQueue       *queue) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
void         async_queue_shutdown     (AsyncQueue       *queue,
                                       gboolean          immediate);

ASYNC_AVAILABLE_IN_0_2
guint        async_queue_get_size     (AsyncQueue       *queue);
ASYNC_AVAILABLE_IN_0_2
gint         async_queue_get_maxsize  (AsyncQueue       *queue);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_queue_is_empty     (AsyncQueue       *queue);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_queue_is_full      (AsyncQueue       *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncQueue, async_queue_unref)

G_END_DECLS
