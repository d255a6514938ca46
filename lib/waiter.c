/* waiter.c: the waiter futures and lists the primitives (lock.c, event.c,
 * condition.c, semaphore.c, barrier.c, queue.c) are built from. */

#include "config.h"

#include "waiter-private.h"

void
async_primitive_init (AsyncPrimitive *primitive,
                      void          (*dispose) (gpointer primitive),
                      void          (*free) (gpointer primitive))
{
  g_atomic_ref_count_init (&primitive->users);
  g_atomic_ref_count_init (&primitive->memory);
  primitive->dispose = dispose;
  primitive->free = free;
}

static void
primitive_memory_unref (AsyncPrimitive *primitive)
{
  if (g_atomic_ref_count_dec (&primitive->memory))
    primitive->free (primitive);
}

gpointer
async_primitive_ref (gpointer primitive)
{
  g_atomic_ref_count_inc (&((AsyncPrimitive *) primitive)->users);

  return primitive;
}

void
async_primitive_unref (gpointer data)
{
  AsyncPrimitive *primitive = data;

  if (!g_atomic_ref_count_dec (&primitive->users))
    return;

  primitive->dispose (primitive);
  primitive_memory_unref (primitive);
}

AsyncWaiter *
async_waiter_new (const AsyncFutureClass *klass,
                  gpointer                owner,
                  gboolean                on_loop,
                  const char             *where)
{
  return async_waiter_alloc (klass, sizeof (AsyncWaiter), owner, on_loop, where);
}

gpointer
async_waiter_alloc (const AsyncFutureClass *klass,
                    gsize                   size,
                    gpointer                owner,
                    gboolean                on_loop,
                    const char             *where)
{
  AsyncWaiter *waiter = async_future_alloc (klass, size, where);

  waiter->owner = owner;
  g_atomic_ref_count_inc (&waiter->owner->memory);
  if (on_loop)
    {
      waiter->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());
      waiter->thread = g_thread_self ();
    }

  return waiter;
}

void
async_waiter_finalize (AsyncFuture *future)
{
  AsyncWaiter *waiter = (AsyncWaiter *) future;

  g_assert (waiter->list == NULL);
  if (waiter->scheduler != NULL)
    async_scheduler_unref (waiter->scheduler);
  primitive_memory_unref (waiter->owner);
}

typedef struct
{
  AsyncWaiter *waiter;                     /* a reference */
  gboolean   (*cancel) (AsyncWaiter *waiter);
} DeferredCancel;

static void
deferred_cancel_run (AsyncFuture *unused,
                     gpointer     user_data)
{
  DeferredCancel *deferred = user_data;

  deferred->cancel (deferred->waiter);
}

/* Also when the loop closes before it ran: the reference is not lost. */
static void
deferred_cancel_free (gpointer user_data)
{
  DeferredCancel *deferred = user_data;

  async_future_unref (&deferred->waiter->parent);
  g_free (deferred);
}

gboolean
async_waiter_cancel_on_loop (AsyncWaiter *waiter,
                             gboolean   (*cancel) (AsyncWaiter *waiter))
{
  DeferredCancel *deferred;

  if (waiter->thread == g_thread_self () || async_scheduler_is_current (waiter->scheduler))
    return cancel (waiter);

  deferred = g_new (DeferredCancel, 1);
  deferred->waiter = (AsyncWaiter *) async_future_ref (&waiter->parent);
  deferred->cancel = cancel;
  async_scheduler_call_soon (waiter->scheduler, deferred_cancel_run, deferred,
                             deferred_cancel_free);

  return TRUE;
}

AsyncFuture *
async_waiter_done (void)
{
  static gsize done;

  /* One resolved future for the process, never freed: a wait that did not
   * have to wait costs a reference, not an allocation. */
  if (g_once_init_enter (&done))
    g_once_init_leave (&done, (gsize) async_future_new_resolved (NULL, NULL));

  return async_future_ref ((AsyncFuture *) done);
}

void
async_waiter_list_push_tail (AsyncWaiterList *list,
                             AsyncWaiter     *waiter)
{
  g_assert (waiter->list == NULL);

  async_future_ref (&waiter->parent);
  waiter->list = list;
  waiter->next = NULL;
  waiter->prev = list->tail;
  if (list->tail != NULL)
    list->tail->next = waiter;
  else
    list->head = waiter;
  list->tail = waiter;
  list->length++;
}

static void
list_unlink (AsyncWaiterList *list,
             AsyncWaiter     *waiter)
{
  if (waiter->prev != NULL)
    waiter->prev->next = waiter->next;
  else
    list->head = waiter->next;
  if (waiter->next != NULL)
    waiter->next->prev = waiter->prev;
  else
    list->tail = waiter->prev;
  waiter->prev = waiter->next = NULL;
  waiter->list = NULL;
  list->length--;
}

AsyncWaiter *
async_waiter_list_pop_head (AsyncWaiterList *list)
{
  AsyncWaiter *waiter = list->head;

  if (waiter != NULL)
    list_unlink (list, waiter);

  return waiter;
}

gboolean
async_waiter_list_remove (AsyncWaiterList *list,
                          AsyncWaiter     *waiter)
{
  if (waiter->list != list)
    return FALSE;

  list_unlink (list, waiter);
  async_future_unref (&waiter->parent);

  return TRUE;
}

AsyncFuture *
async_waiter_reuse_resolved (AsyncWaiter           **slots,
                             const AsyncFutureClass *klass,
                             gpointer                owner)
{
  guint i;

  /* Only the primitive's reference left: its last consumer is done with
   * it, and no abandon can come from it any more. */
  for (i = 0; i < 2; i++)
    if (slots[i] != NULL && g_atomic_int_get (&slots[i]->parent.ref_count) == 1)
      return async_future_ref (&slots[i]->parent);

  i = slots[0] == NULL ? 0 : 1;
  if (slots[i] != NULL)
    async_future_unref (&slots[i]->parent);
  slots[i] = async_waiter_new (klass, owner, TRUE, "an uncontended acquire");
  async_future_resolve_quietly (&slots[i]->parent, NULL, NULL);

  return async_future_ref (&slots[i]->parent);
}

void
async_waiter_clear_resolved (AsyncWaiter **slots)
{
  guint i;

  for (i = 0; i < 2; i++)
    if (slots[i] != NULL)
      {
        async_future_unref (&slots[i]->parent);
        slots[i] = NULL;
      }
}

void
async_waiter_list_cancel_all (AsyncWaiterList *list)
{
  AsyncWaiter *waiter;

  while ((waiter = async_waiter_list_pop_head (list)) != NULL)
    {
      async_future_cancel_quietly (&waiter->parent);
      async_future_unref (&waiter->parent);
    }
}

gboolean
async_waiter_list_withdraw (AsyncWaiterList *list,
                            AsyncWaiter     *waiter)
{
  if (!async_waiter_list_remove (list, waiter))
    return FALSE;

  return async_future_cancel_quietly (&waiter->parent);
}
