#!/bin/sh
# test-gtypes-complete.sh: every public ref-counted type (one whose header
# declares an async_<name>_ref ()) has a boxed GType declared in
# async-types.h and defined in lib/types.c (the library exports its
# async_<name>_get_type), so that the next type cannot land without one.
# Prints TAP. Needs G_TEST_SRCDIR (the tests directory) and
# ASYNC_TOP_BUILDDIR (make check sets both).

set -u

include=${G_TEST_SRCDIR:?}/../include/async-glib
library=${ASYNC_TOP_BUILDDIR:?}/lib/.libs/libasync-glib-1.0.so
exported=$(nm -D --defined-only "$library" | awk '$2 == "T" { print $3 }')
types=$(sed -n 's/^.*GType \(async_[a-z_]*\)_get_type (void).*$/\1/p' "$include/async-types.h")
refs=$(cat "$include"/*.h | sed -n 's/^.* \**\(async_[a-z_]*\)_ref *(.*$/\1/p' | sort -u)

if [ -z "$refs" ]; then
  echo "Bail out! no _ref functions found under $include"
  exit 1
fi

n=0
failed=0
echo "1..$(echo "$refs" | wc -l)"
for name in $refs; do
  n=$((n + 1))
  if ! echo "$types" | grep -qx "$name"; then
    echo "not ok $n - $name has no boxed GType: declare it in include/async-glib/async-types.h"
    failed=1
  elif ! echo "$exported" | grep -qx "${name}_get_type"; then
    echo "not ok $n - ${name}_get_type is declared but not exported: define it in lib/types.c"
    failed=1
  else
    echo "ok $n - $name has a boxed GType"
  fi
done
exit $failed
