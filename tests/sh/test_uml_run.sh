#!/usr/bin/env bash
# scripts/uml-run.sh itself, without devices: a script's exit status, its
# arguments and environment arrive; the share is writable and the host's
# root is not; the hard timeout kills UML and leaves no process and no
# temp directory; bad usage gives one line and exit 2.
# One `ok`/`FAIL` line per check, then `N passed, M failed`.
#
# Called by ctest as: test_uml_run.sh SOURCE_DIR BUILD_DIR. Exit 77 (ctest:
# skipped) where UML cannot run (see test_uml.sh); needs the cached kernel
# (scripts/test.sh builds it; here it is built if missing).
set -uo pipefail
src=${1:?usage: test_uml_run.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: test_uml_run.sh SOURCE_DIR BUILD_DIR}
run=$src/scripts/uml-run.sh

. "$src/tests/sh/uml_host.sh"
uml_check_host
uml_find_kernel

# Scripts must live outside /tmp (UML covers it): in the build tree.
# not under /tmp, /run or /dev (UML's own tmpfs there hides the host's files),
# wherever the build directory is
W=$(mktemp -d /var/tmp/ixy-uml-run-test.XXXXXX)
share=$(mktemp -d /tmp/ixy-uml-run.XXXXXX)
trap 'rm -rf "$W" "$share"' EXIT

# ---- status, arguments, environment, share, read-only root ----
cat >"$W/job.sh" <<'EOF'
printf '%s|' "$@" >"$UML_SHARE/args"
printf '%s' "$GREETING" >"$UML_SHARE/env"
# The host's root is read-only inside UML: this must fail.
if touch "$RO_PROBE" 2>/dev/null; then echo writable >"$UML_SHARE/ro"; else echo refused >"$UML_SHARE/ro"; fi
exit 7
EOF
bash "$run" --kernel "$kernel" --timeout 120 --log "$W/console.log" --share "$share" \
	--env "GREETING=hello, world" --env "RO_PROBE=$W/ro-probe" "$W/job.sh" one 'two words' >"$W/out" 2>&1
rc=$?
if [ $rc = 7 ]; then ok exit_status "the script's exit 7 came back"; else bad exit_status "exit $rc, want 7: $(tail -n 3 "$W/out" | tr '\n' ';')"; fi
got=$(cat "$share/args" 2>/dev/null)
if [ "$got" = "one|two words|" ]; then ok arguments "$got"; else bad arguments "got '$got', want 'one|two words|'"; fi
got=$(cat "$share/env" 2>/dev/null)
if [ "$got" = "hello, world" ]; then ok environment "$got"; else bad environment "got '$got'"; fi
got=$(cat "$share/ro" 2>/dev/null)
if [ "$got" = refused ] && [ ! -e "$W/ro-probe" ]; then
	ok root_read_only "a write to the host's root was refused inside UML"
else
	bad root_read_only "write to the host's root: '$got', file on host: $([ -e "$W/ro-probe" ] && echo yes || echo no)"
fi

# ---- the hard timeout: UML killed, nothing left ----
echo 'sleep 1000 & sleep 1000' >"$W/hang.sh"
bash "$run" --kernel "$kernel" --timeout 8 --log "$W/hang.log" --pid-file "$W/pid" "$W/hang.sh" >"$W/out" 2>&1
rc=$?
pid=$(cat "$W/pid" 2>/dev/null)
left=''
for p in /proc/[0-9]*/stat; do
	st=$(cat "$p" 2>/dev/null) || continue
	read -r _ _ _ sid _ <<<"${st##*) }"
	[[ -n $pid && $sid == "$pid" ]] && left+=" ${st%% *}"
done
# UML names its runtime directory in the log (the mconsole socket is in it).
rundir=$(grep -ao '/[^ ]*/run/mconsole' "$W/hang.log" | head -n 1)
rundir=${rundir%/run/mconsole}
if [ $rc = 124 ] && [ -n "$pid" ] && [ -z "$left" ] && [ -n "$rundir" ] && [ ! -e "$rundir" ]; then
	ok timeout_kills "exit 124, no process of UML's session $pid left, $rundir removed"
else
	bad timeout_kills "exit $rc (want 124), session $pid, left:${left:- none}, runtime dir '${rundir:-not in log}' $([ -n "$rundir" ] && [ -e "$rundir" ] && echo 'still there')"
fi

# ---- bad usage: one line on stderr, exit 2 ----
usage() {
	local name=$1 want=$2
	shift 2
	local err
	err=$(bash "$run" --kernel "$kernel" "$@" 2>&1 >/dev/null)
	local rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <<<"$err")" = 1 ] && [[ $err == "uml-run.sh: error: "*"$want"* ]]; then
		ok "$name" "$err"
	else
		bad "$name" "exit $rc, stderr: $err"
	fi
}
usage usage_no_script "no script"
touch "$share/x.sh"
usage usage_script_in_tmp "under /tmp" "$share/x.sh"
usage usage_missing_device "does not exist" --device "$W/none.sock" "$W/job.sh"
usage usage_bad_timeout "whole seconds" --timeout 1.5 "$W/job.sh"
finish
