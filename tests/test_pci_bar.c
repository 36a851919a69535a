/* Mapping BARs and pread/pwrite access on fake sysfs trees, where
 * resourceN is a regular file: mmap(MAP_SHARED) of it shares the page
 * cache with pread/pwrite, so every access can be checked from the other
 * side. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "fake_sysfs.h"
#include "ixy/pci.h"

#define NIC "0000:03:00.0"

struct fixture {
	char *root;
	struct ixy_pci_dev *dev;
};

static struct fixture fx;

static int setup(void **state)
{
	fx.root = fake_sysfs_create();
	if (!fx.root || fake_sysfs_add_82599(fx.root, NIC))
		return -1;
	fx.dev = ixy_pci_open(NIC, fx.root);
	if (!fx.dev)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ixy_pci_close(fx.dev);
	fx.dev = NULL;
	int r = fake_sysfs_destroy(fx.root);
	fx.root = NULL;
	return r ? -1 : 0;
}

static void assert_msg_has(const char *frag)
{
	if (!strstr(ixy_last_error(), frag))
		fail_msg("last error lacks '%s': %s", frag, ixy_last_error());
}

/* Direct file access to resourceN, bypassing the library. */
static void file_rw(int bar, int write, off_t off, void *buf, size_t len)
{
	char path[4096], rel[16];

	snprintf(rel, sizeof(rel), "resource%d", bar);
	assert_int_equal(fake_sysfs_path(path, sizeof(path), fx.root, NIC, rel), 0);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	ssize_t n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
	assert_int_equal(n, (ssize_t)len);
	close(fd);
}

static void test_map_bar0(void **state)
{
	(void)state;
	const uint32_t seeded = 0x12345678;
	file_rw(0, 1, 0x4c00, (void *)&seeded, 4);

	size_t size = 0;
	volatile uint32_t *regs = ixy_pci_map_bar(fx.dev, 0, &size);
	if (!regs)
		fail_msg("map: %s", ixy_last_error());
	assert_int_equal(size, 512 * 1024);

	/* Read what was put into the file, at its offset. */
	assert_int_equal(regs[0x4c00 / 4], 0x12345678);
	assert_int_equal(regs[0], 0);

	/* Writes through the mapping land in the file at the right offset
	 * and nowhere else around it. */
	regs[0x8 / 4] = 0xdeadbeef;
	regs[(512 * 1024 - 4) / 4] = 0x0badf00d;   /* last register */
	uint32_t v;
	uint8_t around[16];
	file_rw(0, 0, 0x8, &v, 4);
	assert_int_equal(v, 0xdeadbeef);
	file_rw(0, 0, 512 * 1024 - 4, &v, 4);
	assert_int_equal(v, 0x0badf00d);
	file_rw(0, 0, 0, around, sizeof(around));
	uint8_t want[16] = { 0 };
	memcpy(want + 8, (const void *)&(uint32_t){ 0xdeadbeef }, 4);
	assert_memory_equal(around, want, sizeof(want));

	ixy_pci_unmap_bar((void *)regs, size);
	ixy_pci_unmap_bar(NULL, 0);   /* harmless */
}

static void test_map_refusals(void **state)
{
	size_t size = 77;

	(void)state;
	/* I/O-port BAR: tells what to use instead. */
	assert_null(ixy_pci_map_bar(fx.dev, 2, &size));
	assert_int_equal(ixy_last_error_code(), -ENOTSUP);
	assert_msg_has(NIC);
	assert_msg_has("BAR 2");
	assert_msg_has("I/O-port");
	assert_msg_has("ixy_pci_bar_read");
	assert_int_equal(size, 77);

	/* Unimplemented (upper half of the 64-bit BAR0). */
	assert_null(ixy_pci_map_bar(fx.dev, 1, &size));
	assert_int_equal(ixy_last_error_code(), -ENODEV);
	assert_msg_has("BAR 1 is not implemented");

	/* Bad arguments. */
	assert_null(ixy_pci_map_bar(fx.dev, 6, &size));
	assert_int_equal(ixy_last_error_code(), -EINVAL);
	assert_msg_has("out of range");
	assert_null(ixy_pci_map_bar(fx.dev, -1, &size));
	assert_int_equal(ixy_last_error_code(), -EINVAL);
	assert_null(ixy_pci_map_bar(fx.dev, 0, NULL));
	assert_int_equal(ixy_last_error_code(), -EINVAL);
	assert_null(ixy_pci_map_bar(NULL, 0, &size));
	assert_int_equal(ixy_last_error_code(), -EINVAL);

	/* resource0 missing. */
	char path[4096];
	assert_int_equal(fake_sysfs_path(path, sizeof(path), fx.root, NIC, "resource0"), 0);
	assert_int_equal(unlink(path), 0);
	assert_null(ixy_pci_map_bar(fx.dev, 0, &size));
	assert_int_equal(ixy_last_error_code(), -ENOENT);
	assert_msg_has(NIC "/resource0");
	assert_int_equal(size, 77);
}

/* resourceN reporting size 0: the size comes from `resource`. Only the
 * size is checked; touching pages past the end of the empty file would
 * fault (SIGBUS). */
static void test_map_size_fallback(void **state)
{
	size_t size = 0;

	(void)state;
	assert_int_equal(fake_sysfs_add_bar_file(fx.root, NIC, 4, 0), 0);
	void *p = ixy_pci_map_bar(fx.dev, 4, &size);
	if (!p)
		fail_msg("map: %s", ixy_last_error());
	assert_int_equal(size, 16 * 1024);
	ixy_pci_unmap_bar(p, size);
}

static void test_bar_io_access(void **state)
{
	uint32_t v;
	uint8_t bytes[32], want[32];

	(void)state;
	/* Values travel in host byte order, like inb/inw/inl (expected
	 * bytes built with memcpy so this holds on any host). */
	memset(want, 0, sizeof(want));
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, 0, 1, 0xa5), 0);
	want[0] = 0xa5;
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, 2, 2, 0xbeef), 0);
	memcpy(want + 2, &(uint16_t){ 0xbeef }, 2);
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, 4, 4, 0x01020304), 0);
	memcpy(want + 4, &(uint32_t){ 0x01020304 }, 4);
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, 28, 4, 0xcafef00d), 0);   /* last dword */
	memcpy(want + 28, &(uint32_t){ 0xcafef00d }, 4);
	file_rw(2, 0, 0, bytes, sizeof(bytes));
	assert_memory_equal(bytes, want, sizeof(want));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	assert_int_equal(bytes[4], 0x04);
	assert_int_equal(bytes[7], 0x01);
#endif

	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, 0, 1, &v), 0);
	assert_int_equal(v, 0xa5);
	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, 2, 2, &v), 0);
	assert_int_equal(v, 0xbeef);
	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, 4, 4, &v), 0);
	assert_int_equal(v, 0x01020304);
	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, 4, 1, &v), 0);   /* narrower read */
	assert_int_equal(v, want[4]);

	/* Bounds: the BAR is 32 bytes. */
	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, 31, 2, &v), -ERANGE);
	assert_msg_has("BAR 2");
	assert_msg_has("0x20 bytes");
	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, 32, 1, &v), -ERANGE);
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, 29, 4, 0), -ERANGE);
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, UINT64_MAX, 1, 0), -ERANGE);
	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, UINT64_MAX - 1, 4, &v), -ERANGE);
	/* Widths and values. */
	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, 0, 3, &v), -EINVAL);
	assert_msg_has("width 3");
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, 0, 8, 0), -EINVAL);
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, 0, 1, 0x100), -EINVAL);
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, 0, 2, 0x10000), -EINVAL);
	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, 0, 4, NULL), -EINVAL);
	assert_int_equal(ixy_pci_bar_read(fx.dev, 6, 0, 4, &v), -EINVAL);
	/* Nothing of the refused writes reached the file. */
	file_rw(2, 0, 0, bytes, sizeof(bytes));
	assert_memory_equal(bytes, want, sizeof(want));

	/* An unimplemented BAR has no resource file. */
	assert_int_equal(ixy_pci_bar_read(fx.dev, 3, 0, 4, &v), -ENOENT);
	assert_msg_has(NIC "/resource3");
}

/* The same register seen through the mapping and through pread/pwrite. */
static void test_map_and_io_agree(void **state)
{
	size_t size;
	uint32_t v;

	(void)state;
	volatile uint32_t *regs = ixy_pci_map_bar(fx.dev, 0, &size);
	assert_non_null(regs);
	regs[0x200 / 4] = 0x11223344;
	assert_int_equal(ixy_pci_bar_read(fx.dev, 0, 0x200, 4, &v), 0);
	assert_int_equal(v, 0x11223344);
	assert_int_equal(ixy_pci_bar_write(fx.dev, 0, 0x204, 4, 0x55667788), 0);
	assert_int_equal(regs[0x204 / 4], 0x55667788);
	assert_int_equal(ixy_pci_bar_read(fx.dev, 0, 512 * 1024 - 4, 4, &v), 0);
	assert_int_equal(ixy_pci_bar_read(fx.dev, 0, 512 * 1024 - 2, 4, &v), -ERANGE);
	ixy_pci_unmap_bar((void *)regs, size);
}

/* resourceN stays open after the first access (I/O BARs are used per
 * batch by legacy virtio): removing the name does not break access. */
static void test_io_fd_kept_open(void **state)
{
	char path[4096];
	uint32_t v;

	(void)state;
	assert_int_equal(ixy_pci_bar_write(fx.dev, 2, 8, 4, 0x600dcafe), 0);
	assert_int_equal(fake_sysfs_path(path, sizeof(path), fx.root, NIC, "resource2"), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ixy_pci_bar_read(fx.dev, 2, 8, 4, &v), 0);
	assert_int_equal(v, 0x600dcafe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map_bar0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_size_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_io_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_and_io_agree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_fd_kept_open, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
