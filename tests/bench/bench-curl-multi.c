/* bench-curl-multi: the single-thread libcurl limit. N GETs of one URL
 * through one curl multi handle with at most CONCURRENCY transfers in
 * flight, driven by curl_multi_poll () on one thread: no threads, no
 * hand-offs, connections reused. What bench-http, which runs blocking easy
 * handles on a worker pool, is measured against. Prints `requests=N
 * failures=F seconds=S rps=R`, as bench-http does. */

#include "config.h"

#include <stdio.h>

#include <curl/curl.h>
#include <glib.h>

#include "bench-util.h"

static size_t
discard (char  *data,
         size_t size,
         size_t n,
         void  *user_data)
{
  return size * n;
}

static CURL *
transfer_new (const char *url)
{
  CURL *easy = curl_easy_init ();

  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  return easy;
}

int
main (int    argc,
      char **argv)
{
  guint64 n, concurrency;
  guint started = 0, ended = 0, failures = 0;
  GPtrArray *idle = g_ptr_array_new_with_free_func ((GDestroyNotify) curl_easy_cleanup);
  CURLM *multi;
  gint64 start;
  double seconds;

  if (!bench_parse_http_args (argc, argv, "bench-curl-multi", G_MAXUINT, &n, &concurrency))
    return 2;

  curl_global_init (CURL_GLOBAL_DEFAULT);
  multi = curl_multi_init ();
  curl_multi_setopt (multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long) concurrency);

  start = g_get_monotonic_time ();
  while (ended < n)
    {
      CURLMsg *message;
      int running, queued;

      /* An ended transfer's easy handle is added again: as a worker of
       * bench-http reuses its own. */
      while (started < n && started - ended < concurrency)
        {
          CURL *easy = idle->len > 0 ? g_ptr_array_steal_index (idle, idle->len - 1)
                                     : transfer_new (argv[1]);

          curl_multi_add_handle (multi, easy);
          started++;
        }

      curl_multi_perform (multi, &running);
      while ((message = curl_multi_info_read (multi, &queued)) != NULL)
        {
          long status = 0;

          if (message->msg != CURLMSG_DONE)
            continue;
          curl_easy_getinfo (message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
          if (message->data.result != CURLE_OK || status != 200)
            {
              if (failures++ < 3)
                fprintf (stderr, "bench-curl-multi: %s: %s (status %ld)\n", argv[1],
                         curl_easy_strerror (message->data.result), status);
            }
          curl_multi_remove_handle (multi, message->easy_handle);
          g_ptr_array_add (idle, message->easy_handle);
          ended++;
        }
      if (ended < n && running > 0)
        curl_multi_poll (multi, NULL, 0, 1000, NULL);
    }
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  printf ("requests=%u failures=%u seconds=%.3f rps=%.0f\n",
          (guint) n, failures, seconds, n / seconds);

  g_ptr_array_unref (idle);
  curl_multi_cleanup (multi);
  curl_global_cleanup ();
  return 0;
}
