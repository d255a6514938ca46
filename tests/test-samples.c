/* test-samples.c: runs the tutorial's samples (hello-world, gather-count) and
 * checks their exact output and, loosely, when each line appears. */

#include "config.h"

#include <gio/gio.h>

typedef struct
{
  char  *text;
  double at;     /* seconds after the sample was started */
} Line;

typedef struct
{
  GArray *lines;      /* of Line */
  GString *output;
  double   elapsed;   /* when the sample had exited */
} Run;

static void
line_clear (gpointer data)
{
  Line *line = data;

  g_free (line->text);
}

/* Runs $ASYNC_SAMPLES_DIR/@name, timestamping each line of its output as
 * it arrives (g_print () flushes every line, as Python's print on a
 * terminal does). Returns FALSE, skipping the test, without the samples. */
static gboolean
run_sample (const char *name,
            Run        *run)
{
  const char *dir = g_getenv ("ASYNC_SAMPLES_DIR");
  GError *error = NULL;
  GSubprocess *process;
  GDataInputStream *lines;
  char *path;
  const char *argv[2];
  gint64 start;
  char *text;

  if (dir == NULL)
    {
      g_test_skip ("ASYNC_SAMPLES_DIR is not set: run through make check");
      return FALSE;
    }

  path = g_build_filename (dir, name, NULL);
  argv[0] = path;
  argv[1] = NULL;

  run->lines = g_array_new (FALSE, TRUE, sizeof (Line));
  g_array_set_clear_func (run->lines, line_clear);
  run->output = g_string_new (NULL);

  start = g_get_monotonic_time ();
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  while ((text = g_data_input_stream_read_line (lines, NULL, NULL, &error)) != NULL)
    {
      Line line = { text, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC };

      g_test_message ("%s: \"%s\" at %.3f s", name, text, line.at);
      g_string_append_printf (run->output, "%s\n", text);
      g_array_append_val (run->lines, line);
    }
  g_assert_no_error (error);

  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  run->elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("%s: exited at %.3f s", name, run->elapsed);

  g_object_unref (lines);
  g_object_unref (process);
  g_free (path);
  return TRUE;
}

static void
run_clear (Run *run)
{
  g_array_unref (run->lines);
  g_string_free (run->output, TRUE);
}

static double
line_at (Run  *run,
         guint index)
{
  return g_array_index (run->lines, Line, index).at;
}

static void
test_hello_world (void)
{
  Run run;

  if (!run_sample ("hello-world", &run))
    return;

  g_assert_cmpstr (run.output->str, ==, "Hello\nWorld\n");
  /* World comes a second after the start, and the run ends then. */
  g_assert_cmpfloat (line_at (&run, 1), >=, 0.95);
  g_assert_cmpfloat (run.elapsed, >=, 1.0);
  g_assert_cmpfloat (run.elapsed, <, 3.0);
  run_clear (&run);
}

static void
test_gather_count (void)
{
  Run run;

  if (!run_sample ("gather-count", &run))
    return;

  g_assert_cmpstr (run.output->str, ==, "1\n3\n2\n2\n3\n1\n");
  /* "2" "2" a second after the start, "3" "1" two seconds after; the run
   * ends at three (each coroutine sleeps after its last line). */
  g_assert_cmpfloat (line_at (&run, 2), >=, 0.95);
  g_assert_cmpfloat (line_at (&run, 3), >=, 0.95);
  g_assert_cmpfloat (line_at (&run, 4), >=, 1.95);
  g_assert_cmpfloat (line_at (&run, 5), >=, 1.95);
  g_assert_cmpfloat (run.elapsed, >=, 3.0);
  g_assert_cmpfloat (run.elapsed, <, 6.0);
  run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/samples/hello-world", test_hello_world);
  g_test_add_func ("/samples/gather-count", test_gather_count);

  return g_test_run ();
}
