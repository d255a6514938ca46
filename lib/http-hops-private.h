/* http-hops-private.h: redirects and retries between the hops and the
 * attempts of an exchange (http-hops.c); called on its worker. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-hops-private.h"
#endif

#include "http-exchange-private.h"

G_BEGIN_DECLS

gboolean async_http_hops_is_redirect       (guint              status);
/* Whether a response of @status gets another attempt, attempts left. */
gboolean async_http_hops_status_is_retried (AsyncHttpExchange *exchange,
                                            guint              status);
/* Follows the redirect of the hop that just ended: FALSE if there is none
 * to follow; TRUE when exchange->url and ->method are the next hop's, or
 * with exchange->error set when the redirect may not be followed. */
gboolean async_http_hops_follow_redirect   (AsyncHttpExchange *exchange,
                                            const char        *location,
                                            guint             *n_redirects,
                                            double            *redirect_time);
/* Whether the attempt that just ended (exchange->response or ->error) is
 * worth another, and after how long. */
gboolean async_http_hops_should_retry      (AsyncHttpExchange *exchange,
                                            gint64             retry_after,
                                            gint64            *delay_us);
/* Sleeps on the worker for @delay_us; FALSE at once if cancelled. */
gboolean async_http_hops_wait              (AsyncHttpExchange *exchange,
                                            gint64             delay_us);

G_END_DECLS
