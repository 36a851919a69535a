# libixy's pci layer on the real sysfs: config header, BARs, numa_node,
# guarded unbind of one device, bus mastering, a mapped memory BAR (e1000)
# and an I/O BAR through pread/pwrite (legacy virtio).
# Leaves the e1000 and the virtio NIC without a driver.
# checks: pci_config_virtio pci_config_e1000 pci_config_e1000e
# checks: pci_bars_virtio pci_bars_e1000 pci_bars_e1000e pci_numa_node
# checks: pci_unbind_refuses_up pci_unbind_only_named pci_bus_master_cleared
# checks: pci_bus_master_enable pci_map_bar_e1000 pci_io_bar_virtio pci_io_bar_write_virtio
. /ixy/lib.sh

ixy_checks config virtio "$VIRTIO_ADDR"
ixy_checks config e1000 "$E1000_ADDR"
ixy_checks config e1000e "$E1000E_ADDR"
ixy_checks bars virtio "$VIRTIO_ADDR" io
ixy_checks bars e1000 "$E1000_ADDR" mem
ixy_checks bars e1000e "$E1000E_ADDR" mem
ixy_checks numa "$E1000_ADDR"

# The library must refuse an interface that is up, then unbind with force.
ip link set "$(iface_of "$E1000_ADDR")" up
ixy_checks unbind "$E1000_ADDR" "$VIRTIO_ADDR" "$E1000E_ADDR"
ixy_checks bus-master "$E1000_ADDR"
ixy_checks e1000-bar "$E1000_ADDR" "$E1000_MAC"

# virtio_net turns MSI-X on, which moves the device config: unbind first.
bind_uio "$VIRTIO_ADDR" --unbind >/dev/null
ixy_checks virtio-io "$VIRTIO_ADDR" "$VIRTIO_MAC"
