/* bench-sleep: many concurrent sleeps of random length in [0, 1) s on the
 * scheduler's one timer heap, against one g_timeout source per sleep, and
 * bytes per pending sleep. Prints `key=value` lines for run-bench.sh. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <async-glib/async-glib.h>

#include "bench-util.h"

/* splitmix64, so that asyncio_sleep.py can draw the very same delays. */
#define SLEEP_SEED G_GUINT64_CONSTANT (42)

static double *
draw_delays (guint n)
{
  double *delays = g_new (double, n);
  guint64 state = SLEEP_SEED;
  guint i;

  for (i = 0; i < n; i++)
    {
      guint64 z;

      state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
      z = state;
      z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
      z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
      z ^= z >> 31;
      delays[i] = (z >> 11) * 0x1.0p-53;
    }
  return delays;
}

/* What one run counts. The clock is read once at the end, not per sleep,
 * so that the measure costs the loop nothing (asyncio's side does the same). */
typedef struct
{
  guint      n;
  guint      n_done;
  gint64     last_done;
  GMainLoop *loop;
} Run;

static Run run;

static void
run_reset (guint n)
{
  run.n = n;
  run.n_done = 0;
  run.last_done = 0;
}

static gboolean
note_done (void)
{
  if (++run.n_done < run.n)
    return FALSE;
  run.last_done = g_get_monotonic_time ();
  return TRUE;
}

static void
print_run (const char *name,
           gint64      start,
           gint64      created)
{
  printf ("sleep_%s_%u_seconds=%.6f\n", name, run.n, (run.last_done - start) / 1e6);
  printf ("sleep_%s_%u_create_seconds=%.6f\n", name, run.n, (created - start) / 1e6);
  fflush (stdout);
}

static void
sleep_done (AsyncFuture *future,
            gpointer     user_data)
{
  note_done ();
}

static void
bench_async_sleep (const double *delays,
                   guint         n)
{
  GMainContext *context = g_main_context_new ();
  gint64 start, created;
  guint i;

  g_main_context_push_thread_default (context);
  run_reset (n);

  start = g_get_monotonic_time ();
  for (i = 0; i < n; i++)
    {
      AsyncFuture *sleep = async_sleep_usec ((gint64) (delays[i] * G_USEC_PER_SEC));

      async_future_then (sleep, sleep_done, NULL, NULL);
      async_future_unref (sleep);
    }
  created = g_get_monotonic_time ();
  while (run.n_done < n)
    g_main_context_iteration (context, TRUE);

  print_run ("async", start, created);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

static gboolean
timeout_done (gpointer user_data)
{
  if (note_done ())
    g_main_loop_quit (run.loop);
  return G_SOURCE_REMOVE;
}

/* The GLib way: g_timeout_add () per sleep, with its millisecond
 * granularity, on a plain GMainLoop. */
static void
bench_gtimeout (const double *delays,
                guint         n)
{
  GMainContext *context = g_main_context_new ();
  gint64 start, created;
  guint i;

  run_reset (n);
  run.loop = g_main_loop_new (context, FALSE);

  start = g_get_monotonic_time ();
  for (i = 0; i < n; i++)
    {
      GSource *source = g_timeout_source_new ((guint) (delays[i] * 1000));

      g_source_set_callback (source, timeout_done, NULL, NULL);
      g_source_attach (source, context);
      g_source_unref (source);
    }
  created = g_get_monotonic_time ();
  g_main_loop_run (run.loop);

  print_run ("gtimeout", start, created);
  g_clear_pointer (&run.loop, g_main_loop_unref);
  g_main_context_unref (context);
}

static void
print_ideal (const double *delays,
             guint         n)
{
  double longest = 0;
  guint i;

  for (i = 0; i < n; i++)
    longest = MAX (longest, delays[i]);
  printf ("sleep_ideal_%u_seconds=%.6f\n", n, longest);
  fflush (stdout);
}

/* Heap growth per pending sleep (nobody waiting on it), and per pending
 * g_timeout source for comparison; both far in the future. */
static void
bench_bytes (guint n)
{
  GMainContext *context = g_main_context_new ();
  AsyncFuture **sleeps = g_new0 (AsyncFuture *, n);
  GSource **sources = g_new0 (GSource *, n);
  gsize base;
  guint i;

  g_main_context_push_thread_default (context);

  /* The scheduler is made on first use; make it before the baseline. */
  sleeps[0] = async_sleep (1000);
  async_future_cancel (sleeps[0]);
  async_future_unref (sleeps[0]);
  while (g_main_context_iteration (context, FALSE))
    ;

  base = heap_in_use ();
  for (i = 0; i < n; i++)
    sleeps[i] = async_sleep (1000 + i * 1e-3);
  printf ("bytes_per_pending_sleep=%.1f\n", (double) (heap_in_use () - base) / n);

  for (i = 0; i < n; i++)
    {
      async_future_cancel (sleeps[i]);
      async_future_unref (sleeps[i]);
    }
  while (g_main_context_iteration (context, FALSE))
    ;

  base = heap_in_use ();
  for (i = 0; i < n; i++)
    {
      sources[i] = g_timeout_source_new (1000000 + i);
      g_source_set_callback (sources[i], timeout_done, NULL, NULL);
      g_source_attach (sources[i], context);
    }
  printf ("bytes_per_pending_gtimeout=%.1f\n", (double) (heap_in_use () - base) / n);
  fflush (stdout);

  for (i = 0; i < n; i++)
    {
      g_source_destroy (sources[i]);
      g_source_unref (sources[i]);
    }
  g_free (sources);
  g_free (sleeps);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

int
main (int    argc,
      char **argv)
{
  gint n = 1000000;
  GOptionEntry entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT, &n,
      "The largest number of sleeps (default 1000000); also runs N/10", "N" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr (GOptionContext) options = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  gboolean full = g_strcmp0 (g_getenv ("BENCH_FULL"), "1") == 0;
  double *delays;
  guint sizes[2];
  guint s;

  g_option_context_set_summary (options,
                                "Times N concurrent random sleeps on async-glib's timer heap "
                                "against a g_timeout source per sleep (at the largest N only "
                                "with BENCH_FULL=1); prints key=value lines.");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("bench-sleep: %s\n", error->message);
      return 2;
    }
  if (n < 10)
    {
      g_printerr ("bench-sleep: --n must be at least 10\n");
      return 2;
    }
  sizes[0] = n / 10;
  sizes[1] = n;
  delays = draw_delays (n);

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      print_ideal (delays, sizes[s]);
      bench_async_sleep (delays, sizes[s]);
      if (s == 0 || full)
        bench_gtimeout (delays, sizes[s]);
      else
        printf ("sleep_gtimeout_%u_seconds=skipped\n", sizes[s]);
    }

  bench_bytes (sizes[0]);
  g_free (delays);
  return 0;
}
