/* hello-world: the tutorial's task 1, a coroutine that awaits a sleep.
 *
 *   import asyncio
 *
 *   async def hello_world():
 *       print("Hello")
 *       await asyncio.sleep(1)
 *       print("World")
 *
 *   asyncio.run(hello_world())
 *
 * Prints "Hello", then "World" one second later. Run: ./samples/hello-world
 */

#include <async-glib/async-glib.h>

static void
hello_world (AsyncCoroutine *co,
             gpointer        frame)
{
  ASYNC_BEGIN (co);

  g_print ("Hello\n");
  ASYNC_AWAIT (co, async_sleep (1));
  g_print ("World\n");

  ASYNC_END (co);
}

int
main (void)
{
  g_autoptr (AsyncFuture) done = async_run_coroutine (hello_world, NULL, NULL);
  g_autoptr (GError) error = NULL;

  if (!async_future_propagate_error (done, &error))
    {
      g_printerr ("hello-world: %s\n", error->message);
      return 1;
    }

  return 0;
}
