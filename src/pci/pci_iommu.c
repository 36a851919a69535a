/* Is the device's DMA translated by an IOMMU?
 *
 * libixy gives the NIC physical addresses (from /proc/self/pagemap). That
 * only works if the device's DMA reaches memory untranslated: no IOMMU,
 * or the IOMMU in pass-through for this device (iommu=pt, the group's
 * domain type "identity"). With the IOMMU translating (domain type "DMA"
 * or "DMA-FQ", the default of many distributions with intel_iommu=on)
 * every descriptor fetch faults in the IOMMU, the NIC sees nothing, and
 * the only trace is a DMAR fault line in the kernel log. Without VFIO
 * (which maps our memory into the device's domain) such a device cannot
 * work, so an open that does not go through VFIO refuses it up front and
 * says what to do. Only for that path: a device bound to vfio-pci is
 * meant to be translated.
 *
 * The kernel shows the device's group as the `iommu_group` link of its
 * sysfs directory, and since Linux 5.11 the group's default domain type
 * in `iommu_group/type` (Documentation/ABI/testing/sysfs-kernel-iommu_groups).
 * No link: no IOMMU for this device. A link without `type` (older
 * kernels): nothing can be told from sysfs, the open goes on. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "pci/pci_internal.h"

int ixy_pci_check_iommu(struct ixy_pci_dev *dev)
{
	char path[PATH_MAX], type[32];
	struct stat st;
	int rc;

	if ((rc = ixy_pci_file_path(dev, "iommu_group", path, sizeof(path))))
		return rc;
	if (stat(path, &st) != 0)
		return 0;  /* no IOMMU group: DMA goes untranslated */
	if ((rc = ixy_pci_file_path(dev, "iommu_group/type", path, sizeof(path))))
		return rc;
	if (stat(path, &st) != 0)
		return 0;  /* kernel before 5.11: the type cannot be read */
	ssize_t n = ixy_pci_read_text(dev, "iommu_group/type", type, sizeof(type));
	if (n < 0)
		return (int)n;
	type[strcspn(type, "\n")] = '\0';
	if (strcmp(type, "DMA") == 0 || strcmp(type, "DMA-FQ") == 0)
		return ixy_error(-EOPNOTSUPP, "%s: the IOMMU translates this device's DMA (iommu_group type %s): "
				 "physical addresses from pagemap would fault and no packet would move; bind it to "
				 "vfio-pci (scripts/bind-uio.sh %s --bind vfio-pci) or boot with iommu=pt",
				 dev->name, type, dev->name);
	if (strcmp(type, "blocked") == 0)
		return ixy_error(-EOPNOTSUPP, "%s: the IOMMU blocks this device's DMA (iommu_group type blocked): "
				 "no DMA can reach memory; boot with iommu=pt", dev->name);
	return 0;  /* "identity" (pass-through), "unmanaged" (a VFIO user's domain), ... */
}
