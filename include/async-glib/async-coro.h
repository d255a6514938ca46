/* async-coro.h: stackless coroutines, asyncio's `async def` and `await`.
 *
 * A coroutine is a function re-entered at its last ASYNC_AWAIT (); the locals
 * that must live across an await are kept in a frame struct of the caller's.
 *
 *   typedef struct { int i; } Counter;
 *
 *   static void
 *   count_to_three (AsyncCoroutine *co, gpointer frame)
 *   {
 *     Counter *self = frame;
 *
 *     ASYNC_BEGIN (co);
 *     for (self->i = 1; self->i <= 3; self->i++)
 *       {
 *         g_print ("%d\n", self->i);
 *         ASYNC_AWAIT (co, async_sleep (1));
 *       }
 *     ASYNC_END (co);
 *   }
 *
 *   AsyncFuture *task = async_spawn (count_to_three, g_new0 (Counter, 1), g_free);
 *
 * ASYNC_DEFINE_COROUTINE () and async_spawn_with () write the cast and the
 * allocation for you.
 */

/**
 * SECTION:async-coro
 * @title: Coroutines
 * @short_description: asyncio's async def and await: stackless coroutines
 *
 * A coroutine is a function re-entered at its last ASYNC_AWAIT(); the locals
 * that must live across an await are kept in a frame struct of the caller's,
 * given to async_spawn() with the function that frees it.
 *
 * |[<!-- language="C" -->
 * typedef struct { int i; } Counter;
 *
 * static void
 * count_to_three (AsyncCoroutine *co, gpointer frame)
 * {
 *   Counter *self = frame;
 *
 *   ASYNC_BEGIN (co);
 *   for (self->i = 1; self->i <= 3; self->i++)
 *     {
 *       g_print ("%d\n", self->i);
 *       ASYNC_AWAIT (co, async_sleep (1));
 *     }
 *   ASYNC_END (co);
 * }
 *
 * AsyncFuture *task = async_spawn (count_to_three, g_new0 (Counter, 1), g_free);
 * ]|
 *
 * The macros are not introspectable, nor are the coroutine functions: a
 * binding has its own coroutines and awaits futures with async_future_then().
 */

#pragma once

#include <async-glib/async-future.h>

G_BEGIN_DECLS

/**
 * AsyncCoroutine:
 *
 * A running coroutine: its resume point, the future it awaits, and the
 * future of its own outcome (async_coroutine_get_future()).
 *
 * Thread safety: a coroutine runs on the thread that iterates the context
 * it was spawned on; its accessors may only be called from the coroutine
 * itself.
 *
 * Since: 0.1
 */
typedef struct _AsyncCoroutine AsyncCoroutine;

/**
 * AsyncCoroutineFunc:
 * @co: the coroutine
 * @frame: the frame given to async_spawn(): the coroutine's locals
 *
 * The body of a coroutine, written between ASYNC_BEGIN() and ASYNC_END().
 * It is called again at each resumption and continues after the
 * ASYNC_AWAIT() it stopped at.
 *
 * Since: 0.1
 */
typedef void (*AsyncCoroutineFunc) (AsyncCoroutine *co,
                                    gpointer        frame);

ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_spawn_at                  (const char         *where,
                                              AsyncCoroutineFunc  func,
                                              gpointer            frame,
                                              GDestroyNotify      frame_destroy) G_GNUC_WARN_UNUSED_RESULT;
/**
 * async_spawn:
 * @func: the coroutine's body
 * @frame: (nullable) (transfer full): the coroutine's locals
 * @frame_destroy: (nullable): frees @frame once the coroutine has ended
 *
 * Starts a coroutine (asyncio's `create_task`): its first step runs on the
 * next turn of the thread-default context's loop, never inside this call.
 * The runtime keeps the coroutine alive until it ends, whether or not the
 * caller keeps the returned future. @frame_destroy runs exactly once, when
 * the coroutine ends for any reason: it is the coroutine's `finally`.
 *
 * Returns: (transfer full): the future of the coroutine's outcome
 *
 * Since: 0.1
 */
#define async_spawn(func, frame, frame_destroy) \
  async_spawn_at (G_STRLOC, (func), (frame), (frame_destroy))

ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_coroutine_get_future      (AsyncCoroutine     *co);
ASYNC_AVAILABLE_IN_ALL
AsyncFuture *async_coroutine_get_awaited     (AsyncCoroutine     *co);
ASYNC_AVAILABLE_IN_ALL
gpointer     async_coroutine_get_value       (AsyncCoroutine     *co);
ASYNC_AVAILABLE_IN_ALL
gpointer     async_coroutine_steal_value     (AsyncCoroutine     *co);
ASYNC_AVAILABLE_IN_ALL
gint64       async_coroutine_get_int         (AsyncCoroutine     *co);
ASYNC_AVAILABLE_IN_ALL
gboolean     async_coroutine_get_boolean     (AsyncCoroutine     *co);
ASYNC_AVAILABLE_IN_0_2
gpointer     async_coroutine_get_gathered_value   (AsyncCoroutine *co,
                                                   guint           index);
ASYNC_AVAILABLE_IN_0_2
gpointer     async_coroutine_steal_gathered_value (AsyncCoroutine *co,
                                                   guint           index);
ASYNC_AVAILABLE_IN_0_2
gint64       async_coroutine_get_gathered_int     (AsyncCoroutine *co,
                                                   guint           index);

ASYNC_AVAILABLE_IN_0_2
AsyncFuture *async_spawn_on_at               (GMainContext       *context,
                                              const char         *where,
                                              AsyncCoroutineFunc  func,
                                              gpointer            frame,
                                              GDestroyNotify      frame_destroy) G_GNUC_WARN_UNUSED_RESULT;
/**
 * async_spawn_on:
 * @context: (nullable): the context to run the coroutine on
 * @func: the coroutine's body
 * @frame: (nullable) (transfer full): the coroutine's locals
 * @frame_destroy: (nullable): frees @frame once the coroutine has ended
 *
 * asyncio's `run_coroutine_threadsafe`: async_spawn() onto @context
 * from any thread; see async_spawn_on_at().
 *
 * Returns: (transfer full): the future of the coroutine's outcome
 *
 * Since: 0.2
 */
#define async_spawn_on(context, func, frame, frame_destroy) \
  async_spawn_on_at ((context), G_STRLOC, (func), (frame), (frame_destroy))

ASYNC_AVAILABLE_IN_0_2
AsyncCoroutine *async_coroutine_from_future  (AsyncFuture        *future);
ASYNC_AVAILABLE_IN_0_2
AsyncCoroutine *async_current_task           (void);
ASYNC_AVAILABLE_IN_0_2
GPtrArray      *async_all_tasks              (void);
ASYNC_AVAILABLE_IN_0_2
void         async_coroutine_set_name        (AsyncCoroutine     *co,
                                              const char         *name);
ASYNC_AVAILABLE_IN_0_2
const char  *async_coroutine_get_name        (AsyncCoroutine     *co);
ASYNC_AVAILABLE_IN_0_2
guint        async_coroutine_cancelling      (AsyncCoroutine     *co);
ASYNC_AVAILABLE_IN_0_2
guint        async_coroutine_uncancel        (AsyncCoroutine     *co);

/**
 * async_coroutine_resume_point_: (skip)
 * @co: see the macro
 *
 * The machinery of ASYNC_BEGIN(), ASYNC_AWAIT() and their siblings; not
 * for direct use, and not for bindings.
 *
 * Returns: the line ASYNC_BEGIN() continues at
 *
 * Since: 0.1
 */
/**
 * async_coroutine_suspend_: (skip)
 * @co: see the macro
 * @future: see the macro
 * @resume_point: see the macro
 *
 * The machinery of ASYNC_BEGIN(), ASYNC_AWAIT() and their siblings; not
 * for direct use, and not for bindings.
 *
 * Returns: %TRUE if the body must return until @future settles
 *
 * Since: 0.1
 */
/**
 * async_coroutine_resume_: (skip)
 * @co: see the macro
 * @try_: see the macro
 * @error: see the macro
 *
 * The machinery of ASYNC_BEGIN(), ASYNC_AWAIT() and their siblings; not
 * for direct use, and not for bindings.
 *
 * Returns: %TRUE if the body goes on after the await
 *
 * Since: 0.1
 */
/**
 * async_coroutine_return_: (skip)
 * @co: see the macro
 * @value: see the macro
 * @value_destroy: see the macro
 *
 * The machinery of ASYNC_BEGIN(), ASYNC_AWAIT() and their siblings; not
 * for direct use, and not for bindings.
 *
 * Since: 0.1
 */
/**
 * async_coroutine_return_int_: (skip)
 * @co: see the macro
 * @value: see the macro
 *
 * The machinery of ASYNC_BEGIN(), ASYNC_AWAIT() and their siblings; not
 * for direct use, and not for bindings.
 *
 * Since: 0.1
 */
/**
 * async_coroutine_return_error_: (skip)
 * @co: see the macro
 * @error: see the macro
 *
 * The machinery of ASYNC_BEGIN(), ASYNC_AWAIT() and their siblings; not
 * for direct use, and not for bindings.
 *
 * Since: 0.1
 */
/**
 * async_coroutine_bad_resume_point_: (skip)
 * @co: see the macro
 *
 * The machinery of ASYNC_BEGIN(), ASYNC_AWAIT() and their siblings; not
 * for direct use, and not for bindings.
 *
 * Since: 0.1
 */
/* The machinery behind the macros below; not for direct use. */
ASYNC_AVAILABLE_IN_0_2
gpointer     async_coroutine_get_resume_point_ (AsyncCoroutine   *co);
ASYNC_AVAILABLE_IN_0_2
gboolean     async_coroutine_await_          (AsyncCoroutine     *co,
                                              AsyncFuture        *future,
                                              gpointer            resume_point);
/* As the two above with an int resume point: what 0.1's macros call. */
ASYNC_AVAILABLE_IN_ALL
int          async_coroutine_resume_point_   (AsyncCoroutine     *co);
ASYNC_AVAILABLE_IN_ALL
gboolean     async_coroutine_suspend_        (AsyncCoroutine     *co,
                                              AsyncFuture        *future,
                                              int                 resume_point);
ASYNC_AVAILABLE_IN_ALL
gboolean     async_coroutine_resume_         (AsyncCoroutine     *co,
                                              gboolean            try_,
                                              GError            **error);
ASYNC_AVAILABLE_IN_ALL
void         async_coroutine_return_         (AsyncCoroutine     *co,
                                              gpointer            value,
                                              GDestroyNotify      value_destroy);
ASYNC_AVAILABLE_IN_ALL
void         async_coroutine_return_int_     (AsyncCoroutine     *co,
                                              gint64              value);
ASYNC_AVAILABLE_IN_ALL
void         async_coroutine_return_error_   (AsyncCoroutine     *co,
                                              GError             *error);
ASYNC_AVAILABLE_IN_ALL
void         async_coroutine_bad_resume_point_ (AsyncCoroutine   *co) G_GNUC_NORETURN;

/**
 * ASYNC_DEFINE_COROUTINE:
 * @name: the coroutine's name, a function of type #AsyncCoroutineFunc
 * @FrameType: the struct that holds its locals
 *
 * Defines a static coroutine whose body sees `AsyncCoroutine *co` and
 * `FrameType *self`, its frame, without a cast. Pair it with
 * async_spawn_with(), which allocates the frame:
 *
 * |[<!-- language="C" -->
 * typedef struct { int i; } CountToThree;
 *
 * ASYNC_DEFINE_COROUTINE (count_to_three, CountToThree)
 * {
 *   ASYNC_BEGIN (co);
 *   for (self->i = 1; self->i <= 3; self->i++)
 *     ASYNC_AWAIT (co, async_sleep (1));
 *   ASYNC_END (co);
 * }
 *
 * AsyncFuture *task = async_spawn_with (count_to_three, CountToThree, .i = 0);
 * ]|
 *
 * Since: 0.2
 */
#define ASYNC_DEFINE_COROUTINE(name, FrameType) \
  static void name##_body_ (AsyncCoroutine *co, FrameType *self); \
  static void \
  name (AsyncCoroutine *co, gpointer frame) \
  { \
    name##_body_ (co, (FrameType *) frame); \
  } \
  static void \
  name##_body_ (AsyncCoroutine *co, FrameType *self)

/**
 * async_spawn_with:
 * @func: a coroutine defined with ASYNC_DEFINE_COROUTINE()
 * @FrameType: its frame's struct
 * @...: the frame's first values, as designated initializers (`.url =
 *   url, .tries = 3`), or `0` for a frame of zeros; members not named are
 *   zero
 *
 * async_spawn() with a frame it allocates (and frees with g_free() when the
 * coroutine ends). A frame that owns memory of its own needs a destroy
 * notify of its own: use async_spawn() then.
 *
 * Returns: (transfer full): the future of the coroutine's outcome
 *
 * Since: 0.2
 */
#define async_spawn_with(func, FrameType, ...) \
  async_spawn_at (G_STRLOC, (func), \
                  g_memdup2 (&(FrameType) { __VA_ARGS__ }, sizeof (FrameType)), g_free)

/* Resume points. With GCC and Clang, a resume point is the address of a
 * label (labels as values, as protothreads' LC_ADDRLABELS): ASYNC_BEGIN
 * jumps to it, so an await may stand anywhere in the body, inside a
 * `switch` too, and several on one line. Elsewhere, or with
 * ASYNC_COROUTINE_PORTABLE defined, the body is a `switch` on a number
 * (Duff's device): an await inside a `switch` of the body's own is then
 * refused when the coroutine resumes. */
#define ASYNC_CONCAT_INNER_(a, b) a ## b
#define ASYNC_CONCAT_(a, b) ASYNC_CONCAT_INNER_ (a, b)
#ifdef __COUNTER__
# define ASYNC_UNIQUE_ __COUNTER__
#else
# define ASYNC_UNIQUE_ __LINE__
#endif

#if defined (__GNUC__) && !defined (ASYNC_COROUTINE_PORTABLE)

#define ASYNC_BEGIN(co) \
  do \
    { \
      gpointer async_resume_point_ = async_coroutine_get_resume_point_ (co); \
      if (async_resume_point_ != NULL) \
        __extension__ ({ goto *async_resume_point_; }); \
    } \
  while (0)

#define ASYNC_AWAIT_AT_(co, future, try_, error, label) \
  do \
    { \
      if (async_coroutine_await_ ((co), (future), __extension__ &&label)) \
        return; \
    label: \
      if (!async_coroutine_resume_ ((co), (try_), (error))) \
        return; \
    } \
  while (0)

#define ASYNC_AWAIT_(co, future, try_, error) \
  ASYNC_AWAIT_AT_ (co, future, try_, error, ASYNC_CONCAT_ (async_resume_, ASYNC_UNIQUE_))

#define ASYNC_END(co) \
  do \
    { \
      async_coroutine_return_ ((co), NULL, NULL); \
      return; \
    } \
  while (0)

#else

#define ASYNC_BEGIN(co) \
  switch (GPOINTER_TO_INT (async_coroutine_get_resume_point_ (co))) \
    { \
    case 0:

#define ASYNC_AWAIT_AT_(co, future, try_, error, point) \
  do \
    { \
      if (async_coroutine_await_ ((co), (future), GINT_TO_POINTER (point))) \
        return; \
      G_GNUC_FALLTHROUGH; \
    case (point): \
      if (!async_coroutine_resume_ ((co), (try_), (error))) \
        return; \
    } \
  while (0)

#define ASYNC_AWAIT_(co, future, try_, error) \
  ASYNC_AWAIT_AT_ (co, future, try_, error, (ASYNC_UNIQUE_ + 1))

#define ASYNC_END(co) \
      async_coroutine_return_ ((co), NULL, NULL); \
      return; \
    default: \
      async_coroutine_bad_resume_point_ (co); \
    } \
  (void) 0

#endif

/**
 * ASYNC_BEGIN:
 * @co: the #AsyncCoroutine
 *
 * Opens a coroutine's body. Code before it runs at every resumption; a
 * local declared after it does not survive an await (keep those in the
 * frame).
 *
 * Since: 0.1
 */

/**
 * ASYNC_AWAIT:
 * @co: the #AsyncCoroutine
 * @future: (transfer full): the future to wait for
 *
 * Suspends the coroutine until @future settles (at once if it already has),
 * then continues after this line; async_coroutine_get_value() and friends
 * read the outcome. If @future is rejected or cancelled, the coroutine ends
 * with that error, as an exception propagates in Python. With GCC and
 * Clang it may stand anywhere in the body, inside a `switch` or beside
 * another await on the same line; see the README for other compilers.
 *
 * Since: 0.1
 */
#define ASYNC_AWAIT(co, future) ASYNC_AWAIT_ (co, future, FALSE, NULL)

/**
 * ASYNC_AWAIT_TRY:
 * @co: the #AsyncCoroutine
 * @future: (transfer full): the future to wait for
 * @error: (out) (optional): where @future's error goes; the coroutine owns it
 *
 * As ASYNC_AWAIT(), but an error of @future (%G_IO_ERROR_CANCELLED too) is
 * handed to the coroutine in @error instead of ending it: Python's
 * `try: await … except`.
 *
 * Since: 0.1
 */
#define ASYNC_AWAIT_TRY(co, future, error) ASYNC_AWAIT_ (co, future, TRUE, error)

/**
 * ASYNC_YIELD:
 * @co: the #AsyncCoroutine
 *
 * Lets every other ready callback run once before continuing:
 * `await asyncio.sleep(0)`.
 *
 * Since: 0.1
 */
#define ASYNC_YIELD(co) ASYNC_AWAIT ((co), async_sleep (0))

/**
 * ASYNC_RETURN:
 * @co: the #AsyncCoroutine
 * @value: (transfer full) (nullable): the coroutine's result
 * @value_destroy: (nullable): frees @value
 *
 * Ends the coroutine (its frame is destroyed) and resolves its future with
 * @value. A coroutine that was asked to cancel and has not yet seen the
 * cancellation ends cancelled instead, and @value is freed (asyncio).
 *
 * Since: 0.1
 */
#define ASYNC_RETURN(co, value, value_destroy) \
  do \
    { \
      async_coroutine_return_ ((co), (value), (value_destroy)); \
      return; \
    } \
  while (0)

/**
 * ASYNC_RETURN_INT:
 * @co: the #AsyncCoroutine
 * @value: the coroutine's integer result
 *
 * Ends the coroutine and resolves its future with an integer, as
 * ASYNC_RETURN().
 *
 * Since: 0.1
 */
#define ASYNC_RETURN_INT(co, value) \
  do \
    { \
      async_coroutine_return_int_ ((co), (value)); \
      return; \
    } \
  while (0)

/**
 * ASYNC_RETURN_ERROR:
 * @co: the #AsyncCoroutine
 * @error: (transfer full): the error the coroutine ends with
 *
 * Ends the coroutine and rejects its future with @error: Python's `raise`.
 *
 * Since: 0.1
 */
#define ASYNC_RETURN_ERROR(co, error) \
  do \
    { \
      async_coroutine_return_error_ ((co), (error)); \
      return; \
    } \
  while (0)

/**
 * ASYNC_END:
 * @co: the #AsyncCoroutine
 *
 * Closes a coroutine's body. Reaching it resolves the coroutine's future
 * with %NULL, as ASYNC_RETURN().
 *
 * Since: 0.1
 */

G_END_DECLS
