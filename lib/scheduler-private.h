/* scheduler-private.h: the per-GMainContext scheduler: ONE GSource per
 * context, holding a ready queue and a timer heap. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before scheduler-private.h"
#endif

#include "future-private.h"
#include "timer-heap-private.h"

G_BEGIN_DECLS

/* Work in flight on a scheduler (a coroutine, a pool job, an HTTP request),
 * embedded in its owner: async_run () cancels what is still listed when its
 * main future has settled, and waits until every hold is released. A
 * context freed with work still listed calls @closed (the scheduler's
 * thread is gone: end without running user code that needs the loop), or
 * cancels @future if @closed is NULL. */
typedef struct _AsyncHeld AsyncHeld;
struct _AsyncHeld
{
  AsyncHeld    *prev;      /* protected by the scheduler's lock */
  AsyncHeld    *next;      /* protected by the scheduler's lock */
  AsyncFuture  *future;    /* not a reference: listed only while alive */
  void        (*closed) (AsyncHeld *held);
  gboolean      listed;    /* protected by the scheduler's lock */
};

/* The part of a scheduler that lib/ reads and writes without a call, on
 * the thread that dispatches it (the first member of AsyncScheduler):
 * the coroutine whose step runs now (asyncio's current_task), and when the
 * current dispatch began, the time an await is said to start at. Not
 * thread-local storage, which costs a __tls_get_addr () per access in a
 * shared library. */
typedef struct
{
  gpointer running;
  gint64   dispatch_started;
} AsyncSchedulerHot;

#define ASYNC_SCHEDULER_HOT(scheduler) ((AsyncSchedulerHot *) (scheduler))

/* Thread safety: all functions are safe to call from any thread. */

/* The scheduler of the thread-default main context (created and attached on
 * first use). (transfer none): the context owns it through its source; it
 * lives while the context does, or while a reference is held. */
AsyncScheduler *async_scheduler_get_thread_default (void);
/* The scheduler of @context (created and attached on first use), from any
 * thread. (transfer full). */
AsyncScheduler *async_scheduler_get_for_context (GMainContext *context);
/* Every scheduler alive, a reference each. */
GPtrArray      *async_scheduler_list_all  (void);
/* The scheduler this thread is dispatching, or NULL. */
AsyncScheduler *async_scheduler_get_dispatching_ (void);
AsyncScheduler *async_scheduler_ref       (AsyncScheduler *scheduler);
void            async_scheduler_unref     (AsyncScheduler *scheduler);
/* TRUE when called on the thread that is dispatching or owns the context. */
gboolean        async_scheduler_is_current (AsyncScheduler *scheduler);
/* TRUE once the context was freed, or async_run () ended: queued work is
 * dropped from then on. */
gboolean        async_scheduler_is_closed  (AsyncScheduler *scheduler);

/* asyncio's call_soon (): @func runs on the scheduler's thread, after what
 * is already queued, with a %NULL future. @user_data_destroy runs after it,
 * or when the scheduler closes first. @func may be NULL: then only
 * @user_data_destroy runs, on the scheduler's thread (values that must be
 * freed there). */
void            async_scheduler_call_soon (AsyncScheduler     *scheduler,
                                           AsyncFutureCallback func,
                                           gpointer            user_data,
                                           GDestroyNotify      user_data_destroy);
/* Queues continuations that became ready (a list linked by ->next, in the
 * order they must run), all for @scheduler: the lock is taken once and the
 * context woken once. Returns FALSE if the scheduler is closed: the list is
 * then the caller's to drop (async_continuation_drop_all ()), with no lock
 * of its own held. */
gboolean        async_scheduler_push_ready (AsyncScheduler    *scheduler,
                                            AsyncContinuation *first,
                                            AsyncContinuation *last) G_GNUC_WARN_UNUSED_RESULT;

/* Puts @timer on the heap, due at @deadline. */
void            async_scheduler_add_timer    (AsyncScheduler *scheduler,
                                              AsyncTimer     *timer,
                                              gint64          deadline);
/* TRUE if @timer was still on the heap. */
gboolean        async_scheduler_remove_timer (AsyncScheduler *scheduler,
                                              AsyncTimer     *timer);

/* Counts @held as work in flight and lists it for
 * async_scheduler_cancel_held (). */
void            async_scheduler_hold      (AsyncScheduler *scheduler,
                                           AsyncHeld      *held,
                                           AsyncFuture    *future,
                                           void          (*closed) (AsyncHeld *held));
/* Takes @held off the list: it has finished and needs no cancel. Call it
 * before the owner drops the reference that keeps @held alive. */
void            async_scheduler_unlist    (AsyncScheduler *scheduler,
                                           AsyncHeld      *held);
/* Unlists @held (if not yet, and not NULL) and uncounts it: the last thing
 * the work does with the scheduler, as async_run () may return at once. */
void            async_scheduler_release   (AsyncScheduler *scheduler,
                                           AsyncHeld      *held);
guint           async_scheduler_get_n_held (AsyncScheduler *scheduler);
/* The listed futures, a reference each. */
GPtrArray      *async_scheduler_list_held (AsyncScheduler *scheduler);
/* Cancels every listed future; returns how many. */
guint           async_scheduler_cancel_held (AsyncScheduler *scheduler);

/* Ends a scheduler whose context is done with (async_run ()), as freeing
 * the context does: its source is destroyed, queued continuations are
 * dropped without running, timers are called with fired FALSE, listed work
 * is closed, and work queued later is dropped. */
void            async_scheduler_close   (AsyncScheduler *scheduler);

G_END_DECLS
