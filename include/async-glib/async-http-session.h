/* async-http-session.h: AsyncHttpSession, aiohttp's ClientSession: many
 * concurrent HTTP transfers, each a future, on a bounded pool of threads. */

/**
 * SECTION:async-http-session
 * @title: AsyncHttpSession
 * @short_description: aiohttp's ClientSession
 *
 * Concurrent HTTP transfers, each a future resolved with an
 * #AsyncHttpResponse on the caller's context. The transfers run on the
 * session's own worker pool, whose size is the concurrency limit; connections
 * are kept alive and reused.
 */

#pragma once

#include <async-glib/async-future.h>
#include <async-glib/async-http-response.h>

G_BEGIN_DECLS

/**
 * ASYNC_HTTP_ERROR:
 *
 * The error domain of failed HTTP transfers. Cancellation is still
 * %G_IO_ERROR_CANCELLED; a time-out of a transfer, though, is
 * %ASYNC_HTTP_ERROR_TIMED_OUT, so that one domain tells every way a
 * transfer failed.
 *
 * Since: 0.1
 */
#define ASYNC_HTTP_ERROR (async_http_error_quark ())

/**
 * AsyncHttpError:
 * @ASYNC_HTTP_ERROR_FAILED: a failure with no more specific code.
 * @ASYNC_HTTP_ERROR_INVALID_URL: the URL could not be parsed.
 * @ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME: the URL, or a redirect, is not
 *   `http` or `https`.
 * @ASYNC_HTTP_ERROR_RESOLVE: the host name could not be resolved.
 * @ASYNC_HTTP_ERROR_CONNECT: the connection was refused or failed.
 * @ASYNC_HTTP_ERROR_TLS: the TLS handshake or the certificate check failed.
 * @ASYNC_HTTP_ERROR_TIMED_OUT: a time-out of the session elapsed (total,
 *   connect or low speed).
 * @ASYNC_HTTP_ERROR_TOO_LARGE: the body is larger than the session allows.
 * @ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS: more redirects than the session
 *   follows.
 * @ASYNC_HTTP_ERROR_PROTOCOL: the response was malformed or cut short: a
 *   bad status line, a body shorter than announced, broken chunked encoding,
 *   no response at all, the connection reset while receiving.
 * @ASYNC_HTTP_ERROR_SEND: sending the request failed.
 * @ASYNC_HTTP_ERROR_STATUS: the status was 400 or more and the request
 *   asked for %ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS.
 * @ASYNC_HTTP_ERROR_INVALID_HEADER: a request header or method was malformed
 *   (no colon, or a CR or LF in it); nothing was sent.
 * @ASYNC_HTTP_ERROR_INVALID_UTF8: async_http_response_get_text() on a body
 *   that is not UTF-8.
 * @ASYNC_HTTP_ERROR_CLOSED: the session was closed.
 *
 * Error codes in the %ASYNC_HTTP_ERROR domain. Messages carry the URL and
 * curl's own description of the failure.
 *
 * Since: 0.1
 */
typedef enum
{
  ASYNC_HTTP_ERROR_FAILED,
  ASYNC_HTTP_ERROR_INVALID_URL,
  ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME,
  ASYNC_HTTP_ERROR_RESOLVE,
  ASYNC_HTTP_ERROR_CONNECT,
  ASYNC_HTTP_ERROR_TLS,
  ASYNC_HTTP_ERROR_TIMED_OUT,
  ASYNC_HTTP_ERROR_TOO_LARGE,
  ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS,
  ASYNC_HTTP_ERROR_PROTOCOL,
  ASYNC_HTTP_ERROR_SEND,
  ASYNC_HTTP_ERROR_STATUS,
  ASYNC_HTTP_ERROR_INVALID_HEADER,
  ASYNC_HTTP_ERROR_INVALID_UTF8,
  ASYNC_HTTP_ERROR_CLOSED,
} AsyncHttpError;

/**
 * AsyncHttpRequestFlags:
 * @ASYNC_HTTP_REQUEST_DEFAULT: follow redirects; any status resolves.
 * @ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS: a status of 400 or more rejects
 *   the future with %ASYNC_HTTP_ERROR_STATUS (aiohttp's
 *   `raise_for_status=True`).
 * @ASYNC_HTTP_REQUEST_NO_REDIRECTS: return a 3xx response as it is.
 *
 * Options of one request.
 *
 * Since: 0.1
 */
typedef enum
{
  ASYNC_HTTP_REQUEST_DEFAULT          = 0,
  ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS = 1 << 0,
  ASYNC_HTTP_REQUEST_NO_REDIRECTS     = 1 << 1,
} AsyncHttpRequestFlags;

/**
 * AsyncHttpChunkFunc:
 * @chunk: (transfer none): the next piece of the body, never empty
 * @user_data: the data given with the request
 *
 * Receives a streamed body piece by piece, in order, on the context the
 * request was made from. Every chunk has been delivered before the
 * request's future settles.
 *
 * Since: 0.1
 */
typedef void (*AsyncHttpChunkFunc) (GBytes   *chunk,
                                    gpointer  user_data);

/**
 * AsyncHttpSession:
 *
 * aiohttp's `ClientSession`: concurrent HTTP transfers, each a future
 * resolved with an #AsyncHttpResponse on the caller's context. The
 * transfers run on the session's own #AsyncPool, whose size is the
 * concurrency limit; connections are kept alive and reused.
 *
 * Thread safety: all functions are safe to call from any thread;
 * async_http_session_close() waits, briefly, for the transfers it aborts.
 * No callback of the session runs on a worker thread: streamed chunks and
 * continuations arrive on the caller's context.
 *
 * Since: 0.1
 */
typedef struct _AsyncHttpSession AsyncHttpSession;

ASYNC_AVAILABLE_IN_ALL
GQuark            async_http_error_quark              (void);

ASYNC_AVAILABLE_IN_ALL
AsyncHttpSession *async_http_session_new              (void);
ASYNC_AVAILABLE_IN_ALL
AsyncHttpSession *async_http_session_ref              (AsyncHttpSession *session);
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_unref            (AsyncHttpSession *session);

ASYNC_AVAILABLE_IN_ALL
void              async_http_session_set_limit          (AsyncHttpSession *session,
                                                         guint             limit);
ASYNC_AVAILABLE_IN_ALL
guint             async_http_session_get_limit          (AsyncHttpSession *session);
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_set_limit_per_host (AsyncHttpSession *session,
                                                         guint             limit);
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_set_timeout        (AsyncHttpSession *session,
                                                         double            seconds);
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_set_connect_timeout (AsyncHttpSession *session,
                                                          double            seconds);
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_set_low_speed      (AsyncHttpSession *session,
                                                         guint             bytes_per_second,
                                                         guint             seconds);
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_set_max_body_size  (AsyncHttpSession *session,
                                                         guint64           max_bytes);
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_set_max_redirects  (AsyncHttpSession *session,
                                                         guint             max_redirects);
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_set_user_agent     (AsyncHttpSession *session,
                                                         const char       *user_agent);
ASYNC_AVAILABLE_IN_ALL
gboolean          async_http_session_add_default_header (AsyncHttpSession *session,
                                                         const char       *name,
                                                         const char       *value,
                                                         GError          **error);
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_set_verify_tls     (AsyncHttpSession *session,
                                                         gboolean          verify);

ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_http_session_get              (AsyncHttpSession      *session,
                                                       const char            *url) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_http_session_request          (AsyncHttpSession      *session,
                                                       const char            *method,
                                                       const char            *url,
                                                       const char * const    *headers,
                                                       GBytes                *body,
                                                       AsyncHttpRequestFlags  flags) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
AsyncFuture      *async_http_session_request_stream   (AsyncHttpSession      *session,
                                                       const char            *method,
                                                       const char            *url,
                                                       const char * const    *headers,
                                                       GBytes                *body,
                                                       AsyncHttpRequestFlags  flags,
                                                       AsyncHttpChunkFunc     on_chunk,
                                                       gpointer               user_data,
                                                       GDestroyNotify         user_data_destroy) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
void              async_http_session_close            (AsyncHttpSession      *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncHttpSession, async_http_session_unref)

G_END_DECLS
