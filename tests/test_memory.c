/* Memory layer: hugetlbfs discovery, DMA regions, physical addresses,
 * NUMA placement, registry, stale-file cleanup, error messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ixy/memory.h"
#include "ixy/error.h"
#include "memory/memory_internal.h"

static char mount_2m[256];

/* Independent of the library: our own pagemap read. */
static uint64_t test_phys(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &e, 8, (off_t)((uintptr_t)p / 4096 * 8)), 8);
	close(fd);
	assert_true(e >> 63);
	return (e & ((1ULL << 55) - 1)) * 4096 + (uintptr_t)p % 4096;
}

static int need_hugepages(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		print_message("skipping: DMA memory tests need root (pagemap)\n");
		return -1;
	}
	if (ixy_hugetlbfs_find(IXY_PAGE_2M, NULL, mount_2m, sizeof(mount_2m)) < 0) {
		print_message("no 2 MiB hugetlbfs: %s (scripts/test.sh sets one up)\n", ixy_last_error());
		return -1;
	}
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_parse_size(void **state)
{
	(void)state;
	assert_int_equal(ixy__parse_size("2M"), 2u << 20);
	assert_int_equal(ixy__parse_size("1G"), 1u << 30);
	assert_int_equal(ixy__parse_size("2048kB"), 2u << 20);
	assert_int_equal(ixy__parse_size("4096"), 4096);
	assert_int_equal(ixy__parse_size("2X"), 0);
	assert_int_equal(ixy__parse_size("M"), 0);
	assert_int_equal(ixy__parse_size("2MBx"), 0);
}

static void test_find_in_fake_mounts(void **state)
{
	(void)state;
	char file[] = "/tmp/ixy-mounts-XXXXXX";
	char path[256];
	int fd = mkstemp(file);
	assert_true(fd >= 0);
	close(fd);
	write_file(file,
		   "proc /proc proc rw,nosuid 0 0\n"
		   "nodev /dev/hugepages hugetlbfs rw,relatime 0 0\n"
		   "nodev /mnt/huge-1G hugetlbfs rw,relatime,pagesize=1024M 0 0\n"
		   "nodev /mnt/huge hugetlbfs rw,relatime,pagesize=2M,mode=1770 0 0\n");
	/* No pagesize= option means the default size. */
	assert_int_equal(ixy__hugetlbfs_find_in(file, IXY_PAGE_2M, IXY_PAGE_2M, path, sizeof(path)), 0);
	assert_string_equal(path, "/dev/hugepages");
	assert_int_equal(ixy__hugetlbfs_find_in(file, IXY_PAGE_2M, IXY_PAGE_1G, path, sizeof(path)), 0);
	assert_string_equal(path, "/mnt/huge-1G");
	/* With a 1 GiB default, the unlabelled mount is 1G and the 2M one is found by its option. */
	assert_int_equal(ixy__hugetlbfs_find_in(file, IXY_PAGE_1G, IXY_PAGE_2M, path, sizeof(path)), 0);
	assert_string_equal(path, "/mnt/huge");

	write_file(file, "proc /proc proc rw 0 0\ntmpfs /tmp tmpfs rw 0 0\n");
	assert_int_equal(ixy__hugetlbfs_find_in(file, IXY_PAGE_2M, IXY_PAGE_2M, path, sizeof(path)), -ENOENT);
	assert_non_null(strstr(ixy_last_error(), "no hugetlbfs with 2 MiB pages is mounted"));
	assert_non_null(strstr(ixy_last_error(), "setup-hugetlbfs.sh"));
	unlink(file);
	assert_int_equal(ixy__hugetlbfs_find_in(file, IXY_PAGE_2M, IXY_PAGE_2M, path, sizeof(path)), -ENOENT);
	assert_non_null(strstr(ixy_last_error(), file));
}

static void test_override_not_hugetlbfs(void **state)
{
	(void)state;
	char path[256];
	assert_int_equal(ixy_hugetlbfs_find(IXY_PAGE_2M, "/tmp", path, sizeof(path)), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "/tmp is not a hugetlbfs"));
	assert_int_equal(ixy_hugetlbfs_find(IXY_PAGE_2M, "/nonexistent-ixy", path, sizeof(path)), -ENOENT);
	assert_non_null(strstr(ixy_last_error(), "/nonexistent-ixy"));

	struct ixy_dma_opts o = { .numa_node = -1, .hugetlbfs = "/tmp" };
	assert_null(ixy_dma_alloc(4096, &o));
	assert_non_null(strstr(ixy_last_error(), "not a hugetlbfs"));
}

/* The allocation really is huge-page backed: the kernel says so in smaps. */
static size_t smaps_kernel_page_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;
	size_t kb = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
		else if (in && sscanf(line, "KernelPageSize: %zu kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static void test_alloc_hugepage_backed_phys(void **state)
{
	(void)state;
	struct ixy_dma_region *r = ixy_dma_alloc(100000, NULL);
	assert_non_null(r);
	assert_int_equal(ixy_dma_size(r), IXY_PAGE_2M);
	assert_int_equal(ixy_dma_page_size(r), IXY_PAGE_2M);
	uint8_t *v = ixy_dma_virt(r);
	assert_int_equal((uintptr_t)v % IXY_PAGE_2M, 0);
	assert_int_equal(smaps_kernel_page_kb(v), 2048);
	/* Zeroed, writable. */
	assert_int_equal(v[12345], 0);
	v[12345] = 0xab;

	uint64_t p0 = test_phys(v);
	assert_int_equal(p0 % IXY_PAGE_2M, 0);
	assert_int_equal(ixy_dma_phys(r), p0);
	/* Offsets within the page are consistent, by library and by pagemap. */
	size_t offs[] = { 1, 4095, 4096, 65536 + 17, IXY_PAGE_2M - 1 };
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		assert_int_equal(test_phys(v + offs[i]), p0 + offs[i]);
		assert_int_equal(ixy_dma_virt_to_phys(r, v + offs[i]), p0 + offs[i]);
		uint64_t q = 0;
		assert_int_equal(ixy_virt_to_phys(v + offs[i], &q), 0);
		assert_int_equal(q, p0 + offs[i]);
	}
	assert_int_equal(ixy_dma_virt_to_phys(r, v + IXY_PAGE_2M), 0);
	assert_int_equal(ixy_dma_virt_to_phys(r, v - 1), 0);
	assert_true(ixy_dma_is_contiguous(r));
	ixy_dma_free(r);
}

static void test_multi_page_contiguity(void **state)
{
	(void)state;
	struct ixy_dma_region *r = ixy_dma_alloc(3 * IXY_PAGE_2M, NULL);
	assert_non_null(r);
	uint8_t *v = ixy_dma_virt(r);
	bool contiguous = true;
	for (int i = 0; i < 3; i++) {
		uint64_t p = test_phys(v + (size_t)i * IXY_PAGE_2M + 100);
		assert_int_equal(ixy_dma_virt_to_phys(r, v + (size_t)i * IXY_PAGE_2M + 100), p);
		if (p != test_phys(v) + (size_t)i * IXY_PAGE_2M + 100)
			contiguous = false;
	}
	assert_int_equal(ixy_dma_is_contiguous(r), contiguous);
	ixy_dma_free(r);

	/* Asking for contiguity: either it is (verified) or a clear refusal. */
	struct ixy_dma_opts o = { .numa_node = -1, .contiguous = true };
	r = ixy_dma_alloc(2 * IXY_PAGE_2M, &o);
	if (r) {
		v = ixy_dma_virt(r);
		assert_int_equal(test_phys(v + IXY_PAGE_2M), test_phys(v) + IXY_PAGE_2M);
		ixy_dma_free(r);
	} else {
		assert_non_null(strstr(ixy_last_error(), "not physically contiguous"));
	}
}

static void test_numa_node(void **state)
{
	(void)state;
	struct ixy_dma_opts o = { .numa_node = 0 };
	struct ixy_dma_region *r = ixy_dma_alloc(4096, &o);
	assert_non_null(r);
	assert_int_equal(ixy_dma_numa_node(r), 0);
	int node = -1;
	assert_int_equal(get_mempolicy(&node, NULL, 0, ixy_dma_virt(r), MPOL_F_NODE | MPOL_F_ADDR), 0);
	assert_int_equal(node, 0);
	ixy_dma_free(r);

	o.numa_node = 999;
	assert_null(ixy_dma_alloc(4096, &o));
	assert_non_null(strstr(ixy_last_error(), "NUMA node 999"));
}

static void test_registry(void **state)
{
	(void)state;
	struct ixy_dma_info info[8];
	int before = ixy_dma_list(info, 8);
	struct ixy_dma_region *a = ixy_dma_alloc(1, NULL);
	struct ixy_dma_region *b = ixy_dma_alloc(IXY_PAGE_2M + 1, NULL);
	assert_non_null(a);
	assert_non_null(b);
	int n = ixy_dma_list(info, 8);
	assert_int_equal(n, before + 2);
	int seen = 0;
	for (int i = 0; i < n && i < 8; i++) {
		if (info[i].virt == ixy_dma_virt(a)) {
			assert_int_equal(info[i].size, IXY_PAGE_2M);
			assert_int_equal(info[i].phys, test_phys(ixy_dma_virt(a)));
			seen++;
		}
		if (info[i].virt == ixy_dma_virt(b)) {
			assert_int_equal(info[i].size, 2 * IXY_PAGE_2M);
			seen++;
		}
	}
	assert_int_equal(seen, 2);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ixy_dma_dump(f);
	fclose(f);
	char addr[32];
	snprintf(addr, sizeof(addr), "%p", ixy_dma_virt(b));
	assert_non_null(strstr(text, addr));
	free(text);

	ixy_dma_free(a);
	ixy_dma_free(b);
	assert_int_equal(ixy_dma_list(info, 8), before);
}

static int count_ixy_files(const char *dir, pid_t pid)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char prefix[32];
	int n = 0;
	snprintf(prefix, sizeof(prefix), "ixy-%d-", (int)pid);
	assert_non_null(d);
	while ((e = readdir(d)))
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void test_no_files_left_and_stale_cleanup(void **state)
{
	(void)state;
	/* A live region leaves no name in the mount (unlinked after mmap). */
	struct ixy_dma_region *r = ixy_dma_alloc(1, NULL);
	assert_non_null(r);
	assert_int_equal(count_ixy_files(mount_2m, getpid()), 0);

	/* A process that dies holding a hugepage file: a child that crashes
	 * between create and unlink is simulated by a file with its pid. */
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	char stale[512], foreign[512], live[512];
	snprintf(stale, sizeof(stale), "%s/ixy-%d-7", mount_2m, (int)child);
	snprintf(foreign, sizeof(foreign), "%s/not-ixy-%d", mount_2m, (int)child);
	snprintf(live, sizeof(live), "%s/ixy-1-3", mount_2m);   /* pid 1 is alive */
	int fds[3] = { open(stale, O_CREAT | O_RDWR, 0600), open(foreign, O_CREAT | O_RDWR, 0600),
		       open(live, O_CREAT | O_RDWR, 0600) };
	for (int i = 0; i < 3; i++) {
		assert_true(fds[i] >= 0);
		close(fds[i]);
	}
	int removed = ixy_hugetlbfs_clean_stale(mount_2m);
	assert_true(removed >= 1);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(foreign, F_OK), 0);
	assert_int_equal(access(live, F_OK), 0);
	unlink(foreign);
	unlink(live);
	ixy_dma_free(r);
	assert_int_equal(ixy_hugetlbfs_clean_stale("/nonexistent-ixy"), -ENOENT);
}

static long free_pages_2m(void)
{
	long n = -1;
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static void test_exhaustion_message(void **state)
{
	(void)state;
	long avail = free_pages_2m();
	assert_true(avail >= 0);
	struct ixy_dma_region *r = ixy_dma_alloc((size_t)(avail + 1) * IXY_PAGE_2M, NULL);
	assert_null(r);
	assert_non_null(strstr(ixy_last_error(), "not enough free 2M hugepages"));
	assert_non_null(strstr(ixy_last_error(), "setup-hugetlbfs.sh"));
	/* Nothing leaked: the free count is back. */
	assert_int_equal(free_pages_2m(), avail);
	assert_int_equal(count_ixy_files(mount_2m, getpid()), 0);
}

/* Without CAP_SYS_ADMIN the kernel hides frame numbers: say so plainly. */
static void test_pagemap_without_root(void **state)
{
	(void)state;
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	pid_t child = fork();
	if (child == 0) {
		static volatile char page[4096];
		page[0] = 1;
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		/* setuid() makes the process non-dumpable, which would hide all of
		 * /proc/self; an ordinary unprivileged process is dumpable. */
		prctl(PR_SET_DUMPABLE, 1);
		uint64_t phys = 0;
		int rc = ixy_virt_to_phys((const void *)page, &phys);
		char msg[600];
		snprintf(msg, sizeof(msg), "%d %s", rc, ixy_last_error());
		if (write(pipefd[1], msg, strlen(msg) + 1) < 0)
			_exit(3);
		_exit(0);
	}
	close(pipefd[1]);
	char buf[600] = "";
	assert_true(read(pipefd[0], buf, sizeof(buf) - 1) > 0);
	close(pipefd[0]);
	int status;
	waitpid(child, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(atoi(buf), -EPERM);
	assert_non_null(strstr(buf, "run as root"));
}

/* 1 GiB pages when asked and available: one page is a contiguous GiB. */
static void test_1g_pages(void **state)
{
	(void)state;
	char path[256];
	long free1g = -1;
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages", "r");
	if (f) {
		if (fscanf(f, "%ld", &free1g) != 1)
			free1g = -1;
		fclose(f);
	}
	if (ixy_hugetlbfs_find(IXY_PAGE_1G, NULL, path, sizeof(path)) < 0 || free1g < 1) {
		/* Not available here: asking must then fail with a clear message. */
		struct ixy_dma_opts o = { .page_size = IXY_PAGE_1G, .numa_node = -1 };
		assert_null(ixy_dma_alloc(IXY_PAGE_1G, &o));
		print_message("1 GiB pages not available (%s); checked the error path only\n", ixy_last_error());
		assert_true(strstr(ixy_last_error(), "1 GiB") || strstr(ixy_last_error(), "1G"));
		return;
	}
	struct ixy_dma_opts o = { .page_size = IXY_PAGE_1G, .numa_node = -1, .contiguous = true };
	struct ixy_dma_region *r = ixy_dma_alloc(3 << 20, &o);
	assert_non_null(r);
	uint8_t *v = ixy_dma_virt(r);
	assert_int_equal(ixy_dma_size(r), IXY_PAGE_1G);
	assert_int_equal(ixy_dma_page_size(r), IXY_PAGE_1G);
	assert_int_equal(smaps_kernel_page_kb(v), 1048576);
	assert_int_equal(test_phys(v) % IXY_PAGE_1G, 0);
	assert_int_equal(test_phys(v + 777777777), test_phys(v) + 777777777);
	assert_int_equal(ixy_dma_virt_to_phys(r, v + 777777777), test_phys(v) + 777777777);
	ixy_dma_free(r);

	/* Naming the 1 GiB mount is enough: the page size comes from it. */
	struct ixy_dma_opts by_mount = { .numa_node = -1, .hugetlbfs = path };
	r = ixy_dma_alloc(4096, &by_mount);
	assert_non_null(r);
	assert_int_equal(ixy_dma_page_size(r), IXY_PAGE_1G);
	ixy_dma_free(r);
}

static void test_zero_size(void **state)
{
	(void)state;
	assert_null(ixy_dma_alloc(0, NULL));
	assert_non_null(strstr(ixy_last_error(), "0 bytes"));
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_find_in_fake_mounts),
		cmocka_unit_test(test_override_not_hugetlbfs),
		cmocka_unit_test(test_zero_size),
	};
	const struct CMUnitTest dma[] = {
		cmocka_unit_test(test_alloc_hugepage_backed_phys),
		cmocka_unit_test(test_multi_page_contiguity),
		cmocka_unit_test(test_numa_node),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_no_files_left_and_stale_cleanup),
		cmocka_unit_test(test_exhaustion_message),
		cmocka_unit_test(test_pagemap_without_root),
		cmocka_unit_test(test_1g_pages),
	};
	int failed = cmocka_run_group_tests_name("memory", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("dma", dma, need_hugepages, NULL);
	return failed;
}
