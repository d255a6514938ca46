/* async-future.h: AsyncFuture, asyncio's Future: a value that will exist,
 * with continuations that run on the caller's main context once it does. */

/**
 * SECTION:async-future
 * @title: AsyncFuture
 * @short_description: asyncio's Future: a value that will exist
 *
 * An #AsyncFuture settles once: resolved with a value, rejected with a
 * #GError, or cancelled. Continuations attached with async_future_then() run
 * on the scheduler of the caller's thread-default #GMainContext, never inside
 * the call that attached them or the one that settled the future.
 *
 * Every call that is given a future takes it (ASYNC_AWAIT(), async_gather(),
 * async_wait_for(), …); pass async_future_ref() to keep one.
 */

#pragma once

#include <gio/gio.h>
#include <async-glib/async-macros.h>

G_BEGIN_DECLS

/**
 * AsyncFuture:
 *
 * The outcome of an operation that may not have finished yet: pending, then
 * exactly once one of resolved (with a value), rejected (with a #GError) or
 * cancelled (rejected with %G_IO_ERROR_CANCELLED).
 *
 * Thread safety: every function on a future is safe to call from any thread.
 * Continuations attached with async_future_then() run on the scheduler of the
 * #GMainContext that was thread-default when they were attached, never inside
 * the call that attached them nor inside the call that settled the future.
 *
 * Since: 0.1
 */
typedef struct _AsyncFuture AsyncFuture;

/**
 * AsyncFutureState:
 * @ASYNC_FUTURE_PENDING: not settled yet.
 * @ASYNC_FUTURE_RESOLVED: settled with a value.
 * @ASYNC_FUTURE_REJECTED: settled with an error.
 * @ASYNC_FUTURE_CANCELLED: settled with %G_IO_ERROR_CANCELLED.
 *
 * Where a future is in its life. A future leaves %ASYNC_FUTURE_PENDING once
 * and never changes state again.
 *
 * Since: 0.1
 */
typedef enum
{
  ASYNC_FUTURE_PENDING,
  ASYNC_FUTURE_RESOLVED,
  ASYNC_FUTURE_REJECTED,
  ASYNC_FUTURE_CANCELLED,
} AsyncFutureState;

/**
 * AsyncFutureCallback:
 * @future: (transfer none): the settled future
 * @user_data: the data given to async_future_then()
 *
 * A continuation: called once @future has settled, on the scheduler of the
 * context that was thread-default when it was attached.
 *
 * Since: 0.1
 */
typedef void (*AsyncFutureCallback) (AsyncFuture *future,
                                     gpointer     user_data);

ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_future_new_at           (const char     *where) G_GNUC_WARN_UNUSED_RESULT;
/**
 * async_future_new:
 *
 * Creates a pending future for the caller to settle, with
 * async_future_resolve(), async_future_reject() or async_future_cancel(),
 * from any thread. The place it was created (`G_STRLOC`) is kept for
 * warnings.
 *
 * Returns: (transfer full): a new pending future
 *
 * Since: 0.1
 */
#define async_future_new() async_future_new_at (G_STRLOC)

ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_future_new_resolved     (gpointer        value,
                                                 GDestroyNotify  value_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_future_new_int          (gint64          value) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_future_new_boolean      (gboolean        value) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_future_new_rejected_at  (const char     *where,
                                                 GError         *error) G_GNUC_WARN_UNUSED_RESULT;
/**
 * async_future_new_rejected:
 * @error: (transfer full): the error
 *
 * Creates a future already rejected with @error.
 *
 * Returns: (transfer full): a rejected future
 *
 * Since: 0.1
 */
#define async_future_new_rejected(error) async_future_new_rejected_at (G_STRLOC, (error))
ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_future_new_cancelled    (void) G_GNUC_WARN_UNUSED_RESULT;

ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_future_ref              (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
void              async_future_unref            (AsyncFuture    *future);

ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_resolve          (AsyncFuture    *future,
                                                 gpointer        value,
                                                 GDestroyNotify  value_destroy);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_resolve_int      (AsyncFuture    *future,
                                                 gint64          value);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_resolve_boolean  (AsyncFuture    *future,
                                                 gboolean        value);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_reject           (AsyncFuture    *future,
                                                 GError         *error);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_reject_literal   (AsyncFuture    *future,
                                                 GQuark          domain,
                                                 gint            code,
                                                 const char     *message);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_cancel           (AsyncFuture    *future);

ASYNC_AVAILABLE_IN_ALL
void              async_future_then             (AsyncFuture        *future,
                                                 AsyncFutureCallback callback,
                                                 gpointer            user_data,
                                                 GDestroyNotify      user_data_destroy);

ASYNC_AVAILABLE_IN_ALL
AsyncFutureState  async_future_get_state        (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_is_pending       (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_is_resolved      (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_is_rejected      (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_is_cancelled     (AsyncFuture    *future);

ASYNC_AVAILABLE_IN_ALL
gpointer          async_future_get_value        (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
gpointer          async_future_steal_value      (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
gint64            async_future_get_int          (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_get_boolean      (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
const GError     *async_future_get_error        (AsyncFuture    *future);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_future_propagate_error  (AsyncFuture    *future,
                                                 GError        **error);
ASYNC_AVAILABLE_IN_ALL
const char       *async_future_get_where        (AsyncFuture    *future);

/* Ends the argument lists that the async_gather() and async_wait() macros
 * build, so that a NULL among them can be told from the end: not for
 * direct use. No future is ever at this address. */
#define ASYNC_END_OF_FUTURES_ ((AsyncFuture *) (gsize) 1)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncFuture, async_future_unref)

G_END_DECLS
