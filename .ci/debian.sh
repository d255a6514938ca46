#!/bin/sh
# debian.sh: the Debian packages, as CI checks them after the sanitizers:
# build them from a copy of SRCDIR (dpkg-buildpackage -us -uc -b), check
# them with lintian, install them, compile and run .ci/consumer.c against
# the installed -dev package with pkg-config, run the installed fetch-urls
# and the typelib from Python, then remove the packages. Each step writes
# its result as an automake .trs file into WORKDIR/results, which .ci/run
# counts; the script fails if any step failed.
#
# Usage: .ci/debian.sh SRCDIR [WORKDIR]   (as root: it installs packages)
#   JOBS=2  the build's parallelism

set -u

srcdir=$(cd "${1:?usage: $0 SRCDIR [WORKDIR]}" && pwd)
workdir=${2:-${TMPDIR:-/tmp}/async-glib-debian}
jobs=${JOBS:-2}
results=$workdir/results
packages="libasync-glib-1.0-0 libasync-glib-1.0-dev libasync-glib-1.0-doc gir1.2-asyncglib-1.0 async-glib-tools"
failed=0

rm -rf "$workdir"
mkdir -p "$workdir/src" "$results"

# step NAME COMMAND...: runs COMMAND, logging to WORKDIR/NAME.log, and
# records its outcome as NAME.trs.
step ()
{
  name=$1
  shift
  if "$@" > "$workdir/$name.log" 2>&1; then
    result=PASS
  else
    result=FAIL
    failed=1
    echo "--- $name failed; the end of $workdir/$name.log:"
    tail -30 "$workdir/$name.log"
  fi
  printf ':test-result: %s\n:global-test-result: %s\n' "$result" "$result" > "$results/$name.trs"
  echo "== debian: $name: $result"
}

# The committed tree, without what a build left in SRCDIR.
copy_source ()
{
  git -C "$srcdir" archive --format=tar HEAD | tar -x -C "$workdir/src"
}

# The tests ran in CI's earlier phases: the package build skips them.
build ()
{
  cd "$workdir/src" \
  && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" dpkg-buildpackage -us -uc -b
}

# Errors and warnings fail; the info tags left are explained in debian/.
lint ()
{
  lintian --fail-on error,warning "$workdir"/async-glib_*.changes
}

install_packages ()
{
  debs=
  for p in $packages; do
    debs="$debs $(ls "$workdir"/${p}_*.deb)"
  done
  apt-get install -y -qq --no-install-recommends $debs
}

consumer ()
{
  cc -Wall -Wextra -Werror -Wno-unused-parameter -o "$workdir/consumer" "$srcdir/.ci/consumer.c" \
     $(pkg-config --cflags --libs async-glib-1.0) \
  && "$workdir/consumer"
}

# The man page and the reference are looked for in the packages: a minimal
# image may drop what is installed under /usr/share/man or /usr/share/doc.
tools ()
{
  fetch-urls --help | grep -q -- '--summary' \
  && dpkg-deb -c "$workdir"/async-glib-tools_*.deb | grep -q 'usr/share/man/man1/fetch-urls\.1' \
  && dpkg-deb -c "$workdir"/libasync-glib-1.0-doc_*.deb | grep -q 'usr/share/gtk-doc/html/async-glib-1.0/index\.html'
}

typelib ()
{
  /usr/bin/python3 -c "
import gi
gi.require_version('AsyncGlib', '1.0')
from gi.repository import AsyncGlib
f = AsyncGlib.Future.new_int(7)
assert f.get_int() == 7
print('AsyncGlib', AsyncGlib.glib_get_version())"
}

remove_packages ()
{
  apt-get remove --purge -y -qq $packages \
  && ! dpkg -l $packages 2>/dev/null | grep -q '^ii'
}

step copy-source copy_source
step build build
if [ -f "$results/build.trs" ] && grep -q PASS "$results/build.trs"; then
  step lintian lint
  step install install_packages
  step consumer consumer
  step tools tools
  step typelib typelib
  step remove remove_packages
fi

if [ "$failed" -ne 0 ]; then
  echo "== debian: FAILED (logs under $workdir)"
  exit 1
fi
echo "== debian: all steps passed"
