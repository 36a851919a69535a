# shellcheck shell=bash
# The kernel log after everything: nothing that looks like a hang, a TX
# timeout, an adapter reset or a kernel warning; and no reset loop: each
# port's link came up no more often than the checks brought it up.
# checks: dmesg_no_hang dmesg_no_reset_loop
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

bad=$(dmesg | grep -E 'Detected Tx Unit Hang|tx_timeout|[Tt][Xx] timeout|transmit queue [0-9]+ timed out|[Rr]eset adapter|initiating reset|[Aa]dapter removed|soft lockup|hung_task|blocked for more than|rcu.*stall|BUG:|WARNING:|Oops|Kernel panic|um virt-pci delay')
if [[ -z $bad ]]; then
	uml_check dmesg_no_hang pass "no hang, TX timeout, reset, late device or kernel warning in $(dmesg | wc -l) lines"
else
	uml_check dmesg_no_hang fail "$(head -n 5 <<<"$bad" | tr '\n' ';')"
fi

ok=1 detail=''
for p in a b c; do
	pci=$(port_pci "$p")
	[[ -n $pci ]] || { ok=0; detail+=" $p: no device;"; continue; }
	ups=$(dmesg | grep -c "ixgbe $pci .*NIC Link is Up")
	want=$(cat "$STATE/$p.ups" 2>/dev/null || echo 0)
	detail+=" $p: $ups link-up lines for $want ups;"
	((ups >= 1 && ups <= want)) || ok=0
done
if ((ok)); then uml_check dmesg_no_reset_loop pass "$detail"; else uml_check dmesg_no_reset_loop fail "$detail"; fi
