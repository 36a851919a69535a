/* ixy-simd: the model's interrupts, delivered to UML.
 *
 * The model decides when a vector fires (EICR, EIMS/EIMC, EIAC, IVAR,
 * EITR: datasheet 7.3) and calls simd_irq(port, vector) with its own lock
 * held. What happens next is the PCI function's business (PCI 3.0 6.8):
 *   - MSI-X enabled: the vector's table entry; when the function mask or
 *     the entry's mask bit is set, the vector's PBA bit is set instead and
 *     the message goes out when it is unmasked;
 *   - else MSI enabled: the one MSI message, held back the same way by its
 *     per-vector mask bit (the 82599 has per-vector masking);
 *   - else INTx (unless the command register disables it): an INTA message.
 * A message is a virtio_pcidev MSI/INT record written into a buffer UML
 * posted on queue 1 (UML's MSI address is always 0xA0000 and the data is
 * the Linux IRQ number: the record carries the data, UML raises that IRQ).
 * When UML has no buffer posted, the vector waits and goes out as soon as
 * one arrives: an interrupt is never dropped.
 *
 * Locking: simd_irq runs under the model's lock, from the engine thread or
 * from a register access of the poll loop; it takes port->lock only and
 * never calls back into the model.
 */
#include <string.h>

#include <linux/virtio_pcidev.h>

#include "simd.h"

#define MSIX_CTRL	(SIMD_CAP_MSIX + 2)
#define MSIX_ENABLE	(1u << 15)
#define MSIX_FMASK	(1u << 14)
#define MSI_CTRL	(SIMD_CAP_MSI + 2)
#define MSI_DATA	(SIMD_CAP_MSI + 0xc)
#define MSI_MASK	(SIMD_CAP_MSI + 0x10)
#define MSI_PENDING	(SIMD_CAP_MSI + 0x14)
#define PCI_CMD_INTX_DIS (1u << 10)

static uint16_t cfg16(const struct simd_fn *fn, unsigned off)
{
	uint16_t v;
	memcpy(&v, &fn->cfg[off], 2);
	return v;
}

/* Write one record into the next buffer of queue 1; false = no buffer. */
static bool send_msg(struct simd_port *p, uint8_t op, uint64_t addr, uint32_t data, uint32_t size)
{
	struct simd_vq *vq = &p->vq[SIMD_VQ_IRQ];
	struct simd_chain c;
	int r;
	while ((r = simd_vq_pop(vq, &p->mem, &c)) < 0)
		;	/* a malformed buffer was given back; try the next */
	if (r == 0)
		return false;
	uint8_t rec[sizeof(struct virtio_pcidev_msg) + 4] = { 0 };
	struct virtio_pcidev_msg h = { .op = op, .size = size, .addr = addr };
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), &data, 4);	/* little endian, as in memory */
	uint32_t len = (uint32_t)sizeof(h) + size, done = 0;
	for (unsigned i = 0; i < c.nin && done < len; i++) {
		uint32_t n = c.in[i].len < len - done ? c.in[i].len : len - done;
		memcpy(c.in[i].p, rec + done, n);
		done += n;
	}
	if (done < len)
		vq->errors++;	/* UML's buffers are 20 bytes; a shorter one gets what fits */
	simd_vq_push(vq, c.head, done);
	simd_vq_notify(vq);
	return true;
}

static void deliver(struct simd_port *p, unsigned vector)
{
	struct simd_fn *fn = &p->fn;
	uint16_t msix = cfg16(fn, MSIX_CTRL);
	if (msix & MSIX_ENABLE) {
		if (vector >= SIMD_MSIX_VECTORS) {
			simd_refuse(p, "the model fired MSI-X vector %u: the function has %d", vector, SIMD_MSIX_VECTORS);
			return;
		}
		uint64_t bit = 1ull << vector;
		const struct simd_msix_entry *e = &fn->msix[vector];
		if ((msix & MSIX_FMASK) || (e->ctrl & 1)) {
			fn->pba |= bit;
			return;
		}
		fn->pba &= ~bit;
		fn->nobuf &= ~bit;
		if (send_msg(p, VIRTIO_PCIDEV_OP_MSI, (uint64_t)e->addr_hi << 32 | e->addr_lo, e->data, 4))
			p->msi_sent++;
		else
			fn->nobuf |= bit;
		return;
	}
	if (cfg16(fn, MSI_CTRL) & 1) {
		if (fn->cfg[MSI_MASK] & 1) {
			fn->cfg[MSI_PENDING] |= 1;
			return;
		}
		fn->cfg[MSI_PENDING] &= (uint8_t)~1;
		uint32_t addr_lo, addr_hi;
		memcpy(&addr_lo, &fn->cfg[SIMD_CAP_MSI + 4], 4);
		memcpy(&addr_hi, &fn->cfg[SIMD_CAP_MSI + 8], 4);
		fn->msi_nobuf = !send_msg(p, VIRTIO_PCIDEV_OP_MSI, (uint64_t)addr_hi << 32 | addr_lo,
					  cfg16(fn, MSI_DATA), 2);
		if (!fn->msi_nobuf)
			p->msi_sent++;
		return;
	}
	if (cfg16(fn, 0x04) & PCI_CMD_INTX_DIS)
		return;
	fn->intx_nobuf = !send_msg(p, VIRTIO_PCIDEV_OP_INT, 1 /* INTA# */, 0, 0);
	if (!fn->intx_nobuf)
		p->int_sent++;
}

void simd_irq(void *ctx, unsigned vector)
{
	struct simd_port *p = ctx;
	pthread_mutex_lock(&p->lock);
	if (p->trace)
		simd_log(p, "interrupt: vector %u", vector);
	deliver(p, vector);
	pthread_mutex_unlock(&p->lock);
}

void simd_irq_flush_locked(struct simd_port *p)
{
	struct simd_fn *fn = &p->fn;
	uint16_t msix = cfg16(fn, MSIX_CTRL);
	if (msix & MSIX_ENABLE) {
		if (msix & MSIX_FMASK)
			return;
		uint64_t want = fn->pba | fn->nobuf;
		for (unsigned v = 0; want; v++, want >>= 1)
			if ((want & 1) && !(fn->msix[v].ctrl & 1))
				deliver(p, v);
		return;
	}
	if (cfg16(fn, MSI_CTRL) & 1) {
		if (fn->msi_nobuf || ((fn->cfg[MSI_PENDING] & 1) && !(fn->cfg[MSI_MASK] & 1)))
			deliver(p, 0);
		return;
	}
	if (fn->intx_nobuf)
		deliver(p, 0);
}
