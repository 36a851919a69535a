# shellcheck shell=bash
# Every port reports link up at 10 Gb/s full duplex through ethtool (what
# ixgbe read from the model's LINKS register, after identifying the SFP+
# module or the backplane).
# checks: link_a link_b link_c
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

link_up() { in_port "$1" ethtool "$(port_if "$1")" 2>/dev/null | grep -q 'Link detected: yes'; }

for p in a b c; do
	ifn=$(port_if "$p")
	if [[ -z $ifn ]]; then
		uml_check "link_$p" fail "port $p has no interface (probe failed)"
		continue
	fi
	wait_for 30 link_up "$p"
	e=$(in_port "$p" ethtool "$ifn" 2>&1)
	speed=$(sed -n 's/^[[:space:]]*Speed: //p' <<<"$e")
	duplex=$(sed -n 's/^[[:space:]]*Duplex: //p' <<<"$e")
	link=$(sed -n 's/^[[:space:]]*Link detected: //p' <<<"$e")
	detail="$ifn: Speed $speed, Duplex $duplex, Link detected $link"
	if [[ $speed == 10000Mb/s && $duplex == Full && $link == yes ]]; then
		uml_check "link_$p" pass "$detail"
	else
		uml_check "link_$p" fail "$detail"
	fi
done
