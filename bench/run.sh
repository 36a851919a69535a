#!/usr/bin/env bash
# The performance figures of docs/performance.md and the README, in one
# command (root, 2 MiB hugepages mounted; valgrind for instruction counts):
#
#   bench/run.sh [--quick] [--no-callgrind] [--secs S]
#
# Builds a Release tree with debug info (same code, -g only adds line
# tables for callgrind's attribution) in build-bench/, then prints
#   bench fwd_instr / rx_instr / tx_instr / mempool_instr  instructions per
#                                        packet (callgrind), measured first
#   bench fwd / rx / tx / mempool ...    TSC cycles per packet, min/median/max
#                                        of several runs, cache=hot|cold|xcpu
#                                        (bench/fwd_bench.c, docs/performance.md)
#   bench pktgen mode=threaded ...       ixy-pktgen's rate on a sim port
#   bench tx_csum offload=none|sw|hw     instructions of a TX checksum, software / offloaded (bench/offload.sh)
#   bench mc / mc_sum / mc_instr threads=N  forwarding with N threads, one queue
#                                        pair each (RSS), bench/mc_bench.c
#   bench mc_mempool threads=N ...       mempool per thread vs one shared pool
# and a short table at the end. Output: one `bench NAME key=value` line per
# measurement; keep the whole log (tee) when quoting figures. The cycle
# figures are checked against the instruction counts of the same run
# (fwd_bench --instr): without callgrind they print check=unchecked.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${IXY_BENCH_BUILD:-$ROOT/build-bench}
QUICK=0 CALLGRIND=1 SECS=0.5
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--no-callgrind) CALLGRIND=0 ;;
	--secs) SECS=$2; shift ;;
	-h|--help) sed -n '2,18p' "$0"; exit 0 ;;
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

LOG=$(mktemp) INSTR=$(mktemp)
trap 'rm -f "$LOG" "$LOG".cg* "$INSTR"' EXIT
echo "bench env cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\"" \
	"family=$(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') cores=$(nproc)" \
	"commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo +changes)" \
	"load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" date=$(date -u +%Y-%m-%dT%H:%MZ)" | tee -a "$LOG"

# ---- instructions per packet first: callgrind, collection only inside
# the timed regions of the same loops fwd_bench times, so each cycle
# figure below can be checked against its own configuration's count
# (fwd_bench --instr). Costs of inlined code are attributed by source
# file, so the mempool fast path (include/ixy/mempool.h, src/memory/mempool_*.h)
# counts as mempool even where it is inlined into rx_batch/tx_batch, and so do
# the functions ixy_mempool_* / ixy__pkt_buf_* (callgrind files their inlined
# intrinsics under the compiler's headers); bench_glue is the
# bench's own loop inside the regions (counters, calls), region = all.
cg_split() {   # kind batch ring -> "packets rx tx mempool fwd other region cbr"
	local kind=$1 batch=$2 ring=$3 out="$LOG.cg.$1.$2.$3" pk
	pk=$(valgrind --tool=callgrind --branch-sim=yes --collect-atstart=no --callgrind-out-file="$out" \
		"$BUILD/fwd_bench" --callgrind "$kind" --batch "$batch" --ring "$ring" --packets 100000 2>/dev/null |
		sed -n 's/.* packets=\([0-9]*\).*/\1/p')
	# totals: "events: Ir Bc Bcm Bi Bim" and "summary: N N N N N"
	read -r all cbr < <(awk '/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
		/^summary:/ { print $(col["Ir"] + 1), $(col["Bc"] + 1) }' "$out")
	callgrind_annotate --show=Ir --auto=no --inclusive=no --threshold=100 "$out" 2>/dev/null |
		awk -v pk="$pk" -v all="$all" -v cbr="$cbr" '
		/^ *[0-9,]+ +\(/ && $0 ~ /:/ {
			n = $1; gsub(",", "", n)
			loc = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", loc); sub(/ .*/, "", loc); fn = loc; sub(/.*:/, "", fn); file = loc; sub(/:[^:]*$/, "", file)
			if (file ~ /mempool[a-z_]*\.[ch]$/ || fn ~ /^ixy__?(mempool|pkt_buf)_/) mp += n
			else if (fn ~ /^(ixgbe|ixy)_.*rx/) rx += n
			else if (fn ~ /^(ixgbe|ixy)_.*tx/) tx += n
			else if (fn ~ /^fwd_work/) fw += n
			else other += n
		}
		END { printf "%d %.1f %.1f %.1f %.1f %.1f %.1f %.1f\n", pk, rx/pk, tx/pk, mp/pk, fw/pk, other/pk,
			all/pk, cbr/pk }'
	rm -f "$out"
}

BATCHES="1 2 4 8 16 32 64 128 256"
[ "$QUICK" = 1 ] && BATCHES="1 32"
if [ "$CALLGRIND" = 1 ] && ! command -v valgrind >/dev/null; then
	echo "run.sh: valgrind not installed (apt-get install valgrind): no instruction counts, cycle figures unchecked" >&2
	CALLGRIND=0
fi
if [ "$CALLGRIND" = 1 ]; then
	echo "# kind batch ring instructions and conditional branches per packet in the timed region (callgrind)" >"$INSTR"
	RINGS=512; [ "$QUICK" = 1 ] || RINGS="64 128 256 512 1024 2048 4096"
	for ring in $RINGS; do
		for b in $BATCHES; do
			[ "$ring" != 512 ] && [ "$b" != 32 ] && continue
			read -r pk rx tx mp fw other all cbr < <(cg_split fwd "$b" "$ring")
			tot=$(awk -v a="$rx" -v b="$tx" -v c="$mp" -v d="$fw" 'BEGIN { printf "%.1f", a + b + c + d }')
			echo "bench fwd_instr mode=stepped batch=$b ring=$ring frame=64 instr_per_pkt=$tot rx=$rx tx=$tx" \
				"mempool=$mp fwd=$fw bench_glue=$other region=$all cbr=$cbr packets=$pk" | tee -a "$LOG"
			echo "fwd $b $ring $all $cbr" >>"$INSTR"
		done
	done
	for b in $BATCHES; do
		[ "$QUICK" = 1 ] && [ "$b" != 32 ] && continue
		read -r pk rx tx mp fw other all cbr < <(cg_split rx "$b" 512)
		echo "bench rx_instr mode=stepped batch=$b ring=512 frame=64" \
			"instr_per_pkt=$(awk -v a="$rx" -v c="$mp" 'BEGIN { printf "%.1f", a + c }') rx=$rx mempool=$mp" \
			"bench_glue=$other region=$all cbr=$cbr packets=$pk" | tee -a "$LOG"
		echo "rx $b 512 $all $cbr" >>"$INSTR"
		read -r pk rx tx mp fw other all cbr < <(cg_split tx "$b" 512)
		echo "bench tx_instr mode=stepped batch=$b ring=512 frame=64" \
			"instr_per_pkt=$(awk -v a="$tx" -v c="$mp" 'BEGIN { printf "%.1f", a + c }') tx=$tx mempool=$mp" \
			"bench_glue=$other region=$all cbr=$cbr packets=$pk" | tee -a "$LOG"
		echo "tx $b 512 $all $cbr" >>"$INSTR"
		read -r pk rx tx mp fw other all cbr < <(cg_split mempool "$b" 512)
		echo "bench mempool_instr batch=$b instr_per_pkt=$mp bench_glue=$other region=$all cbr=$cbr" \
			"packets=$pk" | tee -a "$LOG"
		echo "mempool $b 512 $all $cbr" >>"$INSTR"
	done
fi

# ---- cycles per packet: whole rounds timed, several runs each, hot and
# cold cache; a figure its instruction count makes impossible is refused
Q=(); [ "$QUICK" = 1 ] && Q=(--quick)
I=(); [ "$CALLGRIND" = 1 ] && I=(--instr "$INSTR")
"$BUILD/fwd_bench" --secs "$SECS" "${Q[@]}" "${I[@]}" | tee -a "$LOG"

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

# ---- what a TX checksum costs with and without the NIC's offload
# (bench/offload.sh: bench tx_csum / tx_csum_instr lines)
Q=(); [ "$QUICK" = 1 ] && Q=(--quick)
if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null; then
	IXY_BENCH_BUILD="$BUILD" bash "$ROOT/bench/offload.sh" "${Q[@]}" | tee -a "$LOG"
fi

echo "bench env_end load=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" | tee -a "$LOG"

# ---- the human table: what docs/performance.md's tables take
echo
echo "TSC cycles per packet, 64-byte frames, ring 512 (rN: ring N; 1G: buffers on 1 GiB pages): median"
echo "(min-max) of the runs; hot = the model wrote descriptors and frames from this core just before,"
echo "cold = those lines evicted first (as a NIC's DMA write would); threaded = the model on the other"
echo "core, whole forwarder time. ins/p = driver"
echo "instructions (rx+tx+mempool+fwd), region = all instructions in the timed region; ops/c = the least"
echo "dispatch slots per TSC cycle the fastest run implies (region minus fusable branches), (max) = ceiling."
awk '
	function kv(   i, a) { delete v; for (i = 2; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] } }
	function fig() { return v["cycles_per_pkt"] == "refused" ? "REFUSED" : \
		sprintf("%s (%s-%s)", v["cycles_per_pkt"], v["cycles_min"], v["cycles_max"]) }
	/^bench (fwd|rx|tx|mempool) / { kv()
		name = $2 == "fwd" ? "fwd " v["mode"] : $2
		if (v["ring"] != "" && v["ring"] != 512) name = name " r" v["ring"]
		if (v["pages"] != "" && v["pages"] != "2M") name = name " " v["pages"]
		key = name SUBSEP v["batch"]
		if (!(key in seen)) { seen[key] = 1; order[++n] = key }
		c = v["cache"]; cyc[key, c] = fig(); chk[key] = chk[key] (chk[key] == "" ? "" : "/") v["check"]
		if (v["ops_per_cycle"] != "" && v["ops_per_cycle"] + 0 > ipc[key] + 0) { ipc[key] = v["ops_per_cycle"]
			ceil[key] = v["ops_ceiling"] }
		if (v["mpps"] != "") mpps[key] = v["mpps"] }
	/^bench (fwd|rx|tx|mempool)_instr / { kv()
		k = $2; sub(/_instr$/, "", k); if (k == "fwd") k = "fwd stepped"
		if (v["ring"] != "" && v["ring"] != 512) k = k " r" v["ring"]
		ins[k SUBSEP v["batch"]] = v["instr_per_pkt"]; reg[k SUBSEP v["batch"]] = v["region"]
		if (k == "fwd stepped") { ins["fwd threaded" SUBSEP v["batch"]] = v["instr_per_pkt"]
			reg["fwd threaded" SUBSEP v["batch"]] = v["region"] }
		if (k == "tx" || k == "mempool") { ins[k " 1G" SUBSEP v["batch"]] = v["instr_per_pkt"]
			reg[k " 1G" SUBSEP v["batch"]] = v["region"] } }
	END {
		printf "%-17s %5s | %-19s | %-19s | %6s | %6s %6s | %-11s %s\n", "what", "batch", "hot", "cold",
			"Mpps", "ins/p", "region", "ops/c (max)", "check"
		for (i = 1; i <= n; i++) { k = order[i]; split(k, p, SUBSEP)
			printf "%-17s %5s | %-19s | %-19s | %6s | %6s %6s | %-11s %s\n", p[1], p[2],
				((k, "hot") in cyc) ? cyc[k, "hot"] : (((k, "xcpu") in cyc) ? cyc[k, "xcpu"] : "-"),
				((k, "cold") in cyc) ? cyc[k, "cold"] : "-", (k in mpps) ? mpps[k] : "-",
				(k in ins) ? ins[k] : "-", (k in reg) ? reg[k] : "-",
				(k in ipc) ? ipc[k] " (" ceil[k] ")" : "-", chk[k] }
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
