/* scheduler.c: asyncio's event loop on a GMainContext: ONE GSource per
 * context, holding a ready queue of continuations and a binary heap of
 * timers. GLib walks every attached source on every turn of its loop, so a
 * source per future or per sleep would make each turn cost O(pending). */

#include "config.h"

#include "scheduler-private.h"

/* How long one dispatch may run ready callbacks before it lets the other
 * sources of the context have a turn. */
#define DISPATCH_BUDGET_USEC 4000
#define DISPATCH_CLOCK_EVERY 1024

/* The GSource is separate from the scheduler, which holds a reference on
 * its context: futures and continuations hold the scheduler, possibly past
 * the end of an async_run (), and GLib leaves a destroyed source pointing at
 * a freed context. The source only points back. */
/* The heap holds copies of the keys, so that sifting touches only the heap
 * array and not a timer per comparison. Equal deadlines fire in the order
 * they were added (@sequence). */
typedef struct
{
  gint64      deadline;
  guint       sequence;
  AsyncTimer *timer;
} HeapEntry;

typedef struct
{
  GSource         source;
  AsyncScheduler *scheduler;
} SchedulerSource;

/* Thread safety: @lock guards the ready queue, the heap and @closed;
 * @context and @source are set at creation. Callbacks run with no lock
 * held. */
struct _AsyncScheduler
{
  gatomicrefcount     ref_count;
  GMainContext       *context;
  SchedulerSource    *source;

  GMutex              lock;
  AsyncContinuation  *ready_head;   /* protected by @lock */
  AsyncContinuation  *ready_tail;   /* protected by @lock */
  HeapEntry          *heap;         /* protected by @lock; 1-based */
  guint               heap_length;  /* protected by @lock */
  guint               heap_size;    /* protected by @lock */
  gboolean            closed;       /* protected by @lock */

  guint               sequence;     /* protected by @lock */

  gint                n_held;       /* atomic */
};

/* The scheduler this thread is dispatching, so that work queued from its
 * own callbacks needs no wake-up of the context. */
static __thread AsyncScheduler *dispatching;

/* One scheduler per context. The table holds a reference (and so keeps the
 * context alive) until async_scheduler_close (). */
static GMutex schedulers_lock;
static GHashTable *schedulers;  /* protected by @schedulers_lock */

typedef struct
{
  GMainContext   *context;
  AsyncScheduler *scheduler;  /* a reference */
} SchedulerCache;

static void
scheduler_cache_free (gpointer data)
{
  SchedulerCache *cache = data;

  if (cache->scheduler != NULL)
    async_scheduler_unref (cache->scheduler);
  g_free (cache);
}

static GPrivate scheduler_cache = G_PRIVATE_INIT (scheduler_cache_free);

/* --- the heap ----------------------------------------------------------- */

/* Wrapping sequence numbers compare by their difference, so FIFO order of
 * equal deadlines survives the wrap. */
static inline gboolean
timer_before (const HeapEntry *a,
              const HeapEntry *b)
{
  if (a->deadline != b->deadline)
    return a->deadline < b->deadline;

  return (gint) (a->sequence - b->sequence) < 0;
}

static inline void
heap_set_unlocked (AsyncScheduler *self,
                   guint           index,
                   HeapEntry       entry)
{
  self->heap[index] = entry;
  entry.timer->heap_index = index;
}

static void
heap_sift_up_unlocked (AsyncScheduler *self,
                       guint           index)
{
  HeapEntry timer = self->heap[index];

  while (index > 1 && timer_before (&timer, &self->heap[index / 2]))
    {
      heap_set_unlocked (self, index, self->heap[index / 2]);
      index /= 2;
    }
  heap_set_unlocked (self, index, timer);
}

static void
heap_sift_down_unlocked (AsyncScheduler *self,
                         guint           index)
{
  HeapEntry timer = self->heap[index];

  for (;;)
    {
      guint child = index * 2;

      if (child > self->heap_length)
        break;
      if (child < self->heap_length &&
          timer_before (&self->heap[child + 1], &self->heap[child]))
        child++;
      if (!timer_before (&self->heap[child], &timer))
        break;
      heap_set_unlocked (self, index, self->heap[child]);
      index = child;
    }
  heap_set_unlocked (self, index, timer);
}

static void
heap_remove_unlocked (AsyncScheduler *self,
                      AsyncTimer     *timer)
{
  guint index = timer->heap_index;
  HeapEntry last = self->heap[self->heap_length--];

  timer->heap_index = 0;
  if (last.timer == timer)
    return;

  heap_set_unlocked (self, index, last);
  if (index > 1 && timer_before (&last, &self->heap[index / 2]))
    heap_sift_up_unlocked (self, index);
  else
    heap_sift_down_unlocked (self, index);
}

static inline gint64
next_deadline_unlocked (AsyncScheduler *self)
{
  return self->heap_length > 0 ? self->heap[1].deadline : G_MAXINT64;
}

/* --- the GSource --------------------------------------------------------- */

static gboolean
scheduler_prepare (GSource *source,
                   gint    *timeout)
{
  AsyncScheduler *self = ((SchedulerSource *) source)->scheduler;
  gboolean ready;
  gint64 deadline;

  g_mutex_lock (&self->lock);
  ready = self->ready_head != NULL;
  deadline = next_deadline_unlocked (self);
  g_mutex_unlock (&self->lock);

  if (ready)
    {
      *timeout = 0;
      return TRUE;
    }

  if (deadline == G_MAXINT64)
    {
      *timeout = -1;
      return FALSE;
    }
  else
    {
      gint64 now = g_source_get_time (source);
      gint64 wait_ms;

      if (deadline <= now)
        {
          *timeout = 0;
          return TRUE;
        }

      /* Round up: a timer never fires early. */
      wait_ms = (deadline - now + 999) / 1000;
      *timeout = (gint) MIN (wait_ms, G_MAXINT);
      return FALSE;
    }
}

static gboolean
scheduler_check (GSource *source)
{
  AsyncScheduler *self = ((SchedulerSource *) source)->scheduler;
  gboolean ready;

  g_mutex_lock (&self->lock);
  ready = self->ready_head != NULL ||
          next_deadline_unlocked (self) <= g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);

  return ready;
}

static void
scheduler_fire_timers (AsyncScheduler *self)
{
  gint64 now = g_get_monotonic_time ();
  AsyncTimer *expired[64];
  guint n_expired, i;

  /* A batch of expired timers per lock: a million sleeps end within a
   * second, a thousand of them a millisecond. */
  do
    {
      n_expired = 0;
      g_mutex_lock (&self->lock);
      while (n_expired < G_N_ELEMENTS (expired) &&
             self->heap_length > 0 && self->heap[1].deadline <= now)
        {
          expired[n_expired] = self->heap[1].timer;
          heap_remove_unlocked (self, expired[n_expired++]);
        }
      g_mutex_unlock (&self->lock);

      for (i = 0; i < n_expired; i++)
        expired[i]->callback (expired[i], TRUE);
    }
  while (n_expired == G_N_ELEMENTS (expired));
}

static gboolean
scheduler_dispatch (GSource    *source,
                    GSourceFunc callback,
                    gpointer    user_data)
{
  AsyncScheduler *self = ((SchedulerSource *) source)->scheduler;
  AsyncScheduler *previous = dispatching;
  gint64 started = g_get_monotonic_time ();
  guint n_run = 0;

  dispatching = self;

  scheduler_fire_timers (self);

  /* Take the queue a batch at a time: work queued by these callbacks goes on
   * the end, and runs in this dispatch too unless the budget is spent. */
  for (;;)
    {
      AsyncContinuation *batch, *batch_tail;

      g_mutex_lock (&self->lock);
      batch = self->ready_head;
      batch_tail = self->ready_tail;
      self->ready_head = self->ready_tail = NULL;
      g_mutex_unlock (&self->lock);

      if (batch == NULL)
        break;

      while (batch != NULL)
        {
          AsyncContinuation *next = batch->next;

          async_continuation_run (batch);
          batch = next;

          if (++n_run % DISPATCH_CLOCK_EVERY == 0 &&
              g_get_monotonic_time () - started > DISPATCH_BUDGET_USEC &&
              batch != NULL)
            {
              /* Put the rest back in front of what came meanwhile. */
              AsyncContinuation *last = batch_tail;

              g_mutex_lock (&self->lock);
              last->next = self->ready_head;
              if (self->ready_head == NULL)
                self->ready_tail = last;
              self->ready_head = batch;
              g_mutex_unlock (&self->lock);

              dispatching = previous;
              return G_SOURCE_CONTINUE;
            }
        }
    }

  dispatching = previous;

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs scheduler_funcs = {
  scheduler_prepare,
  scheduler_check,
  scheduler_dispatch,
  NULL,
  NULL,
  NULL,
};

static AsyncScheduler *
scheduler_new (GMainContext *context)
{
  AsyncScheduler *self = g_new0 (AsyncScheduler, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->context = g_main_context_ref (context);
  g_mutex_init (&self->lock);
  self->heap_size = 64;
  self->heap = g_new (HeapEntry, self->heap_size);

  self->source = (SchedulerSource *) g_source_new (&scheduler_funcs, sizeof (SchedulerSource));
  self->source->scheduler = self;
  g_source_set_name (&self->source->source, "AsyncScheduler");
  g_source_set_can_recurse (&self->source->source, TRUE);
  g_source_attach (&self->source->source, context);

  return self;
}

/* --- public to lib/ ------------------------------------------------------ */

static AsyncScheduler *
scheduler_lookup (GMainContext *context)
{
  AsyncScheduler *self;

  g_mutex_lock (&schedulers_lock);

  if (schedulers == NULL)
    schedulers = g_hash_table_new_full (NULL, NULL, NULL,
                                        (GDestroyNotify) async_scheduler_unref);

  self = g_hash_table_lookup (schedulers, context);
  if (self == NULL)
    {
      self = scheduler_new (context);
      g_hash_table_insert (schedulers, context, self);
    }

  g_mutex_unlock (&schedulers_lock);

  return self;
}

AsyncScheduler *
async_scheduler_get_thread_default (void)
{
  SchedulerCache *cache = g_private_get (&scheduler_cache);
  GMainContext *context = g_main_context_get_thread_default ();

  if (context == NULL)
    context = g_main_context_default ();

  if (G_LIKELY (cache != NULL &&
                cache->context == context &&
                cache->scheduler->source != NULL))
    return cache->scheduler;

  if (cache == NULL)
    {
      cache = g_new0 (SchedulerCache, 1);
      g_private_set (&scheduler_cache, cache);
    }

  if (cache->scheduler != NULL)
    async_scheduler_unref (cache->scheduler);
  cache->context = context;
  cache->scheduler = async_scheduler_ref (scheduler_lookup (context));

  return cache->scheduler;
}

AsyncScheduler *
async_scheduler_ref (AsyncScheduler *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
async_scheduler_unref (AsyncScheduler *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  /* Only a closed scheduler loses its last reference: the table holds one
   * until then. */
  g_assert (self->source == NULL);
  g_assert (self->ready_head == NULL);
  g_free (self->heap);
  g_mutex_clear (&self->lock);
  g_main_context_unref (self->context);
  g_free (self);
}

gboolean
async_scheduler_is_current (AsyncScheduler *self)
{
  return dispatching == self || g_main_context_is_owner (self->context);
}

static void
scheduler_wake_unlocked (AsyncScheduler *self)
{
  if (dispatching != self)
    g_main_context_wakeup (self->context);
}

void
async_scheduler_push_ready (AsyncScheduler    *self,
                            AsyncContinuation *first,
                            AsyncContinuation *last)
{
  gboolean was_empty;

  g_mutex_lock (&self->lock);

  if (G_UNLIKELY (self->closed))
    {
      g_mutex_unlock (&self->lock);
      async_continuation_drop_all (first);
      return;
    }

  was_empty = self->ready_head == NULL;
  if (was_empty)
    self->ready_head = first;
  else
    self->ready_tail->next = first;
  self->ready_tail = last;

  if (was_empty)
    scheduler_wake_unlocked (self);

  g_mutex_unlock (&self->lock);
}

void
async_scheduler_call_soon (AsyncScheduler     *self,
                           AsyncFutureCallback func,
                           gpointer            user_data)
{
  AsyncContinuation *continuation = g_new (AsyncContinuation, 1);

  async_continuation_init (continuation, self, func, user_data, NULL);
  continuation->embedded = FALSE;
  async_scheduler_push_ready (self, continuation, continuation);
}

void
async_scheduler_add_timer (AsyncScheduler *self,
                           AsyncTimer     *timer)
{
  gboolean earliest;

  g_assert (timer->heap_index == 0);

  g_mutex_lock (&self->lock);

  if (self->heap_length + 1 >= self->heap_size)
    {
      self->heap_size *= 2;
      self->heap = g_renew (HeapEntry, self->heap, self->heap_size);
    }

  self->heap_length++;
  heap_set_unlocked (self, self->heap_length,
                     (HeapEntry) { timer->deadline, self->sequence++, timer });
  heap_sift_up_unlocked (self, self->heap_length);

  /* A new earliest deadline shortens the poll a sleeping loop is in. */
  earliest = timer->heap_index == 1;
  if (earliest && !self->closed)
    scheduler_wake_unlocked (self);

  g_mutex_unlock (&self->lock);
}

gboolean
async_scheduler_remove_timer (AsyncScheduler *self,
                              AsyncTimer     *timer)
{
  gboolean removed = FALSE;

  g_mutex_lock (&self->lock);
  if (timer->heap_index != 0)
    {
      heap_remove_unlocked (self, timer);
      removed = TRUE;
    }
  g_mutex_unlock (&self->lock);

  return removed;
}

void
async_scheduler_hold (AsyncScheduler *self)
{
  g_atomic_int_inc (&self->n_held);
}

void
async_scheduler_release (AsyncScheduler *self)
{
  if (g_atomic_int_dec_and_test (&self->n_held))
    {
      g_mutex_lock (&self->lock);
      if (!self->closed)
        scheduler_wake_unlocked (self);
      g_mutex_unlock (&self->lock);
    }
}

guint
async_scheduler_get_n_held (AsyncScheduler *self)
{
  return (guint) g_atomic_int_get (&self->n_held);
}

void
async_scheduler_close (AsyncScheduler *self)
{
  AsyncContinuation *ready;
  AsyncTimer **timers;
  guint n_timers, i;

  SchedulerSource *source;

  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  source = self->source;
  self->source = NULL;
  ready = self->ready_head;
  self->ready_head = self->ready_tail = NULL;
  n_timers = self->heap_length;
  timers = g_new (AsyncTimer *, n_timers + 1);
  for (i = 1; i <= n_timers; i++)
    {
      timers[i] = self->heap[i].timer;
      timers[i]->heap_index = 0;
    }
  self->heap_length = 0;
  g_mutex_unlock (&self->lock);

  g_source_destroy (&source->source);
  g_source_unref (&source->source);

  async_continuation_drop_all (ready);
  for (i = 1; i <= n_timers; i++)
    timers[i]->callback (timers[i], FALSE);
  g_free (timers);

  /* Last, as the table's reference may be the last one. */
  g_mutex_lock (&schedulers_lock);
  if (g_hash_table_lookup (schedulers, self->context) == self)
    g_hash_table_remove (schedulers, self->context);
  g_mutex_unlock (&schedulers_lock);
}
