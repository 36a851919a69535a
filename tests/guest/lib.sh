# Helpers for the guest's check scripts (sourced by /ixy/checks.d/*.sh).
#
# A check script starts with one or more header lines naming every check
# it reports; the host (tests/sh/test_guest.sh) reads them to know what
# must appear, so a check that silently vanishes is a failure:
#   # checks: name_one name_two
# and prints exactly one line per check through ixy_check.

. /etc/ixy-guest.env

# ixy_check NAME pass|fail DETAIL...
ixy_check() {
	local name=$1 res=$2
	shift 2
	local detail="$*"
	detail=${detail//\"/\'}
	detail=${detail//$'\n'/ }
	printf 'IXY-CHECK name=%s result=%s detail="%s"\n' "$name" "$res" "$detail"
}

# ixy_expect NAME DETAIL CONDITION...: pass when the command succeeds.
ixy_expect() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then
		ixy_check "$name" pass "$detail"
	else
		ixy_check "$name" fail "$detail"
	fi
}

# Name of the driver bound to a PCI device, "none" without one.
driver_of() {
	local l
	l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) || { echo none; return; }
	echo "${l##*/}"
}

# Network interface(s) of a PCI device (virtio puts them one level down).
iface_of() {
	local n
	for n in /sys/bus/pci/devices/$1/net/* /sys/bus/pci/devices/$1/*/net/*; do
		[ -e "$n" ] && echo "${n##*/}"
	done
	return 0
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until the command succeeds.
wait_for() {
	local n=$(($1 * 10))
	shift
	while ! "$@"; do
		((n-- > 0)) || return 1
		sleep 0.1
	done
}

ixy_checks() { "$IXY_BIN/ixy-guest-checks" "$@"; }
bind_uio() { bash "$IXY_SCRIPTS/bind-uio.sh" "$@"; }
