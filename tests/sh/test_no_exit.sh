#!/usr/bin/env bash
# The library must never end its caller's process: no object in libixy may
# reference exit(), _exit(), abort() or assert()'s __assert_fail. Checked on
# the built archive's undefined symbols, so it cannot be fooled by comments.
set -euo pipefail
build=$2
lib="$build/libixy.a"
[ -f "$lib" ] || { echo "no $lib"; echo "0 passed, 1 failed"; exit 1; }
bad=$(nm -A --undefined-only "$lib" | awk '$NF ~ /^(exit|_exit|_Exit|abort|__assert_fail|quick_exit)(@.*)?$/ {print $1, $NF}')
if [ -n "$bad" ]; then
	echo "libixy references process-ending functions:"
	echo "$bad"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "libixy.a: no exit/abort/assert references in $(nm -A --undefined-only "$lib" | cut -d: -f2 | sort -u | wc -l) objects"
echo "1 passed, 0 failed"
