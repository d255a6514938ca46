/* timer-heap.c: the scheduler's timer heap and the one place deadlines are
 * computed. */

#include "config.h"

#include <math.h>

#include "timer-heap-private.h"

#define ARITY 4

/* Wrapping sequence numbers compare by their difference, so FIFO order of
 * equal deadlines survives the wrap. */
static inline gboolean
entry_before (const AsyncTimerHeapEntry *a,
              const AsyncTimerHeapEntry *b)
{
  if (a->deadline != b->deadline)
    return a->deadline < b->deadline;

  return (gint) (a->timer->sequence - b->timer->sequence) < 0;
}

static inline void
heap_set (AsyncTimerHeap      *heap,
          guint                index,
          AsyncTimerHeapEntry  entry)
{
  heap->entries[index] = entry;
  entry.timer->heap_index = index + 1;
}

static void
heap_sift_up (AsyncTimerHeap *heap,
              guint           index)
{
  AsyncTimerHeapEntry entry = heap->entries[index];

  while (index > 0)
    {
      guint parent = (index - 1) / ARITY;

      if (!entry_before (&entry, &heap->entries[parent]))
        break;
      heap_set (heap, index, heap->entries[parent]);
      index = parent;
    }
  heap_set (heap, index, entry);
}

static void
heap_sift_down (AsyncTimerHeap *heap,
                guint           index)
{
  AsyncTimerHeapEntry entry = heap->entries[index];

  for (;;)
    {
      guint first = index * ARITY + 1;
      guint last = MIN (first + ARITY, heap->length);
      guint child, best;

      if (first >= heap->length)
        break;
      best = first;
      for (child = first + 1; child < last; child++)
        if (entry_before (&heap->entries[child], &heap->entries[best]))
          best = child;
      if (!entry_before (&heap->entries[best], &entry))
        break;
      heap_set (heap, index, heap->entries[best]);
      index = best;
    }
  heap_set (heap, index, entry);
}

void
async_timer_heap_init (AsyncTimerHeap *heap)
{
  heap->size = 64;
  heap->length = 0;
  heap->sequence = 0;
  heap->entries = g_new (AsyncTimerHeapEntry, heap->size);
}

void
async_timer_heap_clear (AsyncTimerHeap *heap)
{
  g_clear_pointer (&heap->entries, g_free);
  heap->length = heap->size = 0;
}

gboolean
async_timer_heap_add (AsyncTimerHeap *heap,
                      AsyncTimer     *timer,
                      gint64          deadline)
{
  g_assert (timer->heap_index == 0);

  if (heap->length == heap->size)
    {
      heap->size *= 2;
      heap->entries = g_renew (AsyncTimerHeapEntry, heap->entries, heap->size);
    }

  timer->sequence = heap->sequence++;
  heap_set (heap, heap->length, (AsyncTimerHeapEntry) { deadline, timer });
  heap_sift_up (heap, heap->length++);

  return timer->heap_index == 1;
}

void
async_timer_heap_remove (AsyncTimerHeap *heap,
                         AsyncTimer     *timer)
{
  guint index = timer->heap_index - 1;
  AsyncTimerHeapEntry last;

  g_assert (timer->heap_index != 0);

  timer->heap_index = 0;
  last = heap->entries[--heap->length];
  if (last.timer == timer)
    return;

  heap_set (heap, index, last);
  if (index > 0 && entry_before (&last, &heap->entries[(index - 1) / ARITY]))
    heap_sift_up (heap, index);
  else
    heap_sift_down (heap, index);
}

AsyncTimer *
async_timer_heap_pop_expired (AsyncTimerHeap *heap,
                              gint64          now)
{
  AsyncTimer *timer;

  if (heap->length == 0 || heap->entries[0].deadline > now)
    return NULL;

  timer = heap->entries[0].timer;
  async_timer_heap_remove (heap, timer);

  return timer;
}

gint64
async_deadline_after_usec (gint64 usec)
{
  gint64 now = g_get_monotonic_time ();

  if (usec <= 0)
    return now;
  if (usec >= ASYNC_DEADLINE_NEVER - now)
    return ASYNC_DEADLINE_NEVER;

  return now + usec;
}

gint64
async_deadline_after_seconds (double seconds)
{
  double usec;

  g_assert (!isnan (seconds));

  usec = ceil (seconds * G_USEC_PER_SEC);
  /* Compared as doubles before the conversion, which is undefined for a
   * value out of gint64's range. 2^62 µs is 146,000 years. */
  if (usec >= 4611686018427387904.0)
    return ASYNC_DEADLINE_NEVER;

  return async_deadline_after_usec ((gint64) usec);
}
