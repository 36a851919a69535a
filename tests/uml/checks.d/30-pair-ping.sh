# shellcheck shell=bash
# Ping between ports a and b, each in its own namespace: the frames cross
# the model's pair wire (ARP included), in both directions.
# checks: pair_ping
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

out_ab=$(in_port a ping -c 20 -i 0.2 -W 5 198.18.1.2 2>&1 | grep -E 'packets transmitted|rtt')
out_ba=$(in_port b ping -c 5 -i 0.2 -W 5 198.18.1.1 2>&1 | grep -E 'packets transmitted|rtt')
detail="a->b: $out_ab; b->a: $out_ba"
if [[ $out_ab == *' 20 received, 0% packet loss'* && $out_ba == *' 5 received, 0% packet loss'* ]]; then
	uml_check pair_ping pass "$detail"
else
	uml_check pair_ping fail "$detail"
fi
