/* echo-server: the TCP echo server of the asyncio documentation
 * ("TCP echo server using streams"), in C.
 *
 *   import asyncio
 *
 *   async def handle_echo(reader, writer):
 *       data = await reader.read(100)
 *       message = data.decode()
 *       addr = writer.get_extra_info('peername')
 *
 *       print(f"Received {message!r} from {addr!r}")
 *
 *       print(f"Send: {message!r}")
 *       writer.write(data)
 *       await writer.drain()
 *
 *       print("Close the connection")
 *       writer.close()
 *       await writer.wait_closed()
 *
 *   async def main():
 *       server = await asyncio.start_server(handle_echo, '127.0.0.1', 8888)
 *       print(f'Serving on {server.sockets[0].getsockname()}')
 *       async with server:
 *           await server.serve_forever()
 *
 *   asyncio.run(main())
 *
 * Serves until SIGINT or SIGTERM, then closes and exits 0.
 * Run: ./samples/echo-server [PORT]   (8888 by default; 0 for any)
 */

#include <stdlib.h>
#include <signal.h>
#include <glib-unix.h>
#include <async-glib/async-glib.h>

/* A handler's frame starts with its connection (the stream). */
typedef struct
{
  AsyncServerConnection connection;
} Echo;

static void
handle_echo (AsyncCoroutine *co,
             gpointer        frame)
{
  Echo *self = frame;
  AsyncStream *stream = self->connection.stream;

  ASYNC_BEGIN (co);

  ASYNC_AWAIT (co, async_stream_read (stream, 100));
  {
    GBytes *data = async_coroutine_get_value (co);
    g_autofree char *message = g_strndup (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
    g_autofree char *addr = async_stream_dup_peer_name (stream);

    g_print ("Received '%s' from '%s'\n", message, addr);
    g_print ("Send: '%s'\n", message);
    async_stream_write_bytes (stream, data);
  }
  ASYNC_AWAIT (co, async_stream_drain (stream));

  g_print ("Close the connection\n");
  async_stream_close (stream);
  ASYNC_AWAIT (co, async_stream_wait_closed (stream));

  ASYNC_END (co);
}

typedef struct
{
  guint16      port;
  AsyncServer *server;
  AsyncFuture *stop;     /* resolved by SIGINT or SIGTERM */
} Main;

static void
main_free (gpointer data)
{
  Main *self = data;

  g_clear_pointer (&self->server, async_server_unref);
  g_clear_pointer (&self->stop, async_future_unref);
  g_free (self);
}

static gboolean
on_signal (gpointer stop)
{
  async_future_resolve (stop, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* Ctrl-C, or a kill, ends serve_forever (). */
static void
stop_on_signal (int          signum,
                AsyncFuture *stop)
{
  GSource *source = g_unix_signal_source_new (signum);

  g_source_set_callback (source, on_signal, stop, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

static void
main_body (AsyncCoroutine *co,
           gpointer        frame)
{
  Main *self = frame;

  ASYNC_BEGIN (co);

  ASYNC_AWAIT (co, async_start_server ("127.0.0.1", self->port, handle_echo, sizeof (Echo), NULL, NULL));
  self->server = async_server_ref (async_coroutine_get_value (co));
  g_print ("Serving on 127.0.0.1:%u\n", async_server_get_port (self->server));

  self->stop = async_future_new ();
  stop_on_signal (SIGINT, self->stop);
  stop_on_signal (SIGTERM, self->stop);
  ASYNC_AWAIT (co, async_future_ref (self->stop));

  /* async with server: close, and wait for the handlers. */
  async_server_close (self->server);
  ASYNC_AWAIT (co, async_server_wait_closed (self->server));

  ASYNC_END (co);
}

int
main (int   argc,
      char *argv[])
{
  Main *self = g_new0 (Main, 1);
  g_autoptr (AsyncFuture) done = NULL;
  g_autoptr (GError) error = NULL;

  self->port = argc > 1 ? (guint16) atoi (argv[1]) : 8888;
  done = async_run_coroutine (main_body, self, main_free);
  if (!async_future_propagate_error (done, &error))
    {
      g_printerr ("echo-server: %s\n", error->message);
      return 1;
    }

  return 0;
}
