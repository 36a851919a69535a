#!/usr/bin/env bash
# bind-uio.sh - hand a PCI network device from its kernel driver to
# uio_pci_generic, vfio-pci or no driver at all (what ixy needs), and back.
#
# Everything goes through sysfs (Documentation/ABI/testing/sysfs-bus-pci):
#   driver_override     makes the kernel match the device to exactly one driver,
#                       which is how uio_pci_generic/vfio-pci (no ID tables) bind;
#   driver/unbind       detaches the current driver;
#   drivers/NAME/bind   attaches NAME (honours driver_override);
#   drivers_probe       lets the kernel pick a driver again.
# The sysfs root is a parameter so the tests can run on a fake tree of plain
# files; on a real sysfs every change is checked by reading the driver link
# back, because the kernel may refuse a bind without failing the write.
set -euo pipefail

PROG=${0##*/}
readonly E_FAIL=1 E_USAGE=2 E_REFUSED=3

SYSFS=/sys
STATE_DIR=/run/ixy/bind-uio
ACTION=
TARGET=
DRY_RUN=0
FORCE=0
MODPROBE=1
VERIFY=auto
VFIO_USER=
VFIO_DEV=${IXY_VFIO_DEV:-/dev/vfio}
ADDRS=()

usage() {
	cat <<EOF
Usage: $PROG --status [ADDR...]
       $PROG ADDR... --bind uio_pci_generic|vfio-pci [options]
       $PROG ADDR... --unbind [options]
       $PROG ADDR... --restore [options]

Move PCI network devices (class 0x02) between drivers through sysfs.
ADDR is DDDD:BB:DD.F or BB:DD.F (domain 0000 assumed), any case.

Actions:
  --status          list network devices: address, vendor:device, driver,
                    interfaces with up/down, remembered original driver
  --bind NAME       bind to uio_pci_generic or vfio-pci (sets driver_override,
                    unbinds the current driver, writes ADDR to drivers/NAME/bind)
  --unbind          detach the current driver, leaving no driver (what ixy needs)
  --restore         clear driver_override and bind the driver the device had
                    before this script first changed it (or let the kernel
                    probe one if nothing is remembered)

Options:
  --force           also act on devices with an interface that is up
  --dry-run         print every sysfs write that would be made, change nothing
  --no-modprobe     do not load the driver module, fail if it is not loaded
  --verify          check the driver link after every change (default: only
                    when --sysfs-root is a real sysfs mount)
  --no-verify       never check the driver link
  --sysfs-root DIR  sysfs mount point (default /sys)
  --state-dir DIR   where original drivers are remembered, one file per
                    device (default /run/ixy/bind-uio)
  --user NAME       with --bind vfio-pci: give NAME the device's VFIO group
                    node (chown NAME $VFIO_DEV/N), so NAME can run libixy
                    without root (it also needs RLIMIT_MEMLOCK, see README)
  -h, --help        show this help

Exit status: 0 done (or nothing to do), 1 a step failed, 2 usage error or
malformed address, 3 refused (no such device, not a network device,
interface up, no IOMMU group, not root).
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
# The last line about a device: in a dry run it says that nothing happened.
summary() {
	if ((DRY_RUN)); then
		say "dry run, nothing changed: $*"
	else
		say "$*"
	fi
}

# One line out of a possibly multi-line tool message.
one_line() {
	local s=${1//$'\n'/; }
	printf '%s' "${s%; }"
}

need_value() {
	[[ $# -ge 2 && -n $2 ]] || die $E_USAGE "$1 needs a value (see --help)"
}

set_action() {
	[[ -z $ACTION || $ACTION == "$1" ]] ||
		die $E_USAGE "give only one of --status, --bind, --unbind, --restore"
	ACTION=$1
}

parse_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--status) set_action status ;;
		--unbind) set_action unbind ;;
		--restore) set_action restore ;;
		--bind) need_value "$@"; set_action bind; TARGET=$2; shift ;;
		--bind=*) set_action bind; TARGET=${1#*=} ;;
		--force) FORCE=1 ;;
		--dry-run) DRY_RUN=1 ;;
		--no-modprobe) MODPROBE=0 ;;
		--verify) VERIFY=yes ;;
		--no-verify) VERIFY=no ;;
		--sysfs-root) need_value "$@"; SYSFS=$2; shift ;;
		--sysfs-root=*) SYSFS=${1#*=} ;;
		--state-dir) need_value "$@"; STATE_DIR=$2; shift ;;
		--state-dir=*) STATE_DIR=${1#*=} ;;
		--user) need_value "$@"; VFIO_USER=$2; shift ;;
		--user=*) VFIO_USER=${1#*=} ;;
		--) shift; ADDRS+=("$@"); break ;;
		-*) die $E_USAGE "unknown option '$1' (see --help)" ;;
		*) ADDRS+=("$1") ;;
		esac
		shift
	done
	[[ -n $ACTION ]] || die $E_USAGE "no action: give --status, --bind NAME, --unbind or --restore (see --help)"
	if [[ $ACTION == bind ]]; then
		case $TARGET in
		uio_pci_generic | vfio-pci) ;;
		*) die $E_USAGE "--bind supports uio_pci_generic or vfio-pci, not '$TARGET'" ;;
		esac
	fi
	if [[ -n $VFIO_USER && ( $ACTION != bind || $TARGET != vfio-pci ) ]]; then
		die $E_USAGE "--user goes with --bind vfio-pci (it owns the VFIO group node)"
	fi
	if [[ $ACTION != status && ${#ADDRS[@]} -eq 0 ]]; then
		die $E_USAGE "--$ACTION needs a PCI address, e.g. 0000:01:00.0 (see --status)"
	fi
	SYSFS=${SYSFS%/}
	[[ -n $SYSFS ]] || SYSFS=/
}

# Accept DDDD:BB:DD.F and BB:DD.F; device is 5 bits (00-1f), function 3 bits.
normalise_addr() {
	local a=${1,,}
	if [[ $a =~ ^[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$ ]]; then
		a=0000:$a
	elif [[ ! $a =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$ ]]; then
		return 1
	fi
	printf '%s' "$a"
}

dev_path() { printf '%s/bus/pci/devices/%s' "$SYSFS" "$1"; }
state_file() { printf '%s/%s' "$STATE_DIR" "$1"; }

read_attr() {
	local v
	v=$(cat -- "$1" 2>/dev/null) || return 1
	printf '%s' "${v%%[[:space:]]*}"
}

# Name of the bound driver, "none" when there is no driver link.
dev_driver() {
	local l
	if ! l=$(readlink -- "$1/driver" 2>/dev/null); then
		printf 'none'
		return 0
	fi
	printf '%s' "${l##*/}"
}

# "IF STATE" lines. A NIC's netdev sits in net/ (ixgbe, e1000e) or one level
# deeper under a bus child device (virtio-pci puts it in virtioN/net/).
dev_ifaces() {
	local n flags
	for n in "$1"/net/* "$1"/*/net/*; do
		[[ -e $n/flags ]] || continue
		flags=$(read_attr "$n/flags") || flags=
		if [[ $flags =~ ^0x[0-9a-fA-F]+$ ]] && ((flags & 0x1)); then
			printf '%s up\n' "${n##*/}" # IFF_UP, include/uapi/linux/if.h
		elif [[ $flags =~ ^0x[0-9a-fA-F]+$ ]]; then
			printf '%s down\n' "${n##*/}"
		else
			printf '%s unknown\n' "${n##*/}"
		fi
	done
}

remembered_driver() {
	local f
	f=$(state_file "$1")
	[[ -f $f ]] || return 1
	local d
	d=$(read_attr "$f") || return 1
	[[ $d =~ ^[A-Za-z0-9_.-]+$ ]] || return 1
	printf '%s' "$d"
}

# Real sysfs (not a test tree): the kernel acts on our writes, so check them.
should_verify() {
	((DRY_RUN)) && return 1
	case $VERIFY in
	yes) return 0 ;;
	no) return 1 ;;
	esac
	[[ $(stat -f -c %T -- "$SYSFS" 2>/dev/null) == sysfs ]]
}

# sysfs_write VALUE FILE [HINT]: one write, reported; dry-run only prints it.
# The value "" is sent as a lone newline: a zero-length write never reaches
# the kernel's store function, and "\n" is how driver_override is cleared.
sysfs_write() {
	local val=$1 file=$2 hint=${3:-} err
	if ((DRY_RUN)); then
		say "would write '$val' to $file"
		return 0
	fi
	[[ -e $file ]] || die $E_FAIL "cannot write '$val' to $file: no such file (wrong --sysfs-root, or a kernel without this attribute?)"
	[[ -n $val ]] || val=$'\n'
	if ! err=$({ printf '%s' "$val" >"$file"; } 2>&1); then
		[[ $val == $'\n' ]] && val=
		die $E_FAIL "cannot write '$val' to $file: ${err##*: }${hint:+ ($hint)}"
	fi
	[[ $val == $'\n' ]] && val=
	say "wrote '$val' to $file"
}

# Make sure drivers/NAME exists, loading the module if allowed.
ensure_driver_loaded() {
	local name=$1 err
	[[ -d $SYSFS/bus/pci/drivers/$name ]] && return 0
	((MODPROBE)) || die $E_FAIL "driver $name is not loaded (no $SYSFS/bus/pci/drivers/$name) and --no-modprobe was given; load it with: modprobe $name"
	if ((DRY_RUN)); then
		say "would run: modprobe $name"
		return 0
	fi
	command -v modprobe >/dev/null 2>&1 || die $E_FAIL "driver $name is not loaded and modprobe is not installed; load the module yourself and pass --no-modprobe"
	if ! err=$(modprobe "$name" 2>&1); then
		die $E_FAIL "modprobe $name failed: $(one_line "$err") (is the module built for this kernel?)"
	fi
	say "ran: modprobe $name"
	[[ -d $SYSFS/bus/pci/drivers/$name ]] || die $E_FAIL "modprobe $name succeeded but $SYSFS/bus/pci/drivers/$name does not exist (wrong --sysfs-root?)"
}

# Remember the driver the device has before the first change we make to it.
remember_driver() {
	local addr=$1 drv=$2 f
	f=$(state_file "$addr")
	[[ -e $f ]] && return 0
	if ((DRY_RUN)); then
		say "would remember original driver '$drv' in $f"
		return 0
	fi
	mkdir -p -- "$STATE_DIR" 2>/dev/null || die $E_FAIL "cannot create state directory $STATE_DIR (use --state-dir)"
	printf '%s\n' "$drv" >"$f" 2>/dev/null || die $E_FAIL "cannot write $f (use --state-dir)"
	say "remembered original driver '$drv' in $f"
}

forget_driver() {
	local f
	f=$(state_file "$1")
	[[ -e $f ]] || return 0
	if ((DRY_RUN)); then
		say "would remove $f"
		return 0
	fi
	rm -f -- "$f" || die $E_FAIL "cannot remove $f"
}

# verify ADDR EXPECTED: EXPECTED is a driver name, "none", or "any".
verify_driver() {
	local addr=$1 want=$2 got
	should_verify || return 0
	got=$(dev_driver "$(dev_path "$addr")")
	case $want in
	any) [[ $got != none ]] && return 0 ;;
	*) [[ $got == "$want" ]] && return 0 ;;
	esac
	[[ $want == any ]] && want="a driver"
	die $E_FAIL "$addr: after the writes the device has driver '$got', expected $want (see dmesg; --restore goes back)"
}

clear_override() {
	local dev=$1 cur
	cur=$(read_attr "$dev/driver_override") || cur=
	# An unset override reads back as "(null)" (drivers/pci/pci-sysfs.c).
	[[ -z $cur || $cur == "(null)" ]] && return 0
	sysfs_write "" "$dev/driver_override"
}

# Refuse anything we must not touch, before any device is changed.
check_device() {
	local addr=$1 dev class iface st
	dev=$(dev_path "$addr")
	[[ -d $dev ]] || die $E_REFUSED "$addr: no such PCI device (no $dev; see --status)"
	class=$(read_attr "$dev/class") || die $E_REFUSED "$addr: cannot read $dev/class"
	[[ $class == 0x02* ]] || die $E_REFUSED "$addr: class $class is not a network controller (0x02xxxx); refusing to touch it"
	[[ $ACTION == status ]] && return 0
	while read -r iface st; do
		[[ $st == up ]] || continue
		if ((FORCE)); then
			warn "$addr: interface $iface is up, going ahead because of --force"
			continue
		fi
		die $E_REFUSED "$addr: interface $iface is up (in use?); take it down (ip link set $iface down) or pass --force"
	done < <(dev_ifaces "$dev")
	if [[ $ACTION == bind && $TARGET == vfio-pci && ! -e $dev/iommu_group ]]; then
		die $E_REFUSED "$addr: no IOMMU group ($dev/iommu_group missing); vfio-pci needs the IOMMU (boot with intel_iommu=on or amd_iommu=on) or use uio_pci_generic"
	fi
}

do_bind() {
	local addr=$1 dev cur
	dev=$(dev_path "$addr")
	cur=$(dev_driver "$dev")
	if [[ $cur == "$TARGET" ]]; then
		say "$addr: already bound to $TARGET, nothing to do"
		[[ $TARGET == vfio-pci ]] && vfio_notes "$addr"
		return 0
	fi
	# Load first: the module must not see the device before the override.
	ensure_driver_loaded "$TARGET"
	remember_driver "$addr" "$cur"
	sysfs_write "$TARGET" "$dev/driver_override"
	if [[ $cur != none ]]; then
		sysfs_write "$addr" "$dev/driver/unbind"
	fi
	local hint="the device is now without a driver; --restore goes back"
	[[ $TARGET == uio_pci_generic ]] && hint="uio_pci_generic needs a legacy INTx interrupt, virtual functions do not have one: use vfio-pci; $hint"
	sysfs_write "$addr" "$SYSFS/bus/pci/drivers/$TARGET/bind" "$hint"
	verify_driver "$addr" "$TARGET"
	summary "$addr: bound to $TARGET (was $cur)"
	[[ $TARGET == vfio-pci ]] && vfio_notes "$addr"
	return 0
}

# After a bind to vfio-pci: the group node, the other members of the group
# (VFIO opens a group only when all its devices are with vfio-pci or no
# driver), and --user. libixy gives the same advice when it cannot open.
vfio_notes() {
	local addr=$1 dev grp m d node
	dev=$(dev_path "$addr")
	grp=$(readlink "$dev/iommu_group" 2>/dev/null) || return 0
	grp=${grp##*/}
	node=$VFIO_DEV/$grp
	say "$addr: IOMMU group $grp, VFIO node $node"
	# vfio-pci does not pull in the type-1 IOMMU backend by itself (a
	# soft dependency that busybox's modprobe, for one, ignores).
	if [[ ! -d $SYSFS/module/vfio_iommu_type1 ]]; then
		if ((MODPROBE && !DRY_RUN)) && command -v modprobe >/dev/null 2>&1 && modprobe vfio_iommu_type1 2>/dev/null; then
			say "ran: modprobe vfio_iommu_type1"
		elif ((DRY_RUN && MODPROBE)); then
			say "would run: modprobe vfio_iommu_type1"
		else
			warn "vfio_iommu_type1 is not loaded: libixy needs it (modprobe vfio_iommu_type1)"
		fi
	fi
	for m in "$dev"/iommu_group/devices/*; do
		[[ -e $m ]] || continue
		[[ ${m##*/} == "$addr" ]] && continue
		d=$(dev_driver "$m")
		case $d in
		none | vfio-pci) ;;
		*) warn "$addr: group $grp also holds ${m##*/} (driver $d): VFIO refuses the group until it is bound to vfio-pci or unbound" ;;
		esac
	done
	if [[ -n $VFIO_USER ]]; then
		if ((DRY_RUN)); then
			say "would run: chown $VFIO_USER $node"
		elif [[ -e $node ]] || ((!MODPROBE)) || wait_node "$node"; then
			chown "$VFIO_USER" "$node" || die $E_FAIL "cannot chown $VFIO_USER $node"
			say "$addr: $node now belongs to $VFIO_USER; that user also needs RLIMIT_MEMLOCK for its DMA memory (ulimit -l) and a writable hugetlbfs mount"
		else
			die $E_FAIL "$node did not appear after the bind (is the vfio-pci module loaded?)"
		fi
	fi
}

# devtmpfs creates the group node a moment after the bind.
wait_node() {
	local i
	for i in $(seq 1 50); do
		[[ -e $1 ]] && return 0
		sleep 0.1
	done
	return 1
}

do_unbind() {
	local addr=$1 dev cur
	dev=$(dev_path "$addr")
	cur=$(dev_driver "$dev")
	if [[ $cur == none ]]; then
		say "$addr: has no driver, nothing to do"
		return 0
	fi
	remember_driver "$addr" "$cur"
	sysfs_write "$addr" "$dev/driver/unbind"
	verify_driver "$addr" none
	summary "$addr: unbound from $cur, no driver now"
}

do_restore() {
	local addr=$1 dev cur orig
	dev=$(dev_path "$addr")
	cur=$(dev_driver "$dev")
	if ! orig=$(remembered_driver "$addr"); then
		case $cur in
		none | uio_pci_generic | vfio-pci) ;;
		*)
			say "$addr: bound to $cur and no original driver remembered in $STATE_DIR, nothing to restore"
			return 0
			;;
		esac
		say "$addr: no original driver remembered in $STATE_DIR, letting the kernel pick one"
		clear_override "$dev"
		if [[ $cur != none ]]; then
			sysfs_write "$addr" "$dev/driver/unbind"
		fi
		sysfs_write "$addr" "$SYSFS/bus/pci/drivers_probe"
		verify_driver "$addr" any
		summary "$addr: handed to the kernel to probe a driver (driver now: $(dev_driver "$dev"))"
		return 0
	fi
	if [[ $cur == "$orig" ]]; then
		clear_override "$dev"
		forget_driver "$addr"
		say "$addr: already bound to its original driver $orig"
		return 0
	fi
	# Load before the override is cleared, or loading it would probe the
	# device itself and our bind would then fail with EBUSY.
	if [[ $orig != none ]]; then
		ensure_driver_loaded "$orig"
	fi
	clear_override "$dev"
	if [[ $cur != none ]]; then
		sysfs_write "$addr" "$dev/driver/unbind"
	fi
	if [[ $orig == none ]]; then
		verify_driver "$addr" none
		summary "$addr: had no driver originally, left without one"
	else
		sysfs_write "$addr" "$SYSFS/bus/pci/drivers/$orig/bind"
		verify_driver "$addr" "$orig"
		summary "$addr: restored to $orig (was $cur)"
	fi
	forget_driver "$addr"
}

do_status() {
	local d addr dev ven devid drv ifs orig iface st
	local -a list=()
	if [[ ${#ADDRS[@]} -gt 0 ]]; then
		list=("${ADDRS[@]}")
	else
		if [[ ! -d $SYSFS/bus/pci/devices ]]; then
			say "no PCI network devices: there is no PCI bus ($SYSFS/bus/pci/devices does not exist)"
			return 0
		fi
		for d in "$SYSFS"/bus/pci/devices/*; do
			[[ -e $d/class ]] || continue
			[[ $(read_attr "$d/class") == 0x02* ]] || continue
			list+=("${d##*/}")
		done
	fi
	if [[ ${#list[@]} -eq 0 ]]; then
		say "no PCI network devices (class 0x02) under $SYSFS/bus/pci/devices"
		return 0
	fi
	printf '%-13s %-10s %-16s %-24s %s\n' ADDRESS ID DRIVER INTERFACES ORIGINAL
	for addr in "${list[@]}"; do
		dev=$(dev_path "$addr")
		ven=$(read_attr "$dev/vendor") || ven="?"
		devid=$(read_attr "$dev/device") || devid="?"
		drv=$(dev_driver "$dev")
		ifs=
		while read -r iface st; do
			ifs+=${ifs:+,}$iface:$st
		done < <(dev_ifaces "$dev")
		orig=$(remembered_driver "$addr") || orig=-
		printf '%-13s %-10s %-16s %-24s %s\n' "$addr" "${ven#0x}:${devid#0x}" \
			"$drv" "${ifs:--}" "$orig"
	done
}

main() {
	parse_args "$@"
	local a n i
	local -a norm=()
	for a in "${ADDRS[@]}"; do
		n=$(normalise_addr "$a") || die $E_USAGE "malformed PCI address '$a' (want DDDD:BB:DD.F or BB:DD.F, e.g. 0000:01:00.0)"
		for i in "${norm[@]}"; do
			if [[ $i == "$n" ]]; then continue 2; fi
		done
		norm+=("$n")
	done
	ADDRS=("${norm[@]}")
	if [[ $ACTION != status ]] && ((!DRY_RUN)) && [[ $EUID -ne 0 ]]; then
		die $E_REFUSED "must be root to change drivers (or use --dry-run)"
	fi
	# Check every named device before changing any of them.
	for a in "${ADDRS[@]}"; do check_device "$a"; done
	case $ACTION in
	status) do_status ;;
	bind) for a in "${ADDRS[@]}"; do do_bind "$a"; done ;;
	unbind) for a in "${ADDRS[@]}"; do do_unbind "$a"; done ;;
	restore) for a in "${ADDRS[@]}"; do do_restore "$a"; done ;;
	esac
}

main "$@"
