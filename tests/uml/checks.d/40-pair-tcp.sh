# shellcheck shell=bash
# TCP transfers of the host's 20 MiB random file from port a to port b
# through the model; the received bytes must hash to the sent ones. First
# with the TX offloads off on both ports (plain descriptors: one frame per
# packet, checksums done by the kernel), then with Linux's defaults (TSO,
# checksum offload, scatter-gather): a failure of the second only points
# at the model's offload paths.
# checks: pair_tcp_plain pair_tcp
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

src=$UML_SHARE/data.bin
dst=/tmp/pair.bin
listening() { in_port b ss -Hltn 'sport = :5001' | grep -q .; }

# transfer CHECK: one transfer a->b, reported as CHECK.
transfer() {
	in_port b timeout 180 socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$dst",creat,trunc &
	local rx=$! tx_rc rx_rc want got detail
	wait_for 10 listening
	in_port a timeout 180 socat -u OPEN:"$src" TCP:198.18.1.2:5001
	tx_rc=$?
	wait "$rx"
	rx_rc=$?
	want=$(sha "$src")
	got=$(sha "$dst" 2>/dev/null)
	detail="offloads: $2; sent $(stat -c %s "$src") bytes (socat exit $tx_rc), received $(stat -c %s "$dst" 2>/dev/null || echo 0) (exit $rx_rc); sha256 sent ${want:0:16} received ${got:0:16}"
	if [[ $tx_rc == 0 && $rx_rc == 0 && -n $got && $got == "$want" ]]; then
		uml_check "$1" pass "$detail"
	else
		uml_check "$1" fail "$detail"
	fi
	rm -f "$dst"
}

# The offload settings ethtool -K takes, as "name on|off ..." for a port.
features=(tx sg tso gso)
declare -A long=([tx]=tx-checksumming [sg]=scatter-gather [tso]=tcp-segmentation-offload [gso]=generic-segmentation-offload)
offloads() {
	local k f s=''
	k=$(in_port "$1" ethtool -k "$(port_if "$1")" 2>/dev/null)
	for f in "${features[@]}"; do
		s+="$f $(awk -v n="${long[$f]}:" '$1 == n {print $2}' <<<"$k") "
	done
	echo "$s"
}

declare -A saved
for p in a b; do
	saved[$p]=$(offloads "$p")
	# shellcheck disable=SC2046
	in_port "$p" ethtool -K "$(port_if "$p")" $(printf '%s off ' "${features[@]}") 2>/dev/null
done
transfer pair_tcp_plain "a: $(offloads a)"
for p in a b; do
	# shellcheck disable=SC2086
	in_port "$p" ethtool -K "$(port_if "$p")" ${saved[$p]} 2>/dev/null
done
transfer pair_tcp "a: $(offloads a)"
