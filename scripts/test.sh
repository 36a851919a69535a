#!/usr/bin/env bash
# libixy's test command. On a fresh Debian machine, as root, it does all the
# set-up itself: installs the Debian packages it needs, reserves and mounts
# hugepages, builds the User-Mode Linux kernel of the UML ring (once, cached),
# configures and builds (Release, warnings as errors), runs every
# test with ctest, then builds with AddressSanitizer + UBSan and runs the unit
# tests again, then each libFuzzer harness for a while (scripts/fuzz.sh;
# IXY_FUZZ_SECONDS each). Exits non-zero on any failure.
#
#   scripts/test.sh            everything
#   scripts/test.sh --no-asan  skip the sanitizer build and the fuzzing
#   scripts/test.sh -R REGEX   only tests whose name matches (passed to ctest)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${IXY_BUILD_DIR:-$root/build}
asan=1
ctest_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--no-asan) asan=0 ;;
	-R) [ $# -ge 2 ] && [ -n "$2" ] || { echo "test.sh: -R needs a regular expression (see --help)" >&2; exit 2; }
		ctest_args+=(-R "$2"); shift ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) echo "test.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

step() { printf '\n==== %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
	echo "test.sh: must run as root (installs packages, reserves hugepages, reads physical addresses)" >&2
	exit 1
fi

# The tests must leave the checkout as they found it: a test that removes or
# rewrites a tracked file (a clean-up that took the source's own tests/uml
# for a copy, say) fails the run here instead of the next test, far away.
tree_state() {
	git -C "$root" rev-parse --git-dir >/dev/null 2>&1 || return 0
	git -C "$root" status --porcelain --untracked-files=no
	git -C "$root" diff HEAD | sha256sum
}
tree_checked=1
git -C "$root" rev-parse --git-dir >/dev/null 2>&1 || tree_checked=0
tree_before=$(tree_state)

# ---- packages ----
step "packages"
bash "$root/scripts/install-deps.sh" test

# ---- hugepages: 1 GiB of 2 MiB pages, mounted on /mnt/huge ----
step "hugepages"
bash "$root/scripts/setup-hugetlbfs.sh" --pages "${IXY_HUGEPAGES:-512}" --size 2M
# One 1 GiB page when the machine can spare one (tests then cover 1G pages;
# otherwise they check the error path).
bash "$root/scripts/setup-hugetlbfs.sh" --pages 1 --size 1G ||
	echo "test.sh: no 1 GiB hugepage available; 1G tests check the error path only"

# ---- the UML kernel of the UML ring (docs/uml.md) ----
# Built once (about 6 minutes on 2 cores) and cached outside the build tree;
# later runs find it at once. Its own step so a build failure shows here.
step "UML kernel"
status=0
if ! kernel=$(bash "$root/scripts/uml-kernel.sh"); then
	echo "test.sh: the UML kernel did not build; the UML ring (sh_test_uml) will fail" >&2
	status=1
fi
echo "UML kernel: ${kernel:-none}"

# run_ctest DIR ARGS...: ctest in DIR; fails when a test fails and also when
# no test ran at all (a tree configured without tests, a -R that matches
# nothing): "No tests were found" must never read as a pass.
run_ctest() {
	local dir=$1 log ran
	shift
	log=$(mktemp)
	(cd "$dir" && ctest --output-on-failure --no-tests=error "$@") 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	ran=$(sed -n 's/.*tests* failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
	rm -f "$log"
	if [ "${ran:-0}" -eq 0 ]; then
		echo "test.sh: no tests ran in $dir" >&2
		return 1
	fi
	return "$rc"
}

# Every option the run depends on is given explicitly, so a tree configured
# differently before (scripts/demo.sh, a hand-made build) cannot turn the
# tests off or change what is tested.
# ---- Release build, all tests ----
step "Release build ($build/release)"
cmake -S "$root" -B "$build/release" -DCMAKE_BUILD_TYPE=Release -DIXY_WERROR=ON -DIXY_BUILD_TESTS=ON \
	-DIXY_SANITIZE=OFF >/dev/null
cmake --build "$build/release" -j"$(nproc)"
step "tests (Release)"
run_ctest "$build/release" "${ctest_args[@]}" || status=1

# ---- ASan + UBSan build, unit tests ----
if [ $asan = 1 ]; then
	step "AddressSanitizer + UndefinedBehaviorSanitizer build ($build/asan)"
	cmake -S "$root" -B "$build/asan" -DCMAKE_BUILD_TYPE=Debug -DIXY_SANITIZE=ON -DIXY_WERROR=ON \
		-DIXY_BUILD_TESTS=ON >/dev/null
	cmake --build "$build/asan" -j"$(nproc)"
	step "unit tests (ASan + UBSan)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		run_ctest "$build/asan" -L unit "${ctest_args[@]}" || status=1
fi

# ---- libFuzzer harnesses (clang, ASan + UBSan), a bounded time each ----
if [ $asan = 1 ]; then
	step "fuzzing (fuzz/, ${IXY_FUZZ_SECONDS:-20} s per target)"
	IXY_BUILD_DIR=$build bash "$root/scripts/fuzz.sh" || status=1
fi

step "source tree"
if [ $tree_checked = 0 ]; then
	echo "not checked: $root is not a git checkout git will read here (no git, or not a repository, or owned by another user: git config --global --add safe.directory $root)"
elif [ "$(tree_state)" != "$tree_before" ]; then
	echo "test.sh: the tests changed tracked files of $root:" >&2
	git -C "$root" status --short --untracked-files=no >&2
	status=1
else
	echo "unchanged"
fi

step "result"
if [ $status = 0 ]; then echo "test.sh: all tests passed"; else echo "test.sh: FAILED" >&2; fi
exit $status
