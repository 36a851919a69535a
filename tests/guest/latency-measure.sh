# The guest half of scripts/latency-guest.sh (not a check: qemu-guest.sh
# --run puts it in place of checks.d). Measures ixy-fwd's latency on the
# latency path of scripts/qemu-guest.sh
#   LAT_TX -tap4- host bridge brlat0 -tap5- FWD_IN [ixy-fwd] FWD_OUT -tap6- brlat1 -tap7- LAT_RX
# with ixy-latency (software timestamps: virtio has none), one run per rate
# in LAT_RATES (Mbit/s, 0 = probes only), a fresh ixy-fwd for each.
# Everything goes to the console, each line prefixed so the host can sort
# it out: "IXY-LAT rate=R " + ixy-latency's output, "IXY-LAT-FWD rate=R " +
# ixy-fwd's, "IXY-LAT-CSV rate=R " + the histogram's non-empty bins (the
# host fills the empty ones in again), "IXY-LAT-INFO " + the set-up.
. /ixy/lib.sh

RATES=${LAT_RATES:-0 10 50 100} PROBES=${LAT_PROBES:-1000} EVERY=${LAT_EVERY:-100}
SIZE=${LAT_SIZE:-60} BIN=${LAT_BIN:-10000} TIMEOUT=${LAT_TIMEOUT:-1s}

bash "$IXY_SCRIPTS/setup-hugetlbfs.sh" --pages 64 >/dev/null 2>&1 ||
	echo "IXY-LAT-INFO hugetlbfs set-up failed"
cs=/sys/devices/system/clocksource/clocksource0
echo "IXY-LAT-INFO kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU(s), clocksource" \
	"$(cat $cs/current_clocksource) (available: $(cat $cs/available_clocksource))"
echo "IXY-LAT-INFO rates '$RATES' Mbit/s, $PROBES probes, one per $EVERY load frames, $SIZE-byte frames," \
	"bins of $BIN ns, timeout $TIMEOUT"

for r in $RATES; do
	"$IXY_BIN/ixy-fwd" -i 1 "$FWD_IN_ADDR" "$FWD_OUT_ADDR" >/tmp/fwd.out 2>&1 &
	fwd=$!
	fwd_ready() { grep -q '^\[ixy-fwd\]' /tmp/fwd.out || ! kill -0 "$fwd" 2>/dev/null; }
	wait_for 60 fwd_ready
	load=()
	[[ $r == 0 ]] || load=(-r "${r}Mbit")
	rm -f /tmp/lat.csv
	"$IXY_BIN/ixy-latency" -s "$SIZE" "${load[@]}" -N "$EVERY" -n "$PROBES" --timeout "$TIMEOUT" \
		--csv /tmp/lat.csv --bin "$BIN" "$LAT_TX_ADDR" "$LAT_RX_ADDR" >/tmp/lat.out 2>&1
	echo "IXY-LAT rate=$r exit $?"
	kill -INT "$fwd" 2>/dev/null
	wait "$fwd"
	echo "IXY-LAT-FWD rate=$r exit $?"
	sed "s/^/IXY-LAT rate=$r /" /tmp/lat.out
	sed "s/^/IXY-LAT-FWD rate=$r /" /tmp/fwd.out | grep -v ' RX .* Mpps .* TX .* Mpps .* dropped' || true
	[[ -f /tmp/lat.csv ]] && awk -F, -v r="$r" 'NR == 1 || $2 != 0 { print "IXY-LAT-CSV rate=" r " " $0 }' /tmp/lat.csv
done
echo "IXY-LAT-DONE"
