# machine: iommu
# VFIO in the q35 guest with QEMU's intel-iommu (qemu-guest.sh --machine
# iommu): two virtio 1.0 NICs (1af4:1041, iommu_platform=on) A and B, whose
# DMA goes through the vIOMMU.
#  - the IOMMU is on and each NIC has a group; bind-uio.sh binds both to
#    vfio-pci and names the group node;
#  - the unchanged apps (ixy-pktgen, ixy-pcap capture and --replay, ixy-fwd
#    A -> B) through VFIO with IOVAs, as root, then as an unprivileged user
#    who owns the group nodes and has RLIMIT_MEMLOCK; the host checks the
#    frames of both rounds (host_vfio_*, ixy-guest-vtap);
#  - the user without the group node, and with too little RLIMIT_MEMLOCK,
#    gets the error with the fix;
#  - ixy-fwd -I (the hybrid: poll while frames come, sleep on the RX
#    interrupt between them) forwards the host's frames A -> B; an idle
#    ixy-pcap -I on B uses a fraction of the CPU that polling ixy-pcap
#    uses (user+system ticks from /proc/PID/stat over the same 3 s);
#  - RX interrupts through the public API: ixy_rx_interrupt_enable routes
#    the queue's MSI-X vector to its eventfd (VFIO_DEVICE_SET_IRQS),
#    ixy_rx_wait sleeps until a host frame raises it, three times;
#  - confinement: RX descriptors pointed at the guest-physical address of a
#    page of the process (what a driver without IOMMU would write): the
#    IOMMU refuses the device's writes (DMAR fault at that address in
#    dmesg) and the page stays as it was; descriptors chained in pairs
#    outside the IOVAs make the device stop (DEVICE_NEEDS_RESET), which
#    ixy_get_link reports; the process ends normally;
#  - bind-uio.sh --restore gives both NICs back to virtio-pci.
# checks: vfio_iommu_on vfio_bind vfio_pktgen vfio_pcap_capture vfio_pcap_replay vfio_fwd
# checks: vfio_user_no_permission vfio_user_bind vfio_user_memlock
# checks: vfio_user_pktgen vfio_user_pcap_capture vfio_user_pcap_replay vfio_user_fwd
# checks: vfio_fwd_interrupt vfio_idle_cpu vfio_irq_wake vfio_confine vfio_confine_reported vfio_confine_dmar vfio_restore
# checks: host_vfio_pktgen_capture host_vfio_pcap_replay host_vfio_fwd_capture
. /ixy/lib.sh

A=$VIRTIO_ADDR B=$VIRTIO2_ADDR
flat() { tr '\n' ';' <<<"$1"; }
short() { flat "$(grep -v '^\[.*\] .*Mpps' <<<"$1" | tail -n 4)"; }
group_of() { local g; g=$(readlink "/sys/bus/pci/devices/$1/iommu_group" 2>/dev/null) && echo "${g##*/}"; }
ids_of() { echo "$(cat "/sys/bus/pci/devices/$1/vendor"):$(cat "/sys/bus/pci/devices/$1/device")"; }
# /tmp/as-user CMD...: run as the unprivileged user (uid/gid 1000, no
# groups, no capabilities) with a locked-memory limit that covers the apps.
MEMLOCK_KB=524288
cat >/tmp/as-user <<EOS
#!/usr/bin/bash
ulimit -l \${IXY_MEMLOCK_KB:-$MEMLOCK_KB} || exit 99
exec setpriv --reuid=$GUEST_UID --regid=$GUEST_UID --clear-groups --inh-caps=-all -- "\$@"
EOS
chmod 755 /tmp/as-user

bash "$IXY_SCRIPTS/setup-hugetlbfs.sh" --pages 96 >/dev/null 2>&1
chmod 1777 /mnt/huge   # the user's DMA memory comes from here too

# -- the IOMMU is on, each NIC in a group of its own
ga=$(group_of "$A") gb=$(group_of "$B")
ok() { [[ -e /sys/class/iommu/dmar0 && -n $ga && -n $gb && $ga != "$gb" && $(ids_of "$A") == 0x1af4:0x1041 ]]; }
ixy_expect vfio_iommu_on "iommus: $(ls /sys/class/iommu 2>/dev/null | tr '\n' ' '); A $(ids_of "$A") group ${ga:-none} driver $(driver_of "$A"); B group ${gb:-none}" ok

# -- bind both to vfio-pci (their interfaces are down: nobody set them up)
out=$(bind_uio "$A" "$B" --bind vfio-pci 2>&1)
rc=$?
ok() { ((rc == 0)) && [[ $(driver_of "$A") == vfio-pci && $(driver_of "$B") == vfio-pci && -c /dev/vfio/$ga && -c /dev/vfio/$gb && $out == *"IOMMU group $ga"* ]]; }
ixy_expect vfio_bind "rc $rc, drivers $(driver_of "$A")/$(driver_of "$B"), nodes: $(ls /dev/vfio | tr '\n' ' '): $(flat "$out")" ok

# run_apps PREFIX RUNNER...: the three apps on A (and B), PREFIX names the checks
run_apps() {
	local p=$1 out rc size first fwd
	shift
	out=$(timeout 40 "$@" "$IXY_BIN/ixy-pktgen" -n "$VIRTIO_PKTGEN_N" -s "$VIRTIO_PKTGEN_SIZE" -f 4 -r 20000pps -i 0 "$A" 2>&1)
	rc=$?
	ok() { ((rc == 0)) && [[ $out == *"sent $VIRTIO_PKTGEN_N frames of $VIRTIO_PKTGEN_SIZE bytes"* ]]; }
	ixy_expect "${p}_pktgen" "ixy-pktgen $A rc $rc: $(short "$out")" ok

	local cap=/tmp/$p-capture.pcap
	rm -f "$cap"
	out=$(timeout 40 "$@" "$IXY_BIN/ixy-pcap" -n "$VIRTIO_PCAP_N" -t 20 -i 0 "$A" "$cap" 2>&1)
	rc=$?
	size=$(stat -c %s "$cap" 2>/dev/null || echo 0)
	local want_size=$((24 + VIRTIO_PCAP_N * (16 + 128)))
	first=$(od -An -tx1 -j 40 -N 14 "$cap" 2>/dev/null | tr -d ' \n')
	local want_first="${VIRTIO_MAC//:/}021b0000000288b5"
	ok() { ((rc == 0 && size == want_size)) && [[ $first == "$want_first" && $out == *"captured $VIRTIO_PCAP_N frames"* ]]; }
	ixy_expect "${p}_pcap_capture" "ixy-pcap $A rc $rc, file $size bytes (want $want_size), first frame header $first (want $want_first): $(short "$out")" ok

	out=$(timeout 40 "$@" "$IXY_BIN/ixy-pcap" --replay -i 0 "$A" "$cap" 2>&1)
	rc=$?
	ok() { ((rc == 0)) && [[ $out == *"replayed $VIRTIO_PCAP_N frames"* ]]; }
	ixy_expect "${p}_pcap_replay" "ixy-pcap --replay $A rc $rc: $(short "$out")" ok

	out=$(timeout 40 "$@" "$IXY_BIN/ixy-fwd" -n "$VIRTIO_FWD_N" -t 30 -i 0 "$A" "$B" 2>&1)
	rc=$?
	fwd=$(sed -n 's/.*forwarded \([0-9]*\) packets.*/\1/p' <<<"$out")
	ok() { ((rc == 0 && ${fwd:-0} >= VIRTIO_FWD_N)) && [[ $out == *" 0 dropped for a full TX ring"* ]]; }
	ixy_expect "${p}_fwd" "ixy-fwd $A $B rc $rc, forwarded ${fwd:-?} (want >= $VIRTIO_FWD_N): $(short "$out")" ok
}

# -- as root
run_apps vfio env

# -- the user, before it owns the group node
out=$(/tmp/as-user "$IXY_BIN/ixy-pktgen" -n 1 -i 0 "$A" 2>&1)
rc=$?
ok() { ((rc != 0)) && [[ $out == *"no permission on /dev/vfio/$ga"* && $out == *"chown USER /dev/vfio/$ga"* ]]; }
ixy_expect vfio_user_no_permission "rc $rc: $(flat "$out")" ok

# -- give the user the nodes
out=$(bind_uio "$A" "$B" --bind vfio-pci --user "$GUEST_USER" 2>&1)
rc=$?
owners="$(stat -c %u /dev/vfio/$ga) $(stat -c %u /dev/vfio/$gb)"
ok() { ((rc == 0)) && [[ $owners == "$GUEST_UID $GUEST_UID" ]]; }
ixy_expect vfio_user_bind "rc $rc, node owners $owners: $(flat "$out")" ok

# -- too little locked memory: the error says how much and how to fix it
out=$(IXY_MEMLOCK_KB=1024 /tmp/as-user "$IXY_BIN/ixy-pktgen" -n 1 -i 0 "$A" 2>&1)
rc=$?
ok() { ((rc != 0)) && [[ $out == *"RLIMIT_MEMLOCK is 1024 KiB"* && $out == *"ulimit -l"* && $out == *CAP_IPC_LOCK* ]]; }
ixy_expect vfio_user_memlock "rc $rc: $(flat "$out")" ok

# -- the same apps as the user
run_apps vfio_user /tmp/as-user

# -- the forwarder in interrupt mode: frames arrive every 5 ms, it sleeps between them
# (-n beyond the ring's backlog of up to 256 frames, so it must wait for
# new ones, arriving every 5 ms)
FWD_I_N=$((VIRTIO_FWD_N + 400))
out=$(timeout 40 "$IXY_BIN/ixy-fwd" -I -n "$FWD_I_N" -t 30 -i 1 "$A" "$B" 2>&1)
rc=$?
fwd=$(sed -n 's/.*forwarded \([0-9]*\) packets.*/\1/p' <<<"$out")
slept=$(sed -n 's/.*slept \([0-9]*\) times.*/\1/p' <<<"$out" | awk '{ s += $1 } END { print s + 0 }')
ok() { ((rc == 0 && ${fwd:-0} >= FWD_I_N && slept > 0)) && [[ $out == *" 0 dropped for a full TX ring"* ]]; }
ixy_expect vfio_fwd_interrupt "ixy-fwd -I $A $B rc $rc, forwarded ${fwd:-?} (want >= $FWD_I_N), slept $slept times: $(short "$out"); $(flat "$(grep 'slept' <<<"$out" | head -n 3)")" ok

# -- idle: B receives nothing (the host injects only towards A)
# cpu_pct CMD...: CMD in the background; its user+system ticks (USER_HZ =
# 100 on x86) from 2 s to 5 s after the start, in percent of one CPU
cpu_pct() {
	"$@" >/tmp/cpu.out 2>&1 &
	local pid=$! t0 t1
	sleep 2
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)
	sleep 3
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	if [[ -n $t0 && -n $t1 ]]; then echo $(((t1 - t0) * 100 / 300)); else echo gone; fi
}
irq_pct=$(cpu_pct "$IXY_BIN/ixy-pcap" -I -i 0 "$B" /tmp/idle-irq.pcap)
irq_out=$(tail -n 3 /tmp/cpu.out)
poll_pct=$(cpu_pct "$IXY_BIN/ixy-pcap" -i 0 "$B" /tmp/idle-poll.pcap)
poll_out=$(tail -n 3 /tmp/cpu.out)
ok() { [[ $irq_pct =~ ^[0-9]+$ && $poll_pct =~ ^[0-9]+$ ]] && ((poll_pct >= 50 && irq_pct * 5 <= poll_pct)); }
ixy_expect vfio_idle_cpu "idle ixy-pcap on $B: interrupt mode ${irq_pct}% of a CPU, polling ${poll_pct}% (want polling >= 50% and interrupt mode at most a fifth of it); $(flat "$irq_out") / $(flat "$poll_out")" ok

# -- an RX interrupt wakes a sleeping poll()
out=$(timeout 30 "$IXY_BIN/ixy-guest-iommu" --irq "$A" 2>&1)
rc=$?
ival() { sed -n "s/^$1=//p" <<<"$out" | head -n 1; }
ok() { ((rc == 0)) && [[ $(ival irq_enable_rc) == 0 && $(ival irq_woke_by_interrupt) == 3 && $(ival irq_disable_rc) == 0 ]] && (($(ival irq_rx_after_wake) >= 3 && $(ival irq_interrupts) >= 3)); }
ixy_expect vfio_irq_wake "rc $rc: $(flat "$out")" ok

# -- confinement
out=$(timeout 30 "$IXY_BIN/ixy-guest-iommu" "$A" 2>&1)
rc=$?
val() { sed -n "s/^$1=//p" <<<"$out" | head -n 1; }
before=$(val rx_before) changed=$(val canary_changed) lrc=$(val link_rc) lmsg=$(val link_msg)
cphys=$(sed -n 's/.*canary_phys=\(0x[0-9a-f]*\).*/\1/p' <<<"$out")
ok() { ((rc == 0 && ${before:-0} > 0)) && [[ $changed == 0 && $(val closed) == 1 ]]; }
ixy_expect vfio_confine "rc $rc, canary bytes changed: ${changed:-?}: $(flat "$out")" ok
ok() { ((rc == 0 && ${lrc:-0} != 0)) && [[ $lmsg == *DEVICE_NEEDS_RESET* ]]; }
ixy_expect vfio_confine_reported "ixy_get_link rc ${lrc:-?}: ${lmsg:-?}" ok
dmar=$(dmesg | grep 'DMAR' | grep -i "fault addr ${cphys:-none}" | head -n 2)
ok() { [[ -n $cphys && -n $dmar && $dmar == *"00:03.0"* ]]; }
ixy_expect vfio_confine_dmar "canary at ${cphys:-?}; guest dmesg: $(flat "${dmar:-no DMAR fault at that address}")" ok

# -- give the NICs back
out=$(bind_uio "$A" "$B" --restore 2>&1)
rc=$?
ok() { ((rc == 0)) && [[ $(driver_of "$A") == virtio-pci && $(driver_of "$B") == virtio-pci && -n $(iface_of "$A") ]]; }
ixy_expect vfio_restore "rc $rc, drivers $(driver_of "$A")/$(driver_of "$B"), A's interface $(iface_of "$A"): $(flat "$out")" ok
