/* types.c: the boxed GTypes of the ref-counted types, copied with their
 * _ref () and freed with their _unref (). A new type is one line here (and
 * its declaration in async-types.h). */

#include "config.h"

#include "async-glib/async-future.h"
#include "async-glib/async-http-response.h"
#include "async-glib/async-http-session.h"
#include "async-glib/async-pool.h"
#include "async-glib/async-types.h"

G_DEFINE_BOXED_TYPE (AsyncFuture, async_future, async_future_ref, async_future_unref)
G_DEFINE_BOXED_TYPE (AsyncHttpResponse, async_http_response, async_http_response_ref, async_http_response_unref)
G_DEFINE_BOXED_TYPE (AsyncHttpSession, async_http_session, async_http_session_ref, async_http_session_unref)
G_DEFINE_BOXED_TYPE (AsyncPool, async_pool, async_pool_ref, async_pool_unref)
