/* Receive side scaling (82599 datasheet 7.1.2.8): MRQC selects the hashed
 * packet types, RSSRK holds the 40-byte Toeplitz key, RETA maps the low 7
 * bits of the hash to a queue. */
#include <errno.h>
#include <string.h>

#include "drivers/ixgbe.h"
#include "error.h"

/* The key of Microsoft's RSS specification ("Verifying the RSS Hash
 * Calculation"): widely used as a default, and its published examples make
 * the hashes checkable. */
const uint8_t ixy_rss_default_key[IXY_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* RSS queue indices per RETA entry: 4 bits on the 82599 and X540 (16
 * queues), 6 bits on the X550 family (64 queues). */
static unsigned reta_queue_limit(const struct ixgbe_dev *d)
{
	return d->id->mac >= IXGBE_MAC_X550 ? 64 : 16;
}

int ixgbe_set_rss_key(struct ixy_device *dev, const uint8_t key[IXY_RSS_KEY_LEN])
{
	struct ixgbe_dev *d = to_ixgbe(dev);

	/* RSSRK[n] holds key bytes 4n..4n+3, byte 4n in bits 7:0; byte 0 is
	 * the most significant byte of the key for the Toeplitz function. */
	for (unsigned n = 0; n < IXY_RSS_KEY_LEN / 4; n++) {
		const uint8_t *k = key + 4 * n;
		ixgbe_write(d, IXGBE_RSSRK(n),
			    (uint32_t)k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 | (uint32_t)k[3] << 24);
	}
	memcpy(dev->rss_key, key, IXY_RSS_KEY_LEN);
	return 0;
}

int ixgbe_set_rss_reta(struct ixy_device *dev, const uint8_t table[IXY_RSS_RETA_SIZE])
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	unsigned limit = reta_queue_limit(d);

	for (unsigned i = 0; i < IXY_RSS_RETA_SIZE; i++) {
		if (table[i] >= dev->num_rx_queues || table[i] >= limit)
			return ixy_error(-EINVAL, "%s: RSS table entry %u names queue %u, but the device has %u RX "
					 "queues (%s RSS reaches at most %u)",
					 dev->name, i, table[i], dev->num_rx_queues, d->id->model, limit);
	}
	/* RETA[n] holds entries 4n..4n+3, one per byte (8.2.3.7.14). */
	for (unsigned n = 0; n < IXY_RSS_RETA_SIZE / 4; n++) {
		const uint8_t *t = table + 4 * n;
		ixgbe_write(d, IXGBE_RETA(n),
			    (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24);
	}
	/* The X550 indexes a 512-entry table with 9 hash bits; repeating the
	 * 128 entries keeps the mapping identical to the 7-bit one. */
	if (d->id->mac >= IXGBE_MAC_X550) {
		for (unsigned n = 0; n < 96; n++) {
			const uint8_t *t = table + (4 * n) % IXY_RSS_RETA_SIZE;
			ixgbe_write(d, IXGBE_ERETA(n),
				    (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24);
		}
	}
	memcpy(dev->rss_reta, table, IXY_RSS_RETA_SIZE);
	return 0;
}

int ixgbe_rss_setup(struct ixgbe_dev *d)
{
	struct ixy_device *dev = &d->ixy;
	unsigned spread = dev->num_rx_queues < reta_queue_limit(d) ? dev->num_rx_queues : reta_queue_limit(d);
	uint8_t table[IXY_RSS_RETA_SIZE];
	int rc;

	for (unsigned i = 0; i < IXY_RSS_RETA_SIZE; i++)
		table[i] = (uint8_t)(i % spread);
	rc = ixgbe_set_rss_key(dev, ixy_rss_default_key);
	if (rc == 0)
		rc = ixgbe_set_rss_reta(dev, table);
	if (rc)
		return rc;
	/* PCSD: the write-back carries the RSS hash instead of the fragment
	 * checksum (7.1.6.2); the IP/L4 checksum status bits stay valid. */
	ixgbe_set_bits(d, IXGBE_RXCSUM, IXGBE_RXCSUM_PCSD);
	ixgbe_write(d, IXGBE_MRQC, IXGBE_MRQC_RSSEN | IXGBE_MRQC_TCPIPV4 | IXGBE_MRQC_IPV4 | IXGBE_MRQC_TCPIPV6 |
					   IXGBE_MRQC_IPV6 | IXGBE_MRQC_UDPIPV4 | IXGBE_MRQC_UDPIPV6);
	return 0;
}
