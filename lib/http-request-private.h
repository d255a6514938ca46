/* http-request-private.h: the inside of AsyncHttpRequest, read by the
 * exchange that sends it and by the transfer that turns its body into
 * curl's options. Frozen (@sent) before any of them reads it. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-request-private.h"
#endif

#include "async-glib/async-http-request.h"

G_BEGIN_DECLS

typedef enum
{
  ASYNC_HTTP_BODY_NONE,
  ASYNC_HTTP_BODY_BYTES,      /* bytes, text, JSON, an urlencoded form */
  ASYNC_HTTP_BODY_MULTIPART,
  ASYNC_HTTP_BODY_FILE,
  ASYNC_HTTP_BODY_STREAM,
} AsyncHttpBodyKind;

/* One part of a multipart form: a value, or a file read by curl. */
typedef struct
{
  char   *name;
  char   *value;          /* NULL for a file */
  GFile  *file;
  char   *filename;
  char   *content_type;
} AsyncHttpPart;

struct _AsyncHttpRequest
{
  gatomicrefcount   ref_count;
  gint              sent;              /* atomic; set once, freezes the rest */
  char             *method;
  char             *url;               /* absolute, or relative to the base URL */
  GString          *query;             /* "a=1&b=2", escaped */
  GPtrArray        *headers;           /* "Name: value" */
  GError           *error;             /* the first refused header, reported on send */
  char             *authorization;     /* the value of Authorization from a helper */
  double            timeout;           /* < 0: the session's */
  gint              max_redirects;     /* < 0: the session's */
  gint              raise_for_status;  /* < 0: the session's */
  gboolean          follow_redirects;
  gint              idempotent;        /* < 0: from the method */

  AsyncHttpBodyKind body_kind;
  GBytes           *body;
  GString          *form;              /* while form fields are being added */
  char             *content_type;
  GPtrArray        *parts;             /* AsyncHttpPart * */
  GFile            *file;
  GInputStream     *stream;
  gint64            stream_length;     /* -1: unknown, sent chunked */
};

/* Marks @request sent; from then on nothing in it changes. */
void     async_http_request_freeze         (AsyncHttpRequest *request);
/* Adds a raw "Name: value" line (the 0.1 API's headers); FALSE with
 * INVALID_HEADER if it is not one. */
gboolean async_http_request_add_header_line (AsyncHttpRequest *request,
                                             const char       *line,
                                             GError          **error);
/* The URL with the query parameters appended, resolved against @base_url
 * (nullable). NULL with INVALID_URL if it cannot be resolved. */
char    *async_http_request_build_url      (AsyncHttpRequest *request,
                                            const char       *base_url,
                                            GError          **error);
/* TRUE for GET, HEAD, OPTIONS, TRACE, PUT, DELETE unless the caller said
 * otherwise (RFC 9110 §9.2.2). */
gboolean async_http_request_is_idempotent  (AsyncHttpRequest *request);

G_END_DECLS
