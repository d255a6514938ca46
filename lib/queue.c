/* queue.c: AsyncQueue, asyncio.Queue, LifoQueue and PriorityQueue (with
 * Python 3.13's shutdown), behind one mutex so that any thread may put and
 * get. Items live in one array: a ring for FIFO and LIFO, a binary heap for
 * priorities. */

#include "config.h"

#include "async-glib/async-error.h"
#include "async-glib/async-queue.h"
#include "waiter-private.h"

typedef enum
{
  QUEUE_FIFO,
  QUEUE_LIFO,
  QUEUE_PRIORITY,
} QueueKind;

typedef struct
{
  gpointer item;
  guint64  sequence;   /* arrival order: equal priorities come out in it */
} QueueEntry;

/* Thread safety: everything below @mutex is protected by it. With it held
 * the queue only resolves or rejects its waiters (which queues their
 * continuations: lock order, the queue's mutex, then a scheduler's mutex;
 * a future has no lock) and calls @compare; item destroy notifies and
 * the last unref of a waiter always run after it is released. */
struct _AsyncQueue
{
  AsyncPrimitive   parent;
  QueueKind        kind;
  gint             maxsize;        /* <= 0: unbounded */
  GCompareDataFunc compare;
  gpointer         compare_data;
  GDestroyNotify   item_destroy;
  GMutex           mutex;
  GCond            room;           /* put_blocking () threads wait on it */
  QueueEntry      *entries;        /* protected by @mutex */
  guint            capacity;       /* protected by @mutex; a power of 2 */
  guint            head;           /* protected by @mutex; 0 for a heap */
  guint            length;         /* protected by @mutex */
  guint64          next_sequence;  /* protected by @mutex */
  guint            unfinished;     /* protected by @mutex */
  guint            blocked;        /* protected by @mutex: put_blocking () calls waiting */
  AsyncWaiterList  getters;        /* protected by @mutex */
  AsyncWaiterList  putters;        /* protected by @mutex; ->item is theirs */
  AsyncWaiterList  joiners;        /* protected by @mutex */
  gboolean         shut_down;      /* protected by @mutex */
  gboolean         immediate;      /* protected by @mutex */
  gboolean         disposed;       /* protected by @mutex */
};

/* What a call frees once it has released the mutex. */
typedef struct
{
  GPtrArray   *waiters;   /* of AsyncWaiter references, or NULL */
  GPtrArray   *items;     /* or NULL */
  AsyncWaiter *waiter;    /* the common case: one */
} Released;

static void
released_add_waiter (Released    *released,
                     AsyncWaiter *waiter)
{
  if (waiter == NULL)
    return;
  if (released->waiter == NULL)
    {
      released->waiter = waiter;
      return;
    }
  if (released->waiters == NULL)
    released->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) async_future_unref);
  g_ptr_array_add (released->waiters, waiter);
}

static void
released_add_item (Released *released,
                   gpointer  item)
{
  if (released->items == NULL)
    released->items = g_ptr_array_new ();
  g_ptr_array_add (released->items, item);
}

static void
released_free (AsyncQueue *self,
               Released   *released)
{
  if (released->items != NULL)
    {
      if (self->item_destroy != NULL)
        for (guint i = 0; i < released->items->len; i++)
          self->item_destroy (g_ptr_array_index (released->items, i));
      g_ptr_array_unref (released->items);
    }
  if (released->waiters != NULL)
    g_ptr_array_unref (released->waiters);
  if (released->waiter != NULL)
    async_future_unref (&released->waiter->parent);
}

/* ------------------------------------------------------------- storage */

static inline QueueEntry *
entry_at_unlocked (AsyncQueue *self,
                   guint       i)
{
  return &self->entries[(self->head + i) & (self->capacity - 1)];
}

static void
grow_unlocked (AsyncQueue *self)
{
  guint capacity = self->capacity == 0 ? 16 : self->capacity * 2;
  QueueEntry *entries = g_new (QueueEntry, capacity);

  for (guint i = 0; i < self->length; i++)
    entries[i] = *entry_at_unlocked (self, i);
  g_free (self->entries);
  self->entries = entries;
  self->capacity = capacity;
  self->head = 0;
}

static gboolean
entry_before (AsyncQueue       *self,
              const QueueEntry *a,
              const QueueEntry *b)
{
  gint order = self->compare (a->item, b->item, self->compare_data);

  return order < 0 || (order == 0 && a->sequence < b->sequence);
}

static void
heap_push_unlocked (AsyncQueue *self,
                    QueueEntry  entry)
{
  guint i = self->length++;

  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (!entry_before (self, &entry, &self->entries[parent]))
        break;
      self->entries[i] = self->entries[parent];
      i = parent;
    }
  self->entries[i] = entry;
}

static QueueEntry
heap_pop_unlocked (AsyncQueue *self)
{
  QueueEntry top = self->entries[0];
  QueueEntry last = self->entries[--self->length];
  guint i = 0;

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= self->length)
        break;
      if (child + 1 < self->length &&
          entry_before (self, &self->entries[child + 1], &self->entries[child]))
        child++;
      if (!entry_before (self, &self->entries[child], &last))
        break;
      self->entries[i] = self->entries[child];
      i = child;
    }
  if (self->length > 0)
    self->entries[i] = last;

  return top;
}

static void
store_unlocked (AsyncQueue *self,
                QueueEntry  entry)
{
  if (self->length == self->capacity)
    grow_unlocked (self);

  if (self->kind == QUEUE_PRIORITY)
    heap_push_unlocked (self, entry);
  else
    *entry_at_unlocked (self, self->length++) = entry;
}

static QueueEntry
take_unlocked (AsyncQueue *self)
{
  QueueEntry entry;

  switch (self->kind)
    {
    case QUEUE_PRIORITY:
      return heap_pop_unlocked (self);
    case QUEUE_LIFO:
      return *entry_at_unlocked (self, --self->length);
    case QUEUE_FIFO:
    default:
      entry = *entry_at_unlocked (self, 0);
      self->head = (self->head + 1) & (self->capacity - 1);
      self->length--;
      return entry;
    }
}

/* An item a getter took but its coroutine declined goes back where the
 * next get finds it first. */
static void
store_returned_unlocked (AsyncQueue *self,
                         QueueEntry  entry)
{
  if (self->kind != QUEUE_FIFO)
    {
      store_unlocked (self, entry);
      return;
    }

  if (self->length == self->capacity)
    grow_unlocked (self);
  self->head = (self->head + self->capacity - 1) & (self->capacity - 1);
  self->entries[self->head] = entry;
  self->length++;
}

static gboolean
full_unlocked (AsyncQueue *self)
{
  return self->maxsize > 0 && self->length >= (guint) self->maxsize;
}

/* ------------------------------------------------------------- waiters */

static void
resolve_getter (AsyncQueue  *self,
                         AsyncWaiter *getter,
                         QueueEntry   entry)
{
  getter->sequence = entry.sequence;
  async_future_resolve_quietly (&getter->parent, entry.item, self->item_destroy);
}

/* Puts @item (room or a getter is there); returns the getter it went to. */
static AsyncWaiter *
put_unlocked (AsyncQueue *self,
              gpointer    item)
{
  QueueEntry entry = { item, self->next_sequence++ };
  AsyncWaiter *getter = async_waiter_list_pop_head (&self->getters);

  self->unfinished++;
  if (getter != NULL)
    resolve_getter (self, getter, entry);
  else
    store_unlocked (self, entry);

  return getter;
}

/* An item was taken: the first waiting put gets the room, or else a
 * blocked thread is woken. Returns the put it admitted. */
static AsyncWaiter *
admit_putter_unlocked (AsyncQueue *self)
{
  AsyncWaiter *putter;

  if (full_unlocked (self))
    return NULL;

  putter = async_waiter_list_pop_head (&self->putters);
  if (putter == NULL)
    {
      if (self->blocked > 0)
        g_cond_signal (&self->room);
      return NULL;
    }

  put_unlocked (self, putter->item);
  putter->item = NULL;
  async_future_resolve_quietly (&putter->parent, NULL, NULL);

  return putter;
}

static void
finish_all_unlocked (AsyncQueue      *self,
                     AsyncWaiterList *list,
                     Released        *released)
{
  AsyncWaiter *waiter;

  while ((waiter = async_waiter_list_pop_head (list)) != NULL)
    {
      async_future_resolve_quietly (&waiter->parent, NULL, NULL);
      released_add_waiter (released, waiter);
    }
}

/* The cancel hook of a get or a join: @list is at @list_offset in the
 * queue. */
static gboolean
withdraw_from (AsyncFuture *future,
               gsize        list_offset)
{
  AsyncWaiter *waiter = (AsyncWaiter *) future;
  AsyncQueue *self = (AsyncQueue *) waiter->owner;
  gboolean withdrawn;

  g_mutex_lock (&self->mutex);
  withdrawn = async_waiter_list_withdraw (G_STRUCT_MEMBER_P (self, list_offset), waiter);
  g_mutex_unlock (&self->mutex);

  return withdrawn;
}

static gboolean
getter_cancel (AsyncFuture *future)
{
  return withdraw_from (future, G_STRUCT_OFFSET (AsyncQueue, getters));
}

/* A get resolved, and its coroutine cancelled before it resumed: the item
 * is not lost (CPython's test_get_cancel_drop_one_pending_reader). It goes
 * to the next getter or back to the front of the queue; after an immediate
 * shutdown it is dropped and counted done. */
static void
getter_abandon (AsyncFuture *future)
{
  AsyncWaiter *waiter = (AsyncWaiter *) future;
  AsyncQueue *self = (AsyncQueue *) waiter->owner;
  Released released = { NULL, NULL, NULL };
  QueueEntry entry;
  AsyncWaiter *next;

  g_mutex_lock (&self->mutex);
  entry.item = async_future_steal_value (future);
  entry.sequence = waiter->sequence;

  if (self->disposed || self->immediate)
    {
      released_add_item (&released, entry.item);
      if (self->unfinished > 0 && --self->unfinished == 0)
        finish_all_unlocked (self, &self->joiners, &released);
    }
  else if ((next = async_waiter_list_pop_head (&self->getters)) != NULL)
    {
      resolve_getter (self, next, entry);
      released_add_waiter (&released, next);
    }
  else
    {
      store_returned_unlocked (self, entry);
    }
  g_mutex_unlock (&self->mutex);

  released_free (self, &released);
}

static const AsyncFutureClass getter_class = {
  "AsyncQueue.get",
  getter_cancel,
  async_waiter_finalize,
  getter_abandon,
};

/* A put withdrawn before it was admitted: its item is dropped. */
static gboolean
putter_cancel (AsyncFuture *future)
{
  AsyncWaiter *waiter = (AsyncWaiter *) future;
  AsyncQueue *self = (AsyncQueue *) waiter->owner;
  Released released = { NULL, NULL, NULL };
  gboolean withdrawn;

  g_mutex_lock (&self->mutex);
  withdrawn = async_waiter_list_withdraw (&self->putters, waiter);
  if (withdrawn)
    {
      released_add_item (&released, waiter->item);
      waiter->item = NULL;
    }
  g_mutex_unlock (&self->mutex);

  released_free (self, &released);

  return withdrawn;
}

/* No abandon: a put that resolved has put its item, which a getter may
 * hold already. */
static const AsyncFutureClass putter_class = {
  "AsyncQueue.put",
  putter_cancel,
  async_waiter_finalize,
  NULL,
};

static gboolean
joiner_cancel (AsyncFuture *future)
{
  return withdraw_from (future, G_STRUCT_OFFSET (AsyncQueue, joiners));
}

static const AsyncFutureClass joiner_class = {
  "AsyncQueue.join",
  joiner_cancel,
  async_waiter_finalize,
  NULL,
};

/* ------------------------------------------------------------- life */

static void
cancel_all_unlocked (AsyncWaiterList *list,
                     Released        *released)
{
  AsyncWaiter *waiter;

  while ((waiter = async_waiter_list_pop_head (list)) != NULL)
    {
      if (waiter->item != NULL)
        released_add_item (released, waiter->item);
      waiter->item = NULL;
      async_future_cancel_quietly (&waiter->parent);
      released_add_waiter (released, waiter);
    }
}

/* Nobody can put or get any more: pending gets, puts and joins are
 * cancelled; the items stay until the memory goes. */
static void
queue_dispose (gpointer primitive)
{
  AsyncQueue *self = primitive;
  Released released = { NULL, NULL, NULL };

  g_mutex_lock (&self->mutex);
  self->disposed = TRUE;
  cancel_all_unlocked (&self->getters, &released);
  cancel_all_unlocked (&self->putters, &released);
  cancel_all_unlocked (&self->joiners, &released);
  g_mutex_unlock (&self->mutex);

  released_free (self, &released);
}

static void
queue_free (gpointer primitive)
{
  AsyncQueue *self = primitive;

  if (self->item_destroy != NULL)
    for (guint i = 0; i < self->length; i++)
      self->item_destroy (entry_at_unlocked (self, i)->item);
  g_free (self->entries);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->room);
  g_free (self);
}

static AsyncQueue *
queue_new (QueueKind        kind,
           gint             maxsize,
           GCompareDataFunc compare,
           gpointer         compare_data,
           GDestroyNotify   item_destroy)
{
  AsyncQueue *self = g_new0 (AsyncQueue, 1);

  async_primitive_init (&self->parent, queue_dispose, queue_free);
  self->kind = kind;
  self->maxsize = maxsize;
  self->compare = compare;
  self->compare_data = compare_data;
  self->item_destroy = item_destroy;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->room);

  return self;
}

/**
 * async_queue_new:
 * @maxsize: how many items it holds at most; 0 or less: no limit
 * @item_destroy: (nullable): frees an item the queue drops
 *
 * asyncio's `Queue(maxsize)`: first in, first out.
 *
 * Returns: (transfer full): a new queue
 *
 * Since: 0.2
 */
AsyncQueue *
async_queue_new (gint           maxsize,
                 GDestroyNotify item_destroy)
{
  return queue_new (QUEUE_FIFO, maxsize, NULL, NULL, item_destroy);
}

/**
 * async_lifo_queue_new:
 * @maxsize: how many items it holds at most; 0 or less: no limit
 * @item_destroy: (nullable): frees an item the queue drops
 *
 * asyncio's `LifoQueue(maxsize)`: the last item put is the first got.
 *
 * Returns: (transfer full): a new queue
 *
 * Since: 0.2
 */
AsyncQueue *
async_lifo_queue_new (gint           maxsize,
                      GDestroyNotify item_destroy)
{
  return queue_new (QUEUE_LIFO, maxsize, NULL, NULL, item_destroy);
}

/**
 * async_priority_queue_new:
 * @maxsize: how many items it holds at most; 0 or less: no limit
 * @compare: orders two items: negative if the first comes out first
 * @compare_data: (closure): data for @compare
 * @item_destroy: (nullable): frees an item the queue drops
 *
 * asyncio's `PriorityQueue(maxsize)`: the lowest item (by @compare) comes
 * out first; items that compare equal come out in the order they were put,
 * which Python's heapq does not promise. @compare runs with the queue's
 * lock held, on the thread that puts or gets: it must not call the queue.
 *
 * Returns: (transfer full): a new queue, or %NULL if @compare is %NULL
 *
 * Since: 0.2
 */
AsyncQueue *
async_priority_queue_new (gint             maxsize,
                          GCompareDataFunc compare,
                          gpointer         compare_data,
                          GDestroyNotify   item_destroy)
{
  g_return_val_if_fail (compare != NULL, NULL);

  return queue_new (QUEUE_PRIORITY, maxsize, compare, compare_data, item_destroy);
}

/**
 * async_queue_ref:
 * @queue: a queue
 *
 * Takes a reference. Any thread.
 *
 * Returns: (transfer full): @queue
 *
 * Since: 0.2
 */
AsyncQueue *
async_queue_ref (AsyncQueue *queue)
{
  g_return_val_if_fail (queue != NULL, NULL);

  return async_primitive_ref (queue);
}

/**
 * async_queue_unref:
 * @queue: (transfer full): a queue
 *
 * Drops a reference. When the last one goes, pending gets, puts and joins
 * are cancelled (the items of cancelled puts are freed); the items still in
 * the queue are freed once the futures of those waits are gone too.
 *
 * Since: 0.2
 */
void
async_queue_unref (AsyncQueue *queue)
{
  g_return_if_fail (queue != NULL);

  async_primitive_unref (queue);
}

/* ------------------------------------------------------------- put */

static void
set_shut_down_error (GError **error)
{
  g_set_error_literal (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_SHUT_DOWN,
                       "The queue was shut down");
}

static AsyncFuture *
new_shut_down_future (void)
{
  GError *error = NULL;

  set_shut_down_error (&error);
  return async_future_new_rejected (error);
}

/**
 * async_queue_put:
 * @queue: a queue
 * @item: (transfer full) (nullable): the item
 *
 * asyncio's `await queue.put(item)`: a future resolved (with %NULL) once
 * @item is in the queue, or handed to a waiting get; already resolved if
 * there was room. While the queue is full it waits, in order with other
 * puts. Rejected with %ASYNC_ERROR_QUEUE_SHUT_DOWN if the queue is (or is
 * while it waits) shut down. A put cancelled while it waits frees @item.
 * Differs from asyncio in one point: a put whose future resolved has put
 * its item, even if its coroutine is cancelled before it resumes.
 *
 * Returns: (transfer full): a future resolved when @item was put
 *
 * Since: 0.2
 */
AsyncFuture *
async_queue_put (AsyncQueue *queue,
                 gpointer    item)
{
  AsyncWaiter *getter, *putter;

  g_return_val_if_fail (queue != NULL, NULL);

  g_mutex_lock (&queue->mutex);
  if (queue->shut_down)
    {
      g_mutex_unlock (&queue->mutex);
      if (queue->item_destroy != NULL)
        queue->item_destroy (item);
      return new_shut_down_future ();
    }

  if (!full_unlocked (queue))
    {
      getter = put_unlocked (queue, item);
      g_mutex_unlock (&queue->mutex);
      if (getter != NULL)
        async_future_unref (&getter->parent);
      return async_waiter_done ();
    }

  putter = async_waiter_new (&putter_class, queue, FALSE, "async_queue_put()");
  putter->item = item;
  async_waiter_list_push_tail (&queue->putters, putter);
  g_mutex_unlock (&queue->mutex);

  return &putter->parent;
}

/**
 * async_queue_put_nowait:
 * @queue: a queue
 * @item: (transfer full) (nullable): the item; taken only if the call
 *   returns %TRUE
 * @error: return location for an error
 *
 * asyncio's `queue.put_nowait(item)`: puts @item if there is room. Fails
 * with %ASYNC_ERROR_QUEUE_FULL, or %ASYNC_ERROR_QUEUE_SHUT_DOWN; @item
 * then stays the caller's, to keep or to try again with.
 *
 * Returns: %TRUE if @item was put
 *
 * Since: 0.2
 */
gboolean
async_queue_put_nowait (AsyncQueue *queue,
                        gpointer    item,
                        GError    **error)
{
  AsyncWaiter *getter;

  g_return_val_if_fail (queue != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&queue->mutex);
  if (queue->shut_down)
    {
      g_mutex_unlock (&queue->mutex);
      set_shut_down_error (error);
      return FALSE;
    }
  if (full_unlocked (queue))
    {
      g_mutex_unlock (&queue->mutex);
      g_set_error (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_FULL,
                   "The queue is full (%d items)", queue->maxsize);
      return FALSE;
    }
  getter = put_unlocked (queue, item);
  g_mutex_unlock (&queue->mutex);

  if (getter != NULL)
    async_future_unref (&getter->parent);

  return TRUE;
}

/**
 * async_queue_put_blocking:
 * @queue: a queue
 * @item: (transfer full) (nullable): the item; taken only if the call
 *   returns %TRUE
 * @error: return location for an error
 *
 * For a worker thread: puts @item, blocking the calling thread while the
 * queue is full. Never call it on a loop's thread: the loop would stop.
 * Waiting puts of coroutines (async_queue_put()) get room first. Fails with
 * %ASYNC_ERROR_QUEUE_SHUT_DOWN if the queue is, or while it waits is, shut
 * down; @item then stays the caller's.
 *
 * Returns: %TRUE if @item was put
 *
 * Since: 0.2
 */
gboolean
async_queue_put_blocking (AsyncQueue *queue,
                          gpointer    item,
                          GError    **error)
{
  AsyncWaiter *getter;

  g_return_val_if_fail (queue != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&queue->mutex);
  while (!queue->shut_down && full_unlocked (queue))
    {
      queue->blocked++;
      g_cond_wait (&queue->room, &queue->mutex);
      queue->blocked--;
    }
  if (queue->shut_down)
    {
      g_mutex_unlock (&queue->mutex);
      set_shut_down_error (error);
      return FALSE;
    }
  getter = put_unlocked (queue, item);
  g_mutex_unlock (&queue->mutex);

  if (getter != NULL)
    async_future_unref (&getter->parent);

  return TRUE;
}

/* ------------------------------------------------------------- get */

/**
 * async_queue_get:
 * @queue: a queue
 *
 * asyncio's `await queue.get()`: a future resolved with the next item
 * (already resolved if there is one), or waiting, in order with other gets,
 * until one is put. The future owns the item (it frees it with the queue's
 * destroy notify when it is freed) until you take it with
 * async_future_steal_value() or async_coroutine_steal_value(). Cancelled
 * while it waits, it takes nothing; its coroutine cancelled after it
 * resolved, the item goes back to the queue. Once the queue is shut down
 * and empty, rejected with %ASYNC_ERROR_QUEUE_SHUT_DOWN.
 *
 * Returns: (transfer full): a future resolved with the next item
 *
 * Since: 0.2
 */
AsyncFuture *
async_queue_get (AsyncQueue *queue)
{
  AsyncWaiter *getter, *putter;
  QueueEntry entry;

  g_return_val_if_fail (queue != NULL, NULL);

  g_mutex_lock (&queue->mutex);
  if (queue->length > 0)
    {
      entry = take_unlocked (queue);
      putter = admit_putter_unlocked (queue);
      g_mutex_unlock (&queue->mutex);

      if (putter != NULL)
        async_future_unref (&putter->parent);
      getter = async_waiter_new (&getter_class, queue, FALSE, "async_queue_get()");
      resolve_getter (queue, getter, entry);
      return &getter->parent;
    }
  if (queue->shut_down)
    {
      g_mutex_unlock (&queue->mutex);
      return new_shut_down_future ();
    }

  getter = async_waiter_new (&getter_class, queue, FALSE, "async_queue_get()");
  async_waiter_list_push_tail (&queue->getters, getter);
  g_mutex_unlock (&queue->mutex);

  return &getter->parent;
}

/**
 * async_queue_get_nowait:
 * @queue: a queue
 * @item: (out) (transfer full) (optional): the item
 * @error: return location for an error
 *
 * asyncio's `queue.get_nowait()`: takes the next item if there is one.
 * Fails with %ASYNC_ERROR_QUEUE_EMPTY, or %ASYNC_ERROR_QUEUE_SHUT_DOWN once
 * the queue is shut down and empty.
 *
 * Returns: %TRUE with @item set, or %FALSE with @error set
 *
 * Since: 0.2
 */
gboolean
async_queue_get_nowait (AsyncQueue *queue,
                        gpointer   *item,
                        GError    **error)
{
  AsyncWaiter *putter;
  QueueEntry entry;

  g_return_val_if_fail (queue != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&queue->mutex);
  if (queue->length == 0)
    {
      gboolean shut_down = queue->shut_down;

      g_mutex_unlock (&queue->mutex);
      if (shut_down)
        set_shut_down_error (error);
      else
        g_set_error_literal (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_EMPTY,
                             "The queue is empty");
      return FALSE;
    }
  entry = take_unlocked (queue);
  putter = admit_putter_unlocked (queue);
  g_mutex_unlock (&queue->mutex);

  if (putter != NULL)
    async_future_unref (&putter->parent);
  if (item != NULL)
    *item = entry.item;
  else if (queue->item_destroy != NULL)
    queue->item_destroy (entry.item);

  return TRUE;
}

/* ------------------------------------------------------------- join */

/**
 * async_queue_task_done:
 * @queue: a queue
 *
 * asyncio's `queue.task_done()`: one item got earlier is dealt with. When
 * every item put has been, pending joins resolve. Calling it more times
 * than items were put is a programming error: a critical, and nothing
 * changes.
 *
 * Since: 0.2
 */
void
async_queue_task_done (AsyncQueue *queue)
{
  Released released = { NULL, NULL, NULL };
  gboolean counted;

  g_return_if_fail (queue != NULL);

  g_mutex_lock (&queue->mutex);
  counted = queue->unfinished > 0;
  if (counted && --queue->unfinished == 0)
    finish_all_unlocked (queue, &queue->joiners, &released);
  g_mutex_unlock (&queue->mutex);

  released_free (queue, &released);
  if (!counted)
    g_critical ("async_queue_task_done: called more times than there were items put");
}

/**
 * async_queue_join:
 * @queue: a queue
 *
 * asyncio's `await queue.join()`: a future resolved (with %NULL) once every
 * item put has been got and marked done (async_queue_task_done()); already
 * resolved if there is nothing left to do.
 *
 * Returns: (transfer full): a future resolved when all items are done
 *
 * Since: 0.2
 */
AsyncFuture *
async_queue_join (AsyncQueue *queue)
{
  AsyncWaiter *joiner;

  g_return_val_if_fail (queue != NULL, NULL);

  g_mutex_lock (&queue->mutex);
  if (queue->unfinished == 0)
    {
      g_mutex_unlock (&queue->mutex);
      return async_waiter_done ();
    }
  joiner = async_waiter_new (&joiner_class, queue, FALSE, "async_queue_join()");
  async_waiter_list_push_tail (&queue->joiners, joiner);
  g_mutex_unlock (&queue->mutex);

  return &joiner->parent;
}

static void
reject_all_unlocked (AsyncWaiterList *list,
                     Released        *released)
{
  AsyncWaiter *waiter;

  while ((waiter = async_waiter_list_pop_head (list)) != NULL)
    {
      GError *error = NULL;

      if (waiter->item != NULL)
        released_add_item (released, waiter->item);
      waiter->item = NULL;
      set_shut_down_error (&error);
      async_future_reject_quietly (&waiter->parent, error);
      released_add_waiter (released, waiter);
    }
}

/**
 * async_queue_shutdown:
 * @queue: a queue
 * @immediate: also drop the items still in the queue
 *
 * Python 3.13's `queue.shutdown(immediate)`: from now on puts fail with
 * %ASYNC_ERROR_QUEUE_SHUT_DOWN, and so do gets once the queue is empty;
 * waiting puts and gets (and put_blocking threads) wake and fail so. With
 * @immediate the items left are freed at once and each counts as done, so
 * that joins may resolve; without it gets drain them first.
 *
 * Since: 0.2
 */
void
async_queue_shutdown (AsyncQueue *queue,
                      gboolean    immediate)
{
  Released released = { NULL, NULL, NULL };

  g_return_if_fail (queue != NULL);

  g_mutex_lock (&queue->mutex);
  queue->shut_down = TRUE;
  if (immediate)
    {
      queue->immediate = TRUE;
      while (queue->length > 0)
        {
          released_add_item (&released, take_unlocked (queue).item);
          if (queue->unfinished > 0)
            queue->unfinished--;
        }
      if (queue->unfinished == 0)
        finish_all_unlocked (queue, &queue->joiners, &released);
    }
  reject_all_unlocked (&queue->getters, &released);
  reject_all_unlocked (&queue->putters, &released);
  g_cond_broadcast (&queue->room);
  g_mutex_unlock (&queue->mutex);

  released_free (queue, &released);
}

/* ------------------------------------------------------------- state */

/**
 * async_queue_get_size:
 * @queue: a queue
 *
 * asyncio's `queue.qsize()`. Any thread; with other threads at work, the
 * answer may be out of date at once.
 *
 * Returns: the number of items in the queue
 *
 * Since: 0.2
 */
guint
async_queue_get_size (AsyncQueue *queue)
{
  guint length;

  g_return_val_if_fail (queue != NULL, 0);

  g_mutex_lock (&queue->mutex);
  length = queue->length;
  g_mutex_unlock (&queue->mutex);

  return length;
}

/**
 * async_queue_get_maxsize:
 * @queue: a queue
 *
 * The bound the queue was made with (asyncio's `maxsize`).
 *
 * Returns: the maxsize it was made with (0 or less: no limit)
 *
 * Since: 0.2
 */
gint
async_queue_get_maxsize (AsyncQueue *queue)
{
  g_return_val_if_fail (queue != NULL, 0);

  return queue->maxsize;
}

/**
 * async_queue_is_empty:
 * @queue: a queue
 *
 * Whether the queue holds no item (asyncio's `empty`). Any thread.
 *
 * Returns: %TRUE if @queue holds no item
 *
 * Since: 0.2
 */
gboolean
async_queue_is_empty (AsyncQueue *queue)
{
  return async_queue_get_size (queue) == 0;
}

/**
 * async_queue_is_full:
 * @queue: a queue
 *
 * Whether the queue holds as many items as its bound (asyncio's `full`). Any thread.
 *
 * Returns: %TRUE if @queue holds maxsize items (never, without a limit)
 *
 * Since: 0.2
 */
gboolean
async_queue_is_full (AsyncQueue *queue)
{
  gboolean full;

  g_return_val_if_fail (queue != NULL, FALSE);

  g_mutex_lock (&queue->mutex);
  full = full_unlocked (queue);
  g_mutex_unlock (&queue->mutex);

  return full;
}
