#!/usr/bin/env bash
# Boot the User-Mode Linux kernel (scripts/uml-kernel.sh) with the host's
# root file system, read-only through hostfs, run one script inside it and
# return that script's exit status. Nothing is left behind: UML's processes
# (it forks several) are all gone when this returns, whatever happened.
#
#   scripts/uml-run.sh [OPTIONS] SCRIPT [ARG...]
#
#   --kernel PATH     the UML binary (default: the cached one, see uml-kernel.sh)
#   --mem SIZE        UML's memory (default 384M)
#   --timeout SEC     hard limit for the whole run (default 300): UML is killed
#   --log FILE        UML's console output (default: a temp file, printed on
#                     failure)
#   --share DIR       host directory mounted read-write inside UML at
#                     $UML_SHARE (default: none)
#   --device SOCKET   a virtio_uml device (a vhost-user server already listening
#                     on SOCKET, e.g. ixy-simd); repeat for more, in slot order
#   --env NAME=VALUE  environment variable for SCRIPT; repeat for more
#   --pid-file FILE   write UML's main process id there (UML's processes all
#                     share that session id: a caller can check none is left)
#
# SCRIPT (a host path: UML sees the host's files, but not under /tmp, /run
# or /dev, which it covers with its own tmpfs) runs under bash as a child
# of UML's init (scripts/uml-init.sh), with /proc, /sys, /dev and fresh tmpfs
# on /run, /tmp and /dev/shm. Exit status: SCRIPT's (also when UML then
# hangs on its way out: it is killed 30 s after the script's end, with a
# warning on stderr); 124 when the timeout killed UML before the script
# ended; 125 when UML stopped without SCRIPT's result (boot failure,
# crash); 2 for bad usage or a missing prerequisite (one line on stderr).
set -uo pipefail

prog=uml-run.sh
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "$prog: error: $*" >&2; exit 2; }

kernel='' mem=384M timeout=300 log='' share='' pid_file=''
devices=() envs=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?}; shift ;;
	--mem) mem=${2:?}; shift ;;
	--timeout) timeout=${2:?}; shift ;;
	--log) log=${2:?}; shift ;;
	--share) share=${2:?}; shift ;;
	--device) devices+=("${2:?}"); shift ;;
	--env) envs+=("${2:?}"); shift ;;
	--pid-file) pid_file=${2:?}; shift ;;
	-h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || die "no script to run (see --help)"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout wants whole seconds, got '$timeout'"
[[ $mem =~ ^[1-9][0-9]*[KMG]$ ]] || die "--mem wants a size like 384M, got '$mem'"
script=$(realpath -e "$1" 2>/dev/null) || die "script $1 not found"
shift

if [ -z "$kernel" ]; then
	kernel=$(bash "$root/scripts/uml-kernel.sh" --check) ||
		die "no UML kernel built yet: run scripts/uml-kernel.sh (about 6 minutes)"
fi
[ -x "$kernel" ] || die "UML kernel $kernel is not an executable file"
# The virtio device id UML's PCI host bridge answers to is a build option;
# the kernel's cache directory keeps the config it was built with.
devid=$(sed -n 's/^CONFIG_UML_PCI_OVER_VIRTIO_DEVICE_ID=//p' "$(dirname "$kernel")/config" 2>/dev/null)
if [ ${#devices[@]} -gt 0 ] && ! [[ $devid =~ ^[0-9]+$ ]]; then
	die "$(dirname "$kernel")/config has no CONFIG_UML_PCI_OVER_VIRTIO_DEVICE_ID: rebuild with scripts/uml-kernel.sh"
fi
[ ${#devices[@]} -le 8 ] || die "UML's PCI bus has 8 slots, ${#devices[@]} devices asked for"
for d in "${devices[@]}"; do
	[ -S "$d" ] || die "device socket $d does not exist (start the device server first)"
done
# Inside UML these are fresh tmpfs: the host's files there are hidden.
case $script in
/tmp/*|/run/*|/dev/*) die "script $script is under /tmp, /run or /dev, which UML covers with its own tmpfs: put it elsewhere" ;;
esac
# Paths travel on UML's command line and in hostfs mount options: no blanks,
# no commas.
for p in "$script" "$share" "${devices[@]}"; do
	[[ $p != *[[:space:],]* ]] || die "path '$p' contains a blank or a comma"
done
if [ -n "$share" ]; then
	[ -d "$share" ] || die "--share $share is not a directory"
	share=$(realpath -e "$share")
fi
for e in "${envs[@]}"; do
	[[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env wants NAME=VALUE, got '$e'"
done

# UML's memory is a file in TMPDIR that it maps executable: a tmpfs mounted
# without noexec (it warns and runs slowly on a disk).
shm=${IXY_UML_TMPFS:-/dev/shm}
[ "$(stat -f -c %T "$shm" 2>/dev/null)" = tmpfs ] || die "$shm is not a tmpfs (set IXY_UML_TMPFS to one)"
findmnt -n -o OPTIONS --target "$shm" | tr ',' '\n' | grep -qx noexec &&
	die "$shm is mounted noexec: UML cannot map its memory from it (set IXY_UML_TMPFS to a tmpfs without noexec)"
tmp=$(mktemp -d "$shm/ixy-uml.XXXXXX") || die "cannot create a directory in $shm"
ctl=$tmp/ctl
mkdir "$ctl"
own_log=0
if [ -z "$log" ]; then
	log=$tmp/console.log
	own_log=1
fi
: >"$log" || die "cannot write the log file $log"

# The job UML's init runs: the environment, then the script.
{
	echo "export UML_SHARE=${share:+/run/uml-share}"
	for e in "${envs[@]}"; do
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
	printf 'exec bash %q' "$script"
	printf ' %q' "$@"
	echo
} >"$ctl/job.sh"

uml_pid=''
# Every process of UML's session (UML makes itself a session leader) and
# every descendant of its main process, whatever it became.
uml_procs() {
	local f stat rest pid ppid sid
	[ -n "$uml_pid" ] || return 0
	declare -A parent=()
	local -a all=()
	for f in /proc/[0-9]*/stat; do
		{ stat=$(<"$f"); } 2>/dev/null || continue
		pid=${stat%% *}
		rest=${stat##*) }
		read -r _ ppid _ sid _ <<<"$rest"
		parent[$pid]=$ppid
		all+=("$pid")
		[ "$sid" = "$uml_pid" ] && echo "$pid"
	done
	for pid in "${all[@]}"; do
		local p=$pid n=0
		while [ -n "${parent[$p]:-}" ] && [ "$p" != 1 ] && [ $n -lt 64 ]; do
			if [ "${parent[$p]}" = "$uml_pid" ]; then
				echo "$pid"
				break
			fi
			p=${parent[$p]}
			n=$((n + 1))
		done
	done
	[ -e "/proc/$uml_pid" ] && echo "$uml_pid"
	return 0
}
kill_uml() {
	local n=0 left
	while left=$(uml_procs | sort -u) && [ -n "$left" ]; do
		# shellcheck disable=SC2086
		kill -KILL $left 2>/dev/null
		wait "$uml_pid" 2>/dev/null
		n=$((n + 1))
		if [ $n -gt 50 ]; then
			echo "$prog: error: UML processes survive SIGKILL: ${left//$'\n'/ }" >&2
			return 1
		fi
		sleep 0.1
	done
	return 0
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	kill_uml
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

args=("mem=$mem" rootfstype=hostfs rootflags=/ ro
	# Console 0 writes to our stdout; no other console or serial line opens
	# (UML's defaults would start xterms or allocate ptys).
	"con0=null,fd:1" con=null ssl=null
	# UML's own runtime files (pid, mconsole socket) go to our temp dir.
	"uml_dir=$tmp" "umid=run"
	"ixy_uml_ctl=$ctl")
[ -n "$share" ] && args+=("ixy_uml_share=$share")
for d in "${devices[@]}"; do
	args+=("virtio_uml.device=$d:$devid")
done
args+=(init=/bin/bash -- "$root/scripts/uml-init.sh")

TMPDIR=$tmp "$kernel" "${args[@]}" </dev/null >"$log" 2>&1 &
uml_pid=$!
[ -n "$pid_file" ] && echo "$uml_pid" >"$pid_file"

# Where to look when it went wrong: the caller's log stays, ours is removed.
show_log() {
	if [ $own_log = 1 ]; then
		echo "$prog: last lines of UML's console:" >&2
		tail -n 30 "$log" >&2
	else
		echo "$prog: UML's console: $log" >&2
	fi
}

deadline=$((SECONDS + timeout))
timed_out=0 hung=0
# The main process is our child: it stays a zombie (state Z) until waited.
while [ -e "/proc/$uml_pid" ] && [ "$(cut -d' ' -f3 "/proc/$uml_pid/stat" 2>/dev/null)" != Z ]; do
	# Once the script's result is in, power-off takes a second or two;
	# UML hanging on its way out must not cost the whole timeout.
	if [ $hung = 0 ] && [ -f "$ctl/status" ]; then
		hung=1
		grace=$((SECONDS + 30))
		[ $grace -lt $deadline ] && deadline=$grace
	fi
	if [ $SECONDS -ge $deadline ]; then
		timed_out=1
		break
	fi
	sleep 0.2
done
if [ $timed_out = 1 ] && [ $hung = 1 ]; then
	# The result stands; the hang is reported for the caller to judge.
	echo "$prog: warning: UML did not stop within 30 s of the script's end (hung at power-off): killed" >&2
	kill_uml
	wait "$uml_pid" 2>/dev/null
	uml_pid=''
	exit "$(cat "$ctl/status")"
fi
if [ $timed_out = 1 ]; then
	echo "$prog: UML still running after ${timeout}s: killed" >&2
	kill_uml
	show_log
	exit 124
fi
wait "$uml_pid"
uml_rc=$?
# A clean power-off stops every helper; anything still there is a bug to
# know about, then removed.
left=$(uml_procs | grep -vx "$uml_pid" | sort -u)
if [ -n "$left" ]; then
	echo "$prog: warning: UML left processes behind after it exited: ${left//$'\n'/ }; killing them" >&2
	kill_uml
fi
uml_pid=''

status=$(cat "$ctl/status" 2>/dev/null)
if ! [[ $status =~ ^[0-9]+$ ]]; then
	echo "$prog: UML exited ($uml_rc) without the script's result: boot failure or crash" >&2
	show_log
	exit 125
fi
exit "$status"
