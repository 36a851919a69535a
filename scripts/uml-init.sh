#!/bin/bash
# Process 1 inside User-Mode Linux, started by scripts/uml-run.sh (as
# `init=/bin/bash -- THIS`). The root file system is the host's, read-only
# through hostfs; this sets up what a script needs (pseudo file systems,
# writable tmpfs), mounts uml-run.sh's control directory and the optional
# share, runs the job, records its exit status and powers UML off.
# The kernel passes unknown `name=value` boot options as environment:
# ixy_uml_ctl and ixy_uml_share are host paths.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C

say() { echo "uml-init: $*"; }

poweroff() {
	sync
	# UML leaves through its power-off path (it then ends its host
	# processes); the magic SysRq key is the only way without a reboot tool.
	echo o >/proc/sysrq-trigger
	sleep 30
	say "power-off did not happen"
	exit 1
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# CONFIG_DEVTMPFS_MOUNT has put a devtmpfs on /dev already; not on a kernel
# without it.
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
for d in /run /tmp /dev/shm; do
	mkdir -p "$d"
	mount -t tmpfs -o mode=1777 tmpfs "$d" || say "cannot mount tmpfs on $d"
done
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
# What udev would add: bash's process substitution needs /dev/fd.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mkdir -p /run/uml-ctl /run/uml-share
if ! mount -t hostfs none /run/uml-ctl -o "${ixy_uml_ctl:?}"; then
	say "cannot mount the control directory $ixy_uml_ctl"
	poweroff
fi
if [ -n "${ixy_uml_share:-}" ] && ! mount -t hostfs none /run/uml-share -o "$ixy_uml_share"; then
	say "cannot mount the share $ixy_uml_share"
	poweroff
fi
hostname uml
ip link set lo up

say "kernel $(uname -r), $(nproc) cpu, uptime $(cut -d' ' -f1 /proc/uptime) s"
bash /run/uml-ctl/job.sh </dev/null
status=$?
say "job exit status $status"
echo "$status" >/run/uml-ctl/status.tmp && mv /run/uml-ctl/status.tmp /run/uml-ctl/status
umount /run/uml-share 2>/dev/null
umount /run/uml-ctl
poweroff
