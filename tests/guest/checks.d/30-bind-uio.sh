# scripts/bind-uio.sh for real, on the e1000e: status, refusal while the
# interface is up, forced unbind, uio_pci_generic with /dev/uioN, vfio-pci
# refused without an IOMMU, restore of the kernel driver, plain unbind.
# Leaves the e1000e bound to e1000e again.
# checks: bind_status bind_refuse_up bind_force_unbind bind_uio
# checks: bind_vfio_refused bind_restore bind_unbind
. /ixy/lib.sh

A=$E1000E_ADDR
flat() { tr '\n' ';' <<<"$1"; }

# -- status: all eight NICs with their drivers (four of them the latency path's)
st=$(bind_uio --status 2>&1)
rc=$?
ok=1
for nic in "$VIRTIO_ADDR 1af4:1000 virtio-pci" "$E1000_ADDR 8086:100e e1000" "$E1000E_ADDR 8086:10d3 e1000e" \
	"$VIRTIO2_ADDR 1af4:1000 virtio-pci" "$LAT_TX_ADDR 1af4:1000 virtio-pci" "$FWD_IN_ADDR 1af4:1000 virtio-pci" \
	"$FWD_OUT_ADDR 1af4:1000 virtio-pci" "$LAT_RX_ADDR 1af4:1000 virtio-pci"; do
	set -- $nic
	grep -Eq "^$1 +$2 +$3 +[a-z]" <<<"$st" || ok=0
done
n=$(grep -c '^0000:' <<<"$st")
((rc == 0 && n == 8)) || ok=0
ixy_check bind_status "$( ((ok)) && echo pass || echo fail)" "rc $rc, $n devices: $(flat "$st")"

# -- refused while the interface is up
IF=$(iface_of "$A")
ip link set "$IF" up
out=$(bind_uio "$A" --unbind 2>&1)
rc=$?
drv=$(driver_of "$A")
ok() { ((rc == 3)) && [[ $drv == e1000e && $out == *"$IF is up"* ]]; }
ixy_expect bind_refuse_up "interface $IF up; --unbind rc $rc, driver $drv: $(flat "$out")" ok

# -- --force unbinds anyway, the interface goes away with the driver
out=$(bind_uio "$A" --unbind --force 2>&1)
rc=$?
drv=$(driver_of "$A")
ifs=$(iface_of "$A")
ok() { ((rc == 0)) && [[ $drv == none && -z $ifs ]]; }
ixy_expect bind_force_unbind "--unbind --force rc $rc, driver $drv, interfaces '${ifs}': $(flat "$out")" ok

# -- uio_pci_generic: /dev/uioN appears and belongs to this device
out=$(bind_uio "$A" --bind uio_pci_generic 2>&1)
rc=$?
drv=$(driver_of "$A")
uio_dev() { ls -d /sys/bus/pci/devices/$A/uio/uio* >/dev/null 2>&1; }
wait_for 3 uio_dev
uio=$(ls -d /sys/bus/pci/devices/$A/uio/uio* 2>/dev/null | head -n1)
uio=${uio##*/}
dev_node() { [[ -n $uio && -c /dev/$uio ]]; }
wait_for 3 dev_node
ok() { ((rc == 0)) && [[ $drv == uio_pci_generic ]] && dev_node; }
ixy_expect bind_uio "--bind uio_pci_generic rc $rc, driver $drv, uio device '${uio:-none}' ($(ls -l /dev/${uio:-nothing} 2>&1)): $(flat "$out")" ok

# -- vfio-pci needs an IOMMU group; this machine (pc, no vIOMMU) has none
out=$(bind_uio "$A" --bind vfio-pci 2>&1)
rc=$?
drv=$(driver_of "$A")
ok() { ((rc == 3)) && [[ $drv == uio_pci_generic && $out == *"no IOMMU group"* ]]; }
ixy_expect bind_vfio_refused "--bind vfio-pci rc $rc, driver $drv: $(flat "$out")" ok

# -- restore: the original driver and its interface come back
out=$(bind_uio "$A" --restore 2>&1)
rc=$?
drv=$(driver_of "$A")
has_if() { [[ -n $(iface_of "$A") ]]; }
wait_for 5 has_if
ifs=$(iface_of "$A")
ok() { ((rc == 0)) && [[ $drv == e1000e && -n $ifs && ! -e /dev/$uio ]]; }
ixy_expect bind_restore "--restore rc $rc, driver $drv, interface '${ifs}', /dev/$uio $([[ -e /dev/$uio ]] && echo still there || echo gone): $(flat "$out")" ok

# -- plain unbind of a device whose interface is down; then back again
out=$(bind_uio "$A" --unbind 2>&1)
rc=$?
drv=$(driver_of "$A")
out2=$(bind_uio "$A" --restore 2>&1)
rc2=$?
drv2=$(driver_of "$A")
ok() { ((rc == 0 && rc2 == 0)) && [[ $drv == none && $drv2 == e1000e ]]; }
ixy_expect bind_unbind "--unbind rc $rc, driver $drv: $(flat "$out") then --restore rc $rc2, driver $drv2" ok
