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
/* What the handle's cookie engine holds (the worker holding the handle
 * only). */
AsyncHttpHandleJar *async_http_handle_get_jar (AsyncHttpHandle *handle);
/* Forgets the options of the last transfer, keeps its connections. */
void             async_http_handle_reset (AsyncHttpHandle *handle);
/* Wakes the worker polling @handle, from any thread: it then sees that its
 * exchange was cancelled. */
void             async_http_handle_wakeup (AsyncHttpHandle *handle);

/* scheme://host:port of @url, the key of the per-host limit; NULL with
 * INVALID_URL or UNSUPPORTED_SCHEME if it is not an http or https URL. */
char            *async_http_transfer_host_key (const char  *url,
                                               GError     **error);

/* What one hop told beyond its response. */
typedef struct
{
  char   *redirect_url;   /* the absolute Location of a 3xx, or NULL */
  gint64  retry_after;    /* seconds from Retry-After (number or date), or -1 */
} AsyncHttpHop;

/* Runs one hop of @exchange (exchange->url, ->method) on @handle, on the
 * worker: TRUE with exchange->response complete, or FALSE with
 * exchange->error set. @hop is filled in either way; free its URL. */
gboolean         async_http_transfer_run (AsyncHttpExchange *exchange,
                                          AsyncHttpHandle   *handle,
                                          AsyncHttpHop      *hop);

/* The cookie engine of @handle: replaced by @lines (Netscape format), and
 * read back after the transfers. FALSE if curl refused a line. */
gboolean         async_http_handle_set_cookies (AsyncHttpHandle *handle,
                                                GPtrArray       *lines);
GPtrArray       *async_http_handle_get_cookies (AsyncHttpHandle *handle);

/* A Netscape cookie file, read and written by curl's own code. */
gboolean         async_http_transfer_read_cookie_file  (const char  *path,
                                                        GPtrArray   *lines,
                                                        GError     **error);
gboolean         async_http_transfer_write_cookie_file (const char  *path,
                                                        GPtrArray   *lines,
                                                        GError     **error);

G_END_DECLS
