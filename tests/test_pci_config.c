/* PCI config space, BAR list, bus mastering and numa_node on fake sysfs
 * trees, plus a read-only look at the real /sys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <dirent.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"   /* ixy_last_error_code() */
#include "fake_sysfs.h"
#include "ixy/pci.h"

#define ADDR "0000:03:00.0"

static int setup(void **state)
{
	char *root = fake_sysfs_create();

	if (!root)
		return -1;
	*state = root;
	return 0;
}

static int teardown(void **state)
{
	return fake_sysfs_destroy(*state) ? -1 : 0;
}

static void assert_msg_has(const char *frag)
{
	if (!strstr(ixy_last_error(), frag))
		fail_msg("last error lacks '%s': %s", frag, ixy_last_error());
}

/* A fresh device with a 256-byte config from ids. */
static void add_dev(const char *root, const char *addr, const struct fake_pci_ids *ids)
{
	uint8_t cfg[256];

	fake_pci_config(cfg, sizeof(cfg), ids);
	assert_int_equal(fake_sysfs_add_device(root, addr, cfg, sizeof(cfg)), 0);
}

static void read_config_file(const char *root, const char *addr, uint8_t *buf, size_t len)
{
	char rel[128];
	uint8_t tmp[4097];   /* fake_sysfs_read NUL-terminates: one spare byte */

	assert_true(len < sizeof(tmp));
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/config", addr);
	assert_int_equal(fake_sysfs_read(root, rel, tmp, sizeof(tmp)), (ssize_t)len);
	memcpy(buf, tmp, len);
}

static void test_open_82599(void **state)
{
	const char *root = *state;

	assert_int_equal(fake_sysfs_add_82599(root, ADDR), 0);
	/* Short form and upper case reach the same canonical device. */
	struct ixy_pci_dev *dev = ixy_pci_open("03:00.0", root);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	assert_string_equal(ixy_pci_name(dev), ADDR);
	char want[4096];
	snprintf(want, sizeof(want), "%s/bus/pci/devices/%s", root, ADDR);
	assert_string_equal(ixy_pci_path(dev), want);

	const struct ixy_pci_info *info = ixy_pci_get_info(dev);
	assert_non_null(info);
	assert_int_equal(info->vendor_id, 0x8086);
	assert_int_equal(info->device_id, 0x10fb);
	assert_int_equal(info->command, 0);
	assert_int_equal(info->status, 0x0010);
	assert_int_equal(info->revision, 0x01);
	assert_int_equal(info->class_code, IXY_PCI_CLASS_NETWORK);
	assert_int_equal(info->subclass, 0);
	assert_int_equal(info->prog_if, 0);
	assert_int_equal(info->header_type, 0);   /* bit 7 masked off */
	assert_true(info->multifunction);
	assert_int_equal(info->subsys_vendor_id, 0x8086);
	assert_int_equal(info->subsys_id, 0x0003);
	ixy_pci_close(dev);
	ixy_pci_close(NULL);
}

static void test_header_fields(void **state)
{
	const char *root = *state;
	/* A bridge (type 1): 0x2c..0x2f are not subsystem ids there. */
	const struct fake_pci_ids bridge = {
		.vendor = 0x1b36, .device = 0x000c, .revision = 0x7f, .class_code = 0x06,
		.subclass = 0x04, .prog_if = 0x01, .header_type = 0x01,
		.subsys_vendor = 0x1234, .subsys_id = 0x5678,
	};
	/* Byte order: 0xABCD must come out as 0xABCD, not 0xCDAB. */
	const struct fake_pci_ids single = {
		.vendor = 0xabcd, .device = 0x1234, .revision = 0x42, .class_code = 0x02,
		.subclass = 0x80, .prog_if = 0x5a, .header_type = 0x00,
		.subsys_vendor = 0xbeef, .subsys_id = 0xcafe,
	};

	add_dev(root, "0000:00:1c.0", &bridge);
	add_dev(root, "0001:80:00.3", &single);

	struct ixy_pci_dev *b = ixy_pci_open("0000:00:1c.0", root);
	assert_non_null(b);
	const struct ixy_pci_info *bi = ixy_pci_get_info(b);
	assert_int_equal(bi->header_type, 1);
	assert_false(bi->multifunction);
	assert_int_equal(bi->class_code, 0x06);
	assert_int_equal(bi->subclass, 0x04);
	assert_int_equal(bi->prog_if, 0x01);
	assert_int_equal(bi->revision, 0x7f);
	assert_int_equal(bi->subsys_vendor_id, 0);
	assert_int_equal(bi->subsys_id, 0);
	ixy_pci_close(b);

	struct ixy_pci_dev *s = ixy_pci_open("1:80:0.3", root);
	assert_non_null(s);
	const struct ixy_pci_info *si = ixy_pci_get_info(s);
	assert_int_equal(si->vendor_id, 0xabcd);
	assert_int_equal(si->device_id, 0x1234);
	assert_int_equal(si->subclass, 0x80);
	assert_int_equal(si->prog_if, 0x5a);
	assert_int_equal(si->subsys_vendor_id, 0xbeef);
	assert_int_equal(si->subsys_id, 0xcafe);
	assert_false(si->multifunction);
	assert_string_equal(ixy_pci_name(s), "0001:80:00.3");
	ixy_pci_close(s);
}

static void test_open_errors(void **state)
{
	const char *root = *state;

	/* Bad address: nothing touched, -EINVAL. */
	assert_null(ixy_pci_open("0000:03:00", root));
	assert_int_equal(ixy_last_error_code(), -EINVAL);
	assert_msg_has("missing '.'");

	/* No such device. */
	assert_null(ixy_pci_open("0000:07:00.1", root));
	assert_int_equal(ixy_last_error_code(), -ENOENT);
	assert_msg_has("no PCI device 0000:07:00.1");
	assert_msg_has(root);
	assert_msg_has("/bus/pci/devices");
	assert_msg_has("lspci");

	/* Device directory without a config file. */
	assert_int_equal(fake_sysfs_add_device(root, ADDR, NULL, 0), 0);
	assert_null(ixy_pci_open(ADDR, root));
	assert_int_equal(ixy_last_error_code(), -ENOENT);
	assert_msg_has(ADDR "/config");

	/* The device path is a file, not a directory (add a sibling first so
	 * that the devices directory exists). */
	char path[4096];
	assert_int_equal(fake_sysfs_path(path, sizeof(path), root, "0000:04:00.0", NULL), 0);
	assert_int_equal(fake_sysfs_add_device(root, "0000:04:00.1", NULL, 0), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(ixy_pci_open("04:00.0", root));
	assert_int_equal(ixy_last_error_code(), -ENOTDIR);
	assert_msg_has("not a directory");
}

static void test_short_config(void **state)
{
	const char *root = *state;
	uint8_t cfg[63];
	const struct fake_pci_ids ids = { .vendor = 0x8086, .device = 0x10fb, .class_code = 2 };

	fake_pci_config(cfg, sizeof(cfg), &ids);   /* < 64: left all zero */
	assert_int_equal(fake_sysfs_add_device(root, ADDR, cfg, sizeof(cfg)), 0);
	assert_null(ixy_pci_open(ADDR, root));
	assert_int_equal(ixy_last_error_code(), -EIO);
	assert_msg_has(ADDR "/config");
	assert_msg_has("only 63 bytes");
	assert_msg_has("needs 64");

	/* Empty file. */
	assert_int_equal(fake_sysfs_add_device(root, ADDR, "", 0), 0);
	assert_null(ixy_pci_open(ADDR, root));
	assert_int_equal(ixy_last_error_code(), -EIO);
	assert_msg_has("only 0 bytes");
}

static void test_all_ones(void **state)
{
	const char *root = *state;
	uint8_t cfg[64];

	memset(cfg, 0xff, sizeof(cfg));
	assert_int_equal(fake_sysfs_add_device(root, ADDR, cfg, sizeof(cfg)), 0);
	assert_null(ixy_pci_open(ADDR, root));
	assert_int_equal(ixy_last_error_code(), -EIO);
	assert_msg_has("0xffff");
	assert_msg_has("does not respond");
}

/* Permission errors while we are root: root ignores file modes (it has
 * CAP_DAC_OVERRIDE), so chmod 000 alone proves nothing. The check runs in
 * a forked child that first drops to uid/gid 65534 (nobody), which clears
 * all capabilities; then the modes apply as for any user. The child sends
 * the error code and message back through a pipe. Not root to begin with:
 * the child just runs the check. If the switch fails (user namespace
 * without that id), the test is skipped. */
struct unpriv_result {
	int code;
	char msg[512];
};

static int run_unprivileged(int (*fn)(const char *root), const char *root, struct unpriv_result *res)
{
	int pfd[2];

	memset(res, 0, sizeof(*res));
	if (pipe(pfd) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(pfd[0]);
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		     setresuid(65534, 65534, 65534) < 0))
			_exit(77);
		ixy_clear_error();
		struct unpriv_result r = { 0 };
		r.code = fn(root);
		snprintf(r.msg, sizeof(r.msg), "%s", ixy_last_error());
		_exit(write(pfd[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(pfd[1]);
	ssize_t n = read(pfd[0], res, sizeof(*res));
	close(pfd[0]);
	int status;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		return 77;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n != (ssize_t)sizeof(*res))
		return -ECHILD;
	return 0;
}

static int child_open(const char *root)
{
	struct ixy_pci_dev *dev = ixy_pci_open(ADDR, root);

	if (dev) {
		ixy_pci_close(dev);
		return 0;
	}
	return ixy_last_error_code();
}

static int child_bus_master(const char *root)
{
	struct ixy_pci_dev *dev = ixy_pci_open(ADDR, root);

	if (!dev)
		return 1000;   /* must open: config is world-readable */
	int r = ixy_pci_enable_bus_master(dev);
	ixy_pci_close(dev);
	return r;
}

static void test_no_permission(void **state)
{
	const char *root = *state;
	struct unpriv_result res;
	char path[4096];

	assert_int_equal(fake_sysfs_add_82599(root, ADDR), 0);
	assert_int_equal(fake_sysfs_path(path, sizeof(path), root, ADDR, "config"), 0);

	/* Unreadable config: like a locked-down sysfs. */
	assert_int_equal(chmod(path, 0000), 0);
	int r = run_unprivileged(child_open, root, &res);
	if (r == 77)
		skip();
	assert_int_equal(r, 0);
	assert_int_equal(res.code, -EACCES);
	assert_non_null(strstr(res.msg, ADDR "/config"));
	assert_non_null(strstr(res.msg, "Permission denied"));
	assert_non_null(strstr(res.msg, "run as root"));

	/* The real situation of a normal user: the header is readable,
	 * writing the command register is not (sysfs: 0644 owned by root;
	 * 0444 here so this also holds when the tests do not run as root and
	 * own the file). */
	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(run_unprivileged(child_bus_master, root, &res), 0);
	assert_int_equal(res.code, -EACCES);
	assert_non_null(strstr(res.msg, "bus master"));
	assert_non_null(strstr(res.msg, "writing"));
	assert_non_null(strstr(res.msg, "run as root"));

	/* Unchanged by the failed attempt. */
	uint8_t cfg[256];
	read_config_file(root, ADDR, cfg, sizeof(cfg));
	assert_int_equal(cfg[4], 0);
	assert_int_equal(cfg[5], 0);
}

/* A path that exists but cannot be read as a file: config is a directory. */
static void test_config_is_directory(void **state)
{
	const char *root = *state;
	char path[4096];

	assert_int_equal(fake_sysfs_add_device(root, ADDR, NULL, 0), 0);
	assert_int_equal(fake_sysfs_path(path, sizeof(path), root, ADDR, "config"), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_null(ixy_pci_open(ADDR, root));
	assert_int_equal(ixy_last_error_code(), -EISDIR);
	assert_msg_has(ADDR "/config");
	assert_msg_has("Is a directory");
}

static void test_bars(void **state)
{
	const char *root = *state;
	const struct fake_pci_ids ids = { .vendor = 0x8086, .device = 0x1528, .class_code = 2 };
	static const char *const lines[] = {
		"0x00000000fb000000 0x00000000fb1fffff 0x0000000000040200",  /* 32-bit mem, 2 MiB */
		"0x0000000000000000 0x0000000000000000 0x0000000000000000",  /* unimplemented */
		"0x000000000000e020 0x000000000000e03f 0x0000000000040101",  /* I/O, 32 bytes */
		"0x0000004000000000 0x0000004000003fff 0x000000000014220c",  /* 64-bit prefetch */
		"0x0000000000000000 0x0000000000000000 0x0000000000000000",
		"0x00000000fb200000 0x00000000fb203fff 0x0000000000140204",  /* 64-bit mem */
		"0x00000000fb280000 0x00000000fb2fffff 0x0000000000046200",  /* ROM: ignored */
	};
	struct ixy_pci_bar bars[8];

	add_dev(root, ADDR, &ids);
	assert_int_equal(fake_sysfs_set_resource(root, ADDR, lines, 7), 0);
	struct ixy_pci_dev *dev = ixy_pci_open(ADDR, root);
	assert_non_null(dev);

	memset(bars, 0x77, sizeof(bars));
	assert_int_equal(ixy_pci_get_bars(dev, bars, 8), 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(bars[i].index, i);
	assert_int_equal(bars[0].start, 0xfb000000);
	assert_int_equal(bars[0].size, 2 * 1024 * 1024);
	assert_false(bars[0].is_io);
	assert_false(bars[0].is_64bit);
	assert_false(bars[0].prefetchable);

	assert_int_equal(bars[1].size, 0);
	assert_int_equal(bars[1].start, 0);
	assert_false(bars[1].is_io);

	assert_int_equal(bars[2].start, 0xe020);
	assert_int_equal(bars[2].size, 32);
	assert_true(bars[2].is_io);
	assert_false(bars[2].is_64bit);

	assert_int_equal(bars[3].start, 0x4000000000ULL);
	assert_int_equal(bars[3].size, 0x4000);
	assert_true(bars[3].is_64bit);
	assert_true(bars[3].prefetchable);
	assert_false(bars[3].is_io);

	assert_int_equal(bars[4].size, 0);
	assert_int_equal(bars[5].size, 0x4000);
	assert_true(bars[5].is_64bit);
	assert_false(bars[5].prefetchable);
	assert_int_equal(bars[6].index, 0x77777777);   /* only 6 written */

	/* max limits what is written and returned. */
	memset(bars, 0, sizeof(bars));
	assert_int_equal(ixy_pci_get_bars(dev, bars, 2), 2);
	assert_int_equal(bars[2].size, 0);
	assert_int_equal(bars[2].start, 0);
	assert_int_equal(ixy_pci_get_bars(dev, NULL, 0), 0);
	assert_int_equal(ixy_pci_get_bars(dev, NULL, 3), -EINVAL);
	assert_int_equal(ixy_pci_get_bars(dev, bars, -1), -EINVAL);

	/* Fewer lines than BARs: the rest are unimplemented. */
	assert_int_equal(fake_sysfs_set_resource(root, ADDR, lines, 3), 0);
	memset(bars, 0x77, sizeof(bars));
	assert_int_equal(ixy_pci_get_bars(dev, bars, 6), 6);
	assert_true(bars[2].is_io);
	assert_int_equal(bars[3].size, 0);
	assert_int_equal(bars[5].size, 0);
	assert_false(bars[5].is_64bit);

	/* Malformed line: which one, and what it held. */
	static const char *const bad[] = {
		"0x00000000fb000000 0x00000000fb1fffff 0x0000000000040200",
		"0x00000000fb000000 zzz 0x0",
	};
	assert_int_equal(fake_sysfs_set_resource(root, ADDR, bad, 2), 0);
	assert_int_equal(ixy_pci_get_bars(dev, bars, 6), -EIO);
	assert_msg_has("resource line 2 is malformed");
	assert_msg_has("zzz");

	/* Two fields only: must not borrow the next line's first number. */
	static const char *const two[] = { "0x1000 0x1fff", "0x0 0x0 0x0" };
	assert_int_equal(fake_sysfs_set_resource(root, ADDR, two, 2), 0);
	assert_int_equal(ixy_pci_get_bars(dev, bars, 6), -EIO);
	assert_msg_has("line 1");

	/* end < start */
	static const char *const inv[] = { "0x2000 0x1000 0x200" };
	assert_int_equal(fake_sysfs_set_resource(root, ADDR, inv, 1), 0);
	assert_int_equal(ixy_pci_get_bars(dev, bars, 6), -EIO);
	assert_msg_has("below start");

	/* Empty and missing file. */
	assert_int_equal(fake_sysfs_set_resource(root, ADDR, NULL, 0), 0);
	assert_int_equal(fake_sysfs_write_text(root, ADDR, "resource", ""), 0);
	assert_int_equal(ixy_pci_get_bars(dev, bars, 6), -EIO);
	assert_msg_has("empty");
	char path[4096];
	assert_int_equal(fake_sysfs_path(path, sizeof(path), root, ADDR, "resource"), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ixy_pci_get_bars(dev, bars, 6), -ENOENT);
	assert_msg_has(ADDR "/resource");
	ixy_pci_close(dev);
}

static void test_config_read_write(void **state)
{
	const char *root = *state;
	uint8_t cfg[256], now[256], buf[8];

	for (size_t i = 0; i < sizeof(cfg); i++)
		cfg[i] = (uint8_t)(i * 7 + 1);
	cfg[0] = 0x86, cfg[1] = 0x80;   /* a valid vendor */
	assert_int_equal(fake_sysfs_add_device(root, ADDR, cfg, sizeof(cfg)), 0);
	struct ixy_pci_dev *dev = ixy_pci_open(ADDR, root);
	assert_non_null(dev);

	assert_int_equal(ixy_pci_config_read(dev, 0x40, buf, 4), 0);
	assert_memory_equal(buf, cfg + 0x40, 4);
	assert_int_equal(ixy_pci_config_read(dev, 0xff, buf, 1), 0);
	assert_int_equal(buf[0], cfg[0xff]);

	const uint8_t w[4] = { 0xde, 0xad, 0xbe, 0xef };
	assert_int_equal(ixy_pci_config_write(dev, 0x41, w, 3), 0);
	read_config_file(root, ADDR, now, sizeof(now));
	memcpy(cfg + 0x41, w, 3);
	assert_memory_equal(now, cfg, sizeof(cfg));

	/* Past the end of a 256-byte file: -EIO explaining why. */
	assert_int_equal(ixy_pci_config_read(dev, 0xfe, buf, 4), -EIO);
	assert_msg_has("past the end");
	assert_msg_has("64 bytes");
	/* Outside config space at all; bad arguments. */
	assert_int_equal(ixy_pci_config_read(dev, 4096, buf, 1), -ERANGE);
	assert_int_equal(ixy_pci_config_read(dev, 4094, buf, 4), -ERANGE);
	assert_int_equal(ixy_pci_config_write(dev, 0xfffffffe, w, 4), -ERANGE);
	assert_int_equal(ixy_pci_config_read(dev, 0, NULL, 4), -EINVAL);
	assert_int_equal(ixy_pci_config_read(dev, 0, buf, 0), -EINVAL);
	assert_int_equal(ixy_pci_config_read(NULL, 0, buf, 1), -EINVAL);
	ixy_pci_close(dev);
}

/* Interposed pwrite(): the library's calls resolve to this definition in
 * the test program (libc's is a shared-library symbol), so the exact
 * writes can be checked, not just their effect. Writing the status
 * register back unchanged is invisible in a regular file but would clear
 * its write-1-to-clear bits on a real device. */
struct pwrite_call {
	size_t len;
	off_t off;
	uint8_t data[8];
};
static struct pwrite_call pwrite_log[8];
static int pwrite_count;

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (pwrite_count < 8) {
		struct pwrite_call *c = &pwrite_log[pwrite_count];
		c->len = len;
		c->off = off;
		memcpy(c->data, buf, len < 8 ? len : 8);
	}
	pwrite_count++;
	return syscall(SYS_pwrite64, fd, buf, len, off);
}

static void test_enable_bus_master(void **state)
{
	const char *root = *state;
	uint8_t cfg[256], now[256];

	/* Every byte distinct and non-zero, so a stray write shows. */
	for (size_t i = 0; i < sizeof(cfg); i++)
		cfg[i] = (uint8_t)(0xa5 ^ i);
	cfg[0] = 0x86, cfg[1] = 0x80;
	cfg[4] = 0x00;   /* command: INTx disable (bit 10) only */
	cfg[5] = 0x04;
	cfg[6] = 0xf0;   /* status with write-1-to-clear bits set: */
	cfg[7] = 0xf9;   /* must not be written back */
	assert_int_equal(fake_sysfs_add_device(root, ADDR, cfg, sizeof(cfg)), 0);
	struct ixy_pci_dev *dev = ixy_pci_open(ADDR, root);
	assert_non_null(dev);
	assert_int_equal(ixy_pci_get_info(dev)->command, 0x0400);

	pwrite_count = 0;
	assert_int_equal(ixy_pci_enable_bus_master(dev), 0);
	assert_int_equal(pwrite_count, 1);
	assert_int_equal(pwrite_log[0].off, 4);
	assert_int_equal(pwrite_log[0].len, 2);
	assert_int_equal(pwrite_log[0].data[0], 0x06);
	assert_int_equal(pwrite_log[0].data[1], 0x04);
	read_config_file(root, ADDR, now, sizeof(now));
	cfg[4] = 0x06;   /* memory space (bit 1) + bus master (bit 2) */
	assert_memory_equal(now, cfg, sizeof(cfg));
	assert_int_equal(ixy_pci_get_info(dev)->command, 0x0406);

	/* Already set: same bytes again, still nothing else touched. */
	assert_int_equal(ixy_pci_enable_bus_master(dev), 0);
	read_config_file(root, ADDR, now, sizeof(now));
	assert_memory_equal(now, cfg, sizeof(cfg));

	/* Other command bits survive (I/O space bit 0, SERR bit 8). */
	const uint8_t cmd[2] = { 0x01, 0x01 };
	assert_int_equal(ixy_pci_config_write(dev, 4, cmd, 2), 0);
	assert_int_equal(ixy_pci_enable_bus_master(dev), 0);
	read_config_file(root, ADDR, now, sizeof(now));
	assert_int_equal(now[4], 0x07);
	assert_int_equal(now[5], 0x01);
	cfg[4] = 0x07, cfg[5] = 0x01;
	assert_memory_equal(now, cfg, sizeof(cfg));

	/* The config file vanished: error names the operation and file. */
	char path[4096];
	assert_int_equal(fake_sysfs_path(path, sizeof(path), root, ADDR, "config"), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ixy_pci_enable_bus_master(dev), -ENOENT);
	assert_msg_has("enabling bus mastering");
	assert_msg_has(ADDR "/config");
	assert_int_equal(ixy_pci_enable_bus_master(NULL), -EINVAL);
	ixy_pci_close(dev);
}

static void test_refresh(void **state)
{
	const char *root = *state;
	const struct fake_pci_ids ids = { .vendor = 0x8086, .device = 0x10fb, .class_code = 2 };
	const struct fake_pci_ids ids2 = { .vendor = 0x8086, .device = 0x1528, .class_code = 2,
					   .revision = 1 };

	add_dev(root, ADDR, &ids);
	struct ixy_pci_dev *dev = ixy_pci_open(ADDR, root);
	assert_non_null(dev);
	add_dev(root, ADDR, &ids2);
	assert_int_equal(ixy_pci_get_info(dev)->device_id, 0x10fb);   /* cached */
	assert_int_equal(ixy_pci_refresh(dev), 0);
	assert_int_equal(ixy_pci_get_info(dev)->device_id, 0x1528);
	assert_int_equal(ixy_pci_get_info(dev)->revision, 1);

	/* A failed refresh keeps the previous header. */
	assert_int_equal(fake_sysfs_add_device(root, ADDR, "\x86\x80", 2), 0);
	assert_int_equal(ixy_pci_refresh(dev), -EIO);
	assert_int_equal(ixy_pci_get_info(dev)->device_id, 0x1528);
	assert_int_equal(ixy_pci_refresh(NULL), -EINVAL);
	ixy_pci_close(dev);
}

static void test_numa_node(void **state)
{
	const char *root = *state;
	const struct fake_pci_ids ids = { .vendor = 0x8086, .device = 0x10fb, .class_code = 2 };

	add_dev(root, ADDR, &ids);
	struct ixy_pci_dev *dev = ixy_pci_open(ADDR, root);
	assert_non_null(dev);

	assert_int_equal(ixy_pci_numa_node(dev), -1);   /* missing */
	assert_int_equal(fake_sysfs_set_numa_node(root, ADDR, 0), 0);
	assert_int_equal(ixy_pci_numa_node(dev), 0);
	assert_int_equal(fake_sysfs_set_numa_node(root, ADDR, 3), 0);
	assert_int_equal(ixy_pci_numa_node(dev), 3);
	assert_int_equal(fake_sysfs_set_numa_node(root, ADDR, -1), 0);
	assert_int_equal(ixy_pci_numa_node(dev), -1);
	assert_int_equal(fake_sysfs_set_numa_node(root, ADDR, -7), 0);
	assert_int_equal(ixy_pci_numa_node(dev), -1);
	assert_int_equal(fake_sysfs_write_text(root, ADDR, "numa_node", "x1\n"), 0);
	assert_int_equal(ixy_pci_numa_node(dev), -1);
	assert_int_equal(fake_sysfs_write_text(root, ADDR, "numa_node", "1x\n"), 0);
	assert_int_equal(ixy_pci_numa_node(dev), -1);
	assert_int_equal(fake_sysfs_write_text(root, ADDR, "numa_node", ""), 0);
	assert_int_equal(ixy_pci_numa_node(dev), -1);
	assert_int_equal(ixy_pci_numa_node(NULL), -1);
	ixy_pci_close(dev);
}

/* Read a sysfs attribute like "0x8086\n" as a number. */
static long read_hex_attr(const char *dir, const char *name)
{
	char path[4096], text[64];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *ok = fgets(text, sizeof(text), f);
	fclose(f);
	return ok ? strtol(text, NULL, 0) : -1;
}

/* The real /sys, read only: the header read through `config` agrees with
 * the kernel's own `vendor`, `device` and `class` attributes. Nothing is
 * written and no BAR is touched. */
static void test_real_sysfs(void **state)
{
	(void)state;
	DIR *d = opendir("/sys/bus/pci/devices");
	if (!d)
		skip();
	int checked = 0;
	struct dirent *e;
	while ((e = readdir(d)) && checked < 4) {
		if (e->d_name[0] == '.')
			continue;
		char dir[4096];
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", e->d_name);
		struct ixy_pci_dev *dev = ixy_pci_open(e->d_name, NULL);
		if (!dev)
			fail_msg("open %s: %s", e->d_name, ixy_last_error());
		assert_string_equal(ixy_pci_name(dev), e->d_name);
		assert_string_equal(ixy_pci_path(dev), dir);
		const struct ixy_pci_info *info = ixy_pci_get_info(dev);
		assert_int_equal(info->vendor_id, read_hex_attr(dir, "vendor"));
		assert_int_equal(info->device_id, read_hex_attr(dir, "device"));
		long cls = read_hex_attr(dir, "class");
		assert_int_equal(info->class_code, (cls >> 16) & 0xff);
		assert_int_equal(info->subclass, (cls >> 8) & 0xff);
		assert_int_equal(info->prog_if, cls & 0xff);

		struct ixy_pci_bar bars[6];
		assert_int_equal(ixy_pci_get_bars(dev, bars, 6), 6);
		int node = ixy_pci_numa_node(dev);
		long want = read_hex_attr(dir, "numa_node");   /* decimal digits parse alike */
		assert_int_equal(node, want < 0 ? -1 : want);
		ixy_pci_close(dev);
		checked++;
	}
	closedir(d);
	if (!checked)
		skip();
}

/* Disabling bus mastering clears exactly bit 2 of the command register
 * (a 2-byte write at offset 4), memory space and the rest stay. */
static void test_disable_bus_master(void **state)
{
	const char *root = *state;
	uint8_t cfg[256], now[256];

	for (size_t i = 0; i < sizeof(cfg); i++)
		cfg[i] = (uint8_t)(0x5a ^ i);
	cfg[0] = 0x86, cfg[1] = 0x80;
	cfg[4] = 0x07;   /* I/O, memory, bus master */
	cfg[5] = 0x05;   /* SERR, INTx disable */
	cfg[6] = 0xf0;   /* status, write-1-to-clear: not to be written */
	cfg[7] = 0xf9;
	assert_int_equal(fake_sysfs_add_device(root, ADDR, cfg, sizeof(cfg)), 0);
	struct ixy_pci_dev *dev = ixy_pci_open(ADDR, root);
	assert_non_null(dev);
	pwrite_count = 0;
	assert_int_equal(ixy_pci_disable_bus_master(dev), 0);
	assert_int_equal(pwrite_count, 1);
	assert_int_equal(pwrite_log[0].off, 4);
	assert_int_equal(pwrite_log[0].len, 2);
	read_config_file(root, ADDR, now, sizeof(now));
	cfg[4] = 0x03;
	assert_memory_equal(now, cfg, sizeof(cfg));
	assert_int_equal(ixy_pci_get_info(dev)->command, 0x0503);
	ixy_pci_close(dev);
}

/* One claim per device: a second handle (this process or another) gets
 * -EBUSY naming the holder; closing the holder's handle, or the holder
 * dying, releases it. */
static void test_lock(void **state)
{
	const char *root = *state;
	assert_int_equal(fake_sysfs_add_82599(root, ADDR), 0);
	struct ixy_pci_dev *a = ixy_pci_open(ADDR, root), *b = ixy_pci_open(ADDR, root);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ixy_pci_lock(a), 0);
	assert_int_equal(ixy_pci_lock(a), 0);	/* again on the same handle: fine */
	assert_int_equal(ixy_pci_lock(b), -EBUSY);
	assert_msg_has("already opened by this process");
	ixy_pci_close(a);
	assert_int_equal(ixy_pci_lock(b), 0);
	ixy_pci_close(b);

	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct ixy_pci_dev *c = ixy_pci_open(ADDR, root);
		char ok = c && ixy_pci_lock(c) == 0 ? 'y' : 'n';
		if (write(ready[1], &ok, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	char ok = 0;
	assert_int_equal(read(ready[0], &ok, 1), 1);
	assert_int_equal(ok, 'y');
	b = ixy_pci_open(ADDR, root);
	assert_int_equal(ixy_pci_lock(b), -EBUSY);
	char want[64];
	snprintf(want, sizeof(want), "in use by process %d", (int)child);
	assert_msg_has(want);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(ixy_pci_lock(b), 0);	/* the kernel dropped the dead holder's lock */
	ixy_pci_close(b);
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_82599, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_permission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_is_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_read_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_bus_master, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disable_bus_master, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numa_node, setup, teardown),
		cmocka_unit_test(test_real_sysfs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
