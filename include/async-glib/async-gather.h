/* async-gather.h: asyncio.gather(): one future for many, results in the
 * order the futures were given. */

/**
 * SECTION:async-gather
 * @title: Gather
 * @short_description: asyncio.gather(): one future for many
 *
 * async_gather() settles once all the futures it was given have; the
 * results come back in the order given, whatever order they settle in, and
 * are read with async_gather_get_result(). #AsyncGatherFlags choose what an
 * error does.
 */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncGatherFlags:
 * @ASYNC_GATHER_DEFAULT: the first error rejects the gather; the other
 *   futures keep running (asyncio's default).
 * @ASYNC_GATHER_RETURN_EXCEPTIONS: never reject; every slot of the result
 *   holds that future's outcome, value or error (asyncio's
 *   `return_exceptions=True`).
 * @ASYNC_GATHER_CANCEL_ON_ERROR: the first error also cancels the futures
 *   that have not settled yet.
 *
 * How async_gather_full() and async_gather_array() treat errors.
 *
 * Since: 0.1
 */
typedef enum
{
  ASYNC_GATHER_DEFAULT           = 0,
  ASYNC_GATHER_RETURN_EXCEPTIONS = 1 << 0,
  ASYNC_GATHER_CANCEL_ON_ERROR   = 1 << 1,
} AsyncGatherFlags;

ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_gather       (AsyncFuture      *first,
                                 ...) G_GNUC_NULL_TERMINATED G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_gather_full  (AsyncGatherFlags  flags,
                                 AsyncFuture      *first,
                                 ...) G_GNUC_NULL_TERMINATED G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_gather_varargs_ (AsyncGatherFlags flags,
                                    AsyncFuture     *first,
                                    ...) G_GNUC_WARN_UNUSED_RESULT;
#define async_gather(...) \
  async_gather_varargs_ (ASYNC_GATHER_DEFAULT, __VA_ARGS__, ASYNC_END_OF_FUTURES_)
#define async_gather_full(flags, ...) \
  async_gather_varargs_ ((flags), __VA_ARGS__, ASYNC_END_OF_FUTURES_)
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_gather_array (AsyncGatherFlags  flags,
                                 AsyncFuture     **futures,
                                 guint             n_futures) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_gather_get_result (AsyncFuture *gathered,
                                      guint        index);
ASYNC_AVAILABLE_IN_0_2
gpointer      async_gather_get_value   (AsyncFuture *gathered,
                                        guint        index);
ASYNC_AVAILABLE_IN_0_2
gpointer      async_gather_steal_value (AsyncFuture *gathered,
                                        guint        index);
ASYNC_AVAILABLE_IN_0_2
gint64        async_gather_get_int     (AsyncFuture *gathered,
                                        guint        index);
ASYNC_AVAILABLE_IN_0_2
const GError *async_gather_get_error   (AsyncFuture *gathered,
                                        guint        index);

G_END_DECLS
