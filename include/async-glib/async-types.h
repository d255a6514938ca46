/* async-types.h: the boxed GTypes of async-glib's ref-counted types, so that
 * they fit in a GValue, a signal or a property. One type is one line in
 * lib/types.c and the two lines below; tests/test-gtypes-complete.sh fails
 * while a public type with a _ref function has none. */

/**
 * SECTION:async-types
 * @title: GTypes
 * @short_description: boxed GTypes of the ref-counted types
 *
 * Each ref-counted type has a boxed #GType (`ASYNC_TYPE_FUTURE`,
 * `ASYNC_TYPE_POOL`, `ASYNC_TYPE_QUEUE`, `ASYNC_TYPE_TASK_GROUP`, …)
 * whose copy takes a reference and whose free drops it, so that it fits in a
 * #GValue, a signal or a property; every enum and flags type has one too, made
 * by glib-mkenums (async-enum-types.h). A #GListStore holds #GObject
 * instances only, so these types go in a #GPtrArray instead, or in a
 * #GObject of the application's that wraps them.
 */

#pragma once

#if !defined (ASYNC_GLIB_INSIDE) && !defined (ASYNC_GLIB_COMPILATION)
# error "Only <async-glib/async-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include <async-glib/async-macros.h>

G_BEGIN_DECLS

#define ASYNC_TYPE_BARRIER (async_barrier_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_barrier_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_CONDITION (async_condition_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_condition_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_EVENT (async_event_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_event_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_FUTURE (async_future_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_future_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_HANDLE (async_handle_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_handle_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_HTTP_REQUEST (async_http_request_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_http_request_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_HTTP_RESPONSE (async_http_response_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_http_response_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_HTTP_SESSION (async_http_session_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_http_session_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_LOCK (async_lock_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_lock_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_POOL (async_pool_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_pool_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_QUEUE (async_queue_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_queue_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_SEMAPHORE (async_semaphore_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_semaphore_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_SERVER (async_server_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_server_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_STREAM (async_stream_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_stream_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_SUBPROCESS (async_subprocess_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_subprocess_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_TASK_GROUP (async_task_group_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_task_group_get_type (void) G_GNUC_CONST;

#define ASYNC_TYPE_TIMEOUT (async_timeout_get_type ())
ASYNC_AVAILABLE_IN_0_2 GType async_timeout_get_type (void) G_GNUC_CONST;

G_END_DECLS
