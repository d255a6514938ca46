/* async-gio.h: bridges to GIO: a GIO `_async`/`_finish` pair as a future, and
 * a future as a GIO-style asynchronous operation (GAsyncReadyCallback). */

/**
 * SECTION:async-gio
 * @title: GIO bridges
 * @short_description: GIO async calls as futures, and futures as GIO async calls
 *
 * ASYNC_GIO() and async_gio_future_new() turn a GIO `_async`/`_finish`
 * pair into a future; async_future_to_gio() hands a future to code that
 * expects a #GAsyncReadyCallback.
 */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncGioReturns:
 * @ASYNC_GIO_RETURNS_POINTER: `gpointer finish (source, result, error)`;
 *   %NULL with @error set is a failure.
 * @ASYNC_GIO_RETURNS_BOOLEAN: `gboolean finish (source, result, error)`.
 * @ASYNC_GIO_RETURNS_SSIZE: `gssize finish (source, result, error)`; -1 is a
 *   failure.
 *
 * The shape of a GIO `_finish` function, as async_gio_future_new() calls it.
 *
 * Since: 0.1
 */
typedef enum
{
  ASYNC_GIO_RETURNS_POINTER,
  ASYNC_GIO_RETURNS_BOOLEAN,
  ASYNC_GIO_RETURNS_SSIZE,
} AsyncGioReturns;

ASYNC_AVAILABLE_IN_ALL
AsyncFuture  *async_gio_future_new             (AsyncGioReturns   finish_returns,
                                                GCallback         finish,
                                                GDestroyNotify    value_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
GCancellable *async_gio_future_get_cancellable (AsyncFuture      *future);
ASYNC_AVAILABLE_IN_ALL
void          async_gio_future_ready           (GObject          *source_object,
                                                GAsyncResult     *result,
                                                gpointer          future);

/**
 * ASYNC_GIO:
 * @future: (transfer full): a future from async_gio_future_new()
 * @async_func: a GIO `_async` function
 * @...: its arguments before the cancellable
 *
 * Starts @async_func with the cancellable, callback and user data of
 * @future, and evaluates to @future:
 *
 *   ASYNC_AWAIT (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_POINTER,
 *                                                     G_CALLBACK (g_file_read_finish),
 *                                                     g_object_unref),
 *                               g_file_read_async, file, G_PRIORITY_DEFAULT));
 *
 * Since: 0.1
 */
#define ASYNC_GIO(future, async_func, ...) \
  (G_GNUC_EXTENSION ({ \
    AsyncFuture *async_gio_future_ = (future); \
    async_func (__VA_ARGS__, \
                async_gio_future_get_cancellable (async_gio_future_), \
                async_gio_future_ready, \
                async_future_ref (async_gio_future_)); \
    async_gio_future_; \
  }))

ASYNC_AVAILABLE_IN_ALL
void          async_future_to_gio              (AsyncFuture         *future,
                                                gpointer             source_object,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
ASYNC_AVAILABLE_IN_ALL
gpointer      async_gio_propagate_pointer      (GAsyncResult        *result,
                                                GError             **error);
ASYNC_AVAILABLE_IN_ALL
gboolean      async_gio_propagate_boolean      (GAsyncResult        *result,
                                                GError             **error);
ASYNC_AVAILABLE_IN_ALL
gint64        async_gio_propagate_int          (GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
