/* libixy: building and checking frames (Ethernet / IPv4 / UDP / TCP), and
 * the software side of the checksum offloads.
 *
 * What a packet generator or a test needs: Internet checksums (RFC 1071)
 * with incremental update (RFC 1624), UDP/IPv4 and TCP/IPv4 frame builders
 * that produce valid header and L4 checksums.
 *
 * Offloads, in short (the flags and fields are in ixy/mempool.h, the
 * details in docs/driver.md "Offloads"): open the port with
 * ixy_config.tx_offload, then per buffer set ol_flags to e.g.
 *   IXY_PKT_TX_IPV4 | IXY_PKT_TX_IP_CKSUM | IXY_PKT_TX_UDP_CKSUM
 * with l2_len = 14, l3_len = 20, and the NIC fills in both checksums;
 * IXY_PKT_TX_VLAN with vlan_tci inserts an 802.1Q tag; IXY_PKT_TX_TSO with
 * tso_mss and l4_len cuts a TCP frame (up to its buffer's size, at most 16384 bytes) into
 * segments of tso_mss payload bytes. The frame itself must not carry
 * Ethernet padding: the NIC sums the L4 checksum to the frame's end (and
 * pads short frames itself). ixy_pkt_tx_csum_sw below does the checksum
 * part in software, for a port without offloads. */
#ifndef IXY_PACKET_H
#define IXY_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ixy/mempool.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IXY_ETH_HDR_LEN 14
#define IXY_IPV4_HDR_LEN 20
#define IXY_UDP_HDR_LEN 8
#define IXY_UDP_FRAME_OVERHEAD (IXY_ETH_HDR_LEN + IXY_IPV4_HDR_LEN + IXY_UDP_HDR_LEN)
#define IXY_ETH_MIN_FRAME 60       /* without CRC */

/* One's-complement sum of data folded to 16 bits, not inverted, starting
 * from `sum` (a previous partial result, or 0). Byte order: network. */
uint32_t ixy_csum_partial(const void *data, size_t len, uint32_t sum);
/* Final checksum: the inverted folded sum (what goes into a header). */
uint16_t ixy_csum_fold(uint32_t sum);

/* IPv4 header checksum of the header at ip (ihl from the header). */
uint16_t ixy_ipv4_checksum(const void *ip);
/* UDP checksum over pseudo-header + UDP header + payload of the IPv4 packet
 * at ip (lengths from the headers). 0 results are sent as 0xffff. */
uint16_t ixy_udp4_checksum(const void *ip);
/* Verify a frame's IPv4 header and UDP checksums; true if both are valid
 * (a UDP checksum of 0 means "none" and is accepted). */
bool ixy_udp4_frame_valid(const void *frame, size_t len);

/* RFC 1624 eqn. 3: new checksum after one 16-bit word changed old -> new.
 * All values in network byte order as stored in the packet. */
uint16_t ixy_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word);

struct ixy_udp_spec {
	uint8_t src_mac[6], dst_mac[6];
	uint32_t src_ip, dst_ip;        /* host byte order, e.g. 0xc6120001 = 198.18.0.1 */
	uint16_t src_port, dst_port;    /* host byte order */
	uint8_t ttl;                    /* 0 = 64 */
};

/* Write a UDP/IPv4 frame of frame_len bytes (without CRC; >= 60, i.e. at
 * least 18 payload bytes) into buf: headers from spec, payload bytes
 * 0,1,2,... (mod 256), valid IPv4 and UDP checksums. Returns frame_len, or
 * a negative errno with a message when the size is out of range. */
int ixy_build_udp_frame(void *buf, size_t buf_len, size_t frame_len, const struct ixy_udp_spec *spec);

#define IXY_TCP_HDR_LEN 20
#define IXY_TCP_FRAME_OVERHEAD (IXY_ETH_HDR_LEN + IXY_IPV4_HDR_LEN + IXY_TCP_HDR_LEN)

/* Write a TCP/IPv4 frame of frame_len bytes (60..65535 + 14 - 20, at most
 * buf_len) into buf: addresses and ports from spec, sequence number seq,
 * flags ACK|PSH, payload bytes 0,1,2,... (mod 256), valid IPv4 and TCP
 * checksums. Returns frame_len or a negative errno with a message. */
int ixy_build_tcp_frame(void *buf, size_t buf_len, size_t frame_len, const struct ixy_udp_spec *spec, uint32_t seq);

/* Verify the IPv4 header checksum (if IPv4) and the TCP or UDP checksum of
 * an Ethernet frame with IPv4 or IPv6 (no extension headers), with or
 * without one 802.1Q tag; true if all present are valid (a UDP/IPv4
 * checksum of 0 means "none"). false for anything else. */
bool ixy_l4_frame_valid(const void *frame, size_t len);

/* Do in software what b's IXY_PKT_TX_IP_CKSUM / _TCP_CKSUM / _UDP_CKSUM
 * ask the NIC for, with the same fields (IXY_PKT_TX_IPV4 or _IPV6, l2_len,
 * l3_len; the L4 checksum over the rest of the frame): for a port without
 * offloads, or to compare. VLAN insertion and TSO are not done. The flags
 * stay as they are. 0, or -EINVAL with a message for a request the NIC
 * would refuse too. */
int ixy_pkt_tx_csum_sw(struct ixy_pkt_buf *b);

/* Parse "aa:bb:cc:dd:ee:ff" / "198.18.0.1". 0 or -EINVAL with a message. */
int ixy_parse_mac(const char *s, uint8_t mac[6]);
int ixy_parse_ipv4(const char *s, uint32_t *ip);

#ifdef __cplusplus
}
#endif
#endif
