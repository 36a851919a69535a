/* One process per device: an exclusive flock on the device's sysfs
 * `config` file.
 *
 * Why that file and not a lock file such as /var/run/ixy/ADDR.lock: it
 * exists exactly as long as the device does, needs no directory that might
 * be missing, read-only or different between containers sharing the host,
 * and every path that reaches the device (/sys/bus/pci/devices/ADDR,
 * /sys/devices/pci0000:00/...) leads to the same inode, so two programs
 * cannot lock it under different names. Tests get the same behaviour on
 * their fake sysfs trees. flock locks belong to the open file and vanish
 * with the process, so a killed driver never leaves a stale lock. What a
 * flock cannot store is its owner: the PID comes from /proc/locks (the
 * line whose device and inode are those of the file), when readable.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "error.h"
#include "pci/pci_internal.h"

/* The PID holding a FLOCK on the file behind fd, or 0 if not found. Lines
 * look like "1: FLOCK  ADVISORY  WRITE 1234 00:16:5678 0 EOF" (major and
 * minor in hex, inode in decimal); "->" lines are waiters, not holders. */
static int flock_holder(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return 0;
	FILE *f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	char line[256];
	int pid = 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		char type[16], arrow[4];
		unsigned maj, min;
		unsigned long long ino;
		int p;
		if (sscanf(line, "%*d: %3s", arrow) == 1 && arrow[0] == '-')
			continue;
		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", type, &p, &maj, &min, &ino) == 5 &&
		    type[0] == 'F' && maj == major(st.st_dev) && min == minor(st.st_dev) && ino == st.st_ino)
			pid = p;
	}
	fclose(f);
	return pid;
}

int ixy_pci_lock(struct ixy_pci_dev *dev)
{
	char path[PATH_MAX];
	int err;

	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_lock: device is NULL");
	if (dev->lock_fd >= 0)
		return 0;
	if ((err = ixy_pci_file_path(dev, "config", path, sizeof(path))))
		return err;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		return ixy_error(err, "%s: cannot open %s to claim the device: %s (%s)", dev->name, path,
				 ixy_strerror(err), ixy_pci_errno_hint(err));
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		err = -errno;
		if (err == -EWOULDBLOCK) {
			int pid = flock_holder(fd);
			close(fd);
			if (pid == getpid())
				return ixy_error(-EBUSY, "%s: already opened by this process (PID %d); close it "
						 "first: two drivers on one device would fight over its queues",
						 dev->name, pid);
			if (pid > 0)
				return ixy_error(-EBUSY, "%s: in use by process %d (it holds a lock on %s); stop "
						 "that process first: two drivers on one device would fight over its "
						 "queues", dev->name, pid, path);
			return ixy_error(-EBUSY, "%s: in use by another process (it holds a lock on %s; see "
					 "/proc/locks or fuser %s)", dev->name, path, path);
		}
		close(fd);
		return ixy_error(err, "%s: cannot lock %s: %s", dev->name, path, ixy_strerror(err));
	}
	dev->lock_fd = fd;
	return 0;
}
