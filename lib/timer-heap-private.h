/* timer-heap-private.h: the scheduler's binary min-heap of timers, ordered
 * by deadline and then by the order they were added (as libuv's
 * heap-inl.h). Not thread-safe: the scheduler guards it with its lock. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before timer-heap-private.h"
#endif

#include <glib.h>

G_BEGIN_DECLS

/* A timer, embedded in its owner. @callback runs on the scheduler's thread
 * with @fired TRUE once the deadline has passed, or with @fired FALSE when
 * the scheduler closes first; either way the timer is off the heap by then.
 * A timer callback must not run user code that could iterate the context:
 * it settles futures, whose continuations run later. */
typedef struct _AsyncTimer AsyncTimer;
struct _AsyncTimer
{
  guint    heap_index;   /* the entry's position + 1; 0 when not on the heap */
  guint    sequence;     /* the order it was added in, for equal deadlines */
  void   (*callback) (AsyncTimer *timer,
                      gboolean    fired);
};

/* The heap holds the deadlines, so that sifting reads only the heap array;
 * a timer is read only to break a tie of deadlines, and written when its
 * entry moves. 16 bytes: four children share a cache line. */
typedef struct
{
  gint64      deadline;
  AsyncTimer *timer;
} AsyncTimerHeapEntry;

/* A 4-ary heap (as Go's runtime timers): half the depth of a binary one,
 * so a pop through a million timers moves half as many entries and touches
 * half as many cache lines and timers, for a few more comparisons. */
typedef struct
{
  AsyncTimerHeapEntry *entries;   /* 0-based; the children of i are 4i+1 … 4i+4 */
  guint                length;
  guint                size;
  guint                sequence;
} AsyncTimerHeap;

void        async_timer_heap_init    (AsyncTimerHeap *heap);
void        async_timer_heap_clear   (AsyncTimerHeap *heap);
/* Adds @timer, due at @deadline (g_get_monotonic_time () µs; see
 * async_deadline_*); TRUE if it is now the earliest. */
gboolean    async_timer_heap_add     (AsyncTimerHeap *heap,
                                      AsyncTimer     *timer,
                                      gint64          deadline);
void        async_timer_heap_remove  (AsyncTimerHeap *heap,
                                      AsyncTimer     *timer);
/* Removes and returns the earliest timer if its deadline is at or before
 * @now, else NULL. */
AsyncTimer *async_timer_heap_pop_expired (AsyncTimerHeap *heap,
                                          gint64          now);

/* The earliest deadline, G_MAXINT64 for an empty heap. */
static inline gint64
async_timer_heap_next_deadline (const AsyncTimerHeap *heap)
{
  return heap->length > 0 ? heap->entries[0].deadline : G_MAXINT64;
}

/* Deadlines. Every deadline of the library is computed here, saturating:
 * G_MAXINT64 is "never", and no sum overflows (as libuv's uv_timer_start
 * clamps). */
#define ASYNC_DEADLINE_NEVER G_MAXINT64

gint64      async_deadline_after_usec    (gint64 usec);
/* @seconds must not be NaN; +inf (and anything past the clock's range)
 * is never, 0 or less is now. */
gint64      async_deadline_after_seconds (double seconds);

G_END_DECLS
