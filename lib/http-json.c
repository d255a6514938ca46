/* http-json.c: JSON through json-glib: a request body from a JsonNode or a
 * JsonBuilder, a response's body parsed. Built only with json-glib. */

#include "config.h"

#include "async-glib/async-http-json.h"

#include "async-glib/async-http-session.h"
#include "http-request-private.h"
#include "http-response-private.h"

/**
 * async_http_request_set_body_json:
 * @request: a request
 * @node: the value to send
 *
 * aiohttp's `json=`: @node serialized at once (compact, UTF-8) as the
 * body, with `Content-Type: application/json`. Replaces any body set
 * before.
 *
 * Since: 0.2
 */
void
async_http_request_set_body_json (AsyncHttpRequest *request,
                                  JsonNode         *node)
{
  char *text;

  g_return_if_fail (request != NULL);
  g_return_if_fail (node != NULL);

  text = json_to_string (node, FALSE);
  async_http_request_set_body_text (request, text, "application/json");
  g_free (text);
}

/**
 * async_http_request_set_body_json_builder:
 * @request: a request
 * @builder: a builder whose value is complete
 *
 * async_http_request_set_body_json() with the builder's root.
 *
 * Since: 0.2
 */
void
async_http_request_set_body_json_builder (AsyncHttpRequest *request,
                                          JsonBuilder      *builder)
{
  JsonNode *root;

  g_return_if_fail (request != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  root = json_builder_get_root (builder);
  g_return_if_fail (root != NULL);
  async_http_request_set_body_json (request, root);
  json_node_unref (root);
}

/**
 * async_http_response_get_json:
 * @response: a response
 * @error: where a body that is not JSON is reported
 *
 * aiohttp's `response.json()`: the body parsed, whatever its
 * `Content-Type` (aiohttp checks it; we leave that to the caller).
 *
 * Returns: (transfer full) (nullable): the value; %NULL with
 *   %ASYNC_HTTP_ERROR_INVALID_JSON, json-glib's message and the URL, if the
 *   body is not JSON (an empty body is not)
 *
 * Since: 0.2
 */
JsonNode *
async_http_response_get_json (AsyncHttpResponse  *response,
                              GError            **error)
{
  GError *parse_error = NULL;
  const char *data;
  gsize size;
  JsonNode *node;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (response->body, &size);
  node = size > 0 ? json_from_string (data, &parse_error) : NULL;
  if (node == NULL)
    {
      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_JSON,
                   "The body of %s is not JSON: %s", response->url,
                   parse_error != NULL ? parse_error->message : "it is empty");
      g_clear_error (&parse_error);
    }
  return node;
}
