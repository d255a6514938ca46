/* test-stream.c: AsyncStream, asyncio's StreamReader and StreamWriter. Most
 * cases mirror CPython's Lib/test/test_asyncio/test_streams.py (named in
 * each comment): asyncio feeds its reader by hand, we feed ours through the
 * other end of a socketpair, so every byte goes through a real socket. */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#include "test-util.h"

/* test_streams.py's DATA. */
#define DATA "line1\nline2\nline3\n"

typedef struct
{
  AsyncStream *stream;
  int          peer;    /* the other end: the test writes and reads it */
} Pair;

static void
pair_init (Pair *pair)
{
  GError *error = NULL;
  GSocket *socket;
  GSocketConnection *connection;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  connection = g_socket_connection_factory_create_connection (socket);
  pair->stream = async_stream_new (G_IO_STREAM (connection));
  pair->peer = fds[1];
  g_object_unref (connection);
  g_object_unref (socket);
}

static void
pair_clear (Pair *pair)
{
  g_clear_pointer (&pair->stream, async_stream_unref);
  if (pair->peer >= 0)
    close (pair->peer);
  pair->peer = -1;
}

static void
feed (Pair       *pair,
      const char *data)
{
  gsize len = strlen (data);

  g_assert_cmpint (write (pair->peer, data, len), ==, (gssize) len);
}

static void
feed_eof (Pair *pair)
{
  g_assert_cmpint (shutdown (pair->peer, SHUT_WR), ==, 0);
}

/* Reads what the peer end has, without blocking. */
static gsize
peer_read_some (Pair  *pair,
                guint8 *buffer,
                gsize   size)
{
  gssize n = recv (pair->peer, buffer, size, MSG_DONTWAIT);

  if (n < 0)
    {
      g_assert_true (errno == EAGAIN || errno == EWOULDBLOCK);
      return 0;
    }
  return n;
}

/* Awaits @future (taken) and returns its bytes as a string. */
static char *
await_text (AsyncFuture *future)
{
  GBytes *bytes;
  char *text;

  test_await (future, 10);
  if (!async_future_is_resolved (future))
    g_error ("the read failed: %s", async_future_get_error (future)->message);
  bytes = async_future_get_value (future);
  text = g_bytes_get_size (bytes) == 0 ? g_strdup ("")
                                       : g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  async_future_unref (future);

  return text;
}

static void
assert_text (AsyncFuture *future,
             const char  *expected)
{
  char *text = await_text (future);

  g_assert_cmpstr (text, ==, expected);
  g_free (text);
}

/* Awaits @future and checks it failed with @domain/@code; returns it. */
static AsyncFuture *
await_failure (AsyncFuture *future,
               GQuark       domain,
               gint         code)
{
  test_await (future, 10);
  g_assert_error ((GError *) async_future_get_error (future), domain, code);

  return future;
}

/* Lets the loop run until the stream has had the chance to read. */
static void
settle_briefly (void)
{
  for (int i = 0; i < 5; i++)
    {
      AsyncFuture *yield = async_sleep (0);

      test_await (yield, 5);
      async_future_unref (yield);
    }
}

/* --- read (n) ------------------------------------------------------------- */

/* test_read_zero */
static void
test_read_zero (void)
{
  Pair pair;

  pair_init (&pair);
  feed (&pair, DATA);
  assert_text (async_stream_read (pair.stream, 0), "");
  assert_text (async_stream_read (pair.stream, 100), DATA);
  pair_clear (&pair);
}

/* test_read: a read waits for data, and returns all that came, up to n. */
static void
test_read_waits (void)
{
  Pair pair;
  AsyncFuture *read;

  pair_init (&pair);
  read = async_stream_read (pair.stream, 30);
  settle_briefly ();
  g_assert_true (async_future_is_pending (read));
  feed (&pair, DATA);
  assert_text (read, DATA);
  pair_clear (&pair);
}

/* test_read_line_breaks */
static void
test_read_line_breaks (void)
{
  Pair pair;

  pair_init (&pair);
  feed (&pair, "line1");
  feed (&pair, "line2");
  assert_text (async_stream_read (pair.stream, 5), "line1");
  assert_text (async_stream_read (pair.stream, 5), "line2");
  pair_clear (&pair);
}

/* test_read_eof: at the end, an empty read. */
static void
test_read_eof (void)
{
  Pair pair;
  AsyncFuture *read;

  pair_init (&pair);
  read = async_stream_read (pair.stream, 1024);
  feed_eof (&pair);
  assert_text (read, "");
  g_assert_true (async_stream_at_eof (pair.stream));
  assert_text (async_stream_read (pair.stream, 1024), "");
  pair_clear (&pair);
}

/* test_read_until_eof: read (-1) gathers everything until the end. */
static void
test_read_until_eof (void)
{
  Pair pair;
  AsyncFuture *read;

  pair_init (&pair);
  read = async_stream_read (pair.stream, -1);
  feed (&pair, "chunk1\n");
  settle_briefly ();
  g_assert_true (async_future_is_pending (read));
  feed (&pair, "chunk2");
  feed_eof (&pair);
  assert_text (read, "chunk1\nchunk2");
  pair_clear (&pair);
}

/* test_read_limit: the limit is for separators only. */
static void
test_read_limit_ignored (void)
{
  Pair pair;

  pair_init (&pair);
  async_stream_set_limit (pair.stream, 3);
  feed (&pair, "chunk");
  assert_text (async_stream_readexactly (pair.stream, 5), "chunk");
  feed (&pair, "chunk");
  assert_text (async_stream_read (pair.stream, 5), "chunk");
  pair_clear (&pair);
}

/* test_read_exception, test_readline_exception: an error of the connection
 * is sticky: every read after it fails too. A Unix socket closed with bytes
 * unread resets its peer. */
static void
test_read_error_sticky (void)
{
  Pair pair;
  AsyncFuture *read;

  pair_init (&pair);
  feed (&pair, "line\n");
  assert_text (async_stream_read (pair.stream, 2), "li");
  async_stream_write (pair.stream, "unread", 6);
  read = async_stream_readexactly (pair.stream, 100);
  close (pair.peer);
  pair.peer = -1;
  async_future_unref (await_failure (read, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  async_future_unref (await_failure (async_stream_readline (pair.stream),
                                     G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  /* drain () raises the reader's exception too, as asyncio's. */
  async_future_unref (await_failure (async_stream_drain (pair.stream),
                                     G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  pair_clear (&pair);
}

/* --- readline () ---------------------------------------------------------- */

/* test_readline: a line that comes in several chunks. */
static void
test_readline_chunks (void)
{
  Pair pair;
  AsyncFuture *line;

  pair_init (&pair);
  feed (&pair, "chunk1 ");
  line = async_stream_readline (pair.stream);
  settle_briefly ();
  g_assert_true (async_future_is_pending (line));
  feed (&pair, "chunk2 ");
  settle_briefly ();
  feed (&pair, "chunk3 ");
  feed (&pair, "\n chunk4");
  assert_text (line, "chunk1 chunk2 chunk3 \n");
  assert_text (async_stream_read (pair.stream, 100), " chunk4");
  pair_clear (&pair);
}

/* test_readline_nolimit_nowait, test_readline_read_byte_count */
static void
test_readline_then_read (void)
{
  Pair pair;

  pair_init (&pair);
  feed (&pair, DATA);
  assert_text (async_stream_readline (pair.stream), "line1\n");
  assert_text (async_stream_read (pair.stream, 7), "line2\nl");
  assert_text (async_stream_read (pair.stream, 100), "ine3\n");
  pair_clear (&pair);
}

/* test_readline_limit_with_existing_data: a line over the limit is dropped
 * with the error (asyncio's ValueError); what follows it stays. */
static void
test_readline_limit_existing_data (void)
{
  Pair pair;

  pair_init (&pair);
  async_stream_set_limit (pair.stream, 3);
  feed (&pair, "li");
  feed (&pair, "ne1\nline2\n");
  async_future_unref (await_failure (async_stream_readline (pair.stream),
                                     ASYNC_ERROR, ASYNC_ERROR_LIMIT_OVERRUN));
  assert_text (async_stream_read (pair.stream, 100), "line2\n");
  pair_clear (&pair);

  /* No newline: the whole buffer goes. */
  pair_init (&pair);
  async_stream_set_limit (pair.stream, 3);
  feed (&pair, "line1li");
  async_future_unref (await_failure (async_stream_readline (pair.stream),
                                     ASYNC_ERROR, ASYNC_ERROR_LIMIT_OVERRUN));
  feed (&pair, "ok\n");
  assert_text (async_stream_readline (pair.stream), "ok\n");
  pair_clear (&pair);
}

/* test_readline_limit: the limit is strict, and only the long line goes. */
static void
test_readline_limit_overrun (void)
{
  Pair pair;
  AsyncFuture *line;

  pair_init (&pair);
  async_stream_set_limit (pair.stream, 7);
  feed (&pair, "chunk1chunk2\nchunk3\n");
  feed_eof (&pair);
  line = await_failure (async_stream_readline (pair.stream), ASYNC_ERROR, ASYNC_ERROR_LIMIT_OVERRUN);
  g_assert_cmpuint (async_stream_read_get_consumed (line), ==, 12);
  async_future_unref (line);
  assert_text (async_stream_read (pair.stream, -1), "chunk3\n");
  pair_clear (&pair);

  pair_init (&pair);
  async_stream_set_limit (pair.stream, 7);
  feed (&pair, "1234567\n");
  assert_text (async_stream_readline (pair.stream), "1234567\n");
  feed (&pair, "12345678\n");
  async_future_unref (await_failure (async_stream_readline (pair.stream),
                                     ASYNC_ERROR, ASYNC_ERROR_LIMIT_OVERRUN));
  feed (&pair, "12345678");
  async_future_unref (await_failure (async_stream_readline (pair.stream),
                                     ASYNC_ERROR, ASYNC_ERROR_LIMIT_OVERRUN));
  feed (&pair, "x\n");
  assert_text (async_stream_readline (pair.stream), "x\n");
  pair_clear (&pair);
}

/* The buffer stays bounded by the limit: a peer sending megabytes without
 * a newline gets an error, not a growing buffer. */
static void
test_readline_default_limit (void)
{
  Pair pair;
  char *chunk = g_strnfill (16 * 1024, 'x');
  AsyncFuture *line;

  pair_init (&pair);
  g_assert_cmpuint (async_stream_get_limit (pair.stream), ==, 64 * 1024);
  line = async_stream_readline (pair.stream);
  for (int i = 0; i < 6; i++)
    feed (&pair, chunk);
  line = await_failure (line, ASYNC_ERROR, ASYNC_ERROR_LIMIT_OVERRUN);
  g_assert_cmpuint (async_stream_read_get_consumed (line), >, 64 * 1024);
  async_future_unref (line);
  g_free (chunk);
  pair_clear (&pair);
}

/* test_readline_eof, test_readline_empty_eof, test_at_eof */
static void
test_readline_eof (void)
{
  Pair pair;

  pair_init (&pair);
  g_assert_false (async_stream_at_eof (pair.stream));
  feed (&pair, "some data\n");
  assert_text (async_stream_readline (pair.stream), "some data\n");
  g_assert_false (async_stream_at_eof (pair.stream));
  feed (&pair, "some data");
  feed_eof (&pair);
  assert_text (async_stream_readline (pair.stream), "some data");
  g_assert_true (async_stream_at_eof (pair.stream));
  assert_text (async_stream_readline (pair.stream), "");
  pair_clear (&pair);
}

/* --- readuntil () --------------------------------------------------------- */

/* test_readuntil_multi_chunks, test_readuntil_multi_chunks_1 */
static void
test_readuntil_multi_chunks (void)
{
  Pair pair;
  AsyncFuture *until;

  pair_init (&pair);
  feed (&pair, "lineAAA");
  assert_text (async_stream_readuntil (pair.stream, "AAA", 3), "lineAAA");
  feed (&pair, "lineAAAxxx");
  assert_text (async_stream_readuntil (pair.stream, "AAA", 3), "lineAAA");
  assert_text (async_stream_read (pair.stream, 3), "xxx");

  /* The separator split across chunks that arrive while it waits. */
  feed (&pair, "QWEaa");
  until = async_stream_readuntil (pair.stream, "aaa", 3);
  settle_briefly ();
  feed (&pair, "XYaa");
  settle_briefly ();
  g_assert_true (async_future_is_pending (until));
  feed (&pair, "a");
  assert_text (until, "QWEaaXYaaa");

  feed (&pair, "XXX");
  until = async_stream_readuntil (pair.stream, "aaa", 3);
  for (int i = 0; i < 3; i++)
    {
      settle_briefly ();
      g_assert_true (async_future_is_pending (until));
      feed (&pair, "a");
    }
  assert_text (until, "XXXaaa");
  pair_clear (&pair);
}

/* test_readuntil_eof: the end before the separator is an incomplete read,
 * whose partial bytes are the buffer. */
static void
test_readuntil_eof (void)
{
  Pair pair;
  AsyncFuture *until;
  GBytes *partial;

  pair_init (&pair);
  feed (&pair, "some dataAA");
  feed_eof (&pair);
  until = await_failure (async_stream_readuntil (pair.stream, "AAA", 3),
                         ASYNC_ERROR, ASYNC_ERROR_INCOMPLETE_READ);
  g_assert_true (g_str_has_suffix (async_future_get_error (until)->message,
                                   "undefined expected bytes"));
  partial = async_stream_read_get_partial (until);
  g_assert_cmpmem (g_bytes_get_data (partial, NULL), g_bytes_get_size (partial), "some dataAA", 11);
  async_future_unref (until);
  assert_text (async_stream_read (pair.stream, 100), "");
  pair_clear (&pair);
}

/* test_readuntil_limit_found_sep: readuntil () leaves the bytes. (asyncio
 * feeds the last "A" into the same buffer; ours reads only when asked, so
 * each case gets a stream of its own.) */
static void
test_readuntil_limit_found_sep (void)
{
  Pair pair;
  AsyncFuture *until;

  pair_init (&pair);
  async_stream_set_limit (pair.stream, 3);
  feed (&pair, "some dataAA");
  until = await_failure (async_stream_readuntil (pair.stream, "AAA", 3),
                         ASYNC_ERROR, ASYNC_ERROR_LIMIT_OVERRUN);
  g_assert_nonnull (strstr (async_future_get_error (until)->message, "not found"));
  async_future_unref (until);
  assert_text (async_stream_read (pair.stream, 100), "some dataAA");
  pair_clear (&pair);

  pair_init (&pair);
  async_stream_set_limit (pair.stream, 3);
  feed (&pair, "some dataAAA");
  until = await_failure (async_stream_readuntil (pair.stream, "AAA", 3),
                         ASYNC_ERROR, ASYNC_ERROR_LIMIT_OVERRUN);
  g_assert_nonnull (strstr (async_future_get_error (until)->message, "is found"));
  g_assert_cmpuint (async_stream_read_get_consumed (until), ==, 9);
  async_future_unref (until);
  assert_text (async_stream_read (pair.stream, 100), "some dataAAA");
  pair_clear (&pair);
}

/* --- readexactly () ------------------------------------------------------- */

/* test_readexactly_zero_or_less (a gsize cannot be negative) */
static void
test_readexactly_zero (void)
{
  Pair pair;

  pair_init (&pair);
  feed (&pair, DATA);
  assert_text (async_stream_readexactly (pair.stream, 0), "");
  assert_text (async_stream_read (pair.stream, 100), DATA);
  pair_clear (&pair);
}

/* test_readexactly: waits for all n, leaves the rest. */
static void
test_readexactly (void)
{
  Pair pair;
  AsyncFuture *exactly;

  pair_init (&pair);
  exactly = async_stream_readexactly (pair.stream, 2 * strlen (DATA));
  feed (&pair, DATA);
  settle_briefly ();
  g_assert_true (async_future_is_pending (exactly));
  feed (&pair, DATA);
  feed (&pair, DATA);
  assert_text (exactly, DATA DATA);
  assert_text (async_stream_read (pair.stream, 100), DATA);
  pair_clear (&pair);
}

/* test_readexactly_eof: the partial bytes and asyncio's message. */
static void
test_readexactly_eof (void)
{
  Pair pair;
  AsyncFuture *exactly;
  GBytes *partial;

  pair_init (&pair);
  exactly = async_stream_readexactly (pair.stream, 2 * strlen (DATA));
  feed (&pair, DATA);
  feed_eof (&pair);
  await_failure (exactly, ASYNC_ERROR, ASYNC_ERROR_INCOMPLETE_READ);
  g_assert_cmpstr (async_future_get_error (exactly)->message, ==,
                   "18 bytes read on a total of 36 expected bytes");
  partial = async_stream_read_get_partial (exactly);
  g_assert_cmpmem (g_bytes_get_data (partial, NULL), g_bytes_get_size (partial), DATA, strlen (DATA));
  async_future_unref (exactly);
  g_assert_true (async_stream_at_eof (pair.stream));
  pair_clear (&pair);
}

/* --- cancellation --------------------------------------------------------- */

/* test_exception_cancel: a cancelled read leaves the stream usable, and the
 * bytes that came meanwhile are the next read's. */
static void
test_cancel_read_keeps_data (void)
{
  Pair pair;
  AsyncFuture *line;

  pair_init (&pair);
  line = async_stream_readline (pair.stream);
  feed (&pair, "half a ");
  settle_briefly ();
  g_assert_true (async_future_cancel (line));
  g_assert_true (async_future_is_cancelled (line));
  async_future_unref (line);
  feed (&pair, "line\n");
  assert_text (async_stream_readline (pair.stream), "half a line\n");

  line = async_stream_readexactly (pair.stream, 10);
  feed (&pair, "12345");
  settle_briefly ();
  async_future_cancel (line);
  async_future_unref (line);
  feed (&pair, "67890");
  assert_text (async_stream_readexactly (pair.stream, 10), "1234567890");
  pair_clear (&pair);
}

/* A coroutine cancelled while it awaits a read: the read is cancelled
 * with it, and the stream reads on. */
typedef struct
{
  AsyncStream *stream;
} Reader;

static void
reader_body (AsyncCoroutine *co,
             gpointer        frame)
{
  Reader *self = frame;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_stream_readline (self->stream));
  g_assert_not_reached ();
  ASYNC_END (co);
}

static void
test_cancel_coroutine_read (void)
{
  Pair pair;
  Reader *reader = g_new0 (Reader, 1);
  AsyncFuture *task;

  pair_init (&pair);
  reader->stream = pair.stream;
  task = async_spawn (reader_body, reader, g_free);
  settle_briefly ();
  async_future_cancel (task);
  test_await (task, 5);
  g_assert_true (async_future_is_cancelled (task));
  async_future_unref (task);
  feed (&pair, "after\n");
  assert_text (async_stream_readline (pair.stream), "after\n");
  pair_clear (&pair);
}

/* Fills the writer until drain () has to wait: the peer does not read. */
static AsyncFuture *
write_until_paused (AsyncStream *stream,
                    const char  *chunk,
                    gsize        chunk_len,
                    gsize       *written)
{
  for (;;)
    {
      AsyncFuture *drain;

      async_stream_write (stream, chunk, chunk_len);
      *written += chunk_len;
      /* The buffer never goes past the high-water mark by more than the
       * write that crossed it. */
      g_assert_cmpuint (async_stream_get_write_buffer_size (stream), <=, 64 * 1024 + chunk_len);
      drain = async_stream_drain (stream);
      if (async_future_is_pending (drain))
        return drain;
      g_assert_true (async_future_is_resolved (drain));
      async_future_unref (drain);
      g_assert_cmpuint (*written, <, 64 * 1024 * 1024);
    }
}

/* Reads @expected bytes of the @chunk pattern from the peer end. */
static void
peer_read_all (Pair       *pair,
               const char *chunk,
               gsize       chunk_len,
               gsize       expected)
{
  guint8 *buffer = g_malloc (64 * 1024);
  gsize got = 0;

  while (got < expected)
    {
      gsize n = peer_read_some (pair, buffer, 64 * 1024);

      for (gsize i = 0; i < n; i++)
        g_assert_cmpint (buffer[i], ==, (guint8) chunk[(got + i) % chunk_len]);
      got += n;
      if (n == 0)
        test_iterate_pending ();
    }
  g_assert_cmpuint (got, ==, expected);
  g_free (buffer);
}

/* A drain cancelled leaves the stream usable: the bytes still go out and a
 * later drain waits for them as before. */
static void
test_cancel_drain (void)
{
  Pair pair;
  char chunk[4096];
  gsize written = 0;
  AsyncFuture *drain;

  for (gsize i = 0; i < sizeof chunk; i++)
    chunk[i] = 'a' + i % 26;
  pair_init (&pair);
  drain = write_until_paused (pair.stream, chunk, sizeof chunk, &written);
  g_assert_true (async_future_cancel (drain));
  async_future_unref (drain);
  drain = async_stream_drain (pair.stream);
  g_assert_true (async_future_is_pending (drain));
  async_stream_write (pair.stream, chunk, sizeof chunk);
  written += sizeof chunk;
  peer_read_all (&pair, chunk, sizeof chunk, written);
  test_await (drain, 10);
  g_assert_true (async_future_is_resolved (drain));
  async_future_unref (drain);
  g_assert_cmpuint (async_stream_get_write_buffer_size (pair.stream), ==, 0);
  pair_clear (&pair);
}

/* close () cancels the read and the drains waiting, and wait_closed ()
 * settles once the socket is closed. */
static void
test_close_cancels_waiters (void)
{
  Pair pair;
  char chunk[4096] = { 0 };
  gsize written = 0;
  AsyncFuture *read, *drain, *closed;

  pair_init (&pair);
  read = async_stream_readline (pair.stream);
  drain = write_until_paused (pair.stream, chunk, sizeof chunk, &written);
  closed = async_stream_wait_closed (pair.stream);
  async_stream_close (pair.stream);
  g_assert_true (async_stream_is_closing (pair.stream));
  g_assert_true (async_future_is_cancelled (read));
  g_assert_true (async_future_is_cancelled (drain));
  async_future_unref (read);
  async_future_unref (drain);
  /* After close: reads are cancelled, drains fail. */
  read = async_stream_read (pair.stream, 10);
  g_assert_true (async_future_is_cancelled (read));
  async_future_unref (read);
  async_future_unref (await_failure (async_stream_drain (pair.stream), G_IO_ERROR, G_IO_ERROR_CLOSED));
  /* The buffered bytes still go out before the socket closes. */
  g_assert_true (async_future_is_pending (closed));
  peer_read_all (&pair, chunk, sizeof chunk, written);
  test_await (closed, 10);
  g_assert_true (async_future_is_resolved (closed));
  async_future_unref (closed);
  {
    guint8 byte;

    /* and then the peer reads the end */
    while (recv (pair.peer, &byte, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN)
      test_iterate_pending ();
    g_assert_cmpint (recv (pair.peer, &byte, 1, MSG_DONTWAIT), ==, 0);
  }
  pair_clear (&pair);
}

/* --- the writer ----------------------------------------------------------- */

/* Back-pressure: a writer that drains after each write, to a peer that has
 * stalled, stops with at most the high-water mark (plus one write)
 * buffered, however much it has to send; once the peer reads, it goes on
 * and every byte arrives in order. */
static void
test_drain_back_pressure (void)
{
  Pair pair;
  char chunk[16 * 1024];
  gsize written = 0;
  AsyncFuture *drain;

  for (gsize i = 0; i < sizeof chunk; i++)
    chunk[i] = (char) (i * 7);
  pair_init (&pair);
  drain = write_until_paused (pair.stream, chunk, sizeof chunk, &written);
  /* Stalled: the loop turns, nothing moves, memory stays put. */
  settle_briefly ();
  g_assert_true (async_future_is_pending (drain));
  g_assert_cmpuint (async_stream_get_write_buffer_size (pair.stream), >, 64 * 1024);
  g_assert_cmpuint (async_stream_get_write_buffer_size (pair.stream), <=, 64 * 1024 + sizeof chunk);

  peer_read_all (&pair, chunk, sizeof chunk, written);
  test_await (drain, 10);
  g_assert_true (async_future_is_resolved (drain));
  async_future_unref (drain);
  pair_clear (&pair);
}

/* set_write_buffer_limits: drain () resumes at the low-water mark, not
 * before. */
static void
test_drain_low_water (void)
{
  Pair pair;
  char chunk[1024];
  guint8 sink[1024];
  gsize written = 0;
  AsyncFuture *drain;

  memset (chunk, 'z', sizeof chunk);
  pair_init (&pair);
  async_stream_set_write_buffer_limits (pair.stream, 8 * 1024, 2 * 1024);
  drain = write_until_paused (pair.stream, chunk, sizeof chunk, &written);
  /* Read a little: the buffer shrinks but stays over 2 KiB. */
  while (async_stream_get_write_buffer_size (pair.stream) > 4 * 1024)
    {
      if (peer_read_some (&pair, sink, sizeof sink) == 0)
        test_iterate_pending ();
      if (async_stream_get_write_buffer_size (pair.stream) > 2 * 1024)
        g_assert_true (async_future_is_pending (drain));
    }
  while (async_future_is_pending (drain))
    {
      peer_read_some (&pair, sink, sizeof sink);
      test_iterate_pending ();
    }
  g_assert_true (async_future_is_resolved (drain));
  g_assert_cmpuint (async_stream_get_write_buffer_size (pair.stream), <=, 2 * 1024);
  async_future_unref (drain);
  pair_clear (&pair);
}

/* write_eof (): the peer reads the end, the stream still reads. */
static void
test_write_eof (void)
{
  Pair pair;
  char buffer[16];

  pair_init (&pair);
  g_assert_true (async_stream_can_write_eof (pair.stream));
  async_stream_write (pair.stream, "bye", 3);
  async_stream_write_eof (pair.stream);
  g_assert_cmpint (read (pair.peer, buffer, sizeof buffer), ==, 3);
  g_assert_cmpint (read (pair.peer, buffer, sizeof buffer), ==, 0);
  feed (&pair, "still reading\n");
  assert_text (async_stream_readline (pair.stream), "still reading\n");
  pair_clear (&pair);
}

/* The last reference sends what is buffered, then closes. */
static void
test_unref_flushes (void)
{
  Pair pair;
  char chunk[4096];
  gsize written = 0;
  AsyncFuture *drain;
  AsyncFuture *closed;

  memset (chunk, 'q', sizeof chunk);
  pair_init (&pair);
  drain = write_until_paused (pair.stream, chunk, sizeof chunk, &written);
  async_future_unref (drain);
  closed = async_stream_wait_closed (pair.stream);
  g_clear_pointer (&pair.stream, async_stream_unref);
  peer_read_all (&pair, chunk, sizeof chunk, written);
  test_await (closed, 10);
  g_assert_true (async_future_is_resolved (closed));
  async_future_unref (closed);
  pair_clear (&pair);
}

/* --- connections ---------------------------------------------------------- */

typedef struct
{
  GSocketListener *listener;
  guint16          port;
  AsyncStream     *accepted;
  gboolean         got_one;
  gboolean         accept_done;
  GCancellable    *cancellable;
} Listener;

static void
listener_accepted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Listener *self = user_data;
  GError *error = NULL;
  GSocketConnection *connection;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  self->accept_done = TRUE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return;
    }
  g_assert_no_error (error);
  self->accepted = async_stream_new (G_IO_STREAM (connection));
  self->got_one = TRUE;
  g_object_unref (connection);
}

static void
listener_init (Listener    *self,
               GSocketAddress *address)
{
  GError *error = NULL;
  GSocketAddress *effective = NULL;

  self->listener = g_socket_listener_new ();
  self->accepted = NULL;
  self->got_one = FALSE;
  self->accept_done = FALSE;
  self->cancellable = g_cancellable_new ();
  g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, &effective, &error);
  g_assert_no_error (error);
  if (G_IS_INET_SOCKET_ADDRESS (effective))
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_object_unref (effective);
  g_socket_listener_accept_async (self->listener, self->cancellable, listener_accepted, self);
}

static void
listener_clear (Listener *self)
{
  g_cancellable_cancel (self->cancellable);
  test_spin_until (&self->accept_done, 5);
  g_clear_object (&self->cancellable);
  g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  g_clear_pointer (&self->accepted, async_stream_unref);
}

static GSocketAddress *
loopback_address (guint16 port)
{
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, port);

  g_object_unref (loopback);
  return address;
}

/* test_open_connection (and test_open_unix_connection below): both ways
 * over a real connection. */
static void
exchange (AsyncFuture *open,
          Listener    *listener)
{
  AsyncStream *client;

  test_await (open, 10);
  g_assert_true (async_future_is_resolved (open));
  client = async_future_get_value (open);
  test_spin_until (&listener->got_one, 10);

  async_stream_write (client, "GET / HTTP/1.0\r\n\r\n", 18);
  assert_text (async_stream_readuntil (listener->accepted, "\r\n\r\n", 4), "GET / HTTP/1.0\r\n\r\n");
  async_stream_write (listener->accepted, "HTTP/1.0 200 OK\r\n\r\nTest message", 31);
  async_stream_close (listener->accepted);
  assert_text (async_stream_readline (client), "HTTP/1.0 200 OK\r\n");
  assert_text (async_stream_read (client, -1), "\r\nTest message");
  async_stream_close (client);
  async_future_unref (open);
}

static void
test_open_connection (void)
{
  Listener listener;
  GSocketAddress *address = loopback_address (0);
  AsyncFuture *open;
  AsyncStream *client;
  char *peer, *expected;

  listener_init (&listener, address);
  open = async_open_connection ("127.0.0.1", listener.port);
  test_await (open, 10);
  client = async_future_get_value (open);
  peer = async_stream_dup_peer_name (client);
  expected = g_strdup_printf ("127.0.0.1:%u", listener.port);
  g_assert_cmpstr (peer, ==, expected);
  g_free (expected);
  g_free (peer);
  exchange (open, &listener);
  listener_clear (&listener);
  g_object_unref (address);
}

static void
test_open_unix_connection (void)
{
  char *dir = g_dir_make_tmp ("async-glib-stream-XXXXXX", NULL);
  char *path = g_build_filename (dir, "socket", NULL);
  GSocketAddress *address = g_unix_socket_address_new (path);
  Listener listener;

  listener_init (&listener, address);
  exchange (async_open_unix_connection (path), &listener);
  listener_clear (&listener);
  g_object_unref (address);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* A port nobody listens on: the connect's own error. */
static void
test_open_connection_refused (void)
{
  Listener listener;
  GSocketAddress *address = loopback_address (0);
  guint16 port;
  AsyncFuture *open;

  listener_init (&listener, address);
  port = listener.port;
  listener_clear (&listener);
  open = await_failure (async_open_connection ("127.0.0.1", port),
                        G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  async_future_unref (open);
  g_object_unref (address);
}

/* Cancelling the open cancels the connect; nothing is left open. */
static void
test_open_connection_cancelled (void)
{
  Listener listener;
  GSocketAddress *address = loopback_address (0);
  AsyncFuture *open;
  guint before;

  listener_init (&listener, address);
  before = test_count_fds ();
  open = async_open_connection ("127.0.0.1", listener.port);
  g_assert_true (async_future_cancel (open));
  test_await (open, 10);
  g_assert_true (async_future_is_cancelled (open));
  async_future_unref (open);
  test_iterate_pending ();
  g_assert_cmpuint (test_count_fds (), <=, before);
  listener_clear (&listener);
  g_object_unref (address);
}

/* --- file descriptors ----------------------------------------------------- */

/* No descriptor outlives its stream: closed and awaited, unreffed, or
 * connected and dropped, with a read cancelled or left waiting at close. */
static void
test_no_fd_leak (void)
{
  guint before;

  /* GLib's own first-use descriptors (its wakeup pipes) come first. */
  {
    Pair pair;
    AsyncFuture *closed;

    pair_init (&pair);
    closed = async_stream_wait_closed (pair.stream);
    async_stream_close (pair.stream);
    test_await (closed, 5);
    async_future_unref (closed);
    pair_clear (&pair);
  }
  before = test_count_fds ();

  for (int i = 0; i < 50; i++)
    {
      Pair pair;
      AsyncFuture *read, *closed;

      pair_init (&pair);
      read = async_stream_readline (pair.stream);
      if (i % 2 == 0)
        {
          closed = async_stream_wait_closed (pair.stream);
          async_stream_close (pair.stream);
          test_await (closed, 5);
          async_future_unref (closed);
        }
      else
        async_future_cancel (read);
      async_future_unref (read);
      pair_clear (&pair);
    }
  /* A read cancelled outside the loop lets go of its stream on the next
   * turn. */
  test_iterate_pending ();
  g_assert_cmpuint (test_count_fds (), ==, before);

  for (int i = 0; i < 20; i++)
    {
      Listener listener;
      GSocketAddress *address = loopback_address (0);
      AsyncFuture *open;

      listener_init (&listener, address);
      open = async_open_connection ("127.0.0.1", listener.port);
      test_await (open, 10);
      test_spin_until (&listener.got_one, 10);
      async_future_unref (open);
      listener_clear (&listener);
      g_object_unref (address);
    }
  test_iterate_pending ();
  g_assert_cmpuint (test_count_fds (), ==, before);
}

/* --- bad input ------------------------------------------------------------ */

static void
test_bad_input (void)
{
  Pair pair;
  AsyncFuture *read;

  pair_init (&pair);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (async_stream_readuntil (pair.stream, "", 0));
  g_test_assert_expected_messages ();

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  async_stream_set_limit (pair.stream, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (async_stream_get_limit (pair.stream), ==, ASYNC_STREAM_DEFAULT_LIMIT);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  async_stream_set_write_buffer_limits (pair.stream, 10, 20);
  g_test_assert_expected_messages ();

  /* One read at a time (asyncio's RuntimeError). */
  read = async_stream_readline (pair.stream);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*read_op == NULL*");
  g_assert_null (async_stream_read (pair.stream, 10));
  g_test_assert_expected_messages ();
  feed (&pair, "first\n");
  assert_text (read, "first\n");

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (async_open_connection (NULL, 80));
  g_test_assert_expected_messages ();

  /* Writing after close () is a programming error; nothing is sent. */
  async_stream_close (pair.stream);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*assertion*closing*");
  async_stream_write (pair.stream, "late", 4);
  g_test_assert_expected_messages ();

  pair_clear (&pair);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stream/read/zero", test_read_zero);
  g_test_add_func ("/stream/read/waits-for-data", test_read_waits);
  g_test_add_func ("/stream/read/line-breaks", test_read_line_breaks);
  g_test_add_func ("/stream/read/eof", test_read_eof);
  g_test_add_func ("/stream/read/until-eof", test_read_until_eof);
  g_test_add_func ("/stream/read/limit-ignored", test_read_limit_ignored);
  g_test_add_func ("/stream/read/error-is-sticky", test_read_error_sticky);
  g_test_add_func ("/stream/readline/chunks", test_readline_chunks);
  g_test_add_func ("/stream/readline/then-read", test_readline_then_read);
  g_test_add_func ("/stream/readline/limit-with-existing-data", test_readline_limit_existing_data);
  g_test_add_func ("/stream/readline/limit-overrun", test_readline_limit_overrun);
  g_test_add_func ("/stream/readline/default-limit-bounds-buffer", test_readline_default_limit);
  g_test_add_func ("/stream/readline/eof", test_readline_eof);
  g_test_add_func ("/stream/readuntil/multi-chunks", test_readuntil_multi_chunks);
  g_test_add_func ("/stream/readuntil/eof-incomplete", test_readuntil_eof);
  g_test_add_func ("/stream/readuntil/limit-found-sep", test_readuntil_limit_found_sep);
  g_test_add_func ("/stream/readexactly/zero", test_readexactly_zero);
  g_test_add_func ("/stream/readexactly/waits", test_readexactly);
  g_test_add_func ("/stream/readexactly/eof-incomplete", test_readexactly_eof);
  g_test_add_func ("/stream/cancel/read-keeps-data", test_cancel_read_keeps_data);
  g_test_add_func ("/stream/cancel/coroutine-read", test_cancel_coroutine_read);
  g_test_add_func ("/stream/cancel/drain-keeps-stream", test_cancel_drain);
  g_test_add_func ("/stream/close/cancels-waiters-and-flushes", test_close_cancels_waiters);
  g_test_add_func ("/stream/drain/back-pressure", test_drain_back_pressure);
  g_test_add_func ("/stream/drain/low-water", test_drain_low_water);
  g_test_add_func ("/stream/write/eof", test_write_eof);
  g_test_add_func ("/stream/write/unref-flushes", test_unref_flushes);
  g_test_add_func ("/stream/open-connection/tcp", test_open_connection);
  g_test_add_func ("/stream/open-connection/unix", test_open_unix_connection);
  g_test_add_func ("/stream/open-connection/refused", test_open_connection_refused);
  g_test_add_func ("/stream/open-connection/cancelled", test_open_connection_cancelled);
  g_test_add_func ("/stream/fds/no-leak", test_no_fd_leak);
  g_test_add_func ("/stream/bad-input", test_bad_input);

  return g_test_run ();
}
