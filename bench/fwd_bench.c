/* The driver's cost per packet: forwarding, RX only, TX only, mempool.
 *
 * Everything runs against the virtual 82599 (src/model). In stepped mode the
 * model moves frames only when we call ixy_sim_step, which happens outside
 * every timed region, so the clock sees only what libixy owns: rx_batch,
 * the forwarding work, tx_batch and the mempool operations. In threaded
 * mode the model's DMA-engine thread runs on the other core, as a NIC
 * would, and the forwarding core's throughput is measured as well.
 *
 * Forwarding setup: ports A and B cabled to each other (wire=pair). The
 * forwarder moves A.rx -> B.tx and B.rx -> A.tx; a frame sent by B arrives
 * at A again, so a fixed set of frames (seeded once) circulates forever and
 * no generator is needed. P frames circulate per direction, chosen so that
 * no TX ring ever overflows (drops are counted and reported all the same).
 *
 * Clock: the TSC (rdtsc after lfence), minus the measured cost of reading
 * it; TSC cycles are reference cycles at the TSC rate printed as tsc_ghz.
 * Forwarding figures are the median of 5 time slices (the machine is shared).
 * Hardware counters are not available in these VMs, so instruction counts
 * come from callgrind: --callgrind KIND switches the clock off and toggles
 * callgrind's collection around the same regions instead (bench/run.sh).
 *
 * Output: one line per measurement, "bench NAME key=value ...".
 * Usage: fwd_bench [--secs S] [--quick] [--cpus F,E] [--only fwd|threaded|rx|tx|mempool|ring|pages]
 *        fwd_bench --callgrind fwd|rx|tx --batch N [--packets N]
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
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

#include <valgrind/callgrind.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "ixy/packet.h"
#include "ixy/sim.h"

#define MAX_BATCH 256
#define FRAME_LEN 60            /* 64 bytes on the wire with the CRC */

static double opt_secs = 0.5;
static int opt_fwd_cpu = -1, opt_eng_cpu = -1;  /* --cpus F,E; -1 = first two CPUs we may use */
static int cg_mode;             /* callgrind: no clock, toggle collection */
static double tsc_ghz;
static uint64_t tsc_ovh;        /* cost of one clock read, subtracted per region */

/* ---- clock ---- */

static inline uint64_t clk(void)
{
	if (cg_mode)
		return 0;
	_mm_lfence();           /* earlier instructions finish before the read */
	return __rdtsc();
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void calibrate(void)
{
	uint64_t t0 = now_ns(), c0 = __rdtsc();
	while (now_ns() - t0 < 200000000ull)
		;
	uint64_t t1 = now_ns(), c1 = __rdtsc();
	tsc_ghz = (double)(c1 - c0) / (double)(t1 - t0);
	/* back-to-back reads: the median gap is what each region pays extra */
	static uint64_t d[4001];
	uint64_t prev = clk();
	for (int i = 0; i < 4001; i++) {
		uint64_t t = clk();
		d[i] = t - prev;
		prev = t;
	}
	qsort(d, 4001, sizeof(d[0]), cmp_u64);
	tsc_ovh = d[2000];
}

/* Time between two reads, minus the read itself. */
static inline uint64_t span(uint64_t a, uint64_t b)
{
	uint64_t d = b - a;
	return d > tsc_ovh ? d - tsc_ovh : 0;
}

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

struct res {
	uint64_t pkts, rx_calls, drops;
	uint64_t empty;                 /* rx calls that returned nothing */
	uint64_t rx, tx, fwd, mp;       /* cycles per region */
	uint64_t idle;                  /* cycles of rx calls that returned nothing */
	uint64_t wall_ns;
	int fwd_cpu, eng_cpu;           /* where the forwarder / the model's engine ran (-1: not pinned) */
};

static double per(uint64_t cyc, uint64_t pkts) { return pkts ? (double)cyc / (double)pkts : 0; }

#define WINDOWS 5

static double res_cost(const struct res *r) { return per(r->rx + r->tx + r->fwd + r->mp, r->pkts); }

static int cmp_res(const void *a, const void *b)
{
	double x = res_cost(a), y = res_cost(b);
	return x < y ? -1 : x > y;
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
	cg_toggle();
	uint64_t t0 = clk();
	uint32_t n = ixy_rx_batch(in, 0, bufs, batch);
	uint64_t t1 = clk();
	if (n == 0) {
		cg_toggle();
		r->idle += span(t0, t1);
		r->empty++;
		return 0;
	}
	fwd_work(bufs, n);
	uint64_t t2 = clk();
	uint32_t sent = ixy_tx_batch(out, 0, bufs, n);
	if (sent < n)
		ixy_pkt_buf_free_batch(bufs + sent, n - sent);
	uint64_t t3 = clk();
	cg_toggle();
	r->rx += span(t0, t1);
	r->fwd += span(t1, t2);
	r->tx += span(t2, t3);
	r->pkts += n;
	r->rx_calls++;
	r->drops += n - sent;
	return n;
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

/* Forwarding A <-> B. packets = 0: run for opt_secs (after a warm-up). */
static struct res run_fwd(enum ixy_sim_mode mode, uint32_t batch, uint16_t ring, uint64_t packets,
			  const char *hugetlbfs)
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
	if (stepped)
		ixy_sim_step(sa);

	struct pinning pin = pin_threads(stepped);

	struct res r;
	int saved_cg = cg_mode;
	cg_mode = 0;                    /* warm-up: caches, branch predictors, ring positions */
	memset(&r, 0, sizeof(r));
	for (int i = 0; i < 2000; i++) {
		fwd_once(a, b, batch, &r);
		fwd_once(b, a, batch, &r);
		if (stepped)
			ixy_sim_step(sa);
	}
	cg_mode = saved_cg;
	/* Timed runs: WINDOWS slices, the median one reported, so that a
	 * neighbour's burst on this shared machine does not decide a figure. */
	struct res w[WINDOWS];
	int nw = packets ? 1 : WINDOWS;
	for (int k = 0; k < nw; k++) {
		memset(&r, 0, sizeof(r));
		uint64_t t0 = now_ns(), end = t0 + (uint64_t)(opt_secs * 1e9 / nw);
		for (uint64_t it = 0;; it++) {
			fwd_once(a, b, batch, &r);
			fwd_once(b, a, batch, &r);
			if (stepped)
				ixy_sim_step(sa);
			if (packets ? r.pkts >= packets : ((it & 255) == 0 && now_ns() >= end))
				break;
		}
		r.wall_ns = now_ns() - t0;
		w[k] = r;
	}
	if (nw > 1) {
		qsort(w, (size_t)nw, sizeof(w[0]), cmp_res);
		r = w[nw / 2];
	}

	sched_setaffinity(0, sizeof(pin.saved), &pin.saved);
	r.fwd_cpu = pin.fwd_cpu;
	r.eng_cpu = pin.eng_cpu;
	unsigned v = ixy_sim_violation_count(sa) + ixy_sim_violation_count(sb);
	if (v) {
		fprintf(stderr, "fwd_bench: %u model violations, first: %s\n", v,
			ixy_sim_violation(ixy_sim_violation_count(sa) ? sa : sb, 0));
		exit(1);
	}
	ixy_close(a);
	ixy_close(b);
	ixy_sim_destroy(sa);
	ixy_sim_destroy(sb);
	ixy_mempool_free(sp);
	return r;
}

/* RX only: a generator feeds the port; received frames go straight back
 * to the pool (timed as mempool). */
static struct res run_rx(uint32_t batch, uint16_t ring, uint64_t packets)
{
	char n[16];
	struct ixy_sim *s = new_sim(IXY_SIM_STEPPED, n, sizeof(n));
	struct ixy_sim_gen g = { .frame_len = FRAME_LEN, .flows = 1 };
	if (ixy_sim_wire_generator(s, &g) < 0)
		die("ixy_sim_wire_generator");
	struct ixy_device *d = open_dev(s, ring, NULL);
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	struct res r;
	memset(&r, 0, sizeof(r));
	int saved_cg = cg_mode;
	for (int warm = 1; warm >= 0; warm--) {
		cg_mode = warm ? 0 : saved_cg;
		memset(&r, 0, sizeof(r));
		uint64_t t0 = now_ns(), end = t0 + (uint64_t)((warm ? 0.05 : opt_secs) * 1e9);
		for (uint64_t it = 0;; it++) {
			ixy_sim_step(s);
			/* drain what the step delivered, a batch at a time */
			for (;;) {
				cg_toggle();
				uint64_t c0 = clk();
				uint32_t got = ixy_rx_batch(d, 0, bufs, batch);
				uint64_t c1 = clk();
				if (!got) {
					cg_toggle();
					r.idle += span(c0, c1);
					break;
				}
				ixy_pkt_buf_free_batch(bufs, got);
				uint64_t c2 = clk();
				cg_toggle();
				r.rx += span(c0, c1);
				r.mp += span(c1, c2);
				r.pkts += got;
				r.rx_calls++;
			}
			if (!warm && packets ? r.pkts >= packets : ((it & 63) == 0 && now_ns() >= end))
				break;
		}
		r.wall_ns = now_ns() - t0;
	}
	cg_mode = saved_cg;
	if (ixy_sim_violation_count(s))
		die("model violation in rx");
	ixy_close(d);
	ixy_sim_destroy(s);
	return r;
}

/* TX only: buffers from a prebuilt pool (on `page`-sized pages) to a null
 * wire; allocation timed as mempool, their return inside tx_batch. */
static struct res run_tx(uint32_t batch, uint16_t ring, uint64_t packets, size_t page)
{
	char n[16];
	struct ixy_sim *s = new_sim(IXY_SIM_STEPPED, n, sizeof(n));
	if (ixy_sim_wire_null(s) < 0)
		die("ixy_sim_wire_null");
	struct ixy_device *d = open_dev(s, ring, NULL);
	struct ixy_mempool *pool = new_pool(4096, page);
	prebuild(pool);
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	struct res r;
	int saved_cg = cg_mode;
	for (int warm = 1; warm >= 0; warm--) {
		cg_mode = warm ? 0 : saved_cg;
		memset(&r, 0, sizeof(r));
		uint64_t t0 = now_ns(), end = t0 + (uint64_t)((warm ? 0.05 : opt_secs) * 1e9);
		for (uint64_t it = 0;; it++) {
			cg_toggle();
			uint64_t c0 = clk();
			uint32_t got = ixy_pkt_buf_alloc_batch(pool, bufs, batch);
			uint64_t c1 = clk();
			uint32_t sent = ixy_tx_batch(d, 0, bufs, got);
			uint64_t c2 = clk();
			if (sent < got)
				ixy_pkt_buf_free_batch(bufs + sent, got - sent);
			uint64_t c3 = clk();
			cg_toggle();
			r.mp += span(c0, c1) + span(c2, c3);
			r.tx += span(c1, c2);
			r.pkts += sent;
			r.drops += got - sent;
			r.rx_calls++;
			/* keep the ring from filling up: step once the batch would not fit */
			if ((it + 1) * batch % (ring / 4 > batch ? ring / 4 : batch) < batch)
				ixy_sim_step(s);
			if (!warm && packets ? r.pkts >= packets : ((it & 63) == 0 && now_ns() >= end))
				break;
		}
		r.wall_ns = now_ns() - t0;
	}
	cg_mode = saved_cg;
	if (ixy_sim_violation_count(s))
		die("model violation in tx");
	ixy_close(d);
	ixy_sim_destroy(s);
	ixy_mempool_free(pool);
	return r;
}

/* The mempool alone: allocate a batch, return it (alloc and free timed
 * apart). The pool is larger than the batch, as in a driver. */
static void run_mempool(uint32_t batch, size_t page, double *alloc, double *freec)
{
	struct ixy_mempool *pool = new_pool(4096, page);
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	uint64_t a = 0, f = 0, pkts = 0;
	uint64_t end = now_ns() + (uint64_t)(opt_secs * 1e9 / 4);
	for (uint64_t it = 0;; it++) {
		uint64_t c0 = clk();
		uint32_t got = ixy_pkt_buf_alloc_batch(pool, bufs, batch);
		uint64_t c1 = clk();
		ixy_pkt_buf_free_batch(bufs, got);
		uint64_t c2 = clk();
		if (it > 1000) {
			a += span(c0, c1);
			f += span(c1, c2);
			pkts += got;
		}
		if ((it & 255) == 0 && now_ns() >= end)
			break;
	}
	*alloc = per(a, pkts);
	*freec = per(f, pkts);
	ixy_mempool_free(pool);
}

/* ---- what one cache line costs between the two CPUs ----
 * Threaded figures are dominated by lines that the other CPU wrote last
 * (descriptors, frame data, buffer metadata); what such a transfer costs
 * depends on where the host put the two vCPUs, and changes when it moves
 * them. Two threads pass a counter back and forth on one line; a one-way
 * hand-over is half a round trip. */
static _Alignas(64) volatile uint64_t pp_line;
static double xcpu_handover = -1;       /* printed with threaded figures when measured */

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
	for (int i = 1; i < RUNS; i++)          /* insertion sort, 9 values */
		for (int j = i; j > 0 && d[j] < d[j - 1]; j--) {
			double x = d[j];
			d[j] = d[j - 1];
			d[j - 1] = x;
		}
	return d[RUNS / 2];
}

/* ---- reports ---- */

static const uint32_t batches[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
#define NBATCH (sizeof(batches) / sizeof(batches[0]))

static void print_fwd(const char *mode, uint32_t batch, uint16_t ring, const char *pages, const struct res *r)
{
	double cyc = per(r->rx + r->tx + r->fwd, r->pkts);
	printf("bench fwd mode=%s batch=%u ring=%u pages=%s frame=64 cycles_per_pkt=%.1f rx=%.1f tx=%.1f fwd=%.1f "
	       "avg_batch=%.1f empty_polls_per_pkt=%.2f drops=%llu mpps=%.2f driver_mpps=%.1f tsc_ghz=%.2f "
	       "fwd_cpu=%d engine_cpu=%d",
	       mode, batch, ring, pages, cyc, per(r->rx, r->pkts), per(r->tx, r->pkts), per(r->fwd, r->pkts),
	       r->rx_calls ? (double)r->pkts / (double)r->rx_calls : 0, per(r->empty, r->pkts),
	       (unsigned long long)r->drops, (double)r->pkts / ((double)r->wall_ns / 1e3),
	       cyc > 0 ? tsc_ghz * 1e3 / cyc : 0, tsc_ghz, r->fwd_cpu, r->eng_cpu);
	if (xcpu_handover >= 0)
		printf(" xcpu_handover_cycles=%.0f", xcpu_handover);
	printf("\n");
	fflush(stdout);
}

static bool want(const char *only, const char *what) { return !only || strcmp(only, what) == 0; }

int main(int argc, char **argv)
{
	const char *only = NULL, *cg_kind = NULL;
	uint32_t cg_batch = 32;
	uint64_t cg_packets = 200000;
	bool quick = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--secs") && i + 1 < argc)
			opt_secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
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
		else if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			cg_packets = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: fwd_bench [--secs S] [--quick] [--cpus F,E] [--only fwd|threaded|rx|tx|mempool|ring|"
				"pages]\n       fwd_bench --callgrind fwd|rx|tx --batch N [--packets N]\n");
			return 2;
		}
	}
	if (cg_batch < 1 || cg_batch > MAX_BATCH) {
		fprintf(stderr, "fwd_bench: --batch must be 1..%d\n", MAX_BATCH);
		return 2;
	}

	if (cg_kind) {
		/* Instruction counts: the same loops, collection on only inside
		 * the timed regions; bench/run.sh reads the profile. */
		struct res r;
		cg_mode = 1;
		if (!strcmp(cg_kind, "fwd"))
			r = run_fwd(IXY_SIM_STEPPED, cg_batch, 512, cg_packets, NULL);
		else if (!strcmp(cg_kind, "rx"))
			r = run_rx(cg_batch, 512, cg_packets);
		else if (!strcmp(cg_kind, "tx"))
			r = run_tx(cg_batch, 512, cg_packets, 0);
		else {
			fprintf(stderr, "fwd_bench: --callgrind fwd, rx or tx\n");
			return 2;
		}
		printf("callgrind kind=%s batch=%u packets=%llu calls=%llu\n", cg_kind, cg_batch,
		       (unsigned long long)r.pkts, (unsigned long long)r.rx_calls);
		return 0;
	}

	calibrate();
	printf("bench clock source=tsc tsc_ghz=%.3f read_overhead_cycles=%llu\n", tsc_ghz,
	       (unsigned long long)tsc_ovh);
	if (want(only, "fwd"))
		for (size_t i = 0; i < NBATCH; i++) {
			if (quick && batches[i] != 1 && batches[i] != 32)
				continue;
			struct res r = run_fwd(IXY_SIM_STEPPED, batches[i], 512, 0, NULL);
			print_fwd("stepped", batches[i], 512, "2M", &r);
		}
	if (want(only, "threaded")) {
		/* the CPUs pin_threads will choose, for the hand-over cost */
		cpu_set_t cs;
		int cpus[2], nc = 0;
		sched_getaffinity(0, sizeof(cs), &cs);
		for (int c = 0; c < CPU_SETSIZE && nc < 2; c++)
			if (CPU_ISSET(c, &cs))
				cpus[nc++] = c;
		if (opt_fwd_cpu >= 0)
			cpus[0] = opt_fwd_cpu, cpus[1] = opt_eng_cpu, nc = 2;
		for (size_t i = 0; i < NBATCH; i++) {
			if (quick && batches[i] != 32)
				continue;
			/* measured right before the run: the host may move the
			 * vCPUs between runs, and the figures with them */
			xcpu_handover = nc == 2 ? line_handover_cycles(cpus[0], cpus[1]) : -1;
			struct res r = run_fwd(IXY_SIM_THREADED, batches[i], 512, 0, NULL);
			print_fwd("threaded", batches[i], 512, "2M", &r);
		}
		xcpu_handover = -1;
	}
	if (want(only, "rx"))
		for (size_t i = 0; i < NBATCH; i++) {
			if (quick && batches[i] != 32)
				continue;
			struct res r = run_rx(batches[i], 512, 0);
			printf("bench rx mode=stepped batch=%u ring=512 frame=64 cycles_per_pkt=%.1f rx=%.1f "
			       "mempool_free=%.1f avg_batch=%.1f\n",
			       batches[i], per(r.rx + r.mp, r.pkts), per(r.rx, r.pkts), per(r.mp, r.pkts),
			       r.rx_calls ? (double)r.pkts / (double)r.rx_calls : 0);
			fflush(stdout);
		}
	if (want(only, "tx"))
		for (size_t i = 0; i < NBATCH; i++) {
			if (quick && batches[i] != 32)
				continue;
			struct res r = run_tx(batches[i], 512, 0, 0);
			printf("bench tx mode=stepped batch=%u ring=512 pages=2M frame=64 cycles_per_pkt=%.1f tx=%.1f "
			       "mempool=%.1f drops=%llu\n",
			       batches[i], per(r.tx + r.mp, r.pkts), per(r.tx, r.pkts), per(r.mp, r.pkts),
			       (unsigned long long)r.drops);
			fflush(stdout);
		}
	if (want(only, "mempool"))
		for (size_t i = 0; i < NBATCH; i++) {
			double al, fr;
			if (quick && batches[i] != 32)
				continue;
			run_mempool(batches[i], 0, &al, &fr);
			printf("bench mempool batch=%u pages=2M alloc=%.1f free=%.1f cycles_per_pkt=%.1f\n", batches[i],
			       al, fr, al + fr);
			fflush(stdout);
		}
	if (want(only, "ring"))
		for (uint32_t ring = 64; ring <= 4096; ring *= 2) {
			struct res r = run_fwd(IXY_SIM_STEPPED, 32, (uint16_t)ring, 0, NULL);
			print_fwd("stepped", 32, (uint16_t)ring, "2M", &r);
		}
	if (want(only, "pages")) {
		/* The driver's RX pools and rings take 2 MiB pages (see
		 * docs/performance.md); the TX path and the mempool can be
		 * compared on a pool of 1 GiB pages. */
		size_t pages[] = { IXY_PAGE_2M, IXY_PAGE_1G };
		for (int i = 0; i < 2; i++) {
			const char *pn = i ? "1G" : "2M";
			struct ixy_mempool_opts o = { .num_entries = 1, .numa_node = -1, .page_size = pages[i],
						      .hugetlbfs = i ? "/mnt/huge-1G" : NULL };
			struct ixy_mempool *probe = ixy_mempool_create(&o);
			if (!probe) {
				printf("bench pages pages=%s skipped=1 reason=\"%s\"\n", pn, ixy_last_error());
				continue;
			}
			ixy_mempool_free(probe);
			struct res r = run_tx(32, 512, 0, pages[i]);
			printf("bench tx mode=stepped batch=32 ring=512 pages=%s frame=64 cycles_per_pkt=%.1f tx=%.1f "
			       "mempool=%.1f drops=%llu\n",
			       pn, per(r.tx + r.mp, r.pkts), per(r.tx, r.pkts), per(r.mp, r.pkts),
			       (unsigned long long)r.drops);
			double al, fr;
			run_mempool(32, pages[i], &al, &fr);
			printf("bench mempool batch=32 pages=%s alloc=%.1f free=%.1f cycles_per_pkt=%.1f\n", pn, al, fr,
			       al + fr);
			fflush(stdout);
		}
	}
	return 0;
}
