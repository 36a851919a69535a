/* What a TX checksum costs the CPU, with and without the NIC doing it.
 *
 * An application that changes a frame before sending it (here: a sequence
 * number into the payload, as ixy-pktgen does) must make its checksums
 * right again. Three ways, each timed over the same region, per batch:
 *
 *   none  stamp + ixy_tx_batch, checksums left wrong: the floor
 *   sw    stamp + ixy_pkt_tx_csum_sw (IPv4 header and UDP over the whole
 *         datagram, in software) + ixy_tx_batch on a default port
 *   hw    stamp + ixy_tx_batch on a port opened with ixy_config.tx_offload,
 *         the requests (IXY_PKT_TX_IPV4 | IP_CKSUM | UDP_CKSUM) preset in
 *         every buffer: the driver seeds the pseudo-header sum and writes a
 *         context descriptor when the context changes (here: once)
 *
 * UDP/IPv4 frames of 60 and 1514 bytes (without CRC), batches of 32, one
 * stepped sim port per way (null wire, unthrottled); the model is stepped
 * outside the region. Prints
 *   bench tx_csum offload=none|sw|hw frame=N batch=32 cycles_per_pkt=C
 * with C the smallest of 5 runs of --packets frames each, timed as a whole
 * (sum of the regions' TSC spans). Instructions come from callgrind:
 *   offload_bench --callgrind none|sw|hw --frame N [--packets N]
 * toggles collection around the same region and prints the packet count;
 * bench/run.sh divides (lines bench tx_csum_instr ...). Root, hugepages. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include <valgrind/callgrind.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/mempool.h"
#include "ixy/packet.h"
#include "ixy/sim.h"

#define BATCH 32
#define RUNS 5
#define SEQ_OFF (IXY_UDP_FRAME_OVERHEAD)

enum way { NONE, SW, HW };
static const char *const way_name[] = { "none", "sw", "hw" };
static int cg_mode;

static void die(const char *what)
{
	fprintf(stderr, "offload_bench: %s: %s\n", what, ixy_last_error());
	exit(1);
}

struct setup {
	struct ixy_sim *sim;
	struct ixy_device *dev;
	struct ixy_mempool *pool;
};

static void open_setup(struct setup *s, enum way w, uint32_t frame)
{
	static unsigned seq;
	char name[32];
	snprintf(name, sizeof(name), "ob%u", seq++);
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .link_delay_us = 1, .unthrottled = true };
	if (!(s->sim = ixy_sim_create(name, &sc)) || ixy_sim_wire_null(s->sim) < 0)
		die("ixy_sim_create");
	struct ixy_config c = { .tx_ring_size = 512, .rx_ring_size = 512, .link_timeout_ms = 2000,
				.tx_offload = w == HW };
	if (!(s->dev = ixy_open_sim(s->sim, &c)))
		die("ixy_open_sim");
	struct ixy_mempool_opts mo = { .num_entries = 4096, .buf_len = 2048, .numa_node = -1 };
	if (!(s->pool = ixy_mempool_create(&mo)))
		die("ixy_mempool_create");
	struct ixy_udp_spec spec = { .dst_mac = { 2, 0, 0, 0, 0, 2 }, .src_mac = { 2, 0, 0, 0, 0, 1 },
				     .src_ip = 0xc6120001, .dst_ip = 0xc6130001, .src_port = 1024, .dst_port = 9 };
	for (uint32_t i = 0; i < mo.num_entries; i++) {
		struct ixy_pkt_buf *b = ixy_mempool_get(s->pool, i);
		if (ixy_build_udp_frame(ixy_pkt_data(b), b->buf_len, frame, &spec) < 0)
			die("ixy_build_udp_frame");
		b->len = frame;
		b->ol_flags = IXY_PKT_TX_IPV4 | IXY_PKT_TX_IP_CKSUM | IXY_PKT_TX_UDP_CKSUM;
		b->l2_len = IXY_ETH_HDR_LEN;
		b->l3_len = IXY_IPV4_HDR_LEN;
	}
}

static void close_setup(struct setup *s)
{
	ixy_close(s->dev);
	ixy_mempool_free(s->pool);
	ixy_sim_destroy(s->sim);
}

/* Send `packets` frames; returns the TSC cycles spent inside the regions
 * (callgrind: collects inside them when `collect`). */
static uint64_t run(struct setup *s, enum way w, uint64_t packets, bool collect)
{
	struct ixy_pkt_buf *bufs[BATCH];
	uint64_t seq = 0, cycles = 0;
	while (seq < packets) {
		uint32_t n = ixy_pkt_buf_alloc_batch(s->pool, bufs, BATCH);
		if (collect)
			CALLGRIND_TOGGLE_COLLECT;
		_mm_lfence();
		uint64_t t0 = __rdtsc();
		for (uint32_t i = 0; i < n; i++) {
			uint64_t v = seq + i;
			memcpy(ixy_pkt_data(bufs[i]) + SEQ_OFF, &v, sizeof(v));
			if (w == SW)
				ixy_pkt_tx_csum_sw(bufs[i]);
		}
		uint32_t sent = ixy_tx_batch(s->dev, 0, bufs, n);
		_mm_lfence();
		cycles += __rdtsc() - t0;
		if (collect)
			CALLGRIND_TOGGLE_COLLECT;
		if (sent < n)
			ixy_pkt_buf_free_batch(bufs + sent, n - sent);
		seq += sent;
		ixy_sim_step(s->sim);
	}
	return cycles;
}

int main(int argc, char **argv)
{
	uint64_t packets = 200000;
	uint32_t frame = 0;
	int cg_way = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--callgrind") && i + 1 < argc) {
			cg_mode = 1;
			const char *w = argv[++i];
			cg_way = !strcmp(w, "none") ? NONE : !strcmp(w, "sw") ? SW : !strcmp(w, "hw") ? HW : -1;
			if (cg_way < 0) {
				fprintf(stderr, "offload_bench: --callgrind none, sw or hw\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--frame") && i + 1 < argc) {
			frame = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--packets") && i + 1 < argc) {
			packets = strtoull(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: offload_bench [--packets N]\n"
					"       offload_bench --callgrind none|sw|hw --frame 60|1514 [--packets N]\n");
			return 2;
		}
	}
	if (packets == 0 || (frame && (frame < 60 || frame > 1514))) {
		fprintf(stderr, "offload_bench: --packets at least 1, --frame 60..1514\n");
		return 2;
	}
	if (cg_mode) {
		struct setup s;
		open_setup(&s, (enum way)cg_way, frame ? frame : 60);
		run(&s, (enum way)cg_way, BATCH * 64, false);   /* warm: the ring wraps, buffers come back */
		run(&s, (enum way)cg_way, packets, true);
		close_setup(&s);
		printf("callgrind offload=%s frame=%u packets=%" PRIu64 "\n", way_name[cg_way], frame ? frame : 60,
		       packets);
		return 0;
	}
	static const uint32_t frames[] = { 60, 1514 };
	for (unsigned f = 0; f < 2; f++) {
		if (frame && frames[f] != frame)
			continue;
		for (int w = NONE; w <= HW; w++) {
			struct setup s;
			open_setup(&s, (enum way)w, frames[f]);
			run(&s, (enum way)w, BATCH * 64, false);
			uint64_t best = UINT64_MAX;
			for (int r = 0; r < RUNS; r++) {
				uint64_t c = run(&s, (enum way)w, packets, false);
				if (c < best)
					best = c;
			}
			close_setup(&s);
			printf("bench tx_csum offload=%s frame=%u batch=%d cycles_per_pkt=%.1f runs=%d packets=%" PRIu64
			       "\n", way_name[w], frames[f], BATCH, (double)best / (double)packets, RUNS, packets);
			fflush(stdout);
		}
	}
	return 0;
}
