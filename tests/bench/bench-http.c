/* bench-http: N GETs of one URL through one AsyncHttpSession whose limit is
 * CONCURRENCY, gathered; run by run-bench.sh beside curl --parallel and
 * aiohttp. Prints `requests=N failures=F seconds=S rps=R`. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <async-glib/async-glib.h>

typedef struct
{
  const char       *url;
  guint             n;
  AsyncHttpSession *session;
  guint             failures;
  gint64            start;
  gint64            end;
} Bench;

static void
count_outcomes (AsyncFuture *all,
                gpointer     user_data)
{
  Bench *bench = user_data;
  guint i;

  bench->end = g_get_monotonic_time ();
  for (i = 0; i < bench->n; i++)
    {
      AsyncFuture *result = async_gather_get_result (all, i);

      const GError *error = async_future_get_error (result);
      guint status = error == NULL ? async_http_response_get_status (async_future_get_value (result)) : 0;

      if (error == NULL && status == 200)
        continue;
      /* What failed and why, for the first few: a failure is reported and
       * counted, never a silent exit status. */
      if (bench->failures++ < 3)
        fprintf (stderr, "bench-http: %s: %s\n", bench->url,
                 error != NULL ? error->message : "a status other than 200");
    }
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
    futures[i] = async_http_session_get (bench->session, bench->url);
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
  guint64 n, concurrency;
  AsyncFuture *all;
  double seconds;

  if (argc != 4
      || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXUINT, &n, NULL)
      || !g_ascii_string_to_unsigned (argv[3], 10, 1, G_MAXUINT, &concurrency, NULL))
    {
      fprintf (stderr, "Usage: bench-http URL N CONCURRENCY\n");
      return 2;
    }

  bench.url = argv[1];
  bench.n = (guint) n;
  bench.session = async_http_session_new ();
  async_http_session_set_limit (bench.session, (guint) concurrency);

  all = async_run (start, &bench);
  seconds = (bench.end - bench.start) / (double) G_USEC_PER_SEC;
  if (async_future_get_error (all) != NULL)
    {
      fprintf (stderr, "bench-http: %s\n", async_future_get_error (all)->message);
      bench.failures = bench.n;
    }
  printf ("requests=%u failures=%u seconds=%.3f rps=%.0f\n",
          bench.n, bench.failures, seconds, bench.n / seconds);

  async_future_unref (all);
  async_http_session_unref (bench.session);
  /* Failed requests are a figure of the run (the failures column), not a
   * failure of the program. */
  return 0;
}
