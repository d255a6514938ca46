#!/bin/sh
# test-guide.sh: the complete programs of docs/guide.md (its C blocks that
# have a main ()) compile against the headers, warnings as errors, so that
# the guide cannot drift from the API. Prints TAP.
# Needs CC, ASYNC_TEST_CPPFLAGS, GLIB_CFLAGS and ASYNC_TOP_SRCDIR (make check
# sets them).

set -u

guide=${ASYNC_TOP_SRCDIR:?}/docs/guide.md
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Each ```c block into its own file; keep those with a main ().
awk -v dir="$scratch" '
  /^```c$/ { n++; file = sprintf ("%s/block-%02d.c", dir, n); inside = 1; next }
  /^```$/  { inside = 0; next }
  inside   { print > file }
' "$guide"
programs=$(grep -l '^main (' "$scratch"/block-*.c 2>/dev/null)

if [ -z "$programs" ]; then
  echo "Bail out! no complete program found in $guide"
  exit 1
fi

n=0
failed=0
echo "1..$(echo "$programs" | wc -l)"
for program in $programs; do
  n=$((n + 1))
  if out=$($CC -fsyntax-only -Wall -Wextra -Werror -Wno-unused-parameter \
           $ASYNC_TEST_CPPFLAGS $GLIB_CFLAGS "$program" 2>&1); then
    echo "ok $n - the guide's program $(basename "$program" .c) compiles"
  else
    echo "not ok $n - the guide's program $(basename "$program" .c) compiles"
    printf '%s\n' "$out" | sed 's/^/# /'
    failed=1
  fi
done
exit $failed
