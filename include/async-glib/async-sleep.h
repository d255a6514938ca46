/* async-sleep.h: asyncio.sleep(): a timer on the scheduler's heap. */

/**
 * SECTION:async-sleep
 * @title: Sleep
 * @short_description: asyncio.sleep()
 *
 * A timer on the scheduler's heap: one #GSource per context however many
 * sleeps are pending. async_sleep (0) yields one turn of the loop.
 */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_sleep      (double seconds) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_sleep_usec (gint64 usec) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
