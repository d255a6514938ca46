/* test-introspection.c: task names, current_task, all_tasks and the task
 * dump (`python -m asyncio ps`). Mirrors CPython's test_tasks.py
 * test_task_set_name / test_task_default_name (here the default is the
 * spawn site, not "Task-N"), test_current_task, test_all_tasks, and
 * test_taskgroup_task_name. */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "test-util.h"

typedef struct
{
  AsyncFuture    *gate;        /* a reference, or NULL */
  AsyncCoroutine *seen_current;
  AsyncCoroutine *self_co;
  const char     *name;
} Named;

static void
named_free (gpointer data)
{
  Named *self = data;

  g_clear_pointer (&self->gate, async_future_unref);
}

ASYNC_DEFINE_COROUTINE (named, Named)
{
  ASYNC_BEGIN (co);
  self->self_co = co;
  self->seen_current = async_current_task ();
  if (self->name != NULL)
    async_coroutine_set_name (co, self->name);
  if (self->gate != NULL)
    ASYNC_AWAIT (co, async_future_ref (self->gate));
  ASYNC_END (co);
}

/* test_task_default_name: the spawn site, file and line. */
static void
test_name_default_is_spawn_site (void)
{
  Named frame = { NULL };
  AsyncFuture *task = async_spawn (named, &frame, named_free);
  AsyncCoroutine *co = async_coroutine_from_future (task);

  g_assert_nonnull (co);
  g_assert_nonnull (strstr (async_coroutine_get_name (co), "test-introspection.c:"));
  test_await (task, 5);
  async_future_unref (task);
}

/* test_task_set_name */
static void
test_name_set_get (void)
{
  Named frame = { .name = "yolo" };
  AsyncFuture *task = async_spawn (named, &frame, named_free);

  test_await (task, 5);
  g_assert_cmpstr (async_coroutine_get_name (async_coroutine_from_future (task)), ==, "yolo");
  async_coroutine_set_name (async_coroutine_from_future (task), NULL);
  g_assert_nonnull (strstr (async_coroutine_get_name (async_coroutine_from_future (task)), ".c:"));
  /* Not a coroutine's future: no coroutine behind it. */
  {
    AsyncFuture *plain = async_future_new ();

    g_assert_null (async_coroutine_from_future (plain));
    async_future_cancel (plain);
    async_future_unref (plain);
  }
  async_future_unref (task);
}

/* test_current_task: the running coroutine inside, none outside. */
static void
test_current_task (void)
{
  Named frame = { NULL };
  AsyncFuture *task;

  g_assert_null (async_current_task ());
  task = async_spawn (named, &frame, named_free);
  test_await (task, 5);
  g_assert_true (frame.seen_current == frame.self_co);
  g_assert_true (async_coroutine_get_future (frame.self_co) == task);
  g_assert_null (async_current_task ());
  async_future_unref (task);
}

static gboolean
array_has (GPtrArray   *array,
           AsyncFuture *future)
{
  guint i;

  for (i = 0; i < array->len; i++)
    if (g_ptr_array_index (array, i) == future)
      return TRUE;
  return FALSE;
}

/* test_all_tasks: the coroutines not ended, of this context only. */
static void
test_all_tasks_pending_only (void)
{
  AsyncFuture *gate = async_future_new ();
  Named waiting1 = { .gate = async_future_ref (gate) };
  Named waiting2 = { .gate = async_future_ref (gate) };
  Named quick = { NULL };
  AsyncFuture *t1 = async_spawn (named, &waiting1, named_free);
  AsyncFuture *t2 = async_spawn (named, &waiting2, named_free);
  AsyncFuture *t3 = async_spawn (named, &quick, named_free);
  GPtrArray *all;

  test_await (t3, 5);
  all = async_all_tasks ();
  g_assert_true (array_has (all, t1));
  g_assert_true (array_has (all, t2));
  g_assert_false (array_has (all, t3));
  g_ptr_array_unref (all);

  async_future_resolve (gate, NULL, NULL);
  test_await (t1, 5);
  test_await (t2, 5);
  all = async_all_tasks ();
  g_assert_false (array_has (all, t1));
  g_ptr_array_unref (all);
  async_future_unref (t1);
  async_future_unref (t2);
  async_future_unref (t3);
  async_future_unref (gate);
}

/* The dump names each task, what it awaits (a task by name, a future by
 * where it was made) and for how long at least. */
typedef struct
{
  AsyncFuture *inner;   /* a reference */
} Outer;

ASYNC_DEFINE_COROUTINE (outer, Outer)
{
  ASYNC_BEGIN (co);
  async_coroutine_set_name (co, "outer");
  ASYNC_AWAIT (co, async_future_ref (self->inner));
  ASYNC_END (co);
}

static void
outer_free (gpointer data)
{
  g_clear_pointer (&((Outer *) data)->inner, async_future_unref);
}

static void
test_dump_names_awaited_and_since (void)
{
  AsyncFuture *gate = async_future_new ();
  Named inner_frame = { .gate = async_future_ref (gate), .name = "inner" };
  AsyncFuture *inner = async_spawn (named, &inner_frame, named_free);
  Outer outer_frame = { async_future_ref (inner) };
  AsyncFuture *task = async_spawn (outer, &outer_frame, outer_free);
  char *dump, *line;
  double since = -1;

  test_iterate_for (0.05);
  dump = async_dump_tasks (NULL);
  g_test_message ("%s", dump);
  g_assert_nonnull (strstr (dump, "task 'outer' (spawned at "));
  g_assert_nonnull (strstr (dump, "awaits the task 'inner'"));
  line = strstr (dump, "task 'inner'");
  g_assert_nonnull (line);
  line = strstr (line, "awaits AsyncFuture created at ");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "test-introspection.c:"));
  line = strstr (line, ", for ");
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, ", for %lf s", &since), ==, 1);
  g_assert_cmpfloat (since, >=, 0.05);
  g_free (dump);

  async_future_resolve (gate, NULL, NULL);
  test_await (task, 5);
  dump = async_dump_tasks (NULL);
  g_assert_null (strstr (dump, "'outer'"));
  g_free (dump);
  async_future_unref (task);
  async_future_unref (inner);
  async_future_unref (gate);
}

static GString *captured;

static void
capture_printerr (const gchar *string)
{
  g_string_append (captured, string);
}

static gboolean
captured_has_dump (void)
{
  return strstr (captured->str, "task 'signalled'") != NULL;
}

/* On a signal of the user's choosing, the dump goes to standard error. */
static void
test_dump_on_signal (void)
{
  AsyncFuture *gate = async_future_new ();
  Named frame = { .gate = async_future_ref (gate), .name = "signalled" };
  AsyncFuture *task = async_spawn (named, &frame, named_free);
  GSource *source = async_dump_tasks_on_signal (SIGUSR1);
  GPrintFunc previous;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  test_iterate_pending ();
  captured = g_string_new (NULL);
  previous = g_set_printerr_handler (capture_printerr);
  raise (SIGUSR1);
  while (!captured_has_dump () && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_set_printerr_handler (previous);
  g_assert_true (captured_has_dump ());
  g_string_free (captured, TRUE);

  g_source_destroy (source);
  g_source_unref (source);
  async_future_resolve (gate, NULL, NULL);
  test_await (task, 5);
  async_future_unref (task);
  async_future_unref (gate);
}

/* For a debugger: every context's tasks, to standard error. */
static void
test_print_all_tasks (void)
{
  AsyncFuture *gate = async_future_new ();
  Named frame = { .gate = async_future_ref (gate), .name = "everywhere" };
  AsyncFuture *task = async_spawn (named, &frame, named_free);
  GPrintFunc previous;

  test_iterate_pending ();
  captured = g_string_new (NULL);
  previous = g_set_printerr_handler (capture_printerr);
  async_print_all_tasks ();
  g_set_printerr_handler (previous);
  g_assert_nonnull (strstr (captured->str, "task 'everywhere'"));
  g_string_free (captured, TRUE);

  async_future_resolve (gate, NULL, NULL);
  test_await (task, 5);
  async_future_unref (task);
  async_future_unref (gate);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/introspection/name/default-is-spawn-site", test_name_default_is_spawn_site);
  g_test_add_func ("/introspection/name/set-get", test_name_set_get);
  g_test_add_func ("/introspection/current-task/inside-not-outside", test_current_task);
  g_test_add_func ("/introspection/all-tasks/pending-only", test_all_tasks_pending_only);
  g_test_add_func ("/introspection/dump/names-awaited-and-since", test_dump_names_awaited_and_since);
  g_test_add_func ("/introspection/dump/on-signal", test_dump_on_signal);
  g_test_add_func ("/introspection/dump/all-contexts-for-a-debugger", test_print_all_tasks);

  return g_test_run ();
}
