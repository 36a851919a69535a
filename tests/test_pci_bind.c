/* Kernel driver name, network interfaces and unbinding, on fake sysfs
 * trees (the real driver/unbind is never touched). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "fake_sysfs.h"
#include "ixy/pci.h"

#define NIC  "0000:03:00.0"
#define NIC2 "0000:03:00.1"

static int setup(void **state)
{
	char *root = fake_sysfs_create();

	if (!root)
		return -1;
	/* Two ports of one 82599, each bound to its own driver, so a write
	 * to the wrong device's unbind file shows. (Not vfio-pci: a device
	 * bound to it is opened through VFIO, tests/test_pci_vfio.c.) */
	if (fake_sysfs_add_82599(root, NIC) || fake_sysfs_add_82599(root, NIC2) ||
	    fake_sysfs_bind_driver(root, NIC, "ixgbe") || fake_sysfs_bind_driver(root, NIC2, "uio_pci_generic")) {
		fake_sysfs_destroy(root);
		return -1;
	}
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

/* What was written to bus/pci/drivers/<drv>/unbind ("" if nothing). */
static const char *unbind_text(const char *root, const char *drv)
{
	static char buf[256];
	char rel[128];

	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind", drv);
	ssize_t n = fake_sysfs_read(root, rel, buf, sizeof(buf));
	if (n < 0)
		fail_msg("cannot read %s: %s", rel, strerror((int)-n));
	return buf;
}

static struct ixy_pci_dev *open_dev(const char *root, const char *addr)
{
	struct ixy_pci_dev *dev = ixy_pci_open(addr, root);

	if (!dev)
		fail_msg("open %s: %s", addr, ixy_last_error());
	return dev;
}

static void test_driver_name(void **state)
{
	const char *root = *state;
	char buf[64];
	struct ixy_pci_dev *dev = open_dev(root, NIC);
	struct ixy_pci_dev *dev2 = open_dev(root, NIC2);

	assert_int_equal(ixy_pci_driver(dev, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "ixgbe");
	assert_int_equal(ixy_pci_driver(dev2, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "uio_pci_generic");

	/* Exactly fitting, then one byte short. */
	assert_int_equal(ixy_pci_driver(dev, buf, 6), 1);
	assert_string_equal(buf, "ixgbe");
	assert_int_equal(ixy_pci_driver(dev, buf, 5), -ERANGE);
	assert_msg_has("ixgbe");
	assert_int_equal(ixy_pci_driver(dev, NULL, 10), -EINVAL);
	assert_int_equal(ixy_pci_driver(dev, buf, 0), -EINVAL);

	/* Unbound: 0 and an empty name. */
	char link[4096];
	assert_int_equal(fake_sysfs_path(link, sizeof(link), root, NIC, "driver"), 0);
	assert_int_equal(unlink(link), 0);
	strcpy(buf, "junk");
	assert_int_equal(ixy_pci_driver(dev, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	/* `driver` that is not a symlink at all: an error naming the file. */
	assert_int_equal(fake_sysfs_write_text(root, NIC, "driver", "x"), 0);
	assert_int_equal(ixy_pci_driver(dev, buf, sizeof(buf)), -EINVAL);
	assert_msg_has(NIC "/driver");
	ixy_pci_close(dev);
	ixy_pci_close(dev2);
}

static void test_netifs(void **state)
{
	const char *root = *state;
	struct ixy_pci_netif ifs[4];
	struct ixy_pci_dev *dev = open_dev(root, NIC);

	assert_int_equal(ixy_pci_netifs(dev, ifs, 4), 0);   /* no net/ */
	assert_int_equal(fake_sysfs_add_netif(root, NIC, "eth1", 0x1002), 0);
	assert_int_equal(fake_sysfs_add_netif(root, NIC, "eth0", 0x1003), 0);
	assert_int_equal(fake_sysfs_add_netif(root, NIC, "enp3s0f0", 0x1043), 0);

	memset(ifs, 0x55, sizeof(ifs));
	assert_int_equal(ixy_pci_netifs(dev, ifs, 4), 3);
	assert_string_equal(ifs[0].name, "enp3s0f0");   /* sorted */
	assert_true(ifs[0].up);
	assert_string_equal(ifs[1].name, "eth0");
	assert_true(ifs[1].up);
	assert_string_equal(ifs[2].name, "eth1");
	assert_false(ifs[2].up);
	assert_int_equal((unsigned char)ifs[3].name[0], 0x55);   /* untouched */

	/* More interfaces than room: the count is still the total. */
	memset(ifs, 0x55, sizeof(ifs));
	assert_int_equal(ixy_pci_netifs(dev, ifs, 1), 3);
	assert_string_equal(ifs[0].name, "enp3s0f0");
	assert_int_equal((unsigned char)ifs[1].name[0], 0x55);
	assert_int_equal(ixy_pci_netifs(dev, NULL, 0), 3);
	assert_int_equal(ixy_pci_netifs(dev, NULL, 2), -EINVAL);

	/* Unparseable flags: an error naming the file. */
	assert_int_equal(fake_sysfs_write_text(root, NIC, "net/eth0/flags", "up\n"), 0);
	assert_int_equal(ixy_pci_netifs(dev, ifs, 4), -EIO);
	assert_msg_has("net/eth0/flags");
	assert_msg_has("'up");
	ixy_pci_close(dev);
}

static void test_unbind_writes_address(void **state)
{
	const char *root = *state;
	/* Opened by its short name: the canonical one is written. */
	struct ixy_pci_dev *dev = open_dev(root, "3:0.0");

	assert_int_equal(fake_sysfs_add_netif(root, NIC, "eth0", 0x1002), 0);   /* down */
	assert_int_equal(ixy_pci_unbind(dev, false), 0);
	assert_string_equal(unbind_text(root, "ixgbe"), NIC);
	assert_string_equal(unbind_text(root, "uio_pci_generic"), "");
	ixy_pci_close(dev);

	/* The second port goes to its own driver's file. */
	dev = open_dev(root, NIC2);
	assert_int_equal(fake_sysfs_bind_driver(root, NIC, "ixgbe"), 0);   /* fresh file */
	assert_int_equal(ixy_pci_unbind(dev, false), 0);
	assert_string_equal(unbind_text(root, "uio_pci_generic"), NIC2);
	assert_string_equal(unbind_text(root, "ixgbe"), "");
	ixy_pci_close(dev);
}

static void test_unbind_refuses_non_network(void **state)
{
	const char *root = *state;
	const struct fake_pci_ids nvme = {
		.vendor = 0x144d, .device = 0xa808, .class_code = 0x01, .subclass = 0x08, .prog_if = 0x02,
	};
	uint8_t cfg[64];

	fake_pci_config(cfg, sizeof(cfg), &nvme);
	assert_int_equal(fake_sysfs_add_device(root, "0000:01:00.0", cfg, sizeof(cfg)), 0);
	assert_int_equal(fake_sysfs_bind_driver(root, "0000:01:00.0", "nvme"), 0);
	struct ixy_pci_dev *dev = open_dev(root, "0000:01:00.0");

	assert_int_equal(ixy_pci_unbind(dev, false), -ENODEV);
	assert_msg_has("0000:01:00.0");
	assert_msg_has("class 0x010802");
	assert_msg_has("not a network controller");
	/* force is about interfaces being up, not about the class. */
	assert_int_equal(ixy_pci_unbind(dev, true), -ENODEV);
	assert_string_equal(unbind_text(root, "nvme"), "");
	ixy_pci_close(dev);
}

static void test_unbind_interface_up(void **state)
{
	const char *root = *state;
	struct ixy_pci_dev *dev = open_dev(root, NIC);

	assert_int_equal(fake_sysfs_add_netif(root, NIC, "eth0", 0x1002), 0);
	assert_int_equal(fake_sysfs_add_netif(root, NIC, "eth9", 0x1003), 0);
	assert_int_equal(ixy_pci_unbind(dev, false), -EBUSY);
	assert_msg_has(NIC);
	assert_msg_has("eth9 is up");
	assert_msg_has("ip link set dev eth9 down");
	assert_msg_has("force");
	assert_string_equal(unbind_text(root, "ixgbe"), "");

	assert_int_equal(ixy_pci_unbind(dev, true), 0);
	assert_string_equal(unbind_text(root, "ixgbe"), NIC);
	assert_string_equal(unbind_text(root, "uio_pci_generic"), "");

	/* Unreadable flags block a careful unbind, but not a forced one. */
	assert_int_equal(fake_sysfs_bind_driver(root, NIC, "ixgbe"), 0);
	assert_int_equal(fake_sysfs_write_text(root, NIC, "net/eth9/flags", "zz\n"), 0);
	assert_int_equal(ixy_pci_unbind(dev, false), -EIO);
	assert_string_equal(unbind_text(root, "ixgbe"), "");
	assert_int_equal(ixy_pci_unbind(dev, true), 0);
	assert_string_equal(unbind_text(root, "ixgbe"), NIC);
	ixy_pci_close(dev);
}

/* virtio-pci: the interface belongs to virtio_net one bus level down and
 * shows up as DEVICE/virtioN/net/IF; it must count all the same. */
static void test_unbind_virtio_interface_up(void **state)
{
	const char *root = *state;
	struct ixy_pci_dev *dev = open_dev(root, NIC);
	struct ixy_pci_netif ifs[4];

	assert_int_equal(fake_sysfs_write_text(root, NIC, "virtio0/net/ens3/flags", "0x1003\n"), 0);
	assert_int_equal(fake_sysfs_add_netif(root, NIC, "eth0", 0x1002), 0);
	assert_int_equal(ixy_pci_netifs(dev, ifs, 4), 2);
	assert_string_equal(ifs[0].name, "ens3");       /* sorted by name */
	assert_true(ifs[0].up);
	assert_string_equal(ifs[1].name, "eth0");
	assert_false(ifs[1].up);
	assert_int_equal(ixy_pci_unbind(dev, false), -EBUSY);
	assert_msg_has("ens3 is up");
	assert_string_equal(unbind_text(root, "ixgbe"), "");
	assert_int_equal(fake_sysfs_write_text(root, NIC, "virtio0/net/ens3/flags", "0x1002\n"), 0);
	assert_int_equal(ixy_pci_unbind(dev, false), 0);
	assert_string_equal(unbind_text(root, "ixgbe"), NIC);
	ixy_pci_close(dev);
}

static void test_unbind_no_driver(void **state)
{
	const char *root = *state;
	char link[4096];
	struct ixy_pci_dev *dev = open_dev(root, NIC);

	assert_int_equal(fake_sysfs_path(link, sizeof(link), root, NIC, "driver"), 0);
	assert_int_equal(unlink(link), 0);
	/* Even with an interface up: with no driver there is nothing to do. */
	assert_int_equal(fake_sysfs_add_netif(root, NIC, "eth0", 0x1003), 0);
	ixy_clear_error();
	assert_int_equal(ixy_pci_unbind(dev, false), 0);
	assert_string_equal(ixy_last_error(), "");
	assert_string_equal(unbind_text(root, "ixgbe"), "");
	assert_string_equal(unbind_text(root, "uio_pci_generic"), "");
	ixy_pci_close(dev);
}

static void test_unbind_file_missing(void **state)
{
	const char *root = *state;
	char path[4096];
	struct ixy_pci_dev *dev = open_dev(root, NIC);

	snprintf(path, sizeof(path), "%s/bus/pci/drivers/ixgbe/unbind", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ixy_pci_unbind(dev, false), -ENOENT);
	assert_msg_has(NIC "/driver/unbind");
	assert_msg_has("ixgbe");
	/* It must not have been created by the attempt. */
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(ixy_pci_unbind(NULL, false), -EINVAL);
	ixy_pci_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_driver_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_netifs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind_writes_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind_refuses_non_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind_interface_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind_virtio_interface_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind_no_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind_file_missing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
