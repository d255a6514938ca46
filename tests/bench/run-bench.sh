#!/bin/bash
# run-bench.sh BUILDDIR SRCDIR: `make bench`. Runs async-glib's benchmarks and
# their peers (a GTask or g_timeout source per operation, Python asyncio and
# aiohttp, curl --parallel) in one run, and prints them side by side with
# their ratios and the targets of the issues. It prints numbers, no verdicts.
#
# BENCH_QUICK=1 shrinks every size 10x; BENCH_FULL=1 also runs the
# g_timeout peer at 1M sleeps, which takes minutes.

if [ -z "${BASH_VERSION:-}" ]; then
  exec bash "$0" "$@"
fi

set -u

if [ $# -ne 2 ]; then
  echo "usage: run-bench.sh BUILDDIR SRCDIR" >&2
  exit 2
fi
builddir=$1
srcdir=$2
bench=$builddir/tests/bench
python=/usr/bin/python3

scale=1
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  scale=10
fi
n_futures=$((1000000 / scale))
n_small=$((n_futures / 10))
n_sleeps=$((1000000 / scale))
n_sleeps_small=$((n_sleeps / 10))
n_queue=$((1000000 / scale))
n_queue_small=$((n_queue / 10))
n_locks=$((100000 / scale))
n_locks_small=$((n_locks / 10))
n_tasks=$((100000 / scale))
n_tasks_small=$((n_tasks / 10))
n_gets=$((5000 / scale))
n_delayed=$((1000 / scale))
# The concurrency scale rows: N GETs each delayed 1 s, C at once.
scale_runs="$((1000 / scale)):$((1000 / scale)) $((10000 / scale)):$((1000 / scale)) $((10000 / scale)):$((10000 / scale))"
jobs=50
delay_ms=20
echo_seconds=2
echo_size=100
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  echo_seconds=0.5
fi

# 10,000 transfers at once are 10,000 sockets, and ours three fds each
# (curl's multi handle of every easy handle has a wakeup socketpair): the
# soft limit on open files goes as far as the hard limit lets it.
nofile_hard=$(ulimit -Hn)
[ "$nofile_hard" = unlimited ] && nofile_hard=1048576
ulimit -n "$nofile_hard" 2>/dev/null || ulimit -n 65536 2>/dev/null || true
nofile=$(ulimit -n)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/async-glib-bench.XXXXXX") || exit 1
server_pid=
nginx_pid=
echo_pid=

cleanup ()
{
  exec 3>&-
  exec 4>&-
  if [ -n "$echo_pid" ]; then
    wait "$echo_pid" 2>/dev/null
  fi
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [ -n "$nginx_pid" ]; then
    kill "$nginx_pid" 2>/dev/null
    wait "$nginx_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note () { echo "run-bench: $*" >&2; }

# ---------------------------------------------------------------- results

# Every program prints key=value lines; they land in one table, prefixed
# with who ran: ours.futures_1000000_seconds, asyncio.futures_…, curl.get.rps.
declare -A result

failed=

# Runs a program into a file, and reports it if it failed: a crash of one of
# ours makes `make bench` fail, a missing peer does not.
run_to ()
{
  local prefix=$1 status
  shift
  "$@" >"$tmp/$prefix.out" 2>"$tmp/$prefix.err"
  status=$?
  if [ -s "$tmp/$prefix.err" ]; then
    sed "s/^/run-bench: $prefix: /" "$tmp/$prefix.err" >&2
  fi
  if [ $status -ne 0 ]; then
    note "$prefix: $1 exited with status $status"
    case $prefix in
      ours*) failed=yes ;;
    esac
  fi
}

collect ()
{
  local prefix=$1 key value
  run_to "$@"
  while IFS='=' read -r key value; do
    case $key in
      ''|*' '*) continue ;;
    esac
    result[$prefix.$key]=$value
  done <"$tmp/$prefix.out"
}

# One line `requests=N failures=F seconds=S rps=R` (bench-http, aiohttp,
# and curl as timed below) into prefix.requests, prefix.seconds, … . A run
# this short is at the mercy of the other processes of the machine, so each
# client runs $http_repeats times and the fastest run counts, for all alike;
# a run without failures counts before any run with some (failed requests
# end early: their run would look fast), and those runs are named.
http_repeats=3

collect_line ()
{
  local prefix=$1 field line best='' best_seconds='' best_failures='' seconds failures
  for _ in $(seq "$http_repeats"); do
    run_to "$@"
    line=$(tail -n 1 "$tmp/$prefix.out")
    seconds=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")
    failures=$(sed -n 's/.*failures=\([0-9]*\).*/\1/p' <<<"$line")
    [ -n "$seconds" ] || continue
    failures=${failures:-0}
    [ "$failures" = 0 ] || note "$prefix: $failures failed requests in a run ($line)"
    if [ -z "$best" ] \
       || { [ "$failures" = 0 ] && [ "$best_failures" != 0 ]; } \
       || { { [ "$failures" = 0 ] || [ "$best_failures" != 0 ]; } \
            && awk -v a="$seconds" -v b="$best_seconds" 'BEGIN { exit !(a < b) }'; }; then
      best=$line
      best_seconds=$seconds
      best_failures=$failures
    fi
  done
  for field in $best; do
    result[$prefix.${field%%=*}]=${field#*=}
  done
}

get () { echo "${result[$1]:-n/a}"; }

is_number () { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }

# How many times better ours is: peer/ours for seconds and bytes, ours/peer
# for requests per second.
ratio_lower_better ()
{
  if is_number "$1" && is_number "$2" && [ "$1" != 0 ] && [ "${1//[0.]/}" ]; then
    awk -v ours="$1" -v peer="$2" 'BEGIN { printf "%.2fx", peer / ours }'
  else
    echo n/a
  fi
}

ratio_higher_better ()
{
  if is_number "$1" && is_number "$2" && [ "${2//[0.]/}" ]; then
    awk -v ours="$1" -v peer="$2" 'BEGIN { printf "%.2fx", ours / peer }'
  else
    echo n/a
  fi
}

over_ideal ()
{
  if is_number "$1" && is_number "$2" && [ "${2//[0.]/}" ]; then
    awk -v ours="$1" -v ideal="$2" 'BEGIN { printf "%+.1f%%", (ours / ideal - 1) * 100 }'
  else
    echo n/a
  fi
}

row_format='%-46s %12s  %-26s %10s  %s\n'

header ()
{
  printf '\n%s\n' "$1"
  printf "$row_format" metric async-glib peer ratio target
}

# row METRIC OURS PEER-NAME PEER-VALUE RATIO TARGET
row ()
{
  printf "$row_format" "$1" "$2" "$3 $4" "$5" "$6"
}

# ---------------------------------------------------------------- peers

have_aiohttp=no
if [ -x "$python" ] && "$python" -c 'import aiohttp' 2>/dev/null; then
  have_aiohttp=yes
fi
have_asyncio=no
if [ -x "$python" ]; then
  have_asyncio=yes
fi
curl=$(command -v curl || true)
nginx=
if [ -x /usr/sbin/nginx ]; then
  nginx=/usr/sbin/nginx
fi
nginx_echo_module=/usr/lib/nginx/modules/ngx_http_echo_module.so
# Each nginx worker may take every connection of the 10,000-at-once row,
# with room for its own files, within the limit it inherits.
nginx_connections=$((nofile - 64))
[ "$nginx_connections" -gt 16384 ] && nginx_connections=16384
bench_soup=
if [ -x "$bench/bench-soup" ]; then
  bench_soup=$bench/bench-soup
fi

# The fixture serves while its standard input stays open: a fifo held on
# fd 3 until cleanup closes it.
start_server ()
{
  local _
  mkfifo "$tmp/server-in" || return 1
  "$builddir/tests/fixtures/async-test-server" <"$tmp/server-in" \
    >"$tmp/server-out" 2>"$tmp/server-err" &
  server_pid=$!
  exec 3>"$tmp/server-in"
  for _ in $(seq 100); do
    server_port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$tmp/server-out")
    [ -n "$server_port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  note "the fixture server did not start: $(cat "$tmp/server-err")"
  return 1
}

port_answers () { (exec 4<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A private nginx in the foreground (it is our child, killed at exit),
# serving a 1 KiB file; a few random ports are tried in case one is taken.
start_nginx ()
{
  local prefix=$tmp/nginx port
  mkdir -p "$prefix/html" "$prefix/logs" "$prefix/temp" || return 1
  head -c 1024 /dev/zero | tr '\0' x >"$prefix/html/1k"
  # /delay/1s when Debian's libnginx-mod-http-echo is installed: echo_sleep
  # is a timer in nginx's event loop and spends no CPU.
  if [ -f "$nginx_echo_module" ]; then
    echo "load_module $nginx_echo_module;" >"$prefix/modules.conf"
    printf 'location = /delay/1s {\n    echo_sleep 1;\n    echo ok;\n}\n' >"$prefix/delay.conf"
  else
    : >"$prefix/modules.conf"
    : >"$prefix/delay.conf"
  fi
  # Its workers run as an unprivileged user when we are root.
  chmod 755 "$tmp" "$prefix" "$prefix/html"
  chmod 644 "$prefix/html/1k"
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    port_answers "$port" && continue
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" \
      -e "s|@NOFILE@|$nofile|g" -e "s|@CONNECTIONS@|$nginx_connections|g" \
      "$srcdir/tests/bench/nginx.conf" >"$prefix/nginx.conf"
    "$nginx" -p "$prefix" -c "$prefix/nginx.conf" -e stderr \
      2>>"$prefix/stderr" &
    nginx_pid=$!
    for _ in $(seq 50); do
      kill -0 "$nginx_pid" 2>/dev/null || break
      if port_answers "$port"; then
        nginx_port=$port
        return 0
      fi
      sleep 0.1
    done
    kill "$nginx_pid" 2>/dev/null
    wait "$nginx_pid" 2>/dev/null
    nginx_pid=
  done
  note "nginx did not start: $(tail -n 3 "$prefix/stderr")"
  return 1
}

now_ns () { date +%s%N; }

# curl --parallel over a config file of N `url`/`output` pairs, timed here;
# its one line looks like bench-http's.
curl_parallel ()
{
  local url=$1 n=$2 concurrency=$3 config=$tmp/curl.conf start end ok
  : >"$config"
  for _ in $(seq "$n"); do
    printf 'url = "%s"\noutput = "/dev/null"\n' "$url"
  done >"$config"
  start=$(now_ns)
  ok=$("$curl" --silent --no-progress-meter --parallel --parallel-max "$concurrency" \
         --write-out '%{http_code}\n' --config "$config" | grep -c '^200$')
  end=$(now_ns)
  awk -v n="$n" -v ok="$ok" -v ns=$((end - start)) \
    'BEGIN { s = ns / 1e9; printf "requests=%d failures=%d seconds=%.6f rps=%.1f\n", n, n - ok, s, n / s }'
}

# The median of nanosecond figures, in seconds.
median_seconds ()
{
  printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.6f", a[int((NR + 1) / 2)] / 1e9 }'
}

# Whole processes, as a user times them: fetch-urls -q -j C -i FILE and
# curl --parallel -K over the same N URLs, run alternately five times each,
# the median of each. fetch-urls runs as the binary libtool built, with the
# library's directory on LD_LIBRARY_PATH, so that its wrapper script is
# not timed.
whole_processes ()
{
  local url=$1 n=$2 concurrency=$3 list=$tmp/urls.txt config=$tmp/curl-k.conf
  local program=$builddir/samples/.libs/fetch-urls start end status
  local ours=() theirs=()

  [ -x "$program" ] || program=$builddir/samples/fetch-urls
  for _ in $(seq "$n"); do echo "$url"; done >"$list"
  for _ in $(seq "$n"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done >"$config"
  for _ in 1 2 3 4 5; do
    start=$(now_ns)
    LD_LIBRARY_PATH=$builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
      "$program" -q -j "$concurrency" -i "$list" >/dev/null 2>"$tmp/fetch-urls.err"
    status=$?
    end=$(now_ns)
    ours+=($((end - start)))
    [ $status -eq 0 ] || note "fetch-urls: exit status $status: $(head -n 3 "$tmp/fetch-urls.err")"
    if [ -n "$curl" ]; then
      start=$(now_ns)
      "$curl" --silent --no-progress-meter --parallel --parallel-max "$concurrency" \
        --config "$config" >/dev/null
      end=$(now_ns)
      theirs+=($((end - start)))
    fi
  done
  result[ours.process.seconds]=$(median_seconds "${ours[@]}")
  [ ${#theirs[@]} -gt 0 ] && result[curl.process.seconds]=$(median_seconds "${theirs[@]}")
}

# ---------------------------------------------------------------- runs

note "sizes: ${n_futures} futures, ${n_sleeps} sleeps, ${n_queue} queue items, ${n_locks} lock pairs, ${n_gets} GETs; ${jobs} concurrent"

note "futures: async-glib and GTask"
# A process per row: a row's figure must not move with the heap another
# row left behind (the 1M futures moved by as much as a round did).
for row in bytes gather futures gtask; do
  collect ours "$bench/bench-futures" --n "$n_futures" --only "$row"
done
# The growth rows: the same at a tenth, for 10k and 100k beside 1M.
for row in futures gtask; do
  collect growth "$bench/bench-futures" --n "$n_small" --only "$row"
done
if [ $have_asyncio = yes ]; then
  note "futures: asyncio"
  collect asyncio "$python" "$srcdir/tests/bench/asyncio_futures.py" --n "$n_futures"
fi

note "sleeps: async-glib and g_timeout"
collect ours "$bench/bench-sleep" --n "$n_sleeps"
collect growth "$bench/bench-sleep" --n "$n_sleeps_small"
if [ $have_asyncio = yes ]; then
  note "sleeps: asyncio"
  collect asyncio "$python" "$srcdir/tests/bench/asyncio_sleep.py" --n "$n_sleeps"
fi

note "primitives: async-glib"
collect ours "$bench/bench-primitives" --n "$n_queue" --locks "$n_locks"
if [ $have_asyncio = yes ]; then
  note "primitives: asyncio"
  collect asyncio "$python" "$srcdir/tests/bench/asyncio_primitives.py" --n "$n_queue" --locks "$n_locks"
fi

note "task groups: async-glib and asyncio.TaskGroup"
collect ours "$bench/bench-task-group" --n "$n_tasks"
if [ $have_asyncio = yes ]; then
  collect asyncio "$python" "$srcdir/tests/bench/asyncio_task_group.py" --n "$n_tasks"
fi

server_port=
nginx_port=
start_server
if [ -n "$nginx" ]; then
  start_nginx
fi
if [ -n "$nginx_port" ]; then
  url_1k=http://127.0.0.1:$nginx_port/1k
  server_1k="nginx"
elif [ -n "$server_port" ]; then
  url_1k=http://127.0.0.1:$server_port/bytes/1024
  server_1k="the fixture"
else
  url_1k=
  server_1k="no server"
fi

if [ -n "$url_1k" ]; then
  note "HTTP: ${n_gets} GETs of 1 KiB from $server_1k"
  collect_line ours.get "$bench/bench-http" "$url_1k" "$n_gets" "$jobs"
  collect_line multi.get "$bench/bench-curl-multi" "$url_1k" "$n_gets" "$jobs"
  if [ -n "$curl" ]; then
    collect_line curl.get curl_parallel "$url_1k" "$n_gets" "$jobs"
  fi
  if [ $have_aiohttp = yes ]; then
    collect_line aiohttp.get "$python" "$srcdir/tests/bench/aiohttp_fetch.py" \
      "$url_1k" "$n_gets" "$jobs"
  fi
  if [ -n "$bench_soup" ]; then
    collect_line soup.get "$bench_soup" "$url_1k" "$n_gets" "$jobs"
  fi
  note "HTTP: the same as whole processes, fetch-urls and curl, five runs each"
  whole_processes "$url_1k" "$n_gets" "$jobs"
fi

if [ -n "$server_port" ]; then
  url_delay=http://127.0.0.1:$server_port/delay/$delay_ms
  note "HTTP: ${n_delayed} GETs delayed ${delay_ms} ms from the fixture"
  collect_line ours.delay "$bench/bench-http" "$url_delay" "$n_delayed" "$jobs"
  collect_line multi.delay "$bench/bench-curl-multi" "$url_delay" "$n_delayed" "$jobs"
  if [ -n "$curl" ]; then
    collect_line curl.delay curl_parallel "$url_delay" "$n_delayed" "$jobs"
  fi
  if [ $have_aiohttp = yes ]; then
    collect_line aiohttp.delay "$python" "$srcdir/tests/bench/aiohttp_fetch.py" \
      "$url_delay" "$n_delayed" "$jobs"
  fi
  if [ -n "$bench_soup" ]; then
    collect_line soup.delay "$bench_soup" "$url_delay" "$n_delayed" "$jobs"
  fi
fi

# ---------------------------------------------------------------- scale

# N GETs each delayed 1 s by nginx's echo_sleep, C at once, for each N:C of
# $scale_runs: bench-http (ours), aiohttp and libsoup 3, each once (the
# second of delay is the measure, and libsoup takes minutes at 10,000),
# with the resident memory per transfer in flight. A run that does not end
# within $scale_timeout seconds is stopped and shows n/a.
scale_timeout=300
url_scale=
if [ -n "$nginx_port" ] && [ -f "$nginx_echo_module" ]; then
  url_scale=http://127.0.0.1:$nginx_port/delay/1s
fi

collect_scale ()
{
  local prefix=$1 field line
  shift
  run_to "$prefix" timeout "$scale_timeout" "$@"
  line=$(grep '^requests=' "$tmp/$prefix.out" | tail -n 1)
  for field in $line; do
    result[$prefix.${field%%=*}]=${field#*=}
  done
}

if [ -n "$url_scale" ]; then
  note "concurrency scale: GETs delayed 1 s by nginx's echo_sleep (N:at once) $scale_runs; open files: $nofile (hard limit $nofile_hard)"
  for run in $scale_runs; do
    n=${run%%:*}
    c=${run##*:}
    collect_scale "ours.scale_${n}_$c" "$bench/bench-http" "$url_scale" "$n" "$c"
    if [ $have_aiohttp = yes ]; then
      collect_scale "aiohttp.scale_${n}_$c" "$python" "$srcdir/tests/bench/aiohttp_fetch.py" \
        "$url_scale" "$n" "$c"
    fi
    if [ -n "$bench_soup" ]; then
      collect_scale "soup.scale_${n}_$c" "$bench_soup" "$url_scale" "$n" "$c"
    fi
  done
else
  note "concurrency scale: no nginx with the echo module (Debian's libnginx-mod-http-echo): n/a"
fi

# ---------------------------------------------------------------- echo

have_uvloop=no
if [ -x "$python" ] && "$python" -c 'import uvloop' 2>/dev/null; then
  have_uvloop=yes
fi

# An echo server of one kind in the background; its port is the PORT line
# it prints.
start_echo_server ()
{
  local _
  # It serves while its standard input stays open: a fifo held on fd 4,
  # closed by stop_echo_server or at exit.
  rm -f "$tmp/echo-in"
  mkfifo "$tmp/echo-in" || return 1
  "$@" <"$tmp/echo-in" >"$tmp/echo-server.out" 2>"$tmp/echo-server.err" &
  echo_pid=$!
  exec 4>"$tmp/echo-in"
  for _ in $(seq 100); do
    echo_port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$tmp/echo-server.out")
    [ -n "$echo_port" ] && return 0
    kill -0 "$echo_pid" 2>/dev/null || break
    sleep 0.1
  done
  note "echo server $1 did not start: $(cat "$tmp/echo-server.err")"
  stop_echo_server
  return 1
}

stop_echo_server ()
{
  [ -n "$echo_pid" ] || return 0
  exec 4>&-
  wait "$echo_pid" 2>/dev/null
  echo_pid=
}

# The CPU seconds a process has used so far (user + system).
cpu_seconds ()
{
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null
}

# collect_echo PREFIX CLIENT...: the best of $http_repeats runs of a client
# (a fixed duration each: the highest rps wins) into PREFIX.rps, and the
# CPU the server used per round trip in that run into PREFIX.server_us.
collect_echo ()
{
  local prefix=$1 line rps best='' best_line='' before after
  shift
  for _ in $(seq "$http_repeats"); do
    before=$(cpu_seconds "$echo_pid")
    run_to "$prefix" "$@"
    after=$(cpu_seconds "$echo_pid")
    line=$(tail -n 1 "$tmp/$prefix.out")
    rps=$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' <<<"$line")
    [ -n "$rps" ] || continue
    if [ -z "$best" ] || awk -v a="$rps" -v b="$best" 'BEGIN { exit !(a > b) }'; then
      best=$rps
      best_line="$line server_cpu=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.3f", b - a }')"
    fi
  done
  for field in $best_line; do
    result[$prefix.${field%%=*}]=${field#*=}
  done
  if [ -n "$best_line" ]; then
    result[$prefix.server_us]=$(awk -v c="${result[$prefix.server_cpu]}" -v n="${result[$prefix.round_trips]}" \
      'BEGIN { if (n > 0) printf "%.1f", c / n * 1e6; else print "n/a" }')
  fi
}

echo_kinds="ours"
[ $have_asyncio = yes ] && echo_kinds="$echo_kinds asyncio"
[ $have_uvloop = yes ] && echo_kinds="$echo_kinds uvloop"

for kind in $echo_kinds; do
  case $kind in
    ours) server=("$bench/bench-echo" server); client=("$bench/bench-echo" client) ;;
    asyncio) server=("$python" "$srcdir/tests/bench/asyncio_echo.py" server)
             client=("$python" "$srcdir/tests/bench/asyncio_echo.py" client) ;;
    uvloop) server=("$python" "$srcdir/tests/bench/asyncio_echo.py" --uvloop server)
            client=("$python" "$srcdir/tests/bench/asyncio_echo.py" --uvloop client) ;;
  esac
  note "echo: $kind server and client, ${echo_seconds} s a run"
  start_echo_server "${server[@]}" || continue
  for concurrency in 1 100; do
    collect_echo "$kind.echo$concurrency" "${client[@]}" "$echo_port" "$concurrency" "$echo_seconds" "$echo_size"
    if [ "$kind" != ours ]; then
      collect_echo "ourclient_$kind.echo$concurrency" "$bench/bench-echo" client \
        "$echo_port" "$concurrency" "$echo_seconds" "$echo_size"
    fi
  done
  stop_echo_server
done

# ---------------------------------------------------------------- table

printf '\nasync-glib benchmarks (ratio: how many times better async-glib is than the peer;\n'
printf '%% over ideal: how far past the ideal time it ended)\n'

header "Futures: created, settled, continued (seconds)"
for n in "$n_small" "$n_futures"; do
  ours=$(get "ours.futures_${n}_seconds")
  peer=$(get "ours.gtask_${n}_seconds")
  target=
  [ "$n" = 1000000 ] && target=">= 25x faster than GTask"
  row "$n futures vs a GTask each" "$ours" GTask "$peer" \
    "$(ratio_lower_better "$ours" "$peer")" "$target"
  peer=$(get "asyncio.futures_${n}_seconds")
  row "$n futures vs asyncio futures" "$ours" asyncio "$peer" \
    "$(ratio_lower_better "$ours" "$peer")" ""
done
n_tiny=$((n_small / 10))
row "ns per future at $n_tiny / $n_small / $n_futures" \
  "$(get "growth.futures_${n_tiny}_ns_per_future")/$(get "ours.futures_${n_small}_ns_per_future")/$(get "ours.futures_${n_futures}_ns_per_future")" \
  GTask "$(get "growth.gtask_${n_tiny}_ns_per_future")/$(get "ours.gtask_${n_small}_ns_per_future")/$(get "ours.gtask_${n_futures}_ns_per_future")" \
  "" "<= 40 ns, linear from 10k to 1M"
ours=$(get "ours.gather_coroutines_${n_small}_seconds")
peer=$(get "asyncio.gather_coroutines_${n_small}_seconds")
target=
[ "$n_small" = 100000 ] && target=">= 60x faster than asyncio"
row "gather of $n_small trivial coroutines" "$ours" asyncio "$peer" \
  "$(ratio_lower_better "$ours" "$peer")" "$target"

header "Memory (bytes, heap growth per pending object)"
ours=$(get ours.bytes_per_pending_future)
row "pending future vs GTask" "$ours" GTask "$(get ours.bytes_per_pending_gtask)" \
  "$(ratio_lower_better "$ours" "$(get ours.bytes_per_pending_gtask)")" "< 100 bytes"
row "pending future vs asyncio" "$ours" asyncio "$(get asyncio.bytes_per_pending_future)" \
  "$(ratio_lower_better "$ours" "$(get asyncio.bytes_per_pending_future)")" "< 100 bytes"
ours=$(get ours.bytes_per_pending_future_with_continuation)
peer=$(get asyncio.bytes_per_pending_future_with_continuation)
row "pending future + 1 continuation vs asyncio" "$ours" asyncio "$peer" \
  "$(ratio_lower_better "$ours" "$peer")" ""
ours=$(get ours.bytes_per_pending_sleep)
peer=$(get ours.bytes_per_pending_gtimeout)
row "pending sleep vs a g_timeout source" "$ours" g_timeout "$peer" \
  "$(ratio_lower_better "$ours" "$peer")" "<= 64 bytes"

header "Concurrent sleeps of random length in [0, 1) s (wall seconds)"
for n in "$n_sleeps_small" "$n_sleeps"; do
  ours=$(get "ours.sleep_async_${n}_seconds")
  ideal=$(get "ours.sleep_ideal_${n}_seconds")
  target=
  [ "$n" = 100000 ] && target="within 5% of 1 s"
  [ "$n" = 1000000 ] && target="within 5% of 1 s"
  row "$n sleeps vs the ideal (longest sleep)" "$ours" ideal "$ideal" \
    "$(over_ideal "$ours" "$ideal")" "$target"
  peer=$(get "ours.sleep_gtimeout_${n}_seconds")
  row "$n sleeps vs a g_timeout source each" "$ours" g_timeout "$peer" \
    "$(ratio_lower_better "$ours" "$peer")" ""
  peer=$(get "asyncio.sleep_asyncio_${n}_seconds")
  row "$n sleeps vs asyncio" "$ours" asyncio "$peer" \
    "$(ratio_lower_better "$ours" "$peer")" ""
  row "  of which creating them" "$(get "ours.sleep_async_${n}_create_seconds")" \
    asyncio "$(get "asyncio.sleep_asyncio_${n}_create_seconds")" "" ""
done

n_sleeps_tiny=$((n_sleeps_small / 10))
row "ns to create a sleep at $n_sleeps_tiny / $n_sleeps_small / $n_sleeps" \
  "$(awk -v a="$(get "growth.sleep_async_${n_sleeps_tiny}_create_seconds")" -v b="$(get "ours.sleep_async_${n_sleeps_small}_create_seconds")" -v c="$(get "ours.sleep_async_${n_sleeps}_create_seconds")" \
      -v na="$n_sleeps_tiny" -v nb="$n_sleeps_small" -v nc="$n_sleeps" \
      'BEGIN { if (a == "" || b == "" || c == "") print "n/a"; else printf "%.0f/%.0f/%.0f", a * 1e9 / na, b * 1e9 / nb, c * 1e9 / nc }')" \
  "" "" "" "<= 50 ns, linear"

header "Queue and Lock, against asyncio's (seconds)"
for n in "$n_queue_small" "$n_queue"; do
  for consumers in 1 8; do
    ours=$(get "ours.queue_${consumers}c_${n}_seconds")
    peer=$(get "asyncio.queue_${consumers}c_${n}_seconds")
    target=
    [ "$n" = 1000000 ] && target=">= 20x faster than asyncio"
    row "$n items, 1 producer, $consumers consumer(s)" "$ours" asyncio "$peer" \
      "$(ratio_lower_better "$ours" "$peer")" "$target"
  done
done
for n in "$n_locks_small" "$n_locks"; do
  for kind in uncontended contended; do
    ours=$(get "ours.lock_${kind}_${n}_seconds")
    peer=$(get "asyncio.lock_${kind}_${n}_seconds")
    target=
    [ "$n" = 100000 ] && target=">= 20x faster than asyncio"
    row "$n Lock pairs, $kind" "$ours" asyncio "$peer" \
      "$(ratio_lower_better "$ours" "$peer")" "$target"
  done
done
row "ns per item, queue 1c at $n_queue_small / $n_queue" \
  "$(get "ours.queue_1c_${n_queue_small}_ns_each")/$(get "ours.queue_1c_${n_queue}_ns_each")" \
  asyncio "$(get "asyncio.queue_1c_${n_queue_small}_ns_each")/$(get "asyncio.queue_1c_${n_queue}_ns_each")" \
  "" "growing linearly"
row "ns per pair, contended lock at $n_locks_small / $n_locks" \
  "$(get "ours.lock_contended_${n_locks_small}_ns_each")/$(get "ours.lock_contended_${n_locks}_ns_each")" \
  asyncio "$(get "asyncio.lock_contended_${n_locks_small}_ns_each")/$(get "asyncio.lock_contended_${n_locks}_ns_each")" \
  "" "growing linearly"

header "TaskGroup of trivial tasks, spawned and waited for (seconds)"
for n in "$n_tasks_small" "$n_tasks"; do
  ours=$(get "ours.task_group_${n}_seconds")
  peer=$(get "asyncio.task_group_${n}_seconds")
  target=
  [ "$n" = 100000 ] && target=">= 20x faster than asyncio"
  row "TaskGroup of $n tasks vs asyncio.TaskGroup" "$ours" asyncio "$peer" \
    "$(ratio_lower_better "$ours" "$peer")" "$target"
done
row "ns per task at $n_tasks_small / $n_tasks" \
  "$(get "ours.task_group_${n_tasks_small}_ns_per_task")/$(get "ours.task_group_${n_tasks}_ns_per_task")" \
  asyncio "$(get "asyncio.task_group_${n_tasks_small}_ns_per_task")/$(get "asyncio.task_group_${n_tasks}_ns_per_task")" \
  "" "growing linearly"

header "HTTP: $n_gets GETs of 1 KiB from $server_1k, $jobs concurrent (requests/s)"
ours=$(get ours.get.rps)
peer=$(get multi.get.rps)
row "bench-http vs one thread's curl multi" "$ours" "curl multi" "$peer" \
  "$(ratio_higher_better "$ours" "$peer")" ">= 0.8x the single-thread libcurl limit"
peer=$(get curl.get.rps)
row "bench-http vs curl --parallel" "$ours" curl "$peer" \
  "$(ratio_higher_better "$ours" "$peer")" ">= 1.3x curl --parallel"
peer=$(get aiohttp.get.rps)
row "bench-http vs aiohttp" "$ours" aiohttp "$peer" \
  "$(ratio_higher_better "$ours" "$peer")" ">= 3x faster than aiohttp"
peer=$(get soup.get.rps)
row "bench-http vs libsoup 3" "$ours" libsoup "$peer" \
  "$(ratio_higher_better "$ours" "$peer")" ""
row "failures (ours / curl / aiohttp / multi)" "$(get ours.get.failures)" "" \
  "$(get curl.get.failures) / $(get aiohttp.get.failures) / $(get multi.get.failures)" "" ""
ours=$(get ours.process.seconds)
peer=$(get curl.process.seconds)
row "fetch-urls -q -j $jobs -i FILE vs curl -K (s, median of 5)" "$ours" curl "$peer" \
  "$(ratio_lower_better "$ours" "$peer")" ">= 1.1x curl --parallel"

header "HTTP: $n_delayed GETs each delayed $delay_ms ms by the fixture, $jobs concurrent (seconds)"
ours=$(get ours.delay.seconds)
ideal=$(awk -v n="$n_delayed" -v j="$jobs" -v d="$delay_ms" \
  'BEGIN { printf "%.6f", n / j * d / 1000 }')
row "bench-http vs the ideal N/jobs*delay" "$ours" ideal "$ideal" \
  "$(over_ideal "$ours" "$ideal")" "within 10% of the ideal"
peer=$(get multi.delay.seconds)
row "bench-http vs one thread's curl multi" "$ours" "curl multi" "$peer" \
  "$(ratio_lower_better "$ours" "$peer")" ""
peer=$(get curl.delay.seconds)
row "bench-http vs curl --parallel" "$ours" curl "$peer" \
  "$(ratio_lower_better "$ours" "$peer")" ""
peer=$(get aiohttp.delay.seconds)
row "bench-http vs aiohttp" "$ours" aiohttp "$peer" \
  "$(ratio_lower_better "$ours" "$peer")" ""
peer=$(get soup.delay.seconds)
row "bench-http vs libsoup 3" "$ours" libsoup "$peer" \
  "$(ratio_lower_better "$ours" "$peer")" ""
row "failures (ours / curl / aiohttp / multi)" "$(get ours.delay.failures)" "" \
  "$(get curl.delay.failures) / $(get aiohttp.delay.failures) / $(get multi.delay.failures)" "" ""

header "Concurrency scale: GETs each delayed 1 s by nginx's echo_sleep (wall seconds; KiB resident per transfer in flight)"

# A row of ours against aiohttp's and libsoup 3's figure, for one field of
# a concurrency scale run: scale_peer_rows KEY FIELD LABEL OURS TARGET.
scale_peer_rows ()
{
  local key=$1 field=$2 label=$3 ours=$4 target=$5 peer name
  for peer in aiohttp soup; do
    name=$peer
    [ "$peer" = soup ] && name="libsoup 3"
    row "$label $name" "$ours" "$name" "$(get "$peer.$key.$field")" \
      "$(ratio_lower_better "$ours" "$(get "$peer.$key.$field")")" "$target"
  done
}

for run in $scale_runs; do
  n=${run%%:*}
  c=${run##*:}
  key=scale_${n}_$c
  target_s=
  target_kib=
  if [ "$n" = 10000 ] && [ "$c" = 10000 ]; then
    target_s="<= 1.5 s"
    target_kib="<= 16 KiB"
  fi
  ours=$(get "ours.$key.seconds")
  ideal=$(awk -v n="$n" -v c="$c" 'BEGIN { printf "%.3f", int((n + c - 1) / c) }')
  row "$n GETs, $c at once: vs the ideal" "$ours" ideal "$ideal" \
    "$(over_ideal "$ours" "$ideal")" "$target_s"
  scale_peer_rows "$key" seconds "$n GETs, $c at once: vs" "$ours" ""
  scale_peer_rows "$key" kib_per_inflight "  KiB per transfer in flight vs" \
    "$(get "ours.$key.kib_per_inflight")" "$target_kib"
  row "  failures (ours / aiohttp / libsoup)" "$(get "ours.$key.failures")" "" \
    "$(get "aiohttp.$key.failures") / $(get "soup.$key.failures")" "" ""
done
row "open files (soft / hard limit)" "$nofile" "" "$nofile_hard" "" "ours: 3 per transfer"

for concurrency in 1 100; do
  header "Echo over loopback, ${echo_size}-byte messages, $concurrency client(s) (round trips/s; best of $http_repeats runs of ${echo_seconds} s)"
  ours=$(get "ours.echo$concurrency.rps")
  target=">= 5x asyncio"
  for peer in asyncio uvloop; do
    row "server and client vs $peer's" "$ours" "$peer" "$(get "$peer.echo$concurrency.rps")" \
      "$(ratio_higher_better "$ours" "$(get "$peer.echo$concurrency.rps")")" "$target"
    target=">= 1.5x uvloop"
  done
  for peer in asyncio uvloop; do
    row "our server vs $peer's, both with our client" "$ours" "$peer" "$(get "ourclient_$peer.echo$concurrency.rps")" \
      "$(ratio_higher_better "$ours" "$(get "ourclient_$peer.echo$concurrency.rps")")" ""
  done
  row "server CPU us per round trip (ours / asyncio / uvloop)" "$(get "ours.echo$concurrency.server_us")" "" \
    "$(get "ourclient_asyncio.echo$concurrency.server_us") / $(get "ourclient_uvloop.echo$concurrency.server_us")" "" \
    "same client: the machine's load cancels out"
done

printf '\npeers: asyncio %s, aiohttp %s, uvloop %s, curl %s, nginx %s, libsoup %s, echo_sleep %s\n' \
  "$have_asyncio" "$have_aiohttp" "$have_uvloop" "${curl:-no}" "${nginx_port:-no}" \
  "$([ -n "$bench_soup" ] && echo yes || echo no)" "$([ -n "$url_scale" ] && echo yes || echo no)"
[ -z "$failed" ]
