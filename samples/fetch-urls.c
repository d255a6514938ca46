/* fetch-urls: the tutorial's task 3, URLs fetched concurrently and their bodies
 * printed in the order given, grown into a small tool.
 *
 *   import aiohttp
 *   import asyncio
 *
 *   async def fetch(session, url):
 *       async with session.get(url) as response:
 *           return await response.text()
 *
 *   async def main():
 *       urls = ['http://python.org', 'http://google.com']
 *       async with aiohttp.ClientSession() as session:
 *           tasks = [fetch(session, url) for url in urls]
 *           return await asyncio.gather(*tasks)
 *
 *   results = asyncio.run(main())
 *   print(results)
 *
 * Usage: fetch-urls [OPTIONS] [URL...]
 *   -i, --input FILE     read URLs from FILE too, one a line ("-": stdin)
 *   -j, --jobs N         at most N transfers at once (default 100)
 *   -t, --timeout S      give up on a URL after S seconds (default 300, 0: never)
 *   -q, --quiet          print no bodies
 *   --summary            print status, bytes, seconds and URL of each
 *
 * Each body is printed as it is, followed by a newline if it lacks one. A
 * URL that fails prints `fetch-urls: URL: reason` on standard error and the
 * others go on. Exit status: 0 if all succeeded, 1 if any failed, 2 for bad
 * usage. Run: ./samples/fetch-urls http://127.0.0.1:8000/ ...
 */

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <async-glib/async-glib.h>

#define PROGRESS_WIDTH 30

/* The main coroutine's frame: what lives across its one await. */
typedef struct
{
  GPtrArray        *urls;
  gboolean          quiet;
  gboolean          summary;
  gboolean          show_progress;
  AsyncHttpSession *session;
  guint             n_done;
  int               exit_status;
} FetchAll;

static void
draw_progress (FetchAll *self)
{
  guint filled = self->urls->len > 0 ? self->n_done * PROGRESS_WIDTH / self->urls->len : 0;
  char bar[PROGRESS_WIDTH + 1];

  memset (bar, '#', filled);
  memset (bar + filled, '.', PROGRESS_WIDTH - filled);
  bar[PROGRESS_WIDTH] = '\0';
  fprintf (stderr, "\r[%s] %u/%u", bar, self->n_done, self->urls->len);
  fflush (stderr);
}

static void
on_one_done (AsyncFuture *future,
             gpointer     user_data)
{
  FetchAll *self = user_data;

  self->n_done++;
  draw_progress (self);
}

/* The reason alone: our errors start with the URL they are about. */
static const char *
reason_of (const GError *error,
           const char   *url)
{
  gsize length = strlen (url);

  if (strncmp (error->message, url, length) == 0 && strncmp (error->message + length, ": ", 2) == 0)
    return error->message + length + 2;
  return error->message;
}

static void
print_results (FetchAll    *self,
               AsyncFuture *all)
{
  guint i;

  for (i = 0; i < self->urls->len; i++)
    {
      AsyncFuture *result = async_gather_get_result (all, i);
      const GError *error = async_future_get_error (result);
      AsyncHttpResponse *response;
      const char *data;
      gsize size;

      if (error != NULL)
        {
          fprintf (stderr, "fetch-urls: %s: %s\n", (char *) self->urls->pdata[i],
                   reason_of (error, self->urls->pdata[i]));
          self->exit_status = 1;
          continue;
        }
      if (self->quiet)
        continue;
      response = async_future_get_value (result);
      data = g_bytes_get_data (async_http_response_get_body (response), &size);
      if (size > 0)
        {
          fwrite (data, 1, size, stdout);
          if (data[size - 1] != '\n')
            putchar ('\n');
        }
    }

  if (!self->summary)
    return;
  printf ("%-6s %10s %8s  %s\n", "STATUS", "BYTES", "SECONDS", "URL");
  for (i = 0; i < self->urls->len; i++)
    {
      AsyncFuture *result = async_gather_get_result (all, i);
      AsyncHttpResponse *response = async_future_get_value (result);

      if (async_future_get_error (result) != NULL)
        printf ("%-6s %10s %8s  %s\n", "failed", "-", "-", (char *) self->urls->pdata[i]);
      else
        printf ("%-6u %10" G_GSIZE_FORMAT " %8.3f  %s\n",
                async_http_response_get_status (response),
                g_bytes_get_size (async_http_response_get_body (response)),
                async_http_response_get_timings (response)->total,
                (char *) self->urls->pdata[i]);
    }
}

static void
fetch_all (AsyncCoroutine *co,
           gpointer        frame)
{
  FetchAll *self = frame;
  AsyncFuture **futures;
  AsyncFuture *all;
  guint i;

  ASYNC_BEGIN (co);

  futures = g_new (AsyncFuture *, self->urls->len);
  for (i = 0; i < self->urls->len; i++)
    {
      futures[i] = async_http_session_get (self->session, self->urls->pdata[i]);
      if (self->show_progress)
        async_future_then (futures[i], on_one_done, self, NULL);
    }
  if (self->show_progress)
    draw_progress (self);

  /* Every URL's outcome, in the order given, whatever order they end in.
   * The gather takes the futures, not the array. */
  all = async_gather_array (ASYNC_GATHER_RETURN_EXCEPTIONS, futures, self->urls->len);
  g_free (futures);
  ASYNC_AWAIT (co, all);

  if (self->show_progress)
    fprintf (stderr, "\r%*s\r", PROGRESS_WIDTH + 24, "");
  print_results (self, async_coroutine_get_awaited (co));

  ASYNC_END (co);
}

static gboolean
read_urls (const char  *path,
           GPtrArray   *urls,
           GError     **error)
{
  char *contents = NULL;
  char **lines;
  guint i;

  if (strcmp (path, "-") == 0)
    {
      GString *text = g_string_new (NULL);
      char buffer[4096];
      size_t n;

      while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
        g_string_append_len (text, buffer, n);
      contents = g_string_free (text, FALSE);
    }
  else if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      char *url = g_strstrip (lines[i]);

      if (*url != '\0' && *url != '#')
        g_ptr_array_add (urls, g_strdup (url));
    }
  g_strfreev (lines);
  g_free (contents);
  return TRUE;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  fprintf (stderr, "fetch-urls: %s\nTry 'fetch-urls --help'.\n", message);
  g_option_context_free (context);
  return 2;
}

int
main (int    argc,
      char **argv)
{
  char *input = NULL;
  gint jobs = 100;
  double timeout = 300;
  gboolean quiet = FALSE, summary = FALSE;
  GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "Read URLs from FILE, one a line (- for standard input)", "FILE" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "At most N transfers at once (default 100)", "N" },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout, "Give up on a URL after S seconds (default 300, 0: never)", "S" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print no bodies", NULL },
    { "summary", 0, 0, G_OPTION_ARG_NONE, &summary, "Print status, bytes, seconds and URL of each", NULL },
    { NULL }
  };
  GOptionContext *context = g_option_context_new ("[URL...] - fetch URLs concurrently");
  FetchAll self = { NULL };
  GError *error = NULL;
  AsyncFuture *result;
  int i;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int status = usage_error (context, error->message);

      g_error_free (error);
      return status;
    }
  if (jobs < 1)
    return usage_error (context, "--jobs must be at least 1");
  if (timeout < 0)
    return usage_error (context, "--timeout must not be negative");

  self.urls = g_ptr_array_new_with_free_func (g_free);
  for (i = 1; i < argc; i++)
    g_ptr_array_add (self.urls, g_strdup (argv[i]));
  if (input != NULL && !read_urls (input, self.urls, &error))
    {
      int status = usage_error (context, error->message);

      g_error_free (error);
      g_ptr_array_unref (self.urls);
      g_free (input);
      return status;
    }
  g_free (input);
  g_option_context_free (context);
  if (self.urls->len == 0)
    {
      fprintf (stderr, "fetch-urls: no URL given\nTry 'fetch-urls --help'.\n");
      g_ptr_array_unref (self.urls);
      return 2;
    }

  self.quiet = quiet;
  self.summary = summary;
  self.show_progress = isatty (STDERR_FILENO);
  self.session = async_http_session_new ();
  async_http_session_set_limit (self.session, (guint) jobs);
  async_http_session_set_timeout (self.session, timeout);

  result = async_run_coroutine (fetch_all, &self, NULL);
  if (!async_future_propagate_error (result, &error))
    {
      fprintf (stderr, "fetch-urls: %s\n", error->message);
      g_error_free (error);
      self.exit_status = 1;
    }

  async_future_unref (result);
  async_http_session_unref (self.session);
  g_ptr_array_unref (self.urls);
  return self.exit_status;
}
