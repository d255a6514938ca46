/* async-timeout.h: asyncio.timeout() and timeout_at(): a deadline over
 * several awaits of one coroutine.
 *
 *   async with asyncio.timeout(0.5):         self->scope = async_timeout_new (co, 0.5);
 *       await first()                        ASYNC_AWAIT (co, first ());
 *       await second()                       ASYNC_AWAIT (co, second ());
 *                                            async_timeout_end (self->scope, NULL);
 */

/**
 * SECTION:async-timeout
 * @title: Timeout scopes
 * @short_description: `asyncio.timeout` and `timeout_at`: a deadline over several awaits
 *
 * async_timeout_new() opens a scope in a coroutine; at its deadline the
 * coroutine is cancelled, and when the scope ends (async_timeout_end(), or
 * the body ending inside it) a cancellation it caused alone becomes
 * %G_IO_ERROR_TIMED_OUT.
 */

#pragma once

#include <async-glib/async-coro.h>

G_BEGIN_DECLS

/**
 * AsyncTimeout:
 *
 * A timeout scope of a coroutine. At its deadline, what the coroutine
 * awaits is cancelled (the coroutine is, as asyncio's `Task.cancel`);
 * when the scope ends, by async_timeout_end() or because the coroutine's
 * body ended inside it, a %G_IO_ERROR_CANCELLED the scope caused becomes
 * %G_IO_ERROR_TIMED_OUT. A cancellation from outside stays a
 * cancellation, also when the deadline passed too.
 *
 * Thread safety: loop-local: used on its coroutine's thread only.
 *
 * Since: 0.2
 */
typedef struct _AsyncTimeout AsyncTimeout;

/**
 * ASYNC_TIMEOUT_NEVER:
 *
 * The deadline of a scope that never expires (asyncio's `timeout(None)`),
 * for async_timeout_new_at() and async_timeout_reschedule().
 *
 * Since: 0.2
 */
#define ASYNC_TIMEOUT_NEVER G_MAXINT64

ASYNC_AVAILABLE_IN_0_2
AsyncTimeout *async_timeout_new        (AsyncCoroutine *co,
                                        double          seconds) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncTimeout *async_timeout_new_at     (AsyncCoroutine *co,
                                        gint64          deadline) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncTimeout *async_timeout_ref        (AsyncTimeout   *scope);
ASYNC_AVAILABLE_IN_0_2
void          async_timeout_unref      (AsyncTimeout   *scope);
ASYNC_AVAILABLE_IN_0_2
void          async_timeout_reschedule (AsyncTimeout   *scope,
                                        gint64          deadline);
ASYNC_AVAILABLE_IN_0_2
gint64        async_timeout_get_when   (AsyncTimeout   *scope);
ASYNC_AVAILABLE_IN_0_2
gboolean      async_timeout_expired    (AsyncTimeout   *scope);
ASYNC_AVAILABLE_IN_0_2
gboolean      async_timeout_end        (AsyncTimeout   *scope,
                                        GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncTimeout, async_timeout_unref)

G_END_DECLS
