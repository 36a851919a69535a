/* ixgbe driver: the data path against the virtual 82599 in stepped mode.
 * Frames sent come back byte for byte (loopback and paired ports, 60..1514
 * bytes and jumbo, many ring wrap-arounds, 1/2/4 queues), RX metadata
 * (length, RSS hash, checksum status), RSS queue selection, statistics. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "ixy/sim.h"
#include "sim_checks.h"

/* ---- frames ---- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

struct flow {
	uint32_t sip, dip;
	uint16_t sport, dport;
	uint8_t proto;  /* 17 UDP, 6 TCP */
};

/* Ethernet + IPv4 + UDP/TCP frame of len bytes (no CRC); the payload
 * starts with the 64-bit seed (where it fits) followed by bytes derived
 * from it; correct checksums unless bad_ip is set. */
static void build_frame(uint8_t *p, uint32_t len, const uint8_t dst[6], const struct flow *f, uint64_t seed,
			bool bad_ip)
{
	static const uint8_t src[6] = { 0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE };
	uint32_t l4len = len - 14 - 20;
	uint32_t hl = f->proto == 6 ? 20 : 8;

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	uint8_t *ip = p + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + l4len) >> 8);
	ip[3] = (uint8_t)(20 + l4len);
	ip[8] = 64;
	ip[9] = f->proto;
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)(f->sip >> (24 - 8 * i));
		ip[16 + i] = (uint8_t)(f->dip >> (24 - 8 * i));
	}
	uint16_t ipsum = csum_fold(csum_add(0, ip, 20));
	if (bad_ip)
		ipsum ^= 0x5555;
	ip[10] = (uint8_t)(ipsum >> 8);
	ip[11] = (uint8_t)ipsum;

	uint8_t *l4 = ip + 20;
	memset(l4, 0, hl);
	l4[0] = (uint8_t)(f->sport >> 8);
	l4[1] = (uint8_t)f->sport;
	l4[2] = (uint8_t)(f->dport >> 8);
	l4[3] = (uint8_t)f->dport;
	if (f->proto == 17) {
		l4[4] = (uint8_t)(l4len >> 8);
		l4[5] = (uint8_t)l4len;
	} else {
		l4[12] = 5 << 4;   /* data offset */
		l4[13] = 0x10;     /* ACK */
		l4[14] = 0xFF;     /* window */
	}
	for (uint32_t i = hl; i < l4len; i++)
		l4[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
	if (l4len >= hl + sizeof(seed))
		memcpy(l4 + hl, &seed, sizeof(seed));
	/* pseudo header + segment */
	uint8_t ph[12] = { ip[12], ip[13], ip[14], ip[15], ip[16], ip[17], ip[18], ip[19], 0, f->proto,
			   (uint8_t)(l4len >> 8), (uint8_t)l4len };
	uint16_t l4sum = csum_fold(csum_add(csum_add(0, ph, 12), l4, l4len));
	if (f->proto == 17 && l4sum == 0)
		l4sum = 0xFFFF;
	uint8_t *ck = f->proto == 17 ? l4 + 6 : l4 + 16;
	ck[0] = (uint8_t)(l4sum >> 8);
	ck[1] = (uint8_t)l4sum;
}

/* Toeplitz hash (Microsoft RSS specification), written from the spec. */
static uint32_t toeplitz(const uint8_t key[40], const uint8_t *in, size_t n)
{
	uint32_t hash = 0;
	uint32_t window = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
	for (size_t i = 0; i < n; i++) {
		for (int b = 7; b >= 0; b--) {
			if (in[i] & (1u << b))
				hash ^= window;
			uint8_t next = i + 4 < 40 ? key[i + 4] : 0;
			window = window << 1 | ((next >> b) & 1);
		}
	}
	return hash;
}

static uint32_t flow_hash(const uint8_t key[40], const struct flow *f)
{
	uint8_t in[12];
	for (int i = 0; i < 4; i++) {
		in[i] = (uint8_t)(f->sip >> (24 - 8 * i));
		in[4 + i] = (uint8_t)(f->dip >> (24 - 8 * i));
	}
	in[8] = (uint8_t)(f->sport >> 8);
	in[9] = (uint8_t)f->sport;
	in[10] = (uint8_t)(f->dport >> 8);
	in[11] = (uint8_t)f->dport;
	return toeplitz(key, in, 12);
}

/* ---- ports ---- */

static void assert_no_violations(struct ixy_sim *sim)
{
	assert_no_sim_violations(sim);
	assert_int_equal(ixy_sim_dma_faults(sim), 0);
}

static struct ixy_sim *new_sim(const char *name)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .unthrottled = true };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	if (!sim)
		print_message("ixy_sim_create: %s\n", ixy_last_error());
	assert_non_null(sim);
	return sim;
}

static struct ixy_device *open_port(struct ixy_sim *sim, uint16_t queues, uint16_t ring, uint32_t pool,
				    uint32_t max_frame)
{
	struct ixy_config c = { .num_rx_queues = queues, .num_tx_queues = queues, .rx_ring_size = ring,
				.tx_ring_size = ring, .mempool_size = pool, .max_frame_size = max_frame,
				.link_timeout_ms = 2000 };
	struct ixy_device *dev = ixy_open_sim(sim, &c);
	if (!dev)
		print_message("ixy_open_sim: %s\n", ixy_last_error());
	assert_non_null(dev);
	return dev;
}

static struct ixy_mempool *tx_pool(uint32_t n, uint32_t buf_len)
{
	struct ixy_mempool_opts o = { .num_entries = n, .buf_len = buf_len, .numa_node = -1 };
	struct ixy_mempool *p = ixy_mempool_create(&o);
	if (!p)
		print_message("ixy_mempool_create: %s\n", ixy_last_error());
	assert_non_null(p);
	return p;
}

/* Step the model(s) until a round moves nothing. */
static void pump(struct ixy_sim *a, struct ixy_sim *b)
{
	for (int idle = 0, rounds = 0; idle < 2 && rounds < 100000; rounds++) {
		int moved = ixy_sim_step(a) + (b ? ixy_sim_step(b) : 0);
		idle = moved > 0 ? 0 : idle + 1;
	}
}

/* ---- exchange frames and check every byte ---- */

struct xfer {
	struct ixy_device *tx, *rx;
	struct ixy_sim *sa, *sb;
	struct ixy_mempool *pool;
	uint32_t min_len, max_len;
	uint64_t sent, received, bytes;
	uint64_t per_queue[IXY_MAX_QUEUES];
};

static uint32_t frame_len(const struct xfer *x, uint64_t i)
{
	uint32_t span = x->max_len - x->min_len + 1;
	/* cycle through all sizes, hitting both ends */
	return x->min_len + (uint32_t)((i * 101) % span);
}

static struct flow frame_flow(uint64_t i)
{
	struct flow f = { .sip = 0xC6120001u + (uint32_t)(i % 7), .dip = 0xC6130001u,
			  .sport = (uint16_t)(1024 + i % 509), .dport = 4791, .proto = 17 };
	return f;
}

/* Send `count` frames from every TX queue in batches of `batch`, receive on
 * all RX queues, compare each frame with what was sent. */
static void exchange(struct xfer *x, uint64_t count, uint32_t batch)
{
	uint8_t dst[6];
	uint8_t *expect = malloc(16384);
	assert_non_null(expect);
	assert_int_equal(ixy_get_mac(x->rx, dst), 0);
	uint16_t txq = ixy_num_tx_queues(x->tx), rxq = ixy_num_rx_queues(x->rx);
	struct ixy_pkt_buf *bufs[256];
	/* frames carry a sequence number: with several queues they arrive
	 * spread over the queues; each must come exactly once */
	bool *seen = calloc(count, 1);
	assert_non_null(seen);

	unsigned idle_rounds = 0;
	while (x->sent < count || x->received < x->sent) {
		uint64_t sent_before = x->sent, received_before = x->received;
		for (uint16_t q = 0; q < txq && x->sent < count; q++) {
			uint32_t n = (uint32_t)(count - x->sent < batch ? count - x->sent : batch);
			uint32_t got = ixy_pkt_buf_alloc_batch(x->pool, bufs, n);
			for (uint32_t i = 0; i < got; i++) {
				uint64_t seq = x->sent + i;
				struct flow f = frame_flow(seq);
				bufs[i]->len = frame_len(x, seq);
				/* the sequence number leads the UDP payload */
				build_frame(ixy_pkt_data(bufs[i]), bufs[i]->len, dst, &f, seq, false);
			}
			uint32_t sent = ixy_tx_batch(x->tx, q, bufs, got);
			ixy_pkt_buf_free_batch(bufs + sent, got - sent);  /* ring full: try again later */
			x->sent += sent;
		}
		pump(x->sa, x->sb);
		uint64_t before = x->received;
		for (uint16_t q = 0; q < rxq; q++) {
			uint32_t n;
			while ((n = ixy_rx_batch(x->rx, q, bufs, 256)) > 0) {
				for (uint32_t i = 0; i < n; i++) {
					struct ixy_pkt_buf *b = bufs[i];
					uint64_t seq;
					memcpy(&seq, ixy_pkt_data(b) + 14 + 20 + 8, sizeof(seq));
					assert_true(seq < x->sent);
					assert_false(seen[seq]);
					seen[seq] = true;
					struct flow f = frame_flow(seq);
					uint32_t len = frame_len(x, seq);
					build_frame(expect, len, dst, &f, seq, false);
					assert_int_equal(b->len, len);
					assert_memory_equal(ixy_pkt_data(b), expect, len);
					assert_int_equal(b->queue, q);
					assert_true(b->ol_flags & IXY_PKT_RX_RSS_HASH);
					assert_true(b->ol_flags & IXY_PKT_RX_IP_CKSUM_GOOD);
					assert_true(b->ol_flags & IXY_PKT_RX_L4_CKSUM_GOOD);
					assert_false(b->ol_flags & (IXY_PKT_RX_IP_CKSUM_BAD | IXY_PKT_RX_L4_CKSUM_BAD));
					x->bytes += len;
					x->per_queue[q]++;
				}
				ixy_pkt_buf_free_batch(bufs, n);
				x->received += n;
			}
		}
		/* frames lost, or TX buffers never reclaimed: no progress */
		idle_rounds = x->sent == sent_before && x->received == received_before ? idle_rounds + 1 : 0;
		if (idle_rounds > 100 || (x->received == before && x->sent == count && x->received < x->sent)) {
			print_message("stalled: sent %llu received %llu, TX pool has %u free\n",
				      (unsigned long long)x->sent, (unsigned long long)x->received,
				      ixy_mempool_available(x->pool));
			fail();
		}
	}
	free(seen);
	free(expect);
}

static void loopback_case(const char *name, uint16_t queues, uint16_t ring, uint32_t min_len, uint32_t max_len,
			  uint32_t max_frame, uint64_t count)
{
	struct ixy_sim *sim = new_sim(name);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	uint32_t buf = (max_frame + 1023) & ~1023u;
	struct ixy_device *dev = open_port(sim, queues, ring, 2u * ring, max_frame);
	struct xfer x = { .tx = dev, .rx = dev, .sa = sim, .pool = tx_pool(2u * ring * queues + 64, buf),
			  .min_len = min_len, .max_len = max_len };
	exchange(&x, count, 32);
	assert_int_equal(x.received, count);
	if (queues > 1) {
		/* with several queues, RSS must have used more than one */
		unsigned used = 0;
		for (unsigned q = 0; q < queues; q++)
			used += x.per_queue[q] > 0;
		assert_true(used > 1);
	}
	assert_no_violations(sim);
	ixy_close(dev);
	/* every TX buffer is back in its pool after close */
	assert_int_equal(ixy_mempool_available(x.pool), ixy_mempool_size(x.pool));
	ixy_mempool_free(x.pool);
	ixy_sim_destroy(sim);
}

/* ---- tests ---- */

static void test_loopback_1q_all_sizes(void **state)
{
	(void)state;
	/* 60..1514 bytes, 128-entry ring: 20x the ring size */
	loopback_case("lb1", 1, 128, 60, 1514, 1518, 128 * 20);
}

static void test_loopback_2q(void **state)
{
	(void)state;
	loopback_case("lb2", 2, 64, 60, 1514, 1518, 64 * 2 * 12);
}

static void test_loopback_4q(void **state)
{
	(void)state;
	loopback_case("lb4", 4, 64, 60, 1514, 1518, 64 * 4 * 12);
}

static void test_loopback_jumbo(void **state)
{
	(void)state;
	/* up to 9018-byte frames (9000-byte IP MTU + header + VLAN room) */
	loopback_case("lbj", 1, 64, 1500, 9018, 9022, 64 * 10 + 7);
}

static void test_paired_ports(void **state)
{
	(void)state;
	struct ixy_sim *a = new_sim("pa"), *b = new_sim("pb");
	assert_int_equal(ixy_sim_wire_pair(a, b), 0);
	struct ixy_device *da = open_port(a, 2, 64, 256, 1518);
	struct ixy_device *db = open_port(b, 2, 64, 256, 1518);
	struct xfer x = { .tx = da, .rx = db, .sa = a, .sb = b, .pool = tx_pool(512, 2048), .min_len = 60,
			  .max_len = 1514 };
	exchange(&x, 64 * 12, 16);
	assert_int_equal(x.received, 64 * 12);
	/* and the other way */
	struct xfer y = { .tx = db, .rx = da, .sa = a, .sb = b, .pool = x.pool, .min_len = 60, .max_len = 200 };
	exchange(&y, 1000, 16);
	assert_int_equal(y.received, 1000);

	struct ixy_stats sa, sb;
	assert_int_equal(ixy_read_stats(da, &sa), 0);
	assert_int_equal(ixy_read_stats(db, &sb), 0);
	assert_int_equal(sa.tx_packets, 64 * 12);
	assert_int_equal(sb.rx_packets, 64 * 12);
	assert_int_equal(sb.tx_packets, 1000);
	assert_int_equal(sa.rx_packets, 1000);
	/* the byte counters include the 4-byte CRC */
	assert_int_equal(sa.tx_bytes, x.bytes + 4 * 64 * 12);
	assert_int_equal(sb.rx_bytes, x.bytes + 4 * 64 * 12);
	assert_int_equal(sb.tx_bytes, y.bytes + 4 * 1000);
	assert_int_equal(sa.rx_bytes, y.bytes + 4 * 1000);
	assert_int_equal(sa.rx_dropped + sa.rx_missed + sb.rx_dropped + sb.rx_missed, 0);
	assert_int_equal(sa.rx_errors + sb.rx_errors, 0);
	/* per queue: RX counts per the queue the frames landed on */
	uint64_t sum = 0;
	for (unsigned q = 0; q < 2; q++) {
		assert_int_equal(sb.rxq[q].packets, x.per_queue[q]);
		sum += sb.txq[q].packets;
	}
	assert_int_equal(sum, 1000);
	assert_int_equal(sa.txq[0].packets + sa.txq[1].packets, 64 * 12);

	assert_no_violations(a);
	assert_no_violations(b);
	ixy_close(da);
	ixy_close(db);
	assert_int_equal(ixy_mempool_available(x.pool), ixy_mempool_size(x.pool));
	ixy_mempool_free(x.pool);
	ixy_sim_destroy(a);
	ixy_sim_destroy(b);
}

/* A forwarder hands port B's RX buffers to port A's TX ring; closing B
 * first must not free memory that A's ring (and NIC) still use, and
 * closing A afterwards returns them, which finally frees B's pool. */
static void test_close_while_buffers_forwarded(void **state)
{
	(void)state;
	struct ixy_dma_info info[64];
	int regions = ixy_dma_list(info, 64);
	struct ixy_sim *a = new_sim("fa"), *b = new_sim("fb");
	assert_int_equal(ixy_sim_wire_pair(a, b), 0);
	struct ixy_device *da = open_port(a, 1, 64, 256, 1518);
	struct ixy_device *db = open_port(b, 1, 64, 256, 1518);
	struct ixy_mempool *pool = tx_pool(64, 2048);
	struct ixy_pkt_buf *bufs[32];
	uint8_t dst[6];
	assert_int_equal(ixy_get_mac(db, dst), 0);
	struct flow f = { .sip = 0xc6120001, .dip = 0xc6120002, .sport = 1, .dport = 2, .proto = 17 };
	assert_int_equal(ixy_pkt_buf_alloc_batch(pool, bufs, 32), 32);
	for (int i = 0; i < 32; i++) {
		bufs[i]->len = 128;
		build_frame(ixy_pkt_data(bufs[i]), 128, dst, &f, (uint64_t)i, false);
	}
	assert_int_equal(ixy_tx_batch(da, 0, bufs, 32), 32);
	pump(a, b);
	uint32_t got = ixy_rx_batch(db, 0, bufs, 32);
	assert_int_equal(got, 32);
	assert_ptr_equal(bufs[0]->pool, ixy_rx_mempool(db, 0));
	/* Forward B's buffers out of A; do not let the model send them. */
	assert_int_equal(ixy_tx_batch(da, 0, bufs, got), got);
	ixy_close(db);      /* B's pool has 32 buffers in A's TX ring */
	ixy_close(da);      /* returns them: B's pool is freed now */
	ixy_mempool_free(pool);
	ixy_sim_destroy(a);
	ixy_sim_destroy(b);
	assert_int_equal(ixy_dma_list(info, 64), regions);
}

/* Send one frame and receive it (loopback); returns the RX buffer. */
static struct ixy_pkt_buf *roundtrip(struct ixy_device *dev, struct ixy_sim *sim, struct ixy_mempool *pool,
				     const struct flow *f, uint32_t len, bool bad_ip)
{
	uint8_t dst[6];
	assert_int_equal(ixy_get_mac(dev, dst), 0);
	struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(pool);
	assert_non_null(b);
	b->len = len;
	build_frame(ixy_pkt_data(b), len, dst, f, 1, bad_ip);
	assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
	pump(sim, NULL);
	for (uint16_t q = 0; q < ixy_num_rx_queues(dev); q++) {
		struct ixy_pkt_buf *r;
		if (ixy_rx_batch(dev, q, &r, 1) == 1)
			return r;
	}
	fail_msg("frame did not come back");
	return NULL;
}

static void test_rx_checksum_flags(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("csum");
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	struct ixy_device *dev = open_port(sim, 1, 64, 128, 1518);
	struct ixy_mempool *pool = tx_pool(128, 2048);
	struct flow udp = { 0xC6120001, 0xC6120002, 1000, 2000, 17 };
	struct flow tcp = { 0xC6120001, 0xC6120002, 1000, 2000, 6 };

	struct ixy_pkt_buf *r = roundtrip(dev, sim, pool, &udp, 100, false);
	assert_int_equal(r->ol_flags, IXY_PKT_RX_IP_CKSUM_GOOD | IXY_PKT_RX_L4_CKSUM_GOOD | IXY_PKT_RX_RSS_HASH);
	ixy_pkt_buf_free(r);
	r = roundtrip(dev, sim, pool, &tcp, 300, false);
	assert_int_equal(r->ol_flags, IXY_PKT_RX_IP_CKSUM_GOOD | IXY_PKT_RX_L4_CKSUM_GOOD | IXY_PKT_RX_RSS_HASH);
	ixy_pkt_buf_free(r);
	r = roundtrip(dev, sim, pool, &udp, 100, true);
	assert_true(r->ol_flags & IXY_PKT_RX_IP_CKSUM_BAD);
	assert_false(r->ol_flags & IXY_PKT_RX_IP_CKSUM_GOOD);
	ixy_pkt_buf_free(r);
	/* a corrupted TCP payload byte: L4 bad, IP good */
	uint8_t dst[6];
	assert_int_equal(ixy_get_mac(dev, dst), 0);
	struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(pool);
	b->len = 200;
	build_frame(ixy_pkt_data(b), 200, dst, &tcp, 3, false);
	ixy_pkt_data(b)[150] ^= 0x01;
	assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
	pump(sim, NULL);
	assert_int_equal(ixy_rx_batch(dev, 0, &r, 1), 1);
	assert_int_equal(r->ol_flags, IXY_PKT_RX_IP_CKSUM_GOOD | IXY_PKT_RX_L4_CKSUM_BAD | IXY_PKT_RX_RSS_HASH);
	ixy_pkt_buf_free(r);

	assert_no_violations(sim);
	ixy_close(dev);
	ixy_mempool_free(pool);
	ixy_sim_destroy(sim);
}

/* Send one UDP frame with a corrupted payload byte (bad L4 checksum) and
 * return the ol_flags it arrives with. */
static uint16_t bad_udp_flags(uint16_t device_id)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .unthrottled = true, .device_id = device_id };
	struct ixy_sim *sim = ixy_sim_create("udp-erratum", &sc);
	assert_non_null(sim);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	struct ixy_device *dev = open_port(sim, 1, 64, 128, 1518);
	struct ixy_mempool *pool = tx_pool(16, 2048);
	struct flow udp = { 0xC6120001, 0xC6120002, 1000, 2000, 17 };
	uint8_t dst[6];
	assert_int_equal(ixy_get_mac(dev, dst), 0);
	struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(pool), *r;
	b->len = 200;
	build_frame(ixy_pkt_data(b), 200, dst, &udp, 5, false);
	ixy_pkt_data(b)[150] ^= 0x01;
	assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
	pump(sim, NULL);
	assert_int_equal(ixy_rx_batch(dev, 0, &r, 1), 1);
	uint16_t flags = r->ol_flags;
	ixy_pkt_buf_free(r);
	assert_no_violations(sim);
	ixy_close(dev);
	ixy_mempool_free(pool);
	ixy_sim_destroy(sim);
	return flags;
}

/* The 82599 may flag UDP frames whose checksum is 0 ("none") with TCPE
 * (erratum; Linux ignores TCPE for UDP on the 82599). So on an 82599 a
 * TCPE on UDP is no verdict: neither L4 good nor bad. The X540 is not
 * affected and reports the bad checksum. */
static void test_udp_tcpe_erratum(void **state)
{
	(void)state;
	assert_int_equal(bad_udp_flags(0x10FB), IXY_PKT_RX_IP_CKSUM_GOOD | IXY_PKT_RX_RSS_HASH);
	assert_int_equal(bad_udp_flags(0x1528),
			 IXY_PKT_RX_IP_CKSUM_GOOD | IXY_PKT_RX_L4_CKSUM_BAD | IXY_PKT_RX_RSS_HASH);
}

/* Without HLREG0.JUMBOEN the MAC accepts frames up to 1518 bytes whatever
 * max_frame_size says; the RX buffers must still hold one whole, or the
 * NIC splits it over two descriptors (no EOP on the first) and the data
 * path, which takes every descriptor as a frame, returns two halves. */
static void test_small_max_frame_keeps_frames_whole(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("small-mfs");
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	struct ixy_device *dev = open_port(sim, 1, 64, 128, 1000);
	struct ixy_mempool *pool = tx_pool(16, 2048);
	struct flow udp = { 0xC6120001, 0xC6120002, 1000, 2000, 17 };
	static const uint32_t lens[] = { 60, 1000, 1514 };
	uint8_t dst[6], expect[1514];
	assert_int_equal(ixy_get_mac(dev, dst), 0);

	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(pool), *r[2];
		b->len = lens[i];
		build_frame(ixy_pkt_data(b), lens[i], dst, &udp, i, false);
		build_frame(expect, lens[i], dst, &udp, i, false);
		assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
		pump(sim, NULL);
		assert_int_equal(ixy_rx_batch(dev, 0, r, 2), 1);
		assert_int_equal(r[0]->len, lens[i]);
		assert_memory_equal(ixy_pkt_data(r[0]), expect, lens[i]);
		ixy_pkt_buf_free(r[0]);
	}
	assert_no_violations(sim);
	ixy_close(dev);
	ixy_mempool_free(pool);
	ixy_sim_destroy(sim);
}

static void test_rss_known_hashes(void **state)
{
	(void)state;
	/* the Microsoft RSS specification's first IPv4/TCP example */
	struct flow ms = { 0x420995BB /* 66.9.149.187 */, 0xA18E6450 /* 161.142.100.80 */, 2794, 1766, 6 };
	assert_int_equal(flow_hash(ixy_rss_default_key, &ms), 0x51ccc178);

	struct ixy_sim *sim = new_sim("rss");
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	struct ixy_device *dev = open_port(sim, 4, 64, 128, 1518);
	struct ixy_mempool *pool = tx_pool(256, 2048);

	uint8_t reta[IXY_RSS_RETA_SIZE];
	assert_int_equal(ixy_get_rss_reta(dev, reta), 0);
	for (unsigned i = 0; i < IXY_RSS_RETA_SIZE; i++)
		assert_int_equal(reta[i], i % 4);

	/* the spec's flow lands where RETA says, with the spec's hash */
	struct ixy_pkt_buf *r = roundtrip(dev, sim, pool, &ms, 80, false);
	assert_int_equal(r->rss_hash, 0x51ccc178);
	assert_int_equal(r->queue, reta[0x51ccc178 & 127]);
	ixy_pkt_buf_free(r);

	/* a custom table: everything with an odd index to queue 3, even to 1 */
	for (unsigned i = 0; i < IXY_RSS_RETA_SIZE; i++)
		reta[i] = i & 1 ? 3 : 1;
	assert_int_equal(ixy_set_rss_reta(dev, reta), 0);
	/* and a different key */
	uint8_t key[IXY_RSS_KEY_LEN];
	for (unsigned i = 0; i < IXY_RSS_KEY_LEN; i++)
		key[i] = (uint8_t)(i * 37 + 11);
	assert_int_equal(ixy_set_rss_key(dev, key), 0);
	for (unsigned i = 0; i < 64; i++) {
		struct flow f = { 0x0A000001 + i * 7919, 0x0A640001, (uint16_t)(5000 + i * 13), 80,
				  (uint8_t)(i & 1 ? 6 : 17) };
		uint32_t h = flow_hash(key, &f);
		r = roundtrip(dev, sim, pool, &f, 64 + i, false);
		assert_int_equal(r->rss_hash, h);
		assert_int_equal(r->queue, reta[h & 127]);
		ixy_pkt_buf_free(r);
	}
	/* a table entry naming a queue that does not exist is refused */
	reta[5] = 4;
	assert_int_equal(ixy_set_rss_reta(dev, reta), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "entry 5 names queue 4"));

	assert_no_violations(sim);
	ixy_close(dev);
	ixy_mempool_free(pool);
	ixy_sim_destroy(sim);
}

static void test_rss_spreads_evenly(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("rss-even");
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	struct ixy_device *dev = open_port(sim, 4, 256, 512, 1518);
	struct ixy_mempool *pool = tx_pool(512, 2048);
	uint8_t dst[6];
	assert_int_equal(ixy_get_mac(dev, dst), 0);
	const unsigned flows = 8192;
	uint64_t per_q[4] = { 0 };
	struct ixy_pkt_buf *bufs[64];

	for (unsigned sent = 0; sent < flows;) {
		uint32_t n = ixy_pkt_buf_alloc_batch(pool, bufs, 64);
		for (uint32_t i = 0; i < n; i++) {
			unsigned k = sent + i;
			struct flow f = { 0xC0A80000u + (k * 2654435761u >> 16), 0xC6120001u, (uint16_t)(k * 40503u),
					  (uint16_t)(80 + (k & 3)), 17 };
			bufs[i]->len = 64;
			build_frame(ixy_pkt_data(bufs[i]), 64, dst, &f, k, false);
		}
		ixy_tx_batch_busy_wait(dev, 0, bufs, n);
		sent += n;
		pump(sim, NULL);
		for (uint16_t q = 0; q < 4; q++) {
			uint32_t got;
			while ((got = ixy_rx_batch(dev, q, bufs, 64)) > 0) {
				per_q[q] += got;
				ixy_pkt_buf_free_batch(bufs, got);
			}
		}
	}
	uint64_t total = per_q[0] + per_q[1] + per_q[2] + per_q[3];
	assert_int_equal(total, flows);
	for (unsigned q = 0; q < 4; q++) {
		print_message("queue %u: %llu\n", q, (unsigned long long)per_q[q]);
		assert_true(per_q[q] >= flows / 4 * 9 / 10);
		assert_true(per_q[q] <= flows / 4 * 11 / 10);
	}
	assert_no_violations(sim);
	ixy_close(dev);
	ixy_mempool_free(pool);
	ixy_sim_destroy(sim);
}

static void test_stats_and_drops(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("drops");
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	/* 64-entry ring, only 64 spare buffers */
	struct ixy_device *dev = open_port(sim, 1, 64, 128, 1518);
	struct ixy_mempool *pool = tx_pool(512, 2048);
	uint8_t dst[6];
	assert_int_equal(ixy_get_mac(dev, dst), 0);
	struct ixy_pkt_buf *held[512], *bufs[64];
	uint32_t nheld = 0;
	const unsigned total = 400;
	struct ixy_stats s0, s1;
	assert_int_equal(ixy_read_stats(dev, &s0), 0);
	assert_int_equal(s0.rx_packets + s0.tx_packets + s0.rx_bytes + s0.tx_bytes, 0);

	/* receive without ever freeing: the pool runs dry, the ring fills
	 * and the NIC has to drop */
	for (unsigned sent = 0; sent < total;) {
		uint32_t want = total - sent < 32 ? total - sent : 32;
		uint32_t n = ixy_pkt_buf_alloc_batch(pool, bufs, want);
		assert_int_equal(n, want);
		for (uint32_t i = 0; i < n; i++) {
			struct flow f = { 0xC6120001, 0xC6120002, (uint16_t)(sent + i), 9, 17 };
			bufs[i]->len = 100;
			build_frame(ixy_pkt_data(bufs[i]), 100, dst, &f, sent + i, false);
		}
		ixy_tx_batch_busy_wait(dev, 0, bufs, n);
		sent += n;
		pump(sim, NULL);
		uint32_t got = ixy_rx_batch(dev, 0, held + nheld, 64);
		nheld += got;
	}
	/* the pool is empty: receiving returns nothing, and is no error */
	assert_int_equal(ixy_mempool_available(ixy_rx_mempool(dev, 0)), 0);
	assert_int_equal(ixy_rx_batch(dev, 0, bufs, 64), 0);
	assert_int_equal(nheld, 64);

	/* give the buffers back and collect what the ring still holds */
	ixy_pkt_buf_free_batch(held, nheld);
	uint64_t received = nheld;
	uint32_t got;
	pump(sim, NULL);
	while ((got = ixy_rx_batch(dev, 0, bufs, 64)) > 0) {
		received += got;
		ixy_pkt_buf_free_batch(bufs, got);
		pump(sim, NULL);
	}
	assert_true(received < total);

	assert_int_equal(ixy_read_stats(dev, &s1), 0);
	print_message("sent %u received %llu dropped %llu missed %llu gprc %llu\n", total,
		      (unsigned long long)received, (unsigned long long)s1.rx_dropped,
		      (unsigned long long)s1.rx_missed, (unsigned long long)s1.rx_packets);
	assert_int_equal(s1.tx_packets, total);
	assert_int_equal(s1.tx_bytes, (uint64_t)total * 104);
	assert_int_equal(s1.rx_dropped + s1.rx_missed, total - received);
	assert_true(s1.rx_dropped > 0);
	/* GPRC counts frames that passed the filters, except those dropped
	 * for lack of packet-buffer space (RXMPC) */
	assert_int_equal(s1.rx_packets, total - s1.rx_missed);
	assert_int_equal(s1.rxq[0].packets, received);
	assert_int_equal(s1.txq[0].packets, total);
	assert_true(s1.timestamp_ns > s0.timestamp_ns);

	/* totals accumulate across reads; reset starts from zero */
	struct ixy_stats s2;
	assert_int_equal(ixy_read_stats(dev, &s2), 0);
	assert_int_equal(s2.tx_packets, total);
	assert_int_equal(ixy_reset_stats(dev), 0);
	assert_int_equal(ixy_read_stats(dev, &s2), 0);
	assert_int_equal(s2.tx_packets + s2.rx_packets + s2.rx_dropped, 0);

	/* rates: 1 s apart, 1e6 more 60-byte frames = 1 Mpps; on the wire
	 * (60 + 4 + 20) * 8 bits each = 672 Mbit/s */
	struct ixy_stats a = { .timestamp_ns = 1000000000ull }, b = a;
	b.timestamp_ns += 1000000000ull;
	b.tx_packets = 1000000;
	b.tx_bytes = 64000000;
	struct ixy_rates rt = ixy_stats_rates(&b, &a);
	assert_true(rt.tx_mpps > 0.999 && rt.tx_mpps < 1.001);
	assert_true(rt.tx_mbit > 671.9 && rt.tx_mbit < 672.1);
	assert_true(rt.rx_mpps == 0);
	char out[256] = { 0 };
	FILE *f = fmemopen(out, sizeof(out) - 1, "w");
	ixy_print_stats_diff(f, "port0", &b, &a);
	fclose(f);
	assert_string_equal(out, "[port0] RX: 0.00 Mpps, 0 Mbit/s | TX: 1.00 Mpps, 672 Mbit/s\n");

	assert_no_violations(sim);
	ixy_close(dev);
	ixy_mempool_free(pool);
	ixy_sim_destroy(sim);
}

static void test_filters_and_mac(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("filt");
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	struct ixy_device *dev = open_port(sim, 1, 64, 128, 1518);
	struct ixy_mempool *pool = tx_pool(128, 2048);
	struct flow f = { 0xC6120001, 0xC6120002, 1, 2, 17 };
	static const uint8_t other[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct ixy_pkt_buf *b, *r;

	/* a frame for another station is filtered ... */
	b = ixy_pkt_buf_alloc(pool);
	b->len = 80;
	build_frame(ixy_pkt_data(b), 80, other, &f, 0, false);
	assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
	pump(sim, NULL);
	assert_int_equal(ixy_rx_batch(dev, 0, &r, 1), 0);
	/* ... until the port takes that address */
	assert_int_equal(ixy_set_mac(dev, other), 0);
	uint8_t mac[6];
	assert_int_equal(ixy_get_mac(dev, mac), 0);
	assert_memory_equal(mac, other, 6);
	b = ixy_pkt_buf_alloc(pool);
	b->len = 80;
	build_frame(ixy_pkt_data(b), 80, other, &f, 0, false);
	assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
	pump(sim, NULL);
	assert_int_equal(ixy_rx_batch(dev, 0, &r, 1), 1);
	ixy_pkt_buf_free(r);
	/* promiscuous: anything goes */
	static const uint8_t third[6] = { 0x02, 0x99, 0x99, 0x99, 0x99, 0x99 };
	assert_int_equal(ixy_set_promisc(dev, true), 0);
	b = ixy_pkt_buf_alloc(pool);
	b->len = 80;
	build_frame(ixy_pkt_data(b), 80, third, &f, 0, false);
	assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
	pump(sim, NULL);
	assert_int_equal(ixy_rx_batch(dev, 0, &r, 1), 1);
	ixy_pkt_buf_free(r);
	assert_int_equal(ixy_set_promisc(dev, false), 0);
	/* broadcast accepted by default, not after it is switched off */
	static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	for (int on = 1; on >= 0; on--) {
		assert_int_equal(ixy_set_broadcast(dev, on), 0);
		b = ixy_pkt_buf_alloc(pool);
		b->len = 80;
		build_frame(ixy_pkt_data(b), 80, bcast, &f, 0, false);
		assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
		pump(sim, NULL);
		assert_int_equal(ixy_rx_batch(dev, 0, &r, 1), (uint32_t)on);
		if (on)
			ixy_pkt_buf_free(r);
	}
	/* multicast only with allmulti */
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5E, 0x00, 0x00, 0x01 };
	for (int on = 0; on <= 1; on++) {
		assert_int_equal(ixy_set_allmulti(dev, on), 0);
		b = ixy_pkt_buf_alloc(pool);
		b->len = 80;
		build_frame(ixy_pkt_data(b), 80, mcast, &f, 0, false);
		assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
		pump(sim, NULL);
		assert_int_equal(ixy_rx_batch(dev, 0, &r, 1), (uint32_t)on);
		if (on)
			ixy_pkt_buf_free(r);
	}
	assert_int_equal(ixy_set_mac(dev, mcast), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "is a multicast address"));

	assert_no_violations(sim);
	ixy_close(dev);
	ixy_mempool_free(pool);
	ixy_sim_destroy(sim);
}

/* A threaded port: the model's DMA engine runs on its own thread, polling
 * the tail registers the driver stores into the BAR0 image. */
static void test_threaded_loopback(void **state)
{
	(void)state;
	struct ixy_config c = { .rx_ring_size = 256, .tx_ring_size = 256, .mempool_size = 512,
				.link_timeout_ms = 2000 };
	struct ixy_device *dev = ixy_open("sim:thr,wire=loop", &c);
	if (!dev)
		print_message("ixy_open: %s\n", ixy_last_error());
	assert_non_null(dev);
	struct ixy_mempool *pool = tx_pool(512, 2048);
	uint8_t dst[6];
	assert_int_equal(ixy_get_mac(dev, dst), 0);
	const uint64_t total = 5000;
	uint64_t sent = 0, received = 0;
	struct ixy_pkt_buf *bufs[32];
	uint8_t expect[1514];
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	while (received < total) {
		/* at most half a ring in flight, so RX never overflows even
		 * when this thread is descheduled */
		if (sent < total && sent - received < 128) {
			uint32_t n = ixy_pkt_buf_alloc_batch(pool, bufs, total - sent < 32 ? (uint32_t)(total - sent) : 32);
			for (uint32_t i = 0; i < n; i++) {
				struct flow f = frame_flow(sent + i);
				bufs[i]->len = 60 + (uint32_t)((sent + i) % 1455);
				build_frame(ixy_pkt_data(bufs[i]), bufs[i]->len, dst, &f, sent + i, false);
			}
			ixy_tx_batch_busy_wait(dev, 0, bufs, n);
			sent += n;
		}
		uint32_t got = ixy_rx_batch(dev, 0, bufs, 32);
		for (uint32_t i = 0; i < got; i++) {
			/* one queue, one wire: frames arrive in order */
			struct flow f = frame_flow(received);
			uint32_t len = 60 + (uint32_t)(received % 1455);
			build_frame(expect, len, dst, &f, received, false);
			assert_int_equal(bufs[i]->len, len);
			assert_memory_equal(ixy_pkt_data(bufs[i]), expect, len);
			received++;
		}
		ixy_pkt_buf_free_batch(bufs, got);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 20)
			fail_msg("threaded loopback: %llu of %llu frames after 20 s", (unsigned long long)received,
				 (unsigned long long)total);
	}
	struct ixy_stats st;
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.tx_packets, total);
	assert_int_equal(st.rx_packets, total);
	assert_int_equal(st.rx_dropped + st.rx_missed, 0);
	assert_no_violations(ixy_device_sim(dev));
	ixy_close(dev);
	ixy_mempool_free(pool);
}

/* The TX path does not put memory beyond a buffer on the wire: frames
 * longer than their buffer's data area or the port's largest frame are
 * taken, freed and counted in tx_errors; the good frames around them go
 * out in order, byte for byte. Lengths below the fast-path threshold and
 * above it, in a 2 KiB pool, a 256-byte pool (which lowers the threshold)
 * and on a jumbo port. */
static void test_tx_refuses_oversized_frames(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("tx-oversized");
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	struct ixy_device *dev = open_port(sim, 1, 64, 256, 0);	/* 1518: 1514 without CRC */
	struct ixy_mempool *pool = tx_pool(16, 2048), *small = tx_pool(8, 256);
	struct flow udp = { 0xC6120001, 0xC6120002, 1000, 2000, 17 };
	uint8_t dst[6];
	assert_int_equal(ixy_get_mac(dev, dst), 0);
	/* from 2 KiB buffers: 60 ok, 3000 > buf_len, 1514 ok, 1515 > max frame,
	 * 70000 (would spill into the descriptor's command bits), 128 ok;
	 * from 256-byte buffers: 200 ok, 300 > buf_len */
	static const uint32_t lens[] = { 60, 3000, 1514, 1515, 70000, 128, 200, 300 };
	static const bool ok[] = { true, false, true, false, false, true, true, false };
	struct ixy_pkt_buf *b[8], *r[8];
	uint32_t avail = ixy_mempool_available(pool), avail_small = ixy_mempool_available(small);
	for (int i = 0; i < 8; i++) {
		b[i] = ixy_pkt_buf_alloc(i < 6 ? pool : small);
		assert_non_null(b[i]);
		uint32_t fill = lens[i] < b[i]->buf_len ? lens[i] : b[i]->buf_len;
		build_frame(ixy_pkt_data(b[i]), fill < 60 ? 60 : fill, dst, &udp, (uint64_t)i, false);
		b[i]->len = lens[i];
	}
	struct ixy_stats st;
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.tx_errors, 0);
	assert_int_equal(ixy_tx_batch(dev, 0, b, 8), 8);	/* all taken */
	/* the refused ones went home at once */
	assert_int_equal(ixy_mempool_available(pool), avail - 3);
	assert_int_equal(ixy_mempool_available(small), avail_small - 1);
	pump(sim, NULL);
	uint32_t got = ixy_rx_batch(dev, 0, r, 8);
	assert_int_equal(got, 4);
	uint32_t k = 0;
	uint8_t expect[2048];
	for (int i = 0; i < 8; i++) {
		if (!ok[i])
			continue;
		build_frame(expect, lens[i], dst, &udp, (uint64_t)i, false);
		assert_int_equal(r[k]->len, lens[i]);
		assert_memory_equal(ixy_pkt_data(r[k]), expect, lens[i]);
		k++;
	}
	ixy_pkt_buf_free_batch(r, got);
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.tx_errors, 4);
	assert_int_equal(st.tx_packets, 4);
	assert_int_equal(ixy_reset_stats(dev), 0);
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.tx_errors, 0);

	/* many batches of 7 with a bad frame at a moving position: the
	 * closing-up of descriptors works across the ring's wrap (64) */
	uint32_t sent_ok = 0;
	struct ixy_mempool *many = tx_pool(128, 2048);
	for (int round = 0; round < 30; round++) {
		struct ixy_pkt_buf *w[7];
		assert_int_equal(ixy_pkt_buf_alloc_batch(many, w, 7), 7);
		for (int i = 0; i < 7; i++) {
			build_frame(ixy_pkt_data(w[i]), 100, dst, &udp, (uint64_t)(round * 7 + i), false);
			w[i]->len = i == round % 7 ? 2049 : 100;
		}
		assert_int_equal(ixy_tx_batch(dev, 0, w, 7), 7);
		pump(sim, NULL);
		uint32_t n = ixy_rx_batch(dev, 0, r, 8);
		assert_int_equal(n, 6);
		for (uint32_t i = 0, k2 = 0; i < 7; i++) {
			if ((int)i == round % 7)
				continue;
			build_frame(expect, 100, dst, &udp, (uint64_t)(round * 7 + (int)i), false);
			assert_int_equal(r[k2]->len, 100);
			assert_memory_equal(ixy_pkt_data(r[k2]), expect, 100);
			k2++;
		}
		ixy_pkt_buf_free_batch(r, n);
		sent_ok += 6;
	}
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.tx_errors, 30);
	assert_int_equal(st.tx_packets, sent_ok);
	assert_no_violations(sim);
	ixy_close(dev);
	assert_int_equal(ixy_mempool_available(many), 128);
	ixy_mempool_free(many);
	/* everything sent came home too (close reclaims the TX ring) */
	assert_int_equal(ixy_mempool_available(pool), avail);
	assert_int_equal(ixy_mempool_available(small), avail_small);

	/* a jumbo port takes 9000 bytes from a 9 KiB buffer, not 9015 */
	dev = open_port(sim, 1, 64, 256, 9018);
	struct ixy_mempool *big = tx_pool(4, 9216);
	struct ixy_pkt_buf *j[2] = { ixy_pkt_buf_alloc(big), ixy_pkt_buf_alloc(big) };
	static uint8_t jf[9216];
	build_frame(jf, 9000, dst, &udp, 99, false);
	memcpy(ixy_pkt_data(j[0]), jf, 9000);
	memcpy(ixy_pkt_data(j[1]), jf, 9000);
	j[0]->len = 9000;
	j[1]->len = 9015;
	assert_int_equal(ixy_tx_batch(dev, 0, j, 2), 2);
	pump(sim, NULL);
	assert_int_equal(ixy_rx_batch(dev, 0, r, 4), 1);
	assert_int_equal(r[0]->len, 9000);
	assert_memory_equal(ixy_pkt_data(r[0]), jf, 9000);
	ixy_pkt_buf_free(r[0]);
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.tx_errors, 1);
	assert_no_violations(sim);
	ixy_close(dev);
	ixy_mempool_free(big);
	ixy_mempool_free(small);
	ixy_mempool_free(pool);
	ixy_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_refuses_oversized_frames),
		cmocka_unit_test(test_loopback_1q_all_sizes),
		cmocka_unit_test(test_loopback_2q),
		cmocka_unit_test(test_loopback_4q),
		cmocka_unit_test(test_loopback_jumbo),
		cmocka_unit_test(test_paired_ports),
		cmocka_unit_test(test_close_while_buffers_forwarded),
		cmocka_unit_test(test_rx_checksum_flags),
		cmocka_unit_test(test_udp_tcpe_erratum),
		cmocka_unit_test(test_small_max_frame_keeps_frames_whole),
		cmocka_unit_test(test_rss_known_hashes),
		cmocka_unit_test(test_rss_spreads_evenly),
		cmocka_unit_test(test_stats_and_drops),
		cmocka_unit_test(test_filters_and_mac),
		cmocka_unit_test(test_threaded_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
