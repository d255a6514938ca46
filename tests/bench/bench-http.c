/* bench-http: N GETs of one URL through one AsyncHttpSession whose limit is
 * CONCURRENCY, all submitted at once and gathered; run by run-bench.sh
 * beside curl --parallel, aiohttp and libsoup 3, for the 1 KiB, delayed and
 * concurrency scale rows. Prints one line, `requests=N failures=F seconds=S
 * rps=R inflight=I rss_before_kib=B rss_peak_kib=P kib_per_inflight=K
 * first_s=F median_s=M`: what the process held for the transfers, the peak
 * resident memory (VmHWM) minus the resident memory before the first
 * request (VmRSS) divided by the transfers in flight at once, min (N,
 * CONCURRENCY); and when the first response and the median one of those
 * that came, which tells the time spent starting the transfers from the
 * time spent waiting for the server. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <async-glib/async-glib.h>

#include "bench-util.h"

typedef struct
{
  const char       *url;
  guint             n;
  AsyncHttpSession *session;
  guint             failures;
  gint64            start;
  gint64            end;
  gint64           *done;      /* when each response came, in order */
  guint             n_done;
} Bench;

static void
note_done (AsyncFuture *future,
           gpointer     user_data)
{
  Bench *bench = user_data;

  /* A refused connection comes back at once: responses only. */
  if (async_future_is_resolved (future))
    bench->done[bench->n_done++] = g_get_monotonic_time ();
}

/* Why a request failed, in one line: the error's message, domain and code,
 * or the status it got instead of 200. */
static char *
describe_failure (Bench       *bench,
                  AsyncFuture *result)
{
  const GError *error = async_future_get_error (result);

  if (error != NULL)
    return g_strdup_printf ("%s (%s %d)", error->message, g_quark_to_string (error->domain),
                            error->code);
  return g_strdup_printf ("%s: HTTP status %u, not 200", bench->url,
                          async_http_response_get_status (async_future_get_value (result)));
}

static void
count_outcomes (AsyncFuture *all,
                gpointer     user_data)
{
  Bench *bench = user_data;
  /* reason → how many requests failed with it */
  GHashTable *reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer reason, count;
  guint i;

  bench->end = g_get_monotonic_time ();
  for (i = 0; i < bench->n; i++)
    {
      AsyncFuture *result = async_gather_get_result (all, i);
      char *why;

      if (async_future_get_error (result) == NULL
          && async_http_response_get_status (async_future_get_value (result)) == 200)
        continue;
      /* What failed and why: a failure is reported and counted, never a
       * silent exit status. */
      why = describe_failure (bench, result);
      if (bench->failures++ < 3)
        fprintf (stderr, "bench-http: request %u of %u: %s\n", i + 1, bench->n, why);
      count = g_hash_table_lookup (reasons, why);
      g_hash_table_replace (reasons, why, GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
    }
  if (bench->failures > 3)
    {
      fprintf (stderr, "bench-http: %u requests failed in all:\n", bench->failures);
      g_hash_table_iter_init (&iter, reasons);
      while (g_hash_table_iter_next (&iter, &reason, &count))
        fprintf (stderr, "bench-http:   %u x %s\n", GPOINTER_TO_UINT (count), (char *) reason);
    }
  g_hash_table_unref (reasons);
}

static AsyncFuture *
start (gpointer user_data)
{
  Bench *bench = user_data;
  AsyncFuture **futures = g_new (AsyncFuture *, bench->n);
  AsyncFuture *all;
  guint i;

  bench->start = g_get_monotonic_time ();
  for (i = 0; i < bench->n; i++)
    {
      futures[i] = async_http_session_get (bench->session, bench->url);
      async_future_then (futures[i], note_done, bench, NULL);
    }
  all = async_gather_array (ASYNC_GATHER_RETURN_EXCEPTIONS, futures, bench->n);
  g_free (futures);
  async_future_then (all, count_outcomes, bench, NULL);
  return all;
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { NULL };
  guint64 n, concurrency, before, peak, inflight;
  AsyncFuture *all;
  double seconds;

  if (!bench_parse_http_args (argc, argv, "bench-http", G_MAXUINT, &n, &concurrency))
    return 2;

  bench.url = argv[1];
  bench.n = (guint) n;
  bench.session = async_http_session_new ();
  async_http_session_set_limit (bench.session, (guint) concurrency);
  inflight = MIN (n, concurrency);
  bench.done = g_new0 (gint64, bench.n);

  before = proc_status_kib ("VmRSS");
  all = async_run (start, &bench);
  peak = proc_status_kib ("VmHWM");
  seconds = (bench.end - bench.start) / (double) G_USEC_PER_SEC;
  if (async_future_get_error (all) != NULL)
    {
      fprintf (stderr, "bench-http: the run failed: %s\n", async_future_get_error (all)->message);
      bench.failures = bench.n;
    }
  printf ("requests=%u failures=%u seconds=%.3f rps=%.0f inflight=%" G_GUINT64_FORMAT
          " rss_before_kib=%" G_GUINT64_FORMAT " rss_peak_kib=%" G_GUINT64_FORMAT
          " kib_per_inflight=%.1f first_s=%.3f median_s=%.3f\n",
          bench.n, bench.failures, seconds, bench.n / seconds, inflight, before, peak,
          peak > before ? (double) (peak - before) / (double) inflight : 0.0,
          bench.n_done > 0 ? (bench.done[0] - bench.start) / (double) G_USEC_PER_SEC : 0.0,
          bench.n_done > 0 ? (bench.done[bench.n_done / 2] - bench.start) / (double) G_USEC_PER_SEC : 0.0);
  g_free (bench.done);

  async_future_unref (all);
  async_http_session_unref (bench.session);
  /* Failed requests are a figure of the run (the failures column), not a
   * failure of the program. */
  return 0;
}
