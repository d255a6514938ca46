/* handle.c: loop.call_soon (), call_later (), call_at () and
 * call_soon_threadsafe (): a handle around the scheduler's own call_soon
 * and timer heap (scheduler-private.h). */

#include "config.h"

#include <math.h>

#include "async-glib/async-loop.h"
#include "scheduler-private.h"

enum
{
  HANDLE_PENDING,
  HANDLE_RAN,
  HANDLE_CANCELLED,
};

/* Thread safety: @state is atomic, the rest is set before the handle is
 * published and then only read, but @user_data, which its destroy notify
 * frees once on the loop's thread (or the closing one). */
struct _AsyncHandle
{
  gatomicrefcount  ref_count;
  AsyncScheduler  *scheduler;   /* a reference */
  AsyncCallback    callback;
  gpointer         user_data;
  GDestroyNotify   user_data_destroy;
  AsyncTimer       timer;       /* holds a reference while on the heap */
  gint64           when;        /* 0 for a call_soon */
  gboolean         timed;       /* call_later or call_at */
  gint             state;       /* atomic */
};

static void
handle_run (AsyncFuture *unused,
            gpointer     user_data)
{
  AsyncHandle *self = user_data;

  if (g_atomic_int_compare_and_exchange (&self->state, HANDLE_PENDING, HANDLE_RAN))
    self->callback (self->user_data);
}

/* The queued node's destroy notify: after the run, or instead of it. */
static void
handle_release (gpointer data)
{
  AsyncHandle *self = data;

  if (self->user_data_destroy != NULL)
    self->user_data_destroy (self->user_data);
  self->user_data = NULL;
  self->user_data_destroy = NULL;
  async_handle_unref (self);
}

/* A timer callback runs no user code: the call is queued behind it. */
static void
handle_timer (AsyncTimer *timer,
              gboolean    fired)
{
  AsyncHandle *self = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (AsyncHandle, timer));

  if (fired)
    async_scheduler_call_soon (self->scheduler, handle_run, self, handle_release);
  else
    handle_release (self);
}

static AsyncHandle *
handle_new (AsyncScheduler *scheduler,
            AsyncCallback   callback,
            gpointer        user_data,
            GDestroyNotify  user_data_destroy)
{
  AsyncHandle *self = g_new0 (AsyncHandle, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->scheduler = scheduler;
  self->callback = callback;
  self->user_data = user_data;
  self->user_data_destroy = user_data_destroy;
  self->state = HANDLE_PENDING;
  self->timer.callback = handle_timer;
  return self;
}

static AsyncHandle *
handle_soon (AsyncScheduler *scheduler,
             AsyncCallback   callback,
             gpointer        user_data,
             GDestroyNotify  user_data_destroy)
{
  AsyncHandle *self = handle_new (scheduler, callback, user_data, user_data_destroy);

  async_scheduler_call_soon (scheduler, handle_run, async_handle_ref (self), handle_release);
  return self;
}

/**
 * async_call_soon:
 * @callback: the callback
 * @user_data: (closure): its data
 * @user_data_destroy: (nullable): frees @user_data, on the loop's thread,
 *   once the callback ran or was cancelled
 *
 * `loop.call_soon`: queues @callback on the thread-default context's
 * loop, behind what is queued already; never runs it inside this call.
 * Must be called on the thread that runs that context.
 *
 * Returns: (transfer full): the handle
 *
 * Since: 0.2
 */
AsyncHandle *
async_call_soon (AsyncCallback  callback,
                 gpointer       user_data,
                 GDestroyNotify user_data_destroy)
{
  g_return_val_if_fail (callback != NULL, NULL);

  return handle_soon (async_scheduler_ref (async_scheduler_get_thread_default ()),
                      callback, user_data, user_data_destroy);
}

/**
 * async_call_soon_threadsafe:
 * @context: (nullable): the context whose loop runs @callback; %NULL for
 *   the global default context
 * @callback: the callback
 * @user_data: (closure): its data
 * @user_data_destroy: (nullable): frees @user_data, on @context's thread
 *
 * `loop.call_soon_threadsafe`: as async_call_soon(), onto @context, from
 * any thread; the context is woken.
 *
 * Returns: (transfer full): the handle
 *
 * Since: 0.2
 */
AsyncHandle *
async_call_soon_threadsafe (GMainContext  *context,
                            AsyncCallback  callback,
                            gpointer       user_data,
                            GDestroyNotify user_data_destroy)
{
  g_return_val_if_fail (callback != NULL, NULL);

  return handle_soon (async_scheduler_get_for_context (context != NULL ? context : g_main_context_default ()),
                      callback, user_data, user_data_destroy);
}

/**
 * async_call_at:
 * @when: when to run, on the clock of g_get_monotonic_time() (µs); a time
 *   that has passed runs on the next turn; %G_MAXINT64 never
 * @callback: the callback
 * @user_data: (closure): its data
 * @user_data_destroy: (nullable): frees @user_data, on the loop's thread
 *
 * `loop.call_at`: runs @callback on the thread-default context's loop no
 * earlier than @when. Must be called on the thread that runs that context.
 *
 * Returns: (transfer full): the handle
 *
 * Since: 0.2
 */
AsyncHandle *
async_call_at (gint64         when,
               AsyncCallback  callback,
               gpointer       user_data,
               GDestroyNotify user_data_destroy)
{
  AsyncHandle *self;

  g_return_val_if_fail (callback != NULL, NULL);

  self = handle_new (async_scheduler_ref (async_scheduler_get_thread_default ()),
                     callback, user_data, user_data_destroy);
  self->when = when;
  self->timed = TRUE;
  async_scheduler_add_timer (self->scheduler, &async_handle_ref (self)->timer, when);
  return self;
}

/**
 * async_call_later:
 * @delay_seconds: how long from now; 0 or less runs on the next turn;
 *   `INFINITY` never. NaN is a programming error.
 * @callback: the callback
 * @user_data: (closure): its data
 * @user_data_destroy: (nullable): frees @user_data, on the loop's thread
 *
 * `loop.call_later`, as async_call_at().
 *
 * Returns: (transfer full): the handle
 *
 * Since: 0.2
 */
AsyncHandle *
async_call_later (double         delay_seconds,
                  AsyncCallback  callback,
                  gpointer       user_data,
                  GDestroyNotify user_data_destroy)
{
  g_return_val_if_fail (!isnan (delay_seconds), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  return async_call_at (async_deadline_after_seconds (delay_seconds), callback, user_data,
                        user_data_destroy);
}

/**
 * async_handle_ref:
 * @handle: a handle
 *
 * Takes a reference, from any thread.
 *
 * Returns: (transfer full): @handle
 *
 * Since: 0.2
 */
AsyncHandle *
async_handle_ref (AsyncHandle *handle)
{
  g_return_val_if_fail (handle != NULL, NULL);

  g_atomic_ref_count_inc (&handle->ref_count);
  return handle;
}

/**
 * async_handle_unref:
 * @handle: (transfer full): a handle
 *
 * Drops a reference. The callback still runs unless it is cancelled:
 * the loop holds its own reference until then.
 *
 * Since: 0.2
 */
void
async_handle_unref (AsyncHandle *handle)
{
  g_return_if_fail (handle != NULL);

  if (!g_atomic_ref_count_dec (&handle->ref_count))
    return;

  async_scheduler_unref (handle->scheduler);
  g_free (handle);
}

/**
 * async_handle_cancel:
 * @handle: a handle
 *
 * `Handle.cancel`: if the callback has not run yet, it never will; its
 * user data is freed on the loop's thread. Nothing happens if it ran or
 * runs now.
 *
 * Since: 0.2
 */
void
async_handle_cancel (AsyncHandle *handle)
{
  g_return_if_fail (handle != NULL);

  if (!g_atomic_int_compare_and_exchange (&handle->state, HANDLE_PENDING, HANDLE_CANCELLED))
    return;

  /* Off the heap, the timer's reference frees the data on the loop. */
  if (handle->timed && async_scheduler_remove_timer (handle->scheduler, &handle->timer))
    async_scheduler_call_soon (handle->scheduler, NULL, handle, handle_release);
}

/**
 * async_handle_is_cancelled:
 * @handle: a handle
 *
 * `Handle.cancelled`.
 *
 * Returns: %TRUE if async_handle_cancel() stopped it
 *
 * Since: 0.2
 */
gboolean
async_handle_is_cancelled (AsyncHandle *handle)
{
  g_return_val_if_fail (handle != NULL, FALSE);

  return g_atomic_int_get (&handle->state) == HANDLE_CANCELLED;
}

/**
 * async_handle_get_when:
 * @handle: a handle
 *
 * `TimerHandle.when`.
 *
 * Returns: when an async_call_later() or async_call_at() handle runs, on the clock of
 *   g_get_monotonic_time(); 0 for an async_call_soon() handle
 *
 * Since: 0.2
 */
gint64
async_handle_get_when (AsyncHandle *handle)
{
  g_return_val_if_fail (handle != NULL, 0);

  return handle->when;
}
