/* ixy-guest-tap: the host's side of the e1000 DMA checks, run inside the
 * test bed's network namespace on the tap behind the guest's e1000.
 *
 *   ixy-guest-tap IFNAME NIC_MAC SECONDS
 *
 * Until SIGTERM/SIGINT or SECONDS have passed it
 *  - injects the RX test frame (guest_frames.h) every 100 ms, for the
 *    guest's dma_e1000_rx check (frames sent while nobody listens are lost,
 *    which is fine: the guest only needs one);
 *  - watches the tap (AF_PACKET) for the TX test frame the guest sends.
 * Then it prints one result line, host_e1000_tx_capture: pass when exactly
 * one frame identical to the expected one came out of the guest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guest_frames.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void result(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void result(bool pass, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("IXY-CHECK name=host_e1000_tx_capture result=%s detail=\"%s\"\n", pass ? "pass" : "fail", detail);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	uint8_t mac[6], tx_want[GUEST_FRAME_MAX], rx_frame[GUEST_FRAME_MAX], buf[2048];

	if (argc != 4 || guest_parse_mac(argv[2], mac)) {
		fprintf(stderr, "usage: %s IFNAME NIC_MAC SECONDS\n", argv[0]);
		return 2;
	}
	double limit = atof(argv[3]);
	size_t tx_len = guest_build_frame(GUEST_FRAME_TX, mac, tx_want);
	size_t rx_len = guest_build_frame(GUEST_FRAME_RX, mac, rx_frame);

	unsigned int ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		result(false, "no interface %s: %s", argv[1], strerror(errno));
		return 1;
	}
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		result(false, "AF_PACKET socket: %s (needs root / CAP_NET_RAW)", strerror(errno));
		return 1;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)ifindex };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		result(false, "bind to %s: %s", argv[1], strerror(errno));
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ixy-guest-tap: on %s, injecting the RX frame every 100 ms, waiting for the TX frame from %s\n",
	       argv[1], argv[2]);
	fflush(stdout);

	int matched = 0, from_nic = 0, total = 0, sent = 0;
	size_t last_len = 0;
	double t0 = now_s(), next_send = t0;
	while (!stop && now_s() - t0 < limit) {
		if (now_s() >= next_send) {
			/* Errors (tap not yet attached to QEMU) just mean: lost. */
			if (sendto(fd, rx_frame, rx_len, 0, (struct sockaddr *)&sll, sizeof(sll)) == (ssize_t)rx_len)
				sent++;
			next_send += 0.1;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 20) <= 0)
			continue;
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		/* Our own injections show up as outgoing copies: skip them. */
		if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		total++;
		if (n >= 12 && memcmp(buf + 6, mac, 6) == 0) {
			from_nic++;
			last_len = (size_t)n;
			if ((size_t)n == tx_len && memcmp(buf, tx_want, tx_len) == 0)
				matched++;
		}
	}
	close(fd);
	result(matched == 1,
	       "%s: %d frame(s) identical to the %zu-byte TX frame (want exactly 1); %d frame(s) from %s "
	       "(last %zu bytes), %d received in all; injected %d RX frame(s)",
	       argv[1], matched, tx_len, from_nic, argv[2], last_len, total, sent);
	return matched == 1 ? 0 : 1;
}
