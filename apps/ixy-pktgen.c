/* ixy-pktgen: send UDP/IPv4 frames at a chosen size and rate.
 *
 * As in ixy, the frames are written once into every buffer of a private
 * mempool; buffers come back unchanged after transmission, so the loop only
 * patches a sequence number (and the flow's source port) per packet and
 * fixes the UDP checksum incrementally (RFC 1624). With offloads the NIC
 * does the checksums (--tx-csum), inserts a VLAN tag (--vlan) or cuts
 * large TCP frames into segments (--tso): the per-buffer requests of
 * ixy/mempool.h, on a port opened with ixy_config.tx_offload. */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ixy/ixy.h>
#include <ixy/device.h>

#include "app.h"

#define PROG "ixy-pktgen"
#define MAX_BATCH 512
#define SEQ_OFF (IXY_UDP_FRAME_OVERHEAD)   /* 64-bit big-endian sequence number: first payload bytes */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options] PORT\n"
		"Send UDP/IPv4 frames with valid checksums and a sequence number in the payload.\n"
		"  -s, --size N          frame size without CRC, 60..1514 (jumbo up to 9000 if the port allows; default 60)\n"
		"  -r, --rate RATE       e.g. 1000pps, 1.5Mpps, 500Mbit, 10Gbit (wire rate incl. CRC, preamble, gap);\n"
		"                        default: as fast as possible\n"
		"  -n, --count N         stop after N frames\n"
		"  -t, --duration SEC    stop after SEC seconds\n"
		"  -f, --flows N         vary the UDP source port over N values (default 1)\n"
		"      --src-mac MAC     default: the port's MAC\n"
		"      --dst-mac MAC     default 02:00:00:00:00:02\n"
		"      --src-ip IP       default 198.18.0.1\n"
		"      --dst-ip IP       default 198.19.0.1\n"
		"      --src-port N      first UDP source port (default 1024)\n"
		"      --dst-port N      UDP destination port (default 9)\n"
		"  -b, --batch N         frames per tx batch (default 32)\n"
		"      --tx-csum         the NIC computes the IPv4 and UDP checksums (offload)\n"
		"      --vlan TCI        the NIC inserts an 802.1Q tag with this TCI (0..65535 or 0x..: PCP 3 bits,\n"
		"                        DEI 1, VLAN id 12)\n"
		"      --tso MSS         send TCP/IPv4 frames of --size bytes (up to 9000, beyond the port's\n"
		"                        largest frame) that the NIC cuts into segments of MSS payload bytes\n"
		"  -i, --interval SEC    statistics interval (default 1, 0 = none)\n"
		"      --force        take NICs from the kernel even if their interface is up\n"
		"  -h, --help            this text\n");
}

/* Patch one 16-bit word of the UDP datagram and keep its checksum valid
 * (unless the NIC computes it: hw_csum). */
static inline void patch16(uint8_t *udp, size_t off, uint16_t val_be, bool hw_csum)
{
	uint16_t old, csum;
	memcpy(&old, udp + off, 2);
	memcpy(udp + off, &val_be, 2);
	if (hw_csum)
		return;
	memcpy(&csum, udp + 6, 2);
	csum = ixy_csum_update16(csum, old, val_be);
	if (csum == 0)
		csum = 0xffff;          /* RFC 768: 0 means "no checksum" */
	memcpy(udp + 6, &csum, 2);
}

/* Sequence number into the first payload bytes, the flow's source port.
 * TCP frames (--tso) always have their checksum done by the NIC. */
static void stamp(struct ixy_pkt_buf *b, uint64_t seq, uint16_t src_port, bool tcp, bool hw_csum)
{
	uint8_t *l4 = ixy_pkt_data(b) + IXY_ETH_HDR_LEN + IXY_IPV4_HDR_LEN;
	size_t pay = tcp ? IXY_TCP_HDR_LEN : IXY_UDP_HDR_LEN;
	for (int w = 0; w < 4; w++)
		patch16(l4, pay + 2 * (size_t)w, htons((uint16_t)(seq >> (48 - 16 * w))), hw_csum || tcp);
	patch16(l4, 0, htons(src_port), hw_csum || tcp);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },     { "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },    { "duration", required_argument, NULL, 't' },
		{ "flows", required_argument, NULL, 'f' },    { "src-mac", required_argument, NULL, 'M' },
		{ "dst-mac", required_argument, NULL, 'D' },  { "src-ip", required_argument, NULL, 'I' },
		{ "dst-ip", required_argument, NULL, 'J' },   { "src-port", required_argument, NULL, 'p' },
		{ "dst-port", required_argument, NULL, 'q' }, { "batch", required_argument, NULL, 'b' },
		{ "interval", required_argument, NULL, 'i' }, { "force", no_argument, NULL, 'F' }, { "help", no_argument, NULL, 'h' },
		{ "tx-csum", no_argument, NULL, 'C' },        { "vlan", required_argument, NULL, 'V' },
		{ "tso", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct ixy_udp_spec spec = { .dst_mac = { 2, 0, 0, 0, 0, 2 }, .src_ip = 0xc6120001, .dst_ip = 0xc6130001,
				     .src_port = 1024, .dst_port = 9 };
	uint64_t size = 60, count = 0, flows = 1, batch = 32, v, vlan = 0, mss = 0;
	double duration = 0, interval = 1, pps = 0, mbit = 0;
	bool src_mac_set = false, force = false, tx_csum = false, vlan_set = false;
	int c;

	while ((c = getopt_long(argc, argv, "s:r:n:t:f:b:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!app_opt_u64(PROG, "--size", optarg, 60, 9000, &size))
				return 2;
			break;
		case 'r':
			if (!app_opt_rate(PROG, "--rate", optarg, &pps, &mbit))
				return 2;
			break;
		case 'n':
			if (!app_opt_u64(PROG, "--count", optarg, 0, UINT64_MAX, &count))
				return 2;
			break;
		case 't':
			if (!app_opt_seconds(PROG, "--duration", optarg, &duration))
				return 2;
			break;
		case 'f':
			if (!app_opt_u64(PROG, "--flows", optarg, 1, 65536, &flows))
				return 2;
			break;
		case 'M':
		case 'D':
			if (ixy_parse_mac(optarg, c == 'M' ? spec.src_mac : spec.dst_mac) < 0)
				return app_err(PROG, "%s", ixy_last_error()), 2;
			src_mac_set |= c == 'M';
			break;
		case 'I':
		case 'J':
			if (ixy_parse_ipv4(optarg, c == 'I' ? &spec.src_ip : &spec.dst_ip) < 0)
				return app_err(PROG, "%s", ixy_last_error()), 2;
			break;
		case 'p':
		case 'q':
			if (!app_opt_u64(PROG, c == 'p' ? "--src-port" : "--dst-port", optarg, 0, 65535, &v))
				return 2;
			*(c == 'p' ? &spec.src_port : &spec.dst_port) = (uint16_t)v;
			break;
		case 'b':
			if (!app_opt_u64(PROG, "--batch", optarg, 1, MAX_BATCH, &batch))
				return 2;
			break;
		case 'i':
			if (!app_opt_seconds(PROG, "--interval", optarg, &interval))
				return 2;
			break;
		case 'F': force = true; break;
		case 'C': tx_csum = true; break;
		case 'V':
			if (!app_opt_u64_hex(PROG, "--vlan", optarg, 0, 65535, &vlan))
				return 2;
			vlan_set = true;
			break;
		case 'T':
			if (!app_opt_u64(PROG, "--tso", optarg, 1, 9000, &mss))
				return 2;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	if (spec.src_port + flows - 1 > 65535)
		return app_err(PROG, "--src-port %u with %llu flows runs past port 65535", spec.src_port,
			       (unsigned long long)flows), 2;
	/* --tso: each buffer is one TCP frame of `size` bytes (at least 60:
	 * payload after the 54 header bytes), cut into segs segments of at
	 * most mss payload bytes, each a frame on the wire */
	uint64_t segs = 1;
	if (mss) {
		if (mss > 1514 - IXY_TCP_FRAME_OVERHEAD)
			return app_err(PROG, "--tso %llu: segments would exceed 1514 bytes; at most %d", (unsigned long long)mss,
				       1514 - IXY_TCP_FRAME_OVERHEAD), 2;
		segs = (size - IXY_TCP_FRAME_OVERHEAD + mss - 1) / mss;
	}
	if (mbit > 0) {   /* on the wire each frame also costs CRC (4), preamble+SFD (8), gap (12) */
		uint64_t wire = mss ? size + (segs - 1) * IXY_TCP_FRAME_OVERHEAD : size;
		pps = mbit * 1e6 / ((double)(wire + 24 * segs) * 8);
	}

	const char *name = argv[optind];
	bool offload = tx_csum || vlan_set || mss;
	struct ixy_config cfg = { .max_frame_size = size > 1514 && !mss ? (uint32_t)size + 4 : 0, .force = force,
				  .cancel = &app_stop, .tx_offload = offload };
	/* Signals first: one during the open (its link wait) ends it cleanly. */
	app_install_signals();
	struct ixy_device *dev = ixy_open(name, &cfg);
	if (!dev)
		return app_open_failed(PROG, name);
	if (!src_mac_set)
		ixy_get_mac(dev, spec.src_mac);

	/* Prebuilt frames: write the template into every buffer once. */
	struct ixy_mempool_opts mo = { .num_entries = 4096, .buf_len = size > 2048 ? (uint32_t)size : 2048,
				       .numa_node = -1 };
	struct ixy_mempool *pool = ixy_mempool_create(&mo);
	if (!pool) {
		app_err(PROG, "%s", ixy_last_error());
		ixy_close(dev);
		return 1;
	}
	/* --tso frames are TCP: with --tx-csum their checksum request is TCP's */
	uint16_t ol = (uint16_t)((tx_csum ? IXY_PKT_TX_IPV4 | IXY_PKT_TX_IP_CKSUM |
					    (mss ? IXY_PKT_TX_TCP_CKSUM : IXY_PKT_TX_UDP_CKSUM) : 0) |
				 (mss ? IXY_PKT_TX_IPV4 | IXY_PKT_TX_TSO : 0) | (vlan_set ? IXY_PKT_TX_VLAN : 0));
	for (uint32_t i = 0; i < mo.num_entries; i++) {
		struct ixy_pkt_buf *b = ixy_mempool_get(pool, i);
		int rc = mss ? ixy_build_tcp_frame(ixy_pkt_data(b), b->buf_len, size, &spec, 0)
			     : ixy_build_udp_frame(ixy_pkt_data(b), b->buf_len, size, &spec);
		if (rc < 0) {
			app_err(PROG, "%s", ixy_last_error());
			ixy_close(dev);
			ixy_mempool_free(pool);
			return 1;
		}
		b->len = (uint32_t)size;
		/* the requests stay in the buffer: they are the same for every frame */
		b->ol_flags = ol;
		b->l2_len = IXY_ETH_HDR_LEN;
		b->l3_len = IXY_IPV4_HDR_LEN;
		b->l4_len = IXY_TCP_HDR_LEN;
		b->tso_mss = (uint16_t)mss;
		b->vlan_tci = (uint16_t)vlan;
		stamp(b, 0, spec.src_port, mss, tx_csum);    /* payload now holds sequence number 0 */
	}

	struct ixy_pkt_buf *bufs[MAX_BATCH];
	struct ixy_stats prev, now;
	bool gone = !app_read_stats(PROG, dev, &prev);
	uint64_t start = app_now_ns(), last = start, checked = start, seq = 0;
	uint64_t end = duration > 0 ? start + (uint64_t)(duration * 1e9) : UINT64_MAX;
	while (!gone && !app_stop && (!count || seq < count)) {
		uint64_t t = app_now_ns();
		if (t >= end)
			break;
		uint32_t want = (uint32_t)batch;
		if (count && count - seq < want)
			want = (uint32_t)(count - seq);
		if (pps > 0) {   /* pacing: never ahead of rate * elapsed time */
			double allowed = pps * (double)(t - start) / 1e9 + 1 - (double)seq;
			if (allowed < 1) {
				app_idle(false);   /* next frame not due yet */
				continue;
			}
			if (allowed < want)
				want = (uint32_t)allowed;
		}
		uint32_t n = ixy_pkt_buf_alloc_batch(pool, bufs, want);
		for (uint32_t i = 0; i < n; i++)
			stamp(bufs[i], seq + i, (uint16_t)(spec.src_port + (seq + i) % flows), mss, tx_csum);
		uint32_t sent = ixy_tx_batch(dev, 0, bufs, n);
		if (sent < n)   /* ring full: unsent buffers go back; their numbers are reused */
			ixy_pkt_buf_free_batch(bufs + sent, n - sent);
		app_idle(sent > 0);
		seq += sent;
		bool line = interval > 0 && t - last >= (uint64_t)(interval * 1e9);
		if (line || t - checked >= APP_CHECK_NS) {
			checked = t;
			if (!app_read_stats(PROG, dev, &now)) {
				gone = true;   /* the device went away: nothing more to drain or count */
				break;
			}
		}
		if (line) {
			app_print_rates(PROG, name, &now, &prev);
			prev = now;
			last = t;
		}
	}
	if (gone) {
		ixy_close(dev);
		ixy_mempool_free(pool);
		return 1;
	}
	/* Let the NIC finish what is queued before the totals (at most 1 s):
	 * they then say what really left, and closing cuts nothing off. */
	uint64_t stuck = app_tx_drain_segs(PROG, dev, seq, segs, false, &now);
	app_print_totals(PROG, name, &now);
	printf("[" PROG "] sent %llu frames of %llu bytes (sequence 0..%llu)", (unsigned long long)seq,
	       (unsigned long long)size, (unsigned long long)(seq ? seq - 1 : 0));
	if (mss)
		printf(" as %llu TCP segments each (MSS %llu)", (unsigned long long)segs, (unsigned long long)mss);
	printf("\n");
	fflush(stdout);
	int rc = 0;
	if (stuck == APP_DRAIN_UNKNOWN) {
		rc = 1;   /* the error is printed */
	} else if (stuck) {
		app_err(PROG, "%s: %llu of the %llu frames never left the TX ring within 1 s (link down?)", name,
			(unsigned long long)stuck, (unsigned long long)seq);
		rc = 1;
	}
	if (!app_wire_ok(PROG, name, dev))
		rc = 1;
	ixy_close(dev);
	ixy_mempool_free(pool);
	return rc;
}
