/* ixy-simd: memory accesses to the function's BARs.
 *
 * BAR0 is the 82599's register file: every access goes to the model's
 * ixy_sim_reg_read/ixy_sim_reg_write, so read side effects (read-to-clear
 * statistics and EICR, CTRL.RST self-clearing, the link state machine) are
 * the model's own. The registers are 32 bits wide (datasheet 8.1: "all
 * registers are 32 bits"): a 64-bit access is two register accesses, low
 * dword first; a narrower write is merged with the register's current
 * value (no read side effect), a narrower read returns its bytes.
 *
 * BAR4 holds the MSI-X table (64 entries of 16 bytes at 0) and the pending
 * bit array (at 0x2000), kept here rather than in the model: they belong
 * to the PCI function, and the interrupt side reads them.
 *
 * Accesses that do not fall inside a BAR of ours, or arrive while memory
 * space is disabled in the command register, are refused with a log line;
 * a refused read returns all ones, as an unsupported request does on PCIe.
 */
#include <string.h>

#include "simd.h"

static bool check(struct simd_port *p, unsigned bar, uint64_t off, uint32_t size, const char *what)
{
	uint32_t len = simd_bar_size(bar);
	if (!len) {
		simd_refuse(p, "%s of %u bytes at 0x%llx of BAR%u: the function has no such memory BAR (BAR0 and BAR4)",
			    what, size, (unsigned long long)off, bar);
		return false;
	}
	if (size == 0 || off >= len || size > len - off) {
		simd_refuse(p, "%s of %u bytes at 0x%llx of BAR%u: outside the BAR (%u bytes)", what, size,
			    (unsigned long long)off, bar, len);
		return false;
	}
	pthread_mutex_lock(&p->lock);
	bool mem = simd_fn_memory_enabled(&p->fn);
	pthread_mutex_unlock(&p->lock);
	if (!mem) {
		simd_refuse(p, "%s at 0x%llx of BAR%u while memory space is disabled (command register bit 1)", what,
			    (unsigned long long)off, bar);
		return false;
	}
	return true;
}

/* ---- BAR0: the model's register file ---- */

static void regs_read(struct simd_port *p, uint32_t off, uint8_t *buf, uint32_t size)
{
	while (size) {
		uint32_t reg = off & ~3u, skip = off & 3u, n = 4 - skip < size ? 4 - skip : size;
		uint32_t v = ixy_sim_reg_read(p->sim, reg);
		memcpy(buf, (uint8_t *)&v + skip, n);
		buf += n;
		off += n;
		size -= n;
	}
}

static void regs_write(struct simd_port *p, uint32_t off, const uint8_t *buf, uint32_t size)
{
	while (size) {
		uint32_t reg = off & ~3u, skip = off & 3u, n = 4 - skip < size ? 4 - skip : size;
		uint32_t v = 0;
		if (n < 4) {
			/* the rest of the register from its image, without a read side effect */
			volatile uint8_t *img = ixy_sim_bar0(p->sim, NULL);
			v = *(volatile uint32_t *)(img + reg);
		}
		memcpy((uint8_t *)&v + skip, buf, n);
		ixy_sim_reg_write(p->sim, reg, v);
		buf += n;
		off += n;
		size -= n;
	}
}

/* ---- BAR4: MSI-X table and PBA ---- */

static void msix_read(struct simd_port *p, uint32_t off, uint8_t *buf, uint32_t size)
{
	pthread_mutex_lock(&p->lock);
	for (uint32_t i = 0; i < size; i++, off++) {
		uint8_t b = 0;
		if (off < sizeof(p->fn.msix))
			b = ((const uint8_t *)p->fn.msix)[off];
		else if (off >= SIMD_MSIX_PBA && off < SIMD_MSIX_PBA + 8)
			b = (uint8_t)(p->fn.pba >> (8 * (off - SIMD_MSIX_PBA)));
		buf[i] = b;
	}
	pthread_mutex_unlock(&p->lock);
}

static void msix_write(struct simd_port *p, uint32_t off, const uint8_t *buf, uint32_t size)
{
	bool unmasked = false, ignored = false;
	pthread_mutex_lock(&p->lock);
	for (uint32_t i = 0; i < size; i++, off++) {
		if (off >= sizeof(p->fn.msix)) {
			ignored = true;	/* the PBA is read-only; the rest of the BAR is reserved */
			continue;
		}
		struct simd_msix_entry *e = &p->fn.msix[off / 16];
		bool was = e->ctrl & 1;
		((uint8_t *)p->fn.msix)[off] = buf[i];
		if (off % 16 >= 12)
			e->ctrl &= 1;	/* only the mask bit is writable in vector control */
		if (was && !(e->ctrl & 1))
			unmasked = true;
	}
	if (unmasked)
		simd_irq_flush_locked(p);
	pthread_mutex_unlock(&p->lock);
	if (ignored)
		simd_refuse(p, "write to BAR4 offset 0x%x: PBA or reserved, read-only", off - size);
}

bool simd_bar_read(struct simd_port *p, unsigned bar, uint64_t off, uint8_t *buf, uint32_t size)
{
	if (!check(p, bar, off, size, "read")) {
		memset(buf, 0xff, size);
		return false;
	}
	if (bar == 0)
		regs_read(p, (uint32_t)off, buf, size);
	else
		msix_read(p, (uint32_t)off, buf, size);
	return true;
}

bool simd_bar_write(struct simd_port *p, unsigned bar, uint64_t off, const uint8_t *buf, uint32_t size)
{
	if (!check(p, bar, off, size, "write"))
		return false;
	if (bar == 0)
		regs_write(p, (uint32_t)off, buf, size);
	else
		msix_write(p, (uint32_t)off, buf, size);
	return true;
}
