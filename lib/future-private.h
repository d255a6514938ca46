/* future-private.h: the inside of AsyncFuture, for the producers in lib/
 * (sleep, coroutines, combinators, the pool, HTTP) that extend it. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before future-private.h"
#endif

#include "async-glib/async-error.h"
#include "async-glib/async-future.h"

G_BEGIN_DECLS

typedef struct _AsyncScheduler AsyncScheduler;

/* A producer's hooks. A future of a class is allocated with
 * async_future_alloc () as the first member of the producer's struct. */
typedef struct
{
  const char *name;
  /* Called by async_future_cancel () on a pending future, from any thread,
   * with no lock held. The class settles the future (perhaps later, as a
   * coroutine does) and returns TRUE if this call cancelled it or delivered
   * the request: FALSE when it lost a race with another settle. Without
   * this hook the future is settled as cancelled at once. */
  gboolean (*cancel) (AsyncFuture *future);
  /* Frees what the producer added; the base is freed after. */
  void (*finalize) (AsyncFuture *future);
  /* Called on the consumer's thread, with no lock held, when the one
   * consumer of a resolved future declines its outcome unseen: a coroutine
   * cancelled after what it awaited resolved but before it resumed. A
   * producer that handed something over with the value (a lock, a queue's
   * item) takes it back. NULL: nothing to do. */
  void (*abandon) (AsyncFuture *future);
  /* For a future whose value is borrowed from another (settled with
   * async_future_settle_from ()): that other future, which owns it, so
   * that a steal takes it from its owner. */
  AsyncFuture *(*value_owner) (AsyncFuture *future);
} AsyncFutureClass;

/* A continuation waiting for a future, then queued on a scheduler. The same
 * node carries a plain call_soon () with @future NULL. A node may be
 * @embedded in its owner (a coroutine reuses one for every await) and is
 * then never freed, only released. A node that @borrows_scheduler holds no
 * reference on it: its owner keeps the scheduler alive for as long as the
 * node can run or be dropped (a coroutine's own node: two atomic
 * operations fewer per await). */
typedef struct _AsyncContinuation AsyncContinuation;
struct _AsyncContinuation
{
  AsyncContinuation  *next;
  AsyncScheduler     *scheduler;   /* a reference, unless borrowed */
  AsyncFuture        *future;      /* a reference, once settled */
  AsyncFutureCallback callback;
  gpointer            user_data;
  GDestroyNotify      user_data_destroy;
  guint               embedded : 1;
  guint               borrows_scheduler : 1;
}
/* A future's @head keeps its state in the low bits of a node's address. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__ ((aligned (8)))
#endif
;

struct _AsyncFuture
{
  const AsyncFutureClass *klass;   /* NULL for a plain future */
  gatomicrefcount         ref_count;
  /* ASYNC_FUTURE_CLAIMED and the value's kind, set by the one settle that
   * wins (a compare-and-swap), and ASYNC_FUTURE_ERROR_SEEN; atomic. */
  gint                    bits;
  const char             *where;
  /* Written by the settle that claimed the future, before @head says it
   * has settled; read once @head says so. */
  union
  {
    gpointer pointer;
    gint64   integer;
    GError  *error;
  } value;
  GDestroyNotify          value_destroy;
  /* One atomic word for the state and the waiting continuations: while
   * pending, the newest-first list of continuations (low bits 0); once
   * settled, the AsyncFutureState in the low bits, with ASYNC_FUTURE_QUEUING
   * while the settle queues the continuations it took (attaching then
   * waits, so that continuations run in the order they were attached). */
  gpointer                head;
};

#define ASYNC_FUTURE_HEAD_STATE      0x3
#define ASYNC_FUTURE_QUEUING         0x4

#define ASYNC_FUTURE_CLAIMED         (1 << 0)  /* a settle has won */
#define ASYNC_FUTURE_ERROR_SEEN      (1 << 3)  /* someone looked at the error */
#define ASYNC_FUTURE_VALUE_INTEGER   (1 << 4)  /* resolved with an integer, not a pointer */
#define ASYNC_FUTURE_VALUE_BORROWED  (1 << 5)  /* the pointer is owned by klass->value_owner () */

gpointer     async_future_alloc    (const AsyncFutureClass *klass,
                                    gsize                   size,
                                    const char             *where);
/* Settles with the outcome of @source (value, error or cancellation). The
 * value is not copied but borrowed: the caller keeps @source alive as long
 * as @future, and its class's value_owner () returns @source. */
gboolean     async_future_settle_from  (AsyncFuture *future,
                                        AsyncFuture *source);
/* Fills @continuation (with a reference to @scheduler) for
 * async_future_attach () or async_scheduler_push_ready (). */
void         async_continuation_init (AsyncContinuation  *continuation,
                                      AsyncScheduler     *scheduler,
                                      AsyncFutureCallback callback,
                                      gpointer            user_data,
                                      GDestroyNotify      user_data_destroy);
/* The same for a node embedded in an owner that holds @scheduler alive
 * while the node is in use: no reference is taken. */
void         async_continuation_init_borrowing (AsyncContinuation  *continuation,
                                                AsyncScheduler     *scheduler,
                                                AsyncFutureCallback callback,
                                                gpointer            user_data,
                                                GDestroyNotify      user_data_destroy);
/* Runs a queued continuation and releases it. */
void         async_continuation_run  (AsyncContinuation  *continuation);
/* Releases a list of continuations (linked by ->next) that will not run:
 * their user data is destroyed and their references dropped; each is freed
 * unless embedded. */
void         async_continuation_drop_all (AsyncContinuation *first);
/* Attaches an initialised continuation: queued when @future settles, or at
 * once if it has. */
void         async_future_attach     (AsyncFuture        *future,
                                      AsyncContinuation  *continuation);
/* Attaches a continuation queued on @scheduler instead of the
 * thread-default context's. */
void         async_future_then_on  (AsyncFuture        *future,
                                    AsyncScheduler     *scheduler,
                                    AsyncFutureCallback callback,
                                    gpointer            user_data,
                                    GDestroyNotify      user_data_destroy);
/* Settle without the warning of a second settle: for producers, which race
 * with cancellation by design. They free what they were given when the
 * future had settled already. */
gboolean     async_future_resolve_quietly (AsyncFuture   *future,
                                           gpointer       value,
                                           GDestroyNotify value_destroy);
/* As async_future_resolve_quietly (), but a value that was not taken stays
 * the caller's, who frees it where it must be freed. */
gboolean     async_future_try_resolve     (AsyncFuture   *future,
                                           gpointer       value,
                                           GDestroyNotify value_destroy);
gboolean     async_future_reject_quietly  (AsyncFuture   *future,
                                           GError        *error);
/* Settles as cancelled without calling the class's cancel hook: for the
 * hook itself. */
gboolean     async_future_cancel_quietly  (AsyncFuture   *future);
/* Collects the futures of a varargs call into @futures, up to @end: a
 * NULL right before @end is the terminator of the NULL-terminated form. Any
 * other NULL is a programming error: every future collected is released,
 * a critical names @caller, and FALSE is returned. */
gboolean     async_future_collect_valist  (const char  *caller,
                                           AsyncFuture *first,
                                           va_list      args,
                                           AsyncFuture *end,
                                           GPtrArray   *futures);
/* The same check for an array a call takes the elements of: FALSE, after
 * a critical and releasing every element, if one is NULL. */
gboolean     async_future_array_check     (const char   *caller,
                                           AsyncFuture **futures,
                                           guint         n_futures);
/* Marks the error as looked at, without copying it. */
void         async_future_mark_error_seen (AsyncFuture *future);
/* Tells the class of a resolved @future that its consumer declined the
 * outcome (see AsyncFutureClass.abandon). */
void         async_future_abandon         (AsyncFuture *future);

G_END_DECLS
