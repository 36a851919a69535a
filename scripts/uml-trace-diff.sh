#!/usr/bin/env bash
# Our ixgbe driver against Linux's, register write by register write: both
# run through the same steps on the same personality of the model, which
# records every register access in one format (sim option trace=FILE),
# then tools/trace/trace_diff.py names, normalises and compares the two
# sequences (docs/driver.md, "libixy's sequence against Linux's").
#
#   sudo scripts/uml-trace-diff.sh [--build DIR] [--device ID] [--out DIR] [--verdicts FILE]
#
#   --build DIR   the build directory with ixy-simd and ixy-trace-ours (default: build)
#   --device ID   the personality (default 0x10fb, the X520 with a DA SFP+ cable)
#   --out DIR     where the traces and the comparison go (default: BUILD/uml-trace)
#   --verdicts F  every difference must be covered by a line of F
#                 (tests/uml/trace/verdicts.txt: the ones docs/driver.md judges)
#
# Ours: ixy-trace-ours opens and closes a sim port (libixy's ixgbe: reset,
# EEPROM, SFP+, link, queues; then close). Linux: ixy-simd serves the same
# port to User-Mode Linux (scripts/uml-run.sh), where tests/uml/trace/linux.sh
# waits for ixgbe's probe, sets the interface up until link, down, and
# unbinds the driver. Both ports have the same MAC address and no cable
# (wire=null), so nothing arrives from outside. Writes OUT/ours.trace,
# OUT/linux.trace (raw), OUT/{ours,linux}.{init,stop} (normalised),
# OUT/{init,stop}.diff and OUT/summary.txt. Needs root (UML, like
# tests/sh/test_uml.sh) and a built UML kernel (scripts/uml-kernel.sh).
# Takes about 10 s. Exit 0 when both runs completed and the comparison was
# written (and, with --verdicts, every difference has a verdict), 3 when a
# difference has none (listed in OUT/unexplained.txt), 1 when a run
# failed, 2 for bad usage.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "uml-trace-diff.sh: $*" >&2; exit "${2:-1}"; }

build=$root/build device=0x10fb out='' verdicts=()
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=${2:?}; shift ;;
	--device) device=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--verdicts)
		v=$(realpath -e "${2:?}") || die "no verdicts file $2" 2
		verdicts=(--verdicts "$v")
		shift
		;;
	-h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
	*) die "unknown argument $1 (see --help)" 2 ;;
	esac
	shift
done
build=$(realpath -e "$build" 2>/dev/null) || die "no build directory (--build)" 2
out=${out:-$build/uml-trace}
for b in ixy-simd ixy-trace-ours; do
	[ -x "$build/$b" ] || die "$build/$b not built (cmake --build $build)"
done
command -v python3 >/dev/null || die "python3 is missing (scripts/install-deps.sh uml)"
kernel=$(bash "$root/scripts/uml-kernel.sh" --check) || die "no UML kernel yet: run scripts/uml-kernel.sh"
mkdir -p "$out" || die "cannot create $out"
out=$(realpath "$out")
rm -f "$out"/*.trace "$out"/*.diff "$out"/summary.txt
mac=02:00:c6:12:09:01
port="mac=$mac,device_id=$device,wire=null"

# ---- ours ----
"$build/ixy-trace-ours" "ours,$port,trace=$out/ours.trace" || die "libixy's run failed (see above)"

# ---- Linux's, in UML ----
# UML hides the host's /tmp, /run and /dev under tmpfs of its own: the
# share, the sockets and the script UML runs (a checkout there, such as a
# CI clone, would be invisible inside) live elsewhere.
T=$(mktemp -d /var/tmp/ixy-uml-trace.XXXXXX) || die "cannot create a directory in /var/tmp"
simd_pid=''
cleanup() {
	[ -n "$simd_pid" ] && kill -KILL "$simd_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
mkdir "$T/share"
cp "$root/tests/uml/trace/linux.sh" "$T/linux.sh" || die "cannot copy tests/uml/trace/linux.sh to $T"
"$build/ixy-simd" --socket "$T/lin.sock" "sim:lin,$port,trace=$out/linux.trace" >"$out/simd.log" 2>&1 &
simd_pid=$!
for _ in $(seq 100); do [ -S "$T/lin.sock" ] && break; sleep 0.1; done
[ -S "$T/lin.sock" ] || die "ixy-simd did not listen (log: $out/simd.log)"
bash "$root/scripts/uml-run.sh" --kernel "$kernel" --timeout 180 --mem 256M --log "$out/console.log" \
	--share "$T/share" --device "$T/lin.sock" "$T/linux.sh"
rc=$?
cp "$T/share/trace-job.txt" "$T/share/dmesg.txt" "$out/" 2>/dev/null
kill -INT "$simd_pid"
wait "$simd_pid"
simd_rc=$?
simd_pid=''
cat "$out/trace-job.txt" 2>/dev/null
[ $rc = 0 ] || die "Linux's run in UML failed (exit $rc; console $out/console.log)"
[ $simd_rc = 0 ] || die "ixy-simd exited $simd_rc (log $out/simd.log)"
grep -A1 -E '^  (violations|DMA faults|unknown registers): [1-9]' "$out/simd.log" &&
	echo "uml-trace-diff.sh: warning: the model reported the above under Linux's driver" >&2

python3 "$root/tools/trace/trace_diff.py" "$out/ours.trace" "$out/linux.trace" "$out" "${verdicts[@]}"
