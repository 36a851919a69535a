#!/bin/bash
# The job tests/sh/test_uml_personalities.sh has UML run: Linux's ixgbe on
# the model's other personalities, a cabled pair of each - the backplane
# 82599 (0x10F8: link from AUTOC/LINKS, no SFP+), the X540 (0x1528) and the
# X550 (0x1563), both with their copper PHY on MDIO. Per port: probed with
# no error in dmesg, link at the expected speed (ethtool); per pair: ping
# both ways across the model's pair wire, then `ip link set down`/`up` on
# the first port and ping again; at the end nothing in dmesg that looks
# like a hang or a reset loop. The host checks the model's side (no
# violation, no DMA fault, no unknown register).
#
# From the host: IXY_PORTS "a=MAC b=MAC ...", IXY_PAIRS "a:b c:d e:f",
# IXY_SPEED "a=10000 ..." (Mb/s), IXY_NAMES "a=backplane ..." (for the
# details).
# checks: probe_a probe_b probe_c probe_d probe_e probe_f
# checks: link_a link_b link_c link_d link_e link_f
# checks: ping_ab ping_cd ping_ef down_up_a down_up_c down_up_e
# checks: dmesg_no_hang dmesg_no_reset_loop
here=$(dirname "$(realpath "$0")")
# shellcheck source=tests/uml/lib.sh
. "$here/lib.sh"

: >"$RESULTS"
echo "UML-START kernel $(uname -r) ports: $IXY_PORTS"
ports=$(for p in $IXY_PORTS; do echo "${p%%=*}"; done)
kv() { local x; for x in $1; do [[ ${x%%=*} == "$2" ]] && { echo "${x#*=}"; return 0; }; done; return 1; }

if_with_mac() {
	local n a
	for n in /sys/class/net/*; do
		read -r a <"$n/address" 2>/dev/null
		[[ $a == "$1" ]] && { echo "${n##*/}"; return 0; }
	done
	return 1
}
all_found() {
	local p
	for p in $ports; do if_with_mac "$(port_mac "$p")" >/dev/null || return 1; done
}
# Probing runs while this starts; the X540/X550 take longer (PHY
# power-up, semaphore pauses): one bound for all.
wait_for 120 all_found

# ---- probe: interface with the port's MAC, bound to ixgbe, no error ----
declare -A addr
i=0
for pair in $IXY_PAIRS; do
	i=$((i + 1))
	addr[${pair%%:*}]=198.18.$((10 + i)).1
	addr[${pair##*:}]=198.18.$((10 + i)).2
done
for p in $ports; do
	mac=$(port_mac "$p") name=$(kv "$IXY_NAMES" "$p")
	if ! ifn=$(if_with_mac "$mac"); then
		uml_check "probe_$p" fail "$name: no interface with MAC $mac; ixgbe said: $(dmesg | grep -i ixgbe | tail -n 4 | tr '\n' ';')"
		continue
	fi
	dev=$(readlink -f "/sys/class/net/$ifn/device")
	pci=${dev##*/}
	drv=$(basename "$(readlink "$dev/driver")")
	ids="$(cat "$dev/vendor"):$(cat "$dev/device")"
	errs=$(dmesg | grep -E "(ixgbe|pci) $pci" | grep -iE 'error|fail|unsupported|invalid|timeout|timed out|not supported')
	echo "$ifn" >"$STATE/$p.if"
	echo "$pci" >"$STATE/$p.pci"
	# each port in a namespace of its own, so a pair's traffic crosses the model
	if [[ $drv == ixgbe && -z $errs ]] && ip netns add "uml-$p" && ip link set "$ifn" netns "uml-$p" &&
		in_port "$p" ip link set lo up && in_port "$p" ip addr add "${addr[$p]}/24" dev "$ifn" &&
		in_port "$p" ip link set "$ifn" up; then
		echo 1 >"$STATE/$p.ups"
		uml_check "probe_$p" pass "$name $pci $ids driver $drv interface $ifn MAC $mac, ${addr[$p]} in uml-$p"
	else
		uml_check "probe_$p" fail "$name $pci $ids driver $drv interface $ifn; errors: ${errs//$'\n'/; }"
	fi
done

# ---- link at the expected speed ----
link_up() { in_port "$1" ethtool "$(port_if "$1")" 2>/dev/null | grep -q 'Link detected: yes'; }
for p in $ports; do
	ifn=$(port_if "$p") want=$(kv "$IXY_SPEED" "$p") name=$(kv "$IXY_NAMES" "$p")
	[[ -n $ifn ]] || { uml_check "link_$p" fail "$name: no interface (probe failed)"; continue; }
	wait_for 30 link_up "$p"
	e=$(in_port "$p" ethtool "$ifn" 2>&1)
	speed=$(sed -n 's/^[[:space:]]*Speed: //p' <<<"$e")
	duplex=$(sed -n 's/^[[:space:]]*Duplex: //p' <<<"$e")
	link=$(sed -n 's/^[[:space:]]*Link detected: //p' <<<"$e")
	detail="$name $ifn: Speed $speed (want ${want}Mb/s), Duplex $duplex, Link detected $link"
	if [[ $speed == "${want}Mb/s" && $duplex == Full && $link == yes ]]; then
		uml_check "link_$p" pass "$detail"
	else
		uml_check "link_$p" fail "$detail"
	fi
done

# ---- each pair: ping both ways, then down/up on the first port ----
carrier() { [[ $(in_port "$1" cat "/sys/class/net/$(port_if "$1")/carrier" 2>/dev/null) == 1 ]]; }
ping_ok() { # FROM TO COUNT: the summary line, 0% loss required
	local out
	out=$(in_port "$1" ping -c "$3" -i 0.2 -W 5 "${addr[$2]}" 2>&1 | grep 'packets transmitted')
	echo "$1->$2: $out"
	[[ $out == *" $3 received, 0% packet loss"* ]]
}
for pair in $IXY_PAIRS; do
	x=${pair%%:*} y=${pair##*:} name=$(kv "$IXY_NAMES" "$x")
	if [[ -z $(port_if "$x") || -z $(port_if "$y") ]]; then
		uml_check "ping_$x$y" fail "$name: a port of the pair has no interface"
		uml_check "down_up_$x" fail "$name: a port of the pair has no interface"
		continue
	fi
	d1=$(ping_ok "$x" "$y" 10) && r1=0 || r1=1
	d2=$(ping_ok "$y" "$x" 5) && r2=0 || r2=1
	if ((r1 + r2 == 0)); then uml_check "ping_$x$y" pass "$name: $d1; $d2"; else uml_check "ping_$x$y" fail "$name: $d1; $d2"; fi

	ifn=$(port_if "$x") ok=1 detail="$name $ifn:"
	in_port "$x" ip link set "$ifn" down || ok=0
	state=$(in_port "$x" cat "/sys/class/net/$ifn/operstate")
	detail+=" after down operstate $state;"
	[[ $state == down ]] || ok=0
	in_port "$x" ip link set "$ifn" up || ok=0
	echo $(($(cat "$STATE/$x.ups") + 1)) >"$STATE/$x.ups"
	if wait_for 30 carrier "$x"; then detail+=" carrier back;"; else detail+=" no carrier 30 s after up;" ok=0; fi
	# the peer saw the link drop too; until its driver has noticed it is
	# back, Linux drops what it would send (no carrier: no qdisc), such as
	# the first ping reply
	wait_for 30 carrier "$y" || { detail+=" peer $y: no carrier 30 s after up;"; ok=0; }
	speed=$(in_port "$x" ethtool "$ifn" | sed -n 's/^[[:space:]]*Speed: //p')
	detail+=" speed $speed;"
	[[ $speed == "$(kv "$IXY_SPEED" "$x")Mb/s" ]] || ok=0
	d=$(ping_ok "$x" "$y" 5) || ok=0
	detail+=" $d"
	if ((ok)); then uml_check "down_up_$x" pass "$detail"; else uml_check "down_up_$x" fail "$detail"; fi
done

# ---- the kernel log ----
bad=$(dmesg | grep -E 'Detected Tx Unit Hang|tx_timeout|[Tt][Xx] timeout|transmit queue [0-9]+ timed out|[Rr]eset adapter|initiating reset|[Aa]dapter removed|soft lockup|hung_task|blocked for more than|rcu.*stall|BUG:|WARNING:|Oops|Kernel panic|um virt-pci delay')
if [[ -z $bad ]]; then
	uml_check dmesg_no_hang pass "no hang, TX timeout, reset, late device or kernel warning in $(dmesg | wc -l) lines"
else
	uml_check dmesg_no_hang fail "$(head -n 5 <<<"$bad" | tr '\n' ';')"
fi
ok=1 detail=''
for p in $ports; do
	pci=$(port_pci "$p")
	[[ -n $pci ]] || { ok=0; detail+=" $p: no device;"; continue; }
	ups=$(dmesg | grep -c "ixgbe $pci .*NIC Link is Up")
	want=$(cat "$STATE/$p.ups" 2>/dev/null || echo 0)
	detail+=" $p: $ups link-up lines for $want ups;"
	((ups >= 1 && ups <= want)) || ok=0
done
if ((ok)); then uml_check dmesg_no_reset_loop pass "$detail"; else uml_check dmesg_no_reset_loop fail "$detail"; fi

dmesg >"$UML_SHARE/dmesg.txt"
failed=$(grep -c ' result=fail ' "$RESULTS")
echo "UML-SUMMARY passed=$(grep -c ' result=pass ' "$RESULTS") failed=$failed"
((failed == 0))
