#!/usr/bin/env bash
# SIGTERM/SIGINT while an app is still inside ixy_open, waiting for a link
# that never comes (a shm wire without a peer; the link timeout is 10 s):
# the open is cancelled (ixy_config.cancel), the library stops the device
# and frees what it set up, and the app exits 0 with one line saying so,
# leaving no wire file and no hugepage file behind. Without cancellation
# the app would end after the link timeout with status 1 ("link did not
# come up"), so the exit status and the line decide, not the time taken.
# Needs root and hugepages (skipped otherwise).
set -uo pipefail
build=$2
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" != 0 ] || ! grep -q hugetlbfs /proc/mounts; then
	echo "skipped: needs root and a hugetlbfs mount"
	echo "0 passed, 0 failed"
	exit 0
fi
huge=$(awk '$3 == "hugetlbfs" {print $2; exit}' /proc/mounts)

# name, signal, wire name, command...
signal_during_open() {
	local name=$1 sig=$2 wire=$3; shift 3
	rm -f "/dev/shm/ixy-wire-$wire"
	"$@" >"$tmp/out" 2>"$tmp/err" &
	local pid=$!
	# the wire file appears while the port opens, after the app installed
	# its signal handlers: from then on the app is in ixy_open
	for _ in $(seq 1 500); do
		[ -e "/dev/shm/ixy-wire-$wire" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	kill "-$sig" "$pid" 2>/dev/null
	wait "$pid"
	local rc=$?
	local why=""
	[ "$rc" = 0 ] || why="exit $rc, want 0"
	grep -q "stopped by a signal before sim:" "$tmp/out" || why="$why; no 'stopped by a signal' line"
	[ -s "$tmp/err" ] && why="$why; stderr not empty"
	[ -e "/dev/shm/ixy-wire-$wire" ] && why="$why; wire file left behind"
	ls "$huge" 2>/dev/null | grep -q "^ixy-$pid-" && why="$why; hugepage files of $pid left behind"
	if [ -z "$why" ]; then
		pass=$((pass + 1)); echo "ok   $name"
	else
		fail=$((fail + 1)); echo "FAIL $name:$why"; sed 's/^/     /' "$tmp/out" "$tmp/err" | head -6
	fi
}

w=sig$$
signal_during_open "ixy-fwd, SIGTERM during the first open" TERM "${w}a" \
	"$build/ixy-fwd" "sim:sa,wire=shm:${w}a" "sim:sb,wire=null"
signal_during_open "ixy-fwd, SIGINT during the second open" INT "${w}b" \
	"$build/ixy-fwd" "sim:sa,wire=null" "sim:sb,wire=shm:${w}b"
signal_during_open "ixy-pktgen, SIGTERM during the open" TERM "${w}c" \
	"$build/ixy-pktgen" "sim:sg,wire=shm:${w}c"
signal_during_open "ixy-pcap capture, SIGTERM during the open" TERM "${w}d" \
	"$build/ixy-pcap" "sim:sp,wire=shm:${w}d" "$tmp/cap.pcap"
[ -e "$tmp/cap.pcap" ] && { fail=$((fail + 1)); echo "FAIL ixy-pcap left the capture file it created"; } ||
	pass=$((pass + 1))
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' >"$tmp/in.pcap"
signal_during_open "ixy-pcap --replay, SIGTERM during the open" TERM "${w}e" \
	"$build/ixy-pcap" --replay "sim:sr,wire=shm:${w}e" "$tmp/in.pcap"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
