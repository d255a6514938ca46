/* types.c: the boxed GTypes of the ref-counted types, copied with their
 * _ref () and freed with their _unref (). A new type is one line here (and
 * its declaration in async-types.h). */

#include "config.h"

#include "async-glib/async-barrier.h"
#include "async-glib/async-condition.h"
#include "async-glib/async-event.h"
#include "async-glib/async-future.h"
#include "async-glib/async-http-request.h"
#include "async-glib/async-http-response.h"
#include "async-glib/async-http-session.h"
#include "async-glib/async-lock.h"
#include "async-glib/async-loop.h"
#include "async-glib/async-pool.h"
#include "async-glib/async-queue.h"
#include "async-glib/async-semaphore.h"
#include "async-glib/async-server.h"
#include "async-glib/async-stream.h"
#include "async-glib/async-subprocess.h"
#include "async-glib/async-task-group.h"
#include "async-glib/async-timeout.h"
#include "async-glib/async-types.h"

G_DEFINE_BOXED_TYPE (AsyncBarrier, async_barrier, async_barrier_ref, async_barrier_unref)
G_DEFINE_BOXED_TYPE (AsyncCondition, async_condition, async_condition_ref, async_condition_unref)
G_DEFINE_BOXED_TYPE (AsyncEvent, async_event, async_event_ref, async_event_unref)
G_DEFINE_BOXED_TYPE (AsyncFuture, async_future, async_future_ref, async_future_unref)
G_DEFINE_BOXED_TYPE (AsyncHandle, async_handle, async_handle_ref, async_handle_unref)
G_DEFINE_BOXED_TYPE (AsyncHttpRequest, async_http_request, async_http_request_ref, async_http_request_unref)
G_DEFINE_BOXED_TYPE (AsyncHttpResponse, async_http_response, async_http_response_ref, async_http_response_unref)
G_DEFINE_BOXED_TYPE (AsyncHttpSession, async_http_session, async_http_session_ref, async_http_session_unref)
G_DEFINE_BOXED_TYPE (AsyncLock, async_lock, async_lock_ref, async_lock_unref)
G_DEFINE_BOXED_TYPE (AsyncPool, async_pool, async_pool_ref, async_pool_unref)
G_DEFINE_BOXED_TYPE (AsyncQueue, async_queue, async_queue_ref, async_queue_unref)
G_DEFINE_BOXED_TYPE (AsyncSemaphore, async_semaphore, async_semaphore_ref, async_semaphore_unref)
G_DEFINE_BOXED_TYPE (AsyncServer, async_server, async_server_ref, async_server_unref)
G_DEFINE_BOXED_TYPE (AsyncStream, async_stream, async_stream_ref, async_stream_unref)
G_DEFINE_BOXED_TYPE (AsyncSubprocess, async_subprocess, async_subprocess_ref, async_subprocess_unref)
G_DEFINE_BOXED_TYPE (AsyncTaskGroup, async_task_group, async_task_group_ref, async_task_group_unref)
G_DEFINE_BOXED_TYPE (AsyncTimeout, async_timeout, async_timeout_ref, async_timeout_unref)
