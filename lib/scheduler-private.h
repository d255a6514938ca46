/* scheduler-private.h: the per-GMainContext scheduler: ONE GSource per
 * context, holding a ready queue and a timer heap. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before scheduler-private.h"
#endif

#include "future-private.h"

G_BEGIN_DECLS

/* A timer on the heap, embedded in its owner. @callback runs on the
 * scheduler's thread with @fired TRUE once the deadline has passed, or with
 * @fired FALSE from async_scheduler_close () if the scheduler closes first;
 * either way the timer is off the heap by then. */
typedef struct _AsyncTimer AsyncTimer;
struct _AsyncTimer
{
  gint64   deadline;     /* g_get_monotonic_time () µs */
  guint    heap_index;   /* 0 when not on the heap */
  void   (*callback) (AsyncTimer *timer,
                      gboolean    fired);
};

/* Thread safety: all functions are safe to call from any thread. */

/* The scheduler of the thread-default main context (created and attached on
 * first use). (transfer none): it lives as long as its context is alive or a
 * reference is held. */
AsyncScheduler *async_scheduler_get_thread_default (void);
AsyncScheduler *async_scheduler_ref       (AsyncScheduler *scheduler);
void            async_scheduler_unref     (AsyncScheduler *scheduler);
/* TRUE when called on the thread that is dispatching or owns the context. */
gboolean        async_scheduler_is_current (AsyncScheduler *scheduler);

/* asyncio's call_soon (): @func runs on the scheduler's thread, after what
 * is already queued, with a %NULL future. */
void            async_scheduler_call_soon (AsyncScheduler     *scheduler,
                                           AsyncFutureCallback func,
                                           gpointer            user_data);
/* Queues continuations that became ready (a list linked by ->next, in the
 * order they must run), all for @scheduler: the lock is taken once and the
 * context woken once. */
void            async_scheduler_push_ready (AsyncScheduler    *scheduler,
                                            AsyncContinuation *first,
                                            AsyncContinuation *last);

void            async_scheduler_add_timer    (AsyncScheduler *scheduler,
                                              AsyncTimer     *timer);
/* TRUE if @timer was still on the heap. */
gboolean        async_scheduler_remove_timer (AsyncScheduler *scheduler,
                                              AsyncTimer     *timer);

/* Work in flight that async_run () must wait for before it returns (a pool
 * job, a live coroutine): hold when it starts, release when it ends. */
void            async_scheduler_hold    (AsyncScheduler *scheduler);
void            async_scheduler_release (AsyncScheduler *scheduler);
guint           async_scheduler_get_n_held (AsyncScheduler *scheduler);

/* Ends a scheduler when its context is done with (async_run ()): its source
 * is destroyed, queued continuations are dropped without running, timers
 * are called with fired FALSE, and work queued later is dropped. */
void            async_scheduler_close   (AsyncScheduler *scheduler);

G_END_DECLS
