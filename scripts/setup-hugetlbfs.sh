#!/usr/bin/env bash
# setup-hugetlbfs.sh - reserve hugepages and mount hugetlbfs for libixy's DMA
# memory (Documentation/admin-guide/mm/hugetlbpage.rst).
#
# Idempotent: an existing reservation that is already large enough is left
# alone (never lowered, not even rewritten), an existing hugetlbfs mount of the
# right page size is reused. The kernel may reserve fewer pages than asked when
# free memory is fragmented, so the result is read back and reported.
# The sysfs and procfs roots are parameters so the tests can use fake trees.
set -euo pipefail

PROG=${0##*/}
readonly E_FAIL=1 E_USAGE=2 E_REFUSED=3

PAGES=512
SIZE=2M
NODE=
MOUNT_DIR=
DO_MOUNT=1
SYSFS=/sys
PROC=/proc

usage() {
	cat <<EOF
Usage: $PROG [--pages N] [--size 2M|1G] [--node K] [--mount DIR | --no-mount]

Reserve N hugepages and mount hugetlbfs with the matching pagesize= option.
Running it again changes nothing: a larger reservation is never lowered and
an existing hugetlbfs mount of the same page size is reused. Must run as root.

Options:
  --pages N         pages to reserve (default 512, i.e. 1 GiB of 2M pages)
  --size 2M|1G      page size (default 2M)
  --node K          reserve on NUMA node K only (per-node sysfs file) instead
                    of letting the kernel spread the pages over all nodes
  --mount DIR       mount point (default /mnt/huge for 2M, /mnt/huge-1G for 1G)
  --no-mount        only reserve, do not mount
  --sysfs-root DIR  sysfs root (default /sys), for tests
  --proc-root DIR   procfs root (default /proc; DIR/mounts is read), for tests
  -h, --help        show this help

Exit status: 0 done (possibly with fewer pages than asked, see the warning),
1 failed (also when the kernel reserved no page at all), 2 usage error,
3 not root.
EOF
}

die() {
	local code=$1
	shift
	printf '%s: error: %s\n' "$PROG" "$*" >&2
	exit "$code"
}

warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
say() { printf '%s\n' "$*"; }

need_value() {
	[[ $# -ge 2 && -n $2 ]] || die $E_USAGE "$1 needs a value (see --help)"
}

parse_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--pages) need_value "$@"; PAGES=$2; shift ;;
		--pages=*) PAGES=${1#*=} ;;
		--size) need_value "$@"; SIZE=$2; shift ;;
		--size=*) SIZE=${1#*=} ;;
		--node) need_value "$@"; NODE=$2; shift ;;
		--node=*) NODE=${1#*=} ;;
		--mount) need_value "$@"; MOUNT_DIR=$2; shift ;;
		--mount=*) MOUNT_DIR=${1#*=} ;;
		--no-mount) DO_MOUNT=0 ;;
		--sysfs-root) need_value "$@"; SYSFS=$2; shift ;;
		--sysfs-root=*) SYSFS=${1#*=} ;;
		--proc-root) need_value "$@"; PROC=$2; shift ;;
		--proc-root=*) PROC=${1#*=} ;;
		*) die $E_USAGE "unknown argument '$1' (see --help)" ;;
		esac
		shift
	done
	if [[ ! $PAGES =~ ^[0-9]{1,9}$ ]] || ((10#$PAGES == 0)); then
		die $E_USAGE "--pages wants a positive number of pages, not '$PAGES'"
	fi
	PAGES=$((10#$PAGES))
	case ${SIZE^^} in
	2M | 2MB | 2048K | 2048KB) SIZE=2M; SIZE_KB=2048 ;;
	1G | 1GB | 1024M | 1048576K | 1048576KB) SIZE=1G; SIZE_KB=1048576 ;;
	*) die $E_USAGE "--size wants 2M or 1G, not '$SIZE'" ;;
	esac
	if [[ -n $NODE ]]; then
		[[ $NODE =~ ^[0-9]+$ ]] || die $E_USAGE "--node wants a NUMA node number, not '$NODE'"
		NODE=$((10#$NODE))
	fi
	if [[ -z $MOUNT_DIR ]]; then
		if [[ $SIZE == 1G ]]; then MOUNT_DIR=/mnt/huge-1G; else MOUNT_DIR=/mnt/huge; fi
	fi
	SYSFS=${SYSFS%/}
	PROC=${PROC%/}
}

read_count() {
	local v
	v=$(cat -- "$1" 2>/dev/null) || die $E_FAIL "cannot read $1"
	v=${v%%[[:space:]]*}
	[[ $v =~ ^[0-9]+$ ]] || die $E_FAIL "unexpected content '$v' in $1"
	printf '%s' "$v"
}

reserve() {
	local file where="" cur got err
	if [[ -n $NODE ]]; then
		local ndir=$SYSFS/devices/system/node/node$NODE
		[[ -d $ndir ]] || die $E_FAIL "NUMA node $NODE does not exist (no $ndir; see $SYSFS/devices/system/node/online)"
		file=$ndir/hugepages/hugepages-${SIZE_KB}kB/nr_hugepages
		where=" on node $NODE"
	else
		file=$SYSFS/kernel/mm/hugepages/hugepages-${SIZE_KB}kB/nr_hugepages
	fi
	[[ -e $file ]] || die $E_FAIL "$SIZE hugepages are not supported by this CPU or kernel (no ${file%/*})"
	cur=$(read_count "$file")
	if ((cur >= PAGES)); then
		say "$SIZE hugepages$where: $cur reserved, $PAGES asked, leaving it ($file)"
		return 0
	fi
	if ! err=$({ printf '%s' "$PAGES" >"$file"; } 2>&1); then
		die $E_FAIL "cannot write '$PAGES' to $file: ${err##*: }"
	fi
	got=$(read_count "$file")
	local boot="reserve them at boot instead with the kernel parameters 'hugepagesz=$SIZE hugepages=$PAGES'"
	if ((got == 0)); then
		die $E_FAIL "the kernel reserved 0 of $PAGES $SIZE hugepages$where: free memory is too fragmented (or too little is free) to find contiguous $SIZE blocks; $boot"
	fi
	if ((got < PAGES)); then
		warn "the kernel reserved only $got of $PAGES $SIZE hugepages$where: free memory is fragmented (or too little is free) to find more contiguous $SIZE blocks; $boot"
	fi
	say "$SIZE hugepages$where: reserved $got (asked $PAGES, was $cur) via $file"
}

# Page size of a hugetlbfs mount in kB, from its options; without pagesize=
# the mount uses the default size (Hugepagesize in meminfo).
mount_pagesize_kb() {
	local opt n u
	local -a opts
	IFS=, read -r -a opts <<<"$1"
	for opt in "${opts[@]}"; do
		[[ $opt =~ ^pagesize=([0-9]+)([kKmMgG]?) ]] || continue
		n=${BASH_REMATCH[1]}
		u=${BASH_REMATCH[2]^^}
		case $u in
		G) n=$((n * 1048576)) ;;
		M) n=$((n * 1024)) ;;
		K) ;;
		*) n=$((n / 1024)) ;;
		esac
		printf '%s' "$n"
		return 0
	done
	awk '$1 == "Hugepagesize:" { print $2; found = 1 } END { exit !found }' \
		"$PROC/meminfo" 2>/dev/null || printf '2048'
}

mount_hugetlbfs() {
	local dir esc mnt type opts found_type="" found_opts="" err kb
	dir=$(readlink -m -- "$MOUNT_DIR")
	# /proc/mounts escapes blanks and backslashes in octal (fs/proc_namespace.c).
	esc=${dir//\\/\\134}
	esc=${esc// /\\040}
	esc=${esc//$'\t'/\\011}
	esc=${esc//$'\n'/\\012}
	[[ -r $PROC/mounts ]] || die $E_FAIL "cannot read $PROC/mounts (is procfs mounted?)"
	# The last entry for a mount point is the one on top, the one that counts.
	while read -r _ mnt type opts _; do
		if [[ $mnt == "$esc" ]]; then
			found_type=$type
			found_opts=$opts
		fi
	done <"$PROC/mounts"
	if [[ -n $found_type ]]; then
		[[ $found_type == hugetlbfs ]] ||
			die $E_FAIL "$dir is already a $found_type mount, not hugetlbfs; choose another directory with --mount"
		kb=$(mount_pagesize_kb "$found_opts")
		if ((kb != SIZE_KB)); then
			die $E_FAIL "$dir is already a hugetlbfs mount with ${kb} kB pages, not $SIZE; unmount it (umount $dir) or choose another directory with --mount"
		fi
		say "hugetlbfs with pagesize=$SIZE is already mounted on $dir"
		return 0
	fi
	mkdir -p -- "$dir" 2>/dev/null || die $E_FAIL "cannot create mount point $dir"
	if ! err=$(mount -t hugetlbfs -o "pagesize=$SIZE" nodev "$dir" 2>&1); then
		err=${err//$'\n'/; }
		die $E_FAIL "mount -t hugetlbfs -o pagesize=$SIZE nodev $dir failed: $err"
	fi
	say "mounted hugetlbfs with pagesize=$SIZE on $dir"
}

main() {
	parse_args "$@"
	[[ $EUID -eq 0 ]] || die $E_REFUSED "must be root to reserve hugepages and mount hugetlbfs"
	reserve
	if ((DO_MOUNT)); then
		mount_hugetlbfs
	fi
}

main "$@"
