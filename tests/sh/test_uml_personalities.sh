#!/usr/bin/env bash
# The UML ring on the model's other personalities: Linux's ixgbe, in
# User-Mode Linux, against a cabled pair each of the backplane 82599
# (0x10F8), the X540 (0x1528) and the X550 (0x1563), six ports of
# ixy-simd in one boot (tests/sh/test_uml.sh covers the SFP+ 0x10FB).
# The X540/X550 ports start with their PHY powered down (as Linux leaves
# a port it took down) and a firmware that holds its semaphores for 2 ms
# after every reset, so Linux's power-up and semaphore paths run.
#
# Inside UML (tests/uml/personalities.sh): probe without an error in
# dmesg, link at 10 Gb/s (ethtool), ping both ways in each pair, down/up,
# no hang or reset loop in dmesg. Here: ixy-simd's report - no violation,
# no DMA fault, no unknown register on any port - and nothing left running.
# One `ok`/`FAIL` line per check, then `N passed, M failed`.
#
# Called by ctest as: test_uml_personalities.sh SOURCE_DIR BUILD_DIR. Exit
# 0 all passed, 1 something failed, 77 UML cannot run here (skipped).
# Logs in BUILD_DIR/uml-personalities/. IXY_UML_TIMEOUT (s, default 600).
set -uo pipefail
src=${1:?usage: test_uml_personalities.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: test_uml_personalities.sh SOURCE_DIR BUILD_DIR}
. "$src/tests/sh/uml_host.sh"
uml_check_host
uml_find_simd
uml_need_tools ip ethtool ping findmnt
uml_find_kernel

out=$build/uml-personalities
mkdir -p "$out"
rm -f "$out"/console.log "$out"/simd.log "$out"/dmesg.txt "$out"/results
# UML covers /tmp with its own tmpfs: the share lives elsewhere.
T=$(mktemp -d /var/tmp/ixy-uml-pers.XXXXXX)
share=$T/share
mkdir "$share"
simd_pid=''
jobdir=''
cleanup() {
	[ -n "$simd_pid" ] && kill -KILL "$simd_pid" 2>/dev/null
	wait 2>/dev/null
	# never the checkout's own tests/uml (a clone outside /tmp runs from it)
	[ -n "$jobdir" ] && uml_job_dir_done
	rm -rf "$T"
}
trap cleanup EXIT

# port: personality, device id, extra options, speed (Mb/s)
declare -A dev=([a]=0x10f8 [b]=0x10f8 [c]=0x1528 [d]=0x1528 [e]=0x1563 [f]=0x1563)
declare -A name=([a]=backplane-82599 [b]=backplane-82599 [c]=X540 [d]=X540 [e]=X550 [f]=X550)
declare -A peer=([a]=b [b]=a [c]=d [d]=c [e]=f [f]=e)
copper=',phy_power=off,fw_hold_us=2000'
args=() ports='' speeds='' names=''
for p in a b c d e f; do
	mac=02:00:c6:12:03:0$p
	extra=''
	[[ ${dev[$p]} != 0x10f8 ]] && extra=$copper
	args+=(--socket "$T/$p.sock" "sim:$p,mac=$mac,device_id=${dev[$p]}$extra,wire=pair:${peer[$p]}")
	ports+="$p=$mac " speeds+="$p=10000 " names+="$p=${name[$p]} "
done
"$simd" "${args[@]}" >"$out/simd.log" 2>&1 &
simd_pid=$!
uml_wait_sockets "six ports: 0x10F8 a-b, 0x1528 c-d, 0x1563 e-f" "$T"/{a,b,c,d,e,f}.sock

uml_job_dir   # the job and lib.sh must be visible inside UML
devices=()
for p in a b c d e f; do devices+=(--device "$T/$p.sock"); done
start=$SECONDS
bash "$src/scripts/uml-run.sh" --kernel "$kernel" --timeout "${IXY_UML_TIMEOUT:-600}" --mem 512M \
	--log "$out/console.log" --share "$share" --pid-file "$T/uml.pid" "${devices[@]}" \
	--env "IXY_PORTS=${ports% }" --env "IXY_PAIRS=a:b c:d e:f" --env "IXY_SPEED=${speeds% }" \
	--env "IXY_NAMES=${names% }" "$jobdir/personalities.sh" 2>"$T/uml-run.err"
rc=$?
uml_job_dir_done
cat "$T/uml-run.err" >&2
cp "$share/results" "$share/dmesg.txt" "$out/" 2>/dev/null
case $rc in
0 | 1) ok uml_run "UML ran the checks to the end in $((SECONDS - start)) s (console: $out/console.log)" ;;
124) bad uml_run "UML did not finish within ${IXY_UML_TIMEOUT:-600}s (console: $out/console.log)" ;;
*) bad uml_run "uml-run.sh exit $rc: UML did not run the checks to the end (console: $out/console.log)" ;;
esac

uml_console_clean "$out/console.log"

# ---- what UML reported against what the job declares ----
declared=$(sed -n 's/^# checks:[[:space:]]*//p' "$src/tests/uml/personalities.sh" | tr -s ' \t' '\n\n' | sed '/^$/d')
lines=$(grep -a '^UML-CHECK name=' "$share/results" 2>/dev/null)
for c in $declared; do
	got=$(grep -E "^UML-CHECK name=$c " <<<"$lines")
	detail=$(head -n 1 <<<"$got" | sed 's/^[^"]*detail="//; s/"$//')
	if [[ -z $got ]]; then
		bad "$c" "missing: UML never reported it"
	elif (($(wc -l <<<"$got") != 1)); then
		bad "$c" "reported $(wc -l <<<"$got") times"
	elif grep -q ' result=pass ' <<<"$got"; then
		ok "$c" "$detail"
	else
		bad "$c" "$detail"
	fi
done
for c in $(sed -n 's/^UML-CHECK name=\([^ ]*\) .*/\1/p' <<<"$lines" | sort -u); do
	grep -qx "$c" <<<"$declared" || bad "$c" "reported but not declared in the job's '# checks:' lines"
done

# ---- ixy-simd: a clean stop, then its report per port ----
uml_stop_simd
report=$(cat "$out/simd.log")
# "  violations: N", "  DMA faults: N", "  unknown registers: N": one each per port
for what in violations "DMA faults" "unknown registers"; do
	counts=$(sed -n "s/^  $what: //p" <<<"$report")
	check=simd_${what// /_}
	if (($(grep -c . <<<"$counts") != 6)); then
		bad "$check" "want a '$what' count for each of the 6 ports in ixy-simd's report ($out/simd.log)"
	elif ! grep -qvx 0 <<<"$counts"; then
		ok "$check" "0 $what on each of the 6 ports"
	else
		bad "$check" "$(grep -A3 "^  $what: [1-9]" <<<"$report" | tr -s ' \n' ' ;')"
	fi
done
uml_simd_refused "$out/simd.log" 6

# ---- nothing left running ----
uml_pid=$(cat "$T/uml.pid" 2>/dev/null)
left=''
for st in /proc/[0-9]*/stat; do
	s=$(cat "$st" 2>/dev/null) || continue
	read -r _ _ _ sid _ <<<"${s##*) }"
	pid=${s%% *}
	[[ -n $uml_pid && $sid == "$uml_pid" ]] && left+=" UML:$pid"
	[[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$simd" ]] && left+=" ixy-simd:$pid"
done
if [[ -z $left ]]; then ok no_leftovers "no UML or ixy-simd process left"; else bad no_leftovers "still running:$left"; fi
finish
