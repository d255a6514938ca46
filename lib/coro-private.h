/* coro-private.h: the inside of AsyncCoroutine, for what lib/ builds on a
 * coroutine: the scopes a coroutine can be inside (TaskGroup, timeout),
 * the groups it is a child of, and the task introspection. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before coro-private.h"
#endif

#include "async-glib/async-coro.h"
#include "scheduler-private.h"

G_BEGIN_DECLS

typedef struct _AsyncTaskGroup AsyncTaskGroup;

/* A scope a coroutine is inside, innermost first (`async with`). When the
 * coroutine ends inside one, by a return or an error, the scope is left
 * as Python's __aexit__ leaves it: @unwind gets the error the coroutine
 * ends with (owned, NULL for a return) and either replaces it at once and
 * returns NULL, or returns a future (transfer full) whose outcome replaces
 * it once it has settled (a TaskGroup waiting for its children: its
 * frame is destroyed only then). */
typedef struct _AsyncScope AsyncScope;
struct _AsyncScope
{
  AsyncScope     *outer;
  AsyncCoroutine *co;        /* NULL once left */
  AsyncFuture  *(*unwind) (AsyncScope *scope,
                           GError    **error);
};

typedef struct _CoroutineOutcome CoroutineOutcome;

typedef struct
{
  char             *name;         /* NULL: the spawn site */
  AsyncScope       *scopes;       /* innermost first */
  CoroutineOutcome *unwinding;    /* the outcome kept while scopes wait */
  /* The TaskGroup this coroutine is a child of, and its siblings. */
  AsyncTaskGroup   *group;
  AsyncCoroutine   *group_prev;
  AsyncCoroutine   *group_next;
} AsyncCoroutineExtras;

/* Thread safety: a coroutine's fields are only touched on its scheduler's
 * thread, but for @cancel_requested and @cancelling, which
 * async_future_cancel () changes from any thread before it marshals the
 * rest there. */
struct _AsyncCoroutine
{
  AsyncFuture         parent;
  AsyncCoroutineFunc  func;
  gpointer            frame;
  GDestroyNotify      frame_destroy;
  AsyncScheduler     *scheduler;
  AsyncFuture        *awaited;
  AsyncContinuation   step;        /* queues the start and every resume */
  AsyncHeld           held;        /* on the scheduler's list while it runs */
  gpointer            resume_point;
  guint               suspended : 1;
  guint               finished : 1;
  /* A cancellation asked for and not yet handed on: not to what it awaits
   * (whose cancel took it), nor to the body as G_IO_ERROR_CANCELLED.
   * asyncio's Task._must_cancel. Atomic. */
  gint                cancel_requested;
  /* Cancel requests not yet taken back with uncancel (): asyncio's
   * Task._num_cancels_requested. Atomic. */
  gint                cancelling;
  gint64              awaiting_since;  /* when the current await began */
  /* NULL until a name, a scope or a task group needs it: most coroutines
   * have none, and stay small. */
  AsyncCoroutineExtras *extras;
};

/* @co's extras, made on first use. */
AsyncCoroutineExtras *async_coroutine_extras_ (AsyncCoroutine *co);
/* TRUE if @future is a coroutine's. */
gboolean        async_future_is_coroutine_ (AsyncFuture *future);
/* The coroutine whose body this thread is running, or NULL. */
AsyncCoroutine *async_coroutine_current_ (void);
/* async_spawn_at () on @scheduler, which need not be the thread-default
 * context's: safe from any thread. */
AsyncCoroutine *async_coroutine_spawn_on_ (AsyncScheduler    *scheduler,
                                           const char        *where,
                                           AsyncCoroutineFunc func,
                                           gpointer           frame,
                                           GDestroyNotify     frame_destroy);
AsyncScheduler *async_coroutine_get_scheduler_ (AsyncCoroutine *co);
/* Enters @scope: it becomes @co's innermost. */
void            async_coroutine_push_scope_ (AsyncCoroutine *co,
                                             AsyncScope     *scope);
/* Leaves @scope, which must be @co's innermost (a critical otherwise,
 * naming @caller): FALSE then. */
gboolean        async_coroutine_pop_scope_  (AsyncCoroutine *co,
                                             AsyncScope     *scope,
                                             const char     *caller);
/* A description of @co for warnings and dumps: its name, and where it was
 * spawned if the name is another. (transfer full). */
char           *async_coroutine_describe_   (AsyncCoroutine *co);

/* If @continuation is a coroutine's start or resume: the coroutine, a
 * reference on its future; NULL otherwise. */
AsyncCoroutine *async_coroutine_ref_step_ (AsyncContinuation *continuation);

/* task-group.c: a child of a group has ended (its future has settled). */
void            async_task_group_child_done_ (AsyncCoroutine *child);

G_END_DECLS
