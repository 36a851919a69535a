/* The virtual 82599: frame parsing, RSS (Toeplitz) and receive checksums.
 *
 * The 82599 parses L2 (with one 802.1Q tag), IPv4 / IPv6 and TCP / UDP in
 * hardware (7.1.2) to feed the RSS hash, the packet type and the checksum
 * status of the receive descriptor. Loads go through memcpy-free byte
 * arithmetic, because frame data has no alignment guarantee. */
#include <pthread.h>
#include <string.h>

#include "model/dma/sim_parse.h"

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

void sim_parse(const uint8_t *p, uint32_t len, struct sim_pinfo *pi)
{
	memset(pi, 0, sizeof(*pi));
	if (len < 14)
		return;
	uint32_t off = 12;
	uint16_t et = be16(p + off);
	if (et == 0x8100 && len >= 18) {
		pi->vlan = true;
		off += 4;
		et = be16(p + off);
	}
	off += 2;
	if (et == 0x0800 && len >= off + 20) {
		const uint8_t *ip = p + off;
		uint32_t ihl = (ip[0] & 0xf) * 4u;
		if ((ip[0] >> 4) != 4 || ihl < 20 || len < off + ihl)
			return;
		pi->l3 = 4;
		pi->l3off = (uint16_t)off;
		pi->l3len = be16(ip + 2);
		pi->l4proto = ip[9];
		/* MF set or a non-zero offset: a fragment (7.1.2.8.2: hashed on
		 * addresses only, no L4 checksum). */
		pi->frag = (be16(ip + 6) & 0x3fff) != 0;
		pi->l4off = (uint16_t)(off + ihl);
	} else if (et == 0x86dd && len >= off + 40) {
		const uint8_t *ip = p + off;
		if ((ip[0] >> 4) != 6)
			return;
		pi->l3 = 6;
		pi->l3off = (uint16_t)off;
		pi->l3len = (uint16_t)(40 + be16(ip + 4));
		pi->l4proto = ip[6];	/* extension headers are not followed */
		pi->l4off = (uint16_t)(off + 40);
	} else {
		return;
	}
	if (pi->frag)
		return;
	uint32_t need = pi->l4proto == 6 ? 20 : pi->l4proto == 17 ? 8 : 0;
	pi->l4ok = need && len >= pi->l4off + need;
}

uint32_t sim_toeplitz(const uint8_t key[40], const uint8_t *in, unsigned n)
{
	uint32_t h = 0;
	/* Input bit j (MSB first) selects key bits j..j+31. w holds the key
	 * bits 8i..8i+39, so bit b of input byte i picks w >> (8 - b). */
	for (unsigned i = 0; i < n && i + 4 < 40; i++) {
		uint64_t w = (uint64_t)key[i] << 32 | (uint64_t)key[i + 1] << 24 | (uint64_t)key[i + 2] << 16 |
			     (uint64_t)key[i + 3] << 8 | key[i + 4];
		for (unsigned b = 0; b < 8; b++)
			if (in[i] & (0x80u >> b))
				h ^= (uint32_t)(w >> (8 - b));
	}
	return h;
}

void sim_toeplitz_prepare(const uint8_t key[40], struct sim_toeplitz_tbl *tbl)
{
	for (unsigned j = 0; j < 72; j++) {
		unsigned i = j / 2;	/* input byte */
		uint64_t w = (uint64_t)key[i] << 32 | (uint64_t)key[i + 1] << 24 | (uint64_t)key[i + 2] << 16 |
			     (uint64_t)key[i + 3] << 8 | key[i + 4];
		for (unsigned v = 0; v < 16; v++) {
			uint32_t h = 0;
			for (unsigned k = 0; k < 4; k++)	/* nibble bit 3 - k is input bit b of byte i */
				if (v & (8u >> k))
					h ^= (uint32_t)(w >> (8 - ((j % 2) * 4 + k)));
			tbl->t[j][v] = h;
		}
	}
}

uint32_t sim_rss_hash(const struct sim_toeplitz_tbl *key, uint32_t mrqc, const uint8_t *p, const struct sim_pinfo *pi,
		      unsigned *rss_type)
{
	uint8_t in[36];
	unsigned n = 0, type = 0;
	bool tcp = pi->l4ok && pi->l4proto == 6, udp = pi->l4ok && pi->l4proto == 17;

	/* 7.1.2.8.2: the input is source address, destination address, then
	 * source and destination ports; MRQC picks which packet kinds use the
	 * ports and which fall back to addresses only. */
	if (pi->l3 == 4) {
		memcpy(in, p + pi->l3off + 12, 8);
		n = 8;
		if (tcp && (mrqc & (1u << 16)))
			type = 1;
		else if (udp && (mrqc & (1u << 22)))
			type = 7;
		else if (mrqc & (1u << 17))
			type = 2;
	} else if (pi->l3 == 6) {
		memcpy(in, p + pi->l3off + 8, 32);
		n = 32;
		if (tcp && (mrqc & (1u << 21)))
			type = 3;
		else if (udp && (mrqc & (1u << 23)))
			type = 8;
		else if (mrqc & (1u << 20))
			type = 5;
	}
	*rss_type = type;
	if (!type)
		return 0;
	if (type == 1 || type == 7 || type == 3 || type == 8) {
		memcpy(in + n, p + pi->l4off, 4);
		n += 4;
	}
	return sim_toeplitz_tbl(key, in, n);
}

uint32_t sim_pkt_type(const struct sim_pinfo *pi)
{
	uint32_t t = 0;
	if (pi->l3 == 4)
		t |= 1u << 4;
	else if (pi->l3 == 6)
		t |= 1u << 6;
	if (pi->l4ok && pi->l4proto == 6)
		t |= 1u << 8;
	else if (pi->l4ok && pi->l4proto == 17)
		t |= 1u << 9;
	return t;
}

uint32_t sim_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	/* RFC 1071 2(B): the one's complement sum does not depend on byte
	 * order if the result is swapped back at the end, and may be taken
	 * over wider words with end-around carry. So: add native 64-bit words,
	 * fold to 16 bits, convert that to network order. p is at an even
	 * offset from the start of the checksummed data; only the last call
	 * of a chain may have an odd length. */
	uint64_t s = 0;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		s += w;
		s += s < w;
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		s += w;
		s += s < w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		s += w;
		s += s < w;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* the odd byte is the high byte of a network-order word */
		uint8_t last[2] = { p[0], 0 };
		uint16_t w;
		memcpy(&w, last, 2);
		s += w;
		s += s < w;
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	uint16_t n = (uint16_t)s;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	n = (uint16_t)(n << 8 | n >> 8);
#endif
	uint32_t r = sum + n;
	while (r >> 16)
		r = (r & 0xffff) + (r >> 16);
	return r;
}

uint16_t sim_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void sim_rx_csum(const uint8_t *p, uint32_t len, const struct sim_pinfo *pi, uint32_t *status, bool *ip_err,
		 bool *l4_err)
{
	*status = 0;
	*ip_err = *l4_err = false;
	if (pi->l3 == 4) {
		uint32_t ihl = (p[pi->l3off] & 0xf) * 4u;
		*status |= 1u << 6;	/* IPCS */
		*ip_err = sim_csum_fold(sim_csum_add(0, p + pi->l3off, ihl)) != 0;
	}
	if (!pi->l4ok || (pi->l4proto != 6 && pi->l4proto != 17))
		return;
	/* The L4 length comes from the IP header; a frame shorter than that
	 * is not checked (the MAC would flag a length error). */
	uint32_t l4len = pi->l3 == 4 ? (uint32_t)pi->l3len - (pi->l4off - pi->l3off) : (uint32_t)pi->l3len - 40u;
	if (pi->l4off + l4len > len || l4len > 0xffff)
		return;
	if (pi->l4proto == 17 && pi->l3 == 4 && p[pi->l4off + 6] == 0 && p[pi->l4off + 7] == 0)
		return;	/* IPv4 UDP without checksum: nothing to verify */
	uint32_t sum = 0;
	if (pi->l3 == 4)
		sum = sim_csum_add(0, p + pi->l3off + 12, 8);
	else
		sum = sim_csum_add(0, p + pi->l3off + 8, 32);
	sum += pi->l4proto + l4len;
	sum = sim_csum_add(sum, p + pi->l4off, l4len);
	*status |= 1u << 5;	/* L4CS */
	if (pi->l4proto == 17)
		*status |= 1u << 4;	/* UDPCS */
	*l4_err = sim_csum_fold(sum) != 0;
}

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t sim_crc32(uint32_t crc, const uint8_t *p, uint32_t len)
{
	pthread_once(&crc_once, crc_init);
	for (uint32_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc;
}
