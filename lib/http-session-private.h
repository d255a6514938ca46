/* http-session-private.h: the inside of AsyncHttpSession, shared by the
 * files of the HTTP client: the session (http-session.c) and its cookie jar
 * (http-cookie-jar.c), the exchanges in flight (http-exchange.c, with
 * http-hops.c, http-download.c and http-body-reader.c), the per-host queue
 * (http-host-queue.c) and the curl transfer (http-transfer.c). */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before http-session-private.h"
#endif

#include "async-glib/async-http-session.h"
#include "pool-private.h"

G_BEGIN_DECLS

typedef struct _AsyncHttpHandle AsyncHttpHandle;
typedef struct _AsyncHttpShare  AsyncHttpShare;

/* The retry policy: how many attempts, how long between them, what is
 * worth another attempt. */
typedef struct
{
  guint    attempts;            /* 1: no retry */
  double   base_delay;          /* seconds before the second attempt */
  double   max_delay;           /* the cap of a delay, Retry-After included */
  guint    statuses[16];        /* retried statuses, 0-terminated */
} AsyncHttpRetry;

/* What an exchange copies from the session when it is made (strings are
 * its own copies: async_http_settings_copy () and _clear ()). */
typedef struct
{
  guint64        max_body_size;
  double         timeout;
  double         connect_timeout;
  guint          low_speed_limit;
  guint          low_speed_time;
  guint          max_redirects;
  gboolean       verify_tls;
  gboolean       raise_for_status;
  gboolean       cookies_enabled;
  gboolean       trust_env;
  char          *proxy;             /* NULL: none (or the environment's) */
  char          *no_proxy;
  char          *ca_file;
  char          *client_cert;
  char          *client_key;
  AsyncHttpRetry retry;
} AsyncHttpSettings;

void async_http_settings_copy  (AsyncHttpSettings       *to,
                                const AsyncHttpSettings *from);
void async_http_settings_clear (AsyncHttpSettings       *settings);

/*
 * Thread safety: every field below @lock is protected by it. An exchange
 * holds a reference on its session for its whole life, so a cancellation
 * from any thread finds the session alive.
 */
struct _AsyncHttpSession
{
  gatomicrefcount   ref_count;
  GMutex            lock;
  guint             limit;
  guint             limit_per_host;
  AsyncHttpSettings settings;
  char             *user_agent;
  char             *base_url;
  char             *authorization;     /* the default Authorization value */
  GPtrArray        *default_headers;   /* "Name: value" */
  GHashTable       *cookies;           /* cookie key → Netscape line */
  guint64           cookie_generation; /* changes with the jar; from 1 */
  gint64            cookie_expiry;     /* the jar's first expiry, Unix seconds; 0: none */
  AsyncPool        *pool;              /* made by the first request */
  guint             max_runners;       /* @limit, or fewer if the descriptors are
                                        * fewer: set with @pool */
  gboolean          closed;
  GQueue            exchanges;         /* AsyncHttpExchange.link: not ended yet */
  GHashTable       *hosts;             /* host key → AsyncHttpHost */
  GQueue            ready;             /* AsyncHttpExchange.wait_link: given a host
                                        * slot, waiting for a runner */
  guint             n_runners;         /* runners in the pool, queued or running */
  GPtrArray        *done;              /* AsyncHttpDone *: exchanges ended on a
                                        * worker, one batch per scheduler */
  GPtrArray        *idle_handles;      /* AsyncHttpHandle *, the warmest last */
  char             *memo_authority;    /* "scheme://authority" of the last URL keyed */
  char             *memo_host_key;     /* and its host key */
  AsyncHttpShare   *share;             /* DNS only */
};

/* TRUE if @text[0, @length) is an HTTP token (RFC 9110): a method or a
 * header name. */
gboolean async_http_is_token     (const char  *text,
                                  gsize        length);
/* A "Name: value" line, as curl takes it; a value may be empty ("Accept:"
 * removes a header curl would add). FALSE with INVALID_HEADER otherwise. */
gboolean async_http_check_header (const char  *line,
                                  GError     **error);

/* The cookie jar: lines in curl's Netscape format, keyed by domain, path
 * and name, so that what concurrent transfers learnt merges back. */
GPtrArray *async_http_cookie_jar_snapshot_unlocked (AsyncHttpSession *session);
void       async_http_cookie_jar_merge_unlocked    (AsyncHttpSession *session,
                                                    GPtrArray        *before,
                                                    GPtrArray        *after);

/* What an easy handle's cookie engine holds, so that a transfer skips
 * loading the jar into it again while the jar has not changed. */
#define ASYNC_HTTP_JAR_EMPTY   0                   /* nothing: cookies are off */
#define ASYNC_HTTP_JAR_UNKNOWN G_MAXUINT64         /* to be loaded again */

typedef struct
{
  guint64    generation;   /* the session's cookie_generation it was loaded from */
  GPtrArray *lines;        /* what it was loaded with */
} AsyncHttpHandleJar;

G_END_DECLS
