/* async-macros.h: the export macro and the inclusion guard shared by every
 * public header of async-glib. */

#pragma once

#if !defined (ASYNC_GLIB_INSIDE) && !defined (ASYNC_GLIB_COMPILATION)
# error "Only <async-glib/async-glib.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Marks the public ABI: the library is built with -fvisibility=hidden, so a
 * symbol without this is private to it. */
#if defined (ASYNC_GLIB_COMPILATION) && defined (__GNUC__)
# define ASYNC_AVAILABLE_IN_ALL __attribute__ ((visibility ("default"))) extern
#else
# define ASYNC_AVAILABLE_IN_ALL extern
#endif

/* Marks a symbol added in 0.2. */
#define ASYNC_AVAILABLE_IN_0_2 ASYNC_AVAILABLE_IN_ALL

G_END_DECLS
