/* async-macros.h: the export macro and the inclusion guard shared by every
 * public header of async-glib; the per-version availability macros are in
 * async-version.h, which this includes. */

/**
 * SECTION:async-macros
 * @title: Export macros
 * @short_description: what marks the public ABI
 *
 * %ASYNC_AVAILABLE_IN_ALL marks the symbols every version has; a symbol
 * added later carries its version's macro (%ASYNC_AVAILABLE_IN_0_2, in
 * async-version.h).
 */

#pragma once

#if !defined (ASYNC_GLIB_INSIDE) && !defined (ASYNC_GLIB_COMPILATION)
# error "Only <async-glib/async-glib.h> can be included directly."
#endif

#include <glib.h>

/* The library is built with -fvisibility=hidden, so a symbol without this
 * is private to it. */
#if defined (ASYNC_GLIB_COMPILATION) && defined (__GNUC__)
# define _ASYNC_EXTERN __attribute__ ((visibility ("default"))) extern
#else
# define _ASYNC_EXTERN extern
#endif

/**
 * ASYNC_AVAILABLE_IN_ALL:
 *
 * Marks a symbol of the public ABI that every version has (those of 0.1);
 * a symbol added later is marked with its version's macro, as
 * %ASYNC_AVAILABLE_IN_0_2.
 *
 * Since: 0.1
 */
#define ASYNC_AVAILABLE_IN_ALL _ASYNC_EXTERN

#include <async-glib/async-version.h>
