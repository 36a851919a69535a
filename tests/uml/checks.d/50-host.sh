# shellcheck shell=bash
# Port c is cabled to a veth on the host (wire=iface): ping the host's end,
# receive the host's 20 MiB file over TCP (hash compared here) and send
# data.bin to the host (the host compares that hash after UML stopped).
# checks: host_ping host_tcp_from_host host_tcp_to_host
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

out=$(in_port c ping -c 10 -i 0.2 -W 5 "$IXY_HOST_ADDR" 2>&1 | grep -E 'packets transmitted|rtt')
if [[ $out == *' 10 received, 0% packet loss'* ]]; then
	uml_check host_ping pass "c->$IXY_HOST_ADDR: $out"
else
	uml_check host_ping fail "c->$IXY_HOST_ADDR: $out"
fi

dst=/tmp/from-host.bin
in_port c timeout 180 socat -u TCP:"$IXY_HOST_ADDR:$IXY_HOST_TX_PORT" OPEN:"$dst",creat,trunc
rc=$?
got=$(sha "$dst" 2>/dev/null)
detail="received $(stat -c %s "$dst" 2>/dev/null || echo 0) bytes (socat exit $rc); sha256 ${got:0:16}, host sent ${IXY_HOST_TX_SHA:0:16}"
if [[ $rc == 0 && -n $got && $got == "$IXY_HOST_TX_SHA" ]]; then
	uml_check host_tcp_from_host pass "$detail"
else
	uml_check host_tcp_from_host fail "$detail"
fi
rm -f "$dst"

in_port c timeout 180 socat -u OPEN:"$UML_SHARE/data.bin" TCP:"$IXY_HOST_ADDR:$IXY_HOST_RX_PORT"
rc=$?
if [[ $rc == 0 ]]; then
	uml_check host_tcp_to_host pass "sent $(stat -c %s "$UML_SHARE/data.bin") bytes to $IXY_HOST_ADDR:$IXY_HOST_RX_PORT (the host checks the hash)"
else
	uml_check host_tcp_to_host fail "socat exit $rc sending to $IXY_HOST_ADDR:$IXY_HOST_RX_PORT"
fi
