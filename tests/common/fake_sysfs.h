/* Fake sysfs trees for tests: a temporary directory laid out like
 * /sys/bus/pci, to be passed as the sysfs_root of ixy_pci_open().
 *
 *   root/bus/pci/devices/ADDR/config          bytes given
 *   root/bus/pci/devices/ADDR/resource        lines given
 *   root/bus/pci/devices/ADDR/resourceN       regular file of a given size
 *   root/bus/pci/devices/ADDR/numa_node       "N\n"
 *   root/bus/pci/devices/ADDR/driver       -> ../../drivers/NAME (symlink)
 *   root/bus/pci/drivers/NAME/unbind          empty regular file; read it
 *                                             back to see what was written
 *   root/bus/pci/devices/ADDR/net/IF/flags    "0x1003\n"
 *   root/bus/pci/devices/ADDR/iommu_group  -> ../../../../kernel/iommu_groups/N
 *   root/kernel/iommu_groups/N/type           "DMA\n", "identity\n", ...
 *
 * Every function returns 0 or a negative errno (nothing is asserted here,
 * so the helpers also work outside cmocka, e.g. in a forked child).
 * ADDR is used verbatim as the directory name: give the canonical form.
 */
#ifndef IXY_TEST_FAKE_SYSFS_H
#define IXY_TEST_FAKE_SYSFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Create an empty tree root in $TMPDIR (or /tmp); returns a malloc'd path
 * or NULL. The root is made world-searchable (0755) so a test can drop
 * privileges and still reach the files it chmods. */
char *fake_sysfs_create(void);

/* Remove the whole tree (like rm -rf; symlinks are not followed) and free
 * root. NULL is fine. Returns 0 or -errno. */
int fake_sysfs_destroy(char *root);

/* rm -rf of any path, without following symlinks. */
int fake_sysfs_rm_rf(const char *path);

/* "root/bus/pci/devices/ADDR[/rel]" into buf (rel may be NULL). */
int fake_sysfs_path(char *buf, size_t len, const char *root, const char *addr, const char *rel);

/* Create the device directory and, if config is not NULL, its `config`
 * file holding exactly config_len bytes. */
int fake_sysfs_add_device(const char *root, const char *addr, const void *config, size_t config_len);

/* Write (create/replace) a file under the device directory, creating
 * missing parent directories; rel like "numa_node" or "net/eth0/flags". */
int fake_sysfs_write_file(const char *root, const char *addr, const char *rel, const void *data,
			  size_t len);

/* Same for a text string. */
int fake_sysfs_write_text(const char *root, const char *addr, const char *rel, const char *text);

/* The `resource` file: n lines, each "0xSTART 0xEND 0xFLAGS" (a newline is
 * appended to each). */
int fake_sysfs_set_resource(const char *root, const char *addr, const char *const *lines, int n);

/* resourceN, a zero-filled regular file of the given size (mmap-able). */
int fake_sysfs_add_bar_file(const char *root, const char *addr, int bar, size_t size);

/* Put the device in IOMMU group `group` (the iommu_group symlink, as the
 * kernel makes it) whose default domain type is `type` ("DMA", "DMA-FQ",
 * "identity", ...); type NULL: no type file (kernels before 5.11). */
int fake_sysfs_set_iommu_group(const char *root, const char *addr, int group, const char *type);

/* numa_node containing "node\n". */
int fake_sysfs_set_numa_node(const char *root, const char *addr, int node);

/* Bind: bus/pci/drivers/NAME/ with an empty `unbind` file, and the device's
 * `driver` symlink to it (relative, like the kernel's). */
int fake_sysfs_bind_driver(const char *root, const char *addr, const char *driver);

/* net/IFNAME/flags holding "0x<flags>\n" (IFF_UP = 0x1). */
int fake_sysfs_add_netif(const char *root, const char *addr, const char *ifname, unsigned flags);

/* Read a file below root (relpath like "bus/pci/drivers/ixgbe/unbind")
 * into buf, NUL-terminated, so at most len - 1 bytes (give one spare byte
 * when reading binary files); returns the byte count or -errno. */
ssize_t fake_sysfs_read(const char *root, const char *relpath, void *buf, size_t len);

/* Fill a 64-byte (or longer, rest zero) type 0 configuration header
 * (PCI 3.0, 6.1): ids, command 0, status 0x0010 (capabilities list),
 * revision, class/subclass/prog-if, header type, subsystem ids. */
struct fake_pci_ids {
	uint16_t vendor, device;
	uint8_t revision, prog_if, subclass, class_code;
	uint8_t header_type;    /* including bit 7 (multi-function) */
	uint16_t subsys_vendor, subsys_id;
};
void fake_pci_config(uint8_t *cfg, size_t len, const struct fake_pci_ids *ids);

/* A complete ready-to-open NIC: 256-byte config of an Intel 82599ES SFP+
 * (8086:10fb, class 02/00/00), resource with BAR0 as 64-bit memory of
 * 512 KiB (BAR1 the upper half, unimplemented), BAR2 I/O 32 bytes, BAR4
 * 64-bit memory 16 KiB (MSI-X), matching resource0/2/4 files, numa_node 0.
 * No driver bound. */
int fake_sysfs_add_82599(const char *root, const char *addr);

#endif
