/* ixy-guest-checks: the memory-layer checks.
 *
 * The proof that a DMA address from libixy is right is a device that uses
 * it: QEMU's e1000 model fetches a transmit descriptor and a frame from
 * hugepage memory by the physical addresses we wrote into it (the host
 * captures the frame on the tap), and writes a frame the host injects into
 * a hugepage receive buffer, compared here byte for byte.
 *
 * Register offsets and descriptor layouts: Intel 8254x Software Developer's
 * Manual (317453): 3.2.3 legacy receive descriptor, 3.3.3 legacy transmit
 * descriptor, 13.4 register summary, 14.4/14.5 receive/transmit init.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_checks.h"
#include "guest_frames.h"
#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/pci.h"

#define E1000_CTRL 0x0000
#define E1000_CTRL_SLU (1u << 6)
#define E1000_CTRL_RST (1u << 26)
#define E1000_STATUS 0x0008
#define E1000_STATUS_LU (1u << 1)
#define E1000_ICR 0x00c0
#define E1000_IMC 0x00d8
#define E1000_RCTL 0x0100
#define E1000_RCTL_EN (1u << 1)
#define E1000_RCTL_BAM (1u << 15)    /* accept broadcast */
#define E1000_RCTL_SECRC (1u << 26)  /* strip CRC: the length is the frame's */
#define E1000_TCTL 0x0400
#define E1000_TCTL_EN (1u << 1)
#define E1000_TCTL_PSP (1u << 3)
#define E1000_TCTL_CT(x) ((uint32_t)(x) << 4)
#define E1000_TCTL_COLD(x) ((uint32_t)(x) << 12)
#define E1000_TIPG 0x0410
#define E1000_RDBAL 0x2800
#define E1000_RDBAH 0x2804
#define E1000_RDLEN 0x2808
#define E1000_RDH 0x2810
#define E1000_RDT 0x2818
#define E1000_TDBAL 0x3800
#define E1000_TDBAH 0x3804
#define E1000_TDLEN 0x3808
#define E1000_TDH 0x3810
#define E1000_TDT 0x3818

#define TXD_CMD_EOP 0x01
#define TXD_CMD_IFCS 0x02
#define TXD_CMD_RS 0x08
#define DESC_STAT_DD 0x01
#define RXD_STAT_EOP 0x02

/* Ring length must be a multiple of 128 bytes: 8 legacy descriptors. */
#define RING_ENTRIES 8
#define RX_BUF_SIZE 2048

struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};

struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};

_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy TX descriptor is 16 bytes");
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "legacy RX descriptor is 16 bytes");

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- dma-alloc ---- */

/* Is [phys, phys+len) inside one top-level "System RAM" range of
 * /proc/iomem? (Root sees the real addresses.) */
static bool in_system_ram(uint64_t phys, uint64_t len)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		uint64_t lo, hi;
		if (line[0] == ' ' || !strstr(line, "System RAM"))
			continue;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &lo, &hi) == 2 && phys >= lo && phys + len - 1 <= hi)
			found = true;
	}
	fclose(f);
	return found;
}

/* KernelPageSize (kB) of the mapping holding addr, from /proc/self/smaps. */
static long kernel_page_kb(const void *addr)
{
	char line[512];
	bool inside = false;
	long kb = -1;
	uintptr_t a = (uintptr_t)addr;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (kb < 0 && fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;
		char c;
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR "%c", &lo, &hi, &c) == 3 && c == ' ')
			inside = a >= lo && a < hi;
		else if (inside && strncmp(line, "KernelPageSize:", 15) == 0)
			kb = strtol(line + 15, NULL, 10);
	}
	fclose(f);
	return kb;
}

int cmd_dma_alloc(int argc, char **argv)
{
	const char *name = "dma_alloc";
	char detail[512] = "";
	size_t dl = 0;
	bool ok = true;

	(void)argv;
	if (argc != 0)
		return 2;
	long free0 = free_hugepages_2m();
	struct ixy_dma_region *r = ixy_dma_alloc(2 * IXY_PAGE_2M, NULL);
	if (!r)
		return check(name, false, "ixy_dma_alloc(4 MiB): %s", ixy_last_error());
	long free1 = free_hugepages_2m();
	uint8_t *virt = ixy_dma_virt(r);
	for (int i = 0; i < 2; i++) {
		uint8_t *page = virt + (size_t)i * IXY_PAGE_2M;
		uint64_t pm = 0, lib = ixy_dma_virt_to_phys(r, page + 100) - 100;
		int err = ixy_virt_to_phys(page, &pm);
		bool page_ok = !err && pm == lib && pm != 0 && !(pm & (IXY_PAGE_2M - 1)) &&
			       in_system_ram(pm, IXY_PAGE_2M);
		/* The memory is usable: a pattern written reads back. */
		memset(page, 0xa5 ^ i, IXY_PAGE_2M);
		page_ok = page_ok && page[0] == (0xa5 ^ i) && page[IXY_PAGE_2M - 1] == (0xa5 ^ i);
		ok = ok && page_ok;
		dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl,
				       "page %d: pagemap 0x%" PRIx64 " libixy 0x%" PRIx64 " %s; ", i, pm, lib,
				       in_system_ram(pm, IXY_PAGE_2M) ? "in System RAM" : "NOT in System RAM");
	}
	long kb = kernel_page_kb(virt);
	uint64_t phys0 = ixy_dma_phys(r);
	ok = ok && kb == 2048 && free1 == free0 - 2 && phys0 == ixy_dma_virt_to_phys(r, virt);
	ixy_dma_free(r);
	long free2 = free_hugepages_2m();
	ok = ok && free2 == free0;
	return check(name, ok, "%sKernelPageSize %ld kB; free 2M hugepages %ld before, %ld allocated, %ld freed",
		     detail, kb, free0, free1, free2);
}

/* ---- stale-cleanup ---- */

/* A process that dies between creating its hugepage file and unlinking it
 * leaves the file, and the file keeps its hugepage. Make one for real:
 * a child creates and touches ixy-PID-0 and is killed with SIGKILL. */
int cmd_stale_cleanup(int argc, char **argv)
{
	const char *name = "hugetlbfs_stale_cleanup";
	char mount[256], stale[512], live[512];
	int pfd[2];

	(void)argv;
	if (argc != 0)
		return 2;
	if (ixy_hugetlbfs_find(0, NULL, mount, sizeof(mount)) < 0)
		return check(name, false, "ixy_hugetlbfs_find: %s", ixy_last_error());
	long free0 = free_hugepages_2m();
	if (pipe(pfd))
		return check(name, false, "pipe: %s", strerror(errno));
	pid_t child = fork();
	if (child < 0)
		return check(name, false, "fork: %s", strerror(errno));
	if (child == 0) {
		char path[512];
		close(pfd[0]);
		snprintf(path, sizeof(path), "%s/ixy-%d-0", mount, (int)getpid());
		int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)IXY_PAGE_2M))
			_exit(1);
		uint8_t *p = mmap(NULL, IXY_PAGE_2M, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(1);
		p[0] = 1;   /* fault the hugepage in */
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	char c;
	ssize_t n = read(pfd[0], &c, 1);
	close(pfd[0]);
	kill(child, SIGKILL);
	int status;
	waitpid(child, &status, 0);
	snprintf(stale, sizeof(stale), "%s/ixy-%d-0", mount, (int)child);
	if (n != 1 || access(stale, F_OK) != 0)
		return check(name, false, "the child did not leave %s behind (read %zd, child status 0x%x)", stale, n,
			     status);
	long free_held = free_hugepages_2m();

	/* A file of a live process (ours) must survive the cleanup. */
	snprintf(live, sizeof(live), "%s/ixy-%d-4242", mount, (int)getpid());
	int lfd = open(live, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (lfd >= 0)
		close(lfd);

	int removed = ixy_hugetlbfs_clean_stale(mount);
	bool stale_gone = access(stale, F_OK) != 0;
	bool live_kept = lfd >= 0 && access(live, F_OK) == 0;
	unlink(live);
	long free_after = free_hugepages_2m();
	bool ok = removed >= 1 && stale_gone && live_kept && free_held == free0 - 1 && free_after == free0;
	return check(name, ok, "killed pid %d left %s holding a hugepage (free %ld -> %ld); "
		     "ixy_hugetlbfs_clean_stale = %d%s%s, file %s, live process's file %s, free hugepages %ld",
		     (int)child, stale, free0, free_held, removed, removed < 0 ? " " : "",
		     removed < 0 ? ixy_last_error() : "", stale_gone ? "removed" : "STILL THERE",
		     live_kept ? "kept" : "REMOVED", free_after);
}

/* ---- e1000 DMA ---- */

struct e1000 {
	struct ixy_pci_dev *dev;
	volatile uint32_t *bar;
	size_t size;
};

static inline uint32_t rd(struct e1000 *e, uint32_t reg)
{
	return e->bar[reg / 4];
}

static inline void wr(struct e1000 *e, uint32_t reg, uint32_t v)
{
	e->bar[reg / 4] = v;
}

/* Stop all DMA: the memory the rings point into is about to be freed. */
static void e1000_quiesce(struct e1000 *e)
{
	wr(e, E1000_RCTL, 0);
	wr(e, E1000_TCTL, 0);
	wr(e, E1000_CTRL, rd(e, E1000_CTRL) | E1000_CTRL_RST);
	usleep(10000);
	wr(e, E1000_IMC, 0xffffffff);
}

static void e1000_close(struct e1000 *e)
{
	if (e->bar) {
		e1000_quiesce(e);
		ixy_pci_unmap_bar((void *)e->bar, e->size);
	}
	ixy_pci_close(e->dev);
}

/* Take the device from the kernel, enable bus mastering (unbinding
 * cleared it), map BAR0, reset it with interrupts masked, set link up. */
static int e1000_start(const char *name, const char *addr, struct e1000 *e)
{
	memset(e, 0, sizeof(*e));
	if (!(e->dev = open_or_fail(name, addr)))
		return -1;
	if (ixy_pci_unbind(e->dev, true) < 0 || ixy_pci_enable_bus_master(e->dev) < 0 ||
	    !(e->bar = ixy_pci_map_bar(e->dev, 0, &e->size))) {
		check(name, false, "%s: %s", addr, ixy_last_error());
		e1000_close(e);
		return -1;
	}
	e1000_quiesce(e);
	(void)rd(e, E1000_ICR);   /* read-to-clear */
	wr(e, E1000_CTRL, rd(e, E1000_CTRL) | E1000_CTRL_SLU);
	for (double t0 = now_s(); !(rd(e, E1000_STATUS) & E1000_STATUS_LU) && now_s() - t0 < 3;)
		usleep(10000);
	return 0;
}

int cmd_e1000_tx(int argc, char **argv)
{
	const char *name = "dma_e1000_tx";
	uint8_t mac[6];
	struct e1000 e;

	if (argc != 2)
		return 2;
	if (mac_or_fail(name, argv[1], mac) || e1000_start(name, argv[0], &e))
		return 1;
	struct ixy_dma_region *r = ixy_dma_alloc(IXY_PAGE_2M, NULL);
	if (!r) {
		e1000_close(&e);
		return check(name, false, "ixy_dma_alloc: %s", ixy_last_error());
	}
	/* Ring at the start of the hugepage, the frame 4 KiB further. */
	struct e1000_tx_desc *ring = ixy_dma_virt(r);
	uint8_t *buf = (uint8_t *)ixy_dma_virt(r) + 4096;
	uint64_t ring_phys = ixy_dma_phys(r), buf_phys = ixy_dma_virt_to_phys(r, buf);
	size_t len = guest_build_frame(GUEST_FRAME_TX, mac, buf);

	memset(ring, 0, RING_ENTRIES * sizeof(*ring));
	ring[0].addr = buf_phys;
	ring[0].length = (uint16_t)len;
	ring[0].cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;

	wr(&e, E1000_TDBAL, (uint32_t)ring_phys);
	wr(&e, E1000_TDBAH, (uint32_t)(ring_phys >> 32));
	wr(&e, E1000_TDLEN, RING_ENTRIES * sizeof(*ring));
	wr(&e, E1000_TDH, 0);
	wr(&e, E1000_TDT, 0);
	/* 14.5: collision threshold 0x0f, full-duplex collision distance 0x40,
	 * IPG 10/8/6 for 802.3 (13.4.34). */
	wr(&e, E1000_TIPG, 10 | 8 << 10 | 6 << 20);
	wr(&e, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(0x0f) | E1000_TCTL_COLD(0x40));
	/* Descriptor and frame must be in memory before the tail write. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(&e, E1000_TDT, 1);

	double t0 = now_s();
	while (!(*(volatile uint8_t *)&ring[0].status & DESC_STAT_DD) && now_s() - t0 < 2)
		usleep(1000);
	uint8_t st = *(volatile uint8_t *)&ring[0].status;
	uint32_t tdh = rd(&e, E1000_TDH);
	int ret = check(name, (st & DESC_STAT_DD) && tdh == 1,
			"%s: ring at phys 0x%" PRIx64 ", %zu-byte frame at phys 0x%" PRIx64 "; descriptor status 0x%02x "
			"(DD %s) after %.0f ms, TDH %u (want 1); the host checks the frame on the tap",
			argv[0], ring_phys, len, buf_phys, st, st & DESC_STAT_DD ? "set" : "clear",
			(now_s() - t0) * 1000, tdh);
	e1000_close(&e);
	ixy_dma_free(r);
	return ret;
}

int cmd_e1000_rx(int argc, char **argv)
{
	const char *name = "dma_e1000_rx";
	uint8_t mac[6], want[GUEST_FRAME_MAX];
	struct e1000 e;

	if (argc < 2 || argc > 3)
		return 2;
	double limit = argc == 3 ? atof(argv[2]) : 20;
	if (mac_or_fail(name, argv[1], mac) || e1000_start(name, argv[0], &e))
		return 1;
	struct ixy_dma_region *r = ixy_dma_alloc(IXY_PAGE_2M, NULL);
	if (!r) {
		e1000_close(&e);
		return check(name, false, "ixy_dma_alloc: %s", ixy_last_error());
	}
	size_t want_len = guest_build_frame(GUEST_FRAME_RX, mac, want);
	struct e1000_rx_desc *ring = ixy_dma_virt(r);
	uint8_t *bufs = (uint8_t *)ixy_dma_virt(r) + 4096;
	uint64_t ring_phys = ixy_dma_phys(r);

	/* Poison the buffers: a frame that matches was really written. */
	memset(bufs, 0xee, RING_ENTRIES * RX_BUF_SIZE);
	for (int i = 0; i < RING_ENTRIES; i++) {
		memset(&ring[i], 0, sizeof(ring[i]));
		ring[i].addr = ixy_dma_virt_to_phys(r, bufs + i * RX_BUF_SIZE);
	}
	wr(&e, E1000_RDBAL, (uint32_t)ring_phys);
	wr(&e, E1000_RDBAH, (uint32_t)(ring_phys >> 32));
	wr(&e, E1000_RDLEN, RING_ENTRIES * sizeof(*ring));
	wr(&e, E1000_RDH, 0);
	/* Head == tail means empty (3.2.6), so one descriptor stays with us. */
	wr(&e, E1000_RDT, RING_ENTRIES - 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* BSIZE 00 = 2048-byte buffers; unicast to RA[0] (the MAC) passes. */
	wr(&e, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);

	int idx = 0, frames = 0, other = 0;
	bool match = false;
	unsigned int last_len = 0, last_st = 0;
	double t0 = now_s();
	while (!match && now_s() - t0 < limit) {
		volatile struct e1000_rx_desc *d = &ring[idx];
		if (!(d->status & DESC_STAT_DD)) {
			usleep(1000);
			continue;
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		frames++;
		last_len = d->length;
		last_st = d->status;
		const uint8_t *got = bufs + idx * RX_BUF_SIZE;
		if (d->length == want_len && (d->status & RXD_STAT_EOP) && memcmp(got, want, want_len) == 0)
			match = true;
		else
			other++;
		/* Give the descriptor back: it becomes the new tail. */
		d->status = 0;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		wr(&e, E1000_RDT, (uint32_t)idx);
		idx = (idx + 1) % RING_ENTRIES;
	}
	int ret = check(name, match,
			"%s: ring at phys 0x%" PRIx64 "; %d frame(s) in %.1f s, %d not the expected %zu-byte frame; "
			"last: length %u status 0x%02x",
			argv[0], ring_phys, frames, now_s() - t0, other, want_len, last_len, last_st);
	e1000_close(&e);
	ixy_dma_free(r);
	return ret;
}
