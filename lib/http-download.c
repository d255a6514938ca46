/* http-download.c: a download's sink: the body written to a temporary file
 * beside the destination on the worker, progress handed to the caller's
 * context, and the file renamed into place only on success. */

#include "config.h"

#include "http-download-private.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* A download's progress, on the caller's context: the latest figures. */
static void
progress_deliver_cb (AsyncFuture *unused,
                     gpointer     data)
{
  AsyncHttpExchange *exchange = data;
  guint64 now;

  g_mutex_lock (&exchange->lock);
  now = exchange->progress_now;
  exchange->progress_scheduled = FALSE;
  g_mutex_unlock (&exchange->lock);
  if (async_future_is_pending (&exchange->parent))
    exchange->on_progress (now, exchange->download_total, exchange->progress_data);
  async_future_unref (&exchange->parent);
}

static void
progress_push (AsyncHttpExchange *exchange)
{
  gboolean schedule;

  g_mutex_lock (&exchange->lock);
  exchange->progress_now = exchange->n_received;
  schedule = !exchange->progress_scheduled;
  exchange->progress_scheduled = TRUE;
  g_mutex_unlock (&exchange->lock);
  if (schedule)
    {
      async_future_ref (&exchange->parent);
      async_http_exchange_call_soon (exchange, progress_deliver_cb);
    }
}

/* A download's temporary file, beside its destination so that the rename
 * stays on one file system. FALSE with exchange->error set. */
gboolean
async_http_download_open (AsyncHttpExchange *exchange)
{
  const char *length = async_http_response_get_header (exchange->response, "Content-Length");
  int saved_errno;

  exchange->temporary_path = g_strconcat (exchange->download_path, ".part-XXXXXX", NULL);
  exchange->download_fd = g_mkstemp (exchange->temporary_path);
  if (exchange->download_fd < 0)
    {
      saved_errno = errno;
      g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                   "%s: cannot create %s: %s", exchange->url, exchange->temporary_path,
                   g_strerror (saved_errno));
      g_clear_pointer (&exchange->temporary_path, g_free);
      return FALSE;
    }
  /* A decoded body is longer than an encoded one's announced length. */
  exchange->download_total = length != NULL
                             && async_http_response_get_header (exchange->response, "Content-Encoding") == NULL
                             ? (gint64) g_ascii_strtoll (length, NULL, 10) : -1;
  return TRUE;
}

/* Renames the download into place after a success; otherwise removes it,
 * so that nothing partial is left behind. */
void
async_http_download_close (AsyncHttpExchange *exchange)
{
  gboolean ok = exchange->response != NULL && exchange->error == NULL;
  int saved_errno;

  if (exchange->temporary_path == NULL)
    return;
  if (close (exchange->download_fd) != 0 && ok)
    {
      saved_errno = errno;
      g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                   "%s: cannot write %s: %s", exchange->first_url, exchange->temporary_path,
                   g_strerror (saved_errno));
      ok = FALSE;
    }
  if (ok && g_rename (exchange->temporary_path, exchange->download_path) != 0)
    {
      saved_errno = errno;
      g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                   "%s: cannot rename %s to %s: %s", exchange->first_url,
                   exchange->temporary_path, exchange->download_path, g_strerror (saved_errno));
      ok = FALSE;
    }
  if (!ok)
    {
      g_unlink (exchange->temporary_path);
      g_clear_pointer (&exchange->response, async_http_response_unref);
      g_clear_pointer (&exchange->failed_response, async_http_response_unref);
    }
  g_clear_pointer (&exchange->temporary_path, g_free);
}

gboolean
async_http_download_write (AsyncHttpExchange *exchange,
                           const char        *data,
                           gsize              length)
{
  while (length > 0)
    {
      gssize n = write (exchange->download_fd, data, length);
      int saved_errno = errno;

      if (n < 0 && saved_errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                       "%s: cannot write %s: %s", exchange->url, exchange->temporary_path,
                       g_strerror (saved_errno));
          return FALSE;
        }
      data += n;
      length -= n;
    }
  if (exchange->on_progress != NULL)
    progress_push (exchange);
  return TRUE;
}
