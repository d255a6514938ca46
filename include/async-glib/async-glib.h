/* async-glib.h: the one header a program includes: Python's asyncio, in C,
 * on GLib. */

/**
 * SECTION:async-glib
 * @title: async-glib.h
 * @short_description: the one header a program includes
 *
 * `#include <async-glib/async-glib.h>` gives the whole library;
 * `pkg-config --cflags --libs async-glib-1.0` the flags. The other headers
 * refuse to be included on their own.
 */

#pragma once

#define ASYNC_GLIB_INSIDE

#include <async-glib/async-macros.h>
#include <async-glib/async-version.h>
#include <async-glib/async-features.h>
#include <async-glib/async-error.h>
#include <async-glib/async-future.h>
#include <async-glib/async-as-completed.h>
#include <async-glib/async-coro.h>
#include <async-glib/async-barrier.h>
#include <async-glib/async-condition.h>
#include <async-glib/async-event.h>
#include <async-glib/async-gather.h>
#include <async-glib/async-gio.h>
#if ASYNC_GLIB_HAS_JSON
#include <async-glib/async-http-json.h>
#endif
#include <async-glib/async-http-request.h>
#include <async-glib/async-http-response.h>
#include <async-glib/async-http-session.h>
#include <async-glib/async-lock.h>
#include <async-glib/async-loop.h>
#include <async-glib/async-pool.h>
#include <async-glib/async-queue.h>
#include <async-glib/async-run.h>
#include <async-glib/async-semaphore.h>
#include <async-glib/async-server.h>
#include <async-glib/async-sleep.h>
#include <async-glib/async-stream.h>
#include <async-glib/async-subprocess.h>
#include <async-glib/async-task-dump.h>
#include <async-glib/async-task-group.h>
#include <async-glib/async-timeout.h>
#include <async-glib/async-wait.h>
#include <async-glib/async-types.h>
#include <async-glib/async-enum-types.h>

#undef ASYNC_GLIB_INSIDE
