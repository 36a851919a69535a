#!/bin/bash
# Runs inside UML for scripts/uml-trace-diff.sh: Linux's ixgbe through the
# steps libixy's ixy-trace-ours takes on its port (probe, `ip link set up`
# until link, `ip link set down`, unbind), on the one ixy-simd port whose
# model writes every register access to a trace file. Each phase starts
# with a PCI config write of the cache line size (0x0C) to 0x11, 0x12,
# 0x13, 0x14: ixy-simd notes config writes in the model's trace, so the
# phases can be found there (ixgbe and the PCI core never write that
# register on this path). Result lines go to $UML_SHARE/trace-job.txt.
out=$UML_SHARE/trace-job.txt
: >"$out"
say() { echo "$*" | tee -a "$out"; }
mark() { setpci -s "$pci" CACHE_LINE_SIZE.b="$1"; }

ifn=''
for _ in $(seq 1 300); do
	for n in /sys/class/net/*; do
		[[ $(basename "$(readlink "$n/device/driver" 2>/dev/null)") == ixgbe ]] && ifn=${n##*/}
	done
	[[ -n $ifn ]] && break
	sleep 0.1
done
if [[ -z $ifn ]]; then
	say "FAIL probe: no ixgbe interface after 30 s: $(dmesg | grep -i ixgbe | tail -n 3 | tr '\n' ';')"
	dmesg >"$UML_SHARE/dmesg.txt"
	exit 1
fi
pci=$(basename "$(readlink -f "/sys/class/net/$ifn/device")")
say "probe $pci $ifn"
mark 0x11
ip link set "$ifn" up
for _ in $(seq 1 150); do
	[[ $(cat "/sys/class/net/$ifn/carrier" 2>/dev/null) == 1 ]] && break
	sleep 0.2
done
say "up carrier=$(cat "/sys/class/net/$ifn/carrier" 2>/dev/null) speed=$(cat "/sys/class/net/$ifn/speed" 2>/dev/null)"
mark 0x12
ip link set "$ifn" down
say "down operstate=$(cat "/sys/class/net/$ifn/operstate")"
mark 0x13
echo "$pci" >/sys/bus/pci/drivers/ixgbe/unbind
say "unbound: $(ls /sys/bus/pci/devices/$pci/driver 2>/dev/null || echo no driver)"
mark 0x14
dmesg >"$UML_SHARE/dmesg.txt"
