/* ixy-fwd: forward packets between two ports (A->B and B->A) on one core.
 *
 * The whole data path is the loop in forward(): receive a batch on one
 * port, optionally rewrite MAC addresses, transmit the batch on the other,
 * and drop (free) what the TX ring had no room for. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ixy/ixy.h>
#include <ixy/device.h>

#include "app.h"
#include "app_cpu.h"

#define PROG "ixy-fwd"
#define MAX_BATCH 512

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options] PORT_A PORT_B\n"
		"Forward packets A->B and B->A on one core. PORT is a PCI address (0000:03:00.0)\n"
		"or a virtual port (sim:NAME,...; see docs/sim.md).\n"
		"  -b, --batch N          packets per rx/tx batch (1..%d, default 32)\n"
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
		"  -h, --help             this text\n", MAX_BATCH, IXY_HYBRID_IDLE_US);
}

struct port {
	struct ixy_device *dev;
	const char *name;
	uint8_t mac[6];
	bool rewrite_dst;
	uint8_t dst_mac[6];
	struct ixy_stats prev, now;
	uint64_t dropped;       /* taken from RX but no room on TX */
	uint64_t handed;        /* given to this port's TX ring */
};

static bool rewrite_src;

/* Move one batch from rx to tx; returns the number forwarded. */
static uint32_t forward(struct port *rx, struct port *tx, uint32_t batch)
{
	struct ixy_pkt_buf *bufs[MAX_BATCH];
	uint32_t n = ixy_rx_batch(rx->dev, 0, bufs, batch);
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
	uint32_t sent = ixy_tx_batch(tx->dev, 0, bufs, n);
	tx->handed += sent;
	if (sent < n) {
		ixy_pkt_buf_free_batch(bufs + sent, n - sent);
		tx->dropped += n - sent;
	}
	return sent;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", required_argument, NULL, 'b' },   { "duration", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },   { "dst-mac-a", required_argument, NULL, 'A' },
		{ "dst-mac-b", required_argument, NULL, 'B' }, { "src-mac", no_argument, NULL, 'S' },
		{ "no-promisc", no_argument, NULL, 'P' },    { "ring", required_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, 'i' }, { "force", no_argument, NULL, 'F' }, { "help", no_argument, NULL, 'h' },
		{ "interrupt", no_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	bool interrupt = false;
	int status = 0;
	struct port ports[2] = { { 0 }, { 0 } };
	uint64_t batch = 32, count = 0, ring = 0;
	double duration = 0, interval = 1;
	bool promisc = true, force = false;
	int c;

	while ((c = getopt_long(argc, argv, "b:t:n:i:hI", opts, NULL)) != -1) {
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
			if (!app_opt_u64(PROG, "--count", optarg, 0, UINT64_MAX, &count))
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

	struct ixy_config cfg = { .promisc = promisc, .force = force, .rx_ring_size = (uint16_t)ring,
				   .tx_ring_size = (uint16_t)ring, .cancel = &app_stop };
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
		ixy_get_mac(ports[i].dev, ports[i].mac);
		ixy_read_stats(ports[i].dev, &ports[i].prev);
	}
	/* --interrupt: both RX queues get an interrupt; the hybrid decides
	 * when to sleep on them */
	struct ixy_rxq rxqs[2] = { { ports[0].dev, 0 }, { ports[1].dev, 0 } };
	struct ixy_rx_hybrid hybrid = { 0 };
	for (int i = 0; interrupt && i < 2; i++) {
		if (ixy_rx_interrupt_enable(ports[i].dev, 0, NULL) < 0) {
			app_err(PROG, "--interrupt: %s", ixy_last_error());
			ixy_close(ports[0].dev);
			ixy_close(ports[1].dev);
			return 1;
		}
	}
	struct app_cpu cpu;
	uint64_t sleeps_printed = 0;
	app_cpu_start(&cpu);

	uint64_t start = app_now_ns(), last = start, checked = start, forwarded = 0;
	bool gone = false;
	uint64_t end = duration > 0 ? start + (uint64_t)(duration * 1e9) : UINT64_MAX;
	for (uint64_t iter = 0; !app_stop; iter++) {
		uint32_t moved = forward(&ports[0], &ports[1], (uint32_t)batch);
		moved += forward(&ports[1], &ports[0], (uint32_t)batch);
		forwarded += moved;
		uint64_t sleeps = hybrid.sleeps;
		if (!interrupt)
			app_idle(moved > 0);
		else if (ixy_rx_hybrid_idle(&hybrid, rxqs, 2, moved) < 0) {
			app_err(PROG, "%s", ixy_last_error());
			status = 1;
			break;
		}
		if (count && forwarded >= count)
			break;
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
				for (int i = 0; i < 2; i++) {
					app_print_rates(PROG, ports[i].name, &ports[i].now, &ports[i].prev);
					ports[i].prev = ports[i].now;
				}
				char extra[64];
				snprintf(extra, sizeof(extra), "slept %llu times",
					 (unsigned long long)(hybrid.sleeps - sleeps_printed));
				app_cpu_print(PROG, &cpu, interrupt ? extra : NULL);
				sleeps_printed = hybrid.sleeps;
				last = now;
			}
		}
	}

	if (gone) {
		ixy_close(ports[0].dev);
		ixy_close(ports[1].dev);
		return 1;
	}
	/* Totals after the TX rings drained (at most 1 s each): what they
	 * say left did leave, and closing cuts nothing off. */
	double secs = (double)(app_now_ns() - start) / 1e9;
	uint64_t stuck[2];
	for (int i = 0; i < 2; i++) {
		stuck[i] = app_tx_drain(ports[i].dev, ports[i].handed, &ports[i].now);
		app_print_totals(PROG, ports[i].name, &ports[i].now);
	}
	printf("[" PROG "] forwarded %llu packets in %.1f s, %llu dropped for a full TX ring\n",
	       (unsigned long long)forwarded, secs, (unsigned long long)(ports[0].dropped + ports[1].dropped));
	fflush(stdout);
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		if (stuck[i]) {
			app_err(PROG, "%s: %llu of the %llu frames forwarded to it never left its TX ring within 1 s "
				"(link down?)", ports[i].name, (unsigned long long)stuck[i],
				(unsigned long long)ports[i].handed);
			rc = 1;
		}
		if (!app_wire_ok(PROG, ports[i].name, ports[i].dev))
			rc = 1;
	}
	ixy_close(ports[0].dev);
	ixy_close(ports[1].dev);
	return rc ? rc : status;
}
