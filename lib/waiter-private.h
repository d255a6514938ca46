/* waiter-private.h: what the synchronisation primitives and queues share:
 * a waiter (a future queued on a primitive until it is granted), FIFO lists
 * of waiters, and the two reference counts every primitive starts with. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before waiter-private.h"
#endif

#include "scheduler-private.h"

G_BEGIN_DECLS

/* The first member of every primitive. @users counts the references of
 * _ref ()/_unref (); when it drops to zero the primitive is disposed (its
 * pending waiters are cancelled: nobody is left to wake them). @memory
 * counts the users as one plus one per waiter alive, so that a waiter's
 * hooks, which may run on another thread or later on the loop, never see
 * the primitive freed under them. */
typedef struct
{
  gatomicrefcount users;
  gatomicrefcount memory;
  void          (*dispose) (gpointer primitive);
  void          (*free)    (gpointer primitive);
} AsyncPrimitive;

void     async_primitive_init         (AsyncPrimitive *primitive,
                                       void          (*dispose) (gpointer primitive),
                                       void          (*free) (gpointer primitive));
gpointer async_primitive_ref          (gpointer        primitive);
void     async_primitive_unref        (gpointer        primitive);

typedef struct _AsyncWaiter     AsyncWaiter;
typedef struct _AsyncWaiterList AsyncWaiterList;

struct _AsyncWaiterList
{
  AsyncWaiter *head;
  AsyncWaiter *tail;
  guint        length;
};

/* A future that waits on a primitive. While it is on a list, the list holds
 * a reference to it. Its fields belong to the primitive: they are guarded
 * by the primitive's lock (Queue, Event) or only touched on its loop. */
struct _AsyncWaiter
{
  AsyncFuture      parent;
  AsyncWaiter     *prev;
  AsyncWaiter     *next;
  AsyncWaiterList *list;       /* the list it is queued on, or NULL */
  AsyncPrimitive  *owner;      /* its memory is kept while the waiter lives */
  AsyncScheduler  *scheduler;  /* loop-local: its creator's thread-default */
  GThread         *thread;     /* loop-local: its creator */
  /* Called by the primitive when the waiter is taken off a list because
   * what it waits for is its now (a Lock's hand-off), or NULL. */
  void           (*granted) (AsyncWaiter *waiter);
  gpointer         item;       /* a Queue put's item, owned until handed on */
  guint64          sequence;   /* a Queue item's arrival, for stable order */
  guint            flags;      /* the primitive's own */
};

/* A new pending waiter of @klass on @owner; @klass's finalize must call
 * async_waiter_finalize (). One @on_loop remembers the loop it was made
 * on, for async_waiter_cancel_on_loop () (the loop-local primitives); the
 * thread-safe ones (Queue, Event) need none. */
AsyncWaiter *async_waiter_new      (const AsyncFutureClass *klass,
                                    gpointer                owner,
                                    gboolean                on_loop,
                                    const char             *where);
/* As async_waiter_new (), for a struct of @size that begins with one. */
gpointer     async_waiter_alloc    (const AsyncFutureClass *klass,
                                    gsize                   size,
                                    gpointer                owner,
                                    gboolean                on_loop,
                                    const char             *where);
void         async_waiter_finalize (AsyncFuture            *future);

/* For the cancel hook of a loop-local primitive's waiter: runs @cancel on
 * the waiter's loop, at once if called there, else queued there (and then
 * TRUE: the request was delivered). */
gboolean     async_waiter_cancel_on_loop (AsyncWaiter *waiter,
                                          gboolean   (*cancel) (AsyncWaiter *waiter));

/* A resolved future with nothing to hand back: what a wait that did not
 * have to wait returns. (transfer full) */
AsyncFuture *async_waiter_done     (void);

/* For an acquire that did not have to wait (Lock, Semaphore): a resolved
 * waiter of @klass from @slots (two, owned by the primitive) that nobody
 * else holds, or a new one put there. A resolved future, but one of the
 * primitive's class: a coroutine cancelled as it awaits it still hands the
 * acquisition back (AsyncFutureClass.abandon). (transfer full) */
AsyncFuture *async_waiter_reuse_resolved (AsyncWaiter           **slots,
                                          const AsyncFutureClass *klass,
                                          gpointer                owner);
/* Drops the primitive's references in @slots (at dispose). */
void         async_waiter_clear_resolved (AsyncWaiter          **slots);
/* Takes every waiter off @list and cancels it (at dispose). */
void         async_waiter_list_cancel_all (AsyncWaiterList     *list);

/* A list's own reference goes with the waiter: push takes one, pop hands
 * it to the caller, remove drops it. */
void         async_waiter_list_push_tail (AsyncWaiterList *list,
                                          AsyncWaiter     *waiter);
AsyncWaiter *async_waiter_list_pop_head  (AsyncWaiterList *list);
/* TRUE if @waiter was on @list (and is not any more). */
gboolean     async_waiter_list_remove    (AsyncWaiterList *list,
                                          AsyncWaiter     *waiter);
/* A cancel hook's usual work: if @waiter is still on @list, takes it off
 * and settles it as cancelled (TRUE); else FALSE, it was granted first. */
gboolean     async_waiter_list_withdraw  (AsyncWaiterList *list,
                                          AsyncWaiter     *waiter);

G_END_DECLS
