/* task-dump.c: the task dump (`python -m asyncio ps`): each coroutine still
 * listed on a scheduler (its AsyncHeld), its name, what it awaits and
 * since when, one line each. */

#include "config.h"

#include <glib-unix.h>

#include "async-glib/async-task-dump.h"
#include "coro-private.h"

static void
describe_awaited (GString     *out,
                  AsyncFuture *awaited)
{
  if (async_future_is_coroutine_ (awaited))
    {
      char *name = async_coroutine_describe_ ((AsyncCoroutine *) awaited);

      g_string_append_printf (out, "the task %s", name);
      g_free (name);
      return;
    }

  g_string_append_printf (out, "%s created at %s",
                          awaited->klass != NULL ? awaited->klass->name : "AsyncFuture",
                          awaited->where != NULL ? awaited->where : "an unknown place");
}

static void
dump_scheduler (GString        *out,
                AsyncScheduler *scheduler,
                gint64          now)
{
  GPtrArray *held = async_scheduler_list_held (scheduler);
  guint i, n = 0;

  for (i = 0; i < held->len; i++)
    {
      AsyncFuture *future = g_ptr_array_index (held, i);
      AsyncCoroutine *co;
      char *name;

      if (!async_future_is_coroutine_ (future) || !async_future_is_pending (future))
        continue;

      co = (AsyncCoroutine *) future;
      name = async_coroutine_describe_ (co);
      g_string_append_printf (out, "  task %s: ", name);
      g_free (name);
      if (co->extras != NULL && co->extras->unwinding != NULL && co->awaited != NULL)
        {
          g_string_append (out, "leaving its task group, waiting for ");
          describe_awaited (out, co->awaited);
        }
      else if (co->suspended && co->awaited != NULL)
        {
          g_string_append (out, "awaits ");
          describe_awaited (out, co->awaited);
        }
      else if (co->awaiting_since == 0)
        {
          g_string_append (out, "not started");
        }
      else
        {
          g_string_append (out, "ready to run");
        }
      if (co->awaiting_since != 0)
        g_string_append_printf (out, ", for %.3f s", (now - co->awaiting_since) / (double) G_USEC_PER_SEC);
      if (g_atomic_int_get (&co->cancelling) > 0)
        g_string_append_printf (out, ", cancelling (%d)", g_atomic_int_get (&co->cancelling));
      g_string_append_c (out, '\n');
      n++;
    }
  g_ptr_array_unref (held);

  if (n == 0)
    g_string_append (out, "  no tasks\n");
}

/**
 * async_dump_tasks:
 * @context: (nullable): a context; %NULL for the thread-default one
 *
 * `python -m asyncio ps`, for one context: a line for each coroutine that
 * has not ended, with its name (async_coroutine_set_name(), else where it
 * was spawned), what it awaits (a task by name, or a future by its kind
 * and where it was created), how long it has awaited it, and whether it
 * is being cancelled. Must be called on the thread that runs @context.
 *
 * Returns: (transfer full): the dump
 *
 * Since: 0.2
 */
char *
async_dump_tasks (GMainContext *context)
{
  AsyncScheduler *scheduler;
  GString *out = g_string_new (NULL);

  if (context == NULL)
    context = g_main_context_ref_thread_default ();
  else
    g_main_context_ref (context);
  scheduler = async_scheduler_get_for_context (context);

  g_string_append_printf (out, "tasks of the main context %p:\n", (gpointer) context);
  dump_scheduler (out, scheduler, g_get_monotonic_time ());

  async_scheduler_unref (scheduler);
  g_main_context_unref (context);
  return g_string_free (out, FALSE);
}

/**
 * async_print_all_tasks:
 *
 * The dump of async_dump_tasks() for every context of the process, to
 * standard error (g_printerr()). Made for a debugger, with every thread
 * stopped: `call async_print_all_tasks ()` in gdb. Called from a running
 * program it must run on the one thread that runs every context with
 * tasks, since it reads them.
 *
 * Since: 0.2
 */
void
async_print_all_tasks (void)
{
  GPtrArray *schedulers = async_scheduler_list_all ();
  GString *out = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();
  guint i;

  for (i = 0; i < schedulers->len; i++)
    {
      g_string_append_printf (out, "tasks of scheduler %u of %u:\n", i + 1, schedulers->len);
      dump_scheduler (out, g_ptr_array_index (schedulers, i), now);
    }
  g_ptr_array_unref (schedulers);
  g_printerr ("%s", out->str);
  g_string_free (out, TRUE);
}

static gboolean
dump_on_signal (gpointer user_data)
{
  char *dump = async_dump_tasks (user_data);

  g_printerr ("%s", dump);
  g_free (dump);
  return G_SOURCE_CONTINUE;
}

/**
 * async_dump_tasks_on_signal:
 * @signum: a signal g_unix_signal_source_new() accepts (`SIGUSR1`, …)
 *
 * Prints async_dump_tasks() of the thread-default context to standard
 * error each time the process receives @signum, from that context's loop
 * (a g_unix_signal_source_new() source attached to it), so a `kill -USR1`
 * shows what a stuck program waits for.
 *
 * Returns: (transfer full): the source; g_source_destroy() it to stop
 *
 * Since: 0.2
 */
GSource *
async_dump_tasks_on_signal (int signum)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  GSource *source = g_unix_signal_source_new (signum);

  g_source_set_callback (source, dump_on_signal, context, (GDestroyNotify) g_main_context_unref);
  g_source_set_name (source, "async-glib task dump");
  g_source_attach (source, context);
  return source;
}
