/* http-transfer-private.h: the curl side of an exchange, the only code that
 * includes curl.h: easy handles kept between transfers, the DNS share, the
 * options of a transfer, its callbacks and the mapping of curl's errors. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-transfer-private.h"
#endif

#include "http-exchange-private.h"

G_BEGIN_DECLS

/* curl_global_init (), once per process. */
void             async_http_transfer_init_once (void);

AsyncHttpShare  *async_http_share_new   (void);
void             async_http_share_free  (AsyncHttpShare  *share);

/* An easy handle and the multi handle it runs in, kept between transfers
 * so that their connections live on. */
AsyncHttpHandle *async_http_handle_new  (void);
void             async_http_handle_free (gpointer         handle);
/* Forgets the options of the last transfer, keeps its connections. */
void             async_http_handle_reset (AsyncHttpHandle *handle);
/* Wakes the worker polling @handle, from any thread: it then sees that its
 * exchange was cancelled. */
void             async_http_handle_wakeup (AsyncHttpHandle *handle);

/* scheme://host:port of @url, the key of the per-host limit; NULL with
 * INVALID_URL or UNSUPPORTED_SCHEME if it is not an http or https URL. */
char            *async_http_transfer_host_key (const char  *url,
                                               GError     **error);

/* Runs the transfer of @exchange on @handle, on the worker: afterwards
 * exchange->response or exchange->error is set. */
void             async_http_transfer_run (AsyncHttpExchange *exchange,
                                          AsyncHttpHandle   *handle);

G_END_DECLS
