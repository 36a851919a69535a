#!/usr/bin/env bash
# libixy's main job, on any Debian machine, no NIC needed: ixy-fwd forwards
# between two virtual 82599 ports while ixy-pktgen, in another process, feeds
# the first one through a shared-memory cable. Both print live rates.
#
#   scripts/demo.sh [SECONDS] [PKTGEN-RATE]      default: 10 s, 1Mpps
#
# It installs what is missing, builds (Release), reserves hugepages, runs,
# and cleans up (also on Ctrl-C). The same on real NICs:
#   build/ixy-pktgen -r 10Gbit 0000:03:00.0   and   build/ixy-fwd 0000:03:00.1 0000:04:00.0
# (the demo's own binaries are in build/demo/)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-10}
rate=${2:-1Mpps}
# its own tree: configuring the test command's tree without tests would
# leave scripts/test.sh nothing to run (it checks that, too)
build=${IXY_BUILD_DIR:-$root/build}/demo
case $seconds in ''|*[!0-9]*|0*) echo "demo.sh: SECONDS must be a whole number of seconds, 1 or more (not '$seconds')" >&2; exit 2 ;; esac

if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: must run as root (hugepages, physical addresses for DMA)" >&2
	exit 1
fi
bash "$root/scripts/install-deps.sh" build
bash "$root/scripts/setup-hugetlbfs.sh" --pages "${IXY_HUGEPAGES:-512}" --size 2M >/dev/null
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DIXY_BUILD_TESTS=OFF -DIXY_SANITIZE=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target ixy-fwd ixy-pktgen >/dev/null

cable=ixy-demo-$$
fwd_pid= gen_pid=
stop() {
	[ -n "$gen_pid" ] && kill -INT "$gen_pid" 2>/dev/null
	[ -n "$fwd_pid" ] && kill -INT "$fwd_pid" 2>/dev/null
	wait 2>/dev/null
}
trap stop EXIT INT TERM

echo "demo: ixy-pktgen (sim:gen) --shm cable--> [sim:a  ixy-fwd  sim:b] --> null wire, ${seconds} s, ${rate}"
"$build/ixy-fwd" --ring 4096 -t $((seconds + 1)) "sim:a,wire=shm:$cable" "sim:b,wire=null" &
fwd_pid=$!
sleep 0.5
"$build/ixy-pktgen" -t "$seconds" -r "$rate" -f 16 "sim:gen,wire=shm:$cable" &
gen_pid=$!
wait "$gen_pid"
gen_rc=$?
gen_pid=
wait "$fwd_pid"
fwd_rc=$?
fwd_pid=
trap - EXIT INT TERM
[ $gen_rc = 0 ] && [ $fwd_rc = 0 ]
