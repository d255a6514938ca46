/* test-version.c: the version header configure generates agrees with the
 * package version and with the library loaded at run time, and
 * ASYNC_GLIB_CHECK_VERSION () and async_glib_check_version () order
 * versions as GLib's do. */

#include "config.h"

#include <async-glib/async-glib.h>

static void
test_header_matches_package (void)
{
  g_autofree char *from_header = g_strdup_printf ("%d.%d.%d",
                                                  ASYNC_GLIB_MAJOR_VERSION,
                                                  ASYNC_GLIB_MINOR_VERSION,
                                                  ASYNC_GLIB_MICRO_VERSION);

  g_assert_cmpstr (from_header, ==, PACKAGE_VERSION);
}

static void
test_run_time_matches_header (void)
{
  g_assert_cmpstr (async_glib_get_version (), ==, PACKAGE_VERSION);
  g_assert_cmpuint (async_glib_get_major_version (), ==, ASYNC_GLIB_MAJOR_VERSION);
  g_assert_cmpuint (async_glib_get_minor_version (), ==, ASYNC_GLIB_MINOR_VERSION);
  g_assert_cmpuint (async_glib_get_micro_version (), ==, ASYNC_GLIB_MICRO_VERSION);
}

static void
test_check_version_macro (void)
{
  const int major = ASYNC_GLIB_MAJOR_VERSION;
  const int minor = ASYNC_GLIB_MINOR_VERSION;
  const int micro = ASYNC_GLIB_MICRO_VERSION;

  g_assert_true (ASYNC_GLIB_CHECK_VERSION (major, minor, micro));
  g_assert_true (ASYNC_GLIB_CHECK_VERSION (0, 1, 0));
  g_assert_true (ASYNC_GLIB_CHECK_VERSION (0, 1, 99));
  g_assert_false (ASYNC_GLIB_CHECK_VERSION (major, minor, micro + 1));
  g_assert_false (ASYNC_GLIB_CHECK_VERSION (major, minor + 1, 0));
  g_assert_false (ASYNC_GLIB_CHECK_VERSION (major + 1, 0, 0));
#if !ASYNC_GLIB_CHECK_VERSION (0, 2, 0)
  g_assert_not_reached ();
#endif
}

static void
test_check_version_run_time (void)
{
  g_assert_null (async_glib_check_version (ASYNC_GLIB_MAJOR_VERSION,
                                           ASYNC_GLIB_MINOR_VERSION,
                                           ASYNC_GLIB_MICRO_VERSION));
  g_assert_null (async_glib_check_version (0, 1, 0));
  g_assert_nonnull (async_glib_check_version (ASYNC_GLIB_MAJOR_VERSION,
                                              ASYNC_GLIB_MINOR_VERSION,
                                              ASYNC_GLIB_MICRO_VERSION + 1));
  g_assert_nonnull (async_glib_check_version (ASYNC_GLIB_MAJOR_VERSION,
                                              ASYNC_GLIB_MINOR_VERSION + 1, 0));
  g_assert_nonnull (async_glib_check_version (ASYNC_GLIB_MAJOR_VERSION + 1, 0, 0));
}

static void
test_encoded_versions (void)
{
  g_assert_cmpint (ASYNC_VERSION_0_1, <, ASYNC_VERSION_0_2);
  g_assert_cmpint (ASYNC_VERSION_CUR_STABLE, ==,
                   G_ENCODE_VERSION (ASYNC_GLIB_MAJOR_VERSION, ASYNC_GLIB_MINOR_VERSION));
  /* Not defined by this program, so both default to the headers' version. */
  g_assert_cmpint (ASYNC_VERSION_MIN_REQUIRED, ==, ASYNC_VERSION_CUR_STABLE);
  g_assert_cmpint (ASYNC_VERSION_MAX_ALLOWED, ==, ASYNC_VERSION_CUR_STABLE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/version/header-matches-package", test_header_matches_package);
  g_test_add_func ("/version/run-time-matches-header", test_run_time_matches_header);
  g_test_add_func ("/version/check-version/macro", test_check_version_macro);
  g_test_add_func ("/version/check-version/run-time", test_check_version_run_time);
  g_test_add_func ("/version/encoded", test_encoded_versions);

  return g_test_run ();
}
