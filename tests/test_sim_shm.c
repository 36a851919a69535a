/* The shared-memory wire between processes (wire=shm:NAME): two processes
 * exchange frames byte for byte both ways through their ports' TX and RX
 * descriptors; a peer that dies takes the link down (LINKS, EICR.LSC) and
 * its end is recovered; a third opener is refused; nothing is left in
 * /dev/shm once both ends are closed. */
#include "test_sim_util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "error.h"	/* ixy_last_error_code */

#define NFRAMES 40	/* fewer than the 64-descriptor rings */

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

static void wire_name(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "t%d-%s", (int)getpid(), what);
}

static int shm_exists(const char *name)
{
	char path[160];
	snprintf(path, sizeof(path), "/dev/shm/ixy-wire-%s", name);
	return access(path, F_OK) == 0;
}

static int link_up(struct tport *p)
{
	return (rd(p, R_LINKS) >> 30) & 1;
}

static void step_a_while(struct ixy_sim *sim)
{
	for (int i = 0; i < 50; i++) {
		ixy_sim_step(sim);
		sleep_us(100);
	}
}

/* Frame k sent by end `from`: a UDP frame to the other end's MAC, length
 * and payload depending on both, so any mix-up shows. */
static uint32_t frame_of(uint8_t *f, const uint8_t dst[6], int from, int k)
{
	return make_udp(f, dst, 60 + (uint32_t)((k * 37 + from * 500) % 1400), (uint16_t)(1000 + k),
			(uint8_t)(from * 100 + k));
}

static void tx_mac(uint8_t mac[6], int end)
{
	/* each side's MAC is given in the spec, so the other can address it */
	const uint8_t m[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(0x10 + end) };
	memcpy(mac, m, 6);
}

static void open_end(struct tport *p, const char *wire, int end)
{
	char spec[200];
	snprintf(spec, sizeof(spec), "shm%d,mode=stepped,wire=shm:%s,link_delay_us=1,unthrottled,mac=02:00:00:00:00:%02x", end,
		 wire, 0x10 + end);
	tport_open(p, spec);
	tport_init(p, 0);
}

/* One side of the exchange: send NFRAMES, receive NFRAMES and compare
 * them with what the other side must have sent. Returns 0 or a line
 * number (usable as an exit status from the child). */
static int exchange(struct tport *p, int end, int sync_out, int sync_in)
{
	uint8_t peer_mac[6], f[1514], got[2048];
	tx_mac(peer_mac, 1 - end);
	STEP_UNTIL(p->sim, link_up(p));
	if (!link_up(p))
		return __LINE__;
	/* both links up before anyone sends (frames before that are lost, as
	 * on a real cable) */
	char c = 'u';
	if (write(sync_out, &c, 1) != 1 || read(sync_in, &c, 1) != 1)
		return __LINE__;
	int sent = 0, recvd = 0;
	for (int iter = 0; iter < 200000 && (recvd < NFRAMES || sent < NFRAMES || rd(p, R_TDH(0)) != p->tx_next); iter++) {
		if (sent < NFRAMES) {
			uint32_t len = frame_of(f, peer_mac, end, sent);
			tx_put(p, f, len, 1 + (uint32_t)(sent % 3));
			sent++;
		}
		ixy_sim_step(p->sim);
		uint32_t len;
		while ((len = rx_get(p, got, NULL)) > 0) {
			uint8_t my_mac[6];
			tx_mac(my_mac, end);
			uint32_t want = frame_of(f, my_mac, 1 - end, recvd);
			if (len != want || memcmp(got, f, want) != 0) {
				print_message("end %d frame %d: got %u bytes, want %u\n", end, recvd, len, want);
				return __LINE__;
			}
			recvd++;
		}
		if (iter > 1000)
			sleep_us(10);
	}
	if (recvd != NFRAMES) {
		print_message("end %d: sent %d, received %d of %d (TPR %u GPRC %u MPC %u GPTC %u)\n", end, sent, recvd,
			      NFRAMES, rd(p, R_TPR), rd(p, R_GPRC), rd(p, R_MPC0), rd(p, R_GPTC));
		return __LINE__;
	}
	if (ixy_sim_violation_count(p->sim)) {
		print_violations(p->sim);
		return __LINE__;
	}
	/* stay until the other side has all its frames too */
	if (write(sync_out, &c, 1) != 1 || read(sync_in, &c, 1) != 1)
		return __LINE__;
	return 0;
}

static void test_two_processes_both_ways(void **state)
{
	(void)state;
	char wire[64];
	wire_name(wire, sizeof(wire), "xchg");
	int p2c[2], c2p[2];
	assert_int_equal(pipe(p2c), 0);
	assert_int_equal(pipe(c2p), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p2c[1]);
		close(c2p[0]);
		struct tport p;
		open_end(&p, wire, 1);	/* whichever opens first is end 0 of the segment */
		int r = exchange(&p, 1, c2p[1], p2c[0]);
		tport_close(&p);
		fflush(stdout);
		_exit(r > 255 ? 255 : r);
	}
	close(p2c[0]);
	close(c2p[1]);
	struct tport p;
	open_end(&p, wire, 0);
	assert_true(shm_exists(wire));
	int r = exchange(&p, 0, p2c[1], c2p[0]);
	int status = 0;
	assert_int_equal(waitpid(child, &status, 0), child);
	tport_close(&p);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);	/* the child's failing line, if any */
	assert_int_equal(r, 0);
	/* the last end out removed the cable */
	assert_false(shm_exists(wire));
	close(p2c[1]);
	close(c2p[0]);
}

/* A child that opens end 1, tells the parent and waits to be killed. */
static pid_t spawn_end(const char *wire, int *ready_fd)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(fds[0]);
		struct ixy_sim *s = NULL;
		char spec[200];
		snprintf(spec, sizeof(spec), "peer,mode=threaded,wire=shm:%s,link_delay_us=1", wire);
		s = ixy_sim_open_spec(spec);
		char c = s ? 'y' : 'n';
		if (write(fds[1], &c, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(fds[1]);
	*ready_fd = fds[0];
	char c = 0;
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	return child;
}

static void test_peer_death_takes_link_down(void **state)
{
	(void)state;
	char wire[64];
	wire_name(wire, sizeof(wire), "death");
	struct tport p;
	open_end(&p, wire, 0);
	step_a_while(p.sim);
	assert_false(link_up(&p));	/* nobody at the other end yet */
	int fd;
	pid_t child = spawn_end(wire, &fd);
	STEP_UNTIL(p.sim, link_up(&p));
	assert_true(link_up(&p));
	rd(&p, R_EICR);	/* clear LSC from coming up */

	kill(child, SIGKILL);	/* no chance to close: its id stays behind */
	waitpid(child, NULL, 0);
	close(fd);
	STEP_UNTIL(p.sim, !link_up(&p));
	assert_false(link_up(&p));
	assert_true(rd(&p, R_EICR) & (1u << 20));	/* LSC */
	assert_int_equal(rd(&p, R_STATUS) & (1u << 7), 0);

	/* the dead end is free again: a new peer takes it, the link returns */
	child = spawn_end(wire, &fd);
	STEP_UNTIL(p.sim, link_up(&p));
	assert_true(link_up(&p));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(fd);
	/* the survivor is the last end: closing removes the file even though
	 * the peer never closed */
	tport_close(&p);
	assert_false(shm_exists(wire));
}

static void test_third_opener_refused(void **state)
{
	(void)state;
	char wire[64];
	wire_name(wire, sizeof(wire), "three");
	struct tport p;
	open_end(&p, wire, 0);
	int fd;
	pid_t child = spawn_end(wire, &fd);
	char spec[200];
	snprintf(spec, sizeof(spec), "third,mode=stepped,wire=shm:%s", wire);
	assert_null(ixy_sim_open_spec(spec));
	assert_int_equal(ixy_last_error_code(), -EBUSY);
	assert_non_null(strstr(ixy_last_error(), "already has both ends"));
	assert_non_null(strstr(ixy_last_error(), wire));
	assert_null(ixy_sim_find("third"));	/* the failed port is gone */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(fd);
	tport_close(&p);
	assert_false(shm_exists(wire));
}

/* A segment whose owners all died (a crashed demo) is taken over. */
static void test_stale_segment_recovered(void **state)
{
	(void)state;
	char wire[64];
	wire_name(wire, sizeof(wire), "stale");
	int fd;
	pid_t child = spawn_end(wire, &fd);	/* the child creates it: end 0 */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(fd);
	assert_true(shm_exists(wire));
	struct tport p;
	open_end(&p, wire, 0);	/* recovered: we are end 0 of a fresh segment */
	step_a_while(p.sim);
	assert_false(link_up(&p));
	tport_close(&p);
	assert_false(shm_exists(wire));
}

static void test_bad_names(void **state)
{
	(void)state;
	assert_null(ixy_sim_open_spec("bad1,mode=stepped,wire=shm:a/b"));
	assert_int_equal(ixy_last_error_code(), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "invalid shared-memory wire name \"a/b\""));
	assert_null(ixy_sim_open_spec("bad2,mode=stepped,wire=shm:"));
	assert_int_equal(ixy_last_error_code(), -EINVAL);
}


/* ---- the segment is untrusted: a test that maps the file plays a peer
 * that writes garbage into it. The layout, as documented in
 * sim_wire_shm.c: a 4096-byte header whose rings' control blocks start at
 * 64 (192 bytes each: head at +0, tail at +64, dropped at +128), then
 * ring 0 (frames sent by end 0) and ring 1, 4 MiB each. ---- */
#define SEG_RING_BYTES (4u << 20)
#define SEG_BYTES (4096u + 2u * SEG_RING_BYTES)

struct seg {
	uint8_t *map;
};

static volatile uint64_t *seg_head(struct seg *g, int ring) { return (volatile uint64_t *)(g->map + 64 + 192 * ring); }
static volatile uint64_t *seg_tail(struct seg *g, int ring) { return (volatile uint64_t *)(g->map + 64 + 192 * ring + 64); }
static volatile uint64_t *seg_dropped(struct seg *g, int ring) { return (volatile uint64_t *)(g->map + 128 + 192 * ring + 64); }
static uint8_t *seg_data(struct seg *g, int ring) { return g->map + 4096 + (size_t)ring * SEG_RING_BYTES; }

static void seg_map(struct seg *g, const char *wire)
{
	char path[160];
	snprintf(path, sizeof(path), "/dev/shm/ixy-wire-%s", wire);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	g->map = mmap(NULL, SEG_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(g->map != MAP_FAILED);
}

/* Both ends in this process, links up. */
static void open_both(struct tport *a, struct tport *b, const char *wire)
{
	open_end(a, wire, 0);
	open_end(b, wire, 1);
	for (int i = 0; i < 100000 && !(link_up(a) && link_up(b)); i++) {
		ixy_sim_step(a->sim);
		ixy_sim_step(b->sim);
	}
	assert_true(link_up(a) && link_up(b));
}

/* Send frame k from a to b and check that b receives it byte for byte. */
static void a_to_b_ok(struct tport *a, struct tport *b, int k)
{
	uint8_t mac[6], f[1514], got[2048];
	tx_mac(mac, 1);
	uint32_t len = frame_of(f, mac, 0, k), n = 0;
	tx_put(a, f, len, 1);
	for (int i = 0; i < 100000 && n == 0; i++) {
		ixy_sim_step(a->sim);
		ixy_sim_step(b->sim);
		n = rx_get(b, got, NULL);
	}
	assert_int_equal(n, len);
	assert_memory_equal(got, f, len);
}

/* Step both ports for a while (nothing is expected to arrive). */
static void step_both(struct tport *a, struct tport *b)
{
	for (int i = 0; i < 200; i++) {
		ixy_sim_step(a->sim);
		ixy_sim_step(b->sim);
	}
}

static void test_corrupt_head_survived(void **state)
{
	(void)state;
	char wire[64];
	wire_name(wire, sizeof(wire), "badhead");
	struct tport a, b;
	struct seg g;
	open_both(&a, &b, wire);
	seg_map(&g, wire);
	a_to_b_ok(&a, &b, 0);
	assert_int_equal(ixy_sim_wire_errors(b.sim), 0);
	rd(&b, R_CRCERRS);	/* read-to-clear */

	/* a misaligned head: 3 bytes past the last record */
	uint64_t good = *seg_head(&g, 0);
	*seg_head(&g, 0) = good + 3;
	step_both(&a, &b);
	assert_int_equal(ixy_sim_wire_errors(b.sim), 1);	/* counted once, not every round */
	assert_int_equal(rd(&b, R_CRCERRS), 1);
	assert_true(has_violation(b.sim, "does not fit the receiver's tail"));
	assert_int_equal(rx_get(&b, NULL, NULL), 0);	/* nothing made up */

	/* beyond the ring: more than one ring of data "published" */
	*seg_head(&g, 0) = good + SEG_RING_BYTES + 64;
	step_both(&a, &b);
	assert_int_equal(ixy_sim_wire_errors(b.sim), 2);
	/* a head that would have the reader start 1 byte before the end of
	 * the last ring (the old reader read 4 bytes past the mapping) */
	*seg_head(&g, 0) = good - 1;
	step_both(&a, &b);
	assert_int_equal(ixy_sim_wire_errors(b.sim), 3);

	/* the sender publishes its own (private) head with the next frame:
	 * the wire works again */
	a_to_b_ok(&a, &b, 1);
	a_to_b_ok(&a, &b, 2);
	assert_int_equal(ixy_sim_wire_errors(b.sim), 3);
	assert_int_equal(ixy_sim_wire_errors(a.sim), 0);
	munmap(g.map, SEG_BYTES);
	tport_close(&b);
	tport_close(&a);
	assert_false(shm_exists(wire));
}

static void test_corrupt_length_survived(void **state)
{
	(void)state;
	char wire[64];
	wire_name(wire, sizeof(wire), "badlen");
	struct tport a, b;
	struct seg g;
	open_both(&a, &b, wire);
	seg_map(&g, wire);
	a_to_b_ok(&a, &b, 0);
	rd(&b, R_CRCERRS);

	/* a sends one frame; before b reads it, its record's length becomes
	 * larger than any frame */
	uint8_t mac[6], f[1514];
	tx_mac(mac, 1);
	uint64_t tail = *seg_tail(&g, 0);
	uint32_t len = frame_of(f, mac, 0, 1);
	tx_put(&a, f, len, 1);
	for (int i = 0; i < 1000 && *seg_head(&g, 0) == tail; i++)
		ixy_sim_step(a.sim);
	assert_true(*seg_head(&g, 0) > tail);
	uint32_t huge = 1u << 30;
	memcpy(seg_data(&g, 0) + (tail & (SEG_RING_BYTES - 1)), &huge, 4);
	step_both(&a, &b);
	assert_int_equal(rx_get(&b, NULL, NULL), 0);	/* dropped, not delivered */
	assert_int_equal(ixy_sim_wire_errors(b.sim), 1);
	assert_int_equal(rd(&b, R_CRCERRS), 1);
	assert_true(has_violation(b.sim, "corrupt record (length 1073741824"));

	/* a length that is plausible but claims more than was published */
	tail = *seg_tail(&g, 0);
	tx_put(&a, f, len, 1);
	for (int i = 0; i < 1000 && *seg_head(&g, 0) == tail; i++)
		ixy_sim_step(a.sim);
	uint32_t longer = len + 64;
	memcpy(seg_data(&g, 0) + (tail & (SEG_RING_BYTES - 1)), &longer, 4);
	step_both(&a, &b);
	assert_int_equal(rx_get(&b, NULL, NULL), 0);
	assert_int_equal(ixy_sim_wire_errors(b.sim), 2);

	/* and the next good frame goes through */
	a_to_b_ok(&a, &b, 3);
	munmap(g.map, SEG_BYTES);
	tport_close(&b);
	tport_close(&a);
}

static void test_corrupt_tail_and_counter(void **state)
{
	(void)state;
	char wire[64];
	wire_name(wire, sizeof(wire), "badtail");
	struct tport a, b;
	struct seg g;
	open_both(&a, &b, wire);
	seg_map(&g, wire);
	a_to_b_ok(&a, &b, 0);
	rd(&b, R_MPC0);

	/* the consumer's tail of ring 0 made misaligned: a must not compute
	 * free room from it; the frame is dropped, counted on both sides */
	uint64_t good = *seg_tail(&g, 0);
	*seg_tail(&g, 0) = good + 5;
	uint8_t mac[6], f[1514];
	tx_mac(mac, 1);
	uint32_t len = frame_of(f, mac, 0, 1);
	uint64_t head = *seg_head(&g, 0);
	tx_put(&a, f, len, 1);
	STEP_UNTIL(a.sim, rd(&a, R_TDH(0)) == a.tx_next);
	assert_int_equal(*seg_head(&g, 0), head);	/* nothing written */
	assert_int_equal(ixy_sim_wire_errors(a.sim), 1);
	assert_true(has_violation(a.sim, "does not fit the sender's head"));
	assert_int_equal(*seg_dropped(&g, 0), 1);
	step_both(&a, &b);
	assert_int_equal(rd(&b, R_MPC0), 1);	/* the receiver counts the lost frame */

	/* the receiver publishes its own tail again with its next round;
	 * then a counter that runs backwards is refused, not added */
	*seg_tail(&g, 0) = good;
	*seg_dropped(&g, 0) = 0;
	step_both(&a, &b);
	assert_int_equal(rd(&b, R_MPC0), 0);
	assert_int_equal(ixy_sim_wire_errors(b.sim), 1);
	a_to_b_ok(&a, &b, 2);
	munmap(g.map, SEG_BYTES);
	tport_close(&b);
	tport_close(&a);
}

/* Wires whose processes were killed leave their file behind; the next
 * opener of any wire removes those of dead owners, and only those. */
static void test_stale_files_removed(void **state)
{
	(void)state;
	char dead[64], live[64], other[64];
	wire_name(dead, sizeof(dead), "dead");
	wire_name(live, sizeof(live), "live");
	wire_name(other, sizeof(other), "other");
	int fd1, fd2;
	pid_t c1 = spawn_end(dead, &fd1);
	pid_t c2 = spawn_end(live, &fd2);
	kill(c1, SIGKILL);
	waitpid(c1, NULL, 0);
	close(fd1);
	assert_true(shm_exists(dead));
	/* a file that is not a wire is not touched */
	char junk[160];
	snprintf(junk, sizeof(junk), "/dev/shm/ixy-wire-t%d-junk", (int)getpid());
	int jfd = open(junk, O_CREAT | O_RDWR, 0600);
	assert_true(jfd >= 0);
	assert_int_equal(write(jfd, "not a wire", 10), 10);
	close(jfd);

	struct tport p;
	open_end(&p, other, 0);
	assert_false(shm_exists(dead));	/* its owner died */
	assert_true(shm_exists(live));	/* its owner lives */
	assert_int_equal(access(junk, F_OK), 0);
	tport_close(&p);
	unlink(junk);
	kill(c2, SIGKILL);
	waitpid(c2, NULL, 0);
	close(fd2);
	open_end(&p, other, 0);
	assert_false(shm_exists(live));
	tport_close(&p);
	assert_false(shm_exists(other));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_processes_both_ways),
		cmocka_unit_test(test_peer_death_takes_link_down),
		cmocka_unit_test(test_third_opener_refused),
		cmocka_unit_test(test_stale_segment_recovered),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_corrupt_head_survived),
		cmocka_unit_test(test_corrupt_length_survived),
		cmocka_unit_test(test_corrupt_tail_and_counter),
		cmocka_unit_test(test_stale_files_removed),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
