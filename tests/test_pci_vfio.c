/* The pci layer's VFIO backend and the IOVA mappings of DMA memory, on a
 * fake sysfs tree and a fake VFIO (tests/common/fake_vfio.c): a device
 * bound to vfio-pci is opened through group, container and device fd;
 * config space, bus mastering and BARs go through VFIO regions; DMA
 * regions get IOVAs (mapped, unmapped at free, within the IOMMU's width);
 * each failure gives its own message with the fix, and leaves nothing
 * open or mapped; MSI-X vectors are routed to eventfds one by one.
 * The DMA tests need 2 MiB hugepages (and root where pagemap is used). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "error.h"
#include "fake_sysfs.h"
#include "fake_vfio.h"
#include "ixy/device.h"
#include "ixy/memory.h"
#include "ixy/pci.h"
#include "memory/iova.h"
#include "pci/pci_vfio.h"

#define NIC "0000:00:05.0"
#define OTHER "0000:00:05.1"
#define GROUP 7

static char *root;

static void assert_msg_has(const char *frag)
{
	if (!strstr(ixy_last_error(), frag))
		fail_msg("last error lacks '%s': %s", frag, ixy_last_error());
}

static int setup(void **state)
{
	(void)state;
	uint8_t cfg[256];
	struct fake_pci_ids ids = { .vendor = 0x1af4, .device = 0x1041, .class_code = 2 };

	root = fake_sysfs_create();
	if (!root)
		return -1;
	fake_pci_config(cfg, sizeof(cfg), &ids);
	if (fake_sysfs_add_device(root, NIC, cfg, 64) || fake_vfio_sysfs_device(root, NIC, GROUP))
		return -1;
	fake_vfio_install(cfg, sizeof(cfg));
	if (fake_vfio_set_bar(4, 16384, true) || fake_vfio_set_bar(0, 64, false))
		return -1;
	ixy_clear_error();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_vfio_uninstall();
	int r = fake_sysfs_destroy(root);
	root = NULL;
	return r ? -1 : 0;
}

static bool have_hugepages(void)
{
	char mount[256];
	if (ixy_hugetlbfs_find(0, NULL, mount, sizeof(mount)) < 0) {
		print_message("skipping: no 2 MiB hugetlbfs mounted\n");
		return false;
	}
	return true;
}

static void test_open_config_bars(void **state)
{
	(void)state;
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	assert_true(ixy_pci_is_vfio(dev));
	assert_int_equal(fake_vfio.resets, 1);
	assert_int_equal(fake_vfio.open_fds, 3);   /* container, group, device */

	/* config space comes from the VFIO region, beyond the 64 bytes
	 * sysfs shows an unprivileged user */
	fake_vfio.config[0x80] = 0x5a;
	uint8_t b = 0;
	assert_int_equal(ixy_pci_config_read(dev, 0x80, &b, 1), 0);
	assert_int_equal(b, 0x5a);

	/* bus mastering lands in the VFIO config region, not in sysfs */
	assert_int_equal(ixy_pci_enable_bus_master(dev), 0);
	assert_int_equal(fake_vfio.config[4] & 0x6, 0x6);
	uint8_t sysfs_cmd[2];
	char path[4096];
	snprintf(path, sizeof(path), "bus/pci/devices/%s/config", NIC);
	uint8_t file[65];
	assert_int_equal(fake_sysfs_read(root, path, file, sizeof(file)), 64);
	memcpy(sysfs_cmd, file + 4, 2);
	assert_int_equal(sysfs_cmd[0] & 0x6, 0);

	/* an mmap-able BAR: the mapping and the device share the bytes */
	size_t size = 0;
	volatile uint32_t *bar4 = ixy_pci_map_bar(dev, 4, &size);
	if (!bar4)
		fail_msg("map: %s", ixy_last_error());
	assert_int_equal(size, 16384);
	bar4[3] = 0xdeadbeef;
	uint32_t v;
	memcpy(&v, fake_vfio.bar[4] + 12, 4);
	assert_int_equal(v, 0xdeadbeef);
	ixy_pci_unmap_bar((void *)bar4, size);

	/* one that is not: refused for mmap, pread/pwrite work */
	assert_null(ixy_pci_map_bar(dev, 0, &size));
	assert_msg_has("ixy_pci_bar_read");
	assert_int_equal(ixy_pci_bar_write(dev, 0, 0x12, 2, 0xbeef), 0);
	assert_int_equal(fake_vfio.bar[0][0x12], 0xef);
	assert_int_equal(fake_vfio.bar[0][0x13], 0xbe);
	fake_vfio.bar[0][0x20] = 0x77;
	assert_int_equal(ixy_pci_bar_read(dev, 0, 0x20, 1, &v), 0);
	assert_int_equal(v, 0x77);
	assert_int_equal(ixy_pci_bar_read(dev, 0, 63, 2, &v), -ERANGE);
	assert_int_equal(ixy_pci_bar_read(dev, 2, 0, 4, &v), -ENODEV);

	ixy_pci_close(dev);
	assert_int_equal(fake_vfio.open_fds, 0);
}

static void test_not_vfio_without_driver_link(void **state)
{
	(void)state;
	char link[4096];
	assert_int_equal(fake_sysfs_path(link, sizeof(link), root, NIC, "driver"), 0);
	unlink(link);
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	assert_non_null(dev);
	assert_false(ixy_pci_is_vfio(dev));
	assert_int_equal(fake_vfio.open_fds, 0);
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 0, 1), -ENOTSUP);
	assert_msg_has("--bind vfio-pci");
	ixy_pci_close(dev);
}

static void expect_open_fails(const char *frag)
{
	assert_null(ixy_pci_open(NIC, root));
	assert_msg_has(frag);
	assert_int_equal(fake_vfio.open_fds, 0);
	assert_false(ixy__iova_active());
}

static void test_group_not_viable(void **state)
{
	(void)state;
	assert_int_equal(fake_vfio_sysfs_group_member(root, OTHER, GROUP, "e1000e"), 0);
	fake_vfio.viable = false;
	expect_open_fails("IOMMU group 7 is not viable");
	assert_msg_has(OTHER " (e1000e)");
	assert_msg_has("--bind vfio-pci");
}

static void test_group_no_permission(void **state)
{
	(void)state;
	fake_vfio.group_open_errno = EACCES;
	expect_open_fails("no permission on /nonexistent-fake-dev-vfio/7");
	assert_msg_has("chown USER");
}

static void test_no_iommu_group(void **state)
{
	(void)state;
	char link[4096];
	assert_int_equal(fake_sysfs_path(link, sizeof(link), root, NIC, "iommu_group"), 0);
	assert_int_equal(unlink(link), 0);
	expect_open_fails("no IOMMU");
	assert_msg_has("intel_iommu=on");
}

static void test_no_interrupt_remapping(void **state)
{
	(void)state;
	fake_vfio.set_iommu_errno = EPERM;
	expect_open_fails("interrupt remapping");
	assert_msg_has("allow_unsafe_interrupts=1");
}

static void test_second_group_no_interrupt_remapping(void **state)
{
	(void)state;
	uint8_t cfg[256];
	struct fake_pci_ids ids = { .vendor = 0x1af4, .device = 0x1041, .class_code = 2 };
	fake_pci_config(cfg, sizeof(cfg), &ids);
	assert_int_equal(fake_sysfs_add_device(root, OTHER, cfg, 64), 0);
	assert_int_equal(fake_vfio_sysfs_group_member(root, OTHER, GROUP + 1, "vfio-pci"), 0);
	struct ixy_pci_dev *a = ixy_pci_open(NIC, root);
	if (!a)
		fail_msg("open: %s", ixy_last_error());
	/* the container has its IOMMU: the next group is checked when it
	 * joins the container */
	fake_vfio.set_container_errno = EPERM;
	assert_null(ixy_pci_open(OTHER, root));
	assert_msg_has("IOMMU group 8 (EPERM)");
	assert_msg_has("allow_unsafe_interrupts=1");
	assert_int_equal(fake_vfio.open_fds, 3);   /* the first device is untouched */
	assert_true(ixy__iova_active());
	ixy_pci_close(a);
	assert_int_equal(fake_vfio.open_fds, 0);
}

static void test_no_type1(void **state)
{
	(void)state;
	fake_vfio.has_type1 = false;
	expect_open_fails("VFIO_TYPE1_IOMMU");
}

static void test_iommu_width_from_sysfs(void **state)
{
	(void)state;
	assert_int_equal(ixy__vfio_iommu_width(root), 39);   /* nothing there: QEMU's default */
	assert_int_equal(fake_vfio_sysfs_iommu_width(root, 48), 0);
	assert_int_equal(ixy__vfio_iommu_width(root), 48);
}

static void test_dma_gets_iovas(void **state)
{
	(void)state;
	if (!have_hugepages())
		return;
	assert_int_equal(fake_vfio_sysfs_iommu_width(root, 48), 0);
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	assert_true(ixy__iova_active());

	struct ixy_dma_region *a = ixy_dma_alloc(4096, NULL);
	if (!a)
		fail_msg("alloc: %s", ixy_last_error());
	struct ixy_dma_region *b = ixy_dma_alloc(3u << 20, NULL);   /* two pages */
	if (!b)
		fail_msg("alloc: %s", ixy_last_error());
	assert_true(ixy_dma_is_iova(a));
	assert_true(ixy_dma_is_contiguous(b));
	assert_int_equal(fake_vfio.num_maps, 2);
	/* the region's bus address is the IOVA it was mapped at */
	assert_int_equal(fake_vfio.maps[0].iova, ixy_dma_phys(a));
	assert_int_equal(fake_vfio.maps[0].vaddr, (uintptr_t)ixy_dma_virt(a));
	assert_int_equal(fake_vfio.maps[0].size, 2u << 20);
	assert_int_equal(ixy_dma_phys(a), IXY_IOVA_BASE);
	assert_int_equal(ixy_dma_phys(b), IXY_IOVA_BASE + (2u << 20));
	assert_int_equal(fake_vfio.maps[1].size, 4u << 20);
	uint8_t *pb = ixy_dma_virt(b);
	assert_int_equal(ixy_dma_virt_to_phys(b, pb + (2u << 20) + 100), ixy_dma_phys(b) + (2u << 20) + 100);

	/* freed memory leaves the IOMMU first */
	ixy_dma_free(a);
	assert_int_equal(fake_vfio.unmap_calls, 1);
	assert_int_equal(fake_vfio.num_maps, 1);
	assert_int_equal(fake_vfio.maps[0].iova, IXY_IOVA_BASE + (2u << 20));
	ixy_dma_free(b);
	assert_int_equal(fake_vfio.num_maps, 0);
	assert_int_equal(fake_vfio.pinned, 0);
	ixy_pci_close(dev);
	assert_false(ixy__iova_active());
	assert_int_equal(fake_vfio.open_fds, 0);
}

static void test_dma_memlock_too_low(void **state)
{
	(void)state;
	if (!have_hugepages())
		return;
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	fake_vfio.memlock = 3u << 20;
	struct ixy_dma_region *a = ixy_dma_alloc(4096, NULL);
	if (!a)
		fail_msg("alloc: %s", ixy_last_error());
	int before = ixy_dma_list(NULL, 0);
	assert_null(ixy_dma_alloc(4096, NULL));
	assert_msg_has("RLIMIT_MEMLOCK is 3072 KiB");
	assert_msg_has("needs at least 4096 KiB");
	assert_msg_has("ulimit -l");
	assert_msg_has("CAP_IPC_LOCK");
	/* nothing half-made is left: one mapping, one region */
	assert_int_equal(fake_vfio.num_maps, 1);
	assert_int_equal(ixy_dma_list(NULL, 0), before);
	ixy_dma_free(a);
	ixy_pci_close(dev);
}

static void test_dma_beyond_iommu_width(void **state)
{
	(void)state;
	if (!have_hugepages())
		return;
	/* 32 bits: the IOMMU reaches only below 4 GiB, where the allocator
	 * does not go */
	assert_int_equal(fake_vfio_sysfs_iommu_width(root, 32), 0);
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	int before = ixy_dma_list(NULL, 0);
	assert_null(ixy_dma_alloc(4096, NULL));
	assert_msg_has("beyond the IOMMU's address width");
	assert_msg_has("aw-bits=48");
	assert_int_equal(fake_vfio.map_calls, 0);
	assert_int_equal(ixy_dma_list(NULL, 0), before);
	ixy_pci_close(dev);
}

static void test_existing_region_keeps_its_address(void **state)
{
	(void)state;
	if (!have_hugepages())
		return;
	if (geteuid() != 0) {
		print_message("skipping: a region made before VFIO needs pagemap (root)\n");
		return;
	}
	struct ixy_dma_region *early = ixy_dma_alloc(4096, NULL);
	if (!early)
		fail_msg("alloc: %s", ixy_last_error());
	assert_false(ixy_dma_is_iova(early));
	uint64_t phys = ixy_dma_phys(early);
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	assert_int_equal(fake_vfio.num_maps, 1);
	assert_int_equal(fake_vfio.maps[0].iova, phys);
	assert_int_equal(ixy_dma_phys(early), phys);
	ixy_dma_free(early);
	assert_int_equal(fake_vfio.num_maps, 0);
	ixy_pci_close(dev);
}

static void test_existing_region_unmappable(void **state)
{
	(void)state;
	if (!have_hugepages())
		return;
	if (geteuid() != 0) {
		print_message("skipping: a region made before VFIO needs pagemap (root)\n");
		return;
	}
	struct ixy_dma_region *early = ixy_dma_alloc(4096, NULL);
	if (!early)
		fail_msg("alloc: %s", ixy_last_error());
	/* the IOMMU cannot take it (locked-memory limit): open fails, and
	 * leaves nothing open */
	fake_vfio.memlock = 0;
	assert_null(ixy_pci_open(NIC, root));
	assert_msg_has("mapping the existing DMA regions into the IOMMU");
	assert_msg_has("RLIMIT_MEMLOCK");
	assert_int_equal(fake_vfio.open_fds, 0);
	assert_false(ixy__iova_active());
	ixy_dma_free(early);
}

static void test_irq_set_eventfd(void **state)
{
	(void)state;
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	int efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	/* stopping a vector that never ran: nothing to do, MSI-X stays off */
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 2, -1), 0);
	assert_int_equal(fake_vfio.irq_calls, 0);
	/* the first vector enables all five, only vector 2 signals */
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 2, efd), 0);
	assert_int_equal(fake_vfio.irq_count, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(fake_vfio.irq_fds[i], i == 2 ? efd : -1);
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 4, efd), 0);
	assert_int_equal(fake_vfio.irq_fds[4], efd);
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 2, -1), 0);
	assert_int_equal(fake_vfio.irq_fds[2], -1);
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 5, efd), -EINVAL);
	assert_msg_has("the device has 5");
	ixy_pci_close(dev);
	/* closing turned MSI-X off; the caller's fd is its own */
	assert_int_equal(fake_vfio.irq_count, 0);
	assert_true(fcntl(efd, F_GETFD) >= 0);
	close(efd);

	/* a device without MSI-X */
	fake_vfio.msix_count = 0;
	dev = ixy_pci_open(NIC, root);
	assert_non_null(dev);
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 0, 1), -ENOTSUP);
	assert_msg_has("no MSI-X");
	ixy_pci_close(dev);
}

/* Without MSI-X (or with too few vectors): MSI, else INTx, else a clear
 * error; INTx is unmasked on request, the others need no unmask. */
static void test_irq_fallbacks(void **state)
{
	(void)state;
	int efd = eventfd(0, EFD_NONBLOCK);
	unsigned n = 0;
	assert_true(efd >= 0);

	fake_vfio.msix_count = 2;
	fake_vfio.msi_count = 1;
	fake_vfio.intx_count = 1;
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	assert_non_null(dev);
	assert_int_equal(ixy_pci_irq_setup(dev, 4, &n), IXY_PCI_IRQ_MSI);   /* 2 < 4 vectors */
	assert_int_equal(n, 1);
	assert_int_equal(ixy_pci_irq_setup(dev, 1, &n), IXY_PCI_IRQ_MSI);   /* chosen once */
	assert_int_equal(fake_vfio.irq_count, 0);   /* enabled when routed */
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 1, efd), -EINVAL);
	assert_msg_has("MSI vector 1 does not exist");
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 0, efd), 0);
	assert_int_equal(fake_vfio.irq_index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(fake_vfio.irq_fds[0], efd);
	assert_int_equal(ixy_pci_irq_unmask(dev), 0);
	assert_int_equal(fake_vfio.unmask_calls, 0);
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 0, -1), 0);   /* off */
	assert_int_equal(fake_vfio.irq_count, 0);
	ixy_pci_close(dev);

	fake_vfio.msi_count = 0;
	dev = ixy_pci_open(NIC, root);
	assert_int_equal(ixy_pci_irq_setup(dev, 4, &n), IXY_PCI_IRQ_INTX);
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 0, efd), 0);
	assert_int_equal(fake_vfio.irq_index, VFIO_PCI_INTX_IRQ_INDEX);
	fake_vfio_raise(0);
	assert_true(fake_vfio.intx_masked);
	assert_int_equal(ixy_pci_irq_unmask(dev), 0);
	assert_int_equal(fake_vfio.unmask_calls, 1);
	assert_false(fake_vfio.intx_masked);
	ixy_pci_close(dev);
	assert_int_equal(fake_vfio.irq_count, 0);   /* INTx off at close */

	fake_vfio.intx_count = 0;
	dev = ixy_pci_open(NIC, root);
	assert_int_equal(ixy_pci_irq_setup(dev, 4, &n), -ENOTSUP);
	assert_msg_has("has 2 MSI-X vectors, 4 are needed, and neither MSI nor INTx");
	assert_int_equal(ixy_pci_irq_setup(dev, 2, &n), IXY_PCI_IRQ_MSIX);
	assert_int_equal(n, 2);
	ixy_pci_close(dev);
	fake_vfio.msix_count = 0;
	dev = ixy_pci_open(NIC, root);
	assert_int_equal(ixy_pci_irq_setup(dev, 1, &n), -ENOTSUP);
	assert_msg_has("no MSI-X, no MSI, no INTx");
	ixy_pci_close(dev);
	assert_int_equal(fake_vfio.open_fds, 0);
	close(efd);
}

/* ixy_pci_check: the kernel's request gives the device back (bus master
 * off, interrupts off, BAR mappings read all ones, device fd closed); a
 * refused DMA in the PCI status is reported once; config all ones. */
static void test_check_request_abort_removed(void **state)
{
	(void)state;
	int efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	assert_non_null(dev);
	assert_int_equal(ixy_pci_check(dev), 0);
	/* a refused read: Received Master Abort, write-1-to-clear */
	fake_vfio.config[7] |= 0x20;
	assert_int_equal(ixy_pci_check(dev), -EIO);
	assert_msg_has("received master abort");
	assert_int_equal(fake_vfio.config[7] & 0x20, 0);
	assert_int_equal(ixy_pci_check(dev), 0);
	fake_vfio.removed = true;
	assert_int_equal(ixy_pci_check(dev), -ENODEV);
	assert_msg_has("config space reads all ones");
	fake_vfio.removed = false;

	size_t size;
	volatile uint32_t *bar0 = ixy_pci_map_bar(dev, 4, &size);   /* the mmap-able one */
	assert_non_null(bar0);
	assert_int_equal(ixy_pci_enable_bus_master(dev), 0);
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 1, efd), 0);
	assert_true(fake_vfio.req_fd >= 0);
	assert_int_equal(fake_vfio.open_fds, 3);   /* container, group, device */
	uint64_t one = 1;
	assert_int_equal(write(fake_vfio.req_fd, &one, sizeof(one)), (ssize_t)sizeof(one));
	assert_int_equal(ixy_pci_check(dev), -ENODEV);
	assert_msg_has("asked for the device back");
	assert_int_equal(fake_vfio.config[4] & 0x4, 0);   /* bus master off */
	assert_int_equal(fake_vfio.irq_count, 0);
	assert_int_equal(fake_vfio.open_fds, 0);          /* device, group and container let go */
	assert_int_equal(bar0[0], 0xffffffffu);           /* as a removed device reads */
	bar0[1] = 5;                                      /* and a store goes nowhere harmful */
	uint8_t b;
	assert_int_equal(ixy_pci_config_read(dev, 0, &b, 1), -ENODEV);
	assert_msg_has("given back");
	assert_int_equal(ixy_pci_check(dev), -ENODEV);
	assert_int_equal(ixy_pci_disable_bus_master(dev), 0);   /* it is off already */
	assert_int_equal(ixy_pci_irq_set_eventfd(dev, 1, -1), 0);
	ixy_pci_unmap_bar((void *)bar0, size);
	ixy_pci_close(dev);
	assert_int_equal(fake_vfio.open_fds, 0);
	close(efd);
}

static void test_two_devices_one_group(void **state)
{
	(void)state;
	uint8_t cfg[256];
	struct fake_pci_ids ids = { .vendor = 0x1af4, .device = 0x1041, .class_code = 2 };
	fake_pci_config(cfg, sizeof(cfg), &ids);
	assert_int_equal(fake_sysfs_add_device(root, OTHER, cfg, 64), 0);
	assert_int_equal(fake_vfio_sysfs_group_member(root, OTHER, GROUP, "vfio-pci"), 0);

	struct ixy_pci_dev *a = ixy_pci_open(NIC, root);
	struct ixy_pci_dev *b = ixy_pci_open(OTHER, root);
	if (!a || !b)
		fail_msg("open: %s", ixy_last_error());
	/* one container, one group, two device fds */
	assert_int_equal(fake_vfio.open_fds, 4);
	ixy_pci_close(a);
	/* the group and the container stay for the other device */
	assert_int_equal(fake_vfio.open_fds, 3);
	assert_true(ixy__iova_active());
	uint8_t b0;
	assert_int_equal(ixy_pci_config_read(b, 0, &b0, 1), 0);
	ixy_pci_close(b);
	assert_int_equal(fake_vfio.open_fds, 0);
	assert_false(ixy__iova_active());
}

static void test_no_sysfs_device_beside_vfio(void **state)
{
	(void)state;
	/* an 82599 without a driver, beside the device open through VFIO */
	assert_int_equal(fake_sysfs_add_82599(root, "0000:03:00.0"), 0);
	struct ixy_pci_dev *dev = ixy_pci_open(NIC, root);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	struct ixy_config cfg = { .sysfs_root = root };
	assert_null(ixy_open("0000:03:00.0", &cfg));
	assert_msg_has("is not bound to vfio-pci, but this process already drives a device through VFIO");
	assert_msg_has("--bind vfio-pci");
	ixy_pci_close(dev);
	assert_int_equal(fake_vfio.open_fds, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_config_bars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_vfio_without_driver_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_not_viable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_no_permission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_iommu_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_interrupt_remapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_group_no_interrupt_remapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_type1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_width_from_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_gets_iovas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_memlock_too_low, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_beyond_iommu_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_region_keeps_its_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_region_unmappable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_set_eventfd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_fallbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_request_abort_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_devices_one_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_sysfs_device_beside_vfio, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
