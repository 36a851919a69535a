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
expect "ixy-fwd MAC with a sign" 2 "'01:02:03:04:05:-6' is not a MAC address" "$build/ixy-fwd" --dst-mac-a 01:02:03:04:05:-6 a b
expect "sim mac with a blank" 1 'bad MAC address " 2:0:0:0:0:1"' "$build/ixy-pktgen" -n 1 'sim:x,mac= 2:0:0:0:0:1'
expect "ixy-pktgen --size 59" 2 "--size: '59' is not a number in 60..9000" "$build/ixy-pktgen" -s 59 p
expect "ixy-pktgen --rate garbage" 2 "--rate: '5furlongs' is not a rate" "$build/ixy-pktgen" -r 5furlongs p
expect "ixy-pktgen --dst-ip garbage" 2 "not an IPv4 address" "$build/ixy-pktgen" --dst-ip 1.2.3 p
expect "ixy-pktgen port range overflow" 2 "runs past port 65535" "$build/ixy-pktgen" --src-port 65535 -f 2 p
expect "ixy-pcap --snaplen 5" 2 "--snaplen: '5' is not a number in 14..262144" "$build/ixy-pcap" -s 5 p f
expect "ixy-pcap --replay missing file" 1 "cannot read /nonexistent.pcap" "$build/ixy-pcap" --replay p /nonexistent.pcap
expect "unknown sim option" 1 "cannot open sim:x,colour=red" "$build/ixy-pktgen" -n 1 'sim:x,colour=red'

# ---- strict numbers: each bad value is one line and status 2, before any port is opened
for app in ixy-fwd ixy-pktgen ixy-pcap; do
	case $app in ixy-fwd) ports=(a b) ;; ixy-pktgen) ports=(p) ;; ixy-pcap) ports=(p f) ;; esac
	expect "$app -t inf" 2 "--duration: 'inf' is not a duration (e.g. 10, 2.5s, 500ms, 1m; not a number)" "$build/$app" -t inf "${ports[@]}"
	expect "$app -t nan" 2 "--duration: 'nan' is not a duration" "$build/$app" -t nan "${ports[@]}"
	expect "$app -t -1" 2 "--duration: '-1' is not a duration (e.g. 10, 2.5s, 500ms, 1m; negative)" "$build/$app" -t -1 "${ports[@]}"
	expect "$app -t 1e999" 2 "--duration: '1e999' is not a duration (e.g. 10, 2.5s, 500ms, 1m; too large)" "$build/$app" -t 1e999 "${ports[@]}"
	expect "$app -t ''" 2 "--duration: '' is not a duration (e.g. 10, 2.5s, 500ms, 1m; empty)" "$build/$app" -t '' "${ports[@]}"
	expect "$app -t 5x" 2 "--duration: '5x' is not a duration (e.g. 10, 2.5s, 500ms, 1m; unknown unit)" "$build/$app" -t 5x "${ports[@]}"
	expect "$app -n 1.5" 2 "--count: '1.5' is not a number (not a whole number)" "$build/$app" -n 1.5 "${ports[@]}"
	expect "$app -n 0x" 2 "--count: '0x' is not a number (trailing characters)" "$build/$app" -n 0x "${ports[@]}"
	expect "$app -n ''" 2 "--count: '' is not a number (empty)" "$build/$app" -n '' "${ports[@]}"
	expect "$app -n -1 (no wrap-around)" 2 "--count: '-1' is not a number (negative)" "$build/$app" -n -1 "${ports[@]}"
	expect "$app -n 18446744073709551616" 2 "--count: '18446744073709551616' is not a number (too large)" "$build/$app" -n 18446744073709551616 "${ports[@]}"
	expect "$app -i inf" 2 "--interval: 'inf' is not a duration" "$build/$app" -i inf "${ports[@]}"
done
expect "ixy-pktgen -r 1e999" 2 "--rate: '1e999' is not a rate (e.g. 1000pps, 2.5Mpps, 500Mbit; too large)" "$build/ixy-pktgen" -r 1e999 p
expect "ixy-pktgen -r 1e999pps" 2 "--rate: '1e999pps' is not a rate" "$build/ixy-pktgen" -r 1e999pps p
expect "ixy-pktgen -r infpps" 2 "--rate: 'infpps' is not a rate (e.g. 1000pps, 2.5Mpps, 500Mbit; not a number)" "$build/ixy-pktgen" -r infpps p
expect "ixy-pktgen -r 0pps" 2 "--rate: '0pps' is not a rate (e.g. 1000pps, 2.5Mpps, 500Mbit; not above 0)" "$build/ixy-pktgen" -r 0pps p
expect "ixy-pktgen -r 1000" 2 "--rate: '1000' is not a rate (e.g. 1000pps, 2.5Mpps, 500Mbit; no unit (pps or bit))" "$build/ixy-pktgen" -r 1000 p
expect "ixy-pcap -r -5pps" 2 "--rate: '-5pps' is not a rate" "$build/ixy-pcap" --replay -r -5pps p f
expect "ixy-pktgen -s 60.5" 2 "--size: '60.5' is not a number in 60..9000 (not a whole number)" "$build/ixy-pktgen" -s 60.5 p
expect "ixy-pktgen --dst-port 0x10" 2 "--dst-port: '0x10' is not a number in 0..65535 (trailing characters)" "$build/ixy-pktgen" --dst-port 0x10 p
expect "ixy-pktgen --vlan 0x10000" 2 "--vlan: '0x10000' is not a number in 0..65535 (out of range)" "$build/ixy-pktgen" --vlan 0x10000 p
expect "ixy-pktgen --vlan 5k" 2 "--vlan: '5k' is not a number in 0..65535" "$build/ixy-pktgen" --vlan 5k p
expect "ixy-pktgen --tso 0" 2 "--tso: '0' is not a number in 1..9000 (out of range)" "$build/ixy-pktgen" --tso 0 p
expect "ixy-pktgen --tso beyond 1514" 2 "--tso 1461: segments would exceed 1514 bytes; at most 1460" "$build/ixy-pktgen" --tso 1461 -s 4000 p
expect "ixy-fwd --threads 0" 2 "--threads: '0' is not a number in 1..16 (out of range)" "$build/ixy-fwd" -T 0 a b
expect "ixy-fwd --threads 17" 2 "--threads: '17' is not a number in 1..16 (out of range)" "$build/ixy-fwd" --threads 17 a b
expect "ixy-fwd -T 1.5" 2 "--threads: '1.5' is not a number in 1..16 (not a whole number)" "$build/ixy-fwd" -T 1.5 a b
expect "ixy-fwd -T ''" 2 "--threads: '' is not a number in 1..16 (empty)" "$build/ixy-fwd" -T '' a b
expect "ixy-fwd -T -2" 2 "--threads: '-2' is not a number in 1..16 (negative)" "$build/ixy-fwd" -T -2 a b
expect "ixy-fwd --batch ' 4'" 2 "--batch: ' 4' is not a number in 1..512 (not a number)" "$build/ixy-fwd" --batch ' 4' a b
expect "ixy-pcap --loop -1" 2 "--loop: '-1' is not a number (negative)" "$build/ixy-pcap" --replay --loop -1 p f

# ---- sim specs: strict numbers, options once, impossible pairs; refused at once (status 1)
expect "sim link_delay_us=10x" 1 'link_delay_us "10x" is not a number in 0..60000000 (trailing characters)' "$build/ixy-pktgen" -n 1 'sim:x,link_delay_us=10x'
expect "sim device_id=0x10fbx" 1 'device_id "0x10fbx" is not a number in 1..65535 (trailing characters)' "$build/ixy-pktgen" -n 1 'sim:x,device_id=0x10fbx'
expect "sim wire=capture:-1" 1 'capture queue length "-1" is not a number in 1..1048576 (negative)' "$build/ixy-pktgen" -n 1 'sim:x,wire=capture:-1'
expect "sim wire=gen:60::5" 1 'gen rate "" is not a rate' "$build/ixy-pktgen" -n 1 'sim:x,wire=gen:60::5'
expect "sim wire=gen:60:nan" 1 'gen rate "nan" is not a rate' "$build/ixy-pktgen" -n 1 'sim:x,wire=gen:60:nan'
expect "sim option twice" 1 'option "mode" given twice' "$build/ixy-pktgen" -n 1 'sim:x,mode=threaded,mode=stepped'
expect "sim bad mode" 1 'mode=fast: use mode=threaded or mode=stepped' "$build/ixy-pktgen" -n 1 'sim:x,mode=fast'
expect "sim pair with itself" 1 'cannot pair a port with itself' "$build/ixy-pktgen" -n 1 'sim:x,wire=pair:x'
expect "sim pair peer that cannot be a name" 1 'names a port that can never exist' "$build/ixy-fwd" 'sim:x,wire=pair:a=b' 'sim:y'
expect "sim pair peer missing: at once, not a link timeout" 1 'its pair peer y does not exist in this process' "$build/ixy-fwd" 'sim:x,wire=pair:y' 'sim:y'
expect "IXY_TRACE=yes is not a switch" 1 'environment variable IXY_TRACE="yes" is not a switch: set it to 1 (on) or 0 (off)' \
	env IXY_TRACE=yes "$build/ixy-pktgen" -n 1 'sim:x'
expect "IXY_RX_SCALAR=10 is not a switch" 1 'environment variable IXY_RX_SCALAR="10" is not a switch' \
	env IXY_RX_SCALAR=10 "$build/ixy-pktgen" -n 1 'sim:x'
expect "IXY_NO_AVX2=on is not a switch" 1 'environment variable IXY_NO_AVX2="on" is not a switch' \
	env IXY_NO_AVX2=on "$build/ixy-pktgen" -n 1 'sim:x'
expect "sim device id the model cannot be" 1 'device id 0x15c8 is not one the model can be' "$build/ixy-pktgen" -n 1 'sim:x,device_id=0x15c8'

if [ "$(id -u)" = 0 ] && grep -q hugetlbfs /proc/mounts; then
	expect "ixy-pktgen: 500 frames on a virtual port, exit 0" 0 '' "$build/ixy-pktgen" -i 0 -n 500 -s 128 'sim:cli,wire=null'
	grep -q 'sent 500 frames of 128 bytes (sequence 0..499)' "$out" && pass=$((pass + 1)) ||
		{ fail=$((fail + 1)); echo "FAIL ixy-pktgen summary line"; cat "$out"; }
	grep -q 'TX 500 packets 66000 bytes' "$out" && pass=$((pass + 1)) ||
		{ fail=$((fail + 1)); echo "FAIL ixy-pktgen totals (500 x (128 + 4 CRC) bytes)"; cat "$out"; }
	expect "ixy-fwd: 1000 packets from a generator, exit 0" 0 '' "$build/ixy-fwd" -i 0 -n 1000 'sim:g1,wire=gen:60' 'sim:n1,wire=null'
	grep -q 'forwarded [0-9]* packets' "$out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL ixy-fwd summary"; }
	root_runs=1
fi

# check NAME CONDITION...: one assertion on the outcome of the last run
check() {
	local name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/     /' "$out" "$err" | head -8; fi
}
# frames in a pcap file; fails (empty output) if tcpdump cannot read all of it
# (-Z root: reading a file needs no privilege drop, and the tcpdump user
# may not exist)
frames() { local n; n=$(tcpdump -Z root -nr "$1" 2>/dev/null | wc -l) && tcpdump -Z root -nr "$1" >/dev/null 2>&1 && echo "$n"; }
# a number out of the last run's stdout: num 'sed expression'
num() { sed -n "$1" "$out" | head -1; }

if [ "${root_runs:-0}" = 1 ] && command -v tcpdump >/dev/null; then
	dir=$(mktemp -d)
	trap 'umount "$dir/full" 2>/dev/null; rm -rf "$dir"; rm -f "$out" "$err"' EXIT

	# ---- every device id the driver lists works on the model, or is refused by the model (naming what it
	# can be) or by the driver (the ids it knows but does not take, naming why: ixgbe_ids.c)
	ids_failed=$fail
	for id in $(sed -n 's/^[[:space:]]*{ \(0x[0-9A-Fa-f]*\),.*/\1/p' "$1/src/drivers/ixgbe_ids.c"); do
		timeout 30 "$build/ixy-pktgen" -i 0 -n 10 "sim:id,device_id=$id" >"$out" 2>"$err"
		rc=$?
		if { [ $rc = 0 ] && grep -q 'TX 10 packets' "$out"; } ||
			{ [ $rc = 1 ] && grep -q "device id $(echo "$id" | tr A-F a-f) is not one the model can be: it models .*0x10FB" "$err"; } ||
			{ [ $rc = 1 ] && grep -q "device 8086:$(echo "${id#0x}" | tr A-F a-f) is not supported: .*; see docs/driver.md" "$err"; }; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1)); echo "FAIL device id $id on the model (exit $rc)"; head -3 "$err"
		fi
	done
	[ "$fail" = "$ids_failed" ] && echo "ok   each ixgbe device id works on the model or is refused with the list"

	# ---- TX drain: every frame handed to the ring is in the pcap wire's file at exit
	expect "ixy-pktgen -n 3000 to a pcap wire: exit 0" 0 '' "$build/ixy-pktgen" -i 0 -n 3000 "sim:dr,wire=pcap::$dir/drain.pcap"
	check "ixy-pktgen: the pcap holds exactly 3000 frames" [ "$(frames "$dir/drain.pcap")" = 3000 ]
	expect "ixy-fwd -n 2000 into a pcap wire: exit 0" 0 '' timeout 60 "$build/ixy-fwd" -i 0 -n 2000 -t 30 \
		'sim:fg,wire=gen:60:20000' "sim:fo,wire=pcap::$dir/fwd.pcap"
	fwd_n=$(num 's/.*forwarded \([0-9]*\) packets.*/\1/p')
	fwd_tx=$(num 's/.*sim:fo,wire=pcap.* TX \([0-9]*\) packets.*/\1/p')
	check "ixy-fwd: forwarded ($fwd_n) = TX total ($fwd_tx) = frames in the pcap, >= 2000" \
		[ -n "$fwd_n" ] && [ "$fwd_n" = "$fwd_tx" ] && [ "$(frames "$dir/fwd.pcap")" = "$fwd_n" ] && [ "$fwd_n" -ge 2000 ]

	# ---- a short pcap input while the port opens: all of its frames arrive
	"$build/ixy-pktgen" -i 0 -n 5 -s 100 "sim:sp,wire=pcap::$dir/short.pcap" >/dev/null 2>&1
	expect "ixy-pcap from a 5-frame pcap wire: exit 0" 0 '' "$build/ixy-pcap" -i 0 -n 5 -t 10 \
		"sim:sc,wire=pcap:$dir/short.pcap:" "$dir/short-out.pcap"
	check "short pcap: 5 frames captured and in the file" \
		grep -q 'captured 5 frames into' "$out" && [ "$(frames "$dir/short-out.pcap")" = 5 ]
	check "short pcap: the very frames of the input" \
		[ "$(tcpdump -Z root -nr "$dir/short.pcap" -x 2>/dev/null | grep -c '0x0000:')" = 5 ] && cmp -s <(tcpdump -Z root -nr "$dir/short.pcap" -x 2>/dev/null | grep -v '^[0-9]') \
		<(tcpdump -Z root -nr "$dir/short-out.pcap" -x 2>/dev/null | grep -v '^[0-9]')
	head -c $(($(stat -c %s "$dir/short.pcap") - 10)) "$dir/short.pcap" >"$dir/trunc.pcap"
	expect "a truncated pcap wire input: wire error named, exit 1" 1 \
		"wire error: sim tr: pcap file $dir/trunc.pcap is broken after 4 frames (truncated dump file" \
		"$build/ixy-pcap" -i 0 -n 5 -t 3 "sim:tr,wire=pcap:$dir/trunc.pcap:" "$dir/trunc-out.pcap"
	check "truncated pcap: the 4 whole frames arrive" grep -q 'captured 4 frames into' "$out"
	expect "ixy-pcap from a generator of 100 frames: exit 0" 0 '' "$build/ixy-pcap" -i 0 -n 100 -t 10 \
		"sim:gc,wire=gen:60:10000:100" "$dir/gen.pcap"
	check "generator: all 100 frames arrive (none lost while the port opened)" \
		grep -q 'RX 100 packets .* dropped 0 missed 0' "$out"

	# ---- a shm cable whose sender leaves at once: every frame it sent is
	# captured or counted as dropped/missed, none vanishes with the link
	"$build/ixy-pcap" -i 0 -n 2000 -t 5 "sim:shc,wire=shm:cli$$" "$dir/shm.pcap" >"$dir/shm.out" 2>&1 &
	cap_pid=$!
	sleep 0.3
	"$build/ixy-pktgen" -i 0 -n 2000 -r 200000pps "sim:shg,wire=shm:cli$$" >/dev/null 2>&1
	wait "$cap_pid"
	got=$(sed -n 's/.*captured \([0-9]*\) frames.*/\1/p' "$dir/shm.out")
	lost=$(sed -n 's/.*sim:shc.* dropped \([0-9]*\) missed \([0-9]*\) .*/\1 + \2/p' "$dir/shm.out")
	check "shm cable: captured $got + dropped/missed ${lost:-?} = the 2000 sent, the file holds $got" \
		[ -n "$got" ] && [ -n "$lost" ] && [ $((got + lost)) = 2000 ] && [ "$(frames "$dir/shm.pcap")" = "$got" ]

	# ---- a full disk: the error names the file and errno, status 1, the count is what the file holds
	mkdir "$dir/full"
	if mount -t tmpfs -o size=64k tmpfs "$dir/full"; then
		expect "ixy-pcap to a full disk: one line, exit 1" 1 \
			"writing pcap file $dir/full/cap.pcap: No space left on device (errno 28); the file holds the first" \
			"$build/ixy-pcap" -i 0 -n 5000 -t 20 'sim:fd,wire=gen:1000:20000' "$dir/full/cap.pcap"
		held=$(num 's/.*captured \([0-9]*\) frames into.*/\1/p')
		check "ixy-pcap full disk: captured $held = frames in the file, fewer than 5000" \
			[ -n "$held" ] && [ "$(frames "$dir/full/cap.pcap")" = "$held" ] && [ "$held" -lt 5000 ] &&
			grep -q "first $held frames" "$err"
		rm -f "$dir/full/cap.pcap"
		expect "sim pcap wire to a full disk: one line, exit 1" 1 \
			"the wire lost [0-9]* frames: writing pcap file $dir/full/tx.pcap: No space left on device (errno 28)" \
			"$build/ixy-pktgen" -i 0 -n 5000 -s 1000 "sim:fw,wire=pcap::$dir/full/tx.pcap"
		lost=$(sed -n 's/.*the wire lost \([0-9]*\) frames.*/\1/p' "$err")
		held=$(sed -n 's/.*the file holds the first \([0-9]*\) frames.*/\1/p' "$err")
		check "sim pcap wire full disk: the file holds $held, lost $lost, together 5000" \
			[ -n "$held" ] && [ "$(frames "$dir/full/tx.pcap")" = "$held" ] && [ $((held + lost)) = 5000 ]
		umount "$dir/full"
	else
		fail=$((fail + 1)); echo "FAIL cannot mount a tmpfs for the full-disk tests"
	fi
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
