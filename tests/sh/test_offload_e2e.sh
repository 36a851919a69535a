#!/usr/bin/env bash
# End-to-end offloads: ixy-pktgen asks the NIC (a virtual 82599 whose
# transmit side writes a pcap file, and a second one cabled to a veth pair)
# for checksums, VLAN tags and TCP segmentation; tshark, which knows
# nothing of libixy, judges every frame on the wire.
#
#   ixy-pktgen --tx-csum        UDP/IPv4: IPv4 header and UDP checksums good
#   ixy-pktgen --vlan TCI       802.1Q tag with that TCI, checksums good
#   ixy-pktgen --tso MSS        TCP segments of at most MSS bytes, lengths,
#                               sequence numbers and checksums good
#   ixy-pktgen --tx-csum        over a veth into a network namespace: what
#                               tcpdump on the far end sees, tshark checks
#
# Called by ctest as: test_offload_e2e.sh SOURCE_DIR BUILD_DIR. Needs
# hugepages and tshark; the veth case needs root, iproute2 and tcpdump
# (scripts/test.sh installs them).
set -uo pipefail
src=$1 build=$2
T=$(mktemp -d /tmp/ixy-offload.XXXXXX)
P=ixy-ol-$$
pass=0 fail=0
cleanup() {
	ip netns del "$P-h" 2>/dev/null
	ip netns del "$P-sw" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '     %s\n' "$@"; }
check() { local name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else bad "$name" "$(tail -8 "$T/out")"; fi; }

command -v tshark >/dev/null || { echo "missing tool: tshark (scripts/test.sh installs it)"; echo "0 passed, 1 failed"; exit 1; }
pktgen=$build/ixy-pktgen

# tshark's verdicts per frame: length, VLAN id, IP/UDP/TCP checksum status
# (1 = good, 0 = bad, 2 = not checked), TCP sequence and payload length.
fields() {
	tshark -r "$1" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-o tcp.relative_sequence_numbers:FALSE -T fields -E occurrence=f \
		-e frame.len -e vlan.id -e vlan.priority -e ip.checksum.status -e udp.checksum.status \
		-e tcp.checksum.status -e tcp.seq -e tcp.len -e ip.len -e ip.id 2>/dev/null
}

# $1 name, then pktgen options; frames go to $T/$1.pcap
send() {
	local name=$1; shift
	"$pktgen" -i 0 "$@" "sim:$name,wire=pcap::$T/$name.pcap" >"$T/$name.log" 2>&1 ||
		{ cat "$T/$name.log"; return 1; }
	fields "$T/$name.pcap" >"$T/$name.txt"
}

csum_ok() {
	send csum -n 500 -s 333 -f 4 --tx-csum || return 1
	local n badsum
	n=$(wc -l <"$T/csum.txt")
	badsum=$(awk -F'\t' '$1 != 333 || $4 != 1 || $5 != 1' "$T/csum.txt" | wc -l)
	echo "frames $n, bad length/checksum $badsum"
	[ "$n" = 500 ] && [ "$badsum" = 0 ]
}
check "--tx-csum: 500 UDP frames, tshark: IPv4 and UDP checksums all good" csum_ok

# With --tx-csum, ixy-pktgen no longer fixes the UDP checksum after
# writing the sequence number, and the driver overwrites both checksum
# fields with what the NIC needs (0, the pseudo-header sum): only the NIC
# makes them right. That the check would notice wrong ones: flip a byte of
# each UDP checksum in the capture and ask tshark again.
detects_bad() {
	# perl (essential on Debian): walk the records, flip a byte of each UDP checksum
	perl -e 'local $/; open(my $i, "<:raw", $ARGV[0]) or die; my $d = <$i>; my $o = 24;
		while ($o < length $d) { my $incl = unpack("V", substr($d, $o + 8, 4));
			my $at = $o + 16 + 14 + 20 + 6; substr($d, $at, 1) = chr(ord(substr($d, $at, 1)) ^ 0x5a);
			$o += 16 + $incl }
		open(my $w, ">:raw", $ARGV[1]) or die; print $w $d' "$T/csum.pcap" "$T/spoiled.pcap" || return 1
	local bad
	bad=$(fields "$T/spoiled.pcap" | awk -F'\t' '$5 == 0' | wc -l)
	echo "frames with a bad UDP checksum after spoiling: $bad"
	[ "$bad" = 500 ]
}
check "the tshark check itself: spoiled UDP checksums are all reported bad" detects_bad

vlan_ok() {
	send vlan -n 300 -s 100 --tx-csum --vlan 0xa07b || return 1
	local n badf
	n=$(wc -l <"$T/vlan.txt")
	# 0xa07b: priority 5, VLAN id 123; the frame grows by the 4-byte tag
	badf=$(awk -F'\t' '$1 != 104 || $2 != 123 || $3 != 5 || $4 != 1 || $5 != 1' "$T/vlan.txt" | wc -l)
	echo "frames $n, bad tag/length/checksum $badf"
	[ "$n" = 300 ] && [ "$badf" = 0 ]
}
check "--vlan 0xa07b: 300 frames tagged VLAN 123 priority 5, 104 bytes, checksums good" vlan_ok

tso_ok() {
	# 4000-byte TCP frames (3946 payload bytes) in segments of 1000: 4 each
	send tso -n 50 -s 4000 --tso 1000 || return 1
	local n badsum lens seqs
	n=$(wc -l <"$T/tso.txt")
	badsum=$(awk -F'\t' '$4 != 1 || $6 != 1' "$T/tso.txt" | wc -l)
	lens=$(awk -F'\t' '{print $8}' "$T/tso.txt" | sort | uniq -c | awk '{printf "%sx%s ", $1, $2}')
	# each frame's segments: sequence numbers 0, 1000, 2000, 3000 on
	seqs=$(awk -F'\t' '{ if ($7 != ((NR - 1) % 4) * 1000) bad++ } END { print bad + 0 }' "$T/tso.txt")
	echo "segments $n, bad checksum $badsum, payload lengths: $lens, wrong sequence numbers $seqs"
	grep -q "as 4 TCP segments each" "$T/tso.log" || return 1
	[ "$n" = 200 ] && [ "$badsum" = 0 ] && [ "$lens" = "150x1000 50x946 " ] && [ "$seqs" = 0 ]
}
check "--tso 1000: 50 frames of 4000 bytes leave as 200 TCP segments, checksums and sequence numbers good" tso_ok

refused_ok() {
	# a segment of 1461 payload bytes would exceed 1514 bytes: refused by the app
	"$pktgen" -n 1 -s 4000 --tso 1461 "sim:r,wire=pcap::$T/r.pcap" >"$T/r.log" 2>&1 && return 1
	grep -q "at most 1460" "$T/r.log" && [ "$(wc -l <"$T/r.log")" = 1 ]
}
check "--tso 1461: refused with one line (segments beyond 1514 bytes)" refused_ok

# ---- over a veth: what the far end receives ----
veth_ok() {
	ip netns add "$P-h" && ip netns add "$P-sw" || return 1
	ip link add vh netns "$P-h" type veth peer name vx netns "$P-sw" || return 1
	ip netns exec "$P-h" ip link set vh up
	ip netns exec "$P-sw" ip link set vx up
	ip netns exec "$P-sw" ethtool -K vx tx off tso off gso off gro off >/dev/null 2>&1
	ip netns exec "$P-h" timeout 30 tcpdump -Z root -c 400 -i vh -U -w "$T/veth.pcap" udp >/dev/null 2>&1 &
	local cap=$!
	sleep 1.5
	ip netns exec "$P-sw" "$pktgen" -n 400 -s 200 -i 0 --tx-csum 'sim:ov,wire=iface:vx' >"$T/veth.log" 2>&1 ||
		{ cat "$T/veth.log"; return 1; }
	wait $cap
	local n badsum
	n=$(fields "$T/veth.pcap" | wc -l)
	badsum=$(fields "$T/veth.pcap" | awk -F'\t' '$1 != 200 || $4 != 1 || $5 != 1' | wc -l)
	echo "frames $n, bad $badsum"
	[ "$n" = 400 ] && [ "$badsum" = 0 ]
}
if [ "$(id -u)" = 0 ] && command -v tcpdump >/dev/null && command -v ip >/dev/null; then
	check "--tx-csum over a veth: 400 frames at the far end, tshark: checksums good" veth_ok
else
	echo "skip --tx-csum over a veth (needs root, ip, tcpdump)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
