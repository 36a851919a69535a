/* ixy-simd: the PCI function of an 82599 port (datasheet 9.3 and 9.4).
 *
 * The config space is what lspci shows for an X520 port, less the I/O BAR
 * (which the EEPROM can disable, and UML has no port I/O), VPD and the
 * extended capabilities (AER, serial number, ARI, SR-IOV: the extended
 * list is empty). The capability offsets are the card's own, and they
 * matter: Linux's ixgbe reads the MSI-X table size at 0x72 and the PCIe
 * device status at 0xAA and writes device control 2 at 0xC8 by fixed offset.
 *
 *   0x10 BAR0/1  64-bit memory, 128 KiB: the register file (the model)
 *   0x20 BAR4/5  64-bit memory, 16 KiB: MSI-X table (0) and PBA (0x2000)
 *   0x40 PM      version 3, PME from D0/D3hot/D3cold
 *   0x50 MSI     64-bit, per-vector masking, one message
 *   0x70 MSI-X   64 vectors, table and PBA in BAR4
 *   0xA0 PCIe    v2 endpoint, 5 GT/s x8, max payload 512, FLR
 *
 * Each byte has a write mask (and a write-1-to-clear mask); bits outside
 * them keep their value whatever is written. BAR sizing works as on
 * hardware: the address bits below the size are not writable.
 */
#include <stdio.h>
#include <string.h>

#include "simd.h"

/* PCI 3.0 header fields */
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_CMD_MEM		(1u << 1)
#define PCI_CMD_MASTER		(1u << 2)
#define PCI_CMD_PARITY		(1u << 6)
#define PCI_CMD_SERR		(1u << 8)
#define PCI_CMD_INTX_DIS	(1u << 10)
#define PCI_STATUS_CAPS		(1u << 4)
#define PCI_BAR_MEM64		0x4	/* type 10b: 64-bit, anywhere */

/* capability registers */
#define MSI_CTRL	(SIMD_CAP_MSI + 2)
#define MSI_MASK	(SIMD_CAP_MSI + 0x10)
#define MSIX_CTRL	(SIMD_CAP_MSIX + 2)
#define PCIE_DEVCTL	(SIMD_CAP_PCIE + 8)
#define PCIE_DEVCTL_FLR	(1u << 15)

static void put8(struct simd_fn *fn, unsigned off, uint8_t v) { fn->cfg[off] = v; }
static void put16(struct simd_fn *fn, unsigned off, uint16_t v) { memcpy(&fn->cfg[off], &v, 2); }
static void put32(struct simd_fn *fn, unsigned off, uint32_t v) { memcpy(&fn->cfg[off], &v, 4); }
static uint16_t get16(const struct simd_fn *fn, unsigned off) { uint16_t v; memcpy(&v, &fn->cfg[off], 2); return v; }
static void wm16(struct simd_fn *fn, unsigned off, uint16_t m) { memcpy(&fn->wmask[off], &m, 2); }
static void wm32(struct simd_fn *fn, unsigned off, uint32_t m) { memcpy(&fn->wmask[off], &m, 4); }
static void w1c16(struct simd_fn *fn, unsigned off, uint16_t m) { memcpy(&fn->w1c[off], &m, 2); }

uint32_t simd_bar_size(unsigned bar)
{
	return bar == 0 ? SIMD_BAR0_SIZE : bar == 4 ? SIMD_BAR4_SIZE : 0;
}

/* The subsystem of a real board with this device id (pci.ids). */
static uint16_t subsystem_of(uint16_t device_id)
{
	switch (device_id) {
	case 0x10f8:
		return 0x000c;	/* 82599 10 Gigabit Dual Port Backplane: X520-4 mezzanine (KX4/KR) */
	default:
		return 0x0003;	/* 82599ES SFP+: Ethernet Server Adapter X520-2 */
	}
}

void simd_fn_reset(struct simd_fn *fn)
{
	uint16_t dev = fn->device_id;
	memset(fn, 0, sizeof(*fn));
	fn->device_id = dev;

	/* header (9.3.2) */
	put16(fn, 0x00, 0x8086);
	put16(fn, 0x02, dev);
	wm16(fn, PCI_COMMAND, PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_PARITY | PCI_CMD_SERR | PCI_CMD_INTX_DIS);
	put16(fn, PCI_STATUS, PCI_STATUS_CAPS);
	w1c16(fn, PCI_STATUS, 0xf900);	/* parity, target/master aborts, SERR, parity error */
	put8(fn, 0x08, 0x01);		/* revision: 82599 B0 */
	put8(fn, 0x09, 0x00);		/* class 02 (network) 00 (Ethernet), prog-if 0 */
	put8(fn, 0x0a, 0x00);
	put8(fn, 0x0b, 0x02);
	fn->wmask[0x0c] = 0xff;		/* cache line size */
	put8(fn, 0x0e, 0x00);		/* header type 0, one function in this slot */
	for (unsigned bar = 0; bar < 6; bar += 4) {
		unsigned off = 0x10 + 4 * bar;
		put32(fn, off, PCI_BAR_MEM64);
		wm32(fn, off, ~(simd_bar_size(bar) - 1));
		wm32(fn, off + 4, 0xffffffffu);
	}
	put16(fn, 0x2c, 0x8086);	/* subsystem vendor */
	put16(fn, 0x2e, subsystem_of(dev));
	put8(fn, 0x34, SIMD_CAP_PM);
	fn->wmask[0x3c] = 0xff;		/* interrupt line */
	put8(fn, 0x3d, 0x01);		/* INTA# */

	/* power management (9.3.8) */
	put8(fn, SIMD_CAP_PM, 0x01);
	put8(fn, SIMD_CAP_PM + 1, SIMD_CAP_MSI);
	put16(fn, SIMD_CAP_PM + 2, 0x0003 | 1u << 3 | 1u << 11 | 1u << 14 | 1u << 15);	/* v3, PME clock... */
	put16(fn, SIMD_CAP_PM + 4, 1u << 3);	/* PMCSR: D0, No_Soft_Reset */
	wm16(fn, SIMD_CAP_PM + 4, 0x0003 | 1u << 8);	/* power state, PME_En */
	w1c16(fn, SIMD_CAP_PM + 4, 1u << 15);	/* PME_Status */

	/* MSI (9.3.9): 64-bit, per-vector masking, 1 message */
	put8(fn, SIMD_CAP_MSI, 0x05);
	put8(fn, SIMD_CAP_MSI + 1, SIMD_CAP_MSIX);
	put16(fn, MSI_CTRL, 1u << 7 | 1u << 8);
	wm16(fn, MSI_CTRL, 0x0001 | 0x0070);	/* enable, multiple message enable */
	wm32(fn, SIMD_CAP_MSI + 4, 0xfffffffcu);	/* address, dword aligned */
	wm32(fn, SIMD_CAP_MSI + 8, 0xffffffffu);	/* upper address */
	wm16(fn, SIMD_CAP_MSI + 0xc, 0xffff);		/* data */
	wm32(fn, MSI_MASK, 0x1);			/* mask bit of the one vector */

	/* MSI-X (9.3.10): 64 vectors; table BIR 4 at 0, PBA BIR 4 at 0x2000 */
	put8(fn, SIMD_CAP_MSIX, 0x11);
	put8(fn, SIMD_CAP_MSIX + 1, SIMD_CAP_PCIE);
	put16(fn, MSIX_CTRL, SIMD_MSIX_VECTORS - 1);
	wm16(fn, MSIX_CTRL, 1u << 15 | 1u << 14);	/* enable, function mask */
	put32(fn, SIMD_CAP_MSIX + 4, 0x0000 | 4);
	put32(fn, SIMD_CAP_MSIX + 8, SIMD_MSIX_PBA | 4);

	/* PCI Express (9.3.11): v2 endpoint, last in the list */
	put8(fn, SIMD_CAP_PCIE, 0x10);
	put8(fn, SIMD_CAP_PCIE + 1, 0x00);
	put16(fn, SIMD_CAP_PCIE + 2, 0x0002);
	/* device capabilities: max payload 512, L0s 1us/L1 64us acceptable,
	 * role-based error reporting, FLR */
	put32(fn, SIMD_CAP_PCIE + 4, 0x2 | 6u << 6 | 6u << 9 | 1u << 15 | 1u << 28);
	/* device control: relaxed ordering, no snoop, max read request 512 */
	put16(fn, PCIE_DEVCTL, 1u << 4 | 1u << 11 | 2u << 12);
	wm16(fn, PCIE_DEVCTL, 0x7fff | PCIE_DEVCTL_FLR);
	w1c16(fn, SIMD_CAP_PCIE + 0xa, 0x000f);	/* device status: error bits */
	/* link capabilities: 5 GT/s, x8, ASPM L0s and L1, exit latencies */
	put32(fn, SIMD_CAP_PCIE + 0xc, 0x2 | 8u << 4 | 3u << 10 | 1u << 12 | 2u << 15);
	wm16(fn, SIMD_CAP_PCIE + 0x10, 0x01c3);	/* link control: ASPM, RCB, common clock, ext sync */
	/* link status: trained at 5 GT/s x8, slot clock */
	put16(fn, SIMD_CAP_PCIE + 0x12, 0x2 | 8u << 4 | 1u << 12);
	/* device capabilities 2: completion timeout ranges A-D, disable */
	put32(fn, SIMD_CAP_PCIE + 0x24, 0xf | 1u << 4);
	wm16(fn, SIMD_CAP_PCIE + 0x28, 0x001f);	/* completion timeout value and disable */
	put16(fn, SIMD_CAP_PCIE + 0x30, 0x2);	/* link control 2: target 5 GT/s */
	wm16(fn, SIMD_CAP_PCIE + 0x30, 0x000f);

	/* MSI-X vectors start masked (9.3.10 / PCI 3.0 6.8.2.9) */
	for (unsigned i = 0; i < SIMD_MSIX_VECTORS; i++)
		fn->msix[i].ctrl = 1;
}

void simd_fn_init(struct simd_fn *fn, uint16_t device_id)
{
	fn->device_id = device_id;
	simd_fn_reset(fn);
}

bool simd_fn_memory_enabled(const struct simd_fn *fn)
{
	return get16(fn, PCI_COMMAND) & PCI_CMD_MEM;
}

uint64_t simd_cfg_read(struct simd_port *p, uint32_t off, unsigned size)
{
	uint64_t v = 0;
	pthread_mutex_lock(&p->lock);
	memcpy(&v, &p->fn.cfg[off], size);	/* little-endian host, as the wire format */
	pthread_mutex_unlock(&p->lock);
	return v;
}

void simd_cfg_write(struct simd_port *p, uint32_t off, unsigned size, uint64_t val)
{
	struct simd_fn *fn = &p->fn;
	{
		/* into the model's register trace, if any (trace=PATH): the PCI
		 * core's steps between the driver's register accesses */
		char note[64];
		snprintf(note, sizeof(note), "config write 0x%03x/%u 0x%llx", off, size, (unsigned long long)val);
		ixy_sim_trace_note(p->sim, note);
	}
	pthread_mutex_lock(&p->lock);
	uint16_t msix_was = get16(fn, MSIX_CTRL), msi_mask_was = fn->cfg[MSI_MASK];
	bool ro = true, changed_ro = false;
	for (unsigned i = 0; i < size; i++) {
		unsigned o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i)), old = fn->cfg[o];
		uint8_t nv = (uint8_t)((old & ~fn->wmask[o]) | (b & fn->wmask[o]));
		nv &= (uint8_t)~(b & fn->w1c[o]);
		if (fn->wmask[o] || fn->w1c[o])
			ro = false;
		if ((b ^ old) & ~fn->wmask[o] & ~fn->w1c[o])
			changed_ro = true;
		fn->cfg[o] = nv;
	}
	/* A write that only meets read-only bits and tries to change them: once
	 * per dword. The PCI core sizes every BAR slot and the expansion ROM by
	 * writing all ones, also where the function has none: that is normal
	 * and not reported. */
	bool bars = off >= 0x10 && off < 0x34;	/* BARs and ROM: sized by writing all ones */
	if (ro && changed_ro && !bars && !(fn->ro_logged[off / 32] & (1u << (off / 4 % 8)))) {
		fn->ro_logged[off / 32] |= (uint8_t)(1u << (off / 4 % 8));
		simd_refuse(p, "config write of 0x%llx (%u bytes) at 0x%03x: read-only there, ignored "
			    "(reported once per dword)", (unsigned long long)val, size, off);
	}
	if (off < PCIE_DEVCTL + 2 && off + size > PCIE_DEVCTL + 1 && (get16(fn, PCIE_DEVCTL) & PCIE_DEVCTL_FLR)) {
		put16(fn, PCIE_DEVCTL, get16(fn, PCIE_DEVCTL) & ~PCIE_DEVCTL_FLR);	/* reads as 0 */
		fn->flr = true;	/* the poll loop resets the function and the port */
	}
	/* unmasking (function mask, MSI-X enable, the MSI vector mask) may
	 * release a pending interrupt */
	uint16_t msix_now = get16(fn, MSIX_CTRL);
	if ((msix_was ^ msix_now) & (3u << 14) || (msi_mask_was & 1 && !(fn->cfg[MSI_MASK] & 1)) ||
	    (off <= MSI_CTRL && off + size > MSI_CTRL))
		simd_irq_flush_locked(p);
	pthread_mutex_unlock(&p->lock);
}
