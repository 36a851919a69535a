#!/usr/bin/env bash
# Install the Debian packages libixy needs, only those missing.
#   scripts/install-deps.sh build   compiler, CMake, libnuma, libpcap, cmocka
#   scripts/install-deps.sh test    build + the tools the tests drive (namespaces,
#                                   ping, socat, tcpdump, tshark, QEMU guest,
#                                   clang with libFuzzer)
#                                   + the UML ring's set below
#   scripts/install-deps.sh uml     the User-Mode Linux ring (docs/uml.md): the
#                                   kernel source and what building it needs,
#                                   and the host tools the checks run inside UML
#                                   (UML's root is the host's, through hostfs)
set -euo pipefail

build=(cmake make gcc pkg-config libnuma-dev libcmocka-dev libpcap-dev util-linux procps)
test=(iproute2 ethtool iputils-ping socat tcpdump tshark    # end-to-end tests
	gnuplot-nox                                        # ixy-latency --png (tests/sh/test_latency.sh)
	qemu-system-x86 busybox-static kmod cpio gzip       # QEMU guest test bed
	clang libclang-rt-14-dev)   # fuzz/: libFuzzer and the sanitizer runtimes (only Recommended by clang)
uml=(linux-source-6.1 xz-utils bc flex bison libelf-dev make gcc patch  # scripts/uml-kernel.sh
	bash coreutils util-linux procps iproute2 ethtool iputils-ping socat pciutils kmod  # inside UML
	python3)  # scripts/uml-trace-diff.sh (tools/trace/trace_diff.py)

case ${1:-build} in
build) packages=("${build[@]}") ;;
test) packages=("${build[@]}" "${test[@]}" "${uml[@]}") ;;
uml) packages=("${uml[@]}") ;;
*) echo "install-deps.sh: unknown set '$1' (build, test or uml)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
	exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: no.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
