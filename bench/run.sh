#!/usr/bin/env bash
# The performance figures of docs/performance.md and the README, in one
# command (root, 2 MiB hugepages mounted; valgrind for instruction counts):
#
#   bench/run.sh [--quick] [--no-callgrind] [--secs S]
#
# Builds a Release tree with debug info (same code, -g only adds line
# tables for callgrind's attribution) in build-bench/, then prints
#   bench fwd / rx / tx / mempool ...    cycles per packet (TSC), bench/fwd_bench.c
#   bench fwd_instr / rx_instr / tx_instr  instructions per packet (callgrind)
#   bench pktgen mode=threaded ...       ixy-pktgen's rate on a sim port
#   bench mc / mc_sum / mc_instr threads=N  forwarding with N threads, one queue
#                                        pair each (RSS), bench/mc_bench.c
#   bench mc_mempool threads=N ...       mempool per thread vs one shared pool
# and a short table at the end. Output: one `bench NAME key=value` line per
# measurement; keep the whole log (tee) when quoting figures.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${IXY_BENCH_BUILD:-$ROOT/build-bench}
QUICK=0 CALLGRIND=1 SECS=0.5
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--no-callgrind) CALLGRIND=0 ;;
	--secs) SECS=$2; shift ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

if ! grep -q hugetlbfs /proc/mounts; then
	echo "run.sh: no hugetlbfs mounted: mkdir -p /mnt/huge && mount -t hugetlbfs -o pagesize=2M nodev /mnt/huge" >&2
	exit 1
fi

# every option given: whatever an earlier configure left in the cache
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g -DIXY_BUILD_TESTS=OFF \
	-DIXY_SANITIZE=OFF -DIXY_WERROR=OFF >/dev/null
cmake --build "$BUILD" -j2 --target fwd_bench ixy-pktgen mc_bench >/dev/null

LOG=$(mktemp)
trap 'rm -f "$LOG" "$LOG".cg*' EXIT
echo "bench env cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\" cores=$(nproc)" \
	"commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)" | tee -a "$LOG"

Q=(); [ "$QUICK" = 1 ] && Q=(--quick)
"$BUILD/fwd_bench" --secs "$SECS" "${Q[@]}" | tee -a "$LOG"

# ---- instructions per packet: callgrind, collection only inside the
# driver regions; costs of inlined code are attributed by source file, so
# the mempool fast path (include/ixy/mempool.h) counts as mempool even
# where it is inlined into rx_batch/tx_batch.
cg_split() {   # kind batch -> "packets rx tx mempool fwd other"
	local kind=$1 batch=$2 out="$LOG.cg.$1.$2" pk
	pk=$(valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out" \
		"$BUILD/fwd_bench" --callgrind "$kind" --batch "$batch" --packets 100000 2>/dev/null |
		sed -n 's/.* packets=\([0-9]*\).*/\1/p')
	callgrind_annotate --auto=no --inclusive=no --threshold=100 "$out" 2>/dev/null | awk -v pk="$pk" '
		/^ *[0-9,]+ +\(/ && $0 ~ /:/ {
			n = $1; gsub(",", "", n)
			loc = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", loc); sub(/ .*/, "", loc); fn = loc; sub(/.*:/, "", fn); file = loc; sub(/:[^:]*$/, "", file)
			if (file ~ /mempool\.[ch]$/) mp += n
			else if (fn ~ /^(ixgbe|ixy)_.*rx/) rx += n
			else if (fn ~ /^(ixgbe|ixy)_.*tx/) tx += n
			else if (fn ~ /^fwd_work/) fw += n
			else other += n
		}
		END { printf "%d %.1f %.1f %.1f %.1f %.1f\n", pk, rx/pk, tx/pk, mp/pk, fw/pk, other/pk }'
	rm -f "$out"
}

if [ "$CALLGRIND" = 1 ]; then
	if ! command -v valgrind >/dev/null; then
		echo "run.sh: valgrind not installed (apt-get install valgrind): no instruction counts" >&2
	else
		BATCHES="1 2 4 8 16 32 64 128 256"
		[ "$QUICK" = 1 ] && BATCHES="1 32"
		for b in $BATCHES; do
			read -r pk rx tx mp fw other < <(cg_split fwd "$b")
			tot=$(awk -v a="$rx" -v b="$tx" -v c="$mp" -v d="$fw" 'BEGIN { printf "%.1f", a + b + c + d }')
			echo "bench fwd_instr mode=stepped batch=$b ring=512 frame=64 instr_per_pkt=$tot rx=$rx tx=$tx" \
				"mempool=$mp fwd=$fw bench_glue=$other packets=$pk" | tee -a "$LOG"
		done
		for b in $BATCHES; do
			read -r pk rx tx mp fw other < <(cg_split rx "$b")
			echo "bench rx_instr mode=stepped batch=$b ring=512 frame=64" \
				"instr_per_pkt=$(awk -v a="$rx" -v c="$mp" 'BEGIN { printf "%.1f", a + c }') rx=$rx mempool=$mp" \
				"packets=$pk" | tee -a "$LOG"
			read -r pk rx tx mp fw other < <(cg_split tx "$b")
			echo "bench tx_instr mode=stepped batch=$b ring=512 frame=64" \
				"instr_per_pkt=$(awk -v a="$tx" -v c="$mp" 'BEGIN { printf "%.1f", a + c }') tx=$tx mempool=$mp" \
				"packets=$pk" | tee -a "$LOG"
		done
	fi
fi

# ---- ixy-pktgen on a threaded sim port (null wire, unthrottled): the
# whole app, its per-packet sequence stamping included. With 2+ CPUs the
# app runs on the first and the model's engine thread (named
# ixy-sim-engine, src/model/sim_engine.c) is moved to the second as soon
# as it exists, as fwd_bench does for forwarding: left to the scheduler,
# the two sometimes share a CPU and then take turns per tick.
read -r CPU_A CPU_B < <(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' |
	awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }' | head -2 | tr '\n' ' ') || true
PG_OUT=$(mktemp)
PIN=() APP_CPU=-1
if [ -n "${CPU_B:-}" ]; then PIN=(taskset -c "$CPU_A"); APP_CPU=$CPU_A; fi
"${PIN[@]}" "$BUILD/ixy-pktgen" -t 2 -i 0 -s 60 "sim:bench_pg,wire=null,unthrottled,link_delay_us=1" >"$PG_OUT" 2>&1 &
PG_PID=$!
ENG_CPU=-1
if [ -n "${CPU_B:-}" ]; then
	for _ in $(seq 100); do
		for t in /proc/$PG_PID/task/*; do
			if [ "$(cat "$t/comm" 2>/dev/null)" = ixy-sim-engine ] && taskset -pc "$CPU_B" "${t##*/}" >/dev/null; then
				ENG_CPU=$CPU_B
			fi
		done
		[ "$ENG_CPU" != -1 ] && break
		sleep 0.01
	done
fi
wait "$PG_PID" || true
PG=$(cat "$PG_OUT"); rm -f "$PG_OUT"
sent=$(echo "$PG" | sed -n 's/.*sent \([0-9]*\) frames.*/\1/p')
if [ -n "$sent" ]; then
	echo "bench pktgen mode=threaded batch=32 frame=64 mpps=$(awk -v s="$sent" 'BEGIN { printf "%.2f", s / 2 / 1e6 }')" \
		"app_cpu=$APP_CPU engine_cpu=$ENG_CPU" | tee -a "$LOG"
else
	echo "run.sh: ixy-pktgen failed: $PG" >&2
fi

# ---- the human table
echo
echo "Forwarding, 64-byte frames (stepped: model time excluded; threaded: model on the other core)"
awk '
	/^bench fwd mode=/ { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["ring"] != 512) next
		key = v["mode"] " " v["batch"]; if (key in cyc) next; cyc[key] = sprintf("%6s %5s %5s %5s %8s", v["cycles_per_pkt"],
			v["rx"], v["tx"], v["fwd"], v["mpps"]); order[++n] = key }
	/^bench fwd_instr/ { for (i = 3; i <= NF; i++) { split($i, kv, "="); w[kv[1]] = kv[2] }
		ins["stepped " w["batch"]] = sprintf("%6s %5s %5s %5s %5s", w["instr_per_pkt"], w["rx"], w["tx"],
			w["mempool"], w["fwd"]) }
	END {
		printf "%-9s %5s | %6s %5s %5s %5s %8s | %6s %5s %5s %5s %5s\n", "mode", "batch", "cyc/p", "rx",
			"tx", "fwd", "Mpps", "ins/p", "rx", "tx", "mpool", "fwd"
		for (i = 1; i <= n; i++) { split(order[i], k, " ")
			printf "%-9s %5s | %s | %s\n", k[1], k[2], cyc[order[i]], (order[i] in ins) ? ins[order[i]] : "" }
	}' "$LOG"

# ---- multi-core (bench/mc_bench.c): N threads, each forwarding its own
# queue pair of two stepped ports and stepping the model for its own TX
# queues. Cycles (TSC) per packet of the driver part and of the model's
# stepping, aggregate rates; then exact instructions per packet of each
# thread's driver part (callgrind, --toggle-collect on mc_driver_part,
# one output file per thread).
echo
"$BUILD/mc_bench" --secs "$SECS" | tee -a "$LOG"
if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null; then
	for t in 1 2; do
		out="$LOG.cg.mc.$t"
		pk=$(valgrind --tool=callgrind --collect-atstart=no --toggle-collect=mc_driver_part --separate-threads=yes \
			--callgrind-out-file="$out" "$BUILD/mc_bench" --callgrind --threads "$t" --packets 100000 2>/dev/null |
			sed -n 's/^bench mc_cg .* thread=\([0-9]*\) .* packets=\([0-9]*\).*/\1 \2/p')
		while read -r th n; do
			f=$(printf '%s-%02d' "$out" $((th + 1)))   # valgrind thread ids: main = 1
			ir=$(sed -n 's/^summary: //p' "$f" 2>/dev/null)
			if [ -n "$ir" ] && [ "$n" -gt 0 ]; then
				echo "bench mc_instr mode=stepped threads=$t thread=$th batch=32 ring=512 frame=64" \
					"instr_per_pkt=$(awk -v a="$ir" -v b="$n" 'BEGIN { printf "%.1f", a / b }') packets=$n" | tee -a "$LOG"
			fi
		done <<<"$pk"
		rm -f "$out" "$out"-*
	done
fi
echo
echo "Multi-core forwarding, 64-byte frames, stepped ports, batch 32 (per packet; rates in Mpps)"
echo "This machine: $(nproc) CPUs shared with other work; cycle figures and rates depend on its load."
awk '
	/^bench mc_sum / { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		t = v["threads"]; row[t] = sprintf("%6s %6s %10s %7s %8s", v["driver_cycles_per_pkt"], v["model_cycles_per_pkt"],
			v["spread"], v["aggregate_mpps"], v["driver_mpps"]); order[++n] = t }
	/^bench mc_instr / { for (i = 3; i <= NF; i++) { split($i, kv, "="); w[kv[1]] = kv[2] }
		ins[w["threads"]] = ins[w["threads"]] (ins[w["threads"]] == "" ? "" : " ") w["instr_per_pkt"] }
	END {
		printf "%7s | %6s %6s %10s %7s %8s | %s\n", "threads", "drv/p", "mdl/p", "drv spread", "Mpps", "drv Mpps", "instr/p per thread"
		for (i = 1; i <= n; i++) printf "%7s | %s | %s\n", order[i], row[order[i]], ins[order[i]]
	}' "$LOG"
