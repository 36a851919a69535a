#!/usr/bin/env bash
# Build the libFuzzer harnesses (fuzz/fuzz_*.c) with clang, ASan and UBSan in
# their own build directory, then run each for a bounded time on a copy of its
# seed corpus (fuzz/corpus/TARGET; dictionary fuzz/TARGET.dict if there is
# one). Before fuzzing, every committed reproducer in fuzz/crashes/TARGET is
# run once: one that still crashes fails the target. A crash, leak, UBSan
# report, hang or out-of-memory fails the target. Prints one line per target
# and "N passed, N failed"; exits non-zero if any failed.
#
#   scripts/fuzz.sh                  every target, IXY_FUZZ_SECONDS (20) each
#   scripts/fuzz.sh fuzz_pcap ...    only these targets
#   IXY_FUZZ_SECONDS=600 scripts/fuzz.sh fuzz_shm_wire    one target, longer
#
# Build directory: $IXY_BUILD_DIR/fuzz (default build/fuzz); the logs, the
# grown corpora and any crash-* reproducer go to its out/TARGET/. The sim
# targets need root and a 2 MiB hugetlbfs, like the unit tests.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${IXY_BUILD_DIR:-$root/build}/fuzz
seconds=${IXY_FUZZ_SECONDS:-20}
case $seconds in
'' | *[!0-9]* | 0) echo "fuzz.sh: IXY_FUZZ_SECONDS must be a whole number of seconds >= 1, not '$seconds'" >&2; exit 2 ;;
esac
case ${1:-} in
-h | --help) sed -n '2,16p' "$0"; exit 0 ;;
esac

if ! command -v clang >/dev/null; then
	echo "fuzz.sh: clang not found: libFuzzer comes with it (scripts/install-deps.sh test installs it)" >&2
	exit 1
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$root"/fuzz/fuzz_*.c; do
		targets+=("$(basename "$f" .c)")
	done
fi
for t in "${targets[@]}"; do
	if [ ! -f "$root/fuzz/$t.c" ]; then
		echo "fuzz.sh: no target $t (there is no fuzz/$t.c)" >&2
		exit 2
	fi
done

# A build directory of its own, configured whatever it held before: the
# sanitizer and coverage flags apply to every object of the library.
mkdir -p "$build"
if ! { CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIXY_FUZZ=ON -DIXY_BUILD_TESTS=OFF \
	-DIXY_WERROR=ON && cmake --build "$build" -j"$(nproc)" --target fuzz_all; } >"$build/build.log" 2>&1; then
	tail -n 30 "$build/build.log" >&2
	echo "fuzz.sh: building the harnesses failed (whole log: $build/build.log)" >&2
	exit 1
fi

# Leaks fail a run; UBSan stops at its first report (the build uses
# -fno-sanitize-recover) and prints where.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0
failed=0
for t in "${targets[@]}"; do
	out=$build/out/$t
	rm -rf "$out"
	mkdir -p "$out/corpus" "$out/tmp"
	if [ -d "$root/fuzz/corpus/$t" ]; then
		cp "$root/fuzz/corpus/$t"/* "$out/corpus/" 2>/dev/null || true
	fi
	bin=$build/fuzz/$t
	result=ok
	detail=

	# 1. committed reproducers: each must run clean now
	if [ -d "$root/fuzz/crashes/$t" ] && [ -n "$(ls -A "$root/fuzz/crashes/$t")" ]; then
		for r in "$root/fuzz/crashes/$t"/*; do
			if ! TMPDIR=$out/tmp "$bin" -runs=1 "$r" >>"$out/reproducers.log" 2>&1; then
				result=FAILED
				detail="${detail} reproducer fuzz/crashes/$t/$(basename "$r") still crashes;"
			fi
		done
	fi

	# 2. fuzz for the time given; libFuzzer stops at the first finding
	dict=()
	[ -f "$root/fuzz/$t.dict" ] && dict=(-dict="$root/fuzz/$t.dict")
	rc=0
	TMPDIR=$out/tmp "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		"${dict[@]}" -artifact_prefix="$out/" "$out/corpus" >"$out/fuzz.log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -1)
	cov=$({ grep -o 'cov: [0-9]*' "$out/fuzz.log" || true; } | tail -1 | sed 's/cov: //')
	if [ $rc != 0 ]; then
		result=FAILED
		what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-zA-Z-]+|runtime error: .*|==fuzz== invariant broken: .*' \
			"$out/fuzz.log" || true)
		artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$out/fuzz.log" | tail -1)
		# a finding while the seeds themselves run: name the seed
		[ -n "$artifact" ] || artifact=$(sed -n 's/^Running: \(.*\)$/\1/p' "$out/fuzz.log" | tail -1)
		detail="${detail} ${what:-exit status $rc} (log $out/fuzz.log${artifact:+, input $artifact});"
	fi
	printf '%-20s %-6s executions %-10s coverage %-6s%s\n' "$t" "$result" "${execs:-?}" "${cov:-?}" \
		"${detail:+ $detail}"
	if [ $result = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

echo "$passed passed, $failed failed"
[ $failed = 0 ]
