#!/usr/bin/env bash
# The apps' command lines: --help, usage errors (exit 2, one clear line),
# and a short real run on virtual ports (exit 0, totals). No root needed for
# the first two; the runs need hugepages and are skipped without root.
set -uo pipefail
build=$2
pass=0 fail=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

expect() { # name, exit code, stderr pattern ('' = none), command...
	local name=$1 code=$2 pat=$3; shift 3
	"$@" >"$out" 2>"$err"
	local rc=$?
	if [ "$rc" = "$code" ] && { [ -z "$pat" ] || { grep -q -- "$pat" "$err" && [ "$(wc -l <"$err")" = 1 ]; }; }; then
		pass=$((pass + 1)); echo "ok   $name"
	else
		fail=$((fail + 1)); echo "FAIL $name (exit $rc, want $code)"; sed 's/^/     /' "$err" | head -5
	fi
}

for app in ixy-fwd ixy-pktgen ixy-pcap; do
	expect "$app --help exits 0" 0 '' "$build/$app" --help
	expect "$app without arguments: usage, exit 2" 2 '' "$build/$app"
	expect "$app unknown option: exit 2" 2 '' "$build/$app" --no-such-option x
done
grep -q '^usage: ixy-fwd \[options\] PORT_A PORT_B' <("$build/ixy-fwd" --help) && pass=$((pass + 1)) ||
	{ fail=$((fail + 1)); echo "FAIL ixy-fwd --help text"; }
expect "ixy-fwd --batch 0" 2 "--batch: '0' is not a number in 1..512" "$build/ixy-fwd" --batch 0 a b
expect "ixy-fwd --duration garbage" 2 "--duration: '1x' is not a duration" "$build/ixy-fwd" -t 1x a b
expect "ixy-fwd bad MAC" 2 "not a MAC address" "$build/ixy-fwd" --dst-mac-a 01:02 a b
expect "ixy-pktgen --size 59" 2 "--size: '59' is not a number in 60..9000" "$build/ixy-pktgen" -s 59 p
expect "ixy-pktgen --rate garbage" 2 "--rate: '5furlongs' is not a rate" "$build/ixy-pktgen" -r 5furlongs p
expect "ixy-pktgen --dst-ip garbage" 2 "not an IPv4 address" "$build/ixy-pktgen" --dst-ip 1.2.3 p
expect "ixy-pktgen port range overflow" 2 "runs past port 65535" "$build/ixy-pktgen" --src-port 65535 -f 2 p
expect "ixy-pcap --snaplen 5" 2 "--snaplen: '5' is not a number in 14..262144" "$build/ixy-pcap" -s 5 p f
expect "ixy-pcap --replay missing file" 1 "cannot read /nonexistent.pcap" "$build/ixy-pcap" --replay p /nonexistent.pcap
expect "unknown sim option" 1 "cannot open sim:x,colour=red" "$build/ixy-pktgen" -n 1 'sim:x,colour=red'

if [ "$(id -u)" = 0 ] && grep -q hugetlbfs /proc/mounts; then
	expect "ixy-pktgen: 500 frames on a virtual port, exit 0" 0 '' "$build/ixy-pktgen" -i 0 -n 500 -s 128 'sim:cli,wire=null'
	grep -q 'sent 500 frames of 128 bytes (sequence 0..499)' "$out" && pass=$((pass + 1)) ||
		{ fail=$((fail + 1)); echo "FAIL ixy-pktgen summary line"; cat "$out"; }
	grep -q 'TX 500 packets 66000 bytes' "$out" && pass=$((pass + 1)) ||
		{ fail=$((fail + 1)); echo "FAIL ixy-pktgen totals (500 x (128 + 4 CRC) bytes)"; cat "$out"; }
	expect "ixy-fwd: 1000 packets from a generator, exit 0" 0 '' "$build/ixy-fwd" -i 0 -n 1000 'sim:g1,wire=gen:60' 'sim:n1,wire=null'
	grep -q 'forwarded [0-9]* packets' "$out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL ixy-fwd summary"; }
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
