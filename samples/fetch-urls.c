/* fetch-urls: the tutorial's task 3, URLs fetched concurrently and their
 * bodies printed in the order given, grown into a small tool with curl's
 * options.
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
 *   -i, --input FILE       read URLs from FILE too, one a line ("-": stdin)
 *   -j, --jobs N           at most N transfers at once (default 100)
 *   -t, --timeout S        give up on a URL after S seconds (default 300, 0: never)
 *   -q, --quiet            print no bodies
 *   --summary              print status, HTTP version, bytes, seconds and URL of each
 *   -X, --request METHOD   the method (default GET, or POST with a body)
 *   -H, --header LINE      add "Name: value" to every request (repeatable)
 *   -d, --data DATA        send DATA as an urlencoded body (repeatable, joined
 *                          with &; @FILE reads FILE)
 *   --json DATA            send DATA as a JSON body (@FILE reads FILE)
 *   -F, --form NAME=VALUE  add a multipart field; NAME=@FILE sends a file
 *   --retry N              retry a transient failure up to N times
 *   -o, --output FILE      write the body of the Nth URL to the Nth FILE
 *   --output-dir DIR       where relative -o files go
 *   -b, --cookie FILE      read cookies from a Netscape cookie FILE
 *   -c, --cookie-jar FILE  write the cookies to FILE at the end
 *   -x, --proxy URL        send every request through this proxy
 *   --cacert FILE          trust the certificate authorities in FILE
 *   -k, --insecure         do not verify TLS certificates
 *
 * The options are curl's, as curl spells them. Each body is printed as it
 * is, followed by a newline if it lacks one, or written to its -o file
 * (with a byte progress bar on a terminal). A URL that fails prints
 * `fetch-urls: URL: reason` on standard error and the others go on. Exit
 * status: 0 if all succeeded, 1 if any failed, 2 for bad usage. Run:
 * ./samples/fetch-urls http://127.0.0.1:8000/ ...
 */

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <async-glib/async-glib.h>

#define PROGRESS_WIDTH 30

/* The options every request is built with. */
typedef struct
{
  char    *method;
  char   **headers;
  GString *data;        /* -d, joined */
  char    *json;
  char   **form;
} Options;

/* The main coroutine's frame: what lives across its one await. */
typedef struct
{
  GPtrArray        *urls;
  GPtrArray        *outputs;     /* char *, as many as -o were given */
  Options          *options;
  gboolean          quiet;
  gboolean          summary;
  gboolean          show_progress;
  AsyncHttpSession *session;
  guint             n_done;
  guint64          *received;    /* per download */
  gint64           *totals;
  int               exit_status;
} FetchAll;

typedef struct
{
  FetchAll *self;
  guint     index;
} Download;

static gboolean
is_download (FetchAll *self,
             guint     i)
{
  return i < self->outputs->len;
}

static void
draw_progress (FetchAll *self)
{
  guint filled = self->urls->len > 0 ? self->n_done * PROGRESS_WIDTH / self->urls->len : 0;
  char bar[PROGRESS_WIDTH + 1];
  guint64 received = 0, total = 0;
  guint i;

  for (i = 0; i < self->outputs->len && i < self->urls->len; i++)
    {
      received += self->received[i];
      total += self->totals[i] > 0 ? (guint64) self->totals[i] : self->received[i];
    }
  if (total > 0)
    filled = (guint) (received * PROGRESS_WIDTH / total);
  memset (bar, '#', filled);
  memset (bar + filled, '.', PROGRESS_WIDTH - filled);
  bar[PROGRESS_WIDTH] = '\0';
  if (total > 0)
    fprintf (stderr, "\r[%s] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " bytes, %u/%u URLs",
             bar, received, total, self->n_done, self->urls->len);
  else
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

static void
on_download_progress (guint64  received,
                      gint64   total,
                      gpointer user_data)
{
  Download *download = user_data;
  FetchAll *self = download->self;

  self->received[download->index] = received;
  self->totals[download->index] = total;
  if (self->show_progress)
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
      if (self->quiet || is_download (self, i))
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
  printf ("%-6s %-4s %10s %8s  %s\n", "STATUS", "HTTP", "BYTES", "SECONDS", "URL");
  for (i = 0; i < self->urls->len; i++)
    {
      AsyncFuture *result = async_gather_get_result (all, i);
      AsyncHttpResponse *response = async_http_future_get_response (result);

      if (response == NULL)
        printf ("%-6s %-4s %10s %8s  %s\n", "failed", "-", "-", "-", (char *) self->urls->pdata[i]);
      else
        printf ("%-6u %-4s %10" G_GUINT64_FORMAT " %8.3f  %s\n",
                async_http_response_get_status (response),
                async_http_response_get_http_version (response),
                is_download (self, i) ? self->received[i]
                                      : (guint64) g_bytes_get_size (async_http_response_get_body (response)),
                async_http_response_get_timings (response)->total,
                (char *) self->urls->pdata[i]);
    }
}

/* "@FILE" is the contents of FILE, as curl reads -d, --json and -F. */
static char *
read_argument (const char  *argument,
               gsize       *length,
               GError     **error)
{
  char *contents;

  if (argument[0] != '@')
    {
      *length = strlen (argument);
      return g_strdup (argument);
    }
  if (!g_file_get_contents (argument + 1, &contents, length, error))
    return NULL;
  return contents;
}

/* The request of one URL, as the options say. */
static AsyncHttpRequest *
build_request (Options     *options,
               const char  *url,
               GError     **error)
{
  const char *method = options->method;
  AsyncHttpRequest *request;
  guint i;

  if (method == NULL)
    method = options->data != NULL || options->json != NULL || options->form != NULL ? "POST" : "GET";
  request = async_http_request_new (method, url);

  for (i = 0; options->headers != NULL && options->headers[i] != NULL; i++)
    {
      const char *line = options->headers[i];
      const char *colon = strchr (line, ':');
      char *name;
      gboolean ok;

      if (colon == NULL)
        {
          g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER,
                       "-H “%s”: not a “Name: value” line", line);
          async_http_request_unref (request);
          return NULL;
        }
      name = g_strndup (line, colon - line);
      colon++;
      while (*colon == ' ' || *colon == '\t')
        colon++;
      ok = async_http_request_add_header (request, name, colon, error);
      g_free (name);
      if (!ok)
        {
          async_http_request_unref (request);
          return NULL;
        }
    }

  if (options->data != NULL)
    {
      GBytes *body = g_bytes_new (options->data->str, options->data->len);

      async_http_request_set_body_bytes (request, body, "application/x-www-form-urlencoded");
      g_bytes_unref (body);
    }
  if (options->json != NULL)
    {
      async_http_request_set_body_text (request, options->json, "application/json");
      async_http_request_add_header (request, "Accept", "application/json", NULL);
    }
  for (i = 0; options->form != NULL && options->form[i] != NULL; i++)
    {
      const char *field = options->form[i];
      const char *equals = strchr (field, '=');
      char *name;

      if (equals == NULL || equals == field)
        {
          g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FAILED,
                       "-F “%s”: not NAME=VALUE or NAME=@FILE", field);
          async_http_request_unref (request);
          return NULL;
        }
      name = g_strndup (field, equals - field);
      if (equals[1] == '@')
        {
          GFile *file = g_file_new_for_path (equals + 2);

          async_http_request_add_multipart_file (request, name, file, NULL, NULL);
          g_object_unref (file);
        }
      else
        async_http_request_add_multipart_field (request, name, equals + 1);
      g_free (name);
    }
  return request;
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
      GError *error = NULL;
      AsyncHttpRequest *request = build_request (self->options, self->urls->pdata[i], &error);

      if (request == NULL)
        futures[i] = async_future_new_rejected (error);
      else if (is_download (self, i))
        {
          GFile *file = g_file_new_for_commandline_arg (self->outputs->pdata[i]);
          Download *download = g_new0 (Download, 1);

          download->self = self;
          download->index = i;
          futures[i] = async_http_session_download (self->session, request, file,
                                                    on_download_progress, download, g_free);
          g_object_unref (file);
        }
      else
        futures[i] = async_http_session_send (self->session, request);
      g_clear_pointer (&request, async_http_request_unref);
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
    fprintf (stderr, "\r%*s\r", PROGRESS_WIDTH + 60, "");
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
usage_error (const char *message)
{
  fprintf (stderr, "fetch-urls: %s\nTry 'fetch-urls --help'.\n", message);
  return 2;
}

/* -d may be given more than once: curl joins the pieces with '&'. */
static gboolean
add_data (const char  *option_name,
          const char  *value,
          gpointer     data,
          GError     **error)
{
  Options *options = data;
  gsize length;
  char *piece = read_argument (value, &length, error);

  if (piece == NULL)
    return FALSE;
  if (options->data == NULL)
    options->data = g_string_new (NULL);
  else
    g_string_append_c (options->data, '&');
  g_string_append_len (options->data, piece, length);
  g_free (piece);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  char *input = NULL, *json = NULL, *output_dir = NULL, *cookie = NULL, *cookie_jar = NULL;
  char *proxy = NULL, *cacert = NULL;
  char **outputs = NULL;
  gint jobs = 100, retries = 0;
  double timeout = 300;
  gboolean quiet = FALSE, summary = FALSE, insecure = FALSE;
  Options options = { NULL };
  GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "Read URLs from FILE, one a line (- for standard input)", "FILE" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "At most N transfers at once (default 100)", "N" },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout, "Give up on a URL after S seconds (default 300, 0: never)", "S" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print no bodies", NULL },
    { "summary", 0, 0, G_OPTION_ARG_NONE, &summary, "Print status, HTTP version, bytes, seconds and URL of each", NULL },
    { "request", 'X', 0, G_OPTION_ARG_STRING, &options.method, "The method (default GET, or POST with a body)", "METHOD" },
    { "header", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &options.headers, "Add a \"Name: value\" header (repeatable)", "LINE" },
    { "data", 'd', 0, G_OPTION_ARG_CALLBACK, add_data, "Send DATA urlencoded (repeatable; @FILE reads FILE)", "DATA" },
    { "json", 0, 0, G_OPTION_ARG_STRING, &json, "Send DATA as JSON (@FILE reads FILE)", "DATA" },
    { "form", 'F', 0, G_OPTION_ARG_STRING_ARRAY, &options.form, "Add a multipart field NAME=VALUE, or NAME=@FILE", "FIELD" },
    { "retry", 0, 0, G_OPTION_ARG_INT, &retries, "Retry a transient failure up to N times", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME_ARRAY, &outputs, "Write the Nth URL's body to the Nth FILE", "FILE" },
    { "output-dir", 0, 0, G_OPTION_ARG_FILENAME, &output_dir, "Where relative -o files go", "DIR" },
    { "cookie", 'b', 0, G_OPTION_ARG_FILENAME, &cookie, "Read cookies from a Netscape cookie FILE", "FILE" },
    { "cookie-jar", 'c', 0, G_OPTION_ARG_FILENAME, &cookie_jar, "Write the cookies to FILE at the end", "FILE" },
    { "proxy", 'x', 0, G_OPTION_ARG_STRING, &proxy, "Send every request through this proxy", "URL" },
    { "cacert", 0, 0, G_OPTION_ARG_FILENAME, &cacert, "Trust the certificate authorities in FILE", "FILE" },
    { "insecure", 'k', 0, G_OPTION_ARG_NONE, &insecure, "Do not verify TLS certificates", NULL },
    { NULL }
  };
  GOptionContext *context = g_option_context_new ("[URL...] - fetch URLs concurrently");
  GOptionGroup *group;
  FetchAll self = { NULL };
  GError *error = NULL;
  AsyncFuture *result;
  int status = 0;
  int i;

  setlocale (LC_ALL, "");
  group = g_option_group_new (NULL, NULL, NULL, &options, NULL);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  self.urls = g_ptr_array_new_with_free_func (g_free);
  self.outputs = g_ptr_array_new_with_free_func (g_free);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto usage;
  if (jobs < 1)
    {
      status = usage_error ("--jobs must be at least 1");
      goto out;
    }
  if (timeout < 0)
    {
      status = usage_error ("--timeout must not be negative");
      goto out;
    }
  if (retries < 0)
    {
      status = usage_error ("--retry must not be negative");
      goto out;
    }
  if (json != NULL)
    {
      gsize length;

      options.json = read_argument (json, &length, &error);
      if (options.json == NULL)
        goto usage;
    }
  if ((options.data != NULL) + (options.json != NULL) + (options.form != NULL) > 1)
    {
      status = usage_error ("-d, --json and -F cannot be combined");
      goto out;
    }
  /* A header that cannot be sent is bad usage, found before any transfer. */
  {
    AsyncHttpRequest *scratch = build_request (&options, "http://localhost/", &error);

    if (scratch == NULL)
      goto usage;
    async_http_request_unref (scratch);
  }

  for (i = 1; i < argc; i++)
    g_ptr_array_add (self.urls, g_strdup (argv[i]));
  if (input != NULL && !read_urls (input, self.urls, &error))
    goto usage;
  if (self.urls->len == 0)
    {
      status = usage_error ("no URL given");
      goto out;
    }
  if (outputs != NULL && g_strv_length (outputs) > self.urls->len)
    {
      status = usage_error ("more -o files than URLs");
      goto out;
    }

  for (i = 0; outputs != NULL && outputs[i] != NULL; i++)
    g_ptr_array_add (self.outputs, output_dir != NULL && !g_path_is_absolute (outputs[i])
                                   ? g_build_filename (output_dir, outputs[i], NULL)
                                   : g_strdup (outputs[i]));
  self.received = g_new0 (guint64, self.urls->len);
  self.totals = g_new0 (gint64, self.urls->len);
  self.options = &options;
  self.quiet = quiet;
  self.summary = summary;
  self.show_progress = isatty (STDERR_FILENO);
  self.session = async_http_session_new ();
  async_http_session_set_limit (self.session, (guint) jobs);
  async_http_session_set_timeout (self.session, timeout);
  if (retries > 0)
    async_http_session_set_retry (self.session, (guint) retries + 1, 1, 60);
  if (proxy != NULL)
    async_http_session_set_proxy (self.session, proxy);
  if (cacert != NULL)
    async_http_session_set_ca_file (self.session, cacert);
  if (insecure)
    async_http_session_set_verify_tls (self.session, FALSE);
  if (cookie != NULL && !async_http_session_load_cookies (self.session, cookie, &error))
    goto usage;

  result = async_run_coroutine (fetch_all, &self, NULL);
  if (!async_future_propagate_error (result, &error))
    {
      fprintf (stderr, "fetch-urls: %s\n", error->message);
      g_clear_error (&error);
      self.exit_status = 1;
    }
  async_future_unref (result);
  if (cookie_jar != NULL && !async_http_session_save_cookies (self.session, cookie_jar, &error))
    {
      fprintf (stderr, "fetch-urls: %s\n", error->message);
      g_clear_error (&error);
      self.exit_status = 1;
    }
  status = self.exit_status;
  goto out;

usage:
  status = usage_error (error->message);
  g_clear_error (&error);
out:
  g_option_context_free (context);
  g_clear_pointer (&self.session, async_http_session_unref);
  g_free (input);
  g_ptr_array_unref (self.outputs);
  g_ptr_array_unref (self.urls);
  g_free (self.received);
  g_free (self.totals);
  g_strfreev (outputs);
  g_strfreev (options.headers);
  g_strfreev (options.form);
  if (options.data != NULL)
    g_string_free (options.data, TRUE);
  g_free (options.json);
  g_free (options.method);
  g_free (json);
  g_free (output_dir);
  g_free (cookie);
  g_free (cookie_jar);
  g_free (proxy);
  g_free (cacert);
  return status;
}
