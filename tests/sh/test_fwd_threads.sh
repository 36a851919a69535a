#!/usr/bin/env bash
# ixy-fwd -T 2 on virtual ports: a generator sends 20000 frames of 8 flows
# (50 kpps)
# into port A, the two threads forward them (RSS spreads the flows over
# the two queue pairs) to port B, whose wire writes a pcap file. Checks, in
# stepped mode (each thread steps its own queues) and threaded mode (the
# model's engine thread):
#  - exit 0; forwarded = B's TX total = frames in the file = 20000
#  - the file holds exactly the 8 generator frames, 2500 times each, with
#    the generator's addresses, ports and a good IPv4 checksum (tshark): no
#    frame lost, doubled or changed
#  - each thread forwarded some, the threads' counts add up to the total,
#    and each equals the NIC's per-queue counters of its queue (A RX, B TX)
# Needs root and hugepages (skipped otherwise), tcpdump and tshark.
set -uo pipefail
build=$2
pass=0 fail=0
if [ "$(id -u)" != 0 ] || ! grep -q hugetlbfs /proc/mounts; then
	echo "SKIP: needs root and a hugetlbfs mount"
	exit 0
fi
for tool in tcpdump tshark; do
	command -v $tool >/dev/null || { echo "FAIL $tool not installed (scripts/install-deps.sh)"; exit 1; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

check() { # name, condition...
	local name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/     /' "$dir/out" "$dir/err" | head -12; fi
}
num() { sed -n "$1" "$dir/out" | head -1; }

# the frames of a pcap file, one line of hex each
frames_hex() {
	tcpdump -Z root -nr "$1" -xx 2>/dev/null | awk '/^[0-9]/ { if (h != "") print h; h = ""; next }
		{ for (i = 2; i <= NF; i++) h = h $i } END { if (h != "") print h }'
}

for mode in stepped threaded; do
	pcap=$dir/$mode.pcap
	# 50 kpps: every queue's ring (4096) holds 160 ms of its traffic, so a
	# thread (or the threaded model's engine) that the scheduler delays on
	# a small shared machine loses nothing; -t bounds a failing run
	timeout 120 "$build/ixy-fwd" -T 2 -i 0 -n 20000 -t 30 --ring 4096 \
		"sim:mca,wire=gen:60:50000:20000:8,mode=$mode" "sim:mcb,wire=pcap::$pcap,mode=$mode" >"$dir/out" 2>"$dir/err"
	rc=$?
	check "$mode: ixy-fwd -T 2 exits 0" [ "$rc" = 0 ]
	fwd=$(num 's/.*\] forwarded \([0-9]*\) packets.*/\1/p')
	btx=$(num 's/.*sim:mcb,.* TX \([0-9]*\) packets.*/\1/p')
	check "$mode: forwarded ($fwd) = B's TX total ($btx) = frames in the file = 20000" \
		[ "$fwd" = 20000 ] && [ "$btx" = 20000 ] && [ "$(frames_hex "$pcap" | wc -l)" = 20000 ]
	check "$mode: no drops (RX or full TX ring)" grep -q 'sim:mca,.*total: RX 20000 packets.* dropped 0 missed 0' "$dir/out"

	# exactly the generator's 8 frames, 2500 each
	counts=$(frames_hex "$pcap" | sort | uniq -c | awk '{ print $1 }' | sort -u | tr '\n' ' ')
	distinct=$(frames_hex "$pcap" | sort -u | wc -l)
	check "$mode: 8 distinct frames, each 2500 times (got $distinct distinct, counts $counts)" \
		[ "$distinct" = 8 ] && [ "$counts" = "2500 " ]
	fields=$(tshark -o ip.check_checksum:TRUE -r "$pcap" -T fields -e eth.src -e ip.src -e ip.dst -e ip.checksum.status \
		-e udp.srcport -e udp.dstport -e frame.len 2>/dev/null | sort | uniq -c |
		awk '{ printf "%s %s %s %s %s %s %s %s\n", $1, $2, $3, $4, $5, $6, $7, $8 }')
	want=$(for p in $(seq 1024 1031); do echo "2500 02:53:49:4d:00:01 198.18.0.1 198.19.0.1 1 $p 4321 60"; done)
	check "$mode: the generator's addresses, ports 1024..1031, good IPv4 checksums (tshark: status 1 = good)" [ "$fields" = "$want" ]

	# per thread: some work each, the sum is the total, the NIC agrees
	sum=0 ok=1
	for t in 0 1; do
		line=$(grep "\] thread $t (queue $t): forwarded" "$dir/out")
		n=$(echo "$line" | sed -n 's/.*forwarded \([0-9]*\) (.*/\1/p')
		arx=$(echo "$line" | sed -n 's/.*A RX \([0-9]*\) .*/\1/p')
		btx=$(echo "$line" | sed -n 's/.*B RX [0-9]* TX \([0-9]*\).*/\1/p')
		{ [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" = "$arx" ] && [ "$n" = "$btx" ]; } || ok=0
		sum=$((sum + ${n:-0}))
	done
	check "$mode: each thread forwarded frames (= its queue's A RX and B TX counters), together $sum = 20000" \
		[ "$ok" = 1 ] && [ "$sum" = 20000 ]
	check "$mode: nothing on stderr" [ ! -s "$dir/err" ]
done

# the per-second lines: one per port, one per thread
timeout 60 "$build/ixy-fwd" -T 2 -t 1.5 -i 0.5 'sim:mla,wire=gen:60:100000:0:8' 'sim:mlb,wire=null' >"$dir/out" 2>"$dir/err"
check "per-second lines: a line per thread with its rate" \
	grep -q '\] thread 1  (queue 1)   forwarded *[0-9.]* Mpps | dropped [0-9]*' "$dir/out"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
