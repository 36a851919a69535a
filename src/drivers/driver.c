/* What every driver shares: the configuration with its defaults checked
 * and filled in, taking a PCI device from its kernel driver, the link wait
 * at the end of opening, and closing a half-opened device. device.c calls
 * down into these and into the drivers; nothing here calls up into it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "error.h"
#include "memory/iova.h"
#include "num.h"
#include "ixy/device.h"
#include "ixy/pci.h"
#include "ixy/sim.h"

#define DEFAULT_RING_SIZE 512
#define DEFAULT_MIN_MEMPOOL 4096
#define DEFAULT_MAX_FRAME 1518
#define DEFAULT_LINK_TIMEOUT_MS 10000

static bool is_pow2(uint32_t v) { return v && !(v & (v - 1)); }

static int check_ring(const char *devname, const char *what, uint16_t *size)
{
	if (*size == 0)
		*size = DEFAULT_RING_SIZE;
	if (!is_pow2(*size) || *size < IXY_MIN_RING_SIZE || *size > IXY_MAX_RING_SIZE)
		return ixy_error(-EINVAL, "%s: %s %u is invalid: it must be a power of two from %u to %u "
				 "(the driver wraps ring indices with a mask)",
				 devname, what, *size, IXY_MIN_RING_SIZE, IXY_MAX_RING_SIZE);
	return 0;
}

static int check_queues(const char *devname, const char *what, uint16_t *n)
{
	if (*n == 0)
		*n = 1;
	if (*n > IXY_MAX_QUEUES)
		return ixy_error(-EINVAL, "%s: %s %u is invalid: 1 to %u are supported", devname, what, *n,
				 IXY_MAX_QUEUES);
	return 0;
}

/* The default register trace: one line per access on stderr. */
static void trace_stderr(void *arg, const struct ixy_reg_access *a)
{
	(void)arg;
	fprintf(stderr, "ixy %s: %s %-16s (0x%05x) %s 0x%08x\n", a->device, a->write ? "write" : "read ",
		a->name, a->reg, a->write ? "<-" : "->", a->value);
}

int ixy_config_resolve(const char *devname, const struct ixy_config *in, struct ixy_config_resolved *out)
{
	struct ixy_config *c = &out->c;
	int rc;

	memset(out, 0, sizeof(*out));
	if (in)
		*c = *in;
	if ((rc = check_queues(devname, "num_rx_queues", &c->num_rx_queues)) ||
	    (rc = check_queues(devname, "num_tx_queues", &c->num_tx_queues)) ||
	    (rc = check_ring(devname, "rx_ring_size", &c->rx_ring_size)) ||
	    (rc = check_ring(devname, "tx_ring_size", &c->tx_ring_size)))
		return rc;
	if (c->mempool_size == 0) {
		uint32_t want = (uint32_t)c->rx_ring_size + c->tx_ring_size;
		c->mempool_size = want > DEFAULT_MIN_MEMPOOL ? want : DEFAULT_MIN_MEMPOOL;
	}
	if (c->mempool_size <= c->rx_ring_size)
		return ixy_error(-EINVAL, "%s: mempool_size %u is too small: the RX ring alone holds %u buffers and "
				 "receiving needs spare ones; use at least rx_ring_size + tx_ring_size",
				 devname, c->mempool_size, c->rx_ring_size);
	if (c->max_frame_size == 0)
		c->max_frame_size = DEFAULT_MAX_FRAME;
	if (c->max_frame_size < 64 || c->max_frame_size > IXY_MAX_FRAME_SIZE)
		return ixy_error(-EINVAL, "%s: max_frame_size %u is invalid: 64 to %u bytes (including CRC)", devname,
				 c->max_frame_size, IXY_MAX_FRAME_SIZE);
	if (c->link_timeout_ms == 0)
		c->link_timeout_ms = DEFAULT_LINK_TIMEOUT_MS;
	if (c->numa_node == IXY_NUMA_DEVICE)
		out->numa_node = IXY_NUMA_RESOLVE_DEVICE;
	else if (c->numa_node == IXY_NUMA_NONE)
		out->numa_node = -1;
	else if (c->numa_node > 0)
		out->numa_node = c->numa_node - 1;
	else
		return ixy_error(-EINVAL, "%s: numa_node %d is invalid: use IXY_NUMA_DEVICE, IXY_NUMA_NONE or "
				 "IXY_NUMA_NODE(n)", devname, c->numa_node);
	/* the library's switches in the environment: 0 or 1, nothing else */
	static const char *const flags[] = { "IXY_TRACE", "IXY_RX_SCALAR", "IXY_SIM_VERBOSE", "IXY_NO_AVX2" };
	bool on[4];
	for (unsigned i = 0; i < 4; i++)
		if (ixy_env_flag(flags[i], &on[i]) < 0)
			return ixy_error(-EINVAL, "%s: environment variable %s=\"%s\" is not a switch: set it to 1 (on) "
					 "or 0 (off), or unset it", devname, flags[i], getenv(flags[i]));
	out->trace = c->trace || on[0];
	if (!out->c.trace_fn)
		out->c.trace_fn = trace_stderr;
	return 0;
}

int ixy_take_pci_device(struct ixy_pci_dev *pci, const struct ixy_config_resolved *cfg)
{
	const char *name = ixy_pci_name(pci);
	char drv[64];
	int rc;

	/* One driver per device: claim it before anything is changed. */
	if ((rc = ixy_pci_lock(pci)) < 0)
		return rc;

	/* Behind VFIO the device belongs to vfio-pci, which gave it to us:
	 * nothing to unbind. */
	if (ixy_pci_is_vfio(pci))
		return ixy_pci_enable_bus_master(pci);
	/* Without VFIO the device DMAs to physical addresses, but this
	 * process's DMA memory now has IOVAs as bus addresses. */
	if (ixy__iova_active())
		return ixy_error(-EBUSY, "%s: is not bound to vfio-pci, but this process already drives a device "
				 "through VFIO, whose DMA memory has IOVAs, not physical addresses: bind it to "
				 "vfio-pci too (scripts/bind-uio.sh %s --bind vfio-pci)", name, name);
	/* Before anything changes: without VFIO the device gets physical
	 * addresses, which a translating IOMMU turns into faults. */
	if ((rc = ixy_pci_check_iommu(pci)) < 0)
		return rc;
	/* The kernel driver would fight us over the registers and queues: take
	 * the device from it (refused while its interface is up, unless forced),
	 * unless the caller forbids unbinding altogether. */
	if (cfg->c.no_unbind) {
		rc = ixy_pci_driver(pci, drv, sizeof(drv));
		if (rc > 0)
			return ixy_error(-EBUSY, "%s: bound to kernel driver %s and no_unbind is set; unbind it "
					 "first (scripts/bind-uio.sh) or clear no_unbind", name, drv);
	} else {
		rc = ixy_pci_unbind(pci, cfg->c.force);
	}
	/* Unbinding clears Bus Master Enable: set it (and memory space) again. */
	if (rc < 0 || (rc = ixy_pci_enable_bus_master(pci)) < 0)
		return rc;
	return 0;
}

int ixy_driver_wait_link(struct ixy_device *dev, uint32_t timeout_ms)
{
	struct ixy_link link;
	int rc;

	for (uint32_t waited = 0;; waited++) {
		if ((rc = dev->ops->get_link(dev, &link)))
			return rc;
		if (link.up)
			return 0;
		if (dev->cancel && *dev->cancel)
			return ixy_error(-ECANCELED, "%s: waiting for the link was cancelled (ixy_config.cancel set, "
					 "e.g. by a signal)", dev->name);
		if (waited >= timeout_ms)
			return ixy_error(-ETIMEDOUT, "%s: link did not come up within %u ms (cable, transceiver or "
					 "link partner?)", dev->name, timeout_ms);
		if (dev->sim_stepped)
			ixy_sim_step(dev->sim);
		usleep(1000);
	}
}

static int wait_link(struct ixy_device *dev, const struct ixy_config *c, const char *hint, ixy_link_hint_fn fn)
{
	char buf[640];

	dev->cancel = c->cancel;
	int rc = ixy_driver_wait_link(dev, c->link_timeout_ms);
	if (rc != -ETIMEDOUT)
		return rc;
	if (c->link_optional) {
		ixy_clear_error();
		return 0;
	}
	if (fn) {
		buf[0] = '\0';
		fn(dev, buf, sizeof(buf));
		hint = buf;
	}
	return ixy_error(rc, "%s: link did not come up within %u ms (%s); raise ixy_config.link_timeout_ms or "
			 "set link_optional to open anyway", dev->name, c->link_timeout_ms, hint);
}

int ixy_open_wait_link(struct ixy_device *dev, const struct ixy_config *c, const char *hint)
{
	return wait_link(dev, c, hint, NULL);
}

int ixy_open_wait_link_fn(struct ixy_device *dev, const struct ixy_config *c, ixy_link_hint_fn hint)
{
	return wait_link(dev, c, "", hint);
}

struct ixy_device *ixy_close_after_failure(struct ixy_device *dev, int err)
{
	/* Closing may record messages of its own: keep the failure's. */
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", ixy_last_error());
	dev->ops->close(dev);
	ixy_error(err, "%s", msg);
	return NULL;
}
