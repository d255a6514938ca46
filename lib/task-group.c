/* task-group.c: asyncio.TaskGroup (CPython Lib/asyncio/taskgroups.py): a
 * scope of its parent coroutine (coro-private.h's AsyncScope) whose
 * children are linked into it, so that a child's end is counted without a
 * continuation of its own. */

#include "config.h"

#include "async-glib/async-task-group.h"
#include "coro-private.h"
#include "error-private.h"

/* Thread safety: everything is touched on the parent's thread only. */
struct _AsyncTaskGroup
{
  gatomicrefcount  ref_count;
  AsyncScope       scope;          /* on the parent's list until the exit begins */
  AsyncCoroutine  *parent;         /* a reference, until the exit ends */
  AsyncCoroutine  *children;       /* those still running, linked by group_next */
  guint            n_children;
  GPtrArray       *errors;         /* (element-type GError) */
  GError          *body_error;     /* what the body ended with, not a cancellation */
  AsyncFuture     *exit;           /* a reference once exiting, until it settles */
  guint            exiting : 1;
  guint            aborting : 1;
  /* The group cancelled its parent (asyncio's _parent_cancel_requested). */
  guint            parent_cancel_requested : 1;
  /* The parent's own cancellation, to raise when the group ends. */
  guint            propagate_cancel : 1;
  /* The exit was cancelled while it waited (pending_cancellation_error). */
  guint            exit_cancelled : 1;
};

typedef struct
{
  AsyncFuture     parent;
  AsyncTaskGroup *group;    /* a reference */
} TaskGroupExit;

static void
group_abort (AsyncTaskGroup *self)
{
  AsyncCoroutine *child, *next;

  self->aborting = TRUE;
  for (child = self->children; child != NULL; child = next)
    {
      /* A cancel only asks: no child ends inside this loop. */
      next = child->extras->group_next;
      async_future_cancel (&child->parent);
    }
}

/* The parent is cancelled while it waits for the children: as asyncio, the
 * exit keeps waiting; a cancellation from outside aborts the group and is
 * raised when it ends. */
static gboolean
exit_cancel (AsyncFuture *future)
{
  AsyncTaskGroup *self = ((TaskGroupExit *) future)->group;

  if (!async_future_is_pending (future))
    return FALSE;

  self->exit_cancelled = TRUE;
  if (!self->aborting)
    {
      self->propagate_cancel = TRUE;
      group_abort (self);
    }
  return TRUE;
}

static void
exit_finalize (AsyncFuture *future)
{
  async_task_group_unref (((TaskGroupExit *) future)->group);
}

static const AsyncFutureClass exit_class = {
  .name = "AsyncTaskGroup exit",
  .cancel = exit_cancel,
  .finalize = exit_finalize,
};

static GError *
cancelled_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The task group's parent was cancelled");
}

/* Every child has ended: the exit settles, as _aexit () ends. */
static void
group_end (AsyncTaskGroup *self)
{
  AsyncCoroutine *parent = g_steal_pointer (&self->parent);
  gboolean propagate = self->propagate_cancel;
  gboolean re_cancel = FALSE;

  if (self->parent_cancel_requested)
    {
      /* The group's own request is taken back; one from outside stays. */
      if (async_coroutine_uncancel (parent) == 0)
        propagate = FALSE;
      else if (!propagate)
        propagate = self->exit_cancelled;
    }

  if (self->body_error != NULL)
    g_ptr_array_add (self->errors, g_steal_pointer (&self->body_error));

  if (self->errors->len > 0)
    {
      GPtrArray *errors = g_steal_pointer (&self->errors);

      self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
      /* A cancellation from outside is not swallowed by the errors
       * (gh-116720): it is asked again, after the exit has settled, so
       * that the parent's next await is cancelled. */
      re_cancel = async_coroutine_cancelling (parent) > 0;
      if (re_cancel)
        async_coroutine_uncancel (parent);
      async_future_reject_quietly (self->exit, async_error_new_task_group_ (errors));
    }
  else if (propagate)
    async_future_reject_quietly (self->exit, cancelled_error ());
  else
    async_future_resolve_quietly (self->exit, NULL, NULL);

  if (re_cancel)
    async_future_cancel (&parent->parent);
  async_future_unref (&parent->parent);
  /* The exit may hold the last reference to the group. */
  async_future_unref (g_steal_pointer (&self->exit));
}

/* Leaves the scope (_aexit ()): @body_error (owned, nullable) is what the
 * body ended with. The scope has been taken off the parent's list. */
static AsyncFuture *
group_exit (AsyncTaskGroup *self,
            GError         *body_error)
{
  TaskGroupExit *exit;

  self->exiting = TRUE;
  self->scope.co = NULL;

  if (body_error != NULL)
    {
      if (g_error_matches (body_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->propagate_cancel = TRUE;
          g_error_free (body_error);
        }
      else
        {
          self->body_error = body_error;
        }
      if (!self->aborting)
        group_abort (self);
    }

  exit = async_future_alloc (&exit_class, sizeof (TaskGroupExit), "async_task_group_wait()");
  exit->group = self;   /* the scope's reference, handed on */
  self->exit = async_future_ref (&exit->parent);

  if (self->n_children == 0)
    group_end (self);

  return &exit->parent;
}

static AsyncFuture *
group_unwind (AsyncScope *scope,
              GError    **error)
{
  AsyncTaskGroup *self = G_STRUCT_MEMBER_P (scope, -G_STRUCT_OFFSET (AsyncTaskGroup, scope));

  return group_exit (self, g_steal_pointer (error));
}

void
async_task_group_child_done_ (AsyncCoroutine *child)
{
  AsyncCoroutineExtras *links = child->extras;
  AsyncTaskGroup *self = links->group;
  AsyncFuture *future = &child->parent;

  links->group = NULL;
  if (links->group_prev != NULL)
    links->group_prev->extras->group_next = links->group_next;
  else
    self->children = links->group_next;
  if (links->group_next != NULL)
    links->group_next->extras->group_prev = links->group_prev;
  links->group_prev = links->group_next = NULL;
  self->n_children--;

  if (async_future_is_rejected (future))
    {
      g_ptr_array_add (self->errors, g_error_copy (async_future_get_error (future)));
      async_future_mark_error_seen (future);

      if (self->parent != NULL && !self->aborting && !self->parent_cancel_requested)
        {
          /* Stop the parent's body too, and take the request back when
           * the group ends. */
          group_abort (self);
          self->parent_cancel_requested = TRUE;
          async_future_cancel (&self->parent->parent);
        }
    }

  if (self->exiting && self->n_children == 0 && self->parent != NULL)
    group_end (self);

  async_task_group_unref (self);
}

/**
 * async_task_group_new:
 * @co: the running coroutine, the group's parent
 *
 * `async with asyncio.TaskGroup() as group:`: opens a group in @co. It
 * ends at async_task_group_wait(), or when @co's body ends, whichever
 * comes first; groups and timeout scopes of one coroutine end in the
 * reverse order they began. Must be called from @co's body.
 *
 * Returns: (transfer full): the group; free it with
 *   async_task_group_unref() (the coroutine holds its own reference while
 *   the group is open)
 *
 * Since: 0.2
 */
AsyncTaskGroup *
async_task_group_new (AsyncCoroutine *co)
{
  AsyncTaskGroup *self;

  g_return_val_if_fail (co != NULL, NULL);

  self = g_new0 (AsyncTaskGroup, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->parent = (AsyncCoroutine *) async_future_ref (async_coroutine_get_future (co));
  self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->scope.unwind = group_unwind;
  async_coroutine_push_scope_ (co, &self->scope);

  /* The scope's reference. */
  return async_task_group_ref (self);
}

/**
 * async_task_group_ref:
 * @group: a group
 *
 * Takes a reference: a child that spawns into its group holds one.
 *
 * Returns: (transfer full): @group
 *
 * Since: 0.2
 */
AsyncTaskGroup *
async_task_group_ref (AsyncTaskGroup *group)
{
  g_return_val_if_fail (group != NULL, NULL);

  g_atomic_ref_count_inc (&group->ref_count);
  return group;
}

/**
 * async_task_group_unref:
 * @group: (transfer full): a group
 *
 * Drops a reference. An open group is held by its parent until it ends,
 * so dropping the last of the caller's does not end it.
 *
 * Since: 0.2
 */
void
async_task_group_unref (AsyncTaskGroup *group)
{
  g_return_if_fail (group != NULL);

  if (!g_atomic_ref_count_dec (&group->ref_count))
    return;

  g_assert (group->n_children == 0);
  g_clear_pointer (&group->errors, g_ptr_array_unref);
  g_clear_error (&group->body_error);
  if (group->parent != NULL)
    async_future_unref (&group->parent->parent);
  g_free (group);
}

/**
 * async_task_group_spawn_at:
 * @group: the group
 * @where: the child's spawn site, as `G_STRLOC`
 * @func: the child's body
 * @frame: (nullable) (transfer full): the child's locals
 * @frame_destroy: (nullable): frees @frame once the child has ended
 *
 * `group.create_task`: starts a child in @group, on the parent's
 * context, also from inside a child while the group runs. Into a group
 * that is shutting down (a child failed, or the parent was cancelled) the
 * child is cancelled before it starts: its body never runs. Into a group
 * that has ended it is refused (a critical, as Python's RuntimeError),
 * and @frame is destroyed at once.
 *
 * Returns: (transfer none) (nullable): the child's future, valid until
 *   control returns to the main loop (the child cannot end before);
 *   async_future_ref() it to keep it. %NULL if refused.
 *
 * Since: 0.2
 */
AsyncFuture *
async_task_group_spawn_at (AsyncTaskGroup    *group,
                           const char        *where,
                           AsyncCoroutineFunc func,
                           gpointer           frame,
                           GDestroyNotify     frame_destroy)
{
  AsyncCoroutine *child;
  AsyncCoroutineExtras *links;

  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (group->parent == NULL)
    {
      g_critical ("%s: the task group has ended; the child spawned at %s is refused",
                  G_STRFUNC, where != NULL ? where : "an unknown place");
      if (frame_destroy != NULL)
        frame_destroy (frame);
      return NULL;
    }

  child = async_coroutine_spawn_on_ (async_coroutine_get_scheduler_ (group->parent),
                                     where, func, frame, frame_destroy);
  if (!async_future_is_pending (&child->parent))
    {
      /* Spawned on a context being freed: it ended at once, cancelled. */
      async_future_unref (&child->parent);
      return &child->parent;
    }
  links = async_coroutine_extras_ (child);
  links->group = async_task_group_ref (group);
  links->group_next = group->children;
  if (group->children != NULL)
    group->children->extras->group_prev = child;
  group->children = child;
  group->n_children++;

  /* The runtime holds the child until it ends. */
  async_future_unref (&child->parent);
  if (group->aborting)
    async_future_cancel (&child->parent);

  return &child->parent;
}

/**
 * async_task_group_wait:
 * @group: the group
 *
 * The end of the `async with` block: a future that settles when every
 * child has ended. It resolves if none failed; it is rejected with
 * %ASYNC_ERROR_TASK_GROUP if some did, whose
 * async_task_group_error_get_errors() lists all their errors; with
 * %G_IO_ERROR_CANCELLED if the parent was cancelled from outside the group
 * and no child failed. Cancelling the parent while it awaits this cancels
 * the children and it still waits for them. Must be called once, from the
 * parent's body, and the group must be the parent's innermost scope.
 *
 * Returns: (transfer full) (nullable): the future to await; %NULL (after
 *   a critical) if the group has ended already
 *
 * Since: 0.2
 */
AsyncFuture *
async_task_group_wait (AsyncTaskGroup *group)
{
  g_return_val_if_fail (group != NULL, NULL);

  if (group->exiting || group->scope.co == NULL)
    {
      g_critical ("%s: the task group has ended already", G_STRFUNC);
      return NULL;
    }
  if (!async_coroutine_pop_scope_ (group->scope.co, &group->scope, G_STRFUNC))
    return NULL;

  return group_exit (group, NULL);
}
