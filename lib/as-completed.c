/* as-completed.c: asyncio.as_completed() (CPython Lib/asyncio/tasks.py,
 * _AsCompletedIterator): each input future, as it settles, goes to the
 * oldest pending next () or waits in the done queue for the next call. */

#include "config.h"

#include <math.h>

#include "async-glib/async-as-completed.h"
#include "async-glib/async-wait.h"
#include "scheduler-private.h"

/* The state is shared with the inputs' continuations, which may outlive
 * the iterator (a future that never settles): ref-counted, and the
 * iterator's free only marks it closed. Thread safety: loop-local. */
typedef struct
{
  gatomicrefcount  ref_count;
  AsyncScheduler  *scheduler;    /* a reference */
  GQueue           done;         /* settled inputs not handed out yet, references */
  GQueue           waiting;      /* next () futures not settled yet, references */
  guint            n_left;       /* inputs not handed out yet */
  AsyncTimer       timer;        /* holds a reference while on the heap */
  double           timeout;
  gboolean         timed_out;
  gboolean         timeout_seen;
  gboolean         closed;
} AsCompletedState;

struct _AsyncAsCompleted
{
  AsCompletedState *state;
};

static AsCompletedState *
state_ref (AsCompletedState *state)
{
  g_atomic_ref_count_inc (&state->ref_count);
  return state;
}

static void
state_unref (gpointer data)
{
  AsCompletedState *state = data;

  if (!g_atomic_ref_count_dec (&state->ref_count))
    return;

  g_queue_clear_full (&state->done, (GDestroyNotify) async_future_unref);
  g_queue_clear_full (&state->waiting, (GDestroyNotify) async_future_unref);
  async_scheduler_unref (state->scheduler);
  g_free (state);
}

static GError *
timed_out_error (AsCompletedState *state)
{
  return g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                      "as_completed () timed out after %g s", MAX (state->timeout, 0));
}

/* Hands @input (a reference) to the oldest next () still pending; a next
 * () future the caller cancelled is skipped. FALSE if none was waiting. */
static gboolean
state_hand_out (AsCompletedState *state,
                AsyncFuture      *input)
{
  AsyncFuture *waiter;

  while ((waiter = g_queue_pop_head (&state->waiting)) != NULL)
    {
      gboolean taken = async_future_try_resolve (waiter, input, (GDestroyNotify) async_future_unref);

      async_future_unref (waiter);
      if (taken)
        {
          state->n_left--;
          return TRUE;
        }
    }
  return FALSE;
}

static void
input_done (AsyncFuture *input,
            gpointer     user_data)
{
  AsCompletedState *state = user_data;

  if (state->closed || state->timed_out)
    return;

  input = async_future_ref (input);
  if (!state_hand_out (state, input))
    g_queue_push_tail (&state->done, input);
}

static void
state_timer (AsyncTimer *timer,
             gboolean    fired)
{
  AsCompletedState *state = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (AsCompletedState, timer));
  AsyncFuture *waiter;

  state->timed_out = TRUE;
  while ((waiter = g_queue_pop_head (&state->waiting)) != NULL)
    {
      if (fired && async_future_reject_quietly (waiter, timed_out_error (state)))
        state->timeout_seen = TRUE;
      else if (!fired)
        async_future_cancel_quietly (waiter);
      async_future_unref (waiter);
    }
  state_unref (state);
}

/**
 * async_as_completed_new:
 * @futures: (array length=n_futures) (transfer full): the futures; the
 *   array stays the caller's, its elements are taken
 * @n_futures: how many (0 gives an iterator that has nothing)
 * @timeout_seconds: the most the whole iteration may take;
 *   %ASYNC_TIMEOUT_INFINITE for no limit. NaN is a programming error.
 *
 * `asyncio.as_completed`: an iterator whose async_as_completed_next()
 * futures resolve with @futures themselves, in the order they settle
 * (3.13's `async for`). When @timeout_seconds have passed, the next
 * future pending or asked for is rejected with %G_IO_ERROR_TIMED_OUT, and
 * the iteration ends there; the futures still running are not cancelled,
 * as in asyncio. Must be called on the thread that runs the thread-default
 * context.
 *
 * Returns: (transfer full): the iterator; free it with
 *   async_as_completed_free()
 *
 * Since: 0.2
 */
AsyncAsCompleted *
async_as_completed_new (AsyncFuture **futures,
                        guint         n_futures,
                        double        timeout_seconds)
{
  AsyncAsCompleted *iterator;
  AsCompletedState *state;
  guint i;

  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);
  g_return_val_if_fail (!isnan (timeout_seconds), NULL);
  if (n_futures > 0 && !async_future_array_check (G_STRFUNC, futures, n_futures))
    return NULL;

  state = g_new0 (AsCompletedState, 1);
  g_atomic_ref_count_init (&state->ref_count);
  state->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());
  state->n_left = n_futures;
  state->timeout = timeout_seconds;
  g_queue_init (&state->done);
  g_queue_init (&state->waiting);

  if (!(isinf (timeout_seconds) && timeout_seconds > 0) && n_futures > 0)
    {
      state->timer.callback = state_timer;
      async_scheduler_add_timer (state->scheduler, &state->timer,
                                 async_deadline_after_seconds (MAX (timeout_seconds, 0)));
      state_ref (state);
    }

  for (i = 0; i < n_futures; i++)
    {
      async_future_then_on (futures[i], state->scheduler, input_done, state_ref (state), state_unref);
      async_future_unref (futures[i]);
    }

  iterator = g_new (AsyncAsCompleted, 1);
  iterator->state = state;
  return iterator;
}

/**
 * async_as_completed_free:
 * @iterator: (transfer full): an iterator
 *
 * Frees @iterator. Futures it did not hand out yet go on running; a
 * pending async_as_completed_next() future is cancelled.
 *
 * Since: 0.2
 */
void
async_as_completed_free (AsyncAsCompleted *iterator)
{
  AsCompletedState *state;
  AsyncFuture *waiter;

  g_return_if_fail (iterator != NULL);

  state = iterator->state;
  state->closed = TRUE;
  if (async_scheduler_remove_timer (state->scheduler, &state->timer))
    state_unref (state);
  while ((waiter = g_queue_pop_head (&state->waiting)) != NULL)
    {
      async_future_cancel (waiter);
      async_future_unref (waiter);
    }
  g_queue_clear_full (&state->done, (GDestroyNotify) async_future_unref);
  state_unref (state);
  g_free (iterator);
}

/**
 * async_as_completed_has_next:
 * @iterator: an iterator
 *
 * Whether the iteration goes on: the condition of the `async for`.
 *
 * Returns: %TRUE while a call to async_as_completed_next() has something
 *   to give: a future not handed out yet, or the time-out not yet seen
 *
 * Since: 0.2
 */
gboolean
async_as_completed_has_next (AsyncAsCompleted *iterator)
{
  AsCompletedState *state;

  g_return_val_if_fail (iterator != NULL, FALSE);

  state = iterator->state;
  return state->n_left > g_queue_get_length (&state->waiting) && !state->timeout_seen;
}

/**
 * async_as_completed_next:
 * @iterator: an iterator that has a next (async_as_completed_has_next())
 *
 * The next future to complete: a future resolved with it (a reference;
 * read it with async_future_get_value(), or async_coroutine_get_value()
 * after an await) once it has settled, in any state. Rejected with
 * %G_IO_ERROR_TIMED_OUT when the time-out passes first. Asked for past the
 * end, it is a critical and %NULL.
 *
 * Returns: (transfer full) (nullable): the future to await
 *
 * Since: 0.2
 */
AsyncFuture *
async_as_completed_next (AsyncAsCompleted *iterator)
{
  AsCompletedState *state;
  AsyncFuture *next;
  AsyncFuture *input;

  g_return_val_if_fail (iterator != NULL, NULL);
  g_return_val_if_fail (async_as_completed_has_next (iterator), NULL);

  state = iterator->state;
  input = g_queue_pop_head (&state->done);
  if (input != NULL)
    {
      state->n_left--;
      return async_future_new_resolved (input, (GDestroyNotify) async_future_unref);
    }
  if (state->timed_out)
    {
      state->timeout_seen = TRUE;
      return async_future_new_rejected (timed_out_error (state));
    }

  next = async_future_new ();
  g_queue_push_tail (&state->waiting, async_future_ref (next));
  return next;
}
