/* consumer.c: what CI compiles against the installed libasync-glib-1.0-dev
 * package with pkg-config, and runs: the headers, the .pc file, the shared
 * library, its version, its GTypes and a coroutine on a real loop. */

#include <async-glib/async-glib.h>

typedef struct
{
  int turns;
} Counter;

static void
count_three (AsyncCoroutine *co,
             gpointer        frame)
{
  Counter *self = frame;

  ASYNC_BEGIN (co);
  for (self->turns = 0; self->turns < 3; self->turns++)
    ASYNC_AWAIT (co, async_sleep (0.01));
  ASYNC_RETURN_INT (co, self->turns);
  ASYNC_END (co);
}

static AsyncFuture *
start (gpointer user_data)
{
  return async_gather (async_spawn (count_three, g_new0 (Counter, 1), g_free),
                       async_future_new_int (4),
                       NULL);
}

int
main (void)
{
  g_autoptr (AsyncFuture) done = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GEnumClass) states = NULL;
  GValue value = G_VALUE_INIT;

#if !ASYNC_GLIB_CHECK_VERSION (0, 2, 0)
# error "the installed headers are older than 0.2.0"
#endif
  if (async_glib_check_version (ASYNC_GLIB_MAJOR_VERSION, ASYNC_GLIB_MINOR_VERSION,
                                ASYNC_GLIB_MICRO_VERSION) != NULL)
    return g_printerr ("consumer: the library is older than its headers\n"), 1;

  done = async_run (start, NULL);
  if (!async_future_propagate_error (done, &error))
    return g_printerr ("consumer: %s\n", error->message), 1;
  if (async_future_get_int (async_gather_get_result (done, 0)) != 3
      || async_future_get_int (async_gather_get_result (done, 1)) != 4)
    return g_printerr ("consumer: wrong results\n"), 1;

  g_value_init (&value, ASYNC_TYPE_FUTURE);
  g_value_set_boxed (&value, done);
  states = g_type_class_ref (ASYNC_TYPE_FUTURE_STATE);
  if (g_value_get_boxed (&value) != done
      || g_enum_get_value_by_nick (states, "resolved")->value != ASYNC_FUTURE_RESOLVED)
    return g_printerr ("consumer: the GTypes are wrong\n"), 1;
  g_value_unset (&value);

  g_print ("consumer: async-glib %s works\n", async_glib_get_version ());
  return 0;
}
