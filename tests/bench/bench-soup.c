/* bench-soup: libsoup 3's side of bench-http and bench-scale, the GLib
 * world's own HTTP client: N GETs of one URL through one SoupSession whose
 * max-conns and max-conns-per-host are both CONCURRENCY, all sent at once
 * with soup_session_send_and_read_async () on one GMainLoop. Prints the
 * line bench-scale prints: `requests=N failures=F seconds=S rps=R
 * inflight=I rss_before_kib=B rss_peak_kib=P kib_per_inflight=K`. Built only
 * when configure finds libsoup-3.0. */

#include "config.h"

/* Not part of the library: libsoup's headers may use GLib newer than the
 * oldest one the library supports. */
#undef GLIB_VERSION_MAX_ALLOWED

#include <stdio.h>

#include <libsoup/soup.h>

#include "bench-util.h"

typedef struct
{
  const char *url;
  guint       n;
  guint       done;
  guint       failures;
  GMainLoop  *loop;
} Bench;

typedef struct
{
  Bench       *bench;
  SoupMessage *message;
} Get;

static void
got (GObject      *source,
     GAsyncResult *result,
     gpointer      user_data)
{
  Get *get = user_data;
  Bench *bench = get->bench;
  GError *error = NULL;
  GBytes *body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (body == NULL || soup_message_get_status (get->message) != SOUP_STATUS_OK)
    {
      if (bench->failures++ < 3)
        fprintf (stderr, "bench-soup: %s: %s\n", bench->url,
                 error != NULL ? error->message : "a status other than 200");
    }
  g_clear_error (&error);
  g_clear_pointer (&body, g_bytes_unref);
  g_object_unref (get->message);
  g_free (get);
  if (++bench->done == bench->n)
    g_main_loop_quit (bench->loop);
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { NULL };
  guint64 n, concurrency, before, peak, inflight;
  SoupSession *session;
  gint64 start, end;
  guint i;

  if (!bench_parse_http_args (argc, argv, "bench-soup", G_MAXINT, &n, &concurrency))
    return 2;

  bench.url = argv[1];
  bench.n = (guint) n;
  bench.loop = g_main_loop_new (NULL, FALSE);
  session = soup_session_new_with_options ("max-conns", (int) concurrency,
                                           "max-conns-per-host", (int) concurrency,
                                           NULL);
  inflight = MIN (n, concurrency);

  before = proc_status_kib ("VmRSS");
  start = g_get_monotonic_time ();
  for (i = 0; i < bench.n; i++)
    {
      Get *get = g_new0 (Get, 1);

      get->bench = &bench;
      get->message = soup_message_new (SOUP_METHOD_GET, bench.url);
      if (get->message == NULL)
        {
          fprintf (stderr, "bench-soup: %s: not a URL libsoup accepts\n", bench.url);
          return 1;
        }
      soup_session_send_and_read_async (session, get->message, G_PRIORITY_DEFAULT, NULL, got, get);
    }
  g_main_loop_run (bench.loop);
  end = g_get_monotonic_time ();
  peak = proc_status_kib ("VmHWM");

  printf ("requests=%u failures=%u seconds=%.3f rps=%.0f inflight=%" G_GUINT64_FORMAT
          " rss_before_kib=%" G_GUINT64_FORMAT " rss_peak_kib=%" G_GUINT64_FORMAT
          " kib_per_inflight=%.1f\n",
          bench.n, bench.failures, (end - start) / (double) G_USEC_PER_SEC,
          bench.n / ((end - start) / (double) G_USEC_PER_SEC), inflight, before, peak,
          peak > before ? (double) (peak - before) / (double) inflight : 0.0);

  g_object_unref (session);
  g_main_loop_unref (bench.loop);
  return 0;
}
