#!/bin/sh
# check-docs.sh: the checks of the API reference, in TAP:
#   1. gtkdoc-check: no public symbol undocumented or incomplete, none
#      listed in the sections file but undeclared, none declared but unlisted;
#   2-3. no cross-reference that resolves to nothing (#AsyncFoo, %ASYNC_FOO,
#      foo() naming no symbol here or in GLib's installed references).
#      gtk-doc.make's HTML step only prints those as warnings, so this remakes
#      the HTML in a scratch directory from the same DocBook and fails on any
#      warning gtkdoc-fixxref prints.
# Needs DOC_MODULE, DOC_MAIN_SGML_FILE, SRCDIR, BUILDDIR, HTML_DIR and
# FIXXREF_OPTIONS (make check sets them).

set -u
failed=0

: "${DOC_MODULE:?}" "${DOC_MAIN_SGML_FILE:?}" "${SRCDIR:?}" "${BUILDDIR:?}" "${HTML_DIR:?}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "1..3"
if (cd "$BUILDDIR" && gtkdoc-check) > "$scratch/check.log" 2>&1; then
  echo "ok 1 - gtkdoc-check: every symbol documented, declared and listed"
else
  echo "not ok 1 - gtkdoc-check"
  sed 's/^/# /' "$scratch/check.log"
  failed=1
fi

mkdir "$scratch/html"
if (cd "$scratch/html" && gtkdoc-mkhtml --path="$SRCDIR:$BUILDDIR" "$DOC_MODULE" "$BUILDDIR/$DOC_MAIN_SGML_FILE") \
     > "$scratch/mkhtml.log" 2>&1; then
  echo "ok 2 - gtkdoc-mkhtml"
else
  echo "not ok 2 - gtkdoc-mkhtml"
  sed 's/^/# /' "$scratch/mkhtml.log"
  echo "not ok 3 - cross-references (no HTML to check)"
  exit 1
fi

# FIXXREF_OPTIONS is a list of options: split it on purpose.
# shellcheck disable=SC2086
gtkdoc-fixxref --module="$DOC_MODULE" --module-dir="$scratch/html" --html-dir="$HTML_DIR" \
  ${FIXXREF_OPTIONS:-} > "$scratch/fixxref.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q -i 'warning' "$scratch/fixxref.log"; then
  echo "ok 3 - every cross-reference resolves"
  exit $failed
fi
echo "not ok 3 - unresolved cross-references (fixxref exit $rc):"
grep -i 'warning\|error' "$scratch/fixxref.log" | sed "s|$scratch/||; s/^/# /"
exit 1
