/* The pcap writer (src/pcap_file.c) behind ixy-pcap and the sim's pcap
 * wire: libpcap reads back exactly what was written (bytes, lengths,
 * nanosecond and microsecond timestamps), and after a write that fails
 * half-way the file ends at its last whole record, holding exactly the
 * frames the writer reports, with the error naming file and errno. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ixy/error.h"
#include "pcap_file.h"

static char path[64];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/ixy-test-pcap-%d.pcap", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i);
}

/* Read path back with libpcap: n frames of the lengths and contents written. */
static void read_back(uint32_t n, const uint32_t *lens, uint32_t snaplen, bool nano, uint64_t ts0)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, nano ? PCAP_TSTAMP_PRECISION_NANO :
							     PCAP_TSTAMP_PRECISION_MICRO, err);
	if (!p)
		fail_msg("%s", err);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	assert_int_equal(pcap_snapshot(p), (int)snaplen);
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t want[2000];
	uint32_t i = 0;
	int r;
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		assert_true(i < n);
		uint32_t cap = lens[i] < snaplen ? lens[i] : snaplen;
		assert_int_equal(h->len, lens[i]);
		assert_int_equal(h->caplen, cap);
		fill(want, cap, i);
		assert_memory_equal(data, want, cap);
		uint64_t ts = ts0 + i * 1001u;
		assert_int_equal(h->ts.tv_sec, ts / 1000000000u);
		assert_int_equal(h->ts.tv_usec, nano ? ts % 1000000000u : ts % 1000000000u / 1000);
		i++;
	}
	assert_int_equal(r, PCAP_ERROR_BREAK);  /* a clean end: no partial record */
	assert_int_equal(i, n);
	pcap_close(p);
}

static void write_and_read(bool nano)
{
	enum { N = 3000 };      /* several buffer flushes */
	static uint32_t lens[N];
	uint8_t frame[2000];
	uint64_t ts0 = 1700000000123456789ull;
	struct ixy_pcap_file *f = ixy_pcap_file_create(path, 1500, nano);
	if (!f)
		fail_msg("%s", ixy_last_error());
	for (uint32_t i = 0; i < N; i++) {
		lens[i] = 60 + (i * 37) % 1900;         /* some beyond the snaplen: cut */
		fill(frame, lens[i], i);
		assert_int_equal(ixy_pcap_file_add(f, ts0 + i * 1001u, frame, lens[i], lens[i]), 0);
	}
	assert_int_equal(ixy_pcap_file_flush(f), 0);
	assert_int_equal(ixy_pcap_file_frames(f), N);
	assert_int_equal(ixy_pcap_file_lost(f), 0);
	assert_null(ixy_pcap_file_error(f));
	assert_int_equal(ixy_pcap_file_close(f), 0);
	read_back(N, lens, 1500, nano, ts0);
}

static void test_round_trip_nano(void **state)
{
	(void)state;
	write_and_read(true);
}

static void test_round_trip_micro(void **state)
{
	(void)state;
	write_and_read(false);
}

/* A file size limit makes write() stop in the middle of a record (then
 * EFBIG), like a disk that fills up: the file is cut back to whole records. */
static void test_write_fails_halfway(void **state)
{
	(void)state;
	enum { LEN = 1000, N = 100 };
	static uint32_t lens[N];
	uint8_t frame[LEN];
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 24 + 20 * (16 + LEN) + 500;     /* room for 20 records and half of the 21st */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);

	struct ixy_pcap_file *f = ixy_pcap_file_create(path, 65535, true);
	if (!f)
		fail_msg("%s", ixy_last_error());
	int first_err = 0;
	for (uint32_t i = 0; i < N; i++) {
		lens[i] = LEN;
		fill(frame, LEN, i);
		int rc = ixy_pcap_file_add(f, 1000000000ull + i * 1001u, frame, LEN, LEN);
		if (rc == 0 && i % 8 == 7)
			rc = ixy_pcap_file_flush(f);   /* flushed in batches, as ixy-pcap does */
		if (rc && !first_err)
			first_err = rc;
	}
	assert_int_equal(first_err, -EFBIG);
	/* batches of 8: the third batch's write stopped inside record 21;
	 * records 17..20 made it whole, 21 was cut off */
	assert_int_equal(ixy_pcap_file_frames(f), 20);
	assert_int_equal(ixy_pcap_file_lost(f), N - 20);
	const char *msg = ixy_pcap_file_error(f);
	assert_non_null(msg);
	assert_non_null(strstr(msg, path));
	assert_non_null(strstr(msg, "(errno 27)"));
	assert_non_null(strstr(msg, "the file holds the first 20 frames"));
	/* every later call returns the same error */
	assert_int_equal(ixy_pcap_file_flush(f), -EFBIG);
	assert_int_equal(ixy_pcap_file_close(f), -EFBIG);
	assert_non_null(strstr(ixy_last_error(), "the file holds the first 20 frames"));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 24 + 20 * (16 + LEN));
	read_back(20, lens, 65535, true, 1000000000ull);
}

static void test_cannot_create(void **state)
{
	(void)state;
	ixy_clear_error();
	assert_null(ixy_pcap_file_create("/nonexistent-dir/x.pcap", 65535, true));
	assert_non_null(strstr(ixy_last_error(), "cannot create pcap file /nonexistent-dir/x.pcap"));
	assert_non_null(strstr(ixy_last_error(), "(errno 2)"));
	/* the header cannot be written: /dev/full */
	ixy_clear_error();
	assert_null(ixy_pcap_file_create("/dev/full", 65535, true));
	assert_non_null(strstr(ixy_last_error(), "/dev/full"));
	assert_non_null(strstr(ixy_last_error(), "(errno 28)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_nano, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_micro, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fails_halfway, setup, teardown),
		cmocka_unit_test(test_cannot_create),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
