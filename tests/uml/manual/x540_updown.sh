#!/bin/bash
# Manual check, run inside UML (not part of tests/sh/test_uml.sh yet):
# Linux's ixgbe against the model's X540/X550 personalities. Every ixgbe
# interface is set up, down and up as a user would; the carrier and speed
# Linux reports go to $UML_SHARE/report.txt, the kernel log to dmesg.txt.
# From a build directory (root, a cached UML kernel: scripts/uml-kernel.sh):
#   mkdir -p x/share && T=$PWD/x
#   ./ixy-simd --socket $T/a.sock "sim:a,device_id=0x1528,phy_power=off,fw_hold_us=2000,wire=null" \
#              --socket $T/b.sock "sim:b,device_id=0x1563,phy_power=off,fw_hold_us=2000,wire=null" &
#   bash ../scripts/uml-run.sh --timeout 180 --share $T/share --device $T/a.sock --device $T/b.sock \
#        ../tests/uml/manual/x540_updown.sh
#   cat $T/share/report.txt; kill %1    # ixy-simd prints violations, DMA faults, unknown registers
# inside UML: bring each ixgbe port up as a user would, report what Linux sees
out=$UML_SHARE/report.txt
: >"$out"
for i in $(seq 1 100); do ls /sys/class/net | grep -q eth && break; sleep 0.1; done
for dev in $(ls /sys/class/net | grep -v lo); do
	ip link set "$dev" up
	for i in $(seq 1 100); do [ "$(cat /sys/class/net/$dev/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
	echo "$dev carrier=$(cat /sys/class/net/$dev/carrier 2>/dev/null) speed=$(cat /sys/class/net/$dev/speed 2>/dev/null) device=$(cat /sys/class/net/$dev/device/device 2>/dev/null)" >>"$out"
	ip link set "$dev" down
	sleep 0.5
	ip link set "$dev" up
	for i in $(seq 1 100); do [ "$(cat /sys/class/net/$dev/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
	echo "$dev after down/up carrier=$(cat /sys/class/net/$dev/carrier 2>/dev/null) speed=$(cat /sys/class/net/$dev/speed 2>/dev/null)" >>"$out"
done
dmesg >"$UML_SHARE/dmesg.txt"
