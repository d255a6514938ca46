/* coro.c: stackless coroutines. A coroutine is a future (its outcome) that
 * also holds the body, the frame, and the future it awaits; each resumption
 * is a continuation on the scheduler it was spawned on. */

#include "config.h"

#include "coro-private.h"

#include "async-glib/async-gather.h"

/* What a coroutine ends with, kept while the scopes it ends inside are
 * left (a TaskGroup waits for its children first). */
struct _CoroutineOutcome
{
  gpointer        value;
  gint64          integer;
  gboolean        is_integer;
  GDestroyNotify  value_destroy;
  GError         *error;
};

static gboolean coroutine_cancel (AsyncFuture *future);

static void
coroutine_finalize (AsyncFuture *future)
{
  AsyncCoroutine *co = (AsyncCoroutine *) future;

  g_assert (co->finished);
  if (co->extras != NULL)
    {
      g_free (co->extras->name);
      g_free (co->extras);
    }
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

static void coroutine_unwind (AsyncCoroutine   *co,
                              CoroutineOutcome *outcome);
static void coroutine_cancel_awaited (AsyncCoroutine *co);

/* Ends the coroutine: its frame is destroyed (its `finally`) before its
 * future settles, and the runtime's reference is dropped. A coroutine that
 * returns while a cancellation it never saw is pending ends cancelled, as
 * asyncio's Task does (test_cancel_at_end). Inside a scope (a TaskGroup, a
 * timeout), the scopes are left first, as `async with` blocks are. */
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

  if (G_UNLIKELY (co->extras != NULL && co->extras->scopes != NULL))
    {
      CoroutineOutcome outcome = { value, integer, is_integer, value_destroy, error };

      coroutine_unwind (co, &outcome);
      return;
    }

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

  if (G_UNLIKELY (co->extras != NULL && co->extras->group != NULL))
    async_task_group_child_done_ (co);

  /* The runtime's reference keeps @co, and so its list node, alive. */
  async_scheduler_release (scheduler, &co->held);
  async_future_unref (&co->parent);
}

static void
outcome_take_error (CoroutineOutcome *outcome,
                    GError           *error)
{
  if (outcome->error != NULL)
    g_error_free (outcome->error);
  outcome->error = error;
  if (error != NULL && outcome->value_destroy != NULL && outcome->value != NULL)
    outcome->value_destroy (outcome->value);
  if (error != NULL)
    {
      outcome->value = NULL;
      outcome->value_destroy = NULL;
      outcome->is_integer = FALSE;
    }
}

static void
coroutine_unwind_resume (AsyncFuture *exited,
                         gpointer     user_data)
{
  AsyncCoroutine *co = user_data;
  CoroutineOutcome *outcome = co->extras->unwinding;

  if (co->finished || outcome == NULL)
    return;

  co->extras->unwinding = NULL;
  co->suspended = FALSE;
  /* The scope's outcome replaces the coroutine's: __aexit__ raised, or
   * swallowed what the body raised. */
  if (async_future_is_resolved (exited))
    outcome_take_error (outcome, NULL);
  else
    outcome_take_error (outcome, g_error_copy (async_future_get_error (exited)));

  async_future_ref (&co->parent);
  coroutine_unwind (co, outcome);
  g_free (outcome);
  async_future_unref (&co->parent);
}

/* Leaves the scopes innermost first; waits where a scope must. */
static void
coroutine_unwind (AsyncCoroutine   *co,
                  CoroutineOutcome *outcome)
{
  while (co->extras->scopes != NULL)
    {
      AsyncScope *scope = co->extras->scopes;
      GError *error = outcome->error;
      AsyncFuture *exiting;

      co->extras->scopes = scope->outer;
      scope->outer = NULL;
      outcome->error = NULL;
      exiting = scope->unwind (scope, &error);
      outcome_take_error (outcome, error);
      if (exiting == NULL)
        continue;

      if (async_future_is_pending (exiting) && !async_scheduler_is_closed (co->scheduler))
        {
          co->extras->unwinding = g_memdup2 (outcome, sizeof *outcome);
          if (co->awaited != NULL)
            async_future_unref (co->awaited);
          co->awaited = exiting;
          co->suspended = TRUE;
          co->awaiting_since = ASYNC_SCHEDULER_HOT (co->scheduler)->dispatch_started;
          async_continuation_init_borrowing (&co->step, co->scheduler, coroutine_unwind_resume,
                                             async_future_ref (&co->parent),
                                             (GDestroyNotify) async_future_unref);
          async_future_attach (exiting, &co->step);
          /* A cancellation asked for meanwhile goes to the scope, as a
           * cancelled __aexit__ sees it. */
          coroutine_cancel_awaited (co);
          return;
        }

      if (async_future_is_resolved (exiting))
        outcome_take_error (outcome, NULL);
      else if (async_future_is_pending (exiting))
        outcome_take_error (outcome, cancelled_error ("The main context the coroutine ran on was freed"));
      else
        outcome_take_error (outcome, g_error_copy (async_future_get_error (exiting)));
      async_future_unref (exiting);
    }

  coroutine_finish (co, outcome->value, outcome->integer, outcome->is_integer,
                    outcome->value_destroy, outcome->error);
}

/* Runs the body once, from the top or from where it last awaited. */
static void
coroutine_step (AsyncCoroutine *co)
{
  AsyncSchedulerHot *hot = ASYNC_SCHEDULER_HOT (co->scheduler);
  gpointer previous = hot->running;

  async_future_ref (&co->parent);

  hot->running = co;
  co->func (co, co->frame);
  hot->running = previous;

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

  co->awaiting_since = ASYNC_SCHEDULER_HOT (co->scheduler)->dispatch_started;

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

  g_atomic_int_inc (&co->cancelling);
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

  if (co->extras != NULL && co->extras->unwinding != NULL)
    {
      CoroutineOutcome *outcome = g_steal_pointer (&co->extras->unwinding);

      outcome_take_error (outcome, NULL);
      if (outcome->value_destroy != NULL && outcome->value != NULL)
        outcome->value_destroy (outcome->value);
      g_free (outcome);
    }
  g_atomic_int_set (&co->cancel_requested, FALSE);
  coroutine_finish (co, NULL, 0, FALSE, NULL,
                    cancelled_error ("The main context the coroutine ran on was freed"));
}

static inline AsyncCoroutine *
coroutine_spawn (AsyncScheduler    *scheduler,
                 const char        *where,
                 AsyncCoroutineFunc func,
                 gpointer           frame,
                 GDestroyNotify     frame_destroy)
{
  AsyncCoroutine *co;

  co = async_future_alloc (&coroutine_class, sizeof (AsyncCoroutine), where);
  co->func = func;
  co->frame = frame;
  co->frame_destroy = frame_destroy;
  co->scheduler = async_scheduler_ref (scheduler);

  /* The runtime's reference, dropped when the coroutine ends. */
  async_future_ref (&co->parent);
  async_scheduler_hold (co->scheduler, &co->held, &co->parent, coroutine_closed);

  async_continuation_init_borrowing (&co->step, co->scheduler, coroutine_start, co, NULL);
  if (!async_scheduler_push_ready (co->scheduler, &co->step, &co->step))
    {
      /* Spawned on a context that is being freed. */
      async_continuation_drop_all (&co->step);
      coroutine_closed (&co->held);
    }

  return co;
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
  g_return_val_if_fail (func != NULL, NULL);

  return &coroutine_spawn (async_scheduler_get_thread_default (), where, func, frame,
                           frame_destroy)->parent;
}

AsyncCoroutine *
async_coroutine_spawn_on_ (AsyncScheduler    *scheduler,
                           const char        *where,
                           AsyncCoroutineFunc func,
                           gpointer           frame,
                           GDestroyNotify     frame_destroy)
{
  return coroutine_spawn (scheduler, where, func, frame, frame_destroy);
}

/**
 * async_spawn_on_at:
 * @context: (nullable): the context to run the coroutine on; %NULL for
 *   the global default context
 * @where: where the coroutine was spawned, as `G_STRLOC`
 * @func: the coroutine's body
 * @frame: (nullable) (transfer full): the coroutine's locals, handed to
 *   the thread that runs @context
 * @frame_destroy: (nullable): frees @frame once the coroutine has ended,
 *   on that thread
 *
 * asyncio's `run_coroutine_threadsafe`: starts a coroutine on @context,
 * whichever thread calls this; use async_spawn_on(), which fills @where.
 * The coroutine runs on the thread that iterates @context. Its future, as
 * every future, may be waited on, awaited or cancelled from any thread:
 * cancelling it asks the coroutine to cancel on its own thread.
 *
 * Returns: (transfer full): the future of the coroutine's outcome
 *
 * Since: 0.2
 */
AsyncFuture *
async_spawn_on_at (GMainContext      *context,
                   const char        *where,
                   AsyncCoroutineFunc func,
                   gpointer           frame,
                   GDestroyNotify     frame_destroy)
{
  AsyncScheduler *scheduler;
  AsyncCoroutine *co;

  g_return_val_if_fail (func != NULL, NULL);

  scheduler = async_scheduler_get_for_context (context != NULL ? context : g_main_context_default ());
  co = async_coroutine_spawn_on_ (scheduler, where, func, frame, frame_destroy);
  async_scheduler_unref (scheduler);

  return &co->parent;
}

AsyncCoroutineExtras *
async_coroutine_extras_ (AsyncCoroutine *co)
{
  if (co->extras == NULL)
    co->extras = g_new0 (AsyncCoroutineExtras, 1);
  return co->extras;
}

gboolean
async_future_is_coroutine_ (AsyncFuture *future)
{
  return future->klass == &coroutine_class;
}

AsyncCoroutine *
async_coroutine_current_ (void)
{
  AsyncScheduler *scheduler = async_scheduler_get_dispatching_ ();

  return scheduler != NULL ? ASYNC_SCHEDULER_HOT (scheduler)->running : NULL;
}

AsyncScheduler *
async_coroutine_get_scheduler_ (AsyncCoroutine *co)
{
  return co->scheduler;
}

void
async_coroutine_push_scope_ (AsyncCoroutine *co,
                             AsyncScope     *scope)
{
  AsyncCoroutineExtras *extras = async_coroutine_extras_ (co);

  scope->co = co;
  scope->outer = extras->scopes;
  extras->scopes = scope;
}

gboolean
async_coroutine_pop_scope_ (AsyncCoroutine *co,
                            AsyncScope     *scope,
                            const char     *caller)
{
  if (co->extras == NULL || co->extras->scopes != scope)
    {
      g_critical ("%s: the coroutine spawned at %s leaves a scope that is not its "
                  "innermost (scopes end in the reverse order they began)",
                  caller, coroutine_where (co));
      return FALSE;
    }

  co->extras->scopes = scope->outer;
  scope->outer = NULL;
  return TRUE;
}

char *
async_coroutine_describe_ (AsyncCoroutine *co)
{
  if (co->extras == NULL || co->extras->name == NULL)
    return g_strdup_printf ("'%s'", coroutine_where (co));

  return g_strdup_printf ("'%s' (spawned at %s)", co->extras->name, coroutine_where (co));
}

AsyncCoroutine *
async_coroutine_ref_step_ (AsyncContinuation *continuation)
{
  if (continuation->callback != coroutine_start &&
      continuation->callback != coroutine_resume &&
      continuation->callback != coroutine_unwind_resume)
    return NULL;

  async_future_ref (continuation->user_data);
  return continuation->user_data;
}

/**
 * async_coroutine_from_future:
 * @future: a future
 *
 * The coroutine behind a future that async_spawn() returned, for its
 * name and asyncio's Task methods (`cancelling`, `uncancel`).
 *
 * Returns: (transfer none) (nullable): the coroutine, alive as long as
 *   @future is; %NULL if @future is not a coroutine's
 *
 * Since: 0.2
 */
AsyncCoroutine *
async_coroutine_from_future (AsyncFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  return async_future_is_coroutine_ (future) ? (AsyncCoroutine *) future : NULL;
}

/**
 * async_current_task:
 *
 * `asyncio.current_task`: the coroutine whose body is running on this
 * thread.
 *
 * Returns: (transfer none) (nullable): the coroutine, or %NULL outside any
 *   coroutine's body
 *
 * Since: 0.2
 */
AsyncCoroutine *
async_current_task (void)
{
  return async_coroutine_current_ ();
}

/**
 * async_all_tasks:
 *
 * `asyncio.all_tasks`: the coroutines of the thread-default context that
 * have not ended, in no particular order. Must be called on the thread
 * that runs that context.
 *
 * Returns: (transfer full) (element-type AsyncFuture): their futures, a
 *   reference each
 *
 * Since: 0.2
 */
GPtrArray *
async_all_tasks (void)
{
  GPtrArray *held = async_scheduler_list_held (async_scheduler_get_thread_default ());
  GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) async_future_unref);
  guint i;

  for (i = 0; i < held->len; i++)
    {
      AsyncFuture *future = g_ptr_array_index (held, i);

      if (async_future_is_coroutine_ (future) && async_future_is_pending (future))
        g_ptr_array_add (tasks, async_future_ref (future));
    }
  g_ptr_array_unref (held);

  return tasks;
}

/**
 * async_coroutine_set_name:
 * @co: a coroutine
 * @name: (nullable): its name; %NULL goes back to the default, the place
 *   it was spawned
 *
 * asyncio's `Task.set_name`: the name warnings, the debug mode and
 * async_dump_tasks() use. Must be called on the coroutine's thread.
 *
 * Since: 0.2
 */
void
async_coroutine_set_name (AsyncCoroutine *co,
                          const char     *name)
{
  AsyncCoroutineExtras *extras;

  g_return_if_fail (co != NULL);

  extras = async_coroutine_extras_ (co);
  g_free (extras->name);
  extras->name = g_strdup (name);
}

/**
 * async_coroutine_get_name:
 * @co: a coroutine
 *
 * asyncio's `Task.get_name`.
 *
 * Returns: (transfer none): the name given with async_coroutine_set_name(),
 *   or else where the coroutine was spawned (`file:line`)
 *
 * Since: 0.2
 */
const char *
async_coroutine_get_name (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL, NULL);

  return co->extras != NULL && co->extras->name != NULL ? co->extras->name : coroutine_where (co);
}

/**
 * async_coroutine_cancelling:
 * @co: a coroutine
 *
 * asyncio's `Task.cancelling`: how many cancellations were asked for
 * (async_future_cancel() on its pending future) and not taken back with
 * async_coroutine_uncancel(). A TaskGroup and a timeout scope use it to
 * tell their own cancellation from one that came from outside. Any
 * thread.
 *
 * Returns: the count
 *
 * Since: 0.2
 */
guint
async_coroutine_cancelling (AsyncCoroutine *co)
{
  g_return_val_if_fail (co != NULL, 0);

  return (guint) g_atomic_int_get (&co->cancelling);
}

/**
 * async_coroutine_uncancel:
 * @co: a coroutine
 *
 * asyncio's `Task.uncancel`: takes back one cancellation request, for
 * code that handled a cancellation it caused itself. When the count
 * reaches 0, a request not yet delivered to the body is dropped (as
 * Python 3.13). Must be called on the coroutine's thread.
 *
 * Returns: the count left
 *
 * Since: 0.2
 */
guint
async_coroutine_uncancel (AsyncCoroutine *co)
{
  gint count;

  g_return_val_if_fail (co != NULL, 0);

  do
    {
      count = g_atomic_int_get (&co->cancelling);
      if (count == 0)
        return 0;
    }
  while (!g_atomic_int_compare_and_exchange (&co->cancelling, count, count - 1));

  if (count == 1)
    g_atomic_int_set (&co->cancel_requested, FALSE);

  return (guint) (count - 1);
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
  g_return_val_if_fail (co != NULL, NULL);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return NULL;

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
  g_return_val_if_fail (co != NULL, NULL);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return NULL;

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
  g_return_val_if_fail (co != NULL, 0);
  if (!coroutine_has_awaited (co, G_STRFUNC))
    return 0;

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
  co->awaiting_since = ASYNC_SCHEDULER_HOT (co->scheduler)->dispatch_started;
  /* The node holds the coroutine while it waits: if the coroutine ends
   * first (its context was freed), the future that still has the node
   * releases it later. */
  async_continuation_init_borrowing (&co->step, co->scheduler, coroutine_resume,
                                     async_future_ref (&co->parent),
                                     (GDestroyNotify) async_future_unref);
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
