# shellcheck shell=bash
# Linux's own TX offloads back on (TSO, checksum offload, scatter-gather:
# what ixgbe uses by default), and the transfers again: a->b through the
# pair and c->host through the veth. These come after the other data checks
# on purpose: a model that cannot do an offload stops the queue, and the
# driver then resets the port over and over.
# checks: pair_tcp host_tcp_to_host_offload
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

for p in a b c; do
	default_tx "$p"
done
pair_transfer pair_tcp
to_host host_tcp_to_host_offload "$IXY_HOST_RX2_PORT"
