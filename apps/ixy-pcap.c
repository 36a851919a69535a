/* ixy-pcap: capture frames from a port into a pcap file, or replay a pcap
 * file out of a port.
 *
 *   ixy-pcap [options] PORT FILE            capture (the library's pcap writer:
 *                                           the count printed is what FILE holds)
 *   ixy-pcap --replay [options] PORT FILE   send the file's frames
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ixy/ixy.h>
#include <ixy/device.h>

#include "app.h"
#include "pcap_file.h"      /* the library's pcap writer (src/pcap_file.h) */
#include "app_cpu.h"

#define PROG "ixy-pcap"
#define BATCH 64

static bool interrupt;   /* --interrupt: sleep on the RX interrupt when idle (capture) */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options] PORT FILE            capture from PORT into FILE (- = stdout)\n"
		"       " PROG " --replay [options] PORT FILE   send the frames of FILE out of PORT\n"
		"  -n, --count N        stop after N frames\n"
		"  -t, --duration SEC   stop after SEC seconds\n"
		"  -s, --snaplen N      capture at most N bytes per frame (default 65535)\n"
		"      --micro          microsecond timestamps (default: nanosecond)\n"
		"      --replay         send FILE instead of capturing\n"
		"      --loop N         replay the file N times (0 = forever; default 1)\n"
		"  -r, --rate RATE      replay rate, e.g. 1000pps or 100Mbit (default: as fast as possible)\n"
		"      --no-promisc     capture only what the port's filters accept\n"
		"  -i, --interval SEC   statistics interval (default 1, 0 = none)\n"
		"      --force        take NICs from the kernel even if their interface is up\n"
		"  -I, --interrupt      capture: sleep when idle (poll while frames come; after %d us\n"
		"                       without one, arm the RX interrupt and sleep: ixy_rx_hybrid)\n"
		"  -h, --help           this text\n", IXY_HYBRID_IDLE_US);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Frames go into the file through src/pcap_file.c, flushed after every
 * batch: a write that fails (disk full) ends the capture at once with the
 * file's error, and the count printed is the frames the file holds. */
static int capture(struct ixy_device *dev, const char *name, const char *file, uint64_t count, uint64_t end,
		   int snaplen, bool nano, double interval)
{
	struct ixy_pcap_file *out = ixy_pcap_file_create(file, (uint32_t)snaplen, nano);
	if (!out)
		return app_err(PROG, "%s", ixy_last_error()), 1;
	struct ixy_pkt_buf *bufs[BATCH];
	struct ixy_stats prev, now;
	uint64_t received = 0, last = app_now_ns(), checked = last;
	bool gone = false;
	struct ixy_rxq rxq = { dev, 0 };
	struct ixy_rx_hybrid hybrid = { 0 };
	uint64_t sleeps_printed = 0;
	struct app_cpu cpu;
	int rc = 0;
	if (interrupt && ixy_rx_interrupt_enable(dev, 0, NULL) < 0) {
		app_err(PROG, "--interrupt: %s", ixy_last_error());
		ixy_pcap_file_close(out);
		return 1;
	}
	app_cpu_start(&cpu);
	if (!app_read_stats(PROG, dev, &prev)) {
		ixy_pcap_file_close(out);
		return 1;
	}
	while (!app_stop && (!count || received < count)) {
		uint32_t want = BATCH;
		if (count && count - received < want)
			want = (uint32_t)(count - received);
		uint32_t n = ixy_rx_batch(dev, 0, bufs, want);
		uint64_t ts = n ? realtime_ns() : 0;
		for (uint32_t i = 0; i < n; i++)
			ixy_pcap_file_add(out, ts, ixy_pkt_data(bufs[i]), bufs[i]->len, bufs[i]->len);
		ixy_pkt_buf_free_batch(bufs, n);
		received += n;
		if (n && ixy_pcap_file_flush(out) < 0) {
			rc = 1;
			break;
		}
		if (!interrupt)
			app_idle(n > 0);
		else if (ixy_rx_hybrid_idle(&hybrid, &rxq, 1, n) < 0) {
			app_err(PROG, "%s", ixy_last_error());
			rc = 1;
			break;
		}
		uint64_t t = app_now_ns();
		if (t >= end)
			break;
		bool line = interval > 0 && t - last >= (uint64_t)(interval * 1e9);
		if (line || t - checked >= APP_CHECK_NS) {
			checked = t;
			if (!app_read_stats(PROG, dev, &now)) {
				gone = true;   /* the device went away: the file keeps what came before */
				break;
			}
		}
		if (line) {
			app_print_rates(PROG, name, &now, &prev);
			char extra[64];
			snprintf(extra, sizeof(extra), "slept %llu times",
				 (unsigned long long)(hybrid.sleeps - sleeps_printed));
			app_cpu_print(PROG, &cpu, interrupt ? extra : NULL);
			sleeps_printed = hybrid.sleeps;
			prev = now;
			last = t;
		}
	}
	uint64_t in_file = ixy_pcap_file_frames(out);
	if (ixy_pcap_file_close(out) < 0) {
		app_err(PROG, "%s", ixy_last_error());
		rc = 1;
	}
	if (gone)
		return 1;
	if (!app_read_stats(PROG, dev, &now))
		return 1;
	app_print_totals(PROG, name, &now);
	printf("[" PROG "] captured %llu frames into %s", (unsigned long long)in_file, file);
	if (received != in_file)
		printf(" (%llu received frames are not in it)", (unsigned long long)(received - in_file));
	printf("\n");
	fflush(stdout);
	return rc;
}

static int replay(struct ixy_device *dev, const char *name, const char *file, uint64_t count, uint64_t end,
		  uint64_t loops, double pps, double mbit)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct ixy_mempool_opts mo = { .num_entries = 4096, .buf_len = 9216, .numa_node = -1 };
	struct ixy_mempool *pool = ixy_mempool_create(&mo);
	if (!pool) {
		/* the device is open (its RX DMA runs): close it before leaving */
		app_err(PROG, "%s", ixy_last_error());
		ixy_close(dev);
		return 1;
	}
	uint64_t sent = 0, bytes = 0, start = app_now_ns();
	int rc = 0;
	for (uint64_t round = 0; !app_stop && (loops == 0 || round < loops); round++) {
		pcap_t *p = pcap_open_offline(file, errbuf);
		if (!p) {
			app_err(PROG, "cannot read %s: %s", file, errbuf);
			rc = 1;
			break;
		}
		if (pcap_datalink(p) != DLT_EN10MB) {
			app_err(PROG, "%s: link type %s is not Ethernet", file,
				pcap_datalink_val_to_name(pcap_datalink(p)));
			pcap_close(p);
			rc = 1;
			break;
		}
		struct pcap_pkthdr *h;
		const u_char *data;
		int r;
		uint64_t in_file = 0;
		while (!app_stop && (!count || sent < count) && (r = pcap_next_ex(p, &h, &data)) == 1) {
			if (app_now_ns() >= end)
				break;
			if (h->caplen < 14 || h->caplen > mo.buf_len) {
				app_err(PROG, "%s: frame %llu has %u bytes, skipped", file, (unsigned long long)in_file,
					h->caplen);
				continue;
			}
			in_file++;
			/* Pacing against the rate asked for (frames or wire bits). */
			for (;;) {
				double el = (double)(app_now_ns() - start) / 1e9;
				if ((pps <= 0 || (double)sent < pps * el + 1) &&
				    (mbit <= 0 || (double)bytes * 8 / 1e6 < mbit * el + 0.012))
					break;
				if (app_stop)
					break;
			}
			struct ixy_pkt_buf *b;
			while (!(b = ixy_pkt_buf_alloc(pool)) && !app_stop)
				;  /* all buffers in the TX ring: wait for completions */
			if (!b)
				break;
			memcpy(ixy_pkt_data(b), data, h->caplen);
			b->len = h->caplen < 60 ? 60 : h->caplen;
			if (h->caplen < 60)
				memset(ixy_pkt_data(b) + h->caplen, 0, 60 - h->caplen);
			ixy_tx_batch_busy_wait(dev, 0, &b, 1);
			sent++;
			bytes += b->len + 24;
		}
		if (r == PCAP_ERROR) {
			app_err(PROG, "%s: %s (truncated file?)", file, pcap_geterr(p));
			rc = 1;
		}
		pcap_close(p);
		if (rc || in_file == 0 || (count && sent >= count) || app_now_ns() >= end)
			break;
	}
	struct ixy_stats now;
	uint64_t stuck = app_tx_drain(PROG, dev, sent, false, &now);
	app_print_totals(PROG, name, &now);
	printf("[" PROG "] replayed %llu frames from %s\n", (unsigned long long)sent, file);
	fflush(stdout);
	if (stuck == APP_DRAIN_UNKNOWN) {
		rc = 1;   /* the error is printed */
	} else if (stuck) {
		app_err(PROG, "%s: %llu of the %llu frames never left the TX ring within 1 s (link down?)", name,
			(unsigned long long)stuck, (unsigned long long)sent);
		rc = 1;
	}
	if (!app_wire_ok(PROG, name, dev))
		rc = 1;
	ixy_close(dev);
	ixy_mempool_free(pool);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },   { "duration", required_argument, NULL, 't' },
		{ "snaplen", required_argument, NULL, 's' }, { "micro", no_argument, NULL, 'u' },
		{ "replay", no_argument, NULL, 'R' },        { "loop", required_argument, NULL, 'l' },
		{ "rate", required_argument, NULL, 'r' },    { "no-promisc", no_argument, NULL, 'P' },
		{ "interval", required_argument, NULL, 'i' }, { "force", no_argument, NULL, 'F' }, { "help", no_argument, NULL, 'h' },
		{ "interrupt", no_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t count = 0, snaplen = 65535, loops = 1;
	double duration = 0, interval = 1, pps = 0, mbit = 0;
	bool nano = true, do_replay = false, promisc = true, created = false, force = false;
	int c;

	while ((c = getopt_long(argc, argv, "n:t:s:r:i:hI", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!app_opt_u64(PROG, "--count", optarg, 0, UINT64_MAX, &count))
				return 2;
			break;
		case 't':
			if (!app_opt_seconds(PROG, "--duration", optarg, &duration))
				return 2;
			break;
		case 's':
			if (!app_opt_u64(PROG, "--snaplen", optarg, 14, 262144, &snaplen))
				return 2;
			break;
		case 'u': nano = false; break;
		case 'R': do_replay = true; break;
		case 'l':
			if (!app_opt_u64(PROG, "--loop", optarg, 0, UINT64_MAX, &loops))
				return 2;
			break;
		case 'r':
			if (!app_opt_rate(PROG, "--rate", optarg, &pps, &mbit))
				return 2;
			break;
		case 'P': promisc = false; break;
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
	if (interrupt && do_replay)
		return app_err(PROG, "--interrupt: only capturing receives; --replay sends"), 2;
	const char *name = argv[optind], *file = argv[optind + 1];

	/* Check the file before taking the NIC, so a typo loses nothing. */
	if (do_replay) {
		char errbuf[PCAP_ERRBUF_SIZE];
		pcap_t *p = pcap_open_offline(file, errbuf);
		if (!p)
			return app_err(PROG, "cannot read %s: %s", file, errbuf), 1;
		pcap_close(p);
	} else if (strcmp(file, "-") != 0) {    /* "-" is standard output */
		created = access(file, F_OK) != 0;
		FILE *f = fopen(file, "ab");
		if (!f)
			return app_err(PROG, "cannot write %s: %s", file, strerror(errno)), 1;
		fclose(f);
	}

	struct ixy_config cfg = { .promisc = promisc, .force = force, .cancel = &app_stop };
	/* Signals first: one during the open (its link wait) ends it cleanly. */
	app_install_signals();
	struct ixy_device *dev = ixy_open(name, &cfg);
	if (!dev) {
		int status = app_open_failed(PROG, name);
		if (created)
			unlink(file);   /* leave nothing behind */
		return status;
	}
	uint64_t end = duration > 0 ? app_now_ns() + (uint64_t)(duration * 1e9) : UINT64_MAX;
	if (do_replay)
		return replay(dev, name, file, count, end, loops, pps, mbit);
	/* Capturing to standard output: the file goes there alone, the
	 * statistics lines go to stderr. */
	char out_path[32];
	if (strcmp(file, "-") == 0) {
		int keep = dup(STDOUT_FILENO);
		if (keep < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
			app_err(PROG, "cannot redirect standard output: %s", strerror(errno));
			ixy_close(dev);
			return 1;
		}
		snprintf(out_path, sizeof(out_path), "/dev/fd/%d", keep);
		file = out_path;
	}
	int rc = capture(dev, name, file, count, end, (int)snaplen, nano, interval);
	if (!app_wire_ok(PROG, name, dev))
		rc = 1;
	ixy_close(dev);
	return rc;
}
