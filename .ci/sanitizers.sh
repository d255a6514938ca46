#!/bin/sh
# sanitizers.sh: the checkers CI runs after the normal suite, each in its own
# out-of-tree build of SRCDIR under WORKDIR:
#   asan      the whole `make check` built with ASan + UBSan (and LSan);
#   tsan      the thread-heavy tests built with ThreadSanitizer;
#   valgrind  `make check-valgrind-memcheck` on the core, HTTP,
#             primitives' and streams' tests.
# Each phase prints its own summary; the script fails if any test fails or
# any checker reports anything.
#
# Usage: .ci/sanitizers.sh SRCDIR [WORKDIR]
#   PHASES="asan tsan valgrind"  the phases to run (default: all three)
#   JOBS=2                       make -j
# A developer runs one phase with e.g.  PHASES=tsan .ci/sanitizers.sh .

set -eu

srcdir=$(cd "${1:?usage: $0 SRCDIR [WORKDIR]}" && pwd)
workdir=${2:-${TMPDIR:-/tmp}/async-glib-sanitizers}
phases=${PHASES:-asan tsan valgrind}
jobs=${JOBS:-2}

thread_tests="tests/test-future tests/test-stress tests/test-pool tests/test-http tests/test-soak tests/test-scheduler tests/test-run tests/test-event tests/test-lock tests/test-queue tests/test-stream tests/test-http-body tests/test-http-request tests/test-http-session tests/test-https tests/test-loop"
valgrind_tests="tests/test-future tests/test-coro tests/test-coro-portable tests/test-scheduler tests/test-gather tests/test-sleep tests/test-wait tests/test-run tests/test-gio tests/test-pool tests/test-http tests/test-bad-input tests/test-soak tests/test-barrier tests/test-condition tests/test-event tests/test-lock tests/test-queue tests/test-semaphore tests/test-stream tests/test-tcp-server tests/test-subprocess tests/test-http-body tests/test-http-request tests/test-http-session tests/test-https tests/test-as-completed tests/test-debug tests/test-introspection tests/test-loop tests/test-task-group tests/test-timeout tests/test-crawl"

# What a checker prints when it found something; any of these in a test log
# fails the phase even if the test's exit status did not.
reports='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|WARNING: ThreadSanitizer|SUMMARY: [A-Za-z]*Sanitizer|definitely lost: [1-9]|Invalid (read|write|free)|uninitialised value|Conditional jump'

# The sanitizer builds run the stress tests at a fifth of their size.
ASYNC_TEST_QUICK=1
G_SLICE=always-malloc
export ASYNC_TEST_QUICK G_SLICE

failed=0
timings=""

# configure_build DIR CFLAGS LDFLAGS: an out-of-tree build of the library,
# the tests and the test server. Without introspection: Python cannot load
# a library built with a sanitizer unless the sanitizer's runtime is
# preloaded into the interpreter, and the typelib's test checks the
# bindings, not the C (the normal build runs it).
configure_build ()
{
  rm -rf "$1"
  mkdir -p "$1"
  (cd "$1" \
   && "$srcdir/configure" -q --enable-compile-warnings=yes --disable-introspection \
        CFLAGS="$2" LDFLAGS="$3" \
   && make -j"$jobs" -s >make.log 2>&1 \
   && make -j"$jobs" -s check TESTS= >>make.log 2>&1) \
  || { echo "build in $1 failed:"; tail -40 "$1/make.log" 2>/dev/null; return 1; }
}

# summarize NAME DIR LOGS...: counts the TAP results of the tests that ran
# and the checker reports in their logs; sets $failed.
summarize ()
{
  name=$1
  dir=$2
  shift 2
  cd "$dir"
  trs=$(for log in "$@"; do test -f "${log%.log}.trs" && echo "${log%.log}.trs"; done)
  pass=$(cat $trs /dev/null | grep -c '^:test-result: PASS' || true)
  fail=$(cat $trs /dev/null | grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)' || true)
  skip=$(cat $trs /dev/null | grep -c '^:test-result: SKIP' || true)
  programs_failed=$(grep -l '^:global-test-result: \(FAIL\|ERROR\)' $trs /dev/null || true)
  report_logs=$(grep -l -E "$reports" "$@" /dev/null 2>/dev/null || true)
  n_reports=$(cat "$@" /dev/null 2>/dev/null | grep -c -E "$reports" || true)
  echo "== $name: $pass passed, $fail failed, $skip skipped; $n_reports checker report lines"
  for f in $programs_failed; do echo "   failed: ${f%.trs}"; done
  for f in $report_logs; do
    echo "   reports in $f:"
    grep -E -m 5 "$reports" "$f" | sed 's/^/     /'
  done
  if [ "$fail" -ne 0 ] || [ -n "$programs_failed" ] || [ "$n_reports" -ne 0 ] || [ "$pass" -eq 0 ]; then
    failed=1
  fi
  cd - >/dev/null
}

# phase_start / phase_end NAME: wall-clock time of each phase.
phase_start ()
{
  started=$(date +%s)
}

phase_end ()
{
  seconds=$(( $(date +%s) - started ))
  timings="$timings  $1: ${seconds} s\n"
  echo "== $1 took ${seconds} s"
}

run_asan ()
{
  dir=$workdir/asan
  flags='-fsanitize=address,undefined -fno-omit-frame-pointer -g -O1'
  phase_start
  configure_build "$dir" "$flags" '-fsanitize=address,undefined' || { failed=1; return; }
  (cd "$dir" \
   && ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      make -j"$jobs" -k check >check.log 2>&1) || true
  summarize "ASan+UBSan (make check)" "$dir" $(cd "$dir" && ls tests/*.log | grep -v test-suite)
  phase_end asan
}

# GLib is not built with TSan: its GMutex, g_bit_lock () and GThreadPool are
# futexes TSan cannot see. .ci/tsan-glib.c annotates them (it adds the
# happens-before edges they imply, and hides nothing); it is linked into
# every program of the build ahead of GLib.
run_tsan ()
{
  dir=$workdir/tsan
  shim=$workdir/tsan-glib
  flags='-fsanitize=thread -fno-omit-frame-pointer -g -O1'
  phase_start
  rm -rf "$shim"
  mkdir -p "$shim"
  cc -shared -fPIC $flags $(pkg-config --cflags glib-2.0) \
     -o "$shim/libtsan-glib.so" "$srcdir/.ci/tsan-glib.c" \
     $(pkg-config --libs glib-2.0) -ldl || { failed=1; return; }
  configure_build "$dir" "$flags" \
    "-fsanitize=thread -L$shim -Wl,-rpath,$shim -Wl,--push-state,--no-as-needed -ltsan-glib -Wl,--pop-state" \
    || { failed=1; return; }
  supp=""
  if [ -f "$srcdir/tests/tsan.supp" ]; then
    supp=":suppressions=$srcdir/tests/tsan.supp"
  fi
  (cd "$dir" \
   && TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1$supp" \
      make -j"$jobs" -k check TESTS="$thread_tests" >check.log 2>&1) || true
  summarize "TSan ($thread_tests)" "$dir" $(for t in $thread_tests; do echo "$t.log"; done)
  phase_end tsan
}

run_valgrind ()
{
  dir=$workdir/valgrind
  phase_start
  configure_build "$dir" '-g -O1' '' || { failed=1; return; }
  (cd "$dir" && make -k check-valgrind-memcheck TESTS="$valgrind_tests" >check.log 2>&1) || true
  summarize "valgrind memcheck ($valgrind_tests)" "$dir" \
    $(for t in $valgrind_tests; do echo "$t.log"; done)
  phase_end valgrind
}

for phase in $phases; do
  case $phase in
    asan) run_asan ;;
    tsan) run_tsan ;;
    valgrind) run_valgrind ;;
    *) echo "unknown phase $phase"; exit 2 ;;
  esac
done

printf "== timings\n$timings"
if [ "$failed" -ne 0 ]; then
  echo "== sanitizers: FAILED (logs under $workdir)"
  exit 1
fi
echo "== sanitizers: all clean"
