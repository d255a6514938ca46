/* scheduler.c: asyncio's event loop on a GMainContext: ONE GSource per
 * context, holding a ready queue of continuations and a heap of timers
 * (timer-heap.c). GLib walks every attached source on every turn of its
 * loop, so a source per future or per sleep would make each turn cost
 * O(pending). */

#include "config.h"

#include <errno.h>
#include <unistd.h>
#ifdef HAVE_SYS_EVENTFD_H
# include <sys/eventfd.h>
#endif

#include <glib-unix.h>

#include "coro-private.h"
#include "scheduler-private.h"

/* How long one dispatch may run ready callbacks before it lets the other
 * sources of the context have a turn (kept by time: see DispatchClock). */
#define DISPATCH_BUDGET_USEC 4000

/* Expired timers taken off the heap per lock. */
#define EXPIRED_BATCH 64

/* The context owns the source (the only reference once attached); the
 * source holds a reference on the scheduler. Nothing of ours holds the
 * context: it is freed when its owner frees it, and the scheduler closes
 * then. Two GLib 2.74 details shape this:
 *
 * - g_main_context_unref () frees the context before it drops its sources,
 *   so a source's finalize must not touch the context; the callback's
 *   destroy notify runs earlier, while the context is still whole, and is
 *   where the scheduler closes.
 * - g_main_context_wakeup () on a context whose last reference is being
 *   dropped is a critical, and a use after free a moment later. So other
 *   threads never touch the context: they wake it through a file
 *   descriptor of the scheduler's own, polled by the source, and closed
 *   with the scheduler. */
typedef struct
{
  GSource         source;
  AsyncScheduler *scheduler;   /* a reference */
} SchedulerSource;

/* Thread safety: @lock guards what it says; callbacks run with no lock
 * held. The batch fields are only touched by the thread that dispatches
 * the context (one at a time: GLib's context ownership), nested
 * dispatches included, so that a callback that iterates the context lets
 * the nested dispatch run the rest of its batch. */
struct _AsyncScheduler
{
  AsyncSchedulerHot   hot;          /* the dispatching thread's */
  gatomicrefcount     ref_count;
  GMutex              lock;

  GMainContext       *context;      /* protected by @lock; not a reference; NULL once closed */
  GSource            *source;       /* protected by @lock; not a reference; NULL once closed */
  gint                callback_refs; /* atomic: GLib's hold on the source's callback */
  gint                closed;       /* written with @lock held, read atomically */
  int                 wake_read;    /* protected by @lock; -1 once closed */
  int                 wake_write;   /* protected by @lock; -1 once closed */
  gboolean            wake_pending; /* protected by @lock */
  AsyncContinuation  *ready_head;   /* protected by @lock; also read atomically */
  AsyncContinuation  *ready_tail;   /* protected by @lock */
  AsyncTimerHeap      timers;       /* protected by @lock */
  AsyncHeld          *held;         /* protected by @lock */
  gint                n_held;       /* protected by @lock; also read atomically */

  AsyncContinuation  *batch;        /* the dispatching thread's */
  AsyncContinuation  *batch_tail;   /* the dispatching thread's; stale once @batch is NULL */
  AsyncTimer         *expired[EXPIRED_BATCH];
  guint               expired_next;
  guint               expired_length;
};

/* @ready_head and @n_held are written under @lock and read without it: by
 * the dispatching thread, which only asks whether another thread queued
 * something, and by async_run (), which reads the count on every turn. A
 * relaxed atomic access is all either side needs (and what keeps
 * ThreadSanitizer informed), and a plain move on x86. */
#ifdef __ATOMIC_RELAXED
# define RELAXED_GET(field) __atomic_load_n (&(field), __ATOMIC_RELAXED)
# define RELAXED_SET(field, value) __atomic_store_n (&(field), (value), __ATOMIC_RELAXED)
#else
/* Without the builtins, plain accesses: on such a compiler's targets
 * they read no staler a value than a relaxed load may. */
# define RELAXED_GET(field) (field)
# define RELAXED_SET(field, value) ((field) = (value))
#endif

/* The scheduler this thread is dispatching, so that work queued from its
 * own callbacks needs no wake-up of the context, nor the lock. */
static __thread AsyncScheduler *dispatching;

/* Serialises the lookup-or-create of a context's scheduler, and guards
 * @all_schedulers, every scheduler alive (for async_dump_tasks ()). */
static GMutex schedulers_lock;
static GPtrArray *all_schedulers;

/* The debug mode's threshold (ASYNC_GLIB_DEBUG=slow-callbacks): a callback
 * that holds the loop longer is named in a warning. 0 is off; written
 * once, before the first scheduler exists. */
#define SLOW_CALLBACK_USEC (100 * 1000)
static gint64 slow_callback_usec;

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

/* --- waking the context from any thread ---------------------------------- */

static gboolean
wake_open (AsyncScheduler *self)
{
#ifdef HAVE_SYS_EVENTFD_H
  int fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);

  if (fd >= 0)
    {
      self->wake_read = self->wake_write = fd;
      return TRUE;
    }
#endif
  {
    int fds[2];

    if (!g_unix_open_pipe (fds, FD_CLOEXEC, NULL))
      return FALSE;
    g_unix_set_fd_nonblocking (fds[0], TRUE, NULL);
    g_unix_set_fd_nonblocking (fds[1], TRUE, NULL);
    self->wake_read = fds[0];
    self->wake_write = fds[1];
    return TRUE;
  }
}

static void
wake_close_unlocked (AsyncScheduler *self)
{
  if (self->wake_write != self->wake_read && self->wake_write >= 0)
    close (self->wake_write);
  if (self->wake_read >= 0)
    close (self->wake_read);
  self->wake_read = self->wake_write = -1;
}

static void
scheduler_wake_unlocked (AsyncScheduler *self)
{
  static const guint64 one = 1;
  ssize_t n;

  if (dispatching == self || self->wake_pending || self->wake_write < 0)
    return;
  /* The thread iterating the context (in another source's callback, say)
   * prepares this source again before it polls: no wake-up needed, and
   * two system calls saved per turn. */
  if (self->context != NULL && g_main_context_is_owner (self->context))
    return;

  /* A full pipe or a saturated eventfd is already readable. */
  do
    n = write (self->wake_write, &one, self->wake_write == self->wake_read ? sizeof one : 1);
  while (n < 0 && errno == EINTR);
  self->wake_pending = TRUE;
}

static void
scheduler_drain_unlocked (AsyncScheduler *self)
{
  guint64 buffer[8];

  if (!self->wake_pending)
    return;

  for (;;)
    {
      ssize_t n = read (self->wake_read, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || self->wake_read == self->wake_write)
        break;
    }
  self->wake_pending = FALSE;
}

/* --- the GSource --------------------------------------------------------- */

static inline gboolean
batch_pending (AsyncScheduler *self)
{
  return self->batch != NULL || self->expired_next < self->expired_length;
}

static gboolean
scheduler_prepare (GSource *source,
                   gint    *timeout)
{
  AsyncScheduler *self = ((SchedulerSource *) source)->scheduler;
  gboolean ready;
  gint64 deadline;

  if (batch_pending (self))
    {
      *timeout = 0;
      return TRUE;
    }

  g_mutex_lock (&self->lock);
  scheduler_drain_unlocked (self);
  ready = self->ready_head != NULL;
  deadline = async_timer_heap_next_deadline (&self->timers);
  g_mutex_unlock (&self->lock);

  if (ready)
    {
      *timeout = 0;
      return TRUE;
    }

  if (deadline == ASYNC_DEADLINE_NEVER)
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

  if (batch_pending (self))
    return TRUE;

  g_mutex_lock (&self->lock);
  scheduler_drain_unlocked (self);
  ready = self->ready_head != NULL ||
          async_timer_heap_next_deadline (&self->timers) <= g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);

  return ready;
}

/* Runs the expired timers, a batch per lock: a million sleeps end within a
 * second, a thousand of them a millisecond. */
static void
scheduler_fire_timers (AsyncScheduler *self)
{
  gint64 now = g_get_monotonic_time ();

  for (;;)
    {
      AsyncTimer *timer;

      if (self->expired_next == self->expired_length)
        {
          guint n = 0;

          g_mutex_lock (&self->lock);
          while (n < EXPIRED_BATCH &&
                 (self->expired[n] = async_timer_heap_pop_expired (&self->timers, now)) != NULL)
            n++;
          g_mutex_unlock (&self->lock);

          self->expired_next = 0;
          self->expired_length = n;
          if (n == 0)
            return;
        }

      timer = self->expired[self->expired_next++];
      timer->callback (timer, TRUE);
    }
}

/* The debug mode's run of one callback: timed, and named if it held the
 * loop too long (asyncio's slow_callback_duration). A coroutine is held
 * across its step, so that a name it gave itself there is the one said;
 * for another callback what names it is read before the call, which may
 * free the continuation (a future's `where` is a static string). */
static void
run_timed (AsyncContinuation *continuation)
{
  AsyncCoroutine *co = async_coroutine_ref_step_ (continuation);
  gpointer callback = (gpointer) continuation->callback;
  const char *where = continuation->future != NULL ? async_future_get_where (continuation->future) : NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 took;

  async_continuation_run (continuation);

  took = g_get_monotonic_time () - start;
  if (took >= slow_callback_usec)
    {
      double seconds = took / (double) G_USEC_PER_SEC;

      if (co != NULL)
        {
          char *name = async_coroutine_describe_ (co);

          g_warning ("Executing %s took %.3f seconds", name, seconds);
          g_free (name);
        }
      else if (where != NULL)
        g_warning ("Executing a continuation %p of the future created at %s took %.3f seconds",
                   callback, where, seconds);
      else
        g_warning ("Executing the callback %p took %.3f seconds", callback, seconds);
    }
  if (co != NULL)
    async_future_unref (async_coroutine_get_future (co));
}

/* The dispatch budget's clock. g_get_monotonic_time () costs about 30 ns
 * here, more than a continuation does, and even the coarse clock (5 ns
 * read alone) added 10 ns to each; so the clock is read after a stride of
 * callbacks that adapts to them: after every callback while they take a
 * microsecond or more (where a read costs at most 3%), and every
 * DISPATCH_STRIDE_MAX while they are quicker (under 2 ns each). A dispatch
 * starts at a stride of 1, so slow callbacks end it within one of the
 * budget; slow ones that follow a run of quick ones, within
 * DISPATCH_STRIDE_MAX. */
#define DISPATCH_STRIDE_MAX 16
#define DISPATCH_QUICK_USEC 1

typedef struct
{
  gint64 started;      /* g_get_monotonic_time () */
  gint64 last_read;
  guint  next_read;    /* after so many callbacks */
  guint  stride;
} DispatchClock;

static inline void
dispatch_clock_start (DispatchClock *clock,
                      gint64         now)
{
  clock->started = clock->last_read = now;
  clock->next_read = clock->stride = 1;
}

/* TRUE once the dispatch has run for DISPATCH_BUDGET_USEC; @n_run callbacks
 * have run so far. */
static inline gboolean
dispatch_clock_spent (DispatchClock *clock,
                      guint          n_run)
{
  gint64 now;

  if (G_LIKELY (n_run < clock->next_read))
    return FALSE;

  now = g_get_monotonic_time ();
  if (now - clock->started > DISPATCH_BUDGET_USEC)
    return TRUE;

  if (now - clock->last_read < (gint64) clock->stride * DISPATCH_QUICK_USEC)
    clock->stride = MIN (clock->stride * 2, DISPATCH_STRIDE_MAX);
  else
    clock->stride = 1;
  clock->last_read = now;
  clock->next_read = n_run + clock->stride;

  return FALSE;
}

static gboolean
scheduler_dispatch (GSource    *source,
                    GSourceFunc callback,
                    gpointer    user_data)
{
  AsyncScheduler *self = ((SchedulerSource *) source)->scheduler;
  AsyncScheduler *previous = dispatching;
  gint64 previous_started = self->hot.dispatch_started;
  DispatchClock clock;
  guint n_run = 0;

  dispatch_clock_start (&clock, g_get_monotonic_time ());
  dispatching = self;
  self->hot.dispatch_started = clock.started;

  scheduler_fire_timers (self);

  /* Take the queue a batch at a time: work queued by these callbacks goes on
   * the end, and runs in this dispatch too unless the budget is spent. What
   * is left of a batch stays in @batch for the next dispatch, or for a
   * nested one. */
  for (;;)
    {
      AsyncContinuation *continuation;

      if (self->batch == NULL)
        {
          g_mutex_lock (&self->lock);
          self->batch = self->ready_head;
          self->batch_tail = self->ready_tail;
          RELAXED_SET (self->ready_head, NULL);
          self->ready_tail = NULL;
          g_mutex_unlock (&self->lock);

          if (self->batch == NULL)
            break;
        }

      continuation = self->batch;
      self->batch = continuation->next;
      if (G_UNLIKELY (slow_callback_usec != 0))
        run_timed (continuation);
      else
        async_continuation_run (continuation);

      if (dispatch_clock_spent (&clock, ++n_run))
        break;
    }

  dispatching = previous;
  self->hot.dispatch_started = previous_started;

  return G_SOURCE_CONTINUE;
}

static void scheduler_shut (AsyncScheduler *self);

static void
scheduler_finalize (GSource *source)
{
  async_scheduler_unref (((SchedulerSource *) source)->scheduler);
}

static GSourceFuncs scheduler_funcs = {
  scheduler_prepare,
  scheduler_check,
  scheduler_dispatch,
  scheduler_finalize,
  NULL,
  NULL,
};

/* The source's callback exists for two things: its destroy notify, which
 * GLib calls when the source is destroyed (by async_scheduler_close () or
 * by its context being freed) while the context is still whole; and
 * g_main_context_find_source_by_funcs_user_data (), which finds it by the
 * data its get () reports, NULL. GLib also refs and unrefs it around each
 * dispatch, so the scheduler shuts when the count reaches 0: after a
 * dispatch that destroyed its own source has returned. */
static void
scheduler_callback_ref (gpointer data)
{
  AsyncScheduler *self = data;

  g_atomic_int_inc (&self->callback_refs);
}

static void
scheduler_callback_unref (gpointer data)
{
  AsyncScheduler *self = data;

  if (g_atomic_int_dec_and_test (&self->callback_refs))
    scheduler_shut (self);
}

static gboolean
scheduler_no_callback (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
scheduler_callback_get (gpointer     data,
                        GSource     *source,
                        GSourceFunc *func,
                        gpointer    *user_data)
{
  if (func != NULL)
    *func = scheduler_no_callback;
  *user_data = NULL;
}

static GSourceCallbackFuncs scheduler_callback_funcs = {
  scheduler_callback_ref,
  scheduler_callback_unref,
  scheduler_callback_get,
};

static void
debug_mode_init (void)
{
  static const GDebugKey keys[] = {
    { "slow-callbacks", 1 },
  };
  const char *debug = g_getenv ("ASYNC_GLIB_DEBUG");

  if (debug != NULL && (g_parse_debug_string (debug, keys, G_N_ELEMENTS (keys)) & 1))
    slow_callback_usec = SLOW_CALLBACK_USEC;
}

/* Called with @schedulers_lock held. */
static AsyncScheduler *
scheduler_new (GMainContext *context)
{
  AsyncScheduler *self = g_new0 (AsyncScheduler, 1);
  SchedulerSource *source;

  if (all_schedulers == NULL)
    {
      all_schedulers = g_ptr_array_new ();
      debug_mode_init ();
    }
  g_ptr_array_add (all_schedulers, self);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->context = context;
  async_timer_heap_init (&self->timers);
  if (!wake_open (self))
    g_error ("async-glib: could not create the file descriptor that wakes a main context: %s",
             g_strerror (errno));

  source = (SchedulerSource *) g_source_new (&scheduler_funcs, sizeof (SchedulerSource));
  source->scheduler = async_scheduler_ref (self);
  g_source_set_name (&source->source, "AsyncScheduler");
  g_source_set_can_recurse (&source->source, TRUE);
  self->callback_refs = 1;
  g_source_set_callback_indirect (&source->source, self, &scheduler_callback_funcs);
  g_source_add_unix_fd (&source->source, self->wake_read, G_IO_IN);
  g_source_attach (&source->source, context);
  g_source_unref (&source->source);
  self->source = &source->source;

  return self;
}

/* --- public to lib/ ------------------------------------------------------ */

/* Returns a new reference to the scheduler of @context, which the caller
 * holds alive. */
static AsyncScheduler *
scheduler_lookup (GMainContext *context)
{
  AsyncScheduler *self = NULL;
  GSource *source;

  g_mutex_lock (&schedulers_lock);

  /* The context's own list of sources is the registry: an entry cannot
   * outlive the context, nor be found in a new context at the old one's
   * address. */
  source = g_main_context_find_source_by_funcs_user_data (context, &scheduler_funcs, NULL);
  if (source != NULL)
    self = async_scheduler_ref (((SchedulerSource *) source)->scheduler);
  else
    self = scheduler_new (context);

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
                !g_atomic_int_get (&cache->scheduler->closed)))
    return cache->scheduler;

  if (cache == NULL)
    {
      cache = g_new0 (SchedulerCache, 1);
      g_private_set (&scheduler_cache, cache);
    }

  if (cache->scheduler != NULL)
    async_scheduler_unref (cache->scheduler);
  cache->context = context;
  cache->scheduler = scheduler_lookup (context);

  return cache->scheduler;
}

AsyncScheduler *
async_scheduler_get_for_context (GMainContext *context)
{
  return scheduler_lookup (context);
}

AsyncScheduler *
async_scheduler_get_dispatching_ (void)
{
  return dispatching;
}

GPtrArray *
async_scheduler_list_all (void)
{
  GPtrArray *schedulers = g_ptr_array_new_with_free_func ((GDestroyNotify) async_scheduler_unref);
  guint i;

  g_mutex_lock (&schedulers_lock);
  for (i = 0; all_schedulers != NULL && i < all_schedulers->len; i++)
    {
      AsyncScheduler *self = g_ptr_array_index (all_schedulers, i);
      gint count;

      /* One whose last reference is being dropped is about to leave the
       * list: skip it rather than revive it. */
      do
        count = g_atomic_int_get (&self->ref_count);
      while (count > 0 && !g_atomic_int_compare_and_exchange (&self->ref_count, count, count + 1));
      if (count > 0)
        g_ptr_array_add (schedulers, self);
    }
  g_mutex_unlock (&schedulers_lock);

  return schedulers;
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

  g_mutex_lock (&schedulers_lock);
  g_ptr_array_remove_fast (all_schedulers, self);
  g_mutex_unlock (&schedulers_lock);

  /* The source holds a reference until its finalize, after it closed us. */
  g_assert (self->closed);
  g_assert (self->ready_head == NULL && self->batch == NULL);
  async_timer_heap_clear (&self->timers);
  g_mutex_clear (&self->lock);
  g_free (self);
}

gboolean
async_scheduler_is_current (AsyncScheduler *self)
{
  gboolean owner;

  if (dispatching == self)
    return TRUE;

  /* Under our lock, the context cannot finish being freed: its sources'
   * destroy notifies, ours among them, run before its mutex is cleared. */
  g_mutex_lock (&self->lock);
  owner = self->context != NULL && g_main_context_is_owner (self->context);
  g_mutex_unlock (&self->lock);

  return owner;
}

gboolean
async_scheduler_is_closed (AsyncScheduler *self)
{
  return g_atomic_int_get (&self->closed);
}

gboolean
async_scheduler_push_ready (AsyncScheduler    *self,
                            AsyncContinuation *first,
                            AsyncContinuation *last)
{
  /* Queued by a callback of this scheduler's own dispatch, with nothing
   * from another thread waiting: the end of the batch being run is the end
   * of the queue, and only this thread touches it. Otherwise what another
   * thread queued first must run first, and the lock orders the two. */
  if (dispatching == self && RELAXED_GET (self->ready_head) == NULL &&
      !g_atomic_int_get (&self->closed))
    {
      if (self->batch == NULL)
        self->batch = first;
      else
        self->batch_tail->next = first;
      self->batch_tail = last;
      return TRUE;
    }

  g_mutex_lock (&self->lock);

  if (G_UNLIKELY (self->closed))
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }

  if (self->ready_head == NULL)
    {
      RELAXED_SET (self->ready_head, first);
      scheduler_wake_unlocked (self);
    }
  else
    {
      self->ready_tail->next = first;
    }
  self->ready_tail = last;

  g_mutex_unlock (&self->lock);

  return TRUE;
}

void
async_scheduler_call_soon (AsyncScheduler     *self,
                           AsyncFutureCallback func,
                           gpointer            user_data,
                           GDestroyNotify      user_data_destroy)
{
  AsyncContinuation *continuation = g_new (AsyncContinuation, 1);

  async_continuation_init (continuation, self, func, user_data, user_data_destroy);
  continuation->embedded = FALSE;
  if (!async_scheduler_push_ready (self, continuation, continuation))
    async_continuation_drop_all (continuation);
}

void
async_scheduler_add_timer (AsyncScheduler *self,
                           AsyncTimer     *timer,
                           gint64          deadline)
{
  g_mutex_lock (&self->lock);

  /* A new earliest deadline shortens the poll a sleeping loop is in. */
  if (async_timer_heap_add (&self->timers, timer, deadline) && !self->closed)
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
      async_timer_heap_remove (&self->timers, timer);
      removed = TRUE;
    }
  g_mutex_unlock (&self->lock);

  return removed;
}

static void
held_unlink_unlocked (AsyncScheduler *self,
                      AsyncHeld      *held)
{
  if (!held->listed)
    return;

  if (held->prev != NULL)
    held->prev->next = held->next;
  else
    self->held = held->next;
  if (held->next != NULL)
    held->next->prev = held->prev;
  held->prev = held->next = NULL;
  held->listed = FALSE;
}

void
async_scheduler_hold (AsyncScheduler *self,
                      AsyncHeld      *held,
                      AsyncFuture    *future,
                      void          (*closed) (AsyncHeld *held))
{
  held->future = future;
  held->closed = closed;
  held->prev = NULL;

  g_mutex_lock (&self->lock);
  RELAXED_SET (self->n_held, self->n_held + 1);
  held->next = self->held;
  if (self->held != NULL)
    self->held->prev = held;
  self->held = held;
  held->listed = TRUE;
  g_mutex_unlock (&self->lock);
}

void
async_scheduler_unlist (AsyncScheduler *self,
                        AsyncHeld      *held)
{
  g_mutex_lock (&self->lock);
  held_unlink_unlocked (self, held);
  g_mutex_unlock (&self->lock);
}

void
async_scheduler_release (AsyncScheduler *self,
                         AsyncHeld      *held)
{
  g_mutex_lock (&self->lock);
  if (held != NULL)
    held_unlink_unlocked (self, held);
  RELAXED_SET (self->n_held, self->n_held - 1);
  /* async_run () waits for the count to reach 0: wake it. */
  if (self->n_held == 0 && !self->closed)
    scheduler_wake_unlocked (self);
  g_mutex_unlock (&self->lock);
}

guint
async_scheduler_get_n_held (AsyncScheduler *self)
{
  return (guint) RELAXED_GET (self->n_held);
}

typedef struct
{
  AsyncFuture *future;   /* a reference */
  AsyncHeld   *held;
} HeldItem;

static void
held_item_clear (gpointer data)
{
  async_future_unref (((HeldItem *) data)->future);
}

/* References to the listed futures, taken under the lock: a listed future
 * is alive, since its owner unlists it before dropping its reference. */
static GArray *
held_collect_unlocked (AsyncScheduler *self,
                       gboolean        unlist)
{
  GArray *items = g_array_new (FALSE, FALSE, sizeof (HeldItem));
  AsyncHeld *held, *next;

  g_array_set_clear_func (items, held_item_clear);
  for (held = self->held; held != NULL; held = next)
    {
      HeldItem item = { async_future_ref (held->future), held };

      next = held->next;
      g_array_append_val (items, item);
      if (unlist)
        {
          held->prev = held->next = NULL;
          held->listed = FALSE;
        }
    }
  if (unlist)
    self->held = NULL;

  return items;
}

GPtrArray *
async_scheduler_list_held (AsyncScheduler *self)
{
  GPtrArray *futures;
  GArray *items;
  guint i;

  g_mutex_lock (&self->lock);
  items = held_collect_unlocked (self, FALSE);
  g_mutex_unlock (&self->lock);

  futures = g_ptr_array_new_full (items->len, (GDestroyNotify) async_future_unref);
  for (i = 0; i < items->len; i++)
    g_ptr_array_add (futures, async_future_ref (g_array_index (items, HeldItem, i).future));
  g_array_unref (items);

  return futures;
}

guint
async_scheduler_cancel_held (AsyncScheduler *self)
{
  GArray *items;
  guint i, n;

  g_mutex_lock (&self->lock);
  items = held_collect_unlocked (self, FALSE);
  g_mutex_unlock (&self->lock);

  for (i = 0; i < items->len; i++)
    async_future_cancel (g_array_index (items, HeldItem, i).future);

  n = items->len;
  g_array_unref (items);

  return n;
}

void
async_scheduler_close (AsyncScheduler *self)
{
  GSource *source;

  /* Until the scheduler shuts, the context holds the source alive. */
  g_mutex_lock (&self->lock);
  source = self->source != NULL ? g_source_ref (self->source) : NULL;
  g_mutex_unlock (&self->lock);

  if (source == NULL)
    return;

  /* Its callback's destroy notify shuts the scheduler. */
  g_source_destroy (source);
  g_source_unref (source);
}

static void
scheduler_shut (AsyncScheduler *self)
{
  AsyncContinuation *ready;
  AsyncTimer **timers;
  GArray *held;
  guint n_timers, i;

  g_mutex_lock (&self->lock);
  g_atomic_int_set (&self->closed, TRUE);
  self->context = NULL;
  self->source = NULL;
  wake_close_unlocked (self);

  ready = self->ready_head;
  RELAXED_SET (self->ready_head, NULL);
  self->ready_tail = NULL;

  /* The expired batch first: those are the earliest. */
  n_timers = self->expired_length - self->expired_next + self->timers.length;
  timers = g_new (AsyncTimer *, n_timers + 1);
  for (i = 0; self->expired_next < self->expired_length; i++)
    timers[i] = self->expired[self->expired_next++];
  while ((timers[i] = async_timer_heap_pop_expired (&self->timers, ASYNC_DEADLINE_NEVER)) != NULL)
    i++;

  held = held_collect_unlocked (self, TRUE);
  g_mutex_unlock (&self->lock);

  /* Closed from a callback of its own dispatch, or with nobody dispatching:
   * either way the batch is this thread's. */
  async_continuation_drop_all (self->batch);
  self->batch = NULL;
  async_continuation_drop_all (ready);

  for (i = 0; i < n_timers; i++)
    timers[i]->callback (timers[i], FALSE);
  g_free (timers);

  for (i = 0; i < held->len; i++)
    {
      HeldItem *item = &g_array_index (held, HeldItem, i);

      if (item->held->closed != NULL)
        item->held->closed (item->held);
      else
        async_future_cancel (item->future);
    }
  g_array_unref (held);
}
