/* The driver's cost per packet: forwarding, RX only, TX only, mempool.
 *
 * Everything runs against the virtual 82599 (src/model). In stepped mode the
 * model moves frames only when we call ixy_sim_step, which happens outside
 * every timed region, so the clock sees only what libixy owns: rx_batch,
 * the forwarding work, tx_batch and the mempool operations. In threaded
 * mode the model's DMA-engine thread runs on the other core, as a NIC
 * would, and the forwarding core's whole time per packet is measured.
 *
 * Forwarding setup: ports A and B cabled to each other (wire=pair). The
 * forwarder moves A.rx -> B.tx and B.rx -> A.tx; a frame sent by B arrives
 * at A again, so a fixed set of frames (seeded once) circulates forever and
 * no generator is needed. P frames circulate per direction, chosen so that
 * no TX ring ever overflows (drops are counted and reported all the same).
 *
 * Clock (docs/performance.md, "How it measures"): the TSC, which on this
 * VM advances in steps of ~26 cycles and costs ~50 to read, so nothing
 * short is timed. One timed region is a whole round: one model step
 * delivers up to 256 frames per port (outside the region), then the
 * region drains them all - hundreds of packets, thousands of cycles - and
 * the clock's step and read cost are below 1 % of it. A region during
 * which the thread was switched out is dropped and counted (preempted=).
 * A run adds up regions for a time slice; each configuration gets --runs
 * runs, made in passes over all configurations on fresh ports, printed as
 * their minimum, median and spread, hot (the model wrote descriptors and
 * frames from this core a moment earlier) and cold (the descriptor and
 * frame-header lines the model wrote are evicted first, as a NIC's DMA
 * write invalidates them: bench/common/bench_cold.c).
 *
 * Plausibility: given the instruction count of the same configuration
 * (--instr FILE, from callgrind, as bench/run.sh does), a figure implying
 * more instructions per cycle than the CPU can retire is refused, not
 * printed: the least dispatch slots the instructions need (instructions
 * minus fusable conditional branches) against BENCH_OPS_PER_CORE_CYCLE
 * per core cycle, converted to TSC cycles at the fastest core clock seen
 * (bench/common/bench_stats.c). Hardware counters are not available in
 * these VMs, so instruction counts come from callgrind: --callgrind KIND
 * switches the clock off and toggles collection around the same regions.
 *
 * Output: one line per measurement, "bench NAME key=value ...".
 * Usage: fwd_bench [--secs S] [--runs N] [--quick] [--cpus F,E] [--cache hot|cold|both]
 *                  [--instr FILE] [--only fwd|threaded|rx|tx|mempool|ring|pages]
 *        (--quick: batch 1 and 32 only, no ring sizes or 1 GiB pages)
 *        fwd_bench --callgrind fwd|rx|tx|mempool --batch N [--ring N] [--packets N]
 * Needs root and 2 MiB hugepages (1 GiB ones for the pages comparison).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

#include <valgrind/callgrind.h>

#include "bench_clock.h"
#include "bench_cold.h"
#include "bench_stats.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "ixy/packet.h"
#include "ixy/sim.h"

#define MAX_BATCH 256
#define FRAME_LEN 60            /* 64 bytes on the wire with the CRC */
#define MAX_RUNS 64

static double opt_secs = 0.5;
static int opt_runs = 9;
static int opt_fwd_cpu = -1, opt_eng_cpu = -1;  /* --cpus F,E; -1 = first two CPUs we may use */
static bool opt_hot = true, opt_cold = true;    /* --cache */
static int cg_mode;             /* callgrind: no clock, toggle collection */

/* instruction counts per packet (--instr), for the plausibility check */
static struct bench_instr instr_tab[256];
static unsigned instr_n;

/* ---- clock ---- */

static struct bench_clock bclk;

static inline uint64_t clk(void)
{
	return cg_mode ? 0 : bench_tsc();
}

static uint64_t now_ns(void) { return bench_now_ns(); }

static void update_ceiling(void) { bench_clock_update(&bclk); }

static inline void cg_toggle(void)
{
	if (cg_mode)
		CALLGRIND_TOGGLE_COLLECT;
}

static void die(const char *what)
{
	fprintf(stderr, "fwd_bench: %s: %s\n", what, ixy_last_error());
	exit(1);
}

/* ---- ports ---- */

static unsigned port_seq;

static struct ixy_sim *new_sim(enum ixy_sim_mode mode, char *name, size_t len)
{
	snprintf(name, len, "fb%u", port_seq++);
	struct ixy_sim_config sc = { .mode = mode, .link_delay_us = 1, .unthrottled = true };
	struct ixy_sim *s = ixy_sim_create(name, &sc);
	if (!s)
		die("ixy_sim_create");
	return s;
}

static struct ixy_device *open_dev(struct ixy_sim *s, uint16_t ring, const char *hugetlbfs)
{
	struct ixy_config c = { .promisc = true, .rx_ring_size = ring, .tx_ring_size = ring,
				.link_timeout_ms = 3000, .numa_node = IXY_NUMA_NONE, .hugetlbfs = hugetlbfs };
	struct ixy_device *d = ixy_open_sim(s, &c);
	if (!d)
		die("ixy_open_sim");
	return d;
}

static struct ixy_mempool *new_pool(uint32_t n, size_t page)
{
	struct ixy_mempool_opts o = { .num_entries = n, .numa_node = -1, .page_size = page,
				      .hugetlbfs = page == IXY_PAGE_1G ? "/mnt/huge-1G" : NULL };
	struct ixy_mempool *p = ixy_mempool_create(&o);
	if (!p)
		die("ixy_mempool_create");
	return p;
}

/* Fill a pool's buffers with one 60-byte UDP frame. */
static void prebuild(struct ixy_mempool *p)
{
	struct ixy_udp_spec spec = { .dst_mac = { 2, 0, 0, 0, 0, 2 }, .src_mac = { 2, 0, 0, 0, 0, 1 },
				     .src_ip = 0xc6120001, .dst_ip = 0xc6130001, .src_port = 1024, .dst_port = 9 };
	for (uint32_t i = 0; i < ixy_mempool_size(p); i++) {
		struct ixy_pkt_buf *b = ixy_mempool_get(p, i);
		ixy_build_udp_frame(ixy_pkt_data(b), b->buf_len, FRAME_LEN, &spec);
		b->len = FRAME_LEN;
	}
}

/* ---- results ---- */

/* One run: timed regions added up. */
struct res {
	uint64_t pkts, calls, drops;
	uint64_t empty;                 /* rx calls that returned nothing */
	uint64_t cyc;                   /* TSC cycles inside the timed regions */
	uint64_t regions;
	uint64_t preempted;             /* regions dropped: the thread was switched out */
	uint64_t wall_ns;
};

/* Context switches of this thread so far: a region during which another
 * thread had the CPU (this machine is shared) timed that thread too, and
 * is dropped - counted as preempted, never silently. */
static long nswitch(void)
{
	struct rusage u;
	if (getrusage(RUSAGE_THREAD, &u) < 0)
		return 0;
	return u.ru_nivcsw + u.ru_nvcsw;
}

/* Adds one region's result `one` to run `r`, unless the thread was
 * switched out since sw = nswitch() before it. */
static void keep(struct res *r, const struct res *one, long sw)
{
	if (!cg_mode && nswitch() != sw) {
		r->preempted++;
		return;
	}
	r->pkts += one->pkts;
	r->calls += one->calls;
	r->drops += one->drops;
	r->empty += one->empty;
	r->cyc += one->cyc;
	r->regions += one->regions;
}

/* All runs of one configuration and cache state. */
struct series {
	double v[MAX_RUNS];             /* cycles per packet of each run */
	unsigned n;
	struct res sum;                 /* counters over all runs */
};

static double per(uint64_t x, uint64_t pkts) { return pkts ? (double)x / (double)pkts : 0; }

static void series_add(struct series *s, const struct res *r)
{
	if (r->pkts && s->n < MAX_RUNS)
		s->v[s->n++] = per(r->cyc, r->pkts);
	s->sum.pkts += r->pkts;
	s->sum.calls += r->calls;
	s->sum.drops += r->drops;
	s->sum.empty += r->empty;
	s->sum.cyc += r->cyc;
	s->sum.regions += r->regions;
	s->sum.preempted += r->preempted;
	s->sum.wall_ns += r->wall_ns;
}

/* Prints the cycle keys of a line: minimum, median, spread - or, if the
 * instruction count of this configuration says they are impossible,
 * "refused" in their place. Returns the median (0 if none printed). */
static double print_cycles(const struct series *s, const char *kind, uint32_t batch, uint32_t ring)
{
	struct bench_stats st;
	update_ceiling();       /* the clock the runs may just have had */
	const struct bench_instr *in = bench_instr_find(instr_tab, instr_n, kind, batch, ring);
	double instr = in ? in->instr : 0, cbr = in ? in->cbr : 0, ops;
	if (bench_stats_compute(s->v, s->n, &st) < 0) {
		printf(" cycles_per_pkt=none runs=0 check=refused reason=no_packets");
		return 0;
	}
	/* the fastest run implies the most instructions per cycle */
	enum bench_check c = bench_ipc_check(instr, cbr, st.min, bclk.ops_ceiling, &ops);
	if (c == BENCH_CHECK_REFUSED) {
		printf(" cycles_per_pkt=refused cycles_min=refused runs=%u instr_per_pkt=%.1f cbr_per_pkt=%.1f "
		       "ops_per_cycle=%.2f ops_ceiling=%.1f check=refused", st.n, instr, cbr, ops, bclk.ops_ceiling);
		return 0;
	}
	printf(" cycles_per_pkt=%.1f cycles_min=%.1f cycles_max=%.1f spread_pct=%.0f runs=%u", st.median, st.min,
	       st.max, st.spread_pct, st.n);
	if (c == BENCH_CHECK_OK)
		printf(" instr_per_pkt=%.1f cbr_per_pkt=%.1f ipc=%.2f ops_per_cycle=%.2f ops_ceiling=%.1f", instr, cbr,
		       instr / st.min, ops, bclk.ops_ceiling);
	printf(" check=%s", bench_check_name(c));
	return st.median;
}

static double load1(void)
{
	double l[1];
	return getloadavg(l, 1) == 1 ? l[0] : -1;
}

/* The forwarding work: touch every frame, as ixy's forwarder does (a
 * forwarder that never reads the packet would be unrealistically cheap).
 * Out of line so callgrind can attribute it. */
__attribute__((noinline)) static void fwd_work(struct ixy_pkt_buf **bufs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		ixy_pkt_data(bufs[i])[1]++;
}

/* One direction: rx on `in`, forward, tx on `out`. */
static inline uint32_t fwd_once(struct ixy_device *in, struct ixy_device *out, uint32_t batch, struct res *r)
{
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	uint32_t n = ixy_rx_batch(in, 0, bufs, batch);
	if (n == 0) {
		r->empty++;
		return 0;
	}
	fwd_work(bufs, n);
	uint32_t sent = ixy_tx_batch(out, 0, bufs, n);
	if (sent < n)
		ixy_pkt_buf_free_batch(bufs + sent, n - sent);
	r->pkts += n;
	r->calls++;
	r->drops += n - sent;
	return n;
}

/* One stepped round's region: forward both directions until both RX
 * rings are empty (each ends with one empty poll, as a poller's would). */
static void fwd_region(struct ixy_device *a, struct ixy_device *b, uint32_t batch, struct res *r)
{
	cg_toggle();
	uint64_t t0 = clk();
	uint32_t n1, n2;
	do {
		n1 = fwd_once(a, b, batch, r);
		n2 = fwd_once(b, a, batch, r);
	} while (n1 | n2);
	uint64_t t1 = clk();
	cg_toggle();
	r->cyc += t1 - t0;
	r->regions++;
}

/* Send `count` frames out of `dev` from the seed pool (they arrive at the
 * peer); steps a stepped port until all are taken. */
static void seed(struct ixy_device *dev, struct ixy_sim *sim, bool stepped, struct ixy_mempool *pool,
		 uint32_t count)
{
	struct ixy_pkt_buf *bufs[64];
	while (count) {
		uint32_t n = ixy_pkt_buf_alloc_batch(pool, bufs, count < 64 ? count : 64);
		if (n == 0)
			die("seed pool empty");
		ixy_tx_batch_busy_wait(dev, 0, bufs, n);
		count -= n;
		if (stepped)
			ixy_sim_step(sim);
	}
}

/* Frames circulating per direction: the TX ring must hold them plus up to
 * one unreclaimed block of 32 descriptors. */
static uint32_t circulating(uint16_t ring)
{
	return (uint32_t)ring * 7 / 8 - 32;
}

/* Pin every other thread of the process - the model's engine thread
 * (src/model/sim_engine.c; older models ran one per port pair) - to cpu.
 * The bench reaches into /proc rather than the library because pinning is
 * the experimenter's choice, not the model's. Returns the threads pinned. */
static int pin_other_threads(int cpu)
{
	DIR *dir = opendir("/proc/self/task");
	pid_t self = (pid_t)syscall(SYS_gettid);
	int pinned = 0;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (!dir)
		return 0;
	for (struct dirent *e; (e = readdir(dir));) {
		pid_t tid = (pid_t)atoi(e->d_name);
		if (tid > 0 && tid != self && sched_setaffinity(tid, sizeof(one), &one) == 0)
			pinned++;
	}
	closedir(dir);
	return pinned;
}

struct pinning {
	cpu_set_t saved;                /* the process's affinity before */
	int fwd_cpu, eng_cpu;
};

/* The forwarder on one CPU and, in threaded mode, the engine thread on
 * another one (the first two CPUs we may use, or --cpus F,E), so that the
 * scheduler never puts both on one CPU (where they would take turns per
 * tick) and the figures do not depend on where it happened to place them.
 * With one CPU only the forwarder is pinned. */
static struct pinning pin_threads(bool stepped)
{
	struct pinning p = { .fwd_cpu = -1, .eng_cpu = -1 };
	sched_getaffinity(0, sizeof(p.saved), &p.saved);
	int cpus[2], n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &p.saved))
			cpus[n++] = c;
	p.fwd_cpu = opt_fwd_cpu >= 0 ? opt_fwd_cpu : cpus[0];
	if (!stepped && n == 2)
		p.eng_cpu = opt_eng_cpu >= 0 ? opt_eng_cpu : (p.fwd_cpu == cpus[0] ? cpus[1] : cpus[0]);
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(p.fwd_cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		p.fwd_cpu = -1;
	if (p.eng_cpu >= 0 && pin_other_threads(p.eng_cpu) == 0)
		p.eng_cpu = -1;
	return p;
}

/* The time slice of one run. Each call of a run_* function makes one run
 * (hot, then cold) on ports set up afresh; main() calls them in passes
 * over all configurations, so that the runs of one configuration are
 * spread over the whole benchmark and over several memory layouts, not
 * bunched into one second of whatever the neighbours do then. */
static uint64_t slice_ns(void) { return (uint64_t)(opt_secs * 1e9 / opt_runs); }

struct fwd_out {
	struct series hot, cold;
	int fwd_cpu, eng_cpu;
};

/* Forwarding A <-> B. packets != 0 (callgrind): one hot run of that many
 * packets; else one run of each wanted cache state, added to out. */
static void run_fwd(enum ixy_sim_mode mode, uint32_t batch, uint16_t ring, uint64_t packets, const char *hugetlbfs,
		    struct fwd_out *out)
{
	char na[16], nb[16];
	struct ixy_sim *sa = new_sim(mode, na, sizeof(na)), *sb = new_sim(mode, nb, sizeof(nb));
	if (ixy_sim_wire_pair(sa, sb) < 0)
		die("ixy_sim_wire_pair");
	struct ixy_device *a = open_dev(sa, ring, hugetlbfs), *b = open_dev(sb, ring, hugetlbfs);
	bool stepped = mode == IXY_SIM_STEPPED;
	uint32_t p = circulating(ring);
	struct ixy_mempool *sp = new_pool(2 * p + 64, 0);
	prebuild(sp);
	seed(b, sb, stepped, sp, p);    /* B's TX -> A's RX: the A->B direction */
	seed(a, sa, stepped, sp, p);

	struct pinning pin = pin_threads(stepped);
	struct bench_cold ca, cb;
	bool cold = stepped && opt_cold && !packets;
	if (cold && (bench_cold_init(&ca, sa, a, FRAME_LEN) < 0 || bench_cold_init(&cb, sb, b, FRAME_LEN) < 0))
		exit(1);
	struct res r;
	int saved_cg = cg_mode;
	cg_mode = 0;                    /* warm-up: caches, branch predictors, ring positions */
	memset(&r, 0, sizeof(r));
	uint64_t warm_end = now_ns() + 20000000;
	for (int i = 0; i < 50 || now_ns() < warm_end; i++) {
		if (stepped) {
			ixy_sim_step(sa);
			fwd_region(a, b, batch, &r);
		} else {
			fwd_once(a, b, batch, &r);
			fwd_once(b, a, batch, &r);
		}
	}
	cg_mode = saved_cg;

	for (int c = 0; c < 2; c++) {
		bool is_cold = c == 1;
		if (!packets)
			update_ceiling();
		if (is_cold ? !cold : !(opt_hot || packets))
			continue;
		memset(&r, 0, sizeof(r));
		uint64_t t0 = now_ns(), end = t0 + slice_ns();
		if (stepped) {
			/* one untimed round first: the previous run's state
			 * (hot or cold) is not this one's */
			ixy_sim_step(sa);
			struct res scratch = { 0 };
			int s2 = cg_mode;
			cg_mode = 0;
			fwd_region(a, b, batch, &scratch);
			cg_mode = s2;
			for (uint64_t it = 0;; it++) {
				if (is_cold) {
					bench_cold_snapshot(&ca);
					bench_cold_snapshot(&cb);
				}
				ixy_sim_step(sa);
				if (is_cold) {
					bench_cold_evict(&ca, true);
					bench_cold_evict(&cb, true);
					bench_cold_done();
				}
				struct res one = { 0 };
				long sw = nswitch();
				fwd_region(a, b, batch, &one);
				keep(&r, &one, sw);
				if (packets ? r.pkts >= packets : ((it & 7) == 0 && now_ns() >= end))
					break;
			}
		} else {
			/* threaded: the forwarder's whole time, empty polls and all */
			uint64_t c0 = clk();
			for (uint64_t it = 0;; it++) {
				fwd_once(a, b, batch, &r);
				fwd_once(b, a, batch, &r);
				if ((it & 255) == 0 && now_ns() >= end)
					break;
			}
			r.cyc = clk() - c0;
			r.regions = 1;
		}
		r.wall_ns = now_ns() - t0;
		series_add(is_cold ? &out->cold : &out->hot, &r);
	}

	sched_setaffinity(0, sizeof(pin.saved), &pin.saved);
	out->fwd_cpu = pin.fwd_cpu;
	out->eng_cpu = pin.eng_cpu;
	unsigned v = ixy_sim_violation_count(sa) + ixy_sim_violation_count(sb);
	if (v) {
		fprintf(stderr, "fwd_bench: %u model violations, first: %s\n", v,
			ixy_sim_violation(ixy_sim_violation_count(sa) ? sa : sb, 0));
		exit(1);
	}
	if (cold) {
		bench_cold_free(&ca);
		bench_cold_free(&cb);
	}
	ixy_close(a);
	ixy_close(b);
	ixy_sim_destroy(sa);
	ixy_sim_destroy(sb);
	ixy_mempool_free(sp);
}

/* RX only: a generator feeds the port; each step delivers up to a ring's
 * worth, the region receives them all and returns each batch to the pool
 * (the pool's free is part of the figure; callgrind splits it). */
static void rx_region(struct ixy_device *d, uint32_t batch, struct res *r)
{
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	cg_toggle();
	uint64_t t0 = clk();
	for (;;) {
		uint32_t got = ixy_rx_batch(d, 0, bufs, batch);
		if (!got) {
			r->empty++;
			break;
		}
		ixy_pkt_buf_free_batch(bufs, got);
		r->pkts += got;
		r->calls++;
	}
	uint64_t t1 = clk();
	cg_toggle();
	r->cyc += t1 - t0;
	r->regions++;
}

static void run_rx(uint32_t batch, uint16_t ring, uint64_t packets, struct series *hot, struct series *cold_s)
{
	char n[16];
	struct ixy_sim *s = new_sim(IXY_SIM_STEPPED, n, sizeof(n));
	struct ixy_sim_gen g = { .frame_len = FRAME_LEN, .flows = 1 };
	if (ixy_sim_wire_generator(s, &g) < 0)
		die("ixy_sim_wire_generator");
	struct ixy_device *d = open_dev(s, ring, NULL);
	struct bench_cold c;
	bool cold = opt_cold && !packets;
	if (cold && bench_cold_init(&c, s, d, FRAME_LEN) < 0)
		exit(1);
	struct res r = { 0 };
	int saved_cg = cg_mode;
	cg_mode = 0;
	for (uint64_t end = now_ns() + 20000000; now_ns() < end;) {
		ixy_sim_step(s);
		rx_region(d, batch, &r);
	}
	cg_mode = saved_cg;
	for (int ci = 0; ci < 2; ci++) {
		bool is_cold = ci == 1;
		if (!packets)
			update_ceiling();
		if (is_cold ? !cold : !(opt_hot || packets))
			continue;
		memset(&r, 0, sizeof(r));
		uint64_t t0 = now_ns(), end = t0 + slice_ns();
		for (uint64_t it = 0;; it++) {
			if (is_cold)
				bench_cold_snapshot(&c);
			ixy_sim_step(s);
			if (is_cold) {
				bench_cold_evict(&c, true);
				bench_cold_done();
			}
			if (it == 0 && !packets) {      /* untimed: the state the run starts from */
				struct res scratch = { 0 };
				rx_region(d, batch, &scratch);
				continue;
			}
			struct res one = { 0 };
			long sw = nswitch();
			rx_region(d, batch, &one);
			keep(&r, &one, sw);
			if (packets ? r.pkts >= packets : ((it & 7) == 0 && now_ns() >= end))
				break;
		}
		r.wall_ns = now_ns() - t0;
		series_add(is_cold ? cold_s : hot, &r);
	}
	if (ixy_sim_violation_count(s))
		die("model violation in rx");
	if (cold)
		bench_cold_free(&c);
	ixy_close(d);
	ixy_sim_destroy(s);
}

/* TX only: buffers from a prebuilt pool (on `page`-sized pages) to a null
 * wire. A region allocates and sends half a ring in batches (the
 * buffers return to the pool inside tx_batch's reclaim, a ring later);
 * the step in between sends them and writes their descriptors back. */
static void tx_region(struct ixy_device *d, struct ixy_mempool *pool, uint32_t batch, uint32_t iters, struct res *r)
{
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	cg_toggle();
	uint64_t t0 = clk();
	for (uint32_t i = 0; i < iters; i++) {
		uint32_t got = ixy_pkt_buf_alloc_batch(pool, bufs, batch);
		uint32_t sent = ixy_tx_batch(d, 0, bufs, got);
		if (sent < got)
			ixy_pkt_buf_free_batch(bufs + sent, got - sent);
		r->pkts += sent;
		r->drops += got - sent;
		r->calls++;
	}
	uint64_t t1 = clk();
	cg_toggle();
	r->cyc += t1 - t0;
	r->regions++;
}

static void run_tx(uint32_t batch, uint16_t ring, uint64_t packets, size_t page, struct series *hot,
		   struct series *cold_s)
{
	char n[16];
	struct ixy_sim *s = new_sim(IXY_SIM_STEPPED, n, sizeof(n));
	if (ixy_sim_wire_null(s) < 0)
		die("ixy_sim_wire_null");
	struct ixy_device *d = open_dev(s, ring, NULL);
	struct ixy_mempool *pool = new_pool(4096, page);
	prebuild(pool);
	/* half a ring per region: a step moves at most 256 frames per queue
	 * (SIM_ROUND_BUDGET), so a larger region would leave frames behind
	 * until the ring overflowed, and the figure would time drops */
	uint32_t iters = ring / 2u / batch;
	if (iters == 0)
		iters = 1;
	struct bench_cold c;
	bool cold = opt_cold && !packets;
	if (cold && bench_cold_init(&c, s, d, FRAME_LEN) < 0)
		exit(1);
	struct res r = { 0 };
	int saved_cg = cg_mode;
	cg_mode = 0;
	for (uint64_t end = now_ns() + 20000000; now_ns() < end;) {
		tx_region(d, pool, batch, iters, &r);
		ixy_sim_step(s);
	}
	cg_mode = saved_cg;
	for (int ci = 0; ci < 2; ci++) {
		bool is_cold = ci == 1;
		if (!packets)
			update_ceiling();
		if (is_cold ? !cold : !(opt_hot || packets))
			continue;
		memset(&r, 0, sizeof(r));
		uint64_t t0 = now_ns(), end = t0 + slice_ns();
		for (uint64_t it = 0;; it++) {
			if (is_cold)
				bench_cold_snapshot(&c);
			ixy_sim_step(s);
			if (is_cold) {
				/* the model only read the frames: descriptors only */
				bench_cold_evict(&c, false);
				bench_cold_done();
			}
			if (it == 0 && !packets) {
				struct res scratch = { 0 };
				tx_region(d, pool, batch, iters, &scratch);
				continue;
			}
			struct res one = { 0 };
			long sw = nswitch();
			tx_region(d, pool, batch, iters, &one);
			keep(&r, &one, sw);
			if (packets ? r.pkts >= packets : ((it & 7) == 0 && now_ns() >= end))
				break;
		}
		r.wall_ns = now_ns() - t0;
		series_add(is_cold ? cold_s : hot, &r);
	}
	if (ixy_sim_violation_count(s))
		die("model violation in tx");
	if (cold)
		bench_cold_free(&c);
	ixy_close(d);
	ixy_sim_destroy(s);
	ixy_mempool_free(pool);
}

/* The mempool alone: allocate a batch, return it, 256 times per region.
 * The pool is larger than the batch, as in a driver. */
static void mp_region(struct ixy_mempool *pool, uint32_t batch, struct res *r)
{
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	cg_toggle();
	uint64_t t0 = clk();
	for (int i = 0; i < 256; i++) {
		uint32_t got = ixy_pkt_buf_alloc_batch(pool, bufs, batch);
		ixy_pkt_buf_free_batch(bufs, got);
		r->pkts += got;
		r->calls++;
	}
	uint64_t t1 = clk();
	cg_toggle();
	r->cyc += t1 - t0;
	r->regions++;
}

static void run_mempool(uint32_t batch, size_t page, uint64_t packets, struct series *out)
{
	struct ixy_mempool *pool = new_pool(4096, page);
	struct res r = { 0 };
	int saved_cg = cg_mode;
	cg_mode = 0;
	for (int i = 0; i < 100; i++)
		mp_region(pool, batch, &r);
	cg_mode = saved_cg;
	if (!packets)
		update_ceiling();
	memset(&r, 0, sizeof(r));
	uint64_t t0 = now_ns(), end = t0 + slice_ns() / 4;
	for (uint64_t it = 0;; it++) {
		struct res one = { 0 };
		long sw = nswitch();
		mp_region(pool, batch, &one);
		keep(&r, &one, sw);
		if (packets ? r.pkts >= packets : ((it & 7) == 0 && now_ns() >= end))
			break;
	}
	r.wall_ns = now_ns() - t0;
	series_add(out, &r);
	ixy_mempool_free(pool);
}

/* ---- what one cache line costs between the two CPUs ----
 * Threaded figures are dominated by lines that the other CPU wrote last
 * (descriptors, frame data, buffer metadata); what such a transfer costs
 * depends on where the host put the two vCPUs, and changes when it moves
 * them. Two threads pass a counter back and forth on one line; a one-way
 * hand-over is half a round trip (20000 round trips: a long region). */
static _Alignas(64) volatile uint64_t pp_line;

struct pp_arg {
	int cpu;
	uint64_t rounds;
};

static void pin_self(int cpu)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

static void *pp_echo(void *arg)
{
	const struct pp_arg *a = arg;
	pin_self(a->cpu);
	for (uint64_t i = 1; i <= a->rounds; i++) {
		while (pp_line != 2 * i - 1)
			_mm_pause();
		pp_line = 2 * i;
	}
	return NULL;
}

/* Median over 9 runs of 20000 round trips, in TSC cycles per one-way
 * hand-over; -1 if the CPUs cannot be used. */
static double line_handover_cycles(int cpu_a, int cpu_b)
{
	enum { RUNS = 9, ROUNDS = 20000 };
	double d[RUNS];
	cpu_set_t saved;
	sched_getaffinity(0, sizeof(saved), &saved);
	for (int r = 0; r < RUNS; r++) {
		struct pp_arg a = { .cpu = cpu_b, .rounds = ROUNDS };
		pthread_t t;
		pp_line = 0;
		pin_self(cpu_a);
		if (pthread_create(&t, NULL, pp_echo, &a) != 0)
			return -1;
		uint64_t c0 = __rdtsc();
		for (uint64_t i = 1; i <= ROUNDS; i++) {
			pp_line = 2 * i - 1;
			while (pp_line != 2 * i)
				_mm_pause();
		}
		uint64_t c1 = __rdtsc();
		pthread_join(t, NULL);
		d[r] = (double)(c1 - c0) / (2.0 * ROUNDS);
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	struct bench_stats st;
	return bench_stats_compute(d, RUNS, &st) == 0 ? st.median : -1;
}

/* ---- reports ---- */

static const uint32_t batches[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
#define NBATCH (sizeof(batches) / sizeof(batches[0]))

enum what { W_FWD, W_THREADED, W_RX, W_TX, W_MEMPOOL };

/* One configuration and what its runs found. */
struct cfg {
	enum what what;
	uint32_t batch;
	uint16_t ring;
	size_t page;
	const char *pn;                 /* "2M", "1G" */
	struct series hot, cold;
	int fwd_cpu, eng_cpu;
	double xcpu[MAX_RUNS];          /* threaded: line hand-over cost before each run */
	unsigned nxcpu;
};

static void print_fwd(const struct cfg *c, const char *cache, const struct series *s)
{
	const struct res *t = &s->sum;
	bool thr = c->what == W_THREADED;
	printf("bench fwd mode=%s batch=%u ring=%u pages=%s frame=64 cache=%s", thr ? "threaded" : "stepped",
	       c->batch, c->ring, c->pn, cache);
	/* threaded: checked against the stepped count of the same batch, a
	 * lower bound (its batches are never larger, and it polls empty more) */
	double med = print_cycles(s, "fwd", c->batch, c->ring);
	printf(" avg_batch=%.1f empty_polls_per_pkt=%.2f drops=%llu", t->calls ? (double)t->pkts / (double)t->calls : 0,
	       per(t->empty, t->pkts), (unsigned long long)t->drops);
	if (thr)
		printf(" mpps=%.2f", t->wall_ns ? (double)t->pkts / ((double)t->wall_ns / 1e3) : 0);
	else
		printf(" regions=%llu preempted=%llu pkts_per_region=%.0f", (unsigned long long)t->regions,
		       (unsigned long long)t->preempted, per(t->pkts, t->regions));
	if (med > 0)
		printf(" driver_mpps=%.1f", bclk.tsc_ghz * 1e3 / med);
	printf(" tsc_ghz=%.2f fwd_cpu=%d engine_cpu=%d", bclk.tsc_ghz, c->fwd_cpu, c->eng_cpu);
	struct bench_stats x;
	if (thr && bench_stats_compute(c->xcpu, c->nxcpu, &x) == 0)
		printf(" xcpu_handover_cycles=%.0f", x.median);
	printf(" load1=%.2f\n", load1());
}

static void print_simple(const struct cfg *c, const char *name, const char *cache, const struct series *s)
{
	const struct res *t = &s->sum;
	printf("bench %s mode=stepped batch=%u ring=512 pages=%s frame=64 cache=%s", name, c->batch, c->pn, cache);
	print_cycles(s, name, c->batch, 512);
	printf(" avg_batch=%.1f pkts_per_region=%.0f drops=%llu regions=%llu preempted=%llu load1=%.2f\n",
	       t->calls ? (double)t->pkts / (double)t->calls : 0, per(t->pkts, t->regions),
	       (unsigned long long)t->drops, (unsigned long long)t->regions, (unsigned long long)t->preempted,
	       load1());
}

static void print_mempool(const struct cfg *c)
{
	printf("bench mempool batch=%u pages=%s cache=hot", c->batch, c->pn);
	print_cycles(&c->hot, "mempool", c->batch, 512);
	printf(" regions=%llu preempted=%llu load1=%.2f\n", (unsigned long long)c->hot.sum.regions,
	       (unsigned long long)c->hot.sum.preempted, load1());
}

/* The two CPUs pin_threads will choose, for the hand-over cost; -1 if
 * there is only one. */
static void xcpu_pair(int *a, int *b)
{
	cpu_set_t cs;
	int cpus[2] = { -1, -1 }, nc = 0;
	sched_getaffinity(0, sizeof(cs), &cs);
	for (int c = 0; c < CPU_SETSIZE && nc < 2; c++)
		if (CPU_ISSET(c, &cs))
			cpus[nc++] = c;
	if (opt_fwd_cpu >= 0)
		cpus[0] = opt_fwd_cpu, cpus[1] = opt_eng_cpu;
	*a = cpus[0];
	*b = cpus[1];
}

/* One run of configuration c, added to its series. */
static void run_cfg(struct cfg *c)
{
	struct fwd_out o = { 0 };
	switch (c->what) {
	case W_FWD:
	case W_THREADED:
		if (c->what == W_THREADED) {
			/* measured right before the run: the host may move
			 * the vCPUs between runs, and the figures with them */
			int a, b;
			xcpu_pair(&a, &b);
			double h = b >= 0 ? line_handover_cycles(a, b) : -1;
			if (h > 0 && c->nxcpu < MAX_RUNS)
				c->xcpu[c->nxcpu++] = h;
		}
		o.hot = c->hot;
		o.cold = c->cold;
		run_fwd(c->what == W_FWD ? IXY_SIM_STEPPED : IXY_SIM_THREADED, c->batch, c->ring, 0, NULL, &o);
		c->hot = o.hot;
		c->cold = o.cold;
		c->fwd_cpu = o.fwd_cpu;
		c->eng_cpu = o.eng_cpu;
		break;
	case W_RX:
		run_rx(c->batch, c->ring, 0, &c->hot, &c->cold);
		break;
	case W_TX:
		run_tx(c->batch, c->ring, 0, c->page, &c->hot, &c->cold);
		break;
	case W_MEMPOOL:
		run_mempool(c->batch, c->page, 0, &c->hot);
		break;
	}
}

static void print_cfg(const struct cfg *c)
{
	switch (c->what) {
	case W_FWD:
		if (opt_hot)
			print_fwd(c, "hot", &c->hot);
		if (opt_cold)
			print_fwd(c, "cold", &c->cold);
		break;
	case W_THREADED:
		print_fwd(c, "xcpu", &c->hot);
		break;
	case W_RX:
	case W_TX:
		if (opt_hot)
			print_simple(c, c->what == W_RX ? "rx" : "tx", "hot", &c->hot);
		if (opt_cold)
			print_simple(c, c->what == W_RX ? "rx" : "tx", "cold", &c->cold);
		break;
	case W_MEMPOOL:
		print_mempool(c);
		break;
	}
	fflush(stdout);
}

static void load_instr(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	unsigned lineno = 0;
	if (!f) {
		fprintf(stderr, "fwd_bench: --instr %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		int rc = bench_instr_parse_line(line, &instr_tab[instr_n]);
		if (rc < 0) {
			fprintf(stderr, "fwd_bench: --instr %s line %u: want \"KIND BATCH RING INSTR_PER_PKT CBR_PER_PKT\"\n", path,
				lineno);
			exit(2);
		}
		if (rc == 1 && instr_n + 1 < sizeof(instr_tab) / sizeof(instr_tab[0]))
			instr_n++;
	}
	fclose(f);
}

static bool want(const char *only, const char *what) { return !only || strcmp(only, what) == 0; }

static int usage(void)
{
	fprintf(stderr, "usage: fwd_bench [--secs S] [--runs N] [--quick] [--cpus F,E] [--cache hot|cold|both]\n"
			"                 [--instr FILE] [--only fwd|threaded|rx|tx|mempool|ring|pages]\n"
			"       fwd_bench --callgrind fwd|rx|tx|mempool --batch N [--ring N] [--packets N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *only = NULL, *cg_kind = NULL;
	uint32_t cg_batch = 32, cg_ring = 512;
	uint64_t cg_packets = 200000;
	bool quick = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--secs") && i + 1 < argc)
			opt_secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			opt_runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--instr") && i + 1 < argc)
			load_instr(argv[++i]);
		else if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			const char *c = argv[++i];
			opt_hot = !strcmp(c, "hot") || !strcmp(c, "both");
			opt_cold = !strcmp(c, "cold") || !strcmp(c, "both");
			if (!opt_hot && !opt_cold)
				return usage();
		} else if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
			if (sscanf(argv[++i], "%d,%d", &opt_fwd_cpu, &opt_eng_cpu) != 2 || opt_fwd_cpu < 0 ||
			    opt_eng_cpu < 0 || opt_fwd_cpu == opt_eng_cpu || opt_fwd_cpu >= CPU_SETSIZE ||
			    opt_eng_cpu >= CPU_SETSIZE) {
				fprintf(stderr, "fwd_bench: --cpus F,E: two different CPU numbers (forwarder, engine)\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--quick"))
			quick = true;
		else if (!strcmp(argv[i], "--callgrind") && i + 1 < argc)
			cg_kind = argv[++i];
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			cg_batch = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--ring") && i + 1 < argc)
			cg_ring = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			cg_packets = strtoull(argv[++i], NULL, 0);
		else
			return usage();
	}
	if (cg_batch < 1 || cg_batch > MAX_BATCH) {
		fprintf(stderr, "fwd_bench: --batch must be 1..%d\n", MAX_BATCH);
		return 2;
	}
	if (cg_ring < 64 || cg_ring > 4096 || (cg_ring & (cg_ring - 1))) {
		fprintf(stderr, "fwd_bench: --ring must be a power of two, 64..4096\n");
		return 2;
	}
	if (opt_runs < 1 || opt_runs > MAX_RUNS || !(opt_secs > 0)) {
		fprintf(stderr, "fwd_bench: --runs must be 1..%d and --secs positive\n", MAX_RUNS);
		return 2;
	}

	if (cg_kind) {
		/* Instruction counts: the same regions, collection on only
		 * inside them; bench/run.sh reads the profile. */
		struct res r = { 0 };
		static struct series h, c;
		cg_mode = 1;
		if (!strcmp(cg_kind, "fwd")) {
			static struct fwd_out o;
			run_fwd(IXY_SIM_STEPPED, cg_batch, (uint16_t)cg_ring, cg_packets, NULL, &o);
			r = o.hot.sum;
		} else if (!strcmp(cg_kind, "rx") && cg_ring == 512) {
			run_rx(cg_batch, 512, cg_packets, &h, &c);
			r = h.sum;
		} else if (!strcmp(cg_kind, "tx") && cg_ring == 512) {
			run_tx(cg_batch, 512, cg_packets, 0, &h, &c);
			r = h.sum;
		} else if (!strcmp(cg_kind, "mempool") && cg_ring == 512) {
			run_mempool(cg_batch, 0, cg_packets, &h);
			r = h.sum;
		} else {
			fprintf(stderr, "fwd_bench: --callgrind fwd, rx, tx or mempool (--ring only with fwd)\n");
			return 2;
		}
		printf("callgrind kind=%s batch=%u ring=%u packets=%llu calls=%llu regions=%llu\n", cg_kind, cg_batch,
		       cg_ring, (unsigned long long)r.pkts, (unsigned long long)r.calls,
		       (unsigned long long)r.regions);
		return 0;
	}

	bench_clock_calibrate(&bclk);
	printf("bench clock source=tsc tsc_ghz=%.3f tick_cycles=%llu read_cycles=%llu core_per_tsc=%.2f "
	       "core=%s width=%.0f ops_ceiling=%.1f flush=%s runs=%d secs=%.2f instr_counts=%u\n",
	       bclk.tsc_ghz, (unsigned long long)bclk.tick, (unsigned long long)bclk.read_cost, bclk.core_per_tsc,
	       bclk.core, bclk.width, bclk.ops_ceiling, bench_cold_method(), opt_runs, opt_secs, instr_n);
	fflush(stdout);
	/* the configurations, then opt_runs passes over all of them */
	static struct cfg cfgs[64];
	unsigned nc = 0;
#define ADD(...) (cfgs[nc++] = (struct cfg){ __VA_ARGS__, .fwd_cpu = -1, .eng_cpu = -1 })
	for (size_t i = 0; i < NBATCH; i++) {
		uint32_t b = batches[i];
		bool q1 = !quick || b == 32;
		if (want(only, "fwd") && (!quick || b == 1 || b == 32))
			ADD(.what = W_FWD, .batch = b, .ring = 512, .pn = "2M");
		if (want(only, "threaded") && q1)
			ADD(.what = W_THREADED, .batch = b, .ring = 512, .pn = "2M");
		if (want(only, "rx") && q1)
			ADD(.what = W_RX, .batch = b, .ring = 512, .pn = "2M");
		if (want(only, "tx") && q1)
			ADD(.what = W_TX, .batch = b, .ring = 512, .pn = "2M");
		if (want(only, "mempool") && q1)
			ADD(.what = W_MEMPOOL, .batch = b, .ring = 512, .pn = "2M");
	}
	if (want(only, "ring") && !quick)
		for (uint32_t ring = 64; ring <= 4096; ring *= 2)
			if (ring != 512 || only)
				ADD(.what = W_FWD, .batch = 32, .ring = (uint16_t)ring, .pn = "2M");
	if (want(only, "pages") && !quick) {
		/* The driver's RX pools and rings take 2 MiB pages (see
		 * docs/performance.md); the TX path and the mempool can be
		 * compared on a pool of 1 GiB pages. */
		struct ixy_mempool_opts o = { .num_entries = 1, .numa_node = -1, .page_size = IXY_PAGE_1G,
					      .hugetlbfs = "/mnt/huge-1G" };
		struct ixy_mempool *probe = ixy_mempool_create(&o);
		if (!probe) {
			printf("bench pages pages=1G skipped=1 reason=\"%s\"\n", ixy_last_error());
		} else {
			ixy_mempool_free(probe);
			ADD(.what = W_TX, .batch = 32, .ring = 512, .page = IXY_PAGE_1G, .pn = "1G");
			ADD(.what = W_MEMPOOL, .batch = 32, .ring = 512, .page = IXY_PAGE_1G, .pn = "1G");
		}
	}
#undef ADD
	for (int pass = 0; pass < opt_runs; pass++)
		for (unsigned i = 0; i < nc; i++)
			run_cfg(&cfgs[i]);
	for (unsigned i = 0; i < nc; i++)
		print_cfg(&cfgs[i]);
	return 0;
}
