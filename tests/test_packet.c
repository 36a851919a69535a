/* Frame building and Internet checksums. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ixy/error.h"
#include "ixy/packet.h"

/* The worked example of an IPv4 header checksum (RFC 791 header,
 * 192.168.0.1 -> 192.168.0.199, checksum 0xb861). */
static void test_ipv4_known_header(void **state)
{
	(void)state;
	uint8_t ip[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			   0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t c = ixy_ipv4_checksum(ip);
	assert_int_equal(ntohs(c), 0xb861);
	/* A valid header sums to all ones. */
	assert_int_equal(ixy_csum_partial(ip, 20, 0), 0xffff);
}

/* RFC 1071 section 3 example: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2. */
static void test_rfc1071_example(void **state)
{
	(void)state;
	uint8_t d[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(ixy_csum_partial(d, 8, 0), 0xddf2);
	assert_int_equal(ntohs(ixy_csum_fold(0xddf2)), 0x220d);
	/* Odd length: the last byte is padded with a zero. */
	/* 0001 + f203 + f4f5 + f600 = 2dcf9 -> dcf9 + 2 = dcfb */
	assert_int_equal(ixy_csum_partial(d, 7, 0), 0xdcfb);
}

/* Independent reference: straightforward 32-bit sum of the pseudo-header
 * and the UDP datagram. */
static uint16_t ref_udp_csum(const uint8_t *ip)
{
	const uint8_t *udp = ip + 20;
	unsigned len = (unsigned)(udp[4] << 8 | udp[5]);
	uint64_t sum = 0;
	for (int i = 12; i < 20; i += 2)
		sum += (unsigned)(ip[i] << 8 | ip[i + 1]);
	sum += 17 + len;
	for (unsigned i = 0; i < len; i += 2) {
		if (i == 6)
			continue;
		sum += (unsigned)(udp[i] << 8) | (i + 1 < len ? udp[i + 1] : 0);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	return c ? c : 0xffff;
}

/* The word-at-a-time sum against the definition (big-endian 16-bit words,
 * odd byte padded), over every length 0..300, odd start addresses and
 * initial sums, including the all-0xff data that carries most. */
static void test_csum_matches_definition(void **state)
{
	(void)state;
	static uint8_t buf[512];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			memset(buf, 0xff, sizeof(buf));
		for (size_t off = 0; off < 4; off++)
			for (size_t len = 0; len <= 300; len++)
				for (uint64_t init = 0; init <= 0xffffffffu; init += init < 0x30000 ? 0x17fff : 0x3fffffff) {
					uint64_t want = init;
					for (size_t i = 0; i < len; i += 2)
						want += (uint32_t)buf[off + i] << 8 | (i + 1 < len ? buf[off + i + 1] : 0);
					while (want >> 16)
						want = (want & 0xffff) + (want >> 16);
					assert_int_equal(ixy_csum_partial(buf + off, len, (uint32_t)init), want);
				}
	}
}

static void test_build_udp_frame(void **state)
{
	(void)state;
	struct ixy_udp_spec s = { .src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 } };
	assert_int_equal(ixy_parse_ipv4("198.18.0.1", &s.src_ip), 0);
	assert_int_equal(ixy_parse_ipv4("198.19.255.254", &s.dst_ip), 0);
	assert_int_equal(s.dst_ip, 0xc613fffe);
	s.src_port = 1234;
	s.dst_port = 319;
	uint8_t buf[2048];
	for (size_t len = 60; len <= 1514; len += len < 80 ? 1 : 97) {
		memset(buf, 0xee, sizeof(buf));
		assert_int_equal(ixy_build_udp_frame(buf, sizeof(buf), len, &s), (int)len);
		assert_memory_equal(buf, s.dst_mac, 6);
		assert_memory_equal(buf + 6, s.src_mac, 6);
		assert_int_equal(buf[12] << 8 | buf[13], 0x0800);
		const uint8_t *ip = buf + 14;
		assert_int_equal(ip[2] << 8 | ip[3], len - 14);
		assert_int_equal(ip[9], 17);
		assert_int_equal(ixy_csum_partial(ip, 20, 0), 0xffff);
		assert_int_equal(ip[20 + 4] << 8 | ip[20 + 5], len - 34);
		assert_int_equal(ip[20] << 8 | ip[21], 1234);
		assert_int_equal(ip[26] << 8 | ip[27], ref_udp_csum(ip));
		assert_int_equal(ip[28 + 5], 5);       /* payload 0,1,2,... */
		assert_int_equal(buf[len], 0xee);      /* nothing written past the frame */
		assert_true(ixy_udp4_frame_valid(buf, len));
		/* Any flipped payload bit breaks it. */
		buf[len - 1] ^= 0x10;
		assert_false(ixy_udp4_frame_valid(buf, len));
	}
	assert_int_equal(ixy_build_udp_frame(buf, sizeof(buf), 59, &s), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "59"));
	assert_int_equal(ixy_build_udp_frame(buf, 100, 200, &s), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "does not fit"));
}

/* Incremental update (RFC 1624) equals a full recomputation, e.g. for a
 * generator that patches a sequence number or a source port. */
static void test_incremental_update(void **state)
{
	(void)state;
	struct ixy_udp_spec s = { .src_ip = 0xc6120001, .dst_ip = 0xc6120002, .src_port = 1, .dst_port = 2 };
	uint8_t buf[128];
	assert_int_equal(ixy_build_udp_frame(buf, sizeof(buf), 64, &s), 64);
	uint8_t *ip = buf + 14, *udp = ip + 20;
	srand(7);
	for (int i = 0; i < 10000; i++) {
		size_t off = 8 + 2 * (size_t)(rand() % 10);    /* a payload word */
		uint16_t oldw, neww = (uint16_t)rand(), c;
		memcpy(&oldw, udp + off, 2);
		memcpy(&c, udp + 6, 2);
		memcpy(udp + off, &neww, 2);
		c = ixy_csum_update16(c, oldw, neww);
		memcpy(udp + 6, &c, 2);
		/* One's complement has two zeros: 0x0000 from the update equals
		 * the 0xffff a full computation sends. */
		uint16_t ref = ref_udp_csum(ip);
		assert_true(ntohs(c) == ref || (ntohs(c) == 0 && ref == 0xffff));
		assert_true(ixy_udp4_frame_valid(buf, 64));
	}
}

static void test_parse_errors(void **state)
{
	(void)state;
	uint8_t mac[6];
	uint32_t ip;
	assert_int_equal(ixy_parse_mac("52:54:00:12:34:5A", mac), 0);
	assert_int_equal(mac[5], 0x5a);
	assert_int_equal(ixy_parse_mac("52:54:00:12:34", mac), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "not a MAC address"));
	assert_int_equal(ixy_parse_mac("52:54:00:12:34:56:78", mac), -EINVAL);
	/* strict: what sscanf's %x let through is refused, and mac is untouched */
	static const char *const bad[] = { " 52:54:00:12:34:56", "52:54:00:12:34:-6", "52:54:00:12:34:+6",
					   "52:54:00:12:34:56 ", "52:54:00:12:34:56:", "052:54:00:12:34:56",
					   "52::00:12:34:56", "0x52:54:00:12:34:56", "", NULL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(mac, 0xee, 6);
		if (ixy_parse_mac(bad[i], mac) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i] ? bad[i] : "(null)");
		assert_int_equal(mac[0], 0xee);
	}
	assert_int_equal(ixy_parse_mac("2:4:0:a:B:c", mac), 0);
	static const uint8_t short_digits[6] = { 2, 4, 0, 0xa, 0xb, 0xc };
	assert_memory_equal(mac, short_digits, 6);
	assert_int_equal(ixy_parse_ipv4("198.18.0.256", &ip), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "198.18.0.256"));
	assert_int_equal(ixy_parse_ipv4(NULL, &ip), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_known_header),
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_csum_matches_definition),
		cmocka_unit_test(test_build_udp_frame),
		cmocka_unit_test(test_incremental_update),
		cmocka_unit_test(test_parse_errors),
	};
	return cmocka_run_group_tests_name("packet", tests, NULL, NULL);
}
