/* test-coro-portable.c: the coroutine macros' portable form (a switch on a
 * resume number), which compilers without labels as values get, and
 * which ASYNC_COROUTINE_PORTABLE selects: awaits in loops, two on a line,
 * the TRY form, and the refusal of an await inside a switch of the body's
 * own, which that form cannot resume. */

#include "config.h"

#define ASYNC_COROUTINE_PORTABLE 1

#include "test-util.h"

typedef struct
{
  guint  i;
  gint64 sum;
} Counter;

static void
count (AsyncCoroutine *co,
       gpointer        data)
{
  Counter *self = data;
  GError *error = NULL;

  ASYNC_BEGIN (co);
  for (self->i = 0; self->i < 3; self->i++)
    {
      ASYNC_AWAIT (co, async_sleep (0.001));
      self->sum += self->i;
    }
  ASYNC_AWAIT (co, async_sleep (0)); ASYNC_AWAIT (co, async_future_new_int (100));
  self->sum += async_coroutine_get_int (co);
  ASYNC_AWAIT_TRY (co, async_future_new_cancelled (), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_error_free (error);
  ASYNC_RETURN_INT (co, self->sum);
  ASYNC_END (co);
}

static void
test_portable_awaits (void)
{
  AsyncFuture *future = async_spawn (count, g_new0 (Counter, 1), g_free);

  test_await (future, 5);
  g_assert_cmpint (async_future_get_int (future), ==, 0 + 1 + 2 + 100);
  async_future_unref (future);
}

static void
await_in_switch (AsyncCoroutine *co,
                 gpointer        data)
{
  ASYNC_BEGIN (co);
  switch (GPOINTER_TO_INT (data))
    {
    case 1:
      ASYNC_AWAIT (co, async_sleep (0.001));
      break;
    default:
      break;
    }
  ASYNC_END (co);
}

/* The resume lands on the inner switch's label, not the body's: the
 * coroutine aborts, naming where it was spawned and why. */
static void
test_portable_switch_refused (void)
{
  if (g_test_subprocess ())
    {
      AsyncFuture *future = async_spawn (await_in_switch, GINT_TO_POINTER (1), NULL);

      test_await (future, 5);
      return;
    }

  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*spawned at *test-coro-portable.c:*await inside a switch*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/coro/portable/awaits", test_portable_awaits);
  g_test_add_func ("/coro/portable/await-in-switch-refused", test_portable_switch_refused);

  return g_test_run ();
}
