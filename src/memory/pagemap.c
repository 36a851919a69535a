/* Virtual to physical address translation through /proc/self/pagemap.
 *
 * Each 8-byte pagemap entry describes one base page: bit 63 = present,
 * bits 0..54 = page frame number (Documentation/admin-guide/mm/pagemap.rst).
 * Since Linux 4.0 the frame number reads as 0 without CAP_SYS_ADMIN. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "ixy/memory.h"

#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_PFN_MASK ((1ULL << 55) - 1)

int ixy_virt_to_phys(const void *virt, uint64_t *phys)
{
	if (!phys)
		return ixy_error(-EINVAL, "ixy_virt_to_phys: phys is NULL");
	long pagesize = sysconf(_SC_PAGESIZE);
	uintptr_t addr = (uintptr_t)virt;
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ixy_error(-errno, "cannot open /proc/self/pagemap: %s%s", strerror(errno),
				 errno == EACCES || errno == EPERM ? " (run as root: DMA needs physical addresses)" : "");
	ssize_t n = pread(fd, &entry, sizeof(entry), (off_t)(addr / pagesize * sizeof(entry)));
	int err = errno;
	close(fd);
	if (n != sizeof(entry))
		return ixy_error(n < 0 ? -err : -EIO, "cannot read /proc/self/pagemap for %p: %s", virt,
				 n < 0 ? strerror(err) : "short read");
	if (!(entry & PAGEMAP_PRESENT))
		return ixy_error(-EFAULT, "page at %p is not present in memory (not faulted in?)", virt);
	uint64_t pfn = entry & PAGEMAP_PFN_MASK;
	if (pfn == 0)
		return ixy_error(-EPERM, "/proc/self/pagemap hides physical addresses from this process: "
				 "DMA needs them; run as root (CAP_SYS_ADMIN)");
	*phys = pfn * (uint64_t)pagesize + addr % (uint64_t)pagesize;
	return 0;
}
