/* bench-echo: echo round trips per second over loopback, async-glib's side.
 *
 *   bench-echo server            serves on 127.0.0.1, a port of its own
 *                                (printed as PORT N), until SIGTERM or the
 *                                end of its standard input
 *   bench-echo client PORT CONCURRENCY SECONDS SIZE
 *                                CONCURRENCY connections, each sending SIZE
 *                                bytes and reading them back, over and over,
 *                                for SECONDS; prints round_trips= seconds= rps=
 *
 * asyncio_echo.py is the same server and client with asyncio streams (and
 * uvloop); run-bench.sh runs each pair, and ours against their servers. */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <async-glib/async-glib.h>

#include "../echo-handler.h"

/* --- server (the handler is echo-handler.h's) ------------------------------- */

/* Either of the two may come first; the second finds it settled. */
static void
stop_once (AsyncFuture *stop)
{
  if (async_future_is_pending (stop))
    async_future_resolve (stop, NULL, NULL);
}

static gboolean
on_sigterm (gpointer stop)
{
  stop_once (stop);
  return G_SOURCE_REMOVE;
}

/* The end of standard input stops the server too: run-bench.sh holds a
 * fifo open on it, so that no server outlives the script, whatever runs
 * between it and this process. */
static gboolean
on_stdin (gint         fd,
          GIOCondition condition,
          gpointer     stop)
{
  char buffer[256];

  if (read (fd, buffer, sizeof buffer) > 0)
    return G_SOURCE_CONTINUE;
  stop_once (stop);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  AsyncServer *server;
  AsyncFuture *stop;
} Serve;

static void
serve_free (gpointer data)
{
  Serve *self = data;

  g_clear_pointer (&self->server, async_server_unref);
  g_clear_pointer (&self->stop, async_future_unref);
  g_free (self);
}

static void
serve (AsyncCoroutine *co,
       gpointer        frame)
{
  Serve *self = frame;

  ASYNC_BEGIN (co);

  ASYNC_AWAIT (co, async_start_server ("127.0.0.1", 0, echo_handler, sizeof (EchoHandler), NULL, NULL));
  self->server = async_server_ref (async_coroutine_get_value (co));
  g_print ("PORT %u\n", async_server_get_port (self->server));

  self->stop = async_future_new ();
  {
    GSource *source = g_unix_signal_source_new (SIGTERM);

    g_source_set_callback (source, on_sigterm, self->stop, NULL);
    g_source_attach (source, g_main_context_get_thread_default ());
    g_source_unref (source);
    source = g_unix_fd_source_new (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback (source, G_SOURCE_FUNC (on_stdin), self->stop, NULL);
    g_source_attach (source, g_main_context_get_thread_default ());
    g_source_unref (source);
  }
  ASYNC_AWAIT (co, async_future_ref (self->stop));
  async_server_close (self->server);

  ASYNC_END (co);
}

/* --- client --------------------------------------------------------------- */

typedef struct
{
  guint16  port;
  gint64   deadline;
  gsize    size;
  guint8  *message;
  guint64  round_trips;
} Load;

typedef struct
{
  Load        *load;
  AsyncStream *stream;
} Client;

static void
client_free (gpointer data)
{
  Client *self = data;

  g_clear_pointer (&self->stream, async_stream_unref);
  g_free (self);
}

static void
client (AsyncCoroutine *co,
        gpointer        frame)
{
  Client *self = frame;
  Load *load = self->load;

  ASYNC_BEGIN (co);

  ASYNC_AWAIT (co, async_open_connection ("127.0.0.1", load->port));
  self->stream = async_stream_ref (async_coroutine_get_value (co));

  while (g_get_monotonic_time () < load->deadline)
    {
      async_stream_write (self->stream, load->message, load->size);
      ASYNC_AWAIT (co, async_stream_drain (self->stream));
      ASYNC_AWAIT (co, async_stream_readexactly (self->stream, load->size));
      if (memcmp (g_bytes_get_data (async_coroutine_get_value (co), NULL), load->message, load->size) != 0)
        g_error ("bench-echo: the echo differs");
      load->round_trips++;
    }
  async_stream_close (self->stream);
  ASYNC_AWAIT (co, async_stream_wait_closed (self->stream));

  ASYNC_END (co);
}

typedef struct
{
  Load *load;
  guint concurrency;
} Start;

static AsyncFuture *
start_clients (gpointer user_data)
{
  Start *start = user_data;
  AsyncFuture **clients = g_new (AsyncFuture *, start->concurrency);
  AsyncFuture *all;

  for (guint i = 0; i < start->concurrency; i++)
    {
      Client *self = g_new0 (Client, 1);

      self->load = start->load;
      clients[i] = async_spawn (client, self, client_free);
    }
  all = async_gather_array (ASYNC_GATHER_DEFAULT, clients, start->concurrency);
  g_free (clients);

  return all;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsyncFuture) done = NULL;

  if (argc == 2 && strcmp (argv[1], "server") == 0)
    {
      done = async_run_coroutine (serve, g_new0 (Serve, 1), serve_free);
    }
  else if (argc == 6 && strcmp (argv[1], "client") == 0)
    {
      Load load = { 0 };
      Start start = { &load, (guint) atoi (argv[3]) };
      double seconds = g_ascii_strtod (argv[4], NULL);
      gint64 began;
      double elapsed;

      load.port = (guint16) atoi (argv[2]);
      load.size = (gsize) atoi (argv[5]);
      load.message = g_malloc (load.size);
      memset (load.message, 'e', load.size);
      began = g_get_monotonic_time ();
      load.deadline = began + (gint64) (seconds * G_USEC_PER_SEC);
      done = async_run (start_clients, &start);
      elapsed = (g_get_monotonic_time () - began) / (double) G_USEC_PER_SEC;
      g_print ("round_trips=%" G_GUINT64_FORMAT " seconds=%.6f rps=%.1f\n",
               load.round_trips, elapsed, load.round_trips / elapsed);
      g_free (load.message);
    }
  else
    {
      g_printerr ("usage: bench-echo server | client PORT CONCURRENCY SECONDS SIZE\n");
      return 2;
    }

  if (!async_future_propagate_error (done, &error))
    {
      g_printerr ("bench-echo: %s\n", error->message);
      return 1;
    }

  return 0;
}
