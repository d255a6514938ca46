/* async-stream.h: asyncio's streams: a connection (TCP, Unix socket, TLS, or
 * a subprocess's pipes) with a reader side whose reads are futures and a
 * buffered writer side with flow control. */

/**
 * SECTION:async-stream
 * @title: AsyncStream
 * @short_description: asyncio's StreamReader and StreamWriter
 *
 * A connection's reader and writer in one: open_connection over TCP, a
 * Unix socket or TLS; read, readline, readexactly and readuntil are futures
 * with asyncio's limit and errors; write buffers, and drain waits while the
 * buffer is over its high-water mark. Loop-local.
 */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncStream:
 *
 * asyncio's `StreamReader` and `StreamWriter` in one object. The reader
 * keeps a buffer: async_stream_read(), async_stream_readline(),
 * async_stream_readexactly() and async_stream_readuntil() each return a
 * future of a #GBytes taken from it. The writer buffers what
 * async_stream_write() could not send at once; async_stream_drain() waits
 * while that buffer is over its high-water mark.
 *
 * One read may wait at a time, as asyncio. Cancelling a read leaves the
 * stream usable and loses no byte: what arrived stays in the buffer for the
 * next read (asyncio's behaviour). Cancelling a drain leaves the stream
 * usable: the buffered bytes are still sent. async_stream_close() cancels
 * the read and the drains waiting on the stream.
 *
 * Thread safety: a stream belongs to the thread-default context it was
 * created in; call its functions from the thread that runs that context.
 *
 * Since: 0.2
 */
typedef struct _AsyncStream AsyncStream;

/**
 * ASYNC_STREAM_DEFAULT_LIMIT:
 *
 * The default limit of a stream's separator search, 64 KiB, as asyncio's
 * `_DEFAULT_LIMIT`.
 *
 * Since: 0.2
 */
#define ASYNC_STREAM_DEFAULT_LIMIT (64 * 1024)

ASYNC_AVAILABLE_IN_0_2
AsyncStream *async_stream_new                  (GIOStream       *io_stream);
ASYNC_AVAILABLE_IN_0_2
AsyncStream *async_stream_ref                  (AsyncStream     *stream);
ASYNC_AVAILABLE_IN_0_2
void         async_stream_unref                (AsyncStream     *stream);

ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_open_connection             (const char      *host,
                                                guint16          port) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_open_unix_connection        (const char      *path) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_open_tls_connection         (const char      *host,
                                                guint16          port,
                                                const char      *ca_file) G_GNUC_WARN_UNUSED_RESULT;

ASYNC_AVAILABLE_IN_0_2
void         async_stream_set_limit            (AsyncStream     *stream,
                                                gsize            limit);
ASYNC_AVAILABLE_IN_0_2
gsize        async_stream_get_limit            (AsyncStream     *stream);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_stream_read                 (AsyncStream     *stream,
                                                gssize           n) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_stream_readline             (AsyncStream     *stream) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_stream_readexactly          (AsyncStream     *stream,
                                                gsize            n) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_stream_readuntil            (AsyncStream     *stream,
                                                const void      *separator,
                                                gsize            separator_len) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
gboolean     async_stream_at_eof               (AsyncStream     *stream);
ASYNC_AVAILABLE_IN_0_2
GBytes      *async_stream_read_get_partial     (AsyncFuture     *read);
ASYNC_AVAILABLE_IN_0_2
gsize        async_stream_read_get_consumed    (AsyncFuture     *read);

ASYNC_AVAILABLE_IN_0_2
void         async_stream_write                (AsyncStream     *stream,
                                                const void      *data,
                                                gsize            len);
ASYNC_AVAILABLE_IN_0_2
void         async_stream_write_bytes          (AsyncStream     *stream,
                                                GBytes          *bytes);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_stream_can_write_eof        (AsyncStream     *stream);
ASYNC_AVAILABLE_IN_0_2
void         async_stream_write_eof            (AsyncStream     *stream);
ASYNC_AVAILABLE_IN_0_2
void         async_stream_set_write_buffer_limits (AsyncStream  *stream,
                                                   gsize         high,
                                                   gsize         low);
ASYNC_AVAILABLE_IN_0_2
gsize        async_stream_get_write_buffer_size (AsyncStream    *stream);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_stream_drain                (AsyncStream     *stream) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
void         async_stream_close                (AsyncStream     *stream);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_stream_is_closing           (AsyncStream     *stream);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_stream_wait_closed          (AsyncStream     *stream) G_GNUC_WARN_UNUSED_RESULT;

ASYNC_AVAILABLE_IN_0_2
GIOStream   *async_stream_get_io_stream        (AsyncStream     *stream);
ASYNC_AVAILABLE_IN_0_2
char        *async_stream_dup_peer_name        (AsyncStream     *stream);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncStream, async_stream_unref)

G_END_DECLS
