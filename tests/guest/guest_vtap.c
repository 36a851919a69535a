/* ixy-guest-vtap: the host's side of the virtio app checks, run inside the
 * test bed's network namespace on the taps behind the guest's two legacy
 * virtio NICs (A and B).
 *
 *   ixy-guest-vtap TAP_A MAC_A TAP_B MAC_B PKTGEN_N PKTGEN_SIZE PCAP_N FWD_N SECONDS [PREFIX [ROUNDS]]
 *
 * PREFIX names the result lines (default host_virtio); ROUNDS (default 1)
 * is how often the guest runs the three apps (the VFIO boot runs them as
 * root and as a user): each pktgen number must then come ROUNDS times,
 * and the counts below are multiplied by ROUNDS.
 *
 * Until SIGTERM/SIGINT or SECONDS have passed it
 *  - injects a numbered test frame towards A every 5 ms (EtherType 0x88b5,
 *    128 bytes, the number in the payload and a pattern derived from it);
 *  - watches both taps (AF_PACKET) and sorts what comes out of the guest:
 *      on A, UDP/IPv4 frames from MAC_A: ixy-pktgen's; every one must have
 *        PKTGEN_SIZE bytes, valid IPv4 and UDP checksums and a sequence
 *        number below PKTGEN_N, each exactly once;
 *      on A, test frames: ixy-pcap --replay sending back what ixy-pcap
 *        captured; each must be byte-identical to an injected frame, no
 *        number twice;
 *      on B, test frames: ixy-fwd forwarding A to B; identical to the
 *        injected ones, none twice, in increasing order.
 * Then it prints three result lines: host_virtio_pktgen_capture (exactly
 * PKTGEN_N good frames, nothing bad), host_virtio_pcap_replay (exactly
 * PCAP_N replayed frames, nothing bad), host_virtio_fwd_capture (at least
 * FWD_N forwarded frames, nothing bad).
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guest_frames.h"

#define INJECT_LEN 128
#define INJECT_TAG "libixy virtio inject"
#define INJECT_PERIOD 0.005
#define MAX_SEQ 65536       /* numbers tracked for duplicates */

static const uint8_t injector_mac[6] = { 0x02, 0x1b, 0x00, 0x00, 0x00, 0x02 };
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

static void result(const char *name, bool pass, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void result(const char *name, bool pass, const char *fmt, ...)
{
	char detail[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("IXY-CHECK name=%s result=%s detail=\"%s\"\n", name, pass ? "pass" : "fail", detail);
	fflush(stdout);
}

static void build_inject(uint32_t seq, const uint8_t dst[6], uint8_t *buf)
{
	size_t taglen = strlen(INJECT_TAG);

	memcpy(buf, dst, 6);
	memcpy(buf + 6, injector_mac, 6);
	buf[12] = GUEST_ETHERTYPE >> 8;
	buf[13] = GUEST_ETHERTYPE & 0xff;
	memcpy(buf + 14, INJECT_TAG, taglen);
	size_t o = 14 + taglen;
	buf[o] = (uint8_t)(seq >> 24);
	buf[o + 1] = (uint8_t)(seq >> 16);
	buf[o + 2] = (uint8_t)(seq >> 8);
	buf[o + 3] = (uint8_t)seq;
	for (size_t i = o + 4; i < INJECT_LEN; i++)
		buf[i] = (uint8_t)(i * 13 + seq);
}

/* A test frame? Then its number (or -1). */
static long inject_seq(const uint8_t *f, size_t len)
{
	size_t taglen = strlen(INJECT_TAG);

	if (len < 14 + taglen + 4 || f[12] != (GUEST_ETHERTYPE >> 8) || f[13] != (GUEST_ETHERTYPE & 0xff) ||
	    memcmp(f + 14, INJECT_TAG, taglen) != 0)
		return -1;
	const uint8_t *s = f + 14 + taglen;
	return (long)((uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3]);
}

/* Internet checksum (RFC 1071) over data, added to sum. */
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
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* ixy-pktgen's frame: IPv4 header checksum and UDP checksum (with the
 * pseudo header) both verify to 0xffff. Returns the sequence number, or
 * -1 (not UDP/IPv4), -2 (bad checksum or length). */
static long long pktgen_seq(const uint8_t *f, size_t len, size_t want_len)
{
	if (len < 14 + 20 + 8 + 8 || f[12] != 0x08 || f[13] != 0x00 || f[14] != 0x45 || f[23] != 17)
		return -1;
	if (len != want_len)
		return -2;
	const uint8_t *ip = f + 14, *udp = f + 34;
	if (csum_fold(csum_add(0, ip, 20)) != 0xffff)
		return -2;
	size_t ulen = (size_t)udp[4] << 8 | udp[5];
	if (ulen < 8 || 34 + ulen > len)
		return -2;
	uint32_t sum = csum_add(0, ip + 12, 8);   /* source and destination address */
	sum += 17 + (uint32_t)ulen;
	sum = csum_add(sum, udp, ulen);
	if (csum_fold(sum) != 0xffff)
		return -2;
	long long seq = 0;
	for (int i = 0; i < 8; i++)
		seq = seq << 8 | udp[8 + i];
	return seq;
}

static int open_tap(const char *ifname, struct sockaddr_ll *sll)
{
	unsigned int ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return -1;
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		return -1;
	/* ixy-pktgen sends in bursts; a large buffer keeps every frame */
	int sz = 32 << 20;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	*sll = (struct sockaddr_ll){ .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				     .sll_ifindex = (int)ifindex };
	if (bind(fd, (struct sockaddr *)sll, sizeof(*sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

struct tally {
	long good, bad, dups, other;
	long last_seq;
	bool in_order;
	char why[160];           /* the first bad frame */
	uint8_t *seen;           /* MAX_SEQ flags */
};

static void note_bad(struct tally *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note_bad(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	t->bad++;
	if (t->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
}

/* A test frame came out of the guest: identical to what we injected? */
static void tally_inject(struct tally *t, const uint8_t *f, size_t n, long seq, const uint8_t dst[6], long injected)
{
	uint8_t want[INJECT_LEN];

	build_inject((uint32_t)seq, dst, want);
	if (n != INJECT_LEN || memcmp(f, want, INJECT_LEN) != 0 || seq >= injected) {
		note_bad(t, "frame %ld (%zu bytes) differs from the injected one", seq, n);
		return;
	}
	if (seq >= MAX_SEQ || t->seen[seq]) {
		t->dups++;
		note_bad(t, "frame %ld seen twice", seq);
		return;
	}
	t->seen[seq] = 1;
	if (seq < t->last_seq)
		t->in_order = false;
	t->last_seq = seq;
	t->good++;
}

int main(int argc, char **argv)
{
	uint8_t mac_a[6], mac_b[6], buf[2048], inj[INJECT_LEN];
	struct sockaddr_ll sll_a, sll_b;

	if (argc < 10 || argc > 12 || guest_parse_mac(argv[2], mac_a) || guest_parse_mac(argv[4], mac_b)) {
		fprintf(stderr, "usage: %s TAP_A MAC_A TAP_B MAC_B PKTGEN_N PKTGEN_SIZE PCAP_N FWD_N SECONDS "
			"[PREFIX [ROUNDS]]\n", argv[0]);
		return 2;
	}
	const char *prefix = argc > 10 ? argv[10] : "host_virtio";
	long rounds = argc > 11 ? atol(argv[11]) : 1;
	if (rounds < 1 || rounds > 100) {
		fprintf(stderr, "ROUNDS must be 1..100\n");
		return 2;
	}
	char n_pk[64], n_rp[64], n_fw[64];
	snprintf(n_pk, sizeof(n_pk), "%s_pktgen_capture", prefix);
	snprintf(n_rp, sizeof(n_rp), "%s_pcap_replay", prefix);
	snprintf(n_fw, sizeof(n_fw), "%s_fwd_capture", prefix);
	long pktgen_n = atol(argv[5]), pcap_n = atol(argv[7]) * rounds, fwd_n = atol(argv[8]) * rounds;
	size_t pktgen_size = (size_t)atol(argv[6]);
	double limit = atof(argv[9]);
	if (pktgen_n <= 0 || pktgen_n > MAX_SEQ) {
		fprintf(stderr, "PKTGEN_N must be 1..%d\n", MAX_SEQ);
		return 2;
	}
	int fa = open_tap(argv[1], &sll_a), fb = open_tap(argv[3], &sll_b);
	if (fa < 0 || fb < 0) {
		const char *why = strerror(errno);
		result(n_pk, false, "cannot listen on %s/%s: %s", argv[1], argv[3], why);
		result(n_rp, false, "cannot listen on %s/%s: %s", argv[1], argv[3], why);
		result(n_fw, false, "cannot listen on %s/%s: %s", argv[1], argv[3], why);
		return 1;
	}
	struct tally pk = { .last_seq = -1, .in_order = true }, rp = pk, fw = pk;
	pk.seen = calloc(MAX_SEQ, 1);
	rp.seen = calloc(MAX_SEQ, 1);
	fw.seen = calloc(MAX_SEQ, 1);
	if (!pk.seen || !rp.seen || !fw.seen)
		return 1;
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ixy-guest-vtap: injecting into %s every %.0f ms, watching %s and %s\n", argv[1],
	       INJECT_PERIOD * 1000, argv[1], argv[3]);
	fflush(stdout);

	long injected = 0;
	double t0 = now_s(), next_send = t0;
	while (!stop && now_s() - t0 < limit) {
		double t = now_s();
		if (t >= next_send) {
			build_inject((uint32_t)injected, mac_a, inj);
			/* errors (QEMU not attached yet) just mean: lost */
			if (injected < MAX_SEQ &&
			    sendto(fa, inj, INJECT_LEN, 0, (struct sockaddr *)&sll_a, sizeof(sll_a)) == INJECT_LEN)
				injected++;
			next_send = t + INJECT_PERIOD;
		}
		struct pollfd p[2] = { { .fd = fa, .events = POLLIN }, { .fd = fb, .events = POLLIN } };
		if (poll(p, 2, 2) <= 0)
			continue;
		for (int side = 0; side < 2; side++) {
			if (!(p[side].revents & POLLIN))
				continue;
			for (;;) {
				struct sockaddr_ll from;
				socklen_t fl = sizeof(from);
				ssize_t r = recvfrom(p[side].fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
						     &fl);
				if (r <= 0)
					break;
				/* our own injections show up as outgoing copies */
				if (from.sll_pkttype == PACKET_OUTGOING)
					continue;
				size_t n = (size_t)r;
				long seq = inject_seq(buf, n);
				if (side == 1) {
					if (seq >= 0)
						tally_inject(&fw, buf, n, seq, mac_a, injected);
					else
						fw.other++;
					continue;
				}
				if (seq >= 0) {
					tally_inject(&rp, buf, n, seq, mac_a, injected);
					continue;
				}
				long long ps = n >= 12 && memcmp(buf + 6, mac_a, 6) == 0 ? pktgen_seq(buf, n, pktgen_size) : -1;
				if (ps == -1) {
					pk.other++;
				} else if (ps == -2) {
					note_bad(&pk, "a %zu-byte UDP frame with a bad checksum or length", n);
				} else if (ps >= pktgen_n) {
					note_bad(&pk, "sequence number %lld beyond %ld", ps, pktgen_n);
				} else if (pk.seen[ps] >= rounds) {
					pk.dups++;
					note_bad(&pk, "sequence number %lld more than %ld time(s)", ps, rounds);
				} else {
					pk.seen[ps]++;
					pk.good++;
				}
			}
		}
	}
	close(fa);
	close(fb);
	result(n_pk, pk.good == pktgen_n * rounds && pk.bad == 0,
	       "%s: %ld ixy-pktgen frames of %zu bytes with valid IPv4/UDP checksums, each number at most %ld "
	       "time(s) (want %ld), %ld bad%s%s, %ld other", argv[1], pk.good, pktgen_size, rounds,
	       pktgen_n * rounds, pk.bad, pk.why[0] ? ": " : "", pk.why, pk.other);
	result(n_rp, rp.good == pcap_n && rp.bad == 0,
	       "%s: %ld replayed frames identical to injected ones (want %ld), %ld bad%s%s; %ld injected",
	       argv[1], rp.good, pcap_n, rp.bad, rp.why[0] ? ": " : "", rp.why, injected);
	result(n_fw, fw.good >= fwd_n && fw.bad == 0 && fw.in_order,
	       "%s: %ld forwarded frames identical to those injected on %s (want >= %ld), %s, %ld bad%s%s, %ld other",
	       argv[3], fw.good, argv[1], fwd_n, fw.in_order ? "in order" : "OUT OF ORDER", fw.bad,
	       fw.why[0] ? ": " : "", fw.why, fw.other);
	free(pk.seen);
	free(rp.seen);
	free(fw.seen);
	return 0;
}
