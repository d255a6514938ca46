/* coro.c: stackless coroutines. A coroutine is a future (its outcome) that
 * also holds the body, the frame, and the future it awaits; each resumption
 * is a continuation on the scheduler it was spawned on. */

#include "config.h"

#include "coro-private.h"

/* Thread safety: a coroutine's fields are only touched on its scheduler's
 * thread, but for @cancel_requested, which async_future_cancel () sets from
 * any thread before it marshals the rest there. The list of live coroutines
 * (for async_run () to cancel leftovers) is guarded by @live_lock. */
struct _AsyncCoroutine
{
  AsyncFuture         parent;
  AsyncCoroutineFunc  func;
  gpointer            frame;
  GDestroyNotify      frame_destroy;
  AsyncScheduler     *scheduler;
  AsyncFuture        *awaited;
  AsyncContinuation   step;        /* queues the start and every resume */
  int                 resume_point;
  guint               suspended : 1;
  guint               finished : 1;
  gint                cancel_requested;  /* atomic */
  AsyncCoroutine     *live_prev;   /* protected by @live_lock */
  AsyncCoroutine     *live_next;   /* protected by @live_lock */
};

static GMutex live_lock;
static AsyncCoroutine *live_head;  /* protected by @live_lock */

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
};

static void
live_add (AsyncCoroutine *co)
{
  g_mutex_lock (&live_lock);
  co->live_next = live_head;
  if (live_head != NULL)
    live_head->live_prev = co;
  live_head = co;
  g_mutex_unlock (&live_lock);
}

static void
live_remove (AsyncCoroutine *co)
{
  g_mutex_lock (&live_lock);
  if (co->live_prev != NULL)
    co->live_prev->live_next = co->live_next;
  else
    live_head = co->live_next;
  if (co->live_next != NULL)
    co->live_next->live_prev = co->live_prev;
  co->live_prev = co->live_next = NULL;
  g_mutex_unlock (&live_lock);
}

/* Ends the coroutine: its frame is destroyed (its `finally`) before its
 * future settles, and the runtime's reference is dropped. */
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
  live_remove (co);

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

  async_scheduler_release (scheduler);
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
      coroutine_finish (co, NULL, 0, FALSE, NULL,
                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             "The coroutine was cancelled before it started"));
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

/* The awaited future settles (cancelled) and resumes the coroutine with
 * G_IO_ERROR_CANCELLED; a shielded or finished one resumes it as usual and
 * the request is delivered then. A request delivered meanwhile (the flag
 * is clear) is not made twice. */
static void
coroutine_cancel_awaited (AsyncCoroutine *co)
{
  if (!co->finished && co->suspended && co->awaited != NULL &&
      g_atomic_int_get (&co->cancel_requested))
    async_future_cancel (co->awaited);
}

static void
coroutine_cancel_marshalled (AsyncFuture *unused,
                             gpointer     user_data)
{
  AsyncCoroutine *co = user_data;

  coroutine_cancel_awaited (co);
  async_future_unref (&co->parent);
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
                               async_future_ref (future));

  return TRUE;
}

/**
 * async_spawn_at: (skip)
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
  async_scheduler_hold (co->scheduler);
  live_add (co);

  async_continuation_init (&co->step, co->scheduler, coroutine_start, co, NULL);
  co->step.embedded = TRUE;
  async_scheduler_push_ready (co->scheduler, &co->step, &co->step);

  return &co->parent;
}

guint
async_coroutine_cancel_all (AsyncScheduler *scheduler)
{
  GPtrArray *doomed = g_ptr_array_new_with_free_func ((GDestroyNotify) async_future_unref);
  AsyncCoroutine *co;
  guint i, n;

  g_mutex_lock (&live_lock);
  for (co = live_head; co != NULL; co = co->live_next)
    if (co->scheduler == scheduler)
      g_ptr_array_add (doomed, async_future_ref (&co->parent));
  g_mutex_unlock (&live_lock);

  for (i = 0; i < doomed->len; i++)
    coroutine_cancel (g_ptr_array_index (doomed, i));

  n = doomed->len;
  g_ptr_array_unref (doomed);

  return n;
}

/**
 * async_coroutine_get_future:
 * @co: the running coroutine
 *
 * The future that settles with the coroutine's outcome, the one
 * async_spawn() returned. Call it from the coroutine's body only.
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
 * The future the coroutine awaited last, to read its outcome after the
 * await. Call it from the coroutine's body only.
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
 * async_coroutine_get_value: (skip)
 * @co: the running coroutine
 *
 * Reads the value of the last await, as async_future_get_value() on it. Call
 * it from the coroutine's body only.
 *
 * Returns: (transfer none) (nullable): the value of the future @co last
 *   awaited, owned by that future until @co's next await
 *
 * Since: 0.1
 */
gpointer
async_coroutine_get_value (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL && co->awaited != NULL, NULL);

  return async_future_get_value (co->awaited);
}

/**
 * async_coroutine_steal_value: (skip)
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
  g_return_val_if_fail (co != NULL && co->awaited != NULL, NULL);

  return async_future_steal_value (co->awaited);
}

/**
 * async_coroutine_get_int:
 * @co: the running coroutine
 *
 * Reads the integer outcome of the last await, as async_future_get_int() on
 * it. Call it from the coroutine's body only.
 *
 * Returns: the integer value of the future @co last awaited
 *
 * Since: 0.1
 */
gint64
async_coroutine_get_int (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL && co->awaited != NULL, 0);

  return async_future_get_int (co->awaited);
}

/**
 * async_coroutine_get_boolean:
 * @co: the running coroutine
 *
 * Reads the boolean outcome of the last await, as async_future_get_boolean()
 * on it. Call it from the coroutine's body only.
 *
 * Returns: the boolean value of the future @co last awaited
 *
 * Since: 0.1
 */
gboolean
async_coroutine_get_boolean (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL && co->awaited != NULL, FALSE);

  return async_future_get_boolean (co->awaited);
}

int
async_coroutine_resume_point_ (AsyncCoroutine *co)
{
  return co->resume_point;
}

/* Returns TRUE if the body must return now, to be resumed when @future
 * settles; FALSE to go straight on (it has settled already). */
gboolean
async_coroutine_suspend_ (AsyncCoroutine *co,
                          AsyncFuture    *future,
                          int             resume_point)
{
  if (co->awaited != NULL)
    async_future_unref (co->awaited);
  co->awaited = future;
  co->resume_point = resume_point;

  if (future == NULL)
    {
      g_critical ("The coroutine spawned at %s awaited a NULL future",
                  co->parent.where != NULL ? co->parent.where : "an unknown place");
      return FALSE;
    }

  if (!async_future_is_pending (future))
    return FALSE;

  co->suspended = TRUE;
  async_continuation_init (&co->step, co->scheduler, coroutine_resume, co, NULL);
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
    awaited_error = g_error_new_literal (ASYNC_ERROR, ASYNC_ERROR_FAILED,
                                         "The coroutine awaited a NULL future");
  else if (async_future_is_resolved (awaited))
    {
      if (!g_atomic_int_get (&co->cancel_requested))
        return TRUE;

      /* Cancelled while what it awaited finished anyway: deliver the
       * request now, as asyncio does. */
      awaited_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           "The coroutine was cancelled");
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
  g_error ("The coroutine spawned at %s was resumed at line %d, which has no "
           "ASYNC_AWAIT: two awaits on one line?",
           co->parent.where != NULL ? co->parent.where : "an unknown place",
           co->resume_point);
}
