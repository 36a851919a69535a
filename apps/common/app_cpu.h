/* CPU time used by the app, for the per-second statistics line: user +
 * system time from getrusage, as a percentage of one CPU over the interval
 * since the previous call. Not part of the library. */
#ifndef IXY_APP_CPU_H
#define IXY_APP_CPU_H

#include <stdint.h>

struct app_cpu {
	uint64_t wall_ns;           /* CLOCK_MONOTONIC at the previous sample */
	uint64_t process_ns;        /* user+sys of the whole process */
	uint64_t thread_ns;         /* user+sys of the calling (main) thread */
};

/* Start measuring (call from the thread that runs the data path). */
void app_cpu_start(struct app_cpu *c);
/* Print "[PROG] CPU process X% | main thread Y% of one core (user+sys)"
 * for the interval since the previous call, plus `extra` if not NULL. The
 * process includes the engine thread of virtual (sim:) ports, which stands
 * in for the NIC's own hardware; the main thread is the driver and app. */
void app_cpu_print(const char *prog, struct app_cpu *c, const char *extra);

#endif
