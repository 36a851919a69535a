#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "app_cpu.h"

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000ull;
}

static uint64_t used_ns(int who)
{
	struct rusage ru;
	if (getrusage(who, &ru) != 0)
		return 0;
	return tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void app_cpu_start(struct app_cpu *c)
{
	c->wall_ns = mono_ns();
	c->process_ns = used_ns(RUSAGE_SELF);
	c->thread_ns = used_ns(RUSAGE_THREAD);
}

void app_cpu_print(const char *prog, struct app_cpu *c, const char *extra)
{
	struct app_cpu now;
	app_cpu_start(&now);
	double wall = (double)(now.wall_ns - c->wall_ns);
	if (wall <= 0)
		return;
	printf("[%s] CPU process %.1f%% | main thread %.1f%% of one core (user+sys)%s%s\n", prog,
	       100.0 * (double)(now.process_ns - c->process_ns) / wall,
	       100.0 * (double)(now.thread_ns - c->thread_ns) / wall, extra ? " | " : "", extra ? extra : "");
	fflush(stdout);
	*c = now;
}
