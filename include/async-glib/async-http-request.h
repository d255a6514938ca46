/* async-http-request.h: AsyncHttpRequest, the options of one request
 * (aiohttp's `session.request(method, url, params=, headers=, data=,
 * json=, auth=, timeout=, …)`), built step by step and sent by an
 * AsyncHttpSession. */

/**
 * SECTION:async-http-request
 * @title: AsyncHttpRequest
 * @short_description: aiohttp's request options
 *
 * A request built step by step and sent by an #AsyncHttpSession: the method
 * as given, a URL or a path against the session's base URL, query
 * parameters, headers, auth, limits, and a body from bytes, text, a form,
 * a multipart form with files, a file or a #GInputStream.
 */

#pragma once

#include <gio/gio.h>
#include <async-glib/async-macros.h>

G_BEGIN_DECLS

/**
 * AsyncHttpRequest:
 *
 * One request, built step by step and sent with async_http_session_send().
 * What a request leaves unset (time-out, redirect limit, raise-for-status)
 * comes from the session. Once sent, a request is frozen: the setters
 * refuse with a critical; it may be sent again, by any session.
 *
 * Thread safety: build a request on one thread; once sent it is immutable
 * and may be shared.
 *
 * Since: 0.2
 */
typedef struct _AsyncHttpRequest AsyncHttpRequest;

ASYNC_AVAILABLE_IN_0_2
AsyncHttpRequest *async_http_request_new               (const char       *method,
                                                        const char       *url);
ASYNC_AVAILABLE_IN_0_2
AsyncHttpRequest *async_http_request_ref               (AsyncHttpRequest *request);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_unref             (AsyncHttpRequest *request);

ASYNC_AVAILABLE_IN_0_2
const char       *async_http_request_get_method        (AsyncHttpRequest *request);
ASYNC_AVAILABLE_IN_0_2
char             *async_http_request_get_url           (AsyncHttpRequest *request) G_GNUC_WARN_UNUSED_RESULT;

ASYNC_AVAILABLE_IN_0_2
void              async_http_request_add_query         (AsyncHttpRequest *request,
                                                        const char       *name,
                                                        const char       *value);
ASYNC_AVAILABLE_IN_0_2
gboolean          async_http_request_add_header        (AsyncHttpRequest *request,
                                                        const char       *name,
                                                        const char       *value,
                                                        GError          **error);
ASYNC_AVAILABLE_IN_0_2
gboolean          async_http_request_set_basic_auth    (AsyncHttpRequest *request,
                                                        const char       *user,
                                                        const char       *password,
                                                        GError          **error);
ASYNC_AVAILABLE_IN_0_2
gboolean          async_http_request_set_bearer_auth   (AsyncHttpRequest *request,
                                                        const char       *token,
                                                        GError          **error);

ASYNC_AVAILABLE_IN_0_2
void              async_http_request_set_timeout       (AsyncHttpRequest *request,
                                                        double            seconds);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_set_max_redirects (AsyncHttpRequest *request,
                                                        guint             max_redirects);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_set_follow_redirects (AsyncHttpRequest *request,
                                                           gboolean          follow);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_set_raise_for_status (AsyncHttpRequest *request,
                                                           gboolean          raise);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_set_idempotent    (AsyncHttpRequest *request,
                                                        gboolean          idempotent);

ASYNC_AVAILABLE_IN_0_2
void              async_http_request_set_body_bytes    (AsyncHttpRequest *request,
                                                        GBytes           *body,
                                                        const char       *content_type);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_set_body_text     (AsyncHttpRequest *request,
                                                        const char       *text,
                                                        const char       *content_type);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_add_form_field    (AsyncHttpRequest *request,
                                                        const char       *name,
                                                        const char       *value);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_add_multipart_field (AsyncHttpRequest *request,
                                                          const char       *name,
                                                          const char       *value);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_add_multipart_file  (AsyncHttpRequest *request,
                                                          const char       *name,
                                                          GFile            *file,
                                                          const char       *filename,
                                                          const char       *content_type);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_set_body_file     (AsyncHttpRequest *request,
                                                        GFile            *file,
                                                        const char       *content_type);
ASYNC_AVAILABLE_IN_0_2
void              async_http_request_set_body_stream   (AsyncHttpRequest *request,
                                                        GInputStream     *stream,
                                                        gint64            length,
                                                        const char       *content_type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncHttpRequest, async_http_request_unref)

G_END_DECLS
