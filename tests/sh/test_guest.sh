#!/usr/bin/env bash
# The guest ring of the tests: boot the QEMU guest (scripts/qemu-guest.sh)
# and turn its IXY-CHECK lines into results, one `ok NAME` / `FAIL NAME`
# per check and a closing `N passed, M failed`.
#
# The checks that must appear are the ones the check scripts declare in
# their `# checks:` header lines (tests/guest/checks.d/*.sh): a check that
# is declared but not reported fails as missing, one reported but not
# declared fails as undeclared, and so does a guest that did not finish.
# On any failure the console log is kept and its path printed.
# IXY_GUEST_TIMEOUT (seconds, default 240) is the hard limit for QEMU.
set -uo pipefail

src=${1:?usage: test_guest.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: test_guest.sh SOURCE_DIR BUILD_DIR}
log=$build/qemu-guest/console.log
mkdir -p "$build/qemu-guest"

declared=$(sed -n 's/^# checks:[[:space:]]*//p' "$src"/tests/guest/checks.d/*.sh | tr -s ' \t' '\n\n' | sed '/^$/d')
if [[ -z $declared ]]; then
	echo "FAIL guest: no '# checks:' lines in $src/tests/guest/checks.d"
	echo "0 passed, 1 failed"
	exit 1
fi
dups=$(sort <<<"$declared" | uniq -d)

rm -f "$log"
bash "$src/scripts/qemu-guest.sh" --build-dir "$build" --log "$log" --timeout "${IXY_GUEST_TIMEOUT:-240}"
rc=$?
[[ -f $log ]] || : >"$log"

passed=0
failed=0
ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+ ($2)}"; failed=$((failed + 1)); }

lines=$(grep -a '^IXY-CHECK name=' "$log")
result_of() { grep -E "^IXY-CHECK name=$1 " <<<"$lines"; }

echo
echo "==== guest test results (qemu-guest.sh exit $rc)"
if grep -q '^IXY-GUEST-DONE' "$log"; then
	ok guest_run
else
	case $rc in
	3) fail guest_run "prerequisite missing, see the message above" ;;
	4) fail guest_run "the guest did not finish: boot failure or timeout" ;;
	*) fail guest_run "no IXY-GUEST-DONE line, qemu-guest.sh exit $rc" ;;
	esac
fi
for d in $dups; do
	fail "$d" "declared twice in checks.d"
done
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
	grep -qx -- "$name" <<<"$declared" || fail "$name" "reported but not declared in a '# checks:' line"
done < <(sed -n 's/^IXY-CHECK name=\([^ ]*\) .*/\1/p' <<<"$lines" | sort -u)

time_line=$(grep -a '^IXY-HOST-TIME' "$log" | tail -n1)
[[ -n $time_line ]] && echo "${time_line#IXY-HOST-TIME }"
if ((failed > 0)); then
	echo "console log kept: $log"
fi
echo "$passed passed, $failed failed"
((failed == 0))
