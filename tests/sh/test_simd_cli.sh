#!/usr/bin/env bash
# ixy-simd's command line: one-line errors with a non-zero exit for bad
# options, --help, and a server that listens, stops on SIGTERM with its
# per-port report and exit 0, and leaves no socket behind.
set -uo pipefail
src=$1 build=$2
bin=$build/ixy-simd
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
check() {	# name expected-rc pattern -- command...
	local name=$1 want=$2 pat=$3
	shift 4
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ] || ! grep -qE -- "$pat" <<<"$out" || { [ "$want" != 0 ] && [ "$(wc -l <<<"$out")" != 1 ]; }; then
		echo "FAIL $name: rc=$rc (want $want), output: $out"
		fail=1
	else
		echo "ok   $name"
	fi
}
check no-port 2 'no port given' -- "$bin"
check short 2 'needs a socket path and a port' -- "$bin" --socket "$dir/a.sock"
check unknown 2 'unknown argument "--bogus"' -- "$bin" --bogus
check bad-wire 1 'unknown wire "nope"' -- "$bin" --socket "$dir/a.sock" 'sim:q1,wire=nope'
touch "$dir/file"
check not-a-socket 1 'is not a socket' -- "$bin" --socket "$dir/file" 'sim:q2'
check stepped 1 'needs threaded ports' -- "$bin" --socket "$dir/a.sock" 'sim:q3,mode=stepped'
check twice 1 'given twice' -- "$bin" --socket "$dir/a.sock" 'sim:q4' --socket "$dir/a.sock" 'sim:q5'
check help 0 '^usage: ixy-simd' -- "$bin" --help

# a running server: both sockets appear, SIGTERM gives the report and exit 0
"$bin" --no-realtime --socket "$dir/a.sock" 'sim:a,wire=pair:b' --socket "$dir/b.sock" 'sim:b,wire=pair:a' \
	>"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do [ -S "$dir/a.sock" ] && [ -S "$dir/b.sock" ] && break; sleep 0.05; done
if [ -S "$dir/a.sock" ] && [ -S "$dir/b.sock" ]; then echo "ok   listening"; else echo "FAIL listening"; fail=1; fi
kill -TERM $pid
wait $pid
rc=$?
if [ $rc = 0 ] && grep -q '^port a ' "$dir/out" && grep -q '^port b ' "$dir/out" &&
   [ "$(grep -c '  violations: 0' "$dir/out")" = 2 ] && [ "$(grep -c '  DMA faults: 0' "$dir/out")" = 2 ]; then
	echo "ok   report"
else
	echo "FAIL report: rc=$rc"; cat "$dir/out" "$dir/err"; fail=1
fi
if [ -e "$dir/a.sock" ] || [ -e "$dir/b.sock" ]; then echo "FAIL sockets left behind"; fail=1; else echo "ok   cleanup"; fi
exit $fail
