/* test-crawl.c: the crawler sample (samples/crawl) against the site the
 * fixture server generates (tests/fixtures/site.h): every page reachable
 * from /site/0 is fetched, each exactly once, none of the unreachable
 * ones, and every broken link is counted once. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "test-util.h"
#include "test-server-util.h"
#include "fixtures/site.h"

typedef struct
{
  guint pages;
  guint broken;
} Reachable;

/* The crawl the site asks for: a walk of its links from page 0. */
static Reachable
site_walk (void)
{
  gboolean *seen = g_new0 (gboolean, SITE_PAGES);
  guint *queue = g_new (guint, SITE_PAGES);
  guint head = 0, tail = 0;
  Reachable reachable = { 0, 0 };

  seen[0] = TRUE;
  queue[tail++] = 0;
  while (head < tail)
    {
      guint page = queue[head++];
      guint k;

      reachable.pages++;
      if (site_has_broken_link (page))
        reachable.broken++;
      for (k = 0; k < SITE_LINKS; k++)
        {
          guint target = site_link (page, k);

          if (!seen[target])
            {
              seen[target] = TRUE;
              queue[tail++] = target;
            }
        }
    }
  g_free (seen);
  g_free (queue);
  return reachable;
}

static guint
summary_field (const char *summary,
               const char *key)
{
  const char *at = strstr (summary, key);

  g_assert_nonnull (at);
  return (guint) strtoul (at + strlen (key), NULL, 10);
}

static AsyncFuture *
get_stats (gpointer url)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *get = async_http_session_get (session, url);

  async_http_session_unref (session);
  return get;
}

static void
test_every_reachable_page_once (void)
{
  const char *dir = g_getenv ("ASYNC_SAMPLES_DIR");
  AsyncTestServer *server;
  Reachable reachable = site_walk ();
  char *path, *root, *stats_url, *output = NULL;
  const char *argv[6];
  GError *error = NULL;
  GSubprocess *process;
  AsyncFuture *stats;
  const char *text;

  g_assert_nonnull (dir);
  /* The site is what the issue asks for: thousands of pages, some not
   * reachable, some links broken. */
  g_assert_cmpuint (reachable.pages, >, 2000);
  g_assert_cmpuint (reachable.pages, <, SITE_PAGES);
  g_assert_cmpuint (reachable.broken, >, 0);

  server = async_test_server_start ();
  path = g_build_filename (dir, "crawl", NULL);
  root = async_test_server_url (server, "/site/0");
  argv[0] = path;
  argv[1] = "-q";
  argv[2] = "-j";
  argv[3] = "16";
  argv[4] = root;
  argv[5] = NULL;
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_test_message ("crawl: %s", output);

  g_assert_cmpuint (summary_field (output, "pages="), ==, reachable.pages);
  g_assert_cmpuint (summary_field (output, "broken="), ==, reachable.broken);
  g_assert_cmpuint (summary_field (output, "errors="), ==, 0);

  /* Exactly once each: the server saw no request but those, and this one. */
  stats_url = async_test_server_url (server, "/stats");
  stats = async_run (get_stats, stats_url);
  g_assert_true (async_future_is_resolved (stats));
  text = async_http_response_get_text (async_future_get_value (stats), NULL);
  g_assert_cmpuint (summary_field (text, "requests="), ==, reachable.pages + reachable.broken + 1);

  async_future_unref (stats);
  g_object_unref (process);
  g_free (output);
  g_free (stats_url);
  g_free (root);
  g_free (path);
  async_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crawl/every-reachable-page-once", test_every_reachable_page_once);

  return g_test_run ();
}
