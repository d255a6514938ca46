/* http-hops.c: what happens between the hops and the attempts of an
 * exchange: redirects followed as browsers and aiohttp follow them, and
 * the retry policy (which failures, how long to wait, Retry-After). */

#include "config.h"

#include "http-hops-private.h"

#include <string.h>

#include "http-transfer-private.h"

gboolean
async_http_hops_is_redirect (guint status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

gboolean
async_http_hops_status_is_retried (AsyncHttpExchange *exchange,
                                   guint              status)
{
  const AsyncHttpRetry *retry = &exchange->settings.retry;
  guint i;

  if (exchange->n_attempts >= retry->attempts
      || !async_http_request_is_idempotent (exchange->request))
    return FALSE;
  for (i = 0; i < G_N_ELEMENTS (retry->statuses) && retry->statuses[i] != 0; i++)
    if (retry->statuses[i] == status)
      return TRUE;
  return FALSE;
}

/* Follows the redirect of the hop that just ended, as browsers and aiohttp
 * do: FALSE if there is none to follow, or with exchange->error set if it
 * may not be followed. */
gboolean
async_http_hops_follow_redirect (AsyncHttpExchange *exchange,
                                 const char        *location,
                                 guint             *n_redirects,
                                 double            *redirect_time)
{
  guint status = exchange->response->status;
  char *host_key, *current_key;

  if (!exchange->request->follow_redirects || location == NULL || !async_http_hops_is_redirect (status))
    return FALSE;
  if (++*n_redirects > exchange->max_redirects)
    {
      g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS,
                   "%s: more than %u redirects", exchange->url, exchange->max_redirects);
      g_clear_pointer (&exchange->response, async_http_response_unref);
      return TRUE;
    }
  /* Every hop is checked against the allowed schemes. */
  host_key = async_http_transfer_host_key (location, &exchange->error);
  if (host_key == NULL)
    {
      g_clear_pointer (&exchange->response, async_http_response_unref);
      return TRUE;
    }

  /* 303 turns every method but HEAD into GET; 301 and 302 turn POST into
   * GET (RFC 9110 §15.4 and the Fetch standard). The body goes with it. */
  if ((status == 303 && strcmp (exchange->method, "HEAD") != 0)
      || ((status == 301 || status == 302) && strcmp (exchange->method, "POST") == 0))
    {
      g_free (exchange->method);
      exchange->method = g_strdup ("GET");
      exchange->send_body = FALSE;
    }
  /* Credentials are not sent to another origin. */
  current_key = async_http_transfer_host_key (exchange->url, NULL);
  if (current_key == NULL || strcmp (current_key, host_key) != 0)
    exchange->send_authorization = FALSE;
  g_free (current_key);
  g_free (host_key);

  *redirect_time += exchange->response->timings.total;
  g_free (exchange->url);
  exchange->url = g_strdup (location);
  g_clear_pointer (&exchange->response, async_http_response_unref);
  g_clear_pointer (&exchange->received, g_byte_array_unref);
  return TRUE;
}

/* Whether the attempt that just ended is worth another, and after how
 * long (µs). */
gboolean
async_http_hops_should_retry (AsyncHttpExchange *exchange,
                              gint64             retry_after,
                              gint64            *delay_us)
{
  const AsyncHttpRetry *retry = &exchange->settings.retry;
  AsyncHttpResponse *response = exchange->response;
  AsyncHttpRequest *request = exchange->request;
  double delay;

  if (exchange->n_attempts >= retry->attempts || !async_http_request_is_idempotent (request)
      || exchange->n_pushed > 0 || exchange->head_delivered
      || exchange->temporary_path != NULL
      || async_http_exchange_is_cancelled (exchange))
    return FALSE;
  if (request->body_kind == ASYNC_HTTP_BODY_STREAM
      && !(G_IS_SEEKABLE (request->stream) && g_seekable_can_seek (G_SEEKABLE (request->stream))))
    return FALSE;
  if (response != NULL)
    {
      if (!async_http_hops_status_is_retried (exchange, response->status))
        return FALSE;
    }
  else if (!g_error_matches (exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CONNECT)
           && !g_error_matches (exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_CONNECTION_RESET))
    return FALSE;

  if (response != NULL && retry_after >= 0)
    {
      /* A server asking for longer than the cap gets its answer back. */
      if (retry_after > retry->max_delay)
        return FALSE;
      delay = retry_after;
    }
  else
    {
      /* Exponential, capped, with "equal jitter": between half and all of
       * it, so that clients that failed together do not retry together. */
      delay = MIN (retry->max_delay, retry->base_delay * (1 << MIN (exchange->n_attempts - 1, 20)));
      delay = delay / 2 + g_random_double () * delay / 2;
    }
  *delay_us = (gint64) (delay * G_USEC_PER_SEC);
  if (exchange->deadline != 0 && g_get_monotonic_time () + *delay_us >= exchange->deadline)
    return FALSE;
  return TRUE;
}

/* Sleeps on the worker until @delay_us passed or the exchange was
 * cancelled; FALSE if it was. */
gboolean
async_http_hops_wait (AsyncHttpExchange *exchange,
                      gint64             delay_us)
{
  gint64 end = g_get_monotonic_time () + delay_us;

  g_mutex_lock (&exchange->lock);
  while (!async_http_exchange_is_cancelled (exchange)
         && g_cond_wait_until (&exchange->cond, &exchange->lock, end))
    ;
  g_mutex_unlock (&exchange->lock);
  return !async_http_exchange_is_cancelled (exchange);
}
