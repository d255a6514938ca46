#!/bin/sh
# test-availability.sh: the availability macros warn as GLib's do. A program
# that sets ASYNC_VERSION_MAX_ALLOWED to 0.1 and calls a 0.2 symbol gets
# "Not available before 0.2"; without it, or with 0.2, it compiles clean.
# Prints TAP. Needs CC, ASYNC_TEST_CPPFLAGS (the include path of the headers,
# built and source) and GLIB_CFLAGS from the environment (make check sets them).

set -u

program='#include <async-glib/async-glib.h>
int main (void) { return async_glib_get_version () == NULL; }'

n=0
failed=0

# check NAME EXPECT(ok|warns) CPPFLAGS...
check ()
{
  name=$1
  expect=$2
  shift 2
  n=$((n + 1))
  out=$(printf '%s\n' "$program" | $CC -x c -fsyntax-only -Wdeprecated-declarations \
        -Werror=deprecated-declarations $ASYNC_TEST_CPPFLAGS $GLIB_CFLAGS "$@" - 2>&1)
  rc=$?
  if [ "$expect" = ok ] && [ $rc -eq 0 ]; then
    echo "ok $n - $name"
  elif [ "$expect" = warns ] && [ $rc -ne 0 ] && printf '%s' "$out" | grep -q 'Not available before 0.2'; then
    echo "ok $n - $name"
  else
    echo "not ok $n - $name"
    printf '%s\n' "$out" | sed 's/^/# /'
    failed=1
  fi
}

echo "1..3"
check "default: 0.2 symbols available" ok
check "MAX_ALLOWED=0.2: 0.2 symbols available" ok -DASYNC_VERSION_MAX_ALLOWED=ASYNC_VERSION_0_2
check "MAX_ALLOWED=0.1: a 0.2 symbol warns" warns \
  -DASYNC_VERSION_MIN_REQUIRED=ASYNC_VERSION_0_1 -DASYNC_VERSION_MAX_ALLOWED=ASYNC_VERSION_0_1
exit $failed
