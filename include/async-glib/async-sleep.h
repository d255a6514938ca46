/* async-sleep.h: asyncio.sleep(): a timer on the scheduler's heap. */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_sleep      (double seconds) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_sleep_usec (gint64 usec) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
