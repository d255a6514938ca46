/* async-server.h: asyncio.start_server(): a listening socket (GSocketService)
 * that spawns a handler coroutine with an #AsyncStream for each
 * connection. */

/**
 * SECTION:async-server
 * @title: AsyncServer
 * @short_description: asyncio's start_server
 *
 * A listening socket that spawns a handler coroutine, with its stream, for
 * each connection, with or without TLS; close stops accepting and
 * wait_closed waits for the handlers. Loop-local.
 */

#pragma once

#include <async-glib/async-coro.h>
#include <async-glib/async-stream.h>

G_BEGIN_DECLS

/**
 * AsyncServer:
 *
 * asyncio's `Server`: listens until async_server_close(); each connection
 * gets its own handler coroutine. Dropping the last reference closes it.
 *
 * Thread safety: a server belongs to the thread-default context it was
 * started in; call its functions from the thread that runs that context.
 *
 * Since: 0.2
 */
typedef struct _AsyncServer AsyncServer;

/**
 * AsyncServerConnection:
 * @stream: the connection (transfer none): the server closes it when the
 *   handler ends by an error or a cancellation and drops its reference
 *   when the handler ends in any way (asyncio's StreamWriter, collected)
 * @server: the server (transfer none), alive while the handler runs
 * @user_data: the user data given to async_start_server()
 *
 * The head of every handler's frame: a handler's frame is a struct of
 * `frame_size` bytes, zeroed, that starts with this, so that the handler
 * reads its stream from it:
 *
 *   typedef struct { AsyncServerConnection connection; GBytes *line; } Echo;
 *
 * Since: 0.2
 */
typedef struct _AsyncServerConnection AsyncServerConnection;
struct _AsyncServerConnection
{
  AsyncStream *stream;
  AsyncServer *server;
  gpointer     user_data;
};

ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_start_server_at     (const char         *where,
                                        const char         *host,
                                        guint16             port,
                                        GTlsCertificate    *certificate,
                                        AsyncCoroutineFunc  handler,
                                        gsize               frame_size,
                                        GDestroyNotify      frame_clear,
                                        gpointer            user_data) G_GNUC_WARN_UNUSED_RESULT;

/**
 * async_start_server:
 * @host: (nullable): the address to listen on (`127.0.0.1`, `::1`, a host
 *   name to resolve), or %NULL for every interface
 * @port: the TCP port, or 0 for one the system picks
 *   (async_server_get_port())
 * @handler: the coroutine each connection gets
 * @frame_size: the size of its frame, at least
 *   `sizeof (AsyncServerConnection)`
 * @frame_clear: (nullable): frees what the handler put in its frame, after
 *   it ended (its `finally`); the frame itself is freed by the server
 * @user_data: (nullable): the @user_data of every frame's #AsyncServerConnection
 *
 * asyncio.start_server(handler, host, port): a future of the listening
 * #AsyncServer. A handler that fails is logged (a warning naming where the
 * server was started) and the server goes on serving. Call it on the thread
 * that runs the thread-default context.
 *
 * Returns: (transfer full): a future of the #AsyncServer, or of the bind's
 *   error (%G_IO_ERROR_ADDRESS_IN_USE, …)
 *
 * Since: 0.2
 */
#define async_start_server(host, port, handler, frame_size, frame_clear, user_data) \
  async_start_server_at (G_STRLOC, (host), (port), NULL, (handler), (frame_size), \
                         (frame_clear), (user_data))

/**
 * async_start_tls_server:
 * @host: (nullable): as async_start_server()
 * @port: as async_start_server()
 * @certificate: the server's certificate, with its private key
 *   (g_tls_certificate_new_from_files())
 * @handler: as async_start_server()
 * @frame_size: as async_start_server()
 * @frame_clear: (nullable): as async_start_server()
 * @user_data: (nullable): as async_start_server()
 *
 * asyncio.start_server(…, ssl=context): as async_start_server(), and each
 * connection's TLS handshake (glib-networking) is done before its handler
 * starts; a connection whose handshake fails is closed, and logged at
 * debug level.
 *
 * Returns: (transfer full): a future of the #AsyncServer
 *
 * Since: 0.2
 */
#define async_start_tls_server(host, port, certificate, handler, frame_size, frame_clear, user_data) \
  async_start_server_at (G_STRLOC, (host), (port), (certificate), (handler), (frame_size), \
                         (frame_clear), (user_data))

ASYNC_AVAILABLE_IN_0_2
AsyncServer *async_server_ref          (AsyncServer        *server);
ASYNC_AVAILABLE_IN_0_2
void         async_server_unref        (AsyncServer        *server);
ASYNC_AVAILABLE_IN_0_2
guint16      async_server_get_port     (AsyncServer        *server);
ASYNC_AVAILABLE_IN_0_2
guint        async_server_get_n_connections (AsyncServer   *server);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_server_is_serving   (AsyncServer        *server);
ASYNC_AVAILABLE_IN_0_2
void         async_server_close        (AsyncServer        *server);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_server_wait_closed  (AsyncServer        *server) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncServer, async_server_unref)

G_END_DECLS
