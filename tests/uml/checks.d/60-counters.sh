# shellcheck shell=bash
# The counters agree with the frames sent. With permanent neighbour entries
# (no ARP) and no IPv6 in this kernel, every frame a port sends is an IP
# packet its namespace's kernel counted (Ip OutRequests): that count, not a
# constant, is the expected number, and it includes the test's N pings plus
# whatever background the kernel itself sent (reported). For a->b and b->a
# these must all agree: the kernel's count, ixgbe's tx_packets and the
# model's GPTC (tx_pkts_nic) on the sender, the model's GPRC (rx_pkts_nic)
# and ixgbe's rx_packets on the receiver.
# checks: counters_pair counters_tx_sw_hw
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

N=100
if [[ -z $(port_if a) || -z $(port_if b) || -z $(port_if c) ]]; then
	uml_check counters_pair fail "a port has no interface (probe failed)"
	uml_check counters_tx_sw_hw fail "a port has no interface (probe failed)"
	exit 0
fi
mac_a=$(port_mac a) mac_b=$(port_mac b)
in_port a ip neigh replace 198.18.1.2 lladdr "$mac_b" dev "$(port_if a)" nud permanent
in_port b ip neigh replace 198.18.1.1 lladdr "$mac_a" dev "$(port_if b)" nud permanent

# snap PREFIX: the counters of a and b into PREFIX_* variables.
snap() {
	local p k v
	for p in a b; do
		for k in tx_packets tx_pkts_nic rx_packets rx_pkts_nic; do
			v=$(ethtool_stat "$p" "$k") || v=NA
			printf -v "$1_${p}_$k" '%s' "$v"
		done
		printf -v "$1_${p}_ip" '%s' "$(ip_out "$p")"
	done
}
d() { local a="$1_$3" b="$2_$3"; echo $((${!b} - ${!a})); }

snap s0
ping_out=$(in_port a ping -c $N -i 0.05 -W 5 198.18.1.2 2>&1 | grep 'packets transmitted')
# ixgbe counts a sent frame when it cleans the descriptor (after the TX
# interrupt); give that time to happen, bounded: a count that never
# arrives fails.
consistent() {
	snap s1
	for v in s1_a_tx_packets s1_a_tx_pkts_nic s1_b_rx_packets s1_b_rx_pkts_nic \
		s1_b_tx_packets s1_b_tx_pkts_nic s1_a_rx_packets s1_a_rx_pkts_nic; do
		[[ ${!v} =~ ^[0-9]+$ ]] || return 1
	done
	ab=$(d s0 s1 a_ip) ba=$(d s0 s1 b_ip)
	[[ $(d s0 s1 a_tx_packets) == "$ab" && $(d s0 s1 a_tx_pkts_nic) == "$ab" &&
		$(d s0 s1 b_rx_pkts_nic) == "$ab" && $(d s0 s1 b_rx_packets) == "$ab" &&
		$(d s0 s1 b_tx_packets) == "$ba" && $(d s0 s1 b_tx_pkts_nic) == "$ba" &&
		$(d s0 s1 a_rx_pkts_nic) == "$ba" && $(d s0 s1 a_rx_packets) == "$ba" ]]
}
wait_for 10 consistent
ok=$?
ab=$(d s0 s1 a_ip) ba=$(d s0 s1 b_ip)
detail="$N pings ($ping_out);"
detail+=" a->b: kernel sent $ab (background $((ab - N))), a tx_packets $(d s0 s1 a_tx_packets) tx_pkts_nic $(d s0 s1 a_tx_pkts_nic),"
detail+=" b rx_pkts_nic $(d s0 s1 b_rx_pkts_nic) rx_packets $(d s0 s1 b_rx_packets);"
detail+=" b->a: kernel sent $ba (background $((ba - N))), b tx_packets $(d s0 s1 b_tx_packets) tx_pkts_nic $(d s0 s1 b_tx_pkts_nic),"
detail+=" a rx_pkts_nic $(d s0 s1 a_rx_pkts_nic) rx_packets $(d s0 s1 a_rx_packets)"
# The kernel's counts bound the background: at least the N requests and N
# replies went out, and the background (anything the kernel sent on its
# own) is what it counted beyond them.
if ((ok == 0 && ab >= N && ba >= N)) && [[ $ping_out == *" $N received"* ]]; then
	uml_check counters_pair pass "$detail"
else
	uml_check counters_pair fail "$detail"
fi

# Over the whole run (TCP with TSO included), ixgbe's count of sent
# frames (it counts each TSO segment) equals the model's GPTC, per port.
tx_agree() {
	local p sw hw
	detail=''
	for p in a b c; do
		sw=$(ethtool_stat "$p" tx_packets) hw=$(ethtool_stat "$p" tx_pkts_nic)
		detail+=" $p: tx_packets $sw tx_pkts_nic $hw;"
		[[ -n $sw && $sw == "$hw" ]] || return 1
	done
}
if wait_for 10 tx_agree; then
	uml_check counters_tx_sw_hw pass "$detail"
else
	uml_check counters_tx_sw_hw fail "$detail"
fi
