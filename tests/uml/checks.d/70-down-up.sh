# shellcheck shell=bash
# `ip link set down` takes the link down and `up` brings it back (ixgbe
# resets and re-inits the port on the model), after which traffic flows
# again: on port a (pair wire) and port c (host veth).
# checks: down_up_a down_up_c
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

declare -A peer=([a]=198.18.1.2 [c]=$IXY_HOST_ADDR)
# a's pair partner saw the link drop too (c's peer is the host's veth)
declare -A peer_port=([a]=b)
carrier() { [[ $(in_port "$1" cat "/sys/class/net/$(port_if "$1")/carrier" 2>/dev/null) == "$2" ]]; }

for p in a c; do
	ifn=$(port_if "$p")
	if [[ -z $ifn ]]; then
		uml_check "down_up_$p" fail "port $p has no interface (probe failed)"
		continue
	fi
	detail="$ifn:"
	ok=1
	in_port "$p" ip link set "$ifn" down || ok=0
	state=$(in_port "$p" cat "/sys/class/net/$ifn/operstate")
	detail+=" after down operstate $state;"
	[[ $state == down ]] || ok=0
	in_port "$p" ip link set "$ifn" up || ok=0
	echo $(($(cat "$STATE/$p.ups") + 1)) >"$STATE/$p.ups"
	if wait_for 30 carrier "$p" 1; then
		detail+=" carrier back;"
	else
		detail+=" no carrier 30 s after up;"
		ok=0
	fi
	# until the partner's driver has noticed the link is back, Linux
	# drops what it would send there (no carrier: no qdisc)
	if [[ -n ${peer_port[$p]:-} ]] && ! wait_for 30 carrier "${peer_port[$p]}" 1; then
		detail+=" peer ${peer_port[$p]}: no carrier 30 s after up;"
		ok=0
	fi
	speed=$(in_port "$p" ethtool "$ifn" | sed -n 's/^[[:space:]]*Speed: //p')
	detail+=" speed $speed;"
	[[ $speed == 10000Mb/s ]] || ok=0
	out=$(in_port "$p" ping -c 5 -i 0.2 -W 5 "${peer[$p]}" 2>&1 | grep 'packets transmitted')
	detail+=" ping ${peer[$p]}: $out"
	[[ $out == *' 5 received, 0% packet loss'* ]] || ok=0
	if ((ok)); then uml_check "down_up_$p" pass "$detail"; else uml_check "down_up_$p" fail "$detail"; fi
done
