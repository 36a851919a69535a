/* Interrupts of a PCI device, as eventfds.
 *
 * Only a VFIO-bound device can deliver interrupts to a process: the kernel
 * then signals an eventfd per vector (VFIO_DEVICE_SET_IRQS with
 * VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER on the MSI-X, MSI
 * or INTx index). The sysfs/uio path maps BAR0 through resource0 and has
 * no interrupt at all (uio_pci_generic offers INTx only, and only while
 * bound to it), so it says so clearly. The VFIO backend (pci_vfio.c)
 * implements these calls; the drivers and the public API above stay as
 * they are. */
#include <errno.h>

#include "error.h"
#include "pci/pci_internal.h"
#include "pci/pci_vfio.h"

static int no_irqs(struct ixy_pci_dev *dev)
{
	return ixy_error(-ENOTSUP, "%s: this device has no interrupt delivery: interrupts need the VFIO "
			 "backend: bind the device to vfio-pci (scripts/bind-uio.sh %s --bind vfio-pci), which "
			 "delivers its MSI-X, MSI or INTx interrupts as eventfds; the sysfs/uio backend only "
			 "polls: use ixy_rx_batch", dev->name, dev->name);
}

int ixy_pci_irq_setup(struct ixy_pci_dev *dev, unsigned want, unsigned *vectors)
{
	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_irq_setup: no device given");
	return dev->vfio ? ixy__vfio_irq_setup(dev, want, vectors) : no_irqs(dev);
}

int ixy_pci_irq_set_eventfd(struct ixy_pci_dev *dev, unsigned vector, int efd)
{
	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_irq_set_eventfd: no device given");
	if (dev->vfio)
		return ixy__vfio_irq_set_eventfd(dev, vector, efd);
	if (efd < 0)
		return 0;  /* nothing was ever delivered: nothing to stop */
	return no_irqs(dev);
}

int ixy_pci_irq_unmask(struct ixy_pci_dev *dev)
{
	return dev && dev->vfio ? ixy__vfio_irq_unmask(dev) : 0;
}

int ixy_pci_check(struct ixy_pci_dev *dev)
{
	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_check: no device given");
	return dev->vfio ? ixy__vfio_check(dev) : 0;
}

int ixy_pci_event_fd(const struct ixy_pci_dev *dev)
{
	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_event_fd: no device given");
	return dev->vfio ? dev->vfio->req_fd : -1;
}
