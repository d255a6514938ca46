/* async-as-completed.h: asyncio.as_completed(), as Python 3.13 iterates it:
 * the futures given, in the order they complete.
 *
 *   async for done in asyncio.as_completed(fs, timeout=5):
 *       use(await done)
 *
 *   self->it = async_as_completed_new (fs, n, 5);
 *   while (async_as_completed_has_next (self->it))
 *     {
 *       ASYNC_AWAIT (co, async_as_completed_next (self->it));
 *       use (async_coroutine_get_value (co));     // one of fs, settled
 *     }
 */

/**
 * SECTION:async-as-completed
 * @title: as_completed
 * @short_description: `asyncio.as_completed`: futures in the order they complete
 *
 * An #AsyncAsCompleted hands back the futures it was given, as Python
 * 3.13's `async for` does, in the order they settle, with an optional
 * overall time-out.
 */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncAsCompleted:
 *
 * An iterator over futures in the order they complete.
 *
 * Thread safety: loop-local: used on the thread that runs the context that
 * was thread-default when it was made.
 *
 * Since: 0.2
 */
typedef struct _AsyncAsCompleted AsyncAsCompleted;

ASYNC_AVAILABLE_IN_0_2
AsyncAsCompleted *async_as_completed_new      (AsyncFuture      **futures,
                                               guint              n_futures,
                                               double             timeout_seconds) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
void              async_as_completed_free     (AsyncAsCompleted  *iterator);
ASYNC_AVAILABLE_IN_0_2
gboolean          async_as_completed_has_next (AsyncAsCompleted  *iterator);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture      *async_as_completed_next     (AsyncAsCompleted  *iterator) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncAsCompleted, async_as_completed_free)

G_END_DECLS
