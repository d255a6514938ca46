/* echo-handler.h: the echo server's handler that test-tcp-server and
 * bench-echo serve with (async_start_server (…, echo_handler,
 * sizeof (EchoHandler), …)): it reads up to 64 KiB, writes it back and
 * drains, until the end of the stream, then closes. */

#pragma once

#include <async-glib/async-glib.h>

typedef struct
{
  AsyncServerConnection connection;
} EchoHandler;

static G_GNUC_UNUSED void
echo_handler (AsyncCoroutine *co,
              gpointer        frame)
{
  EchoHandler *self = frame;
  AsyncStream *stream = self->connection.stream;
  GBytes *data;

  ASYNC_BEGIN (co);

  for (;;)
    {
      ASYNC_AWAIT (co, async_stream_read (stream, 64 * 1024));
      data = async_coroutine_get_value (co);
      if (g_bytes_get_size (data) == 0)
        break;
      async_stream_write_bytes (stream, data);
      ASYNC_AWAIT (co, async_stream_drain (stream));
    }

  async_stream_close (stream);
  ASYNC_AWAIT (co, async_stream_wait_closed (stream));

  ASYNC_END (co);
}
