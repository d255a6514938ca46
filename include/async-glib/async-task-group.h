/* async-task-group.h: asyncio.TaskGroup, structured concurrency: a scope
 * of a coroutine that owns the coroutines spawned into it.
 *
 *   async with asyncio.TaskGroup() as group:      self->group = async_task_group_new (co);
 *       group.create_task(fetch(a))               async_task_group_spawn (self->group, fetch, a, NULL);
 *       group.create_task(fetch(b))               async_task_group_spawn (self->group, fetch, b, NULL);
 *                                                 ASYNC_AWAIT (co, async_task_group_wait (self->group));
 */

/**
 * SECTION:async-task-group
 * @title: TaskGroup
 * @short_description: asyncio.TaskGroup: a scope that owns the coroutines spawned into it
 *
 * A coroutine opens a group with async_task_group_new(), spawns children
 * into it with async_task_group_spawn(), and ends it with `ASYNC_AWAIT
 * (co, async_task_group_wait (group))` — or by ending its body inside it,
 * as an exception leaves `async with`. The first child that fails cancels
 * the others and the parent's current await; the group then fails with
 * %ASYNC_ERROR_TASK_GROUP, whose async_task_group_error_get_errors() lists
 * every error.
 */

#pragma once

#include <async-glib/async-coro.h>

G_BEGIN_DECLS

/**
 * AsyncTaskGroup:
 *
 * asyncio.TaskGroup. Made by a coroutine, the group's parent, with
 * async_task_group_new(); the coroutines spawned into it are its
 * children. The first child that fails with an error other than a
 * cancellation cancels the other children and the parent's current await
 * (the parent's scope: its body is told to stop too). The group ends when
 * every child has ended, either where the parent awaits
 * async_task_group_wait() or, if the parent's body ends first (a return,
 * or an error from an ASYNC_AWAIT, as an exception leaves `async with`),
 * before the parent's frame is destroyed and its future settles. Then it
 * fails with %ASYNC_ERROR_TASK_GROUP holding every error
 * (async_task_group_error_get_errors()), or with %G_IO_ERROR_CANCELLED if
 * the parent was cancelled from outside, or succeeds.
 *
 * Thread safety: loop-local, as in asyncio: a group is used on its
 * parent's thread only.
 *
 * Since: 0.2
 */
typedef struct _AsyncTaskGroup AsyncTaskGroup;

ASYNC_AVAILABLE_IN_0_2
AsyncTaskGroup *async_task_group_new      (AsyncCoroutine     *co) G_GNUC_WARN_UNUSED_RESULT;
ASYNC_AVAILABLE_IN_0_2
AsyncTaskGroup *async_task_group_ref      (AsyncTaskGroup     *group);
ASYNC_AVAILABLE_IN_0_2
void            async_task_group_unref    (AsyncTaskGroup     *group);
ASYNC_AVAILABLE_IN_0_2
AsyncFuture    *async_task_group_spawn_at (AsyncTaskGroup     *group,
                                           const char         *where,
                                           AsyncCoroutineFunc  func,
                                           gpointer            frame,
                                           GDestroyNotify      frame_destroy);
/**
 * async_task_group_spawn:
 * @group: the group
 * @func: the child's body
 * @frame: (nullable) (transfer full): the child's locals
 * @frame_destroy: (nullable): frees @frame once the child has ended
 *
 * `group.create_task`: async_task_group_spawn_at() with the caller's
 * line as the child's spawn site.
 *
 * Returns: (transfer none) (nullable): the child's future
 *
 * Since: 0.2
 */
#define async_task_group_spawn(group, func, frame, frame_destroy) \
  async_task_group_spawn_at ((group), G_STRLOC, (func), (frame), (frame_destroy))
/**
 * async_task_group_spawn_with:
 * @group: the group
 * @func: a coroutine defined with ASYNC_DEFINE_COROUTINE()
 * @FrameType: its frame's struct
 * @...: the frame's first values, as for async_spawn_with()
 *
 * async_task_group_spawn() with a frame it allocates, as async_spawn_with().
 *
 * Returns: (transfer none) (nullable): the child's future
 *
 * Since: 0.2
 */
#define async_task_group_spawn_with(group, func, FrameType, ...) \
  async_task_group_spawn_at ((group), G_STRLOC, (func), \
                             g_memdup2 (&(FrameType) { __VA_ARGS__ }, sizeof (FrameType)), g_free)
ASYNC_AVAILABLE_IN_0_2
AsyncFuture    *async_task_group_wait     (AsyncTaskGroup     *group) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsyncTaskGroup, async_task_group_unref)

G_END_DECLS
