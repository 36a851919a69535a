/* DMA regions: hugepage-backed, locked, NUMA-placed memory with known
 * physical addresses, and the registry of the live ones. */
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "ixy/memory.h"
#include "memory/iova.h"
#include "memory/memory_internal.h"

struct ixy_dma_region {
	void *virt;
	size_t size;
	size_t page_size;
	size_t npages;
	int numa_node;          /* verified node of the pages, -1 unknown */
	bool contiguous;
	bool iova;              /* bus addresses are IOVAs of the VFIO container */
	struct ixy_dma_region *next;   /* registry list */
	uint64_t phys[];        /* bus address of each page: physical, or IOVA */
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ixy_dma_region *registry;
static atomic_uint file_counter;
static _Atomic(ixy__dma_free_observer) free_observer;

/* Stale-file cleanup once per mount point per process. */
static char cleaned_mounts[4][256];

static void clean_once(const char *mount)
{
	pthread_mutex_lock(&registry_lock);
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(cleaned_mounts[i], mount) == 0)
			break;
		if (!cleaned_mounts[i][0]) {
			snprintf(cleaned_mounts[i], sizeof(cleaned_mounts[i]), "%s", mount);
			ixy_hugetlbfs_clean_stale(mount);
			break;
		}
	}
	pthread_mutex_unlock(&registry_lock);
}

static long free_hugepages(size_t page_size)
{
	char path[128];
	long n = -1;
	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages", page_size >> 10);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Bind the (not yet touched) range to one node so that the first touch
 * allocates the huge pages there. */
static int place_on_node(void *addr, size_t size, int node)
{
	if (numa_available() < 0)
		return ixy_error(-ENOTSUP, "NUMA node %d requested but this kernel has no NUMA support", node);
	if (node > numa_max_node())
		return ixy_error(-EINVAL, "NUMA node %d requested but the highest node is %d", node,
				 numa_max_node());
	unsigned long mask[16] = { 0 };
	mask[node / (8 * sizeof(long))] |= 1UL << (node % (8 * sizeof(long)));
	if (mbind(addr, size, MPOL_BIND, mask, sizeof(mask) * 8, MPOL_MF_STRICT) != 0)
		return ixy_error(-errno, "mbind to NUMA node %d failed: %s", node, strerror(errno));
	return 0;
}

static int node_of(void *addr)
{
	int node = -1;
	if (get_mempolicy(&node, NULL, 0, addr, MPOL_F_NODE | MPOL_F_ADDR) != 0)
		return -1;
	return node;
}

/* Record the region's NUMA node, and refuse pages on another node than
 * the one asked for. */
static int check_nodes(struct ixy_dma_region *r, int want)
{
	for (size_t i = 0; i < r->npages; i++) {
		int node = node_of((uint8_t *)r->virt + i * r->page_size);
		if (want >= 0 && node != want)
			return ixy_error(-EIO, "page %zu of a DMA region landed on NUMA node %d, not %d as asked: "
					 "reserve hugepages on node %d (scripts/setup-hugetlbfs.sh --node %d)",
					 i, node, want, want, want);
		if (i == 0)
			r->numa_node = node;
		else if (node != r->numa_node)
			r->numa_node = -1;
	}
	return 0;
}

struct ixy_dma_region *ixy_dma_alloc(size_t size, const struct ixy_dma_opts *opts)
{
	struct ixy_dma_opts o = { .page_size = 0, .numa_node = -1 };
	char mount[256], path[320], szname[16];
	int err;

	if (opts)
		o = *opts;
	o.page_size = ixy__resolve_page_size(o.page_size, o.hugetlbfs);
	if (size == 0)
		return ixy_error_null(-EINVAL, "DMA allocation of 0 bytes");
	snprintf(szname, sizeof(szname), "%zu%s", o.page_size >= IXY_PAGE_1G ? o.page_size >> 30 : o.page_size >> 20,
		 o.page_size >= IXY_PAGE_1G ? "G" : "M");
	if (ixy_hugetlbfs_find(o.page_size, o.hugetlbfs, mount, sizeof(mount)) < 0)
		return NULL;
	clean_once(mount);

	size_t npages = (size + o.page_size - 1) / o.page_size;
	size_t total = npages * o.page_size;
	struct ixy_dma_region *r = calloc(1, sizeof(*r) + npages * sizeof(uint64_t));
	if (!r)
		return ixy_error_null(-ENOMEM, "out of memory for a DMA region descriptor");

	snprintf(path, sizeof(path), "%s/ixy-%d-%u", mount, (int)getpid(), atomic_fetch_add(&file_counter, 1));
	int fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = errno;
		free(r);
		return ixy_error_null(-err, "cannot create hugepage file %s: %s%s", path, strerror(err),
				      err == EACCES || err == EPERM ? " (run as root)" : "");
	}
	if (ftruncate(fd, (off_t)total) != 0) {
		err = errno;
		goto fail_file;
	}
	/* hugetlbfs reserves the pages at mmap time: no free pages -> ENOMEM here. */
	void *virt = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (virt == MAP_FAILED) {
		err = errno;
		goto fail_file;
	}
	/* The mapping keeps the pages; the name is no longer needed, and
	 * without it nothing can be left behind when the process dies. */
	close(fd);
	unlink(path);
	fd = -1;
	r->virt = virt;
	r->size = total;
	r->page_size = o.page_size;
	r->npages = npages;
	r->numa_node = -1;

	if (o.numa_node >= 0 && (err = place_on_node(virt, total, o.numa_node)) < 0)
		goto fail_map_msg;
	/* Behind VFIO the IOMMU gives the region its bus address: no
	 * pagemap (and no root), and VFIO pins the pages itself. */
	if (ixy__iova_active()) {
		uint64_t iova;
		memset(virt, 0, total);
		if ((err = check_nodes(r, o.numa_node)) < 0)
			goto fail_map_msg;
		if ((err = ixy__iova_map(virt, total, o.page_size, &iova)) < 0)
			goto fail_map_msg;
		for (size_t i = 0; i < npages; i++)
			r->phys[i] = iova + i * o.page_size;
		r->iova = true;
		r->contiguous = true;
		goto registered;
	}
	/* Fault every page in (and lock it) before asking for its address. */
	if (mlock(virt, total) != 0) {
		err = errno;
		munmap(virt, total);
		free(r);
		return ixy_error_null(-err, "cannot lock %zu bytes of hugepage memory from %s: %s%s", total, mount,
				      strerror(err), err == ENOMEM || err == EPERM ? " (check ulimit -l / run as root)" : "");
	}
	memset(virt, 0, total);

	for (size_t i = 0; i < npages; i++) {
		uint8_t *page = (uint8_t *)virt + i * o.page_size;
		if ((err = ixy_virt_to_phys(page, &r->phys[i])) < 0)
			goto fail_map_msg;
	}
	if ((err = check_nodes(r, o.numa_node)) < 0)
		goto fail_map_msg;
	r->contiguous = true;
	for (size_t i = 1; i < npages; i++)
		if (r->phys[i] != r->phys[0] + i * o.page_size)
			r->contiguous = false;
	if (o.contiguous && !r->contiguous) {
		err = ixy_error(-ENOMEM, "a %zu-byte DMA region over %zu pages of %s is not physically contiguous: "
				"allocate at most one page per region, or use 1 GiB pages", total, npages, szname);
		goto fail_map_msg;
	}

registered:
	pthread_mutex_lock(&registry_lock);
	r->next = registry;
	registry = r;
	pthread_mutex_unlock(&registry_lock);
	return r;

fail_map_msg:
	munmap(r->virt, total);
	free(r);
	ixy_error_prefix("DMA allocation of %zu bytes", size);
	return NULL;
fail_file:
	close(fd);
	unlink(path);
	free(r);
	if (err == ENOMEM || err == ENOSPC) {
		long avail = free_hugepages(o.page_size);
		return ixy_error_null(-ENOMEM, "not enough free %s hugepages for %zu bytes (%zu pages needed, %ld free): "
				      "reserve more with scripts/setup-hugetlbfs.sh --pages N", szname, total,
				      npages, avail);
	}
	return ixy_error_null(-err, "cannot map hugepage file %s: %s", path, strerror(err));
}

void ixy_dma_free(struct ixy_dma_region *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&registry_lock);
	for (struct ixy_dma_region **p = &registry; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			break;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	/* Out of the IOMMU first: the device must not reach the pages once
	 * they go back to the kernel. */
	ixy__iova_unmap(r->virt, r->size);
	munmap(r->virt, r->size);
	ixy__dma_free_observer obs = atomic_load(&free_observer);
	if (obs)
		obs(r->virt, r->size);
	free(r);
}

int ixy__dma_map_all(void)
{
	int err = 0;

	pthread_mutex_lock(&registry_lock);
	for (struct ixy_dma_region *r = registry; r && !err; r = r->next) {
		if (r->contiguous) {
			err = ixy__iova_map_at(r->virt, r->size, r->phys[0]);
			continue;
		}
		/* physically scattered pages: one mapping each */
		for (size_t i = 0; i < r->npages && !err; i++)
			err = ixy__iova_map_at((uint8_t *)r->virt + i * r->page_size, r->page_size, r->phys[i]);
	}
	pthread_mutex_unlock(&registry_lock);
	if (err)
		ixy_error_prefix("mapping the existing DMA regions into the IOMMU at their bus addresses");
	return err;
}

void ixy__dma_set_free_observer(ixy__dma_free_observer fn)
{
	atomic_store(&free_observer, fn);
}

/* The accessors: NULL / 0 / -1 / false with a message for a NULL region. */
static bool no_region(const struct ixy_dma_region *r, const char *fn)
{
	if (r)
		return false;
	ixy_error(-EINVAL, "%s: region is NULL", fn);
	return true;
}

void *ixy_dma_virt(const struct ixy_dma_region *r) { return no_region(r, "ixy_dma_virt") ? NULL : r->virt; }
uint64_t ixy_dma_phys(const struct ixy_dma_region *r) { return no_region(r, "ixy_dma_phys") ? 0 : r->phys[0]; }
size_t ixy_dma_size(const struct ixy_dma_region *r) { return no_region(r, "ixy_dma_size") ? 0 : r->size; }
size_t ixy_dma_page_size(const struct ixy_dma_region *r)
{
	return no_region(r, "ixy_dma_page_size") ? 0 : r->page_size;
}
int ixy_dma_numa_node(const struct ixy_dma_region *r)
{
	return no_region(r, "ixy_dma_numa_node") ? -1 : r->numa_node;
}
bool ixy_dma_is_contiguous(const struct ixy_dma_region *r)
{
	return no_region(r, "ixy_dma_is_contiguous") ? false : r->contiguous;
}
bool ixy_dma_is_iova(const struct ixy_dma_region *r)
{
	return no_region(r, "ixy_dma_is_iova") ? false : r->iova;
}

uint64_t ixy_dma_virt_to_phys(const struct ixy_dma_region *r, const void *ptr)
{
	if (no_region(r, "ixy_dma_virt_to_phys"))
		return 0;
	uintptr_t off = (uintptr_t)ptr - (uintptr_t)r->virt;
	if ((uintptr_t)ptr < (uintptr_t)r->virt || off >= r->size)
		return 0;
	return r->phys[off / r->page_size] + off % r->page_size;
}

int ixy_dma_list(struct ixy_dma_info *out, int max)
{
	int n = 0;
	if (!out)
		max = 0;  /* count only */
	pthread_mutex_lock(&registry_lock);
	for (struct ixy_dma_region *r = registry; r; r = r->next, n++) {
		if (n < max)
			out[n] = (struct ixy_dma_info){ r->virt, r->phys[0], r->size, r->page_size,
							r->numa_node, r->contiguous };
	}
	pthread_mutex_unlock(&registry_lock);
	return n;
}

void ixy_dma_dump(FILE *f)
{
	if (!f) {
		ixy_error(-EINVAL, "ixy_dma_dump: f is NULL");
		return;
	}
	pthread_mutex_lock(&registry_lock);
	fprintf(f, "%-18s %-18s %12s %9s %4s %s\n", "virt", "phys", "bytes", "page", "node", "contiguous");
	for (struct ixy_dma_region *r = registry; r; r = r->next)
		fprintf(f, "%-18p 0x%016llx %12zu %8zuK %4d %s\n", r->virt, (unsigned long long)r->phys[0], r->size,
			r->page_size >> 10, r->numa_node, r->contiguous ? "yes" : "no");
	pthread_mutex_unlock(&registry_lock);
}
