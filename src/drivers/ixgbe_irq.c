/* ixgbe RX queue interrupts: MSI-X, one vector per RX queue (datasheet 7.3,
 * registers 8.2.3.5).
 *
 * Programming, once for the device (the first queue enabled):
 *   EIMC_EX   every vector masked before the mode changes
 *   GPIE      MSIX_MODE, PBA_SUPPORT, OCD, EIAME: the settings Linux's ixgbe
 *             uses with MSI-X
 *   EIAC      the queue causes clear themselves when their message is sent,
 *             so a fired vector does not fire again for the same frames
 *   EIAM_EX   and each vector masks itself when its message is sent
 *             (EIAME): after firing it stays quiet until armed again, so the
 *             thread that polls after a wakeup is not disturbed
 * and per queue q (vector q):
 *   IVAR      the RX entry of q: valid, vector q (the TX entry stays unused)
 *   EITR[q]   the throttle interval (bits 11:3 in 2 us), with CNT_WDIS so
 *             the write does not end a running interval and fire at once
 *   routing   the vector's eventfd: a handler registered with the sim port
 *             writes it; on PCI the pci layer (VFIO, later) does
 * Arming (ixy_rx_interrupt_arm, from the queue's thread): drop the vector's
 * stale cause (EICR bit, vectors 0..15 have one; frames received while
 * polling set it), then unmask it (EIMS_EX). Disarming: EIMC_EX. Both are
 * write-1 registers: no read-modify-write, so threads of other queues may
 * arm theirs at the same time.
 *
 * Behind VFIO the kind of interrupt is chosen at the first enable
 * (ixy_pci_irq_setup): MSI-X when the device has a vector per RX queue,
 * else MSI or INTx, one line for all queues (ixgbe_irq_line.c). Sim ports
 * always use MSI-X. */
#include <errno.h>
#include <unistd.h>

#include "drivers/ixgbe.h"
#include "error.h"

static unsigned rx_vector(uint16_t queue)
{
	return queue;  /* IXY_MAX_QUEUES <= IXGBE_MSIX_VECTORS */
}

/* The sim port's interrupt handler: called with the port's lock held, from
 * the engine thread or a register access; it only writes the eventfd of
 * the vector (write(2) on an eventfd never blocks with EFD_NONBLOCK, and
 * fails only if the counter would overflow, when it is readable anyway). */
static void sim_irq(void *ctx, unsigned vector)
{
	struct ixgbe_dev *d = ctx;
	if (vector >= IXGBE_MSIX_VECTORS)
		return;
	int fd = __atomic_load_n(&d->irq_fd[vector], __ATOMIC_ACQUIRE);
	uint64_t one = 1;
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* nothing to do: the fd is readable already */
	}
}

/* Deliver vector to efd (-1: stop). */
static int route(struct ixgbe_dev *d, unsigned vector, int efd)
{
	if (!d->sim)
		return ixy_pci_irq_set_eventfd(d->pci, vector, efd);
	__atomic_store_n(&d->irq_fd[vector], efd, __ATOMIC_RELEASE);
	if (!d->sim_irq_handler && efd >= 0) {
		int rc = ixy_sim_set_irq_handler(d->sim, sim_irq, d);
		if (rc)
			return rc;
		d->sim_irq_handler = true;
	}
	return 0;
}

static void setup_msix(struct ixgbe_dev *d)
{
	ixgbe_write(d, IXGBE_EIMC_EX(0), 0xFFFFFFFFu);
	ixgbe_write(d, IXGBE_EIMC_EX(1), 0xFFFFFFFFu);
	ixgbe_set_bits(d, IXGBE_GPIE, IXGBE_GPIE_MSIX_MODE | IXGBE_GPIE_PBA_SUPPORT | IXGBE_GPIE_OCD |
			   IXGBE_GPIE_EIAME);
	ixgbe_set_bits(d, IXGBE_EIAC, IXGBE_EICR_RTXQ);
	ixgbe_write(d, IXGBE_EIAM_EX(0), 0xFFFFFFFFu);
	ixgbe_write(d, IXGBE_EIAM_EX(1), 0xFFFFFFFFu);
	d->msix_ready = true;
}

static void set_ivar_rx(struct ixgbe_dev *d, uint16_t queue, uint32_t entry)
{
	uint32_t shift = IXGBE_IVAR_RX_SHIFT(queue);
	uint32_t iv = ixgbe_read(d, IXGBE_IVAR(queue / 2u));
	iv = (iv & ~(0xFFu << shift)) | entry << shift;
	ixgbe_write(d, IXGBE_IVAR(queue / 2u), iv);
}

static inline bool line_mode(const struct ixgbe_dev *d)
{
	return d->irq_type == IXY_PCI_IRQ_MSI || d->irq_type == IXY_PCI_IRQ_INTX;
}

/* In MSI/INTx mode the queue bits are those of EIMS/EIMC (the _EX
 * registers belong to MSI-X mode). */
static inline void mask_vector(struct ixgbe_dev *d, unsigned v)
{
	if (line_mode(d))
		ixgbe_write(d, IXGBE_EIMC, 1u << v);
	else
		ixgbe_write(d, IXGBE_EIMC_EX(v / 32u), 1u << (v % 32u));
}

/* The first queue's enable: which kind of interrupt the device gets. */
static int choose_kind(struct ixgbe_dev *d)
{
	if (d->irq_type != IXY_PCI_IRQ_NONE)
		return 0;
	if (d->sim) {
		d->irq_type = IXY_PCI_IRQ_MSIX;
		return 0;
	}
	int rc = ixy_pci_irq_setup(d->pci, d->ixy.num_rx_queues, NULL);
	if (rc < 0)
		return rc;
	d->irq_type = (enum ixy_pci_irq_type)rc;
	return 0;
}

/* MSI/INTx: queue's cause is EICR bit `queue`; the line thread signals. */
static int enable_on_line(struct ixgbe_dev *d, uint16_t queue, int efd, uint32_t itr)
{
	int rc;

	if (queue >= 16)
		return ixy_error(-EINVAL, "%s: RX queue %u: with %s (no MSI-X vector per queue) only queues "
				 "0..15 have an interrupt cause (EICR bits 15:0)", d->ixy.name, queue,
				 d->irq_type == IXY_PCI_IRQ_MSI ? "MSI" : "INTx");
	if (d->line_on && __atomic_load_n(&d->line_err, __ATOMIC_ACQUIRE))
		ixgbe_line_stop(d);  /* a thread that died on an error: start a new one */
	if (!d->line_on && (rc = ixgbe_line_start(d)))
		return rc;
	mask_vector(d, queue);  /* until armed */
	ixgbe_write(d, IXGBE_EITR(0), itr);  /* the line's throttle: the last one asked for */
	set_ivar_rx(d, queue, IXGBE_IVAR_VALID | queue);
	ixgbe_line_route(d, queue, efd);
	return 0;
}

int ixgbe_rx_irq_enable(struct ixy_device *dev, uint16_t queue, int efd, const struct ixy_irq_config *cfg)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	unsigned v = rx_vector(queue);
	int rc;

	if (cfg->throttle_us > IXGBE_EITR_MAX_US)
		return ixy_error(-EINVAL, "%s: RX queue %u: throttle of %u us is longer than the %u us the "
				 "NIC's interrupt throttle (EITR) can hold", dev->name, queue, cfg->throttle_us,
				 IXGBE_EITR_MAX_US);
	if (d->gone)
		return ixy_error(-ENODEV, "%s: the device is gone (registers read all ones)", dev->name);
	if ((rc = choose_kind(d)))
		return rc;  /* e.g. no interrupt delivery on this backend: nothing was touched */
	/* round up: a throttle asked for is never shortened */
	uint32_t units = (cfg->throttle_us + 1u) / 2u;
	uint32_t itr = (units << IXGBE_EITR_ITR_SHIFT) | IXGBE_EITR_CNT_WDIS;
	if (line_mode(d))
		return enable_on_line(d, queue, efd, itr);
	if ((rc = route(d, v, efd)))
		return rc;
	if (!d->msix_ready)
		setup_msix(d);
	mask_vector(d, v);  /* until armed */
	ixgbe_write(d, IXGBE_EITR(v), itr);
	set_ivar_rx(d, queue, IXGBE_IVAR_VALID | v);
	return 0;
}

void ixgbe_rx_irq_disable(struct ixy_device *dev, uint16_t queue)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	unsigned v = rx_vector(queue);

	if (!d->gone) {
		mask_vector(d, v);
		set_ivar_rx(d, queue, 0);
	}
	if (line_mode(d))
		ixgbe_line_route(d, queue, -1);
	else
		(void)route(d, v, -1);
}

void ixgbe_rx_irq_arm(struct ixy_device *dev, uint16_t queue)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	unsigned v = rx_vector(queue);

	/* A cause left from frames received while polling would fire the
	 * moment the vector is unmasked, for frames already taken. Vectors
	 * 16..63 have no EICR bit: for them that costs one early wakeup,
	 * which the waiter takes as such and arms again. */
	if (v < 16)
		ixgbe_write(d, IXGBE_EICR, 1u << v);
	if (line_mode(d))
		ixgbe_write(d, IXGBE_EIMS, 1u << v);
	else
		ixgbe_write(d, IXGBE_EIMS_EX(v / 32u), 1u << (v % 32u));
}

void ixgbe_rx_irq_disarm(struct ixy_device *dev, uint16_t queue)
{
	mask_vector(to_ixgbe(dev), rx_vector(queue));
}

bool ixgbe_rx_ready(struct ixy_device *dev, uint16_t queue)
{
	struct ixgbe_rx_queue *q = &to_ixgbe(dev)->rxq[queue];
	/* the same DD bit the receive loop looks at (write-back format 7.1.6.2) */
	return q->ring[q->next].wb.status_error & IXGBE_RXD_STAT_DD;
}

void ixgbe_irq_shutdown(struct ixgbe_dev *d)
{
	if (d->msix_ready && !d->gone) {
		ixgbe_write(d, IXGBE_EIMC_EX(0), 0xFFFFFFFFu);
		ixgbe_write(d, IXGBE_EIMC_EX(1), 0xFFFFFFFFu);
	}
	if (d->line_on && !d->gone)
		ixgbe_write(d, IXGBE_EIMC, IXGBE_EIMC_ALL);
	ixgbe_line_stop(d);
	if (d->sim_irq_handler) {
		(void)ixy_sim_set_irq_handler(d->sim, NULL, NULL);
		d->sim_irq_handler = false;
	}
}
