# shellcheck shell=bash
# A TCP transfer of the host's 20 MiB random file from port a to port b
# through the model; the received bytes must hash to the sent ones.
# checks: pair_tcp
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

src=$UML_SHARE/data.bin
dst=/tmp/pair.bin
listening() { in_port b ss -Hltn 'sport = :5001' | grep -q .; }

in_port b timeout 180 socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$dst",creat,trunc &
rx=$!
wait_for 10 listening
in_port a timeout 180 socat -u OPEN:"$src" TCP:198.18.1.2:5001
tx_rc=$?
wait "$rx"
rx_rc=$?
want=$(sha "$src")
got=$(sha "$dst" 2>/dev/null)
detail="sent $(stat -c %s "$src") bytes (socat exit $tx_rc), received $(stat -c %s "$dst" 2>/dev/null || echo 0) (exit $rx_rc); sha256 sent ${want:0:16} received ${got:0:16}"
if [[ $tx_rc == 0 && $rx_rc == 0 && -n $got && $got == "$want" ]]; then
	uml_check pair_tcp pass "$detail"
else
	uml_check pair_tcp fail "$detail"
fi
rm -f "$dst"
