/* async-lock.h: AsyncLock, asyncio.Lock: a FIFO-fair lock whose acquire is a
 * future. */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncLock:
 *
 * asyncio's `Lock`: not owned by a coroutine, FIFO-fair. A release with
 * coroutines waiting hands the lock straight to the first of them, so
 * async_lock_locked() stays %TRUE and nobody can slip in between.
 *
 * Thread safety: loop-local, as asyncio's: every function must be called on
 * the thread that runs the context the lock is used on. Cancelling an
 * acquire's future from another thread is safe (it is marshalled there).
 *
 * Since: 0.2
 */
typedef struct _AsyncLock AsyncLock;

ASYNC_AVAILABLE_IN_0_2
AsyncLock   *async_lock_new     (void);
ASYNC_AVAILABLE_IN_0_2
AsyncLock   *async_lock_ref     (AsyncLock *lock);
ASYNC_AVAILABLE_IN_0_2
void         async_lock_unref   (AsyncLock *lock);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_lock_acquire (AsyncLock *lock) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
void         async_lock_release (AsyncLock *lock);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_lock_locked  (AsyncLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncLock, async_lock_unref)

G_END_DECLS
