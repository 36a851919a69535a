# The host side every UML-ring test shares (tests/sh/test_uml*.sh): whether
# User-Mode Linux can run here at all, the ok/bad/finish counting of the
# checks, and finding ixy-simd and the cached UML kernel. Source it after
# setting src and build (the test's two arguments).
# shellcheck shell=bash

# Exit 77 (ctest: skipped, not passed) where UML cannot run.
uml_skip() {
	echo "SKIP: $* (the UML ring cannot run on this machine)"
	exit 77
}
uml_check_host() {
	[ "$(id -u)" = 0 ] || uml_skip "needs root (network namespaces inside UML, host veths, ixy-simd's real-time loop)"
	[ "$(uname -m)" = x86_64 ] || uml_skip "the UML kernel is built for x86_64 hosts, this is $(uname -m)"
	# UML runs its processes under ptrace; Yama's mode 3 forbids ptrace outright.
	[ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" != 3 ] ||
		uml_skip "kernel.yama.ptrace_scope is 3: no ptrace, which UML needs"
	local shm=${IXY_UML_TMPFS:-/dev/shm}
	{ [ "$(stat -f -c %T "$shm" 2>/dev/null)" = tmpfs ] &&
		! findmnt -n -o OPTIONS --target "$shm" | tr ',' '\n' | grep -qx noexec; } ||
		uml_skip "$shm is not a tmpfs without noexec, which UML maps its memory from (set IXY_UML_TMPFS)"
}

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1${2:+ ($2)}"; }
bad() { failed=$((failed + 1)); echo "FAIL $1${2:+ ($2)}"; }
finish() {
	echo "$passed passed, $failed failed"
	((failed == 0))
	exit
}

# simd=the built ixy-simd, or a failed check and the end.
uml_find_simd() {
	simd=''
	local f
	for f in "$build/ixy-simd" "$build/tools/simd/ixy-simd"; do
		[ -x "$f" ] && simd=$f && break
	done
	[ -n "$simd" ] || { bad prerequisites "ixy-simd not built in $build (tools/simd)"; finish; }
}

uml_need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { bad prerequisites "missing tool $tool (scripts/install-deps.sh uml)"; finish; }
	done
}

# kernel=the UML kernel (built and cached by scripts/uml-kernel.sh if it
# is not yet), or a failed check and the end.
uml_find_kernel() {
	kernel=$(bash "$src/scripts/uml-kernel.sh") ||
		{ bad prerequisites "no UML kernel: scripts/uml-kernel.sh failed (see above)"; finish; }
}

# Wait (10 s at most, while ixy-simd at $simd_pid lives) for its sockets;
# reports simd_listening (DESC on success) or fails and ends the test.
uml_wait_sockets() {
	local desc=$1 n=0 s up
	shift
	while :; do
		up=1
		for s in "$@"; do [ -S "$s" ] || up=0; done
		((up == 1)) || ! kill -0 "$simd_pid" 2>/dev/null || ((n >= 100)) && break
		sleep 0.1
		n=$((n + 1))
	done
	if ((up == 1)); then
		ok simd_listening "pid $simd_pid, $desc"
	else
		bad simd_listening "ixy-simd did not create its sockets: $(tail -n 3 "$out/simd.log" | tr '\n' ';')"
		finish
	fi
}

# jobdir=tests/uml as UML sees it: UML mounts its own tmpfs on /tmp, /run
# and /dev, so a checkout there (a CI clone, say) is invisible inside and
# the jobs then run from a copy in /var/tmp; uml_job_dir_done removes it.
uml_job_dir() {
	jobdir=$src/tests/uml
	case $jobdir in
	/tmp/*|/run/*|/dev/*)
		jobdir=$(mktemp -d /var/tmp/ixy-uml-job.XXXXXX)
		cp -r "$src/tests/uml/." "$jobdir/"
		;;
	esac
}
uml_job_dir_done() {
	if [ -n "$jobdir" ] && [ "$jobdir" != "$src/tests/uml" ]; then
		rm -rf "$jobdir"
	fi
	jobdir=''
}

# console_clean: the whole console log, power-off included (the dmesg check
# inside UML runs before it), has no kernel warning and no transport
# failure: "WARNING:" from virt-pci when a command found no room in its
# ring (scripts/uml-patches/virt-pci-posted-ring-full.patch), "um virt-pci
# delay" when the device server did not answer in time, BUG/Oops.
uml_console_clean() {
	local log=$1 hits
	hits=$(grep -a -E 'WARNING:|BUG:|Oops|um virt-pci delay|Kernel panic' "$log" 2>/dev/null | head -n 3)
	if [[ ! -s $log ]]; then
		bad console_clean "no console log at $log"
	elif [[ -z $hits ]]; then
		ok console_clean "no kernel warning or transport failure in the console ($(wc -l <"$log") lines, power-off included)"
	else
		bad console_clean "$(tr '\n' ';' <<<"$hits") (console: $log)"
	fi
}

# simd_refused LOG NPORTS: every one of the NPORTS ports in ixy-simd's
# report ("port NAME (SOCKET): S UML sessions, C commands, R refused, ...")
# refused no command: a refused command is an access UML made that never
# reached the model (a malformed descriptor chain, data outside UML's
# memory), so Linux saw a device that ignored it.
uml_simd_refused() {
	local log=$1 n=$2 counts
	counts=$(sed -n 's/^port .* commands, \([0-9]*\) refused,.*/\1/p' "$log" 2>/dev/null)
	if (($(grep -c . <<<"$counts") != n)); then
		bad simd_refused "want a refused count for each of the $n ports in ixy-simd's report ($log)"
	elif ! grep -qvx 0 <<<"$counts"; then
		ok simd_refused "no command refused on any of the $n ports"
	else
		bad simd_refused "refused per port: $(tr '\n' ' ' <<<"$counts"); $(grep -m 3 'refused:' "$log" | tr '\n' ';')"
	fi
}

# Stop ixy-simd ($simd_pid) with SIGINT, as a user would, and report
# simd_exit: exit 0 within 10 s, or what happened instead.
uml_stop_simd() {
	local n=0 rc
	kill -INT "$simd_pid" 2>/dev/null
	while kill -0 "$simd_pid" 2>/dev/null && ((n < 100)); do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 "$simd_pid" 2>/dev/null; then
		bad simd_exit "ixy-simd still running 10 s after SIGINT: killed"
		kill -KILL "$simd_pid"
		wait "$simd_pid" 2>/dev/null
	else
		wait "$simd_pid"
		rc=$?
		if ((rc == 0)); then
			ok simd_exit "exit 0 after SIGINT"
		elif ((rc > 128)); then
			bad simd_exit "ixy-simd died of signal $((rc - 128)) (log: $out/simd.log)"
		else
			bad simd_exit "exit $rc (log: $out/simd.log)"
		fi
	fi
	simd_pid=''
}
