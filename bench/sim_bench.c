/* How fast the virtual 82599 itself moves frames, so that measurements of
 * the driver against it measure the driver. Stepped mode, one thread: the
 * program plays a minimal driver (re-arms RX descriptors, refills TX
 * descriptors, one tail write per batch) and steps the model.
 *
 *   sim_rx: generator wire -> RX ring      (the model's receive path)
 *   sim_tx: TX ring -> null wire           (the model's transmit path)
 *
 * Prints lines "bench sim_rx mode=stepped frame=64 mpps=..." for 64-byte
 * frames (and 1514), and the number of frames moved (for instruction counts
 * per frame under valgrind --tool=callgrind). Needs root and 2 MiB hugepages.
 *   sim_shm: TX ring -> shm wire -> RX ring, two processes
 * Usage: sim_bench [seconds per figure, default 1] [rx64|tx64|rx1514|tx1514|shm64]
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/sim.h"

#define RING 512

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct port {
	struct ixy_sim *sim;
	struct ixy_dma_region *mem;
	uint8_t *ring, *bufs;
	uint64_t phys[RING];	/* buffer addresses, translated once like a mempool does */
	volatile uint32_t *tail;
};

static int open_port(struct port *p, const char *spec, int tx)
{
	p->sim = ixy_sim_open_spec(spec);
	p->mem = p->sim ? ixy_dma_alloc(IXY_PAGE_2M, NULL) : NULL;
	if (!p->sim || !p->mem) {
		fprintf(stderr, "sim_bench: %s\n", ixy_last_error());
		return -1;
	}
	struct ixy_sim *s = p->sim;
	p->ring = ixy_dma_virt(p->mem);
	p->bufs = p->ring + 0x10000;
	uint64_t rb = ixy_dma_virt_to_phys(p->mem, p->ring);
	volatile uint8_t *bar = ixy_sim_bar0(s, NULL);
	ixy_sim_reg_write(s, 0x04240, ixy_sim_reg_read(s, 0x04240) | 0x2);	/* HLREG0.RXCRCSTRP */
	ixy_sim_reg_write(s, 0x02f00, ixy_sim_reg_read(s, 0x02f00) | 0x2);	/* RDRXCTL.CRCSTRIP */
	for (int i = 0; i < RING; i++)
		p->phys[i] = ixy_dma_virt_to_phys(p->mem, p->bufs + 2048 * i);
	if (!tx) {
		for (int i = 0; i < RING; i++) {
			uint64_t a = p->phys[i], z = 0;
			memcpy(p->ring + 16 * i, &a, 8);
			memcpy(p->ring + 16 * i + 8, &z, 8);
		}
		ixy_sim_reg_write(s, 0x01000, (uint32_t)rb);
		ixy_sim_reg_write(s, 0x01004, (uint32_t)(rb >> 32));
		ixy_sim_reg_write(s, 0x01008, RING * 16);
		ixy_sim_reg_write(s, 0x01014, 2u | 1u << 25 | 1u << 28);
		ixy_sim_reg_write(s, 0x01028, 1u << 25);
		ixy_sim_reg_write(s, 0x05080, 0x700);	/* promiscuous */
		ixy_sim_reg_write(s, 0x03000, 1);
		p->tail = (volatile uint32_t *)(bar + 0x01018);
		*p->tail = RING - 1;
	} else {
		for (int i = 0; i < RING; i++) {
			memcpy(p->ring + 16 * i, &p->phys[i], 8);
			memset(p->bufs + 2048 * i, 0x11, 2048);
		}
		ixy_sim_reg_write(s, 0x04a80, 1);
		ixy_sim_reg_write(s, 0x06000, (uint32_t)rb);
		ixy_sim_reg_write(s, 0x06004, (uint32_t)(rb >> 32));
		ixy_sim_reg_write(s, 0x06008, RING * 16);
		ixy_sim_reg_write(s, 0x06028, 1u << 25);
		p->tail = (volatile uint32_t *)(bar + 0x06018);
	}
	while (!(ixy_sim_reg_read(s, 0x042a4) & (1u << 30)))
		ixy_sim_step(s);	/* the shm wire's carrier comes with a round */
	return 0;
}

static void close_port(struct port *p)
{
	ixy_sim_destroy(p->sim);
	ixy_dma_free(p->mem);
}

static double bench_rx(uint32_t len, double secs, uint64_t *nframes, const char *wire)
{
	char spec[128];
	if (wire)
		snprintf(spec, sizeof(spec), "bench_rx,mode=stepped,unthrottled,link_delay_us=1,wire=%s", wire);
	else
		snprintf(spec, sizeof(spec), "bench_rx,mode=stepped,unthrottled,link_delay_us=1,wire=gen:%u:0:0:64", len);
	struct port p;
	if (open_port(&p, spec, 0) < 0)
		return -1;
	uint32_t next = 0;
	uint64_t frames = 0, t0 = now_ns(), end = t0 + (uint64_t)(secs * 1e9);
	while (now_ns() < end) {
		for (int k = 0; k < 64; k++) {
			ixy_sim_step(p.sim);
			uint32_t last = next, n = 0;
			for (;;) {
				uint8_t *d = p.ring + 16 * next;
				if (!(__atomic_load_n((uint32_t *)(void *)(d + 8), __ATOMIC_ACQUIRE) & 1))
					break;
				/* re-arm: buffer address stays in place, clear the status */
				memset(d + 8, 0, 8);
				memcpy(d, &p.phys[next], 8);
				last = next;
				next = (next + 1) % RING;
				n++;
			}
			if (n) {
				__atomic_store_n(p.tail, last, __ATOMIC_RELEASE);
				frames += n;
			}
		}
	}
	double mpps = (double)frames / ((double)(now_ns() - t0) / 1e3);
	*nframes = frames;
	close_port(&p);
	return mpps;
}

static double bench_tx(uint32_t len, double secs, uint64_t *nframes, const char *wire)
{
	struct port p;
	char spec[128];
	snprintf(spec, sizeof(spec), "bench_tx,mode=stepped,unthrottled,link_delay_us=1,wire=%s", wire ? wire : "null");
	if (open_port(&p, spec, 1) < 0)
		return -1;
	uint32_t tail = 0;
	uint64_t frames = 0, t0 = now_ns(), end = t0 + (uint64_t)(secs * 1e9);
	uint32_t cmd = len | 3u << 20 | 1u << 29 | 1u << 24 | 1u << 25 | 1u << 27, ol = len << 14;
	while (now_ns() < end) {
		for (int k = 0; k < 64; k++) {
			/* fill every free descriptor (the model consumed the previous
			 * batch in the last step), one tail write */
			uint32_t head = ixy_sim_reg_read(p.sim, 0x06010), n = 0;
			while ((tail + 1) % RING != head) {
				uint8_t *d = p.ring + 16 * tail;
				memcpy(d + 8, &cmd, 4);
				memcpy(d + 12, &ol, 4);
				tail = (tail + 1) % RING;
				n++;
			}
			__atomic_store_n(p.tail, tail, __ATOMIC_RELEASE);
			frames += (uint64_t)ixy_sim_step(p.sim);
			(void)n;
		}
	}
	double mpps = (double)frames / ((double)(now_ns() - t0) / 1e3);
	*nframes = frames;
	close_port(&p);
	return mpps;
}

/* Two processes cabled by wire=shm: a child transmits as fast as it can
 * (bench_tx), this process receives (bench_rx); one core each. */
static double bench_shm(uint32_t len, double secs, uint64_t *nframes)
{
	char wire[64];
	snprintf(wire, sizeof(wire), "shm:bench-%d", (int)getpid());
	pid_t child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		uint64_t n;
		_exit(bench_tx(len, secs + 0.5, &n, wire) < 0 ? 1 : 0);
	}
	double mpps = bench_rx(len, secs, nframes, wire);
	int status;
	waitpid(child, &status, 0);
	return mpps;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	const char *only = argc > 2 ? argv[2] : NULL;
	uint32_t lens[] = { 64, 1514 };
	for (int i = 0; i < 2; i++) {
		uint32_t wire = lens[i] == 64 ? 60 : lens[i];	/* 64 B on the wire = 60 + FCS */
		for (int tx = 0; tx < 2; tx++) {
			char tag[16];
			snprintf(tag, sizeof(tag), "%s%u", tx ? "tx" : "rx", lens[i]);
			if (only && strcmp(only, tag) != 0)
				continue;
			uint64_t n = 0;
			double mpps = tx ? bench_tx(wire, secs, &n, NULL) : bench_rx(wire, secs, &n, NULL);
			if (mpps < 0)
				return 1;
			printf("bench sim_%s mode=stepped frame=%u mpps=%.2f frames=%" PRIu64 "\n", tx ? "tx" : "rx",
			       lens[i], mpps, n);
		}
	}
	if (!only || strcmp(only, "shm64") == 0) {
		uint64_t n = 0;
		double mpps = bench_shm(60, secs, &n);
		if (mpps < 0)
			return 1;
		printf("bench sim_shm mode=stepped frame=64 mpps=%.2f frames=%" PRIu64 " (TX process -> shm -> RX process)\n",
		       mpps, n);
	}
	return 0;
}
