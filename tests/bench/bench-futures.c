/* bench-futures: the cost of a future against a GTask per future (the GLib
 * way), of gathering trivial coroutines, and of a pending future in bytes.
 * Prints one `key=value` line per metric for tests/bench/run-bench.sh. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <async-glib/async-glib.h>

#include "bench-util.h"

static guint n_continued;

static void
count_continuation (AsyncFuture *future,
                    gpointer     user_data)
{
  n_continued++;
}

static void
count_task (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_task_propagate_pointer (G_TASK (result), NULL);
  n_continued++;
}

/* Each measurement gets a fresh thread-default context, so that neither
 * peer inherits the other's sources or scheduler. */
static GMainContext *
push_fresh_context (void)
{
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  return context;
}

static void
pop_context (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

static void
iterate_until_continued (GMainContext *context,
                         guint         n)
{
  while (n_continued < n)
    g_main_context_iteration (context, TRUE);
}

static double
time_futures (guint n)
{
  GMainContext *context = push_fresh_context ();
  gint64 start, end;
  guint i;

  n_continued = 0;
  start = g_get_monotonic_time ();
  for (i = 0; i < n; i++)
    {
      AsyncFuture *future = async_future_new ();

      async_future_then (future, count_continuation, NULL, NULL);
      async_future_resolve_int (future, i);
      async_future_unref (future);
    }
  iterate_until_continued (context, n);
  end = g_get_monotonic_time ();

  pop_context (context);
  return (end - start) / 1e6;
}

static double
time_gtasks (guint n)
{
  GMainContext *context = push_fresh_context ();
  gint64 start, end;
  guint i;

  n_continued = 0;
  start = g_get_monotonic_time ();
  for (i = 0; i < n; i++)
    {
      GTask *task = g_task_new (NULL, NULL, count_task, NULL);

      g_task_return_pointer (task, GUINT_TO_POINTER (i + 1), NULL);
      g_object_unref (task);
    }
  iterate_until_continued (context, n);
  end = g_get_monotonic_time ();

  pop_context (context);
  return (end - start) / 1e6;
}

/* The first run pays for growing the heap (page faults); the best of the
 * runs is what the table compares, the first is printed too. */
static void
time_and_print (const char *name,
                double    (*time_one) (guint n),
                guint       n,
                guint       repeats)
{
  double first = time_one (n);
  double best = first;
  guint r;

  for (r = 1; r < repeats; r++)
    best = MIN (best, time_one (n));

  printf ("%s_%u_seconds=%.6f\n", name, n, best);
  printf ("%s_%u_first_seconds=%.6f\n", name, n, first);
  printf ("%s_%u_ns_per_future=%.1f\n", name, n, best * 1e9 / n);
  fflush (stdout);
}

static void
return_int (AsyncCoroutine *co,
            gpointer        frame)
{
  ASYNC_BEGIN (co);
  ASYNC_RETURN_INT (co, 1);
  ASYNC_END (co);
}

static AsyncFuture *
start_gather (gpointer user_data)
{
  guint n = GPOINTER_TO_UINT (user_data);
  AsyncFuture **futures = g_new (AsyncFuture *, n);
  AsyncFuture *gathered;
  guint i;

  for (i = 0; i < n; i++)
    futures[i] = async_spawn (return_int, NULL, NULL);
  gathered = async_gather_array (ASYNC_GATHER_DEFAULT, futures, n);
  g_free (futures);
  return gathered;
}

static gint64
sum_gathered (AsyncFuture *gathered,
              guint        n)
{
  gint64 sum = 0;
  guint i;

  for (i = 0; i < n; i++)
    sum += async_future_get_int (async_gather_get_result (gathered, i));
  return sum;
}

static double
time_gather (guint n)
{
  AsyncFuture *gathered;
  gint64 start, end;

  start = g_get_monotonic_time ();
  gathered = async_run (start_gather, GUINT_TO_POINTER (n));
  end = g_get_monotonic_time ();

  if (!async_future_is_resolved (gathered) || sum_gathered (gathered, n) != n)
    g_error ("the gather of %u coroutines did not resolve with their results", n);
  async_future_unref (gathered);
  return (end - start) / 1e6;
}

static void
bench_gather (guint n,
              guint repeats)
{
  double best = time_gather (n);
  guint r;

  for (r = 1; r < repeats; r++)
    best = MIN (best, time_gather (n));

  printf ("gather_coroutines_%u_seconds=%.6f\n", n, best);
  printf ("gather_coroutines_%u_ns_per_coroutine=%.1f\n", n, best * 1e9 / n);
  fflush (stdout);
}

/* Bytes the heap grows by per pending future, and per pending future with
 * one continuation attached (the continuation node counted too). */
static void
bench_bytes (guint n)
{
  GMainContext *context = push_fresh_context ();
  AsyncFuture **futures = g_new0 (AsyncFuture *, n);
  gsize base, after_new, after_then;
  guint i;

  /* The scheduler is made on first use; make it before the baseline. */
  n_continued = 0;
  futures[0] = async_future_new ();
  async_future_then (futures[0], count_continuation, NULL, NULL);
  async_future_resolve_int (futures[0], 0);
  async_future_unref (futures[0]);
  iterate_until_continued (context, 1);

  base = heap_in_use ();
  for (i = 0; i < n; i++)
    futures[i] = async_future_new ();
  after_new = heap_in_use ();
  for (i = 0; i < n; i++)
    async_future_then (futures[i], count_continuation, NULL, NULL);
  after_then = heap_in_use ();

  printf ("bytes_per_pending_future=%.1f\n", (double) (after_new - base) / n);
  printf ("bytes_per_pending_future_with_continuation=%.1f\n",
          (double) (after_then - base) / n);

  n_continued = 0;
  for (i = 0; i < n; i++)
    {
      async_future_resolve_int (futures[i], i);
      async_future_unref (futures[i]);
    }
  iterate_until_continued (context, n);
  g_free (futures);
  pop_context (context);
}

/* The same measure for a GTask that has not returned yet, for comparison. */
static void
bench_bytes_gtask (guint n)
{
  GMainContext *context = push_fresh_context ();
  GTask **tasks = g_new0 (GTask *, n);
  gsize base;
  guint i;

  g_object_unref (g_task_new (NULL, NULL, NULL, NULL));
  base = heap_in_use ();
  for (i = 0; i < n; i++)
    tasks[i] = g_task_new (NULL, NULL, count_task, NULL);
  printf ("bytes_per_pending_gtask=%.1f\n", (double) (heap_in_use () - base) / n);

  n_continued = 0;
  for (i = 0; i < n; i++)
    {
      g_task_return_pointer (tasks[i], GUINT_TO_POINTER (1), NULL);
      g_object_unref (tasks[i]);
    }
  iterate_until_continued (context, n);
  g_free (tasks);
  pop_context (context);
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  gint n = 1000000;
  gint repeats = 3;
  g_autofree char *only = NULL;
  GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &only,
      "Runs one row in this process: bytes, gather, futures or gtask "
      "(default: all, in that order)", "ROW" },
    { "n", 0, 0, G_OPTION_ARG_INT, &n,
      "The largest number of futures (default 1000000); also runs N/10", "N" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeats,
      "Runs of each timing, the best one printed (default 3)", "R" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr (GOptionContext) options = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  guint small;

  g_option_context_set_summary (options,
                                "Times futures against GTasks, a gather of coroutines, "
                                "and bytes per pending future; prints key=value lines.");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("bench-futures: %s\n", error->message);
      return 2;
    }
  if (n < 10 || repeats < 1)
    {
      g_printerr ("bench-futures: --n must be at least 10 and --repeat at least 1\n");
      return 2;
    }
  small = n / 10;
  if (only != NULL && !g_str_equal (only, "bytes") && !g_str_equal (only, "gather") &&
      !g_str_equal (only, "futures") && !g_str_equal (only, "gtask"))
    {
      g_printerr ("bench-futures: --only takes bytes, gather, futures or gtask, not %s\n", only);
      return 2;
    }

  /* Before any GTask has run: GLib's slice allocator keeps what was freed,
   * so later GTasks would not grow the heap, and the heap a million GTasks
   * leave behind makes everything after them slower (about 4x for the
   * gather), which is no property of ours. run-bench.sh runs each row in a
   * process of its own (--only), so that no row inherits another's heap. */
  if (only == NULL || g_str_equal (only, "bytes"))
    {
      bench_bytes (small);
      bench_bytes_gtask (small);
    }
  if (only == NULL || g_str_equal (only, "gather"))
    bench_gather (small, repeats);

  /* Warm the allocator and the code paths before timing. */
  if (only == NULL || g_str_equal (only, "futures"))
    {
      time_futures (small / 10);
      time_and_print ("futures", time_futures, small, repeats);
      time_and_print ("futures", time_futures, n, repeats);
    }
  if (only == NULL || g_str_equal (only, "gtask"))
    {
      time_gtasks (small / 10);
      time_and_print ("gtask", time_gtasks, small, repeats);
      time_and_print ("gtask", time_gtasks, n, repeats);
    }
  return 0;
}
