/* http-download-private.h: the file sink of async_http_session_download ()
 * (http-download.c), driven by the exchange on its worker. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-download-private.h"
#endif

#include "http-exchange-private.h"

G_BEGIN_DECLS

/* At the head of the final response: creates the temporary file. FALSE
 * with exchange->error set. */
gboolean async_http_download_open  (AsyncHttpExchange *exchange);
/* A piece of the body into the file; progress to the caller. FALSE with
 * exchange->error set. */
gboolean async_http_download_write (AsyncHttpExchange *exchange,
                                    const char        *data,
                                    gsize              length);
/* After the last attempt: renamed into place if the exchange succeeded,
 * removed otherwise (and then the exchange fails). */
void     async_http_download_close (AsyncHttpExchange *exchange);

G_END_DECLS
