# shellcheck shell=bash
# Linux's ixgbe found each port of ixy-simd on UML's PCI bus, bound it and
# made a network interface with the MAC address the host gave the port,
# with no error logged for that device.
# checks: probe_a probe_b probe_c
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

# The interface whose address is $1.
if_with_mac() {
	local n a
	for n in /sys/class/net/*; do
		read -r a <"$n/address" 2>/dev/null
		[[ $a == "$1" ]] && { echo "${n##*/}"; return 0; }
	done
	return 1
}

all_found() {
	local p
	for p in a b c; do
		if_with_mac "$(port_mac "$p")" >/dev/null || return 1
	done
}
# Probing runs while this starts; one bound for all three ports.
wait_for 60 all_found

for p in a b c; do
	mac=$(port_mac "$p")
	if ! ifn=$(if_with_mac "$mac"); then
		uml_check "probe_$p" fail "no interface with MAC $mac after 60 s; interfaces: $(ip -br link | tr -s ' \n' ' ;'); PCI: $(lspci -n 2>&1 | tr '\n' ';')" \
			"ixgbe said: $(dmesg | grep -i ixgbe | tail -n 4 | tr '\n' ';')"
		continue
	fi
	dev=$(readlink -f "/sys/class/net/$ifn/device")
	pci=${dev##*/}
	drv=$(basename "$(readlink "$dev/driver")")
	ids="$(cat "$dev/vendor"):$(cat "$dev/device")"
	errs=$(dmesg | grep -E "(ixgbe|pci) $pci" | grep -iE 'error|fail|unsupported|invalid|timeout|timed out|not supported')
	echo "$ifn" >"$STATE/$p.if"
	echo "$pci" >"$STATE/$p.pci"
	if [[ $drv == ixgbe && -z $errs ]]; then
		uml_check "probe_$p" pass "$pci $ids driver $drv interface $ifn MAC $mac"
	else
		uml_check "probe_$p" fail "$pci $ids driver $drv interface $ifn; errors: ${errs//$'\n'/; }"
	fi
done
