/* Cold-cache mode: evict what the model (the "NIC") wrote.
 *
 * A NIC's DMA write invalidates the lines it writes in the CPU caches. The
 * model writes with the CPU instead, leaving them hot in this core's L1.
 * Before a cold region a benchmark therefore flushes every descriptor line
 * the model changed in its step (found by comparing against a copy taken
 * before the step: no knowledge of descriptor formats needed) and, where
 * the model wrote frames, the frame-header line(s) of every buffer of the
 * port's RX pool (the bytes a NIC writes; the buffers' metadata lines are
 * the driver's own and stay). Flushing a pool buffer the model did not
 * write this step changes nothing the driver touches before the model's
 * next write to it. clflushopt where the CPU has it (CPUID), else clflush. */
#ifndef IXY_BENCH_COLD_H
#define IXY_BENCH_COLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ixy_sim;
struct ixy_device;
struct ixy_mempool;

struct bench_ring_view {
	uint8_t *ring;          /* the descriptor ring as the NIC sees it */
	size_t len;
	uint8_t *snap;          /* its bytes before the model's step */
};

struct bench_cold {
	struct bench_ring_view rx, tx;
	struct ixy_mempool *pool;       /* queue 0's RX pool: where received frames land */
	uint32_t frame_len;             /* bytes of each frame the model writes */
};

/* "clflushopt" or "clflush": what bench_cold_evict uses on this CPU. */
const char *bench_cold_method(void);
/* Finds queue 0's rings from the port's base and length registers, as the
 * NIC does. Returns 0, or -1 with a message on stderr. */
int bench_cold_init(struct bench_cold *c, struct ixy_sim *s, struct ixy_device *d, uint32_t frame_len);
void bench_cold_free(struct bench_cold *c);
/* Before the model's step. */
void bench_cold_snapshot(struct bench_cold *c);
/* After it: flush the changed descriptor lines, and with frames the
 * pool's frame-header lines. */
void bench_cold_evict(const struct bench_cold *c, bool frames);
/* Every flush complete: call once before the clock starts. */
void bench_cold_done(void);

#endif
