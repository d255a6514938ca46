/* bench-primitives: items through an AsyncQueue from one producer
 * coroutine to one and to eight consumer coroutines, and AsyncLock
 * acquire/release pairs, uncontended and contended. The same workloads are
 * in asyncio_primitives.py. Prints one `key=value` line per metric for
 * tests/bench/run-bench.sh.
 *
 * Usage: bench-primitives [--n N] [--locks N]: N queue items (also N/10),
 * N lock pairs (also N/10). */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <async-glib/async-glib.h>

/* Both sides use a bounded queue, so that the items really flow through
 * it instead of piling up first. */
#define QUEUE_MAXSIZE 1000
#define N_LOCKERS 10

typedef struct
{
  AsyncQueue *queue;
  AsyncLock  *lock;
  guint       n;
  guint       i;
  guint       n_consumers;
  gint64      sum;
} Frame;

static void
frame_free (gpointer data)
{
  Frame *self = data;

  g_clear_pointer (&self->queue, async_queue_unref);
  g_clear_pointer (&self->lock, async_lock_unref);
  g_free (self);
}

/* Puts 1 … n, then one 0 (NULL) per consumer: "no more". */
static void
producer (AsyncCoroutine *co,
          gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  for (self->i = 1; self->i <= self->n; self->i++)
    ASYNC_AWAIT (co, async_queue_put (self->queue, GUINT_TO_POINTER (self->i)));
  for (self->i = 0; self->i < self->n_consumers; self->i++)
    ASYNC_AWAIT (co, async_queue_put (self->queue, NULL));
  ASYNC_END (co);
}

static void
consumer (AsyncCoroutine *co,
          gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  for (;;)
    {
      guint value;

      ASYNC_AWAIT (co, async_queue_get (self->queue));
      value = GPOINTER_TO_UINT (async_coroutine_get_value (co));
      if (value == 0)
        break;
      self->sum += value;
    }
  ASYNC_RETURN_INT (co, self->sum);
  ASYNC_END (co);
}

static Frame *
frame_new (AsyncQueue *queue,
           AsyncLock  *lock,
           guint       n,
           guint       n_consumers)
{
  Frame *self = g_new0 (Frame, 1);

  self->queue = queue != NULL ? async_queue_ref (queue) : NULL;
  self->lock = lock != NULL ? async_lock_ref (lock) : NULL;
  self->n = n;
  self->n_consumers = n_consumers;
  return self;
}

typedef struct
{
  guint n;
  guint n_consumers;
} QueueRun;

static AsyncFuture *
start_queue (gpointer user_data)
{
  QueueRun *run = user_data;
  g_autoptr (AsyncQueue) queue = async_queue_new (QUEUE_MAXSIZE, NULL);
  AsyncFuture **all = g_new (AsyncFuture *, run->n_consumers + 1);
  AsyncFuture *gathered;

  all[0] = async_spawn (producer, frame_new (queue, NULL, run->n, run->n_consumers), frame_free);
  for (guint i = 0; i < run->n_consumers; i++)
    all[i + 1] = async_spawn (consumer, frame_new (queue, NULL, 0, 0), frame_free);
  gathered = async_gather_array (ASYNC_GATHER_DEFAULT, all, run->n_consumers + 1);
  g_free (all);
  return gathered;
}

static double
time_queue (guint n,
            guint n_consumers)
{
  QueueRun run = { n, n_consumers };
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *gathered = async_run (start_queue, &run);
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  gint64 sum = 0;

  if (!async_future_is_resolved (gathered))
    g_error ("the queue run of %u items did not finish", n);
  for (guint i = 1; i <= n_consumers; i++)
    sum += async_future_get_int (async_gather_get_result (gathered, i));
  if (sum != (gint64) n * (n + 1) / 2)
    g_error ("the consumers got %" G_GINT64_FORMAT ", not every item once", sum);
  async_future_unref (gathered);
  return seconds;
}

static void
uncontended (AsyncCoroutine *co,
             gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  for (self->i = 0; self->i < self->n; self->i++)
    {
      ASYNC_AWAIT (co, async_lock_acquire (self->lock));
      async_lock_release (self->lock);
    }
  ASYNC_END (co);
}

/* Holds the lock across a turn of the loop, so that the others queue. */
static void
contended (AsyncCoroutine *co,
           gpointer        data)
{
  Frame *self = data;

  ASYNC_BEGIN (co);
  for (self->i = 0; self->i < self->n; self->i++)
    {
      ASYNC_AWAIT (co, async_lock_acquire (self->lock));
      ASYNC_YIELD (co);
      async_lock_release (self->lock);
    }
  ASYNC_END (co);
}

typedef struct
{
  guint    n;
  gboolean contended;
} LockRun;

static AsyncFuture *
start_lock (gpointer user_data)
{
  LockRun *run = user_data;
  g_autoptr (AsyncLock) lock = async_lock_new ();
  AsyncFuture *all[N_LOCKERS];

  if (!run->contended)
    return async_spawn (uncontended, frame_new (NULL, lock, run->n, 0), frame_free);

  for (guint i = 0; i < N_LOCKERS; i++)
    all[i] = async_spawn (contended, frame_new (NULL, lock, run->n / N_LOCKERS, 0), frame_free);
  return async_gather_array (ASYNC_GATHER_DEFAULT, all, N_LOCKERS);
}

static double
time_lock (guint    n,
           gboolean is_contended)
{
  LockRun run = { n, is_contended };
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *done = async_run (start_lock, &run);
  double seconds = (g_get_monotonic_time () - start) / 1e6;

  if (!async_future_is_resolved (done))
    g_error ("the lock run of %u pairs did not finish", n);
  async_future_unref (done);
  return seconds;
}

static void
print_best (const char *name,
            guint       n,
            double    (*run) (guint, guint),
            guint       arg)
{
  double best = run (n, arg);

  for (guint r = 1; r < 3; r++)
    best = MIN (best, run (n, arg));
  printf ("%s_%u_seconds=%.6f\n", name, n, best);
  printf ("%s_%u_ns_each=%.1f\n", name, n, best * 1e9 / n);
  fflush (stdout);
}

static double
run_lock (guint n,
          guint is_contended)
{
  return time_lock (n, is_contended);
}

int
main (int    argc,
      char **argv)
{
  guint n = 1000000, n_locks = 100000;

  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (strcmp (argv[i], "--n") == 0)
        n = (guint) atoi (argv[i + 1]);
      else if (strcmp (argv[i], "--locks") == 0)
        n_locks = (guint) atoi (argv[i + 1]);
    }

  for (guint size = n / 10; size <= n; size *= 10)
    {
      print_best ("queue_1c", size, time_queue, 1);
      print_best ("queue_8c", size, time_queue, 8);
    }
  for (guint size = n_locks / 10; size <= n_locks; size *= 10)
    {
      print_best ("lock_uncontended", size, run_lock, FALSE);
      print_best ("lock_contended", size, run_lock, TRUE);
    }

  return 0;
}
