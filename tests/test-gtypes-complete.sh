#!/bin/sh
# test-gtypes-complete.sh: every public ref-counted type (one whose header
# declares an async_<name>_ref ()) has a boxed GType declared in
# async-types.h, so that the next type cannot land without one. Prints TAP.
# Needs G_TEST_SRCDIR (the tests directory; make check sets it).

set -u

include=${G_TEST_SRCDIR:?}/../include/async-glib
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
  if echo "$types" | grep -qx "$name"; then
    echo "ok $n - $name has a boxed GType"
  else
    echo "not ok $n - $name has no boxed GType: add it to lib/types.c and include/async-glib/async-types.h"
    failed=1
  fi
done
exit $failed
