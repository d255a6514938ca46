/* async-condition.h: AsyncCondition, asyncio.Condition: waits that give up
 * an AsyncLock until notified, and hold it again when they resolve. */

#pragma once

#include <async-glib/async-lock.h>

G_BEGIN_DECLS

/**
 * AsyncCondition:
 *
 * asyncio's `Condition`: coroutines wait on it, with its lock held, until
 * another notifies them.
 *
 * Thread safety: loop-local, as asyncio's (and its lock's): every function
 * must be called on the thread that runs the context the condition is used
 * on. Cancelling a wait's future from another thread is safe (it is
 * marshalled there).
 *
 * Since: 0.2
 */
typedef struct _AsyncCondition AsyncCondition;

/**
 * AsyncConditionPredicate:
 * @user_data: the data given to async_condition_wait_for()
 *
 * What async_condition_wait_for() waits for. It is called with the
 * condition's lock held, on the loop, never inside another coroutine's
 * call.
 *
 * Returns: %TRUE when the wait is over
 *
 * Since: 0.2
 */
typedef gboolean (*AsyncConditionPredicate) (gpointer user_data);

ASYNC_AVAILABLE_IN_0_2
AsyncCondition *async_condition_new        (AsyncLock               *lock);
ASYNC_AVAILABLE_IN_0_2
AsyncCondition *async_condition_ref        (AsyncCondition          *condition);
ASYNC_AVAILABLE_IN_0_2
void            async_condition_unref      (AsyncCondition          *condition);
ASYNC_AVAILABLE_IN_0_2
AsyncLock      *async_condition_get_lock   (AsyncCondition          *condition);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture    *async_condition_acquire    (AsyncCondition          *condition) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
void            async_condition_release    (AsyncCondition          *condition);
ASYNC_AVAILABLE_IN_0_2
gboolean        async_condition_locked     (AsyncCondition          *condition);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture    *async_condition_wait       (AsyncCondition          *condition) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture    *async_condition_wait_for   (AsyncCondition          *condition,
                                            AsyncConditionPredicate  predicate,
                                            gpointer                 user_data,
                                            GDestroyNotify           user_data_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
void            async_condition_notify     (AsyncCondition          *condition,
                                            guint                    n);
ASYNC_AVAILABLE_IN_0_2
void            async_condition_notify_all (AsyncCondition          *condition);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncCondition, async_condition_unref)

G_END_DECLS
