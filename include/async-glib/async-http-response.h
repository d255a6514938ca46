/* async-http-response.h: AsyncHttpResponse, what a transfer of an
 * AsyncHttpSession resolves with: status, headers, body, timings. */

/**
 * SECTION:async-http-response
 * @title: AsyncHttpResponse
 * @short_description: aiohttp's ClientResponse, already read
 *
 * What a request of an #AsyncHttpSession resolves with: status, headers,
 * body, the URL after redirects and curl's timings. Immutable, and safe to
 * read from any thread.
 */

#pragma once

#include <gio/gio.h>
#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncHttpResponse:
 *
 * The outcome of one HTTP transfer (aiohttp's `ClientResponse`, already
 * read): the status line and headers of the last response after redirects,
 * the body, the effective URL and the times curl measured. Immutable.
 *
 * Thread safety: all functions are safe to call from any thread.
 *
 * Since: 0.1
 */
typedef struct _AsyncHttpResponse AsyncHttpResponse;

/**
 * AsyncHttpTimings:
 * @name_lookup: seconds from the start until the name was resolved
 * @connect: seconds from the start until the TCP connection was up
 * @tls: seconds from the start until the TLS handshake ended (0 without TLS)
 * @first_byte: seconds from the start until the first byte of the response
 * @total: seconds the whole transfer took, redirects included
 * @redirect: seconds spent in redirects before the last request
 *
 * curl's timings of a transfer (`CURLINFO_*_TIME_T`), each from the start
 * of the transfer. A reused connection has near-zero lookup and connect
 * times.
 *
 * Since: 0.1
 */
typedef struct
{
  double name_lookup;
  double connect;
  double tls;
  double first_byte;
  double total;
  double redirect;
} AsyncHttpTimings;

ASYNC_AVAILABLE_IN_ALL
AsyncHttpResponse      *async_http_response_ref            (AsyncHttpResponse *response);
ASYNC_AVAILABLE_IN_ALL
void                    async_http_response_unref          (AsyncHttpResponse *response);

ASYNC_AVAILABLE_IN_ALL
guint                   async_http_response_get_status     (AsyncHttpResponse *response);
ASYNC_AVAILABLE_IN_ALL
const char             *async_http_response_get_reason     (AsyncHttpResponse *response);
ASYNC_AVAILABLE_IN_ALL
const char             *async_http_response_get_http_version (AsyncHttpResponse *response);
ASYNC_AVAILABLE_IN_ALL
const char             *async_http_response_get_url        (AsyncHttpResponse *response);

ASYNC_AVAILABLE_IN_ALL
const char             *async_http_response_get_header     (AsyncHttpResponse *response,
                                                            const char        *name);
ASYNC_AVAILABLE_IN_ALL
GStrv                   async_http_response_get_header_all (AsyncHttpResponse *response,
                                                            const char        *name) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_ALL
guint                   async_http_response_get_n_headers  (AsyncHttpResponse *response);
ASYNC_AVAILABLE_IN_ALL
gboolean                async_http_response_get_nth_header (AsyncHttpResponse *response,
                                                            guint              index,
                                                            const char       **name,
                                                            const char       **value);

ASYNC_AVAILABLE_IN_ALL
GBytes                 *async_http_response_get_body       (AsyncHttpResponse *response);
ASYNC_AVAILABLE_IN_ALL
const char             *async_http_response_get_text       (AsyncHttpResponse *response,
                                                            GError           **error);
ASYNC_AVAILABLE_IN_ALL
const AsyncHttpTimings *async_http_response_get_timings    (AsyncHttpResponse *response);

ASYNC_AVAILABLE_IN_0_2
AsyncHttpResponse      *async_http_response_get_from_future (AsyncFuture      *future);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncHttpResponse, async_http_response_unref)

G_END_DECLS
