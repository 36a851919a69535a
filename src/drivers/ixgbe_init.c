/* ixgbe bring-up and tear-down, following the 82599 datasheet's
 * initialization sequence (4.6.3): disable interrupts, global reset, wait
 * for the EEPROM (and check its checksum) and the DMA engine, link set-up
 * (4.6.4, ixgbe_link.c), statistics (4.6.5), receive (4.6.7), transmit
 * (4.6.8). Interrupts stay off: the driver polls, until an application
 * enables a queue's interrupt (ixgbe_irq.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/ixgbe.h"
#include "error.h"
#include "memory/memory_internal.h"

/* Bounds for the waits of the sequence. The datasheet gives no upper
 * limits; these are generous multiples of what hardware needs. */
#define RESET_TIMEOUT_US 1000000u      /* CTRL.RST self-clears in ~1 ms */
#define MASTER_DISABLE_TIMEOUT_US 80000u /* STATUS.GIO; Linux allows 800 x 100 us */
#define EEPROM_TIMEOUT_US 1000000u     /* EEC.ARD */
#define DMAINIT_TIMEOUT_US 1000000u    /* RDRXCTL.DMAIDONE */
#define QUEUE_TIMEOUT_US 1000000u      /* RXDCTL/TXDCTL.ENABLE reads back */
#define SECRX_TIMEOUT_US 10000u        /* SECRXSTAT.SECRX_RDY */

static uint32_t ring_bytes(uint32_t entries) { return entries * 16u; }

/* Largest frame the MAC can hand to a queue, as stored (CRC stripped).
 * Without HLREG0.JUMBOEN the limit is a hard-wired 1518 bytes whatever
 * MAXFRS says (8.2.3.22.13): a smaller max_frame_size cannot make the NIC
 * drop 1518-byte frames, so buffers must hold them anyway. With JUMBOEN,
 * MAXFRS.MFS counts the CRC but not a VLAN tag, so MFS bytes remain. */
static uint32_t rx_frame_limit(const struct ixy_config *c)
{
	return c->max_frame_size > 1518 ? c->max_frame_size : 1518;
}

/* ---- memory: one DMA region for all rings, one mempool per RX queue ---- */

static int alloc_queues(struct ixgbe_dev *d)
{
	const struct ixy_config *c = &d->cfg.c;
	struct ixy_device *dev = &d->ixy;
	uint32_t rxb = ring_bytes(c->rx_ring_size), txb = ring_bytes(c->tx_ring_size);
	/* Every ring starts at a multiple of the largest ring size, a power
	 * of two that divides the huge page size: no ring straddles a page,
	 * so each is physically contiguous, and all are 128-byte aligned as
	 * RDBAL/TDBAL require (8.2.3.8.1). */
	uint32_t stride = rxb > txb ? rxb : txb;
	struct ixy_dma_opts opts = { .numa_node = d->cfg.numa_node, .hugetlbfs = c->hugetlbfs };

	/* a cache line per queue (calloc would align to 16 bytes only) */
	d->rxq = aligned_alloc(64, dev->num_rx_queues * sizeof(*d->rxq));
	if (d->rxq)
		memset(d->rxq, 0, dev->num_rx_queues * sizeof(*d->rxq));
	d->txq = aligned_alloc(64, dev->num_tx_queues * sizeof(*d->txq));
	if (d->txq)
		memset(d->txq, 0, dev->num_tx_queues * sizeof(*d->txq));
	if (c->tx_offload)
		d->txo = calloc(dev->num_tx_queues, sizeof(*d->txo));
	if (!d->rxq || !d->txq || (c->tx_offload && !d->txo))
		return ixy_error(-ENOMEM, "%s: out of memory for queue state", dev->name);
	d->rings = ixy_dma_alloc((size_t)stride * (dev->num_rx_queues + dev->num_tx_queues), &opts);
	if (!d->rings) {
		ixy_error_prefix("%s: descriptor rings", dev->name);
		return ixy_last_error_code() ? ixy_last_error_code() : -ENOMEM;
	}
	uint8_t *base = ixy_dma_virt(d->rings);
	memset(base, 0, (size_t)stride * (dev->num_rx_queues + dev->num_tx_queues));

	for (uint16_t i = 0; i < dev->num_rx_queues; i++) {
		struct ixgbe_rx_queue *q = &d->rxq[i];
		q->ring = (volatile union ixgbe_rx_desc *)(base + (size_t)stride * i);
		q->ring_phys = ixy_dma_virt_to_phys(d->rings, (const void *)q->ring);
		q->size = c->rx_ring_size;
		q->mask = q->size - 1;
		q->id = i;
		q->tail = (volatile uint32_t *)(d->bar0 + IXGBE_RDT(i));
		q->ol_mask = c->no_rx_checksum ? IXY_PKT_RX_RSS_HASH
					       : (IXY_PKT_RX_IP_CKSUM_GOOD | IXY_PKT_RX_IP_CKSUM_BAD |
						  IXY_PKT_RX_L4_CKSUM_GOOD | IXY_PKT_RX_L4_CKSUM_BAD | IXY_PKT_RX_RSS_HASH);
		q->udp_tcpe_ignore = d->id->mac == IXGBE_MAC_82599 ? IXGBE_RXD_STAT_L4CS | IXGBE_RXD_ERR_TCPE : 0;
		q->bufs = calloc(q->size + IXGBE_RX_BUFS_PAD, sizeof(*q->bufs));
		if (!q->bufs)
			return ixy_error(-ENOMEM, "%s: out of memory for RX queue %u", dev->name, i);
		struct ixy_mempool_opts po = {
			.num_entries = c->mempool_size,
			/* SRRCTL sizes buffers in 1 KiB steps: the data area is a
			 * whole number of KiB, at least the largest frame the
			 * MAC accepts, so that a frame never spans two
			 * descriptors (the data path relies on it). */
			.buf_len = (rx_frame_limit(c) + 1023u) & ~1023u,
			.numa_node = d->cfg.numa_node,
			.hugetlbfs = c->hugetlbfs,
		};
		q->pool = ixy_mempool_create(&po);
		if (!q->pool) {
			ixy_error_prefix("%s: RX queue %u", dev->name, i);
			return ixy_last_error_code() ? ixy_last_error_code() : -ENOMEM;
		}
		uint32_t limit = ixy_mempool_buf_len(q->pool) + 1;  /* lengths up to buf_len are fine */
		q->len_fast = 1u << (31 - __builtin_clz(limit));
		ixgbe_rx_queue_tables(q, ixy_mempool_get(q->pool, 0));
	}
	for (uint16_t i = 0; i < dev->num_tx_queues; i++) {
		struct ixgbe_tx_queue *q = &d->txq[i];
		q->ring = (volatile union ixgbe_tx_desc *)(base + (size_t)stride * (dev->num_rx_queues + i));
		q->ring_phys = ixy_dma_virt_to_phys(d->rings, (const void *)q->ring);
		q->size = c->tx_ring_size;
		q->mask = q->size - 1;
		q->id = i;
		q->tail = (volatile uint32_t *)(d->bar0 + IXGBE_TDT(i));
		/* what the port would take in (1518 at least, see
		 * rx_frame_limit), without the CRC the NIC appends */
		q->max_len = rx_frame_limit(c) - 4;
		ixy__tx_len_fast_lower(q->max_len + 1);
		q->bufs = calloc(q->size, sizeof(*q->bufs));
		if (!q->bufs)
			return ixy_error(-ENOMEM, "%s: out of memory for TX queue %u", dev->name, i);
		if (d->txo && !(d->txo[i].rs_slots = calloc(q->size, sizeof(*d->txo[i].rs_slots))))
			return ixy_error(-ENOMEM, "%s: out of memory for TX queue %u's offload state", dev->name, i);
	}
	return 0;
}

static void free_queues(struct ixgbe_dev *d)
{
	if (d->txq) {
		for (uint16_t i = 0; i < d->ixy.num_tx_queues; i++) {
			struct ixgbe_tx_queue *q = &d->txq[i];
			/* Buffers still in the ring go back to their (the
			 * application's) pools. */
			for (uint32_t s = q->clean; q->bufs && s != q->next; s = (s + 1) & q->mask)
				if (q->bufs[s])   /* NULL: a context descriptor (ixgbe_offload.c) */
					ixy_pkt_buf_free(q->bufs[s]);
			free(q->bufs);
			if (d->txo)
				free(d->txo[i].rs_slots);
		}
		free(d->txq);
	}
	free(d->txo);
	if (d->rxq) {
		for (uint16_t i = 0; i < d->ixy.num_rx_queues; i++) {
			struct ixgbe_rx_queue *q = &d->rxq[i];
			/* The ring's buffers go home first; buffers the
			 * application (or another port's TX ring) still holds
			 * keep the pool alive until they are returned. */
			for (uint32_t s = 0; q->bufs && s < q->size; s++)
				if (q->bufs[s]) {
					/* refilled straight off the pool's stack: not
					 * marked handed out for a checked pool yet */
					ixy__pkt_buf_rx_out(q->bufs[s], q->id);
					ixy_pkt_buf_free(q->bufs[s]);
				}
			free(q->bufs);
			ixy_mempool_free(q->pool);
		}
		free(d->rxq);
	}
	if (d->rings)
		ixy_dma_free(d->rings);
	d->rxq = NULL;
	d->txq = NULL;
	d->txo = NULL;
	d->rings = NULL;
}

/* ---- receive (4.6.7) ---- */

static int disable_queue(struct ixgbe_dev *d, uint32_t ctl_reg, uint32_t enable_bit, const char *what)
{
	/* 4.6.7.1: clear ENABLE and poll until the queue reports stopped */
	uint32_t v = ixgbe_read(d, ctl_reg);
	if (!(v & enable_bit))
		return 0;
	ixgbe_write(d, ctl_reg, v & ~enable_bit);
	return ixgbe_wait(d, ctl_reg, enable_bit, 0, QUEUE_TIMEOUT_US, what);
}

static int init_rx_queue(struct ixgbe_dev *d, struct ixgbe_rx_queue *q)
{
	uint16_t i = q->id;
	char what[48];
	int rc;

	snprintf(what, sizeof(what), "disabling RX queue %u", i);
	if ((rc = disable_queue(d, IXGBE_RXDCTL(i), IXGBE_RXDCTL_ENABLE, what)))
		return rc;
	/* steps 3-4: ring address and length */
	ixgbe_write(d, IXGBE_RDBAL(i), (uint32_t)q->ring_phys);
	ixgbe_write(d, IXGBE_RDBAH(i), (uint32_t)(q->ring_phys >> 32));
	ixgbe_write(d, IXGBE_RDLEN(i), ring_bytes(q->size));
	/* step 5: advanced one-buffer descriptors, buffer size in KiB; with
	 * DROP_EN a queue without descriptors drops (and counts in QPRDC)
	 * instead of stalling the shared packet buffer for all queues. */
	uint32_t srrctl = ixgbe_read(d, IXGBE_SRRCTL(i));
	srrctl &= ~(IXGBE_SRRCTL_DESCTYPE_MASK | IXGBE_SRRCTL_BSIZEPKT_MASK);
	srrctl |= IXGBE_SRRCTL_DESCTYPE_ADV_1BUF | IXGBE_SRRCTL_DROP_EN |
		  (ixy_mempool_buf_len(q->pool) / 1024u) << IXGBE_SRRCTL_BSIZEPKT_SHIFT;
	ixgbe_write(d, IXGBE_SRRCTL(i), srrctl);
	/* VLAN stripping is per queue on the 82599 (RXDCTL.VME, 8.2.3.8.6;
	 * VLNCTRL.VME is the 82598's). VLNCTRL.VFE stays off as reset leaves
	 * it: no VLAN filter, tagged frames of every VLAN come in. */
	uint32_t rxdctl = ixgbe_read(d, IXGBE_RXDCTL(i)) & ~IXGBE_RXDCTL_VME;
	ixgbe_write(d, IXGBE_RXDCTL(i), rxdctl | (d->cfg.c.rx_vlan_strip ? IXGBE_RXDCTL_VME : 0));
	/* the ring starts empty for the NIC */
	ixgbe_write(d, IXGBE_RDH(i), 0);
	ixgbe_write(d, IXGBE_RDT(i), 0);

	/* step 2: a buffer behind every descriptor */
	uint32_t got = ixy_pkt_buf_alloc_batch(q->pool, q->bufs, q->size);
	if (got != q->size) {
		ixy_pkt_buf_free_batch(q->bufs, got);
		memset(q->bufs, 0, q->size * sizeof(*q->bufs));
		return ixy_error(-ENOMEM, "%s: RX queue %u: mempool of %u buffers cannot fill a ring of %u; "
				 "set ixy_config.mempool_size larger than rx_ring_size",
				 d->ixy.name, i, ixy_mempool_size(q->pool), q->size);
	}
	for (uint32_t s = 0; s < q->size; s++) {
		q->ring[s].read.pkt_addr = q->bufs[s]->data_phys;
		q->ring[s].read.hdr_addr = 0;
	}
	return 0;
}

static int start_rx_queue(struct ixgbe_dev *d, struct ixgbe_rx_queue *q)
{
	char what[48];
	int rc;

	/* steps 8-10: enable, wait until the queue says so, then hand the
	 * NIC all descriptors but one (RDT == RDH would mean none) */
	snprintf(what, sizeof(what), "enabling RX queue %u", q->id);
	ixgbe_set_bits(d, IXGBE_RXDCTL(q->id), IXGBE_RXDCTL_ENABLE);
	if ((rc = ixgbe_wait(d, IXGBE_RXDCTL(q->id), IXGBE_RXDCTL_ENABLE, IXGBE_RXDCTL_ENABLE, QUEUE_TIMEOUT_US, what)))
		return rc;
	q->next = 0;
	ixgbe_write(d, IXGBE_RDT(q->id), q->size - 1);
	return 0;
}

static void set_rxen(struct ixgbe_dev *d, bool on)
{
	/* step 11: quiesce the security block around the RXCTRL write. Like
	 * other drivers, a SECRX_RDY that does not come within the bound is
	 * not fatal: the block only matters with MACsec/IPsec in use. */
	ixgbe_set_bits(d, IXGBE_SECRXCTRL, IXGBE_SECRXCTRL_RX_DIS);
	(void)ixgbe_wait(d, IXGBE_SECRXSTAT, IXGBE_SECRXSTAT_RDY, IXGBE_SECRXSTAT_RDY, SECRX_TIMEOUT_US,
			 "security RX path drain");
	ixy_clear_error();
	uint32_t rxctrl = ixgbe_read(d, IXGBE_RXCTRL);
	ixgbe_write(d, IXGBE_RXCTRL, on ? rxctrl | IXGBE_RXCTRL_RXEN : rxctrl & ~IXGBE_RXCTRL_RXEN);
	ixgbe_clear_bits(d, IXGBE_SECRXCTRL, IXGBE_SECRXCTRL_RX_DIS);
}

/* One receive and one transmit packet buffer take the whole memory, the
 * no-DCB layout of 4.6.11.3.1, written out rather than trusted from the
 * reset values (Linux writes them after every reset too): RX 512 KiB on
 * the 82599 and 384 KiB on the X540/X550, TX 160 KiB, and TXPBTHRESH the
 * TX buffer less the largest frame (10 KiB), in KiB. */
#define PB_RX_82599   (512u << 10)
#define PB_RX_X540    (384u << 10)
#define PB_TX         (160u << 10)
#define PB_TX_MAX_FRAME_KB 10u

static void set_packet_buffers(struct ixgbe_dev *d)
{
	uint32_t rx = d->id->mac == IXGBE_MAC_82599 ? PB_RX_82599 : PB_RX_X540;
	/* the others emptied first, so the buffers never add up to more
	 * than the memory there is */
	for (uint32_t i = IXGBE_NUM_PB - 1; i < IXGBE_NUM_PB; i--) {
		ixgbe_write(d, IXGBE_RXPBSIZE(i), i ? 0 : rx);
		ixgbe_write(d, IXGBE_TXPBSIZE(i), i ? 0 : PB_TX);
		ixgbe_write(d, IXGBE_TXPBTHRESH(i), i ? 0 : (PB_TX >> 10) - PB_TX_MAX_FRAME_KB);
	}
}

/* What Linux clears after every reset besides the packet buffers, found
 * by comparing its register writes with ours on the model (docs/driver.md,
 * "libixy's sequence against Linux's"): receive addresses 1..127
 * (Linux's init_rx_addrs) and the per-queue transmit rate limiters
 * (its start_hw_gen2). Another driver may have filled either - Linux puts
 * secondary unicast addresses (macvlan, bonding) into RAR[1..] and per
 * queue tx_maxrate into RTTBCNRC - and Intel's code does not count on a
 * software reset to clear them. Left there, a valid RAH would let frames
 * for someone else's address in, and a rate limiter would cap one of our
 * queues without a word. RAH (with the valid bit) before RAL, so no
 * half-changed address is ever valid. Entry 0 keeps the EEPROM's address. */
static void clear_previous_users_filters(struct ixgbe_dev *d)
{
	for (uint32_t i = 1; i < IXGBE_NUM_RAR; i++) {
		ixgbe_write(d, IXGBE_RAH(i), 0);
		ixgbe_write(d, IXGBE_RAL(i), 0);
	}
	for (uint32_t q = 0; q < IXGBE_NUM_TX_QUEUES_HW; q++) {
		ixgbe_write(d, IXGBE_RTTDQSEL, q);
		ixgbe_write(d, IXGBE_RTTBCNRC, 0);
	}
}

static int init_rx(struct ixgbe_dev *d)
{
	const struct ixy_config *c = &d->cfg.c;
	int rc;

	/* receive stays off while it is configured */
	ixgbe_clear_bits(d, IXGBE_RXCTRL, IXGBE_RXCTRL_RXEN);

	/* CRC strip: HLREG0.RXCRCSTRP and RDRXCTL.CRCSTRIP must agree;
	 * RSCFRSTSIZE must be 0 (4.6.7), RSCACKC and FCOE_WRFIX must be 1
	 * (8.2.3.8.8). */
	ixgbe_set_bits(d, IXGBE_HLREG0, IXGBE_HLREG0_RXCRCSTRP);
	uint32_t rdrxctl = ixgbe_read(d, IXGBE_RDRXCTL);
	rdrxctl &= ~IXGBE_RDRXCTL_RSCFRSTSIZE;
	rdrxctl |= IXGBE_RDRXCTL_CRCSTRIP | IXGBE_RDRXCTL_RSCACKC | IXGBE_RDRXCTL_FCOE_WRFIX;
	ixgbe_write(d, IXGBE_RDRXCTL, rdrxctl);

	/* Jumbo frames: JUMBOEN lets frames above 1518 bytes in, MAXFRS.MFS
	 * caps them; the buffers are at least that large, so a frame always
	 * fits in one descriptor. */
	if (c->max_frame_size > 1518) {
		ixgbe_write(d, IXGBE_MAXFRS, c->max_frame_size << IXGBE_MAXFRS_MFS_SHIFT);
		ixgbe_set_bits(d, IXGBE_HLREG0, IXGBE_HLREG0_JUMBOEN);
	} else {
		ixgbe_clear_bits(d, IXGBE_HLREG0, IXGBE_HLREG0_JUMBOEN);
	}

	/* filters: broadcast on; promiscuous as configured (later) */
	ixgbe_set_bits(d, IXGBE_FCTRL, IXGBE_FCTRL_BAM);

	/* RSS hash and queue selection, and the per-queue counters */
	if ((rc = ixgbe_rss_setup(d)))
		return rc;
	ixgbe_stats_map_queues(d);

	for (uint16_t i = 0; i < d->ixy.num_rx_queues; i++)
		if ((rc = init_rx_queue(d, &d->rxq[i])))
			return rc;
	for (uint16_t i = 0; i < d->ixy.num_rx_queues; i++)
		if ((rc = start_rx_queue(d, &d->rxq[i])))
			return rc;
	set_rxen(d, true);

	/* last sentence of 4.6.7: set CTRL_EXT.NS_DIS, clear bit 12 of
	 * DCA_RXCTRL (reserved, resets to 1) for each queue */
	ixgbe_set_bits(d, IXGBE_CTRL_EXT, IXGBE_CTRL_EXT_NS_DIS);
	for (uint16_t i = 0; i < d->ixy.num_rx_queues; i++)
		ixgbe_clear_bits(d, IXGBE_DCA_RXCTRL(i), IXGBE_DCA_RXCTRL_BIT12);
	return 0;
}

/* ---- transmit (4.6.8) ---- */

static int init_tx(struct ixgbe_dev *d)
{
	char what[48];
	int rc;

	/* MAC: append CRC, pad short frames to 64 bytes */
	ixgbe_set_bits(d, IXGBE_HLREG0, IXGBE_HLREG0_TXCRCEN | IXGBE_HLREG0_TXPADEN);
	/* no DCB, no virtualization: arbiter off while MTQC is written
	 * (4.6.11.3.1) */
	ixgbe_set_bits(d, IXGBE_RTTDCS, IXGBE_RTTDCS_ARBDIS);
	ixgbe_write(d, IXGBE_DTXMXSZRQ, 0xFFF);
	ixgbe_write(d, IXGBE_MTQC, 0);
	ixgbe_clear_bits(d, IXGBE_RTTDCS, IXGBE_RTTDCS_ARBDIS);

	for (uint16_t i = 0; i < d->ixy.num_tx_queues; i++) {
		struct ixgbe_tx_queue *q = &d->txq[i];
		snprintf(what, sizeof(what), "disabling TX queue %u", i);
		if ((rc = disable_queue(d, IXGBE_TXDCTL(i), IXGBE_TXDCTL_ENABLE, what)))
			return rc;
		ixgbe_write(d, IXGBE_TDBAL(i), (uint32_t)q->ring_phys);
		ixgbe_write(d, IXGBE_TDBAH(i), (uint32_t)(q->ring_phys >> 32));
		ixgbe_write(d, IXGBE_TDLEN(i), ring_bytes(q->size));
		ixgbe_write(d, IXGBE_TDH(i), 0);
		ixgbe_write(d, IXGBE_TDT(i), 0);
		/* Prefetch and write-back (7.2.3.4-5, 8.2.3.9.10). WTHRESH must
		 * be 0: with WTHRESH > 0 the NIC ignores RS and writes back
		 * every descriptor in bursts of WTHRESH, while the data path
		 * sets RS on one descriptor in 32 and wants exactly that one
		 * written back, as soon as it is done. PTHRESH 32 / HTHRESH 1
		 * are Linux's values (PTHRESH + WTHRESH stays within the 40
		 * on-chip descriptors). */
		uint32_t txdctl = ixgbe_read(d, IXGBE_TXDCTL(i)) & ~IXGBE_TXDCTL_THRESH_MASK;
		txdctl |= 32u << IXGBE_TXDCTL_PTHRESH_SHIFT | 1u << IXGBE_TXDCTL_HTHRESH_SHIFT |
			  0u << IXGBE_TXDCTL_WTHRESH_SHIFT;
		ixgbe_write(d, IXGBE_TXDCTL(i), txdctl);
		q->next = q->clean = 0;
		if (d->txo) {
			d->txo[i].rs_head = d->txo[i].rs_tail = 0;
			d->txo[i].ctx_valid = false;   /* the NIC's context slots are unknown after a reset */
			d->txo[i].shape_valid = false;
		}
	}
	/* step 6: transmit DMA on (once, for all queues) */
	ixgbe_set_bits(d, IXGBE_DMATXCTL, IXGBE_DMATXCTL_TE);
	/* step 7: enable each queue; TDT must not move before it reads 1 */
	for (uint16_t i = 0; i < d->ixy.num_tx_queues; i++) {
		snprintf(what, sizeof(what), "enabling TX queue %u", i);
		ixgbe_set_bits(d, IXGBE_TXDCTL(i), IXGBE_TXDCTL_ENABLE);
		if ((rc = ixgbe_wait(d, IXGBE_TXDCTL(i), IXGBE_TXDCTL_ENABLE, IXGBE_TXDCTL_ENABLE, QUEUE_TIMEOUT_US,
				     what)))
			return rc;
	}
	return 0;
}

/* ---- the whole sequence (4.6.3) ---- */

static void disable_interrupts(struct ixgbe_dev *d)
{
	/* 4.6.3.1: mask every cause; the driver polls */
	ixgbe_write(d, IXGBE_EIMC, IXGBE_EIMC_ALL);
}

/* 5.2.5.3.2 "master disable": stop the NIC from starting new PCIe requests
 * and wait until none is outstanding, so that the reset does not cut a DMA
 * of a previous user (another process that died with its queues running)
 * in half. Returns 0, 1 if requests are still pending at the deadline, or
 * -ENODEV. */
static int master_disable(struct ixgbe_dev *d)
{
	ixgbe_set_bits(d, IXGBE_CTRL, IXGBE_CTRL_GIO_DIS);
	int rc = ixgbe_wait(d, IXGBE_STATUS, IXGBE_STATUS_GIO, 0, MASTER_DISABLE_TIMEOUT_US, "PCIe master disable");
	if (rc != -ETIMEDOUT)
		return rc;
	ixy_clear_error();  /* not fatal: handled by a second reset */
	return 1;
}

static int global_reset(struct ixgbe_dev *d)
{
	int rc;

	/* 4.6.3.2: global reset, self-clearing. On the 82599 CTRL.LRST
	 * resets the device and the link, CTRL.RST the device but not the
	 * link. As Linux: with the link up, RST alone, so the link the
	 * manageability firmware may be using survives; with the link down,
	 * LRST. The X540/X550 always get RST (Linux's reset for them), and
	 * under the port's PHY semaphore: the reset reaches into the
	 * internal PHY's interface, which the firmware may be using.
	 * 8.2.3.1.1: wait about 1 ms before touching any register again,
	 * the device does not answer reliably before that. Linux gives the
	 * semaphore back (and flushes) right after the write, inside that
	 * millisecond; here it is given back after it, so no register is
	 * touched early and the PHY stays guarded until the MAC answers. */
	bool copper = d->id->mac == IXGBE_MAC_X540 || d->id->mac == IXGBE_MAC_X550;
	uint32_t sem = ixgbe_swfw_phy(d);
	uint32_t bit = IXGBE_CTRL_RST;
	if (!copper && !(ixgbe_read(d, IXGBE_LINKS) & IXGBE_LINKS_UP))
		bit = IXGBE_CTRL_LRST;
	if (copper && (rc = ixgbe_swfw_acquire(d, sem, "global reset")))
		return rc;
	ixgbe_write(d, IXGBE_CTRL, ixgbe_read(d, IXGBE_CTRL) | bit);
	ixgbe_delay_us(d, 1000);
	if (copper)
		ixgbe_swfw_release(d, sem);
	if ((rc = ixgbe_wait(d, IXGBE_CTRL, IXGBE_CTRL_RST_MASK, 0, RESET_TIMEOUT_US, "global reset")))
		return rc;
	/* "wait at least 10 ms after a global reset" (4.6.3.2); Linux
	 * gives the X540/X550 100 ms */
	ixgbe_delay_us(d, copper ? 100000 : 10000);
	return 0;
}

int ixgbe_reset(struct ixgbe_dev *d)
{
	int rc;

	disable_interrupts(d);
	/* which port of the chip: its PHY semaphore guards the reset on
	 * the X540/X550 */
	d->lan_id = (uint8_t)((ixgbe_read(d, IXGBE_STATUS) & IXGBE_STATUS_LAN_ID_MASK) >> IXGBE_STATUS_LAN_ID_SHIFT);
	/* If master disable times out, the 82599 specification update
	 * ("Master Disable Flow") asks for two consecutive software resets;
	 * CTRL.GIO_DIS itself is cleared by the reset. */
	int pending = master_disable(d);
	if (pending < 0)
		return pending;
	if ((rc = global_reset(d)))
		return rc;
	if (pending && (rc = global_reset(d)))
		return rc;
	disable_interrupts(d);  /* the reset unmasked them again */
	set_packet_buffers(d);  /* as Linux, right after every reset */
	clear_previous_users_filters(d);
	return 0;
}

int ixgbe_init(struct ixgbe_dev *d)
{
	int rc;

	if ((rc = ixgbe_wait(d, IXGBE_EEC, IXGBE_EEC_ARD, IXGBE_EEC_ARD, EEPROM_TIMEOUT_US, "EEPROM auto-read")))
		return rc;
	/* Like Linux at probe: nothing the EEPROM loaded (MAC address, link
	 * mode, SFP+ init sequence) is trusted before its checksum is. The
	 * X540 and X550 by their own rules (ixgbe_eeprom.c). */
	if ((rc = ixgbe_eeprom_init(d)) || (rc = ixgbe_eeprom_validate(d)))
		return rc;
	if ((rc = ixgbe_wait(d, IXGBE_RDRXCTL, IXGBE_RDRXCTL_DMAIDONE, IXGBE_RDRXCTL_DMAIDONE, DMAINIT_TIMEOUT_US,
			     "DMA initialization")))
		return rc;

	if ((rc = ixgbe_link_setup(d)))
		return rc;

	uint8_t mac[6];
	if ((rc = ixgbe_get_mac(&d->ixy, mac)))
		return rc;

	/* 4.6.5: the counters clear on read; read them all once, then
	 * start the totals from zero */
	if ((rc = ixgbe_update_stats(&d->ixy)))
		return rc;
	memset(&d->ixy.totals, 0, sizeof(d->ixy.totals));

	if ((rc = init_rx(d)) || (rc = init_tx(d)))
		return rc;

	if (d->cfg.c.promisc && (rc = ixgbe_set_filter(&d->ixy, IXY_FILTER_PROMISC, true)))
		return rc;
	/* tell the manageability firmware a driver runs the port now */
	ixgbe_set_bits(d, IXGBE_CTRL_EXT, IXGBE_CTRL_EXT_DRV_LOAD);
	if (d->gone)
		return ixy_error(-ENODEV, "%s: registers read all ones during initialization: the device is gone",
				 d->ixy.name);
	return 0;
}

int ixgbe_stop(struct ixgbe_dev *d)
{
	int rc = 0, err;

	/* Stop all DMA before the rings and buffers are freed: otherwise the
	 * NIC could still write into memory that gets reused. Receive first
	 * (RXCTRL.RXEN: no new frames are taken in), then every queue, each
	 * polled until it reads back disabled (4.6.7.1, 4.6.8), then the
	 * transmit DMA engine, and last the PCIe master disable (5.2.5.3.2),
	 * which waits until no request of the NIC is outstanding, so that
	 * no descriptor write-back is still in flight when the memory goes.
	 * The first failure is returned. */
	if (!d->bar0 && !d->sim)
		return 0;  /* never mapped: nothing of ours was ever handed to it */
	if (d->gone)
		return ixy_error(-ENODEV, "%s: the device is gone (registers read all ones): its queues cannot be "
				 "confirmed stopped", d->ixy.name);
	set_rxen(d, false);
	for (uint16_t i = 0; d->rxq && i < d->ixy.num_rx_queues; i++) {
		char what[48];
		snprintf(what, sizeof(what), "disabling RX queue %u", i);
		if ((err = disable_queue(d, IXGBE_RXDCTL(i), IXGBE_RXDCTL_ENABLE, what)) && !rc)
			rc = err;
	}
	for (uint16_t i = 0; d->txq && i < d->ixy.num_tx_queues; i++) {
		char what[48];
		snprintf(what, sizeof(what), "disabling TX queue %u", i);
		if ((err = disable_queue(d, IXGBE_TXDCTL(i), IXGBE_TXDCTL_ENABLE, what)) && !rc)
			rc = err;
	}
	ixgbe_clear_bits(d, IXGBE_DMATXCTL, IXGBE_DMATXCTL_TE);
	disable_interrupts(d);
	if ((err = master_disable(d)) && !rc)
		rc = err > 0 ? ixy_error(-ETIMEDOUT, "%s: PCIe requests still pending %u ms after master disable "
					 "(STATUS.GIO)", d->ixy.name, MASTER_DISABLE_TIMEOUT_US / 1000) : err;
	if (!rc && d->gone)
		rc = ixy_error(-ENODEV, "%s: the device went away while its queues were stopped", d->ixy.name);
	return rc;
}

/* ---- open / close ---- */

static struct ixy_mempool *ixgbe_rx_mempool(struct ixy_device *dev, uint16_t queue)
{
	return to_ixgbe(dev)->rxq[queue].pool;
}

static void ixgbe_close(struct ixy_device *dev)
{
	struct ixgbe_dev *d = to_ixgbe(dev);

	ixgbe_irq_shutdown(d);
	/* Queues off and confirmed, then (PCI) bus mastering off, then the
	 * memory goes. Either step alone stops the NIC's DMA; if neither can
	 * be confirmed, the rings and buffers stay mapped for the life of the
	 * process rather than be reused under a NIC that may still write. */
	bool dma_off = ixgbe_stop(d) == 0;
	/* the firmware has the port to itself again; an identified SFP+
	 * module goes dark like under Linux with its interface down */
	if (!d->gone && (d->bar0 || d->sim)) {
		ixgbe_laser_off(d);
		if (d->id->media == IXGBE_MEDIA_COPPER)
			ixgbe_phy_power_down(d);
		ixgbe_clear_bits(d, IXGBE_CTRL_EXT, IXGBE_CTRL_EXT_DRV_LOAD);
	}
	if (d->pci && ixy_pci_disable_bus_master(d->pci) == 0)
		dma_off = true;
	if (dma_off) {
		free_queues(d);
	} else if (d->rings) {
		ixy_error_prefix("%s: the device's DMA could not be stopped, so its descriptor rings and buffers "
				 "are kept (not freed) until the process ends", dev->name);
	}
	if (d->pci) {
		if (d->bar0)
			ixy_pci_unmap_bar((void *)d->bar0, d->bar0_len);
		ixy_pci_close(d->pci);
	}
	if (d->sim && dev->owns_sim)
		ixy_sim_destroy(d->sim);
	free(d);
}

/* Two tables that differ only in the data path: a device opened with
 * offloads (ixy_config.tx_offload or rx_vlan_strip) gets the loops of
 * ixgbe_offload.c, every other one the default loops, which thus never
 * test for offloads. */
#define IXGBE_CONTROL_OPS \
	.update_stats = ixgbe_update_stats, \
	.get_link = ixgbe_get_link, \
	.get_mac = ixgbe_get_mac, \
	.set_mac = ixgbe_set_mac, \
	.set_filter = ixgbe_set_filter, \
	.set_rss_key = ixgbe_set_rss_key, \
	.set_rss_reta = ixgbe_set_rss_reta, \
	.rx_mempool = ixgbe_rx_mempool, \
	.close = ixgbe_close, \
	.rx_irq_enable = ixgbe_rx_irq_enable, \
	.rx_irq_disable = ixgbe_rx_irq_disable, \
	.rx_irq_arm = ixgbe_rx_irq_arm, \
	.rx_irq_disarm = ixgbe_rx_irq_disarm, \
	.rx_ready = ixgbe_rx_ready, \
	.ptp = &ixgbe_ptp_ops

static const struct ixy_driver_ops ixgbe_ops = {
	.rx_batch = ixgbe_rx_batch,
	.tx_batch = ixgbe_tx_batch,
	IXGBE_CONTROL_OPS,
};

static const struct ixy_driver_ops ixgbe_ops_offload = {
	.rx_batch = ixgbe_rx_batch_offload,
	.tx_batch = ixgbe_tx_batch_offload,
	IXGBE_CONTROL_OPS,
};


/* A copper port's link timeout says what the PHY shows at that moment. */
static void copper_hint(struct ixy_device *dev, char *buf, size_t len)
{
	ixgbe_link_hint(to_ixgbe(dev), buf, len);
}

/* Common part of both opens: d has bar0 (or sim), id and name set. */
static struct ixy_device *ixgbe_open_common(struct ixgbe_dev *d)
{
	char hint[256];
	/* Reset first: a previous user that died with its queues running
	 * (kill -9) left the NIC writing into the memory it gave back, which
	 * the allocation below may hand to us. Only a stopped NIC gets
	 * memory. */
	int rc = ixgbe_reset(d);
	if (rc == 0)
		rc = alloc_queues(d);
	if (rc == 0)
		rc = ixgbe_init(d);
	if (rc == 0)
		rc = d->id->media == IXGBE_MEDIA_COPPER
			     ? ixy_open_wait_link_fn(&d->ixy, &d->cfg.c, copper_hint)
			     : ixy_open_wait_link(&d->ixy, &d->cfg.c, ixgbe_link_hint(d, hint, sizeof(hint)));
	/* dual-rate optics without a 10G link: try 1G, as Linux does */
	if (rc == -ETIMEDOUT && d->sfp.dual_rate && d->sfp.speed_mbps == 10000) {
		ixy_clear_error();
		rc = ixgbe_sfp_fallback_1g(d);
		if (rc == 0)
			rc = ixy_open_wait_link(&d->ixy, &d->cfg.c, ixgbe_link_hint(d, hint, sizeof(hint)));
	}
	if (rc)
		return ixy_close_after_failure(&d->ixy, rc);
	return &d->ixy;
}

static struct ixgbe_dev *new_dev(const struct ixy_config_resolved *cfg, const struct ixgbe_id *id)
{
	struct ixgbe_dev *d = calloc(1, sizeof(*d));
	if (!d)
		return ixy_error_null(-ENOMEM, "ixgbe: out of memory");
	d->cfg = *cfg;
	d->id = id;
	d->ixy.ops = cfg->c.tx_offload || cfg->c.rx_vlan_strip ? &ixgbe_ops_offload : &ixgbe_ops;
	d->ixy.driver_name = IXGBE_DRIVER_NAME;
	d->ixy.model = id->model;
	d->ixy.device_id = id->device_id;
	d->ixy.num_rx_queues = cfg->c.num_rx_queues;
	d->ixy.num_tx_queues = cfg->c.num_tx_queues;
	d->trace = cfg->trace;
	d->trace_fn = cfg->c.trace_fn;
	d->trace_arg = cfg->c.trace_arg;
	for (unsigned v = 0; v < IXGBE_MSIX_VECTORS; v++)
		d->irq_fd[v] = -1;
	d->line_fd = d->line_stop_fd = -1;
	pthread_mutex_init(&d->line_lock, NULL);
	return d;
}

struct ixy_device *ixgbe_open_sim(struct ixy_sim *sim, bool owns_sim, const struct ixy_config_resolved *cfg)
{
	uint16_t devid = ixy_sim_device_id(sim);
	const struct ixgbe_id *id = ixgbe_lookup(devid);
	struct ixgbe_dev *d;

	if (!id) {
		const char *why = ixgbe_refusal(devid);
		if (why)
			ixy_error(-ENODEV, "sim:%s: device 8086:%04x is not supported: %s; see docs/driver.md",
				  ixy_sim_name(sim), devid, why);
		else
			ixy_error(-ENODEV, "sim:%s: device 8086:%04x is not supported by the ixgbe driver",
				  ixy_sim_name(sim), devid);
		goto fail;
	}
	struct ixy_config_resolved rcfg = *cfg;
	if (rcfg.numa_node == IXY_NUMA_RESOLVE_DEVICE)
		rcfg.numa_node = -1;  /* a virtual port has no node of its own */
	if (!(d = new_dev(&rcfg, id)))
		goto fail;
	d->sim = sim;
	d->ixy.sim = sim;
	d->ixy.owns_sim = owns_sim;
	d->ixy.sim_stepped = ixy_sim_mode(sim) == IXY_SIM_STEPPED;
	snprintf(d->ixy.name, sizeof(d->ixy.name), "sim:%s", ixy_sim_name(sim));
	d->bar0 = ixy_sim_bar0(sim, &d->bar0_len);
	if (!d->bar0) {
		free(d);
		ixy_error(-EIO, "sim:%s: the virtual port has no BAR0 image", ixy_sim_name(sim));
		goto fail;
	}
	return ixgbe_open_common(d);  /* destroys an owned sim on failure */
fail:
	if (owns_sim)
		ixy_sim_destroy(sim);
	return NULL;
}

struct ixy_device *ixgbe_open_pci(struct ixy_pci_dev *pci, const struct ixy_config_resolved *cfg)
{
	const struct ixy_pci_info *info = ixy_pci_get_info(pci);
	const struct ixgbe_id *id = ixgbe_lookup(info->device_id);
	const char *name = ixy_pci_name(pci);
	struct ixy_config_resolved rcfg = *cfg;

	if (!id) {
		ixy_pci_close(pci);
		return ixy_error_null(-ENODEV, "%s: device %04x:%04x is not supported by the ixgbe driver", name,
				      info->vendor_id, info->device_id);
	}
	if (ixy_take_pci_device(pci, cfg) < 0) {
		ixy_pci_close(pci);
		return NULL;
	}
	if (rcfg.numa_node == IXY_NUMA_RESOLVE_DEVICE)
		rcfg.numa_node = ixy_pci_numa_node(pci);

	struct ixgbe_dev *d = new_dev(&rcfg, id);
	if (!d) {
		(void)ixy_pci_disable_bus_master(pci);
		ixy_pci_close(pci);
		return NULL;
	}
	d->pci = pci;
	d->ixy.pci = pci;
	snprintf(d->ixy.name, sizeof(d->ixy.name), "%s", name);
	d->bar0 = ixy_pci_map_bar(pci, 0, &d->bar0_len);
	if (!d->bar0) {
		ixy_error_prefix("%s: BAR0", name);
		(void)ixy_pci_disable_bus_master(pci);  /* as we found it: unbinding had cleared it */
		ixy_pci_close(pci);
		free(d);
		return NULL;
	}
	return ixgbe_open_common(d);
}
