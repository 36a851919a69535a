/* Multi-core forwarding: the cost per packet and the aggregate rate with
 * 1..N threads, one queue pair each (RSS), and the mempool under threads.
 *
 * Setup: virtual ports A and B cabled to each other (wire=pair), stepped,
 * each with N queue pairs. A calibration pass learns which RX queue RSS
 * gives each of 64 UDP flows; then exactly P frames of queue i's flows are
 * seeded per direction, so each thread's frames circulate on its own
 * queues (a flow forwarded from A's queue i to B's TX queue i comes back
 * to A's queue i: same hash) and no ring can overflow. Thread i (pinned to
 * the i-th CPU we may use, when there are enough) loops:
 *
 *     ixy_sim_step_queues(A, i, 1)  (A and its pair peer B)     -- model
 *     rx A.i -> touch -> tx B.i;  rx B.i -> touch -> tx A.i     -- driver
 *     (--rounds K: the driver part again while both batches came back
 *     full, up to K times, so that a model round moves several batches;
 *     default 1: K = 4 measured the same within this machine's noise)
 *
 * Clock: the TSC around the whole driver part of an iteration (two
 * directions, up to 2 x batch packets: hundreds of cycles, far above the
 * TSC's step), and around the model part separately. The model's round
 * holds the ports' lock (sim.h: rounds of one port are serialised), so the
 * model part does not scale with threads; the driver part must.
 *   driver_cycles_per_pkt  driver cycles / packets (per thread; the
 *                          summary: all threads' cycles / all packets)
 *   model_cycles_per_pkt   the same for the stepping
 *   mpps                   packets / wall time, model included (the
 *                          summary: aggregate over threads)
 *   driver_mpps            the rate if only the driver part took time (a
 *                          NIC does the model's work in hardware): sum over
 *                          threads of packets / driver time
 * Each figure is the median of WINDOWS runs (the machine is shared); the
 * spread (min..max of the per-packet driver cycles) is printed too.
 *
 * --callgrind: no clock; the driver part runs in mc_driver_part (noinline),
 * which bench/run.sh names in valgrind's --toggle-collect, so instruction
 * counts cover exactly what the clock covers, per thread
 * (--separate-threads=yes): the per-thread packet counts are printed as
 * "bench mc_cg threads=N thread=I packets=K".
 *
 * Mempool: alloc + free of batches of 32 by every thread, each on a
 * private single-thread pool, or all on one shared pool (lock-free stack).
 *
 * Usage: mc_bench [--secs S] [--threads 1,2] [--batch N] [--rounds K] [--only fwd|mempool]
 *        mc_bench --callgrind --threads N [--packets P] [--batch N]
 * Needs root and 2 MiB hugepages.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/mempool.h"
#include "ixy/packet.h"
#include "ixy/sim.h"

#define MAX_THREADS 8
#define MAX_BATCH 256
#define FRAME_LEN 60
#define FLOWS 64
#define RING 512
#define WINDOWS 5
static int opt_rounds = 1;      /* --rounds K: driver rounds per model step, at most (K x batch < ring - 32) */

static double opt_secs = 0.5;
static uint32_t opt_batch = 32;
static bool cg_mode;
static uint64_t opt_packets = 200000;   /* callgrind: per thread */
static double tsc_ghz;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t clk(void)
{
	if (cg_mode)
		return 0;
	_mm_lfence();
	return __rdtsc();
}

static void calibrate(void)
{
	uint64_t t0 = now_ns(), c0 = __rdtsc();
	while (now_ns() - t0 < 200000000ull)
		;
	tsc_ghz = (double)(__rdtsc() - c0) / (double)(now_ns() - t0);
}

static void die(const char *what)
{
	fprintf(stderr, "mc_bench: %s: %s\n", what, ixy_last_error());
	exit(1);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The CPUs we may use, in order; returns how many (at most max). */
static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

static int pin_self(int cpu)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0 ? cpu : -1;
}

/* ---- forwarding ---- */

struct mc {
	struct ixy_sim *sa, *sb;
	struct ixy_device *a, *b;
	unsigned threads;
	pthread_barrier_t go;
	atomic_bool stop;
	uint64_t end_ns;                /* timed runs: when thread 0 says stop */
};

struct thr {
	struct mc *mc;
	uint16_t queue;
	int cpu;
	uint64_t pkts, drops, driver_cyc, model_cyc, wall_ns;
} __attribute__((aligned(64)));

static void build(uint8_t *p, unsigned flow)
{
	struct ixy_udp_spec spec = { .dst_mac = { 2, 0, 0, 0, 0, 2 }, .src_mac = { 2, 0, 0, 0, 0, 1 },
				     .src_ip = 0xc6120001, .dst_ip = 0xc6130001,
				     .src_port = (uint16_t)(1024 + flow), .dst_port = 9 };
	if (ixy_build_udp_frame(p, 2048, FRAME_LEN, &spec) < 0)
		die("ixy_build_udp_frame");
}

static unsigned flow_of(const uint8_t *p)
{
	return (unsigned)((p[34] << 8 | p[35]) - 1024);   /* UDP source port */
}

/* The forwarding work: touch every frame, as fwd_bench does. */
static inline uint32_t fwd_dir(struct ixy_device *in, struct ixy_device *out, uint16_t q, uint64_t *drops)
{
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	uint32_t n = ixy_rx_batch(in, q, bufs, opt_batch);
	if (!n)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		ixy_pkt_data(bufs[i])[1]++;
	uint32_t sent = ixy_tx_batch(out, q, bufs, n);
	if (sent < n) {
		ixy_pkt_buf_free_batch(bufs + sent, n - sent);
		*drops += n - sent;
	}
	return n;
}

/* The driver part of one iteration (what callgrind counts). */
__attribute__((noinline)) uint32_t mc_driver_part(struct mc *m, uint16_t q, uint64_t *drops);
__attribute__((noinline)) uint32_t mc_driver_part(struct mc *m, uint16_t q, uint64_t *drops)
{
	return fwd_dir(m->a, m->b, q, drops) + fwd_dir(m->b, m->a, q, drops);
}

static void iterate(struct thr *t)
{
	struct mc *m = t->mc;
	uint64_t t0 = now_ns();
	for (uint64_t it = 0;; it++) {
		uint64_t c0 = clk();
		ixy_sim_step_queues(m->sa, t->queue, 1);        /* and its pair peer B */
		uint64_t c1 = clk();
		/* forward until the rings run dry (at most opt_rounds rounds):
		 * a model round then moves up to opt_rounds batches per queue,
		 * and its fixed cost, which with two threads includes pulling
		 * the port's state over from the other core, is shared by them */
		uint32_t n = 0;
		for (int r = 0; r < opt_rounds; r++) {
			uint32_t k = mc_driver_part(m, t->queue, &t->drops);
			n += k;
			if (k < 2 * opt_batch)
				break;
		}
		uint64_t c2 = clk();
		t->model_cyc += c1 - c0;
		t->driver_cyc += c2 - c1;
		t->pkts += n;
		if (cg_mode) {
			if (t->pkts >= opt_packets)
				break;
		} else if ((it & 255) == 0) {
			if (t->queue == 0 && now_ns() >= m->end_ns)
				atomic_store(&m->stop, true);   /* thread 0 keeps the time */
			if (atomic_load(&m->stop))
				break;
		}
	}
	t->wall_ns = now_ns() - t0;
}

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	if (t->cpu >= 0)
		pin_self(t->cpu);
	pthread_barrier_wait(&t->mc->go);
	iterate(t);
	return NULL;
}

/* Send frames of `flows` (cycling) out of dev's TX queue 0, `count` of
 * them, stepping until all are taken. */
static void seed(struct ixy_device *dev, struct ixy_sim *sim, struct ixy_mempool *pool, const unsigned *flows,
		 unsigned nflows, uint32_t count)
{
	struct ixy_pkt_buf *bufs[64];
	for (uint32_t k = 0; k < count;) {
		uint32_t n = ixy_pkt_buf_alloc_batch(pool, bufs, count - k < 64 ? count - k : 64);
		if (!n)
			die("seed pool empty");
		for (uint32_t i = 0; i < n; i++) {
			build(ixy_pkt_data(bufs[i]), flows[(k + i) % nflows]);
			bufs[i]->len = FRAME_LEN;
		}
		ixy_tx_batch_busy_wait(dev, 0, bufs, n);
		ixy_sim_step(sim);
		k += n;
	}
}

static struct ixy_device *open_dev(struct ixy_sim *s, unsigned queues)
{
	struct ixy_config c = { .promisc = true, .rx_ring_size = RING, .tx_ring_size = RING,
				.num_rx_queues = (uint16_t)queues, .num_tx_queues = (uint16_t)queues,
				.link_timeout_ms = 3000, .numa_node = IXY_NUMA_NONE };
	struct ixy_device *d = ixy_open_sim(s, &c);
	if (!d)
		die("ixy_open_sim");
	return d;
}

static unsigned port_seq;

/* Ports, calibration and seeding for `threads` queue pairs. */
static void mc_setup(struct mc *m, unsigned threads, struct ixy_mempool **seed_pool)
{
	char na[16], nb[16];
	snprintf(na, sizeof(na), "mc%ua", port_seq);
	snprintf(nb, sizeof(nb), "mc%ub", port_seq++);
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .link_delay_us = 1, .unthrottled = true };
	m->sa = ixy_sim_create(na, &sc);
	m->sb = ixy_sim_create(nb, &sc);
	if (!m->sa || !m->sb)
		die("ixy_sim_create");
	if (ixy_sim_wire_pair(m->sa, m->sb) < 0)
		die("ixy_sim_wire_pair");
	m->a = open_dev(m->sa, threads);
	m->b = open_dev(m->sb, threads);
	m->threads = threads;

	/* frames circulating per queue and direction: the TX ring holds
	 * them plus one unreclaimed block of 32 descriptors (as fwd_bench) */
	uint32_t per_q = RING * 7 / 8 - 32;
	struct ixy_mempool_opts o = { .num_entries = 2 * threads * per_q + FLOWS + 64, .numa_node = -1 };
	struct ixy_mempool *sp = ixy_mempool_create(&o);
	if (!sp)
		die("ixy_mempool_create");
	*seed_pool = sp;

	/* which queue RSS gives each flow (both ports: same key and table) */
	unsigned all[FLOWS], queue_of[FLOWS];
	for (unsigned f = 0; f < FLOWS; f++) {
		all[f] = f;
		queue_of[f] = ~0u;
	}
	seed(m->b, m->sb, sp, all, FLOWS, FLOWS);
	for (int k = 0; k < 4; k++)
		ixy_sim_step(m->sa);
	struct ixy_pkt_buf *bufs[64];
	for (uint16_t q = 0; q < threads; q++) {
		uint32_t n;
		while ((n = ixy_rx_batch(m->a, q, bufs, 64)) > 0) {
			for (uint32_t i = 0; i < n; i++) {
				unsigned f = flow_of(ixy_pkt_data(bufs[i]));
				if (f < FLOWS)
					queue_of[f] = q;
			}
			ixy_pkt_buf_free_batch(bufs, n);
		}
	}
	for (uint16_t q = 0; q < threads; q++) {
		unsigned mine[FLOWS], n = 0;
		for (unsigned f = 0; f < FLOWS; f++)
			if (queue_of[f] == q)
				mine[n++] = f;
		if (!n) {
			fprintf(stderr, "mc_bench: RSS gave none of %u flows to queue %u\n", FLOWS, q);
			exit(1);
		}
		seed(m->b, m->sb, sp, mine, n, per_q);  /* B -> A: the A->B direction's frames */
		seed(m->a, m->sa, sp, mine, n, per_q);
	}
	for (int k = 0; k < 4; k++)
		ixy_sim_step(m->sa);
}

static void mc_teardown(struct mc *m, struct ixy_mempool *sp)
{
	unsigned v = ixy_sim_violation_count(m->sa) + ixy_sim_violation_count(m->sb);
	if (v) {
		fprintf(stderr, "mc_bench: %u model violations, first: %s\n", v,
			ixy_sim_violation(ixy_sim_violation_count(m->sa) ? m->sa : m->sb, 0));
		exit(1);
	}
	ixy_close(m->a);
	ixy_close(m->b);
	ixy_sim_destroy(m->sa);
	ixy_sim_destroy(m->sb);
	ixy_mempool_free(sp);
}

/* One run with all threads; thread 0 is the calling thread. */
static void run_once(struct mc *m, struct thr *t, const int *cpus, int ncpu, double secs)
{
	pthread_t tid[MAX_THREADS];
	atomic_store(&m->stop, false);
	pthread_barrier_init(&m->go, NULL, m->threads);
	bool pinned = (int)m->threads <= ncpu;
	for (unsigned i = 0; i < m->threads; i++)
		t[i] = (struct thr){ .mc = m, .queue = (uint16_t)i, .cpu = pinned ? cpus[i] : -1 };
	if (pinned)
		pin_self(cpus[0]);
	for (unsigned i = 1; i < m->threads; i++)
		if (pthread_create(&tid[i], NULL, thread_main, &t[i]))
			die("pthread_create");
	pthread_barrier_wait(&m->go);
	m->end_ns = now_ns() + (uint64_t)(secs * 1e9);
	iterate(&t[0]);
	for (unsigned i = 1; i < m->threads; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&m->go);
}

static void print_fwd(unsigned threads, const int *cpus, int ncpu)
{
	struct mc m;
	memset(&m, 0, sizeof(m));
	struct ixy_mempool *sp;
	mc_setup(&m, threads, &sp);
	struct thr t[MAX_THREADS];
	bool pinned = (int)threads <= ncpu;

	/* warm-up: caches, branch predictors, ring positions */
	run_once(&m, t, cpus, ncpu, 0.05);

	static struct thr win[WINDOWS][MAX_THREADS];
	double drv[WINDOWS];
	for (int w = 0; w < WINDOWS; w++) {
		run_once(&m, t, cpus, ncpu, opt_secs / WINDOWS);
		memcpy(win[w], t, sizeof(t[0]) * threads);
		uint64_t pk = 0, cyc = 0;
		for (unsigned i = 0; i < threads; i++) {
			pk += t[i].pkts;
			cyc += t[i].driver_cyc;
		}
		drv[w] = pk ? (double)cyc / (double)pk : 0;
	}
	/* the window with the median driver cost is reported */
	double sorted[WINDOWS];
	memcpy(sorted, drv, sizeof(drv));
	qsort(sorted, WINDOWS, sizeof(double), cmp_dbl);
	int med = 0;
	for (int w = 0; w < WINDOWS; w++)
		if (drv[w] == sorted[WINDOWS / 2])
			med = w;
	uint64_t pk = 0, dcyc = 0, mcyc = 0, drops = 0;
	double agg_mpps = 0, drv_mpps = 0;
	for (unsigned i = 0; i < threads; i++) {
		struct thr *x = &win[med][i];
		double d = x->pkts ? (double)x->driver_cyc / (double)x->pkts : 0;
		double mo = x->pkts ? (double)x->model_cyc / (double)x->pkts : 0;
		double mpps = x->wall_ns ? (double)x->pkts / (double)x->wall_ns * 1e3 : 0;
		double dmpps = x->driver_cyc ? (double)x->pkts / ((double)x->driver_cyc / tsc_ghz) * 1e3 : 0;
		printf("bench mc mode=stepped threads=%u thread=%u cpu=%d batch=%u ring=%d frame=64 packets=%llu "
		       "driver_cycles_per_pkt=%.1f model_cycles_per_pkt=%.1f mpps=%.2f driver_mpps=%.2f drops=%llu\n",
		       threads, i, pinned ? cpus[i] : -1, opt_batch, RING, (unsigned long long)x->pkts, d, mo, mpps,
		       dmpps, (unsigned long long)x->drops);
		pk += x->pkts;
		dcyc += x->driver_cyc;
		mcyc += x->model_cyc;
		drops += x->drops;
		agg_mpps += mpps;
		drv_mpps += dmpps;
	}
	printf("bench mc_sum mode=stepped threads=%u batch=%u ring=%d frame=64 packets=%llu driver_cycles_per_pkt=%.1f "
	       "spread=%.1f..%.1f model_cycles_per_pkt=%.1f aggregate_mpps=%.2f driver_mpps=%.2f drops=%llu "
	       "pinned=%s tsc_ghz=%.3f windows=%d\n",
	       threads, opt_batch, RING, (unsigned long long)pk, pk ? (double)dcyc / (double)pk : 0, sorted[0],
	       sorted[WINDOWS - 1], pk ? (double)mcyc / (double)pk : 0, agg_mpps, drv_mpps, (unsigned long long)drops,
	       pinned ? "yes" : "no", tsc_ghz, WINDOWS);
	fflush(stdout);
	mc_teardown(&m, sp);
}

/* Callgrind: run until each thread forwarded opt_packets; print packets. */
static void cg_fwd(unsigned threads)
{
	struct mc m;
	memset(&m, 0, sizeof(m));
	struct ixy_mempool *sp;
	mc_setup(&m, threads, &sp);
	struct thr t[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	pthread_barrier_init(&m.go, NULL, threads);
	for (unsigned i = 0; i < threads; i++)
		t[i] = (struct thr){ .mc = &m, .queue = (uint16_t)i, .cpu = -1 };
	for (unsigned i = 1; i < threads; i++)
		if (pthread_create(&tid[i], NULL, thread_main, &t[i]))
			die("pthread_create");
	pthread_barrier_wait(&m.go);
	iterate(&t[0]);
	for (unsigned i = 1; i < threads; i++)
		pthread_join(tid[i], NULL);
	for (unsigned i = 0; i < threads; i++)
		printf("bench mc_cg threads=%u thread=%u batch=%u packets=%llu drops=%llu\n", threads, i, opt_batch,
		       (unsigned long long)t[i].pkts, (unsigned long long)t[i].drops);
	fflush(stdout);
	pthread_barrier_destroy(&m.go);
	mc_teardown(&m, sp);
}

/* ---- mempool under threads ---- */

struct mp_thr {
	struct ixy_mempool *pool;
	pthread_barrier_t *go;
	uint64_t bufs, cyc;
	int cpu;
	int errors;
} __attribute__((aligned(64)));

static atomic_bool mp_stop;

static void *mp_main(void *arg)
{
	struct mp_thr *t = arg;
	struct ixy_pkt_buf *bufs[32];
	if (t->cpu >= 0)
		pin_self(t->cpu);
	pthread_barrier_wait(t->go);
	uint64_t c0 = clk();
	for (uint64_t it = 0;; it++) {
		uint32_t n = ixy_pkt_buf_alloc_batch(t->pool, bufs, 32);
		if (n != 32)
			t->errors++;    /* the pool holds enough for every thread */
		ixy_pkt_buf_free_batch_pool(t->pool, bufs, n);
		t->bufs += n;
		if ((it & 1023) == 0 && atomic_load(&mp_stop))
			break;
	}
	t->cyc = clk() - c0;
	return NULL;
}

static void print_mempool(unsigned threads, bool shared, const int *cpus, int ncpu)
{
	struct ixy_mempool *pools[MAX_THREADS];
	struct ixy_mempool_opts o = { .num_entries = 4096, .numa_node = -1, .shared = shared };
	for (unsigned i = 0; i < threads; i++) {
		pools[i] = (shared && i > 0) ? pools[0] : ixy_mempool_create(&o);
		if (!pools[i])
			die("ixy_mempool_create");
	}
	bool pinned = (int)threads <= ncpu;
	double per[WINDOWS];
	for (int w = 0; w < WINDOWS; w++) {
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, threads + 1);
		struct mp_thr t[MAX_THREADS];
		pthread_t tid[MAX_THREADS];
		atomic_store(&mp_stop, false);
		for (unsigned i = 0; i < threads; i++) {
			t[i] = (struct mp_thr){ .pool = pools[i], .go = &go, .cpu = pinned ? cpus[i] : -1 };
			if (pthread_create(&tid[i], NULL, mp_main, &t[i]))
				die("pthread_create");
		}
		pthread_barrier_wait(&go);
		uint64_t end = now_ns() + (uint64_t)(opt_secs / WINDOWS * 1e9);
		while (now_ns() < end)
			sched_yield();
		atomic_store(&mp_stop, true);
		uint64_t b = 0, c = 0;
		int err = 0;
		for (unsigned i = 0; i < threads; i++) {
			pthread_join(tid[i], NULL);
			b += t[i].bufs;
			c += t[i].cyc;
			err += t[i].errors;
		}
		if (err)
			fprintf(stderr, "mc_bench: mempool: %d short allocations\n", err);
		per[w] = b ? (double)c / (double)b : 0;
		pthread_barrier_destroy(&go);
	}
	qsort(per, WINDOWS, sizeof(double), cmp_dbl);
	printf("bench mc_mempool threads=%u pool=%s batch=32 cycles_per_buf=%.1f spread=%.1f..%.1f pinned=%s\n", threads,
	       shared ? "shared" : "per_thread", per[WINDOWS / 2], per[0], per[WINDOWS - 1], pinned ? "yes" : "no");
	fflush(stdout);
	for (unsigned i = 0; i < threads; i++)
		if (!shared || i == 0)
			ixy_mempool_free(pools[i]);
}

static unsigned parse_threads(const char *s, unsigned *list)
{
	unsigned n = 0;
	char *end;
	while (*s && n < MAX_THREADS) {
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || v < 1 || v > MAX_THREADS || (*end && *end != ',')) {
			fprintf(stderr, "mc_bench: --threads: '%s' is not a list of 1..%d\n", s, MAX_THREADS);
			exit(2);
		}
		list[n++] = (unsigned)v;
		s = *end ? end + 1 : end;
	}
	return n;
}

int main(int argc, char **argv)
{
	unsigned list[MAX_THREADS] = { 1, 2 }, nlist = 2;
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--secs") && i + 1 < argc)
			opt_secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			nlist = parse_threads(argv[++i], list);
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			opt_batch = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			opt_packets = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			opt_rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--callgrind"))
			cg_mode = true;
		else {
			fprintf(stderr, "usage: mc_bench [--secs S] [--threads 1,2] [--batch N] [--rounds K] [--only fwd|mempool]\n"
					"       mc_bench --callgrind --threads N [--packets P] [--batch N]\n");
			return 2;
		}
	}
	if (opt_batch < 1 || opt_batch > MAX_BATCH || opt_secs <= 0 || opt_rounds < 1 ||
	    (uint32_t)opt_rounds * opt_batch > RING * 7 / 8 - 32) {
		fprintf(stderr, "mc_bench: --batch 1..%d, --secs > 0, --rounds 1.. with rounds x batch <= %d\n",
			MAX_BATCH, RING * 7 / 8 - 32);
		return 2;
	}
	if (cg_mode) {
		cg_fwd(list[0]);
		return 0;
	}
	int cpus[MAX_THREADS], ncpu = allowed_cpus(cpus, MAX_THREADS);
	calibrate();
	if (!only || !strcmp(only, "fwd"))
		for (unsigned i = 0; i < nlist; i++)
			print_fwd(list[i], cpus, ncpu);
	if (!only || !strcmp(only, "mempool"))
		for (unsigned i = 0; i < nlist; i++)
			for (int shared = 0; shared < 2; shared++)
				print_mempool(list[i], shared, cpus, ncpu);
	return 0;
}
