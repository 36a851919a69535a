/* Fake sysfs trees for tests; see fake_sysfs.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sysfs.h"

char *fake_sysfs_create(void)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(tmpl, sizeof(tmpl), "%s/ixy-fake-sysfs-XXXXXX", tmp) >= (int)sizeof(tmpl))
		return NULL;
	if (!mkdtemp(tmpl))
		return NULL;
	if (chmod(tmpl, 0755) < 0) {
		rmdir(tmpl);
		return NULL;
	}
	return strdup(tmpl);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* Tests chmod files to 000; as root that does not stop unlink, as a
	 * normal user the directory's own mode is what matters. */
	int r = (type == FTW_DP) ? rmdir(path) : unlink(path);
	return r < 0 ? -errno : 0;
}

int fake_sysfs_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int fake_sysfs_destroy(char *root)
{
	if (!root)
		return 0;
	int r = fake_sysfs_rm_rf(root);
	free(root);
	return r;
}

int fake_sysfs_path(char *buf, size_t len, const char *root, const char *addr, const char *rel)
{
	int n = rel ? snprintf(buf, len, "%s/bus/pci/devices/%s/%s", root, addr, rel)
		    : snprintf(buf, len, "%s/bus/pci/devices/%s", root, addr);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

/* mkdir -p of every parent of path (not path itself). */
static int mkparents(const char *path)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int mkdir_p(const char *path)
{
	int r = mkparents(path);

	if (r)
		return r;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_path(const char *path, const void *data, size_t len)
{
	int r = mkparents(path);

	if (r)
		return r;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);
		if (n < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		done += (size_t)n;
	}
	return close(fd) < 0 ? -errno : 0;
}

int fake_sysfs_add_device(const char *root, const char *addr, const void *config, size_t config_len)
{
	char path[PATH_MAX];
	int r = fake_sysfs_path(path, sizeof(path), root, addr, NULL);

	if (r || (r = mkdir_p(path)))
		return r;
	if (!config)
		return 0;
	return fake_sysfs_write_file(root, addr, "config", config, config_len);
}

int fake_sysfs_write_file(const char *root, const char *addr, const char *rel, const void *data,
			  size_t len)
{
	char path[PATH_MAX];
	int r = fake_sysfs_path(path, sizeof(path), root, addr, rel);

	return r ? r : write_path(path, data, len);
}

int fake_sysfs_write_text(const char *root, const char *addr, const char *rel, const char *text)
{
	return fake_sysfs_write_file(root, addr, rel, text, strlen(text));
}

int fake_sysfs_set_resource(const char *root, const char *addr, const char *const *lines, int n)
{
	size_t len = 1;

	for (int i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	char *text = calloc(1, len);
	if (!text)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		strcat(text, lines[i]);
		strcat(text, "\n");
	}
	int r = fake_sysfs_write_text(root, addr, "resource", text);
	free(text);
	return r;
}

int fake_sysfs_add_bar_file(const char *root, const char *addr, int bar, size_t size)
{
	char path[PATH_MAX], rel[16];

	snprintf(rel, sizeof(rel), "resource%d", bar);
	int r = fake_sysfs_path(path, sizeof(path), root, addr, rel);
	if (r || (r = mkparents(path)))
		return r;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int fake_sysfs_set_numa_node(const char *root, const char *addr, int node)
{
	char text[32];

	snprintf(text, sizeof(text), "%d\n", node);
	return fake_sysfs_write_text(root, addr, "numa_node", text);
}

int fake_sysfs_set_iommu_group(const char *root, const char *addr, int group, const char *type)
{
	char dir[PATH_MAX], file[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	int r;

	if (snprintf(dir, sizeof(dir), "%s/kernel/iommu_groups/%d", root, group) >= (int)sizeof(dir) ||
	    snprintf(file, sizeof(file), "%s/type", dir) >= (int)sizeof(file) ||
	    snprintf(target, sizeof(target), "../../../../kernel/iommu_groups/%d", group) >= (int)sizeof(target))
		return -ENAMETOOLONG;
	if ((r = mkdir_p(dir)))
		return r;
	if (type) {
		char text[64];
		snprintf(text, sizeof(text), "%s\n", type);
		if ((r = write_path(file, text, strlen(text))))
			return r;
	} else {
		unlink(file);
	}
	if ((r = fake_sysfs_path(link, sizeof(link), root, addr, "iommu_group")))
		return r;
	unlink(link);
	return symlink(target, link) < 0 ? -errno : 0;
}

int fake_sysfs_bind_driver(const char *root, const char *addr, const char *driver)
{
	char drvdir[PATH_MAX], unbind[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	int r;

	if (snprintf(drvdir, sizeof(drvdir), "%s/bus/pci/drivers/%s", root, driver) >= (int)sizeof(drvdir) ||
	    snprintf(unbind, sizeof(unbind), "%s/unbind", drvdir) >= (int)sizeof(unbind) ||
	    snprintf(target, sizeof(target), "../../drivers/%s", driver) >= (int)sizeof(target))
		return -ENAMETOOLONG;
	if ((r = mkdir_p(drvdir)))
		return r;
	/* A fresh, empty unbind file: a test reads back exactly what the
	 * code under test wrote into it. */
	if ((r = write_path(unbind, "", 0)))
		return r;
	if ((r = fake_sysfs_path(link, sizeof(link), root, addr, "driver")))
		return r;
	unlink(link);
	return symlink(target, link) < 0 ? -errno : 0;
}

int fake_sysfs_add_netif(const char *root, const char *addr, const char *ifname, unsigned flags)
{
	char rel[PATH_MAX], text[32];

	if (snprintf(rel, sizeof(rel), "net/%s/flags", ifname) >= (int)sizeof(rel))
		return -ENAMETOOLONG;
	snprintf(text, sizeof(text), "0x%x\n", flags);
	return fake_sysfs_write_text(root, addr, rel, text);
}

ssize_t fake_sysfs_read(const char *root, const char *relpath, void *buf, size_t len)
{
	char path[PATH_MAX];

	if (len == 0)
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/%s", root, relpath) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	while (got + 1 < len) {
		ssize_t n = read(fd, (char *)buf + got, len - 1 - got);
		if (n < 0) {
			int r = -errno;
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	((char *)buf)[got] = '\0';
	return (ssize_t)got;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void fake_pci_config(uint8_t *cfg, size_t len, const struct fake_pci_ids *ids)
{
	memset(cfg, 0, len);
	if (len < 64)
		return;
	put16(cfg + 0x00, ids->vendor);
	put16(cfg + 0x02, ids->device);
	put16(cfg + 0x06, 0x0010);   /* status: capabilities list present */
	cfg[0x08] = ids->revision;
	cfg[0x09] = ids->prog_if;
	cfg[0x0a] = ids->subclass;
	cfg[0x0b] = ids->class_code;
	cfg[0x0e] = ids->header_type;
	put16(cfg + 0x2c, ids->subsys_vendor);
	put16(cfg + 0x2e, ids->subsys_id);
}

int fake_sysfs_add_82599(const char *root, const char *addr)
{
	static const char *const resource[] = {
		"0x00000000f0000000 0x00000000f007ffff 0x0000000000140204",  /* BAR0 64-bit mem */
		"0x0000000000000000 0x0000000000000000 0x0000000000000000",  /* BAR1 (upper) */
		"0x000000000000e000 0x000000000000e01f 0x0000000000040101",  /* BAR2 I/O */
		"0x0000000000000000 0x0000000000000000 0x0000000000000000",
		"0x00000000f0100000 0x00000000f0103fff 0x0000000000140204",  /* BAR4 MSI-X */
		"0x0000000000000000 0x0000000000000000 0x0000000000000000",
		"0x0000000000000000 0x0000000000000000 0x0000000000000000",  /* ROM */
	};
	const struct fake_pci_ids ids = {
		.vendor = 0x8086, .device = 0x10fb, .revision = 0x01,
		.class_code = 0x02, .subclass = 0x00, .prog_if = 0x00,
		.header_type = 0x80,   /* dual-port: two functions */
		.subsys_vendor = 0x8086, .subsys_id = 0x0003,
	};
	uint8_t cfg[256];
	int r;

	fake_pci_config(cfg, sizeof(cfg), &ids);
	if ((r = fake_sysfs_add_device(root, addr, cfg, sizeof(cfg))) ||
	    (r = fake_sysfs_set_resource(root, addr, resource, 7)) ||
	    (r = fake_sysfs_add_bar_file(root, addr, 0, 512 * 1024)) ||
	    (r = fake_sysfs_add_bar_file(root, addr, 2, 32)) ||
	    (r = fake_sysfs_add_bar_file(root, addr, 4, 16 * 1024)) ||
	    (r = fake_sysfs_set_numa_node(root, addr, 0)))
		return r;
	return 0;
}
