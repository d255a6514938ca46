/* gio-bridge.c: GIO's asynchronous pattern and futures, both ways: a GIO
 * `_async`/`_finish` pair settles a future, and a future completes a GTask
 * for code that expects a GAsyncReadyCallback. */

#include "config.h"

#include "async-glib/async-gio.h"
#include "future-private.h"

typedef gpointer (*FinishPointerFunc) (GObject *, GAsyncResult *, GError **);
typedef gboolean (*FinishBooleanFunc) (GObject *, GAsyncResult *, GError **);
typedef gssize   (*FinishSsizeFunc)   (GObject *, GAsyncResult *, GError **);

typedef struct
{
  AsyncFuture      parent;
  AsyncGioReturns  returns;
  GCallback        finish;
  GDestroyNotify   value_destroy;
  GCancellable    *cancellable;
} AsyncGioFuture;

static gboolean
gio_future_cancel (AsyncFuture *future)
{
  AsyncGioFuture *self = (AsyncGioFuture *) future;

  /* Settle first: the operation may still complete, and its result is then
   * freed by the ready callback. */
  if (!async_future_cancel_quietly (future))
    return FALSE;

  g_cancellable_cancel (self->cancellable);

  return TRUE;
}

static void
gio_future_finalize (AsyncFuture *future)
{
  AsyncGioFuture *self = (AsyncGioFuture *) future;

  g_object_unref (self->cancellable);
}

static const AsyncFutureClass gio_future_class = {
  "AsyncGioFuture",
  gio_future_cancel,
  gio_future_finalize,
};

/**
 * async_gio_future_new: (skip)
 * @finish_returns: the shape of @finish
 * @finish: the GIO `_finish` function, cast with G_CALLBACK()
 * @value_destroy: (nullable): frees what @finish returns, for
 *   %ASYNC_GIO_RETURNS_POINTER
 *
 * Creates a future for one GIO asynchronous call: start the call with
 * async_gio_future_get_cancellable() as its cancellable,
 * async_gio_future_ready() as its callback and a reference to the future as
 * its user data (the ASYNC_GIO() macro does all three). The future settles
 * with what @finish returns, or its error. Cancelling the future cancels
 * the call. Any thread.
 *
 * Returns: (transfer full): a pending future
 *
 * Since: 0.1
 */
AsyncFuture *
async_gio_future_new (AsyncGioReturns finish_returns,
                      GCallback       finish,
                      GDestroyNotify  value_destroy)
{
  AsyncGioFuture *self;

  g_return_val_if_fail (finish != NULL, NULL);
  g_return_val_if_fail (finish_returns <= ASYNC_GIO_RETURNS_SSIZE, NULL);

  self = async_future_alloc (&gio_future_class, sizeof (AsyncGioFuture), "async_gio_future_new()");
  self->returns = finish_returns;
  self->finish = finish;
  self->value_destroy = value_destroy;
  self->cancellable = g_cancellable_new ();

  return &self->parent;
}

/**
 * async_gio_future_get_cancellable:
 * @future: a future from async_gio_future_new()
 *
 * The #GCancellable to hand to the GIO call that settles @future, as
 * ASYNC_GIO() does. Any thread.
 *
 * Returns: (transfer none): the cancellable to give the GIO call;
 *   cancelling @future cancels it
 *
 * Since: 0.1
 */
GCancellable *
async_gio_future_get_cancellable (AsyncFuture *future)
{
  g_return_val_if_fail (future != NULL && future->klass == &gio_future_class, NULL);

  return ((AsyncGioFuture *) future)->cancellable;
}

/**
 * async_gio_future_ready: (skip)
 * @source_object: (nullable): the object of the GIO call
 * @result: its result
 * @future: (transfer full): a reference to a future from
 *   async_gio_future_new()
 *
 * The #GAsyncReadyCallback to give the GIO call: it calls the `_finish`
 * function and settles @future, then drops the reference it was given.
 *
 * Since: 0.1
 */
void
async_gio_future_ready (GObject      *source_object,
                        GAsyncResult *result,
                        gpointer      future)
{
  AsyncGioFuture *self = future;
  GError *error = NULL;

  g_return_if_fail (self != NULL && self->parent.klass == &gio_future_class);

  switch (self->returns)
    {
    case ASYNC_GIO_RETURNS_POINTER:
      {
        gpointer value = ((FinishPointerFunc) (void (*) (void)) self->finish) (source_object, result, &error);

        if (error == NULL)
          async_future_resolve_quietly (&self->parent, value, self->value_destroy);
      }
      break;
    case ASYNC_GIO_RETURNS_BOOLEAN:
      {
        gboolean value = ((FinishBooleanFunc) (void (*) (void)) self->finish) (source_object, result, &error);

        if (error == NULL)
          async_future_resolve_boolean (&self->parent, value);
      }
      break;
    case ASYNC_GIO_RETURNS_SSIZE:
      {
        gssize value = ((FinishSsizeFunc) (void (*) (void)) self->finish) (source_object, result, &error);

        if (error == NULL)
          async_future_resolve_int (&self->parent, value);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  if (error != NULL)
    async_future_reject_quietly (&self->parent, error);

  async_future_unref (&self->parent);
}

/* --- futures as GIO operations -------------------------------------------- */

typedef struct
{
  AsyncFuture  *future;
  GCancellable *cancellable;
  gulong        cancelled_id;
} ToGio;

static void
to_gio_free (gpointer data)
{
  ToGio *to_gio = data;

  async_future_unref (to_gio->future);
  g_clear_object (&to_gio->cancellable);
  g_free (to_gio);
}

static void
to_gio_cancelled (GCancellable *cancellable,
                  gpointer      future)
{
  async_future_cancel (future);
}

static void
to_gio_settled (AsyncFuture *future,
                gpointer     user_data)
{
  GTask *task = user_data;
  ToGio *to_gio = g_task_get_task_data (task);

  if (to_gio->cancelled_id != 0)
    {
      g_cancellable_disconnect (to_gio->cancellable, to_gio->cancelled_id);
      to_gio->cancelled_id = 0;
    }

  if (async_future_is_resolved (future))
    g_task_return_pointer (task, async_future_ref (future),
                           (GDestroyNotify) async_future_unref);
  else
    g_task_return_error (task, g_error_copy (async_future_get_error (future)));

  g_object_unref (task);
}

/**
 * async_future_to_gio:
 * @future: (transfer full): the future
 * @source_object: (nullable) (type GObject): the #GAsyncResult's source
 * @cancellable: (nullable): cancelling it cancels @future
 * @callback: called once @future has settled, as GIO calls it
 * @user_data: (closure): data for @callback
 *
 * Hands @future to code written for GIO's asynchronous pattern: @callback
 * gets a #GAsyncResult (a #GTask) in the thread-default context of this
 * call, to be finished with async_gio_propagate_pointer() and friends. An
 * `_async` function of one's own becomes one line. Any thread.
 *
 * Since: 0.1
 */
void
async_future_to_gio (AsyncFuture        *future,
                     gpointer            source_object,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  ToGio *to_gio;
  GTask *task;

  g_return_if_fail (future != NULL);
  g_return_if_fail (source_object == NULL || G_IS_OBJECT (source_object));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, async_future_to_gio);

  to_gio = g_new0 (ToGio, 1);
  to_gio->future = future;
  g_task_set_task_data (task, to_gio, to_gio_free);

  if (cancellable != NULL)
    {
      to_gio->cancellable = g_object_ref (cancellable);
      to_gio->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (to_gio_cancelled),
                                                    async_future_ref (future),
                                                    (GDestroyNotify) async_future_unref);
    }

  async_future_then (future, to_gio_settled, task, NULL);
}

static AsyncFuture *
propagate_future (GAsyncResult *result,
                  GError      **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == async_future_to_gio, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * async_gio_propagate_pointer: (skip)
 * @result: the #GAsyncResult of async_future_to_gio()
 * @error: return location for the future's error
 *
 * The `_finish` of async_future_to_gio() for a future with a pointer
 * value, which it takes (see async_future_steal_value()).
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with @error set
 *
 * Since: 0.1
 */
gpointer
async_gio_propagate_pointer (GAsyncResult *result,
                             GError      **error)
{
  AsyncFuture *future = propagate_future (result, error);
  gpointer value;

  if (future == NULL)
    return NULL;

  value = async_future_steal_value (future);
  async_future_unref (future);

  return value;
}

/**
 * async_gio_propagate_boolean:
 * @result: the #GAsyncResult of async_future_to_gio()
 * @error: return location for the future's error
 *
 * The `_finish` of async_future_to_gio() for a future with a boolean value.
 *
 * Returns: the value, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
async_gio_propagate_boolean (GAsyncResult *result,
                             GError      **error)
{
  AsyncFuture *future = propagate_future (result, error);
  gboolean value;

  if (future == NULL)
    return FALSE;

  value = async_future_get_boolean (future);
  async_future_unref (future);

  return value;
}

/**
 * async_gio_propagate_int:
 * @result: the #GAsyncResult of async_future_to_gio()
 * @error: return location for the future's error
 *
 * The `_finish` of async_future_to_gio() for a future with an integer
 * value.
 *
 * Returns: the value, or 0 with @error set
 *
 * Since: 0.1
 */
gint64
async_gio_propagate_int (GAsyncResult *result,
                         GError      **error)
{
  AsyncFuture *future = propagate_future (result, error);
  gint64 value;

  if (future == NULL)
    return 0;

  value = async_future_get_int (future);
  async_future_unref (future);

  return value;
}
