#!/usr/bin/env bash
# Forwarding latency of ixy-fwd between two virtual 82599 ports (threaded),
# measured by ixy-latency in another process with IEEE 1588 timestamps:
#
#   ixy-latency [sim:lt] --shm cable 1--> [sim:fa  ixy-fwd  sim:fb] --shm cable 2--> [sim:lr] ixy-latency
#
#   scripts/latency-fwd.sh [OUTDIR] [RATES...]    default: lat-out, 1000 2000 5000 10000 (Mbit/s)
#                                                 (rate 0: probes only, no load)
#
# 64-byte load at each rate, a probe every 100 frames, PROBES probes (env,
# default 2000) per rate; per rate OUTDIR/RATE.txt (the tool's output),
# RATE.csv (histogram, 100 ns bins) and RATE.png; a table at the end.
# Needs root, hugepages and a Release build in ${IXY_BUILD:-build-rel}.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${IXY_BUILD:-$root/build-rel}
out=${1:-lat-out}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(1000 2000 5000 10000)
probes=${PROBES:-2000}
for r in "${rates[@]}"; do
	case $r in ''|*[!0-9]*) echo "latency-fwd.sh: rate '$r' is not a number of Mbit/s" >&2; exit 2 ;; esac
done
[ -x "$build/ixy-latency" ] && [ -x "$build/ixy-fwd" ] ||
	{ echo "latency-fwd.sh: build ixy-latency and ixy-fwd in $build first" >&2; exit 1; }
mkdir -p "$out"
c1=ixy-lat1-$$ c2=ixy-lat2-$$
fwd_pid=
stop() {
	[ -n "$fwd_pid" ] && kill -INT "$fwd_pid" 2>/dev/null
	wait 2>/dev/null || true
}
trap stop EXIT INT TERM

printf '%-8s %8s %8s %10s %10s %10s %10s %10s %10s %6s %s\n' Mbit/s measured lost p50_ns p90_ns p99_ns \
	p99.9_ns p99.99_ns max_ns sent_Mpps timestamps
for r in "${rates[@]}"; do
	"$build/ixy-fwd" -i 0 "sim:fa,wire=shm:$c1" "sim:fb,wire=shm:$c2" >"$out/$r.fwd.txt" 2>&1 &
	fwd_pid=$!
	load=(); [ "$r" != 0 ] && load=(-r "${r}Mbit")
	"$build/ixy-latency" -s 60 "${load[@]}" -N 100 -n "$probes" --csv "$out/$r.csv" --bin 100 \
		--png "$out/$r.png" "sim:lt,wire=shm:$c1" "sim:lr,wire=shm:$c2" >"$out/$r.txt" 2>&1 || true
	kill -INT "$fwd_pid" 2>/dev/null
	wait "$fwd_pid" 2>/dev/null || true
	fwd_pid=
	line=$(grep '^latency ' "$out/$r.txt" || echo "latency failed")
	f() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$line"; }
	mpps=$(sed -n 's/.*sent (\([0-9.]*\) Mpps.*/\1/p' "$out/$r.txt")
	printf '%-8s %8s %8s %10s %10s %10s %10s %10s %10s %6s %s\n' "$r" "$(f measured)" "$(f lost)" "$(f p50_ns)" \
		"$(f p90_ns)" "$(f p99_ns)" "$(f p99.9_ns)" "$(f p99.99_ns)" "$(f max_ns)" "$mpps" "$(f timestamps)"
done
