#!/bin/sh
# Regenerates the build system; runs ./configure "$@" unless NOCONFIGURE is set.
set -e
srcdir=$(dirname "$0")
test -n "$srcdir" || srcdir=.
# Without gtk-doc, a stub gtk-doc.make lets automake run; the reference is
# then off (configure's --enable-gtk-doc needs gtk-doc installed anyway).
if ! command -v gtkdocize >/dev/null 2>&1; then
  echo "autogen.sh: gtkdocize not found; the API reference cannot be built" >&2
  echo 'EXTRA_DIST =' > "$srcdir/gtk-doc.make"
fi
(cd "$srcdir" && autoreconf --force --install --verbose)
if test -z "$NOCONFIGURE"; then
  exec "$srcdir/configure" "$@"
fi
