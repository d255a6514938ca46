/* test-http-body.c: bodies that do not sit in memory, against the loopback
 * fixture server: an opened response read chunk by chunk from a coroutine,
 * with back-pressure and early close, and downloads to a file, with
 * progress, faults mid-body and nothing partial left behind. */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <async-glib/async-glib.h>

#include "test-http-util.h"

#define TIMEOUT_S TEST_HTTP_TIMEOUT_S

static AsyncTestServer *server;

#define request_for(method, path) test_http_request_for (server, (method), (path))
#define send(session, request) test_http_send_at (G_STRLOC, (session), (request))

static gboolean
is_pattern (const char *data,
            gsize       size,
            guint64     offset)
{
  gsize i;

  for (i = 0; i < size; i++)
    if (data[i] != 'a' + (char) ((offset + i) % 26))
      return FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------- pull */

/* async with session.get(url) as response:
 *     async for chunk in response.content.iter_any(): ... */
typedef struct
{
  AsyncHttpSession  *session;
  const char        *path;
  AsyncHttpRequest  *request;
  AsyncHttpResponse *response;
  guint64            received;
  guint              n_chunks;
  gboolean           in_order;
} ReadAll;

static void
read_all (AsyncCoroutine *co,
          gpointer        data)
{
  ReadAll *self = data;
  GBytes *chunk;

  ASYNC_BEGIN (co);
  self->request = request_for ("GET", self->path);
  ASYNC_AWAIT (co, async_http_session_open (self->session, self->request));
  self->response = async_http_response_ref (async_future_get_value (async_coroutine_get_awaited (co)));
  self->in_order = TRUE;
  for (;;)
    {
      ASYNC_AWAIT (co, async_http_response_read (self->response));
      chunk = async_future_get_value (async_coroutine_get_awaited (co));
      if (g_bytes_get_size (chunk) == 0)
        break;
      self->in_order &= is_pattern (g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk),
                                    self->received);
      self->received += g_bytes_get_size (chunk);
      self->n_chunks++;
    }
  ASYNC_END (co);
}

static void
test_open_read_to_end (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  ReadAll self = { session, "/chunked/3000000?chunk=70000", NULL, NULL, 0, 0, FALSE };
  AsyncFuture *done;

  done = async_spawn (read_all, &self, NULL);
  test_await (done, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (done));
  g_assert_cmpuint (self.received, ==, 3000000);
  g_assert_cmpuint (self.n_chunks, >, 1);
  g_assert_true (self.in_order);
  g_assert_cmpuint (async_http_response_get_status (self.response), ==, 200);
  /* The head's response holds no body: it was read. */
  g_assert_cmpuint (g_bytes_get_size (async_http_response_get_body (self.response)), ==, 0);
  async_http_response_unref (self.response);
  async_http_request_unref (self.request);
  async_future_unref (done);

  async_http_session_unref (session);
}

static void
test_open_cut_short (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  ReadAll self = { session, "/fault/close-mid-body", NULL, NULL, 0, 0, FALSE };
  AsyncFuture *done;

  done = async_spawn (read_all, &self, NULL);
  test_await (done, TIMEOUT_S);
  /* The head arrived, then the body failed: the read rejects. */
  g_assert_nonnull (self.response);
  g_assert_error ((GError *) async_future_get_error (done), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_PROTOCOL);
  g_assert_cmpuint (self.received, ==, 500);
  async_http_response_unref (self.response);
  async_http_request_unref (self.request);
  async_future_unref (done);

  async_http_session_unref (session);
}

static void
test_open_raise_for_status (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpRequest *request = request_for ("GET", "/status/503");
  AsyncFuture *future;

  async_http_request_set_raise_for_status (request, TRUE);
  future = async_http_session_open (session, request);
  async_http_request_unref (request);
  test_await (future, TIMEOUT_S);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_STATUS);
  g_assert_cmpstr (async_http_response_get_text (async_http_future_get_response (future), NULL),
                   ==, "status 503");
  async_future_unref (future);

  async_http_session_unref (session);
}

static guint64
server_sent (AsyncHttpSession *session,
             const char       *key)
{
  char *url = async_test_server_url (server, "/sent/%s", key);
  AsyncFuture *future = async_http_session_get (session, url);
  guint64 sent;

  test_await (future, TIMEOUT_S);
  sent = g_ascii_strtoull (async_http_response_get_text (async_future_get_value (future), NULL),
                           NULL, 10);
  async_future_unref (future);
  g_free (url);
  return sent;
}

static AsyncFuture *
open_at (const char       *where,
         AsyncHttpSession *session,
         const char       *path)
{
  AsyncHttpRequest *request = request_for ("GET", path);
  AsyncFuture *future = async_http_session_open (session, request);

  async_http_request_unref (request);
  test_await_at (where, future, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (future));
  return future;
}
#define open_response(session, path) open_at (G_STRLOC, (session), (path))

static gsize
read_one (AsyncHttpResponse *response)
{
  AsyncFuture *read = async_http_response_read (response);
  gsize size;

  test_await (read, TIMEOUT_S);
  g_assert_true (async_future_is_resolved (read));
  size = g_bytes_get_size (async_future_get_value (read));
  async_future_unref (read);
  return size;
}

/* A reader that stops reading stops the transfer: the server gets stuck
 * once the bounded buffer and the sockets are full, far before the end. */
static void
test_open_back_pressure (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncHttpSession *observer = async_http_session_new ();
  const guint64 size = 256 * 1024 * 1024;
  AsyncFuture *future;
  AsyncHttpResponse *response;
  guint64 sent = 0, last = G_MAXUINT64, received = 0;
  guint n_still = 0;
  gsize n;
  char *path = g_strdup_printf ("/tracked/back-pressure/%" G_GUINT64_FORMAT, size);

  async_http_session_set_max_body_size (session, 0);
  future = open_response (session, path);
  response = async_future_get_value (future);
  received += read_one (response);

  /* Until the server stops making progress: no event says so, so watch it
   * for a while. */
  while (n_still < 5)
    {
      test_iterate_for (0.1);
      sent = server_sent (observer, "back-pressure");
      n_still = sent == last ? n_still + 1 : 0;
      last = sent;
    }
  g_test_message ("the server stopped after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes",
                  sent, size);
  g_assert_cmpuint (sent, <, size / 4);

  while ((n = read_one (response)) > 0)
    received += n;
  g_assert_cmpuint (received, ==, size);
  g_assert_cmpuint (server_sent (observer, "back-pressure"), ==, size);

  async_future_unref (future);
  g_free (path);
  async_http_session_unref (observer);
  async_http_session_unref (session);
}

static void
test_open_close_early (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future, *read, *after;
  AsyncHttpResponse *response;
  char *url = async_test_server_url (server, "/text/after");

  /* One worker: the next request runs only once the first let go. */
  async_http_session_set_limit (session, 1);
  async_http_session_set_max_body_size (session, 0);
  future = open_response (session, "/bytes/1073741824");
  response = async_future_get_value (future);
  g_assert_cmpuint (read_one (response), >, 0);
  async_http_response_close (response);

  read = async_http_response_read (response);
  test_await (read, TIMEOUT_S);
  g_assert_error ((GError *) async_future_get_error (read), G_IO_ERROR, G_IO_ERROR_CLOSED);
  async_future_unref (read);

  after = async_http_session_get (session, url);
  test_await (after, TIMEOUT_S);
  g_assert_cmpstr (async_http_response_get_text (async_future_get_value (after), NULL), ==, "after");
  async_future_unref (after);

  async_future_unref (future);
  g_free (url);
  async_http_session_unref (session);
}

/* An opened response nobody reads or closes still lets the session close:
 * closing aborts its transfer though its future had resolved. */
static void
test_open_session_close_aborts (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  AsyncFuture *future, *read;
  AsyncHttpResponse *response;
  gint64 start;

  async_http_session_set_max_body_size (session, 0);
  future = open_response (session, "/bytes/1073741824");
  response = async_future_get_value (future);
  g_assert_cmpuint (read_one (response), >, 0);

  start = g_get_monotonic_time ();
  async_http_session_close (session);
  g_assert_cmpfloat (test_elapsed (start), <, 10);

  /* What was buffered may still be read; then the body ends cancelled. */
  for (;;)
    {
      read = async_http_response_read (response);
      test_await (read, TIMEOUT_S);
      if (!async_future_is_resolved (read))
        break;
      g_assert_cmpuint (g_bytes_get_size (async_future_get_value (read)), >, 0);
      async_future_unref (read);
    }
  g_assert_error ((GError *) async_future_get_error (read), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  async_future_unref (read);

  async_future_unref (future);
  async_http_session_unref (session);
}

/* Dropping an opened response unread ends its transfer: nobody can read
 * the rest. With one worker, the next request then runs. */
static void
test_open_dropped_unread (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *url = async_test_server_url (server, "/text/next");
  AsyncFuture *future, *next;

  async_http_session_set_limit (session, 1);
  async_http_session_set_max_body_size (session, 0);
  future = open_response (session, "/bytes/1073741824");
  g_assert_cmpuint (read_one (async_future_get_value (future)), >, 0);
  async_future_unref (future);

  next = async_http_session_get (session, url);
  test_await (next, TIMEOUT_S);
  g_assert_cmpstr (async_http_response_get_text (async_future_get_value (next), NULL), ==, "next");
  async_future_unref (next);

  g_free (url);
  async_http_session_unref (session);
}

/* A coroutine that opens a response and ends without reading it: async_run
 * returns, the transfer ended with the coroutine's frame. */
typedef struct
{
  AsyncHttpSession  *session;
  AsyncHttpRequest  *request;
  AsyncHttpResponse *response;
} OpenAndLeave;

static void
open_and_leave_free (gpointer data)
{
  OpenAndLeave *self = data;

  g_clear_pointer (&self->response, async_http_response_unref);
  g_clear_pointer (&self->request, async_http_request_unref);
}

static void
open_and_leave (AsyncCoroutine *co,
                gpointer        data)
{
  OpenAndLeave *self = data;

  ASYNC_BEGIN (co);
  self->request = request_for ("GET", "/bytes/1073741824");
  ASYNC_AWAIT (co, async_http_session_open (self->session, self->request));
  self->response = async_http_response_ref (async_future_get_value (async_coroutine_get_awaited (co)));
  ASYNC_END (co);
}

static void
test_open_async_run_returns (void)
{
  OpenAndLeave self = { async_http_session_new (), NULL, NULL };
  AsyncFuture *result;

  async_http_session_set_max_body_size (self.session, 0);
  result = async_run_coroutine (open_and_leave, &self, open_and_leave_free);
  g_assert_true (async_future_is_resolved (result));
  async_future_unref (result);
  async_http_session_unref (self.session);
}

/* ---------------------------------------------------------------- download */

typedef struct
{
  guint   n_calls;
  guint64 last;
  gint64  total;
  gboolean increasing;
  AsyncFuture *cancel_on_first;
  gint    destroyed;
} Progress;

static void
on_progress (guint64  received,
             gint64   total,
             gpointer user_data)
{
  Progress *progress = user_data;

  progress->increasing &= progress->n_calls == 0 || received > progress->last;
  progress->n_calls++;
  progress->last = received;
  progress->total = total;
  if (progress->cancel_on_first != NULL)
    async_future_cancel (progress->cancel_on_first);
}

static void
progress_destroyed (gpointer user_data)
{
  ((Progress *) user_data)->destroyed++;
}

static char *
make_dir (void)
{
  return g_dir_make_tmp ("test-http-body-XXXXXX", NULL);
}

/* How many entries @dir has: a download must leave no .part file. */
static guint
n_entries (const char *dir)
{
  GDir *listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (listing) != NULL)
    n++;
  g_dir_close (listing);
  return n;
}

static AsyncFuture *
download_at (const char       *where,
             AsyncHttpSession *session,
             const char       *path,
             const char       *destination,
             Progress         *progress)
{
  AsyncHttpRequest *request = request_for ("GET", path);
  GFile *file = g_file_new_for_path (destination);
  AsyncFuture *future = async_http_session_download (session, request, file,
                                                     progress != NULL ? on_progress : NULL,
                                                     progress,
                                                     progress != NULL ? progress_destroyed : NULL);

  if (progress != NULL && progress->cancel_on_first == (gpointer) 1)
    progress->cancel_on_first = future;
  async_http_request_unref (request);
  g_object_unref (file);
  test_await_at (where, future, TIMEOUT_S);
  return future;
}
#define download(session, path, destination, progress) \
  download_at (G_STRLOC, (session), (path), (destination), (progress))

static void
test_download_success (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *dir = make_dir ();
  char *destination = g_build_filename (dir, "file.bin", NULL);
  Progress progress = { 0, 0, 0, TRUE, NULL, 0 };
  AsyncFuture *future;
  char *contents;
  gsize size;

  future = download (session, "/bytes/3000000", destination, &progress);
  g_assert_true (async_future_is_resolved (future));
  g_assert_cmpuint (async_http_response_get_status (async_future_get_value (future)), ==, 200);
  g_assert_true (g_file_get_contents (destination, &contents, &size, NULL));
  g_assert_cmpuint (size, ==, 3000000);
  g_assert_true (is_pattern (contents, size, 0));
  g_assert_cmpuint (n_entries (dir), ==, 1);
  g_assert_cmpuint (progress.n_calls, >=, 1);
  g_assert_true (progress.increasing);
  g_assert_cmpuint (progress.last, ==, 3000000);
  g_assert_cmpint (progress.total, ==, 3000000);
  g_assert_cmpint (progress.destroyed, ==, 1);
  async_future_unref (future);

  g_free (contents);
  g_unlink (destination);
  g_rmdir (dir);
  g_free (destination);
  g_free (dir);
  async_http_session_unref (session);
}

static void
test_download_failures_leave_nothing (void)
{
  AsyncHttpSession *session = async_http_session_new ();
  char *dir = make_dir ();
  char *destination = g_build_filename (dir, "kept.txt", NULL);
  Progress progress = { 0, 0, 0, TRUE, (gpointer) 1, 0 };
  AsyncFuture *future;
  char *contents;

  /* Cut short mid-body, reset, error status: the old file stays as it
   * was, and no temporary file is left. */
  g_assert_true (g_file_set_contents (destination, "old", -1, NULL));
  future = download (session, "/fault/close-mid-body", destination, NULL);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_PROTOCOL);
  async_future_unref (future);
  future = download (session, "/fault/reset-after-headers", destination, NULL);
  g_assert_nonnull (async_future_get_error (future));
  async_future_unref (future);
  future = download (session, "/status/404", destination, NULL);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_STATUS);
  g_assert_cmpstr (async_http_response_get_text (async_http_future_get_response (future), NULL),
                   ==, "status 404");
  async_future_unref (future);
  g_assert_true (g_file_get_contents (destination, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_free (contents);
  g_assert_cmpuint (n_entries (dir), ==, 1);
  g_unlink (destination);

  /* Cancelled at the first progress report, mid-body. */
  future = download (session, "/trickle/50?interval=20", destination, &progress);
  g_assert_true (async_future_is_cancelled (future));
  /* The transfer lets go of the data once it has ended, on this context,
   * and the temporary file is gone by then. */
  test_spin_until (&progress.destroyed, TIMEOUT_S);
  g_assert_cmpuint (progress.n_calls, ==, 1);
  async_future_unref (future);
  g_assert_cmpuint (n_entries (dir), ==, 0);

  /* A destination that cannot be written. */
  future = download (session, "/bytes/10", "/nonexistent/dir/file", NULL);
  g_assert_error ((GError *) async_future_get_error (future), ASYNC_HTTP_ERROR,
                  ASYNC_HTTP_ERROR_FILE);
  async_future_unref (future);

  g_rmdir (dir);
  g_free (destination);
  g_free (dir);
  async_http_session_unref (session);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/body/open/read-to-end", test_open_read_to_end);
  g_test_add_func ("/http/body/open/cut-short", test_open_cut_short);
  g_test_add_func ("/http/body/open/raise-for-status-before-body", test_open_raise_for_status);
  g_test_add_func ("/http/body/open/back-pressure", test_open_back_pressure);
  g_test_add_func ("/http/body/open/close-early-aborts", test_open_close_early);
  g_test_add_func ("/http/body/open/session-close-aborts", test_open_session_close_aborts);
  g_test_add_func ("/http/body/open/dropped-unread-ends-transfer", test_open_dropped_unread);
  g_test_add_func ("/http/body/open/async-run-returns-with-unread-body", test_open_async_run_returns);
  g_test_add_func ("/http/body/download/success-with-progress", test_download_success);
  g_test_add_func ("/http/body/download/failures-leave-nothing", test_download_failures_leave_nothing);

  server = async_test_server_start ();
  status = g_test_run ();
  async_test_server_stop (server);
  return status;
}
