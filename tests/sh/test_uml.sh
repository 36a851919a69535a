#!/usr/bin/env bash
# The UML ring of the tests: Linux's own ixgbe driver, in User-Mode Linux,
# against the virtual 82599 that ixy-simd serves over vhost-user (PCI over
# virtio). Topology (all created here and removed on exit):
#
#   UML: [uml-a] ixgbe a 198.18.1.1 ==pair wire== ixgbe b 198.18.1.2 [uml-b]
#        [uml-c] ixgbe c 198.18.2.2 ==iface wire== host veth V <-> V-p 198.18.2.1 [host netns]
#
# The checks run inside UML (tests/uml/checks.d/*.sh, each declares the
# checks it reports in a `# checks:` line; declared but unreported is a
# failure); this script adds the host's side: the bytes UML sent to the
# host veth, ixy-simd's exit and violation report, no process left.
# One `ok`/`FAIL` line per check, then `N passed, M failed`.
#
# Called by ctest as: test_uml.sh SOURCE_DIR BUILD_DIR. Exit 0 all passed,
# 1 something failed, 77 UML cannot run on this machine (ctest counts it
# as skipped, not passed). Logs stay in BUILD_DIR/uml/. Builds the UML
# kernel if it is not cached yet (scripts/uml-kernel.sh, ~6 minutes).
# IXY_UML_TIMEOUT (seconds, default 900) is the hard limit for UML.
set -uo pipefail
src=${1:?usage: test_uml.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: test_uml.sh SOURCE_DIR BUILD_DIR}
. "$src/tests/sh/uml_host.sh"
uml_check_host
uml_find_simd
uml_need_tools ip ethtool socat sha256sum findmnt
uml_find_kernel

out=$build/uml
mkdir -p "$out"
rm -f "$out"/console.log "$out"/simd.log "$out"/dmesg.txt "$out"/results
T=$(mktemp -d /tmp/ixy-uml.XXXXXX)
share=$T/share
mkdir "$share"
NS=ixy-uml-$$
V=ixyu$$
pids=()
simd_pid=''

cleanup() {
	local p
	[ -n "$simd_pid" ] && kill -KILL "$simd_pid" 2>/dev/null
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip link del "$V" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# ---- the host's end of port c: a veth pair, the far end in a namespace ----
setup_host() {
	ip netns add "$NS" || return 1
	ip link add "$V" type veth peer name "${V}p" netns "$NS" || return 1
	# Quiet ends: no IPv6 chatter from the host into the model, and no
	# offloads, so the model's AF_PACKET wire sees plain wire-size frames
	# with finished checksums.
	sysctl -qw "net.ipv6.conf.$V.disable_ipv6=1" 2>/dev/null
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
	ethtool -K "$V" tx off tso off gso off gro off >/dev/null 2>&1
	ip netns exec "$NS" ethtool -K "${V}p" tx off tso off gso off gro off >/dev/null 2>&1
	ip link set "$V" up &&
		ip netns exec "$NS" ip addr add 198.18.2.1/24 dev "${V}p" &&
		ip netns exec "$NS" ip link set lo up &&
		ip netns exec "$NS" ip link set "${V}p" up
}
if setup_host; then
	ok host_setup "veth $V <-> ${V}p 198.18.2.1/24 in $NS"
else
	bad host_setup "could not create namespace $NS and veth $V"
	finish
fi

# ---- data: 20 MiB each way ----
head -c $((20 << 20)) /dev/urandom >"$share/data.bin"
head -c $((20 << 20)) /dev/urandom >"$T/to-uml.bin"
tx_sha=$(sha256sum "$T/to-uml.bin" | cut -d' ' -f1)
ip netns exec "$NS" socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$T/from-uml.bin",creat,trunc &
pids+=($!)
ip netns exec "$NS" socat -u OPEN:"$T/to-uml.bin" TCP-LISTEN:5002,reuseaddr &
pids+=($!)
ip netns exec "$NS" socat -u TCP-LISTEN:5003,reuseaddr OPEN:"$T/from-uml-offload.bin",creat,trunc &
pids+=($!)

# ---- ixy-simd: three 82599 ports behind three sockets ----
mac_a=02:00:c6:12:01:0a mac_b=02:00:c6:12:01:0b mac_c=02:00:c6:12:02:0c
"$simd" --socket "$T/a.sock" "sim:a,mac=$mac_a,wire=pair:b" \
	--socket "$T/b.sock" "sim:b,mac=$mac_b,wire=pair:a" \
	--socket "$T/c.sock" "sim:c,mac=$mac_c,wire=iface:$V" >"$out/simd.log" 2>&1 &
simd_pid=$!
uml_wait_sockets "sockets a b c" "$T/a.sock" "$T/b.sock" "$T/c.sock"

# ---- UML with the three devices runs the checks ----
uml_job_dir
bash "$src/scripts/uml-run.sh" --kernel "$kernel" --timeout "${IXY_UML_TIMEOUT:-900}" --mem 512M \
	--log "$out/console.log" --share "$share" --pid-file "$T/uml.pid" \
	--device "$T/a.sock" --device "$T/b.sock" --device "$T/c.sock" \
	--env "IXY_PORTS=a=$mac_a b=$mac_b c=$mac_c" \
	--env IXY_HOST_ADDR=198.18.2.1 --env IXY_HOST_RX_PORT=5001 --env IXY_HOST_RX2_PORT=5003 \
	--env IXY_HOST_TX_PORT=5002 \
	--env "IXY_HOST_TX_SHA=$tx_sha" \
	"$jobdir/run.sh" 2>"$T/uml-run.err"
rc=$?
uml_job_dir_done
cat "$T/uml-run.err" >&2
cp "$share/results" "$share/dmesg.txt" "$out/" 2>/dev/null
case $rc in
0 | 1) ok uml_run "UML ran the checks to the end and powered off (console: $out/console.log)" ;;
124) bad uml_run "UML did not finish within ${IXY_UML_TIMEOUT:-900}s (console: $out/console.log)" ;;
*) bad uml_run "uml-run.sh exit $rc: UML did not run the checks to the end (console: $out/console.log)" ;;
esac

if [[ $rc != 124 && $rc != 125 ]]; then
	if grep -q 'hung at power-off' "$T/uml-run.err"; then
		bad uml_poweroff "UML hung after the checks ended and was killed (console: $out/console.log)"
	else
		ok uml_poweroff "UML stopped by itself after the checks"
	fi
fi

uml_console_clean "$out/console.log"

# ---- what UML reported against what the check scripts declare ----
declared=$(sed -n 's/^# checks:[[:space:]]*//p' "$src"/tests/uml/checks.d/*.sh | tr -s ' \t' '\n\n' | sed '/^$/d')
lines=$(grep -a '^UML-CHECK name=' "$share/results" 2>/dev/null)
for name in $(sort <<<"$declared" | uniq -d); do
	bad "$name" "declared twice in tests/uml/checks.d"
done
for name in $declared; do
	got=$(grep -E "^UML-CHECK name=$name " <<<"$lines")
	detail=$(head -n 1 <<<"$got" | sed 's/^[^"]*detail="//; s/"$//')
	if [[ -z $got ]]; then
		bad "$name" "missing: UML never reported it"
	elif (($(wc -l <<<"$got") != 1)); then
		bad "$name" "reported $(wc -l <<<"$got") times"
	elif grep -q ' result=pass ' <<<"$got"; then
		ok "$name" "$detail"
	else
		bad "$name" "$detail"
	fi
done
for name in $(sed -n 's/^UML-CHECK name=\([^ ]*\) .*/\1/p' <<<"$lines" | sort -u); do
	grep -qx "$name" <<<"$declared" || bad "$name" "reported but not declared in a '# checks:' line"
done

# ---- the host's side of port c ----
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
want=$(sha256sum "$share/data.bin" | cut -d' ' -f1)
# received CHECK FILE: what the host's listener wrote against data.bin.
received() {
	local got detail
	got=$(sha256sum "$2" 2>/dev/null | cut -d' ' -f1)
	detail="host received $(stat -c %s "$2" 2>/dev/null || echo 0) bytes, sha256 ${got:0:16}; UML sent ${want:0:16}"
	if [[ $got == "$want" ]]; then ok "$1" "$detail"; else bad "$1" "$detail"; fi
}
received host_received_from_uml "$T/from-uml.bin"
received host_received_from_uml_offload "$T/from-uml-offload.bin"

# ---- ixy-simd: a clean stop, its report ----
uml_stop_simd
# The report, per port: "port NAME (SOCKET): ... N refused ...", then
# "  violations: N" with one indented line each, "  DMA faults: N".
report=$(cat "$out/simd.log")
viol=$(sed -n 's/^  violations: //p' <<<"$report")
faults=$(sed -n 's/^  DMA faults: //p' <<<"$report")
summary=$(grep '^port ' <<<"$report" | tr '\n' ';')
if (($(grep -c . <<<"$viol") != 3)); then
	bad simd_violations "want a violation count for each of the 3 ports in ixy-simd's report ($out/simd.log)"
elif ! grep -qvx 0 <<<"$viol"; then
	ok simd_violations "0 violations on each port; $summary"
else
	bad simd_violations "$(grep -A3 '^  violations: [1-9]' <<<"$report" | tr -s ' \n' ' ;')"
fi
if (($(grep -c . <<<"$faults") != 3)); then
	bad simd_dma_faults "want a DMA fault count for each of the 3 ports in ixy-simd's report"
elif ! grep -qvx 0 <<<"$faults"; then
	ok simd_dma_faults "no DMA outside UML's memory on any port"
else
	bad simd_dma_faults "DMA faults per port: $(tr '\n' ' ' <<<"$faults")"
fi

uml_simd_refused "$out/simd.log" 3

# ---- nothing left running ----
# UML makes itself a session leader: its processes carry its pid as
# their session id.
uml_pid=$(cat "$T/uml.pid" 2>/dev/null)
left=''
for p in /proc/[0-9]*/stat; do
	st=$(cat "$p" 2>/dev/null) || continue
	read -r _ _ _ sid _ <<<"${st##*) }"
	pid=${st%% *}
	[[ -n $uml_pid && $sid == "$uml_pid" ]] && left+=" UML:$pid"
	[[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$simd" ]] && left+=" ixy-simd:$pid"
done
if [[ -z $left ]]; then ok no_leftovers "no UML or ixy-simd process left"; else bad no_leftovers "still running:$left"; fi

finish
