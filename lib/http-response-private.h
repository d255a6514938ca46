/* http-response-private.h: the inside of AsyncHttpResponse, filled by the
 * session's transfers on a worker thread before the response is shared. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-response-private.h"
#endif

#include "async-glib/async-http-response.h"
#include "http-body-reader-private.h"

G_BEGIN_DECLS

struct _AsyncHttpResponse
{
  gatomicrefcount  ref_count;
  guint            status;
  char            *reason;        /* NULL until a status line came; "" when it had none */
  const char      *http_version;  /* static: "", "1.0", "1.1", "2", "3" */
  char            *url;
  GPtrArray       *header_names;  /* char *, as the server spelled them */
  GPtrArray       *header_values; /* char *, same length */
  GBytes          *body;
  AsyncHttpTimings timings;
  guint            n_attempts;
  GString         *folding;       /* the last value, while folded lines come */
  AsyncHttpBodyReader *reader;    /* the body of an opened response */
};

AsyncHttpResponse *async_http_response_new         (void);
/* Takes one line of curl's header callback (CR LF included or not). A
 * status line starts a new response, as each redirect does: only the last
 * response's headers are kept. */
void               async_http_response_add_header_line (AsyncHttpResponse *response,
                                                        const char        *line,
                                                        gsize              length);
/* Ends a folded value; at the end of the headers (the transfer calls it
 * before the body) and before the next header. */
void               async_http_response_end_headers (AsyncHttpResponse *response);
/* Takes @body, whose allocation must hold a NUL after its last byte, so
 * that async_http_response_get_text () needs no copy. */
void               async_http_response_take_body   (AsyncHttpResponse *response,
                                                    GBytes            *body);

G_END_DECLS
