/* async-semaphore.h: AsyncSemaphore, asyncio.Semaphore and
 * BoundedSemaphore: a counter of permits whose acquire is a future. */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncSemaphore:
 *
 * asyncio's `Semaphore` (and, made with async_bounded_semaphore_new(),
 * `BoundedSemaphore`): a count of permits; an acquire takes one or waits,
 * in FIFO order, for a release. A release with acquires waiting hands its
 * permit straight to the first of them.
 *
 * Thread safety: loop-local, as asyncio's: every function must be called on
 * the thread that runs the context the semaphore is used on. Cancelling an
 * acquire's future from another thread is safe (it is marshalled there).
 *
 * Since: 0.2
 */
typedef struct _AsyncSemaphore AsyncSemaphore;

ASYNC_AVAILABLE_IN_0_2
AsyncSemaphore *async_semaphore_new         (guint           value);
ASYNC_AVAILABLE_IN_0_2
AsyncSemaphore *async_bounded_semaphore_new (guint           value);
ASYNC_AVAILABLE_IN_0_2
AsyncSemaphore *async_semaphore_ref         (AsyncSemaphore *semaphore);
ASYNC_AVAILABLE_IN_0_2
void            async_semaphore_unref       (AsyncSemaphore *semaphore);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture    *async_semaphore_acquire     (AsyncSemaphore *semaphore) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
gboolean        async_semaphore_release     (AsyncSemaphore *semaphore);
ASYNC_AVAILABLE_IN_0_2
gboolean        async_semaphore_locked      (AsyncSemaphore *semaphore);
ASYNC_AVAILABLE_IN_0_2
guint           async_semaphore_get_value   (AsyncSemaphore *semaphore);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncSemaphore, async_semaphore_unref)

G_END_DECLS
