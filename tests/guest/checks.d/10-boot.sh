# The guest came up with QEMU's three NICs, each bound to its kernel driver
# with a network interface: the starting point every later check assumes.
# checks: guest_boot
. /ixy/lib.sh

has_iface() { [[ -n $(iface_of "$1") ]]; }

ok=1
detail="kernel $(uname -r);"
for nic in "virtio $VIRTIO_ADDR virtio-pci" "e1000 $E1000_ADDR e1000" "e1000e $E1000E_ADDR e1000e"; do
	set -- $nic
	wait_for 5 has_iface "$2" || ok=0
	drv=$(driver_of "$2")
	ifs=$(iface_of "$2")
	[[ $drv == "$3" ]] || ok=0
	detail+=" $1 $2 driver $drv interface ${ifs:-none};"
done
detail+=" uptime $(cut -d' ' -f1 /proc/uptime) s"
((ok)) && ixy_check guest_boot pass "$detail" || ixy_check guest_boot fail "$detail"
