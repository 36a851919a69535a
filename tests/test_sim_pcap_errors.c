/* The sim's pcap wire on a broken file (found by fuzz/fuzz_pcap): a record
 * libpcap cannot read ends the replay with a violation naming the file;
 * what follows the broken record never arrives as frames, with or without
 * :loop. A clean end of file is no violation. */
#include "test_sim_util.h"

#include <stdlib.h>

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

static const uint8_t port_mac_bytes[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01 };

static void put32(FILE *f, uint32_t v)
{
	assert_int_equal(fwrite(&v, 4, 1, f), 1);
}

/* A classic little-endian pcap (microseconds, Ethernet, snaplen 65535)
 * with two good records; if `broken`, then a record header whose capture
 * length is beyond the snap length, followed by bytes that would read as
 * a valid 60-byte record if a reader went on after the error. */
static void write_file(const char *path, uint8_t frames[2][200], bool broken)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	put32(f, 0xa1b2c3d4);
	put32(f, 2 | 4u << 16);	/* version 2.4 */
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 1);		/* LINKTYPE_ETHERNET */
	for (int i = 0; i < 2; i++) {
		uint32_t len = 100 + 60 * (uint32_t)i;
		make_udp(frames[i], port_mac_bytes, len, (uint16_t)(7 + i), (uint8_t)(3 + i));
		put32(f, 1000);
		put32(f, (uint32_t)i);
		put32(f, len);
		put32(f, len);
		assert_int_equal(fwrite(frames[i], len, 1, f), 1);
	}
	if (broken) {
		put32(f, 1001);
		put32(f, 0);
		put32(f, 0x01000000);	/* 16 MiB: more than the snap length */
		put32(f, 0x01000000);
		uint8_t ghost[60];
		make_udp(ghost, port_mac_bytes, 60, 99, 99);
		put32(f, 1002);
		put32(f, 0);
		put32(f, 60);
		put32(f, 60);
		assert_int_equal(fwrite(ghost, 60, 1, f), 1);
	}
	assert_int_equal(fclose(f), 0);
}

/* Replay path into a stepped port (its own name per test, so a failed
 * test leaves nothing in the next one's way); returns the frames received (checked
 * against frames[]) and leaves the port open in *p. */
static int replay(struct tport *p, const char *name, const char *path, bool loop, uint8_t frames[2][200])
{
	char spec[256];
	snprintf(spec, sizeof(spec), "%s,mode=stepped,mac=02:aa:bb:cc:dd:01,wire=pcap:%s:%s,link_delay_us=1", name,
		 path, loop ? ":loop" : "");
	tport_open(p, spec);
	tport_init(p, 0);
	wait_link(p);
	int got = 0;
	uint8_t buf[2048];
	for (int i = 0; i < 200; i++) {
		ixy_sim_step(p->sim);
		uint32_t n;
		while ((n = rx_get(p, buf, NULL)) != 0) {
			int k = got % 2;
			assert_int_equal(n, 100 + 60 * k);
			assert_memory_equal(buf, frames[k], n);
			got++;
		}
	}
	return got;
}

static void test_broken_record_ends_replay(void **state)
{
	(void)state;
	char path[] = "/tmp/ixy-sim-broken-XXXXXX";
	close(mkstemp(path));
	uint8_t frames[2][200];
	write_file(path, frames, true);

	struct tport p;
	assert_int_equal(replay(&p, "pe1", path, false, frames), 2);
	assert_int_equal(ixy_sim_violation_count(p.sim), 1);
	assert_true(has_violation(p.sim, path));
	assert_true(has_violation(p.sim, "broken after 2 frames"));
	tport_close(&p);
	unlink(path);
}

static void test_broken_record_ends_loop(void **state)
{
	(void)state;
	char path[] = "/tmp/ixy-sim-broken-XXXXXX";
	close(mkstemp(path));
	uint8_t frames[2][200];
	write_file(path, frames, true);

	struct tport p;
	assert_int_equal(replay(&p, "pe2", path, true, frames), 2);	/* once, then the error */
	assert_int_equal(ixy_sim_violation_count(p.sim), 1);
	assert_true(has_violation(p.sim, path));
	tport_close(&p);
	unlink(path);
}

static void test_clean_end_no_violation(void **state)
{
	(void)state;
	char path[] = "/tmp/ixy-sim-clean-XXXXXX";
	close(mkstemp(path));
	uint8_t frames[2][200];
	write_file(path, frames, false);

	struct tport p;
	assert_int_equal(replay(&p, "pe3", path, false, frames), 2);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken_record_ends_replay),
		cmocka_unit_test(test_broken_record_ends_loop),
		cmocka_unit_test(test_clean_end_no_violation),
	};
	return cmocka_run_group_tests_name("sim_pcap_errors", tests, setup, NULL);
}
