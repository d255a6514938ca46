/* run-parallel: runs the shell commands of a file, at most N at a time
 * (`xargs -P N`), with a pool of N worker coroutines; prints the output of
 * each command together, in the order of the file, then each one's exit
 * status.
 *
 *   import asyncio, sys
 *
 *   async def run(command):
 *       proc = await asyncio.create_subprocess_exec(
 *           '/bin/sh', '-c', command,
 *           stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
 *       output, _ = await proc.communicate()
 *       return output, proc.returncode
 *
 *   async def main(path, jobs):
 *       commands = [line for line in open(path).read().splitlines() if line.strip()]
 *       results = [None] * len(commands)
 *       todo = iter(enumerate(commands))
 *
 *       async def worker():
 *           for index, command in todo:      # shared: each takes the next
 *               results[index] = await run(command)
 *
 *       await asyncio.gather(*(worker() for _ in range(jobs)))
 *       for output, _ in results:
 *           sys.stdout.buffer.write(output)
 *       for i, (command, (_, status)) in enumerate(zip(commands, results), 1):
 *           print(f'[{i}] exit {status}: {command}')
 *       return 0 if all(status == 0 for _, status in results) else 1
 *
 *   sys.exit(asyncio.run(main(sys.argv[-1], 4)))
 *
 * Run: ./samples/run-parallel [-j N] FILE   (N is 4 by default)
 */

#include <stdio.h>
#include <async-glib/async-glib.h>

typedef struct
{
  char   **commands;
  guint    n_commands;
  guint    next;        /* the next command a worker takes */
  GBytes **outputs;
  int     *statuses;
} Work;

typedef struct
{
  Work            *work;
  guint            index;
  AsyncSubprocess *child;
} Worker;

static void
worker_free (gpointer data)
{
  Worker *self = data;

  g_clear_pointer (&self->child, async_subprocess_unref);
  g_free (self);
}

static void
worker (AsyncCoroutine *co,
        gpointer        frame)
{
  Worker *self = frame;
  Work *work = self->work;

  ASYNC_BEGIN (co);

  while (work->next < work->n_commands)
    {
      self->index = work->next++;
      {
        const char *argv[] = { "/bin/sh", "-c", work->commands[self->index], NULL };

        ASYNC_AWAIT (co, async_subprocess_exec (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                      G_SUBPROCESS_FLAGS_STDERR_MERGE));
      }
      g_clear_pointer (&self->child, async_subprocess_unref);
      self->child = async_subprocess_ref (async_coroutine_get_value (co));

      ASYNC_AWAIT (co, async_subprocess_communicate (self->child, NULL));
      {
        AsyncSubprocessOutput *output = async_coroutine_get_value (co);

        work->outputs[self->index] = g_bytes_ref (output->stdout_data);
        work->statuses[self->index] = output->returncode;
      }
    }

  ASYNC_END (co);
}

typedef struct
{
  Work *work;
  guint jobs;
} Start;

static AsyncFuture *
start_workers (gpointer user_data)
{
  Start *start = user_data;
  AsyncFuture **workers = g_new (AsyncFuture *, start->jobs);
  AsyncFuture *all;

  for (guint i = 0; i < start->jobs; i++)
    {
      Worker *self = g_new0 (Worker, 1);

      self->work = start->work;
      workers[i] = async_spawn (worker, self, worker_free);
    }
  all = async_gather_array (ASYNC_GATHER_DEFAULT, workers, start->jobs);
  g_free (workers);

  return all;
}

int
main (int   argc,
      char *argv[])
{
  gint jobs = 4;
  GOptionEntry entries[] = {
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Run at most N commands at a time", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("FILE");
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) commands = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = NULL;
  g_autoptr (AsyncFuture) done = NULL;
  Work work = { 0 };
  Start start = { &work, 0 };
  int status = 0;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error) || argc != 2 || jobs < 1)
    {
      g_printerr ("usage: run-parallel [-j N] FILE%s%s\n", error ? ": " : "", error ? error->message : "");
      return 2;
    }
  if (!g_file_get_contents (argv[1], &text, NULL, &error))
    {
      g_printerr ("run-parallel: %s\n", error->message);
      return 2;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_strstrip (lines[i])[0] != '\0')
      g_ptr_array_add (commands, g_strdup (lines[i]));

  work.commands = (char **) commands->pdata;
  work.n_commands = commands->len;
  work.outputs = g_new0 (GBytes *, commands->len);
  work.statuses = g_new0 (int, commands->len);
  start.jobs = MIN ((guint) jobs, MAX (commands->len, 1));

  done = async_run (start_workers, &start);
  if (!async_future_propagate_error (done, &error))
    {
      g_printerr ("run-parallel: %s\n", error->message);
      status = 2;
    }

  for (guint i = 0; i < work.n_commands && status == 0; i++)
    if (g_bytes_get_size (work.outputs[i]) > 0)
      fwrite (g_bytes_get_data (work.outputs[i], NULL), 1, g_bytes_get_size (work.outputs[i]), stdout);
  for (guint i = 0; i < work.n_commands && status != 2; i++)
    {
      printf ("[%u] exit %d: %s\n", i + 1, work.statuses[i], work.commands[i]);
      if (work.statuses[i] != 0)
        status = 1;
    }

  for (guint i = 0; i < work.n_commands; i++)
    g_clear_pointer (&work.outputs[i], g_bytes_unref);
  g_free (work.outputs);
  g_free (work.statuses);

  return status;
}
