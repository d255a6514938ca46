/* async-event.h: AsyncEvent, asyncio.Event, safe to set from any thread. */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncEvent:
 *
 * asyncio's `Event`: a flag; waits resolve once it is set.
 *
 * Thread safety: unlike asyncio's, every function is safe to call from any
 * thread. A worker thread may set the event; each waiter's continuation
 * runs on the context that was thread-default where it waited, as for
 * any future.
 *
 * Since: 0.2
 */
typedef struct _AsyncEvent AsyncEvent;

ASYNC_AVAILABLE_IN_0_2
AsyncEvent  *async_event_new    (void);
ASYNC_AVAILABLE_IN_0_2
AsyncEvent  *async_event_ref    (AsyncEvent *event);
ASYNC_AVAILABLE_IN_0_2
void         async_event_unref  (AsyncEvent *event);
ASYNC_AVAILABLE_IN_0_2
void         async_event_set    (AsyncEvent *event);
ASYNC_AVAILABLE_IN_0_2
void         async_event_clear  (AsyncEvent *event);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_event_is_set (AsyncEvent *event);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_event_wait   (AsyncEvent *event) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncEvent, async_event_unref)

G_END_DECLS
