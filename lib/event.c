/* event.c: AsyncEvent, asyncio.Event, with a mutex so that any thread may
 * set it, clear it or wait on it. */

#include "config.h"

#include "async-glib/async-event.h"
#include "waiter-private.h"

/* Thread safety: everything below @mutex is protected by it. Waiters are
 * resolved with it held: that only queues their continuations (no user
 * code runs; lock order: the event's mutex, then a scheduler's mutex; a
 * future has no lock). */
struct _AsyncEvent
{
  AsyncPrimitive  parent;
  GMutex          mutex;
  AsyncWaiterList waiters;   /* protected by @mutex */
  gboolean        is_set;    /* protected by @mutex */
};

static gboolean
event_waiter_cancel (AsyncFuture *future)
{
  AsyncWaiter *waiter = (AsyncWaiter *) future;
  AsyncEvent *self = (AsyncEvent *) waiter->owner;
  gboolean withdrawn;

  g_mutex_lock (&self->mutex);
  withdrawn = async_waiter_list_withdraw (&self->waiters, waiter);
  g_mutex_unlock (&self->mutex);

  return withdrawn;
}

static const AsyncFutureClass event_waiter_class = {
  "AsyncEvent.wait",
  event_waiter_cancel,
  async_waiter_finalize,
  NULL,
};

static void
event_dispose (gpointer primitive)
{
  AsyncEvent *self = primitive;

  g_mutex_lock (&self->mutex);
  async_waiter_list_cancel_all (&self->waiters);
  g_mutex_unlock (&self->mutex);
}

static void
event_free (gpointer primitive)
{
  AsyncEvent *self = primitive;

  g_mutex_clear (&self->mutex);
  g_free (self);
}

/**
 * async_event_new:
 *
 * Creates an event that is not set (asyncio's `Event()`).
 *
 * Returns: (transfer full): a new event
 *
 * Since: 0.2
 */
AsyncEvent *
async_event_new (void)
{
  AsyncEvent *self = g_new0 (AsyncEvent, 1);

  async_primitive_init (&self->parent, event_dispose, event_free);
  g_mutex_init (&self->mutex);

  return self;
}

/**
 * async_event_ref:
 * @event: an event
 *
 * Takes a reference. Any thread.
 *
 * Returns: (transfer full): @event
 *
 * Since: 0.2
 */
AsyncEvent *
async_event_ref (AsyncEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return async_primitive_ref (event);
}

/**
 * async_event_unref:
 * @event: (transfer full): an event
 *
 * Drops a reference. When the last one goes, waits still pending are
 * cancelled: nobody is left to set the event.
 *
 * Since: 0.2
 */
void
async_event_unref (AsyncEvent *event)
{
  g_return_if_fail (event != NULL);

  async_primitive_unref (event);
}

/**
 * async_event_set:
 * @event: an event
 *
 * asyncio's `event.set()`: sets the flag and resolves every pending wait;
 * each continues on its own loop. Waits that begin while the flag is set
 * resolve at once. Any thread.
 *
 * Since: 0.2
 */
void
async_event_set (AsyncEvent *event)
{
  AsyncWaiter *waiter;

  g_return_if_fail (event != NULL);

  g_mutex_lock (&event->mutex);
  event->is_set = TRUE;
  while ((waiter = async_waiter_list_pop_head (&event->waiters)) != NULL)
    {
      async_future_resolve_quietly (&waiter->parent, NULL, NULL);
      async_future_unref (&waiter->parent);
    }
  g_mutex_unlock (&event->mutex);
}

/**
 * async_event_clear:
 * @event: an event
 *
 * asyncio's `event.clear()`: waits that begin afterwards wait for the next
 * async_event_set(). Waits already resolved stay resolved. Any thread.
 *
 * Since: 0.2
 */
void
async_event_clear (AsyncEvent *event)
{
  g_return_if_fail (event != NULL);

  g_mutex_lock (&event->mutex);
  event->is_set = FALSE;
  g_mutex_unlock (&event->mutex);
}

/**
 * async_event_is_set:
 * @event: an event
 *
 * Whether the event's flag is set (asyncio's `is_set`).
 *
 * Returns: %TRUE if the flag is set. Any thread.
 *
 * Since: 0.2
 */
gboolean
async_event_is_set (AsyncEvent *event)
{
  gboolean is_set;

  g_return_val_if_fail (event != NULL, FALSE);

  g_mutex_lock (&event->mutex);
  is_set = event->is_set;
  g_mutex_unlock (&event->mutex);

  return is_set;
}

/**
 * async_event_wait:
 * @event: an event
 *
 * asyncio's `await event.wait()`: a future resolved (with %NULL) once the
 * flag is set, already resolved if it is (its continuations are queued all
 * the same). Cancelling it withdraws the wait. Any thread: the
 * continuation runs on the caller's thread-default context.
 *
 * Returns: (transfer full): a future resolved when @event is set
 *
 * Since: 0.2
 */
AsyncFuture *
async_event_wait (AsyncEvent *event)
{
  AsyncWaiter *waiter;

  g_return_val_if_fail (event != NULL, NULL);

  g_mutex_lock (&event->mutex);
  if (event->is_set)
    {
      g_mutex_unlock (&event->mutex);
      return async_waiter_done ();
    }
  waiter = async_waiter_new (&event_waiter_class, event, FALSE, "async_event_wait()");
  async_waiter_list_push_tail (&event->waiters, waiter);
  g_mutex_unlock (&event->mutex);

  return &waiter->parent;
}
