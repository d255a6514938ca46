/* async-http-json.h: JSON request bodies and responses through json-glib
 * (aiohttp's `json=` and `response.json()`). Only in a build with
 * json-glib: test ASYNC_GLIB_HAS_JSON. */

/**
 * SECTION:async-http-json
 * @title: JSON bodies
 * @short_description: JSON request bodies and responses through json-glib
 *
 * Present when async-glib was built with json-glib (`ASYNC_GLIB_HAS_JSON`
 * in async-features.h): a request body from a `JsonNode` or `JsonBuilder`,
 * and a response's body parsed, with %ASYNC_HTTP_ERROR_INVALID_JSON for a
 * body that is not JSON.
 */

#pragma once

#include <json-glib/json-glib.h>
#include <async-glib/async-http-request.h>
#include <async-glib/async-http-response.h>

G_BEGIN_DECLS

ASYNC_AVAILABLE_IN_0_2
void      async_http_request_set_body_json         (AsyncHttpRequest  *request,
                                                    JsonNode          *node);
ASYNC_AVAILABLE_IN_0_2
void      async_http_request_set_body_json_builder (AsyncHttpRequest  *request,
                                                    JsonBuilder       *builder);
ASYNC_AVAILABLE_IN_0_2
JsonNode *async_http_response_get_json             (AsyncHttpResponse *response,
                                                    GError           **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
