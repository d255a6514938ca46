/* tsan-glib.c: tells ThreadSanitizer about GLib's locks. LD_PRELOADed into
 * the test programs of the TSan build by .ci/sanitizers.sh.
 *
 * GLib is not built with TSan, and on Linux its GMutex, g_bit_lock () and
 * GThreadPool hand-offs are futexes and atomics inside libglib, which TSan
 * cannot see: every field our library guards with a GMutex would be
 * reported as a race. Rather than suppress those reports (which would also
 * hide our real races), each wrapper here calls the real GLib function and
 * adds the happens-before edge it implies, keyed on the lock's address:
 * release before unlocking, acquire after locking. Nothing is changed in
 * what GLib does. */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>

#include <glib.h>

void __tsan_acquire (void *addr);
void __tsan_release (void *addr);

/* Looks up the real GLib function; @ret and @args are its type. The
 * pointer is read and written atomically, as any thread may come first. */
#define REAL(name, ret, args) \
  static ret (*cached_##name) args; \
  ret (*real_##name) args = __atomic_load_n (&cached_##name, __ATOMIC_ACQUIRE); \
  if (real_##name == NULL) \
    { \
      *(void **) &real_##name = dlsym (RTLD_NEXT, #name); \
      if (real_##name == NULL) \
        abort (); \
      __atomic_store_n (&cached_##name, real_##name, __ATOMIC_RELEASE); \
    }

void
g_mutex_lock (GMutex *mutex)
{
  REAL (g_mutex_lock, void, (GMutex *));
  real_g_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  REAL (g_mutex_trylock, gboolean, (GMutex *));
  if (!real_g_mutex_trylock (mutex))
    return FALSE;
  __tsan_acquire (mutex);
  return TRUE;
}

void
g_mutex_unlock (GMutex *mutex)
{
  REAL (g_mutex_unlock, void, (GMutex *));
  __tsan_release (mutex);
  real_g_mutex_unlock (mutex);
}

/* Waiting unlocks the mutex and takes it again. */
void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  REAL (g_cond_wait, void, (GCond *, GMutex *));
  __tsan_release (mutex);
  real_g_cond_wait (cond, mutex);
  __tsan_acquire (mutex);
}

gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  gboolean signalled;

  REAL (g_cond_wait_until, gboolean, (GCond *, GMutex *, gint64));
  __tsan_release (mutex);
  signalled = real_g_cond_wait_until (cond, mutex, end_time);
  __tsan_acquire (mutex);
  return signalled;
}

void
g_bit_lock (volatile gint *address,
            gint           lock_bit)
{
  REAL (g_bit_lock, void, (volatile gint *, gint));
  real_g_bit_lock (address, lock_bit);
  __tsan_acquire ((void *) address);
}

gboolean
g_bit_trylock (volatile gint *address,
               gint           lock_bit)
{
  REAL (g_bit_trylock, gboolean, (volatile gint *, gint));
  if (!real_g_bit_trylock (address, lock_bit))
    return FALSE;
  __tsan_acquire ((void *) address);
  return TRUE;
}

void
g_bit_unlock (volatile gint *address,
              gint           lock_bit)
{
  REAL (g_bit_unlock, void, (volatile gint *, gint));
  __tsan_release ((void *) address);
  real_g_bit_unlock (address, lock_bit);
}

/* The fast path of g_once_init_enter () is an atomic load in the caller's
 * (instrumented) code, which acquires what this release published. */
#undef g_once_init_leave

void
g_once_init_leave (volatile void *location,
                   gsize          result)
{
  REAL (g_once_init_leave, void, (volatile void *, gsize));
  __tsan_release ((void *) location);
  real_g_once_init_leave (location, result);
}

/* A job pushed to a GThreadPool reaches a worker through GLib's own queue:
 * release at the push, acquire in a trampoline before the pool's function.
 * The trampoline's closure lives as long as the process, as a pool's
 * workers may outlive g_thread_pool_free (pool, FALSE, FALSE). */
typedef struct
{
  GFunc    func;
  gpointer user_data;
} PoolTrampoline;

static void
pool_trampoline (gpointer data,
                 gpointer user_data)
{
  PoolTrampoline *trampoline = user_data;

  __tsan_acquire (data);
  trampoline->func (data, trampoline->user_data);
}

GThreadPool *
g_thread_pool_new (GFunc     func,
                   gpointer  user_data,
                   gint      max_threads,
                   gboolean  exclusive,
                   GError  **error)
{
  PoolTrampoline *trampoline = malloc (sizeof *trampoline);

  REAL (g_thread_pool_new, GThreadPool *, (GFunc, gpointer, gint, gboolean, GError **));
  trampoline->func = func;
  trampoline->user_data = user_data;
  return real_g_thread_pool_new (pool_trampoline, trampoline, max_threads, exclusive, error);
}

gboolean
g_thread_pool_push (GThreadPool *pool,
                    gpointer     data,
                    GError     **error)
{
  REAL (g_thread_pool_push, gboolean, (GThreadPool *, gpointer, GError **));
  __tsan_release (data);
  return real_g_thread_pool_push (pool, data, error);
}

/* Our reference counts are GLib's gatomicrefcount, whose operations are
 * functions inside libglib unless G_DISABLE_CHECKS: each drop releases,
 * and the drop to zero acquires them all before the object is freed. */
gboolean
g_atomic_ref_count_dec (gatomicrefcount *rc)
{
  gboolean zero;

  REAL (g_atomic_ref_count_dec, gboolean, (gatomicrefcount *));
  __tsan_release (rc);
  zero = real_g_atomic_ref_count_dec (rc);
  if (zero)
    __tsan_acquire (rc);
  return zero;
}
