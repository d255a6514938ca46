/* async-loop.h: the event loop's own calls, as asyncio's loop.call_soon(),
 * call_later(), call_at() and call_soon_threadsafe(): callbacks on the
 * scheduler of a GMainContext, with handles that cancel them. */

/**
 * SECTION:async-loop
 * @title: The loop's calls
 * @short_description: `loop.call_soon`, `call_later`, `call_at`, `call_soon_threadsafe`
 *
 * Callbacks queued on a context's scheduler, each with an #AsyncHandle
 * that cancels it before it runs.
 */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncHandle:
 *
 * A callback queued on a loop, asyncio's `Handle` and `TimerHandle`:
 * async_handle_cancel() stops it if it has not run yet.
 *
 * Thread safety: every function on a handle is safe to call from any
 * thread. The callback and the user data's destroy notify run on the
 * thread that iterates the handle's context.
 *
 * Since: 0.2
 */
typedef struct _AsyncHandle AsyncHandle;

/**
 * AsyncCallback:
 * @user_data: the data given with the callback
 *
 * A callback of the loop's: runs once, on the loop's thread.
 *
 * Since: 0.2
 */
typedef void (*AsyncCallback) (gpointer user_data);

ASYNC_AVAILABLE_IN_0_2
AsyncHandle *async_call_soon             (AsyncCallback   callback,
                                          gpointer        user_data,
                                          GDestroyNotify  user_data_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncHandle *async_call_soon_threadsafe  (GMainContext   *context,
                                          AsyncCallback   callback,
                                          gpointer        user_data,
                                          GDestroyNotify  user_data_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncHandle *async_call_later            (double          delay_seconds,
                                          AsyncCallback   callback,
                                          gpointer        user_data,
                                          GDestroyNotify  user_data_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncHandle *async_call_at               (gint64          when,
                                          AsyncCallback   callback,
                                          gpointer        user_data,
                                          GDestroyNotify  user_data_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncHandle *async_handle_ref            (AsyncHandle    *handle);
ASYNC_AVAILABLE_IN_0_2
void         async_handle_unref          (AsyncHandle    *handle);
ASYNC_AVAILABLE_IN_0_2
void         async_handle_cancel         (AsyncHandle    *handle);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_handle_is_cancelled   (AsyncHandle    *handle);
ASYNC_AVAILABLE_IN_0_2
gint64       async_handle_get_when       (AsyncHandle    *handle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncHandle, async_handle_unref)

G_END_DECLS
