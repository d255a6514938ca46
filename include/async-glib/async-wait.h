/* async-wait.h: asyncio.wait_for(), asyncio.wait() and asyncio.shield(). */

/**
 * SECTION:async-wait
 * @title: Wait
 * @short_description: asyncio.wait_for(), wait() and shield()
 *
 * async_wait_for() puts a deadline on a future; async_wait() settles when
 * the first, or all, of several have; async_shield() protects a future from
 * the cancellation of its awaiter.
 */

#pragma once

#include <math.h>

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncWaitMode:
 * @ASYNC_WAIT_FIRST_COMPLETED: settle when any future settles.
 * @ASYNC_WAIT_FIRST_EXCEPTION: settle when any future is rejected or
 *   cancelled, or when all have settled.
 * @ASYNC_WAIT_ALL_COMPLETED: settle when all futures have settled.
 *
 * When async_wait() settles: asyncio.wait()'s `return_when`.
 *
 * Since: 0.1
 */
typedef enum
{
  ASYNC_WAIT_FIRST_COMPLETED,
  ASYNC_WAIT_FIRST_EXCEPTION,
  ASYNC_WAIT_ALL_COMPLETED,
} AsyncWaitMode;

/**
 * ASYNC_TIMEOUT_INFINITE:
 *
 * A time-out that never runs out, for async_wait_for(): asyncio's
 * `timeout=None`.
 *
 * Since: 0.2
 */
#define ASYNC_TIMEOUT_INFINITE (INFINITY)

ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_wait_for   (AsyncFuture    *future,
                               double          timeout_seconds) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_wait       (AsyncWaitMode   mode,
                               AsyncFuture    *first,
                               ...) G_GNUC_NULL_TERMINATED G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_wait_varargs_ (AsyncWaitMode mode,
                                  AsyncFuture  *first,
                                  ...) G_GNUC_WARN_UNUSED_RESULT;
#define async_wait(mode, ...) \
  async_wait_varargs_ ((mode), __VA_ARGS__, ASYNC_END_OF_FUTURES_)
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_wait_array (AsyncWaitMode   mode,
                               AsyncFuture   **futures,
                               guint           n_futures) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_wait_full  (AsyncWaitMode   mode,
                               double          timeout_seconds,
                               AsyncFuture   **futures,
                               guint           n_futures) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_shield     (AsyncFuture    *future) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
