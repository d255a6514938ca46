/* async-run.h: asyncio.run(): a fresh main context, iterated until the main
 * future settles, then everything it started is ended. */

/**
 * SECTION:async-run
 * @title: Run
 * @short_description: asyncio.run()
 *
 * async_run() makes a fresh #GMainContext, iterates it until the main
 * future settles, then cancels and waits for what is still running.
 */

#pragma once

#include <async-glib/async-coro.h>

G_BEGIN_DECLS

/**
 * AsyncStartFunc:
 * @user_data: the data given to async_run()
 *
 * Starts the work of an async_run() inside its fresh context.
 *
 * Returns: (transfer full): the main future, whose settling ends the run
 *
 * Since: 0.1
 */
typedef AsyncFuture *(*AsyncStartFunc) (gpointer user_data);

ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_run           (AsyncStartFunc      start,
                                  gpointer            user_data) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_run_coroutine (AsyncCoroutineFunc  func,
                                  gpointer            frame,
                                  GDestroyNotify      frame_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_run_coroutine_at (const char         *where,
                                     AsyncCoroutineFunc  func,
                                     gpointer            frame,
                                     GDestroyNotify      frame_destroy) G_GNUC_WARN_UNUSED_RESULT;

#define async_run_coroutine(func, frame, frame_destroy) \
  async_run_coroutine_at (G_STRLOC, (func), (frame), (frame_destroy))

G_END_DECLS
