/* The fake VFIO backed by a sim port; see fake_vfio.h.
 *
 * MMIO by trap and emulate: the BAR0 mapping the library gets has no
 * access rights, so every load or store the driver makes there raises
 * SIGSEGV in the thread that made it. The handler decodes the one x86-64
 * instruction (the 32-bit MOVs a volatile uint32_t access compiles to),
 * carries it out on the model with ixy_sim_reg_read/ixy_sim_reg_write,
 * writes a load's value into the destination register and continues after
 * the instruction: what a hypervisor does for a guest's MMIO. Anything
 * else is a real crash and is left to the default action. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "fake_sysfs.h"
#include "fake_vfio.h"
#include "ixy/sim.h"

#define MAX_TRAPS 8
#define PCI_STATUS_RX_MASTER_ABORT 0x2000u

static struct ixy_sim *sim;
static struct { uintptr_t start, len; } traps[MAX_TRAPS];
static struct sigaction old_segv;
static bool handler_on;

static bool trap_offset(uintptr_t a, uint64_t *off)
{
	for (int i = 0; i < MAX_TRAPS; i++) {
		if (traps[i].len && a >= traps[i].start && a - traps[i].start < traps[i].len) {
			*off = a - traps[i].start;
			return true;
		}
	}
	return false;
}

static uint32_t reg_read(uint64_t off)
{
	return fake_vfio.removed ? 0xffffffffu : ixy_sim_reg_read(sim, (uint32_t)off);
}

static void reg_write(uint64_t off, uint32_t val)
{
	if (!fake_vfio.removed)
		ixy_sim_reg_write(sim, (uint32_t)off, val);
}

/* x86-64 register number (ModRM.reg with REX.R) -> gregs index */
static const int greg_of[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/* Emulate the instruction at RIP on BAR0 offset off; false if it is not
 * one we know. */
static bool emulate(ucontext_t *uc, uint64_t off)
{
	const uint8_t *ip = (const uint8_t *)uc->uc_mcontext.gregs[REG_RIP];
	greg_t *g = uc->uc_mcontext.gregs;
	size_t i = 0;
	uint8_t rex = 0;

	while (ip[i] == 0x2e || ip[i] == 0x3e)  /* segment-override hints */
		i++;
	if ((ip[i] & 0xf0) == 0x40)
		rex = ip[i++];
	if (rex & 0x08)
		return false;   /* 64-bit operand: not a 32-bit register access */
	uint8_t op = ip[i++];
	if (op != 0x8b && op != 0x89 && op != 0xc7)
		return false;
	uint8_t modrm = ip[i++];
	unsigned mod = modrm >> 6, reg = ((modrm >> 3) & 7) | ((rex & 0x04) ? 8 : 0), rm = modrm & 7;
	if (mod == 3)
		return false;
	if (rm == 4) {  /* SIB */
		uint8_t sib = ip[i++];
		if (mod == 0 && (sib & 7) == 5)
			i += 4;
	} else if (mod == 0 && rm == 5) {
		i += 4;  /* RIP-relative */
	}
	if (mod == 1)
		i += 1;
	else if (mod == 2)
		i += 4;
	switch (op) {
	case 0x8b:  /* mov r32, m32: zero-extends into the 64-bit register */
		g[greg_of[reg]] = (greg_t)(uint64_t)reg_read(off);
		break;
	case 0x89:  /* mov m32, r32 */
		reg_write(off, (uint32_t)g[greg_of[reg]]);
		break;
	case 0xc7: {  /* mov m32, imm32 (/0) */
		if ((modrm >> 3) & 7)
			return false;
		uint32_t imm;
		memcpy(&imm, ip + i, 4);
		i += 4;
		reg_write(off, imm);
		break;
	}
	}
	g[REG_RIP] += (greg_t)i;
	return true;
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	uint64_t off;
	if (trap_offset((uintptr_t)si->si_addr, &off) && (off & 3) == 0 && emulate(ctx, off))
		return;
	if (trap_offset((uintptr_t)si->si_addr, &off)) {
		const uint8_t *ip = (const uint8_t *)((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RIP];
		fprintf(stderr, "fake_vfio_sim: BAR0 access at 0x%llx by an instruction it cannot emulate: "
			"%02x %02x %02x %02x %02x %02x\n", (unsigned long long)off, ip[0], ip[1], ip[2], ip[3],
			ip[4], ip[5]);
	}
	/* not ours: the default action (a crash, as without the fake) */
	sigaction(sig, &old_segv, NULL);
}

/* Installed when the library maps BAR0, not before: a test framework
 * (cmocka) sets its own SIGSEGV handler around each test, which stays the
 * one for every fault that is not ours. */
static int install_handler(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
	if (handler_on)
		return 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &old_segv) < 0)
		return -1;
	handler_on = true;
	return 0;
}

static void *map_bar0(size_t len)
{
	if (install_handler())
		return MAP_FAILED;
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return p;
	for (int i = 0; i < MAX_TRAPS; i++) {
		if (!traps[i].len) {
			traps[i].start = (uintptr_t)p;
			traps[i].len = len;
			return p;
		}
	}
	munmap(p, len);
	return errno = ENOMEM, MAP_FAILED;
}

static int bar0_rw(bool write, uint64_t off, void *buf, size_t len)
{
	if (len != 4 || (off & 3))
		return errno = EINVAL, -1;
	uint32_t v;
	if (write) {
		memcpy(&v, buf, 4);
		reg_write(off, v);
	} else {
		v = reg_read(off);
		memcpy(buf, &v, 4);
	}
	return 4;
}

/* The IOMMU: the port's DMA reaches only what the library mapped. */
static int lookup(void *ctx, uint64_t addr, struct ixy_sim_dma_region *r)
{
	(void)ctx;
	int rc = -1;
	pthread_mutex_lock(&fake_vfio_lock);
	for (int i = 0; i < fake_vfio.num_maps; i++) {
		if (addr >= fake_vfio.maps[i].iova && addr - fake_vfio.maps[i].iova < fake_vfio.maps[i].size) {
			r->addr = fake_vfio.maps[i].iova;
			r->len = fake_vfio.maps[i].size;
			r->virt = (void *)(uintptr_t)fake_vfio.maps[i].vaddr;
			rc = 0;
			break;
		}
	}
	if (rc) {
		/* Unsupported Request from the IOMMU: Received Master Abort */
		fake_vfio.dma_refused++;
		uint16_t st;
		memcpy(&st, fake_vfio.config + 6, 2);
		st |= PCI_STATUS_RX_MASTER_ABORT;
		memcpy(fake_vfio.config + 6, &st, 2);
	}
	pthread_mutex_unlock(&fake_vfio_lock);
	return rc;
}

static void dma_changed(void)
{
	ixy_sim_dma_invalidate(sim);
}

static void on_irq(void *ctx, unsigned vector)
{
	(void)ctx;
	fake_vfio_raise(vector);
}

static bool line_asserted(void)
{
	return ixy_sim_irq_pending(sim) & 1;
}

static void detach(void)
{
	if (sim) {
		(void)ixy_sim_set_irq_handler(sim, NULL, NULL);
		(void)ixy_sim_set_dma_lookup(sim, NULL, NULL);
	}
	sim = NULL;
	memset(traps, 0, sizeof(traps));
	if (handler_on)
		sigaction(SIGSEGV, &old_segv, NULL);
	handler_on = false;
}

static const struct fake_vfio_backing backing = {
	.map_bar0 = map_bar0,
	.bar0_rw = bar0_rw,
	.dma_changed = dma_changed,
	.line_asserted = line_asserted,
	.detach = detach,
};

int fake_vfio_back_by_sim(struct ixy_sim *s)
{
	size_t size = 0;
	struct fake_pci_ids ids = { .vendor = 0x8086, .device = ixy_sim_device_id(s), .class_code = 2 };
	int rc;

	if (ixy_sim_mode(s) != IXY_SIM_THREADED)
		return -EINVAL;
	(void)ixy_sim_bar0(s, &size);
	fake_pci_config(fake_vfio.config, 256, &ids);
	if ((rc = fake_vfio_set_bar(0, size, true)))
		return rc;
	sim = s;
	if ((rc = ixy_sim_set_dma_lookup(s, lookup, NULL)) || (rc = ixy_sim_set_irq_handler(s, on_irq, NULL))) {
		detach();
		return rc;
	}
	fake_vfio_backing = &backing;
	return 0;
}
