/* server.c: asyncio.start_server() over GSocketService: each accepted
 * connection (after its TLS handshake, for a TLS server) becomes an
 * AsyncStream handed to a handler coroutine of its own. */

#include "config.h"

#include "async-glib/async-gio.h"
#include "async-glib/async-server.h"
#include "async-glib/async-wait.h"
#include "future-private.h"

/* asyncio's default is 100; a thousand clients connecting at once to a
 * loop that accepts one per turn overflow that, and the kernel then drops
 * their SYNs for a second. */
#define LISTEN_BACKLOG 1024

/* Thread safety: every field is touched on the thread that runs the
 * context the server was started in. */
struct _AsyncServer
{
  gatomicrefcount     ref_count;
  const char         *where;          /* G_STRLOC of async_start_server () */
  GSocketService     *service;
  gulong              incoming_id;
  GTlsCertificate    *certificate;    /* NULL: plain TCP */
  AsyncCoroutineFunc  handler;
  gsize               frame_size;
  GDestroyNotify      frame_clear;
  gpointer            user_data;
  guint16             port;
  gboolean            closed;
  guint               n_connections;  /* handlers running or handshaking */
  AsyncFuture        *idle;           /* closed with no connection left */
};

static void
server_check_idle (AsyncServer *self)
{
  if (self->closed && self->n_connections == 0)
    async_future_resolve_quietly (self->idle, NULL, NULL);
}

/* --- one connection ------------------------------------------------------- */

typedef struct
{
  AsyncServer *server;       /* a reference */
  GIOStream   *connection;
  AsyncStream *stream;
  GError      *error;
} Connection;

static void
connection_free (gpointer data)
{
  Connection *self = data;
  AsyncServer *server = self->server;

  if (self->stream != NULL)
    async_stream_unref (self->stream);
  else if (self->connection != NULL)
    g_io_stream_close (self->connection, NULL, NULL);
  g_clear_object (&self->connection);
  g_clear_error (&self->error);
  g_free (self);

  server->n_connections--;
  server_check_idle (server);
  async_server_unref (server);
}

static void
handler_frame_free (gpointer frame)
{
  AsyncServerConnection *head = frame;

  if (head->server->frame_clear != NULL)
    head->server->frame_clear (frame);
  g_free (frame);
}

static void
connection_body (AsyncCoroutine *co,
                 gpointer        frame)
{
  Connection *self = frame;
  AsyncServer *server = self->server;
  AsyncServerConnection *head;

  ASYNC_BEGIN (co);

  if (server->certificate != NULL)
    {
      GIOStream *tls = g_tls_server_connection_new (self->connection, server->certificate,
                                                    &self->error);

      if (tls == NULL)
        {
          g_debug ("TLS server connection of the server started at %s: %s",
                   server->where, self->error->message);
          ASYNC_RETURN (co, NULL, NULL);
        }
      g_object_unref (self->connection);
      self->connection = tls;

      ASYNC_AWAIT_TRY (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_BOOLEAN,
                                                            G_CALLBACK (g_tls_connection_handshake_finish),
                                                            NULL),
                                      g_tls_connection_handshake_async,
                                      G_TLS_CONNECTION (self->connection), G_PRIORITY_DEFAULT),
                       &self->error);
      if (self->error != NULL)
        {
          g_debug ("TLS handshake with a client of the server started at %s failed: %s",
                   server->where, self->error->message);
          ASYNC_RETURN (co, NULL, NULL);
        }
    }

  self->stream = async_stream_new (self->connection);
  head = g_malloc0 (server->frame_size);
  head->stream = self->stream;
  head->server = server;
  head->user_data = server->user_data;

  ASYNC_AWAIT_TRY (co, async_spawn_at (server->where, server->handler, head, handler_frame_free),
                   &self->error);

  /* asyncio closes the transport of a handler that raised or was
   * cancelled; one that returned keeps its stream until the last
   * reference goes. */
  if (self->error != NULL)
    {
      if (!g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("A connection handler of the server started at %s failed: %s",
                   server->where, self->error->message);
      async_stream_close (self->stream);
    }

  ASYNC_END (co);
}

static gboolean
server_incoming (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source_object,
                 gpointer           user_data)
{
  AsyncServer *self = user_data;
  Connection *frame;

  frame = g_new0 (Connection, 1);
  frame->server = async_server_ref (self);
  frame->connection = g_object_ref (G_IO_STREAM (connection));
  self->n_connections++;

  /* The runtime keeps the coroutine; its outcome is always a success. */
  async_future_unref (async_spawn_at (self->where, connection_body, frame, connection_free));

  return TRUE;
}

/* --- starting ------------------------------------------------------------- */

typedef struct
{
  AsyncServer *server;
  char        *host;
  guint16      port;
  GResolver   *resolver;
} StartServer;

static void
start_server_free (gpointer data)
{
  StartServer *self = data;

  async_server_unref (self->server);
  g_free (self->host);
  g_clear_object (&self->resolver);
  g_free (self);
}

static gboolean
server_bind (AsyncServer  *self,
             GInetAddress *address,
             guint16       port,
             GError      **error)
{
  g_autoptr (GSocketAddress) socket_address = g_inet_socket_address_new (address, port);
  g_autoptr (GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), socket_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, error))
    return FALSE;

  if (self->port == 0)
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  return TRUE;
}

/* TRUE if @host is an address (then bound, or @error set); FALSE if it is
 * a name to resolve. */
static gboolean
server_bind_literal (AsyncServer *self,
                     const char  *host,
                     guint16      port,
                     GError     **error)
{
  g_autoptr (GInetAddress) literal = g_inet_address_new_from_string (host);

  if (literal == NULL)
    return FALSE;

  server_bind (self, literal, port, error);

  return TRUE;
}

static void
start_server_body (AsyncCoroutine *co,
                   gpointer        frame)
{
  StartServer *self = frame;
  AsyncServer *server = self->server;
  GError *error = NULL;

  ASYNC_BEGIN (co);

  if (self->host == NULL)
    {
      if (self->port == 0)
        server->port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (server->service),
                                                            NULL, &error);
      else if (g_socket_listener_add_inet_port (G_SOCKET_LISTENER (server->service), self->port,
                                                NULL, &error))
        server->port = self->port;
    }
  else if (!server_bind_literal (server, self->host, self->port, &error))
    {
      self->resolver = g_resolver_get_default ();
      ASYNC_AWAIT (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_POINTER,
                                                        G_CALLBACK (g_resolver_lookup_by_name_finish),
                                                        (GDestroyNotify) g_resolver_free_addresses),
                                  g_resolver_lookup_by_name_async, self->resolver, self->host));

      /* Every address of the name, on one port (the first's, for 0). */
      for (GList *l = async_coroutine_get_value (co); l != NULL && error == NULL; l = l->next)
        server_bind (server, l->data, server->port != 0 ? server->port : self->port, &error);
    }

  if (error != NULL)
    ASYNC_RETURN_ERROR (co, error);

  g_socket_service_start (server->service);
  ASYNC_RETURN (co, async_server_ref (server), (GDestroyNotify) async_server_unref);

  ASYNC_END (co);
}

/**
 * async_start_server_at:
 * @where: where the server is started, as `G_STRLOC`
 * @host: (nullable): see async_start_server()
 * @port: see async_start_server()
 * @certificate: (nullable): a certificate for a TLS server
 * @handler: see async_start_server()
 * @frame_size: see async_start_server()
 * @frame_clear: (nullable): see async_start_server()
 * @user_data: (nullable): see async_start_server()
 *
 * Starts a server; use async_start_server() or async_start_tls_server(),
 * which fill @where.
 *
 * Returns: (transfer full): a future of the #AsyncServer
 *
 * Since: 0.2
 */
AsyncFuture *
async_start_server_at (const char        *where,
                       const char        *host,
                       guint16            port,
                       GTlsCertificate   *certificate,
                       AsyncCoroutineFunc handler,
                       gsize              frame_size,
                       GDestroyNotify     frame_clear,
                       gpointer           user_data)
{
  AsyncServer *server;
  StartServer *start;

  g_return_val_if_fail (handler != NULL, NULL);
  g_return_val_if_fail (frame_size >= sizeof (AsyncServerConnection), NULL);
  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), NULL);

  server = g_new0 (AsyncServer, 1);
  g_atomic_ref_count_init (&server->ref_count);
  server->where = where != NULL ? where : "an unknown place";
  server->service = g_socket_service_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (server->service), LISTEN_BACKLOG);
  server->incoming_id = g_signal_connect (server->service, "incoming",
                                          G_CALLBACK (server_incoming), server);
  server->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  server->handler = handler;
  server->frame_size = frame_size;
  server->frame_clear = frame_clear;
  server->user_data = user_data;
  server->idle = async_future_new ();

  start = g_new0 (StartServer, 1);
  start->server = server;
  start->host = g_strdup (host);
  start->port = port;

  return async_spawn_at (server->where, start_server_body, start, start_server_free);
}

/**
 * async_server_ref:
 * @server: a server
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @server
 *
 * Since: 0.2
 */
AsyncServer *
async_server_ref (AsyncServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);

  g_atomic_ref_count_inc (&server->ref_count);

  return server;
}

/**
 * async_server_unref:
 * @server: (transfer full): a server
 *
 * Drops a reference. Each running handler holds one; the last one closes
 * the server if it still listens.
 *
 * Since: 0.2
 */
void
async_server_unref (AsyncServer *server)
{
  g_return_if_fail (server != NULL);

  if (!g_atomic_ref_count_dec (&server->ref_count))
    return;

  async_server_close (server);
  g_object_unref (server->service);
  g_clear_object (&server->certificate);
  async_future_unref (server->idle);
  g_free (server);
}

/**
 * async_server_get_port:
 * @server: a server
 *
 * asyncio's `server.sockets[0].getsockname[1]`: the port it listens on,
 * the one the system picked if it was started on port 0.
 *
 * Returns: the TCP port
 *
 * Since: 0.2
 */
guint16
async_server_get_port (AsyncServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server->port;
}

/**
 * async_server_get_n_connections:
 * @server: a server
 *
 * How many connections the server is serving now.
 *
 * Returns: how many connections have a handler running (or a TLS
 *   handshake under way)
 *
 * Since: 0.2
 */
guint
async_server_get_n_connections (AsyncServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server->n_connections;
}

/**
 * async_server_is_serving:
 * @server: a server
 *
 * asyncio's `is_serving`.
 *
 * Returns: %TRUE until async_server_close()
 *
 * Since: 0.2
 */
gboolean
async_server_is_serving (AsyncServer *server)
{
  g_return_val_if_fail (server != NULL, FALSE);

  return !server->closed;
}

/**
 * async_server_close:
 * @server: a server
 *
 * asyncio's `close`: stops accepting and closes the listening sockets at
 * once. The handlers running go on (as asyncio's); cancel them, or close
 * their streams, to end them sooner. Calling it again does nothing.
 *
 * Since: 0.2
 */
void
async_server_close (AsyncServer *server)
{
  g_return_if_fail (server != NULL);

  if (server->closed)
    return;

  server->closed = TRUE;
  g_signal_handler_disconnect (server->service, server->incoming_id);
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  server_check_idle (server);
}

/**
 * async_server_wait_closed:
 * @server: a server
 *
 * asyncio's `wait_closed`: a future settled once async_server_close()
 * was called and every handler has ended. Cancelling it stops nothing.
 *
 * Returns: (transfer full): a future of %NULL
 *
 * Since: 0.2
 */
AsyncFuture *
async_server_wait_closed (AsyncServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);

  return async_shield (async_future_ref (server->idle));
}
