/* Conformance of the sim's register file: reset (datasheet 4.6.3, 8.2.3.1.1),
 * EEPROM auto-read and DMA init done, the interrupt registers (8.2.3.5),
 * link and auto-negotiation (8.2.3.22.19 LINKS, AUTOC), the 82598-compatible
 * aliases (8.2.2) and read-to-clear counters. */
#include "test_sim_util.h"

#include "ixy/device.h"

#define R_ESDP 0x00020

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

/* 8.2.3.1.1: CTRL.RST self-clears and brings every register back to its
 * reset value; EEC.ARD and RDRXCTL.DMAIDONE come back once the
 * initialisation after reset is done. */
static void test_reset(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "rst,mode=stepped,wire=null,link_delay_us=1");
	uint32_t srrctl0 = rd(&p, R_SRRCTL(0)), hl0 = rd(&p, R_HLREG0), maxfrs0 = rd(&p, R_MAXFRS);
	assert_int_equal(srrctl0, 0x402);	/* BSIZEPKT 2 KiB, BSIZEHDR 256 B */
	assert_int_equal(maxfrs0 >> 16, 1518);
	assert_true(rd(&p, R_EEC) & (1u << 9));		/* ARD */
	assert_true(rd(&p, R_RDRXCTL) & (1u << 3));	/* DMAIDONE */
	uint32_t ral = rd(&p, R_RAL(0)), rah = rd(&p, R_RAH(0));
	assert_true(rah & (1u << 31));	/* AV: the EEPROM address is valid */

	wr(&p, R_SRRCTL(0), 0x12345605);
	wr(&p, R_HLREG0, 0);
	wr(&p, R_FCTRL, 0x700);
	wr(&p, R_EIMS, 0xffff);
	wr(&p, R_RAL(0), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wr(&p, R_CTRL, 1u << 26);	/* RST */
	sleep_us(1000);	/* 8.2.3.1.1: no register access for ~1 ms */
	uint32_t eec = rd(&p, R_EEC), dmaidone = rd(&p, R_RDRXCTL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long first_ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
	/* the EEPROM is read again and the DMA initialises: ARD/DMAIDONE
	 * read 0 for 2 ms (only checkable if this thread was not preempted) */
	if (first_ns < 1900000) {
		assert_int_equal(eec & (1u << 9), 0);
		assert_int_equal(dmaidone & (1u << 3), 0);
	}
	for (int i = 0; i < 1000 && !(rd(&p, R_RDRXCTL) & (1u << 3)); i++)
		sleep_us(100);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* never before 2 ms */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) >= 2000000);
	assert_true(rd(&p, R_EEC) & (1u << 9));
	assert_true(rd(&p, R_RDRXCTL) & (1u << 3));
	assert_int_equal(rd(&p, R_CTRL) & (1u << 26), 0);	/* self-cleared */
	assert_int_equal(rd(&p, R_SRRCTL(0)), srrctl0);
	assert_int_equal(rd(&p, R_HLREG0), hl0);
	assert_int_equal(rd(&p, R_FCTRL), 0);
	assert_int_equal(rd(&p, R_EIMS), 0);
	assert_int_equal(rd(&p, R_RAL(0)), ral);
	assert_int_equal(rd(&p, R_RAH(0)), rah);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* 8.2.3.5: EIMS write-1-to-set and reads the mask, EIMC write-1-to-clear,
 * EICS sets causes, EICR clears on read and by writing 1. */
static void test_interrupt_registers(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "irq,mode=stepped,wire=null,link_delay_us=1");
	rd(&p, R_EICR);
	wr(&p, R_EIMS, 0x00100003);
	wr(&p, R_EIMS, 0x00000004);
	assert_int_equal(rd(&p, R_EIMS), 0x00100007);
	wr(&p, R_EIMC, 0x00000001);
	assert_int_equal(rd(&p, R_EIMS), 0x00100006);
	assert_int_equal(rd(&p, R_EIMC), 0);	/* write-only */
	wr(&p, R_EICS, 0x00000030);
	wr(&p, R_EICR, 0x00000010);	/* write 1 to clear one cause */
	assert_int_equal(rd(&p, R_EICR), 0x00000020);
	assert_int_equal(rd(&p, R_EICR), 0);	/* read cleared it */
	tport_close(&p);
}

/* RX write-back raises the EICR bit of the vector IVAR maps the queue to. */
static void test_ivar_queue_cause(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "ivar,mode=stepped,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	rd(&p, R_EICR);
	wr(&p, R_IVAR(0), 0x80 | 5);	/* RX queue 0 -> vector 5 */
	uint8_t mac[6], f[64];
	port_mac(&p, mac);
	make_udp(f, mac, 64, 1, 0);
	tx_put(&p, f, 64, 1);
	STEP_UNTIL(p.sim, rx_get(&p, NULL, NULL) != 0);
	assert_int_equal(rd(&p, R_EICR) & 0xffff, 1u << 5);
	tport_close(&p);
}

/* LINKS (8.2.3.22.19) reports link up at 10 Gb/s a while after reset /
 * AUTOC.RESTART_AN; pulling the cable takes it down and sets EICR.LSC, and
 * plugging it back brings it up again with another LSC. */
static void test_link(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "lnk,mode=stepped,wire=null,link_delay_us=2000");
	wait_link(&p);
	uint32_t links = rd(&p, R_LINKS);
	assert_int_equal((links >> 28) & 3, 3);	/* 10 Gb/s */
	assert_true(rd(&p, R_STATUS) & (1u << 7));
	rd(&p, R_EICR);
	/* restart auto-negotiation: down now, up after the delay */
	wr(&p, R_AUTOC, rd(&p, R_AUTOC) | 1u << 12);
	assert_int_equal(rd(&p, R_AUTOC) & (1u << 12), 0);	/* self-clearing */
	assert_int_equal(rd(&p, R_LINKS) & (1u << 30), 0);
	assert_true(rd(&p, R_EICR) & (1u << 20));	/* LSC */
	wait_link(&p);
	assert_true(rd(&p, R_EICR) & (1u << 20));
	/* the cable */
	ixy_sim_set_carrier(p.sim, false);
	assert_int_equal(rd(&p, R_LINKS) & (1u << 30), 0);
	assert_false(rd(&p, R_STATUS) & (1u << 7));
	assert_true(rd(&p, R_EICR) & (1u << 20));
	ixy_sim_set_carrier(p.sim, true);
	assert_int_equal(rd(&p, R_LINKS) & (1u << 30), 0);	/* trains first */
	wait_link(&p);
	assert_true(rd(&p, R_EICR) & (1u << 20));
	/* LMS = 1G without auto-negotiation: the link comes up at 1 Gb/s */
	wr(&p, R_AUTOC, (rd(&p, R_AUTOC) & ~(7u << 13)) | 1u << 12);
	wait_link(&p);
	assert_int_equal((rd(&p, R_LINKS) >> 28) & 3, 2);
	tport_close(&p);
}

/* 8.2.2: the 82599 also answers at the 82598 addresses of SRRCTL[0..15],
 * RAL/RAH[0..15], MRQC, RETA and RSSRK; both names reach one register. */
static void test_aliases(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "alias,mode=stepped,wire=null");
	wr(&p, R_SRRCTL_82598(3), 0x02000004);
	assert_int_equal(rd(&p, R_SRRCTL(3)), 0x02000004);
	wr(&p, R_SRRCTL(5), 0x02000001);
	assert_int_equal(rd(&p, R_SRRCTL_82598(5)), 0x02000001);
	wr(&p, R_MRQC_82598, 0x00330001);
	assert_int_equal(rd(&p, R_MRQC), 0x00330001);
	wr(&p, R_RETA(7), 0x01020304);
	assert_int_equal(rd(&p, R_RETA_82598(7)), 0x01020304);
	wr(&p, R_RSSRK_82598(9), 0xdeadbeef);
	assert_int_equal(rd(&p, R_RSSRK(9)), 0xdeadbeef);
	wr(&p, R_RAH(2), 0x1234);
	assert_int_equal(rd(&p, R_RAH_82598(2)), 0x1234);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* Tails are written by plain stores into the BAR image (the driver's cached
 * pointer); reading them back through the accessor sees the store. */
static void test_tail_in_bar(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "bar,mode=stepped,wire=null");
	size_t size = 0;
	volatile uint8_t *bar = ixy_sim_bar0(p.sim, &size);
	assert_int_equal(size, 128 * 1024);
	*(volatile uint32_t *)(bar + R_RDT(9)) = 17;
	assert_int_equal(rd(&p, R_RDT(9)), 17);
	assert_int_equal(ixy_sim_device_id(p.sim), 0x10fb);
	assert_string_equal(ixy_sim_name(p.sim), "bar");
	assert_ptr_equal(ixy_sim_find("bar"), p.sim);
	tport_close(&p);
	assert_null(ixy_sim_find("bar"));
}

/* 8.2.3.12: SECRXSTAT.SECRX_RDY / SECTXSTAT.SECTX_RDY assert once the
 * halted security path is empty (4.6.7 step 11 polls for it after setting
 * SECRXCTRL.RX_DIS); while RX is halted frames wait in the packet buffer
 * and come in when the path is released. */
static void test_security_path_halt(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "sec,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	STEP_UNTIL(p.sim, rd(&p, R_LINKS) & (1u << 30));
	assert_int_equal(rd(&p, 0x08d04) & 1, 0);	/* running: not ready for a mode change */
	assert_int_equal(rd(&p, 0x08804) & 1, 0);
	wr(&p, 0x08d00, rd(&p, 0x08d00) | 2);	/* RX_DIS */
	wr(&p, 0x08800, rd(&p, 0x08800) | 2);	/* TX_DIS */
	assert_int_equal(rd(&p, 0x08d04) & 1, 1);	/* SECRX_RDY at the first read */
	assert_int_equal(rd(&p, 0x08804) & 1, 1);	/* SECTX_RDY */
	wr(&p, 0x08d04, 0);	/* read-only */
	assert_int_equal(rd(&p, 0x08d04) & 1, 1);

	uint8_t mac[6], f[64], got[2048];
	port_mac(&p, mac);
	uint32_t len = make_udp(f, mac, 60, 7, 3);
	assert_int_equal(ixy_sim_inject(p.sim, f, len), 0);
	for (int i = 0; i < 10; i++)
		ixy_sim_step(p.sim);
	assert_int_equal(rx_get(&p, got, NULL), 0);	/* held while halted */
	wr(&p, 0x08d00, rd(&p, 0x08d00) & ~2u);	/* release */
	assert_int_equal(rd(&p, 0x08d04) & 1, 0);
	ixy_sim_step(p.sim);
	assert_int_equal(rx_get(&p, got, NULL), len);
	assert_memory_equal(got, f, len);
	assert_int_equal(rd(&p, R_MPC0), 0);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* 8.2.3.11.1/2: DCA_RXCTRL resets to 0xB200 (bit 12 reserved, reads 1, to
 * be cleared by software per 4.6.7; relaxed ordering bits 9, 13, 15) and
 * DCA_TXCTRL to 0x2A00, for every queue and at the 82598 addresses. */
static void test_dca_reset_values(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "dca,mode=stepped,wire=null,link_delay_us=1");
	const unsigned qs[] = { 0, 15, 63, 64, 127 };
	for (unsigned i = 0; i < 5; i++) {
		unsigned q = qs[i];
		uint32_t rx = q < 64 ? 0x0100c + 0x40 * q : 0x0d00c + 0x40 * (q - 64);
		assert_int_equal(rd(&p, rx), 0xb200);
		assert_int_equal(rd(&p, 0x0600c + 0x40 * q), 0x2a00);
	}
	assert_int_equal(rd(&p, 0x02200), 0xb200);	/* DCA_RXCTRL[0], 82598 address */
	assert_int_equal(rd(&p, 0x07200 + 4 * 3), 0x2a00);	/* DCA_TXCTRL[3] */
	wr(&p, 0x0100c, 0xb200 & ~(1u << 12));	/* what 4.6.7 asks */
	assert_int_equal(rd(&p, 0x02200), 0xa200);
	wr(&p, R_CTRL, 1u << 26);
	sleep_us(1000);	/* 8.2.3.1.1 */
	assert_int_equal(rd(&p, 0x0100c), 0xb200);	/* back after reset */
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* ESDP.SDP3 drives the SFP+ module's TX_DISABLE on 82599 SFP+ boards:
 * with the laser off (laser_off: as Linux leaves a port it took down) the
 * link stays down, through a software reset too; clearing SDP3 lights it
 * and the link trains; setting it drops the link. The QSFP+ board
 * (0x1558) does not wire SDP3 that way. */
static void test_sfp_laser(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "laser,mode=stepped,wire=null,link_delay_us=1,laser_off");
	assert_int_equal(rd(&p, R_ESDP) & 0x8, 0x8);
	sleep_us(500);
	assert_int_equal(rd(&p, R_LINKS) & (1u << 30), 0);
	wr(&p, R_CTRL, 1u << 26);
	sleep_us(3000);
	assert_int_equal(rd(&p, R_ESDP) & 0x8, 0x8);	/* kept by the reset */
	assert_int_equal(rd(&p, R_LINKS) & (1u << 30), 0);
	rd(&p, R_EICR);
	wr(&p, R_ESDP, rd(&p, R_ESDP) & ~0x8u);	/* laser on */
	wait_link(&p);
	assert_true(rd(&p, R_EICR) & (1u << 20));	/* LSC */
	wr(&p, R_ESDP, 0x8);	/* laser off again */
	assert_int_equal(rd(&p, R_LINKS) & (1u << 30), 0);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);

	tport_open(&p, "laser-q,mode=stepped,wire=null,link_delay_us=1,laser_off,device_id=0x1558");
	wait_link(&p);	/* QSFP+: SDP3 is not the laser */
	tport_close(&p);

	/* the ixgbe driver turns the laser on (ixgbe_link.c) */
	struct ixy_config cfg = { .rx_ring_size = 64, .tx_ring_size = 64, .mempool_size = 256,
				  .link_timeout_ms = 2000 };
	struct ixy_device *dev = ixy_open("sim:laser-drv,mode=stepped,wire=null,link_delay_us=100,laser_off", &cfg);
	if (!dev)
		fail_msg("ixy_open: %s", ixy_last_error());
	struct ixy_sim *sim = ixy_device_sim(dev);
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(ixy_sim_reg_read(sim, R_ESDP) & 0x8, 0);
	print_violations(sim);
	assert_int_equal(ixy_sim_violation_count(sim), 0);
	ixy_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_interrupt_registers),
		cmocka_unit_test(test_ivar_queue_cause),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_tail_in_bar),
		cmocka_unit_test(test_security_path_halt),
		cmocka_unit_test(test_dca_reset_values),
		cmocka_unit_test(test_sfp_laser),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
