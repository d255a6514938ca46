/* http-transfer.c: the curl side of an exchange, and the only file that
 * includes curl.h: long-lived easy handles, the DNS share, a transfer's
 * options and callbacks, and curl's errors mapped onto ASYNC_HTTP_ERROR. */

#include "config.h"

#include "http-transfer-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <glib/gstdio.h>

/* How long a worker sleeps in curl_multi_poll () at most; cancellation
 * wakes it earlier through curl_multi_wakeup (). */
#define POLL_TIMEOUT_MS 1000

/* The multi handle owns the connection cache, so live connections outlive
 * each transfer, and lets a cancelling thread wake the worker at once. */
struct _AsyncHttpHandle
{
  CURL              *easy;
  CURLM             *multi;
  gboolean           cookie_engine;   /* COOKIEFILE was set once: the engine lives on */
  AsyncHttpHandleJar jar;
  /* The options of the last transfer, kept if it was a plain GET: the
   * next plain GET with the same settings sets only what differs. */
  gboolean           plain;
  AsyncHttpSettings  plain_settings;
  char              *plain_user_agent;
  gboolean           plain_streamed;
};

struct _AsyncHttpShare
{
  CURLSH *share;
  GMutex  locks[CURL_LOCK_DATA_LAST];
};

/* One hop of an exchange on a handle. */
typedef struct
{
  AsyncHttpExchange *exchange;
  CURL              *easy;
  struct curl_slist *headers;
  curl_mime         *mime;
  GInputStream      *upload;         /* a file or stream body being sent */
  GError            *upload_error;
  gboolean           head_seen;
  CURLcode           refused;        /* the first option curl refused */
  const char        *refused_name;
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
  handle->jar.generation = ASYNC_HTTP_JAR_UNKNOWN;
  return handle;
}

void
async_http_handle_free (gpointer data)
{
  AsyncHttpHandle *handle = data;

  curl_multi_cleanup (handle->multi);
  curl_easy_cleanup (handle->easy);
  g_clear_pointer (&handle->jar.lines, g_ptr_array_unref);
  async_http_settings_clear (&handle->plain_settings);
  g_free (handle->plain_user_agent);
  g_free (handle);
}

AsyncHttpHandleJar *
async_http_handle_get_jar (AsyncHttpHandle *handle)
{
  return &handle->jar;
}

void
async_http_handle_reset (AsyncHttpHandle *handle)
{
  curl_easy_reset (handle->easy);
  handle->plain = FALSE;
  async_http_settings_clear (&handle->plain_settings);
  g_clear_pointer (&handle->plain_user_agent, g_free);
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
    {
      /* Host names are case-insensitive: one host, one key. */
      char *spelled = g_strdup_printf ("%s://%s:%s", scheme, host, port);

      key = g_ascii_strdown (spelled, -1);
      g_free (spelled);
    }

  curl_free (scheme);
  curl_free (host);
  curl_free (port);
  curl_url_cleanup (parsed);
  return key;
}

/* ---------------------------------------------------------------- callbacks */

static long
response_code (CURL *easy)
{
  long status = 0;

  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

static void
collect_head (Transfer *transfer)
{
  AsyncHttpExchange *exchange = transfer->exchange;
  AsyncHttpResponse *response = exchange->response;
  long version = 0;
  char *url = NULL;

  transfer->head_seen = TRUE;
  async_http_response_end_headers (response);
  curl_easy_getinfo (transfer->easy, CURLINFO_EFFECTIVE_URL, &url);
  curl_easy_getinfo (transfer->easy, CURLINFO_HTTP_VERSION, &version);
  response->status = (guint) response_code (transfer->easy);
  g_free (response->url);
  response->url = g_strdup (url != NULL ? url : exchange->url);
  switch (version)
    {
    case CURL_HTTP_VERSION_1_0:
      response->http_version = "1.0";
      break;
    case CURL_HTTP_VERSION_2_0:
      response->http_version = "2";
      break;
    case CURL_HTTP_VERSION_3:
      response->http_version = "3";
      break;
    default:
      response->http_version = "1.1";
      break;
    }
  async_http_exchange_head (exchange);
}

static size_t
on_header (char   *buffer,
           size_t  size,
           size_t  n_items,
           void   *data)
{
  Transfer *transfer = data;
  gsize length = size * n_items;

  /* Only a Set-Cookie header changes the cookie engine (besides expiry). */
  if (length > 11 && g_ascii_strncasecmp (buffer, "Set-Cookie:", 11) == 0)
    transfer->exchange->cookies_received = TRUE;
  async_http_response_add_header_line (transfer->exchange->response, buffer, length);
  return length;
}

static size_t
on_write (char   *buffer,
          size_t  size,
          size_t  n_items,
          void   *data)
{
  Transfer *transfer = data;
  gsize length = size * n_items;

  if (!transfer->head_seen)
    collect_head (transfer);
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

/* A file or stream body, read with blocking reads on the worker. */
static size_t
on_read (char   *buffer,
         size_t  size,
         size_t  n_items,
         void   *data)
{
  Transfer *transfer = data;
  gssize n;

  if (async_http_exchange_is_cancelled (transfer->exchange))
    return CURL_READFUNC_ABORT;
  n = g_input_stream_read (transfer->upload, buffer, size * n_items, NULL,
                           &transfer->upload_error);
  return n < 0 ? CURL_READFUNC_ABORT : (size_t) n;
}

/* curl rewinds a body to send it again (a 307, or an authentication). */
static int
on_seek (void       *data,
         curl_off_t  offset,
         int         origin)
{
  Transfer *transfer = data;

  if (!G_IS_SEEKABLE (transfer->upload) || !g_seekable_can_seek (G_SEEKABLE (transfer->upload)))
    return CURL_SEEKFUNC_CANTSEEK;
  return g_seekable_seek (G_SEEKABLE (transfer->upload), offset,
                          origin == SEEK_SET ? G_SEEK_SET : origin == SEEK_CUR ? G_SEEK_CUR : G_SEEK_END,
                          NULL, NULL)
         ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
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
      return ASYNC_HTTP_ERROR_PROTOCOL;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return ASYNC_HTTP_ERROR_CONNECTION_RESET;
    case CURLE_SEND_FAIL_REWIND:
      return ASYNC_HTTP_ERROR_SEND;
    case CURLE_UNKNOWN_OPTION:
    case CURLE_NOT_BUILT_IN:
      return ASYNC_HTTP_ERROR_UNSUPPORTED_OPTION;
    default:
      return ASYNC_HTTP_ERROR_FAILED;
    }
}

/* curl says "Couldn't connect" when socket () failed for want of a
 * descriptor: say what can be done about it. */
static gboolean
out_of_descriptors (CURL *easy)
{
  long os_errno = 0;

  return curl_easy_getinfo (easy, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK &&
         (os_errno == EMFILE || os_errno == ENFILE);
}

static void
set_curl_error (Transfer *transfer,
                CURLcode  code)
{
  AsyncHttpExchange *exchange = transfer->exchange;
  const char *message = transfer->error_buffer[0] != '\0'
                        ? transfer->error_buffer : curl_easy_strerror (code);
  AsyncHttpError error_code = error_for_code (code);

  if (exchange->error != NULL)
    return;

  /* Our own check let only http and https through, so curl refuses a
   * scheme after a redirect (a 3xx was received) or refuses an HTTP/0.9
   * reply, which had no status line: the latter is a protocol error. */
  if (error_code == ASYNC_HTTP_ERROR_UNSUPPORTED_SCHEME && response_code (transfer->easy) == 0)
    error_code = ASYNC_HTTP_ERROR_PROTOCOL;
  /* curl reports broken chunked encoding as a receive error too; a failed
   * socket call is "Recv failure: …" or "Send failure: …", with strerror ()
   * (CURLINFO_OS_ERRNO only tells connect failures). */
  if (error_code == ASYNC_HTTP_ERROR_CONNECTION_RESET
      && !g_str_has_prefix (message, "Recv failure") && !g_str_has_prefix (message, "Send failure"))
    error_code = code == CURLE_SEND_ERROR ? ASYNC_HTTP_ERROR_SEND : ASYNC_HTTP_ERROR_PROTOCOL;

  if (exchange->too_large)
    g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_TOO_LARGE,
                 "%s: the body is larger than %" G_GUINT64_FORMAT " bytes",
                 exchange->url, exchange->too_large_limit);
  else if (async_http_exchange_is_cancelled (exchange))
    g_set_error (&exchange->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                 "%s: the transfer was cancelled", exchange->url);
  else if (transfer->upload_error != NULL)
    g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                 "%s: reading the body to send: %s", exchange->url,
                 transfer->upload_error->message);
  else if (code == CURLE_COULDNT_CONNECT && out_of_descriptors (transfer->easy))
    g_set_error (&exchange->error, ASYNC_HTTP_ERROR, error_code,
                 "%s: %s: the process is out of file descriptors; each transfer in "
                 "flight holds three: lower the session's limit, or raise the "
                 "process's (ulimit -n)", exchange->url, message);
  else
    g_set_error (&exchange->error, ASYNC_HTTP_ERROR, error_code,
                 "%s: %s", exchange->url, message);
}

/* ---------------------------------------------------------------- setup */

/* Every option is checked: a refused one must not leave curl's default in
 * place (REDIR_PROTOCOLS above all). The first refusal fails the hop. */
#define SET(option, value) \
  G_STMT_START { \
    CURLcode set_code_ = curl_easy_setopt (easy, option, value); \
    if (set_code_ != CURLE_OK && transfer->refused == CURLE_OK) \
      { \
        transfer->refused = set_code_; \
        transfer->refused_name = #option; \
      } \
  } G_STMT_END

static gboolean
is_header (const char *line,
           const char *name)
{
  gsize length = strlen (name);

  return g_ascii_strncasecmp (line, name, length) == 0 && line[length] == ':';
}

static void
add_header (Transfer   *transfer,
            const char *line)
{
  transfer->headers = curl_slist_append (transfer->headers, line);
}

static gboolean
has_header (AsyncHttpExchange *exchange,
            const char        *name)
{
  guint i;

  for (i = 0; i < exchange->headers->len; i++)
    if (is_header (exchange->headers->pdata[i], name))
      return TRUE;
  return FALSE;
}

static gboolean
setup_body (Transfer *transfer,
            CURL     *easy)
{
  AsyncHttpExchange *exchange = transfer->exchange;
  AsyncHttpRequest *request = exchange->request;
  gboolean is_post = strcmp (exchange->method, "POST") == 0;
  AsyncHttpBodyKind kind = exchange->send_body ? request->body_kind : ASYNC_HTTP_BODY_NONE;
  guint i;

  if (kind != ASYNC_HTTP_BODY_NONE && kind != ASYNC_HTTP_BODY_MULTIPART
      && !has_header (exchange, "Content-Type"))
    {
      char *line = g_strconcat ("Content-Type: ", request->content_type, NULL);

      add_header (transfer, line);
      g_free (line);
    }

  switch (kind)
    {
    case ASYNC_HTTP_BODY_NONE:
      /* A POST without a body is still a POST, of zero bytes. */
      if (is_post)
        {
          SET (CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) 0);
          SET (CURLOPT_POSTFIELDS, "");
        }
      return TRUE;

    case ASYNC_HTTP_BODY_BYTES:
      {
        gsize size = 0;
        const void *data = g_bytes_get_data (request->body, &size);

        SET (CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
        SET (CURLOPT_POSTFIELDS, data != NULL ? data : "");
        return TRUE;
      }

    case ASYNC_HTTP_BODY_MULTIPART:
      transfer->mime = curl_mime_init (easy);
      for (i = 0; i < request->parts->len; i++)
        {
          AsyncHttpPart *part = request->parts->pdata[i];
          curl_mimepart *mime_part = curl_mime_addpart (transfer->mime);
          CURLcode code;

          curl_mime_name (mime_part, part->name);
          if (part->value != NULL)
            code = curl_mime_data (mime_part, part->value, CURL_ZERO_TERMINATED);
          else
            {
              char *path = g_file_get_path (part->file);

              code = path != NULL ? curl_mime_filedata (mime_part, path) : CURLE_READ_ERROR;
              if (code == CURLE_OK)
                code = curl_mime_filename (mime_part, part->filename);
              if (code == CURLE_OK && part->content_type != NULL)
                code = curl_mime_type (mime_part, part->content_type);
              if (code != CURLE_OK)
                g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                             "%s: cannot send the file of part “%s”: %s", exchange->url,
                             part->name, path != NULL ? curl_easy_strerror (code) : "not a local file");
              g_free (path);
            }
          if (code != CURLE_OK)
            {
              if (exchange->error == NULL)
                g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FAILED,
                             "%s: part “%s”: %s", exchange->url, part->name,
                             curl_easy_strerror (code));
              return FALSE;
            }
        }
      SET (CURLOPT_MIMEPOST, transfer->mime);
      return TRUE;

    case ASYNC_HTTP_BODY_FILE:
    case ASYNC_HTTP_BODY_STREAM:
      {
        gint64 length = request->stream_length;
        GError *error = NULL;

        if (kind == ASYNC_HTTP_BODY_FILE)
          {
            GFileInfo *info = g_file_query_info (request->file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                 G_FILE_QUERY_INFO_NONE, NULL, &error);
            GFileInputStream *stream = info != NULL ? g_file_read (request->file, NULL, &error) : NULL;

            if (stream == NULL)
              {
                g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                             "%s: cannot send the file: %s", exchange->url, error->message);
                g_error_free (error);
                g_clear_object (&info);
                return FALSE;
              }
            length = g_file_info_get_size (info);
            g_object_unref (info);
            transfer->upload = G_INPUT_STREAM (stream);
          }
        else if (!exchange->stream_used)
          {
            /* Where a redirect (307, 308) or a retry sends it from again. */
            exchange->stream_used = TRUE;
            if (G_IS_SEEKABLE (request->stream))
              exchange->stream_offset = g_seekable_tell (G_SEEKABLE (request->stream));
            transfer->upload = g_object_ref (request->stream);
          }
        else if (G_IS_SEEKABLE (request->stream) && g_seekable_can_seek (G_SEEKABLE (request->stream))
                 && g_seekable_seek (G_SEEKABLE (request->stream), exchange->stream_offset,
                                     G_SEEK_SET, NULL, &error))
          transfer->upload = g_object_ref (request->stream);
        else
          {
            g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                         "%s: the body stream was sent already and cannot be rewound%s%s",
                         exchange->url, error != NULL ? ": " : "",
                         error != NULL ? error->message : "");
            g_clear_error (&error);
            return FALSE;
          }

        SET (CURLOPT_POST, 1L);
        SET (CURLOPT_READFUNCTION, on_read);
        SET (CURLOPT_READDATA, transfer);
        SET (CURLOPT_SEEKFUNCTION, on_seek);
        SET (CURLOPT_SEEKDATA, transfer);
        SET (CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) length);
        if (length < 0)
          add_header (transfer, "Transfer-Encoding: chunked");
        return TRUE;
      }

    default:
      g_assert_not_reached ();
    }
}

static gboolean
refused (Transfer *transfer)
{
  AsyncHttpExchange *exchange = transfer->exchange;

  g_set_error (&exchange->error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_OPTION,
               "%s: libcurl refused %s: %s", exchange->url, transfer->refused_name,
               curl_easy_strerror (transfer->refused));
  return FALSE;
}

/* A GET without a body: what most transfers are. */
static gboolean
is_plain (AsyncHttpExchange *exchange)
{
  return strcmp (exchange->method, "GET") == 0
         && !(exchange->send_body && exchange->request->body_kind != ASYNC_HTTP_BODY_NONE);
}

/* The settings setup_transfer () turns into options. */
static gboolean
same_options (AsyncHttpHandle   *handle,
              AsyncHttpExchange *exchange)
{
  const AsyncHttpSettings *a = &handle->plain_settings;
  const AsyncHttpSettings *b = &exchange->settings;

  return a->max_body_size == b->max_body_size
         && (a->timeout > 0) == (b->timeout > 0)
         && a->connect_timeout == b->connect_timeout
         && a->low_speed_limit == b->low_speed_limit
         && a->low_speed_time == b->low_speed_time
         && a->verify_tls == b->verify_tls
         && a->trust_env == b->trust_env
         && g_strcmp0 (a->proxy, b->proxy) == 0
         && g_strcmp0 (a->no_proxy, b->no_proxy) == 0
         && g_strcmp0 (a->ca_file, b->ca_file) == 0
         && g_strcmp0 (a->client_cert, b->client_cert) == 0
         && g_strcmp0 (a->client_key, b->client_key) == 0
         && g_strcmp0 (handle->plain_user_agent, exchange->user_agent) == 0
         && handle->plain_streamed == (exchange->on_chunk != NULL);
}

/* What differs from one transfer to the next: the URL, the headers, the
 * time left, and where the callbacks write. */
static void
setup_own_options (Transfer *transfer,
                   CURL     *easy)
{
  AsyncHttpExchange *exchange = transfer->exchange;

  SET (CURLOPT_URL, exchange->url);
  SET (CURLOPT_ERRORBUFFER, transfer->error_buffer);
  if (exchange->deadline != 0)
    {
      gint64 left_ms = (exchange->deadline - g_get_monotonic_time ()) / 1000;

      SET (CURLOPT_TIMEOUT_MS, (long) MAX (1, left_ms));
    }
  SET (CURLOPT_HTTPHEADER, transfer->headers);
  SET (CURLOPT_HEADERDATA, transfer);
  SET (CURLOPT_WRITEDATA, transfer);
  SET (CURLOPT_XFERINFODATA, transfer);
}

static gboolean
setup_transfer (Transfer        *transfer,
                AsyncHttpHandle *handle)
{
  AsyncHttpExchange *exchange = transfer->exchange;
  CURL *easy = handle->easy;
  const AsyncHttpSettings *settings = &exchange->settings;
  gboolean is_head = strcmp (exchange->method, "HEAD") == 0;
  gboolean has_expect = FALSE;
  gboolean has_body = exchange->send_body && exchange->request->body_kind != ASYNC_HTTP_BODY_NONE;
  gboolean plain = is_plain (exchange);
  guint i;

  for (i = 0; i < exchange->headers->len; i++)
    {
      const char *line = exchange->headers->pdata[i];

      /* Credentials stay with the host they were meant for. */
      if (!exchange->send_authorization && is_header (line, "Authorization"))
        continue;
      add_header (transfer, line);
      has_expect |= is_header (line, "Expect");
    }
  if (exchange->authorization != NULL && exchange->send_authorization
      && !has_header (exchange, "Authorization"))
    {
      char *line = g_strconcat ("Authorization: ", exchange->authorization, NULL);

      add_header (transfer, line);
      g_free (line);
    }
  /* No 100-continue round trip before a large body. */
  if (has_body && !has_expect)
    add_header (transfer, "Expect:");

  /* The last transfer on the handle was a plain GET with these settings:
   * its options stand, but for those of this transfer's own. */
  if (plain && handle->plain && same_options (handle, exchange))
    {
      setup_own_options (transfer, easy);
      return transfer->refused == CURLE_OK || refused (transfer);
    }
  if (handle->plain)
    async_http_handle_reset (handle);

  SET (CURLOPT_NOSIGNAL, 1L);
  SET (CURLOPT_SHARE, exchange->session->share->share);
#if LIBCURL_VERSION_NUM >= 0x075500
  SET (CURLOPT_PROTOCOLS_STR, "http,https");
  SET (CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  SET (CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
  SET (CURLOPT_REDIR_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
#if LIBCURL_VERSION_NUM >= 0x075700
  /* Cancelling during name resolution must not wait for the resolver. */
  SET (CURLOPT_QUICK_EXIT, 1L);
#endif
  /* Redirects are followed by the exchange, hop by hop: methods, bodies
   * and credentials change as browsers change them. */
  SET (CURLOPT_FOLLOWLOCATION, 0L);
  SET (CURLOPT_SSL_VERIFYPEER, settings->verify_tls ? 1L : 0L);
  SET (CURLOPT_SSL_VERIFYHOST, settings->verify_tls ? 2L : 0L);
  if (settings->ca_file != NULL)
    SET (CURLOPT_CAINFO, settings->ca_file);
  if (settings->client_cert != NULL)
    SET (CURLOPT_SSLCERT, settings->client_cert);
  if (settings->client_key != NULL)
    SET (CURLOPT_SSLKEY, settings->client_key);
  /* aiohttp ignores http_proxy and friends unless trust_env=True; curl
   * reads them unless CURLOPT_PROXY is set, "" meaning no proxy. */
  if (settings->proxy != NULL)
    SET (CURLOPT_PROXY, settings->proxy);
  else if (!settings->trust_env)
    SET (CURLOPT_PROXY, "");
  if (settings->no_proxy != NULL)
    SET (CURLOPT_NOPROXY, settings->no_proxy);
  /* Decoded as aiohttp does; the body cap applies to the decoded size. */
  SET (CURLOPT_ACCEPT_ENCODING, "");

  if (settings->connect_timeout > 0)
    SET (CURLOPT_CONNECTTIMEOUT_MS, (long) MAX (1, settings->connect_timeout * 1000));
  if (settings->low_speed_limit > 0 && settings->low_speed_time > 0)
    {
      SET (CURLOPT_LOW_SPEED_LIMIT, (long) settings->low_speed_limit);
      SET (CURLOPT_LOW_SPEED_TIME, (long) settings->low_speed_time);
    }
  /* A HEAD response announces a length it does not send. A body held in
   * memory is at most 4 GiB (a GByteArray's guint): one announced as
   * larger is refused before it is read, even with no cap. */
  if (!is_head)
    {
      guint64 cap = settings->max_body_size;

      if (exchange->on_chunk == NULL && (cap == 0 || cap > G_MAXUINT - 1))
        cap = G_MAXUINT - 1;
      if (cap != 0)
        SET (CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) MIN (cap, G_MAXINT64));
    }

  if (exchange->user_agent != NULL)
    SET (CURLOPT_USERAGENT, exchange->user_agent);

  if (is_head)
    SET (CURLOPT_NOBODY, 1L);
  else if (strcmp (exchange->method, "GET") != 0 && strcmp (exchange->method, "POST") != 0)
    SET (CURLOPT_CUSTOMREQUEST, exchange->method);
  else if (strcmp (exchange->method, "GET") == 0 && has_body)
    SET (CURLOPT_CUSTOMREQUEST, "GET");
  if (!setup_body (transfer, easy))
    return FALSE;

  SET (CURLOPT_HEADERFUNCTION, on_header);
  SET (CURLOPT_WRITEFUNCTION, on_write);
  SET (CURLOPT_XFERINFOFUNCTION, on_progress);
  SET (CURLOPT_NOPROGRESS, 0L);
  setup_own_options (transfer, easy);

  if (transfer->refused != CURLE_OK)
    return refused (transfer);
  if (plain)
    {
      handle->plain = TRUE;
      async_http_settings_copy (&handle->plain_settings, settings);
      handle->plain_user_agent = g_strdup (exchange->user_agent);
      handle->plain_streamed = exchange->on_chunk != NULL;
    }
  return TRUE;
}

#undef SET

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
collect_timings (Transfer *transfer)
{
  AsyncHttpTimings *timings = &transfer->exchange->response->timings;
  CURL *easy = transfer->easy;

  timings->name_lookup = seconds_of (easy, CURLINFO_NAMELOOKUP_TIME_T);
  timings->connect = seconds_of (easy, CURLINFO_CONNECT_TIME_T);
  timings->tls = seconds_of (easy, CURLINFO_APPCONNECT_TIME_T);
  timings->first_byte = seconds_of (easy, CURLINFO_STARTTRANSFER_TIME_T);
  timings->total = seconds_of (easy, CURLINFO_TOTAL_TIME_T);
}

gboolean
async_http_transfer_run (AsyncHttpExchange *exchange,
                         AsyncHttpHandle   *handle,
                         AsyncHttpHop      *hop)
{
  Transfer transfer = { exchange, handle->easy, NULL, NULL, NULL, NULL, FALSE, CURLE_OK, NULL, { 0 } };
  gboolean ok = FALSE;
  CURLcode code;

  hop->redirect_url = NULL;
  hop->retry_after = -1;
  if (setup_transfer (&transfer, handle))
    {
      ok = perform (&transfer, handle, &code) && code == CURLE_OK;
      if (ok)
        {
          char *location = NULL;
          curl_off_t retry_after = 0;

          if (!transfer.head_seen)
            collect_head (&transfer);
          collect_timings (&transfer);
          curl_easy_getinfo (handle->easy, CURLINFO_REDIRECT_URL, &location);
          hop->redirect_url = g_strdup (location);
          if (curl_easy_getinfo (handle->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK
              && async_http_response_get_header (exchange->response, "Retry-After") != NULL)
            hop->retry_after = retry_after;
        }
      else
        set_curl_error (&transfer, code);
    }

  /* The next hop sets its own options, or those of a plain GET stay;
   * connections and cookies stay. Nothing points into this frame. */
  if (handle->plain)
    {
      curl_easy_setopt (handle->easy, CURLOPT_ERRORBUFFER, NULL);
      curl_easy_setopt (handle->easy, CURLOPT_HTTPHEADER, NULL);
      curl_easy_setopt (handle->easy, CURLOPT_HEADERDATA, NULL);
      curl_easy_setopt (handle->easy, CURLOPT_WRITEDATA, NULL);
      curl_easy_setopt (handle->easy, CURLOPT_XFERINFODATA, NULL);
    }
  else
    async_http_handle_reset (handle);
  curl_slist_free_all (transfer.headers);
  curl_mime_free (transfer.mime);
  g_clear_object (&transfer.upload);
  g_clear_error (&transfer.upload_error);
  return ok;
}

/* ---------------------------------------------------------------- cookies */

gboolean
async_http_handle_set_cookies (AsyncHttpHandle *handle,
                               GPtrArray       *lines)
{
  gboolean ok = TRUE;
  guint i;

  /* Any line that is not a command starts the engine, which
   * curl_easy_reset () keeps; a comment adds no cookie. Not
   * CURLOPT_COOKIEFILE "": curl 7.88 leaks its list of files across a
   * reset (curl#10694, fixed in 8.0). */
  if (!handle->cookie_engine)
    {
      ok &= curl_easy_setopt (handle->easy, CURLOPT_COOKIELIST, "# async-glib") == CURLE_OK;
      handle->cookie_engine = ok;
    }
  ok &= curl_easy_setopt (handle->easy, CURLOPT_COOKIELIST, "ALL") == CURLE_OK;
  for (i = 0; i < lines->len; i++)
    ok &= curl_easy_setopt (handle->easy, CURLOPT_COOKIELIST, lines->pdata[i]) == CURLE_OK;
  return ok;
}

static GPtrArray *
cookies_of (CURL *easy)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  struct curl_slist *list = NULL, *item;

  curl_easy_getinfo (easy, CURLINFO_COOKIELIST, &list);
  for (item = list; item != NULL; item = item->next)
    g_ptr_array_add (lines, g_strdup (item->data));
  curl_slist_free_all (list);
  return lines;
}

GPtrArray *
async_http_handle_get_cookies (AsyncHttpHandle *handle)
{
  return cookies_of (handle->easy);
}

gboolean
async_http_transfer_read_cookie_file (const char  *path,
                                      GPtrArray   *lines,
                                      GError     **error)
{
  CURL *easy;
  GPtrArray *read;
  guint i;

  /* curl reads a missing file as an empty jar: say so instead. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || g_access (path, R_OK) != 0)
    {
      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                   "Cannot read the cookie file %s: not a readable file", path);
      return FALSE;
    }
  easy = curl_easy_init ();
  /* The file is read when the engine is first used: RELOAD does. */
  if (curl_easy_setopt (easy, CURLOPT_COOKIEFILE, path) != CURLE_OK
      || curl_easy_setopt (easy, CURLOPT_COOKIELIST, "RELOAD") != CURLE_OK)
    {
      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_UNSUPPORTED_OPTION,
                   "Cannot read the cookie file %s: libcurl refused it", path);
      curl_easy_cleanup (easy);
      return FALSE;
    }
  read = cookies_of (easy);
  for (i = 0; i < read->len; i++)
    g_ptr_array_add (lines, g_strdup (read->pdata[i]));
  g_ptr_array_unref (read);
  curl_easy_cleanup (easy);
  return TRUE;
}

gboolean
async_http_transfer_write_cookie_file (const char  *path,
                                       GPtrArray   *lines,
                                       GError     **error)
{
  /* curl says nothing when it cannot write: it writes to a file of ours,
   * empty until then, which replaces @path only once it holds the jar. */
  char *temporary = g_strconcat (path, ".part-XXXXXX", NULL);
  int fd = g_mkstemp (temporary);
  gboolean ok;
  GStatBuf written;
  CURL *easy;
  guint i;

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                   "Cannot write the cookie file %s: %s", path, g_strerror (saved_errno));
      g_free (temporary);
      return FALSE;
    }
  close (fd);

  easy = curl_easy_init ();
  ok = curl_easy_setopt (easy, CURLOPT_COOKIELIST, "# async-glib") == CURLE_OK;
  for (i = 0; ok && i < lines->len; i++)
    ok = curl_easy_setopt (easy, CURLOPT_COOKIELIST, lines->pdata[i]) == CURLE_OK;
  ok = ok && curl_easy_setopt (easy, CURLOPT_COOKIEJAR, temporary) == CURLE_OK;
  /* The jar is written when the handle is cleaned up. */
  curl_easy_cleanup (easy);

  ok = ok && g_stat (temporary, &written) == 0 && written.st_size > 0
       && g_rename (temporary, path) == 0;
  if (!ok)
    {
      g_unlink (temporary);
      g_set_error (error, ASYNC_HTTP_ERROR, ASYNC_HTTP_ERROR_FILE,
                   "Cannot write the cookie file %s", path);
    }
  g_free (temporary);
  return ok;
}
