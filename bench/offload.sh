#!/usr/bin/env bash
# What a TX checksum costs with and without the NIC's offload (bench/offload_bench.c):
#
#   bench/offload.sh [--quick]
#
# Prints, for UDP/IPv4 frames of 60 and 1514 bytes, batches of 32:
#   bench tx_csum offload=none|sw|hw ... cycles_per_pkt=   (TSC, best of 5 runs)
#   bench tx_csum_instr offload=none|sw|hw ... instr_per_pkt= csum=   (callgrind;
#       csum = instructions above offload=none, i.e. what the checksums cost)
# bench/run.sh calls it; it builds into the same tree (IXY_BENCH_BUILD).
# Root and 2 MiB hugepages; valgrind for the instruction counts.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${IXY_BENCH_BUILD:-$ROOT/build-bench}
PK=200000
[ "${1:-}" = --quick ] && PK=50000
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g -DIXY_BUILD_TESTS=OFF \
		-DIXY_SANITIZE=OFF -DIXY_WERROR=OFF >/dev/null
fi
cmake --build "$BUILD" -j2 --target offload_bench >/dev/null

"$BUILD/offload_bench" --packets "$PK"

[ -n "${IXY_OFFLOAD_NO_CALLGRIND:-}" ] && exit 0
command -v valgrind >/dev/null || { echo "offload.sh: valgrind not installed: no instruction counts" >&2; exit 0; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for frame in 60 1514; do
	none=
	for way in none sw hw; do
		pk=$(valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$OUT" \
			"$BUILD/offload_bench" --callgrind "$way" --frame "$frame" --packets 20000 2>/dev/null |
			sed -n 's/.* packets=\([0-9]*\).*/\1/p')
		ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$OUT")
		per=$(awk -v i="$ir" -v p="$pk" 'BEGIN { printf "%.1f", i / p }')
		[ "$way" = none ] && none=$per
		echo "bench tx_csum_instr offload=$way frame=$frame batch=32 instr_per_pkt=$per" \
			"csum=$(awk -v a="$per" -v b="$none" 'BEGIN { printf "%.1f", a - b }') packets=$pk"
	done
done
