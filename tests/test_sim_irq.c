/* Conformance of the sim's interrupt logic (datasheet 7.3, registers
 * 8.2.3.5): causes through IVAR/IVAR_MISC to MSI-X vectors, EIMS/EIMC and
 * their _EX registers, EIAC auto-clear, EIAM auto-mask (GPIE.EIAME), EICS,
 * MSI/INTx mode with EICR read-to-clear, EITR throttling and CNT_WDIS, TX
 * write-back causes; programmed the way Linux's ixgbe does (ixgbe_setup_gpie,
 * ixgbe_configure_msix, ixgbe_irq_enable_queues, ixgbe_msix_other). The
 * handler records what the model sent; tests assert vectors and counts. */
#include "test_sim_util.h"

#include <pthread.h>

#define R_EIAC 0x00810
#define R_EITR(n) (0x00820 + 4 * (n))	/* n < 24 */
#define R_EIAM 0x00890
#define R_GPIE 0x00898
#define R_IVAR_MISC 0x00a00
#define R_EICS_EX(n) (0x00a90 + 4 * (n))
#define R_EIMS_EX(n) (0x00aa0 + 4 * (n))
#define R_EIMC_EX(n) (0x00ab0 + 4 * (n))
#define R_EIAM_EX(n) (0x00ad0 + 4 * (n))

#define GPIE_MSIX_MODE (1u << 4)
#define GPIE_OCD (1u << 5)
#define GPIE_EIAME (1u << 30)
#define GPIE_PBA (1u << 31)
#define EITR_CNT_WDIS (1u << 31)
#define EITR_MAX 0xff8u	/* 511 x 2 us: the longest interval the 82599 has */
#define EICR_LSC (1u << 20)
#define IVAR_VALID 0x80u

/* What the handler saw. It runs with the port's lock held (maybe on the
 * engine thread): it only records. */
struct rec {
	pthread_mutex_t mu;
	unsigned n;
	unsigned vec[256];
	uint64_t t_ns[256];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_irq(void *ctx, unsigned vector)
{
	struct rec *r = ctx;
	pthread_mutex_lock(&r->mu);
	if (r->n < 256) {
		r->vec[r->n] = vector;
		r->t_ns[r->n] = mono_ns();
	}
	r->n++;
	pthread_mutex_unlock(&r->mu);
}

static unsigned count(struct rec *r)
{
	pthread_mutex_lock(&r->mu);
	unsigned n = r->n;
	pthread_mutex_unlock(&r->mu);
	return n;
}

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
}

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

/* A stepped port with queue 0 running, link up, old causes cleared and the
 * handler attached. */
static void open_port(struct tport *p, struct rec *r, const char *spec)
{
	tport_open(p, spec);
	tport_init(p, 0);
	wait_link(p);
	rec_init(r);
	assert_int_equal(ixy_sim_set_irq_handler(p->sim, on_irq, r), 0);
	wr(p, R_EICR, 0xffffffffu);	/* the LSC of the link coming up */
}

static void close_port(struct tport *p)
{
	print_violations(p->sim);
	assert_int_equal(ixy_sim_violation_count(p->sim), 0);
	tport_close(p);
}

/* Inject n frames for this port and let the model take them in one round. */
static void rx_frames(struct tport *p, unsigned n)
{
	uint8_t mac[6], f[64];
	port_mac(p, mac);
	for (unsigned i = 0; i < n; i++) {
		make_udp(f, mac, 64, (uint16_t)(1 + i), (uint8_t)i);
		assert_int_equal(ixy_sim_inject(p->sim, f, 64), 0);
	}
	ixy_sim_step(p->sim);
}

static unsigned rx_take(struct tport *p)
{
	unsigned got = 0;
	while (rx_get(p, NULL, NULL))
		got++;
	return got;
}

/* MSI-X, IVAR maps RX queue 0 to vector 3 (ixgbe_set_ivar's byte 0 of
 * IVAR[0]): a round that writes back a batch of frames sends vector 3 once;
 * a round without frames sends nothing; EITR 0 sends at once. */
static void test_msix_rx_vector(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqrx,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA);
	wr(&p, R_IVAR(0), IVAR_VALID | 3);
	wr(&p, R_EIMS_EX(0), 1u << 3);
	assert_int_equal(rd(&p, R_EIMS), 1u << 3);	/* EIMS 15:0 are EIMS_EX(0) 15:0 */
	assert_int_equal(count(&r), 0);

	rx_frames(&p, 4);
	assert_int_equal(rx_take(&p), 4);
	assert_int_equal(count(&r), 1);
	assert_int_equal(r.vec[0], 3);
	ixy_sim_step(p.sim);
	ixy_sim_step(p.sim);
	assert_int_equal(count(&r), 1);	/* nothing new, nothing sent */
	/* no EIAC: the cause stays in EICR (read through EICS, which does not clear) */
	assert_int_equal(rd(&p, R_EICS) & 0xffff, 1u << 3);
	assert_int_equal(ixy_sim_irq_pending(p.sim), 1ull << 3);

	rx_frames(&p, 2);	/* a new cause is a new event */
	assert_int_equal(rx_take(&p), 2);
	assert_int_equal(count(&r), 2);
	assert_int_equal(r.vec[1], 3);

	/* another queue's vector: RX queue 1 is not mapped, TX queue 0 is not
	 * sending: only vector 3 ever fired */
	for (unsigned i = 0; i < count(&r); i++)
		assert_int_equal(r.vec[i], 3);

	/* a software reset takes everything back: GPIE, masks, causes */
	wr(&p, R_CTRL, 1u << 26);
	sleep_us(2500);
	assert_int_equal(rd(&p, R_GPIE), 0);
	assert_int_equal(rd(&p, R_EIMS_EX(0)), 0);
	assert_int_equal(rd(&p, R_IVAR(0)), 0);
	assert_int_equal(ixy_sim_irq_pending(p.sim), 0);
	tport_close(&p);
}

/* A masked cause sends nothing and is not lost: unmasking sends it (7.3:
 * the message goes out when cause and mask are both set). EIMC masks again. */
static void test_masked_then_unmasked(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqmask,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA);
	wr(&p, R_IVAR(0), IVAR_VALID | 3);
	rx_frames(&p, 3);
	assert_int_equal(rx_take(&p), 3);
	assert_int_equal(count(&r), 0);
	assert_int_equal(ixy_sim_irq_pending(p.sim), 0);
	assert_int_equal(rd(&p, R_EICS) & 0xffff, 1u << 3);	/* the cause is recorded */

	wr(&p, R_EIMS_EX(0), 1u << 3);	/* the write itself sends it */
	assert_int_equal(count(&r), 1);
	assert_int_equal(r.vec[0], 3);

	wr(&p, R_EIMC_EX(0), 1u << 3);
	assert_int_equal(rd(&p, R_EIMS), 0);
	rx_frames(&p, 1);
	assert_int_equal(rx_take(&p), 1);
	assert_int_equal(count(&r), 1);
	/* the mask bit through EIMS (15:0 shared with EIMS_EX(0)) */
	wr(&p, R_EIMS, 1u << 3);
	assert_int_equal(count(&r), 2);
	close_port(&p);
}

/* EIAC: sending the message clears the vector's EICR bit (Linux sets EIAC
 * to the queue bits and never clears them itself); without EIAC the bit
 * stays. */
static void test_eiac_autoclear(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqeiac,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD);
	wr(&p, R_IVAR(0), IVAR_VALID | 3);
	wr(&p, R_EIAC, 1u << 3);
	wr(&p, R_EIMS_EX(0), 1u << 3);
	rx_frames(&p, 1);
	assert_int_equal(count(&r), 1);
	assert_int_equal(rd(&p, R_EICS) & 0xffff, 0);	/* auto-cleared */
	assert_int_equal(ixy_sim_irq_pending(p.sim), 0);
	wr(&p, R_EIAC, 0);
	rx_frames(&p, 1);
	assert_int_equal(count(&r), 2);
	assert_int_equal(rd(&p, R_EICS) & 0xffff, 1u << 3);
	/* GPIE.OCD: an EICR read leaves the queue bits (it clears other causes) */
	assert_int_equal(rd(&p, R_EICR) & 0xffff, 1u << 3);
	assert_int_equal(rd(&p, R_EICS) & 0xffff, 1u << 3);
	wr(&p, R_EICR, 1u << 3);	/* write-1-to-clear */
	assert_int_equal(rd(&p, R_EICS) & 0xffff, 0);
	assert_int_equal(rx_take(&p), 2);
	close_port(&p);
}

/* GPIE.EIAME + EIAM_EX: sending masks the vector (ixgbe_msix_clean_rings
 * relies on it: "EIAM disabled interrupts"); a frame while masked waits;
 * re-enabling through EIMS_EX after the poll (ixgbe_irq_enable_queues)
 * sends it. With EIAC the cause is gone by then and re-enabling is quiet. */
static void test_eiam_automask(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqeiam,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	/* ixgbe_setup_gpie + ixgbe_configure_msix for one queue vector */
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD | GPIE_EIAME);
	wr(&p, R_EIAM_EX(0), 0xffffffffu);
	wr(&p, R_EIAM_EX(1), 0xffffffffu);
	wr(&p, R_IVAR(0), (IVAR_VALID | 0) | (IVAR_VALID | 0) << 8);	/* RX 0 and TX 0 -> vector 0 */
	wr(&p, R_EIAC, 0x4000ffffu);
	wr(&p, R_EIMS_EX(0), 0xffffffffu);
	wr(&p, R_EIMS_EX(1), 0xffffffffu);
	assert_int_equal(rd(&p, R_EIAM), 0xffff);	/* EIAM 15:0 = EIAM_EX(0) 15:0 */

	rx_frames(&p, 2);
	assert_int_equal(count(&r), 1);
	assert_int_equal(r.vec[0], 0);
	assert_int_equal(rd(&p, R_EIMS_EX(0)) & 1, 0);	/* auto-masked */
	assert_int_equal(rd(&p, R_EIMS_EX(0)) & 2, 2);	/* only vector 0 */
	rx_frames(&p, 1);	/* arrives while the driver polls */
	assert_int_equal(count(&r), 1);
	assert_int_equal(rx_take(&p), 3);
	wr(&p, R_EIMS_EX(0), 1);	/* poll done, re-enable: the waiting cause goes out */
	assert_int_equal(count(&r), 2);
	assert_int_equal(rd(&p, R_EIMS_EX(0)) & 1, 0);	/* and masked it again */
	wr(&p, R_EIMS_EX(0), 1);	/* EIAC cleared the cause: nothing more */
	assert_int_equal(count(&r), 2);
	ixy_sim_step(p.sim);
	assert_int_equal(count(&r), 2);
	close_port(&p);
}

/* EICS and EICS_EX set causes by software (ixgbe_irq_rearm_queues): an
 * unmasked one is sent, a masked one waits for EIMS. */
static void test_eics_software(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqeics,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD | GPIE_EIAME);
	wr(&p, R_EIAC, 0x4000ffffu);
	wr(&p, R_EIMS_EX(1), 1u << 1);	/* vector 33 */
	wr(&p, R_EIMS, 1u << 5);
	wr(&p, R_EICS_EX(1), 1u << 1);
	assert_int_equal(count(&r), 1);
	assert_int_equal(r.vec[0], 33);
	/* vectors 16..63 have no EIAC bit: the model always clears them */
	assert_int_equal(rd(&p, R_EICS_EX(1)), 0);
	wr(&p, R_EICS, 1u << 5);
	assert_int_equal(count(&r), 2);
	assert_int_equal(r.vec[1], 5);
	wr(&p, R_EICS_EX(0), 1u << 9);	/* masked */
	assert_int_equal(count(&r), 2);
	assert_int_equal(rd(&p, R_EICS) & 0xffff, 1u << 9);
	wr(&p, R_EIMS_EX(0), 1u << 9);
	assert_int_equal(count(&r), 3);
	assert_int_equal(r.vec[2], 9);
	close_port(&p);
}

/* Link status change goes to the "other causes" vector of IVAR_MISC
 * (ixgbe_set_ivar(-1, 1, v): byte 1), masked by EIMS.LSC; the handler's
 * way (ixgbe_msix_other): read the causes through EICS, clear by writing
 * EICR. Queue vectors stay quiet. */
static void test_lsc_misc_vector(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqlsc,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD | GPIE_EIAME);
	wr(&p, R_EIAM_EX(0), 0xffffffffu);
	wr(&p, R_IVAR(0), IVAR_VALID | 0);
	wr(&p, R_IVAR_MISC, (IVAR_VALID | 7) << 8);
	wr(&p, R_EITR(7), 1950);	/* what Linux writes for its "other" vector: 486 us */
	wr(&p, R_EIAC, 0x4000ffffu);	/* not LSC: the driver clears it */
	wr(&p, R_EIMS_EX(0), 0xffffffffu);
	wr(&p, R_EIMS, EICR_LSC | (1u << 31));

	ixy_sim_set_carrier(p.sim, false);	/* the cable: link down now */
	assert_int_equal(count(&r), 1);
	assert_int_equal(r.vec[0], 7);
	uint32_t causes = rd(&p, R_EICS);
	assert_true(causes & EICR_LSC);
	assert_true(rd(&p, R_EICS) & EICR_LSC);	/* EICS reads do not clear */
	wr(&p, R_EICR, causes & 0xffff0000u);
	assert_int_equal(rd(&p, R_EICS) & EICR_LSC, 0);

	ixy_sim_set_carrier(p.sim, true);
	STEP_UNTIL(p.sim, count(&r) >= 2);	/* link up after training (and after 486 us) */
	assert_int_equal(count(&r), 2);
	assert_int_equal(r.vec[1], 7);
	assert_true(rd(&p, R_LINKS) & (1u << 30));
	/* EIAM did not take EIMS.LSC away (EIAM 31:16 are 0) */
	assert_true(rd(&p, R_EIMS) & EICR_LSC);
	/* Linux masks LSC while it checks the link (ixgbe_check_lsc) */
	wr(&p, R_EIMC, EICR_LSC);
	ixy_sim_set_carrier(p.sim, false);
	assert_int_equal(count(&r), 2);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(r.vec[i], 7);
	close_port(&p);
}

/* MSI/INTx mode (GPIE.MSIX_MODE = 0), programmed like Linux's
 * ixgbe_configure_msi_and_legacy: IVAR maps the queues to EICR bit 0, EIAM
 * = the queue bits. Vector 0 is signalled when EICR & EIMS becomes non-zero,
 * not again while it stays so; reading EICR clears it and masks the EIAM
 * bits; after re-enabling, a new cause signals again. */
static void test_legacy_mode(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqleg,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_EIAM, 0xffff);
	wr(&p, R_IVAR(0), IVAR_VALID | (IVAR_VALID << 8));
	wr(&p, R_EIMS, EICR_LSC);
	wr(&p, R_EIMS_EX(0), 1);
	assert_int_equal(rd(&p, R_EIMS), EICR_LSC | 1);

	rx_frames(&p, 2);
	assert_int_equal(count(&r), 1);
	assert_int_equal(r.vec[0], 0);
	assert_int_equal(ixy_sim_irq_pending(p.sim), 1);
	rx_frames(&p, 1);	/* still asserted: no new signal */
	assert_int_equal(count(&r), 1);

	/* ixgbe_intr: mask all, read EICR, re-enable the non-queue causes */
	wr(&p, R_EIMC, 0xffffffffu);
	assert_int_equal(rd(&p, R_EICR), 1);
	assert_int_equal(rd(&p, R_EICR), 0);	/* read-to-clear */
	wr(&p, R_EIMS, EICR_LSC);
	assert_int_equal(rd(&p, R_EIMS), EICR_LSC);
	assert_int_equal(count(&r), 1);
	assert_int_equal(rx_take(&p), 3);
	wr(&p, R_EIMS_EX(0), 1);	/* ixgbe_poll done: queue bit back, no cause: quiet */
	assert_int_equal(count(&r), 1);
	assert_int_equal(ixy_sim_irq_pending(p.sim), 0);

	rx_frames(&p, 1);
	assert_int_equal(count(&r), 2);
	assert_int_equal(r.vec[1], 0);
	/* the EICR read alone (no EIMC first) masks the EIAM bits too */
	assert_int_equal(rd(&p, R_EICR), 1);
	assert_int_equal(rd(&p, R_EIMS), EICR_LSC);
	assert_int_equal(rx_take(&p), 1);

	/* an other cause signals through the same vector 0 */
	ixy_sim_set_carrier(p.sim, false);
	assert_int_equal(count(&r), 3);
	assert_int_equal(r.vec[2], 0);
	assert_true(rd(&p, R_EICR) & EICR_LSC);
	close_port(&p);
}

/* EITR: after a message the vector is quiet for its interval (bits 11:3 in
 * 2 us units; 0xff8 = 1022 us, the longest the 82599 has); a cause in
 * between is held and sent when the interval ends, by the next round. A
 * write without CNT_WDIS restarts the counter: the held message goes out at
 * once (Linux writes with CNT_WDIS to avoid exactly that). */
static void test_eitr_throttle(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqitr,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD);
	wr(&p, R_IVAR(0), IVAR_VALID | 3);
	wr(&p, R_EIAC, 1u << 3);
	wr(&p, R_EITR(3), EITR_MAX | EITR_CNT_WDIS);
	assert_int_equal(rd(&p, R_EITR(3)), EITR_MAX);	/* WDIS is not stored */
	wr(&p, R_EIMS_EX(0), 1u << 3);
	const uint64_t interval_ns = 511ull * 2000;

	/* the model stamps a message with its round's clock, taken after this */
	uint64_t t_before = mono_ns();
	rx_frames(&p, 1);
	assert_int_equal(count(&r), 1);	/* the first one is not held */
	rx_frames(&p, 1);
	/* held, unless this thread was away for the whole interval */
	if (mono_ns() - r.t_ns[0] < interval_ns) {
		assert_int_equal(count(&r), 1);
		assert_int_equal(ixy_sim_irq_pending(p.sim), 1ull << 3);
	}
	STEP_UNTIL(p.sim, count(&r) >= 2);
	assert_int_equal(count(&r), 2);
	assert_int_equal(r.vec[1], 3);
	assert_true(r.t_ns[1] - t_before >= interval_ns);	/* never early */
	assert_int_equal(rx_take(&p), 2);

	/* held again, then the counter is restarted by a write without WDIS */
	rx_frames(&p, 1);
	wr(&p, R_EITR(3), EITR_MAX);
	assert_int_equal(count(&r), 3);
	assert_int_equal(rx_take(&p), 1);
	close_port(&p);
}

/* In threaded mode nobody steps: the engine thread wakes up when a held
 * vector's interval ends (sim_port_due_ns) and sends it. */
static void test_eitr_threaded(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	tport_open(&p, "irqthr,wire=null,link_delay_us=1");
	rec_init(&r);
	assert_int_equal(ixy_sim_set_irq_handler(p.sim, on_irq, &r), 0);
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD);
	wr(&p, R_EIAC, 0xffff);
	wr(&p, R_EITR(2), EITR_MAX | EITR_CNT_WDIS);
	wr(&p, R_EIMS_EX(0), 1u << 2);
	uint64_t t_before = mono_ns();
	wr(&p, R_EICS, 1u << 2);
	assert_int_equal(count(&r), 1);
	wr(&p, R_EICS, 1u << 2);	/* within the interval: held */
	for (int i = 0; i < 2000 && count(&r) < 2; i++)
		sleep_us(1000);	/* no register access meanwhile */
	assert_int_equal(count(&r), 2);
	assert_int_equal(r.vec[1], 2);
	assert_true(r.t_ns[1] - t_before >= 511ull * 2000);
	close_port(&p);
}

/* TX: the descriptor write-back is the queue's cause (IVAR byte 1): DD for
 * an RS descriptor with WTHRESH 0; with WTHRESH 4 a batch of 4, and the
 * partial batch when it is flushed. */
static void test_tx_writeback_cause(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqtx,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD);
	wr(&p, R_IVAR(0), (IVAR_VALID | 6) | (IVAR_VALID | 5) << 8);	/* RX 0 -> 6, TX 0 -> 5 */
	wr(&p, R_EIAC, 0xffff);
	wr(&p, R_EIMS_EX(0), (1u << 5) | (1u << 6));
	uint8_t f[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
	tx_put(&p, f, 64, 1);
	ixy_sim_step(p.sim);
	assert_int_equal(rd(&p, R_TDH(0)), 1);
	assert_int_equal(count(&r), 1);
	assert_int_equal(r.vec[0], 5);
	assert_true(desc32(p.txring, 12) & 1);	/* DD */

	/* WTHRESH 4: no write-back, no cause for 3 descriptors */
	wr(&p, R_TXDCTL(0), 1u << 25 | 4u << 16);
	for (int i = 0; i < 3; i++)
		tx_put(&p, f, 64, 1);
	ixy_sim_step(p.sim);
	assert_int_equal(rd(&p, R_TDH(0)), 4);
	assert_int_equal(count(&r), 1);
	tx_put(&p, f, 64, 1);
	ixy_sim_step(p.sim);
	assert_int_equal(count(&r), 2);
	assert_int_equal(r.vec[1], 5);
	/* a partial batch: written back (and raised) when flushed, 100 us
	 * after it was processed (a slow run may have flushed part of the
	 * batch above on its own: one more message then) */
	tx_put(&p, f, 64, 1);
	STEP_UNTIL(p.sim, desc32(p.txring + 16 * 5, 12) & 1);
	assert_true(desc32(p.txring + 16 * 5, 12) & 1);
	assert_in_range(count(&r), 3, 4);
	for (unsigned i = 0; i < count(&r); i++)
		assert_int_equal(r.vec[i], 5);
	close_port(&p);
}

/* Two ports cabled to each other: a's transmission writes into b's RX
 * ring during a's part of the domain's round; b's vector is sent in that
 * same step. Pulling a's cable interrupts b (its LSC) too. */
static void test_pair_rx_cause(void **state)
{
	(void)state;
	struct tport a, b;
	struct rec ra, rb;
	tport_open(&a, "irqpa,mode=stepped,wire=pair:irqpb,link_delay_us=1,unthrottled");
	tport_open(&b, "irqpb,mode=stepped,link_delay_us=1,unthrottled");
	tport_init(&a, 0);
	tport_init(&b, 0);
	wait_link(&a);
	wait_link(&b);
	rec_init(&ra);
	rec_init(&rb);
	assert_int_equal(ixy_sim_set_irq_handler(a.sim, on_irq, &ra), 0);
	assert_int_equal(ixy_sim_set_irq_handler(b.sim, on_irq, &rb), 0);
	wr(&b, R_EICR, 0xffffffffu);
	wr(&b, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD | GPIE_EIAME);
	wr(&b, R_IVAR(0), IVAR_VALID | 2);
	wr(&b, R_IVAR_MISC, (IVAR_VALID | 4) << 8);
	wr(&b, R_EIAC, 0xffff);
	wr(&b, R_EIMS_EX(0), 1u << 2);
	wr(&b, R_EIMS, EICR_LSC);
	uint8_t mb[6], f[128];
	port_mac(&b, mb);
	tx_put(&a, f, make_udp(f, mb, 128, 9, 9), 1);
	ixy_sim_step(a.sim);
	assert_int_equal(rx_take(&b), 1);
	assert_int_equal(count(&rb), 1);
	assert_int_equal(rb.vec[0], 2);
	assert_int_equal(count(&ra), 0);	/* a has no interrupts enabled */
	ixy_sim_set_carrier(a.sim, false);
	assert_int_equal(count(&rb), 2);
	assert_int_equal(rb.vec[1], 4);
	assert_int_equal(count(&ra), 0);
	close_port(&a);
	close_port(&b);
}

/* A threaded port: the engine thread takes injected frames in and sends
 * the vector itself (the handler runs on that thread). */
static void test_threaded_rx(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	tport_open(&p, "irqthrx,wire=null,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	rec_init(&r);
	assert_int_equal(ixy_sim_set_irq_handler(p.sim, on_irq, &r), 0);
	wr(&p, R_EICR, 0xffffffffu);
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD | GPIE_EIAME);
	wr(&p, R_EIAM_EX(0), 0xffffffffu);
	wr(&p, R_IVAR(0), IVAR_VALID | 1);
	wr(&p, R_EIAC, 0xffff);
	wr(&p, R_EIMS_EX(0), 1u << 1);
	uint8_t mac[6], f[64];
	port_mac(&p, mac);
	make_udp(f, mac, 64, 1, 1);
	assert_int_equal(ixy_sim_inject(p.sim, f, 64), 0);
	for (int i = 0; i < 2000 && count(&r) < 1; i++)
		sleep_us(500);
	assert_int_equal(count(&r), 1);
	assert_int_equal(r.vec[0], 1);
	assert_int_equal(rx_take(&p), 1);
	/* auto-masked: the next frame waits for the re-enable */
	assert_int_equal(ixy_sim_inject(p.sim, f, 64), 0);
	for (int i = 0; i < 2000 && !rx_take(&p); i++)
		sleep_us(500);
	assert_int_equal(count(&r), 1);
	wr(&p, R_EIMS_EX(0), 1u << 1);
	assert_int_equal(count(&r), 2);
	close_port(&p);
}

/* The interrupt registers read back as Linux writes them; EIMC/EIMC_EX
 * clear what EIMS/EIMS_EX set (ixgbe_irq_disable). */
static void test_register_readback(void **state)
{
	(void)state;
	struct tport p;
	struct rec r;
	open_port(&p, &r, "irqregs,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD | GPIE_EIAME);
	assert_int_equal(rd(&p, R_GPIE), GPIE_MSIX_MODE | GPIE_PBA | GPIE_OCD | GPIE_EIAME);
	wr(&p, R_IVAR(5), 0x81808382u);
	assert_int_equal(rd(&p, R_IVAR(5)), 0x81808382u);
	wr(&p, R_IVAR_MISC, 0x8400);
	assert_int_equal(rd(&p, R_IVAR_MISC), 0x8400);
	wr(&p, R_EITR(1), 200 | EITR_CNT_WDIS);	/* IXGBE_20K_ITR: 50 us */
	assert_int_equal(rd(&p, R_EITR(1)), 200);
	wr(&p, R_EIAC, 0x4000ffffu);
	assert_int_equal(rd(&p, R_EIAC), 0x4000ffffu);
	wr(&p, R_EIMS, 0x00f00000u);
	wr(&p, R_EIMS_EX(0), 0xffffffffu);
	wr(&p, R_EIMS_EX(1), 0xffffffffu);
	assert_int_equal(rd(&p, R_EIMS), 0x00f0ffffu);
	assert_int_equal(rd(&p, R_EIMS_EX(1)), 0xffffffffu);
	wr(&p, R_EIMC, 0xffff0000u);
	wr(&p, R_EIMC_EX(0), 0xffffffffu);
	wr(&p, R_EIMC_EX(1), 0xffffffffu);
	assert_int_equal(rd(&p, R_EIMS), 0);
	assert_int_equal(rd(&p, R_EIMS_EX(0)), 0);
	assert_int_equal(rd(&p, R_EIMS_EX(1)), 0);
	assert_int_equal(rd(&p, R_EIMC), 0);	/* write-only */
	assert_int_equal(count(&r), 0);
	close_port(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msix_rx_vector),
		cmocka_unit_test(test_masked_then_unmasked),
		cmocka_unit_test(test_eiac_autoclear),
		cmocka_unit_test(test_eiam_automask),
		cmocka_unit_test(test_eics_software),
		cmocka_unit_test(test_lsc_misc_vector),
		cmocka_unit_test(test_legacy_mode),
		cmocka_unit_test(test_eitr_throttle),
		cmocka_unit_test(test_eitr_threaded),
		cmocka_unit_test(test_tx_writeback_cause),
		cmocka_unit_test(test_pair_rx_cause),
		cmocka_unit_test(test_threaded_rx),
		cmocka_unit_test(test_register_readback),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
