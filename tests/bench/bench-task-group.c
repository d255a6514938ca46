/* bench-task-group: a TaskGroup of N trivial tasks, spawned and waited for
 * inside async_run (), as tests/bench/asyncio_task_group.py does with
 * asyncio.TaskGroup. Prints `key=value` lines for run-bench.sh. */

#include "config.h"

#include <stdio.h>

#include <async-glib/async-glib.h>

ASYNC_DEFINE_COROUTINE (trivial, void)
{
  ASYNC_BEGIN (co);
  ASYNC_RETURN_INT (co, 1);
  ASYNC_END (co);
}

typedef struct
{
  guint           n;
  AsyncTaskGroup *group;
} Spawner;

ASYNC_DEFINE_COROUTINE (spawner, Spawner)
{
  guint i;

  ASYNC_BEGIN (co);
  self->group = async_task_group_new (co);
  for (i = 0; i < self->n; i++)
    async_task_group_spawn (self->group, trivial, NULL, NULL);
  ASYNC_AWAIT (co, async_task_group_wait (self->group));
  ASYNC_END (co);
}

static void
spawner_free (gpointer data)
{
  Spawner *self = data;

  g_clear_pointer (&self->group, async_task_group_unref);
  g_free (self);
}

static double
time_group (guint n)
{
  Spawner *frame = g_new0 (Spawner, 1);
  AsyncFuture *done;
  gint64 start, end;

  frame->n = n;
  start = g_get_monotonic_time ();
  done = async_run_coroutine (spawner, frame, spawner_free);
  end = g_get_monotonic_time ();
  if (!async_future_is_resolved (done))
    g_error ("the task group of %u tasks did not succeed", n);
  async_future_unref (done);
  return (end - start) / 1e6;
}

int
main (int    argc,
      char **argv)
{
  gint n = 100000;
  gint repeats = 3;
  GOptionEntry entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT, &n, "Tasks in the group (default 100000); also runs N/10", "N" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeats, "Runs of each size, the best printed (default 3)", "R" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr (GOptionContext) options = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  guint sizes[2];
  guint s;

  g_option_context_set_summary (options, "Times a TaskGroup of trivial tasks; prints key=value lines.");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("bench-task-group: %s\n", error->message);
      return 2;
    }
  if (n < 10 || repeats < 1)
    {
      g_printerr ("bench-task-group: --n must be at least 10 and --repeat at least 1\n");
      return 2;
    }

  sizes[0] = n / 10;
  sizes[1] = n;
  time_group (sizes[0] / 10);   /* warm the allocator */
  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      double best = time_group (sizes[s]);
      gint r;

      for (r = 1; r < repeats; r++)
        best = MIN (best, time_group (sizes[s]));
      printf ("task_group_%u_seconds=%.6f\n", sizes[s], best);
      printf ("task_group_%u_ns_per_task=%.1f\n", sizes[s], best * 1e9 / sizes[s]);
      fflush (stdout);
    }
  return 0;
}
