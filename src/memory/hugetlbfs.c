/* Finding a hugetlbfs mount, and cleaning up after dead processes.
 *
 * DMA memory comes from files on hugetlbfs: huge pages are never swapped
 * out or migrated, so their physical addresses stay valid for the NIC. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "error.h"
#include "ixy/memory.h"
#include "memory/memory_internal.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

size_t ixy__parse_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return 0;
	switch (toupper((unsigned char)*end)) {
	case '\0': return v;
	case 'K': v <<= 10; break;
	case 'M': v <<= 20; break;
	case 'G': v <<= 30; break;
	default: return 0;
	}
	/* Accept an optional trailing 'B' ("2MB", "2048kB") and nothing else. */
	end++;
	if (*end == 'B' || *end == 'b')
		end++;
	return *end ? 0 : v;
}

size_t ixy__default_hugepage_size(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	size_t kb = 0;

	if (!f)
		return IXY_PAGE_2M;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %zu kB", &kb) == 1)
			break;
	fclose(f);
	return kb ? kb << 10 : IXY_PAGE_2M;
}

static const char *size_name(size_t sz, char *buf, size_t len)
{
	if (sz >= (1UL << 30) && sz % (1UL << 30) == 0)
		snprintf(buf, len, "%zu GiB", sz >> 30);
	else
		snprintf(buf, len, "%zu MiB", sz >> 20);
	return buf;
}

int ixy__hugetlbfs_find_in(const char *mounts_file, size_t default_page_size,
			   size_t page_size, char *path, size_t len)
{
	FILE *f = fopen(mounts_file, "r");
	char line[4096], dev[256], dir[2048], type[64], opts[1024];
	char szbuf[40];
	int found = 0;

	if (!f)
		return ixy_error(-errno, "cannot read %s: %s", mounts_file, strerror(errno));
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %2047s %63s %1023s", dev, dir, type, opts) != 4)
			continue;
		if (strcmp(type, "hugetlbfs") != 0)
			continue;
		size_t sz = default_page_size;
		char *p = strstr(opts, "pagesize=");
		if (p) {
			char val[32];
			size_t n = strcspn(p + 9, ",");
			if (n >= sizeof(val))
				continue;
			memcpy(val, p + 9, n);
			val[n] = '\0';
			sz = ixy__parse_size(val);
		}
		if (sz != page_size)
			continue;
		if (strlen(dir) >= len) {
			fclose(f);
			return ixy_error(-ENAMETOOLONG, "hugetlbfs mount point %s is too long", dir);
		}
		/* /proc/mounts escapes blanks as \040; we do not support them. */
		strcpy(path, dir);
		found = 1;
	}
	fclose(f);
	if (!found)
		return ixy_error(-ENOENT,
				 "no hugetlbfs with %s pages is mounted (looked in %s): run "
				 "scripts/setup-hugetlbfs.sh, or mount one: mount -t hugetlbfs "
				 "-o pagesize=%s nodev %s",
				 size_name(page_size, szbuf, sizeof(szbuf)), mounts_file,
				 page_size == IXY_PAGE_1G ? "1G" : "2M",
				 page_size == IXY_PAGE_1G ? "/mnt/huge-1G" : "/mnt/huge");
	return 0;
}

size_t ixy__resolve_page_size(size_t page_size, const char *override)
{
	struct statfs st;

	if (page_size)
		return page_size;
	if (!override || !*override)
		override = getenv("IXY_HUGETLBFS");
	/* Anything that is not a hugetlbfs is reported by ixy_hugetlbfs_find. */
	if (override && *override && statfs(override, &st) == 0 && (unsigned long)st.f_type == HUGETLBFS_MAGIC)
		return (size_t)st.f_bsize;
	return IXY_PAGE_2M;
}

int ixy_hugetlbfs_find(size_t page_size, const char *override, char *path, size_t len)
{
	char szbuf[64];

	if (!path || len == 0)
		return ixy_error(-EINVAL, "ixy_hugetlbfs_find: no output buffer (path NULL or len 0)");
	if (page_size == 0)
		page_size = IXY_PAGE_2M;
	if (!override || !*override)
		override = getenv("IXY_HUGETLBFS");
	if (override && *override) {
		struct statfs st;
		if (statfs(override, &st) != 0)
			return ixy_error(-errno, "hugetlbfs mount %s: %s", override, strerror(errno));
		if ((unsigned long)st.f_type != HUGETLBFS_MAGIC)
			return ixy_error(-EINVAL, "%s is not a hugetlbfs mount: mount one with "
					 "scripts/setup-hugetlbfs.sh", override);
		if ((size_t)st.f_bsize != page_size)
			return ixy_error(-EINVAL, "%s is a hugetlbfs with %s pages, %s wanted", override,
					 size_name((size_t)st.f_bsize, szbuf, 32),
					 size_name(page_size, szbuf + 32, sizeof(szbuf) - 32));
		if (strlen(override) >= len)
			return ixy_error(-ENAMETOOLONG, "hugetlbfs path %s is too long", override);
		strcpy(path, override);
		return 0;
	}
	return ixy__hugetlbfs_find_in("/proc/mounts", ixy__default_hugepage_size(), page_size, path, len);
}

int ixy_hugetlbfs_clean_stale(const char *mount)
{
	if (!mount)
		return ixy_error(-EINVAL, "ixy_hugetlbfs_clean_stale: mount is NULL");
	DIR *d = opendir(mount);
	struct dirent *e;
	int removed = 0;

	if (!d)
		return ixy_error(-errno, "cannot list hugetlbfs %s: %s", mount, strerror(errno));
	while ((e = readdir(d))) {
		int pid;
		char rest;
		/* Our files are "ixy-PID-N"; anything else is not ours to touch. */
		if (sscanf(e->d_name, "ixy-%d-%*u%c", &pid, &rest) != 1 || pid <= 0)
			continue;
		if (pid == getpid() || kill(pid, 0) == 0 || errno == EPERM)
			continue;       /* owner still alive */
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
