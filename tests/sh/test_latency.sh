#!/usr/bin/env bash
# ixy-latency end to end on virtual ports (one process, threaded model):
#  - a pair wire with a known delay (delay_us=20): the reported median is
#    20000 ns within the clock's 6.4 ns step (hardware timestamps), with and
#    without load, every probe measured and none lost;
#  - the histogram CSV holds every measured probe; with gnuplot the PNG;
#  - the load on the wire (a pcap wire): every frame a full load frame or
#    a probe, as many as the tool says it sent;
#  - --software: marked as software, median not below the delay minus one
#    engine round;
#  - a port without hardware timestamps (sim X550 id): software, said why;
#  - probes that never arrive: counted as lost, exit code 1; a probe still
#    on its way when --duration ends: counted as in flight; every run's
#    counts add up to the probes sent;
#  - a clock that jumps (the model's clock_jump_us fault): counted, kept out
#    of the percentiles;
#  - probes that arrive after they were given up (a cable slower than
#    --timeout): each counted as lost and its late arrival as late (with
#    hardware timestamps the stale RX timestamp too), never measured;
#  - probes of an earlier run still on the path (replayed from a pcap file
#    the earlier run wrote, same numbers, same MAC): not taken for this
#    run's, counted as other_run_probes;
#  - a rate above the line rate: refused with exit code 2; a rate the port
#    does not keep (a stepped-mode port nobody steps: its TX ring fills):
#    RATE NOT REACHED, the frames not sent counted, rate_reached=0; without
#    --duration the run stops when no probe can be sent for a second.
# Needs root and hugepages (skipped otherwise).
set -uo pipefail
build=$2
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
if [ "$(id -u)" != 0 ] || ! grep -q hugetlbfs /proc/mounts; then
	echo "SKIP: needs root and a hugetlbfs mount"
	exit 0
fi
field() { sed -n "s/^latency .*[ ]$1=\([-0-9]*\).*/\1/p" <<<"$2"; }
# within one clock step (6.4 ns) plus the synchronisation's error bound
# (half the interleaved read's spread, which the tool reports)
near() { local tol=$((7 + ${3:-0} / 2)); [ -n "$1" ] && [ "$1" -ge $(($2 - tol)) ] && [ "$1" -le $(($2 + tol)) ]; }

# every probe sent is counted exactly once
accounted() {
	local o=$1 t=0 k
	for k in measured lost no_tx_ts no_rx_ts invalid unresolved; do t=$((t + $(field $k "$o"))); done
	[ "$t" = "$(field probes "$o")" ]
}

L=$build/ixy-latency
out=$("$L" -n 300 --csv "$tmp/h.csv" --bin 5 'sim:a,wire=pair:b,delay_us=20' 'sim:b,delay_us=20' 2>&1)
rc=$?
p50=$(field p50_ns "$out") p999=$(field p99.9_ns "$out") meas=$(field measured "$out") lost=$(field lost "$out")
sp=$(field sync_spread_ns "$out")
[ $rc = 0 ] && near "$p50" 20000 "$sp" && near "$p999" 20000 "$sp" && [ "$meas" = 300 ] && [ "$lost" = 0 ] &&
	[[ $out == *"timestamps=hardware"* ]] && accounted "$out" && ok "delay 20 us, no load: p50 $p50 p99.9 $p999" || bad "no load: rc $rc: $out"
sum=$(awk -F, 'NR > 1 { s += $2 } END { print s }' "$tmp/h.csv")
[ "$sum" = 300 ] && head -1 "$tmp/h.csv" | grep -q '^bin_ns,count$' && ok "histogram CSV: 300 probes" ||
	bad "histogram CSV sums to '$sum'"

out=$("$L" -n 500 -r 500Mbit -N 50 'sim:c,wire=pair:d,delay_us=20' 'sim:d,delay_us=20' 2>&1)
rc=$?
p50=$(field p50_ns "$out") meas=$(field measured "$out") sp=$(field sync_spread_ns "$out")
# (the load comes back on d, which this thread drains between sends: on a
# busy machine its RX ring can overflow and take a probe along, which is
# then counted as lost; most are measured)
[ $rc = 0 ] && near "$p50" 20000 "$sp" && [ "$meas" -ge 400 ] && [[ $out == *"load: "* ]] && accounted "$out" &&
	ok "delay 20 us with 500 Mbit/s of load: p50 $p50" || bad "with load: rc $rc: $out"

# the load on the wire (a pcap file): every frame is a 60-byte UDP/IPv4
# load frame or a probe to the port's MAC, none empty or zeroed, and the
# file holds what the tool says it sent (more than the 4096 load buffers)
M2=02:1b:00:00:00:78
out=$("$L" -n 2 -r 100Mbit -N 3000 --timeout 10ms "sim:ld,mac=$M2,wire=pcap::$tmp/load.pcap" \
	"sim:ld,mac=$M2,wire=pcap::$tmp/load.pcap" 2>&1)
sent=$(field load_sent "$out")
# 24-byte file header, then 16-byte record header + 60-byte frame each
read -r nrec nbad < <(od -An -v -tx1 -w76 -j24 "$tmp/load.pcap" | awk -v mac="${M2//:/}" '
	{ dst = $17 $18 $19 $20 $21 $22; et = $29 $30
	  if (NF != 76 || dst != mac || (et != "0800" && et != "88f7")) bad++ }
	END { print NR, bad + 0 }')
[ "${sent:-0}" -gt 4096 ] && [ "$nrec" = $((sent + 2)) ] && [ "$nbad" = 0 ] && [ "$(field tx_never_left "$out")" = 0 ] &&
	ok "load frames on the wire: $nrec, all UDP or probes to the port" || bad "load frames: $nrec records, $nbad bad, load_sent ${sent:-?}: $out"

if command -v gnuplot >/dev/null; then
	out=$("$L" -n 50 --csv "$tmp/g.csv" --png "$tmp/g.png" 'sim:e,wire=pair:f,delay_us=3' 'sim:f,delay_us=3' 2>&1)
	[ $? = 0 ] && [ "$(head -c 4 "$tmp/g.png" | tail -c 3)" = PNG ] && ok "PNG plot" || bad "PNG: $out"
else
	echo "skip PNG plot: no gnuplot (apt-get install gnuplot-nox)"
fi

out=$("$L" -n 100 --software 'sim:g,wire=pair:h,delay_us=50' 'sim:h,delay_us=50' 2>&1)
rc=$?
p50=$(field p50_ns "$out")
[ $rc = 0 ] && [[ $out == *"timestamps=software"* ]] && [[ $out == *"SOFTWARE"* ]] && [ "$p50" -ge 40000 ] &&
	ok "--software: marked, p50 $p50" || bad "--software: rc $rc: $out"

out=$("$L" -n 20 'sim:x5,wire=pair:y5,device_id=0x1563' 'sim:y5,device_id=0x1563' 2>&1)
rc=$?
[ $rc = 0 ] && [[ $out == *"has no hardware timestamps"* ]] && [[ $out == *"timestamps=software"* ]] &&
	ok "X550 port: falls back to software timestamps, says why" || bad "X550: rc $rc: $out"

out=$("$L" -n 5 --timeout 5ms 'sim:lost1,wire=null' 'sim:lost2,wire=loop' 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(field lost "$out")" = 5 ] && [ "$(field measured "$out")" = 0 ] &&
	[[ $out == *"no probe was measured (lost 5, in flight at the stop 0, of 5)"* ]] && accounted "$out" &&
	ok "lost probes counted" || bad "lost: rc $rc: $out"

# a receiving clock that steps 100 us every 10 ms: jumps counted, probes
# across a step counted as invalid, none of them in the percentiles
out=$("$L" -n 1000000 -t 0.1 'sim:cj1,wire=pair:cj2,delay_us=20' 'sim:cj2,delay_us=20,clock_jump_us=100' 2>&1)
rc=$?
jumps=$(field clock_jumps "$out") mn=$(field min_ns "$out") mx=$(field max_ns "$out") sp=$(field sync_spread_ns "$out")
[ $rc = 0 ] && [ "${jumps:-0}" -ge 1 ] && near "$mn" 20000 "$sp" && near "$mx" 20000 "$sp" && accounted "$out" &&
	ok "jumping clock: $jumps jumps counted, max $mx" || bad "jumping clock: rc $rc: $out"

# stopped by --duration while the probe is on a 300 ms cable: counted as in flight
out=$("$L" -t 0.2 --timeout 1s 'sim:fl1,wire=pair:fl2,delay_us=300000' 'sim:fl2' 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(field unresolved "$out")" = 1 ] && accounted "$out" && ok "probe in flight at the stop counted" ||
	bad "in flight: rc $rc: $out"

# a 60 ms cable, given up after 40 ms: probe k turns up while probe k+1
# is on its way (out of order); the last one after the run (not counted)
out=$("$L" -n 5 --timeout 40ms 'sim:lt1,wire=pair:lt2,delay_us=60000' 'sim:lt2,delay_us=60000' 2>&1)
rc=$?
late=$(field late "$out") stale=$(field stale_rx_ts "$out")
[ $rc = 1 ] && [ "$(field measured "$out")" = 0 ] && [ "$(field lost "$out")" -ge 4 ] && [ "${late:-0}" -ge 3 ] &&
	[ "${stale:-0}" -ge 3 ] && [[ $out == *" $late late/out of order"* ]] && accounted "$out" &&
	ok "late probes: lost and late counted ($late late, $stale stale RX timestamps)" || bad "late: rc $rc: $out"

# run 1 writes its 3 probes to a pcap file (nothing comes back: lost);
# run 2 gets them back as incoming frames while it sends its own 3
M=02:1b:00:00:00:77
"$L" -n 3 --timeout 10ms "sim:or1,mac=$M,wire=pcap::$tmp/run1.pcap" "sim:or1,mac=$M,wire=pcap::$tmp/run1.pcap" >/dev/null 2>&1
out=$("$L" -n 3 --timeout 50ms "sim:or2,mac=$M,wire=pcap:$tmp/run1.pcap:$tmp/run2.pcap" \
	"sim:or2,mac=$M,wire=pcap:$tmp/run1.pcap:$tmp/run2.pcap" 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(field other_run_probes "$out")" = 3 ] && [ "$(field lost "$out")" = 3 ] &&
	[ "$(field late "$out")" = 0 ] && [ "$(field measured "$out")" = 0 ] && accounted "$out" &&
	ok "an earlier run's probes: 3 counted as other_run_probes, not as ours" || bad "other run: rc $rc: $out"

out=$("$L" -n 5 -r 20Gbit 'sim:fast1,wire=pair:fast2' 'sim:fast2' 2>&1)
rc=$?
[ $rc = 2 ] && [[ $out == *"is above what sim:fast1,wire=pair:fast2 can send"* ]] && ok "rate above line rate refused" ||
	bad "rate: rc $rc: $out"

# a port that sends nothing (stepped mode, never stepped): the load fills
# its TX ring; what was not sent is counted and the shortfall said
out=$("$L" -n 1 -r 100Mbit -t 0.2 --timeout 50ms 'sim:st1,mode=stepped,wire=pair:st2' 'sim:st2,mode=stepped' 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(field rate_reached "$out")" = 0 ] && [ "$(field load_unsent "$out")" -gt 0 ] &&
	[[ $out == *"RATE NOT REACHED"*"found sim:st1,mode=stepped,wire=pair:st2's TX ring full"* ]] && accounted "$out" &&
	[ "$(field tx_never_left "$out")" -gt 0 ] && [[ $out == *"never left its TX ring within 1 s of the end"* ]] &&
	ok "rate the port does not keep: said, $(field load_unsent "$out") frames not sent" || bad "rate not reached: rc $rc: $out"

# the same without --duration: the probe after the first never gets its
# turn (its load never leaves); the tool stops after a second and says so
out=$(timeout 60 "$L" -n 3 -r 100Mbit --timeout 50ms 'sim:st3,mode=stepped,wire=pair:st4' 'sim:st4,mode=stepped' 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(field probes "$out")" = 1 ] && accounted "$out" &&
	[[ $out == *"stopped after 1 probes: no probe could be sent on sim:st3,mode=stepped,wire=pair:st4 for 1.0 s (the load's frames did not leave"* ]] &&
	ok "a TX port that stops sending: the run stops and says why" || bad "stuck TX: rc $rc: $out"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
