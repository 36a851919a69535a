# Shared harness of the script tests (tests/sh/test_*.sh that test a script
# in scripts/): source it after setting SCRIPT (the script under test) and
# TMP (a scratch directory). Each test_* function runs with fresh T (its own
# directory), R=$T/sys (fake sysfs), S=$T/state and P=$T/proc; it reports
# with fail/skip and the expect_* helpers; run_all runs them all and prints
# the closing "N passed, M failed" line.
# shellcheck shell=bash

PASSED=0
FAILED=0
SKIPPED=0
CUR_FAIL=0
CUR_SKIP=0
PROG_NAME=$(basename "$SCRIPT")

fail() {
	printf '    FAIL: %s\n' "$*"
	CUR_FAIL=1
}
skip() {
	printf '    SKIP: %s\n' "$*"
	CUR_SKIP=1
}
expect_eq() {
	[[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"
}
expect_contains() {
	[[ $2 == *"$3"* ]] || fail "$1: '$3' not found in: $2"
}
expect_not_contains() {
	[[ $2 != *"$3"* ]] || fail "$1: '$3' unexpectedly found in: $2"
}
expect_rc() {
	[[ $RC -eq $1 ]] || fail "exit code $RC, want $1 (stdout: $OUT) (stderr: $ERR)"
}
# File content byte for byte, trailing newlines included.
expect_file() {
	local c
	if [[ ! -f $1 ]]; then
		fail "$1 does not exist"
		return
	fi
	c=$(
		cat -- "$1"
		printf x
	)
	c=${c%x}
	[[ $c == "$2" ]] || fail "${1#"$TMP"/} holds '$c', want '$2'"
}
expect_absent() {
	[[ ! -e $1 ]] || fail "${1#"$TMP"/} exists but should not"
}
expect_one_line_error() {
	local n
	n=$(printf '%s\n' "$ERR" | wc -l)
	[[ -n $ERR && $n -eq 1 ]] || fail "want exactly one line on stderr, got $n: $ERR"
	[[ $ERR == "$PROG_NAME: error: "* ]] || fail "stderr does not start with '$PROG_NAME: error: ': $ERR"
}

# run ARGS...: the script with ARGS (bounded in time); sets OUT, ERR, RC.
run() {
	OUT=$(timeout 20 bash "$SCRIPT" "$@" 2>"$TMP/stderr")
	RC=$?
	ERR=$(<"$TMP/stderr")
}

# A snapshot line per entry: links with target, files with mtime and
# checksum, anything else with its type.
snap() {
	local f
	(
		cd "$1" || exit 1
		find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r f; do
			if [[ -L $f ]]; then
				printf '%s L %s\n' "$f" "$(readlink "$f")"
			elif [[ -f $f ]]; then
				printf '%s F %s %s\n' "$f" "$(stat -c %y "$f")" "$(md5sum <"$f")"
			else
				printf '%s %s\n' "$f" "$(stat -c %F "$f")"
			fi
		done
	)
}
# expect_changed BEFORE PATH...: exactly these paths (relative to $R) changed.
expect_changed() {
	local before=$1 after got want
	shift
	after=$(snap "$R")
	got=$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") |
		sed -n 's/^[<>] \.\/\([^ ]*\) .*/\1/p' | LC_ALL=C sort -u | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort -u | tr '\n' ' ')
	expect_eq "changed files" "$got" "$want"
}

run_test() {
	local name=$1
	CUR_FAIL=0
	CUR_SKIP=0
	T=$TMP/$name
	R=$T/sys
	S=$T/state
	P=$T/proc
	mkdir -p "$T"
	"$name"
	if ((CUR_FAIL)); then
		FAILED=$((FAILED + 1))
		printf 'FAIL %s\n' "$name"
	elif ((CUR_SKIP)); then
		SKIPPED=$((SKIPPED + 1))
		printf 'skip %s\n' "$name"
	else
		PASSED=$((PASSED + 1))
		printf 'ok   %s\n' "$name"
	fi
}

# Run every test_* function defined so far; the exit status is the verdict.
run_all() {
	local t
	for t in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
		run_test "$t"
	done
	((SKIPPED == 0)) || printf '(%d skipped, not counted)\n' "$SKIPPED"
	printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
	((FAILED == 0))
}
