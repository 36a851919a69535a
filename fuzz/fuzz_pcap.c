/* Fuzz target: the sim's pcap wire (src/model/wire/sim_wire_pcap.c), what
 * it makes of the records libpcap returns for an arbitrary file.
 *
 * The input is the file. It is written to the scratch directory and
 * plugged into a stepped sim port as its RX file (ixy_sim_wire_pcap); the
 * unchanged ixgbe driver, opened once on that port (promiscuous, jumbo
 * frames), receives what arrives. Besides memory safety, the oracle is
 * libpcap read directly, record by record:
 *   - every record is accounted for: received by the driver, or counted as
 *     a receive error (too long for the port) -- nothing vanishes;
 *   - the frames received are the records' bytes, in order, padded with
 *     zeros to 60 bytes like a wire pads them (the model's rule).
 * ixy-pcap --replay reads files with the same libpcap calls and only
 * checks the record length on top (apps/ixy-pcap.c), so this target covers
 * the handling of what libpcap returns in both. */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <time.h>

#include "fuzz_util.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/mempool.h"
#include "ixy/sim.h"

#define PORT "fzpcap"
#define R_LINKS 0x042a4		/* 82599 datasheet 8.2.3.22.19 */
#define MAX_STEPS 200

static struct ixy_device *dev;
static struct ixy_sim *sim;
static char file[128];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(file, sizeof(file), "%s/rx.pcap", fuzz_dir());
	struct ixy_config cfg = {
		.rx_ring_size = 512,
		.tx_ring_size = 64,
		.max_frame_size = IXY_MAX_FRAME_SIZE,
		.promisc = true,
		.link_timeout_ms = 2000,
	};
	dev = ixy_open("sim:" PORT ",mode=stepped,unthrottled,link_delay_us=1", &cfg);
	if (!dev)
		fuzz_fail("cannot open the sim port (needs root and a 2 MiB hugetlbfs, like the unit tests): %s",
			  ixy_last_error());
	sim = ixy_device_sim(dev);
	return 0;
}

static void write_file(const uint8_t *data, size_t size)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		fuzz_fail("cannot write %s", file);
}

static void wait_link(void)
{
	for (int i = 0; i < 10000; i++) {
		ixy_sim_step(sim);
		if (ixy_sim_reg_read(sim, R_LINKS) & (1u << 30))
			return;
		struct timespec ts = { 0, 1000 };
		nanosleep(&ts, NULL);
	}
	fuzz_fail("the link did not come up after plugging the pcap wire in");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	write_file(data, size);

	/* The reference: what libpcap itself returns for the file. */
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *ref = pcap_open_offline(file, err);
	bool ethernet = ref && pcap_datalink(ref) == DLT_EN10MB;

	struct ixy_stats before, after;
	ixy_read_stats(dev, &before);
	int r = ixy_sim_wire_pcap(sim, file, NULL, false);
	if (!ethernet) {
		FUZZ_CHECK(r < 0, "the pcap wire took a file libpcap %s", ref ? "says is not Ethernet" : "cannot open");
		FUZZ_CHECK(ixy_last_error()[0], "the pcap wire refused a file without a message");
		if (ref)
			pcap_close(ref);
		FUZZ_CHECK(ixy_sim_wire_null(sim) == 0, "cannot plug the null wire back in");
		return 0;
	}
	FUZZ_CHECK(r == 0, "the pcap wire refused an Ethernet file libpcap opens: %s", ixy_last_error());
	wait_link();

	uint64_t records = 0, got = 0, too_long = 0;
	struct pcap_pkthdr *h = NULL;
	const u_char *want = NULL;
	int rr = pcap_next_ex(ref, &h, &want);
	for (int step = 0; step < MAX_STEPS; step++) {
		struct ixy_pkt_buf *bufs[64];
		/* the driver keeps up: it empties the ring before every step
		 * (a step delivers up to 256 frames, the one that brought the
		 * link up included; taking only 64 per step let a file of many
		 * short records overrun the 512-entry ring, and the port then
		 * dropped, and counted, what a real NIC would drop) */
		uint32_t n, taken = 0;
		while ((n = ixy_rx_batch(dev, 0, bufs, 64)) > 0) {
			taken += n;
			for (uint32_t i = 0; i < n; i++) {
				/* skip the records the port must refuse as too long */
				while (rr == 1 && (h->caplen < 60 ? 60 : h->caplen) + 4 > IXY_MAX_FRAME_SIZE +
				       (h->caplen >= 14 && want[12] == 0x81 && want[13] == 0 ? 4u : 0u)) {
					records++;
					too_long++;
					rr = pcap_next_ex(ref, &h, &want);
				}
				FUZZ_CHECK(rr == 1, "the driver received frame %llu, but libpcap has no record left (%s)",
					   (unsigned long long)got, rr == PCAP_ERROR ? pcap_geterr(ref) : "end of file");
				uint32_t len = h->caplen < 60 ? 60 : h->caplen;
				const uint8_t *p = ixy_pkt_data(bufs[i]);
				FUZZ_CHECK(bufs[i]->len == len, "frame %llu: %u bytes received, the record has %u (padded to 60)",
					   (unsigned long long)got, bufs[i]->len, len);
				FUZZ_CHECK(memcmp(p, want, h->caplen) == 0, "frame %llu: bytes differ from the record",
					   (unsigned long long)got);
				for (uint32_t k = h->caplen; k < len; k++)
					FUZZ_CHECK(p[k] == 0, "frame %llu: padding byte %u is not 0", (unsigned long long)got, k);
				records++;
				got++;
				rr = pcap_next_ex(ref, &h, &want);
			}
			ixy_pkt_buf_free_batch(bufs, n);
		}
		int moved = ixy_sim_step(sim);
		if (!moved && !taken)
			break;
	}
	/* records left in the reference must all be ones the port refuses */
	for (; rr == 1; rr = pcap_next_ex(ref, &h, &want)) {
		records++;
		uint32_t len = h->caplen < 60 ? 60 : h->caplen;
		bool vlan = h->caplen >= 14 && want[12] == 0x81 && want[13] == 0;
		FUZZ_CHECK(len + 4 > IXY_MAX_FRAME_SIZE + (vlan ? 4u : 0u),
			   "record %llu (%u bytes) was never received", (unsigned long long)records - 1, h->caplen);
		too_long++;
	}
	pcap_close(ref);

	ixy_read_stats(dev, &after);
	uint64_t rx = after.rx_packets - before.rx_packets, errors = after.rx_errors - before.rx_errors;
	uint64_t lost = (after.rx_dropped - before.rx_dropped) + (after.rx_missed - before.rx_missed);
	FUZZ_CHECK(lost == 0, "%llu frames dropped or missed with an idle driver", (unsigned long long)lost);
	FUZZ_CHECK(rx == got && errors == too_long,
		   "counters: %llu received and %llu errors; expected %llu and %llu of %llu records",
		   (unsigned long long)rx, (unsigned long long)errors, (unsigned long long)got,
		   (unsigned long long)too_long, (unsigned long long)records);
	FUZZ_CHECK(ixy_sim_wire_null(sim) == 0, "cannot unplug the pcap wire");
	return 0;
}
