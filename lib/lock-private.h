/* lock-private.h: what AsyncCondition needs of AsyncLock: queueing one of
 * its own waiters for the lock. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before lock-private.h"
#endif

#include "async-glib/async-lock.h"
#include "waiter-private.h"

G_BEGIN_DECLS

/* Takes the lock for @waiter: its ->granted runs at once if the lock is
 * free and nobody waits, or when a release hands it over. The lock's list
 * holds @waiter meanwhile. */
void     async_lock_acquire_for  (AsyncLock   *lock,
                                  AsyncWaiter *waiter);
/* TRUE if @waiter is queued for @lock. */
gboolean async_lock_is_queued    (AsyncLock   *lock,
                                  AsyncWaiter *waiter);

G_END_DECLS
