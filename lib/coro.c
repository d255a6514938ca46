/* coro.c: stackless coroutines. A coroutine is a future (its outcome) that
 * also holds the body, the frame, and the future it awaits; each resumption
 * is a continuation on the scheduler it was spawned on. */

#include "config.h"

#include "async-glib/async-coro.h"
#include "scheduler-private.h"

#include "async-glib/async-gather.h"

/* Thread safety: a coroutine's fields are only touched on its scheduler's
 * thread, but for @cancel_requested, which async_future_cancel () sets from
 * any thread before it marshals the rest there. */
struct _AsyncCoroutine
{
  AsyncFuture         parent;
  AsyncCoroutineFunc  func;
  gpointer            frame;
  GDestroyNotify      frame_destroy;
  AsyncScheduler     *scheduler;
  AsyncFuture        *awaited;
  AsyncContinuation   step;        /* queues the start and every resume */
  AsyncHeld           held;        /* on the scheduler's list while it runs */
  gpointer            resume_point;
  guint               suspended : 1;
  guint               finished : 1;
  /* A cancellation asked for and not yet handed on: not to what it awaits
   * (whose cancel took it), nor to the body as G_IO_ERROR_CANCELLED.
   * asyncio's Task._must_cancel. Atomic. */
  gint                cancel_requested;
};

static gboolean coroutine_cancel (AsyncFuture *future);

static void
coroutine_finalize (AsyncFuture *future)
{
  AsyncCoroutine *co = (AsyncCoroutine *) future;

  g_assert (co->finished);
  async_scheduler_unref (co->scheduler);
}

static const AsyncFutureClass coroutine_class = {
  "AsyncCoroutine",
  coroutine_cancel,
  coroutine_finalize,
  NULL,
};

static const char *
coroutine_where (AsyncCoroutine *co)
{
  return co->parent.where != NULL ? co->parent.where : "an unknown place";
}

/* The accessors' precondition, with a critical that names the coroutine's
 * spawn site rather than this file. */
static gboolean
coroutine_has_awaited (AsyncCoroutine *co,
                       const char     *function)
{
  if (G_LIKELY (co->awaited != NULL))
    return TRUE;

  g_critical ("%s: the coroutine spawned at %s has not awaited a future yet",
              function, coroutine_where (co));
  return FALSE;
}

static GError *
cancelled_error (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, message);
}

/* Ends the coroutine: its frame is destroyed (its `finally`) before its
 * future settles, and the runtime's reference is dropped. A coroutine that
 * returns while a cancellation it never saw is pending ends cancelled, as
 * asyncio's Task does (test_cancel_at_end). */
static void
coroutine_finish (AsyncCoroutine *co,
                  gpointer        value,
                  gint64          integer,
                  gboolean        is_integer,
                  GDestroyNotify  value_destroy,
                  GError         *error)
{
  AsyncScheduler *scheduler = co->scheduler;

  g_assert (!co->finished);

  co->finished = TRUE;
  co->suspended = FALSE;

  if (error == NULL && g_atomic_int_get (&co->cancel_requested))
    {
      if (value_destroy != NULL && value != NULL)
        value_destroy (value);
      error = cancelled_error ("The coroutine was cancelled before it returned");
    }
  g_atomic_int_set (&co->cancel_requested, FALSE);

  if (co->frame_destroy != NULL)
    co->frame_destroy (co->frame);
  co->frame = NULL;
  g_clear_pointer (&co->awaited, async_future_unref);

  if (error != NULL)
    async_future_reject_quietly (&co->parent, error);
  else if (is_integer)
    async_future_resolve_int (&co->parent, integer);
  else
    async_future_resolve_quietly (&co->parent, value, value_destroy);

  /* The runtime's reference keeps @co, and so its list node, alive. */
  async_scheduler_release (scheduler, &co->held);
  async_future_unref (&co->parent);
}

/* Runs the body once, from the top or from where it last awaited. */
static void
coroutine_step (AsyncCoroutine *co)
{
  async_future_ref (&co->parent);

  co->func (co, co->frame);

  /* A body that returned without ASYNC_END () or an await has ended. */
  if (!co->finished && !co->suspended)
    coroutine_finish (co, NULL, 0, FALSE, NULL, NULL);

  async_future_unref (&co->parent);
}

static void
coroutine_start (AsyncFuture *unused,
                 gpointer     user_data)
{
  AsyncCoroutine *co = user_data;

  /* Cancelled before its first step: the body never runs (asyncio). */
  if (g_atomic_int_get (&co->cancel_requested))
    {
      g_atomic_int_set (&co->cancel_requested, FALSE);
      coroutine_finish (co, NULL, 0, FALSE, NULL,
                        cancelled_error ("The coroutine was cancelled before it started"));
      return;
    }

  coroutine_step (co);
}

static void
coroutine_resume (AsyncFuture *awaited,
                  gpointer     user_data)
{
  AsyncCoroutine *co = user_data;

  if (co->finished)
    return;

  co->suspended = FALSE;
  coroutine_step (co);
}

/* Hands a pending cancellation to what the coroutine awaits. If that took
 * it (its cancel returned TRUE) the request is delivered: the coroutine
 * goes on with whatever the awaited future ends with, a value too if it
 * was a coroutine that swallowed the cancellation (asyncio). If not (it had
 * finished), the request stays, and the coroutine sees
 * G_IO_ERROR_CANCELLED when it resumes. */
static void
coroutine_cancel_awaited (AsyncCoroutine *co)
{
  if (!co->finished && co->suspended && co->awaited != NULL &&
      g_atomic_int_get (&co->cancel_requested) &&
      async_future_cancel (co->awaited))
    g_atomic_int_set (&co->cancel_requested, FALSE);
}

static void
coroutine_cancel_marshalled (AsyncFuture *unused,
                             gpointer     user_data)
{
  coroutine_cancel_awaited (user_data);
}

static gboolean
coroutine_cancel (AsyncFuture *future)
{
  AsyncCoroutine *co = (AsyncCoroutine *) future;

  g_atomic_int_set (&co->cancel_requested, TRUE);

  if (async_scheduler_is_current (co->scheduler))
    coroutine_cancel_awaited (co);
  else
    async_scheduler_call_soon (co->scheduler, coroutine_cancel_marshalled,
                               async_future_ref (future),
                               (GDestroyNotify) async_future_unref);

  return TRUE;
}

/* The coroutine's context was freed while it ran: nothing will resume it.
 * It ends cancelled, its frame destroyed, without running its body. */
static void
coroutine_closed (AsyncHeld *held)
{
  AsyncCoroutine *co = G_STRUCT_MEMBER_P (held, -G_STRUCT_OFFSET (AsyncCoroutine, held));

  if (co->finished)
    return;

  g_atomic_int_set (&co->cancel_requested, FALSE);
  coroutine_finish (co, NULL, 0, FALSE, NULL,
                    cancelled_error ("The main context the coroutine ran on was freed"));
}

/**
 * async_spawn_at:
 * @where: where the coroutine was spawned, as `G_STRLOC`
 * @func: the coroutine's body
 * @frame: (nullable) (transfer full): the coroutine's locals
 * @frame_destroy: (nullable): frees @frame once the coroutine has ended
 *
 * Starts a coroutine; use async_spawn(), which fills @where. Must be called
 * on the thread that runs the thread-default context.
 *
 * Returns: (transfer full): the future of the coroutine's outcome
 *
 * Since: 0.1
 */
AsyncFuture *
async_spawn_at (const char        *where,
                AsyncCoroutineFunc func,
                gpointer           frame,
                GDestroyNotify     frame_destroy)
{
  AsyncCoroutine *co;

  g_return_val_if_fail (func != NULL, NULL);

  co = async_future_alloc (&coroutine_class, sizeof (AsyncCoroutine), where);
  co->func = func;
  co->frame = frame;
  co->frame_destroy = frame_destroy;
  co->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());

  /* The runtime's reference, dropped when the coroutine ends. */
  async_future_ref (&co->parent);
  async_scheduler_hold (co->scheduler, &co->held, &co->parent, coroutine_closed);

  async_continuation_init (&co->step, co->scheduler, coroutine_start, co, NULL);
  co->step.embedded = TRUE;
  if (!async_scheduler_push_ready (co->scheduler, &co->step, &co->step))
    {
      /* Spawned on a context that is being freed. */
      async_continuation_drop_all (&co->step);
      coroutine_closed (&co->held);
    }

  return &co->parent;
}

/**
 * async_coroutine_get_future:
 * @co: the running coroutine
 *
 * Returns: (transfer none): the future of @co's outcome
 *
 * Since: 0.1
 */
AsyncFuture *
async_coroutine_get_future (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL, NULL);

  return &co->parent;
}

/**
 * async_coroutine_get_awaited:
 * @co: the running coroutine
 *
 * Returns: (transfer none) (nullable): the future @co last awaited, settled,
 *   until its next await
 *
 * Since: 0.1
 */
AsyncFuture *
async_coroutine_get_awaited (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL, NULL);

  return co->awaited;
}

/**
 * async_coroutine_get_value:
 * @co: the running coroutine
 *
 * Returns: (transfer none) (nullable): the value of the future @co last
 *   awaited, owned by that future until @co's next await
 *
 * Since: 0.1
 */
gpointer
async_coroutine_get_value (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL, NULL);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return NULL;

  return async_future_get_value (co->awaited);
}

/**
 * async_coroutine_steal_value:
 * @co: the running coroutine
 *
 * Takes the value of the future @co last awaited, as
 * async_future_steal_value().
 *
 * Returns: (transfer full) (nullable): the value
 *
 * Since: 0.1
 */
gpointer
async_coroutine_steal_value (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL, NULL);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return NULL;

  return async_future_steal_value (co->awaited);
}

/**
 * async_coroutine_get_int:
 * @co: the running coroutine
 *
 * Returns: the integer value of the future @co last awaited
 *
 * Since: 0.1
 */
gint64
async_coroutine_get_int (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL, 0);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return 0;

  return async_future_get_int (co->awaited);
}

/**
 * async_coroutine_get_boolean:
 * @co: the running coroutine
 *
 * Returns: the boolean value of the future @co last awaited
 *
 * Since: 0.1
 */
gboolean
async_coroutine_get_boolean (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL, FALSE);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return FALSE;

  return async_future_get_boolean (co->awaited);
}

/**
 * async_coroutine_get_gathered_value:
 * @co: the running coroutine
 * @index: which child of the gather, in the order they were given
 *
 * After `ASYNC_AWAIT (co, async_gather (…))`: the value of child @index,
 * as async_gather_get_value(); one line per result, where Python writes
 * `x, y = await gather (a (), b ())`.
 *
 * Returns: (transfer none) (nullable): the value, owned by the child
 *
 * Since: 0.2
 */
gpointer
async_coroutine_get_gathered_value (AsyncCoroutine *co,
                                    guint           index)
{
  g_return_val_if_fail (co != NULL, NULL);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return NULL;

  return async_gather_get_value (co->awaited, index);
}

/**
 * async_coroutine_steal_gathered_value:
 * @co: the running coroutine
 * @index: which child of the gather
 *
 * As async_coroutine_get_gathered_value(), taking the value out of the
 * child (async_gather_steal_value()).
 *
 * Returns: (transfer full) (nullable): the value
 *
 * Since: 0.2
 */
gpointer
async_coroutine_steal_gathered_value (AsyncCoroutine *co,
                                      guint           index)
{
  g_return_val_if_fail (co != NULL, NULL);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return NULL;

  return async_gather_steal_value (co->awaited, index);
}

/**
 * async_coroutine_get_gathered_int:
 * @co: the running coroutine
 * @index: which child of the gather
 *
 * As async_coroutine_get_gathered_value(), for a child resolved with an
 * integer.
 *
 * Returns: the integer value of child @index
 *
 * Since: 0.2
 */
gint64
async_coroutine_get_gathered_int (AsyncCoroutine *co,
                                  guint           index)
{
  g_return_val_if_fail (co != NULL, 0);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return 0;

  return async_gather_get_int (co->awaited, index);
}

gpointer
async_coroutine_get_resume_point_ (AsyncCoroutine *co)
{
  return co->resume_point;
}

int
async_coroutine_resume_point_ (AsyncCoroutine *co)
{
  return GPOINTER_TO_INT (co->resume_point);
}

gboolean
async_coroutine_suspend_ (AsyncCoroutine *co,
                          AsyncFuture    *future,
                          int             resume_point)
{
  return async_coroutine_await_ (co, future, GINT_TO_POINTER (resume_point));
}

/* Returns TRUE if the body must return now, to be resumed when @future
 * settles; FALSE to go straight on (it has settled already). */
gboolean
async_coroutine_await_ (AsyncCoroutine *co,
                        AsyncFuture    *future,
                        gpointer        resume_point)
{
  if (co->awaited != NULL)
    async_future_unref (co->awaited);
  co->awaited = future;
  co->resume_point = resume_point;

  if (future == NULL)
    {
      g_critical ("The coroutine spawned at %s awaited a NULL future", coroutine_where (co));
      return FALSE;
    }

  if (!async_future_is_pending (future))
    return FALSE;

  co->suspended = TRUE;
  /* The node holds the coroutine while it waits: if the coroutine ends
   * first (its context was freed), the future that still has the node
   * releases it later. */
  async_continuation_init (&co->step, co->scheduler, coroutine_resume,
                           async_future_ref (&co->parent), (GDestroyNotify) async_future_unref);
  async_future_attach (future, &co->step);

  /* Cancelled while it ran (by itself, say): as asyncio, the next await is
   * cancelled at once rather than waited out. */
  coroutine_cancel_awaited (co);

  return TRUE;
}

/* Returns TRUE if the body goes on after the await; FALSE if the coroutine
 * has ended with the awaited error. */
gboolean
async_coroutine_resume_ (AsyncCoroutine *co,
                         gboolean        try_,
                         GError        **error)
{
  AsyncFuture *awaited = co->awaited;
  GError *awaited_error;

  if (awaited == NULL)
    awaited_error = g_error_new (ASYNC_ERROR, ASYNC_ERROR_FAILED,
                                 "The coroutine spawned at %s awaited a NULL future",
                                 coroutine_where (co));
  else if (async_future_is_resolved (awaited))
    {
      if (!g_atomic_int_get (&co->cancel_requested))
        return TRUE;

      /* Cancelled while what it awaited finished anyway: deliver the
       * request now, as asyncio does, and let the producer take back what
       * it handed over (a lock, a queue's item). */
      async_future_abandon (awaited);
      awaited_error = cancelled_error ("The coroutine was cancelled");
    }
  else
    {
      awaited_error = g_error_copy (async_future_get_error (awaited));
    }

  if (g_error_matches (awaited_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_atomic_int_set (&co->cancel_requested, FALSE);

  if (try_)
    {
      if (error != NULL)
        *error = awaited_error;
      else
        g_error_free (awaited_error);
      return TRUE;
    }

  coroutine_finish (co, NULL, 0, FALSE, NULL, awaited_error);

  return FALSE;
}

void
async_coroutine_return_ (AsyncCoroutine *co,
                         gpointer        value,
                         GDestroyNotify  value_destroy)
{
  coroutine_finish (co, value, 0, FALSE, value_destroy, NULL);
}

void
async_coroutine_return_int_ (AsyncCoroutine *co,
                             gint64          value)
{
  coroutine_finish (co, NULL, value, TRUE, NULL, NULL);
}

void
async_coroutine_return_error_ (AsyncCoroutine *co,
                               GError         *error)
{
  g_return_if_fail (error != NULL);

  coroutine_finish (co, NULL, 0, FALSE, NULL, error);
}

void
async_coroutine_bad_resume_point_ (AsyncCoroutine *co)
{
  g_error ("The coroutine spawned at %s was resumed at a point its body has no "
           "ASYNC_AWAIT for (%d): with ASYNC_COROUTINE_PORTABLE or a compiler "
           "without labels as values, an await inside a switch of the body's own "
           "is not reached",
           coroutine_where (co), GPOINTER_TO_INT (co->resume_point));
}
