/* The two test frames of the guest test bed, built the same way by the
 * program inside the guest (ixy-guest-checks) and by the host-side helper
 * on the tap (ixy-guest-tap), so each side knows byte for byte what the
 * other must see.
 *
 * Both use the IEEE 802 "local experimental" EtherType 0x88b5, which no
 * protocol stack on either side reacts to, and lengths well above the
 * 60-byte minimum so that no padding is involved.
 */
#ifndef IXY_GUEST_FRAMES_H
#define IXY_GUEST_FRAMES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define GUEST_ETHERTYPE 0x88b5
#define GUEST_TX_LEN 128        /* guest -> host (e1000 TX check) */
#define GUEST_RX_LEN 142        /* host -> guest (e1000 RX check) */
#define GUEST_FRAME_MAX 256

enum guest_frame_kind { GUEST_FRAME_TX, GUEST_FRAME_RX };

/* Locally administered source address of the host-side injector. */
static const uint8_t guest_host_mac[6] = { 0x02, 0x1b, 0x00, 0x00, 0x00, 0x01 };

/* Parse "aa:bb:cc:dd:ee:ff"; 0 on success. */
static inline int guest_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/* Build the frame of the given kind for the NIC whose address is nic_mac
 * into buf (>= GUEST_FRAME_MAX bytes); returns its length.
 * TX: broadcast from the NIC. RX: from the host injector to the NIC. */
static inline size_t guest_build_frame(enum guest_frame_kind kind, const uint8_t nic_mac[6], uint8_t *buf)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const char *tag = kind == GUEST_FRAME_TX ? "libixy guest TX check" : "libixy guest RX check";
	size_t len = kind == GUEST_FRAME_TX ? GUEST_TX_LEN : GUEST_RX_LEN;
	size_t taglen = strlen(tag);

	memcpy(buf, kind == GUEST_FRAME_TX ? bcast : nic_mac, 6);
	memcpy(buf + 6, kind == GUEST_FRAME_TX ? nic_mac : guest_host_mac, 6);
	buf[12] = GUEST_ETHERTYPE >> 8;
	buf[13] = GUEST_ETHERTYPE & 0xff;
	memcpy(buf + 14, tag, taglen);
	/* A pattern that differs per kind, so a frame cannot pass for the other. */
	for (size_t i = 14 + taglen; i < len; i++)
		buf[i] = (uint8_t)(kind == GUEST_FRAME_TX ? i : i * 7 + 3);
	return len;
}

#endif
