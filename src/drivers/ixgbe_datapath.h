/* What the ixgbe RX (ixgbe_rx.c) and TX (ixgbe_tx.c) loops share: the
 * tail store, the attribute that keeps their entry jumps free of register
 * moves, and the one choice of the AVX2 paths at load time. */
#ifndef IXY_DRIVERS_IXGBE_DATAPATH_H
#define IXY_DRIVERS_IXGBE_DATAPATH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* The batch loops are jumped to from ixgbe_rx_batch / ixgbe_tx_batch with
 * the op's own arguments (the queue number replaced by the queue, dev
 * unused), so that the jump moves no register: not inlined, and with GCC
 * not analysed across calls either (noipa), else it drops the unused
 * argument again and the registers move after all. */
#ifdef __clang__
#define RX_TX_NOIPA __attribute__((noinline))
#else
#define RX_TX_NOIPA __attribute__((noipa))
#endif

/* x86 keeps stores in order: a release store (a compiler barrier there)
 * publishes the descriptors written before it. */
static inline void write_tail(volatile uint32_t *tail, uint32_t v)
{
	__atomic_store_n(tail, v, __ATOMIC_RELEASE);
}

/* AVX2 paths (RX 8-wide, TX block return) unless the CPU lacks AVX2 or the
 * environment says IXY_NO_AVX2=1 (to compare the paths, or to test them);
 * asked once per file, by a constructor, when the library is loaded. */
static inline bool ixgbe_use_avx2(void)
{
	const char *no_avx2 = getenv("IXY_NO_AVX2");
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && !(no_avx2 && no_avx2[0] == '1');
}

#endif
