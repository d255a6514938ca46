/* async-task-dump.h: `python -m asyncio ps` for a C process: every task
 * that has not ended, with what it awaits and since when. */

/**
 * SECTION:async-task-dump
 * @title: Task dump
 * @short_description: python -m asyncio ps for a C process
 *
 * async_dump_tasks() describes every coroutine of a context that has not
 * ended: its name, what it awaits and for how long;
 * async_print_all_tasks() does it for every context, from a debugger;
 * async_dump_tasks_on_signal() on a signal.
 */

#pragma once

#include <async-glib/async-coro.h>

G_BEGIN_DECLS

ASYNC_AVAILABLE_IN_0_2
char    *async_dump_tasks            (GMainContext *context) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
void     async_print_all_tasks       (void);
ASYNC_AVAILABLE_IN_0_2
GSource *async_dump_tasks_on_signal  (int           signum) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
