/* stream.c: asyncio's StreamReader and StreamWriter over a pollable GIO
 * stream. Reads are futures served from a buffer that non-blocking reads
 * fill; writes go out at once when they can and are buffered otherwise.
 * A plain socket or pipe waits in its context's epoll set (poller.c), TLS
 * in GIO's pollable sources. Also asyncio.open_connection (). */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib-unix.h>

#include "async-glib/async-coro.h"
#include "async-glib/async-gio.h"
#include "async-glib/async-wait.h"
#include "poller-private.h"
#include "scheduler-private.h"
#include "stream-private.h"

/* What one non-blocking read asks for, as asyncio's selector transport
 * (which reads up to 256 KiB). */
#define READ_CHUNK (64 * 1024)
/* Reads one callback may do before it lets the loop run others. */
#define READS_PER_TURN 16
/* A taken chunk at least this long gives up the buffer's memory instead of
 * being copied out of it. */
#define STEAL_AT_LEAST (32 * 1024)
/* asyncio's FlowControlMixin: pause over 64 KiB, resume at a quarter. */
#define DEFAULT_HIGH_WATER (64 * 1024)

typedef enum
{
  READ_SOME,     /* read (n) */
  READ_EXACTLY,  /* readexactly (n) */
  READ_UNTIL,    /* readuntil (separator) */
  READ_LINE,     /* readline () */
} ReadKind;

typedef struct
{
  AsyncFuture  parent;
  AsyncStream *stream;         /* a reference for the future's whole life */
  ReadKind     kind;
  gssize       n;
  guint8      *separator;
  gsize        separator_len;
  gsize        offset;         /* where the separator search resumes */
  GBytes      *partial;        /* of ASYNC_ERROR_INCOMPLETE_READ */
  gsize        consumed;       /* of ASYNC_ERROR_LIMIT_OVERRUN */
} StreamRead;

/* Thread safety: every field is touched on the thread that runs @context
 * only; a read cancelled from another thread is detached there through
 * the scheduler. */
struct _AsyncStream
{
  gatomicrefcount  ref_count;
  AsyncScheduler  *scheduler;
  GMainContext    *context;
  GIOStream       *io_stream;      /* NULL for pipes */
  GSocket         *socket;         /* NULL unless a plain socket */
  GInputStream    *input;          /* NULL: no reader side */
  GOutputStream   *output;         /* NULL: no writer side */

  /* reader */
  GByteArray      *buffer;         /* bytes from @buffer_start on are unread */
  gsize            buffer_start;
  gsize            limit;
  gboolean         eof;
  GError          *read_error;     /* sticky, as asyncio's exception () */
  StreamRead      *read_op;        /* the one waiting read, a reference */
  gboolean         reading;        /* waiting for the input to be readable */
  GSource         *read_source;    /* TLS: a pollable source while reading */

  /* writer */
  GByteArray      *write_buffer;   /* bytes from @write_start on are unsent */
  gsize            write_start;
  gsize            high_water;
  gsize            low_water;
  gboolean         write_paused;
  gboolean         writing;        /* bytes wait: holds a reference */
  GSource         *write_source;   /* TLS: a pollable source while writing */
  GError          *write_error;
  GQueue           drain_waiters;  /* of AsyncFuture, references */
  gboolean         eof_requested;
  gboolean         eof_written;

  gboolean         closing;
  gboolean         closed;
  AsyncFuture     *closed_future;

  /* A plain socket or a pipe is in its context's epoll set for the
   * stream's life (poller.c): nothing is made or freed per read, and its
   * edge flags say when trying the fd is worth a system call. TLS has
   * buffers of its own, so it gets GIO's pollable sources instead. */
  AsyncPollerWatch *watch;
};

static void stream_read_pump (AsyncStream *self);
static void read_watch (AsyncStream *self,
                        gboolean     on);
static void stream_flush (AsyncStream *self);
static void stream_finish_close (AsyncStream *self);
static void drain_waiters_settle (AsyncStream  *self,
                                  const GError *error,
                                  gboolean      cancel);

/* --- the read futures ----------------------------------------------------- */

static void
stream_read_detach (AsyncStream *self,
                    StreamRead  *op)
{
  if (self->read_op != op)
    return;

  self->read_op = NULL;
  read_watch (self, FALSE);
  async_future_unref (&op->parent);
}

static void
stream_read_detach_marshalled (AsyncFuture *unused,
                               gpointer     user_data)
{
  StreamRead *op = user_data;

  stream_read_detach (op->stream, op);
}

static gboolean
stream_read_cancel (AsyncFuture *future)
{
  StreamRead *op = (StreamRead *) future;

  if (!async_future_cancel_quietly (future))
    return FALSE;

  /* The bytes that came in stay in the buffer for the next read. */
  if (async_scheduler_is_current (op->stream->scheduler))
    stream_read_detach (op->stream, op);
  else
    async_scheduler_call_soon (op->stream->scheduler, stream_read_detach_marshalled,
                               async_future_ref (future), (GDestroyNotify) async_future_unref);

  return TRUE;
}

static void
stream_read_finalize (AsyncFuture *future)
{
  StreamRead *op = (StreamRead *) future;

  g_free (op->separator);
  g_clear_pointer (&op->partial, g_bytes_unref);
  async_stream_unref (op->stream);
}

static const AsyncFutureClass stream_read_class = {
  "AsyncStreamRead",
  stream_read_cancel,
  stream_read_finalize,
};

/* --- the buffer ----------------------------------------------------------- */

static gsize
buffered (AsyncStream *self)
{
  return self->buffer->len - self->buffer_start;
}

static const guint8 *
buffered_data (AsyncStream *self)
{
  return self->buffer->data + self->buffer_start;
}

static void
buffer_drop (AsyncStream *self,
             gsize        n)
{
  self->buffer_start += n;
  if (self->buffer_start == self->buffer->len)
    {
      g_byte_array_set_size (self->buffer, 0);
      self->buffer_start = 0;
    }
}

static GBytes *
buffer_take (AsyncStream *self,
             gsize        n)
{
  GBytes *bytes;

  if (n >= STEAL_AT_LEAST && self->buffer_start == 0 && n == self->buffer->len)
    {
      bytes = g_byte_array_free_to_bytes (self->buffer);
      self->buffer = g_byte_array_new ();
      return bytes;
    }

  bytes = g_bytes_new (buffered_data (self), n);
  buffer_drop (self, n);

  return bytes;
}

/* --- reading -------------------------------------------------------------- */

static void
read_resolve (AsyncStream *self,
              StreamRead  *op,
              GBytes      *bytes)
{
  async_future_resolve_quietly (&op->parent, bytes, (GDestroyNotify) g_bytes_unref);
  stream_read_detach (self, op);
}

static void
read_reject (AsyncStream *self,
             StreamRead  *op,
             GError      *error)
{
  async_future_reject_quietly (&op->parent, error);
  stream_read_detach (self, op);
}

static void
read_limit_overrun (AsyncStream *self,
                    StreamRead  *op,
                    gsize        consumed,
                    gboolean     found)
{
  op->consumed = consumed;

  /* readline () drops the line it could not return, readuntil () leaves
   * it (asyncio's ValueError and LimitOverrunError). */
  if (op->kind == READ_LINE)
    {
      if (found)
        buffer_drop (self, consumed + op->separator_len);
      else
        buffer_drop (self, buffered (self));
    }

  read_reject (self, op,
               g_error_new_literal (ASYNC_ERROR, ASYNC_ERROR_LIMIT_OVERRUN,
                                    found ? "Separator is found, but chunk is longer than limit"
                                          : "Separator is not found, and chunk exceed the limit"));
}

static void
read_incomplete (AsyncStream *self,
                 StreamRead  *op,
                 const char  *expected)
{
  gsize have = buffered (self);

  op->partial = buffer_take (self, have);
  read_reject (self, op,
               g_error_new (ASYNC_ERROR, ASYNC_ERROR_INCOMPLETE_READ,
                            "%" G_GSIZE_FORMAT " bytes read on a total of %s expected bytes",
                            have, expected));
}

static const guint8 *
find_separator (const guint8 *data,
                gsize         len,
                const guint8 *separator,
                gsize         separator_len)
{
  const guint8 *end = data + len;

  while ((gsize) (end - data) >= separator_len)
    {
      const guint8 *first = memchr (data, separator[0], end - data - separator_len + 1);

      if (first == NULL)
        return NULL;
      if (memcmp (first, separator, separator_len) == 0)
        return first;
      data = first + 1;
    }

  return NULL;
}

/* Settles @op if the buffer (or the end of the stream, or its error) is
 * enough to; returns FALSE if more bytes are needed. */
static gboolean
read_try_complete (AsyncStream *self,
                   StreamRead  *op)
{
  gsize have = buffered (self);

  if (self->read_error != NULL)
    {
      read_reject (self, op, g_error_copy (self->read_error));
      return TRUE;
    }

  switch (op->kind)
    {
    case READ_SOME:
      if (op->n < 0)
        {
          if (!self->eof)
            return FALSE;
          read_resolve (self, op, buffer_take (self, have));
          return TRUE;
        }
      if (have == 0 && !self->eof)
        return FALSE;
      read_resolve (self, op, buffer_take (self, MIN (have, (gsize) op->n)));
      return TRUE;

    case READ_EXACTLY:
      if (have >= (gsize) op->n)
        {
          read_resolve (self, op, buffer_take (self, op->n));
          return TRUE;
        }
      if (!self->eof)
        return FALSE;
      {
        char *expected = g_strdup_printf ("%" G_GSSIZE_FORMAT, op->n);

        read_incomplete (self, op, expected);
        g_free (expected);
      }
      return TRUE;

    case READ_UNTIL:
    case READ_LINE:
      /* asyncio's readuntil (), step for step. */
      if (have >= op->offset + op->separator_len)
        {
          const guint8 *data = buffered_data (self);
          const guint8 *found = find_separator (data + op->offset, have - op->offset,
                                                op->separator, op->separator_len);

          if (found != NULL)
            {
              gsize isep = found - data;

              if (isep > self->limit)
                read_limit_overrun (self, op, isep, TRUE);
              else
                read_resolve (self, op, buffer_take (self, isep + op->separator_len));
              return TRUE;
            }

          op->offset = have + 1 - op->separator_len;
          if (op->offset > self->limit)
            {
              read_limit_overrun (self, op, op->offset, FALSE);
              return TRUE;
            }
        }
      if (!self->eof)
        return FALSE;
      if (op->kind == READ_LINE)
        read_resolve (self, op, buffer_take (self, have));
      else
        read_incomplete (self, op, "undefined");
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
stream_read_ready (GObject  *pollable,
                   gpointer  user_data)
{
  AsyncStream *self = user_data;

  stream_read_pump (self);

  return self->reading ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Waits, or stops waiting, for the input to be readable. No reference:
 * the waiting read holds one. */
static void
read_watch (AsyncStream *self,
            gboolean     on)
{
  if (self->reading == on)
    return;

  self->reading = on;
  if (self->watch != NULL)
    return;
  if (on)
    {
      self->read_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->input), NULL);
      g_source_set_callback (self->read_source, G_SOURCE_FUNC (stream_read_ready), self, NULL);
      g_source_attach (self->read_source, self->context);
    }
  else
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }
}

/* Reads into the buffer until the waiting read is settled or the socket
 * would block (then the poller, or a source, waits for it); through GIO's
 * sources, also until this turn's share is used. */
static void
stream_read_pump (AsyncStream *self)
{
  guint turns = 0;

  async_stream_ref (self);

  while (self->read_op != NULL)
    {
      StreamRead *op = self->read_op;
      GError *error = NULL;
      gsize len;
      gssize n;

      if (!async_future_is_pending (&op->parent))
        {
          stream_read_detach (self, op);
          break;
        }
      if (read_try_complete (self, op))
        continue;
      if (self->watch != NULL && !self->watch->readable)
        {
          /* Nothing there since the last try: the next edge says when. */
          read_watch (self, TRUE);
          break;
        }
      /* An edge-triggered fd is read until it is empty: no edge would
       * come back for what is left. Through GIO's sources, a share a
       * turn. */
      if (self->watch == NULL && turns++ == READS_PER_TURN)
        {
          /* The source fires again at once if more is there. */
          read_watch (self, TRUE);
          break;
        }

      /* Unread bytes go to the front before the buffer grows. */
      if (self->buffer_start > 0 && self->buffer_start >= buffered (self))
        {
          g_byte_array_remove_range (self->buffer, 0, self->buffer_start);
          self->buffer_start = 0;
        }
      len = self->buffer->len;
      g_byte_array_set_size (self->buffer, len + READ_CHUNK);
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->input),
                                                    self->buffer->data + len, READ_CHUNK,
                                                    NULL, &error);
      g_byte_array_set_size (self->buffer, len + MAX (n, 0));

      if (n > 0)
        {
          /* A short read emptied the socket; more bytes make a new edge.
           * Not so once the peer closed: the end is still to be read. */
          if (self->watch != NULL && n < READ_CHUNK && !self->watch->hup)
            self->watch->readable = FALSE;
          continue;
        }
      if (n == 0)
        {
          self->eof = TRUE;
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          if (self->watch != NULL)
            self->watch->readable = FALSE;
          read_watch (self, TRUE);
          break;
        }
      self->read_error = error;
    }

  async_stream_unref (self);
}

static AsyncFuture *
stream_read_start (AsyncStream *self,
                   ReadKind     kind,
                   gssize       n,
                   const void  *separator,
                   gsize        separator_len)
{
  StreamRead *op;

  /* A read cancelled from another thread may not be detached yet. */
  if (self->read_op != NULL && !async_future_is_pending (&self->read_op->parent))
    stream_read_detach (self, self->read_op);
  g_return_val_if_fail (self->read_op == NULL, NULL);

  op = async_future_alloc (&stream_read_class, sizeof (StreamRead), "async_stream_read()");
  op->stream = async_stream_ref (self);
  op->kind = kind;
  op->n = n;
  if (separator_len > 0)
    {
      op->separator = g_memdup2 (separator, separator_len);
      op->separator_len = separator_len;
    }

  if (self->closing)
    {
      async_future_cancel_quietly (&op->parent);
      return &op->parent;
    }

  self->read_op = (StreamRead *) async_future_ref (&op->parent);
  /* The buffer may be enough; if not, the pump tries the fd only if its
   * last edge says there is something to read. */
  if (!read_try_complete (self, op))
    stream_read_pump (self);

  return &op->parent;
}

/* --- the watch of a plain socket or pipe ---------------------------------- */

static void
stream_watch_ready (gpointer user_data)
{
  AsyncStream *self = user_data;

  async_stream_ref (self);
  if (self->reading && self->watch != NULL && self->watch->readable)
    stream_read_pump (self);
  if (self->writing && self->watch != NULL && self->watch->writable)
    stream_flush (self);
  async_stream_unref (self);
}

static void
stream_watch_add (AsyncStream *self,
                  int          fd)
{
  self->watch = async_poller_watch_add (self->context, fd, stream_watch_ready, self);
}

/* Before the descriptor is closed: a closed fd must leave the epoll set. */
static void
stream_watch_remove (AsyncStream *self)
{
  if (self->watch == NULL)
    return;

  async_poller_watch_remove (self->watch);
  self->watch = NULL;
}

/* The descriptor of a pipe stream (GUnixInputStream and GUnixOutputStream
 * have an "fd" property), or -1. */
static int
pipe_get_fd (GObject *stream)
{
  int fd = -1;

  if (stream != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "fd") != NULL)
    g_object_get (stream, "fd", &fd, NULL);

  return fd;
}

/* --- construction --------------------------------------------------------- */

static AsyncStream *
stream_new (GIOStream     *io_stream,
            GInputStream  *input,
            GOutputStream *output)
{
  AsyncStream *self = g_new0 (AsyncStream, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->scheduler = async_scheduler_ref (async_scheduler_get_thread_default ());
  self->context = g_main_context_ref_thread_default ();
  self->io_stream = io_stream != NULL ? g_object_ref (io_stream) : NULL;
  self->input = input != NULL ? g_object_ref (input) : NULL;
  self->output = output != NULL ? g_object_ref (output) : NULL;
  self->buffer = g_byte_array_new ();
  self->limit = ASYNC_STREAM_DEFAULT_LIMIT;
  self->write_buffer = g_byte_array_new ();
  self->high_water = DEFAULT_HIGH_WATER;
  self->low_water = DEFAULT_HIGH_WATER / 4;
  g_queue_init (&self->drain_waiters);
  self->closed_future = async_future_new ();

  if (G_IS_SOCKET_CONNECTION (io_stream))
    {
      self->socket = g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (io_stream)));
      /* asyncio sets TCP_NODELAY on every TCP connection: a small write
       * is sent at once, not held back for the next. */
      if (g_socket_get_protocol (self->socket) == G_SOCKET_PROTOCOL_TCP)
        g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      stream_watch_add (self, g_socket_get_fd (self->socket));
    }

  return self;
}

static gboolean
is_pollable_input (GInputStream *input)
{
  return G_IS_POLLABLE_INPUT_STREAM (input) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input));
}

static gboolean
is_pollable_output (GOutputStream *output)
{
  return G_IS_POLLABLE_OUTPUT_STREAM (output) &&
         g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output));
}

/**
 * async_stream_new:
 * @io_stream: a connection whose input and output streams are pollable
 *   (every #GSocketConnection and #GTlsConnection is)
 *
 * Makes an asyncio stream of @io_stream, which it takes a reference to and
 * closes when it is closed or freed. A TCP connection gets `TCP_NODELAY`,
 * as asyncio sets it. Call it on the thread that runs the thread-default
 * context, which the stream then belongs to.
 *
 * Returns: (transfer full): the stream
 *
 * Since: 0.2
 */
AsyncStream *
async_stream_new (GIOStream *io_stream)
{
  g_return_val_if_fail (G_IS_IO_STREAM (io_stream), NULL);
  g_return_val_if_fail (is_pollable_input (g_io_stream_get_input_stream (io_stream)), NULL);
  g_return_val_if_fail (is_pollable_output (g_io_stream_get_output_stream (io_stream)), NULL);

  return stream_new (io_stream, g_io_stream_get_input_stream (io_stream),
                     g_io_stream_get_output_stream (io_stream));
}

/* GSubprocess's pipes are blocking: a "non-blocking" write of more than
 * the pipe holds would block the loop (GIO's default write_nonblocking ()
 * only polls first). Our end is made non-blocking; the child's end is a
 * description of its own and stays as it was. */
static void
pipe_set_nonblocking (int fd)
{
  if (fd >= 0)
    g_unix_set_fd_nonblocking (fd, TRUE, NULL);
}

AsyncStream *
async_stream_new_for_pipes (GInputStream  *input,
                            GOutputStream *output)
{
  g_return_val_if_fail ((input == NULL) != (output == NULL), NULL);
  g_return_val_if_fail (input == NULL || is_pollable_input (input), NULL);
  g_return_val_if_fail (output == NULL || is_pollable_output (output), NULL);

  AsyncStream *self;
  int fd = pipe_get_fd (input != NULL ? G_OBJECT (input) : G_OBJECT (output));

  pipe_set_nonblocking (fd);
  self = stream_new (NULL, input, output);
  if (fd >= 0)
    stream_watch_add (self, fd);

  return self;
}

/**
 * async_stream_ref:
 * @stream: a stream
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @stream
 *
 * Since: 0.2
 */
AsyncStream *
async_stream_ref (AsyncStream *stream)
{
  g_return_val_if_fail (stream != NULL, NULL);

  g_atomic_ref_count_inc (&stream->ref_count);

  return stream;
}

/* Closes what is still open, at once: the last reference went, and no
 * future waits on the stream any more (each holds a reference). */
static void
stream_close_now (AsyncStream *self)
{
  read_watch (self, FALSE);
  stream_watch_remove (self);
  if (self->io_stream != NULL)
    {
      /* No TLS close_notify from here: that may block on a stalled peer,
       * so the socket under it is closed instead (asyncio's abort ()). */
      if (G_IS_TLS_CONNECTION (self->io_stream))
        {
          GIOStream *base = NULL;

          g_object_get (self->io_stream, "base-io-stream", &base, NULL);
          if (base != NULL)
            {
              g_io_stream_close (base, NULL, NULL);
              g_object_unref (base);
            }
        }
      g_io_stream_close (self->io_stream, NULL, NULL);
    }
  else
    {
      if (self->input != NULL)
        g_input_stream_close (self->input, NULL, NULL);
      if (self->output != NULL)
        g_output_stream_close (self->output, NULL, NULL);
    }
  self->closed = TRUE;
  async_future_resolve_quietly (self->closed_future, NULL, NULL);
}

/**
 * async_stream_unref:
 * @stream: (transfer full): a stream
 *
 * Drops a reference. The last one closes the stream at once if it was not
 * closed (asyncio closes a collected transport): the bytes still buffered
 * for writing keep a reference of their own until they are sent, so they
 * are not lost. A read or drain waiting holds a reference too.
 *
 * Since: 0.2
 */
void
async_stream_unref (AsyncStream *stream)
{
  g_return_if_fail (stream != NULL);

  if (!g_atomic_ref_count_dec (&stream->ref_count))
    return;

  g_assert (stream->read_op == NULL);
  g_assert (!stream->writing);

  if (!stream->closed)
    stream_close_now (stream);

  drain_waiters_settle (stream, NULL, TRUE);
  async_future_mark_error_seen (stream->closed_future);
  async_future_unref (stream->closed_future);
  g_byte_array_unref (stream->buffer);
  g_byte_array_unref (stream->write_buffer);
  g_clear_error (&stream->read_error);
  g_clear_error (&stream->write_error);
  g_clear_object (&stream->socket);
  g_clear_object (&stream->input);
  g_clear_object (&stream->output);
  g_clear_object (&stream->io_stream);
  g_main_context_unref (stream->context);
  async_scheduler_unref (stream->scheduler);
  g_free (stream);
}

/* --- open_connection ------------------------------------------------------ */

typedef struct
{
  char              *host;
  guint16            port;
  char              *path;       /* a Unix socket, or NULL */
  gboolean           tls;
  char              *ca_file;
  GSocketClient     *client;
  GSocketAddress    *address;    /* of @path */
  GIOStream         *connection;
} OpenConnection;

static void
open_connection_free (gpointer data)
{
  OpenConnection *self = data;

  g_free (self->host);
  g_free (self->path);
  g_free (self->ca_file);
  g_clear_object (&self->client);
  g_clear_object (&self->address);
  g_clear_object (&self->connection);
  g_free (self);
}

/* Wraps the connection in a TLS client connection that verifies the
 * server against @ca_file or the system's CAs. */
static GIOStream *
open_connection_wrap_tls (OpenConnection *self,
                          GError        **error)
{
  g_autoptr (GSocketConnectable) identity = g_network_address_new (self->host, self->port);
  g_autoptr (GIOStream) tls = NULL;

  tls = g_tls_client_connection_new (self->connection, identity, error);
  if (tls == NULL)
    return NULL;

  if (self->ca_file != NULL)
    {
      g_autoptr (GTlsDatabase) database = g_tls_file_database_new (self->ca_file, error);

      if (database == NULL)
        return NULL;
      g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
    }

  return g_steal_pointer (&tls);
}

static void
open_connection_body (AsyncCoroutine *co,
                      gpointer        frame)
{
  OpenConnection *self = frame;
  GError *error = NULL;

  ASYNC_BEGIN (co);

  self->client = g_socket_client_new ();
  /* asyncio connects directly; a proxy is the caller's business. */
  g_socket_client_set_enable_proxy (self->client, FALSE);
  if (self->path != NULL)
    {
      /* No g_autoptr in a coroutine: its awaits jump over initialisers. */
      self->address = g_unix_socket_address_new (self->path);
      ASYNC_AWAIT (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_POINTER,
                                                        G_CALLBACK (g_socket_client_connect_finish),
                                                        g_object_unref),
                                  g_socket_client_connect_async, self->client,
                                  G_SOCKET_CONNECTABLE (self->address)));
    }
  else
    {
      ASYNC_AWAIT (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_POINTER,
                                                        G_CALLBACK (g_socket_client_connect_to_host_finish),
                                                        g_object_unref),
                                  g_socket_client_connect_to_host_async, self->client,
                                  self->host, self->port));
    }
  self->connection = async_coroutine_steal_value (co);

  if (self->tls)
    {
      GIOStream *tls = open_connection_wrap_tls (self, &error);

      if (tls == NULL)
        ASYNC_RETURN_ERROR (co, error);
      g_object_unref (self->connection);
      self->connection = tls;

      /* Verification happens here, so that a bad certificate fails the
       * open, as asyncio's. */
      ASYNC_AWAIT (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_BOOLEAN,
                                                        G_CALLBACK (g_tls_connection_handshake_finish),
                                                        NULL),
                                  g_tls_connection_handshake_async,
                                  G_TLS_CONNECTION (self->connection), G_PRIORITY_DEFAULT));
    }

  ASYNC_RETURN (co, async_stream_new (self->connection), (GDestroyNotify) async_stream_unref);

  ASYNC_END (co);
}

static AsyncFuture *
open_connection_start (OpenConnection *self)
{
  return async_spawn_at ("async_open_connection()", open_connection_body, self,
                         open_connection_free);
}

/**
 * async_open_connection:
 * @host: a host name or address
 * @port: a TCP port
 *
 * asyncio.open_connection: connects to @host (each of its addresses in
 * turn, as #GSocketClient does) and makes a stream of the connection. Call
 * it on the thread that runs the thread-default context; cancelling the
 * future cancels the connect.
 *
 * Returns: (transfer full): a future of the #AsyncStream, or of the
 *   connect's #GIOError (%G_IO_ERROR_CONNECTION_REFUSED, …) or
 *   #GResolverError
 *
 * Since: 0.2
 */
AsyncFuture *
async_open_connection (const char *host,
                       guint16     port)
{
  OpenConnection *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_new0 (OpenConnection, 1);
  self->host = g_strdup (host);
  self->port = port;

  return open_connection_start (self);
}

/**
 * async_open_unix_connection:
 * @path: the path of a Unix socket
 *
 * asyncio.open_unix_connection: as async_open_connection(), to a Unix
 * socket.
 *
 * Returns: (transfer full): a future of the #AsyncStream
 *
 * Since: 0.2
 */
AsyncFuture *
async_open_unix_connection (const char *path)
{
  OpenConnection *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_new0 (OpenConnection, 1);
  self->path = g_strdup (path);

  return open_connection_start (self);
}

/**
 * async_open_tls_connection:
 * @host: a host name or address; the server's certificate must be for it
 * @port: a TCP port
 * @ca_file: (nullable): a PEM file of the certificate authorities to trust,
 *   or %NULL for the system's
 *
 * asyncio.open_connection(host, port, ssl=True): as
 * async_open_connection(), then a TLS handshake (GIO's #GTlsConnection,
 * from glib-networking) that verifies the server's certificate. The future
 * settles once the handshake has: a certificate that does not verify
 * rejects it with %G_TLS_ERROR_BAD_CERTIFICATE.
 *
 * Returns: (transfer full): a future of the #AsyncStream
 *
 * Since: 0.2
 */
AsyncFuture *
async_open_tls_connection (const char *host,
                           guint16     port,
                           const char *ca_file)
{
  OpenConnection *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_new0 (OpenConnection, 1);
  self->host = g_strdup (host);
  self->port = port;
  self->tls = TRUE;
  self->ca_file = g_strdup (ca_file);

  return open_connection_start (self);
}

/* --- the reader ----------------------------------------------------------- */

/**
 * async_stream_set_limit:
 * @stream: a stream
 * @limit: how far readline and readuntil look for their separator, at
 *   least 1
 *
 * asyncio's `limit=`: a separator further than @limit bytes fails the read
 * with %ASYNC_ERROR_LIMIT_OVERRUN instead of growing the buffer. The
 * default is %ASYNC_STREAM_DEFAULT_LIMIT.
 *
 * Since: 0.2
 */
void
async_stream_set_limit (AsyncStream *stream,
                        gsize        limit)
{
  g_return_if_fail (stream != NULL);
  g_return_if_fail (limit > 0);

  stream->limit = limit;
}

/**
 * async_stream_get_limit:
 * @stream: a stream
 *
 * The longest line or separator search the stream's reads allow.
 *
 * Returns: the stream's separator limit
 *
 * Since: 0.2
 */
gsize
async_stream_get_limit (AsyncStream *stream)
{
  g_return_val_if_fail (stream != NULL, 0);

  return stream->limit;
}

/**
 * async_stream_read:
 * @stream: a stream with a reader side
 * @n: at most how many bytes; -1 (any negative) for all until the end
 *
 * asyncio's `read(n)`: a future of a #GBytes of at most @n bytes, settled
 * as soon as any are there; an empty one at the end of the stream. With
 * @n negative, of everything until the end. With @n 0, of no bytes, at
 * once.
 *
 * Returns: (transfer full): a future of a #GBytes, or of the stream's
 *   error
 *
 * Since: 0.2
 */
AsyncFuture *
async_stream_read (AsyncStream *stream,
                   gssize       n)
{
  g_return_val_if_fail (stream != NULL, NULL);
  g_return_val_if_fail (stream->input != NULL, NULL);

  if (n == 0)
    return async_future_new_resolved (g_bytes_new (NULL, 0), (GDestroyNotify) g_bytes_unref);

  return stream_read_start (stream, READ_SOME, n, NULL, 0);
}

/**
 * async_stream_readline:
 * @stream: a stream with a reader side
 *
 * asyncio's `readline`: a future of the next line, its `\n` included;
 * at the end of the stream, of what is left (no `\n`), empty at the very
 * end. A line longer than the limit is dropped from the buffer and the
 * future rejected with %ASYNC_ERROR_LIMIT_OVERRUN (asyncio's ValueError).
 *
 * Returns: (transfer full): a future of a #GBytes
 *
 * Since: 0.2
 */
AsyncFuture *
async_stream_readline (AsyncStream *stream)
{
  g_return_val_if_fail (stream != NULL, NULL);
  g_return_val_if_fail (stream->input != NULL, NULL);

  return stream_read_start (stream, READ_LINE, 0, "\n", 1);
}

/**
 * async_stream_readexactly:
 * @stream: a stream with a reader side
 * @n: how many bytes
 *
 * asyncio's `readexactly(n)`: a future of exactly @n bytes. If the stream
 * ends first it is rejected with %ASYNC_ERROR_INCOMPLETE_READ, and the
 * bytes that came are async_stream_read_get_partial() of it.
 *
 * Returns: (transfer full): a future of a #GBytes
 *
 * Since: 0.2
 */
AsyncFuture *
async_stream_readexactly (AsyncStream *stream,
                          gsize        n)
{
  g_return_val_if_fail (stream != NULL, NULL);
  g_return_val_if_fail (stream->input != NULL, NULL);
  g_return_val_if_fail (n <= G_MAXSSIZE, NULL);

  if (n == 0)
    return async_future_new_resolved (g_bytes_new (NULL, 0), (GDestroyNotify) g_bytes_unref);

  return stream_read_start (stream, READ_EXACTLY, n, NULL, 0);
}

/**
 * async_stream_readuntil:
 * @stream: a stream with a reader side
 * @separator: (array length=separator_len): what to read up to
 * @separator_len: its length, at least 1
 *
 * asyncio's `readuntil(separator)`: a future of the bytes up to and
 * including @separator. If the stream ends first the future is rejected
 * with %ASYNC_ERROR_INCOMPLETE_READ (the bytes are
 * async_stream_read_get_partial()); if the separator is not within the
 * limit, with %ASYNC_ERROR_LIMIT_OVERRUN, and the bytes stay in the buffer.
 *
 * Returns: (transfer full): a future of a #GBytes
 *
 * Since: 0.2
 */
AsyncFuture *
async_stream_readuntil (AsyncStream *stream,
                        const void  *separator,
                        gsize        separator_len)
{
  g_return_val_if_fail (stream != NULL, NULL);
  g_return_val_if_fail (stream->input != NULL, NULL);
  g_return_val_if_fail (separator != NULL && separator_len > 0, NULL);

  return stream_read_start (stream, READ_UNTIL, 0, separator, separator_len);
}

/**
 * async_stream_at_eof:
 * @stream: a stream with a reader side
 *
 * asyncio's `at_eof`.
 *
 * Returns: %TRUE if the stream has ended and its buffer is empty
 *
 * Since: 0.2
 */
gboolean
async_stream_at_eof (AsyncStream *stream)
{
  g_return_val_if_fail (stream != NULL, FALSE);

  return stream->eof && buffered (stream) == 0;
}

/**
 * async_stream_read_get_partial:
 * @read: a future from async_stream_readexactly() or
 *   async_stream_readuntil()
 *
 * asyncio's `IncompleteReadError.partial`.
 *
 * Returns: (transfer none) (nullable): the bytes read before the stream
 *   ended, if @read was rejected with %ASYNC_ERROR_INCOMPLETE_READ; owned
 *   by @read
 *
 * Since: 0.2
 */
GBytes *
async_stream_read_get_partial (AsyncFuture *read)
{
  g_return_val_if_fail (read != NULL && read->klass == &stream_read_class, NULL);

  return ((StreamRead *) read)->partial;
}

/**
 * async_stream_read_get_consumed:
 * @read: a future from async_stream_readuntil() or async_stream_readline()
 *
 * asyncio's `LimitOverrunError.consumed`.
 *
 * Returns: where the separator was found, or how far the search went, if
 *   @read was rejected with %ASYNC_ERROR_LIMIT_OVERRUN; 0 otherwise
 *
 * Since: 0.2
 */
gsize
async_stream_read_get_consumed (AsyncFuture *read)
{
  g_return_val_if_fail (read != NULL && read->klass == &stream_read_class, 0);

  return ((StreamRead *) read)->consumed;
}

/* --- the writer ----------------------------------------------------------- */

/* A write to a pipe whose reader has gone raises SIGPIPE, which kills the
 * process (sockets are written with MSG_NOSIGNAL by GSocket): the signal is
 * blocked on this thread around the write and a SIGPIPE it raised is taken
 * back, as libcurl and OpenSSL users do. The caller gets BROKEN_PIPE. */
static gssize
stream_write_nonblocking (AsyncStream  *self,
                          const void   *data,
                          gsize         len,
                          GError      **error)
{
  sigset_t pipe_set, old_set, pending;
  gssize n;

  if (self->io_stream != NULL)
    return g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->output),
                                                       data, len, NULL, error);

  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old_set);

  n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->output),
                                                  data, len, NULL, error);

  if (n < 0 && !sigismember (&old_set, SIGPIPE) &&
      sigpending (&pending) == 0 && sigismember (&pending, SIGPIPE))
    {
      struct timespec zero = { 0, 0 };

      sigtimedwait (&pipe_set, NULL, &zero);
    }
  pthread_sigmask (SIG_SETMASK, &old_set, NULL);

  return n;
}

static gsize
write_buffered (AsyncStream *self)
{
  return self->write_buffer->len - self->write_start;
}

static void
drain_waiters_settle (AsyncStream  *self,
                      const GError *error,
                      gboolean      cancel)
{
  AsyncFuture *waiter;

  while ((waiter = g_queue_pop_head (&self->drain_waiters)) != NULL)
    {
      if (cancel)
        async_future_cancel (waiter);
      else if (error != NULL)
        async_future_reject_quietly (waiter, g_error_copy (error));
      else
        async_future_resolve_quietly (waiter, NULL, NULL);
      async_future_unref (waiter);
    }
}

static gboolean stream_write_ready (GObject  *pollable,
                                    gpointer  user_data);

/* Waits, or stops waiting, for the output to be writable. While it waits,
 * the unsent bytes keep the stream, so that they are not lost; stopping
 * may drop the last reference. */
static void
write_watch (AsyncStream *self,
             gboolean     on)
{
  if (self->writing == on)
    return;

  self->writing = on;
  if (on)
    async_stream_ref (self);

  /* An fd in the epoll set needs nothing: its edge calls the flush. */
  if (self->watch == NULL && on)
    {
      self->write_source = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (self->output), NULL);
      g_source_set_callback (self->write_source, G_SOURCE_FUNC (stream_write_ready), self, NULL);
      g_source_attach (self->write_source, self->context);
    }
  else if (self->watch == NULL)
    {
      g_source_destroy (self->write_source);
      g_clear_pointer (&self->write_source, g_source_unref);
    }

  if (!on)
    async_stream_unref (self);
}

static void
write_failed (AsyncStream *self,
              GError      *error)
{
  self->write_error = error;
  g_byte_array_set_size (self->write_buffer, 0);
  self->write_start = 0;
  self->write_paused = FALSE;
  drain_waiters_settle (self, error, FALSE);
}

/* After the last unsent byte: the end of writing, or the close, asked for
 * while bytes were still buffered. */
static void
write_flushed (AsyncStream *self)
{
  if (self->eof_requested && !self->eof_written)
    {
      self->eof_written = TRUE;
      if (self->socket != NULL)
        g_socket_shutdown (self->socket, FALSE, TRUE, NULL);
      else if (self->io_stream == NULL)
        g_output_stream_close (self->output, NULL, NULL);
    }
  if (self->closing && !self->closed)
    stream_finish_close (self);
}

static gboolean
stream_write_ready (GObject  *pollable,
                    gpointer  user_data)
{
  AsyncStream *self = user_data;

  async_stream_ref (self);
  stream_flush (self);
  async_stream_unref (self);

  return self->writing ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Resumes the drains once the buffer is down to the low-water mark. */
static void
write_check_low_water (AsyncStream *self)
{
  if (self->write_paused && write_buffered (self) <= self->low_water)
    {
      self->write_paused = FALSE;
      drain_waiters_settle (self, NULL, FALSE);
    }
}

/* Sends what the buffer holds until the socket would block; the source
 * waits for it then. */
static void
stream_flush (AsyncStream *self)
{
  while (write_buffered (self) > 0)
    {
      GError *error = NULL;
      gssize n;

      if (self->watch != NULL && !self->watch->writable)
        {
          write_watch (self, TRUE);
          return;
        }
      n = stream_write_nonblocking (self, self->write_buffer->data + self->write_start,
                                    write_buffered (self), &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          if (self->watch != NULL)
            self->watch->writable = FALSE;
          write_watch (self, TRUE);
          return;
        }
      if (n < 0)
        {
          write_failed (self, error);
          break;
        }
      /* A short write filled the socket: wait for its next edge. */
      if (self->watch != NULL && (gsize) n < write_buffered (self))
        self->watch->writable = FALSE;
      self->write_start += n;
      write_check_low_water (self);
    }

  g_byte_array_set_size (self->write_buffer, 0);
  self->write_start = 0;
  write_watch (self, FALSE);
  write_flushed (self);
}

/**
 * async_stream_write:
 * @stream: a stream with a writer side
 * @data: (array length=len): the bytes
 * @len: how many
 *
 * asyncio's `write`: sends what the socket takes now and buffers the
 * rest, to be sent as the socket allows. Never blocks and never fails: a
 * failure to send is reported by the next async_stream_drain(), and bytes
 * written after it are dropped (as asyncio). Follow a write with a drain
 * to bound the buffer.
 *
 * Since: 0.2
 */
void
async_stream_write (AsyncStream *stream,
                    const void  *data,
                    gsize        len)
{
  g_return_if_fail (stream != NULL);
  g_return_if_fail (stream->output != NULL);
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (!stream->closing);
  g_return_if_fail (!stream->eof_requested);

  if (len == 0 || stream->write_error != NULL)
    return;

  if (write_buffered (stream) == 0 && (stream->watch == NULL || stream->watch->writable))
    {
      GError *error = NULL;
      gssize n = stream_write_nonblocking (stream, data, len, &error);

      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          write_failed (stream, error);
          return;
        }
      g_clear_error (&error);
      if (stream->watch != NULL && n < (gssize) len)
        stream->watch->writable = FALSE;
      if (n > 0)
        {
          data = (const guint8 *) data + n;
          len -= n;
        }
      if (len == 0)
        return;
    }

  g_byte_array_append (stream->write_buffer, data, len);
  if (write_buffered (stream) > stream->high_water)
    stream->write_paused = TRUE;
  write_watch (stream, TRUE);
}

/**
 * async_stream_write_bytes:
 * @stream: a stream with a writer side
 * @bytes: the bytes
 *
 * As async_stream_write(), with a #GBytes.
 *
 * Since: 0.2
 */
void
async_stream_write_bytes (AsyncStream *stream,
                          GBytes      *bytes)
{
  gsize len;
  gconstpointer data;

  g_return_if_fail (bytes != NULL);

  data = g_bytes_get_data (bytes, &len);
  async_stream_write (stream, data, len);
}

/**
 * async_stream_can_write_eof:
 * @stream: a stream
 *
 * Whether the stream can send an end of stream (asyncio's `can_write_eof`).
 *
 * Returns: %TRUE if async_stream_write_eof() works on @stream: a plain
 *   socket or a pipe, not TLS (as asyncio)
 *
 * Since: 0.2
 */
gboolean
async_stream_can_write_eof (AsyncStream *stream)
{
  g_return_val_if_fail (stream != NULL, FALSE);

  return stream->output != NULL && (stream->socket != NULL || stream->io_stream == NULL);
}

/**
 * async_stream_write_eof:
 * @stream: a stream for which async_stream_can_write_eof() is %TRUE
 *
 * asyncio's `write_eof`: once the buffered bytes are sent, shuts the
 * writing side (the peer reads the end of the stream; a pipe is closed).
 * The reader side stays open.
 *
 * Since: 0.2
 */
void
async_stream_write_eof (AsyncStream *stream)
{
  g_return_if_fail (stream != NULL);
  g_return_if_fail (async_stream_can_write_eof (stream));

  if (stream->eof_requested || stream->closing)
    return;

  stream->eof_requested = TRUE;
  if (write_buffered (stream) == 0)
    write_flushed (stream);
}

/**
 * async_stream_set_write_buffer_limits:
 * @stream: a stream with a writer side
 * @high: async_stream_drain() waits while more than this is buffered
 * @low: … until this or less is; at most @high
 *
 * asyncio's `transport.set_write_buffer_limits`; the defaults are 64 KiB
 * and 16 KiB, as asyncio's.
 *
 * Since: 0.2
 */
void
async_stream_set_write_buffer_limits (AsyncStream *stream,
                                      gsize        high,
                                      gsize        low)
{
  g_return_if_fail (stream != NULL);
  g_return_if_fail (low <= high);

  stream->high_water = high;
  stream->low_water = low;
  if (write_buffered (stream) > high)
    stream->write_paused = TRUE;
}

/**
 * async_stream_get_write_buffer_size:
 * @stream: a stream
 *
 * asyncio's `transport.get_write_buffer_size`.
 *
 * Returns: how many written bytes are not sent yet
 *
 * Since: 0.2
 */
gsize
async_stream_get_write_buffer_size (AsyncStream *stream)
{
  g_return_val_if_fail (stream != NULL, 0);

  return write_buffered (stream);
}

/**
 * async_stream_drain:
 * @stream: a stream with a writer side
 *
 * asyncio's `drain`: a future settled once the write buffer is at or
 * below its low-water mark, at once if it never went over the high-water
 * mark. Rejected with the error of a failed send or read (as asyncio
 * raises the reader's exception), with %G_IO_ERROR_CLOSED after
 * async_stream_close(). Cancelling it leaves the stream usable; the
 * buffered bytes are still sent.
 *
 * Returns: (transfer full): a future of %NULL
 *
 * Since: 0.2
 */
AsyncFuture *
async_stream_drain (AsyncStream *stream)
{
  AsyncFuture *waiter;

  g_return_val_if_fail (stream != NULL, NULL);
  g_return_val_if_fail (stream->output != NULL, NULL);

  if (stream->read_error != NULL)
    return async_future_new_rejected (g_error_copy (stream->read_error));
  if (stream->write_error != NULL)
    return async_future_new_rejected (g_error_copy (stream->write_error));
  if (stream->closing)
    return async_future_new_rejected (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                           "The stream is closed"));
  if (!stream->write_paused)
    return async_future_new_resolved (NULL, NULL);

  waiter = async_future_new ();
  g_queue_push_tail (&stream->drain_waiters, async_future_ref (waiter));

  return waiter;
}

/* --- closing -------------------------------------------------------------- */

static void
stream_closed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncStream *self = user_data;
  GError *error = NULL;

  /* A TLS peer that went away without close_notify is no failure of ours. */
  g_io_stream_close_finish (G_IO_STREAM (source), result, &error);
  g_clear_error (&error);

  self->closed = TRUE;
  if (self->write_error != NULL)
    async_future_reject_quietly (self->closed_future, g_error_copy (self->write_error));
  else
    async_future_resolve_quietly (self->closed_future, NULL, NULL);
  async_stream_unref (self);
}

static void
stream_finish_close (AsyncStream *self)
{
  read_watch (self, FALSE);
  stream_watch_remove (self);
  if (self->io_stream != NULL)
    {
      /* A reference until it is closed: wait_closed () may be all that is
       * left of the stream. */
      g_io_stream_close_async (self->io_stream, G_PRIORITY_DEFAULT, NULL, stream_closed,
                               async_stream_ref (self));
      return;
    }

  if (self->input != NULL)
    g_input_stream_close (self->input, NULL, NULL);
  if (self->output != NULL)
    g_output_stream_close (self->output, NULL, NULL);
  self->closed = TRUE;
  if (self->write_error != NULL)
    async_future_reject_quietly (self->closed_future, g_error_copy (self->write_error));
  else
    async_future_resolve_quietly (self->closed_future, NULL, NULL);
}

/**
 * async_stream_close:
 * @stream: a stream
 *
 * asyncio's `close`: the read and the drains waiting on the stream are
 * cancelled (%G_IO_ERROR_CANCELLED), the bytes still buffered are sent,
 * then the connection is closed (a TLS one sends its close_notify). Its
 * file descriptors are closed by the time async_stream_wait_closed()
 * settles. Calling it again does nothing.
 *
 * Since: 0.2
 */
void
async_stream_close (AsyncStream *stream)
{
  g_return_if_fail (stream != NULL);

  if (stream->closing)
    return;

  async_stream_ref (stream);
  stream->closing = TRUE;

  if (stream->read_op != NULL)
    {
      StreamRead *op = stream->read_op;

      async_future_cancel_quietly (&op->parent);
      stream_read_detach (stream, op);
    }
  drain_waiters_settle (stream, NULL, TRUE);

  if (stream->output == NULL || write_buffered (stream) == 0)
    stream_finish_close (stream);
  /* else the flush closes it once the last byte is sent */

  async_stream_unref (stream);
}

/**
 * async_stream_is_closing:
 * @stream: a stream
 *
 * Whether the stream was closed or is closing (asyncio's `is_closing`).
 *
 * Returns: %TRUE once async_stream_close() was called
 *
 * Since: 0.2
 */
gboolean
async_stream_is_closing (AsyncStream *stream)
{
  g_return_val_if_fail (stream != NULL, FALSE);

  return stream->closing;
}

/**
 * async_stream_wait_closed:
 * @stream: a stream
 *
 * asyncio's `wait_closed`: a future settled once the stream is closed
 * and its file descriptors with it; rejected with the error that lost
 * buffered bytes, if a send failed. Cancelling it does not stop the close.
 *
 * Returns: (transfer full): a future of %NULL
 *
 * Since: 0.2
 */
AsyncFuture *
async_stream_wait_closed (AsyncStream *stream)
{
  g_return_val_if_fail (stream != NULL, NULL);

  return async_shield (async_future_ref (stream->closed_future));
}

/* --- extra info ----------------------------------------------------------- */

/**
 * async_stream_get_io_stream:
 * @stream: a stream
 *
 * asyncio's `get_extra_info`: the connection, for what GIO can tell of
 * it (addresses, the peer's certificate, credentials).
 *
 * Returns: (transfer none) (nullable): the #GIOStream, %NULL for a pipe
 *
 * Since: 0.2
 */
GIOStream *
async_stream_get_io_stream (AsyncStream *stream)
{
  g_return_val_if_fail (stream != NULL, NULL);

  return stream->io_stream;
}

/**
 * async_stream_dup_peer_name:
 * @stream: a stream
 *
 * asyncio's `get_extra_info('peername')`, as text: `127.0.0.1:8888`,
 * `[::1]:8888`, or a Unix socket's path.
 *
 * Returns: (transfer full) (nullable): the peer's address, or %NULL if it
 *   has none
 *
 * Since: 0.2
 */
char *
async_stream_dup_peer_name (AsyncStream *stream)
{
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GIOStream) base = NULL;
  GSocket *socket;

  g_return_val_if_fail (stream != NULL, NULL);

  socket = stream->socket;
  if (G_IS_TLS_CONNECTION (stream->io_stream))
    {
      g_object_get (stream->io_stream, "base-io-stream", &base, NULL);
      if (G_IS_SOCKET_CONNECTION (base))
        socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (base));
    }
  if (socket == NULL)
    return NULL;

  address = g_socket_get_remote_address (socket, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint16 port = g_inet_socket_address_get_port (inet);

      if (strchr (ip, ':') != NULL)
        return g_strdup_printf ("[%s]:%u", ip, port);
      return g_strdup_printf ("%s:%u", ip, port);
    }
  if (G_IS_UNIX_SOCKET_ADDRESS (address))
    return g_strdup (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (address)));

  return NULL;
}
