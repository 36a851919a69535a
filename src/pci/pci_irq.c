/* Interrupts of a PCI device, as eventfds (one per MSI-X vector).
 *
 * Only a VFIO-bound device can deliver interrupts to a process: the kernel
 * then signals an eventfd per vector (VFIO_DEVICE_SET_IRQS with
 * VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER on the MSI-X
 * index). The sysfs/uio path this layer has today maps BAR0 through
 * resource0 and has no interrupt at all (uio_pci_generic offers INTx only,
 * and only while bound to it), so it says so clearly. The VFIO backend
 * (pci_vfio.c) implements this one call; the drivers and the public API
 * above stay as they are. */
#include <errno.h>

#include "error.h"
#include "pci/pci_internal.h"
#include "pci/pci_vfio.h"

int ixy_pci_irq_set_eventfd(struct ixy_pci_dev *dev, unsigned vector, int efd)
{
	(void)vector;
	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_irq_set_eventfd: no device given");
	if (dev->vfio)
		return ixy__vfio_irq_set_eventfd(dev, vector, efd);
	if (efd < 0)
		return 0;  /* nothing was ever delivered: nothing to stop */
	return ixy_error(-ENOTSUP, "%s: this device has no interrupt delivery: interrupts need the VFIO "
			 "backend: bind the device to vfio-pci (scripts/bind-uio.sh %s --bind vfio-pci), which "
			 "delivers its MSI-X vectors as eventfds; the sysfs/uio backend only polls: use "
			 "ixy_rx_batch", dev->name, dev->name);
}
