#!/usr/bin/env bash
# Install libixy into a temporary prefix and build an outside program against
# it both ways: pkg-config (shared and static) and CMake find_package.
# Called by ctest as: test_install.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
tmp=$(mktemp -d /tmp/ixy-install-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # name, command...
	local name=$1; shift
	if "$@" >"$tmp/out" 2>&1; then pass=$((pass + 1)); echo "ok   $name"
	else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/     /' "$tmp/out"; fi
}
expect_output() { # binary, args... : must print the canonical address
	"$@" >"$tmp/run" 2>&1 || { cat "$tmp/run"; return 1; }
	grep -qx 'address 0000:0a:1f.7' "$tmp/run" || { cat "$tmp/run"; return 1; }
	grep -q '^libixy [0-9]' "$tmp/run"
}

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log"
check "headers installed under include/ixy" test -f "$tmp/prefix/include/ixy/ixy.h" -a -f "$tmp/prefix/include/ixy/mempool.h"
pcdir=$(dirname "$(find "$tmp/prefix" -name ixy.pc | head -n1)")
libdir=$(dirname "$pcdir")
check "ixy.pc installed" test -f "$pcdir/ixy.pc"
check "shared and static libraries installed" test -e "$libdir/libixy.so" -a -f "$libdir/libixy.a"
check "ixyConfig.cmake installed" test -f "$libdir/cmake/ixy/ixyConfig.cmake"

export PKG_CONFIG_PATH=$pcdir
check "pkg-config knows ixy" pkg-config --exists ixy
# shellcheck disable=SC2046
check "pkg-config shared build" cc -Wall -Werror -o "$tmp/pc_shared" "$src/tests/install/consumer.c" \
	$(pkg-config --cflags --libs ixy) -Wl,-rpath,"$libdir"
check "pkg-config shared run" expect_output "$tmp/pc_shared" 0a:1f.7
# shellcheck disable=SC2046
check "pkg-config static build" cc -Wall -Werror -o "$tmp/pc_static" "$src/tests/install/consumer.c" \
	$(pkg-config --cflags ixy) "$libdir/libixy.a" $(pkg-config --static --libs-only-l ixy | sed 's/-lixy//')
check "pkg-config static run" expect_output "$tmp/pc_static" 0a:1f.7
check "static binary does not need libixy.so" sh -c "! ldd '$tmp/pc_static' | grep -q libixy"

check "find_package configure" cmake -S "$src/tests/install" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix"
check "find_package build" cmake --build "$tmp/consumer"
check "find_package shared run" expect_output "$tmp/consumer/consumer_shared" 0000:0A:1F.7
check "find_package static run" expect_output "$tmp/consumer/consumer_static" 0a:1f.7
if [ "$(id -u)" = 0 ] && grep -q hugetlbfs /proc/mounts; then
	check "installed library allocates DMA memory" sh -c "'$tmp/consumer/consumer_shared' 0a:1f.7 --dma | grep -q 'buffer phys 0x[1-9a-f]'"
fi
check "bad address is a clear error" sh -c "! '$tmp/pc_shared' 0a:1f.9 2>&1 && '$tmp/pc_shared' 0a:1f.9 2>&1 | grep -qi 'function'"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
