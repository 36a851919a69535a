# Helpers for the check scripts that run inside User-Mode Linux
# (tests/uml/checks.d/*.sh, sourced by tests/uml/run.sh).
#
# A check script starts with header lines naming every check it reports;
# the host (tests/sh/test_uml.sh) reads them to know what must appear, so a
# check that silently vanishes is a failure:
#   # checks: name_one name_two
# and reports each one exactly once through uml_check.
#
# The host passes (uml-run.sh --env): IXY_PORTS "a=MAC b=MAC c=MAC", the
# share ($UML_SHARE, read-write) with data.bin, and the host end of port
# c's wire (IXY_HOST_ADDR, IXY_HOST_RX_PORT, IXY_HOST_TX_PORT,
# IXY_HOST_TX_SHA).
# shellcheck shell=bash

RESULTS=$UML_SHARE/results
STATE=/run/ixy-uml	# what one check leaves for the next (interface names)
mkdir -p "$STATE"

# uml_check NAME pass|fail DETAIL...: one result line, to the share and
# the console.
uml_check() {
	local name=$1 res=$2
	shift 2
	local detail="$*"
	detail=${detail//\"/\'}
	detail=${detail//$'\n'/ }
	printf 'UML-CHECK name=%s result=%s detail="%s"\n' "$name" "$res" "$detail" | tee -a "$RESULTS"
}

# uml_expect NAME DETAIL COMMAND...: pass when the command succeeds.
uml_expect() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then
		uml_check "$name" pass "$detail"
	else
		uml_check "$name" fail "$detail"
	fi
}

# wait_for SECONDS COMMAND...: poll every 0.2 s until the command succeeds.
# A bound on liveness, not a measurement: it only decides "never came".
# The bound is wall-clock time (starting a process is slow inside UML, so
# counting rounds would stretch it), and the command always gets one more
# try after the time is up.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || { "$@"; return; }
		sleep 0.2
	done
}

# The MAC address the host gave port $1.
port_mac() {
	local p
	for p in $IXY_PORTS; do
		[[ ${p%%=*} == "$1" ]] && { echo "${p#*=}"; return 0; }
	done
	return 1
}

# Port $1's interface name and PCI address, once 10-probe.sh found them.
port_if() { cat "$STATE/$1.if" 2>/dev/null; }
port_pci() { cat "$STATE/$1.pci" 2>/dev/null; }

# Each port's interface lives in a network namespace named after the port.
in_port() { local p=$1; shift; ip netns exec "uml-$p" "$@"; }

# ethtool_stat PORT NAME: one `ethtool -S` counter of the port's interface.
ethtool_stat() {
	in_port "$1" ethtool -S "$(port_if "$1")" | awk -v k="$2:" '$1 == k {print $2; f=1} END {exit !f}'
}

# ip_out PORT: IP packets the kernel sent in the port's namespace
# (/proc/net/snmp Ip: OutRequests, counted once per packet before any
# segmentation).
ip_out() {
	in_port "$1" awk '$1 == "Ip:" && $2 !~ /^[0-9]/ {for (i = 2; i <= NF; i++) col[$i] = i}
		$1 == "Ip:" && $2 ~ /^[0-9]/ {print $(col["OutRequests"])}' /proc/net/snmp
}

# sha FILE: its SHA-256.
sha() { sha256sum "$1" | cut -d' ' -f1; }
