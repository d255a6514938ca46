#!/bin/sh
# test-man-pages.sh: each installed tool's --help and its man page agree:
# every option --help lists is in the man page, and every option the man
# page lists is in --help. Prints TAP.
# Needs MAN_PAGES (the section-1 pages, relative to ASYNC_TOP_SRCDIR),
# BIN_PROGRAMS (the tools, relative to ASYNC_TOP_BUILDDIR); make check sets
# them from Makefile.am, so a new page there is checked with no change here.

set -u
export LC_ALL=C

: "${MAN_PAGES:?}" "${BIN_PROGRAMS:?}" "${ASYNC_TOP_SRCDIR:?}" "${ASYNC_TOP_BUILDDIR:?}"

# The long and short options in text: --word and -x.
options_of ()
{
  grep -o -E '(^|[^a-zA-Z0-9-])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[^-]*//' | grep -v -x -E -- '-[a-zA-Z][a-zA-Z0-9-]+' | LC_ALL=C sort -u
}

help_file=$(mktemp)
man_file=$(mktemp)
trap 'rm -f "$help_file" "$man_file"' EXIT

n=0
failed=0
plan=0
for page in $MAN_PAGES; do
  plan=$((plan + 2))
done
echo "1..$plan"

for page in $MAN_PAGES; do
  tool=$(basename "$page" .1)
  program=
  for p in $BIN_PROGRAMS; do
    [ "$(basename "$p")" = "$tool" ] && program=$ASYNC_TOP_BUILDDIR/$p
  done
  # roff writes a hyphen as \-; the options section is between .SH OPTIONS
  # and the next .SH.
  man_options=$(sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$ASYNC_TOP_SRCDIR/$page" \
                | sed 's/\\-/-/g; s/\\f[BIRP]//g' | options_of)
  if [ -z "$program" ] || ! help=$("$program" --help 2>&1); then
    n=$((n + 1)); echo "not ok $n - $tool: no program among BIN_PROGRAMS, or --help failed"
    n=$((n + 1)); echo "not ok $n - $tool: no program among BIN_PROGRAMS, or --help failed"
    failed=1
    continue
  fi
  help_options=$(printf '%s\n' "$help" | options_of)
  printf '%s\n' "$help_options" > "$help_file"
  printf '%s\n' "$man_options" > "$man_file"

  # comm -23: lines only in the first list; both lists are sorted.
  missing=$(comm -23 "$help_file" "$man_file")
  n=$((n + 1))
  if [ -n "$help_options" ] && [ -z "$missing" ]; then
    echo "ok $n - $tool: every option of --help is in $page"
  else
    echo "not ok $n - $tool: options of --help missing from $page:" $missing
    failed=1
  fi

  extra=$(comm -13 "$help_file" "$man_file")
  n=$((n + 1))
  if [ -n "$man_options" ] && [ -z "$extra" ]; then
    echo "ok $n - $tool: every option of $page is in --help"
  else
    echo "not ok $n - $tool: options of $page missing from --help:" $extra
    failed=1
  fi
done
exit $failed
