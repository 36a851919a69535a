#!/bin/bash
# The job tests/sh/test_uml.sh has scripts/uml-run.sh run inside UML: every
# checks.d/*.sh in name order (each reports UML-CHECK lines into the share),
# then a copy of the kernel log for the host. Exit status 0 when nothing
# failed; the host does the real accounting (declared vs reported checks).
here=$(dirname "$(realpath "$0")")
# shellcheck source=tests/uml/lib.sh
. "$here/lib.sh"

: >"$RESULTS"
echo "UML-START kernel $(uname -r) ports: $IXY_PORTS"
for f in "$here"/checks.d/*.sh; do
	echo "UML-RUN ${f##*/}"
	# A hung check must not eat the whole run: what it did not report
	# counts as missing on the host.
	timeout "${IXY_CHECK_TIMEOUT:-300}" bash "$f" 2>&1
	rc=$?
	[[ $rc == 124 ]] && echo "UML-TIMEOUT ${f##*/} killed after ${IXY_CHECK_TIMEOUT:-300}s"
done
dmesg >"$UML_SHARE/dmesg.txt"
passed=$(grep -c ' result=pass ' "$RESULTS")
failed=$(grep -c ' result=fail ' "$RESULTS")
echo "UML-SUMMARY passed=$passed failed=$failed"
((failed == 0))
