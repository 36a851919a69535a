# libixy's memory layer on the real kernel: hugepage DMA regions with
# pagemap physical addresses, and cleanup after a killed process.
# checks: dma_alloc hugetlbfs_stale_cleanup
. /ixy/lib.sh

ixy_checks dma-alloc
ixy_checks stale-cleanup
