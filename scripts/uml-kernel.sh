#!/usr/bin/env bash
# Build (once) and print the path of a User-Mode Linux kernel with PCI over
# virtio and Linux's ixgbe driver, from Debian's linux-source-6.1.
#
#   scripts/uml-kernel.sh            build if needed, print the binary's path
#   scripts/uml-kernel.sh --check    print the path if cached, else exit 1
#
# The build takes about 6 minutes on 2 cores, so the binary is cached outside
# any build tree, in ${IXY_UML_CACHE:-/var/cache/libixy/uml}/KEY/linux, where
# KEY is the source package's version plus a hash of the config fragment
# below: a new kernel or new options build a new binary, anything else reuses
# it. Needs (installed by scripts/install-deps.sh uml): linux-source-6.1, bc,
# flex, bison, libelf-dev.
set -euo pipefail

# The options on top of `make ARCH=um defconfig`. The PCI device id is ours:
# UML has no official id for the virtio PCI-over-virtio device (see
# docs/uml.md); the device server must announce the same one.
fragment=(
	"--enable VIRTIO_UML"
	"--enable UML_PCI_OVER_VIRTIO"
	"--set-val UML_PCI_OVER_VIRTIO_DEVICE_ID 1234"
	"--enable PCI_MSI"
	"--enable NETDEVICES"
	"--enable ETHERNET"
	"--enable NET_VENDOR_INTEL"
	"--enable IXGBE"
	"--disable IXGBE_HWMON"
	"--disable IXGBE_DCB"
	"--enable HOSTFS"
	"--enable VETH"
	"--enable NET_NS"
	"--enable PACKET"
	"--enable UNIX"
	"--enable INET"
	"--enable DEVTMPFS"
	"--enable DEVTMPFS_MOUNT"
	"--enable TMPFS"
	"--enable PROC_FS"
	"--enable SYSFS"
	"--enable ETHTOOL_NETLINK"
	"--enable PRINTK_TIME"
)

check=0
case ${1:-} in
--check) check=1 ;;
"") ;;
-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
*) echo "uml-kernel.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac

tarball=/usr/src/linux-source-6.1.tar.xz
if [ ! -f "$tarball" ]; then
	echo "uml-kernel.sh: $tarball not found: apt-get install linux-source-6.1 (scripts/install-deps.sh uml)" >&2
	exit 1
fi
version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)
# Fixes to UML's own transport (never to the ixgbe driver under test), each
# explained at its top: scripts/uml-patches/*.patch. They are part of the key.
patches=("$(dirname "$0")"/uml-patches/*.patch)
[ -e "${patches[0]}" ] || patches=()
key=$( { printf '%s\n' "$version" "${fragment[@]}"; cat ${patches[@]+"${patches[@]}"}; } | sha256sum | cut -c1-16)
cache=${IXY_UML_CACHE:-/var/cache/libixy/uml}/$key
if [ -x "$cache/linux" ]; then
	echo "$cache/linux"
	exit 0
fi
[ $check = 1 ] && exit 1

mkdir -p "$cache"
# One builder at a time per key (two test runs may start together).
exec 9>"$cache/.lock"
flock 9
if [ -x "$cache/linux" ]; then
	echo "$cache/linux"
	exit 0
fi
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "uml-kernel.sh: building UML $version (key $key) in $work; about 6 minutes on 2 cores" >&2
tar -xJf "$tarball" -C "$work"
src=$(echo "$work"/linux-source-6.1)
log=$cache/build.log
for p in ${patches[@]+"${patches[@]}"}; do
	patch -d "$src" -p1 --quiet <"$p" || {
		echo "uml-kernel.sh: $p does not apply to $version" >&2
		exit 1
	}
done
{
	make -C "$src" ARCH=um defconfig
	# shellcheck disable=SC2086
	"$src/scripts/config" --file "$src/.config" ${fragment[*]}
	make -C "$src" ARCH=um olddefconfig
	make -C "$src" ARCH=um -j"$(nproc)" linux
} >"$log" 2>&1 || {
	echo "uml-kernel.sh: kernel build failed; last lines of $log:" >&2
	tail -n 20 "$log" >&2
	exit 1
}
# Every option asked for must have survived olddefconfig (a dependency
# missing silently drops one).
for opt in VIRTIO_UML UML_PCI_OVER_VIRTIO IXGBE HOSTFS VETH; do
	grep -q "^CONFIG_$opt=y" "$src/.config" || {
		echo "uml-kernel.sh: CONFIG_$opt is not set after olddefconfig (see $src/.config)" >&2
		exit 1
	}
done
cp "$src/.config" "$cache/config"
install -m 755 "$src/linux" "$cache/linux.tmp"
mv "$cache/linux.tmp" "$cache/linux"
echo "$cache/linux"
