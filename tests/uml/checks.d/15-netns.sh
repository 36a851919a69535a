# shellcheck shell=bash
# Each port's interface moves into a network namespace of its own, named
# after the port, gets its test address and comes up: the traffic between
# a and b then has to cross the model, not UML's loopback.
# checks: netns_setup
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

declare -A addr=([a]=198.18.1.1/24 [b]=198.18.1.2/24 [c]=198.18.2.2/24)
ok=1 detail=''
for p in a b c; do
	ifn=$(port_if "$p")
	if [[ -z $ifn ]]; then
		ok=0 detail+=" $p: no interface;"
		continue
	fi
	if ip netns add "uml-$p" && ip link set "$ifn" netns "uml-$p" &&
		in_port "$p" ip link set lo up &&
		in_port "$p" ip addr add "${addr[$p]}" dev "$ifn" &&
		in_port "$p" ip link set "$ifn" up; then
		echo 1 >"$STATE/$p.ups"	# link-ups the checks caused (see 90-dmesg.sh)
		detail+=" $p: $ifn ${addr[$p]} in uml-$p;"
	else
		ok=0 detail+=" $p: setting up $ifn failed;"
	fi
done
if ((ok)); then uml_check netns_setup pass "$detail"; else uml_check netns_setup fail "$detail"; fi
