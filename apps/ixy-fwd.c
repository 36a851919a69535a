/* ixy-fwd: forward packets between two ports (A->B and B->A).
 *
 * The whole data path is the loop in forward(): receive a batch on one
 * port, optionally rewrite MAC addresses, transmit the batch on the other,
 * and drop (free) what the TX ring had no room for.
 *
 * With -T N the ports get N queue pairs and RSS spreads the flows over
 * them; thread i forwards queue i of A to queue i of B and back, on its
 * own: no locks and no shared counters on the data path. Each RX queue has
 * its own (single-thread) mempool, and a buffer only ever travels from A's
 * RX queue i to B's TX queue i (or back), whose completions thread i reaps:
 * so each pool is used by one thread only. Thread 0 is the main thread and
 * prints the statistics. Virtual ports in stepped mode are stepped by the
 * threads, each for its own TX queues (ixy_sim_step_queues). */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ixy/ixy.h>
#include <ixy/device.h>

#include "app.h"
#include "app_cpu.h"

#define PROG "ixy-fwd"
#define MAX_BATCH 512
#define MAX_THREADS IXY_STATS_QUEUES   /* RSS reaches 16 queues on the 82599/X540 */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options] PORT_A PORT_B\n"
		"Forward packets A->B and B->A on one core (or N, -T). PORT is a PCI address (0000:03:00.0)\n"
		"or a virtual port (sim:NAME,...; see docs/sim.md).\n"
		"  -b, --batch N          packets per rx/tx batch (1..%d, default 32)\n"
		"  -T, --threads N        N queue pairs spread by RSS, one thread each (1..%d, default 1);\n"
		"                         lines and totals per thread, then summed\n"
		"  -t, --duration SEC     stop after SEC seconds (default: until Ctrl-C)\n"
		"  -n, --count N          stop after N packets forwarded in total\n"
		"      --dst-mac-a MAC    rewrite the destination MAC of frames sent out of A\n"
		"      --dst-mac-b MAC    rewrite the destination MAC of frames sent out of B\n"
		"      --src-mac          rewrite the source MAC to the sending port's own MAC\n"
		"      --no-promisc       do not put the ports in promiscuous mode\n"
		"      --ring N           RX/TX ring size (power of two, 64..4096, default 512)\n"
		"  -i, --interval SEC     statistics interval (default 1, 0 = none)\n"
		"      --force        take NICs from the kernel even if their interface is up\n"
		"  -I, --interrupt        sleep when idle: poll while packets come; after %d us\n"
		"                         without one, arm the RX interrupts and sleep (ixy_rx_hybrid)\n"
		"  -h, --help             this text\n", MAX_BATCH, MAX_THREADS, IXY_HYBRID_IDLE_US);
}

struct port {
	struct ixy_device *dev;
	struct ixy_sim *stepped;        /* a virtual port in stepped mode: the threads step it */
	const char *name;
	uint8_t mac[6];
	bool rewrite_dst;
	uint8_t dst_mac[6];
	struct ixy_stats prev, now;
};

static bool rewrite_src;
static struct port ports[2];
static uint32_t batch_size = 32;
static uint64_t count_limit;            /* -n: stop after this many in total (0 = no limit) */
static bool interrupt;

/* One forwarding thread: queue pair `queue` of both ports. Its counters are
 * written by it alone (relaxed atomic stores, so the main thread may read
 * them for the lines while it runs); one cache line each, no sharing. */
struct worker {
	uint16_t queue;
	uint64_t fwd[2];                /* handed to the TX ring: [0] A->B, [1] B->A */
	uint64_t dropped[2];            /* taken from RX, no room in the TX ring */
	uint64_t sleeps;                /* --interrupt: times the hybrid slept */
	int status;                     /* 0, or 1 after an error (message printed) */
	pthread_t tid;
	uint64_t prev_fwd, prev_dropped;  /* main thread's: sums at the previous line */
} __attribute__((aligned(64)));

static struct worker workers[MAX_THREADS];
static unsigned nthreads = 1;
static atomic_bool stop_all;            /* the main thread's or a worker's "stop" for all threads */
static _Atomic uint64_t fwd_total;      /* only with -n: the threads' sum, to stop at the count */

static inline void add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline uint64_t get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Move one batch from rx to tx on queue q; returns the number forwarded. */
static uint32_t forward(struct port *rx, struct port *tx, uint16_t q, uint64_t *handed, uint64_t *dropped)
{
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	uint32_t n = ixy_rx_batch(rx->dev, q, bufs, batch_size);
	if (n == 0)
		return 0;
	if (tx->rewrite_dst || rewrite_src) {
		for (uint32_t i = 0; i < n; i++) {
			uint8_t *eth = ixy_pkt_data(bufs[i]);
			if (tx->rewrite_dst)
				memcpy(eth, tx->dst_mac, 6);
			if (rewrite_src)
				memcpy(eth + 6, tx->mac, 6);
		}
	}
	uint32_t sent = ixy_tx_batch(tx->dev, q, bufs, n);
	add(handed, sent);
	if (sent < n) {
		ixy_pkt_buf_free_batch(bufs + sent, n - sent);
		add(dropped, n - sent);
	}
	return sent;
}

/* One round of a thread: step the stepped ports for its TX queues, both
 * directions, idle handling. Returns false when the thread must stop. */
static bool round_once(struct worker *w, struct ixy_rx_hybrid *hybrid, const struct ixy_rxq *rxqs,
		       unsigned *idle)
{
	for (int i = 0; i < 2; i++)
		if (ports[i].stepped)
			ixy_sim_step_queues(ports[i].stepped, w->queue, 1);
	uint32_t moved = forward(&ports[0], &ports[1], w->queue, &w->fwd[0], &w->dropped[0]);
	moved += forward(&ports[1], &ports[0], w->queue, &w->fwd[1], &w->dropped[1]);
	if (!interrupt) {
		app_idle_at(idle, moved > 0);
	} else {
		uint64_t before = hybrid->sleeps;
		if (ixy_rx_hybrid_idle(hybrid, rxqs, 2, moved) < 0) {
			app_err(PROG, "thread %u: %s", w->queue, ixy_last_error());
			w->status = 1;
			return false;
		}
		add(&w->sleeps, hybrid->sleeps - before);
	}
	if (count_limit && moved && atomic_fetch_add_explicit(&fwd_total, moved, memory_order_relaxed) + moved >=
					     count_limit)
		atomic_store(&stop_all, true);
	return true;
}

static bool stopping(void)
{
	return app_stop || atomic_load_explicit(&stop_all, memory_order_relaxed);
}

/* Threads 1..N-1: forward until told to stop. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ixy_rxq rxqs[2] = { { ports[0].dev, w->queue }, { ports[1].dev, w->queue } };
	struct ixy_rx_hybrid hybrid = { 0 };
	unsigned idle = 0;
	while (!stopping())
		if (!round_once(w, &hybrid, rxqs, &idle)) {
			atomic_store(&stop_all, true);
			break;
		}
	return NULL;
}

static uint64_t thread_sum(const struct worker *w)
{
	return get(&w->fwd[0]) + get(&w->fwd[1]);
}

/* The per-second lines (the ports' counters just read): each port (its NIC
 * counters, all queues), then with
 * several threads one line each (what it forwarded in the interval, and
 * dropped for a full TX ring, as the port lines count their drops). */
static void print_lines(struct app_cpu *cpu, uint64_t *sleeps_printed, double secs)
{
	for (int i = 0; i < 2; i++) {
		app_print_rates(PROG, ports[i].name, &ports[i].now, &ports[i].prev);
		ports[i].prev = ports[i].now;
	}
	uint64_t sleeps = 0;
	for (unsigned t = 0; t < nthreads; t++)
		sleeps += get(&workers[t].sleeps);
	if (nthreads > 1) {
		for (unsigned t = 0; t < nthreads; t++) {
			struct worker *w = &workers[t];
			uint64_t sum = thread_sum(w), dropped = get(&w->dropped[0]) + get(&w->dropped[1]);
			printf("[" PROG "] thread %-2u (queue %u)   forwarded %8.3f Mpps | dropped %llu\n", t, w->queue,
			       secs > 0 ? (double)(sum - w->prev_fwd) / secs / 1e6 : 0.0,
			       (unsigned long long)(dropped - w->prev_dropped));
			w->prev_fwd = sum;
			w->prev_dropped = dropped;
		}
	}
	char extra[64];
	snprintf(extra, sizeof(extra), "slept %llu times", (unsigned long long)(sleeps - *sleeps_printed));
	app_cpu_print(PROG, cpu, interrupt ? extra : NULL);
	*sleeps_printed = sleeps;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", required_argument, NULL, 'b' },   { "duration", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },   { "dst-mac-a", required_argument, NULL, 'A' },
		{ "dst-mac-b", required_argument, NULL, 'B' }, { "src-mac", no_argument, NULL, 'S' },
		{ "no-promisc", no_argument, NULL, 'P' },    { "ring", required_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, 'i' }, { "force", no_argument, NULL, 'F' }, { "help", no_argument, NULL, 'h' },
		{ "interrupt", no_argument, NULL, 'I' },     { "threads", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int status = 0;
	uint64_t batch = 32, ring = 0, threads = 1;
	double duration = 0, interval = 1;
	bool promisc = true, force = false;
	int c;

	while ((c = getopt_long(argc, argv, "b:t:n:i:hIT:", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!app_opt_u64(PROG, "--batch", optarg, 1, MAX_BATCH, &batch))
				return 2;
			break;
		case 't':
			if (!app_opt_seconds(PROG, "--duration", optarg, &duration))
				return 2;
			break;
		case 'n':
			if (!app_opt_u64(PROG, "--count", optarg, 0, UINT64_MAX, &count_limit))
				return 2;
			break;
		case 'T':
			if (!app_opt_u64(PROG, "--threads", optarg, 1, MAX_THREADS, &threads))
				return 2;
			break;
		case 'A':
		case 'B': {
			struct port *p = &ports[c == 'A' ? 0 : 1];
			if (ixy_parse_mac(optarg, p->dst_mac) < 0)
				return app_err(PROG, "%s", ixy_last_error()), 2;
			p->rewrite_dst = true;
			break;
		}
		case 'S': rewrite_src = true; break;
		case 'P': promisc = false; break;
		case 'r':
			if (!app_opt_u64(PROG, "--ring", optarg, 0, 65535, &ring))
				return 2;
			break;
		case 'i':
			if (!app_opt_seconds(PROG, "--interval", optarg, &interval))
				return 2;
			break;
		case 'F': force = true; break;
		case 'I': interrupt = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	batch_size = (uint32_t)batch;
	nthreads = (unsigned)threads;

	/* one queue pair per thread; with more than one, ixy_open spreads
	 * the flows over the RX queues by RSS */
	struct ixy_config cfg = { .promisc = promisc, .force = force, .rx_ring_size = (uint16_t)ring,
				  .tx_ring_size = (uint16_t)ring, .cancel = &app_stop,
				  .num_rx_queues = (uint16_t)nthreads, .num_tx_queues = (uint16_t)nthreads };
	/* Signals first: one during an open (its link wait) ends it cleanly. */
	app_install_signals();
	for (int i = 0; i < 2; i++) {
		ports[i].name = argv[optind + i];
		ports[i].dev = ixy_open(ports[i].name, &cfg);
		if (!ports[i].dev) {
			int open_status = app_open_failed(PROG, ports[i].name);
			ixy_close(ports[0].dev);
			return open_status;
		}
		struct ixy_sim *sim = ixy_device_sim(ports[i].dev);
		if (sim && ixy_sim_mode(sim) == IXY_SIM_STEPPED)
			ports[i].stepped = sim;
		ixy_get_mac(ports[i].dev, ports[i].mac);
		if (!app_read_stats(PROG, ports[i].dev, &ports[i].prev)) {
			ixy_close(ports[0].dev);
			ixy_close(ports[1].dev);
			return 1;
		}
	}
	/* a step covers a pair's two ports: step B only if it is not A's peer */
	if (ports[0].stepped && ports[1].stepped && ixy_sim_peer(ports[0].stepped) == ports[1].stepped)
		ports[1].stepped = NULL;
	/* --interrupt: every RX queue gets an interrupt; each thread's hybrid
	 * decides when to sleep on its two */
	for (unsigned q = 0; interrupt && q < nthreads; q++) {
		for (int i = 0; i < 2; i++) {
			if (ixy_rx_interrupt_enable(ports[i].dev, (uint16_t)q, NULL) < 0) {
				app_err(PROG, "--interrupt: %s", ixy_last_error());
				ixy_close(ports[0].dev);
				ixy_close(ports[1].dev);
				return 1;
			}
		}
	}
	struct app_cpu cpu;
	uint64_t sleeps_printed = 0;
	app_cpu_start(&cpu);

	uint64_t start = app_now_ns(), last = start, checked = start;
	bool gone = false;
	uint64_t end = duration > 0 ? start + (uint64_t)(duration * 1e9) : UINT64_MAX;
	unsigned started = 1;
	for (unsigned t = 0; t < nthreads; t++)
		workers[t].queue = (uint16_t)t;
	for (; started < nthreads; started++) {
		int err = pthread_create(&workers[started].tid, NULL, worker_main, &workers[started]);
		if (err) {
			app_err(PROG, "cannot start forwarding thread %u of %u: %s", started, nthreads, strerror(err));
			atomic_store(&stop_all, true);
			status = 1;
			break;
		}
	}
	/* thread 0: the main thread, which also prints */
	struct worker *w0 = &workers[0];
	struct ixy_rxq rxqs[2] = { { ports[0].dev, 0 }, { ports[1].dev, 0 } };
	struct ixy_rx_hybrid hybrid = { 0 };
	unsigned idle = 0;
	for (uint64_t iter = 0; !stopping(); iter++) {
		uint64_t sleeps = hybrid.sleeps;
		if (!round_once(w0, &hybrid, rxqs, &idle)) {
			status = 1;
			break;
		}
		/* the clock is cheap, but not free; after a sleep it is due */
		if ((iter & 0xfff) == 0 || hybrid.sleeps != sleeps) {
			uint64_t now = app_now_ns();
			if (now >= end)
				break;
			bool line = interval > 0 && now - last >= (uint64_t)(interval * 1e9);
			if (line || now - checked >= APP_CHECK_NS) {
				checked = now;
				for (int i = 0; i < 2 && !gone; i++)
					gone = !app_read_stats(PROG, ports[i].dev, &ports[i].now);
				if (gone)
					break;   /* a port went away: nothing more to drain or count */
			}
			if (line) {
				print_lines(&cpu, &sleeps_printed, (double)(now - last) / 1e9);
				last = now;
			}
		}
	}
	atomic_store(&stop_all, true);
	for (unsigned t = 1; t < started; t++) {
		pthread_join(workers[t].tid, NULL);
		if (workers[t].status)
			status = 1;
	}
	if (gone) {
		ixy_close(ports[0].dev);
		ixy_close(ports[1].dev);
		return 1;
	}

	/* Totals after the TX rings drained (at most 1 s each): what they
	 * say left did leave, and closing cuts nothing off. */
	double secs = (double)(app_now_ns() - start) / 1e9;
	uint64_t stuck[2], handed[2] = { 0, 0 }, dropped = 0, forwarded = 0;
	for (unsigned t = 0; t < nthreads; t++) {
		handed[1] += workers[t].fwd[0];         /* A->B: handed to B */
		handed[0] += workers[t].fwd[1];
		dropped += workers[t].dropped[0] + workers[t].dropped[1];
	}
	forwarded = handed[0] + handed[1];
	for (int i = 0; i < 2; i++) {
		stuck[i] = app_tx_drain(PROG, ports[i].dev, handed[i], true, &ports[i].now);
		app_print_totals(PROG, ports[i].name, &ports[i].now);
	}
	/* per thread: what it forwarded, and what the NIC counted on its
	 * queues (per-queue counters: RX of the receiving, TX of the sending
	 * port) */
	for (unsigned t = 0; nthreads > 1 && t < nthreads; t++) {
		const struct worker *w = &workers[t];
		const struct ixy_stats *a = &ports[0].now, *b = &ports[1].now;
		printf("[" PROG "] thread %u (queue %u): forwarded %llu (A->B %llu, B->A %llu), %llu dropped for a full "
		       "TX ring | NIC queue %u: A RX %llu TX %llu, B RX %llu TX %llu\n", t, w->queue,
		       (unsigned long long)(w->fwd[0] + w->fwd[1]), (unsigned long long)w->fwd[0],
		       (unsigned long long)w->fwd[1], (unsigned long long)(w->dropped[0] + w->dropped[1]), w->queue,
		       (unsigned long long)a->rxq[w->queue].packets, (unsigned long long)a->txq[w->queue].packets,
		       (unsigned long long)b->rxq[w->queue].packets, (unsigned long long)b->txq[w->queue].packets);
	}
	printf("[" PROG "] forwarded %llu packets in %.1f s, %llu dropped for a full TX ring%s\n",
	       (unsigned long long)forwarded, secs, (unsigned long long)dropped,
	       nthreads > 1 ? " (all threads)" : "");
	fflush(stdout);
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		if (stuck[i] == APP_DRAIN_UNKNOWN) {
			rc = 1;   /* the error is printed */
		} else if (stuck[i]) {
			app_err(PROG, "%s: %llu of the %llu frames forwarded to it never left its TX ring within 1 s "
				"(link down?)", ports[i].name, (unsigned long long)stuck[i],
				(unsigned long long)handed[i]);
			rc = 1;
		}
		if (!app_wire_ok(PROG, ports[i].name, ports[i].dev))
			rc = 1;
	}
	ixy_close(ports[0].dev);
	ixy_close(ports[1].dev);
	return rc ? rc : status;
}
