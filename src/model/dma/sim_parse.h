/* The virtual 82599: what the receive parser finds in a frame (7.1.2 packet
 * parsing for filters, RSS and checksum offload) and the RSS hash (7.1.2.8). */
#ifndef IXY_SIM_PARSE_H
#define IXY_SIM_PARSE_H

#include <stdbool.h>
#include <stdint.h>

struct sim_pinfo {
	uint8_t l3;		/* 0, 4 (IPv4) or 6 (IPv6) */
	uint8_t l4proto;	/* IP protocol (6 TCP, 17 UDP), 0 if none */
	bool vlan;		/* 802.1Q tag present */
	bool frag;		/* IPv4 fragment (no L4 header to trust) */
	bool l4ok;		/* the whole L4 header is inside the frame */
	uint16_t l3off, l4off;
	uint16_t l3len;		/* IP total length (v4) or 40 + payload (v6) */
};

/* Parse the headers of a frame (no FCS). Never reads beyond len. */
void sim_parse(const uint8_t *p, uint32_t len, struct sim_pinfo *pi);

/* Toeplitz hash of n input bytes (n <= 36) with a 40-byte key (7.1.2.8.1),
 * bit by bit as the datasheet defines it (the reference). */
uint32_t sim_toeplitz(const uint8_t key[40], const uint8_t *in, unsigned n);

/* The same hash from tables made once per key: entry [j][v] is what nibble
 * value v at input nibble j contributes (the XOR of the key windows its set
 * bits select), so a hash is two lookups per input byte instead of a test
 * and branch per input bit (those cost the model ~750 instructions and many
 * mispredicted branches per received frame). */
struct sim_toeplitz_tbl {
	uint32_t t[72][16];
};
void sim_toeplitz_prepare(const uint8_t key[40], struct sim_toeplitz_tbl *tbl);
static inline uint32_t sim_toeplitz_tbl(const struct sim_toeplitz_tbl *tbl, const uint8_t *in, unsigned n)
{
	uint32_t h = 0;
	for (unsigned i = 0; i < n && i < 36; i++)
		h ^= tbl->t[2 * i][in[i] >> 4] ^ tbl->t[2 * i + 1][in[i] & 15];
	return h;
}

/* RSS hash of a parsed frame as MRQC selects: returns the hash and stores the
 * RSS type for the descriptor (0 = none, the frame was not hashed). */
uint32_t sim_rss_hash(const struct sim_toeplitz_tbl *key, uint32_t mrqc, const uint8_t *p, const struct sim_pinfo *pi,
		      unsigned *rss_type);

/* Packet type field of the advanced RX write-back (7.1.6.2, bits 16:4). */
uint32_t sim_pkt_type(const struct sim_pinfo *pi);

/* Receive checksum offload (7.1.11): status bits (IPCS, L4CS, UDPCS) and
 * whether the IPv4 header / L4 checksum is wrong. The frame must be flat. */
void sim_rx_csum(const uint8_t *p, uint32_t len, const struct sim_pinfo *pi, uint32_t *status, bool *ip_err,
		 bool *l4_err);

/* Ethernet CRC-32 (IEEE 802.3), raw update: start with ~0, invert at the end. */
uint32_t sim_crc32(uint32_t crc, const uint8_t *p, uint32_t len);

/* Internet checksum helpers (RFC 1071), also used by the generator. */
uint32_t sim_csum_add(uint32_t sum, const uint8_t *p, uint32_t len);
uint16_t sim_csum_fold(uint32_t sum);

#endif
