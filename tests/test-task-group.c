/* test-task-group.c: AsyncTaskGroup, asyncio.TaskGroup. Each case names
 * the CPython test (Lib/test/test_asyncio/test_taskgroups.py) it mirrors.
 * Children wait on futures the test settles, not on sleeps. */

#include "config.h"

#include <string.h>

#include "test-util.h"

static GError *
error_at (const GPtrArray *errors,
          guint            index)
{
  return g_ptr_array_index (errors, index);
}

/* ------------------------------------------------------------ children */

typedef struct
{
  AsyncFuture *gate;        /* a reference: the child waits for it, or NULL */
  gint         value;       /* returned when the gate resolves */
  gint         fail_code;   /* > 0: fail with this TEST_ERROR code after the gate */
  gboolean     fail_when_cancelled;  /* answer a cancellation with an error */
  gboolean    *saw_cancel;
  gint        *ended;       /* counts frames destroyed */
  GError      *error;
  AsyncTaskGroup *spawn_into;  /* spawn a grandchild into it when cancelled */
  gint        *grandchild_ran;
} Child;

static void
child_free (gpointer data)
{
  Child *self = data;

  g_clear_pointer (&self->gate, async_future_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->spawn_into, async_task_group_unref);
  if (self->ended != NULL)
    (*self->ended)++;
  g_free (self);
}

ASYNC_DEFINE_COROUTINE (grandchild, Child)
{
  ASYNC_BEGIN (co);
  (*self->grandchild_ran)++;
  ASYNC_END (co);
}

ASYNC_DEFINE_COROUTINE (child, Child)
{
  ASYNC_BEGIN (co);
  if (self->gate != NULL)
    {
      ASYNC_AWAIT_TRY (co, async_future_ref (self->gate), &self->error);
      if (self->error != NULL)
        {
          if (self->saw_cancel != NULL)
            *self->saw_cancel = g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          if (self->spawn_into != NULL)
            {
              Child *frame = g_new0 (Child, 1);

              frame->grandchild_ran = self->grandchild_ran;
              frame->ended = self->ended;
              /* A child cancelled before it starts, not a refusal. */
              g_assert_nonnull (async_task_group_spawn (self->spawn_into, grandchild, frame, child_free));
            }
          if (self->fail_when_cancelled)
            ASYNC_RETURN_ERROR (co, g_error_new (TEST_ERROR, 99, "failed while cancelled"));
          ASYNC_RETURN_ERROR (co, g_steal_pointer (&self->error));
        }
    }
  else
    {
      ASYNC_YIELD (co);
    }
  if (self->fail_code > 0)
    ASYNC_RETURN_ERROR (co, g_error_new (TEST_ERROR, self->fail_code, "child %d failed", self->fail_code));
  ASYNC_RETURN_INT (co, self->value);
  ASYNC_END (co);
}

static Child *
child_new (AsyncFuture *gate,
           gint         value,
           gint         fail_code,
           gboolean    *saw_cancel,
           gint        *ended)
{
  Child *self = g_new0 (Child, 1);

  self->gate = gate != NULL ? async_future_ref (gate) : NULL;
  self->value = value;
  self->fail_code = fail_code;
  self->saw_cancel = saw_cancel;
  self->ended = ended;
  return self;
}

/* ------------------------------------------------------------ the parent */

/* What the parent's body does; the test fills it and reads it back. */
typedef struct
{
  AsyncTaskGroup *group;
  AsyncTaskGroup *inner;
  guint           n_children;
  Child          *children[8];     /* taken by the spawns */
  AsyncFuture    *futures[8];      /* references to the children's futures */
  AsyncFuture    *body_gate;       /* the body awaits it, or NULL */
  gboolean        body_try;        /* ASYNC_AWAIT_TRY for the body's await */
  gboolean        wait;            /* await async_task_group_wait () */
  gboolean        wait_try;        /* ... with ASYNC_AWAIT_TRY */
  gboolean        body_fails;      /* the body raises after its spawns */
  AsyncFuture    *after_gate;      /* awaited after the group, or NULL */
  gboolean        body_saw_cancel;
  gboolean        reached_after;
  GError         *body_error;
  GError         *wait_error;
  GError         *after_error;
  gint           *ended;           /* frames destroyed so far, when the parent's is */
  gint            ended_before_parent;
  gboolean       *parent_destroyed;
} Parent;

/* The children's futures and the errors outlive the frame, for the test
 * to read. */
static void
parent_clear (Parent *self)
{
  guint i;

  for (i = 0; i < self->n_children; i++)
    g_clear_pointer (&self->futures[i], async_future_unref);
  g_clear_error (&self->body_error);
  g_clear_error (&self->wait_error);
  g_clear_error (&self->after_error);
}

static void
parent_free (gpointer data)
{
  Parent *self = data;

  self->ended_before_parent = self->ended != NULL ? *self->ended : 0;
  if (self->parent_destroyed != NULL)
    *self->parent_destroyed = TRUE;
  g_clear_pointer (&self->group, async_task_group_unref);
  g_clear_pointer (&self->inner, async_task_group_unref);
  g_clear_pointer (&self->body_gate, async_future_unref);
  g_clear_pointer (&self->after_gate, async_future_unref);
}

ASYNC_DEFINE_COROUTINE (parent, Parent)
{
  guint i;

  ASYNC_BEGIN (co);
  self->group = async_task_group_new (co);
  for (i = 0; i < self->n_children; i++)
    if (self->children[i]->grandchild_ran != NULL)
      self->children[i]->spawn_into = async_task_group_ref (self->group);
  for (i = 0; i < self->n_children; i++)
    self->futures[i] = async_future_ref (async_task_group_spawn (self->group, child,
                                                                 g_steal_pointer (&self->children[i]),
                                                                 child_free));
  if (self->body_fails)
    ASYNC_RETURN_ERROR (co, g_error_new (TEST_ERROR, 50, "the body failed"));
  if (self->body_gate != NULL && self->body_try)
    {
      ASYNC_AWAIT_TRY (co, async_future_ref (self->body_gate), &self->body_error);
      self->body_saw_cancel = g_error_matches (self->body_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
  else if (self->body_gate != NULL)
    {
      ASYNC_AWAIT (co, async_future_ref (self->body_gate));
    }
  if (self->wait_try)
    ASYNC_AWAIT_TRY (co, async_task_group_wait (self->group), &self->wait_error);
  else if (self->wait)
    ASYNC_AWAIT (co, async_task_group_wait (self->group));
  else
    ASYNC_RETURN_INT (co, 5);   /* the group ends as the body does */
  if (self->after_gate != NULL)
    ASYNC_AWAIT_TRY (co, async_future_ref (self->after_gate), &self->after_error);
  self->reached_after = TRUE;
  ASYNC_RETURN_INT (co, 7);
  ASYNC_END (co);
}

/* Runs the parent on the default context; @frame stays the test's. */
static AsyncFuture *
parent_spawn (Parent *frame)
{
  return async_spawn (parent, frame, parent_free);
}

static void
child_add (Parent *frame,
           Child  *child_frame)
{
  g_assert_cmpuint (frame->n_children, <, G_N_ELEMENTS (frame->children));
  frame->children[frame->n_children++] = child_frame;
}

/* ------------------------------------------------------------ cases */

/* test_taskgroup_01: the group waits for every child, whose results are
 * there afterwards. */
static void
test_wait_every_child (void)
{
  Parent frame = { .wait = TRUE };
  AsyncFuture *gate1 = async_future_new ();
  AsyncFuture *gate2 = async_future_new ();
  AsyncFuture *task;

  child_add (&frame, child_new (gate1, 42, 0, NULL, NULL));
  child_add (&frame, child_new (gate2, 11, 0, NULL, NULL));
  task = parent_spawn (&frame);
  test_iterate_pending ();
  async_future_resolve (gate1, NULL, NULL);
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (task));
  async_future_resolve (gate2, NULL, NULL);
  test_await (task, 5);

  g_assert_cmpint (async_future_get_int (task), ==, 7);
  g_assert_true (frame.reached_after);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (gate1);
  async_future_unref (gate2);
}

/* test_cancel_children_on_child_error: the first error cancels the
 * siblings and the body's await; the group fails with the errors. */
static void
test_error_cancels_siblings (void)
{
  Parent frame = { .wait = TRUE, .body_try = TRUE };
  AsyncFuture *never = async_future_new ();
  gboolean sibling_cancelled = FALSE;
  AsyncFuture *task;
  GError *error = NULL;
  const GPtrArray *errors;
  guint i;

  frame.body_gate = async_future_ref (never);
  child_add (&frame, child_new (NULL, 0, 1, NULL, NULL));
  child_add (&frame, child_new (NULL, 0, 1, NULL, NULL));
  child_add (&frame, child_new (NULL, 0, 1, NULL, NULL));
  child_add (&frame, child_new (never, 0, 0, &sibling_cancelled, NULL));
  task = parent_spawn (&frame);
  test_await (task, 5);

  g_assert_true (async_future_propagate_error (task, &error) == FALSE);
  g_assert_error (error, ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  errors = async_task_group_error_get_errors (error);
  g_assert_cmpuint (errors->len, >=, 1);
  for (i = 0; i < errors->len; i++)
    g_assert_error (error_at (errors, i), TEST_ERROR, 1);
  g_assert_true (sibling_cancelled);
  g_assert_true (frame.body_saw_cancel);
  g_assert_false (frame.reached_after);
  g_assert_true (async_future_is_cancelled (frame.futures[3]));
  g_error_free (error);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (never);
}

/* test_taskgroup_04: a plain ASYNC_AWAIT in the body, cancelled by the
 * group, leaves the body as an exception leaves `async with`: the parent
 * ends with the group's error, its frame destroyed after every child. */
static void
test_error_unwinds_body (void)
{
  Parent frame = { .wait = TRUE };
  AsyncFuture *never = async_future_new ();
  gboolean sibling_cancelled = FALSE;
  gboolean parent_destroyed = FALSE;
  gint ended = 0;
  AsyncFuture *task;

  frame.body_gate = async_future_ref (never);
  frame.ended = &ended;
  frame.parent_destroyed = &parent_destroyed;
  child_add (&frame, child_new (NULL, 0, 3, NULL, &ended));
  child_add (&frame, child_new (never, 0, 0, &sibling_cancelled, &ended));
  task = parent_spawn (&frame);
  test_await (task, 5);

  g_assert_true (parent_destroyed);
  g_assert_cmpint (frame.ended_before_parent, ==, 2);
  g_assert_true (sibling_cancelled);
  g_assert_false (frame.reached_after);
  g_assert_true (async_future_is_rejected (task));
  g_assert_error ((GError *) async_future_get_error (task), ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  g_assert_cmpuint (async_task_group_error_get_errors (async_future_get_error (task))->len, ==, 1);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (never);
}

/* Every error is kept, not just the first (ExceptionGroup.exceptions), in
 * the order they happened, and a copy of the error carries copies: here
 * the second child fails while it handles its cancellation (as
 * test_taskgroup_19's nested () raising in its `finally`). */
static void
test_error_every_error_kept (void)
{
  Parent frame = { .wait = TRUE };
  AsyncFuture *never = async_future_new ();
  Child *stubborn = child_new (never, 0, 0, NULL, NULL);
  AsyncFuture *task;
  GError *copy;
  const GPtrArray *errors;

  stubborn->fail_when_cancelled = TRUE;
  child_add (&frame, child_new (NULL, 0, 1, NULL, NULL));
  child_add (&frame, stubborn);
  task = parent_spawn (&frame);
  test_await (task, 5);

  copy = g_error_copy (async_future_get_error (task));
  g_assert_error (copy, ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  g_assert_nonnull (strstr (copy->message, "2 sub-errors"));
  g_assert_nonnull (strstr (copy->message, "child 1 failed"));
  errors = async_task_group_error_get_errors (copy);
  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_error (error_at (errors, 0), TEST_ERROR, 1);
  g_assert_error (error_at (errors, 1), TEST_ERROR, 99);
  g_error_free (copy);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (never);
}

/* test_taskgroup_10: an error raised by the body cancels the children and
 * is the group's error. */
static void
test_error_from_body (void)
{
  Parent frame = { .body_fails = TRUE };
  AsyncFuture *never = async_future_new ();
  gboolean cancelled1 = FALSE, cancelled2 = FALSE;
  AsyncFuture *task;
  const GPtrArray *errors;

  child_add (&frame, child_new (never, 42, 0, &cancelled1, NULL));
  child_add (&frame, child_new (never, 11, 0, &cancelled2, NULL));
  task = parent_spawn (&frame);
  test_await (task, 5);

  /* Cancelled before they started: their bodies never ran. */
  g_assert_true (async_future_is_cancelled (frame.futures[0]));
  g_assert_true (async_future_is_cancelled (frame.futures[1]));
  g_assert_false (cancelled1);
  g_assert_false (cancelled2);
  g_assert_error ((GError *) async_future_get_error (task), ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  errors = async_task_group_error_get_errors (async_future_get_error (task));
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_error (error_at (errors, 0), TEST_ERROR, 50);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (never);
}

/* test_cancellation, test_taskgroup_07: cancelling the parent cancels the
 * children, and the parent ends cancelled once they have ended. */
static void
test_cancel_parent_cancels_children (void)
{
  Parent frame = { .wait = TRUE };
  AsyncFuture *never = async_future_new ();
  gboolean cancelled[5] = { FALSE };
  gint ended = 0;
  AsyncFuture *task;
  guint i;

  frame.ended = &ended;
  for (i = 0; i < 5; i++)
    child_add (&frame, child_new (never, 0, 0, &cancelled[i], &ended));
  task = parent_spawn (&frame);
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (task));

  g_assert_true (async_future_cancel (task));
  test_await (task, 5);
  g_assert_true (async_future_is_cancelled (task));
  for (i = 0; i < 5; i++)
    g_assert_true (cancelled[i]);
  g_assert_cmpint (frame.ended_before_parent, ==, 5);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (never);
}

/* test_cancellation_in_body, test_taskgroup_17: cancelled while the body
 * awaits, before any child fails: the parent ends cancelled. */
static void
test_cancel_in_body (void)
{
  Parent frame = { .wait = TRUE };
  AsyncFuture *never = async_future_new ();
  gboolean cancelled = FALSE;
  AsyncFuture *task;

  frame.body_gate = async_future_ref (never);
  child_add (&frame, child_new (never, 0, 0, &cancelled, NULL));
  task = parent_spawn (&frame);
  test_iterate_pending ();
  async_future_cancel (task);
  test_await (task, 5);

  g_assert_true (async_future_is_cancelled (task));
  g_assert_true (cancelled);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (never);
}

/* The example in taskgroups.py's _on_task_done (): the group's own
 * cancellation of its parent is taken back, so a parent that handles the
 * group's error goes on awaiting normally. */
static void
test_error_handled_body_goes_on (void)
{
  Parent frame = { .wait_try = TRUE, .body_try = TRUE };
  AsyncFuture *never = async_future_new ();
  AsyncFuture *later = async_future_new ();
  AsyncFuture *task;

  frame.body_gate = async_future_ref (never);
  frame.after_gate = async_future_ref (later);
  child_add (&frame, child_new (NULL, 0, 4, NULL, NULL));
  task = parent_spawn (&frame);
  test_iterate_pending ();
  g_assert_true (frame.body_saw_cancel);
  g_assert_error (frame.wait_error, ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  /* The parent waits for `later`, not cancelled. */
  g_assert_true (async_future_is_pending (task));
  g_assert_cmpuint (async_coroutine_cancelling (async_coroutine_from_future (task)), ==, 0);
  async_future_resolve (later, NULL, NULL);
  test_await (task, 5);

  g_assert_no_error (frame.after_error);
  g_assert_cmpint (async_future_get_int (task), ==, 7);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (never);
  async_future_unref (later);
}

/* gh-116720: a cancellation from outside that arrives while the group
 * handles a child's error is not swallowed by the group's error: the
 * parent's next await is cancelled. */
static void
test_cancel_from_outside_not_swallowed (void)
{
  Parent frame = { .wait_try = TRUE };
  AsyncFuture *never = async_future_new ();
  AsyncFuture *later = async_future_new ();
  Child *stubborn = child_new (never, 0, 0, NULL, NULL);
  AsyncFuture *task;
  const GPtrArray *errors;

  stubborn->fail_when_cancelled = TRUE;
  frame.after_gate = async_future_ref (later);
  child_add (&frame, stubborn);
  task = parent_spawn (&frame);
  test_iterate_pending ();
  /* The parent waits in the group; cancelled from outside, it cancels the
   * child, which fails instead of ending cancelled. */
  async_future_cancel (task);
  test_await (task, 5);

  g_assert_error (frame.wait_error, ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  errors = async_task_group_error_get_errors (frame.wait_error);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_error (error_at (errors, 0), TEST_ERROR, 99);
  g_assert_error (frame.after_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* What the parent awaited next was cancelled by the request kept. */
  g_assert_true (async_future_is_cancelled (later));
  /* The outside request is still counted: nobody took it back. */
  g_assert_cmpuint (async_coroutine_cancelling (async_coroutine_from_future (task)), ==, 1);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (never);
  async_future_unref (later);
}

/* test_taskgroup_24: a child adds children to the group while it runs;
 * the group waits for them too. */
typedef struct
{
  AsyncTaskGroup *group;
  gint           *ended;
} Root;

static void
root_free (gpointer data)
{
  Root *self = data;

  async_task_group_unref (self->group);
  (*self->ended)++;
  g_free (self);
}

ASYNC_DEFINE_COROUTINE (root, Root)
{
  ASYNC_BEGIN (co);
  ASYNC_YIELD (co);
  g_assert_nonnull (async_task_group_spawn (self->group, child, child_new (NULL, 1, 0, NULL, self->ended), child_free));
  g_assert_nonnull (async_task_group_spawn (self->group, child, child_new (NULL, 2, 0, NULL, self->ended), child_free));
  ASYNC_END (co);
}

typedef struct
{
  AsyncTaskGroup *group;
  gint            ended;
  gint            ended_at_wait;
} Runner;

ASYNC_DEFINE_COROUTINE (runner, Runner)
{
  ASYNC_BEGIN (co);
  self->group = async_task_group_new (co);
  g_assert_nonnull (async_task_group_spawn (self->group, root,
                                            g_memdup2 (&(Root) { async_task_group_ref (self->group), &self->ended },
                                                       sizeof (Root)),
                                            root_free));
  ASYNC_AWAIT (co, async_task_group_wait (self->group));
  self->ended_at_wait = self->ended;
  ASYNC_END (co);
}

static void
test_spawn_from_child (void)
{
  Runner frame = { NULL, 0, 0 };
  AsyncFuture *task = async_spawn (runner, &frame, NULL);

  test_await (task, 5);
  g_assert_true (async_future_is_resolved (task));
  /* root, wait — and its own two children: all ended before the wait. */
  g_assert_cmpint (frame.ended_at_wait, ==, 3);
  async_task_group_unref (frame.group);
  async_future_unref (task);
}

/* test_taskgroup "is finished" (create_task after the group ended):
 * refused with a critical, the frame destroyed, nothing runs. */
static void
test_spawn_after_end_refused (void)
{
  Runner frame = { NULL, 0, 0 };
  AsyncFuture *task = async_spawn (runner, &frame, NULL);
  gint ended = 0;

  test_await (task, 5);
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*task group has ended*");
  g_assert_null (async_task_group_spawn (frame.group, child, child_new (NULL, 0, 0, NULL, &ended), child_free));
  g_test_assert_expected_messages ();
  g_assert_cmpint (ended, ==, 1);
  async_task_group_unref (frame.group);
  async_future_unref (task);
}

/* A child spawned while the group shuts down (here by a sibling being
 * cancelled) is cancelled before it starts: its body never runs. */
static void
test_spawn_while_shutting_down (void)
{
  Parent frame = { .wait = TRUE };
  AsyncFuture *never = async_future_new ();
  Child *spawner = child_new (never, 0, 0, NULL, NULL);
  gint grandchild_ran = 0;
  gint ended = 0;
  AsyncFuture *task;

  spawner->grandchild_ran = &grandchild_ran;
  spawner->ended = &ended;
  child_add (&frame, child_new (NULL, 0, 5, NULL, NULL));
  child_add (&frame, spawner);
  task = parent_spawn (&frame);
  test_await (task, 5);

  g_assert_cmpint (grandchild_ran, ==, 0);
  g_assert_error ((GError *) async_future_get_error (task), ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (never);
}

/* Python's `return` inside `async with`: the group ends before the
 * coroutine does, and the value is kept. */
static void
test_end_at_return (void)
{
  Parent frame = { .wait = FALSE };
  AsyncFuture *gate = async_future_new ();
  AsyncFuture *task;

  child_add (&frame, child_new (gate, 1, 0, NULL, NULL));
  task = parent_spawn (&frame);
  test_iterate_pending ();
  g_assert_true (async_future_is_pending (task));
  async_future_resolve (gate, NULL, NULL);
  test_await (task, 5);
  g_assert_cmpint (async_future_get_int (task), ==, 5);
  g_assert_cmpint (async_future_get_int (frame.futures[0]), ==, 1);
  parent_clear (&frame);
  async_future_unref (task);
  async_future_unref (gate);
}

/* test_taskgroup_14: an inner group's error is one of the outer group's
 * errors, and itself lists the inner child's. */
typedef struct
{
  AsyncTaskGroup *outer;
  AsyncTaskGroup *inner;
  AsyncFuture    *never;
} Nested;

static void
nested_free (gpointer data)
{
  Nested *self = data;

  g_clear_pointer (&self->outer, async_task_group_unref);
  g_clear_pointer (&self->inner, async_task_group_unref);
  g_clear_pointer (&self->never, async_future_unref);
  g_free (self);
}

ASYNC_DEFINE_COROUTINE (nested, Nested)
{
  ASYNC_BEGIN (co);
  self->outer = async_task_group_new (co);
  async_task_group_spawn (self->outer, child, child_new (self->never, 0, 0, NULL, NULL), child_free);
  self->inner = async_task_group_new (co);
  async_task_group_spawn (self->inner, child, child_new (NULL, 0, 8, NULL, NULL), child_free);
  ASYNC_AWAIT (co, async_task_group_wait (self->inner));
  ASYNC_AWAIT (co, async_task_group_wait (self->outer));
  ASYNC_END (co);
}

static void
test_nested_inner_error (void)
{
  AsyncFuture *never = async_future_new ();
  Nested *frame = g_new0 (Nested, 1);
  AsyncFuture *task;
  const GError *error;
  const GPtrArray *errors;

  frame->never = async_future_ref (never);
  task = async_spawn (nested, frame, nested_free);
  test_await (task, 5);
  error = async_future_get_error (task);
  g_assert_error ((GError *) error, ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  errors = async_task_group_error_get_errors (error);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_error (error_at (errors, 0), ASYNC_ERROR, ASYNC_ERROR_TASK_GROUP);
  errors = async_task_group_error_get_errors (error_at (errors, 0));
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_error (error_at (errors, 0), TEST_ERROR, 8);
  async_future_unref (task);
  async_future_unref (never);
}

/* Programming errors: criticals and harmless returns (docs/bad-input.md). */
typedef struct
{
  AsyncTaskGroup *group;
} Twice;

ASYNC_DEFINE_COROUTINE (wait_twice, Twice)
{
  ASYNC_BEGIN (co);
  self->group = async_task_group_new (co);
  ASYNC_AWAIT (co, async_task_group_wait (self->group));
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*has ended already*");
  g_assert_null (async_task_group_wait (self->group));
  g_test_assert_expected_messages ();
  async_task_group_unref (self->group);
  ASYNC_END (co);
}

static void
test_bad_input (void)
{
  AsyncFuture *task;
  GError *other = g_error_new_literal (TEST_ERROR, 1, "not a group's");

  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*co != NULL*");
  g_assert_null (async_task_group_new (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("AsyncGlib", G_LOG_LEVEL_CRITICAL, "*ASYNC_ERROR_TASK_GROUP*");
  g_assert_null (async_task_group_error_get_errors (other));
  g_test_assert_expected_messages ();
  g_error_free (other);

  task = async_spawn_with (wait_twice, Twice, NULL);
  test_await (task, 5);
  g_assert_true (async_future_is_resolved (task));
  async_future_unref (task);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/task-group/wait/every-child", test_wait_every_child);
  g_test_add_func ("/task-group/error/cancels-siblings", test_error_cancels_siblings);
  g_test_add_func ("/task-group/error/unwinds-body-after-children", test_error_unwinds_body);
  g_test_add_func ("/task-group/error/every-error-kept", test_error_every_error_kept);
  g_test_add_func ("/task-group/error/from-body", test_error_from_body);
  g_test_add_func ("/task-group/error/handled-body-goes-on", test_error_handled_body_goes_on);
  g_test_add_func ("/task-group/cancel/parent-cancels-children", test_cancel_parent_cancels_children);
  g_test_add_func ("/task-group/cancel/in-body", test_cancel_in_body);
  g_test_add_func ("/task-group/cancel/outside-not-swallowed", test_cancel_from_outside_not_swallowed);
  g_test_add_func ("/task-group/spawn/from-child", test_spawn_from_child);
  g_test_add_func ("/task-group/spawn/after-end-refused", test_spawn_after_end_refused);
  g_test_add_func ("/task-group/spawn/while-shutting-down-never-runs", test_spawn_while_shutting_down);
  g_test_add_func ("/task-group/end/at-return", test_end_at_return);
  g_test_add_func ("/task-group/nested/inner-error-in-outer", test_nested_inner_error);
  g_test_add_func ("/task-group/bad-input/criticals", test_bad_input);

  return g_test_run ();
}
