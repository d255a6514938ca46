/* test-timer-heap.c: the scheduler's timer heap on its own (lib/timer-heap.c,
 * compiled into this program: it is private to the library). Random adds,
 * removals and pops against a plain sorted model: the earliest deadline
 * first, equal deadlines in the order they were added, every timer's place
 * kept, and the saturating deadlines. */

#include "config.h"

#include <math.h>

#include <glib.h>

#include "timer-heap-private.h"

typedef struct
{
  AsyncTimer timer;
  gint64     deadline;
  guint      added;      /* the model's order */
  gboolean   on_heap;
} Item;

static gint
item_compare (gconstpointer a,
              gconstpointer b)
{
  const Item *x = *(Item * const *) a;
  const Item *y = *(Item * const *) b;

  if (x->deadline != y->deadline)
    return x->deadline < y->deadline ? -1 : 1;
  return x->added < y->added ? -1 : (x->added > y->added);
}

/* The model's earliest, or NULL. */
static Item *
model_first (GPtrArray *model)
{
  if (model->len == 0)
    return NULL;
  g_ptr_array_sort (model, item_compare);
  return g_ptr_array_index (model, 0);
}

static void
run_random (guint n_items,
            guint n_deadlines,
            guint seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  Item *items = g_new0 (Item, n_items);
  GPtrArray *model = g_ptr_array_new ();
  AsyncTimerHeap heap;
  guint added = 0, step;

  async_timer_heap_init (&heap);

  for (step = 0; step < n_items * 4; step++)
    {
      guint action = g_rand_int_range (rand, 0, 10);
      Item *item = &items[g_rand_int_range (rand, 0, n_items)];

      if (action < 5 && !item->on_heap)
        {
          Item *first = model_first (model);
          gboolean earliest;

          /* Few distinct deadlines: ties are common. */
          item->deadline = g_rand_int_range (rand, 0, n_deadlines);
          item->added = added++;
          item->on_heap = TRUE;
          earliest = async_timer_heap_add (&heap, &item->timer, item->deadline);
          g_ptr_array_add (model, item);
          g_assert_cmpint (earliest, ==, first == NULL || item->deadline < first->deadline);
        }
      else if (action < 7 && item->on_heap)
        {
          async_timer_heap_remove (&heap, &item->timer);
          g_assert_cmpuint (item->timer.heap_index, ==, 0);
          item->on_heap = FALSE;
          g_assert_true (g_ptr_array_remove (model, item));
        }
      else
        {
          Item *first = model_first (model);
          gint64 now = g_rand_int_range (rand, 0, n_deadlines);
          AsyncTimer *popped = async_timer_heap_pop_expired (&heap, now);

          if (first == NULL || first->deadline > now)
            {
              g_assert_null (popped);
            }
          else
            {
              g_assert_true (popped == &first->timer);
              g_assert_cmpuint (first->timer.heap_index, ==, 0);
              first->on_heap = FALSE;
              g_ptr_array_remove_index (model, 0);
            }
        }

      g_assert_cmpuint (heap.length, ==, model->len);
      g_assert_cmpint (async_timer_heap_next_deadline (&heap), ==,
                       model->len > 0 ? model_first (model)->deadline : G_MAXINT64);
    }

  /* What is left comes out in the model's order. */
  g_ptr_array_sort (model, item_compare);
  for (step = 0; step < model->len; step++)
    {
      Item *item = g_ptr_array_index (model, step);

      g_assert_true (async_timer_heap_pop_expired (&heap, G_MAXINT64) == &item->timer);
    }
  g_assert_null (async_timer_heap_pop_expired (&heap, G_MAXINT64));

  async_timer_heap_clear (&heap);
  g_ptr_array_unref (model);
  g_free (items);
  g_rand_free (rand);
}

static void
test_random_ties (void)
{
  guint seed;

  for (seed = 1; seed <= 20; seed++)
    run_random (200, 8, seed);
}

static void
test_random_spread (void)
{
  run_random (5000, G_MAXINT32, 7);
}

/* Equal deadlines leave in the order they came, also past the wrap of the
 * sequence numbers. */
static void
test_fifo_across_wrap (void)
{
  AsyncTimerHeap heap;
  Item items[6] = { { { 0 } } };
  guint i;

  async_timer_heap_init (&heap);
  heap.sequence = G_MAXUINT - 2;
  for (i = 0; i < G_N_ELEMENTS (items); i++)
    async_timer_heap_add (&heap, &items[i].timer, 100);
  for (i = 0; i < G_N_ELEMENTS (items); i++)
    g_assert_true (async_timer_heap_pop_expired (&heap, 100) == &items[i].timer);
  async_timer_heap_clear (&heap);
}

static void
test_deadlines_saturate (void)
{
  gint64 now = g_get_monotonic_time ();

  g_assert_cmpint (async_deadline_after_usec (G_MAXINT64), ==, ASYNC_DEADLINE_NEVER);
  g_assert_cmpint (async_deadline_after_usec (G_MAXINT64 - 1), ==, ASYNC_DEADLINE_NEVER);
  g_assert_cmpint (async_deadline_after_seconds (1e300), ==, ASYNC_DEADLINE_NEVER);
  g_assert_cmpint (async_deadline_after_seconds (INFINITY), ==, ASYNC_DEADLINE_NEVER);
  g_assert_cmpint (async_deadline_after_usec (0), >=, now);
  g_assert_cmpint (async_deadline_after_seconds (-5), <=, g_get_monotonic_time ());
  g_assert_cmpint (async_deadline_after_seconds (1e-7), >=, now + 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/timer-heap/random/ties", test_random_ties);
  g_test_add_func ("/timer-heap/random/spread", test_random_spread);
  g_test_add_func ("/timer-heap/fifo-across-wrap", test_fifo_across_wrap);
  g_test_add_func ("/timer-heap/deadlines-saturate", test_deadlines_saturate);

  return g_test_run ();
}
