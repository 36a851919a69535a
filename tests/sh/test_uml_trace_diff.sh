#!/usr/bin/env bash
# Our ixgbe driver against Linux's, register write by register write, on
# the four personalities of the model (0x10FB SFP+, 0x10F8 backplane,
# 0x1528 X540, 0x1563 X550): scripts/uml-trace-diff.sh runs both through
# the same steps (Linux's in User-Mode Linux through ixy-simd) and every
# difference between the two write sequences must have a verdict
# (tests/uml/trace/verdicts.txt, each a row of docs/driver.md's table).
# A new difference - our driver or the model changed - fails here until it
# is judged; so does losing something Linux does that we adopted (clearing
# RAL/RAH[1..127] and the rate limiters, the X540 NVM checksum).
# Per personality also: Linux got link at 10 Gb/s in UML, and the model
# recorded no violation and no unknown register under Linux's driver.
#
# Called by ctest as: test_uml_trace_diff.sh SOURCE_DIR BUILD_DIR. Exit 0
# all passed, 1 something failed, 77 UML cannot run here. Output per
# personality in BUILD_DIR/uml-trace/DEVICE/.
set -uo pipefail
src=${1:?usage: test_uml_trace_diff.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: test_uml_trace_diff.sh SOURCE_DIR BUILD_DIR}
. "$src/tests/sh/uml_host.sh"
uml_check_host
uml_find_kernel >/dev/null
for dev in 0x10fb 0x10f8 0x1528 0x1563; do
	out=$build/uml-trace/$dev
	rm -rf "$out"
	log=$(bash "$src/scripts/uml-trace-diff.sh" --build "$build" --device "$dev" --out "$out" \
		--verdicts "$src/tests/uml/trace/verdicts.txt" 2>&1)
	rc=$?
	case $rc in
	0) ok "verdicts_$dev" "every difference of the write sequences has a verdict ($out/summary.txt)" ;;
	3) bad "verdicts_$dev" "differences without a verdict: $(tr '\n' ';' <"$out/unexplained.txt")" ;;
	*) bad "verdicts_$dev" "uml-trace-diff.sh exit $rc: $(tail -n 3 <<<"$log" | tr '\n' ';')" ;;
	esac
	job=$(cat "$out/trace-job.txt" 2>/dev/null)
	ran=0
	if grep -q '^up carrier=1 speed=10000$' <<<"$job" && grep -q '^unbound: no driver$' <<<"$job"; then
		ok "linux_run_$dev" "$(tr '\n' ';' <<<"$job")"
		ran=1
	else
		bad "linux_run_$dev" "Linux's steps in UML: $(tr '\n' ';' <<<"$job") (console: $out/console.log)"
	fi
	# clean only means something if Linux's driver really ran on the port
	# (and no refused command: an access of Linux's that never reached the model)
	counts=$(sed -n -e 's/^  \(violations\|DMA faults\|unknown registers\): //p' \
		-e 's/^port .* commands, \([0-9]*\) refused,.*/\1/p' "$out/simd.log" 2>/dev/null)
	if ((ran == 0)); then
		bad "model_clean_$dev" "Linux's driver did not run its steps: nothing to judge"
	elif [[ $(wc -l <<<"$counts") == 4 ]] && ! grep -qvx 0 <<<"$counts"; then
		ok "model_clean_$dev" "no violation, DMA fault, unknown register or refused command under Linux's driver"
	else
		bad "model_clean_$dev" "$(grep -A2 -E '^  (violations|DMA faults|unknown registers)|^port |refused:' "$out/simd.log" 2>/dev/null | tr -s ' \n' ' ;')"
	fi
done
finish
