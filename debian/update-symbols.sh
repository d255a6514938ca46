#!/bin/sh
# update-symbols.sh: remakes debian/libasync-glib-1.0-0.symbols from what the
# built library exports. A symbol already listed keeps its version; a new
# one gets VERSION (the version being built); one that went away is dropped
# with a warning, since that breaks the ABI. Run by `make update-abi`; commit
# what changes.
#
# Usage: debian/update-symbols.sh LIBRARY VERSION
#   LIBRARY  the built lib/.libs/libasync-glib-1.0.so.0
#   VERSION  the package version that adds the new symbols, e.g. 0.2.0

set -eu

library=${1:?usage: $0 LIBRARY VERSION}
version=${2:?usage: $0 LIBRARY VERSION}
symbols=$(dirname "$0")/libasync-glib-1.0-0.symbols

old=$(mktemp)
new=$(mktemp)
trap 'rm -f "$old" "$new"' EXIT

if [ -f "$symbols" ]; then
  sed -n 's/^ \([^@ ]*\)@Base \(.*\)$/\1 \2/p' "$symbols" | LC_ALL=C sort > "$old"
fi
nm -D --defined-only "$library" | awk '$2 ~ /^[TDRB]$/ { print $3 }' | LC_ALL=C sort -u > "$new"

LC_ALL=C join -v 1 "$old" "$new" | while read -r symbol minver; do
  echo "update-symbols.sh: $symbol (since $minver) is no longer exported: the ABI broke" >&2
done

{
  echo "libasync-glib-1.0.so.0 libasync-glib-1.0-0 #MINVER#"
  echo "* Build-Depends-Package: libasync-glib-1.0-dev"
  LC_ALL=C join -a 2 "$old" "$new" | while read -r symbol minver; do
    echo " $symbol@Base ${minver:-$version}"
  done
} > "$symbols.tmp"
mv "$symbols.tmp" "$symbols"
echo "update-symbols.sh: $(grep -c '@Base' "$symbols") symbols in $symbols"
