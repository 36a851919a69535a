#!/usr/bin/env bash
# Tests for scripts/setup-hugetlbfs.sh on fake sysfs/procfs trees, plus one
# real hugetlbfs mount on a temporary directory and a read-only smoke run.
# Usage: bash tests/sh/test_setup_hugetlbfs.sh SOURCE_DIR [BUILD_DIR]
#
# A plain file does not behave like nr_hugepages (the kernel may reserve fewer
# pages than written), so the "kernel gave fewer" cases use a FIFO served by a
# background process playing the kernel: one read, one write, one read.
set -uo pipefail

SRC=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
SCRIPT=$SRC/scripts/setup-hugetlbfs.sh
TMP=$(mktemp -d /tmp/ixy-test-hugetlbfs.XXXXXX)
# shellcheck source=tests/sh/harness.sh
source "$SRC/tests/sh/harness.sh"
MOUNTED=()
cleanup() {
	local m
	for m in "${MOUNTED[@]}"; do
		umount "$m" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# hs ARGS...: run on this test's fake sysfs and procfs.
hs() { run --sysfs-root "$R" --proc-root "$P" "$@"; }

G2=kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
G1=kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
node_file() { printf 'devices/system/node/node%s/hugepages/hugepages-%skB/nr_hugepages' "$1" "$2"; }

# Two NUMA nodes, 2M and 1G pages, nothing reserved, nothing mounted.
mk_tree() {
	local n s f
	for s in 2048 1048576; do
		mkdir -p "$R/kernel/mm/hugepages/hugepages-${s}kB"
		printf '0\n' >"$R/kernel/mm/hugepages/hugepages-${s}kB/nr_hugepages"
		for n in 0 1; do
			f=$R/$(node_file "$n" "$s")
			mkdir -p "${f%/*}"
			printf '0\n' >"$f"
		done
	done
	mkdir -p "$P"
	printf 'proc /proc proc rw,relatime 0 0\nsysfs /sys sysfs rw,relatime 0 0\n' >"$P/mounts"
	printf 'MemTotal:       16000000 kB\nHugepagesize:       2048 kB\n' >"$P/meminfo"
}

# A mount(8) first in PATH that records its arguments.
fake_mount() {
	mkdir -p "$T/bin"
	printf '#!/usr/bin/env bash\nprintf "%%s\\n" "$*" >>"%s/mount.log"\n%s\n' "$T" "${1:-exit 0}" >"$T/bin/mount"
	chmod +x "$T/bin/mount"
}

# fifo_kernel FILE FIRST_READ RESULT: replace FILE by a FIFO; the background
# "kernel" answers one read with FIRST_READ, takes one write (its bytes go to
# $T/kernel.log) and answers the next read with RESULT. Builtins only, under
# timeout, so stop_kernel's one kill ends it wherever it blocks.
fifo_kernel() {
	rm -f "$1"
	mkfifo "$1"
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 30 bash -c '
		printf "%s\n" "$2" >"$1"
		IFS= read -r -d "" w <"$1"
		printf "%s" "$w" >"$4"
		printf "%s\n" "$3" >"$1"' _ "$1" "$2" "$3" "$T/kernel.log" &
	KPID=$!
}
stop_kernel() {
	kill "$KPID" 2>/dev/null
	wait "$KPID" 2>/dev/null
}

# ---------------------------------------------------------------- tests

test_help() {
	run --help
	expect_rc 0
	expect_contains "help" "$OUT" "Usage:"
	expect_contains "help" "$OUT" "--pages N"
	expect_contains "help" "$OUT" "/mnt/huge-1G"
	expect_eq "stderr" "$ERR" ""
}

test_shellcheck() {
	if ! command -v shellcheck >/dev/null; then
		skip "shellcheck not installed"
		return
	fi
	OUT=$(shellcheck "$SCRIPT" 2>&1)
	RC=$?
	ERR=
	expect_rc 0
}

test_usage_errors() {
	mk_tree
	local before
	before=$(snap "$R")
	hs --pages abc --no-mount
	expect_rc 2
	expect_one_line_error
	expect_contains "pages" "$ERR" "positive number of pages, not 'abc'"
	hs --pages 0 --no-mount
	expect_rc 2
	hs --pages -5 --no-mount
	expect_rc 2
	hs --size 4M --no-mount
	expect_rc 2
	expect_one_line_error
	expect_contains "size" "$ERR" "2M or 1G, not '4M'"
	hs --node one --no-mount
	expect_rc 2
	expect_contains "node" "$ERR" "NUMA node number, not 'one'"
	hs --bogus
	expect_rc 2
	expect_contains "unknown" "$ERR" "unknown argument '--bogus'"
	hs --pages
	expect_rc 2
	expect_contains "missing value" "$ERR" "--pages needs a value"
	expect_changed "$before"
}

test_reserve_default() {
	mk_tree
	local before
	before=$(snap "$R")
	hs --no-mount
	expect_rc 0
	expect_eq "stderr" "$ERR" ""
	expect_changed "$before" "$G2"
	expect_file "$R/$G2" 512
	expect_eq "output" "$OUT" "2M hugepages: reserved 512 (asked 512, was 0) via $R/$G2"
}

test_reserve_idempotent() {
	mk_tree
	hs --no-mount --pages 64
	expect_rc 0
	local before
	before=$(snap "$R")
	sleep 0.1 # so a rewrite would show in the mtime
	hs --no-mount --pages 64
	expect_rc 0
	expect_changed "$before"
	expect_eq "output" "$OUT" "2M hugepages: 64 reserved, 64 asked, leaving it ($R/$G2)"
	# A FIFO nobody reads after the first answer: a write would hang.
	fifo_kernel "$R/$G2" 64 64
	hs --no-mount --pages 64
	expect_rc 0
	[[ -s $T/kernel.log ]] && fail "second run wrote '$(<"$T/kernel.log")'"
	stop_kernel
}

test_never_lowers() {
	mk_tree
	printf '1000\n' >"$R/$G2"
	local before
	before=$(snap "$R")
	hs --no-mount --pages 512
	expect_rc 0
	expect_changed "$before"
	expect_file "$R/$G2" $'1000\n'
	expect_contains "output" "$OUT" "1000 reserved, 512 asked, leaving it"
}

test_raises_smaller_reservation() {
	mk_tree
	printf '100\n' >"$R/$G2"
	hs --no-mount --pages 0512
	expect_rc 0
	expect_file "$R/$G2" 512
	expect_contains "output" "$OUT" "reserved 512 (asked 512, was 100)"
}

test_reserve_1g() {
	mk_tree
	local before
	before=$(snap "$R")
	hs --no-mount --size 1G --pages 4
	expect_rc 0
	expect_changed "$before" "$G1"
	expect_file "$R/$G1" 4
	expect_contains "output" "$OUT" "1G hugepages: reserved 4 (asked 4, was 0)"
	hs --no-mount --size=1g --pages 4
	expect_rc 0
	expect_contains "output" "$OUT" "4 reserved, 4 asked, leaving it"
}

test_reserve_on_node() {
	mk_tree
	local before
	before=$(snap "$R")
	hs --no-mount --node 1 --pages 64
	expect_rc 0
	expect_changed "$before" "$(node_file 1 2048)"
	expect_file "$R/$(node_file 1 2048)" 64
	expect_contains "output" "$OUT" "2M hugepages on node 1: reserved 64 (asked 64, was 0)"
	hs --no-mount --node 5 --pages 64
	expect_rc 1
	expect_one_line_error
	expect_contains "node" "$ERR" "NUMA node 5 does not exist"
}

test_unsupported_size() {
	mk_tree
	rm -rf "$R/kernel/mm/hugepages/hugepages-1048576kB"
	hs --no-mount --size 1G
	expect_rc 1
	expect_one_line_error
	expect_contains "unsupported" "$ERR" "1G hugepages are not supported by this CPU or kernel"
	printf 'lots\n' >"$R/$G2"
	hs --no-mount
	expect_rc 1
	expect_contains "garbage" "$ERR" "unexpected content 'lots'"
}

test_kernel_reserves_fewer() {
	mk_tree
	fifo_kernel "$R/$G2" 1 3
	hs --no-mount --pages 512
	stop_kernel
	expect_rc 0
	expect_file "$T/kernel.log" 512
	expect_contains "warning" "$ERR" "warning: the kernel reserved only 3 of 512 2M hugepages"
	expect_contains "why" "$ERR" "fragmented"
	expect_contains "boot hint" "$ERR" "hugepagesz=2M hugepages=512"
	expect_eq "output" "$OUT" "2M hugepages: reserved 3 (asked 512, was 1) via $R/$G2"
}

test_kernel_reserves_none() {
	mk_tree
	fifo_kernel "$R/$G1" 0 0
	hs --no-mount --size 1G --pages 8 --mount "$T/mnt"
	stop_kernel
	expect_rc 1
	expect_one_line_error
	expect_file "$T/kernel.log" 8
	expect_contains "error" "$ERR" "the kernel reserved 0 of 8 1G hugepages"
	expect_contains "why" "$ERR" "fragmented"
	expect_contains "boot hint" "$ERR" "hugepagesz=1G hugepages=8"
	expect_absent "$T/mnt"
}

test_mount_calls_mount() {
	mk_tree
	fake_mount
	PATH=$T/bin:$PATH hs --pages 8 --mount "$T/mnt"
	expect_rc 0
	expect_file "$T/mount.log" "-t hugetlbfs -o pagesize=2M nodev $T/mnt"$'\n'
	[[ -d $T/mnt ]] || fail "mount point $T/mnt not created"
	expect_contains "output" "$OUT" "mounted hugetlbfs with pagesize=2M on $T/mnt"
	rm -f "$T/mount.log"
	PATH=$T/bin:$PATH hs --pages 8 --size 1G --mount "$T/mnt1g/"
	expect_rc 0
	expect_file "$T/mount.log" "-t hugetlbfs -o pagesize=1G nodev $T/mnt1g"$'\n'
}

test_mount_failure() {
	mk_tree
	# shellcheck disable=SC2016 # expanded by the fake mount: $6 is the directory
	fake_mount 'echo "mount: $6: permission denied." >&2; exit 32'
	PATH=$T/bin:$PATH hs --pages 8 --mount "$T/mnt"
	expect_rc 1
	expect_one_line_error
	expect_contains "error" "$ERR" "mount -t hugetlbfs -o pagesize=2M nodev $T/mnt failed: mount: $T/mnt: permission denied."
}

test_mount_already_there() {
	mk_tree
	fake_mount
	{
		printf 'nodev %s hugetlbfs rw,relatime,pagesize=2M 0 0\n' "$T/mnt"
		# How the kernel shows 1G pages (hugetlbfs_show_options).
		printf 'hugetlbfs /mnt/huge-1G hugetlbfs rw,relatime,pagesize=1024M 0 0\n'
		printf 'nodev %s hugetlbfs rw,relatime 0 0\n' "$T/my\\040huge"
	} >>"$P/mounts"
	PATH=$T/bin:$PATH hs --pages 8 --mount "$T/mnt"
	expect_rc 0
	expect_contains "output" "$OUT" "hugetlbfs with pagesize=2M is already mounted on $T/mnt"
	# Default 1G mount point, pagesize given as 1024M.
	PATH=$T/bin:$PATH hs --pages 8 --size 1G
	expect_rc 0
	expect_contains "output" "$OUT" "already mounted on /mnt/huge-1G"
	# A blank in the path (octal escape in mounts), no pagesize= option:
	# the default size from meminfo.
	PATH=$T/bin:$PATH hs --pages 8 --mount "$T/my huge"
	expect_rc 0
	expect_contains "output" "$OUT" "already mounted on $T/my huge"
	expect_absent "$T/mount.log"
}

test_mount_conflicts() {
	mk_tree
	fake_mount
	printf 'nodev %s hugetlbfs rw,relatime,pagesize=1G 0 0\n' "$T/mnt" >>"$P/mounts"
	printf 'tmpfs %s tmpfs rw 0 0\n' "$T/tmp" >>"$P/mounts"
	PATH=$T/bin:$PATH hs --pages 8 --mount "$T/mnt"
	expect_rc 1
	expect_one_line_error
	expect_contains "size" "$ERR" "$T/mnt is already a hugetlbfs mount with 1048576 kB pages, not 2M"
	PATH=$T/bin:$PATH hs --pages 8 --mount "$T/tmp"
	expect_rc 1
	expect_contains "type" "$ERR" "$T/tmp is already a tmpfs mount, not hugetlbfs"
	# Mounted over: the last entry is the visible one.
	printf 'nodev %s hugetlbfs rw,pagesize=2M 0 0\n' "$T/tmp" >>"$P/mounts"
	PATH=$T/bin:$PATH hs --pages 8 --mount "$T/tmp"
	expect_rc 0
	expect_absent "$T/mount.log"
}

# A real mount on a temporary directory (fake sysfs for the reservation).
test_real_mount() {
	if [[ $EUID -ne 0 ]]; then
		skip "not root"
		return
	fi
	if ! grep -qw hugetlbfs /proc/filesystems; then
		skip "kernel without hugetlbfs"
		return
	fi
	mk_tree
	local m=$T/realmnt n
	MOUNTED+=("$m")
	run --sysfs-root "$R" --proc-root /proc --pages 1 --mount "$m"
	if [[ $RC -ne 0 && $ERR == *"failed:"* ]]; then
		skip "mounting is not permitted here: $ERR"
		return
	fi
	expect_rc 0
	expect_contains "output" "$OUT" "mounted hugetlbfs with pagesize=2M on $m"
	n=$(awk -v m="$m" '$2 == m && $3 == "hugetlbfs" && $4 ~ /pagesize=2M/' /proc/mounts | wc -l)
	expect_eq "hugetlbfs mounts on $m" "$n" 1
	run --sysfs-root "$R" --proc-root /proc --pages 1 --mount "$m"
	expect_rc 0
	expect_contains "second run" "$OUT" "already mounted on $m"
	n=$(awk -v m="$m" '$2 == m' /proc/mounts | wc -l)
	expect_eq "mounts on $m after two runs" "$n" 1
}

test_refuses_non_root() {
	local as_user=()
	if [[ $EUID -eq 0 ]]; then
		if command -v setpriv >/dev/null; then
			as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
		elif command -v runuser >/dev/null; then
			as_user=(runuser -u nobody --)
		else
			skip "root, and neither setpriv nor runuser to drop privileges"
			return
		fi
	fi
	chmod 755 "$TMP" "$T"
	mk_tree
	cp "$SCRIPT" "$T/setup-hugetlbfs.sh"
	chmod -R a+rX "$T"
	local before
	before=$(snap "$R")
	OUT=$("${as_user[@]}" bash "$T/setup-hugetlbfs.sh" --sysfs-root "$R" --proc-root "$P" --no-mount 2>"$TMP/stderr")
	RC=$?
	ERR=$(<"$TMP/stderr")
	expect_rc 3
	expect_one_line_error
	expect_contains "root" "$ERR" "must be root"
	expect_changed "$before"
}

# Read-only smoke run on the real /sys: ask for no more than is reserved.
test_real_sysfs_already_reserved() {
	local f=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages cur
	if [[ $EUID -ne 0 ]]; then
		skip "not root"
		return
	fi
	if [[ ! -r $f ]] || (($(<"$f") < 1)); then
		skip "no 2M hugepages reserved on this machine; not changing that in a test"
		return
	fi
	cur=$(<"$f")
	run --no-mount --pages 1
	expect_rc 0
	expect_eq "output" "$OUT" "2M hugepages: $cur reserved, 1 asked, leaving it ($f)"
	expect_eq "reservation" "$(<"$f")" "$cur"
}

run_all
