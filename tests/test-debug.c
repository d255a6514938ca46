/* test-debug.c: the debug mode, ASYNC_GLIB_DEBUG=slow-callbacks: a
 * callback or coroutine step that holds the loop for 100 ms or more is
 * named in a warning, as asyncio's debug mode with slow_callback_duration
 * (CPython test_base_events.py test_log_slow_callbacks). The switch is
 * read when the first scheduler is made, so this program sets it first. */

#include "config.h"

#include "test-util.h"

typedef struct
{
  gulong busy_usec;
} Hog;

/* Holding the loop is the point here: the step is slow on purpose. */
ASYNC_DEFINE_COROUTINE (hog, Hog)
{
  ASYNC_BEGIN (co);
  async_coroutine_set_name (co, "hog");
  g_usleep (self->busy_usec);
  ASYNC_END (co);
}

static void
test_names_the_coroutine (void)
{
  AsyncFuture *task = async_spawn_with (hog, Hog, .busy_usec = 150 * 1000);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_WARNING,
                         "Executing 'hog' (spawned at *test-debug.c:*) took * seconds");
  test_await (task, 5);
  g_test_assert_expected_messages ();
  async_future_unref (task);
}

/* Quick steps say nothing (a warning would fail the test: GTest makes
 * them fatal). */
static void
test_quick_steps_quiet (void)
{
  guint i;

  for (i = 0; i < 20; i++)
    {
      AsyncFuture *task = async_spawn_with (hog, Hog, .busy_usec = 0);

      test_await (task, 5);
      async_future_unref (task);
    }
}

static void
slow_continuation (AsyncFuture *future,
                   gpointer     user_data)
{
  g_usleep (150 * 1000);
  *(gboolean *) user_data = TRUE;
}

/* A plain continuation is named by the future it continues. */
static void
test_names_a_continuation (void)
{
  AsyncFuture *future = async_future_new ();
  gboolean ran = FALSE;

  async_future_then (future, slow_continuation, &ran, NULL);
  async_future_resolve_int (future, 1);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_WARNING,
                         "Executing a continuation * of the future created at *test-debug.c:* took *");
  test_spin_until (&ran, 5);
  g_test_assert_expected_messages ();
  async_future_unref (future);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("ASYNC_GLIB_DEBUG", "slow-callbacks", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/debug/slow-callbacks/names-the-coroutine", test_names_the_coroutine);
  g_test_add_func ("/debug/slow-callbacks/quick-steps-quiet", test_quick_steps_quiet);
  g_test_add_func ("/debug/slow-callbacks/names-a-continuation", test_names_a_continuation);

  return g_test_run ();
}
