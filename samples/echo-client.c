/* echo-client: the TCP echo client of the asyncio documentation
 * ("TCP echo client using streams"), in C.
 *
 *   import asyncio
 *
 *   async def tcp_echo_client(message):
 *       reader, writer = await asyncio.open_connection('127.0.0.1', 8888)
 *
 *       print(f'Send: {message!r}')
 *       writer.write(message.encode())
 *       await writer.drain()
 *
 *       data = await reader.read(100)
 *       print(f'Received: {data.decode()!r}')
 *
 *       print('Close the connection')
 *       writer.close()
 *       await writer.wait_closed()
 *
 *   asyncio.run(tcp_echo_client('Hello World!'))
 *
 * Run: ./samples/echo-client [PORT [MESSAGE]]   (with samples/echo-server)
 */

#include <stdlib.h>
#include <string.h>
#include <async-glib/async-glib.h>

typedef struct
{
  guint16      port;
  const char  *message;
  AsyncStream *stream;
} EchoClient;

static void
echo_client_free (gpointer data)
{
  EchoClient *self = data;

  g_clear_pointer (&self->stream, async_stream_unref);
  g_free (self);
}

static void
tcp_echo_client (AsyncCoroutine *co,
                 gpointer        frame)
{
  EchoClient *self = frame;

  ASYNC_BEGIN (co);

  ASYNC_AWAIT (co, async_open_connection ("127.0.0.1", self->port));
  self->stream = async_stream_ref (async_coroutine_get_value (co));

  g_print ("Send: '%s'\n", self->message);
  async_stream_write (self->stream, self->message, strlen (self->message));
  ASYNC_AWAIT (co, async_stream_drain (self->stream));

  ASYNC_AWAIT (co, async_stream_read (self->stream, 100));
  {
    GBytes *data = async_coroutine_get_value (co);

    g_print ("Received: '%.*s'\n", (int) g_bytes_get_size (data),
             (const char *) g_bytes_get_data (data, NULL));
  }

  g_print ("Close the connection\n");
  async_stream_close (self->stream);
  ASYNC_AWAIT (co, async_stream_wait_closed (self->stream));

  ASYNC_END (co);
}

int
main (int   argc,
      char *argv[])
{
  EchoClient *self = g_new0 (EchoClient, 1);
  g_autoptr (AsyncFuture) done = NULL;
  g_autoptr (GError) error = NULL;

  self->port = argc > 1 ? (guint16) atoi (argv[1]) : 8888;
  self->message = argc > 2 ? argv[2] : "Hello World!";
  done = async_run_coroutine (tcp_echo_client, self, echo_client_free);
  if (!async_future_propagate_error (done, &error))
    {
      g_printerr ("echo-client: %s\n", error->message);
      return 1;
    }

  return 0;
}
