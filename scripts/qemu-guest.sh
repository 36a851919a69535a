#!/usr/bin/env bash
# qemu-guest.sh - boot a small Linux guest under QEMU (TCG) whose NICs are
# QEMU's own device models, and run libixy's guest checks in it.
#
# What it does, every step on the host left as it was found:
#   1. kernel: resolves the current Debian kernel package, downloads it with
#      `apt-get download` and unpacks it with `dpkg -x` (never installed),
#      keeps only vmlinuz and the modules the guest needs in a cache keyed
#      by package version, so later runs skip all of this;
#   2. initramfs: busybox-static, bash and the GNU tools the scripts use
#      (with the shared libraries ldd names), the modules, the checks
#      (tests/guest: /init, lib.sh, checks.d/, ixy-guest-checks), the apps
#      found in the build directory (BUILD/ixy-*) and
#      scripts/bind-uio.sh + scripts/setup-hugetlbfs.sh;
#   3. boots it: a network namespace of its own with one tap per NIC
#      (legacy virtio-net, e1000, e1000e, a second legacy virtio-net, and
#      four more legacy virtio-net for the latency path, their taps joined
#      pairwise by two bridges: see "latency path" below; with
#      --machine iommu: q35 with QEMU's intel-iommu and four virtio 1.0 NICs
#      with iommu_platform=on, for the VFIO checks),
#      ixy-guest-vtap on the two virtio taps (injects test frames, checks
#      what ixy-pktgen, ixy-pcap --replay and ixy-fwd send), ixy-guest-tap on the e1000's tap
#      (injects the RX test frame, captures the TX one), QEMU under a hard
#      timeout, the console copied to stdout and to the log;
#   4. cleans up (trap): helper stopped, namespace deleted with its taps.
#
# Result lines (IXY-CHECK ...) from the guest and the host helper all end up
# in the log; tests/sh/test_guest.sh turns them into test results.
# Exit status: 0 the guest finished and no check failed, 1 a check failed,
# 2 usage, 3 missing prerequisite, 4 boot failed or timed out.
set -euo pipefail

PROG=${0##*/}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
LOG=
CACHE=${IXY_GUEST_CACHE:-}
TIMEOUT=240
KEEP=0
MACHINE=pc
RUN_SCRIPTS=()
EXTRA_ENV=()
SMP=1

# Guest NICs: fixed slots, so the checks know the addresses; MACs are the
# ones the checks compare against what the devices report.
VIRTIO_ADDR=0000:00:03.0 VIRTIO_MAC=52:54:00:1b:00:10
E1000_ADDR=0000:00:04.0 E1000_MAC=52:54:00:1b:00:11
E1000E_ADDR=0000:00:05.0 E1000E_MAC=52:54:00:1b:00:12
# A second legacy virtio NIC, for ixy-fwd between two virtio ports.
VIRTIO2_ADDR=0000:00:06.0 VIRTIO2_MAC=52:54:00:1b:00:13
# --machine iommu only: two more virtio 1.0 NICs on one QEMU hub (frames
# one sends, the other receives), the first without MSI-X (vectors=0), so
# its interrupts are INTx (checks.d/91-vfio-intx.sh).
INTX_ADDR=0000:00:07.0 INTX_MAC=52:54:00:1b:00:14
FEED_ADDR=0000:00:08.0 FEED_MAC=52:54:00:1b:00:15
# What checks.d/80-virtio-apps.sh sends and ixy-guest-vtap expects.
VIRTIO_PKTGEN_N=1000 VIRTIO_PKTGEN_SIZE=124 VIRTIO_PCAP_N=20 VIRTIO_FWD_N=200
# The latency path (pc machine; checks.d/85-virtio-latency.sh,
# scripts/latency-guest.sh): ixy-latency sends on LAT_TX and receives on
# LAT_RX, ixy-fwd forwards between FWD_IN and FWD_OUT; on the host bridge
# brlat0 joins LAT_TX's tap to FWD_IN's, brlat1 FWD_OUT's to LAT_RX's:
#   LAT_TX -tap4- brlat0 -tap5- FWD_IN [ixy-fwd] FWD_OUT -tap6- brlat1 -tap7- LAT_RX
LAT_TX_ADDR=0000:00:07.0 LAT_TX_MAC=52:54:00:1b:00:20
FWD_IN_ADDR=0000:00:08.0 FWD_IN_MAC=52:54:00:1b:00:21
FWD_OUT_ADDR=0000:00:09.0 FWD_OUT_MAC=52:54:00:1b:00:22
LAT_RX_ADDR=0000:00:0a.0 LAT_RX_MAC=52:54:00:1b:00:23

# Modules /init loads; the ones bind-uio.sh loads on demand come along.
GUEST_MODULES="virtio_pci virtio_net e1000 e1000e"
EXTRA_MODULES="uio_pci_generic vfio-pci vfio_iommu_type1"
# GNU versions of what the scripts call (busybox readlink has no -m;
# busybox setpriv cannot change the uid, which the VFIO checks need).
HOST_TOOLS="bash readlink stat cat mkdir rm mount umount setpriv"
# The unprivileged user of the VFIO checks.
GUEST_USER=ixy GUEST_UID=1000

usage() {
	cat <<EOF
Usage: $PROG [--build-dir DIR] [--machine pc|iommu] [--log FILE] [--cache-dir DIR] [--timeout SEC] [--keep]
             [--run SCRIPT]... [--env NAME=VALUE]... [--smp N]

Boot the libixy test guest (QEMU, TCG) and run tests/guest/checks.d in it.
Needs root, the Debian packages qemu-system-x86 busybox-static kmod cpio
gzip iproute2, and a build of libixy (ixy-guest-checks, ixy-guest-tap).

  --build-dir DIR  CMake build directory (default $ROOT/build)
  --machine M      pc (default): i440fx, legacy virtio-net, e1000, e1000e, the
                   checks without a '# machine:' line; iommu: q35 with
                   intel-iommu (intremap=on, aw-bits=48), guest intel_iommu=on,
                   four virtio 1.0 NICs with iommu_platform=on (two on
                   taps, two on a QEMU hub, one without MSI-X), the checks
                   marked '# machine: iommu' (VFIO)
  --log FILE       console log (default BUILD/qemu-guest/console.log)
  --cache-dir DIR  kernel cache (default \$IXY_GUEST_CACHE or BUILD/qemu-guest/cache)
  --timeout SEC    hard limit for QEMU (default $TIMEOUT)
  --keep           keep the initramfs staging tree (BUILD/qemu-guest/initramfs)
  --run SCRIPT     run this guest script instead of tests/guest/checks.d (may be
                   given more than once; run in the order given), e.g.
                   tests/guest/latency-measure.sh (scripts/latency-guest.sh)
  --env NAME=VALUE one more line of the guest's /etc/ixy-guest.env
  --smp N          guest CPUs (default 1; more than 1 is multi-threaded TCG)
EOF
}

die() {
	local code=$1
	shift
	printf '%s: error: %s\n' "$PROG" "$*" >&2
	exit "$code"
}
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

while [[ $# -gt 0 ]]; do
	case $1 in
	--build-dir) BUILD=$2; shift ;;
	--machine) MACHINE=$2; shift ;;
	--log) LOG=$2; shift ;;
	--cache-dir) CACHE=$2; shift ;;
	--timeout) TIMEOUT=$2; shift ;;
	--keep) KEEP=1 ;;
	--run) RUN_SCRIPTS+=("$2"); shift ;;
	--env) EXTRA_ENV+=("$2"); shift ;;
	--smp) SMP=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) die 2 "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die 2 "--timeout wants seconds, not '$TIMEOUT'"
[[ $MACHINE == pc || $MACHINE == iommu ]] || die 2 "--machine wants pc or iommu, not '$MACHINE'"
[[ $SMP =~ ^[1-9][0-9]?$ ]] || die 2 "--smp wants a number of CPUs 1..99, not '$SMP'"
for e in ${EXTRA_ENV[@]+"${EXTRA_ENV[@]}"}; do
	[[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*=[^\\\'\"\`\$]*$ ]] ||
		die 2 "--env wants NAME=VALUE without quotes, backslashes or \$ (the guest sources it), not '$e'"
done
for f in ${RUN_SCRIPTS[@]+"${RUN_SCRIPTS[@]}"}; do
	[[ -f $f ]] || die 2 "--run: $f is not a file"
done
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || die 3 "build directory $BUILD does not exist (cmake -S $ROOT -B $BUILD && cmake --build $BUILD)"
WORK=$BUILD/qemu-guest
CACHE=${CACHE:-$WORK/cache}
if [[ $MACHINE == pc ]]; then LOG=${LOG:-$WORK/console.log}; else LOG=${LOG:-$WORK/console-$MACHINE.log}; fi
CHECKS_BIN=$BUILD/tests/guest/ixy-guest-checks
TAP_BIN=$BUILD/tests/guest/ixy-guest-tap
VTAP_BIN=$BUILD/tests/guest/ixy-guest-vtap
IOMMU_BIN=$BUILD/tests/guest/ixy-guest-iommu

# ---- prerequisites ----
[[ $EUID -eq 0 ]] || die 3 "must run as root (network namespace, taps, apt-get download)"
for t in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static depmod:kmod modprobe:kmod \
	cpio:cpio gzip:gzip ip:iproute2 apt-get:apt dpkg:dpkg ldd:libc-bin timeout:coreutils; do
	command -v "${t%%:*}" >/dev/null 2>&1 || die 3 "${t%%:*} not found: apt-get install ${t#*:}"
done
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die 3 "$BUSYBOX is dynamically linked; the guest needs busybox-static (apt-get install busybox-static)"
fi
for b in "$CHECKS_BIN" "$TAP_BIN" "$VTAP_BIN"; do
	[[ -x $b ]] || die 3 "$b not built (cmake --build $BUILD)"
done
mkdir -p "$WORK" "$CACHE" "$(dirname "$LOG")"

# ---- 1. kernel: downloaded and trimmed once per package version ----
resolve_kernel_pkg() {
	{ apt-cache depends linux-image-amd64 2>/dev/null || true; } | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# Copy the modules $@ need (with dependencies) from an unpacked package to $dest.
copy_modules() {
	local src=$1 krel=$2 dest=$3 m f
	shift 3
	for m in "$@"; do
		modprobe -d "$src" -S "$krel" --show-depends "$m" >"$dest.deps" ||
			die 1 "module $m not found in $KPKG (is it still built as a module?)"
		while read -r cmd f _; do
			[[ $cmd == insmod ]] || continue
			mkdir -p "$dest/$(dirname "${f#"$src"/}")"
			cp -f "$f" "$dest/${f#"$src"/}"
		done <"$dest.deps"
		rm -f "$dest.deps"
	done
}

# Any complete cached kernel, newest first (for when apt cannot help).
cached_kernel() {
	local d
	for d in $(ls -1dt "$CACHE"/kernel/*/ 2>/dev/null); do
		[[ -f $d/.complete ]] && { echo "${d%/}"; return 0; }
	done
	return 1
}

# download_kernel PKG VERSION DIR: fetch, unpack, keep what the guest needs.
DL_TMP=
download_kernel() {
	local pkg=$1 ver=$2 dir=$3 deb krel
	note "kernel: downloading $pkg $ver"
	DL_TMP=$(mktemp -d "$CACHE/download.XXXXXX")
	rm -rf "$dir"
	(cd "$DL_TMP" && apt-get download -q "$pkg=$ver" 2>&1 | grep -v 'unsandboxed as root' >&2) || true
	deb=$(ls "$DL_TMP"/*.deb 2>/dev/null | head -n1)
	if [[ -z $deb ]]; then
		rm -rf "$DL_TMP"
		return 1
	fi
	dpkg -x "$deb" "$DL_TMP/x"
	krel=$(ls "$DL_TMP/x/lib/modules")
	[[ -n $krel && -f $DL_TMP/x/boot/vmlinuz-$krel ]] || die 1 "$deb has no boot/vmlinuz-$krel"
	# The package ships no modules.dep (made at install time): make one.
	depmod -b "$DL_TMP/x" "$krel"
	mkdir -p "$dir/lib/modules/$krel"
	copy_modules "$DL_TMP/x" "$krel" "$dir" $GUEST_MODULES $EXTRA_MODULES
	cp "$DL_TMP/x/lib/modules/$krel"/modules.{order,builtin,builtin.modinfo} "$dir/lib/modules/$krel/" 2>/dev/null || true
	cp "$DL_TMP/x/boot/vmlinuz-$krel" "$dir/vmlinuz"
	echo "$krel" >"$dir/kernel-release"
	echo "$pkg $ver" >"$dir/package"
	rm -rf "$DL_TMP"
	DL_TMP=
	touch "$dir/.complete"
	note "kernel: $krel cached in $dir"
}

fetch_kernel() {
	local ver mhash try
	# The module list is part of the key: changing it refreshes the cache.
	mhash=$(printf '%s\n' $GUEST_MODULES $EXTRA_MODULES | cksum | cut -d' ' -f1)
	# Second try after apt-get update: the package may be unknown yet
	# (fresh machine) or gone from the mirror (superseded by an update).
	for try in 1 2; do
		KPKG=$(resolve_kernel_pkg)
		ver=
		[[ -z $KPKG ]] || ver=$({ apt-cache show --no-all-versions "$KPKG" 2>/dev/null || true; } | awk '/^Version:/ { print $2; exit }')
		if [[ -n $ver ]]; then
			KDIR=$CACHE/kernel/${KPKG}_${ver}_$mhash
			if [[ -f $KDIR/.complete ]]; then
				note "kernel: $KPKG $ver (cached in $KDIR)"
				return
			fi
			download_kernel "$KPKG" "$ver" "$KDIR" && return
		fi
		((try == 1)) || break
		note "kernel package ${KPKG:-(not resolved)}${ver:+ $ver} not available: running apt-get update"
		apt-get update -qq >/dev/null 2>&1 || true
	done
	KDIR=$(cached_kernel) || die 3 "cannot get the kernel package (apt-cache depends linux-image-amd64, apt-get download) and no kernel is cached in $CACHE/kernel: check the network and apt sources"
	note "kernel: apt could not provide one (offline?); using cached $KDIR"
}

# ---- 2. initramfs ----
# Copy an executable and the shared libraries it needs, at their own paths.
copy_with_libs() {
	local bin=$1 dest=$2 lib
	mkdir -p "$(dirname "$STAGE$dest")"
	cp -L "$bin" "$STAGE$dest"
	for lib in $(ldd "$bin" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		[[ -e $STAGE$lib ]] && continue
		mkdir -p "$STAGE$(dirname "$lib")"
		cp -L "$lib" "$STAGE$lib"
	done
}

build_initramfs() {
	local krel a t
	krel=$(cat "$KDIR/kernel-release")
	STAGE=$WORK/initramfs
	rm -rf "$STAGE"
	mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,mnt,etc,root} "$STAGE"/ixy/{bin,scripts,checks.d}
	cp "$BUSYBOX" "$STAGE/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[[ $a == busybox ]] || ln -s busybox "$STAGE/bin/$a"
	done
	for t in $HOST_TOOLS; do
		copy_with_libs "$(command -v "$t")" "/usr/bin/$t"
	done
	cp -a "$KDIR/lib" "$STAGE/"
	depmod -b "$STAGE" "$krel"
	copy_with_libs "$CHECKS_BIN" /ixy/bin/ixy-guest-checks
	[[ -x $IOMMU_BIN ]] && copy_with_libs "$IOMMU_BIN" /ixy/bin/ixy-guest-iommu
	# The apps (ixy-fwd, ixy-pktgen, ixy-pcap, ...), for checks.d scripts
	# that run them on the guest's NICs.
	for a in "$BUILD"/ixy-*; do
		[[ -f $a && -x $a ]] && copy_with_libs "$a" "/ixy/bin/${a##*/}"
	done
	cp "$ROOT/scripts/bind-uio.sh" "$ROOT/scripts/setup-hugetlbfs.sh" "$STAGE/ixy/scripts/"
	if ((${#RUN_SCRIPTS[@]})); then
		# --run: only these, numbered so /init keeps their order
		local i=0 f
		for f in "${RUN_SCRIPTS[@]}"; do
			i=$((i + 1))
			cp "$f" "$STAGE/ixy/checks.d/$(printf '%02d' "$i")-${f##*/}"
		done
	else
		cp "$ROOT"/tests/guest/checks.d/*.sh "$STAGE/ixy/checks.d/"
	fi
	cp "$ROOT/tests/guest/lib.sh" "$STAGE/ixy/lib.sh"
	cp "$ROOT/tests/guest/init" "$STAGE/init"
	chmod 755 "$STAGE/init"
	cat >"$STAGE/etc/ixy-guest.env" <<EOF
VIRTIO_ADDR=$VIRTIO_ADDR VIRTIO_MAC=$VIRTIO_MAC
E1000_ADDR=$E1000_ADDR E1000_MAC=$E1000_MAC
E1000E_ADDR=$E1000E_ADDR E1000E_MAC=$E1000E_MAC
VIRTIO2_ADDR=$VIRTIO2_ADDR VIRTIO2_MAC=$VIRTIO2_MAC
INTX_ADDR=$INTX_ADDR INTX_MAC=$INTX_MAC FEED_ADDR=$FEED_ADDR FEED_MAC=$FEED_MAC
VIRTIO_PKTGEN_N=$VIRTIO_PKTGEN_N VIRTIO_PKTGEN_SIZE=$VIRTIO_PKTGEN_SIZE VIRTIO_PCAP_N=$VIRTIO_PCAP_N VIRTIO_FWD_N=$VIRTIO_FWD_N
LAT_TX_ADDR=$LAT_TX_ADDR LAT_TX_MAC=$LAT_TX_MAC FWD_IN_ADDR=$FWD_IN_ADDR FWD_IN_MAC=$FWD_IN_MAC
FWD_OUT_ADDR=$FWD_OUT_ADDR FWD_OUT_MAC=$FWD_OUT_MAC LAT_RX_ADDR=$LAT_RX_ADDR LAT_RX_MAC=$LAT_RX_MAC
IXY_BIN=/ixy/bin IXY_SCRIPTS=/ixy/scripts
IXY_MODULES="$GUEST_MODULES"
IXY_CHECK_TIMEOUT=90
IXY_MACHINE=$MACHINE
GUEST_USER=$GUEST_USER GUEST_UID=$GUEST_UID
EOF
	# --env lines last: they override the defaults above
	local e
	for e in ${EXTRA_ENV[@]+"${EXTRA_ENV[@]}"}; do
		printf '%s="%s"\n' "${e%%=*}" "${e#*=}" >>"$STAGE/etc/ixy-guest.env"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:%d:%d::/tmp:/bin/sh\n' "$GUEST_USER" "$GUEST_UID" "$GUEST_UID" >"$STAGE/etc/passwd"
	printf 'root:x:0:\n%s:x:%d:\n' "$GUEST_USER" "$GUEST_UID" >"$STAGE/etc/group"
	INITRD=$WORK/initramfs.cpio.gz
	(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$INITRD"
	((KEEP)) || rm -rf "$STAGE"
	note "initramfs: $INITRD ($(du -h "$INITRD" | cut -f1))"
}

# ---- 3. network namespace, host helper, QEMU ----
NS=
HELPER_PID=
VHELPER_PID=
cleanup() {
	[[ -n $DL_TMP ]] && rm -rf "$DL_TMP"
	DL_TMP=
	local p
	for p in "$HELPER_PID" "$VHELPER_PID"; do
		[[ -n $p ]] && kill -TERM "$p" 2>/dev/null || true
	done
	for p in "$HELPER_PID" "$VHELPER_PID"; do
		[[ -n $p ]] && wait "$p" 2>/dev/null || true
	done
	HELPER_PID= VHELPER_PID=
	if [[ -n $NS ]]; then
		ip netns del "$NS" 2>/dev/null || true
		NS=
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_net() {
	NS=ixy-guest-$$
	ip netns add "$NS" || die 1 "cannot create network namespace $NS"
	# No IPv6 chatter from the host side onto the guest's wires.
	ip netns exec "$NS" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6' 2>/dev/null || true
	local t
	for t in tap0 tap1 tap2 tap3; do
		ip -n "$NS" tuntap add dev "$t" mode tap
		ip -n "$NS" link set "$t" up
	done
	[[ $MACHINE == pc ]] && setup_latency_path
	return 0
}

# The latency path's taps and bridges (see LAT_TX_ADDR above). The bridges
# run no STP, so their ports forward at once; they learn the guest's MACs
# and flood the rest, which with two ports each is the other tap.
setup_latency_path() {
	local br t
	for br in "brlat0 tap4 tap5" "brlat1 tap6 tap7"; do
		set -- $br
		ip -n "$NS" link add "$1" type bridge stp_state 0 ||
			die 1 "cannot create bridge $1 in $NS (bridge support in the host kernel?)"
		for t in "$2" "$3"; do
			ip -n "$NS" tuntap add dev "$t" mode tap
			ip -n "$NS" link set "$t" master "$1"
			ip -n "$NS" link set "$t" up
		done
		ip -n "$NS" link set "$1" up
	done
}

# What the latency path's taps counted over the whole boot (RX = from the
# guest, TX = towards it, dropped TX = frames the guest's NIC did not take
# in time), for scripts/latency-guest.sh: one IXY-HOST-LINK line each.
latency_path_counters() {
	local t c line
	for t in tap4 tap5 tap6 tap7; do
		line="IXY-HOST-LINK $t"
		for c in rx_packets tx_packets tx_dropped rx_dropped; do
			line+=" $c $(ip netns exec "$NS" cat "/sys/class/net/$t/statistics/$c" 2>/dev/null || echo ?)"
		done
		echo "$line" >>"$LOG"
	done
}

run_qemu() {
	local tap_log=$WORK/tap.log vtap_log=$WORK/vtap.log
	local -a machine nics
	: >"$tap_log"
	# (--run: the host helpers belong to checks.d, which does not run)
	if [[ $MACHINE == pc ]]; then
		if ((${#RUN_SCRIPTS[@]} == 0)); then
			ip netns exec "$NS" "$TAP_BIN" tap1 "$E1000_MAC" "$((TIMEOUT + 10))" >"$tap_log" 2>&1 &
			HELPER_PID=$!
			ip netns exec "$NS" "$VTAP_BIN" tap0 "$VIRTIO_MAC" tap3 "$VIRTIO2_MAC" "$VIRTIO_PKTGEN_N" \
				"$VIRTIO_PKTGEN_SIZE" "$VIRTIO_PCAP_N" "$VIRTIO_FWD_N" "$((TIMEOUT + 10))" >"$vtap_log" 2>&1 &
			VHELPER_PID=$!
		fi
		machine=(-machine pc -append 'console=ttyS0 panic=-1 quiet loglevel=3')
		nics=(
			-netdev tap,id=n0,ifname=tap0,script=no,downscript=no
			-device "virtio-net-pci,disable-modern=on,netdev=n0,mac=$VIRTIO_MAC,addr=0x3,romfile="
			-netdev tap,id=n1,ifname=tap1,script=no,downscript=no
			-device "e1000,netdev=n1,mac=$E1000_MAC,addr=0x4,romfile="
			-netdev tap,id=n2,ifname=tap2,script=no,downscript=no
			-device "e1000e,netdev=n2,mac=$E1000E_MAC,addr=0x5,romfile="
			-netdev tap,id=n3,ifname=tap3,script=no,downscript=no
			-device "virtio-net-pci,disable-modern=on,netdev=n3,mac=$VIRTIO2_MAC,addr=0x6,romfile="
		)
		local lat i=4
		for lat in "$LAT_TX_MAC 0x7" "$FWD_IN_MAC 0x8" "$FWD_OUT_MAC 0x9" "$LAT_RX_MAC 0xa"; do
			set -- $lat
			nics+=(-netdev "tap,id=n$i,ifname=tap$i,script=no,downscript=no"
				-device "virtio-net-pci,disable-modern=on,netdev=n$i,mac=$1,addr=$2,romfile=")
			i=$((i + 1))
		done
	else
		# The VFIO checks run the three apps twice (root, then the
		# unprivileged user): the host counts two rounds.
		if ((${#RUN_SCRIPTS[@]} == 0)); then
			ip netns exec "$NS" "$VTAP_BIN" tap0 "$VIRTIO_MAC" tap3 "$VIRTIO2_MAC" "$VIRTIO_PKTGEN_N" \
				"$VIRTIO_PKTGEN_SIZE" "$VIRTIO_PCAP_N" "$VIRTIO_FWD_N" "$((TIMEOUT + 10))" host_vfio 2 \
				>"$vtap_log" 2>&1 &
			VHELPER_PID=$!
		fi
		# Only a virtio 1.0 device with iommu_platform=on sends its DMA
		# through the vIOMMU; intremap=on lets VFIO attach without
		# allow_unsafe_interrupts; aw-bits=48 for the IOMMU's width.
		machine=(-machine q35 -device intel-iommu,intremap=on,aw-bits=48
			-append 'console=ttyS0 panic=-1 quiet loglevel=3 intel_iommu=on iommu=pt')
		nics=(
			-netdev tap,id=n0,ifname=tap0,script=no,downscript=no
			-device "virtio-net-pci,disable-legacy=on,iommu_platform=on,netdev=n0,mac=$VIRTIO_MAC,addr=0x3,romfile="
			-netdev tap,id=n3,ifname=tap3,script=no,downscript=no
			-device "virtio-net-pci,disable-legacy=on,iommu_platform=on,netdev=n3,mac=$VIRTIO2_MAC,addr=0x6,romfile="
			-netdev hubport,id=h0,hubid=7
			-device "virtio-net-pci,disable-legacy=on,iommu_platform=on,vectors=0,netdev=h0,mac=$INTX_MAC,addr=0x7,romfile="
			-netdev hubport,id=h1,hubid=7
			-device "virtio-net-pci,disable-legacy=on,iommu_platform=on,netdev=h1,mac=$FEED_MAC,addr=0x8,romfile="
		)
	fi
	note "booting the guest ($MACHINE, TCG, $SMP CPU(s), timeout ${TIMEOUT}s); console log: $LOG"
	local start=$SECONDS rc=0
	set +e
	timeout -k 5 "$TIMEOUT" ip netns exec "$NS" qemu-system-x86_64 \
		-accel tcg -cpu max -m 1024 -smp "$SMP" -nodefaults -nographic -no-reboot \
		-serial stdio -monitor none \
		-kernel "$KDIR/vmlinuz" -initrd "$INITRD" "${machine[@]}" "${nics[@]}" \
		</dev/null 2>&1 | sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' | tee "$LOG"
	rc=${PIPESTATUS[0]}   # (SeaBIOS's terminal escapes are dropped above)
	set -e
	QEMU_RC=$rc
	GUEST_SECONDS=$((SECONDS - start))
	[[ $MACHINE == pc ]] && latency_path_counters
	cleanup
	# The host half of the checks goes into the same log.
	((${#RUN_SCRIPTS[@]})) && return
	if [[ $MACHINE == pc ]]; then
		grep '^IXY-CHECK ' "$tap_log" | tee -a "$LOG" || echo "IXY-HOST-WARN ixy-guest-tap reported nothing: $(tr '\n' ' ' <"$tap_log")" | tee -a "$LOG"
	fi
	grep '^IXY-CHECK ' "$vtap_log" | tee -a "$LOG" || echo "IXY-HOST-WARN ixy-guest-vtap reported nothing: $(tr '\n' ' ' <"$vtap_log")" | tee -a "$LOG"
}

fetch_kernel
build_initramfs
setup_net
run_qemu

echo "IXY-HOST-TIME guest_seconds=$GUEST_SECONDS qemu_rc=$QEMU_RC" | tee -a "$LOG"
if ! grep -q '^IXY-GUEST-DONE' "$LOG"; then
	if ((QEMU_RC == 124 || QEMU_RC == 137)); then
		note "the guest did not finish within ${TIMEOUT}s (console log: $LOG)"
	else
		note "the guest did not finish (QEMU exit $QEMU_RC; console log: $LOG)"
	fi
	exit 4
fi
if grep -q '^IXY-CHECK .* result=fail ' "$LOG"; then
	note "some checks failed (console log: $LOG)"
	exit 1
fi
note "guest finished in ${GUEST_SECONDS}s, no check failed"
