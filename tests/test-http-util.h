/* test-http-util.h: helpers shared by the HTTP test programs: a request
 * for a path of the fixture server, sent and awaited, and its text. Not
 * inline (-Winline would refuse them), unused in some programs. */

#pragma once

#include <async-glib/async-glib.h>

#include "test-server-util.h"
#include "test-util.h"

G_BEGIN_DECLS

#define TEST_HTTP_TIMEOUT_S 30

static G_GNUC_UNUSED AsyncHttpRequest *
test_http_request_for (AsyncTestServer *server,
                       const char      *method,
                       const char      *path)
{
  char *url = async_test_server_url (server, "%s", path);
  AsyncHttpRequest *request = async_http_request_new (method, url);

  g_free (url);
  return request;
}

/* Sends @request (taken), waits for it, and returns its settled future. */
static G_GNUC_UNUSED AsyncFuture *
test_http_send_at (const char       *where,
                   AsyncHttpSession *session,
                   AsyncHttpRequest *request)
{
  AsyncFuture *future = async_http_session_send (session, request);

  async_http_request_unref (request);
  test_await_at (where, future, TEST_HTTP_TIMEOUT_S);
  return future;
}

/* The text of @request (taken), which must succeed; freed by the caller. */
static G_GNUC_UNUSED char *
test_http_text_at (const char       *where,
                   AsyncHttpSession *session,
                   AsyncHttpRequest *request)
{
  AsyncFuture *future = test_http_send_at (where, session, request);
  GError *error = NULL;
  char *text;

  if (!async_future_propagate_error (future, &error))
    g_error ("%s: %s", where, error->message);
  text = g_strdup (async_http_response_get_text (async_future_get_value (future), NULL));
  g_test_message ("%s", text);
  async_future_unref (future);
  return text;
}

G_END_DECLS
