/* pool-private.h: the inside of AsyncPool for producers in lib/ (the HTTP
 * session) that queue their own work items instead of AsyncThreadFunc jobs. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before pool-private.h"
#endif

#include "async-glib/async-pool.h"

G_BEGIN_DECLS

typedef struct _AsyncPoolItem AsyncPoolItem;

/* Runs on a worker thread, exactly once per pushed item. @run is FALSE when
 * the pool was shut down with cancel_queued before the item started: the
 * owner then settles its work as not done. The pool does not touch @item
 * after calling this, so the function may free it. */
typedef void (*AsyncPoolItemFunc) (AsyncPoolItem *item,
                                   gboolean       run);

/* Embedded in the owner's struct. The pool neither holds a scheduler nor a
 * reference for the item: the owner keeps both until its function ran. */
struct _AsyncPoolItem
{
  AsyncPoolItemFunc func;
  /* Private to the pool. */
  GList             link;     /* in the pool's queue while queued */
  gboolean          skip;     /* set by a cancelling shutdown */
};

/* Queues @item behind everything already submitted. FALSE with
 * ASYNC_ERROR_POOL_SHUT_DOWN once the pool was shut down; the item is then
 * not queued and its function never runs. */
gboolean async_pool_push_item (AsyncPool      *pool,
                               AsyncPoolItem  *item,
                               GError        **error);

G_END_DECLS
