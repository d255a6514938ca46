/* crawl: asyncio's classic crawler. A queue of URLs, workers in a task
 * group taking from it, each page's links queued once, join to finish.
 *
 *   async def worker(queue, seen, session):
 *       while True:
 *           url = await queue.get()       # QueueShutDown ends the worker
 *           try:
 *               async with session.get(url) as response:
 *                   for link in links(url, await response.text()):
 *                       if link not in seen:
 *                           seen.add(link)
 *                           queue.put_nowait(link)
 *           finally:
 *               queue.task_done()
 *
 *   async def main(root, jobs):
 *       queue, seen = asyncio.Queue(), {root}
 *       queue.put_nowait(root)
 *       connector = aiohttp.TCPConnector(limit=jobs)
 *       async with aiohttp.ClientSession(connector=connector) as session:
 *           async with asyncio.TaskGroup() as group:
 *               for _ in range(jobs):
 *                   group.create_task(worker(queue, seen, session))
 *               await queue.join()
 *               queue.shutdown()
 *
 * The session's limit bounds how many fetches run at once, as the
 * connector's does. Only links to the root's scheme, host and port are
 * followed. Progress goes to standard error when it is a terminal; the
 * summary line to standard output:
 *   pages=N broken=N errors=N bytes=N seconds=S
 * (broken: a 4xx or 5xx answer; errors: no answer at all).
 *
 * Usage: crawl [-j JOBS] [-q] URL
 * Run: ./samples/crawl http://127.0.0.1:PORT/site/0 with the test server
 * (tests/fixtures/async-test-server) running. Exit status: 0 when the
 * crawl ran (whatever the pages answered), 1 if it could not, 2 for bad
 * usage. */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <async-glib/async-glib.h>

typedef struct
{
  AsyncQueue       *queue;     /* of URLs, g_free'd */
  AsyncHttpSession *session;
  GHashTable       *seen;      /* every URL ever queued */
  AsyncTaskGroup   *group;
  char             *prefix;    /* scheme://host:port of the root */
  guint             jobs;
  gboolean          progress;
  guint             pages, broken, errors;
  guint64           bytes;
} Crawl;

typedef struct
{
  Crawl  *crawl;
  char   *url;
  GError *error;
} Worker;

static void
worker_free (gpointer data)
{
  Worker *self = data;

  g_free (self->url);
  g_clear_error (&self->error);
  g_free (self);
}

/* Queues each link of @html not seen before: href="…", resolved against
 * @url, without its fragment, on the root's site. */
static void
queue_links (Crawl      *crawl,
             const char *url,
             const char *html)
{
  const char *at = html;

  while ((at = strstr (at, "href=\"")) != NULL)
    {
      const char *start = at + strlen ("href=\"");
      const char *end = strchr (start, '"');
      char *href, *link, *hash;

      if (end == NULL)
        break;
      at = end;
      href = g_strndup (start, end - start);
      link = g_uri_resolve_relative (url, href, G_URI_FLAGS_NONE, NULL);
      g_free (href);
      if (link == NULL)
        continue;
      if ((hash = strchr (link, '#')) != NULL)
        *hash = '\0';
      if (!g_str_has_prefix (link, crawl->prefix) || g_hash_table_contains (crawl->seen, link))
        {
          g_free (link);
          continue;
        }
      g_hash_table_add (crawl->seen, g_strdup (link));
      /* Unbounded: a put never waits, so it cannot fail but at shutdown,
       * which comes only once every page is done. */
      async_queue_put_nowait (crawl->queue, link, NULL);
    }
}

static void
count_page (Crawl             *crawl,
            const char        *url,
            AsyncHttpResponse *response)
{
  GBytes *body = async_http_response_get_body (response);
  guint status = async_http_response_get_status (response);

  crawl->bytes += g_bytes_get_size (body);
  if (status >= 400)
    {
      crawl->broken++;
      return;
    }

  crawl->pages++;
  if (status == 200)
    {
      const char *text = async_http_response_get_text (response, NULL);

      if (text != NULL)
        queue_links (crawl, url, text);
    }
}

ASYNC_DEFINE_COROUTINE (worker, Worker)
{
  Crawl *crawl = self->crawl;

  ASYNC_BEGIN (co);
  for (;;)
    {
      ASYNC_AWAIT_TRY (co, async_queue_get (crawl->queue), &self->error);
      if (g_error_matches (self->error, ASYNC_ERROR, ASYNC_ERROR_QUEUE_SHUT_DOWN))
        ASYNC_RETURN (co, NULL, NULL);   /* the crawl is over */
      if (self->error != NULL)
        ASYNC_RETURN_ERROR (co, g_steal_pointer (&self->error));
      self->url = async_coroutine_steal_value (co);

      ASYNC_AWAIT_TRY (co, async_http_session_get (crawl->session, self->url), &self->error);
      if (self->error != NULL)
        {
          g_printerr ("%scrawl: %s: %s\n", crawl->progress ? "\n" : "", self->url, self->error->message);
          crawl->errors++;
          g_clear_error (&self->error);
        }
      else
        {
          count_page (crawl, self->url, async_coroutine_get_value (co));
        }
      g_clear_pointer (&self->url, g_free);
      async_queue_task_done (crawl->queue);

      if (crawl->progress)
        g_printerr ("\r%u pages, %u broken, %u queued ", crawl->pages, crawl->broken,
                    async_queue_get_size (crawl->queue));
    }
  ASYNC_END (co);
}

ASYNC_DEFINE_COROUTINE (crawl_main, Crawl)
{
  guint i;

  ASYNC_BEGIN (co);
  self->group = async_task_group_new (co);
  for (i = 0; i < self->jobs; i++)
    async_task_group_spawn (self->group, worker, g_memdup2 (&(Worker) { self, NULL, NULL }, sizeof (Worker)),
                            worker_free);
  ASYNC_AWAIT (co, async_queue_join (self->queue));
  async_queue_shutdown (self->queue, FALSE);
  ASYNC_AWAIT (co, async_task_group_wait (self->group));
  ASYNC_END (co);
}

int
main (int    argc,
      char **argv)
{
  gint jobs = 20;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "At most N fetches at once (default 20)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress, only the summary", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("URL");
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) root = NULL;
  g_autoptr (AsyncFuture) done = NULL;
  Crawl crawl = { NULL };
  gint64 start;
  int status = 0;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error) || argc != 2 || jobs < 1)
    {
      g_printerr ("crawl: %s\nusage: crawl [-j JOBS] [-q] URL\n",
                  error != NULL ? error->message : "one URL, and at least one job");
      return 2;
    }
  root = g_uri_parse (argv[1], G_URI_FLAGS_NONE, &error);
  if (root == NULL)
    {
      g_printerr ("crawl: %s\n", error->message);
      return 2;
    }

  crawl.prefix = g_strdup_printf ("%s://%s:%d/", g_uri_get_scheme (root), g_uri_get_host (root),
                                  g_uri_get_port (root));
  crawl.jobs = (guint) jobs;
  crawl.progress = !quiet && isatty (STDERR_FILENO);
  crawl.session = async_http_session_new ();
  async_http_session_set_limit (crawl.session, crawl.jobs);
  crawl.queue = async_queue_new (0, g_free);
  crawl.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (crawl.seen, g_strdup (argv[1]));
  async_queue_put_nowait (crawl.queue, g_strdup (argv[1]), NULL);

  start = g_get_monotonic_time ();
  done = async_run_coroutine (crawl_main, &crawl, NULL);
  if (crawl.progress)
    g_printerr ("\n");
  if (!async_future_propagate_error (done, &error))
    {
      g_printerr ("crawl: %s\n", error->message);
      status = 1;
    }
  g_print ("pages=%u broken=%u errors=%u bytes=%" G_GUINT64_FORMAT " seconds=%.3f\n",
           crawl.pages, crawl.broken, crawl.errors, crawl.bytes,
           (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  g_clear_pointer (&crawl.group, async_task_group_unref);
  async_queue_unref (crawl.queue);
  async_http_session_unref (crawl.session);
  g_hash_table_unref (crawl.seen);
  g_free (crawl.prefix);
  return status;
}
