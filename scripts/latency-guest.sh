#!/usr/bin/env bash
# Forwarding latency of ixy-fwd in the QEMU test guest (TCG), on legacy
# virtio-net ports, measured by ixy-latency in another guest process with
# software timestamps (virtio has no IEEE 1588 clock):
#
#   ixy-latency [LAT_TX] -tap4- host bridge -tap5- [FWD_IN ixy-fwd FWD_OUT] -tap6- host bridge -tap7- [LAT_RX] ixy-latency
#
#   scripts/latency-guest.sh [OUTDIR] [RATES...]   default: lat-guest-out, 0 10 50 100 (Mbit/s; 0 = probes only)
#
# Boots the guest once (scripts/qemu-guest.sh --run tests/guest/latency-measure.sh,
# the pc machine's latency path); per rate a fresh ixy-fwd, then
# ixy-latency -s 60 [-r RATEMbit] -N EVERY -n PROBES. Environment: PROBES
# (default 1000), EVERY (load frames per probe, default 100), BIN (histogram
# bin in ns, default 10000), SMP (guest CPUs, default 1), IXY_BUILD (build
# directory, default build). Per rate OUTDIR/RATE.txt (ixy-latency's
# output), RATE.fwd.txt (ixy-fwd's), RATE.csv (histogram, the tool's
# format) and RATE.png (gnuplot, the tool's layout); OUTDIR/console.log;
# a table at the end. Needs root and what qemu-guest.sh needs; gnuplot for
# the plots.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${IXY_BUILD:-$root/build}
out=${1:-lat-guest-out}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(0 10 50 100)
probes=${PROBES:-1000} every=${EVERY:-100} bin=${BIN:-10000} smp=${SMP:-1}
for v in "${rates[@]}" "$probes" "$every" "$bin" "$smp"; do
	case $v in '' | *[!0-9]*) echo "latency-guest.sh: '$v' is not a whole number (rates in Mbit/s)" >&2; exit 2 ;; esac
done
[ -x "$build/ixy-latency" ] && [ -x "$build/ixy-fwd" ] ||
	{ echo "latency-guest.sh: build ixy-latency and ixy-fwd in $build first (IXY_BUILD=DIR)" >&2; exit 1; }
mkdir -p "$out"
log=$out/console.log

# A generous limit: boot (~10 s), per rate a forwarder start and the
# probes, which TCG sends at a few hundred to a few thousand a second.
limit=$((120 + ${#rates[@]} * (60 + probes / 20)))
rc=0
bash "$root/scripts/qemu-guest.sh" --build-dir "$build" --log "$log" --timeout "$limit" --smp "$smp" \
	--run "$root/tests/guest/latency-measure.sh" --env "LAT_RATES=${rates[*]}" --env "LAT_PROBES=$probes" \
	--env "LAT_EVERY=$every" --env "LAT_BIN=$bin" --env "IXY_CHECK_TIMEOUT=$((limit - 30))" >/dev/null || rc=$?
grep -q '^IXY-LAT-DONE' "$log" || { echo "latency-guest.sh: the guest did not finish the runs (qemu-guest.sh exit $rc; $log)" >&2; exit 1; }

grep -a '^IXY-LAT-INFO ' "$log" | sed 's/^IXY-LAT-INFO //'
# the host's side of the path over all runs (RX = from the guest, TX =
# towards it; TX dropped = the guest's port did not take them in time)
grep -a '^IXY-HOST-LINK ' "$log" | sed 's/^IXY-HOST-LINK /host /'
printf '%-8s %8s %8s %8s %10s %10s %10s %10s %10s %10s %9s %s\n' Mbit/s probes measured lost p50_ns p90_ns p99_ns \
	p99.9_ns p99.99_ns max_ns sent_Mpps timestamps
for r in "${rates[@]}"; do
	sed -n "s/^IXY-LAT rate=$r //p" "$log" >"$out/$r.txt"
	sed -n "s/^IXY-LAT-FWD rate=$r //p" "$log" >"$out/$r.fwd.txt"
	# the guest sent the non-empty bins: the empty ones back in between
	sed -n "s/^IXY-LAT-CSV rate=$r //p" "$log" | awk -F, -v bin="$bin" '
		NR == 1 { print; next }
		{ if (NR > 2) for (b = prev + bin; b < $1; b += bin) print b ",0"; print; prev = $1 }' >"$out/$r.csv"
	line=$(grep '^latency ' "$out/$r.txt" || echo "latency failed")
	f() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$line"; }
	mpps=$(sed -n 's/.*sent (\([0-9.]*\) Mpps.*/\1/p' "$out/$r.txt")
	printf '%-8s %8s %8s %8s %10s %10s %10s %10s %10s %10s %9s %s\n' "$r" "$(f probes)" "$(f measured)" "$(f lost)" \
		"$(f p50_ns)" "$(f p90_ns)" "$(f p99_ns)" "$(f p99.9_ns)" "$(f p99.99_ns)" "$(f max_ns)" "${mpps:--}" \
		"$(f timestamps)"
	grep -h 'RATE NOT REACHED' "$out/$r.txt" || true
	n=$(f measured)
	if command -v gnuplot >/dev/null && [ "${n:-0}" -gt 0 ]; then
		gnuplot -e "set terminal png size 900,800; set output '$out/$r.png'; set datafile separator ',';
			set multiplot layout 2,1 title 'QEMU guest (TCG), virtio: ixy-fwd, load $r Mbit/s, $n probes, software timestamps' noenhanced;
			set xlabel 'latency (ns)'; set ylabel 'probes'; set logscale y; set yrange [0.8:*];
			set offsets graph 0.05, graph 0.05; set style fill solid 0.6; set boxwidth $bin;
			plot '$out/$r.csv' every ::1 using (\$1+$bin/2.0):2 with boxes notitle;
			unset logscale y; set yrange [0:1]; set logscale x; set offsets 0,0,0,0; set grid;
			set xlabel 'latency (ns, log)'; set ylabel 'fraction of probes at or below';
			plot '$out/$r.csv' every ::1 using (\$1+$bin):(\$2/$n.0) smooth cumulative with steps notitle;
			unset multiplot" || echo "latency-guest.sh: gnuplot failed for $out/$r.png" >&2
	fi
done
