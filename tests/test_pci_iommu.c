/* Opens that must fail at once, before the device is touched, on fake
 * sysfs trees: a device whose DMA the IOMMU translates (libixy hands the
 * NIC physical addresses, which would all fault), and ids the ixgbe
 * driver knows but does not take (X550EM, T3 LOM, bypass cards). "Not
 * touched" is checked on the kernel driver's unbind file: still empty. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "fake_sysfs.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/pci.h"

#define NIC "0000:03:00.0"

static int setup(void **state)
{
	char *root = fake_sysfs_create();
	if (!root)
		return -1;
	if (fake_sysfs_add_82599(root, NIC) || fake_sysfs_bind_driver(root, NIC, "ixgbe") ||
	    fake_sysfs_add_netif(root, NIC, "eth7", 0x1002)) {  /* interface down */
		fake_sysfs_destroy(root);
		return -1;
	}
	*state = root;
	return 0;
}

static int teardown(void **state)
{
	return fake_sysfs_destroy(*state);
}

static int check(const char *root)
{
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	assert_non_null(dev);
	ixy_clear_error();
	int rc = ixy_pci_check_iommu(dev);
	if (rc)
		print_message("(expected) %s\n", ixy_last_error());
	ixy_pci_close(dev);
	return rc;
}

static void test_group_types(void **state)
{
	const char *root = *state;

	assert_int_equal(check(root), 0);  /* no iommu_group: no IOMMU */

	assert_int_equal(fake_sysfs_set_iommu_group(root, NIC, 17, "DMA"), 0);
	assert_int_equal(check(root), -EOPNOTSUPP);
	assert_non_null(strstr(ixy_last_error(), "0000:03:00.0: the IOMMU translates this device's DMA "
						 "(iommu_group type DMA): physical addresses from pagemap would fault"));
	assert_non_null(strstr(ixy_last_error(), "bind it to vfio-pci"));
	assert_non_null(strstr(ixy_last_error(), "boot with iommu=pt"));

	assert_int_equal(fake_sysfs_set_iommu_group(root, NIC, 17, "DMA-FQ"), 0);
	assert_int_equal(check(root), -EOPNOTSUPP);
	assert_non_null(strstr(ixy_last_error(), "(iommu_group type DMA-FQ)"));

	assert_int_equal(fake_sysfs_set_iommu_group(root, NIC, 17, "blocked"), 0);
	assert_int_equal(check(root), -EOPNOTSUPP);
	assert_non_null(strstr(ixy_last_error(), "blocks this device's DMA"));

	assert_int_equal(fake_sysfs_set_iommu_group(root, NIC, 17, "identity"), 0);  /* iommu=pt */
	assert_int_equal(check(root), 0);

	assert_int_equal(fake_sysfs_set_iommu_group(root, NIC, 17, NULL), 0);  /* kernel < 5.11 */
	assert_int_equal(check(root), 0);
}

static void assert_unbind_untouched(const char *root)
{
	char buf[64];
	assert_int_equal(fake_sysfs_read(root, "bus/pci/drivers/ixgbe/unbind", buf, sizeof(buf)), 0);
}

/* Through ixy_open: refused before the kernel driver is unbound. */
static void test_open_refuses_translated_dma(void **state)
{
	const char *root = *state;
	struct ixy_config cfg = { .sysfs_root = root };

	assert_int_equal(fake_sysfs_set_iommu_group(root, NIC, 3, "DMA-FQ"), 0);
	ixy_clear_error();
	assert_null(ixy_open(NIC, &cfg));
	print_message("(expected) %s\n", ixy_last_error());
	assert_int_equal(ixy_last_error_code(), -EOPNOTSUPP);
	assert_non_null(strstr(ixy_last_error(), "the IOMMU translates this device's DMA"));
	assert_unbind_untouched(root);
}

/* Ids the driver refuses: at once, naming why, nothing unbound. */
static void test_open_refuses_unsupported_ids(void **state)
{
	const char *root = *state;
	struct ixy_config cfg = { .sysfs_root = root };
	static const struct {
		uint16_t id;
		const char *why;
	} ids[] = {
		{ 0x15AB, "not supported: X550EM_x (Xeon D): no link programming for X550EM boards yet" },
		{ 0x15C8, "not supported: X550EM_a (Atom C3000): no link programming for X550EM boards yet" },
		{ 0x151C, "not supported: 82599 T3 LOM" },
		{ 0x155D, "not supported: 82599 bypass card" },
		{ 0x155C, "not supported: X540 bypass card" },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct fake_pci_ids pid = { .vendor = 0x8086, .device = ids[i].id, .class_code = 0x02,
						  .header_type = 0x80 };
		uint8_t config[256];
		fake_pci_config(config, sizeof(config), &pid);
		assert_int_equal(fake_sysfs_write_file(root, NIC, "config", config, sizeof(config)), 0);
		ixy_clear_error();
		assert_null(ixy_open(NIC, &cfg));
		print_message("(expected) %s\n", ixy_last_error());
		assert_int_equal(ixy_last_error_code(), -ENODEV);
		assert_non_null(strstr(ixy_last_error(), ids[i].why));
		assert_non_null(strstr(ixy_last_error(), "see docs/driver.md"));
		assert_unbind_untouched(root);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_translated_dma, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_unsupported_ids, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
