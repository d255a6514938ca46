/* run.c: asyncio.run(): a fresh GMainContext, pushed thread-default and
 * iterated until the main future settles; then what is left is cancelled
 * and waited for, and the context is closed. */

#include "config.h"

#include "async-glib/async-run.h"
#include "async-glib/async-coro.h"
#include "scheduler-private.h"

static void
run_main_settled (AsyncFuture *future,
                  gpointer     user_data)
{
  gboolean *settled = user_data;

  *settled = TRUE;
}

/**
 * async_run:
 * @start: (scope call): starts the work, inside the fresh context, and
 *   returns its future
 * @user_data: (closure): data for @start
 *
 * asyncio.run(): creates a #GMainContext, makes it the thread's default for
 * the run, calls @start, and iterates the context until the future @start
 * returned settles, from whichever thread settles it. Then everything the
 * run started and that is still running is cancelled and waited for:
 * coroutines (their frames are destroyed), pool jobs and HTTP requests
 * (their transfers are aborted). A pool job whose function ignores its
 * #GCancellable is waited for until it returns. Then the context is freed.
 * Blocks the calling thread until all of that is done.
 *
 * Returns: (transfer full): the main future, settled: read it with
 *   async_future_propagate_error() and async_future_get_value()
 *
 * Since: 0.1
 */
AsyncFuture *
async_run (AsyncStartFunc start,
           gpointer       user_data)
{
  GMainContext *context;
  AsyncScheduler *scheduler;
  AsyncFuture *main_future;
  gboolean settled = FALSE;

  g_return_val_if_fail (start != NULL, NULL);

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());

  main_future = start (user_data);
  if (main_future == NULL)
    main_future = async_future_new_rejected (g_error_new_literal (ASYNC_ERROR, ASYNC_ERROR_FAILED,
                                                                  "The start function of async_run() returned no future"));

  /* Waiting through a continuation, not by polling the state: a settle from
   * another thread queues it, and that wakes the context. */
  async_future_then_on (main_future, scheduler, run_main_settled, &settled, NULL);
  while (!settled)
    g_main_context_iteration (context, TRUE);

  async_scheduler_cancel_held (scheduler);
  while (async_scheduler_get_n_held (scheduler) > 0)
    g_main_context_iteration (context, TRUE);

  async_scheduler_close (scheduler);
  async_scheduler_unref (scheduler);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  return main_future;
}

typedef struct
{
  const char        *where;
  AsyncCoroutineFunc func;
  gpointer           frame;
  GDestroyNotify     frame_destroy;
} RunCoroutine;

static AsyncFuture *
run_coroutine_start (gpointer user_data)
{
  RunCoroutine *run = user_data;

  return async_spawn_at (run->where, run->func, run->frame, run->frame_destroy);
}

/**
 * async_run_coroutine_at:
 * @where: where the run was asked for, as `G_STRLOC`
 * @func: the main coroutine's body
 * @frame: (nullable) (transfer full): its locals
 * @frame_destroy: (nullable): frees @frame when it ends
 *
 * async_run_coroutine(), which fills @where so that what is said about the
 * main coroutine names the caller's line.
 *
 * Returns: (transfer full): the coroutine's future, settled
 *
 * Since: 0.2
 */
AsyncFuture *
async_run_coroutine_at (const char        *where,
                        AsyncCoroutineFunc func,
                        gpointer           frame,
                        GDestroyNotify     frame_destroy)
{
  RunCoroutine run = { where, func, frame, frame_destroy };

  g_return_val_if_fail (func != NULL, NULL);

  return async_run (run_coroutine_start, &run);
}

/**
 * async_run_coroutine: (skip)
 * @func: the main coroutine's body
 * @frame: (nullable) (transfer full): its locals
 * @frame_destroy: (nullable): frees @frame when it ends
 *
 * asyncio.run(main()): async_run() with a coroutine spawned in the fresh
 * context as its main future. In C this is a macro over
 * async_run_coroutine_at(), so that the coroutine is named after the
 * caller's line; the function stays for bindings.
 *
 * Returns: (transfer full): the coroutine's future, settled
 *
 * Since: 0.1
 */
AsyncFuture *
(async_run_coroutine) (AsyncCoroutineFunc func,
                       gpointer           frame,
                       GDestroyNotify     frame_destroy)
{
  return async_run_coroutine_at ("async_run_coroutine()", func, frame, frame_destroy);
}
