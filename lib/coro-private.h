/* coro-private.h: what async_run () needs of the coroutines. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before coro-private.h"
#endif

#include "async-glib/async-coro.h"
#include "scheduler-private.h"

G_BEGIN_DECLS

/* Cancels every coroutine still running on @scheduler; returns how many. */
guint async_coroutine_cancel_all (AsyncScheduler *scheduler);

G_END_DECLS
