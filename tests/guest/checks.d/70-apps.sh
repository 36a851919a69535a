# The apps are in the guest with every shared library they need: each one
# starts and prints its usage. (Checks that run them on the guest's NICs,
# e.g. ixy-pktgen on the legacy virtio NIC, go into further files here.)
# checks: apps_start
. /ixy/lib.sh

ok=1
detail=
for a in ixy-fwd ixy-pktgen ixy-pcap; do
	if [[ ! -x $IXY_BIN/$a ]]; then
		ok=0
		detail+="$a: not in the guest; "
		continue
	fi
	out=$("$IXY_BIN/$a" --help 2>&1)
	rc=$?
	first=$(head -n1 <<<"$out")
	[[ $rc == 0 && $out == *usage:* ]] || ok=0
	detail+="$a --help rc $rc: ${first:0:60}; "
done
((ok)) && ixy_check apps_start pass "$detail" || ixy_check apps_start fail "$detail"
