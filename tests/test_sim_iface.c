/* The sim's iface wire: a port cabled to one end of a veth pair, real kernel
 * frames crossing. The test runs in a network namespace of its own
 * (unshare), so it never touches the machine's interfaces: the namespace and
 * the veth pair vanish with the process. Skips (with a message) without
 * root. */
#include "test_sim_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>

static int setup(void **state)
{
	(void)state;
	if (!have_dma())
		return -1;
	if (unshare(CLONE_NEWNET) != 0) {
		print_message("cannot create a network namespace (unshare): %s\n", strerror(errno));
		return -1;
	}
	if (system("ip link add simv0 type veth peer name simv1 && ip link set simv0 up && ip link set simv1 up") != 0) {
		print_message("cannot create the veth pair simv0/simv1 in the test namespace\n");
		return -1;
	}
	return 0;
}

static int raw_socket(const char *ifname)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	assert_true(fd >= 0);
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)if_nametoindex(ifname) };
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void test_iface_both_ways(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "if,mode=stepped,wire=iface:simv0,link_delay_us=1");
	tport_init(&p, 0);
	wait_link(&p);
	int fd = raw_socket("simv1");
	uint8_t mac[6], f[200], buf[2048];
	port_mac(&p, mac);

	/* kernel -> port: a frame sent on simv1 arrives in the RX ring */
	make_udp(f, mac, 200, 7, 9);
	assert_int_equal(send(fd, f, 200, 0), 200);
	uint32_t n = 0;
	STEP_UNTIL(p.sim, (n = rx_get(&p, buf, NULL)) != 0);
	assert_int_equal(n, 200);
	assert_memory_equal(buf, f, 200);

	/* port -> kernel: a transmitted frame is read on simv1 */
	const uint8_t dst[6] = { 0x02, 0x99, 0x99, 0x99, 0x99, 0x99 };
	make_udp(f, dst, 150, 8, 1);
	tx_put(&p, f, 150, 1);
	ssize_t r = -1;
	for (int i = 0; i < 100000 && r != 150; i++) {
		ixy_sim_step(p.sim);
		r = recv(fd, buf, sizeof(buf), 0);
		if (r > 0 && (r != 150 || memcmp(buf, f, 150) != 0))
			r = -1;	/* something else the kernel sent (e.g. IPv6 DAD) */
		if (i > 100)
			sleep_us(10);
	}
	assert_int_equal(r, 150);
	close(fd);
	tport_close(&p);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("test_sim_iface: skipped: needs root (network namespace, veth, AF_PACKET)\n");
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iface_both_ways),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
