/* What a TX checksum costs the CPU, with and without the NIC doing it.
 *
 * An application that changes a frame before sending it (here: a sequence
 * number into the payload, as ixy-pktgen does) must make its checksums
 * right again. Three ways, each measured over the same region, per batch:
 *
 *   none  stamp + ixy_tx_batch, checksums left wrong: the floor
 *   sw    stamp + ixy_pkt_tx_csum_sw (IPv4 header and UDP over the whole
 *         datagram, in software) + ixy_tx_batch on a default port
 *   hw    stamp + ixy_tx_batch on a port opened with ixy_config.tx_offload,
 *         the requests (IXY_PKT_TX_IPV4 | IP_CKSUM | UDP_CKSUM) preset in
 *         every buffer: the driver seeds the pseudo-header sum and writes a
 *         context descriptor when the context changes (here: once)
 *
 * UDP/IPv4 frames of 60..1514 bytes (without CRC), batches of 32, one
 * stepped sim port (null wire, unthrottled); the model is stepped outside
 * the region. The figure is instructions, counted by callgrind, which
 * this program lets count only inside the regions:
 *   valgrind --tool=callgrind --collect-atstart=no \
 *       offload_bench --way none|sw|hw --frame N [--packets N]
 * bench/offload.sh runs the six cases and prints `bench tx_csum ...`
 * lines. No TSC cycles: on this project's VMs the TSC gives region
 * figures that imply more instructions per cycle than the CPU can retire
 * (issue 13), so they are not printed. Root, hugepages. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/mempool.h"
#include "ixy/packet.h"
#include "ixy/sim.h"

#define BATCH 32
#define SEQ_OFF (IXY_UDP_FRAME_OVERHEAD)

enum way { NONE, SW, HW };
static const char *const way_name[] = { "none", "sw", "hw" };

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

/* Send `packets` frames; callgrind counts inside the regions when
 * `collect`. */
static void run(struct setup *s, enum way w, uint64_t packets, bool collect)
{
	struct ixy_pkt_buf *bufs[BATCH];
	uint64_t seq = 0;
	while (seq < packets) {
		uint32_t n = ixy_pkt_buf_alloc_batch(s->pool, bufs, BATCH);
		if (collect)
			CALLGRIND_TOGGLE_COLLECT;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t v = seq + i;
			memcpy(ixy_pkt_data(bufs[i]) + SEQ_OFF, &v, sizeof(v));
			if (w == SW)
				ixy_pkt_tx_csum_sw(bufs[i]);
		}
		uint32_t sent = ixy_tx_batch(s->dev, 0, bufs, n);
		if (collect)
			CALLGRIND_TOGGLE_COLLECT;
		if (sent < n)
			ixy_pkt_buf_free_batch(bufs + sent, n - sent);
		seq += sent;
		ixy_sim_step(s->sim);
	}
}

int main(int argc, char **argv)
{
	uint64_t packets = 20000;
	uint32_t frame = 60;
	int way = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--way") && i + 1 < argc) {
			const char *w = argv[++i];
			way = !strcmp(w, "none") ? NONE : !strcmp(w, "sw") ? SW : !strcmp(w, "hw") ? HW : -2;
		} else if (!strcmp(argv[i], "--frame") && i + 1 < argc) {
			frame = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--packets") && i + 1 < argc) {
			packets = strtoull(argv[++i], NULL, 10);
		} else {
			way = -2;
		}
	}
	if (way < 0 || packets == 0 || frame < 60 || frame > 1514) {
		fprintf(stderr, "usage: offload_bench --way none|sw|hw [--frame 60..1514] [--packets N >= 1]\n"
				"       (under valgrind --tool=callgrind --collect-atstart=no; see bench/offload.sh)\n");
		return 2;
	}
	struct setup s;
	open_setup(&s, (enum way)way, frame);
	run(&s, (enum way)way, BATCH * 64, false);   /* warm: the ring wraps, buffers come back */
	run(&s, (enum way)way, packets, true);
	close_setup(&s);
	printf("offload=%s frame=%u packets=%" PRIu64 "\n", way_name[way], frame, packets);
	return 0;
}
