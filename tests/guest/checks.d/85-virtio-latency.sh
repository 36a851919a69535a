# ixy-latency on QEMU's legacy virtio-net, which has no hardware
# timestamps, through ixy-fwd in a second process, on the latency path of
# scripts/qemu-guest.sh:
#   LAT_TX -tap4- host bridge brlat0 -tap5- FWD_IN [ixy-fwd] FWD_OUT -tap6- brlat1 -tap7- LAT_RX
# What is asserted is what the tool prints and its exit code, never a time
# (TCG's timing is the host's load):
#  - virtio_latency_lost (first, while nothing was ever sent on the path):
#    ixy-fwd -n 3 forwards three probes and stops; of six probes three are
#    measured and three counted as lost, exit code 0; ixy-fwd forwarded
#    exactly the three;
#  - virtio_latency_software: software timestamps, with the reason (the
#    port has none) and SOFTWARE on the latency line; a light load; every
#    probe sent counted exactly once, some measured, exit code 0;
#  - virtio_latency_rate: a 10 Gbit/s load (virtio's nominal link speed),
#    far above what virtio under TCG moves: RATE NOT REACHED with the
#    counts and rate_reached=0; the probes still add up; exit code 0 with a
#    measured probe, 1 without.
# checks: virtio_latency_lost virtio_latency_software virtio_latency_rate
. /ixy/lib.sh

t0=$(cut -d' ' -f1 /proc/uptime)
LAT=$IXY_BIN/ixy-latency FWD=$IXY_BIN/ixy-fwd
flat() { tr '\n' ';' <<<"$1"; }
field() { sed -n "s/^latency .*[ ]$1=\([-0-9.]*\).*/\1/p" <<<"$2"; }
# every probe sent is in exactly one of these counts
accounted() {
	local t=0 k v
	for k in measured lost no_tx_ts no_rx_ts invalid unresolved; do
		v=$(field $k "$1")
		[[ -n $v ]] || return 1
		t=$((t + v))
	done
	[[ $t == "$(field probes "$1")" ]]
}
summary() { flat "$(grep -E '^(latency |\[ixy-latency\] (timestamps|RATE|load)|ixy-latency:)' <<<"$1")"; }

# start_fwd ARGS...: ixy-fwd between FWD_IN and FWD_OUT in the background,
# waiting until it forwards (its first rate line) or has ended
FWD_PID= FWD_OUT_FILE=/tmp/lat-fwd.out
start_fwd() {
	"$FWD" -i 0.2 "$@" "$FWD_IN_ADDR" "$FWD_OUT_ADDR" >"$FWD_OUT_FILE" 2>&1 &
	FWD_PID=$!
	fwd_ready() { grep -q '^\[ixy-fwd\]' "$FWD_OUT_FILE" || ! kill -0 "$FWD_PID" 2>/dev/null; }
	wait_for 40 fwd_ready
}
stop_fwd() {
	kill -TERM "$FWD_PID" 2>/dev/null
	wait "$FWD_PID"
	FWD_RC=$?
}

# -- lost probes: the forwarder stops after three
start_fwd -n 3
out=$(timeout 60 "$LAT" -n 6 --timeout 500ms "$LAT_TX_ADDR" "$LAT_RX_ADDR" 2>&1)
rc=$?
stop_fwd
fwd=$(sed -n 's/.*forwarded \([0-9]*\) packets.*/\1/p' "$FWD_OUT_FILE")
ok() {
	((rc == 0)) && accounted "$out" && [[ $(field probes "$out") == 6 && $(field measured "$out") == 3 &&
		$(field lost "$out") == 3 && $fwd == 3 && $out == *" 3 measured, 3 lost,"* ]]
}
ixy_expect virtio_latency_lost "ixy-fwd -n 3 forwarded ${fwd:-?} (rc $FWD_RC); ixy-latency rc $rc: $(summary "$out")" ok

# -- software timestamps, a light load, nothing in the way
start_fwd
out=$(timeout 60 "$LAT" -n 30 -r 2000pps -N 20 --timeout 1s "$LAT_TX_ADDR" "$LAT_RX_ADDR" 2>&1)
rc=$?
ok() {
	((rc == 0)) && accounted "$out" && (($(field measured "$out") >= 1)) && [[ $(field probes "$out") == 30 &&
		$out == *"latency timestamps=software "* &&
		$out == *"$LAT_TX_ADDR has no hardware timestamps"* && $out == *"timestamps: SOFTWARE"* &&
		$out == *"latency ns (SOFTWARE)"* && $out == *"[ixy-latency] load: "* ]]
}
ixy_expect virtio_latency_software "rc $rc: $(summary "$out")" ok

# -- a rate the port cannot send (same forwarder)
out=$(timeout 60 "$LAT" -n 1000000 -r 10Gbit -N 1000 -t 1 --timeout 200ms "$LAT_TX_ADDR" "$LAT_RX_ADDR" 2>&1)
rc=$?
stop_fwd
meas=$(field measured "$out")
ok() {
	accounted "$out" && [[ $(field rate_reached "$out") == 0 && $out == *"RATE NOT REACHED: the load was "* ]] &&
		(((meas > 0 && rc == 0) || (meas == 0 && rc == 1)))
}
t1=$(cut -d' ' -f1 /proc/uptime)
ixy_expect virtio_latency_rate "rc $rc; ixy-fwd rc $FWD_RC: $(summary "$out") (this script: ${t0}..${t1} s uptime)" ok
