/* http-body-reader.c: the body of an opened response, handed from the
 * worker that receives it to the coroutine that reads it, chunk by chunk,
 * through a bounded buffer (back-pressure) and one pending read future. */

#include "config.h"

#include "http-body-reader-private.h"

#include <gio/gio.h>

/*
 * Thread safety: everything below @lock is protected by it; the worker
 * pushes, any thread reads and closes.
 */
struct _AsyncHttpBodyReader
{
  gatomicrefcount ref_count;
  gsize           capacity;
  GMutex          lock;
  GCond           cond;       /* a chunk was read, the reader closed, or a wake */
  GQueue          chunks;     /* GBytes * */
  gsize           n_queued;   /* bytes in @chunks */
  AsyncFuture    *pending;    /* the read waiting for a chunk, a reference */
  gboolean        finished;
  GError         *error;      /* how it finished, if it failed */
  gint            closed;     /* atomic */
};

AsyncHttpBodyReader *
async_http_body_reader_new (gsize capacity)
{
  AsyncHttpBodyReader *reader = g_new0 (AsyncHttpBodyReader, 1);

  g_atomic_ref_count_init (&reader->ref_count);
  reader->capacity = capacity;
  g_mutex_init (&reader->lock);
  g_cond_init (&reader->cond);
  g_queue_init (&reader->chunks);
  return reader;
}

AsyncHttpBodyReader *
async_http_body_reader_ref (AsyncHttpBodyReader *reader)
{
  g_atomic_ref_count_inc (&reader->ref_count);
  return reader;
}

void
async_http_body_reader_unref (AsyncHttpBodyReader *reader)
{
  if (!g_atomic_ref_count_dec (&reader->ref_count))
    return;
  g_clear_pointer (&reader->pending, async_future_unref);
  g_queue_clear_full (&reader->chunks, (GDestroyNotify) g_bytes_unref);
  g_clear_error (&reader->error);
  g_cond_clear (&reader->cond);
  g_mutex_clear (&reader->lock);
  g_free (reader);
}

/* Settles the pending read, if any, with what there is; under the lock.
 * Returns the future to unref after the lock. */
static AsyncFuture *
deliver_unlocked (AsyncHttpBodyReader *reader)
{
  AsyncFuture *pending = reader->pending;
  GBytes *chunk;

  if (pending == NULL)
    return NULL;
  if (!async_future_is_pending (pending))
    ;   /* cancelled by its caller: the chunk waits for the next read */
  else if ((chunk = g_queue_peek_head (&reader->chunks)) != NULL)
    {
      if (!async_future_resolve_quietly (pending, g_bytes_ref (chunk),
                                         (GDestroyNotify) g_bytes_unref))
        return g_steal_pointer (&reader->pending);
      g_queue_pop_head (&reader->chunks);
      reader->n_queued -= g_bytes_get_size (chunk);
      g_bytes_unref (chunk);
      g_cond_broadcast (&reader->cond);
    }
  else if (reader->finished && reader->error != NULL)
    async_future_reject_quietly (pending, g_error_copy (reader->error));
  else if (reader->finished)
    async_future_resolve_quietly (pending, g_bytes_new_static ("", 0),
                                  (GDestroyNotify) g_bytes_unref);
  else
    return NULL;
  return g_steal_pointer (&reader->pending);
}

gboolean
async_http_body_reader_push (AsyncHttpBodyReader *reader,
                             const char          *data,
                             gsize                length,
                             const gint          *cancelled)
{
  AsyncFuture *delivered;
  gboolean open;

  g_mutex_lock (&reader->lock);
  g_queue_push_tail (&reader->chunks, g_bytes_new (data, length));
  reader->n_queued += length;
  delivered = deliver_unlocked (reader);
  while (reader->n_queued > reader->capacity && !g_atomic_int_get (&reader->closed)
         && !g_atomic_int_get (cancelled))
    g_cond_wait (&reader->cond, &reader->lock);
  open = !g_atomic_int_get (&reader->closed);
  g_mutex_unlock (&reader->lock);

  g_clear_pointer (&delivered, async_future_unref);
  return open;
}

void
async_http_body_reader_finish (AsyncHttpBodyReader *reader,
                               GError              *error)
{
  AsyncFuture *delivered;

  g_mutex_lock (&reader->lock);
  reader->finished = TRUE;
  reader->error = error;
  delivered = deliver_unlocked (reader);
  g_mutex_unlock (&reader->lock);
  g_clear_pointer (&delivered, async_future_unref);
}

void
async_http_body_reader_wake (AsyncHttpBodyReader *reader)
{
  g_mutex_lock (&reader->lock);
  g_cond_broadcast (&reader->cond);
  g_mutex_unlock (&reader->lock);
}

gboolean
async_http_body_reader_is_closed (AsyncHttpBodyReader *reader)
{
  return g_atomic_int_get (&reader->closed);
}

AsyncFuture *
async_http_body_reader_read (AsyncHttpBodyReader *reader)
{
  AsyncFuture *future, *delivered;

  g_mutex_lock (&reader->lock);
  if (g_atomic_int_get (&reader->closed))
    {
      g_mutex_unlock (&reader->lock);
      return async_future_new_rejected (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                             "The response was closed"));
    }
  if (reader->pending != NULL && async_future_is_pending (reader->pending))
    {
      g_mutex_unlock (&reader->lock);
      g_critical ("async_http_response_read () while a read of the same response is pending");
      return NULL;
    }
  g_clear_pointer (&reader->pending, async_future_unref);
  future = async_future_new ();
  reader->pending = async_future_ref (future);
  delivered = deliver_unlocked (reader);
  g_mutex_unlock (&reader->lock);
  g_clear_pointer (&delivered, async_future_unref);
  return future;
}

void
async_http_body_reader_close (AsyncHttpBodyReader *reader)
{
  AsyncFuture *pending;

  g_mutex_lock (&reader->lock);
  g_atomic_int_set (&reader->closed, TRUE);
  pending = g_steal_pointer (&reader->pending);
  g_queue_clear_full (&reader->chunks, (GDestroyNotify) g_bytes_unref);
  g_queue_init (&reader->chunks);
  reader->n_queued = 0;
  g_cond_broadcast (&reader->cond);
  g_mutex_unlock (&reader->lock);

  if (pending != NULL)
    {
      async_future_cancel (pending);
      async_future_unref (pending);
    }
}
