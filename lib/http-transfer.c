/* http-transfer.c: the curl side of an exchange, and the only file that
 * includes curl.h: long-lived easy handles, the DNS share, a transfer's
 * options and callbacks, and curl's errors mapped onto ASYNC_HTTP_ERROR. */

#include "config.h"

#include "http-transfer-private.h"

#include <string.h>

#include <curl/curl.h>

/* How long a worker sleeps in curl_multi_poll () at most; cancellation
 * wakes it earlier through curl_multi_wakeup (). */
#define POLL_TIMEOUT_MS 1000

/* The multi handle owns the connection cache, so live connections outlive
 * each transfer, and lets a cancelling thread wake the worker at once. */
struct _AsyncHttpHandle
{
  CURL  *easy;
  CURLM *multi;
};

struct _AsyncHttpShare
{
  CURLSH *share;
  GMutex  locks[CURL_LOCK_DATA_LAST];
};

/* What one run of a transfer needs besides its exchange. */
typedef struct
{
  AsyncHttpExchange *exchange;
  struct curl_slist *headers;
  char               error_buffer[CURL_ERROR_SIZE];
} Transfer;

void
async_http_transfer_init_once (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&initialized, 1);
    }
}

static void
share_lock (CURL             *easy,
            curl_lock_data    data,
            curl_lock_access  access,
            void             *user_data)
{
  AsyncHttpShare *share = user_data;

  g_mutex_lock (&share->locks[data]);
}

static void
share_unlock (CURL           *easy,
              curl_lock_data  data,
              void           *user_data)
{
  AsyncHttpShare *share = user_data;

  g_mutex_unlock (&share->locks[data]);
}

AsyncHttpShare *
async_http_share_new (void)
{
  AsyncHttpShare *share = g_new0 (AsyncHttpShare, 1);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (share->locks); i++)
    g_mutex_init (&share->locks[i]);
  /* Only DNS: libcurl cannot share connections, TLS sessions or cookies
   * between transfers running at once on different threads. */
  share->share = curl_share_init ();
  curl_share_setopt (share->share, CURLSHOPT_LOCKFUNC, share_lock);
  curl_share_setopt (share->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
  curl_share_setopt (share->share, CURLSHOPT_USERDATA, share);
  curl_share_setopt (share->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  return share;
}

void
async_http_share_free (AsyncHttpShare *share)
{
  guint i;

  curl_share_cleanup (share->share);
  for (i = 0; i < G_N_ELEMENTS (share->locks); i++)
    g_mutex_clear (&share->locks[i]);
  g_free (share);
}

AsyncHttpHandle *
async_http_handle_new (void)
{
  AsyncHttpHandle *handle = g_new0 (AsyncHttpHandle, 1);

  handle->easy = curl_easy_init ();
  handle->multi = curl_multi_init ();
  return handle;
}

void
async_http_handle_free (gpointer data)
{
  AsyncHttpHandle *handle = data;

  curl_multi_cleanup (handle->multi);
  curl_easy_cleanup (handle->easy);
  g_free (handle);
}

void
async_http_handle_reset (AsyncHttpHandle *handle)
{
  curl_easy_reset (handle->easy);
}

void
async_http_handle_wakeup (AsyncHttpHandle *handle)
{
  curl_multi_wakeup (handle->multi);
}

char *
async_http_transfer_host_key (const char  *url,
                              GError     **error)
{
  CURLU *parsed = curl_url ();
  char *scheme = NULL, *host = NULL, *port = NULL;
  char *key = NULL;
  CURLUcode code;

  code = curl_url_set (parsed, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
  if (code == CURLUE_OK)
    code = curl_url_get (parsed, CURLUPART_SCHEME, &scheme, 0);
  if (code == CURLUE_OK)
    code = curl_url_get (parsed, CURLUPART_HOST, &host, 0);
  if (code == CURLUE_OK)
    code = curl_url_get (parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);

  if (scheme != NULL
      && g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME,
                 "%s: the scheme “%s” is not supported, only http and https", url, scheme);
  else if (code != CURLUE_OK)
    g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_INVALID_URL,
                 "%s: %s", url, curl_url_strerror (code));
  else
    key = g_strdup_printf ("%s://%s:%s", scheme, host, port);

  curl_free (scheme);
  curl_free (host);
  curl_free (port);
  curl_url_cleanup (parsed);
  return key;
}

/* ---------------------------------------------------------------- callbacks */

static size_t
on_header (char   *buffer,
           size_t  size,
           size_t  n_items,
           void   *data)
{
  Transfer *transfer = data;

  async_http_response_add_header_line (transfer->exchange->response, buffer, size * n_items);
  return size * n_items;
}

static size_t
on_write (char   *buffer,
          size_t  size,
          size_t  n_items,
          void   *data)
{
  Transfer *transfer = data;
  gsize length = size * n_items;

  return async_http_exchange_receive (transfer->exchange, buffer, length) ? length : 0;
}

static int
on_progress (void       *data,
             curl_off_t  download_total,
             curl_off_t  downloaded,
             curl_off_t  upload_total,
             curl_off_t  uploaded)
{
  Transfer *transfer = data;

  return async_http_exchange_is_cancelled (transfer->exchange) ? 1 : 0;
}

/* ---------------------------------------------------------------- errors */

static AsyncHttpError
error_for_code (CURLcode code)
{
  /* An int: -Wswitch-enum would want every one of curl's codes. */
  switch ((int) code)
    {
    case CURLE_URL_MALFORMAT:
      return ASYNC_HTTP_ERROR_INVALID_URL;
    case CURLE_UNSUPPORTED_PROTOCOL:
      return ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return ASYNC_HTTP_ERROR_RESOLVE;
    case CURLE_COULDNT_CONNECT:
      return ASYNC_HTTP_ERROR_CONNECT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return ASYNC_HTTP_ERROR_TLS;
    case CURLE_OPERATION_TIMEDOUT:
      return ASYNC_HTTP_ERROR_TIMED_OUT;
    case CURLE_FILESIZE_EXCEEDED:
      return ASYNC_HTTP_ERROR_TOO_LARGE;
    case CURLE_TOO_MANY_REDIRECTS:
      return ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_RANGE_ERROR:
    /* curl reports broken chunked encoding as a receive error too. */
    case CURLE_RECV_ERROR:
      return ASYNC_HTTP_ERROR_PROTOCOL;
    case CURLE_SEND_ERROR:
    case CURLE_SEND_FAIL_REWIND:
      return ASYNC_HTTP_ERROR_SEND;
    default:
      return ASYNC_HTTP_ERROR_FAILED;
    }
}

static void
set_curl_error (Transfer *transfer,
                CURL     *easy,
                CURLcode  code)
{
  AsyncHttpExchange *exchange = transfer->exchange;
  const char *message = transfer->error_buffer[0] != '\0'
                        ? transfer->error_buffer : curl_easy_strerror (code);
  AsyncHttpError error_code = error_for_code (code);
  long status = 0;

  /* Our own check let only http and https through, so curl refuses a
   * scheme after a redirect (a 3xx was received) or refuses an HTTP/0.9
   * reply, which had no status line: the latter is a protocol error. */
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  if (error_code == ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME && status == 0)
    error_code = ASYNC_HTTP_ERROR_PROTOCOL;

  if (exchange->too_large)
    g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_LARGE,
                 "%s: the body is larger than %" G_GUINT64_FORMAT " bytes",
                 exchange->url, exchange->settings.max_body_size);
  else if (async_http_exchange_is_cancelled (exchange))
    g_set_error (&exchange->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                 "%s: the transfer was cancelled", exchange->url);
  else
    g_set_error (&exchange->error, ASYNC_HTTP_ERROR, error_code,
                 "%s: %s", exchange->url, message);
}

/* ---------------------------------------------------------------- setup */

static void
setup_transfer (Transfer *transfer,
                CURL     *easy)
{
  AsyncHttpExchange *exchange = transfer->exchange;
  const AsyncHttpSettings *settings = &exchange->settings;
  gboolean is_head = strcmp (exchange->method, "HEAD") == 0;
  gboolean has_expect = FALSE;
  guint i;

  for (i = 0; i < exchange->headers->len; i++)
    {
      const char *line = exchange->headers->pdata[i];

      transfer->headers = curl_slist_append (transfer->headers, line);
      has_expect |= g_ascii_strncasecmp (line, "Expect:", 7) == 0;
    }
  /* No 100-continue round trip before a large body. */
  if (exchange->body != NULL && !has_expect)
    transfer->headers = curl_slist_append (transfer->headers, "Expect:");

  curl_easy_setopt (easy, CURLOPT_URL, exchange->url);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_SHARE, exchange->session->share->share);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, transfer->error_buffer);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt (easy, CURLOPT_REDIR_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  if (!(exchange->flags & ASYNC_HTTP_REQUEST_NO_REDIRECTS))
    {
      curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt (easy, CURLOPT_MAXREDIRS, (long) settings->max_redirects);
    }
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, settings->verify_tls ? 1L : 0L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, settings->verify_tls ? 2L : 0L);
  /* Decoded as aiohttp does; the body cap applies to the decoded size. */
  curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");

  if (settings->timeout > 0)
    curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) MAX (1, settings->timeout * 1000));
  if (settings->connect_timeout > 0)
    curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS,
                      (long) MAX (1, settings->connect_timeout * 1000));
  if (settings->low_speed_limit > 0 && settings->low_speed_time > 0)
    {
      curl_easy_setopt (easy, CURLOPT_LOW_SPEED_LIMIT, (long) settings->low_speed_limit);
      curl_easy_setopt (easy, CURLOPT_LOW_SPEED_TIME, (long) settings->low_speed_time);
    }
  /* A HEAD response announces a length it does not send. */
  if (settings->max_body_size != 0 && !is_head)
    curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE,
                      (curl_off_t) MIN (settings->max_body_size, G_MAXINT64));

  if (exchange->user_agent != NULL)
    curl_easy_setopt (easy, CURLOPT_USERAGENT, exchange->user_agent);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, transfer->headers);

  if (is_head)
    curl_easy_setopt (easy, CURLOPT_NOBODY, 1L);
  else if (strcmp (exchange->method, "POST") == 0)
    curl_easy_setopt (easy, CURLOPT_POST, 1L);
  else if (strcmp (exchange->method, "GET") != 0 || exchange->body != NULL)
    curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, exchange->method);

  if (exchange->body != NULL || strcmp (exchange->method, "POST") == 0)
    {
      gsize size = 0;
      const void *data = exchange->body != NULL ? g_bytes_get_data (exchange->body, &size) : NULL;

      curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDS, data != NULL ? data : "");
    }

  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, transfer);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, transfer);
  curl_easy_setopt (easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (easy, CURLOPT_XFERINFODATA, transfer);
  curl_easy_setopt (easy, CURLOPT_NOPROGRESS, 0L);
}

/* ---------------------------------------------------------------- running */

static gboolean
perform (Transfer        *transfer,
         AsyncHttpHandle *handle,
         CURLcode        *code)
{
  int running = 1;
  CURLMsg *message;
  int n_left;

  curl_multi_add_handle (handle->multi, handle->easy);
  for (;;)
    {
      if (curl_multi_perform (handle->multi, &running) != CURLM_OK
          || running == 0 || async_http_exchange_is_cancelled (transfer->exchange))
        break;
      curl_multi_poll (handle->multi, NULL, 0, POLL_TIMEOUT_MS, NULL);
    }

  *code = CURLE_ABORTED_BY_CALLBACK;
  while ((message = curl_multi_info_read (handle->multi, &n_left)) != NULL)
    if (message->msg == CURLMSG_DONE && message->easy_handle == handle->easy)
      *code = message->data.result;
  /* Removing an unfinished transfer closes its connection: the server
   * sees the cancellation at once. */
  curl_multi_remove_handle (handle->multi, handle->easy);
  return running == 0;
}

static double
seconds_of (CURL     *easy,
            CURLINFO  info)
{
  curl_off_t us = 0;

  curl_easy_getinfo (easy, info, &us);
  return us / (double) G_USEC_PER_SEC;
}

static void
collect_response (Transfer *transfer,
                  CURL     *easy)
{
  AsyncHttpExchange *exchange = transfer->exchange;
  AsyncHttpResponse *response = exchange->response;
  long status = 0, version = 0;
  char *url = NULL;

  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo (easy, CURLINFO_EFFECTIVE_URL, &url);
  curl_easy_getinfo (easy, CURLINFO_HTTP_VERSION, &version);
  response->status = (guint) status;
  response->url = g_strdup (url != NULL ? url : exchange->url);
  g_free (response->http_version);
  switch (version)
    {
    case CURL_HTTP_VERSION_1_0:
      response->http_version = g_strdup ("1.0");
      break;
    case CURL_HTTP_VERSION_2_0:
      response->http_version = g_strdup ("2");
      break;
    case CURL_HTTP_VERSION_3:
      response->http_version = g_strdup ("3");
      break;
    default:
      response->http_version = g_strdup ("1.1");
      break;
    }

  response->timings.name_lookup = seconds_of (easy, CURLINFO_NAMELOOKUP_TIME_T);
  response->timings.connect = seconds_of (easy, CURLINFO_CONNECT_TIME_T);
  response->timings.tls = seconds_of (easy, CURLINFO_APPCONNECT_TIME_T);
  response->timings.first_byte = seconds_of (easy, CURLINFO_STARTTRANSFER_TIME_T);
  response->timings.total = seconds_of (easy, CURLINFO_TOTAL_TIME_T);
  response->timings.redirect = seconds_of (easy, CURLINFO_REDIRECT_TIME_T);
}

void
async_http_transfer_run (AsyncHttpExchange *exchange,
                         AsyncHttpHandle   *handle)
{
  Transfer transfer = { exchange, NULL, { 0 } };
  CURLcode code;

  setup_transfer (&transfer, handle->easy);
  if (perform (&transfer, handle, &code) && code == CURLE_OK)
    collect_response (&transfer, handle->easy);
  else
    {
      set_curl_error (&transfer, handle->easy, code);
      g_clear_pointer (&exchange->response, async_http_response_unref);
    }
  curl_slist_free_all (transfer.headers);
}
