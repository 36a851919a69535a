#!/usr/bin/env bash
# Interrupt mode of the apps, end to end on virtual ports in three processes:
#
#   ixy-pktgen --shm w1--> [B  ixy-fwd --interrupt  A] --shm w2--> ixy-pcap --interrupt
#
# ixy-fwd and ixy-pcap sleep on their RX interrupts when idle. Checks: every
# frame of a short burst is forwarded and captured (counts and the pcap
# file), both print the CPU line every second, and the idle forwarder uses
# little CPU (user+sys from /proc/PID/stat over 2 s, loosely: < 50% of one
# CPU; a polling forwarder uses ~100%). Also: --interrupt with --replay is a
# usage error. Needs root and hugepages (skipped otherwise).
set -uo pipefail
build=$2
pass=0 fail=0
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
	rm -f /dev/shm/ixy-wire-irqt$$a /dev/shm/ixy-wire-irqt$$b
}
trap cleanup EXIT
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

out=$("$build/ixy-pcap" --interrupt --replay p f 2>&1)
[ $? = 2 ] && [[ $out == *"--interrupt: only capturing receives"* ]] && ok "ixy-pcap --interrupt --replay: usage error" ||
	bad "ixy-pcap --interrupt --replay: $out"

if [ "$(id -u)" != 0 ] || ! grep -q hugetlbfs /proc/mounts; then
	echo "skipped: needs root and hugetlbfs"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
fi

w1=irqt$$a w2=irqt$$b n=2000
# The receiving end first: each open waits (up to 10 s) for its cable's
# other end. fwd opens A (w2: pcap is there) then B (w1: waits for pktgen).
"$build/ixy-pcap" --interrupt -i 0.2 -n $n -t 30 "sim:cap$$,wire=shm:$w2" "$tmp/out.pcap" >"$tmp/pcap.out" 2>&1 &
pcap_pid=$!
pids+=("$pcap_pid")
sleep 0.3
"$build/ixy-fwd" --interrupt -t 30 "sim:fa$$,wire=shm:$w2" "sim:fb$$,wire=shm:$w1" >"$tmp/fwd.out" 2>&1 &
fwd_pid=$!
pids+=("$fwd_pid")
sleep 0.3
# 10000 frames/s: the few ms between pktgen's link coming up and ixy-fwd
# entering its loop fill far less than B's 512-descriptor ring.
if "$build/ixy-pktgen" -i 0 -n $n -r 10000pps "sim:gen$$,wire=shm:$w1" >"$tmp/gen.out" 2>&1; then
	ok "ixy-pktgen sent its burst"
else
	bad "ixy-pktgen: $(tail -3 "$tmp/gen.out")"
fi
grep -q "sent $n frames" "$tmp/gen.out" && ok "ixy-pktgen: $n frames" || bad "ixy-pktgen summary: $(tail -2 "$tmp/gen.out")"

# ixy-pcap stops by itself after n frames
for _ in $(seq 100); do kill -0 "$pcap_pid" 2>/dev/null || break; sleep 0.1; done
wait "$pcap_pid"
rc=$?
[ $rc = 0 ] && grep -q "captured $n frames" "$tmp/pcap.out" && ok "ixy-pcap --interrupt captured all $n frames" ||
	bad "ixy-pcap (exit $rc): $(tail -3 "$tmp/pcap.out")"
# the pcap file: 24-byte header + n records of 16 + 60 bytes
size=$(stat -c %s "$tmp/out.pcap" 2>/dev/null || echo 0)
[ "$size" = $((24 + n * 76)) ] && ok "pcap file holds $n frames of 60 bytes" || bad "pcap file size $size"

# ixy-fwd is idle now: CPU over 2 s from /proc (utime + stime, in ticks)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
sleep 1
t0=$(ticks "$fwd_pid")
sleep 2
t1=$(ticks "$fwd_pid")
hz=$(getconf CLK_TCK)
pct=$(( (t1 - t0) * 100 / (2 * hz) ))
echo "     idle ixy-fwd --interrupt: $((t1 - t0)) ticks of $((2 * hz)) over 2 s = ${pct}% of one CPU"
[ "$pct" -lt 50 ] && ok "idle ixy-fwd --interrupt uses < 50% of a CPU (${pct}%)" || bad "idle ixy-fwd uses ${pct}% of a CPU"

kill -INT "$fwd_pid"
wait "$fwd_pid"
rc=$?
[ $rc = 0 ] && grep -q "forwarded $n packets" "$tmp/fwd.out" && ok "ixy-fwd --interrupt forwarded all $n packets" ||
	bad "ixy-fwd (exit $rc): $(tail -3 "$tmp/fwd.out")"
grep -q 'CPU process .*% | main thread .*% of one core (user+sys) | slept [0-9]* times' "$tmp/fwd.out" &&
	ok "ixy-fwd prints the CPU line" || bad "ixy-fwd CPU line: $(grep CPU "$tmp/fwd.out" | head -2)"
grep -q 'CPU process .*% | main thread' "$tmp/pcap.out" && ok "ixy-pcap prints the CPU line" ||
	bad "ixy-pcap CPU line: $(cat "$tmp/pcap.out" | head -5)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
