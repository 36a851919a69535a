/* ixy-latency: TX-to-RX latency through whatever is between two ports.
 *
 * The method is MoonGen's: load frames at a given rate and size leave the
 * TX port; every N-th frame (one at a time: the NIC latches one timestamp
 * per direction) is a probe, an IEEE 1588 v2 Sync frame (EtherType
 * 0x88F7) with a sequence id, timestamped by the TX port's NIC when it
 * leaves and by the RX port's NIC when it arrives. The two ports' clocks
 * are synchronised first: both set to 0, then the median offset of seven
 * interleaved reads (TX, RX, TX) is taken off the RX port's clock; before
 * and after each probe one interleaved read checks that they still agree
 * (a clock that jumps is counted and synchronised again, and a probe
 * during which they moved apart is not measured but counted as invalid). Ports without hardware
 * timestamps (virtio, or --software) are measured with clock_gettime
 * around ixy_tx_batch / ixy_rx_batch, and the output says so.
 *
 * Every probe ends up in exactly one count: measured, lost (not received
 * within --timeout), no TX / no RX timestamp, invalid (a clock moved), or
 * in flight at the stop. Besides: late (a probe's frame that arrived after
 * its probe was given up, or out of order; its RX timestamp is freed and
 * counted as stale), probes of another run (a run id in every probe), the
 * load against the rate asked (RATE NOT REACHED when it fell short), and
 * frames that never left the TX ring. Percentiles are computed over the
 * measured ones only, and the counts are printed next to them. See
 * docs/latency.md. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ixy/ixy.h>
#include <ixy/ptp.h>

#include "app.h"
#include "lat_stats.h"

#define PROG "ixy-latency"
#define MAX_BATCH 64
#define PROBE_MAGIC 0x4c4154ull	/* "LAT" in the probe's payload */
#define SYNC_ROUNDS 7

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options] TX_PORT RX_PORT\n"
		"Measure TX-to-RX latency with IEEE 1588 probe frames among a load (TX_PORT may equal RX_PORT).\n"
		"  -s, --size N          load frame size without CRC, 60..1514 (default 60)\n"
		"  -r, --rate RATE       load, e.g. 1Mpps, 1000Mbit (wire rate incl. CRC, preamble, gap);\n"
		"                        default: no load, probes only\n"
		"  -N, --probe-every N   a probe after at least N load frames (default 1000)\n"
		"  -n, --probes N        stop after N probes (default 10000)\n"
		"  -t, --duration SEC    stop after SEC seconds\n"
		"      --timeout SEC     a probe not received by then is lost (default 100ms)\n"
		"      --dst-mac MAC     load and probe destination (default: RX_PORT's MAC)\n"
		"      --software        software timestamps even if the NICs have them\n"
		"      --csv FILE        histogram as CSV (bin_ns,count)\n"
		"      --bin NS          histogram bin width in ns (default 10)\n"
		"      --png FILE        plot the histogram with gnuplot (needs --csv)\n"
		"      --force           take NICs from the kernel even if their interface is up\n"
		"  -h, --help            this text\n");
}

struct port {
	struct ixy_device *dev;
	const char *name;
	struct ixy_ptp_info info;
};

struct counts {
	uint64_t sent, measured, lost, no_tx_ts, no_rx_ts, late, stale_rx_ts, jumps, resyncs, invalid, unresolved;
	uint64_t load_sent, load_unsent, rx_frames, other_run;
	int64_t sync_spread;	/* the largest read spread of a synchronisation: its error bound is half */
};

static bool hw;	/* hardware timestamps on both ports */

/* ---- clock synchronisation (hardware) ---- */

/* Offset of rx's clock against tx's: one interleaved read tx, rx, tx;
 * the midpoint of the two tx reads stands for the moment of the rx read.
 * *spread = the time the three reads took (the error bound). */
static int read_offset(struct port *t, struct port *r, int64_t *off, int64_t *spread)
{
	uint64_t a1, b, a2;
	if (ixy_ptp_read_clock(t->dev, &a1) < 0 || ixy_ptp_read_clock(r->dev, &b) < 0 ||
	    ixy_ptp_read_clock(t->dev, &a2) < 0)
		return -1;
	*spread = ixy_ptp_diff(&t->info, a2, a1);
	*off = ixy_ptp_diff(&r->info, b, a1 + (uint64_t)(*spread / 2));
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int sync_clocks(struct port *t, struct port *r, int64_t *spread_out)
{
	if (t->dev == r->dev)
		return 0;	/* one clock */
	if (ixy_ptp_write_clock(t->dev, 0) < 0 || ixy_ptp_write_clock(r->dev, 0) < 0)
		return -1;
	int64_t offs[SYNC_ROUNDS], spreads[SYNC_ROUNDS];
	for (int i = 0; i < SYNC_ROUNDS; i++)
		if (read_offset(t, r, &offs[i], &spreads[i]) < 0)
			return -1;
	qsort(offs, SYNC_ROUNDS, sizeof(offs[0]), cmp_i64);
	qsort(spreads, SYNC_ROUNDS, sizeof(spreads[0]), cmp_i64);
	*spread_out = spreads[SYNC_ROUNDS / 2];
	return ixy_ptp_adjust_clock(r->dev, -offs[SYNC_ROUNDS / 2]);
}

/* Do the clocks still agree? One interleaved read; more than 1 us apart
 * (plus the read's spread) they are synchronised again, and if the offset
 * grew faster than 1000 ppm since the last synchronisation (no crystal
 * drifts that fast) it is counted as a jump. Returns 1 if they did not
 * agree, 0 if they did, -1 on error. */
static int check_clocks(struct port *t, struct port *r, struct counts *c, uint64_t *last_sync)
{
	int64_t off, sp;
	if (t->dev == r->dev)
		return 0;
	if (read_offset(t, r, &off, &sp) < 0)
		return -1;
	int64_t a = off < 0 ? -off : off;
	if (a <= 1000 + sp)
		return 0;
	uint64_t now = app_now_ns();
	if ((uint64_t)a * 1000 > now - *last_sync)
		c->jumps++;
	c->resyncs++;
	if (sync_clocks(t, r, &sp) < 0)
		return -1;
	if (sp > c->sync_spread)
		c->sync_spread = sp;
	*last_sync = app_now_ns();
	return 1;
}

/* ---- frames ---- */

/* This run's id, in every probe: a probe of an earlier run still queued
 * somewhere on the path (a host's tap, a switch) is not taken for one of
 * ours with the same number. The PTP sequence ids start at it too, so its
 * RX timestamp is not taken for ours either. */
static uint32_t run_id;

/* A 60-byte (or size) L2 PTPv2 Sync frame with sequence id seq and our
 * magic, probe number and run id in the payload after the 34-byte PTP
 * header. */
static void build_probe(struct ixy_pkt_buf *b, const uint8_t src[6], const uint8_t dst[6], uint16_t seq,
			uint64_t number)
{
	uint8_t *p = ixy_pkt_data(b);
	memset(p, 0, 60);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = 0x88;
	p[13] = 0xf7;
	uint8_t *h = p + 14;
	h[0] = 0x00;	/* transportSpecific 0, messageType 0: Sync (an event message) */
	h[1] = 0x02;	/* versionPTP 2 */
	h[3] = 44;	/* messageLength */
	memcpy(h + 20, src, 3);	/* clockIdentity from the MAC (EUI-48 -> EUI-64) */
	h[23] = 0xff;
	h[24] = 0xfe;
	memcpy(h + 25, src + 3, 3);
	h[29] = 1;	/* portNumber */
	h[30] = (uint8_t)(seq >> 8);
	h[31] = (uint8_t)seq;
	uint64_t tag = htobe64(PROBE_MAGIC << 40 | (number & 0xffffffffffull));
	memcpy(h + 34, &tag, 8);	/* bytes 48..55 of the frame */
	uint32_t id = htobe32(run_id);
	memcpy(h + 42, &id, 4);	/* bytes 56..59 */
	b->len = 60;
}

/* The probe number of a frame that is one of our probes, -2 for a probe of
 * another run, else -1. */
static int64_t probe_number(struct ixy_pkt_buf *b)
{
	const uint8_t *p = ixy_pkt_data(b);
	if (b->len < 60 || p[12] != 0x88 || p[13] != 0xf7)
		return -1;
	uint64_t tag;
	uint32_t id;
	memcpy(&tag, p + 48, 8);
	memcpy(&id, p + 56, 4);
	tag = be64toh(tag);
	if (tag >> 40 != PROBE_MAGIC)
		return -1;
	return be32toh(id) == run_id ? (int64_t)(tag & 0xffffffffffull) : -2;
}

/* ---- the measurement ---- */

struct probe {
	bool active;
	uint64_t number;
	uint16_t seq;
	uint64_t t_sent_sw;	/* software: before ixy_tx_batch */
	bool have_tx, have_rx, frame_seen;
	uint64_t tx_ts, rx_ts;
};

/* Sort one received batch: our probe, a late or foreign one, or load. */
static void drain_batch(struct ixy_pkt_buf **bufs, uint32_t n, struct probe *pr, struct counts *c)
{
	uint64_t now = n ? app_now_ns() : 0;
	for (uint32_t i = 0; i < n; i++) {
		int64_t num = probe_number(bufs[i]);
		c->rx_frames++;
		if (num == -2) {
			c->other_run++;	/* not ours: like any other frame, but said */
		} else if (num >= 0) {
			if (pr->active && (uint64_t)num == pr->number) {
				pr->frame_seen = true;
				if (!hw) {
					pr->rx_ts = now;
					pr->have_rx = true;
				}
			} else {
				c->late++;	/* a probe given up earlier, or out of order */
			}
		}
	}
	ixy_pkt_buf_free_batch(bufs, n);
}

/* Receive what has arrived: the load comes back too, so up to 8 batches
 * a round (the loop also sends up to a batch of load per round), so the RX
 * ring does not overflow and drop a probe while this thread sends. */
static void drain_rx(struct port *r, struct probe *pr, struct counts *c)
{
	for (int round = 0; round < 8; round++) {
		struct ixy_pkt_buf *bufs[MAX_BATCH];
		uint32_t n = ixy_rx_batch(r->dev, 0, bufs, MAX_BATCH);
		drain_batch(bufs, n, pr, c);
		if (n < MAX_BATCH)
			break;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },        { "rate", required_argument, NULL, 'r' },
		{ "probe-every", required_argument, NULL, 'N' }, { "probes", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 't' },    { "timeout", required_argument, NULL, 'T' },
		{ "dst-mac", required_argument, NULL, 'D' },     { "software", no_argument, NULL, 'S' },
		{ "csv", required_argument, NULL, 'C' },         { "bin", required_argument, NULL, 'B' },
		{ "png", required_argument, NULL, 'P' },         { "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },              { NULL, 0, NULL, 0 },
	};
	uint64_t size = 60, every = 1000, nprobes = 10000, v;
	double duration = 0, timeout = 0.1, pps = 0, mbit = 0;
	int64_t bin = 10;
	const char *csv = NULL, *png = NULL;
	bool software = false, force = false, dst_set = false;
	uint8_t dst[6];
	int c;
	while ((c = getopt_long(argc, argv, "s:r:N:n:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!app_opt_u64(PROG, "--size", optarg, 60, 1514, &size))
				return 2;
			break;
		case 'r':
			if (!app_opt_rate(PROG, "--rate", optarg, &pps, &mbit))
				return 2;
			break;
		case 'N':
			if (!app_opt_u64(PROG, "--probe-every", optarg, 1, UINT32_MAX, &every))
				return 2;
			break;
		case 'n':
			if (!app_opt_u64(PROG, "--probes", optarg, 1, 100000000, &nprobes))
				return 2;
			break;
		case 't':
			if (!app_opt_seconds(PROG, "--duration", optarg, &duration))
				return 2;
			break;
		case 'T':
			if (!app_opt_seconds(PROG, "--timeout", optarg, &timeout) || timeout <= 0)
				return app_err(PROG, "--timeout must be above 0"), 2;
			break;
		case 'D':
			if (ixy_parse_mac(optarg, dst) < 0)
				return app_err(PROG, "%s", ixy_last_error()), 2;
			dst_set = true;
			break;
		case 'S': software = true; break;
		case 'C': csv = optarg; break;
		case 'B':
			if (!app_opt_u64(PROG, "--bin", optarg, 1, 1000000000, &v))
				return 2;
			bin = (int64_t)v;
			break;
		case 'P': png = optarg; break;
		case 'F': force = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	if (png && !csv)
		return app_err(PROG, "--png needs --csv (gnuplot plots the CSV)"), 2;

	struct port tx = { .name = argv[optind] }, rx = { .name = argv[optind + 1] };
	/* link_optional: the two may be the ends of one cable (a sim pair)
	 * that has link only once both are open; the link is awaited below */
	struct ixy_config cfg = { .force = force, .link_optional = true, .link_timeout_ms = 1, .cancel = &app_stop };
	app_install_signals();
	run_id = (uint32_t)(app_now_ns() ^ app_now_ns() >> 32 ^ (uint64_t)getpid() << 16);
	tx.dev = ixy_open(tx.name, &cfg);
	if (!tx.dev)
		return app_open_failed(PROG, tx.name);
	bool same = strcmp(tx.name, rx.name) == 0;
	rx.dev = same ? tx.dev : ixy_open(rx.name, &cfg);
	if (!rx.dev) {
		int st = app_open_failed(PROG, rx.name);
		ixy_close(tx.dev);
		return st;
	}
	int rc = 1;
	struct ixy_mempool *load_pool = NULL, *probe_pool = NULL;
	int64_t *samples = NULL;
	if (ixy_wait_link(tx.dev, 10000) < 0 || ixy_wait_link(rx.dev, 10000) < 0) {
		app_err(PROG, "%s", ixy_last_error());
		goto out;
	}

	/* the load's rate against what the port can send */
	uint32_t link = ixy_get_link_speed(tx.dev);
	double line_pps = (link ? link : 10000) * 1e6 / ((double)(size + 24) * 8);
	if (mbit > 0)
		pps = mbit * 1e6 / ((double)(size + 24) * 8);
	if (pps > line_pps * 1.0001) {
		app_err(PROG, "--rate %.0f pps (%.0f Mbit/s with %llu-byte frames) is above what %s can send at "
			"%u Mb/s: at most %.0f pps", pps, pps * (double)(size + 24) * 8 / 1e6, (unsigned long long)size,
			tx.name, link ? link : 10000, line_pps);
		rc = 2;
		goto out;
	}

	/* timestamps */
	hw = !software;
	const char *why_sw = software ? "--software" : NULL;
	if (hw) {
		for (struct port *p = &tx; p; p = p == &tx && !same ? &rx : NULL) {
			int e = ixy_ptp_enable(p->dev);
			if (e == -ENOTSUP) {
				hw = false;
				why_sw = p->name;
				printf("[" PROG "] %s has no hardware timestamps (%s)\n", p->name, ixy_last_error());
				break;
			}
			if (e < 0 || ixy_ptp_info(p->dev, &p->info) < 0) {
				app_err(PROG, "%s: %s", p->name, ixy_last_error());
				goto out;
			}
		}
		if (same)
			rx.info = tx.info;
	}
	int64_t spread = 0;
	if (hw && sync_clocks(&tx, &rx, &spread) < 0) {
		app_err(PROG, "clock synchronisation: %s", ixy_last_error());
		goto out;
	}
	if (hw)
		printf("[" PROG "] timestamps: hardware (IEEE 1588), resolution %.1f ns%s; clocks synchronised, "
		       "read spread %lld ns\n", tx.info.resolution_ps / 1000.0, same ? ", one port" : "",
		       (long long)spread);
	else
		printf("[" PROG "] timestamps: SOFTWARE (clock_gettime around ixy_tx_batch/ixy_rx_batch, because of "
		       "%s): they include the driver, the polling loop and the scheduler\n", why_sw);

	uint8_t src[6];
	ixy_get_mac(tx.dev, src);
	if (!dst_set)
		ixy_get_mac(rx.dev, dst);
	struct ixy_udp_spec spec = { .src_ip = 0xc6120001, .dst_ip = 0xc6130001, .src_port = 1024, .dst_port = 9 };
	memcpy(spec.src_mac, src, 6);
	memcpy(spec.dst_mac, dst, 6);
	struct ixy_mempool_opts lo = { .num_entries = 4096, .numa_node = -1 };
	struct ixy_mempool_opts po = { .num_entries = 64, .numa_node = -1 };
	load_pool = pps > 0 ? ixy_mempool_create(&lo) : NULL;
	probe_pool = ixy_mempool_create(&po);
	samples = malloc(nprobes * sizeof(*samples));
	if ((pps > 0 && !load_pool) || !probe_pool || !samples) {
		app_err(PROG, "%s", samples ? ixy_last_error() : "out of memory");
		goto out;
	}
	/* every load buffer holds the frame (the pool hands them out in any
	 * order; a buffer left empty would go out as 0 bytes) */
	for (uint32_t i = 0; load_pool && i < lo.num_entries; i++) {
		struct ixy_pkt_buf *b = ixy_mempool_get(load_pool, i);
		ixy_build_udp_frame(ixy_pkt_data(b), b->buf_len, size, &spec);
		b->len = (uint32_t)size;
	}

	struct counts cnt = { .sync_spread = spread };
	struct probe pr = { 0 };
	uint64_t since_probe = every, start = app_now_ns(), last_sync = start;
	uint64_t end = duration > 0 ? start + (uint64_t)(duration * 1e9) : UINT64_MAX;
	uint64_t timeout_ns = (uint64_t)(timeout * 1e9);
	/* no send for this long while a probe is due: stop and say why */
	uint64_t stuck_since = 0, stuck_limit = timeout_ns > 1000000000 ? timeout_ns : 1000000000;
	if (pps > 0 && 3e9 / pps > (double)stuck_limit)
		stuck_limit = (uint64_t)(3e9 / pps);	/* three load frames' time at a slow rate */
	const char *stuck_why = NULL;
	bool stuck = false;
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	while (!app_stop) {
		uint64_t t = app_now_ns();
		if (t >= end || (!pr.active && cnt.sent >= nprobes))
			break;
		bool worked = false;
		/* load, paced: never ahead of rate * elapsed time */
		if (pps > 0) {
			double allowed = pps * (double)(t - start) / 1e9 + 1 - (double)(cnt.load_sent + cnt.load_unsent);
			uint32_t want = allowed >= MAX_BATCH ? MAX_BATCH : allowed >= 1 ? (uint32_t)allowed : 0;
			uint32_t n = want ? ixy_pkt_buf_alloc_batch(load_pool, bufs, want) : 0;
			uint32_t s = n ? ixy_tx_batch(tx.dev, 0, bufs, n) : 0;
			if (s < n) {
				ixy_pkt_buf_free_batch(bufs + s, n - s);
				cnt.load_unsent += n - s;	/* ring full: the port is behind the rate */
			}
			cnt.load_sent += s;
			since_probe += s;
			worked |= s > 0;
		}
		/* a probe: the previous one resolved, enough load in between */
		if (!pr.active && cnt.sent < nprobes && (pps <= 0 || since_probe >= every)) {
			if (hw && check_clocks(&tx, &rx, &cnt, &last_sync) < 0) {
				app_err(PROG, "clock synchronisation: %s", ixy_last_error());
				goto out;
			}
			struct ixy_pkt_buf *b;
			bool got = ixy_pkt_buf_alloc_batch(probe_pool, &b, 1) == 1, went = false;
			stuck_why = NULL;
			if (got) {
				pr = (struct probe){ .active = true, .number = cnt.sent,
						     .seq = (uint16_t)(run_id + cnt.sent) };
				build_probe(b, src, dst, pr.seq, pr.number);
				if (hw)
					ixy_pkt_request_tx_timestamp(b);
				pr.t_sent_sw = app_now_ns();
				if (ixy_tx_batch(tx.dev, 0, &b, 1) == 1) {
					if (!hw) {
						pr.tx_ts = pr.t_sent_sw;
						pr.have_tx = true;
					}
					cnt.sent++;
					since_probe = 0;
					worked = true;
					went = true;
				} else {
					ixy_pkt_buf_free(b);	/* ring full: try again next round */
					pr.active = false;
				}
			}
			if (!went)
				stuck_why = got ? "its TX ring stayed full" : "no probe buffer came back from its TX ring";
		}
		/* the next probe cannot go out for long (load that never
		 * leaves keeps it from its turn, no buffer came back to the
		 * probe pool, the ring stays full): said, not waited for
		 * silently */
		if (worked || pr.active || cnt.sent >= nprobes) {
			stuck_since = 0;
		} else if (!stuck_since) {
			stuck_since = t;
		} else if (t - stuck_since > stuck_limit) {
			stuck = true;
			if (pps > 0 && since_probe < every)
				stuck_why = "the load's frames did not leave: its TX ring stayed full";
			break;
		}
		drain_rx(&rx, &pr, &cnt);
		if (pr.active) {
			uint64_t ts;
			uint16_t seq;
			if (hw && !pr.have_tx && ixy_ptp_tx_timestamp(tx.dev, &ts) == 1) {
				pr.tx_ts = ts;
				pr.have_tx = true;
			}
			if (hw && !pr.have_rx && ixy_ptp_rx_timestamp(rx.dev, &ts, &seq) == 1) {
				if (seq == pr.seq) {
					pr.rx_ts = ts;
					pr.have_rx = true;
				} else {
					/* the timestamp of an earlier probe: its frame
					 * is counted as late, the stamp only freed */
					cnt.stale_rx_ts++;
				}
			}
			if (pr.have_tx && pr.have_rx && pr.frame_seen) {
				int64_t lat = hw ? ixy_ptp_diff(&tx.info, pr.rx_ts, pr.tx_ts) : (int64_t)(pr.rx_ts - pr.tx_ts);
				/* the clocks checked again after the probe: if they
				 * no longer agree, one stepped while it travelled */
				int moved = hw ? check_clocks(&tx, &rx, &cnt, &last_sync) : 0;
				if (moved < 0) {
					app_err(PROG, "clock synchronisation: %s", ixy_last_error());
					goto out;
				}
				if (moved || lat < 0 || (uint64_t)lat > timeout_ns)
					cnt.invalid++;	/* a clock stepped between the two stamps */
				else
					samples[cnt.measured++] = lat;
				pr.active = false;
			} else if (app_now_ns() - pr.t_sent_sw > timeout_ns) {
				if (!pr.frame_seen)
					cnt.lost++;
				else if (!pr.have_tx)
					cnt.no_tx_ts++;
				else
					cnt.no_rx_ts++;
				pr.active = false;
				if (hw) {	/* free the latches for the next probe */
					ixy_ptp_tx_timestamp(tx.dev, &ts);
					if (ixy_ptp_rx_timestamp(rx.dev, &ts, &seq) == 1)
						cnt.stale_rx_ts++;
				}
			}
		}
		app_idle(worked);
	}
	if (pr.active)
		cnt.unresolved++;	/* stopped (duration, signal) while it was on its way */
	double secs = (double)(app_now_ns() - start) / 1e9;
	/* what is still in the TX ring leaves before the counts are printed
	 * (at most 1 s): they then say what went out, and closing cuts nothing
	 * off; what never left is said */
	struct ixy_stats txst;
	uint64_t never_left = app_tx_drain(PROG, tx.dev, cnt.load_sent + cnt.sent, false, &txst);

	struct lat_summary s;
	lat_summarize(samples, cnt.measured, &s);
	printf("[" PROG "] %s -> %s: %llu probes in %.2f s: %llu measured, %llu lost, %llu without TX timestamp, "
	       "%llu without RX timestamp, %llu late/out of order, %llu invalid, %llu in flight at the stop; clock "
	       "jumps %llu (resyncs %llu)%s\n",
	       tx.name, rx.name, (unsigned long long)cnt.sent, secs, (unsigned long long)cnt.measured,
	       (unsigned long long)cnt.lost, (unsigned long long)cnt.no_tx_ts, (unsigned long long)cnt.no_rx_ts,
	       (unsigned long long)cnt.late, (unsigned long long)cnt.invalid, (unsigned long long)cnt.unresolved,
	       (unsigned long long)cnt.jumps, (unsigned long long)cnt.resyncs,
	       cnt.other_run ? "; probes of another run ignored (see other_run_probes)" : "");
	/* the load against the rate asked: whatever was not sent is said,
	 * split into frames that found the TX ring full (the port is slower
	 * than the rate) and frames this loop never got to make (the CPU is) */
	double asked = pps * secs, load_pps = secs > 0 ? (double)cnt.load_sent / secs : 0;
	double not_made = asked - (double)(cnt.load_sent + cnt.load_unsent);
	bool short_rate = pps > 0 && load_pps < pps * 0.98;	/* more than 2 % short */
	if (pps > 0)
		printf("[" PROG "] load: %llu frames of %llu bytes sent (%.3f Mpps, %.1f Mbit/s on the wire; asked %.3f "
		       "Mpps), %llu not sent (TX ring full)\n", (unsigned long long)cnt.load_sent,
		       (unsigned long long)size, load_pps / 1e6, load_pps * (double)(size + 24) * 8 / 1e6, pps / 1e6,
		       (unsigned long long)cnt.load_unsent);
	bool drain_failed = never_left == APP_DRAIN_UNKNOWN;   /* the error is printed */
	if (drain_failed)
		never_left = 0;
	if (never_left)
		printf("[" PROG "] %llu of the %llu frames handed to %s (load and probes) never left its TX ring within "
		       "1 s of the end\n", (unsigned long long)never_left, (unsigned long long)(cnt.load_sent + cnt.sent),
		       tx.name);
	if (short_rate)
		printf("[" PROG "] RATE NOT REACHED: the load was %.1f%% of the rate asked (%.3f of %.3f Mpps): %llu "
		       "frames found %s's TX ring full (the port is slower than the rate), %.0f were never made (this "
		       "loop could not keep up); the latencies are for the load that was sent\n",
		       100.0 * load_pps / pps, load_pps / 1e6, pps / 1e6, (unsigned long long)cnt.load_unsent, tx.name,
		       not_made > 0 ? not_made : 0);
	if (cnt.measured)
		printf("[" PROG "] latency ns (%s): min %lld p50 %lld p90 %lld p99 %lld p99.9 %lld p99.99 %lld max %lld "
		       "mean %.1f\n", hw ? "hardware" : "SOFTWARE", (long long)s.min, (long long)s.p50, (long long)s.p90,
		       (long long)s.p99, (long long)s.p999, (long long)s.p9999, (long long)s.max, s.mean);
	/* one machine-readable line */
	printf("latency timestamps=%s probes=%llu measured=%llu lost=%llu no_tx_ts=%llu no_rx_ts=%llu late=%llu "
	       "stale_rx_ts=%llu other_run_probes=%llu invalid=%llu unresolved=%llu clock_jumps=%llu load_sent=%llu load_unsent=%llu "
	       "load_pps=%.0f load_asked_pps=%.0f rate_reached=%d tx_never_left=%llu sync_spread_ns=%lld min_ns=%lld p50_ns=%lld "
	       "p90_ns=%lld p99_ns=%lld p99.9_ns=%lld p99.99_ns=%lld max_ns=%lld\n", hw ? "hardware" : "software",
	       (unsigned long long)cnt.sent, (unsigned long long)cnt.measured, (unsigned long long)cnt.lost,
	       (unsigned long long)cnt.no_tx_ts, (unsigned long long)cnt.no_rx_ts, (unsigned long long)cnt.late,
	       (unsigned long long)cnt.stale_rx_ts, (unsigned long long)cnt.other_run, (unsigned long long)cnt.invalid, (unsigned long long)cnt.unresolved,
	       (unsigned long long)cnt.jumps, (unsigned long long)cnt.load_sent, (unsigned long long)cnt.load_unsent,
	       load_pps, pps, !short_rate, (unsigned long long)never_left, (long long)cnt.sync_spread,
	       (long long)s.min, (long long)s.p50, (long long)s.p90, (long long)s.p99, (long long)s.p999,
	       (long long)s.p9999, (long long)s.max);
	fflush(stdout);
	rc = cnt.measured && !stuck && !drain_failed ? 0 : 1;
	if (stuck)
		app_err(PROG, "stopped after %llu probes: no probe could be sent on %s for %.1f s (%s)",
			(unsigned long long)cnt.sent, tx.name, (double)stuck_limit / 1e9,
			stuck_why ? stuck_why : "nothing could be sent");
	if (!cnt.measured)
		app_err(PROG, "no probe was measured (lost %llu, in flight at the stop %llu, of %llu)",
			(unsigned long long)cnt.lost, (unsigned long long)cnt.unresolved, (unsigned long long)cnt.sent);
	if (csv) {
		FILE *f = fopen(csv, "w");
		if (!f || lat_histogram_csv(f, samples, cnt.measured, bin) < 0 || fclose(f) != 0) {
			app_err(PROG, "--csv %s: %s", csv, strerror(errno));
			rc = 1;
		} else if (png) {
			/* two panels: the histogram (log counts) and the cumulative
			 * distribution (log latency), which shows a narrow and a
			 * long-tailed distribution equally well */
			char cmd[4096];
			snprintf(cmd, sizeof(cmd),
				 "gnuplot -e \"set terminal png size 900,800; set output '%s'; set datafile separator ','; "
				 "set multiplot layout 2,1 title '%s -> %s, %llu probes, %s timestamps' noenhanced; "
				 "set xlabel 'latency (ns)'; set ylabel 'probes'; set logscale y; set yrange [0.8:*]; "
				 "set offsets graph 0.05, graph 0.05; set style fill solid 0.6; set boxwidth %lld; "
				 "plot '%s' every ::1 using (\\$1+%lld/2.0):2 with boxes notitle; "
				 "unset logscale y; set yrange [0:1]; set logscale x; set offsets 0,0,0,0; set grid; "
				 "set xlabel 'latency (ns, log)'; set ylabel 'fraction of probes at or below'; "
				 "plot '%s' every ::1 using (\\$1+%lld):(\\$2/%llu.0) smooth cumulative with steps notitle; "
				 "unset multiplot\"",
				 png, tx.name, rx.name, (unsigned long long)cnt.measured, hw ? "hardware" : "software",
				 (long long)bin, csv, (long long)bin, csv, (long long)bin, (unsigned long long)cnt.measured);
			if (strchr(png, '\'') || strchr(csv, '\'') || strchr(tx.name, '\'') || strchr(rx.name, '\'') ||
			    strchr(png, '"') || strchr(csv, '"'))
				app_err(PROG, "--png: file and port names with quotes are not supported"), rc = 1;
			else if (system(cmd) != 0)
				app_err(PROG, "--png %s: gnuplot failed (apt-get install gnuplot-nox)", png), rc = 1;
		}
	}
	/* a virtual port's wire that lost or refused frames: say so */
	if (!app_wire_ok(PROG, tx.name, tx.dev) || (!same && !app_wire_ok(PROG, rx.name, rx.dev)))
		rc = 1;
out:
	free(samples);
	if (rx.dev && rx.dev != tx.dev)
		ixy_close(rx.dev);
	ixy_close(tx.dev);
	ixy_mempool_free(load_pool);
	ixy_mempool_free(probe_pool);
	return rc;
}
