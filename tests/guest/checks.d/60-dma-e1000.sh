# Real DMA with addresses from ixy_dma_alloc: the e1000 sends one frame
# from a hugepage (host_e1000_tx_capture is reported by the host, which
# captures it on the tap) and receives a frame the host injects.
# checks: dma_e1000_tx dma_e1000_rx host_e1000_tx_capture
. /ixy/lib.sh

ixy_checks e1000-tx "$E1000_ADDR" "$E1000_MAC"
ixy_checks e1000-rx "$E1000_ADDR" "$E1000_MAC" 20
