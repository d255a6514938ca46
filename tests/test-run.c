/* test-run.c: async_run (): a fresh thread-default context for the run,
 * the main future's outcome returned settled, and what is left running
 * cancelled and ended before it returns. */

#include "config.h"

#include "test-util.h"

typedef struct
{
  gint         *destroyed;
  double        delay;
  gint64        value;
  GMainContext *seen_context;
  gint          cleanups;
  AsyncFuture  *pending;
} Main;

static Main *
main_new (gint  *destroyed,
          double delay,
          gint64 value)
{
  Main *self = g_new0 (Main, 1);

  self->destroyed = destroyed;
  self->delay = delay;
  self->value = value;
  return self;
}

static void
main_free (gpointer data)
{
  Main *self = data;

  if (self->destroyed != NULL)
    (*self->destroyed)++;
  g_clear_pointer (&self->pending, async_future_unref);
  g_free (self);
}

static void
sleep_and_return (AsyncCoroutine *co,
                  gpointer        data)
{
  Main *self = data;

  ASYNC_BEGIN (co);
  self->seen_context = g_main_context_get_thread_default ();
  ASYNC_AWAIT (co, async_sleep (self->delay));
  ASYNC_RETURN_INT (co, self->value);
  ASYNC_END (co);
}

static void
test_run_coroutine (void)
{
  gint destroyed = 0;
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *result = async_run_coroutine (sleep_and_return,
                                             main_new (&destroyed, 0.02, 42), main_free);

  g_assert_nonnull (result);
  g_assert_true (async_future_is_resolved (result));
  g_assert_cmpint (async_future_get_int (result), ==, 42);
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_cmpfloat (test_elapsed (start), >=, 0.02);
  async_future_unref (result);
}

static void
fail (AsyncCoroutine *co,
      gpointer        data)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (0));
  ASYNC_RETURN_ERROR (co, g_error_new (TEST_ERROR, 31, "main failed"));
  ASYNC_END (co);
}

static void
test_run_error (void)
{
  GError *error = NULL;
  AsyncFuture *result = async_run_coroutine (fail, NULL, NULL);

  g_assert_cmpint (async_future_get_state (result), ==, ASYNC_FUTURE_REJECTED);
  g_assert_false (async_future_propagate_error (result, &error));
  g_assert_error (error, TEST_ERROR, 31);
  g_clear_error (&error);
  async_future_unref (result);
}

typedef struct
{
  GMainContext *inside;
  gint          destroyed;
  Main         *main;
} ContextProbe;

static AsyncFuture *
start_noting_context (gpointer user_data)
{
  ContextProbe *probe = user_data;

  probe->inside = g_main_context_get_thread_default ();
  probe->main = main_new (&probe->destroyed, 0.01, 7);
  return async_spawn (sleep_and_return, probe->main, NULL);
}

static void
test_run_context (void)
{
  GMainContext *outside = g_main_context_get_thread_default ();
  ContextProbe probe = { NULL, 0, NULL };
  AsyncFuture *result;

  result = async_run (start_noting_context, &probe);
  g_assert_cmpint (async_future_get_int (result), ==, 7);

  /* A fresh context, pushed thread-default for the run (the coroutines run
   * in it) and popped after. */
  g_assert_nonnull (probe.inside);
  g_assert_true (probe.inside != outside);
  g_assert_true (probe.inside != g_main_context_default ());
  g_assert_true (probe.main->seen_context == probe.inside);
  g_assert_true (g_main_context_get_thread_default () == outside);

  main_free (probe.main);
  async_future_unref (result);
}

static AsyncFuture *
start_settled (gpointer user_data)
{
  return async_future_new_int (GPOINTER_TO_INT (user_data));
}

static void
test_run_twice (void)
{
  AsyncFuture *first = async_run (start_settled, GINT_TO_POINTER (1));
  AsyncFuture *second = async_run_coroutine (sleep_and_return, main_new (NULL, 0.01, 2),
                                             main_free);
  AsyncFuture *third = async_run (start_settled, GINT_TO_POINTER (3));

  g_assert_cmpint (async_future_get_int (first), ==, 1);
  g_assert_cmpint (async_future_get_int (second), ==, 2);
  g_assert_cmpint (async_future_get_int (third), ==, 3);
  async_future_unref (first);
  async_future_unref (second);
  async_future_unref (third);
}

/* Leftovers: coroutines the main one spawned and let go of. */
static void
sleep_long (AsyncCoroutine *co,
            gpointer        data)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_sleep (30));
  ASYNC_END (co);
}

static void
await_forever (AsyncCoroutine *co,
               gpointer        data)
{
  Main *self = data;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, async_future_ref (self->pending));
  ASYNC_END (co);
}

/* Catches its cancellation and awaits once more to clean up: the run waits
 * for it, as asyncio.run () gathers the tasks it cancelled. */
static void
clean_up_slowly (AsyncCoroutine *co,
                 gpointer        data)
{
  Main *self = data;
  GError *error = NULL;

  ASYNC_BEGIN (co);
  ASYNC_AWAIT_TRY (co, async_sleep (30), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  ASYNC_AWAIT (co, async_sleep (0.02));
  (*self->destroyed) += 100;
  ASYNC_END (co);
}

typedef struct
{
  gint destroyed;
} Leftovers;

static void
main_with_leftovers (AsyncCoroutine *co,
                     gpointer        data)
{
  Leftovers *leftovers = data;
  Main *forever;

  ASYNC_BEGIN (co);
  async_future_unref (async_spawn (sleep_long, main_new (&leftovers->destroyed, 0, 0),
                                   main_free));
  forever = main_new (&leftovers->destroyed, 0, 0);
  forever->pending = async_future_new ();
  async_future_unref (async_spawn (await_forever, forever, main_free));
  async_future_unref (async_spawn (clean_up_slowly, main_new (&leftovers->destroyed, 0, 0),
                                   main_free));
  ASYNC_AWAIT (co, async_sleep (0.01));
  ASYNC_RETURN_INT (co, 5);
  ASYNC_END (co);
}

static void
test_run_leftovers (void)
{
  Leftovers leftovers = { 0 };
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *result = async_run_coroutine (main_with_leftovers, &leftovers, NULL);

  g_assert_cmpint (async_future_get_int (result), ==, 5);
  /* All three cancelled and ended, the slow one after its cleanup. */
  g_assert_cmpint (leftovers.destroyed, ==, 3 + 100);
  g_assert_cmpfloat (test_elapsed (start), <, 5);
  async_future_unref (result);
}

static gpointer
run_in_thread (gpointer data)
{
  return async_run_coroutine (sleep_and_return, main_new (NULL, 0.01, 11), main_free);
}

static void
test_run_in_thread (void)
{
  GThread *thread = g_thread_new ("runner", run_in_thread, NULL);
  AsyncFuture *result = g_thread_join (thread);

  g_assert_cmpint (async_future_get_int (result), ==, 11);
  async_future_unref (result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run/coroutine", test_run_coroutine);
  g_test_add_func ("/run/error", test_run_error);
  g_test_add_func ("/run/context", test_run_context);
  g_test_add_func ("/run/twice", test_run_twice);
  g_test_add_func ("/run/leftovers", test_run_leftovers);
  g_test_add_func ("/run/in-thread", test_run_in_thread);

  return g_test_run ();
}
