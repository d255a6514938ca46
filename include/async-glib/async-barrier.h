/* async-barrier.h: AsyncBarrier, asyncio.Barrier: waits that resolve
 * together once a number of parties have arrived. */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncBarrier:
 *
 * asyncio's `Barrier(parties)`: each wait resolves once @parties waits are
 * pending, all at once, each with its arrival index (0 for the first,
 * parties - 1 for the last). The barrier is then ready for the next round
 * at once: asyncio's "draining" state, which holds back new arrivals until
 * every woken task has run, is not needed, as every wait of a round is
 * resolved in the same call.
 *
 * Thread safety: loop-local, as asyncio's: every function must be called on
 * the thread that runs the context the barrier is used on. Cancelling a
 * wait's future from another thread is safe (it is marshalled there).
 *
 * Since: 0.2
 */
typedef struct _AsyncBarrier AsyncBarrier;

ASYNC_AVAILABLE_IN_0_2
AsyncBarrier *async_barrier_new           (guint         parties);
ASYNC_AVAILABLE_IN_0_2
AsyncBarrier *async_barrier_ref           (AsyncBarrier *barrier);
ASYNC_AVAILABLE_IN_0_2
void          async_barrier_unref         (AsyncBarrier *barrier);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture  *async_barrier_wait          (AsyncBarrier *barrier) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
void          async_barrier_reset         (AsyncBarrier *barrier);
ASYNC_AVAILABLE_IN_0_2
void          async_barrier_abort         (AsyncBarrier *barrier);
ASYNC_AVAILABLE_IN_0_2
guint         async_barrier_get_parties   (AsyncBarrier *barrier);
ASYNC_AVAILABLE_IN_0_2
guint         async_barrier_get_n_waiting (AsyncBarrier *barrier);
ASYNC_AVAILABLE_IN_0_2
gboolean      async_barrier_is_broken     (AsyncBarrier *barrier);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncBarrier, async_barrier_unref)

G_END_DECLS
