#!/bin/sh
# demo.sh: what `make demo` runs: the tutorial's three tasks, the third against
# the project's own loopback server so that it needs no network.
# Usage: demo.sh BUILDDIR

set -eu

build=${1:?usage: demo.sh BUILDDIR}
dir=$(mktemp -d)
server=

cleanup ()
{
  exec 3>&-
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

echo "== Task 1: a coroutine (samples/hello-world)"
"$build/samples/hello-world"

echo
echo "== Task 2: two coroutines at once with gather (samples/gather-count)"
"$build/samples/gather-count"

echo
echo "== Task 3: URLs fetched concurrently (samples/fetch-urls)"
# The server runs until its standard input closes: keep a fifo open on fd 3.
mkfifo "$dir/stdin"
"$build/tests/fixtures/async-test-server" < "$dir/stdin" > "$dir/out" &
server=$!
exec 3> "$dir/stdin"

port=
tries=0
while [ -z "$port" ]; do
  port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$dir/out")
  tries=$((tries + 1))
  if [ -z "$port" ]; then
    if [ "$tries" -gt 100 ]; then
      echo "demo.sh: the test server did not start" >&2
      exit 1
    fi
    sleep 0.1
  fi
done

base="http://127.0.0.1:$port"
echo "(the first URL answers after 500 ms, the second at once: bodies still come in order)"
"$build/samples/fetch-urls" --summary \
  "$base/text/Hello%20from%20python.org%0A?delay=500" \
  "$base/text/Hello%20from%20google.com%0A" \
  "$base/delay/500"
