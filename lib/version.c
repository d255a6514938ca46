/* version.c: the version of the library loaded at run time, as GLib's
 * glib_major_version and glib_check_version (). */

#include "config.h"

#include "async-glib/async-version.h"

/**
 * async_glib_get_version:
 *
 * The version of the library loaded at run time, which may be newer than
 * the headers a program was compiled against (%ASYNC_GLIB_MAJOR_VERSION
 * and its siblings).
 *
 * Thread safety: may be called from any thread.
 *
 * Returns: (transfer none): the version, as "0.2.0"
 *
 * Since: 0.2
 */
const char *
async_glib_get_version (void)
{
  return PACKAGE_VERSION;
}

/**
 * async_glib_get_major_version:
 *
 * Thread safety: may be called from any thread.
 *
 * Returns: the major version of the library loaded at run time
 *
 * Since: 0.2
 */
guint
async_glib_get_major_version (void)
{
  return ASYNC_GLIB_MAJOR_VERSION;
}

/**
 * async_glib_get_minor_version:
 *
 * Thread safety: may be called from any thread.
 *
 * Returns: the minor version of the library loaded at run time
 *
 * Since: 0.2
 */
guint
async_glib_get_minor_version (void)
{
  return ASYNC_GLIB_MINOR_VERSION;
}

/**
 * async_glib_get_micro_version:
 *
 * Thread safety: may be called from any thread.
 *
 * Returns: the micro version of the library loaded at run time
 *
 * Since: 0.2
 */
guint
async_glib_get_micro_version (void)
{
  return ASYNC_GLIB_MICRO_VERSION;
}

/**
 * async_glib_check_version:
 * @major: the major version required
 * @minor: the minor version required
 * @micro: the micro version required
 *
 * Run-time check, as glib_check_version(): whether the library loaded is
 * compatible with version @major.@minor.@micro, that is of the same major
 * version and not older.
 *
 * Thread safety: may be called from any thread.
 *
 * Returns: (transfer none) (nullable): %NULL if it is compatible, or a
 *   message saying why not, owned by the library
 *
 * Since: 0.2
 */
const char *
async_glib_check_version (guint major,
                          guint minor,
                          guint micro)
{
  if (major != ASYNC_GLIB_MAJOR_VERSION)
    return major > ASYNC_GLIB_MAJOR_VERSION
           ? "async-glib version too old (major mismatch)"
           : "async-glib version too new (major mismatch)";
  if (minor > ASYNC_GLIB_MINOR_VERSION
      || (minor == ASYNC_GLIB_MINOR_VERSION && micro > ASYNC_GLIB_MICRO_VERSION))
    return "async-glib version too old (micro mismatch)";
  return NULL;
}
