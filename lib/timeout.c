/* timeout.c: asyncio.timeout() and timeout_at() (CPython
 * Lib/asyncio/timeouts.py): a scope of a coroutine (coro-private.h's
 * AsyncScope) with a timer on its scheduler's heap. */

#include "config.h"

#include <math.h>

#include "async-glib/async-timeout.h"
#include "coro-private.h"

typedef enum
{
  TIMEOUT_ENTERED,
  TIMEOUT_EXPIRING,   /* the deadline passed; the coroutine was cancelled */
  TIMEOUT_EXPIRED,    /* ended after the deadline passed */
  TIMEOUT_EXITED,     /* ended in time */
} TimeoutState;

/* Thread safety: everything is touched on the coroutine's thread only. */
struct _AsyncTimeout
{
  gatomicrefcount  ref_count;
  AsyncScope       scope;        /* on the coroutine's list while entered */
  AsyncCoroutine  *co;           /* a reference while entered */
  AsyncScheduler  *scheduler;    /* a reference */
  AsyncTimer       timer;        /* holds a reference to the scope while on the heap */
  gint64           when;
  guint            cancelling;   /* the coroutine's cancelling () at the start */
  TimeoutState     state;
  guint            generation;   /* of the deadline: a queued expiry of an older one is void */
};

/* A deadline that has passed expires through the ready queue, as asyncio's
 * call_soon (_on_timeout): before what the coroutine queues after it, a
 * yield too; the timer heap fires only at the start of a dispatch. */
typedef struct
{
  AsyncTimeout *scope;        /* a reference */
  guint         generation;
} TimeoutSoon;

static void
timeout_expire (AsyncTimeout *self)
{
  if (self->state != TIMEOUT_ENTERED)
    return;

  self->state = TIMEOUT_EXPIRING;
  async_future_cancel (async_coroutine_get_future (self->co));
}

static void
timeout_fired (AsyncTimer *timer,
               gboolean    fired)
{
  AsyncTimeout *self = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (AsyncTimeout, timer));

  if (fired)
    timeout_expire (self);
  async_timeout_unref (self);
}

static void
timeout_soon (AsyncFuture *unused,
              gpointer     user_data)
{
  TimeoutSoon *soon = user_data;

  if (soon->generation == soon->scope->generation)
    timeout_expire (soon->scope);
}

static void
timeout_soon_free (gpointer data)
{
  TimeoutSoon *soon = data;

  async_timeout_unref (soon->scope);
  g_free (soon);
}

static void
timeout_stop (AsyncTimeout *self)
{
  if (async_scheduler_remove_timer (self->scheduler, &self->timer))
    async_timeout_unref (self);
}

/* __aexit__: a cancellation this scope caused, and that no other request
 * joined, becomes a time-out. */
static void
timeout_exit (AsyncTimeout *self,
              GError      **error)
{
  AsyncCoroutine *co = g_steal_pointer (&self->co);

  timeout_stop (self);
  self->generation++;
  self->scope.co = NULL;

  if (self->state == TIMEOUT_EXPIRING)
    {
      self->state = TIMEOUT_EXPIRED;
      if (async_coroutine_uncancel (co) <= self->cancelling && error != NULL && *error != NULL &&
          g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (error);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "The timeout scope's deadline passed");
        }
    }
  else if (self->state == TIMEOUT_ENTERED)
    {
      self->state = TIMEOUT_EXITED;
    }

  async_future_unref (async_coroutine_get_future (co));
}

static AsyncFuture *
timeout_unwind (AsyncScope *scope,
                GError    **error)
{
  AsyncTimeout *self = G_STRUCT_MEMBER_P (scope, -G_STRUCT_OFFSET (AsyncTimeout, scope));

  timeout_exit (self, error);
  async_timeout_unref (self);   /* the scope's reference */
  return NULL;
}

/**
 * async_timeout_new_at:
 * @co: the running coroutine
 * @deadline: when the scope expires, on the clock of
 *   g_get_monotonic_time() (µs); %ASYNC_TIMEOUT_NEVER for never; a
 *   deadline that has passed expires on the next turn of the loop
 *
 * `async with asyncio.timeout_at(when):`: opens a timeout scope in @co,
 * which ends at async_timeout_end() or when @co's body ends. Must be
 * called from @co's body.
 *
 * Returns: (transfer full): the scope; free it with async_timeout_unref()
 *   (the coroutine holds its own reference while it is open)
 *
 * Since: 0.2
 */
AsyncTimeout *
async_timeout_new_at (AsyncCoroutine *co,
                      gint64          deadline)
{
  AsyncTimeout *self;

  g_return_val_if_fail (co != NULL, NULL);

  self = g_new0 (AsyncTimeout, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->co = (AsyncCoroutine *) async_future_ref (async_coroutine_get_future (co));
  self->scheduler = async_scheduler_ref (async_coroutine_get_scheduler_ (co));
  self->timer.callback = timeout_fired;
  self->cancelling = async_coroutine_cancelling (co);
  self->state = TIMEOUT_ENTERED;
  self->when = ASYNC_TIMEOUT_NEVER;
  self->scope.unwind = timeout_unwind;
  async_coroutine_push_scope_ (co, &self->scope);

  async_timeout_reschedule (self, deadline);

  /* The scope's reference. */
  return async_timeout_ref (self);
}

/**
 * async_timeout_new:
 * @co: the running coroutine
 * @seconds: how long from now; %ASYNC_TIMEOUT_INFINITE (`INFINITY`) for
 *   never (asyncio's `timeout(None)`); 0 or less expires on the next
 *   turn. NaN is a programming error.
 *
 * `async with asyncio.timeout(delay):`, as async_timeout_new_at().
 *
 * Returns: (transfer full): the scope
 *
 * Since: 0.2
 */
AsyncTimeout *
async_timeout_new (AsyncCoroutine *co,
                   double          seconds)
{
  g_return_val_if_fail (co != NULL, NULL);
  g_return_val_if_fail (!isnan (seconds), NULL);

  return async_timeout_new_at (co, async_deadline_after_seconds (seconds));
}

/**
 * async_timeout_ref:
 * @scope: a scope
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @scope
 *
 * Since: 0.2
 */
AsyncTimeout *
async_timeout_ref (AsyncTimeout *scope)
{
  g_return_val_if_fail (scope != NULL, NULL);

  g_atomic_ref_count_inc (&scope->ref_count);
  return scope;
}

/**
 * async_timeout_unref:
 * @scope: (transfer full): a scope
 *
 * Drops a reference. An open scope is held by its coroutine until it
 * ends.
 *
 * Since: 0.2
 */
void
async_timeout_unref (AsyncTimeout *scope)
{
  g_return_if_fail (scope != NULL);

  if (!g_atomic_ref_count_dec (&scope->ref_count))
    return;

  g_assert (scope->co == NULL);
  async_scheduler_unref (scope->scheduler);
  g_free (scope);
}

/**
 * async_timeout_reschedule:
 * @scope: an open scope
 * @deadline: the new deadline, as for async_timeout_new_at()
 *
 * `Timeout.reschedule`. Only an open scope whose deadline has not passed
 * can be rescheduled: otherwise this is a critical (asyncio's
 * RuntimeError).
 *
 * Since: 0.2
 */
void
async_timeout_reschedule (AsyncTimeout *scope,
                          gint64        deadline)
{
  g_return_if_fail (scope != NULL);
  g_return_if_fail (scope->state == TIMEOUT_ENTERED);

  timeout_stop (scope);
  scope->generation++;
  scope->when = deadline;
  if (deadline == ASYNC_TIMEOUT_NEVER)
    return;

  if (deadline <= g_get_monotonic_time ())
    {
      TimeoutSoon *soon = g_new (TimeoutSoon, 1);

      soon->scope = async_timeout_ref (scope);
      soon->generation = scope->generation;
      async_scheduler_call_soon (scope->scheduler, timeout_soon, soon, timeout_soon_free);
      return;
    }

  async_timeout_ref (scope);
  async_scheduler_add_timer (scope->scheduler, &scope->timer, deadline);
}

/**
 * async_timeout_get_when:
 * @scope: a scope
 *
 * `Timeout.when`.
 *
 * Returns: the deadline, on the clock of g_get_monotonic_time(), or
 *   %ASYNC_TIMEOUT_NEVER
 *
 * Since: 0.2
 */
gint64
async_timeout_get_when (AsyncTimeout *scope)
{
  g_return_val_if_fail (scope != NULL, ASYNC_TIMEOUT_NEVER);

  return scope->when;
}

/**
 * async_timeout_expired:
 * @scope: a scope
 *
 * `Timeout.expired`: whether the deadline passed while the scope was
 * open (the coroutine was cancelled by it), whatever the coroutine did
 * with that cancellation.
 *
 * Returns: %TRUE if it did
 *
 * Since: 0.2
 */
gboolean
async_timeout_expired (AsyncTimeout *scope)
{
  g_return_val_if_fail (scope != NULL, FALSE);

  return scope->state == TIMEOUT_EXPIRING || scope->state == TIMEOUT_EXPIRED;
}

/**
 * async_timeout_end:
 * @scope: the coroutine's innermost open scope
 * @error: (inout) (optional) (nullable): what the awaits inside the scope
 *   ended with (from ASYNC_AWAIT_TRY()), or %NULL
 *
 * The end of the `async with` block. If the deadline passed and the
 * cancellation it caused is the only one (none came from outside),
 * a %G_IO_ERROR_CANCELLED in @error becomes %G_IO_ERROR_TIMED_OUT, and
 * the request is taken back (async_coroutine_uncancel()). Must be called
 * from the coroutine's body.
 *
 * Returns: %TRUE if @error holds no error afterwards
 *
 * Since: 0.2
 */
gboolean
async_timeout_end (AsyncTimeout *scope,
                   GError      **error)
{
  g_return_val_if_fail (scope != NULL, FALSE);
  g_return_val_if_fail (scope->scope.co != NULL, FALSE);

  if (!async_coroutine_pop_scope_ (scope->scope.co, &scope->scope, G_STRFUNC))
    return FALSE;

  timeout_exit (scope, error);
  async_timeout_unref (scope);   /* the scope's reference */

  return error == NULL || *error == NULL;
}
