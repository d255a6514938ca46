/* test-gio.c: the GIO bridge both ways: real GIO calls on a temporary file
 * (and a pipe that never delivers) as futures, and futures handed to code
 * that expects a GAsyncReadyCallback. */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "test-util.h"

#define CONTENTS "Hello from a file, read back through GIO.\n"

static char *
make_temp_file (char **dir_out)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("async-glib-test-gio-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, "contents.txt", NULL);
  g_file_set_contents (path, CONTENTS, -1, &error);
  g_assert_no_error (error);
  *dir_out = dir;
  return path;
}

static void
remove_temp (char *dir,
             char *path)
{
  g_remove (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* ------------------------------------------------------------ GIO → future */

typedef struct
{
  GFile        *file;
  GInputStream *stream;
  char          head[5];
  GBytes       *rest;
  gssize        head_read;
  gboolean      closed;
} ReadFile;

static void
read_file_free (gpointer data)
{
  ReadFile *self = data;

  g_clear_object (&self->file);
  g_clear_object (&self->stream);
  g_clear_pointer (&self->rest, g_bytes_unref);
  g_free (self);
}

static void
read_file (AsyncCoroutine *co,
           gpointer        data)
{
  ReadFile *self = data;

  ASYNC_BEGIN (co);

  ASYNC_AWAIT (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_POINTER,
                                                    G_CALLBACK (g_file_read_finish),
                                                    g_object_unref),
                              g_file_read_async, self->file, G_PRIORITY_DEFAULT));
  self->stream = async_coroutine_steal_value (co);
  g_assert_true (G_IS_FILE_INPUT_STREAM (self->stream));

  ASYNC_AWAIT (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_SSIZE,
                                                    G_CALLBACK (g_input_stream_read_finish),
                                                    NULL),
                              g_input_stream_read_async, self->stream, self->head,
                              sizeof self->head, G_PRIORITY_DEFAULT));
  self->head_read = async_coroutine_get_int (co);

  ASYNC_AWAIT (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_POINTER,
                                                    G_CALLBACK (g_input_stream_read_bytes_finish),
                                                    (GDestroyNotify) g_bytes_unref),
                              g_input_stream_read_bytes_async, self->stream, 4096,
                              G_PRIORITY_DEFAULT));
  self->rest = async_coroutine_steal_value (co);

  ASYNC_AWAIT (co, ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_BOOLEAN,
                                                    G_CALLBACK (g_input_stream_close_finish),
                                                    NULL),
                              g_input_stream_close_async, self->stream, G_PRIORITY_DEFAULT));
  self->closed = async_coroutine_get_boolean (co);

  ASYNC_END (co);
}

static void
test_gio_read_file (void)
{
  char *dir;
  char *path = make_temp_file (&dir);
  ReadFile *frame = g_new0 (ReadFile, 1);
  AsyncFuture *future;
  gsize rest_size;
  const char *rest;

  frame->file = g_file_new_for_path (path);
  future = async_spawn (read_file, frame, NULL);
  test_await (future, 10);
  g_assert_true (async_future_is_resolved (future));

  g_assert_cmpint (frame->head_read, ==, 5);
  g_assert_cmpmem (frame->head, 5, CONTENTS, 5);
  g_assert_nonnull (frame->rest);
  rest = g_bytes_get_data (frame->rest, &rest_size);
  g_assert_cmpmem (rest, rest_size, CONTENTS + 5, strlen (CONTENTS) - 5);
  g_assert_true (frame->closed);
  g_assert_true (g_input_stream_is_closed (frame->stream));

  read_file_free (frame);
  async_future_unref (future);
  remove_temp (dir, path);
}

static void
test_gio_not_found (void)
{
  char *dir;
  char *path = make_temp_file (&dir);
  char *missing = g_build_filename (dir, "missing.txt", NULL);
  GFile *file = g_file_new_for_path (missing);
  AsyncFuture *future;

  future = ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_POINTER,
                                            G_CALLBACK (g_file_read_finish),
                                            g_object_unref),
                      g_file_read_async, file, G_PRIORITY_DEFAULT);
  test_await (future, 10);
  g_assert_cmpint (async_future_get_state (future), ==, ASYNC_FUTURE_REJECTED);
  g_assert_error (async_future_get_error (future), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  async_future_unref (future);
  g_object_unref (file);
  g_free (missing);
  remove_temp (dir, path);
}

static void
test_gio_boolean_delete (void)
{
  char *dir;
  char *path = make_temp_file (&dir);
  GFile *file = g_file_new_for_path (path);
  AsyncFuture *future;

  g_assert_true (g_file_query_exists (file, NULL));
  future = ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_BOOLEAN,
                                            G_CALLBACK (g_file_delete_finish), NULL),
                      g_file_delete_async, file, G_PRIORITY_DEFAULT);
  test_await (future, 10);
  g_assert_true (async_future_is_resolved (future));
  g_assert_true (async_future_get_boolean (future));
  g_assert_false (g_file_query_exists (file, NULL));
  async_future_unref (future);

  /* Deleting it again fails, as a rejection. */
  future = ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_BOOLEAN,
                                            G_CALLBACK (g_file_delete_finish), NULL),
                      g_file_delete_async, file, G_PRIORITY_DEFAULT);
  test_await (future, 10);
  g_assert_error (async_future_get_error (future), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  async_future_unref (future);

  g_object_unref (file);
  remove_temp (dir, path);
}

static void
note_cancelled (GCancellable *cancellable,
                gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
note_finalized (gpointer  user_data,
                GObject  *where_the_object_was)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_gio_cancel (void)
{
  const char *argv[] = { "sleep", "30", NULL };
  GError *error = NULL;
  GSubprocess *process;
  GInputStream *pipe;
  AsyncFuture *future;
  GCancellable *cancellable;
  gboolean cancelled = FALSE;
  gboolean finalized = FALSE;

  /* A read on a pipe that stays silent: pending until cancelled. */
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  pipe = g_subprocess_get_stdout_pipe (process);

  future = ASYNC_GIO (async_gio_future_new (ASYNC_GIO_RETURNS_POINTER,
                                            G_CALLBACK (g_input_stream_read_bytes_finish),
                                            (GDestroyNotify) g_bytes_unref),
                      g_input_stream_read_bytes_async, pipe, 16, G_PRIORITY_DEFAULT);
  cancellable = async_gio_future_get_cancellable (future);
  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_signal_connect (cancellable, "cancelled", G_CALLBACK (note_cancelled), &cancelled);
  g_object_weak_ref (G_OBJECT (cancellable), note_finalized, &finalized);

  test_iterate_for (0.05);
  g_assert_true (async_future_is_pending (future));

  g_assert_true (async_future_cancel (future));
  test_await (future, 5);
  g_assert_true (async_future_is_cancelled (future));
  g_assert_true (cancelled);

  /* The GIO call itself ends (it was cancelled through the cancellable)
   * and lets go of the future: the future, and so its cancellable, go. */
  async_future_unref (future);
  test_spin_until (&finalized, 5);

  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

/* ------------------------------------------------------------ future → GIO */

typedef struct
{
  gboolean      called;
  GAsyncResult *result;
  GThread      *thread;
} Ready;

static void
on_ready (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Ready *ready = user_data;

  g_assert_false (ready->called);
  ready->called = TRUE;
  ready->thread = g_thread_self ();
  ready->result = g_object_ref (result);
}

static void
test_to_gio_pointer (void)
{
  Ready ready = { FALSE, NULL, NULL };
  GObject *source = g_object_new (G_TYPE_OBJECT, NULL);
  AsyncFuture *future = async_future_new ();
  GError *error = NULL;
  char *value;

  async_future_to_gio (async_future_ref (future), source, NULL, on_ready, &ready);
  test_iterate_for (0.02);
  g_assert_false (ready.called);

  async_future_resolve (future, g_strdup ("handed over"), g_free);
  g_assert_false (ready.called);
  test_spin_until (&ready.called, 5);
  g_assert_true (ready.thread == g_thread_self ());
  g_assert_true (G_IS_ASYNC_RESULT (ready.result));
  {
    GObject *result_source = g_async_result_get_source_object (ready.result);

    g_assert_true (result_source == source);
    g_object_unref (result_source);
  }

  /* The value is the caller's now, as from any GIO `_finish`. */
  value = async_gio_propagate_pointer (ready.result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "handed over");
  g_free (value);

  g_object_unref (ready.result);
  async_future_unref (future);
  g_object_unref (source);
}

static void
test_to_gio_settled (void)
{
  Ready ready = { FALSE, NULL, NULL };
  GError *error = NULL;

  /* Already settled: still called back later, never inside the call. */
  async_future_to_gio (async_future_new_boolean (TRUE), NULL, NULL, on_ready, &ready);
  g_assert_false (ready.called);
  test_spin_until (&ready.called, 5);
  g_assert_true (async_gio_propagate_boolean (ready.result, &error));
  g_assert_no_error (error);
  g_clear_object (&ready.result);

  ready.called = FALSE;
  async_future_to_gio (async_future_new_int (-123456789012), NULL, NULL, on_ready, &ready);
  test_spin_until (&ready.called, 5);
  g_assert_cmpint (async_gio_propagate_int (ready.result, &error), ==, -123456789012);
  g_assert_no_error (error);
  g_clear_object (&ready.result);
}

static void
test_to_gio_rejected (void)
{
  Ready ready = { FALSE, NULL, NULL };
  AsyncFuture *future = async_future_new ();
  GError *error = NULL;

  async_future_to_gio (async_future_ref (future), NULL, NULL, on_ready, &ready);
  async_future_reject_literal (future, TEST_ERROR, 41, "failed for GIO");
  test_spin_until (&ready.called, 5);
  g_assert_null (async_gio_propagate_pointer (ready.result, &error));
  g_assert_error (error, TEST_ERROR, 41);
  g_assert_cmpstr (error->message, ==, "failed for GIO");
  g_clear_error (&error);
  g_clear_object (&ready.result);

  ready.called = FALSE;
  async_future_to_gio (async_future_new_rejected (g_error_new (TEST_ERROR, 42, "bool")),
                       NULL, NULL, on_ready, &ready);
  test_spin_until (&ready.called, 5);
  g_assert_false (async_gio_propagate_boolean (ready.result, &error));
  g_assert_error (error, TEST_ERROR, 42);
  g_clear_error (&error);
  g_clear_object (&ready.result);

  ready.called = FALSE;
  async_future_to_gio (async_future_new_rejected (g_error_new (TEST_ERROR, 43, "int")),
                       NULL, NULL, on_ready, &ready);
  test_spin_until (&ready.called, 5);
  g_assert_cmpint (async_gio_propagate_int (ready.result, &error), ==, 0);
  g_assert_error (error, TEST_ERROR, 43);
  g_clear_error (&error);
  g_clear_object (&ready.result);

  async_future_unref (future);
}

static void
test_to_gio_cancellable (void)
{
  Ready ready = { FALSE, NULL, NULL };
  GCancellable *cancellable = g_cancellable_new ();
  AsyncFuture *future = async_sleep (30);
  GError *error = NULL;

  /* The GIO caller cancels its cancellable: the future is cancelled, and
   * the callback reports G_IO_ERROR_CANCELLED. */
  async_future_to_gio (async_future_ref (future), NULL, cancellable, on_ready, &ready);
  test_iterate_for (0.02);
  g_cancellable_cancel (cancellable);
  test_spin_until (&ready.called, 5);
  g_assert_true (async_future_is_cancelled (future));
  g_assert_null (async_gio_propagate_pointer (ready.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&ready.result);
  async_future_unref (future);

  /* Cancelling the future itself does the same. */
  ready.called = FALSE;
  g_object_unref (cancellable);
  cancellable = g_cancellable_new ();
  future = async_future_new ();
  async_future_to_gio (async_future_ref (future), NULL, cancellable, on_ready, &ready);
  async_future_cancel (future);
  test_spin_until (&ready.called, 5);
  g_assert_false (async_gio_propagate_boolean (ready.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&ready.result);
  async_future_unref (future);
  g_object_unref (cancellable);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gio/future/read-file", test_gio_read_file);
  g_test_add_func ("/gio/future/not-found", test_gio_not_found);
  g_test_add_func ("/gio/future/boolean-delete", test_gio_boolean_delete);
  g_test_add_func ("/gio/future/cancel", test_gio_cancel);
  g_test_add_func ("/gio/to-gio/pointer", test_to_gio_pointer);
  g_test_add_func ("/gio/to-gio/settled", test_to_gio_settled);
  g_test_add_func ("/gio/to-gio/rejected", test_to_gio_rejected);
  g_test_add_func ("/gio/to-gio/cancellable", test_to_gio_cancellable);

  return g_test_run ();
}
