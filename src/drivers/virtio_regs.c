/* The virtio control-path register accessor and its trace (legacy
 * offsets; a modern device's are translated, see modern_reg).
 *
 * A legacy virtio PCI device exposes its registers in an I/O-port BAR
 * (4.1.4.8), which user space cannot mmap: the kernel offers it through
 * pread/pwrite on sysfs resource0 (ixy_pci_bar_read/_write), one system
 * call per access. That is fine for the control path, and the data path
 * needs just one access per batch: the queue notify. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>

#include "drivers/virtio.h"
#include "error.h"

static const struct {
	uint32_t off;
	const char *name;
} regs[] = {
	{ VIRTIO_REG_DEVICE_FEATURES, "DEVICE_FEATURES" }, { VIRTIO_REG_GUEST_FEATURES, "GUEST_FEATURES" },
	{ VIRTIO_REG_QUEUE_PFN, "QUEUE_PFN" },             { VIRTIO_REG_QUEUE_SIZE, "QUEUE_SIZE" },
	{ VIRTIO_REG_QUEUE_SELECT, "QUEUE_SELECT" },       { VIRTIO_REG_QUEUE_NOTIFY, "QUEUE_NOTIFY" },
	{ VIRTIO_REG_DEVICE_STATUS, "DEVICE_STATUS" },     { VIRTIO_REG_ISR_STATUS, "ISR_STATUS" },
};

const char *virtio_reg_name(const struct virtio_dev *d, uint32_t off, char *buf, size_t len)
{
	if (off >= d->config_base) {
		snprintf(buf, len, "CONFIG+%u", off - d->config_base);
		return buf;
	}
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (regs[i].off == off) {
			snprintf(buf, len, "%s", regs[i].name);
			return buf;
		}
	}
	snprintf(buf, len, "0x%02x", off);
	return buf;
}

static void trace(struct virtio_dev *d, bool write, uint32_t off, uint32_t val)
{
	char name[32];
	struct ixy_reg_access a = {
		.device = d->ixy.name,
		.write = write,
		.reg = off,
		.value = val,
		.name = virtio_reg_name(d, off, name, sizeof(name)),
	};
	d->trace_fn(d->trace_arg, &a);
}

/* A modern device has the same registers in its common configuration,
 * ISR and device configuration structures (4.1.4.3, 4.1.4.5, 4.1.4.6):
 * the control path keeps naming them by their legacy offsets and this
 * finds the place. Feature, queue address and notify registers differ in
 * shape and are written by virtio_modern.c itself. NULL if there is no
 * such register. */
static volatile uint8_t *modern_reg(struct virtio_dev *d, uint32_t off, int width)
{
	if (off >= d->config_base)
		return off - d->config_base + (uint32_t)width <= d->devcfg_len ? d->devcfg + (off - d->config_base)
									     : NULL;
	switch (off) {
	case VIRTIO_REG_DEVICE_STATUS: return d->common + VIRTIO_COMMON_STATUS;
	case VIRTIO_REG_QUEUE_SELECT: return d->common + VIRTIO_COMMON_Q_SELECT;
	case VIRTIO_REG_QUEUE_SIZE: return d->common + VIRTIO_COMMON_Q_SIZE;
	case VIRTIO_REG_ISR_STATUS: return d->isr;
	default: return NULL;
	}
}

static int modern_rw(struct virtio_dev *d, bool write, uint32_t off, int width, uint32_t *v)
{
	char name[32];
	volatile uint8_t *p = modern_reg(d, off, width);

	if (!p)
		return ixy_error(-EINVAL, "%s: register %s has no place in a virtio 1.0 device", d->ixy.name,
				 virtio_reg_name(d, off, name, sizeof(name)));
	if (width == 1) {
		if (write)
			*p = (uint8_t)*v;
		else
			*v = *p;
	} else if (width == 2) {
		if (write)
			*(volatile uint16_t *)p = (uint16_t)*v;
		else
			*v = *(volatile uint16_t *)p;
	} else {
		if (write)
			*(volatile uint32_t *)p = *v;
		else
			*v = *(volatile uint32_t *)p;
	}
	return 0;
}

uint32_t virtio_read(struct virtio_dev *d, uint32_t off, int width)
{
	uint32_t v;
	int rc = d->modern ? modern_rw(d, false, off, width, &v) : ixy_pci_bar_read(d->pci, 0, off, width, &v);

	if (rc) {
		if (!d->io_error)
			d->io_error = rc;  /* the pci layer's message names the file */
		v = 0xFFFFFFFFu >> (32 - 8 * width);
	}
	if (d->trace)
		trace(d, false, off, v);
	return v;
}

void virtio_write(struct virtio_dev *d, uint32_t off, int width, uint32_t val)
{
	if (d->trace)
		trace(d, true, off, val);
	int rc = d->modern ? modern_rw(d, true, off, width, &val) : ixy_pci_bar_write(d->pci, 0, off, width, val);
	if (rc && !d->io_error)
		d->io_error = rc;
}

int virtio_io_check(struct virtio_dev *d, const char *what)
{
	if (!d->io_error)
		return 0;
	ixy_error_prefix("%s: %s", d->ixy.name, what);
	return d->io_error;
}

void virtio_notify(struct virtio_queue *q)
{
	/* The new avail->idx must be visible before we read the device's
	 * flags, or we could miss its switch back to "notify me" and leave
	 * it waiting (2.4.7.2 asks for a full barrier here). */
	atomic_thread_fence(memory_order_seq_cst);
	if (q->used->flags & VIRTQ_USED_F_NO_NOTIFY)
		return;
	/* modern: one store to the queue's notify address (4.1.4.4) */
	if (q->notify_reg)
		*q->notify_reg = q->index;
	else
		(void)ixy_pci_bar_write(q->pci, 0, VIRTIO_REG_QUEUE_NOTIFY, 2, q->index);
}
