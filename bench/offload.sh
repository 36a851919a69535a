#!/usr/bin/env bash
# What a TX checksum costs with and without the NIC's offload (bench/offload_bench.c):
#
#   bench/offload.sh [--quick]
#
# Prints, for UDP/IPv4 frames of 60 and 1514 bytes, batches of 32:
#   bench tx_csum offload=none|sw|hw ... instr_per_pkt= csum_instr=
# (callgrind, exact; csum_instr = instructions above offload=none, i.e.
# what making the checksums right costs the CPU; no TSC cycles, see
# bench/offload_bench.c)
# bench/run.sh calls it; it builds into the same tree (IXY_BENCH_BUILD).
# Root, 2 MiB hugepages, valgrind.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${IXY_BENCH_BUILD:-$ROOT/build-bench}
PK=20000
[ "${1:-}" = --quick ] && PK=5000
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g -DIXY_BUILD_TESTS=OFF \
		-DIXY_SANITIZE=OFF -DIXY_WERROR=OFF >/dev/null
fi
cmake --build "$BUILD" -j2 --target offload_bench >/dev/null

command -v valgrind >/dev/null || { echo "offload.sh: valgrind not installed (apt-get install valgrind)" >&2; exit 1; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for frame in 60 1514; do
	none=
	for way in none sw hw; do
		pk=$(valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$OUT" \
			"$BUILD/offload_bench" --way "$way" --frame "$frame" --packets "$PK" 2>/dev/null |
			sed -n 's/.* packets=\([0-9]*\).*/\1/p')
		ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$OUT")
		[ -n "$pk" ] && [ -n "$ir" ] || { echo "offload.sh: offload_bench --way $way --frame $frame failed" >&2; exit 1; }
		per=$(awk -v i="$ir" -v p="$pk" 'BEGIN { printf "%.1f", i / p }')
		[ "$way" = none ] && none=$per
		echo "bench tx_csum offload=$way frame=$frame batch=32 instr_per_pkt=$per" \
			"csum_instr=$(awk -v a="$per" -v b="$none" 'BEGIN { printf "%.1f", a - b }') packets=$pk"
	done
done
