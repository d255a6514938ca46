/* http-request.c: AsyncHttpRequest, the options of one request, built step
 * by step: method, URL and query, headers and auth, limits, and the body
 * (bytes, text, an urlencoded or multipart form, a file or a stream). */

#include "config.h"

#include "http-request-private.h"

#include <string.h>

#include "async-glib/async-http-session.h"
#include "http-session-private.h"

#define CHECK_NOT_SENT(request, ...) \
  G_STMT_START { \
    if (g_atomic_int_get (&(request)->sent)) \
      { \
        g_critical ("%s: the request was sent already; it cannot change", G_STRFUNC); \
        return __VA_ARGS__; \
      } \
  } G_STMT_END

/**
 * async_http_request_new:
 * @method: the method, sent as given: "GET", "POST", or any other token
 *   (methods are case-sensitive)
 * @url: an `http` or `https` URL, or a reference (a path such as "/users")
 *   resolved against the session's base URL
 *
 * Starts building a request (aiohttp's `session.request(method, url)`).
 * The method and URL are checked when the request is sent: a malformed one
 * rejects the request's future with %ASYNC_HTTP_ERROR_INVALID_HEADER or
 * %ASYNC_HTTP_ERROR_INVALID_URL before anything is sent.
 *
 * Any thread.
 *
 * Returns: (transfer full): a new request
 *
 * Since: 0.2
 */
AsyncHttpRequest *
async_http_request_new (const char *method,
                        const char *url)
{
  AsyncHttpRequest *request;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  request = g_new0 (AsyncHttpRequest, 1);
  g_atomic_ref_count_init (&request->ref_count);
  request->method = g_strdup (method);
  request->url = g_strdup (url);
  request->query = g_string_new (NULL);
  request->headers = g_ptr_array_new_with_free_func (g_free);
  request->timeout = -1;
  request->max_redirects = -1;
  request->raise_for_status = -1;
  request->follow_redirects = TRUE;
  request->idempotent = -1;
  request->stream_length = -1;
  return request;
}

/**
 * async_http_request_ref:
 * @request: a request
 *
 * Takes a reference. Any thread.
 *
 * Returns: (transfer full): @request
 *
 * Since: 0.2
 */
AsyncHttpRequest *
async_http_request_ref (AsyncHttpRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  g_atomic_ref_count_inc (&request->ref_count);
  return request;
}

static void
part_free (gpointer data)
{
  AsyncHttpPart *part = data;

  g_free (part->name);
  g_free (part->value);
  g_clear_object (&part->file);
  g_free (part->filename);
  g_free (part->content_type);
  g_free (part);
}

static void
clear_body (AsyncHttpRequest *request)
{
  request->body_kind = ASYNC_HTTP_BODY_NONE;
  g_clear_pointer (&request->body, g_bytes_unref);
  if (request->form != NULL)
    g_string_free (g_steal_pointer (&request->form), TRUE);
  g_clear_pointer (&request->content_type, g_free);
  g_clear_pointer (&request->parts, g_ptr_array_unref);
  g_clear_object (&request->file);
  g_clear_object (&request->stream);
  request->stream_length = -1;
}

/**
 * async_http_request_unref:
 * @request: (transfer full): a request
 *
 * Any thread.
 *
 * Since: 0.2
 */
void
async_http_request_unref (AsyncHttpRequest *request)
{
  g_return_if_fail (request != NULL);

  if (!g_atomic_ref_count_dec (&request->ref_count))
    return;
  clear_body (request);
  g_clear_error (&request->error);
  g_free (request->authorization);
  g_ptr_array_unref (request->headers);
  g_string_free (request->query, TRUE);
  g_free (request->url);
  g_free (request->method);
  g_free (request);
}

void
async_http_request_freeze (AsyncHttpRequest *request)
{
  /* A form's fields become its body once, before anyone reads it. */
  if (!g_atomic_int_get (&request->sent) && request->form != NULL)
    {
      gsize length = request->form->len;

      request->body = g_bytes_new_take (g_string_free (g_steal_pointer (&request->form), FALSE),
                                        length);
    }
  g_atomic_int_set (&request->sent, TRUE);
}

/**
 * async_http_request_get_method:
 * @request: a request
 *
 * The request's method, as it will be sent.
 *
 * Returns: (transfer none): the method, as given
 *
 * Since: 0.2
 */
const char *
async_http_request_get_method (AsyncHttpRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  return request->method;
}

/**
 * async_http_request_get_url:
 * @request: a request
 *
 * The request's URL, with its query parameters.
 *
 * Returns: (transfer full): the URL as given, with the query parameters
 *   added so far
 *
 * Since: 0.2
 */
char *
async_http_request_get_url (AsyncHttpRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  return async_http_request_build_url (request, NULL, NULL);
}

/* application/x-www-form-urlencoded, as browsers and yarl write it: a space
 * is '+', every byte but the unreserved ones is %XX. */
static void
append_form_escaped (GString    *out,
                     const char *text)
{
  for (; *text != '\0'; text++)
    {
      guchar c = *text;

      if (g_ascii_isalnum (c) || strchr ("*-._~", c) != NULL)
        g_string_append_c (out, c);
      else if (c == ' ')
        g_string_append_c (out, '+');
      else
        g_string_append_printf (out, "%%%02X", c);
    }
}

static void
append_pair (GString    *out,
             const char *name,
             const char *value)
{
  if (out->len > 0)
    g_string_append_c (out, '&');
  append_form_escaped (out, name);
  g_string_append_c (out, '=');
  append_form_escaped (out, value);
}

/**
 * async_http_request_add_query:
 * @request: a request
 * @name: a parameter name
 * @value: its value
 *
 * Appends `name=value` to the URL's query (aiohttp's `params=`), both
 * escaped as a form is: "a b&c" is sent as `a+b%26c`. Parameters keep the
 * order they were added in, after any query the URL had; a name may be
 * added more than once.
 *
 * Since: 0.2
 */
void
async_http_request_add_query (AsyncHttpRequest *request,
                              const char       *name,
                              const char       *value)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);
  CHECK_NOT_SENT (request);

  append_pair (request->query, name, value);
}

char *
async_http_request_build_url (AsyncHttpRequest *request,
                              const char       *base_url,
                              GError          **error)
{
  GString *url;
  const char *fragment, *separator;
  char *resolved = NULL;
  gsize at;

  if (base_url != NULL && g_uri_peek_scheme (request->url) == NULL)
    {
      GError *local_error = NULL;

      resolved = g_uri_resolve_relative (base_url, request->url, G_URI_FLAGS_ENCODED,
                                         &local_error);
      if (resolved == NULL)
        {
          g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_URL,
                       "%s against the base URL %s: %s", request->url, base_url,
                       local_error->message);
          g_error_free (local_error);
          return NULL;
        }
    }

  url = g_string_new (resolved != NULL ? resolved : request->url);
  g_free (resolved);
  if (request->query->len == 0)
    return g_string_free (url, FALSE);

  /* Before the fragment, after what query the URL has, joined by '&'. */
  fragment = strchr (url->str, '#');
  at = fragment != NULL ? (gsize) (fragment - url->str) : url->len;
  if (memchr (url->str, '?', at) == NULL)
    separator = "?";
  else if (url->str[at - 1] == '?' || url->str[at - 1] == '&')
    separator = "";
  else
    separator = "&";
  g_string_insert (url, at, request->query->str);
  g_string_insert (url, at, separator);
  return g_string_free (url, FALSE);
}

gboolean
async_http_request_add_header_line (AsyncHttpRequest *request,
                                    const char       *line,
                                    GError          **error)
{
  if (!async_http_check_header (line, error))
    return FALSE;
  g_ptr_array_add (request->headers, g_strdup (line));
  return TRUE;
}

/**
 * async_http_request_add_header:
 * @request: a request
 * @name: a header name
 * @value: its value; empty to remove a header curl would send
 * @error: where an invalid header is reported
 *
 * Adds a header (aiohttp's `headers=`). A header of the session with the
 * same name (any case) is not sent with this request.
 *
 * Returns: %FALSE with %ASYNC_HTTP_ERROR_INVALID_HEADER if @name is not a
 *   token or either has a CR or LF in it; nothing is added then
 *
 * Since: 0.2
 */
gboolean
async_http_request_add_header (AsyncHttpRequest  *request,
                               const char        *name,
                               const char        *value,
                               GError           **error)
{
  char *line;
  gboolean ok;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  CHECK_NOT_SENT (request, FALSE);

  if (!async_http_is_token (name, strlen (name)))
    {
      char *escaped = g_strescape (name, NULL);

      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER,
                   "Invalid header name “%s”", escaped);
      g_free (escaped);
      return FALSE;
    }
  line = g_strdup_printf ("%s: %s", name, value);
  ok = async_http_request_add_header_line (request, line, error);
  g_free (line);
  return ok;
}

static gboolean
set_authorization (AsyncHttpRequest  *request,
                   char              *value,
                   GError           **error)
{
  if (strpbrk (value, "\r\n") != NULL)
    {
      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER,
                   "Invalid credentials: a CR or LF in them");
      g_free (value);
      return FALSE;
    }
  g_free (request->authorization);
  request->authorization = value;
  return TRUE;
}

/**
 * async_http_request_set_basic_auth:
 * @request: a request
 * @user: the user name, without a colon
 * @password: the password
 * @error: where invalid credentials are reported
 *
 * aiohttp's `auth=BasicAuth(user, password)`: an `Authorization: Basic`
 * header, in place of the session's auth. Like any `Authorization` header
 * it is not sent to another host after a redirect.
 *
 * Returns: %FALSE with %ASYNC_HTTP_ERROR_INVALID_HEADER if @user has a
 *   colon, or either has a CR or LF
 *
 * Since: 0.2
 */
gboolean
async_http_request_set_basic_auth (AsyncHttpRequest  *request,
                                   const char        *user,
                                   const char        *password,
                                   GError           **error)
{
  char *pair, *encoded;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  CHECK_NOT_SENT (request, FALSE);

  if (strchr (user, ':') != NULL || strpbrk (user, "\r\n") != NULL
      || strpbrk (password, "\r\n") != NULL)
    {
      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_HEADER,
                   "Invalid Basic credentials: a colon in the user name, or a CR or LF");
      return FALSE;
    }
  pair = g_strconcat (user, ":", password, NULL);
  encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_free (pair);
  set_authorization (request, g_strconcat ("Basic ", encoded, NULL), NULL);
  g_free (encoded);
  return TRUE;
}

/**
 * async_http_request_set_bearer_auth:
 * @request: a request
 * @token: the token
 * @error: where an invalid token is reported
 *
 * An `Authorization: Bearer` header (RFC 6750), in place of the session's
 * auth; not sent to another host after a redirect.
 *
 * Returns: %FALSE with %ASYNC_HTTP_ERROR_INVALID_HEADER if @token has a CR
 *   or LF
 *
 * Since: 0.2
 */
gboolean
async_http_request_set_bearer_auth (AsyncHttpRequest  *request,
                                    const char        *token,
                                    GError           **error)
{
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  CHECK_NOT_SENT (request, FALSE);

  return set_authorization (request, g_strconcat ("Bearer ", token, NULL), error);
}

/**
 * async_http_request_set_timeout:
 * @request: a request
 * @seconds: the longest the whole request may take, redirects and retries
 *   included; 0 for none
 *
 * In place of the session's total time-out (aiohttp's per-request
 * `timeout=`).
 *
 * Since: 0.2
 */
void
async_http_request_set_timeout (AsyncHttpRequest *request,
                                double            seconds)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (seconds >= 0);
  CHECK_NOT_SENT (request);

  request->timeout = seconds;
}

/**
 * async_http_request_set_max_redirects:
 * @request: a request
 * @max_redirects: how many redirects to follow
 *
 * In place of the session's limit (aiohttp's `max_redirects=`).
 *
 * Since: 0.2
 */
void
async_http_request_set_max_redirects (AsyncHttpRequest *request,
                                      guint             max_redirects)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (max_redirects <= G_MAXINT);
  CHECK_NOT_SENT (request);

  request->max_redirects = (gint) max_redirects;
}

/**
 * async_http_request_set_follow_redirects:
 * @request: a request
 * @follow: %FALSE to get a 3xx response as it is
 *
 * aiohttp's `allow_redirects=`; %TRUE by default.
 *
 * Since: 0.2
 */
void
async_http_request_set_follow_redirects (AsyncHttpRequest *request,
                                         gboolean          follow)
{
  g_return_if_fail (request != NULL);
  CHECK_NOT_SENT (request);

  request->follow_redirects = follow != FALSE;
}

/**
 * async_http_request_set_raise_for_status:
 * @request: a request
 * @raise: %TRUE to reject the future of a response of 400 or more
 *
 * In place of the session's setting (aiohttp's `raise_for_status=`). The
 * rejected future still holds the response: see
 * async_http_future_get_response().
 *
 * Since: 0.2
 */
void
async_http_request_set_raise_for_status (AsyncHttpRequest *request,
                                         gboolean          raise)
{
  g_return_if_fail (request != NULL);
  CHECK_NOT_SENT (request);

  request->raise_for_status = raise != FALSE;
}

/**
 * async_http_request_set_idempotent:
 * @request: a request
 * @idempotent: whether sending the request twice does no more harm than
 *   once
 *
 * The session's retry policy retries only idempotent requests: by default
 * those whose method is GET, HEAD, OPTIONS, TRACE, PUT or DELETE. Set it
 * to %TRUE to let a POST be retried too (it carries an idempotency key,
 * say), or to %FALSE to never retry this one.
 *
 * Since: 0.2
 */
void
async_http_request_set_idempotent (AsyncHttpRequest *request,
                                   gboolean          idempotent)
{
  g_return_if_fail (request != NULL);
  CHECK_NOT_SENT (request);

  request->idempotent = idempotent != FALSE;
}

gboolean
async_http_request_is_idempotent (AsyncHttpRequest *request)
{
  static const char * const idempotent[] = { "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" };
  guint i;

  if (request->idempotent >= 0)
    return request->idempotent;
  for (i = 0; i < G_N_ELEMENTS (idempotent); i++)
    if (strcmp (request->method, idempotent[i]) == 0)
      return TRUE;
  return FALSE;
}

/**
 * async_http_request_set_body_bytes:
 * @request: a request
 * @body: the body
 * @content_type: (nullable): its `Content-Type`; %NULL for
 *   `application/octet-stream`
 *
 * aiohttp's `data=bytes`. Replaces any body set before.
 *
 * Since: 0.2
 */
void
async_http_request_set_body_bytes (AsyncHttpRequest *request,
                                   GBytes           *body,
                                   const char       *content_type)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (body != NULL);
  g_return_if_fail (content_type == NULL || strpbrk (content_type, "\r\n") == NULL);
  CHECK_NOT_SENT (request);

  clear_body (request);
  request->body_kind = ASYNC_HTTP_BODY_BYTES;
  request->body = g_bytes_ref (body);
  request->content_type = g_strdup (content_type != NULL ? content_type
                                                          : "application/octet-stream");
}

/**
 * async_http_request_set_body_text:
 * @request: a request
 * @text: the body, UTF-8
 * @content_type: (nullable): its `Content-Type`; %NULL for
 *   `text/plain; charset=utf-8`
 *
 * aiohttp's `data=str`. Replaces any body set before.
 *
 * Since: 0.2
 */
void
async_http_request_set_body_text (AsyncHttpRequest *request,
                                  const char       *text,
                                  const char       *content_type)
{
  GBytes *body;

  g_return_if_fail (request != NULL);
  g_return_if_fail (text != NULL);
  g_return_if_fail (content_type == NULL || strpbrk (content_type, "\r\n") == NULL);
  CHECK_NOT_SENT (request);

  body = g_bytes_new (text, strlen (text));
  async_http_request_set_body_bytes (request, body,
                                     content_type != NULL ? content_type
                                                          : "text/plain; charset=utf-8");
  g_bytes_unref (body);
}

/**
 * async_http_request_add_form_field:
 * @request: a request
 * @name: a field name
 * @value: its value
 *
 * Adds a field to an `application/x-www-form-urlencoded` body (aiohttp's
 * `data=dict`), escaped for the caller, in the order added. The first
 * field replaces any other kind of body set before.
 *
 * Since: 0.2
 */
void
async_http_request_add_form_field (AsyncHttpRequest *request,
                                   const char       *name,
                                   const char       *value)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);
  CHECK_NOT_SENT (request);

  if (request->form == NULL)
    {
      clear_body (request);
      request->body_kind = ASYNC_HTTP_BODY_BYTES;
      request->form = g_string_new (NULL);
      request->content_type = g_strdup ("application/x-www-form-urlencoded");
    }
  append_pair (request->form, name, value);
}

static AsyncHttpPart *
add_part (AsyncHttpRequest *request,
          const char       *name)
{
  AsyncHttpPart *part = g_new0 (AsyncHttpPart, 1);

  if (request->body_kind != ASYNC_HTTP_BODY_MULTIPART)
    {
      clear_body (request);
      request->body_kind = ASYNC_HTTP_BODY_MULTIPART;
      request->parts = g_ptr_array_new_with_free_func (part_free);
    }
  part->name = g_strdup (name);
  g_ptr_array_add (request->parts, part);
  return part;
}

/**
 * async_http_request_add_multipart_field:
 * @request: a request
 * @name: a field name
 * @value: its value
 *
 * Adds a field to a `multipart/form-data` body (aiohttp's `FormData`),
 * built by libcurl's MIME API. The first part replaces any other kind of
 * body set before.
 *
 * Since: 0.2
 */
void
async_http_request_add_multipart_field (AsyncHttpRequest *request,
                                        const char       *name,
                                        const char       *value)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);
  CHECK_NOT_SENT (request);

  add_part (request, name)->value = g_strdup (value);
}

/**
 * async_http_request_add_multipart_file:
 * @request: a request
 * @name: a field name
 * @file: a local file, read when the request is sent
 * @filename: (nullable): the file name sent; %NULL for @file's base name
 * @content_type: (nullable): the part's `Content-Type`; %NULL lets curl
 *   choose from the file name's extension
 *
 * Adds a file to a `multipart/form-data` body. A file that cannot be read
 * when the request is sent rejects its future with
 * %ASYNC_HTTP_ERROR_FAILED and the file's error.
 *
 * Since: 0.2
 */
void
async_http_request_add_multipart_file (AsyncHttpRequest *request,
                                       const char       *name,
                                       GFile            *file,
                                       const char       *filename,
                                       const char       *content_type)
{
  AsyncHttpPart *part;

  g_return_if_fail (request != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (content_type == NULL || strpbrk (content_type, "\r\n") == NULL);
  CHECK_NOT_SENT (request);

  part = add_part (request, name);
  part->file = g_object_ref (file);
  part->filename = filename != NULL ? g_strdup (filename) : g_file_get_basename (file);
  part->content_type = g_strdup (content_type);
}

/**
 * async_http_request_set_body_file:
 * @request: a request
 * @file: the file to send, read on a worker thread when the request is sent
 * @content_type: (nullable): its `Content-Type`; %NULL for
 *   `application/octet-stream`
 *
 * Sends a file as the body with its size as `Content-Length`, without
 * reading it into memory. A file that cannot be opened rejects the future.
 *
 * Since: 0.2
 */
void
async_http_request_set_body_file (AsyncHttpRequest *request,
                                  GFile            *file,
                                  const char       *content_type)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (content_type == NULL || strpbrk (content_type, "\r\n") == NULL);
  CHECK_NOT_SENT (request);

  clear_body (request);
  request->body_kind = ASYNC_HTTP_BODY_FILE;
  request->file = g_object_ref (file);
  request->content_type = g_strdup (content_type != NULL ? content_type
                                                          : "application/octet-stream");
}

/**
 * async_http_request_set_body_stream:
 * @request: a request
 * @stream: the body, read with blocking reads on a worker thread
 * @length: how many bytes @stream holds, or -1 if unknown: the body is
 *   then sent with chunked transfer encoding
 * @content_type: (nullable): its `Content-Type`; %NULL for
 *   `application/octet-stream`
 *
 * aiohttp's `data=` an async iterable. A stream is read once: a request
 * with a stream body is neither retried nor re-sent by a 307 or 308
 * redirect unless @stream is seekable.
 *
 * Since: 0.2
 */
void
async_http_request_set_body_stream (AsyncHttpRequest *request,
                                    GInputStream     *stream,
                                    gint64            length,
                                    const char       *content_type)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (G_IS_INPUT_STREAM (stream));
  g_return_if_fail (length >= -1);
  g_return_if_fail (content_type == NULL || strpbrk (content_type, "\r\n") == NULL);
  CHECK_NOT_SENT (request);

  clear_body (request);
  request->body_kind = ASYNC_HTTP_BODY_STREAM;
  request->stream = g_object_ref (stream);
  request->stream_length = length;
  request->content_type = g_strdup (content_type != NULL ? content_type
                                                          : "application/octet-stream");
}
