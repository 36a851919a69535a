/* Frame building and Internet checksums (RFC 1071, RFC 1624, RFC 768/791). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "ixy/packet.h"

uint32_t ixy_csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	if (!p && len) {
		ixy_error(-EINVAL, "ixy_csum_partial: data is NULL");
		return sum;
	}
	/* Sum big-endian 16-bit words; a trailing odd byte is the high byte
	 * of a word padded with zero (RFC 1071 section 4.1). */
	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Returns the checksum in network byte order, ready to store. */
uint16_t ixy_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

uint16_t ixy_ipv4_checksum(const void *ip)
{
	if (!ip) {
		ixy_error(-EINVAL, "ixy_ipv4_checksum: header is NULL");
		return 0;
	}
	uint8_t hdr[60];
	size_t ihl = (size_t)(((const uint8_t *)ip)[0] & 0x0f) * 4;
	memcpy(hdr, ip, ihl);
	hdr[10] = hdr[11] = 0;        /* the checksum field counts as zero */
	return ixy_csum_fold(ixy_csum_partial(hdr, ihl, 0));
}

uint16_t ixy_udp4_checksum(const void *ip)
{
	if (!ip) {
		ixy_error(-EINVAL, "ixy_udp4_checksum: header is NULL");
		return 0;
	}
	const uint8_t *p = ip;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	const uint8_t *udp = p + ihl;
	uint16_t udp_len = (uint16_t)(udp[4] << 8 | udp[5]);
	if (udp_len < 8)
		udp_len = 8;  /* a length below the header's own: no payload, never a negative one */
	/* Pseudo-header: source, destination, zero + protocol, UDP length. */
	uint32_t sum = ixy_csum_partial(p + 12, 8, 0);
	sum += 17 + udp_len;
	sum = ixy_csum_partial(udp, 6, sum);               /* header without the checksum */
	sum = ixy_csum_partial(udp + 8, udp_len - 8u, sum);
	uint16_t c = ixy_csum_fold(sum);
	return c ? c : 0xffff;                             /* RFC 768: 0 is sent as all ones */
}

bool ixy_udp4_frame_valid(const void *frame, size_t len)
{
	const uint8_t *f = frame;
	if (!f || len < IXY_UDP_FRAME_OVERHEAD || f[12] != 0x08 || f[13] != 0x00)
		return false;
	const uint8_t *ip = f + IXY_ETH_HDR_LEN;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	uint16_t tot = (uint16_t)(ip[2] << 8 | ip[3]);
	if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 17 || IXY_ETH_HDR_LEN + (size_t)tot > len ||
	    ihl + IXY_UDP_HDR_LEN > tot)
		return false;
	/* A correct header sums to 0xffff including its checksum. */
	if (ixy_csum_partial(ip, ihl, 0) != 0xffff)
		return false;
	const uint8_t *udp = ip + ihl;
	uint16_t udp_len = (uint16_t)(udp[4] << 8 | udp[5]);
	if (udp_len < 8 || ihl + udp_len > tot)
		return false;
	uint16_t stored;
	memcpy(&stored, udp + 6, 2);
	return stored == 0 || stored == ixy_udp4_checksum(ip);
}

uint16_t ixy_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word)
{
	/* HC' = ~(~HC + ~m + m'), computed in host order on the byte-swapped
	 * words: one's-complement sums are byte-order independent. */
	uint32_t sum = (uint16_t)~ntohs(csum);
	sum += (uint16_t)~ntohs(old_word);
	sum += ntohs(new_word);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

int ixy_build_udp_frame(void *buf, size_t buf_len, size_t frame_len, const struct ixy_udp_spec *s)
{
	uint8_t *f = buf;
	if (!buf || !s)
		return ixy_error(-EINVAL, "ixy_build_udp_frame: %s is NULL", !buf ? "buf" : "spec");
	if (frame_len < IXY_ETH_MIN_FRAME || frame_len > 65535 - 20 + IXY_ETH_HDR_LEN)
		return ixy_error(-EINVAL, "UDP frame size %zu out of range (60..%d bytes without CRC)", frame_len,
				 65535 - 20 + IXY_ETH_HDR_LEN);
	if (frame_len > buf_len)
		return ixy_error(-EINVAL, "UDP frame of %zu bytes does not fit a %zu-byte buffer", frame_len,
				 buf_len);
	memcpy(f, s->dst_mac, 6);
	memcpy(f + 6, s->src_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;

	uint8_t *ip = f + IXY_ETH_HDR_LEN;
	uint16_t ip_len = (uint16_t)(frame_len - IXY_ETH_HDR_LEN);
	ip[0] = 0x45;                 /* version 4, 5 words of header */
	ip[1] = 0;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[4] = ip[5] = 0;            /* identification */
	ip[6] = 0x40;                 /* don't fragment */
	ip[7] = 0;
	ip[8] = s->ttl ? s->ttl : 64;
	ip[9] = 17;                   /* UDP */
	uint32_t src = htonl(s->src_ip), dst = htonl(s->dst_ip);
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	uint16_t c = ixy_ipv4_checksum(ip);
	memcpy(ip + 10, &c, 2);

	uint8_t *udp = ip + IXY_IPV4_HDR_LEN;
	uint16_t udp_len = (uint16_t)(ip_len - IXY_IPV4_HDR_LEN);
	udp[0] = (uint8_t)(s->src_port >> 8);
	udp[1] = (uint8_t)s->src_port;
	udp[2] = (uint8_t)(s->dst_port >> 8);
	udp[3] = (uint8_t)s->dst_port;
	udp[4] = (uint8_t)(udp_len >> 8);
	udp[5] = (uint8_t)udp_len;
	for (size_t i = 0; i < udp_len - 8u; i++)
		udp[8 + i] = (uint8_t)i;
	c = ixy_udp4_checksum(ip);
	memcpy(udp + 6, &c, 2);
	return (int)frame_len;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Six groups of one or two hex digits, separated by ':', nothing else:
 * sscanf's %x would also take blanks, a sign ("-6") or a "0x". */
int ixy_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	const char *p = s;
	for (int i = 0; p && i < 6; i++) {
		int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);
		if (hi < 0)
			p = NULL;
		else if (lo < 0)
			m[i] = (uint8_t)hi, p += 1;
		else
			m[i] = (uint8_t)(hi << 4 | lo), p += 2;
		if (p && *p == (i < 5 ? ':' : '\0'))
			p += i < 5;
		else
			p = NULL;
	}
	if (!p)
		return ixy_error(-EINVAL, "'%s' is not a MAC address (expected aa:bb:cc:dd:ee:ff)", s ? s : "(null)");
	memcpy(mac, m, 6);
	return 0;
}

int ixy_parse_ipv4(const char *s, uint32_t *ip)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return ixy_error(-EINVAL, "'%s' is not an IPv4 address (expected a.b.c.d)", s ? s : "(null)");
	*ip = ntohl(a.s_addr);
	return 0;
}
