/* test-types.c: the boxed GTypes hold a reference in a GValue (copy is a
 * ref, free an unref), and the enum and flags GTypes glib-mkenums made know
 * every value by name and by nick. */

#include "config.h"

#include "test-util.h"

static void
count_destroy (gpointer data)
{
  guint *count = data;

  (*count)++;
}

static void
test_future_in_value (void)
{
  guint        destroyed = 0;
  AsyncFuture *future = async_future_new_resolved (&destroyed, count_destroy);
  GValue       value = G_VALUE_INIT;
  AsyncFuture *copy;

  g_value_init (&value, ASYNC_TYPE_FUTURE);
  g_assert_true (G_VALUE_HOLDS (&value, ASYNC_TYPE_FUTURE));
  g_value_set_boxed (&value, future);
  g_assert_true (g_value_get_boxed (&value) == future);

  /* The value holds its own reference: dropping ours frees nothing. */
  async_future_unref (future);
  g_assert_cmpuint (destroyed, ==, 0);
  g_assert_true (async_future_get_value (g_value_get_boxed (&value)) == &destroyed);

  /* dup is a reference too, and outlives the value. */
  copy = g_value_dup_boxed (&value);
  g_assert_true (copy == future);
  g_value_unset (&value);
  g_assert_cmpuint (destroyed, ==, 0);

  async_future_unref (copy);
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_future_take (void)
{
  guint  destroyed = 0;
  GValue value = G_VALUE_INIT;

  g_value_init (&value, ASYNC_TYPE_FUTURE);
  g_value_take_boxed (&value, async_future_new_resolved (&destroyed, count_destroy));
  g_assert_cmpuint (destroyed, ==, 0);
  g_value_unset (&value);
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_boxed_copy_is_ref (void)
{
  guint        destroyed = 0;
  AsyncFuture *future = async_future_new_resolved (&destroyed, count_destroy);
  AsyncFuture *copy = g_boxed_copy (ASYNC_TYPE_FUTURE, future);

  g_assert_true (copy == future);
  g_boxed_free (ASYNC_TYPE_FUTURE, future);
  g_assert_cmpuint (destroyed, ==, 0);
  g_boxed_free (ASYNC_TYPE_FUTURE, copy);
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_pool_and_session_in_value (void)
{
  AsyncPool        *pool = async_pool_new (1);
  AsyncHttpSession *session = async_http_session_new ();
  GValue            pool_value = G_VALUE_INIT;
  GValue            session_value = G_VALUE_INIT;

  g_value_init (&pool_value, ASYNC_TYPE_POOL);
  g_value_set_boxed (&pool_value, pool);
  async_pool_unref (pool);
  /* Still alive through the value's reference. */
  g_assert_cmpuint (async_pool_get_max_threads (g_value_get_boxed (&pool_value)), ==, 1);
  g_value_unset (&pool_value);

  g_value_init (&session_value, ASYNC_TYPE_HTTP_SESSION);
  g_value_set_boxed (&session_value, session);
  async_http_session_unref (session);
  g_assert_cmpuint (async_http_session_get_limit (g_value_get_boxed (&session_value)), ==, 100);
  g_value_unset (&session_value);
}

static void
test_boxed_names (void)
{
  const struct
  {
    GType       type;
    const char *name;
  } types[] = {
    { ASYNC_TYPE_FUTURE, "AsyncFuture" },
    { ASYNC_TYPE_HTTP_RESPONSE, "AsyncHttpResponse" },
    { ASYNC_TYPE_HTTP_SESSION, "AsyncHttpSession" },
    { ASYNC_TYPE_POOL, "AsyncPool" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_assert_true (G_TYPE_IS_BOXED (types[i].type));
      g_assert_cmpstr (g_type_name (types[i].type), ==, types[i].name);
      g_assert_true (g_type_from_name (types[i].name) == types[i].type);
    }
}

/* Checks that @type is an enum whose values are exactly @values, each found
 * by its name and by its nick. */
static void
assert_enum (GType        type,
             const char  *type_name,
             const char **names,
             const char **nicks,
             const gint  *values,
             guint        n_values)
{
  g_autoptr (GEnumClass) klass = NULL;

  g_assert_true (G_TYPE_IS_ENUM (type));
  g_assert_cmpstr (g_type_name (type), ==, type_name);
  klass = g_type_class_ref (type);
  g_assert_cmpuint (klass->n_values, ==, n_values);
  for (guint i = 0; i < n_values; i++)
    {
      GEnumValue *by_name = g_enum_get_value_by_name (klass, names[i]);
      GEnumValue *by_nick = g_enum_get_value_by_nick (klass, nicks[i]);

      g_assert_nonnull (by_name);
      g_assert_nonnull (by_nick);
      g_assert_true (by_name == by_nick);
      g_assert_cmpint (by_name->value, ==, values[i]);
    }
}

static void
test_enums (void)
{
  {
    const char *names[] = { "ASYNC_FUTURE_PENDING", "ASYNC_FUTURE_RESOLVED",
                            "ASYNC_FUTURE_REJECTED", "ASYNC_FUTURE_CANCELLED" };
    const char *nicks[] = { "pending", "resolved", "rejected", "cancelled" };
    const gint  values[] = { ASYNC_FUTURE_PENDING, ASYNC_FUTURE_RESOLVED,
                             ASYNC_FUTURE_REJECTED, ASYNC_FUTURE_CANCELLED };

    assert_enum (ASYNC_TYPE_FUTURE_STATE, "AsyncFutureState", names, nicks, values, 4);
  }
  {
    const char *names[] = { "ASYNC_ERROR_FAILED", "ASYNC_ERROR_POOL_SHUT_DOWN",
                            "ASYNC_ERROR_BROKEN_BARRIER", "ASYNC_ERROR_QUEUE_FULL",
                            "ASYNC_ERROR_QUEUE_EMPTY", "ASYNC_ERROR_QUEUE_SHUT_DOWN",
                            "ASYNC_ERROR_LIMIT_OVERRUN", "ASYNC_ERROR_INCOMPLETE_READ",
                            "ASYNC_ERROR_TASK_GROUP" };
    const char *nicks[] = { "failed", "pool-shut-down", "broken-barrier", "queue-full",
                            "queue-empty", "queue-shut-down", "limit-overrun", "incomplete-read",
                            "task-group" };
    const gint  values[] = { ASYNC_ERROR_FAILED, ASYNC_ERROR_POOL_SHUT_DOWN,
                             ASYNC_ERROR_BROKEN_BARRIER, ASYNC_ERROR_QUEUE_FULL,
                             ASYNC_ERROR_QUEUE_EMPTY, ASYNC_ERROR_QUEUE_SHUT_DOWN,
                             ASYNC_ERROR_LIMIT_OVERRUN, ASYNC_ERROR_INCOMPLETE_READ,
                             ASYNC_ERROR_TASK_GROUP };

    assert_enum (ASYNC_TYPE_ERROR, "AsyncError", names, nicks, values, G_N_ELEMENTS (names));
  }
  {
    const char *names[] = { "ASYNC_WAIT_FIRST_COMPLETED", "ASYNC_WAIT_FIRST_EXCEPTION",
                            "ASYNC_WAIT_ALL_COMPLETED" };
    const char *nicks[] = { "first-completed", "first-exception", "all-completed" };
    const gint  values[] = { ASYNC_WAIT_FIRST_COMPLETED, ASYNC_WAIT_FIRST_EXCEPTION,
                             ASYNC_WAIT_ALL_COMPLETED };

    assert_enum (ASYNC_TYPE_WAIT_MODE, "AsyncWaitMode", names, nicks, values, 3);
  }
  {
    const char *names[] = { "ASYNC_GIO_RETURNS_POINTER", "ASYNC_GIO_RETURNS_BOOLEAN",
                            "ASYNC_GIO_RETURNS_SSIZE" };
    const char *nicks[] = { "pointer", "boolean", "ssize" };
    const gint  values[] = { ASYNC_GIO_RETURNS_POINTER, ASYNC_GIO_RETURNS_BOOLEAN,
                             ASYNC_GIO_RETURNS_SSIZE };

    assert_enum (ASYNC_TYPE_GIO_RETURNS, "AsyncGioReturns", names, nicks, values, 3);
  }
}

static void
test_http_error_enum (void)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (ASYNC_TYPE_HTTP_ERROR);

  g_assert_true (G_TYPE_IS_ENUM (ASYNC_TYPE_HTTP_ERROR));
  g_assert_cmpuint (klass->n_values, ==, ASYNC_HTTP_ERROR_FILE + 1);
  g_assert_cmpint (g_enum_get_value_by_nick (klass, "too-many-redirects")->value, ==,
                   ASYNC_HTTP_ERROR_TOO_MANY_REDIRECTS);
  g_assert_cmpint (g_enum_get_value_by_name (klass, "ASYNC_HTTP_ERROR_INVALID_UTF8")->value, ==,
                   ASYNC_HTTP_ERROR_INVALID_UTF8);
  g_assert_cmpstr (g_enum_get_value (klass, ASYNC_HTTP_ERROR_CLOSED)->value_nick, ==, "closed");
  g_assert_null (g_enum_get_value_by_nick (klass, "no-such-error"));
}

static void
test_flags (void)
{
  g_autoptr (GFlagsClass) gather = NULL;
  g_autoptr (GFlagsClass) request = NULL;
  g_autofree char *text = NULL;

  g_assert_true (G_TYPE_IS_FLAGS (ASYNC_TYPE_GATHER_FLAGS));
  gather = g_type_class_ref (ASYNC_TYPE_GATHER_FLAGS);
  g_assert_cmpuint (gather->n_values, ==, 3);
  g_assert_cmpuint (g_flags_get_value_by_nick (gather, "default")->value, ==, ASYNC_GATHER_DEFAULT);
  g_assert_cmpuint (g_flags_get_value_by_nick (gather, "return-exceptions")->value, ==,
                    ASYNC_GATHER_RETURN_EXCEPTIONS);
  g_assert_cmpuint (g_flags_get_value_by_name (gather, "ASYNC_GATHER_CANCEL_ON_ERROR")->value, ==,
                    ASYNC_GATHER_CANCEL_ON_ERROR);

  text = g_flags_to_string (ASYNC_TYPE_GATHER_FLAGS,
                            ASYNC_GATHER_RETURN_EXCEPTIONS | ASYNC_GATHER_CANCEL_ON_ERROR);
  g_assert_cmpstr (text, ==, "ASYNC_GATHER_RETURN_EXCEPTIONS | ASYNC_GATHER_CANCEL_ON_ERROR");

  g_assert_true (G_TYPE_IS_FLAGS (ASYNC_TYPE_HTTP_REQUEST_FLAGS));
  request = g_type_class_ref (ASYNC_TYPE_HTTP_REQUEST_FLAGS);
  g_assert_cmpuint (g_flags_get_value_by_nick (request, "raise-for-status")->value, ==,
                    ASYNC_HTTP_REQUEST_RAISE_FOR_STATUS);
  g_assert_cmpuint (g_flags_get_value_by_nick (request, "no-redirects")->value, ==,
                    ASYNC_HTTP_REQUEST_NO_REDIRECTS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/types/boxed/future-in-value", test_future_in_value);
  g_test_add_func ("/types/boxed/future-take", test_future_take);
  g_test_add_func ("/types/boxed/copy-is-ref", test_boxed_copy_is_ref);
  g_test_add_func ("/types/boxed/pool-and-session-in-value", test_pool_and_session_in_value);
  g_test_add_func ("/types/boxed/names", test_boxed_names);
  g_test_add_func ("/types/enum/by-name-and-nick", test_enums);
  g_test_add_func ("/types/enum/http-error", test_http_error_enum);
  g_test_add_func ("/types/flags/by-name-and-nick", test_flags);

  return g_test_run ();
}
