# machine: iommu
# INTx through VFIO, for real: the iommu machine's third virtio 1.0 NIC
# has no MSI-X (QEMU vectors=0) and shares a QEMU hub with a fourth one.
#  - both bound to vfio-pci; ixy-pktgen on the fourth sends broadcast
#    frames 100 times a second, which arrive on the third;
#  - ixy-guest-iommu --irq on the third: enabling the RX interrupt falls
#    back to INTx (no MSI-X vector), and ixy_rx_wait sleeps until a frame
#    raises the line, three times in a row, each wake-up finding its frame
#    (arming reads the ISR and unmasks INTx in VFIO, which masks it each
#    time it fires);
#  - the device taken away while in use: ixy-pktgen runs on the fourth
#    NIC and bind-uio.sh --restore gives that NIC back to virtio-pci under
#    it; vfio-pci asks the process for the device (VFIO's request
#    interrupt), the library stops its DMA and releases it within a
#    second (the app's statistics read), the restore completes, and the app
#    prints the one error and exits 1;
#  - bind-uio.sh --restore gives the third back to virtio-pci.
# checks: vfio_intx_wake vfio_taken_away vfio_intx_restore
. /ixy/lib.sh

C=$INTX_ADDR D=$FEED_ADDR
flat() { tr '\n' ';' <<<"$1"; }

bash "$IXY_SCRIPTS/setup-hugetlbfs.sh" --pages 96 >/dev/null 2>&1
out=$(bind_uio "$C" "$D" --bind vfio-pci 2>&1)
bind_rc=$?

"$IXY_BIN/ixy-pktgen" -r 100pps -b 1 -t 25 -i 0 --dst-mac ff:ff:ff:ff:ff:ff "$D" >/tmp/intx-feed.out 2>&1 &
feed=$!
sleep 2
out=$(timeout 30 "$IXY_BIN/ixy-guest-iommu" --irq "$C" 2>&1)
rc=$?
kill -INT "$feed" 2>/dev/null
wait "$feed"
ival() { sed -n "s/^$1=//p" <<<"$out" | head -n 1; }
ok() { ((bind_rc == 0 && rc == 0)) && [[ $(ival irq_enable_rc) == 0 && $(ival irq_intx) == 1 && $(ival irq_woke_by_interrupt) == 3 && $(ival irq_disable_rc) == 0 ]] && (($(ival irq_rx_after_wake) >= 3 && $(ival irq_interrupts) >= 3)); }
ixy_expect vfio_intx_wake "bind rc $bind_rc, rc $rc: $(flat "$out"); feeder: $(flat "$(tail -n 2 /tmp/intx-feed.out)")" ok

"$IXY_BIN/ixy-pktgen" -r 1000pps -t 60 -i 0 "$D" >/tmp/taken.out 2>&1 &
app=$!
sleep 3
t0=$SECONDS
out=$(timeout 60 bash "$IXY_SCRIPTS/bind-uio.sh" "$D" --restore 2>&1)
rc=$? secs=$((SECONDS - t0))
wait "$app"
app_rc=$?
app_out=$(cat /tmp/taken.out)
ok() { ((rc == 0 && app_rc == 1 && secs <= 15)) && [[ $(driver_of "$D") == virtio-pci && $app_out == *"asked for the device back"* ]]; }
ixy_expect vfio_taken_away "restore under a running ixy-pktgen: rc $rc after ${secs} s, driver $(driver_of "$D"): $(flat "$out"); ixy-pktgen rc $app_rc: $(flat "$app_out")" ok

out=$(bind_uio "$C" --restore 2>&1)
rc=$?
ok() { ((rc == 0)) && [[ $(driver_of "$C") == virtio-pci ]]; }
ixy_expect vfio_intx_restore "rc $rc, driver $(driver_of "$C"): $(flat "$out")" ok
