/* http-response.c: AsyncHttpResponse, the immutable result of a transfer:
 * status line, headers (case-insensitive, repeats kept), body and timings. */

#include "config.h"

#include "http-response-private.h"

#include <string.h>

#include "async-glib/async-http-session.h"

AsyncHttpResponse *
async_http_response_new (void)
{
  AsyncHttpResponse *response = g_new0 (AsyncHttpResponse, 1);

  g_atomic_ref_count_init (&response->ref_count);
  response->http_version = "";
  /* A header is one block, its name and then its value: the names own
   * them, the values point into them. */
  response->header_names = g_ptr_array_new_full (16, g_free);
  response->header_values = g_ptr_array_new_full (16, NULL);
  return response;
}

static void
add_header (AsyncHttpResponse *response,
            const char        *name,
            gsize              name_length,
            const char        *value,
            gsize              value_length)
{
  char *block = g_malloc (name_length + value_length + 2);

  memcpy (block, name, name_length);
  block[name_length] = '\0';
  memcpy (block + name_length + 1, value, value_length);
  block[name_length + 1 + value_length] = '\0';
  g_ptr_array_add (response->header_names, block);
  g_ptr_array_add (response->header_values, block + name_length + 1);
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void
async_http_response_add_header_line (AsyncHttpResponse *response,
                                     const char        *line,
                                     gsize              length)
{
  const char *end = line + length;
  const char *colon;

  while (end > line && (end[-1] == '\r' || end[-1] == '\n'))
    end--;
  if (end == line)
    return;

  if (end - line > 5 && memcmp (line, "HTTP/", 5) == 0)
    {
      async_http_response_end_headers (response);
      /* "HTTP/1.1 200 OK": a new response, after a redirect or a 1xx. */
      const char *p = memchr (line, ' ', end - line);

      g_ptr_array_set_size (response->header_names, 0);
      g_ptr_array_set_size (response->header_values, 0);
      g_free (response->reason);
      response->reason = NULL;
      if (p != NULL)
        {
          p = memchr (p + 1, ' ', end - (p + 1));
          if (p != NULL)
            response->reason = g_strndup (p + 1, end - (p + 1));
        }
      if (response->reason == NULL)
        response->reason = g_strdup ("");
      return;
    }

  if (is_blank (line[0]))
    {
      /* An obsolete folded continuation of the previous value, appended
       * to a GString until the next header: linear in the lines. */
      guint n = response->header_values->len;

      if (n == 0)
        return;
      if (response->folding == NULL)
        response->folding = g_string_new (response->header_values->pdata[n - 1]);
      while (line < end && is_blank (*line))
        line++;
      g_string_append_c (response->folding, ' ');
      g_string_append_len (response->folding, line, end - line);
      return;
    }
  async_http_response_end_headers (response);

  colon = memchr (line, ':', end - line);
  if (colon == NULL || colon == line)
    return;
  {
    const char *value = colon + 1;

    while (value < end && is_blank (*value))
      value++;
    while (end > value && is_blank (end[-1]))
      end--;
    add_header (response, line, colon - line, value, end - value);
  }
}

void
async_http_response_end_headers (AsyncHttpResponse *response)
{
  guint n = response->header_values->len;
  char *name;

  if (response->folding == NULL)
    return;
  /* The last header again, with its whole value. */
  name = g_ptr_array_steal_index (response->header_names, n - 1);
  g_ptr_array_remove_index (response->header_values, n - 1);
  add_header (response, name, strlen (name), response->folding->str, response->folding->len);
  g_free (name);
  g_string_free (g_steal_pointer (&response->folding), TRUE);
}

void
async_http_response_take_body (AsyncHttpResponse *response,
                               GBytes            *body)
{
  async_http_response_end_headers (response);
  g_clear_pointer (&response->body, g_bytes_unref);
  response->body = body;
}

/**
 * async_http_response_ref:
 * @response: a response
 *
 * Takes a reference to @response. Any thread.
 *
 * Returns: (transfer full): @response
 *
 * Since: 0.1
 */
AsyncHttpResponse *
async_http_response_ref (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);

  g_atomic_ref_count_inc (&response->ref_count);
  return response;
}

/**
 * async_http_response_unref:
 * @response: (transfer full): a response
 *
 * Drops a reference to @response; the last one frees it. Any thread.
 *
 * Since: 0.1
 */
void
async_http_response_unref (AsyncHttpResponse *response)
{
  g_return_if_fail (response != NULL);

  if (!g_atomic_ref_count_dec (&response->ref_count))
    return;
  g_free (response->reason);
  g_free (response->url);
  g_ptr_array_unref (response->header_names);
  g_ptr_array_unref (response->header_values);
  g_clear_pointer (&response->body, g_bytes_unref);
  if (response->folding != NULL)
    g_string_free (response->folding, TRUE);
  /* Nobody can read the rest of an opened body: its transfer ends. */
  if (response->reader != NULL)
    async_http_body_reader_close (response->reader);
  g_clear_pointer (&response->reader, async_http_body_reader_unref);
  g_free (response);
}

/**
 * async_http_response_get_status:
 * @response: a response
 *
 * The HTTP status code, as aiohttp's `response.status`. Any thread.
 *
 * Returns: the status code of the last response, after redirects
 *
 * Since: 0.1
 */
guint
async_http_response_get_status (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, 0);

  return response->status;
}

/**
 * async_http_response_get_reason:
 * @response: a response
 *
 * The reason phrase of the status line. Any thread.
 *
 * Returns: (transfer none): the reason phrase of the status line ("OK"),
 *   empty if the server sent none (HTTP/2 never does)
 *
 * Since: 0.1
 */
const char *
async_http_response_get_reason (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);

  return response->reason != NULL ? response->reason : "";
}

/**
 * async_http_response_get_http_version:
 * @response: a response
 *
 * The version of HTTP the response came in. Any thread.
 *
 * Returns: (transfer none): the HTTP version the server answered with:
 *   "1.0", "1.1", "2" or "3"
 *
 * Since: 0.1
 */
const char *
async_http_response_get_http_version (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);

  return response->http_version;
}

/**
 * async_http_response_get_url:
 * @response: a response
 *
 * The URL the response came from, after redirects, as aiohttp's
 * `response.url`. Any thread.
 *
 * Returns: (transfer none): the effective URL, after redirects
 *
 * Since: 0.1
 */
const char *
async_http_response_get_url (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);

  return response->url;
}

/**
 * async_http_response_get_header:
 * @response: a response
 * @name: a header name, in any case
 *
 * Looks a response header up by name; repeated headers are kept, see
 * async_http_response_get_header_all(). Any thread.
 *
 * Returns: (transfer none) (nullable): the value of the first header called
 *   @name, or %NULL if there is none
 *
 * Since: 0.1
 */
const char *
async_http_response_get_header (AsyncHttpResponse *response,
                                const char        *name)
{
  guint i;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (i = 0; i < response->header_names->len; i++)
    if (g_ascii_strcasecmp (response->header_names->pdata[i], name) == 0)
      return response->header_values->pdata[i];
  return NULL;
}

/**
 * async_http_response_get_header_all:
 * @response: a response
 * @name: a header name, in any case
 *
 * Every value of a header that may be repeated, such as `Set-Cookie`, in
 * the order the server sent them.
 *
 * Returns: (transfer full): the values, an empty vector if there are none
 *
 * Since: 0.1
 */
GStrv
async_http_response_get_header_all (AsyncHttpResponse *response,
                                    const char        *name)
{
  GPtrArray *values;
  guint i;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  values = g_ptr_array_new ();
  for (i = 0; i < response->header_names->len; i++)
    if (g_ascii_strcasecmp (response->header_names->pdata[i], name) == 0)
      g_ptr_array_add (values, g_strdup (response->header_values->pdata[i]));
  g_ptr_array_add (values, NULL);
  return (GStrv) g_ptr_array_free (values, FALSE);
}

/**
 * async_http_response_get_n_headers:
 * @response: a response
 *
 * Counts the header lines of the last response, for
 * async_http_response_get_nth_header(). Any thread.
 *
 * Returns: how many header lines the last response had
 *
 * Since: 0.1
 */
guint
async_http_response_get_n_headers (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, 0);

  return response->header_names->len;
}

/**
 * async_http_response_get_nth_header:
 * @response: a response
 * @index: a position, from 0
 * @name: (out) (optional) (transfer none): the header's name as sent
 * @value: (out) (optional) (transfer none): its value
 *
 * Walks the headers in the order the server sent them.
 *
 * Returns: %FALSE if @index is past the last header
 *
 * Since: 0.1
 */
gboolean
async_http_response_get_nth_header (AsyncHttpResponse *response,
                                    guint              index,
                                    const char       **name,
                                    const char       **value)
{
  g_return_val_if_fail (response != NULL, FALSE);

  if (index >= response->header_names->len)
    return FALSE;
  if (name != NULL)
    *name = response->header_names->pdata[index];
  if (value != NULL)
    *value = response->header_values->pdata[index];
  return TRUE;
}

/**
 * async_http_response_get_body:
 * @response: a response
 *
 * The body of the response, as received. Any thread.
 *
 * Returns: (transfer none): the body; empty for HEAD, for statuses without
 *   a body, and for streamed requests
 *
 * Since: 0.1
 */
GBytes *
async_http_response_get_body (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);

  return response->body;
}

/**
 * async_http_response_get_text:
 * @response: a response
 * @error: where a body that is not UTF-8 is reported
 *
 * The body as a string (aiohttp's `text()`, for UTF-8 only), without a
 * copy.
 *
 * Returns: (transfer none) (nullable): the body, NUL-terminated; %NULL with
 *   %ASYNC_HTTP_ERROR_INVALID_UTF8 if it is not valid UTF-8 or holds a NUL
 *   byte
 *
 * Since: 0.1
 */
const char *
async_http_response_get_text (AsyncHttpResponse  *response,
                              GError            **error)
{
  const char *data;
  gsize size;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (response->body, &size);
  if (data == NULL)
    return "";
  if (!g_utf8_validate (data, size, NULL))
    {
      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_UTF8,
                   "The body of %s is not valid UTF-8", response->url);
      return NULL;
    }
  return data;
}

/**
 * async_http_response_get_timings:
 * @response: a response
 *
 * The times the transfer took, step by step, as curl measured them. Any
 * thread.
 *
 * Returns: (transfer none): the times curl measured for the transfer
 *
 * Since: 0.1
 */
const AsyncHttpTimings *
async_http_response_get_timings (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);

  return &response->timings;
}

/**
 * async_http_response_get_from_future:
 * @future: a settled future of async_http_session_get(),
 *   async_http_session_request() or async_http_session_request_stream()
 *
 * The response a request's future resolved with, typed: what
 * async_future_get_value() returns as a plain pointer, for bindings (which
 * cannot cast one) and for C code that likes a checked type. @future must
 * come from a request of an #AsyncHttpSession. Any thread.
 *
 * Returns: (transfer none) (nullable): the response, owned by @future; %NULL
 *   if @future was rejected or cancelled
 *
 * Since: 0.2
 */
AsyncHttpResponse *
async_http_response_get_from_future (AsyncFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (!async_future_is_pending (future), NULL);

  if (!async_future_is_resolved (future))
    return NULL;
  return async_future_get_value (future);
}

/**
 * async_http_response_get_n_attempts:
 * @response: a response
 *
 * How many times the request was sent for this response.
 *
 * Returns: how many attempts the session's retry policy made for it: 1 if
 *   the first attempt's response was kept
 *
 * Since: 0.2
 */
guint
async_http_response_get_n_attempts (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, 0);

  return response->n_attempts;
}

/**
 * async_http_response_read:
 * @response: a response of async_http_session_open()
 *
 * The next piece of the body (aiohttp's `response.content.readany()`),
 * as it arrives; an empty #GBytes once the body has ended. While the
 * caller does not read, the transfer stops pulling from the socket once
 * 1 MiB waits. One read at a time.
 *
 * Any thread.
 *
 * Returns: (transfer full): the future of a #GBytes, rejected with the
 *   transfer's error if the body was cut short, or with
 *   %G_IO_ERROR_CLOSED after async_http_response_close()
 *
 * Since: 0.2
 */
AsyncFuture *
async_http_response_read (AsyncHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (response->reader != NULL, NULL);

  return async_http_body_reader_read (response->reader);
}

/**
 * async_http_response_close:
 * @response: a response of async_http_session_open()
 *
 * aiohttp's `response.close()`: aborts the transfer if its body has not
 * ended (its connection is closed), drops what was not read, and cancels
 * a pending read. A response opened and neither read to its end nor
 * closed keeps its transfer waiting until the session is closed.
 * Calling it again does nothing.
 *
 * Any thread.
 *
 * Since: 0.2
 */
void
async_http_response_close (AsyncHttpResponse *response)
{
  g_return_if_fail (response != NULL);
  g_return_if_fail (response->reader != NULL);

  async_http_body_reader_close (response->reader);
}
