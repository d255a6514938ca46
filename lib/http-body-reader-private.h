/* http-body-reader-private.h: the body of an opened response, pulled by
 * the caller (async_http_response_read ()) from a bounded buffer that the
 * worker fills: the worker waits while the buffer is full, so a slow
 * reader stops the transfer from pulling from the socket. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-body-reader-private.h"
#endif

#include "future-private.h"

G_BEGIN_DECLS

typedef struct _AsyncHttpBodyReader AsyncHttpBodyReader;

AsyncHttpBodyReader *async_http_body_reader_new   (gsize                capacity);
AsyncHttpBodyReader *async_http_body_reader_ref   (AsyncHttpBodyReader *reader);
void                 async_http_body_reader_unref (AsyncHttpBodyReader *reader);

/* The worker's side. push () queues a chunk, then waits while more than
 * the capacity waits to be read, until read, closed or @cancelled; FALSE
 * if the reader was closed. finish () ends the body: with @error (taken)
 * or at its end. wake () makes a waiting push () look at @cancelled. */
gboolean     async_http_body_reader_push      (AsyncHttpBodyReader *reader,
                                               const char          *data,
                                               gsize                length,
                                               const gint          *cancelled);
void         async_http_body_reader_finish    (AsyncHttpBodyReader *reader,
                                               GError              *error);
void         async_http_body_reader_wake      (AsyncHttpBodyReader *reader);
gboolean     async_http_body_reader_is_closed (AsyncHttpBodyReader *reader);

/* The caller's side. */
AsyncFuture *async_http_body_reader_read      (AsyncHttpBodyReader *reader);
void         async_http_body_reader_close     (AsyncHttpBodyReader *reader);

G_END_DECLS
