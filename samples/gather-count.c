/* gather-count: the tutorial's task 2, two coroutines run concurrently with
 * gather.
 *
 *   import asyncio
 *
 *   async def count_to_three():
 *       for i in range(1, 4):
 *           print(i)
 *           await asyncio.sleep(1)
 *
 *   async def count_down_from_three():
 *       for i in range(3, 0, -1):
 *           print(i)
 *           await asyncio.sleep(1)
 *
 *   asyncio.run(asyncio.gather(count_to_three(), count_down_from_three()))
 *
 * Prints "1" "3" at once, "2" "2" a second later, "3" "1" a second after
 * that, and ends at three seconds. Run: ./samples/gather-count
 */

#include <async-glib/async-glib.h>

/* What a coroutine keeps across its awaits: here, the loop counter. A
 * plain local would not survive an await; the frame does. */
typedef struct
{
  int i;
} Counter;

/* The body sees its frame as `self`, a Counter. */
ASYNC_DEFINE_COROUTINE (count_to_three, Counter)
{
  ASYNC_BEGIN (co);

  for (self->i = 1; self->i < 4; self->i++)
    {
      g_print ("%d\n", self->i);
      ASYNC_AWAIT (co, async_sleep (1));
    }

  ASYNC_END (co);
}

ASYNC_DEFINE_COROUTINE (count_down_from_three, Counter)
{
  ASYNC_BEGIN (co);

  for (self->i = 3; self->i > 0; self->i--)
    {
      g_print ("%d\n", self->i);
      ASYNC_AWAIT (co, async_sleep (1));
    }

  ASYNC_END (co);
}

static AsyncFuture *
gather_counters (gpointer user_data)
{
  /* Spawned in two statements: C leaves the order in which a call's
   * arguments are evaluated open, and the first spawned prints first.
   * async_spawn_with () allocates each a Counter of zeros. */
  AsyncFuture *up = async_spawn_with (count_to_three, Counter, 0);
  AsyncFuture *down = async_spawn_with (count_down_from_three, Counter, 0);

  return async_gather (up, down);
}

int
main (void)
{
  g_autoptr (AsyncFuture) done = async_run (gather_counters, NULL);
  g_autoptr (GError) error = NULL;

  if (!async_future_propagate_error (done, &error))
    {
      g_printerr ("gather-count: %s\n", error->message);
      return 1;
    }

  return 0;
}
