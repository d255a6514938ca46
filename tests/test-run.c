/* test-run.c: async_run (): a fresh thread-default context for the run,
 * the main future's outcome returned settled, and what is left running
 * cancelled and ended before it returns. */

#include "config.h"

#include <string.h>

#include "test-server-util.h"
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

/* --- the main future settled from another thread (issue 7, item 1) ------ */

static gpointer
resolve_later (gpointer data)
{
  g_usleep (50 * 1000);
  async_future_resolve_int (data, 9);
  async_future_unref (data);
  return NULL;
}

static AsyncFuture *
start_plain_future (gpointer data)
{
  AsyncFuture *future = async_future_new ();
  GThread **thread = data;

  *thread = g_thread_new ("settler", resolve_later, async_future_ref (future));
  return future;
}

typedef struct
{
  GMutex       lock;
  GCond        cond;
  AsyncFuture *result;
  GThread     *settler;
} Watched;

static gpointer
watched_run (gpointer data)
{
  Watched *watched = data;
  AsyncFuture *result = async_run (start_plain_future, &watched->settler);

  g_mutex_lock (&watched->lock);
  watched->result = result;
  g_cond_signal (&watched->cond);
  g_mutex_unlock (&watched->lock);
  return NULL;
}

/* async_run () on a thread of its own, so that a hang fails the test. */
static void
test_run_main_settled_from_thread (void)
{
  Watched watched = { 0 };
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  GThread *runner;

  g_mutex_init (&watched.lock);
  g_cond_init (&watched.cond);
  runner = g_thread_new ("runner", watched_run, &watched);

  g_mutex_lock (&watched.lock);
  while (watched.result == NULL && g_cond_wait_until (&watched.cond, &watched.lock, deadline))
    ;
  g_mutex_unlock (&watched.lock);
  g_assert_nonnull (watched.result);

  g_thread_join (runner);
  g_thread_join (watched.settler);
  g_assert_cmpint (async_future_get_int (watched.result), ==, 9);
  async_future_unref (watched.result);
  g_mutex_clear (&watched.lock);
  g_cond_clear (&watched.cond);
}

/* --- leftovers of every kind are cancelled (item 14) ----------------------- */

static gpointer
wait_for_cancellable (gpointer       user_data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_atomic_int_set ((gint *) user_data, 1);
  while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_cancellable_set_error_if_cancelled (cancellable, error);
  return NULL;
}

typedef struct
{
  AsyncHttpSession *session;
  char             *slow_url;
  AsyncFuture      *request;
  AsyncFuture      *job;
  gint              job_started;
} Leftover;

static void
main_leaving_work (AsyncCoroutine *co,
                   gpointer        data)
{
  Leftover *self = data;

  ASYNC_BEGIN (co);
  self->request = async_http_session_get (self->session, self->slow_url);
  self->job = async_to_thread (wait_for_cancellable, &self->job_started, NULL, NULL);
  while (!g_atomic_int_get (&self->job_started))
    ASYNC_AWAIT (co, async_sleep (0.001));
  ASYNC_AWAIT (co, async_sleep (0.05));
  ASYNC_RETURN_INT (co, 3);
  ASYNC_END (co);
}

/* asyncio.run () cancels every remaining task: a request to /delay/3000
 * and a job waiting on its cancellable do not hold the run. */
static void
test_run_cancels_leftover_work (void)
{
  AsyncTestServer *server = async_test_server_start ();
  Leftover leftover = { 0 };
  gint64 start = g_get_monotonic_time ();
  AsyncFuture *result;

  leftover.session = async_http_session_new ();
  leftover.slow_url = async_test_server_url (server, "/delay/3000");
  result = async_run_coroutine (main_leaving_work, &leftover, NULL);

  g_assert_cmpint (async_future_get_int (result), ==, 3);
  g_assert_cmpfloat (test_elapsed (start), <, 1.5);
  g_assert_true (async_future_is_cancelled (leftover.request));
  g_assert_true (async_future_is_cancelled (leftover.job));

  async_future_unref (result);
  async_future_unref (leftover.request);
  async_future_unref (leftover.job);
  g_free (leftover.slow_url);
  async_http_session_unref (leftover.session);
  async_test_server_stop (server);
}

/* --- the user's spawn site (item 16) --------------------------------------- */

static void
test_run_coroutine_names_caller (void)
{
  AsyncFuture *result = async_run_coroutine (sleep_and_return, main_new (NULL, 0, 1), main_free);

  g_assert_nonnull (strstr (async_future_get_where (result), "test-run.c"));
  async_future_unref (result);
}

static void
await_null (AsyncCoroutine *co,
            gpointer        data)
{
  ASYNC_BEGIN (co);
  ASYNC_AWAIT (co, NULL);
  ASYNC_END (co);
}

static void
read_before_awaiting (AsyncCoroutine *co,
                      gpointer        data)
{
  ASYNC_BEGIN (co);
  g_assert_null (async_coroutine_get_value (co));
  ASYNC_END (co);
}

static void
test_run_critical_names_caller (void)
{
  AsyncFuture *result;

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL,
                         "*async_coroutine_get_value*spawned at *test-run.c:*not awaited*");
  result = async_run_coroutine (read_before_awaiting, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_true (async_future_is_resolved (result));
  async_future_unref (result);

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL,
                         "*coroutine spawned at *test-run.c:*awaited a NULL future*");
  result = async_run_coroutine (await_null, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_error (async_future_get_error (result), ASYNC_ERROR, ASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (async_future_get_error (result)->message, "test-run.c"));
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
  g_test_add_func ("/run/main-settled-from-another-thread", test_run_main_settled_from_thread);
  g_test_add_func ("/run/leftovers/http-and-jobs-cancelled", test_run_cancels_leftover_work);
  g_test_add_func ("/run/spawn-site/names-caller", test_run_coroutine_names_caller);
  g_test_add_func ("/run/spawn-site/critical-names-caller", test_run_critical_names_caller);

  return g_test_run ();
}
