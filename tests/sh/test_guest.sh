#!/usr/bin/env bash
# The guest ring of the tests: boot the QEMU guest (scripts/qemu-guest.sh)
# and turn its IXY-CHECK lines into results, one `ok NAME` / `FAIL NAME`
# per check and a closing `N passed, M failed`.
#
# Two boots: the plain pc machine, and the q35 machine with QEMU's
# intel-iommu for the VFIO checks (--machine iommu). A check script runs in
# the boot its '# machine: NAME' line names (none: pc). The checks that must
# appear in a boot are the ones its scripts declare in their `# checks:`
# header lines (tests/guest/checks.d/*.sh): a check that is declared but
# not reported fails as missing, one reported but not declared fails as
# undeclared, and so does a guest that did not finish (guest_run,
# guest_run_iommu). On any failure the console logs are kept and their
# paths printed.
# IXY_GUEST_TIMEOUT (seconds, default 240) is the hard limit for QEMU;
# IXY_GUEST_MACHINES (default "pc iommu") picks the boots.
set -uo pipefail

src=${1:?usage: test_guest.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: test_guest.sh SOURCE_DIR BUILD_DIR}
mkdir -p "$build/qemu-guest"

passed=0
failed=0
ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+ ($2)}"; failed=$((failed + 1)); }

# The scripts of machine $1.
scripts_of() {
	local f m
	for f in "$src"/tests/guest/checks.d/*.sh; do
		m=$(sed -n 's/^# machine:[[:space:]]*//p' "$f" | head -n 1)
		[[ ${m:-pc} == "$1" ]] && echo "$f"
	done
}

all_declared=
for machine in ${IXY_GUEST_MACHINES:-pc iommu}; do
	run_name=guest_run
	[[ $machine == pc ]] || run_name=guest_run_$machine
	log=$build/qemu-guest/console${machine/#pc/}.log
	[[ $machine == pc ]] || log=$build/qemu-guest/console-$machine.log
	mapfile -t files < <(scripts_of "$machine")
	declared=
	((${#files[@]})) && declared=$(sed -n 's/^# checks:[[:space:]]*//p' "${files[@]}" | tr -s ' \t' '\n\n' | sed '/^$/d')
	if [[ -z $declared ]]; then
		fail "$run_name" "no '# checks:' lines for machine $machine in $src/tests/guest/checks.d"
		continue
	fi
	all_declared+=$declared$'\n'

	rm -f "$log"
	bash "$src/scripts/qemu-guest.sh" --build-dir "$build" --machine "$machine" --log "$log" \
		--timeout "${IXY_GUEST_TIMEOUT:-240}"
	rc=$?
	[[ -f $log ]] || : >"$log"

	lines=$(grep -a '^IXY-CHECK name=' "$log")
	result_of() { grep -E "^IXY-CHECK name=$1 " <<<"$lines"; }

	echo
	echo "==== guest test results, machine $machine (qemu-guest.sh exit $rc)"
	if grep -q '^IXY-GUEST-DONE' "$log"; then
		ok "$run_name"
	else
		case $rc in
		3) fail "$run_name" "prerequisite missing, see the message above" ;;
		4) fail "$run_name" "the guest did not finish: boot failure or timeout" ;;
		*) fail "$run_name" "no IXY-GUEST-DONE line, qemu-guest.sh exit $rc" ;;
		esac
	fi
	for name in $declared; do
		got=$(result_of "$name")
		if [[ -z $got ]]; then
			fail "$name" "missing: the guest never reported it"
		elif grep -q ' result=fail ' <<<"$got" || ! grep -q ' result=pass ' <<<"$got"; then
			fail "$name" "$(grep -v ' result=pass ' <<<"$got" | head -n1 | sed 's/^[^"]*detail=//')"
		elif (($(wc -l <<<"$got") != 1)); then
			fail "$name" "reported $(wc -l <<<"$got") times"
		else
			ok "$name"
		fi
	done
	while read -r name; do
		[[ -n $name ]] || continue
		grep -qx -- "$name" <<<"$declared" || fail "$name" "reported but not declared in a '# checks:' line of a $machine script"
	done < <(sed -n 's/^IXY-CHECK name=\([^ ]*\) .*/\1/p' <<<"$lines" | sort -u)

	time_line=$(grep -a '^IXY-HOST-TIME' "$log" | tail -n1)
	[[ -n $time_line ]] && echo "${time_line#IXY-HOST-TIME }"
	((failed > 0)) && echo "console log kept: $log"
done
for d in $(sed '/^$/d' <<<"$all_declared" | sort | uniq -d); do
	fail "$d" "declared twice in checks.d"
done
echo "$passed passed, $failed failed"
((failed == 0))
