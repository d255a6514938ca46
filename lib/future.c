/* future.c: AsyncFuture: a ref-counted outcome, settled once from any thread,
 * whose continuations are queued on the scheduler of the context they were
 * attached from (see scheduler.c). */

#include "config.h"

#include <string.h>

#include "future-private.h"
#include "scheduler-private.h"

/* Thread safety, with two atomic words and no lock (an atomic operation
 * costs more than the rest of a settle):
 *
 * - @bits: the first settle claims the future with a compare-and-swap that
 *   also records the kind of its value; any later one sees the claim and
 *   returns FALSE. Only the claimant writes the value.
 * - @head: attaching pushes a node with a compare-and-swap while the future
 *   is pending. The claimant, once the value is written, swaps in the state
 *   (the release that publishes the value) with ASYNC_FUTURE_QUEUING, queues
 *   the nodes it took, and clears ASYNC_FUTURE_QUEUING with a plain release
 *   store. An attach that sees ASYNC_FUTURE_QUEUING waits for it to clear,
 *   as it waited for the lock this replaces: queuing never runs user code,
 *   so the wait is short, and the order of continuations is kept.
 *
 * Readers of a settled future need nothing more than an acquire load of
 * @head: once settled, the value never changes again (except through
 * async_future_steal_value (), which exchanges it atomically). */

#ifdef __ATOMIC_RELEASE
# define HEAD_STORE_RELEASE(future, value) \
  __atomic_store_n (&(future)->head, (value), __ATOMIC_RELEASE)
#else
# define HEAD_STORE_RELEASE(future, value) g_atomic_pointer_set (&(future)->head, (value))
#endif

/* g_atomic_pointer_exchange () is GLib 2.74's; we build with 2.68. */
static inline gpointer
pointer_exchange (gpointer *location,
                  gpointer  value)
{
#ifdef __ATOMIC_SEQ_CST
  return __atomic_exchange_n (location, value, __ATOMIC_SEQ_CST);
#else
  gpointer old;

  do
    old = g_atomic_pointer_get (location);
  while (!g_atomic_pointer_compare_and_exchange (location, old, value));
  return old;
#endif
}

#define HEAD_TAG(state) GSIZE_TO_POINTER ((gsize) (state))

/* The tag takes three low bits of a node's address. */
G_STATIC_ASSERT (G_ALIGNOF (AsyncContinuation) >= 8);

static inline AsyncFutureState
future_state (AsyncFuture *future)
{
  return GPOINTER_TO_SIZE (g_atomic_pointer_get (&future->head)) & ASYNC_FUTURE_HEAD_STATE;
}

static inline void
spin_pause (guint *spins)
{
  if (++*spins > 64)
    g_thread_yield ();
}

/* The head once no settle is queuing its continuations. */
static gpointer
future_head_wait_queued (AsyncFuture *future,
                         gpointer     head)
{
  guint spins = 0;

  while (GPOINTER_TO_SIZE (head) & ASYNC_FUTURE_QUEUING)
    {
      spin_pause (&spins);
      head = g_atomic_pointer_get (&future->head);
    }

  return head;
}

/* A settle that lost the claim returns once the winner's outcome shows, as
 * it did when it waited for the winner's lock: the caller may look at it. */
static void
future_wait_published (AsyncFuture *future)
{
  guint spins = 0;

  while (future_state (future) == ASYNC_FUTURE_PENDING)
    spin_pause (&spins);
}

gpointer
async_future_alloc (const AsyncFutureClass *klass,
                    gsize                   size,
                    const char             *where)
{
  AsyncFuture *future;

  g_assert (size >= sizeof (AsyncFuture));

  /* malloc and memset, not calloc: glibc's calloc bypasses its per-thread
   * cache, and a future is the most allocated object there is. */
  future = g_malloc (size);
  memset (future, 0, size);
  future->klass = klass;
  g_atomic_ref_count_init (&future->ref_count);
  future->where = where;

  return future;
}

/**
 * async_future_new_at:
 * @where: (nullable): where the future was made, as `G_STRLOC`; a static
 *   string
 *
 * Creates a pending future; use async_future_new(), which fills @where.
 * @where is kept, not copied: a binding passes %NULL.
 *
 * Returns: (transfer full): a new pending future
 *
 * Since: 0.1
 */
AsyncFuture *
async_future_new_at (const char *where)
{
  return async_future_alloc (NULL, sizeof (AsyncFuture), where);
}

/**
 * async_future_new_resolved: (skip)
 * @value: (transfer full) (nullable): the value
 * @value_destroy: (nullable): frees @value when the future is freed
 *
 * Creates a future already resolved with @value.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
AsyncFuture *
async_future_new_resolved (gpointer       value,
                           GDestroyNotify value_destroy)
{
  AsyncFuture *future = async_future_new ();

  async_future_resolve (future, value, value_destroy);

  return future;
}

/**
 * async_future_new_int:
 * @value: the value
 *
 * Creates a future already resolved with an integer; read it with
 * async_future_get_int().
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
AsyncFuture *
async_future_new_int (gint64 value)
{
  AsyncFuture *future = async_future_new ();

  async_future_resolve_int (future, value);

  return future;
}

/**
 * async_future_new_boolean:
 * @value: the value
 *
 * Creates a future already resolved with a boolean; read it with
 * async_future_get_boolean().
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
AsyncFuture *
async_future_new_boolean (gboolean value)
{
  return async_future_new_int (value != FALSE);
}

/**
 * async_future_new_rejected_at:
 * @where: (nullable): where the future was made, as `G_STRLOC`
 * @error: (transfer full): the error
 *
 * Creates a future already rejected with @error; use
 * async_future_new_rejected(), which fills @where, so that a warning about
 * an error nobody retrieved names the caller.
 *
 * Returns: (transfer full): a rejected future
 *
 * Since: 0.1
 */
AsyncFuture *
async_future_new_rejected_at (const char *where,
                              GError     *error)
{
  AsyncFuture *future;

  g_return_val_if_fail (error != NULL, NULL);

  future = async_future_new_at (where);
  async_future_reject (future, error);

  return future;
}

/**
 * async_future_new_cancelled:
 *
 * Creates a future already cancelled.
 *
 * Returns: (transfer full): a cancelled future
 *
 * Since: 0.1
 */
AsyncFuture *
async_future_new_cancelled (void)
{
  AsyncFuture *future = async_future_new ();

  async_future_cancel (future);

  return future;
}

/**
 * async_future_ref:
 * @future: a future
 *
 * Takes a reference. Any thread.
 *
 * Returns: (transfer full): @future
 *
 * Since: 0.1
 */
AsyncFuture *
async_future_ref (AsyncFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  /* g_atomic_int_* are inlined; GLib's g_atomic_ref_count_* are calls
   * (unless G_DISABLE_CHECKS), and this is the hottest path there is. */
  g_atomic_int_inc (&future->ref_count);

  return future;
}

void
async_continuation_init (AsyncContinuation  *continuation,
                         AsyncScheduler     *scheduler,
                         AsyncFutureCallback callback,
                         gpointer            user_data,
                         GDestroyNotify      user_data_destroy)
{
  continuation->next = NULL;
  continuation->scheduler = async_scheduler_ref (scheduler);
  continuation->future = NULL;
  continuation->callback = callback;
  continuation->user_data = user_data;
  continuation->user_data_destroy = user_data_destroy;
  continuation->borrows_scheduler = FALSE;
}

void
async_continuation_init_borrowing (AsyncContinuation  *continuation,
                                   AsyncScheduler     *scheduler,
                                   AsyncFutureCallback callback,
                                   gpointer            user_data,
                                   GDestroyNotify      user_data_destroy)
{
  continuation->next = NULL;
  continuation->scheduler = scheduler;
  continuation->future = NULL;
  continuation->callback = callback;
  continuation->user_data = user_data;
  continuation->user_data_destroy = user_data_destroy;
  continuation->embedded = TRUE;
  continuation->borrows_scheduler = TRUE;
}

static void
continuation_release (AsyncContinuation  *continuation,
                      AsyncFutureCallback callback)
{
  /* Everything is read before @callback runs: an embedded node may be
   * reused, or freed with its owner, by it. */
  AsyncScheduler *scheduler = continuation->borrows_scheduler ? NULL : continuation->scheduler;
  AsyncFuture *future = continuation->future;
  gpointer user_data = continuation->user_data;
  GDestroyNotify user_data_destroy = continuation->user_data_destroy;

  if (!continuation->embedded)
    g_free (continuation);

  if (callback != NULL)
    callback (future, user_data);
  if (user_data_destroy != NULL)
    user_data_destroy (user_data);
  if (future != NULL)
    async_future_unref (future);
  if (scheduler != NULL)
    async_scheduler_unref (scheduler);
}

void
async_continuation_run (AsyncContinuation *continuation)
{
  continuation_release (continuation, continuation->callback);
}

void
async_continuation_drop_all (AsyncContinuation *first)
{
  while (first != NULL)
    {
      AsyncContinuation *next = first->next;

      continuation_release (first, NULL);
      first = next;
    }
}

static void
future_finalize (AsyncFuture *future)
{
  AsyncFutureState state = future_state (future);

  if (state == ASYNC_FUTURE_REJECTED &&
      (g_atomic_int_get (&future->bits) & ASYNC_FUTURE_ERROR_SEEN) == 0)
    g_warning ("A future created at %s was rejected and freed, but nobody retrieved its error: %s",
               future->where != NULL ? future->where : "an unknown place",
               future->value.error->message);

  if (future->klass != NULL && future->klass->finalize != NULL)
    future->klass->finalize (future);

  if (state == ASYNC_FUTURE_RESOLVED)
    {
      if (future->value_destroy != NULL && future->value.pointer != NULL)
        future->value_destroy (future->value.pointer);
    }
  else if (state != ASYNC_FUTURE_PENDING)
    {
      g_error_free (future->value.error);
    }

  /* A future freed while pending can no longer settle: what waited on it
   * will never run. */
  if (state == ASYNC_FUTURE_PENDING)
    async_continuation_drop_all (future->head);

  g_free (future);
}

/**
 * async_future_unref:
 * @future: (transfer full): a future
 *
 * Drops a reference; the last one frees the future and its value. A
 * rejected future whose error nobody retrieved warns once, here, naming
 * where it was created. Any thread.
 *
 * Since: 0.1
 */
void
async_future_unref (AsyncFuture *future)
{
  g_return_if_fail (future != NULL);

  if (g_atomic_int_dec_and_test (&future->ref_count))
    future_finalize (future);
}

/* Queues the continuations of a future that has just settled, in the order
 * they were attached, taking each scheduler's lock once per run of nodes
 * that share it. Returns those a closed scheduler refused, for the caller
 * to drop once it holds no lock. */
static AsyncContinuation *
future_queue_continuations (AsyncFuture       *future,
                            AsyncContinuation *newest_first)
{
  AsyncContinuation *first = NULL;
  AsyncContinuation *refused = NULL;

  while (newest_first != NULL)
    {
      AsyncContinuation *next = newest_first->next;

      newest_first->next = first;
      newest_first->future = async_future_ref (future);
      first = newest_first;
      newest_first = next;
    }

  while (first != NULL)
    {
      AsyncContinuation *last = first;

      while (last->next != NULL && last->next->scheduler == first->scheduler)
        last = last->next;

      newest_first = last->next;
      last->next = NULL;
      if (!async_scheduler_push_ready (first->scheduler, first, last))
        {
          last->next = refused;
          refused = first;
        }
      first = newest_first;
    }

  return refused;
}

typedef enum
{
  VALUE_POINTER,
  VALUE_INTEGER,
  VALUE_BORROWED,
} ValueKind;

/* Settles @future; returns FALSE (and frees nothing) if it had settled. */
static gboolean
future_settle (AsyncFuture     *future,
               AsyncFutureState state,
               ValueKind        kind,
               gpointer         pointer,
               gint64           integer,
               GDestroyNotify   value_destroy,
               GError          *error)
{
  AsyncContinuation *continuations, *refused;
  gint claim = ASYNC_FUTURE_CLAIMED;
  gint bits;
  gpointer head;

  if (error == NULL && kind == VALUE_INTEGER)
    claim |= ASYNC_FUTURE_VALUE_INTEGER;
  else if (error == NULL && kind == VALUE_BORROWED)
    claim |= ASYNC_FUTURE_VALUE_BORROWED;

  do
    {
      bits = g_atomic_int_get (&future->bits);
      if (bits & ASYNC_FUTURE_CLAIMED)
        {
          future_wait_published (future);
          return FALSE;
        }
    }
  while (!g_atomic_int_compare_and_exchange (&future->bits, bits, bits | claim));

  if (error != NULL)
    future->value.error = error;
  else if (kind == VALUE_INTEGER)
    future->value.integer = integer;
  else
    future->value.pointer = pointer;
  future->value_destroy = value_destroy;

  /* Nobody waiting: one compare-and-swap publishes the state. */
  head = g_atomic_pointer_get (&future->head);
  if (head == NULL &&
      g_atomic_pointer_compare_and_exchange (&future->head, NULL, HEAD_TAG (state)))
    return TRUE;

  continuations = pointer_exchange (&future->head, HEAD_TAG (state | ASYNC_FUTURE_QUEUING));
  refused = future_queue_continuations (future, continuations);
  HEAD_STORE_RELEASE (future, HEAD_TAG (state));

  /* What a closed scheduler refused is dropped now, after the attaches
   * waiting on us were let go: it runs the callers' destroy notifies. */
  async_continuation_drop_all (refused);

  return TRUE;
}

static AsyncFutureState
state_for_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return ASYNC_FUTURE_CANCELLED;

  return ASYNC_FUTURE_REJECTED;
}

/* Settling a future that was resolved or rejected is a programming error;
 * settling one that was cancelled is the race every producer has with its
 * consumers, and is quietly ignored. */
static void
warn_settled_twice (AsyncFuture *future)
{
  if (future_state (future) != ASYNC_FUTURE_CANCELLED)
    g_warning ("A future created at %s was settled twice; the first outcome is kept",
               future->where != NULL ? future->where : "an unknown place");
}

/**
 * async_future_resolve: (skip)
 * @future: a pending future
 * @value: (transfer full) (nullable): its value
 * @value_destroy: (nullable): frees @value when the future is freed
 *
 * Resolves @future and queues its continuations. Any thread. A future
 * settles once: if @future had already settled, @value is freed at once and
 * the first outcome stays (with a warning, unless it was cancelled).
 *
 * Returns: %TRUE if this call settled @future
 *
 * Since: 0.1
 */
gboolean
async_future_resolve (AsyncFuture   *future,
                      gpointer       value,
                      GDestroyNotify value_destroy)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (future_settle (future, ASYNC_FUTURE_RESOLVED, VALUE_POINTER, value, 0, value_destroy, NULL))
    return TRUE;

  warn_settled_twice (future);
  if (value_destroy != NULL && value != NULL)
    value_destroy (value);

  return FALSE;
}

/**
 * async_future_resolve_int:
 * @future: a pending future
 * @value: its value
 *
 * Resolves @future with an integer, as async_future_resolve().
 *
 * Returns: %TRUE if this call settled @future
 *
 * Since: 0.1
 */
gboolean
async_future_resolve_int (AsyncFuture *future,
                          gint64       value)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (future_settle (future, ASYNC_FUTURE_RESOLVED, VALUE_INTEGER, NULL, value, NULL, NULL))
    return TRUE;

  warn_settled_twice (future);

  return FALSE;
}

/**
 * async_future_resolve_boolean:
 * @future: a pending future
 * @value: its value
 *
 * Resolves @future with a boolean, as async_future_resolve().
 *
 * Returns: %TRUE if this call settled @future
 *
 * Since: 0.1
 */
gboolean
async_future_resolve_boolean (AsyncFuture *future,
                              gboolean     value)
{
  return async_future_resolve_int (future, value != FALSE);
}

/**
 * async_future_reject:
 * @future: a pending future
 * @error: (transfer full): why it failed
 *
 * Rejects @future, as async_future_resolve(). An error of
 * %G_IO_ERROR_CANCELLED makes it cancelled.
 *
 * Returns: %TRUE if this call settled @future
 *
 * Since: 0.1
 */
gboolean
async_future_reject (AsyncFuture *future,
                     GError      *error)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  if (future_settle (future, state_for_error (error), VALUE_POINTER, NULL, 0, NULL, error))
    return TRUE;

  warn_settled_twice (future);
  g_error_free (error);

  return FALSE;
}

/**
 * async_future_reject_literal:
 * @future: a pending future
 * @domain: the error domain
 * @code: the error code
 * @message: the error message
 *
 * Rejects @future with a new #GError, as async_future_reject().
 *
 * Returns: %TRUE if this call settled @future
 *
 * Since: 0.1
 */
gboolean
async_future_reject_literal (AsyncFuture *future,
                             GQuark       domain,
                             gint         code,
                             const char  *message)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  return async_future_reject (future, g_error_new_literal (domain, code, message));
}

/* The quiet settle of producers, which race with cancellation by design. */
static gboolean
future_cancel_now (AsyncFuture *future)
{
  return async_future_reject_quietly (future,
                                      g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                           "The operation was cancelled"));
}

/**
 * async_future_cancel:
 * @future: a future
 *
 * Cancels @future: a pending future settles as cancelled, and what produces
 * it is told to stop (a sleep's timer is removed, a pool job's
 * #GCancellable is cancelled, a gather's children are cancelled). A
 * coroutine's future is a request, as asyncio's `Task.cancel()`: what it
 * awaits is cancelled, it resumes with %G_IO_ERROR_CANCELLED, and its future
 * settles when it ends. Any thread.
 *
 * Returns: %TRUE if this call cancelled @future, or made the request to a
 *   coroutine; %FALSE if it had settled (or another thread settled it
 *   first)
 *
 * Since: 0.1
 */
gboolean
async_future_cancel (AsyncFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (future_state (future) != ASYNC_FUTURE_PENDING)
    return FALSE;

  if (future->klass != NULL && future->klass->cancel != NULL)
    return future->klass->cancel (future);

  return future_cancel_now (future);
}

gboolean
async_future_cancel_quietly (AsyncFuture *future)
{
  return future_cancel_now (future);
}

gboolean
async_future_resolve_quietly (AsyncFuture   *future,
                              gpointer       value,
                              GDestroyNotify value_destroy)
{
  if (async_future_try_resolve (future, value, value_destroy))
    return TRUE;

  if (value_destroy != NULL && value != NULL)
    value_destroy (value);

  return FALSE;
}

gboolean
async_future_try_resolve (AsyncFuture   *future,
                          gpointer       value,
                          GDestroyNotify value_destroy)
{
  return future_settle (future, ASYNC_FUTURE_RESOLVED, VALUE_POINTER, value, 0, value_destroy, NULL);
}

gboolean
async_future_reject_quietly (AsyncFuture *future,
                             GError      *error)
{
  if (future_settle (future, state_for_error (error), VALUE_POINTER, NULL, 0, NULL, error))
    return TRUE;

  g_error_free (error);

  return FALSE;
}

gboolean
async_future_settle_from (AsyncFuture *future,
                          AsyncFuture *source)
{
  AsyncFutureState state = future_state (source);

  g_assert (state != ASYNC_FUTURE_PENDING);

  /* The value stays owned by @source, which the caller keeps alive. An
   * integer is copied whole, whatever the size of a pointer. */
  if (state == ASYNC_FUTURE_RESOLVED)
    {
      if (g_atomic_int_get (&source->bits) & ASYNC_FUTURE_VALUE_INTEGER)
        return future_settle (future, ASYNC_FUTURE_RESOLVED, VALUE_INTEGER,
                              NULL, source->value.integer, NULL, NULL);

      g_assert (future->klass != NULL && future->klass->value_owner != NULL);
      return future_settle (future, ASYNC_FUTURE_RESOLVED, VALUE_BORROWED,
                            source->value.pointer, 0, NULL, NULL);
    }

  async_future_mark_error_seen (source);

  return async_future_reject_quietly (future, g_error_copy (source->value.error));
}

gboolean
async_future_collect_valist (const char  *caller,
                             AsyncFuture *first,
                             va_list      args,
                             AsyncFuture *end,
                             GPtrArray   *futures)
{
  AsyncFuture *future = first;
  gboolean saw_null = FALSE;

  while (future != end)
    {
      if (future == NULL)
        {
          AsyncFuture *next = va_arg (args, AsyncFuture *);

          if (next == end)
            break;
          saw_null = TRUE;
          future = next;
          continue;
        }

      g_ptr_array_add (futures, future);
      future = va_arg (args, AsyncFuture *);
    }

  if (!saw_null)
    return TRUE;

  g_ptr_array_add (futures, NULL);
  async_future_array_check (caller, (AsyncFuture **) futures->pdata, futures->len);
  g_ptr_array_set_size (futures, 0);

  return FALSE;
}

gboolean
async_future_array_check (const char   *caller,
                          AsyncFuture **futures,
                          guint         n_futures)
{
  guint i, n_null = 0;

  for (i = 0; i < n_futures; i++)
    n_null += futures[i] == NULL;

  if (n_null == 0)
    return TRUE;

  g_critical ("%s: a NULL among the futures given; the other %u were released",
              caller, n_futures - n_null);
  for (i = 0; i < n_futures; i++)
    if (futures[i] != NULL)
      async_future_unref (futures[i]);

  return FALSE;
}

void
async_future_mark_error_seen (AsyncFuture *future)
{
  g_atomic_int_or (&future->bits, ASYNC_FUTURE_ERROR_SEEN);
}

void
async_future_then_on (AsyncFuture        *future,
                      AsyncScheduler     *scheduler,
                      AsyncFutureCallback callback,
                      gpointer            user_data,
                      GDestroyNotify      user_data_destroy)
{
  AsyncContinuation *continuation = g_new (AsyncContinuation, 1);

  async_continuation_init (continuation, scheduler, callback, user_data, user_data_destroy);
  continuation->embedded = FALSE;
  async_future_attach (future, continuation);
}

void
async_future_attach (AsyncFuture       *future,
                     AsyncContinuation *continuation)
{
  for (;;)
    {
      gpointer head = g_atomic_pointer_get (&future->head);

      if (GPOINTER_TO_SIZE (head) & ASYNC_FUTURE_QUEUING)
        head = future_head_wait_queued (future, head);
      if ((GPOINTER_TO_SIZE (head) & ASYNC_FUTURE_HEAD_STATE) != ASYNC_FUTURE_PENDING)
        break;

      continuation->next = head;
      if (g_atomic_pointer_compare_and_exchange (&future->head, head, continuation))
        return;
    }

  continuation->next = NULL;
  continuation->future = async_future_ref (future);
  if (!async_scheduler_push_ready (continuation->scheduler, continuation, continuation))
    async_continuation_drop_all (continuation);
}

/**
 * async_future_then:
 * @future: a future
 * @callback: called once @future has settled
 * @user_data: (closure): data for @callback
 * @user_data_destroy: (nullable): frees @user_data after @callback ran, or
 *   when @future is freed without settling
 *
 * Attaches a continuation (asyncio's `add_done_callback`). It is queued on
 * the scheduler of the thread-default #GMainContext of the calling thread,
 * and never runs inside this call, even if @future has settled already;
 * continuations of one future run in the order they were attached. Any
 * thread.
 *
 * Since: 0.1
 */
void
async_future_then (AsyncFuture        *future,
                   AsyncFutureCallback callback,
                   gpointer            user_data,
                   GDestroyNotify      user_data_destroy)
{
  g_return_if_fail (future != NULL);
  g_return_if_fail (callback != NULL);

  async_future_then_on (future, async_scheduler_get_thread_default (),
                        callback, user_data, user_data_destroy);
}

/**
 * async_future_get_state:
 * @future: a future
 *
 * Tells whether @future is pending, resolved, rejected or cancelled. Any
 * thread.
 *
 * Returns: where @future is in its life. Any thread.
 *
 * Since: 0.1
 */
AsyncFutureState
async_future_get_state (AsyncFuture *future)
{
  g_return_val_if_fail (future != NULL, ASYNC_FUTURE_PENDING);

  return future_state (future);
}

/**
 * async_future_is_pending:
 * @future: a future
 *
 * Whether @future is still to settle. Any thread.
 *
 * Returns: %TRUE if @future has not settled yet
 *
 * Since: 0.1
 */
gboolean
async_future_is_pending (AsyncFuture *future)
{
  return async_future_get_state (future) == ASYNC_FUTURE_PENDING;
}

/**
 * async_future_is_resolved:
 * @future: a future
 *
 * Whether @future settled with a value. Any thread.
 *
 * Returns: %TRUE if @future has a value
 *
 * Since: 0.1
 */
gboolean
async_future_is_resolved (AsyncFuture *future)
{
  return async_future_get_state (future) == ASYNC_FUTURE_RESOLVED;
}

/**
 * async_future_is_rejected:
 * @future: a future
 *
 * Whether @future settled with an error other than cancellation. Any thread.
 *
 * Returns: %TRUE if @future failed with an error other than cancellation
 *
 * Since: 0.1
 */
gboolean
async_future_is_rejected (AsyncFuture *future)
{
  return async_future_get_state (future) == ASYNC_FUTURE_REJECTED;
}

/**
 * async_future_is_cancelled:
 * @future: a future
 *
 * Whether @future settled by cancellation. Any thread.
 *
 * Returns: %TRUE if @future was cancelled
 *
 * Since: 0.1
 */
gboolean
async_future_is_cancelled (AsyncFuture *future)
{
  return async_future_get_state (future) == ASYNC_FUTURE_CANCELLED;
}

static inline gint
future_value_bits (AsyncFuture *future)
{
  return g_atomic_int_get (&future->bits) & (ASYNC_FUTURE_VALUE_INTEGER | ASYNC_FUTURE_VALUE_BORROWED);
}

/* The future that owns the value of a future that borrows it. */
static AsyncFuture *
future_value_owner (AsyncFuture *future)
{
  while (future_value_bits (future) & ASYNC_FUTURE_VALUE_BORROWED)
    future = future->klass->value_owner (future);

  return future;
}

/**
 * async_future_get_value: (skip)
 * @future: a resolved future
 *
 * Reads the value of a future resolved with a pointer. A future that
 * re-exposes another's value (async_wait_for(), async_shield()) reads it
 * from that future, which owns it. A future resolved with an integer has
 * no pointer: asking for one is a critical. Any thread.
 *
 * Returns: (transfer none) (nullable): the value of @future, owned by it
 *
 * Since: 0.1
 */
gpointer
async_future_get_value (AsyncFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (future_state (future) == ASYNC_FUTURE_RESOLVED, NULL);

  future = future_value_owner (future);
  g_return_val_if_fail ((future_value_bits (future) & ASYNC_FUTURE_VALUE_INTEGER) == 0 ||
                        future->value.integer == 0, NULL);

  return (future_value_bits (future) & ASYNC_FUTURE_VALUE_INTEGER) ? NULL : future->value.pointer;
}

/**
 * async_future_steal_value: (skip)
 * @future: a resolved future
 *
 * Takes the value out of the future that owns it, which keeps %NULL: for
 * the sole user of the value, as others reading it afterwards get %NULL.
 * On a future that re-exposes another's value (async_wait_for(),
 * async_shield()), the value is taken from that other future, so it has
 * one owner at every moment. A value that was given no destroy notify is
 * returned all the same, and stays owned by whoever owned it. A future
 * resolved with an integer has no value to steal: a critical.
 *
 * Returns: (transfer full) (nullable): the value
 *
 * Since: 0.1
 */
gpointer
async_future_steal_value (AsyncFuture *future)
{
  gpointer value;

  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (future_state (future) == ASYNC_FUTURE_RESOLVED, NULL);

  future = future_value_owner (future);
  g_return_val_if_fail ((future_value_bits (future) & ASYNC_FUTURE_VALUE_INTEGER) == 0, NULL);

  /* Two stealers: one gets the value, the other NULL. The destroy notify
   * stays, and finds NULL. */
  value = pointer_exchange (&future->value.pointer, NULL);

  return value;
}

/**
 * async_future_get_int:
 * @future: a future resolved with async_future_resolve_int()
 *
 * Reads an integer value. A future resolved with a non-%NULL pointer has
 * no integer: asking for one is a critical (a %NULL pointer reads as 0).
 * Any thread.
 *
 * Returns: the integer value of @future
 *
 * Since: 0.1
 */
gint64
async_future_get_int (AsyncFuture *future)
{
  g_return_val_if_fail (future != NULL, 0);
  g_return_val_if_fail (future_state (future) == ASYNC_FUTURE_RESOLVED, 0);

  future = future_value_owner (future);
  if (future_value_bits (future) & ASYNC_FUTURE_VALUE_INTEGER)
    return future->value.integer;

  g_return_val_if_fail (future->value.pointer == NULL, 0);

  return 0;
}

/**
 * async_future_get_boolean:
 * @future: a future resolved with async_future_resolve_boolean()
 *
 * Reads the boolean a future was resolved with. Any thread.
 *
 * Returns: the boolean value of @future
 *
 * Since: 0.1
 */
gboolean
async_future_get_boolean (AsyncFuture *future)
{
  return async_future_get_int (future) != 0;
}

/**
 * async_future_get_error:
 * @future: a future
 *
 * Reads the error of a rejected or cancelled future, and so marks it as
 * retrieved (no warning when the future is freed).
 *
 * Returns: (transfer none) (nullable): the error, or %NULL if @future is
 *   pending or resolved
 *
 * Since: 0.1
 */
const GError *
async_future_get_error (AsyncFuture *future)
{
  AsyncFutureState state;

  g_return_val_if_fail (future != NULL, NULL);

  state = future_state (future);
  if (state == ASYNC_FUTURE_PENDING || state == ASYNC_FUTURE_RESOLVED)
    return NULL;

  async_future_mark_error_seen (future);

  return future->value.error;
}

/**
 * async_future_propagate_error:
 * @future: a settled future
 * @error: return location for the error of @future
 *
 * The #GError idiom for a settled future: copies its error to @error, as
 * g_task_propagate_pointer() does.
 *
 * Returns: %TRUE if @future was resolved, %FALSE with @error set if it was
 *   rejected or cancelled (or is still pending: %G_IO_ERROR_PENDING)
 *
 * Since: 0.1
 */
gboolean
async_future_propagate_error (AsyncFuture  *future,
                              GError      **error)
{
  const GError *future_error;

  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (future_state (future) == ASYNC_FUTURE_RESOLVED)
    return TRUE;

  future_error = async_future_get_error (future);
  if (future_error == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   "The future created at %s has not settled yet",
                   future->where != NULL ? future->where : "an unknown place");
      return FALSE;
    }

  if (error != NULL)
    *error = g_error_copy (future_error);

  return FALSE;
}

/**
 * async_future_get_where:
 * @future: a future
 *
 * Tells where @future was made (`G_STRLOC` of the call that created it), as
 * its warnings do. Any thread.
 *
 * Returns: (transfer none) (nullable): where @future was created, as
 *   `file:line`
 *
 * Since: 0.1
 */
const char *
async_future_get_where (AsyncFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  return future->where;
}

void
async_future_abandon (AsyncFuture *future)
{
  /* A future that re-exposes another's outcome (wait_for, shield) passes
   * the refusal on to it. */
  while (future->klass != NULL && future->klass->abandon == NULL &&
         future->klass->value_owner != NULL)
    future = future->klass->value_owner (future);

  if (future->klass != NULL && future->klass->abandon != NULL)
    future->klass->abandon (future);
}
