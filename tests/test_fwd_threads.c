/* Multi-core forwarding on stepped virtual ports: two threads, each with
 * its own queue pair (RSS spreads the flows), each stepping the model for
 * its own TX queues (ixy_sim_step_queues) while the main thread injects
 * frames. Every frame arrives once, byte for byte, in order within its
 * flow; each flow stays on one thread; the threads' counts add up to the
 * total and agree with the NIC's per-queue counters. Also: what
 * ixy_sim_step_queues steps (its TX queues; a pair as one), its errors,
 * ixy_sim_peer. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/mempool.h"
#include "ixy/packet.h"
#include "ixy/sim.h"

#define THREADS 2
#define FLOWS 16
#define FRAMES 6000             /* in total */
#define WINDOW 200              /* injected, not yet forwarded: fits any one RX ring (255) */
#define RING 256
#define SEQ_OFF 42              /* 32-bit sequence number: first UDP payload bytes */

static struct ixy_sim *new_sim(const char *name)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .unthrottled = true };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	if (!sim)
		print_message("ixy_sim_create: %s\n", ixy_last_error());
	assert_non_null(sim);
	return sim;
}

static struct ixy_device *open_port(struct ixy_sim *sim, uint16_t queues)
{
	struct ixy_config c = { .num_rx_queues = queues, .num_tx_queues = queues, .rx_ring_size = RING,
				.tx_ring_size = RING, .promisc = true, .link_timeout_ms = 2000 };
	struct ixy_device *dev = ixy_open_sim(sim, &c);
	if (!dev)
		print_message("ixy_open_sim: %s\n", ixy_last_error());
	assert_non_null(dev);
	return dev;
}

static uint32_t frame_len(uint32_t seq)
{
	return 60 + seq % 141;  /* 60..200 bytes */
}

/* Frame `seq`: flow seq % FLOWS (its UDP source port), the sequence number
 * and then bytes derived from it as payload. */
static void build(uint8_t *p, uint32_t seq)
{
	struct ixy_udp_spec spec = { .dst_mac = { 2, 0, 0, 0, 0, 0xb }, .src_mac = { 2, 0, 0, 0, 0, 0xa },
				     .src_ip = 0xc6120001, .dst_ip = 0xc6130001,
				     .src_port = (uint16_t)(1000 + seq % FLOWS), .dst_port = 9 };
	uint32_t len = frame_len(seq);
	assert_int_equal(ixy_build_udp_frame(p, 2048, len, &spec), (int)len);
	memcpy(p + SEQ_OFF, &seq, 4);
	for (uint32_t i = SEQ_OFF + 4; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
	p[40] = p[41] = 0;      /* UDP checksum: none (IPv4 allows it) */
}

static uint32_t seq_of(const uint8_t *p)
{
	uint32_t seq;
	memcpy(&seq, p + SEQ_OFF, 4);
	return seq;
}

/* ---- the forwarding threads ---- */

struct fwd {
	struct ixy_device *a, *b;
	struct ixy_sim *sa, *sb;
	uint16_t queue;
	atomic_bool *stop;
	_Atomic uint64_t forwarded;     /* read by the main thread for its window */
	uint64_t stepped;               /* frames its own steps moved */
	uint64_t tx_full;               /* tx_batch took fewer than offered (retried) */
	int flow_queue_errors;          /* a frame of a flow on another queue than before */
	int8_t flow_seen[FLOWS];        /* 1: this flow came on this thread's queue */
	int errors;                     /* wrong queue in the metadata, step errors */
} __attribute__((aligned(64)));

static void *fwd_thread(void *arg)
{
	struct fwd *f = arg;
	struct ixy_pkt_buf *bufs[32];
	while (!atomic_load(f->stop)) {
		int m = ixy_sim_step_queues(f->sa, f->queue, 1), n = ixy_sim_step_queues(f->sb, f->queue, 1);
		if (m < 0 || n < 0)
			f->errors++;
		else
			f->stepped += (uint64_t)(m + n);
		uint32_t got = ixy_rx_batch(f->a, f->queue, bufs, 32);
		for (uint32_t i = 0; i < got; i++) {
			if (bufs[i]->queue != f->queue)
				f->errors++;
			f->flow_seen[seq_of(ixy_pkt_data(bufs[i])) % FLOWS] = 1;
		}
		/* no drops in this test: retry what the TX ring had no room
		 * for, stepping this thread's queue of B meanwhile */
		uint32_t sent = 0;
		while (sent < got) {
			uint32_t k = ixy_tx_batch(f->b, f->queue, bufs + sent, got - sent);
			sent += k;
			if (sent < got) {
				f->tx_full++;
				if (ixy_sim_step_queues(f->sb, f->queue, 1) < 0)
					f->errors++;
			}
		}
		if (got)
			atomic_fetch_add(&f->forwarded, got);
	}
	return NULL;
}

static void test_two_threads_forward_every_frame(void **state)
{
	(void)state;
	struct ixy_sim *sa = new_sim("mc-a"), *sb = new_sim("mc-b");
	assert_int_equal(ixy_sim_wire_null(sa), 0);      /* link up; frames come by inject */
	assert_int_equal(ixy_sim_wire_capture(sb, FRAMES + 16), 0);
	struct ixy_device *a = open_port(sa, THREADS), *b = open_port(sb, THREADS);
	struct ixy_stats sta0, stb0;
	assert_int_equal(ixy_read_stats(a, &sta0), 0);
	assert_int_equal(ixy_read_stats(b, &stb0), 0);

	atomic_bool stop = false;
	static struct fwd f[THREADS];
	pthread_t tid[THREADS];
	for (uint16_t t = 0; t < THREADS; t++) {
		memset(&f[t], 0, sizeof(f[t]));
		f[t] = (struct fwd){ .a = a, .b = b, .sa = sa, .sb = sb, .queue = t, .stop = &stop };
		assert_int_equal(pthread_create(&tid[t], NULL, fwd_thread, &f[t]), 0);
	}
	/* the wire side: inject while the threads step and forward, at most
	 * WINDOW frames ahead of them (an RX ring never overflows) */
	static uint8_t frame[2048];
	uint32_t injected = 0;
	while (injected < FRAMES) {
		uint64_t done = 0;
		for (int t = 0; t < THREADS; t++)
			done += atomic_load(&f[t].forwarded);
		if (injected - done >= WINDOW) {
			sched_yield();
			continue;
		}
		build(frame, injected);
		int rc = ixy_sim_inject(sa, frame, frame_len(injected));
		if (rc == -ENOSPC) {
			sched_yield();
			continue;
		}
		assert_int_equal(rc, 0);
		injected++;
	}
	for (;;) {      /* until all are forwarded (no timing: the count decides) */
		uint64_t done = 0;
		for (int t = 0; t < THREADS; t++)
			done += atomic_load(&f[t].forwarded);
		if (done >= FRAMES)
			break;
		sched_yield();
	}
	atomic_store(&stop, true);
	for (int t = 0; t < THREADS; t++)
		pthread_join(tid[t], NULL);
	/* what the threads handed to B's TX rings and B has not sent yet */
	while (ixy_sim_step(sb) > 0)
		;

	/* per thread: work of its own, and no flow on two queues */
	uint64_t total = 0;
	for (int t = 0; t < THREADS; t++) {
		print_message("thread %d: forwarded %llu, its steps moved %llu, TX ring full %llu times\n", t,
			      (unsigned long long)f[t].forwarded, (unsigned long long)f[t].stepped,
			      (unsigned long long)f[t].tx_full);
		assert_int_equal(f[t].errors, 0);
		assert_true(f[t].forwarded > 0);        /* RSS gave both threads flows */
		assert_true(f[t].stepped > 0);
		total += f[t].forwarded;
	}
	assert_int_equal(total, FRAMES);
	for (int fl = 0; fl < FLOWS; fl++)
		assert_int_equal(f[0].flow_seen[fl] + f[1].flow_seen[fl], 1);

	/* the NIC's per-queue counters agree with the threads' */
	struct ixy_stats sta, stb;
	assert_int_equal(ixy_read_stats(a, &sta), 0);
	assert_int_equal(ixy_read_stats(b, &stb), 0);
	for (int t = 0; t < THREADS; t++) {
		assert_int_equal(sta.rxq[t].packets - sta0.rxq[t].packets, f[t].forwarded);
		assert_int_equal(stb.txq[t].packets - stb0.txq[t].packets, f[t].forwarded);
	}
	assert_int_equal(sta.rx_dropped + sta.rx_missed, 0);
	assert_int_equal(stb.tx_packets - stb0.tx_packets, FRAMES);

	/* every frame once, byte for byte, in order within its flow */
	static uint8_t got[2048], want[2048];
	static bool seen[FRAMES];
	int64_t last[FLOWS];
	for (int fl = 0; fl < FLOWS; fl++)
		last[fl] = -1;
	for (uint32_t i = 0; i < FRAMES; i++) {
		int len = ixy_sim_capture_pop(sb, got, sizeof(got));
		assert_true(len >= 60);
		uint32_t seq = seq_of(got);
		assert_true(seq < FRAMES);
		assert_false(seen[seq]);
		seen[seq] = true;
		build(want, seq);
		assert_int_equal(len, frame_len(seq));
		assert_memory_equal(got, want, (size_t)len);
		assert_true((int64_t)seq > last[seq % FLOWS]);
		last[seq % FLOWS] = seq;
	}
	assert_int_equal(ixy_sim_capture_pop(sb, got, sizeof(got)), 0);
	assert_int_equal(ixy_sim_violation_count(sa) + ixy_sim_violation_count(sb), 0);
	assert_int_equal(ixy_sim_dma_faults(sa) + ixy_sim_dma_faults(sb), 0);
	ixy_close(a);
	ixy_close(b);
	ixy_sim_destroy(sa);
	ixy_sim_destroy(sb);
}

/* ixy_sim_step_queues transmits from the named TX queues only; the others
 * wait for their own stepper. */
static void test_step_queues_only_its_tx_queues(void **state)
{
	(void)state;
	struct ixy_sim *s = new_sim("mc-q");
	assert_int_equal(ixy_sim_wire_capture(s, 16), 0);
	struct ixy_device *d = open_port(s, 4);
	struct ixy_mempool_opts o = { .num_entries = 64, .numa_node = -1 };
	struct ixy_mempool *pool = ixy_mempool_create(&o);
	assert_non_null(pool);
	static uint8_t got[2048];
	for (uint16_t q = 0; q < 4; q++) {
		struct ixy_pkt_buf *buf = ixy_pkt_buf_alloc(pool);
		assert_non_null(buf);
		build(ixy_pkt_data(buf), 100 + q);
		buf->len = frame_len(100 + q);
		assert_int_equal(ixy_tx_batch(d, q, &buf, 1), 1);
	}
	/* queues 1..2: their two frames leave, 0 and 3 wait */
	assert_int_equal(ixy_sim_step_queues(s, 1, 2), 2);
	for (uint32_t want = 101; want <= 102; want++) {
		assert_int_equal(ixy_sim_capture_pop(s, got, sizeof(got)), (int)frame_len(want));
		assert_int_equal(seq_of(got), want);
	}
	assert_int_equal(ixy_sim_capture_pop(s, got, sizeof(got)), 0);
	assert_int_equal(ixy_sim_step_queues(s, 3, 1), 1);
	assert_int_equal(ixy_sim_capture_pop(s, got, sizeof(got)), (int)frame_len(103));
	assert_int_equal(seq_of(got), 103);
	assert_int_equal(ixy_sim_step_queues(s, 0, 1), 1);
	assert_int_equal(ixy_sim_capture_pop(s, got, sizeof(got)), (int)frame_len(100));
	assert_int_equal(seq_of(got), 100);
	assert_int_equal(ixy_sim_step_queues(s, 0, 4), 0);

	/* errors: a message each, nothing stepped */
	assert_int_equal(ixy_sim_step_queues(s, 0, 0), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "count must be at least 1"));
	assert_int_equal(ixy_sim_step_queues(s, 127, 2), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "queues 127..128 do not exist"));
	assert_int_equal(ixy_sim_step_queues(s, 128, 1), -EINVAL);
	assert_int_equal(ixy_sim_step_queues(NULL, 0, 1), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "NULL"));
	struct ixy_sim_config tc = { .mode = IXY_SIM_THREADED };
	struct ixy_sim *t = ixy_sim_create("mc-threaded", &tc);
	assert_non_null(t);
	assert_int_equal(ixy_sim_step_queues(t, 0, 1), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "needs a port in stepped mode"));
	ixy_sim_destroy(t);

	ixy_close(d);
	ixy_mempool_free(pool);
	ixy_sim_destroy(s);
}

/* A pair is stepped as one (as ixy_sim_step): stepping A transmits from
 * B's named TX queues too, into A. ixy_sim_peer names the other end. */
static void test_step_queues_pair(void **state)
{
	(void)state;
	struct ixy_sim *sa = new_sim("mc-pa"), *sb = new_sim("mc-pb"), *sc = new_sim("mc-pc");
	assert_int_equal(ixy_sim_wire_pair(sa, sb), 0);
	assert_ptr_equal(ixy_sim_peer(sa), sb);
	assert_ptr_equal(ixy_sim_peer(sb), sa);
	assert_null(ixy_sim_peer(sc));
	assert_null(ixy_sim_peer(NULL));
	struct ixy_device *a = open_port(sa, 2), *b = open_port(sb, 2);
	struct ixy_mempool_opts o = { .num_entries = 64, .numa_node = -1 };
	struct ixy_mempool *pool = ixy_mempool_create(&o);
	assert_non_null(pool);
	struct ixy_pkt_buf *buf = ixy_pkt_buf_alloc(pool), *got[4];
	assert_non_null(buf);
	build(ixy_pkt_data(buf), 7);
	buf->len = frame_len(7);
	assert_int_equal(ixy_tx_batch(b, 1, &buf, 1), 1);
	assert_int_equal(ixy_sim_step_queues(sa, 0, 1), 0);     /* B's queue 1 is not named */
	uint32_t n = 0;
	for (uint16_t q = 0; q < 2; q++)
		n += ixy_rx_batch(a, q, got, 4);
	assert_int_equal(n, 0);
	assert_int_equal(ixy_sim_step_queues(sa, 1, 1), 1);     /* stepping A sends B's queue 1 */
	for (uint16_t q = 0; q < 2 && !n; q++)
		n = ixy_rx_batch(a, q, got, 4);
	assert_int_equal(n, 1);
	assert_int_equal(got[0]->len, frame_len(7));
	assert_int_equal(seq_of(ixy_pkt_data(got[0])), 7);
	ixy_pkt_buf_free(got[0]);
	ixy_close(a);
	ixy_close(b);
	ixy_mempool_free(pool);
	ixy_sim_destroy(sa);
	ixy_sim_destroy(sb);
	ixy_sim_destroy(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads_forward_every_frame),
		cmocka_unit_test(test_step_queues_only_its_tx_queues),
		cmocka_unit_test(test_step_queues_pair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
