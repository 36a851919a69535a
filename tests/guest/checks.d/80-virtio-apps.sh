# The unchanged apps on QEMU's legacy virtio-net (1af4:1000) through
# libixy's virtio driver, with real DMA and the host on the other end:
#  - ixy_open refuses the second NIC (B) while its interface is up;
#  - ixy-pktgen on A sends frames that ixy-guest-vtap on A's tap counts
#    and checksum-checks (host_virtio_pktgen_capture);
#  - ixy-pcap on A captures frames the host injects (count, file size,
#    first frame's addresses), then --replay sends them back and the host
#    compares them byte for byte with what it injected;
#  - ixy-fwd between A and B forwards the host's frames from A's tap to
#    B's tap (host_virtio_fwd_capture).
# A starts without a driver (40-pci.sh unbound it), B bound to virtio-pci.
# checks: virtio_open_refuses_up virtio_pktgen virtio_pcap_capture
# checks: virtio_pcap_replay virtio_fwd virtio_lock_and_bus_master
# checks: host_virtio_pktgen_capture host_virtio_pcap_replay host_virtio_fwd_capture
. /ixy/lib.sh

A=$VIRTIO_ADDR B=$VIRTIO2_ADDR
flat() { tr '\n' ';' <<<"$1"; }
# shortened app output for the detail field
short() { flat "$(grep -v '^\[.*\] .*Mpps' <<<"$1" | tail -n 4)"; }

# -- B with its interface up: ixy_open must refuse and leave virtio-pci bound
IF=$(iface_of "$B")
ip link set "$IF" up
out=$(timeout 20 "$IXY_BIN/ixy-pktgen" -n 1 -i 0 "$B" 2>&1)
rc=$?
drv=$(driver_of "$B")
ok() { ((rc == 1)) && [[ -n $IF && $drv == virtio-pci && $out == *"$IF is up"* ]]; }
ixy_expect virtio_open_refuses_up "interface ${IF:-none} up: ixy-pktgen rc $rc, driver still $drv: $(flat "$out")" ok
ip link set "$IF" down 2>/dev/null

# -- ixy-pktgen on A: N frames, paced so the host's capture keeps up
t0=$(cut -d' ' -f1 /proc/uptime)
out=$(timeout 40 "$IXY_BIN/ixy-pktgen" -n "$VIRTIO_PKTGEN_N" -s "$VIRTIO_PKTGEN_SIZE" -f 4 -r 20000pps -i 0 \
	"$A" 2>&1)
rc=$?
t1=$(cut -d' ' -f1 /proc/uptime)
ok() { ((rc == 0)) && [[ $out == *"sent $VIRTIO_PKTGEN_N frames of $VIRTIO_PKTGEN_SIZE bytes"* ]]; }
ixy_expect virtio_pktgen "ixy-pktgen $A rc $rc (${t0}s..${t1}s uptime): $(short "$out")" ok

# -- ixy-pcap on A: capture injected frames, then send them back
cap=/tmp/virtio-capture.pcap
rm -f "$cap"
out=$(timeout 40 "$IXY_BIN/ixy-pcap" -n "$VIRTIO_PCAP_N" -t 20 -i 0 "$A" "$cap" 2>&1)
rc=$?
size=$(stat -c %s "$cap" 2>/dev/null || echo 0)
# 24-byte file header, then per frame a 16-byte record header + 128 bytes
want_size=$((24 + VIRTIO_PCAP_N * (16 + 128)))
# first frame: to A, from the host's injector (02:1b:00:00:00:02), EtherType 0x88b5
first=$(od -An -tx1 -j 40 -N 14 "$cap" 2>/dev/null | tr -d ' \n')
want_first="${VIRTIO_MAC//:/}021b0000000288b5"
ok() { ((rc == 0 && size == want_size)) && [[ $first == "$want_first" && $out == *"captured $VIRTIO_PCAP_N frames"* ]]; }
ixy_expect virtio_pcap_capture "ixy-pcap $A rc $rc, file $size bytes (want $want_size), first frame header $first (want $want_first): $(short "$out")" ok

out=$(timeout 40 "$IXY_BIN/ixy-pcap" --replay -i 0 "$A" "$cap" 2>&1)
rc=$?
ok() { ((rc == 0)) && [[ $out == *"replayed $VIRTIO_PCAP_N frames"* ]]; }
ixy_expect virtio_pcap_replay "ixy-pcap --replay $A rc $rc: $(short "$out")" ok

# -- ixy-fwd between A and B (B leaves virtio-pci now: its interface is down)
out=$(timeout 40 "$IXY_BIN/ixy-fwd" -n "$VIRTIO_FWD_N" -t 30 -i 0 "$A" "$B" 2>&1)
rc=$?
fwd=$(sed -n 's/.*forwarded \([0-9]*\) packets.*/\1/p' <<<"$out")
drv=$(driver_of "$B")
ok() { ((rc == 0 && ${fwd:-0} >= VIRTIO_FWD_N)) && [[ $drv == none && $out == *" 0 dropped for a full TX ring"* ]]; }
ixy_expect virtio_fwd "ixy-fwd $A $B rc $rc, forwarded ${fwd:-?} (want >= $VIRTIO_FWD_N), B's driver now $drv: $(short "$out")" ok

# -- one driver per device, and bus mastering off after close: while
# ixy-pcap holds A, a second opener is refused naming its PID (flock on
# A's sysfs config file); SIGTERM ends the first cleanly, and A's PCI
# command register then has Bus Master Enable (bit 2) clear.
cap2=/tmp/virtio-hold.pcap
rm -f "$cap2"
"$IXY_BIN/ixy-pcap" -t 20 -i 1 "$A" "$cap2" >/tmp/virtio-hold.out 2>&1 &
holder=$!
wait_for 15 grep -q '^\[ixy-pcap\]' /tmp/virtio-hold.out
cmd_open=$(od -An -tu1 -j 4 -N 1 "/sys/bus/pci/devices/$A/config" | tr -d ' ')
out=$(timeout 20 "$IXY_BIN/ixy-pktgen" -n 1 -i 0 "$A" 2>&1)
rc=$?
kill -TERM "$holder" 2>/dev/null
wait "$holder"
hrc=$?
cmd_closed=$(od -An -tu1 -j 4 -N 1 "/sys/bus/pci/devices/$A/config" | tr -d ' ')
ok() { ((rc == 1 && hrc == 0 && (cmd_open & 4) && !(cmd_closed & 4))) && [[ $out == *"in use by process $holder"* ]]; }
ixy_expect virtio_lock_and_bus_master "second opener rc $rc: $(flat "$out"); holder rc $hrc; command byte $cmd_open open, $cmd_closed closed" ok
