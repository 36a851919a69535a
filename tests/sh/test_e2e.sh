#!/usr/bin/env bash
# End-to-end: the real apps on virtual 82599 ports bridged to veth pairs whose
# other ends live in network namespaces, so real kernel traffic crosses the
# driver. Topology (all created here and deleted on exit):
#
#   [h1] v1h 198.18.0.1 ==veth== v1x [sw] ixy-fwd sim:a <-> sim:b v2x ==veth== v2h 198.18.0.2 [h2]
#
# Called by ctest as: test_e2e.sh SOURCE_DIR BUILD_DIR. Needs root, iproute2,
# ethtool, ping, socat, tcpdump, tshark (scripts/test.sh installs them).
set -uo pipefail
src=$1 build=$2
P=ixy-e2e-$$
T=$(mktemp -d /tmp/ixy-e2e.XXXXXX)
out=$(mktemp /tmp/ixy-e2e-check.XXXXXX)
pass=0 fail=0 skip=0
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for n in h1 h2 sw; do ip netns del "$P-$n" 2>/dev/null; done
	rm -rf "$T"
}
trap 'cleanup; rm -f "$out"' EXIT

ok()   { pass=$((pass + 1)); echo "ok   $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '     %s\n' "$@"; }
check() { local name=$1; shift; if "$@" >"$out" 2>&1; then ok "$name"; else bad "$name" "$(tail -5 "$out")"; fi; }
# Foreground only: a backgrounded shell function's $! is a subshell that a
# signal would not reach, so background jobs use `ip netns exec` directly.
in_ns() { local ns=$1; shift; ip netns exec "$P-$ns" "$@"; }

if [ "$(id -u)" != 0 ]; then
	echo "skipping: end-to-end tests need root (network namespaces, hugepages)"
	echo "0 passed, 0 failed"
	exit 0
fi
for tool in ip ethtool ping socat tcpdump tshark; do
	command -v $tool >/dev/null || { echo "missing tool: $tool (scripts/test.sh installs it)"; echo "0 passed, 1 failed"; exit 1; }
done
fwd=$build/ixy-fwd pktgen=$build/ixy-pktgen pcapapp=$build/ixy-pcap
huge=$(awk '$3 == "hugetlbfs" && $4 ~ /pagesize=2M/ {print $2; exit}' /proc/mounts)

# ---- topology ----
setup() {
	local h
	for n in h1 h2 sw; do ip netns add "$P-$n" || return 1; done
	ip link add v1h netns "$P-h1" type veth peer name v1x netns "$P-sw" || return 1
	ip link add v2h netns "$P-h2" type veth peer name v2x netns "$P-sw" || return 1
	for h in 1 2; do
		# No IPv6 chatter (router solicitations, MLD): the tests count frames.
		in_ns h$h sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		in_ns sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		# The model's AF_PACKET wire sees what the veth carries: no GSO
		# super-frames and no half-done (offloaded) checksums.
		in_ns h$h ethtool -K v${h}h tx off tso off gso off gro off >/dev/null 2>&1
		in_ns sw ethtool -K v${h}x tx off tso off gso off gro off >/dev/null 2>&1
		in_ns h$h ip addr add 198.18.0.$h/24 dev v${h}h
		in_ns h$h ip link set lo up
		in_ns h$h ip link set v${h}h up
		in_ns sw ip link set v${h}x up
	done
}
check "topology: namespaces and veth pairs" setup

# ---- ixy-fwd between the two ports: ping and TCP ----
ip netns exec "$P-sw" "$fwd" -t 120 'sim:a,wire=iface:v1x' 'sim:b,wire=iface:v2x' >"$T/fwd.out" 2>&1 &
fwd_pid=$!
pids+=("$fwd_pid")
sleep 2
ping_ok() { in_ns h1 ping -c 20 -i 0.05 -W 2 198.18.0.2 | tee "$T/ping.out" | grep -q ' 0% packet loss'; }
check "ping across ixy-fwd: 20 packets, 0% loss (ARP included)" ping_ok
check "ping: the ARP broadcast was answered (neighbour entry reachable)" \
	sh -c "ip netns exec $P-h1 ip neigh show 198.18.0.2 | grep -qE 'REACHABLE|STALE|DELAY'"

tcp_ok() {
	head -c 20000000 /dev/urandom >"$T/in.bin"
	ip netns exec "$P-h2" timeout 60 socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$T/out.bin",creat,trunc &
	local srv=$!
	sleep 0.5
	in_ns h1 timeout 60 socat -u FILE:"$T/in.bin" TCP:198.18.0.2:5001 || return 1
	wait $srv || return 1
	local a b
	a=$(sha256sum <"$T/in.bin" | cut -d' ' -f1)
	b=$(sha256sum <"$T/out.bin" | cut -d' ' -f1)
	echo "sent $a received $b"
	[ "$a" = "$b" ]
}
check "TCP: 20 MB across ixy-fwd, SHA-256 equal on the far side" tcp_ok

kill -INT "$fwd_pid"
wait "$fwd_pid"
rc=$?
check "ixy-fwd: SIGINT -> exit 0" test "$rc" = 0
check "ixy-fwd: final totals printed" grep -q 'forwarded [1-9][0-9]* packets' "$T/fwd.out"
check "ixy-fwd: per-second rate lines printed" grep -q 'Mpps.*Mbit/s' "$T/fwd.out"

# ---- ixy-pktgen into a veth, tshark checks every frame ----
pktgen_ok() {
	ip netns exec "$P-h1" timeout 30 tcpdump -Z root -c 1000 -i v1h -U -w "$T/pktgen.pcap" udp >/dev/null 2>&1 &
	local cap=$!
	sleep 1.5
	in_ns sw "$pktgen" -n 1000 -s 100 -f 8 -i 0 'sim:g,wire=iface:v1x' >"$T/pktgen.out" 2>&1 || return 1
	wait $cap    # tcpdump stops by itself after 1000 frames (or its timeout)
	tshark -r "$T/pktgen.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-T fields -e frame.len -e ip.checksum.status -e udp.checksum.status -e udp.srcport -e data.data \
		>"$T/pktgen.txt" 2>/dev/null || return 1
	local n badsum seqs
	n=$(wc -l <"$T/pktgen.txt")
	badsum=$(awk '$1 != 100 || $2 != 1 || $3 != 1' "$T/pktgen.txt" | wc -l)
	# Sequence numbers: first 8 payload bytes, big endian; must be exactly 0..999.
	local hex
	while read -r hex; do printf '%d\n' "0x${hex:0:16}"; done < <(cut -f5 "$T/pktgen.txt") >"$T/seqs.txt"
	seqs=$(sort -n "$T/seqs.txt" | uniq | awk 'NR-1 != $1 {bad=1} END {print (bad ? "gap" : NR)}')
	echo "frames $n, bad length/checksum $badsum, distinct in-order sequence numbers $seqs"
	[ "$n" = 1000 ] && [ "$badsum" = 0 ] && [ "$seqs" = 1000 ]
}
check "ixy-pktgen: 1000 frames captured by tcpdump, tshark: all IPv4+UDP checksums good, sequence 0..999" pktgen_ok
check "ixy-pktgen: 8 flows = 8 UDP source ports" sh -c "[ \$(cut -f4 '$T/pktgen.txt' | sort -u | wc -l) = 8 ]"

# ---- ixy-pcap on a port while h1 sends known traffic ----
pcap_ok() {
	# A static neighbour: h1 sends ICMP echo requests to 198.18.0.9 and no ARP.
	in_ns h1 ip neigh replace 198.18.0.9 lladdr 02:00:00:00:00:09 dev v1h
	ip netns exec "$P-h1" timeout 30 tcpdump -Z root -c 20 -i v1h -U -w "$T/ref.pcap" icmp >/dev/null 2>&1 &
	local ref=$!
	ip netns exec "$P-sw" timeout 30 "$pcapapp" -n 20 -i 0 'sim:c,wire=iface:v1x' "$T/ixy.pcap" >"$T/pcap.out" 2>&1 &
	local cap=$!
	sleep 2
	in_ns h1 ping -c 20 -i 0.05 -s 100 -W 0.1 198.18.0.9 >/dev/null
	wait $cap || { cat "$T/pcap.out"; return 1; }
	wait $ref
	local ours theirs
	ours=$(tshark -r "$T/ixy.pcap" -T fields -e frame.len -e icmp.type 2>/dev/null | sort | uniq -c | tr -s ' \t' '  ')
	theirs=$(tshark -r "$T/ref.pcap" -T fields -e frame.len -e icmp.type 2>/dev/null | sort | uniq -c | tr -s ' \t' '  ')
	local bytes
	bytes=$(tshark -r "$T/ixy.pcap" -T fields -e frame.len 2>/dev/null | awk '{s += $1} END {print s}')
	echo "ixy-pcap: [$ours] bytes $bytes; tcpdump on h1: [$theirs]"
	[ "$ours" = " 20 142 8" ] && [ "$ours" = "$theirs" ] && [ "$bytes" = 2840 ]
}
check "ixy-pcap: 20 ICMP frames of 142 bytes, same count/sizes/bytes as tcpdump saw" pcap_ok
check "ixy-pcap: file has nanosecond timestamps (magic a1b23c4d)" \
	sh -c "od -An -tx4 -N4 '$T/ixy.pcap' | grep -q a1b23c4d"

# ---- ixy-pcap --replay: the file captured above goes back out of a port ----
replay_ok() {
	ip netns exec "$P-h1" timeout 30 tcpdump -Z root -c 20 -i v1h -U -w "$T/replayed.pcap" icmp >/dev/null 2>&1 &
	local cap=$!
	sleep 1.5
	in_ns sw "$pcapapp" --replay -r 1000pps 'sim:rp,wire=iface:v1x' "$T/ixy.pcap" >"$T/replay.out" 2>&1 || return 1
	wait $cap || return 1
	# Same frames, same order, byte for byte (timestamps aside).
	tshark -r "$T/ixy.pcap" -T fields -e frame.len -e icmp.seq -e data.data 2>/dev/null >"$T/a.txt"
	tshark -r "$T/replayed.pcap" -T fields -e frame.len -e icmp.seq -e data.data 2>/dev/null >"$T/b.txt"
	echo "$(wc -l <"$T/a.txt") frames captured earlier, $(wc -l <"$T/b.txt") seen after replay"
	[ "$(wc -l <"$T/b.txt")" = 20 ] && cmp -s "$T/a.txt" "$T/b.txt"
}
check "ixy-pcap --replay: the 20 captured frames reach h1 again, identical and in order" replay_ok

# ---- bad input: one-line error, non-zero exit, nothing touched or left ----
one_line_error() { # expected-substring, command...
	local want=$1; shift
	"$@" >"$T/stdout" 2>"$T/stderr"
	local rc=$?
	echo "exit $rc, stderr: $(cat "$T/stderr")"
	[ $rc != 0 ] && [ "$(wc -l <"$T/stderr")" = 1 ] && grep -q -- "$want" "$T/stderr"
}
check "bad input: invalid PCI address" one_line_error "hex" "$fwd" 0000:zz:00.0 0000:00:00.0
check "bad input: non-existent device" one_line_error "no PCI device" "$pktgen" 0000:7f:1f.7

fake=$T/sys
make_fake_dev() { # addr vendor device class driver
	local d=$fake/bus/pci/devices/$1 v=$2 dv=$3
	mkdir -p "$d" "$fake/bus/pci/drivers/$5"
	: >"$fake/bus/pci/drivers/$5/unbind"
	ln -sfn "../../../bus/pci/drivers/$5" "$d/driver"
	# 64-byte config header: vendor, device (little endian), command = 6,
	# class code at 0x0b, the rest zero.
	{ printf "\x${v:2:2}\x${v:0:2}\x${dv:2:2}\x${dv:0:2}\x06\x00\x00\x00\x00\x00\x00\x$4"
	  head -c 52 /dev/zero; } >"$d/config"
	printf '0x00000000fe000000 0x00000000fe01ffff 0x0000000000040200\n' >"$d/resource"
	for _ in 1 2 3 4 5 6; do printf '0x0000000000000000 0x0000000000000000 0x0000000000000000\n' >>"$d/resource"; done
	echo 0 >"$d/numa_node"
}
make_fake_dev 0000:00:14.0 8086 a36d 0c xhci_hcd     # a USB controller
make_fake_dev 0000:00:19.0 8086 15bc 02 e1000e        # a NIC, but not ixgbe
check "bad input: a non-NIC device (fake sysfs) is refused" \
	one_line_error "unsupported device 8086:a36d" env IXY_SYSFS_ROOT="$fake" "$pktgen" 0000:00:14.0
check "bad input: a NIC that is not ixgbe (fake sysfs) is refused" \
	one_line_error "unsupported device 8086:15bc" env IXY_SYSFS_ROOT="$fake" "$fwd" 0000:00:19.0 0000:00:14.0
check "bad input: nothing was unbound on the fake tree" \
	test ! -s "$fake/bus/pci/drivers/xhci_hcd/unbind" -a ! -s "$fake/bus/pci/drivers/e1000e/unbind"
check "bad input: missing hugepages" one_line_error "hugetlbfs" env IXY_HUGETLBFS=/tmp "$pktgen" -n 1 'sim:nohuge'
check "bad input: unwritable pcap path" one_line_error "cannot write" "$pcapapp" -n 1 'sim:nopcap' /proc/nonexistent/x.pcap
check "bad input: truncated pcap file for replay" \
	sh -c "head -c 100 '$T/ixy.pcap' >'$T/trunc.pcap'; ! '$pcapapp' --replay 'sim:r' '$T/trunc.pcap' 2>'$T/trunc.err'; grep -qi 'trunc' '$T/trunc.err'"
check "bad input: no hugepage files left behind" sh -c "[ -z '$huge' ] || ! ls '$huge' | grep -q '^ixy-'"

cleanup
check "cleanup: no namespace of this run is left" sh -c "! ip netns list | grep -q '^$P-'"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
