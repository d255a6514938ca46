/* test-queue.c: AsyncQueue (FIFO, LIFO, priority), mirroring CPython's
 * Lib/test/test_asyncio/test_queues.py (QueueBasicTests, QueueGetTests,
 * QueuePutTests, the Lifo/Priority order tests, _QueueJoinTestMixin,
 * _QueueShutdownTestMixin for all three kinds), item ownership, and beyond
 * asyncio: producer threads feeding consumer coroutines (run under TSan). */

#include "config.h"

#include "test-util.h"

#define ITEM(i) GINT_TO_POINTER (i)

typedef enum
{
  KIND_FIFO,
  KIND_LIFO,
  KIND_PRIORITY,
} Kind;

static gint
compare_ints (gconstpointer a,
              gconstpointer b,
              gpointer      unused)
{
  return GPOINTER_TO_INT (a) - GPOINTER_TO_INT (b);
}

static AsyncQueue *
queue_new_of (Kind kind,
              gint maxsize)
{
  switch (kind)
    {
    case KIND_LIFO:
      return async_lifo_queue_new (maxsize, NULL);
    case KIND_PRIORITY:
      return async_priority_queue_new (maxsize, compare_ints, NULL, NULL);
    case KIND_FIFO:
    default:
      return async_queue_new (maxsize, NULL);
    }
}

/* A coroutine that gets @n items (recording each, calling task_done if
 * @done) or puts @n items from @items. A failure ends it with the error. */
typedef struct
{
  AsyncQueue *queue;
  GArray     *trace;
  guint       n;
  guint       i;
  gboolean    done;
  const gint *items;
  gint        sum;
} Worker;

static void
worker_free (gpointer data)
{
  Worker *self = data;

  async_queue_unref (self->queue);
  g_free (self);
}

static void
getter_body (AsyncCoroutine *co,
             gpointer        data)
{
  Worker *self = data;

  ASYNC_BEGIN (co);
  for (self->i = 0; self->i < self->n; self->i++)
    {
      gint value;

      ASYNC_AWAIT (co, async_queue_get (self->queue));
      value = GPOINTER_TO_INT (async_coroutine_get_value (co));
      self->sum += value;
      if (self->trace != NULL)
        g_array_append_val (self->trace, value);
      if (self->done)
        async_queue_task_done (self->queue);
    }
  ASYNC_RETURN_INT (co, self->sum);
  ASYNC_END (co);
}

static void
putter_body (AsyncCoroutine *co,
             gpointer        data)
{
  Worker *self = data;

  ASYNC_BEGIN (co);
  for (self->i = 0; self->i < self->n; self->i++)
    {
      ASYNC_AWAIT (co, async_queue_put (self->queue, ITEM (self->items[self->i])));
      if (self->trace != NULL)
        g_array_append_val (self->trace, self->items[self->i]);
    }
  ASYNC_END (co);
}

static AsyncFuture *
spawn_getter (AsyncQueue *queue,
              GArray     *trace,
              guint       n,
              gboolean    done)
{
  Worker *self = g_new0 (Worker, 1);

  self->queue = async_queue_ref (queue);
  self->trace = trace;
  self->n = n;
  self->done = done;
  return async_spawn (getter_body, self, worker_free);
}

static AsyncFuture *
spawn_putter (AsyncQueue *queue,
              GArray     *trace,
              const gint *items,
              guint       n)
{
  Worker *self = g_new0 (Worker, 1);

  self->queue = async_queue_ref (queue);
  self->trace = trace;
  self->items = items;
  self->n = n;
  return async_spawn (putter_body, self, worker_free);
}

static gint
get_now (AsyncQueue *queue)
{
  gpointer item = NULL;
  GError *error = NULL;

  g_assert_true (async_queue_get_nowait (queue, &item, &error));
  g_assert_no_error (error);
  return GPOINTER_TO_INT (item);
}

static void
put_now (AsyncQueue *queue,
         gint        value)
{
  GError *error = NULL;

  g_assert_true (async_queue_put_nowait (queue, ITEM (value), &error));
  g_assert_no_error (error);
}

static void
assert_rejected (AsyncFuture *future,
                 gint         code)
{
  test_await (future, 5);
  g_assert_true (async_future_is_rejected (future));
  g_assert_error (async_future_get_error (future), ASYNC_ERROR, code);
  async_future_unref (future);
}

/* ------------------------------------------------------------- basics */

/* test_empty, test_full, test_maxsize's accessors */
static void
test_empty_full (void)
{
  g_autoptr (AsyncQueue) unbounded = async_queue_new (0, NULL);
  g_autoptr (AsyncQueue) negative = async_queue_new (-3, NULL);
  g_autoptr (AsyncQueue) one = async_queue_new (1, NULL);

  g_assert_true (async_queue_is_empty (unbounded));
  g_assert_false (async_queue_is_full (unbounded));
  for (gint i = 0; i < 1000; i++)
    put_now (unbounded, i);
  g_assert_false (async_queue_is_full (unbounded));
  g_assert_cmpuint (async_queue_get_size (unbounded), ==, 1000);
  for (gint i = 0; i < 10; i++)
    put_now (negative, i);
  g_assert_false (async_queue_is_full (negative));
  g_assert_cmpint (async_queue_get_maxsize (negative), ==, -3);

  g_assert_cmpint (async_queue_get_maxsize (one), ==, 1);
  put_now (one, 1);
  g_assert_true (async_queue_is_full (one));
  g_assert_false (async_queue_is_empty (one));
  g_assert_cmpint (get_now (one), ==, 1);
  g_assert_true (async_queue_is_empty (one));
}

/* test_order (Queue, LifoQueue, PriorityQueue) */
static void
test_order (gconstpointer data)
{
  Kind kind = GPOINTER_TO_INT (data);
  g_autoptr (AsyncQueue) queue = queue_new_of (kind, 0);
  const gint items[] = { 1, 3, 2 };
  const gint fifo[] = { 1, 3, 2 }, lifo[] = { 2, 3, 1 }, priority[] = { 1, 2, 3 };
  const gint *expected = kind == KIND_FIFO ? fifo : kind == KIND_LIFO ? lifo : priority;

  for (guint i = 0; i < 3; i++)
    put_now (queue, items[i]);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (get_now (queue), ==, expected[i]);
}

/* Beyond heapq: equal priorities come out in the order they went in. */
typedef struct
{
  gint priority;
  gint order;
} Prioritised;

static gint
compare_priorities (gconstpointer a,
                    gconstpointer b,
                    gpointer      unused)
{
  return ((const Prioritised *) a)->priority - ((const Prioritised *) b)->priority;
}

static void
test_priority_stable (void)
{
  g_autoptr (AsyncQueue) queue = async_priority_queue_new (0, compare_priorities, NULL, g_free);
  gint last_priority = -1, last_order = -1;

  for (gint i = 0; i < 200; i++)
    {
      Prioritised *item = g_new (Prioritised, 1);

      item->priority = (i * 7) % 5;
      item->order = i;
      g_assert_true (async_queue_put_nowait (queue, item, NULL));
    }
  for (gint i = 0; i < 200; i++)
    {
      Prioritised *item = NULL;

      g_assert_true (async_queue_get_nowait (queue, (gpointer *) &item, NULL));
      g_assert_cmpint (item->priority, >=, last_priority);
      if (item->priority == last_priority)
        g_assert_cmpint (item->order, >, last_order);
      last_priority = item->priority;
      last_order = item->order;
      g_free (item);
    }
}

/* test_maxsize: a putter of three into a queue of two blocks after two,
 * and goes on once one is got. */
static void
test_maxsize (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (2, NULL);
  g_autoptr (GArray) put = g_array_new (FALSE, FALSE, sizeof (gint));
  const gint items[] = { 0, 1, 2 };
  const gint expected[] = { 0, 1, 2 };
  AsyncFuture *putter = spawn_putter (queue, put, items, 3);

  test_iterate_pending ();
  test_assert_trace (put, expected, 2);
  g_assert_cmpint (get_now (queue), ==, 0);
  test_iterate_pending ();
  test_assert_trace (put, expected, 3);
  g_assert_cmpint (get_now (queue), ==, 1);
  g_assert_cmpint (get_now (queue), ==, 2);
  test_await (putter, 5);
  g_assert_true (async_future_is_resolved (putter));
  async_future_unref (putter);
}

/* ------------------------------------------------------------- get */

/* test_blocking_get, test_nonblocking_get: an item there resolves at once. */
static void
test_get_available (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (0, NULL);
  AsyncFuture *get;

  put_now (queue, 1);
  get = async_queue_get (queue);
  g_assert_true (async_future_is_resolved (get));
  g_assert_cmpint (GPOINTER_TO_INT (async_future_get_value (get)), ==, 1);
  async_future_unref (get);
}

/* test_nonblocking_get_exception, test_nonblocking_put_exception */
static void
test_nowait_errors (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (1, NULL);
  GError *error = NULL;
  gpointer item = ITEM (7);

  g_assert_false (async_queue_get_nowait (queue, &item, &error));
  g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_EMPTY);
  g_clear_error (&error);
  g_assert_true (item == ITEM (7));

  put_now (queue, 1);
  g_assert_false (async_queue_put_nowait (queue, ITEM (2), &error));
  g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 1);
}

/* test_get_with_putters: a get from a full queue admits a waiting put. */
static void
test_get_with_putters (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (1, NULL);
  AsyncFuture *put;

  put_now (queue, 1);
  put = async_queue_put (queue, ITEM (2));
  g_assert_true (async_future_is_pending (put));
  g_assert_cmpint (get_now (queue), ==, 1);
  g_assert_true (async_future_is_resolved (put));
  g_assert_cmpint (get_now (queue), ==, 2);
  async_future_unref (put);
}

/* test_blocking_get_wait, test_put_with_waiting_getters: a waiting get
 * resolves with the next put. */
static void
test_get_waits_when_empty (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (0, NULL);
  g_autoptr (GArray) got = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *getter = spawn_getter (queue, got, 1, FALSE);
  const gint expected[] = { 5 };

  test_iterate_pending ();
  g_assert_true (async_future_is_pending (getter));
  put_now (queue, 5);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 0);
  test_await (getter, 5);
  test_assert_trace (got, expected, 1);
  async_future_unref (getter);
}

/* test_get_cancelled_race: the first of two waiting gets cancelled: the
 * item goes to the second. */
static void
test_get_cancelled_race (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (0, NULL);
  g_autoptr (GArray) got = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *t1 = spawn_getter (queue, got, 1, FALSE);
  AsyncFuture *t2 = spawn_getter (queue, got, 1, FALSE);
  const gint expected[] = { 'a' };

  test_iterate_pending ();
  async_future_cancel (t1);
  test_await (t1, 5);
  g_assert_true (async_future_is_cancelled (t1));
  put_now (queue, 'a');
  test_await (t2, 5);
  test_assert_trace (got, expected, 1);
  async_future_unref (t1);
  async_future_unref (t2);
}

/* test_get_with_waiting_putters, test_why_are_getters_waiting: a producer
 * and a consumer through a queue of one. */
static void
test_get_with_waiting_putters (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (1, NULL);
  g_autoptr (GArray) got = g_array_new (FALSE, FALSE, sizeof (gint));
  const gint items[] = { 0, 1, 2, 3, 4 };
  AsyncFuture *producer = spawn_putter (queue, NULL, items, 5);
  AsyncFuture *consumer = spawn_getter (queue, got, 5, FALSE);

  test_await (producer, 5);
  test_await (consumer, 5);
  test_assert_trace (got, items, 5);
  async_future_unref (producer);
  async_future_unref (consumer);
}

/* test_cancelled_getters_not_being_held_in_self_getters: a get timed out
 * by async_wait_for leaves no getter: the next put stays in the queue. */
static void
test_get_timeout_leaves_no_getter (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (5, NULL);
  AsyncFuture *timed = async_wait_for (async_queue_get (queue), 0.01);

  test_await (timed, 5);
  g_assert_error (async_future_get_error (timed), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  put_now (queue, 1);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 1);
  async_future_unref (timed);
}

/* test_get_cancel_drop_one_pending_reader: the get resolved with 1, its
 * coroutine cancelled before it resumed: 1 is not lost, the retry gets it. */
static void
test_get_cancel_after_wake_keeps_item (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (0, NULL);
  g_autoptr (GArray) got = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *reader = spawn_getter (queue, got, 1, FALSE);
  AsyncFuture *retry;
  const gint expected[] = { 1 };

  test_iterate_pending ();
  put_now (queue, 1);
  put_now (queue, 2);
  async_future_cancel (reader);
  test_await (reader, 5);
  g_assert_true (async_future_is_cancelled (reader));
  g_assert_cmpuint (async_queue_get_size (queue), ==, 2);

  retry = spawn_getter (queue, got, 1, FALSE);
  test_await (retry, 5);
  test_assert_trace (got, expected, 1);
  async_future_unref (reader);
  async_future_unref (retry);
}

/* test_get_cancel_drop_many_pending_readers: three readers, two items, the
 * first reader cancelled after it was handed 1: the other two get 1 and 2. */
static void
test_get_cancel_after_wake_many_readers (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (0, NULL);
  g_autoptr (GArray) got = g_array_new (FALSE, FALSE, sizeof (gint));
  AsyncFuture *r[3];

  for (guint i = 0; i < 3; i++)
    r[i] = spawn_getter (queue, got, 1, FALSE);
  test_iterate_pending ();
  put_now (queue, 1);
  put_now (queue, 2);
  async_future_cancel (r[0]);
  test_await (r[0], 5);
  test_await (r[1], 5);
  test_await (r[2], 5);
  g_assert_true (async_future_is_cancelled (r[0]));
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_cmpint (g_array_index (got, gint, 0) + g_array_index (got, gint, 1), ==, 3);
  for (guint i = 0; i < 3; i++)
    async_future_unref (r[i]);
}

/* ------------------------------------------------------------- put */

/* test_blocking_put_wait: a put to a full queue waits for a get. */
static void
test_put_waits_when_full (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (1, NULL);
  const gint items[] = { 1, 2 };
  AsyncFuture *putter = spawn_putter (queue, NULL, items, 2);

  test_iterate_pending ();
  g_assert_true (async_future_is_pending (putter));
  g_assert_cmpint (get_now (queue), ==, 1);
  test_await (putter, 5);
  g_assert_cmpint (get_now (queue), ==, 2);
  async_future_unref (putter);
}

/* test_put_cancelled_race: of three waiting puts into a queue of one, the
 * third cancelled: the first two go through in order; the third never. */
static void
test_put_cancelled_race (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (1, NULL);
  AsyncFuture *a = async_queue_put (queue, ITEM ('a'));
  AsyncFuture *b = async_queue_put (queue, ITEM ('b'));
  AsyncFuture *c = async_queue_put (queue, ITEM ('X'));

  g_assert_true (async_future_is_resolved (a));
  g_assert_true (async_future_is_pending (b));
  g_assert_true (async_future_cancel (c));
  g_assert_cmpint (get_now (queue), ==, 'a');
  g_assert_true (async_future_is_resolved (b));
  g_assert_cmpint (get_now (queue), ==, 'b');
  g_assert_true (async_queue_is_empty (queue));
  async_future_unref (a);
  async_future_unref (b);
  async_future_unref (c);
}

/* test_why_are_putters_waiting: four putters into a queue of two, a getter
 * that drains what is there: everyone finishes. */
static void
test_putters_all_finish (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (2, NULL);
  AsyncFuture *puts[4];

  for (gint i = 0; i < 4; i++)
    puts[i] = async_queue_put (queue, ITEM (i));
  g_assert_cmpint (get_now (queue), ==, 0);
  g_assert_cmpint (get_now (queue), ==, 1);
  for (gint i = 0; i < 4; i++)
    {
      g_assert_true (async_future_is_resolved (puts[i]));
      async_future_unref (puts[i]);
    }
  g_assert_cmpuint (async_queue_get_size (queue), ==, 2);
}

/* test_cancelled_puts_not_being_held_in_self_putters: a cancelled put
 * leaves no putter behind: a get does not admit it. Its item is freed. */
static void
test_cancelled_put_dropped (void)
{
  gint destroyed = 0;
  g_autoptr (AsyncQueue) queue = async_queue_new (1, test_tracked_free);
  AsyncFuture *put;

  g_assert_true (async_queue_put_nowait (queue, test_tracked_new (&destroyed, 1), NULL));
  put = async_queue_put (queue, test_tracked_new (&destroyed, 2));
  g_assert_true (async_future_cancel (put));
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_false (async_future_cancel (put));
  async_future_unref (put);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 1);
}

/* test_put_cancel_drop, where this queue differs: a put admitted (its
 * future resolved) has put its item, even if its coroutine is cancelled
 * before it resumes; the item is there once, not lost, not twice. */
static void
test_put_cancel_after_admitted (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (1, NULL);
  const gint items[] = { 2 };
  AsyncFuture *writer;

  put_now (queue, 1);
  writer = spawn_putter (queue, NULL, items, 1);
  test_iterate_pending ();
  g_assert_cmpint (get_now (queue), ==, 1);
  async_future_cancel (writer);
  test_await (writer, 5);
  g_assert_true (async_future_is_cancelled (writer));
  g_assert_cmpuint (async_queue_get_size (queue), ==, 1);
  g_assert_cmpint (get_now (queue), ==, 2);
  async_future_unref (writer);
}

/* ------------------------------------------------------------- ownership */

/* The get's future owns the item until it is stolen; items left in the
 * queue are freed with it. */
static void
test_items_one_owner (void)
{
  gint destroyed = 0;
  AsyncQueue *queue = async_queue_new (0, test_tracked_free);
  AsyncFuture *get;
  TestTracked *item;

  for (gint i = 0; i < 3; i++)
    g_assert_true (async_queue_put_nowait (queue, test_tracked_new (&destroyed, i), NULL));

  get = async_queue_get (queue);
  async_future_unref (get);
  g_assert_cmpint (destroyed, ==, 1);

  get = async_queue_get (queue);
  item = async_future_steal_value (get);
  async_future_unref (get);
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_cmpint (item->payload, ==, 1);
  test_tracked_free (item);
  g_assert_cmpint (destroyed, ==, 2);

  async_queue_unref (queue);
  g_assert_cmpint (destroyed, ==, 3);
}

/* A put refused by a shut-down queue frees its item; put_nowait and
 * put_blocking leave it to the caller. */
static void
test_refused_items (void)
{
  gint destroyed = 0;
  g_autoptr (AsyncQueue) queue = async_queue_new (0, test_tracked_free);
  TestTracked *kept = test_tracked_new (&destroyed, 1);
  GError *error = NULL;

  async_queue_shutdown (queue, FALSE);
  assert_rejected (async_queue_put (queue, test_tracked_new (&destroyed, 0)), ASYNC_ERROR_QUEUE_SHUT_DOWN);
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_false (async_queue_put_nowait (queue, kept, &error));
  g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_SHUT_DOWN);
  g_clear_error (&error);
  g_assert_false (async_queue_put_blocking (queue, kept, &error));
  g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_SHUT_DOWN);
  g_clear_error (&error);
  g_assert_cmpint (destroyed, ==, 1);
  test_tracked_free (kept);
}

/* The last unref cancels pending gets, puts (freeing their items) and
 * joins. */
static void
test_unref_cancels_waiters (void)
{
  gint destroyed = 0;
  AsyncQueue *empty = async_queue_new (1, test_tracked_free);
  AsyncQueue *full = async_queue_new (1, test_tracked_free);
  AsyncFuture *get = async_queue_get (empty);
  AsyncFuture *put, *join;

  g_assert_true (async_queue_put_nowait (full, test_tracked_new (&destroyed, 0), NULL));
  put = async_queue_put (full, test_tracked_new (&destroyed, 1));
  join = async_queue_join (full);
  async_queue_unref (empty);
  async_queue_unref (full);
  g_assert_true (async_future_is_cancelled (get));
  g_assert_true (async_future_is_cancelled (put));
  g_assert_true (async_future_is_cancelled (join));
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (put);
  g_assert_cmpint (destroyed, ==, 1);
  async_future_unref (join);
  g_assert_cmpint (destroyed, ==, 2);
  async_future_unref (get);
}

/* ------------------------------------------------------------- join */

/* test_task_done_underflow: a critical, nothing changes. */
static void
test_task_done_underflow (gconstpointer data)
{
  g_autoptr (AsyncQueue) queue = queue_new_of (GPOINTER_TO_INT (data), 0);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*task_done*more times*");
  async_queue_task_done (queue);
  g_test_assert_expected_messages ();
}

/* test_task_done: two workers, 100 items, join resolves when all are done. */
static void
test_task_done (gconstpointer data)
{
  g_autoptr (AsyncQueue) queue = queue_new_of (GPOINTER_TO_INT (data), 0);
  AsyncFuture *workers[2], *join;
  gint sum = 0;

  for (gint i = 0; i < 100; i++)
    put_now (queue, i);
  workers[0] = spawn_getter (queue, NULL, 60, TRUE);
  workers[1] = spawn_getter (queue, NULL, 40, TRUE);
  join = async_queue_join (queue);
  g_assert_true (async_future_is_pending (join));
  test_await (join, 5);
  g_assert_true (async_future_is_resolved (join));
  for (guint i = 0; i < 2; i++)
    {
      test_await (workers[i], 5);
      sum += (gint) async_future_get_int (workers[i]);
      async_future_unref (workers[i]);
    }
  g_assert_cmpint (sum, ==, 4950);
  async_future_unref (join);
}

/* test_join_empty_queue: resolved at once, twice. */
static void
test_join_empty (gconstpointer data)
{
  g_autoptr (AsyncQueue) queue = queue_new_of (GPOINTER_TO_INT (data), 0);

  for (guint i = 0; i < 2; i++)
    {
      AsyncFuture *join = async_queue_join (queue);

      g_assert_true (async_future_is_resolved (join));
      async_future_unref (join);
    }
}

/* A cancelled join is withdrawn; the queue's work goes on. */
static void
test_join_cancel (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (0, NULL);
  AsyncFuture *join;

  put_now (queue, 1);
  join = async_queue_join (queue);
  g_assert_true (async_future_cancel (join));
  g_assert_true (async_future_is_cancelled (join));
  get_now (queue);
  async_queue_task_done (queue);
  async_future_unref (join);
}

/* ------------------------------------------------------------- shutdown */

static void
assert_shut_down (AsyncQueue *queue)
{
  GError *error = NULL;
  gpointer item;

  assert_rejected (async_queue_put (queue, ITEM (9)), ASYNC_ERROR_QUEUE_SHUT_DOWN);
  g_assert_false (async_queue_put_nowait (queue, ITEM (9), &error));
  g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_SHUT_DOWN);
  g_clear_error (&error);
  assert_rejected (async_queue_get (queue), ASYNC_ERROR_QUEUE_SHUT_DOWN);
  g_assert_false (async_queue_get_nowait (queue, &item, &error));
  g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_SHUT_DOWN);
  g_clear_error (&error);
}

/* test_shutdown_empty: a waiting get fails; join resolves; puts and gets
 * fail. */
static void
test_shutdown_empty (gconstpointer data)
{
  g_autoptr (AsyncQueue) queue = queue_new_of (GPOINTER_TO_INT (data), 0);
  AsyncFuture *get = async_queue_get (queue);
  AsyncFuture *join;

  async_queue_shutdown (queue, FALSE);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 0);
  join = async_queue_join (queue);
  g_assert_true (async_future_is_resolved (join));
  assert_rejected (get, ASYNC_ERROR_QUEUE_SHUT_DOWN);
  assert_shut_down (queue);
  async_future_unref (join);
}

/* test_shutdown_nonempty: the waiting put fails, get drains, then fails;
 * join waits for task_done. */
static void
test_shutdown_nonempty (gconstpointer data)
{
  g_autoptr (AsyncQueue) queue = queue_new_of (GPOINTER_TO_INT (data), 1);
  AsyncFuture *join, *put, *get;

  put_now (queue, 1);
  join = async_queue_join (queue);
  put = async_queue_put (queue, ITEM (2));
  g_assert_true (async_future_is_pending (put));
  async_queue_shutdown (queue, FALSE);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 1);
  assert_rejected (put, ASYNC_ERROR_QUEUE_SHUT_DOWN);

  get = async_queue_get (queue);
  g_assert_cmpint (GPOINTER_TO_INT (async_future_get_value (get)), ==, 1);
  async_future_unref (get);
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (join));
  assert_shut_down (queue);

  async_queue_task_done (queue);
  test_await (join, 5);
  g_assert_true (async_future_is_resolved (join));
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*task_done*more times*");
  async_queue_task_done (queue);
  g_test_assert_expected_messages ();
  async_future_unref (join);
}

/* test_shutdown_immediate: the item is dropped and counted done: join
 * resolves. */
static void
test_shutdown_immediate (gconstpointer data)
{
  g_autoptr (AsyncQueue) queue = queue_new_of (GPOINTER_TO_INT (data), 0);
  AsyncFuture *join;

  put_now (queue, 1);
  join = async_queue_join (queue);
  async_queue_shutdown (queue, TRUE);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 0);
  test_await (join, 5);
  g_assert_true (async_future_is_resolved (join));
  assert_shut_down (queue);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*task_done*more times*");
  async_queue_task_done (queue);
  g_test_assert_expected_messages ();
  async_future_unref (join);
}

/* test_shutdown_immediate_with_unfinished: of two items one was got: the
 * other is dropped; join waits for the got one's task_done. */
static void
test_shutdown_immediate_with_unfinished (gconstpointer data)
{
  g_autoptr (AsyncQueue) queue = queue_new_of (GPOINTER_TO_INT (data), 0);
  AsyncFuture *join;

  put_now (queue, 1);
  put_now (queue, 1);
  join = async_queue_join (queue);
  g_assert_cmpint (get_now (queue), ==, 1);
  async_queue_shutdown (queue, TRUE);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 0);
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (join));
  assert_shut_down (queue);
  async_queue_task_done (queue);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*task_done*more times*");
  async_queue_task_done (queue);
  g_test_assert_expected_messages ();
  test_await (join, 5);
  g_assert_true (async_future_is_resolved (join));
  async_future_unref (join);
}

/* An immediate shutdown frees the items it drops, once. */
static void
test_shutdown_immediate_frees_items (void)
{
  gint destroyed = 0;
  AsyncQueue *queue = async_queue_new (0, test_tracked_free);

  for (gint i = 0; i < 5; i++)
    g_assert_true (async_queue_put_nowait (queue, test_tracked_new (&destroyed, i), NULL));
  async_queue_shutdown (queue, TRUE);
  g_assert_cmpint (destroyed, ==, 5);
  async_queue_unref (queue);
  g_assert_cmpint (destroyed, ==, 5);
}

/* ------------------------------------------------------------- threads */

#define N_PRODUCERS 4
#define N_CONSUMERS 8
#define N_PER_PRODUCER 5000

typedef struct
{
  AsyncQueue *queue;
  gint        first;
  gboolean    nowait;   /* put_nowait, retrying when full */
} Producer;

static gpointer
producer_thread (gpointer data)
{
  Producer *producer = data;

  for (gint i = 0; i < N_PER_PRODUCER; i++)
    {
      gpointer item = ITEM (producer->first + i);
      GError *error = NULL;

      if (!producer->nowait)
        g_assert_true (async_queue_put_blocking (producer->queue, item, &error));
      else
        while (!async_queue_put_nowait (producer->queue, item, &error))
          {
            g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_FULL);
            g_clear_error (&error);
            g_thread_yield ();
          }
      g_assert_no_error (error);
    }
  return NULL;
}

/* Producer threads (half blocking, half put_nowait) feed a bounded queue;
 * consumer coroutines on this loop get and mark done; join resolves; every
 * item arrives exactly once. */
static void
test_threads_feed_coroutines (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (16, NULL);
  Producer producers[N_PRODUCERS];
  GThread *threads[N_PRODUCERS];
  AsyncFuture *consumers[N_CONSUMERS], *join;
  const gint total = N_PRODUCERS * N_PER_PRODUCER;
  gint64 sum = 0;

  for (guint i = 0; i < N_CONSUMERS; i++)
    consumers[i] = spawn_getter (queue, NULL, total / N_CONSUMERS, TRUE);
  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      producers[i].queue = queue;
      producers[i].first = 1 + (gint) i * N_PER_PRODUCER;
      producers[i].nowait = i % 2 == 1;
      threads[i] = g_thread_new ("producer", producer_thread, &producers[i]);
    }
  for (guint i = 0; i < N_CONSUMERS; i++)
    {
      test_await (consumers[i], 30);
      g_assert_true (async_future_is_resolved (consumers[i]));
      sum += async_future_get_int (consumers[i]);
      async_future_unref (consumers[i]);
    }
  for (guint i = 0; i < N_PRODUCERS; i++)
    g_thread_join (threads[i]);
  join = async_queue_join (queue);
  g_assert_true (async_future_is_resolved (join));
  g_assert_cmpint (sum, ==, (gint64) total * (total + 1) / 2);
  g_assert_true (async_queue_is_empty (queue));
  async_future_unref (join);
}

/* A thread in put_blocking on a full queue (blocked, or about to block:
 * nothing public tells them apart) ends with QUEUE_SHUT_DOWN when the
 * queue is shut down, and its item is not put. */
static gpointer
blocked_put_thread (gpointer data)
{
  GError *error = NULL;
  gboolean put = async_queue_put_blocking (data, ITEM (2), &error);

  g_assert_false (put);
  g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_SHUT_DOWN);
  g_clear_error (&error);
  return NULL;
}

static void
test_put_blocking_shutdown (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (1, NULL);
  GThread *thread;

  put_now (queue, 1);
  thread = g_thread_new ("blocked", blocked_put_thread, queue);
  async_queue_shutdown (queue, FALSE);
  g_thread_join (thread);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 1);
}

/* put_blocking on a full queue waits for room: the queue never holds more
 * than maxsize, and the item goes in once a get made room. */
static gpointer
put_two_thread (gpointer data)
{
  GError *error = NULL;

  g_assert_true (async_queue_put_blocking (data, ITEM (2), &error));
  g_assert_no_error (error);
  return NULL;
}

static void
test_put_blocking_waits_for_room (void)
{
  g_autoptr (AsyncQueue) queue = async_queue_new (1, NULL);
  AsyncFuture *get;
  GThread *thread;

  put_now (queue, 1);
  thread = g_thread_new ("producer", put_two_thread, queue);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 1);
  get = async_queue_get (queue);
  g_assert_cmpint (GPOINTER_TO_INT (async_future_get_value (get)), ==, 1);
  g_thread_join (thread);
  g_assert_cmpuint (async_queue_get_size (queue), ==, 1);
  g_assert_cmpint (get_now (queue), ==, 2);
  async_future_unref (get);
}

static void
add_for_each_kind (const char    *path,
                   GTestDataFunc  func)
{
  static const char *names[] = { "fifo", "lifo", "priority" };

  for (gint kind = KIND_FIFO; kind <= KIND_PRIORITY; kind++)
    {
      g_autofree char *full = g_strdup_printf ("/queue/%s/%s", names[kind], path);

      g_test_add_data_func (full, GINT_TO_POINTER (kind), func);
    }
}

/* NULL where a queue or a compare function is needed: criticals, harmless
 * returns; nothing is taken. */
static void
test_null_arguments (void)
{
  gpointer item = NULL;

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_null (async_queue_put (NULL, ITEM (1)));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_false (async_queue_put_nowait (NULL, ITEM (1), NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_null (async_queue_get (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_false (async_queue_get_nowait (NULL, &item, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  async_queue_task_done (NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*!= NULL*failed*");
  g_assert_null (async_priority_queue_new (0, NULL, NULL, NULL));
  g_test_assert_expected_messages ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/queue/size/empty-and-full", test_empty_full);
  g_test_add_func ("/queue/size/maxsize-blocks-putter", test_maxsize);
  add_for_each_kind ("order", test_order);
  g_test_add_func ("/queue/priority/equal-priorities-stable", test_priority_stable);
  g_test_add_func ("/queue/get/available-resolves-at-once", test_get_available);
  g_test_add_func ("/queue/get/waits-when-empty", test_get_waits_when_empty);
  g_test_add_func ("/queue/get/admits-waiting-put", test_get_with_putters);
  g_test_add_func ("/queue/get/cancelled-race", test_get_cancelled_race);
  g_test_add_func ("/queue/get/with-waiting-putters", test_get_with_waiting_putters);
  g_test_add_func ("/queue/get/timeout-leaves-no-getter", test_get_timeout_leaves_no_getter);
  g_test_add_func ("/queue/get/cancel-after-wake-keeps-item", test_get_cancel_after_wake_keeps_item);
  g_test_add_func ("/queue/get/cancel-after-wake-many-readers", test_get_cancel_after_wake_many_readers);
  g_test_add_func ("/queue/nowait/empty-and-full-errors", test_nowait_errors);
  g_test_add_func ("/queue/put/waits-when-full", test_put_waits_when_full);
  g_test_add_func ("/queue/put/cancelled-race", test_put_cancelled_race);
  g_test_add_func ("/queue/put/all-putters-finish", test_putters_all_finish);
  g_test_add_func ("/queue/put/cancelled-is-dropped", test_cancelled_put_dropped);
  g_test_add_func ("/queue/put/cancel-after-admitted-put-once", test_put_cancel_after_admitted);
  g_test_add_func ("/queue/items/one-owner", test_items_one_owner);
  g_test_add_func ("/queue/items/refused", test_refused_items);
  g_test_add_func ("/queue/unref/cancels-waiters", test_unref_cancels_waiters);
  add_for_each_kind ("join/task-done-underflow-is-critical", test_task_done_underflow);
  add_for_each_kind ("join/after-task-done", test_task_done);
  add_for_each_kind ("join/empty-resolves", test_join_empty);
  g_test_add_func ("/queue/join/cancel", test_join_cancel);
  add_for_each_kind ("shutdown/empty", test_shutdown_empty);
  add_for_each_kind ("shutdown/nonempty-drains", test_shutdown_nonempty);
  add_for_each_kind ("shutdown/immediate", test_shutdown_immediate);
  add_for_each_kind ("shutdown/immediate-with-unfinished", test_shutdown_immediate_with_unfinished);
  g_test_add_func ("/queue/shutdown/immediate-frees-items", test_shutdown_immediate_frees_items);
  g_test_add_func ("/queue/threads/producers-feed-coroutines", test_threads_feed_coroutines);
  g_test_add_func ("/queue/threads/put-blocking-waits-for-room", test_put_blocking_waits_for_room);
  g_test_add_func ("/queue/threads/put-blocking-ends-on-shutdown", test_put_blocking_shutdown);

  g_test_add_func ("/queue/bad-input/null-arguments", test_null_arguments);

  return g_test_run ();
}
