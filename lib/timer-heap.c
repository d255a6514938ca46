/* timer-heap.c: the scheduler's timer heap and the one place deadlines are
 * computed. */

#include "config.h"

#include <math.h>

#include "timer-heap-private.h"

/* Wrapping sequence numbers compare by their difference, so FIFO order of
 * equal deadlines survives the wrap. */
static inline gboolean
entry_before (const AsyncTimerHeapEntry *a,
              const AsyncTimerHeapEntry *b)
{
  if (a->deadline != b->deadline)
    return a->deadline < b->deadline;

  return (gint) (a->sequence - b->sequence) < 0;
}

static inline void
heap_set (AsyncTimerHeap      *heap,
          guint                index,
          AsyncTimerHeapEntry  entry)
{
  heap->entries[index] = entry;
  entry.timer->heap_index = index;
}

static void
heap_sift_up (AsyncTimerHeap *heap,
              guint           index)
{
  AsyncTimerHeapEntry entry = heap->entries[index];

  while (index > 1 && entry_before (&entry, &heap->entries[index / 2]))
    {
      heap_set (heap, index, heap->entries[index / 2]);
      index /= 2;
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
      guint child = index * 2;

      if (child > heap->length)
        break;
      if (child < heap->length &&
          entry_before (&heap->entries[child + 1], &heap->entries[child]))
        child++;
      if (!entry_before (&heap->entries[child], &entry))
        break;
      heap_set (heap, index, heap->entries[child]);
      index = child;
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

  if (heap->length + 1 >= heap->size)
    {
      heap->size *= 2;
      heap->entries = g_renew (AsyncTimerHeapEntry, heap->entries, heap->size);
    }

  heap->length++;
  heap_set (heap, heap->length,
            (AsyncTimerHeapEntry) { deadline, heap->sequence++, timer });
  heap_sift_up (heap, heap->length);

  return timer->heap_index == 1;
}

void
async_timer_heap_remove (AsyncTimerHeap *heap,
                         AsyncTimer     *timer)
{
  guint index = timer->heap_index;
  AsyncTimerHeapEntry last = heap->entries[heap->length--];

  g_assert (index != 0);

  timer->heap_index = 0;
  if (last.timer == timer)
    return;

  heap_set (heap, index, last);
  if (index > 1 && entry_before (&last, &heap->entries[index / 2]))
    heap_sift_up (heap, index);
  else
    heap_sift_down (heap, index);
}

AsyncTimer *
async_timer_heap_pop_expired (AsyncTimerHeap *heap,
                              gint64          now)
{
  AsyncTimer *timer;

  if (heap->length == 0 || heap->entries[1].deadline > now)
    return NULL;

  timer = heap->entries[1].timer;
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
