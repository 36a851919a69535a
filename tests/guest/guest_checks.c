/* ixy-guest-checks: the pci-layer checks and the command dispatcher.
 *
 * Runs inside the QEMU guest (see scripts/qemu-guest.sh) as root against
 * the real sysfs of a real kernel, on devices nobody here wrote: QEMU's
 * legacy virtio-net (1af4:1000), e1000 (8086:100e) and e1000e (8086:10d3).
 * Every value the library reports is compared with a second, independent
 * source: the plain sysfs attribute files, the raw `config` file, the MAC
 * given on the QEMU command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest_checks.h"
#include "guest_frames.h"
#include "ixy/error.h"
#include "ixy/pci.h"

#define SYSFS_PCI "/sys/bus/pci/devices"

/* PCI Local Bus 3.0, 6.2.2 (command register) and 6.7 (capabilities). */
#define CMD_IO 0x1
#define CMD_MEMORY 0x2
#define CMD_MASTER 0x4
#define STATUS_CAP_LIST 0x10
#define CAP_ID_MSIX 0x11
#define MSIX_ENABLE 0x8000

/* Legacy virtio PCI I/O header (virtio 0.9.5 / virtio 1.x 4.1.4.8). */
#define VIRTIO_LEGACY_HOST_FEATURES 0
#define VIRTIO_LEGACY_STATUS 18
#define VIRTIO_LEGACY_CONFIG 20          /* device config, MSI-X off */
#define VIRTIO_LEGACY_CONFIG_MSIX 24     /* device config, MSI-X on */
#define VIRTIO_NET_F_MAC (1u << 5)
#define VIRTIO_STATUS_ACKNOWLEDGE 1

/* 8254x SDM (317453) 13.4.2 STATUS, 13.4.61/62 RAL/RAH. */
#define E1000_STATUS 0x0008
#define E1000_STATUS_LU (1u << 1)
#define E1000_RAL0 0x5400
#define E1000_RAH0 0x5404
#define E1000_RAH_AV (1u << 31)

int check(const char *name, bool pass, const char *fmt, ...)
{
	char detail[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* One line, one quoted field: no quotes or line breaks inside. */
	for (char *p = detail; *p; p++)
		if (*p == '"')
			*p = '\'';
		else if (*p == '\n' || *p == '\r')
			*p = ' ';
	printf("IXY-CHECK name=%s result=%s detail=\"%s\"\n", name, pass ? "pass" : "fail", detail);
	fflush(stdout);
	return pass ? 0 : 1;
}

struct ixy_pci_dev *open_or_fail(const char *name, const char *addr)
{
	struct ixy_pci_dev *dev = ixy_pci_open(addr, NULL);

	if (!dev)
		check(name, false, "ixy_pci_open(%s): %s", addr, ixy_last_error());
	return dev;
}

int sysfs_attr_num(const char *addr, const char *attr, long *val)
{
	char path[256], text[64], *end;
	FILE *f;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/%s", addr, attr);
	if (!(f = fopen(path, "r")))
		return -1;
	char *ok = fgets(text, sizeof(text), f);
	fclose(f);
	if (!ok)
		return -1;
	errno = 0;
	*val = strtol(text, &end, 0);
	return errno || end == text ? -1 : 0;
}

int mac_or_fail(const char *name, const char *text, uint8_t mac[6])
{
	if (guest_parse_mac(text, mac) == 0)
		return 0;
	check(name, false, "bad MAC argument '%s' (want aa:bb:cc:dd:ee:ff)", text);
	return -1;
}

long free_hugepages_2m(void)
{
	long v = -1;
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Read config space straight from the sysfs file, bypassing libixy. */
static int raw_config(const char *addr, unsigned int off, void *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", addr);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = pread(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int raw_command(const char *addr)
{
	uint8_t b[2];

	if (raw_config(addr, 4, b, 2))
		return -1;
	return b[0] | b[1] << 8;
}

static const char *driver_of(const char *addr, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver", addr);
	ssize_t n = readlink(path, buf, len - 1);
	if (n < 0)
		return "none";
	buf[n] = '\0';
	const char *slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

/* config TAG ADDR: the header libixy reads equals the kernel's attributes. */
static int cmd_config(int argc, char **argv)
{
	char name[64];
	long ven, dev_id, cls, rev, sven, sdev;

	if (argc != 2)
		return 2;
	snprintf(name, sizeof(name), "pci_config_%s", argv[0]);
	struct ixy_pci_dev *dev = open_or_fail(name, argv[1]);
	if (!dev)
		return 1;
	if (sysfs_attr_num(argv[1], "vendor", &ven) || sysfs_attr_num(argv[1], "device", &dev_id) ||
	    sysfs_attr_num(argv[1], "class", &cls) || sysfs_attr_num(argv[1], "revision", &rev) ||
	    sysfs_attr_num(argv[1], "subsystem_vendor", &sven) ||
	    sysfs_attr_num(argv[1], "subsystem_device", &sdev)) {
		ixy_pci_close(dev);
		return check(name, false, "cannot read the sysfs attributes of %s", argv[1]);
	}
	const struct ixy_pci_info *in = ixy_pci_get_info(dev);
	long got_cls = (long)in->class_code << 16 | in->subclass << 8 | in->prog_if;
	bool ok = in->vendor_id == ven && in->device_id == dev_id && got_cls == cls &&
		  in->revision == rev && in->subsys_vendor_id == sven && in->subsys_id == sdev &&
		  in->class_code == IXY_PCI_CLASS_NETWORK;
	int r = check(name, ok,
		      "%s libixy %04x:%04x class %06lx rev %02x subsys %04x:%04x; sysfs %04lx:%04lx class %06lx "
		      "rev %02lx subsys %04lx:%04lx",
		      argv[1], in->vendor_id, in->device_id, got_cls, in->revision, in->subsys_vendor_id,
		      in->subsys_id, ven, dev_id, cls, rev, sven, sdev);
	ixy_pci_close(dev);
	return r;
}

/* bars TAG ADDR io|mem: BAR0 has the expected kind, and start/kind agree
 * with the BAR register in the raw config space (PCI 3.0, 6.2.5.1). */
static int cmd_bars(int argc, char **argv)
{
	char name[64];
	struct ixy_pci_bar bars[6];
	uint8_t raw[4];

	if (argc != 3)
		return 2;
	snprintf(name, sizeof(name), "pci_bars_%s", argv[0]);
	bool want_io = strcmp(argv[2], "io") == 0;
	struct ixy_pci_dev *dev = open_or_fail(name, argv[1]);
	if (!dev)
		return 1;
	int n = ixy_pci_get_bars(dev, bars, 6);
	if (n < 1) {
		ixy_pci_close(dev);
		return check(name, false, "ixy_pci_get_bars(%s) = %d: %s", argv[1], n, ixy_last_error());
	}
	if (raw_config(argv[1], 0x10, raw, 4)) {
		ixy_pci_close(dev);
		return check(name, false, "cannot read %s/%s/config", SYSFS_PCI, argv[1]);
	}
	uint32_t reg = raw[0] | raw[1] << 8 | raw[2] << 16 | (uint32_t)raw[3] << 24;
	bool reg_io = reg & 1;
	uint64_t reg_addr = reg_io ? reg & ~0x3u : reg & ~0xfu;
	const struct ixy_pci_bar *b = &bars[0];
	bool pow2 = b->size && !(b->size & (b->size - 1));
	bool ok = b->index == 0 && b->is_io == want_io && reg_io == want_io && b->start == reg_addr && pow2;
	int r = check(name, ok, "%s BAR0 %s start 0x%llx size 0x%llx (%d BARs listed); config BAR0 0x%08x = %s at 0x%llx; "
		      "expected %s",
		      argv[1], b->is_io ? "I/O" : "memory", (unsigned long long)b->start,
		      (unsigned long long)b->size, n, reg, reg_io ? "I/O" : "memory",
		      (unsigned long long)reg_addr, want_io ? "I/O" : "memory");
	ixy_pci_close(dev);
	return r;
}

/* numa ADDR: ixy_pci_numa_node agrees with the numa_node file. */
static int cmd_numa(int argc, char **argv)
{
	const char *name = "pci_numa_node";
	long node;

	if (argc != 1)
		return 2;
	struct ixy_pci_dev *dev = open_or_fail(name, argv[0]);
	if (!dev)
		return 1;
	int got = ixy_pci_numa_node(dev);
	ixy_pci_close(dev);
	if (sysfs_attr_num(argv[0], "numa_node", &node))
		return check(name, false, "%s: cannot read numa_node (kernel without NUMA?); libixy says %d",
			     argv[0], got);
	long want = node < 0 ? -1 : node;
	return check(name, got == want, "%s: numa_node file says %ld, ixy_pci_numa_node %d", argv[0], node, got);
}

/* unbind ADDR OTHER...: with ADDR's interface up, ixy_pci_unbind refuses
 * without force; with force it unbinds ADDR only, and the kernel clears bus
 * mastering on the way (pci_disable_device in the driver's remove). */
static int cmd_unbind(int argc, char **argv)
{
	char buf[256], before[4][64];
	int fails = 0;

	if (argc < 1 || argc > 4)
		return 2;
	const char *addr = argv[0];
	struct ixy_pci_dev *dev = open_or_fail("pci_unbind_refuses_up", addr);
	if (!dev)
		return 1;
	for (int i = 1; i < argc; i++)
		snprintf(before[i], sizeof(before[i]), "%.63s", driver_of(argv[i], buf, sizeof(buf)));
	char drv0[64];
	snprintf(drv0, sizeof(drv0), "%.63s", driver_of(addr, buf, sizeof(buf)));
	int cmd_before = raw_command(addr);

	struct ixy_pci_netif ifs[4];
	int nif = ixy_pci_netifs(dev, ifs, 4);
	int err = ixy_pci_unbind(dev, false);
	const char *after = driver_of(addr, buf, sizeof(buf));
	bool named = nif >= 1 && strstr(ixy_last_error(), ifs[0].name);
	fails += check("pci_unbind_refuses_up", nif >= 1 && ifs[0].up && err == -EBUSY && named &&
		       strcmp(after, drv0) == 0,
		       "%s: %d interface(s) (%s %s); unbind without force returned %d (%s), driver still %s",
		       addr, nif, nif >= 1 ? ifs[0].name : "-", nif >= 1 && ifs[0].up ? "up" : "down", err,
		       ixy_last_error(), after);

	err = ixy_pci_unbind(dev, true);
	after = driver_of(addr, buf, sizeof(buf));
	bool others_kept = true;
	char others[512] = "";
	for (int i = 1; i < argc; i++) {
		char b2[256];
		const char *now = driver_of(argv[i], b2, sizeof(b2));
		if (strcmp(now, before[i]) != 0 || strcmp(now, "none") == 0)
			others_kept = false;
		size_t l = strlen(others);
		snprintf(others + l, sizeof(others) - l, "%s%.16s %.63s->%.63s", i > 1 ? ", " : "", argv[i], before[i], now);
	}
	fails += check("pci_unbind_only_named", err == 0 && strcmp(drv0, "none") != 0 &&
		       strcmp(after, "none") == 0 && others_kept,
		       "%s: driver %s -> %s (ixy_pci_unbind(force) = %d %s); others: %s", addr, drv0, after,
		       err, err ? ixy_last_error() : "", others);

	int cmd_after = raw_command(addr);
	fails += check("pci_bus_master_cleared", cmd_before >= 0 && cmd_after >= 0 && (cmd_before & CMD_MASTER) &&
		       !(cmd_after & CMD_MASTER),
		       "%s: command register 0x%04x while bound to %s, 0x%04x after unbinding (bit 2 = bus master)",
		       addr, cmd_before, drv0, cmd_after);
	ixy_pci_close(dev);
	return fails ? 1 : 0;
}

/* bus-master ADDR: enable it and see bit 2 in a fresh read of config. */
static int cmd_bus_master(int argc, char **argv)
{
	const char *name = "pci_bus_master_enable";

	if (argc != 1)
		return 2;
	struct ixy_pci_dev *dev = open_or_fail(name, argv[0]);
	if (!dev)
		return 1;
	int before = raw_command(argv[0]);
	int err = ixy_pci_enable_bus_master(dev);
	ixy_pci_close(dev);
	int after = raw_command(argv[0]);
	/* A second handle reads the header anew: what a later open sees. */
	struct ixy_pci_dev *again = open_or_fail(name, argv[0]);
	if (!again)
		return 1;
	int reopened = ixy_pci_get_info(again)->command;
	ixy_pci_close(again);
	bool ok = err == 0 && before >= 0 && !(before & CMD_MASTER) && after >= 0 && (after & CMD_MASTER) &&
		  (after & CMD_MEMORY) && reopened == after;
	return check(name, ok, "%s: command 0x%04x before, ixy_pci_enable_bus_master = %d%s%s, raw config 0x%04x "
		     "after, reopened handle 0x%04x",
		     argv[0], before, err, err ? " " : "", err ? ixy_last_error() : "", after, reopened);
}

/* e1000-bar ADDR MAC: map BAR0 and read registers QEMU's model fills in at
 * reset: receive address 0 = the command-line MAC (what the EEPROM load
 * does on real parts), and a STATUS that is neither all-zero nor all-ones
 * (a dead mapping reads one of those). Link state is reported, not
 * required: the driver's remove just reset the device and QEMU brings the
 * link up again only after its autonegotiation delay. */
static int cmd_e1000_bar(int argc, char **argv)
{
	const char *name = "pci_map_bar_e1000";
	uint8_t mac[6];
	size_t size = 0;

	if (argc != 2)
		return 2;
	if (mac_or_fail(name, argv[1], mac))
		return 1;
	struct ixy_pci_dev *dev = open_or_fail(name, argv[0]);
	if (!dev)
		return 1;
	volatile uint32_t *bar = ixy_pci_map_bar(dev, 0, &size);
	if (!bar) {
		int r = check(name, false, "ixy_pci_map_bar(%s, 0): %s", argv[0], ixy_last_error());
		ixy_pci_close(dev);
		return r;
	}
	uint32_t status = bar[E1000_STATUS / 4];
	uint32_t ral = bar[E1000_RAL0 / 4], rah = bar[E1000_RAH0 / 4];
	uint32_t want_ral = mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24;
	uint32_t want_rah = mac[4] | mac[5] << 8 | E1000_RAH_AV;
	bool ok = status != 0xffffffff && status != 0 && ral == want_ral && rah == want_rah && size >= 0x20000;
	int r = check(name, ok, "%s: BAR0 mapped, %zu bytes; STATUS 0x%08x (link %s); RAL0 0x%08x RAH0 0x%08x, "
		      "expected 0x%08x 0x%08x for %s",
		      argv[0], size, status, status & E1000_STATUS_LU ? "up" : "down", ral, rah, want_ral, want_rah,
		      argv[1]);
	ixy_pci_unmap_bar((void *)bar, size);
	ixy_pci_close(dev);
	return r;
}

/* Is MSI-X enabled? Walk the capability list (PCI 3.0, 6.7; MSI-X 6.8.2). */
static int msix_enabled(struct ixy_pci_dev *dev)
{
	uint8_t st[2], ptr, cap[4];

	if (ixy_pci_config_read(dev, 6, st, 2) || !(st[0] & STATUS_CAP_LIST))
		return 0;
	if (ixy_pci_config_read(dev, 0x34, &ptr, 1))
		return -1;
	for (int guard = 0; ptr >= 0x40 && guard < 48; guard++) {
		if (ixy_pci_config_read(dev, ptr & ~3u, cap, 4))
			return -1;
		if (cap[0] == CAP_ID_MSIX)
			return ((cap[2] | cap[3] << 8) & MSIX_ENABLE) != 0;
		ptr = cap[1];
	}
	return 0;
}

/* virtio-io ADDR MAC: the legacy virtio header through the I/O BAR. The
 * device must be unbound: virtio_net enables MSI-X, which moves the device
 * config from offset 20 to 24. */
static int cmd_virtio_io(int argc, char **argv)
{
	const char *name = "pci_io_bar_virtio", *wname = "pci_io_bar_write_virtio";
	uint8_t mac[6], got[6];
	uint32_t features = 0, v;
	int fails = 0, err = 0;

	if (argc != 2)
		return 2;
	if (mac_or_fail(name, argv[1], mac))
		return 1;
	struct ixy_pci_dev *dev = open_or_fail(name, argv[0]);
	if (!dev)
		return 1;
	char drv[64];
	int bound = ixy_pci_driver(dev, drv, sizeof(drv));
	int msix = msix_enabled(dev);
	unsigned int cfg = msix > 0 ? VIRTIO_LEGACY_CONFIG_MSIX : VIRTIO_LEGACY_CONFIG;
	err = ixy_pci_bar_read(dev, 0, VIRTIO_LEGACY_HOST_FEATURES, 4, &features);
	for (int i = 0; i < 6 && !err; i++) {
		err = ixy_pci_bar_read(dev, 0, cfg + (unsigned int)i, 1, &v);
		got[i] = (uint8_t)v;
	}
	if (err) {
		fails += check(name, false, "%s: ixy_pci_bar_read: %s", argv[0], ixy_last_error());
	} else {
		fails += check(name, (features & VIRTIO_NET_F_MAC) && memcmp(got, mac, 6) == 0 && bound == 0,
			       "%s (driver %s, MSI-X %s): host features 0x%08x (MAC bit %s); MAC at offset %u "
			       "%02x:%02x:%02x:%02x:%02x:%02x, expected %s",
			       argv[0], bound > 0 ? drv : "none", msix > 0 ? "on" : "off", features,
			       features & VIRTIO_NET_F_MAC ? "set" : "clear", cfg, got[0], got[1], got[2], got[3],
			       got[4], got[5], argv[1]);
	}

	/* Write path: the status byte reads back what was written; writing 0
	 * resets the device (virtio 1.x 4.1.4.8, legacy interface). */
	uint32_t st_ack = 0, st_reset = 0xff;
	int e1 = ixy_pci_bar_write(dev, 0, VIRTIO_LEGACY_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	int e2 = e1 ? e1 : ixy_pci_bar_read(dev, 0, VIRTIO_LEGACY_STATUS, 1, &st_ack);
	int e3 = e2 ? e2 : ixy_pci_bar_write(dev, 0, VIRTIO_LEGACY_STATUS, 1, 0);
	int e4 = e3 ? e3 : ixy_pci_bar_read(dev, 0, VIRTIO_LEGACY_STATUS, 1, &st_reset);
	fails += check(wname, !e4 && st_ack == VIRTIO_STATUS_ACKNOWLEDGE && st_reset == 0,
		       "%s: status after writing 1: 0x%02x, after writing 0 (reset): 0x%02x%s%s", argv[0], st_ack,
		       st_reset, e4 ? "; " : "", e4 ? ixy_last_error() : "");
	ixy_pci_close(dev);
	return fails ? 1 : 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} commands[] = {
	{ "config", cmd_config, "TAG ADDR" },
	{ "bars", cmd_bars, "TAG ADDR io|mem" },
	{ "numa", cmd_numa, "ADDR" },
	{ "unbind", cmd_unbind, "ADDR [OTHER_ADDR...]" },
	{ "bus-master", cmd_bus_master, "ADDR" },
	{ "e1000-bar", cmd_e1000_bar, "ADDR MAC" },
	{ "virtio-io", cmd_virtio_io, "ADDR MAC" },
	{ "dma-alloc", cmd_dma_alloc, "" },
	{ "stale-cleanup", cmd_stale_cleanup, "" },
	{ "e1000-tx", cmd_e1000_tx, "ADDR MAC" },
	{ "e1000-rx", cmd_e1000_rx, "ADDR MAC [SECONDS]" },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; argc >= 2 && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		int r = commands[i].fn(argc - 2, argv + 2);
		if (r == 2)
			fprintf(stderr, "usage: %s %s %s\n", argv[0], commands[i].name, commands[i].usage);
		return r;
	}
	fprintf(stderr, "usage: %s COMMAND ARGS; commands:\n", argv[0]);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %s %s\n", commands[i].name, commands[i].usage);
	return 2;
}
