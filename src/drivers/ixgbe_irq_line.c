/* ixgbe RX interrupts on one line: MSI, or INTx, when the device (or the
 * platform) offers no MSI-X or too few vectors (datasheet 7.3.1, 7.3.4).
 *
 * Then GPIE.MSIX_MODE is clear and every queue cause is a bit of EICR
 * (IVAR's entry selects it: queue q -> bit q, so at most 16 queues); one
 * interrupt, vector 0, is asserted while EICR & EIMS is not 0. VFIO
 * delivers it to one eventfd, and a small thread here does what an
 * interrupt handler does: it reads EICR (which clears the causes and
 * deasserts the line), takes the bits that are unmasked, masks them (as
 * the MSI-X vectors mask themselves with EIAM) and signals each queue's
 * own eventfd; for INTx it then unmasks the line in VFIO, which masked it
 * when it fired. So the public API is the same in every mode: one fd per
 * RX queue, armed and waited on as with MSI-X.
 *
 * No frame is stranded: the thread writes a queue's fd after masking it,
 * so a waiter that armed in between is woken and arms again (device_irq.c
 * takes a wakeup without packets as such).
 *
 * EIAM stays 0 for the queue bits: without GPIE.EIAME the EICR read masks
 * the EIAM bits, which would mask armed queues that did not fire. */
#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "drivers/ixgbe.h"
#include "error.h"

static void *line_main(void *arg)
{
	struct ixgbe_dev *d = arg;
	struct pollfd p[2] = { { .fd = d->line_fd, .events = POLLIN }, { .fd = d->line_stop_fd, .events = POLLIN } };

	int err = 0;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (p[1].revents)
			break;  /* ixgbe_line_stop */
		if (p[0].revents & (POLLERR | POLLNVAL)) {
			err = EBADF;
			break;
		}
		if (!(p[0].revents & POLLIN))
			continue;
		uint64_t n;
		if (read(d->line_fd, &n, sizeof(n)) < 0 && errno != EAGAIN) {
			err = errno;
			break;
		}
		uint32_t cause = ixgbe_read(d, IXGBE_EICR);  /* clears: the line drops */
		if (d->gone) {
			err = ENODEV;  /* all ones: nothing to demultiplex any more */
			break;
		}
		uint32_t fire = cause & ixgbe_read(d, IXGBE_EIMS) & IXGBE_EICR_RTXQ;
		pthread_mutex_lock(&d->line_lock);
		if (fire)
			ixgbe_write(d, IXGBE_EIMC, fire);
		for (uint32_t f = fire; f; f &= f - 1) {
			int fd = d->irq_fd[__builtin_ctz(f)];
			uint64_t one = 1;
			if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
				/* only a full counter fails: it is readable anyway */
			}
		}
		pthread_mutex_unlock(&d->line_lock);
		(void)ixy_pci_irq_unmask(d->pci);  /* INTx; nothing for MSI */
	}
	if (err) {
		/* Not silent: the next statistics read reports it, and every
		 * waiter is woken now (it polls its ring and finds what is there)
		 * instead of sleeping until its timeout on an interrupt that can
		 * no longer come. */
		__atomic_store_n(&d->line_err, err, __ATOMIC_RELEASE);
		pthread_mutex_lock(&d->line_lock);
		for (unsigned q = 0; q < IXGBE_MSIX_VECTORS; q++) {
			uint64_t one = 1;
			if (d->irq_fd[q] >= 0 && write(d->irq_fd[q], &one, sizeof(one)) < 0) {
				/* only a full counter fails: it is readable anyway */
			}
		}
		pthread_mutex_unlock(&d->line_lock);
	}
	return NULL;
}

int ixgbe_line_start(struct ixgbe_dev *d)
{
	int rc;

	d->line_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	d->line_stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->line_fd < 0 || d->line_stop_fd < 0) {
		rc = ixy_error(-errno, "%s: eventfd for the interrupt line: %s (check ulimit -n)", d->ixy.name,
			       ixy_strerror(-errno));
		goto fail;
	}
	ixgbe_write(d, IXGBE_EIMC, IXGBE_EIMC_ALL);
	ixgbe_clear_bits(d, IXGBE_GPIE, IXGBE_GPIE_MSIX_MODE | IXGBE_GPIE_PBA_SUPPORT | IXGBE_GPIE_OCD |
			 IXGBE_GPIE_EIAME);
	ixgbe_write(d, IXGBE_EIAC, 0);
	ixgbe_write(d, IXGBE_EIAM, 0);
	(void)ixgbe_read(d, IXGBE_EICR);  /* old causes must not fire the line at once */
	d->line_err = 0;
	if ((rc = ixy_pci_irq_set_eventfd(d->pci, 0, d->line_fd)))
		goto fail;
	if ((rc = -pthread_create(&d->line_thread, NULL, line_main, d))) {
		(void)ixy_pci_irq_set_eventfd(d->pci, 0, -1);
		ixy_error(rc, "%s: cannot start the interrupt thread: %s", d->ixy.name, ixy_strerror(rc));
		goto fail;
	}
	d->line_on = true;
	return 0;
fail:
	if (d->line_fd >= 0)
		close(d->line_fd);
	if (d->line_stop_fd >= 0)
		close(d->line_stop_fd);
	d->line_fd = d->line_stop_fd = -1;
	return rc;
}

void ixgbe_line_stop(struct ixgbe_dev *d)
{
	if (!d->line_on)
		return;
	uint64_t one = 1;
	if (write(d->line_stop_fd, &one, sizeof(one)) < 0) {
		/* cannot fail: a fresh eventfd, written once */
	}
	pthread_join(d->line_thread, NULL);
	(void)ixy_pci_irq_set_eventfd(d->pci, 0, -1);
	close(d->line_fd);
	close(d->line_stop_fd);
	d->line_fd = d->line_stop_fd = -1;
	d->line_on = false;
}

/* Route queue's cause to its eventfd (efd) or away from it (-1): under
 * the lock, so that once this returns the thread no longer writes the old
 * fd (the caller closes it). */
void ixgbe_line_route(struct ixgbe_dev *d, uint16_t queue, int efd)
{
	pthread_mutex_lock(&d->line_lock);
	d->irq_fd[queue] = efd;
	pthread_mutex_unlock(&d->line_lock);
}
