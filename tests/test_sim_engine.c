/* The engine thread of threaded sim ports: one per process whatever the
 * number of ports, gone with the last threaded port; it serves every port
 * each round; it does not burn a core while idle or while a rate-limited
 * generator waits for its next frame; the link still comes up on time while
 * it naps; ixy_sim_mode tells the mode without side effects. */
#include "test_sim_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Threads of this process named ixy-sim-engine; *tid gets the last one. */
static int engine_threads(pid_t *tid)
{
	DIR *d = opendir("/proc/self/task");
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[300], comm[64] = "";
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;	/* the thread just exited */
		if (fgets(comm, sizeof(comm), f) && strcmp(comm, "ixy-sim-engine\n") == 0) {
			n++;
			if (tid)
				*tid = (pid_t)atoi(e->d_name);
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* CPU time of a thread in ns (first field of schedstat). */
static uint64_t thread_cpu_ns(pid_t tid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)tid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	unsigned long long ns = 0;
	assert_int_equal(fscanf(f, "%llu", &ns), 1);
	fclose(f);
	return ns;
}

/* The engine thread has exited once it is joined, but /proc/self/task may
 * list the exiting task for a moment longer: wait (bounded) until it is gone. */
static int engine_threads_settled(void)
{
	int n = engine_threads(NULL);
	for (int i = 0; i < 2000 && n != 0; i++) {
		sleep_us(1000);
		n = engine_threads(NULL);
	}
	return n;
}

static void test_one_thread_per_process(void **state)
{
	(void)state;
	assert_int_equal(engine_threads(NULL), 0);
	struct ixy_sim *st = ixy_sim_open_spec("eng_st,mode=stepped");
	assert_non_null(st);
	assert_int_equal(engine_threads(NULL), 0);	/* stepped ports need none */
	struct ixy_sim *a = ixy_sim_open_spec("eng_a,wire=null");
	struct ixy_sim *b = ixy_sim_open_spec("eng_b,wire=loop");
	struct ixy_sim *c = ixy_sim_open_spec("eng_c,wire=pair:eng_d");
	struct ixy_sim *d = ixy_sim_open_spec("eng_d");
	struct ixy_sim *g = ixy_sim_open_spec("eng_g,wire=gen:60:1000");
	assert_true(a && b && c && d && g);
	assert_int_equal(engine_threads(NULL), 1);
	/* re-plugging wires, pairing and unpairing keep the one thread */
	assert_int_equal(ixy_sim_wire_loopback(a), 0);
	assert_int_equal(ixy_sim_wire_pair(a, b), 0);
	assert_int_equal(ixy_sim_wire_null(b), 0);
	assert_int_equal(engine_threads(NULL), 1);
	ixy_sim_destroy(a);
	ixy_sim_destroy(b);
	ixy_sim_destroy(c);
	ixy_sim_destroy(d);
	assert_int_equal(engine_threads(NULL), 1);	/* g is still there */
	ixy_sim_destroy(g);
	assert_int_equal(engine_threads_settled(), 0);	/* the last one took it along */
	a = ixy_sim_open_spec("eng_a,wire=null");
	assert_non_null(a);
	assert_int_equal(engine_threads(NULL), 1);	/* and it comes back */
	ixy_sim_destroy(a);
	assert_int_equal(engine_threads_settled(), 0);
	ixy_sim_destroy(st);
}

/* Three looped-back threaded ports: the one thread moves each one's frames. */
static void test_serves_every_port(void **state)
{
	(void)state;
	struct tport p[3];
	const char *specs[3] = { "srv0,wire=loop,link_delay_us=1,unthrottled", "srv1,wire=loop,link_delay_us=1",
				 "srv2,wire=loop,link_delay_us=1,unthrottled" };
	for (int i = 0; i < 3; i++) {
		tport_open(&p[i], specs[i]);
		tport_init(&p[i], 0);
		wait_link(&p[i]);
	}
	assert_int_equal(engine_threads(NULL), 1);
	uint8_t f[256], got[2048];
	for (int k = 0; k < 50; k++) {
		for (int i = 0; i < 3; i++) {
			uint8_t mac[6];
			port_mac(&p[i], mac);
			uint32_t len = make_udp(f, mac, 60 + (uint32_t)k, (uint16_t)(100 + i), (uint8_t)(k + i));
			tx_put(&p[i], f, len, 1);
			uint32_t n = 0;
			uint64_t t0 = now_ns();
			while ((n = rx_get(&p[i], got, NULL)) == 0 && now_ns() - t0 < 1000000000ull)
				;
			assert_int_equal(n, len);
			assert_memory_equal(got, f, len);
		}
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ixy_sim_violation_count(p[i].sim), 0);
		tport_close(&p[i]);
	}
}

/* An idle port (link up, nothing to do) and a generator at 2000 frames/s
 * (one every 500 us) that the driver keeps up with: the engine naps between
 * frames instead of polling, yet the rate is kept. A polling engine uses
 * all of the interval's CPU time (it used to: frames kept resetting its
 * backoff before it ever slept). */
static void test_idle_and_rate_limited_cpu(void **state)
{
	(void)state;
	struct tport idle, gen;
	tport_open(&idle, "idl,wire=null,link_delay_us=1");
	tport_init(&idle, 0);
	wait_link(&idle);
	tport_open(&gen, "rgen,wire=gen:60:2000,link_delay_us=1");
	tport_init(&gen, 0);
	wait_link(&gen);
	pid_t tid = 0;
	assert_int_equal(engine_threads(&tid), 1);
	while (rx_get(&gen, NULL, NULL))
		;
	uint64_t c0 = thread_cpu_ns(tid), t0 = now_ns();
	int got = 0;
	while (now_ns() - t0 < 500000000ull) {
		sleep_us(1000);	/* a driver that polls every ms: 2 frames each time */
		while (rx_get(&gen, NULL, NULL))
			got++;
	}
	uint64_t wall = now_ns() - t0, cpu = thread_cpu_ns(tid) - c0;
	print_message("engine: %.1f%% CPU over %.0f ms, %d frames from a 2000 pps generator\n",
		      100.0 * (double)cpu / (double)wall, (double)wall / 1e6, got);
	/* Behaviour, not speed: a polling engine would use (nearly) a whole CPU
	 * here and a generator that ignores its rate would deliver far more;
	 * the bounds leave room for a loaded machine (figures are printed). */
	assert_true(cpu < wall / 2);
	assert_true(got >= 800 && got <= 1010);	/* 0.5 s x 2000/s; never ahead of schedule */
	assert_int_equal(rd(&gen, R_MPC0), 0);	/* nothing lost */
	tport_close(&gen);
	tport_close(&idle);
}

/* Auto-negotiation finishes while the engine naps: EICR.LSC (set by the
 * engine, not by reading LINKS) appears on time. */
static void test_link_comes_up_on_time(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "lnkt,wire=null,link_delay_us=20000");
	wait_link(&p);
	for (int i = 0; i < 300; i++)
		sleep_us(1000);	/* long enough for the engine to be in its deepest nap */
	ixy_sim_set_carrier(p.sim, false);
	ixy_sim_set_carrier(p.sim, true);
	uint64_t t0 = now_ns();
	rd(&p, R_EICR);	/* the LSC of the carrier loss */
	uint32_t eicr = 0;
	while (!(eicr & (1u << 20)) && now_ns() - t0 < 1000000000ull) {
		sleep_us(200);
		eicr |= rd(&p, R_EICR);
	}
	double ms = (double)(now_ns() - t0) / 1e6;
	print_message("link up after %.2f ms (link_delay_us=20000)\n", ms);
	assert_true(eicr & (1u << 20));
	assert_true(ms >= 19.9);
	assert_true(ms < 200.0);	/* a nap is at most 0.1 ms here: not seconds late (a loaded VM adds some) */
	tport_close(&p);
}

static void test_mode_query(void **state)
{
	(void)state;
	struct ixy_sim *t = ixy_sim_open_spec("mq_t,wire=null");
	struct ixy_sim *s = ixy_sim_open_spec("mq_s,mode=stepped,wire=null");
	assert_true(t && s);
	assert_null(ixy_sim_open_spec("mq_x,wire=bogus"));	/* leaves a message behind */
	char before[256];
	snprintf(before, sizeof(before), "%s", ixy_last_error());
	assert_int_equal(ixy_sim_mode(t), IXY_SIM_THREADED);
	assert_int_equal(ixy_sim_mode(s), IXY_SIM_STEPPED);
	assert_string_equal(ixy_last_error(), before);	/* asking does not touch it */
	ixy_sim_destroy(t);
	ixy_sim_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_thread_per_process),
		cmocka_unit_test(test_serves_every_port),
		cmocka_unit_test(test_idle_and_rate_limited_cpu),
		cmocka_unit_test(test_link_comes_up_on_time),
		cmocka_unit_test(test_mode_query),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
