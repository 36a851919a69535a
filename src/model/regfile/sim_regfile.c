/* The virtual 82599: the register file, its reset values and side effects.
 *
 * Every control-path access arrives here through ixy_sim_reg_read/_write
 * (under the domain lock), so read side effects are exact: statistics and
 * EICR clear on read (8.2.3.23, 8.2.3.5.1), CTRL.RST/LRST and
 * AUTOC.RESTART_AN self-clear, LINKS/STATUS report the link state machine,
 * EEC.ARD and RDRXCTL.DMAIDONE appear once the reset's initialisation is
 * over. Writes are checked against the datasheet's programming rules and
 * every breach is recorded as a violation. The interrupt registers (EICR,
 * EIMS, IVAR, EITR, ...) are passed to sim_irq.c, which owns their state.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "error.h"
#include "model/sim_internal.h"

#define DEFAULT_LINK_DELAY_US 10000	/* auto-negotiation / link training time */
/* EEPROM auto-read + DMA init after CTRL.RST. Longer than the 1 ms of
 * silence 8.2.3.1.1 asks for, so that a driver that keeps that rule still
 * finds EEC.ARD / RDRXCTL.DMAIDONE at 0 and has to poll them (4.6.3). */
#define DEFAULT_RESET_DELAY_US 2000
/* 8.2.3.1.1: "wait approximately 1 ms after setting [CTRL.RST] before
 * attempting to check if the bit has cleared, or to access (read or
 * write) any other device register". */
#define RESET_QUIET_NS 1000000ull
/* 5.2.5.3.2: when master disable times out, "two consecutive software
 * resets with a larger delay than 1 us between the two of them". */
#define RESET_AGAIN_NS 1000ull

/* ---- 82598-compatible aliases (8.2.2, "registers with 82598 addresses") ----
 * The 82599 answers at the old addresses for the first queues / entries;
 * Intel's drivers use them, others use the new ones. The model stores the
 * new (canonical) address only. */
static uint32_t alias(uint32_t off)
{
	if (off >= 0x02100 && off < 0x02140)	/* SRRCTL[0..15] */
		return SIM_SRRCTL((off - 0x02100) / 4);
	if (off >= 0x02200 && off < 0x02240)	/* DCA_RXCTRL[0..15] */
		return SIM_DCA_RXCTRL((off - 0x02200) / 4);
	if (off >= 0x05400 && off < 0x05480)	/* RAL/RAH[0..15] */
		return 0x0a200 + (off - 0x05400);
	if (off >= 0x05480 && off < 0x054c0)	/* PSRTYPE[0..15] */
		return SIM_PSRTYPE((off - 0x05480) / 4);
	if (off >= 0x05c00 && off < 0x05c80)	/* RETA[0..31] */
		return SIM_RETA((off - 0x05c00) / 4);
	if (off >= 0x05c80 && off < 0x05ca8)	/* RSSRK[0..9] */
		return SIM_RSSRK((off - 0x05c80) / 4);
	if (off == 0x05818)			/* MRQC */
		return SIM_MRQC;
	if (off >= 0x07200 && off < 0x07240)	/* DCA_TXCTRL[0..15] */
		return SIM_TDBAL((off - 0x07200) / 4) + 0x0c;
	if (off >= 0x06000 && off < 0x06400 && (off & 0x3f) == 0x30)	/* QPTC[0..15] */
		return SIM_QPTC((off - 0x06000) / 0x40);
	return off;
}

/* Queue register decoding: returns the queue and stores the offset inside
 * the queue's 0x40-byte block, or -1. */
static int rx_queue_of(uint32_t off, uint32_t *r)
{
	if (off >= 0x01000 && off < 0x02000) {
		*r = off & 0x3f;
		return (int)((off - 0x01000) / 0x40);
	}
	if (off >= 0x0d000 && off < 0x0e000) {
		*r = off & 0x3f;
		return 64 + (int)((off - 0x0d000) / 0x40);
	}
	return -1;
}

static int tx_queue_of(uint32_t off, uint32_t *r)
{
	if (off >= 0x06000 && off < 0x08000) {
		*r = off & 0x3f;
		return (int)((off - 0x06000) / 0x40);
	}
	return -1;
}

/* The receive packet buffer memory: 512 KiB on the 82599, 384 KiB on the
 * X540/X550 (Linux: IXGBE_82599_RX_PB_SIZE, IXGBE_X540_RX_PB_SIZE). */
#define SIM_RXPB_82599	(512u << 10)
#define SIM_RXPB_X540	(384u << 10)

static uint32_t rx_memory(const struct ixy_sim *sim)
{
	return sim->mac == SIM_MAC_82599 ? SIM_RXPB_82599 : SIM_RXPB_X540;
}

/* Receive enabled: the RX packet buffers must fit the memory (4.6.11.3.1:
 * the sizes add up to at most the total). The X540/X550 reset RXPBSIZE(0)
 * to more than they have; a driver that does not size the buffers after
 * its reset (Linux does, in reset_hw) gets this report. The model's
 * buffer then holds what RXPBSIZE(0) says, at most the memory. */
static void rx_buffer_check(struct ixy_sim *sim)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < 8; i++)
		sum += sim_reg(sim, SIM_RXPBSIZE(i)) & 0xffc00u;	/* 19:10, KiB */
	if (sum > rx_memory(sim))
		sim_violation(sim, "receive enabled with RXPBSIZE(0..7) adding up to %" PRIu64 " KiB, more than "
			      "the %u KiB of receive packet buffer memory: write RXPBSIZE after every reset "
			      "(%u KiB for one buffer; datasheet 4.6.11.3.1)", sum >> 10, rx_memory(sim) >> 10,
			      rx_memory(sim) >> 10);
	uint32_t pb0 = sim_reg(sim, SIM_RXPBSIZE(0)) & 0xffc00u;
	sim->rxpb.max_bytes = pb0 && pb0 < rx_memory(sim) ? pb0 : rx_memory(sim);
}

uint32_t sim_link_delay_us(const struct ixy_sim *sim)
{
	return sim->cfg.link_delay_us ? sim->cfg.link_delay_us : DEFAULT_LINK_DELAY_US;
}

static bool reset_in_progress(const struct ixy_sim *sim, uint64_t now)
{
	return now < sim->reset_done_ns;
}

/* An access within the quiet time after CTRL.RST: recorded, then served
 * (the model answers; a real device may not). The second reset of
 * 5.2.5.3.2 is the one write allowed. */
static void reset_quiet_check(struct ixy_sim *sim, uint64_t now, bool write, uint32_t reg, uint32_t val)
{
	if (now - sim->rst_ns >= RESET_QUIET_NS) {
		sim->rst_quiet = false;
		return;
	}
	if (write && reg == SIM_CTRL && (val & (SIM_CTRL_RST | SIM_CTRL_LRST)) && now - sim->rst_ns > RESET_AGAIN_NS)
		return;
	/* The flush: the first access after setting CTRL.RST being a read of
	 * STATUS is how Intel's drivers push the posted write out
	 * (IXGBE_WRITE_FLUSH in Linux's ixgbe_reset_hw_82599, the same in
	 * DPDK's shared code), on every 82599 in the field, before they wait
	 * the 1 ms. Not reported; any other access, or a second one, is. */
	bool flush = !write && reg == SIM_STATUS && sim->rst_flush_ok;
	sim->rst_flush_ok = false;
	if (flush)
		return;
	/* X540/X550: releasing the PHY semaphore held around the reset
	 * (SWSM, SW_FW_SYNC) and the flush (STATUS) come right after setting
	 * RST in Linux's reset_hw_X540, before its 1 ms sleep: production
	 * practice, not reported. */
	if (sim->mac != SIM_MAC_82599 && (reg == SIM_SWSM || reg == SIM_SW_FW_SYNC || reg == SIM_STATUS))
		return;
	sim_violation(sim, "%s of register 0x%05" PRIx32 " %" PRIu64 " us after CTRL.RST was set: wait about 1 ms "
		      "after a software reset before accessing any register, CTRL included (datasheet 8.2.3.1.1)",
		      write ? "write" : "read", reg, (now - sim->rst_ns) / 1000);
}

/* X540/X550: software holds the PHY semaphore (SW_FW_SYNC PHY 0, the
 * model's ports are LAN 0) while it sets CTRL.RST, so the reset does not
 * cut a firmware access to the PHY short; Linux's reset_hw_X540 (used for
 * the X550 too) takes it around the CTRL write - except at probe: its
 * first reset comes before PHY identification has chosen the semaphore
 * (phy_semaphore_mask still 0), so it takes none (seen with Linux 6.1 in
 * UML against this model). So: every reset without it is counted
 * (ixy_sim_unguarded_resets); it is a violation when the simulated
 * firmware holds the PHY at that moment - the case where an access is
 * really cut short. */
static void phy_semaphore_check(struct ixy_sim *sim, uint64_t now)
{
	if (sim->sema.swfw & 0x2u)
		return;
	sim->unguarded_resets++;
	if (now < sim->sema.fw_until_ns)
		sim_violation(sim, "CTRL.RST set while the firmware holds the PHY semaphore (SW_FW_SYNC bit 6) and "
			      "software does not (bit 1): the reset cuts the firmware's PHY access short; take the PHY "
			      "semaphore before setting RST and release it after (X540/X550; Linux's reset_hw_X540)");
}

/* The board a device id stands for. 82599 SFP+ boards drive the module's
 * TX_DISABLE from SDP3 (the Linux and DPDK drivers set ESDP.SDP3 to turn
 * the laser off) and its presence onto SDP2; the QSFP+ board (0x1558) and
 * the other media do not. Backplane boards (KX4, KX4 mezzanine, combined
 * backplane, KR, backplane FCoE, XAUI LOM) have neither module nor PHY.
 * The X540 and X550 are 10GBASE-T with their internal PHY on MDIO. */
enum sim_media sim_media_of(uint16_t device_id)
{
	switch (device_id) {
	case 0x10fb: case 0x1529: case 0x1507: case 0x154d: case 0x154a: case 0x1557: case 0x154f: case 0x155d:
		return SIM_MEDIA_SFP;
	case 0x10f7: case 0x1514: case 0x10f8: case 0x1517: case 0x152a: case 0x10fc:
		return SIM_MEDIA_BACKPLANE;
	case 0x1528: case 0x1560: case 0x155c: case 0x1563: case 0x15d1:
		return SIM_MEDIA_COPPER;
	}
	return SIM_MEDIA_OTHER;
}

const char sim_personalities_text[] =
	"82599 SFP+ 0x10FB 0x1529 0x1507 0x154D 0x154A 0x1557 0x154F 0x155D; 82599 backplane 0x10F7 0x1514 "
	"0x10F8 0x1517 0x152A 0x10FC; 82599 without cage or PHY 0x10F9 0x1558 0x151C; X540 10GBASE-T 0x1528 "
	"0x1560 0x155C; X550 10GBASE-T 0x1563 0x15D1; X550EM_x (0x15AA-0x15AE 0x15B0) and X550EM_a "
	"(0x15C2-0x15E5) are not modelled";

bool sim_x550em_id(uint16_t device_id)
{
	switch (device_id) {
	case 0x15a8: case 0x15c5:		/* X550EM_x, X550EM_a virtual functions */
	case 0x15aa: case 0x15ab: case 0x15ac: case 0x15ad: case 0x15ae: case 0x15b0:
	case 0x15c2: case 0x15c3: case 0x15c4: case 0x15c6: case 0x15c7: case 0x15c8:
	case 0x15ce: case 0x15e4: case 0x15e5:
		return true;
	}
	return false;
}

int sim_personality(uint16_t device_id, enum sim_mac *mac)
{
	switch (device_id) {
	case 0x1528: case 0x1560: case 0x155c:
		*mac = SIM_MAC_X540;
		return 0;
	case 0x1563: case 0x15d1:
		*mac = SIM_MAC_X550;
		return 0;
	case 0x10f9: case 0x1558: case 0x151c:	/* 82599 CX4, QSFP+, T3 LOM: a plain port */
		*mac = SIM_MAC_82599;
		return 0;
	}
	*mac = SIM_MAC_82599;
	return sim_media_of(device_id) == SIM_MEDIA_OTHER ? -1 : 0;
}

static bool laser_off(const struct ixy_sim *sim)
{
	return (sim_reg(sim, SIM_ESDP) & SIM_ESDP_SDP3) && sim->media == SIM_MEDIA_SFP;
}

/* The speed AUTOC's link mode trains to (LINKS.SPEED encoding: 2 = 1 Gb/s,
 * 3 = 10 Gb/s), 0 = no link. LMS (8.2.3.22.19): 0 1G no AN, 1 10G parallel
 * (KX4/XAUI) no AN, 2 1G AN (KX), 3 10G serial (SFI/KR) no AN, 4 KX4/KX/KR
 * AN, 5 SGMII, 6 KX4/KX/KR AN with 1G AN, 7 KX4/KX/KR AN with SGMII. In
 * the AN modes the partner (the model's wire) supports everything, so the
 * result is the best mode both advertise: KR or KX4 10 Gb/s, else KX 1 Gb/s,
 * else no link. */
static uint32_t lms_speed(const struct ixy_sim *sim)
{
	uint32_t autoc = sim_reg(sim, SIM_AUTOC);
	uint32_t lms = (autoc & SIM_AUTOC_LMS_MASK) >> SIM_AUTOC_LMS_SHIFT;
	switch (lms) {
	case 0: case 2: case 5:
		return 2;
	case 4: case 6: case 7:
		if (autoc & (SIM_AUTOC_KR_SUPP | SIM_AUTOC_KX4_SUPP))
			return 3;
		return (autoc & SIM_AUTOC_KX_SUPP) ? 2 : 0;
	}
	return 3;
}

static bool lms_autoneg(const struct ixy_sim *sim)
{
	uint32_t lms = (sim_reg(sim, SIM_AUTOC) & SIM_AUTOC_LMS_MASK) >> SIM_AUTOC_LMS_SHIFT;
	return lms == 2 || lms == 4 || lms == 6 || lms == 7;
}

/* The speed the link trains to: from the copper PHY's auto-negotiation
 * on the X540/X550, from AUTOC on the 82599. */
static uint32_t train_speed(const struct ixy_sim *sim)
{
	return sim->media == SIM_MEDIA_COPPER ? sim_phy_speed(sim) : lms_speed(sim);
}

/* Everything but time is there for the link: a partner, light, a module,
 * a speed to train to (a powered PHY on the X540/X550). */
bool sim_link_trainable(const struct ixy_sim *sim)
{
	return sim->carrier && !laser_off(sim) && (sim->media != SIM_MEDIA_SFP || sim_sfp_present(sim)) &&
	       train_speed(sim);
}

void sim_link_update(struct ixy_sim *sim, uint64_t now)
{
	bool up = sim_link_trainable(sim) && now >= sim->an_start_ns + (uint64_t)sim_link_delay_us(sim) * 1000;
	if (up != sim->link_up) {
		sim->link_up = up;
		/* the copper result holds until the link goes down (new
		 * advertisements take effect at the next AN) */
		sim->phy.speed = up ? (uint8_t)train_speed(sim) : 0;
		sim_raise_eicr(sim, SIM_EICR_LSC);	/* 8.2.3.5.1: link status change */
		sim_ptp_rebase(sim, now);	/* the time sync oscillator follows the speed */
	}
}

uint32_t sim_link_speed(const struct ixy_sim *sim)
{
	return sim->link_up ? lms_speed(sim) : 0;
}

/* Auto-negotiation restarts: the link drops now and trains again. */
void sim_link_restart(struct ixy_sim *sim, uint64_t now)
{
	sim->an_start_ns = now;
	if (sim->link_up) {
		sim->link_up = false;
		sim_raise_eicr(sim, SIM_EICR_LSC);
	}
}

static uint32_t links_value(struct ixy_sim *sim)
{
	uint32_t v = 0;
	/* KX_AN_COMP: clause 73 auto-negotiation finished (only the AN modes
	 * run it; the serial and parallel modes have none) */
	if (sim->link_up && sim->media == SIM_MEDIA_COPPER)
		v |= SIM_LINKS_UP | SIM_LINKS_STATUS | (uint32_t)sim->phy.speed << SIM_LINKS_SPEED_SHIFT;
	else if (sim->link_up)
		v |= SIM_LINKS_UP | SIM_LINKS_STATUS | lms_speed(sim) << SIM_LINKS_SPEED_SHIFT |
		     (lms_autoneg(sim) ? SIM_LINKS_KX_AN_COMP : 0);
	return v;
}

/* Interfaces with a file of their own: the board's NVM, semaphores, MDIO,
 * I2C, and the flow director's command interface. */
static bool board_read(struct ixy_sim *sim, uint32_t off, uint64_t now, uint32_t *v)
{
	return sim_eeprom_read(sim, off, now, v) || sim_sema_read(sim, off, now, v) || sim_mdio_read(sim, off, v) ||
	       sim_i2c_read(sim, off, v) || sim_fdir_read(sim, off, v) || sim_hostif_read(sim, off, v);
}

static bool board_write(struct ixy_sim *sim, uint32_t off, uint32_t val, uint64_t now)
{
	return sim_eeprom_write(sim, off, val) || sim_sema_write(sim, off, val, now) || sim_mdio_write(sim, off, val, now) ||
	       sim_i2c_write(sim, off, val) || sim_fdir_write(sim, off, val) || sim_hostif_write(sim, off, val);
}

static void update_statidx(struct ixy_sim *sim)
{
	/* RQSMR[n]/TQSM[n] map queues 4n..4n+3 to statistic sets, one byte
	 * each, bits 3:0 (8.2.3.8.11, 8.2.3.9.14). */
	for (unsigned q = 0; q < SIM_NUM_QUEUES; q++) {
		sim->rxq[q].statidx = (sim_reg(sim, SIM_RQSMR(q / 4)) >> (8 * (q % 4))) & 0xf;
		sim->txq[q].statidx = (sim_reg(sim, SIM_TQSM(q / 4)) >> (8 * (q % 4))) & 0xf;
	}
}

void sim_reset(struct ixy_sim *sim, bool power_on, bool link_reset)
{
	uint64_t now = sim_now_ns();

	for (unsigned q = 0; q < SIM_NUM_QUEUES; q++) {
		sim_rxq_enable(sim, q, false);
		sim_txq_enable(sim, q, false);
	}
	/* ESDP survives a software reset: a laser turned off stays off (what
	 * Linux and DPDK assume when they turn it on after their reset). */
	uint32_t esdp = power_on ? (sim->cfg.laser_off ? SIM_ESDP_SDP3 : 0) : sim_reg(sim, SIM_ESDP);
	memset(sim->bar, 0, SIM_BAR0_SIZE);
	sim_setreg(sim, SIM_ESDP, esdp);
	memset(sim->rxq, 0, sizeof(sim->rxq));	/* no IVAR entries: irq_bit 0 */
	memset(sim->txq, 0, sizeof(sim->txq));
	sim_irq_reset(sim);	/* causes, masks, vectors, throttles (the handler stays) */
	memset(&sim->st, 0, sizeof(sim->st));
	while (sim_fq_peek(&sim->rxpb))
		sim_fq_pop(&sim->rxpb);

	/* Reset values (8.2.3.x "Initial value"); the EEPROM-loaded ones
	 * (address, LEDs, link mode) come from the port's image below. */
	sim_setreg(sim, SIM_STATUS, SIM_STATUS_GIO);
	sim_setreg(sim, SIM_HLREG0, SIM_HLREG0_TXCRCEN | SIM_HLREG0_RXCRCSTRP | SIM_HLREG0_TXPADEN |
					    SIM_HLREG0_RXLNGTHERREN);
	sim_setreg(sim, SIM_MAXFRS, 1518u << SIM_MAXFRS_MFS_SHIFT);
	/* Packet buffers (4.6.11.3.1): one RX and one TX buffer own the
	 * memory; TXPBTHRESH(0) is the TX buffer less a largest frame, in
	 * KiB. The X540/X550 come out of reset with the 82599's RXPBSIZE(0)
	 * of 512 KiB although their receive memory is 384 KiB (Linux's
	 * rx_pb_size; its reset_hw writes 384 KiB after every reset): see
	 * SIM_RXPB_X540 and the check at RXCTRL.RXEN. */
	sim_setreg(sim, SIM_RXPBSIZE(0), 512u << 10);
	sim_setreg(sim, SIM_TXPBSIZE(0), 160u << 10);
	sim_setreg(sim, SIM_TXPBTHRESH(0), 160u - 10u);
	sim_setreg(sim, SIM_DTXMXSZRQ, 0x10);
	sim_setreg(sim, SIM_DTXTCPFLGL, SIM_DTXTCPFLGL_RESET);
	sim_setreg(sim, SIM_DTXTCPFLGH, SIM_DTXTCPFLGH_RESET);
	sim_setreg(sim, SIM_VLNCTRL, 0x8100);
	for (unsigned q = 0; q < SIM_NUM_QUEUES; q++) {
		sim_setreg(sim, SIM_SRRCTL(q), 2u | 4u << SIM_SRRCTL_BSIZEHDR_SHIFT);	/* 2 KiB, 256 B hdr */
		sim_setreg(sim, SIM_DCA_RXCTRL(q), SIM_DCA_RXCTRL_RESET);
		sim_setreg(sim, SIM_DCA_TXCTRL(q), SIM_DCA_TXCTRL_RESET);
	}
	/* the EEPROM auto-read: RAL/RAH[0], LEDCTL, AUTOC, AUTOC2 */
	sim_eeprom_autoload(sim);
	sim->eerd = 0;
	sim->eewr = 0;
	sim_spi_reset(sim);
	sim->msca = 0;
	sim->msrwd = 0;
	/* the copper PHY is a device of its own: a MAC reset leaves it (and
	 * its power-down bit) as it is; only power-on sets its defaults */
	if (power_on && sim->media == SIM_MEDIA_COPPER)
		sim_phy_power_on(sim);
	sim_i2c_reset(sim);
	sim_sema_reset(sim, now, power_on);
	sim_ptp_reset(sim, now);
	update_statidx(sim);
	sim->cfg_dirty = true;
	sim->rxpb.max_bytes = rx_memory(sim);

	/* After a software reset the EEPROM is read again and the DMA engine
	 * initialises (4.6.3): ARD and DMAIDONE read 0 until then. The link
	 * restarts training. */
	sim->reset_done_ns = power_on ? 0 : now + DEFAULT_RESET_DELAY_US * 1000ull;
	sim->rst_ns = power_on ? 0 : now;
	sim->rst_quiet = !power_on;
	sim->rst_flush_ok = !power_on;
	if (power_on)	/* a port is created with its link trained */
		sim->an_start_ns = now > (uint64_t)sim_link_delay_us(sim) * 1000 ?
					   now - (uint64_t)sim_link_delay_us(sim) * 1000 : now;
	if (power_on)
		sim->link_up = false;
	else if (link_reset)
		sim_link_restart(sim, now);
	/* CTRL.RST alone resets the MAC but not the link (4.6.3.2; Linux
	 * picks RST while the link is up "so the link manageability may be
	 * using survives"): a link that is up stays up, one that is training
	 * goes on training. */
	sim_link_update(sim, now);
}

/* ---- statistics: read-to-clear (8.2.3.23) ---- */
static uint32_t rc32(uint64_t *c)
{
	uint64_t v = *c;
	*c = 0;
	return v > 0xffffffffu ? 0xffffffffu : (uint32_t)v;
}

/* 64-bit counters: reading the low half returns it, latches the high half
 * and clears the counter, so an L-then-H read is one consistent snapshot. */
static uint32_t rc_lo(uint64_t *c, uint32_t *hi)
{
	uint64_t v = *c;
	*c = 0;
	*hi = (uint32_t)(v >> 32);
	return (uint32_t)v;
}

static uint32_t rc_hi(uint64_t *c, uint32_t *hi)
{
	uint32_t v = *hi + (uint32_t)(*c >> 32);
	*hi = 0;
	*c &= 0xffffffffu;
	return v;
}

static bool stat_read(struct ixy_sim *sim, uint32_t off, uint32_t *v)
{
	struct sim_stats *s = &sim->st;
	switch (off) {
	case SIM_GPRC: *v = rc32(&s->gprc); return true;
	case SIM_GPTC: *v = rc32(&s->gptc); return true;
	case SIM_BPRC: *v = rc32(&s->bprc); return true;
	case SIM_MPRC: *v = rc32(&s->mprc); return true;
	case SIM_BPTC: *v = rc32(&s->bptc); return true;
	case SIM_MPTC: *v = rc32(&s->mptc); return true;
	case SIM_TPR: *v = rc32(&s->tpr); return true;
	case SIM_TPT: *v = rc32(&s->tpt); return true;
	case SIM_RUC: *v = rc32(&s->ruc); return true;
	case SIM_ROC: *v = rc32(&s->roc); return true;
	case SIM_RLEC: *v = rc32(&s->rlec); return true;
	case SIM_CRCERRS: *v = rc32(&s->crcerrs); return true;
	case SIM_ILLERRC: case SIM_ERRBC: case SIM_RFC: case SIM_RJC: *v = 0; return true;
	case SIM_GORCL: *v = rc_lo(&s->gorc, &s->gorch); return true;
	case SIM_GORCH: *v = rc_hi(&s->gorc, &s->gorch); return true;
	case SIM_GOTCL: *v = rc_lo(&s->gotc, &s->gotch); return true;
	case SIM_GOTCH: *v = rc_hi(&s->gotc, &s->gotch); return true;
	case SIM_TORL: *v = rc_lo(&s->tor, &s->torh); return true;
	case SIM_TORH: *v = rc_hi(&s->tor, &s->torh); return true;
	}
	if (off >= SIM_PRC64 && off < SIM_PRC64 + 24) {
		*v = rc32(&s->prc[(off - SIM_PRC64) / 4]);
		return true;
	}
	if (off >= SIM_PTC64 && off < SIM_PTC64 + 24) {
		*v = rc32(&s->ptc[(off - SIM_PTC64) / 4]);
		return true;
	}
	if (off >= SIM_MPC(0) && off <= SIM_MPC(7)) {
		*v = rc32(&s->mpc[(off - SIM_MPC(0)) / 4]);
		return true;
	}
	if (off >= SIM_QPTC(0) && off <= SIM_QPTC(15)) {
		*v = rc32(&s->qptc[(off - SIM_QPTC(0)) / 4]);
		return true;
	}
	if (off >= SIM_QBTCL(0) && off <= SIM_QBTCH(15)) {
		unsigned i = (off - SIM_QBTCL(0)) / 8;
		*v = (off & 4) ? rc_hi(&s->qbtc[i], &s->qbtch[i]) : rc_lo(&s->qbtc[i], &s->qbtch[i]);
		return true;
	}
	uint32_t r;
	int q = rx_queue_of(off, &r);
	if (q >= 0 && q < 16 && r == 0x30) {
		*v = rc32(&s->qprc[q]);
		return true;
	}
	if (q >= 0 && q < 16 && (r == 0x34 || r == 0x38)) {
		*v = r == 0x34 ? rc_lo(&s->qbrc[q], &s->qbrch[q]) : rc_hi(&s->qbrc[q], &s->qbrch[q]);
		return true;
	}
	if (q >= 16 && q < 32 && r == 0x30) {
		*v = rc32(&s->qprdc[q - 16]);
		return true;
	}
	return false;
}

uint32_t ixy_sim_reg_read(struct ixy_sim *sim, uint32_t reg)
{
	if (!sim) {
		ixy_error(-EINVAL, "ixy_sim_reg_read: no port given (NULL)");
		return 0xffffffffu;
	}
	uint32_t off = alias(reg), v, r;
	if (off >= SIM_BAR0_SIZE || (off & 3)) {
		sim_lock(sim);
		sim_violation(sim, "read of register 0x%05" PRIx32 ": outside BAR0 (128 KiB) or not 4-byte aligned", reg);
		sim_unlock(sim);
		return 0xffffffffu;	/* what a PCIe read of nothing returns */
	}
	sim_lock(sim);
	uint64_t now = sim_now_ns();
	if (__builtin_expect(sim->rst_quiet, 0))
		reset_quiet_check(sim, now, false, reg, 0);
	if (stat_read(sim, off, &v) || board_read(sim, off, now, &v) || sim_ptp_read(sim, off, now, &v))
		goto out;
	if (sim_irq_reg(off)) {
		v = sim_irq_read(sim, off, now);
		goto out;
	}
	switch (off) {
	case SIM_CTRL:	/* RST reads 1 while the reset is still going on */
		v = sim_reg(sim, SIM_CTRL) | (sim->rst_quiet ? SIM_CTRL_RST : 0);
		goto out;
	case SIM_STATUS:
		sim_link_update(sim, now);
		v = sim_reg(sim, SIM_STATUS) | (sim->link_up ? SIM_STATUS_LINKUP : 0);
		if (sim_reg(sim, SIM_CTRL) & SIM_CTRL_GIO_DIS)
			v &= ~SIM_STATUS_GIO;
		goto out;
	case SIM_LINKS:
		sim_link_update(sim, now);
		v = links_value(sim);
		goto out;
	case SIM_ESDP:
		/* SFP+ boards: SDP2, while an input, is the cage's module
		 * presence (1 = a module is in) */
		v = sim_reg(sim, SIM_ESDP);
		if (sim->media == SIM_MEDIA_SFP && !(v & SIM_ESDP_SDP2_DIR))
			v = (v & ~SIM_ESDP_SDP2) | (sim_sfp_present(sim) ? SIM_ESDP_SDP2 : 0);
		goto out;
	case SIM_ANLP1:
		/* 19:16 AN arbitration state: the model's AN leaves state 0 as
		 * soon as it is restarted (the drivers' pipeline reset waits
		 * for that); the link partner's pages are not modelled */
		v = 1u << SIM_ANLP1_AN_STATE_SHIFT;
		goto out;
	case SIM_RDRXCTL:
		v = sim_reg(sim, SIM_RDRXCTL) | (reset_in_progress(sim, now) ? 0 : SIM_RDRXCTL_DMAIDONE);
		goto out;
	case SIM_SECRXSTAT:
		/* 8.2.3.12.6 SECRX_RDY: the path is halted (RX_DIS, 4.6.7 step
		 * 11) and empty - which the model's is at once */
		v = (sim_reg(sim, SIM_SECRXCTRL) & SIM_SECRXCTRL_RX_DIS) ? SIM_SECRXSTAT_RDY : 0;
		goto out;
	case SIM_SECTXSTAT:
		v = (sim_reg(sim, SIM_SECTXCTRL) & SIM_SECTXCTRL_TX_DIS) ? SIM_SECTXSTAT_RDY : 0;
		goto out;
	}
	/* tails may have been stored by the driver without the lock */
	v = __atomic_load_n(&sim->bar[off / 4], __ATOMIC_ACQUIRE);
	if (!sim_reg_known_for(sim, off))
		sim_unknown_access(sim, off, false);
	int q = rx_queue_of(off, &r);
	if (q >= 0 && r == 0x10 && sim->rxq[q].enabled)
		v = sim->rxq[q].head;
	q = tx_queue_of(off, &r);
	if (q >= 0 && r == 0x10 && sim->txq[q].enabled)
		v = sim->txq[q].head;
out:
	if (__builtin_expect(sim->trace != NULL, 0))
		sim_trace_access(sim, now, false, reg, v);
	sim_irq_poll(sim, now);	/* e.g. LSC from a STATUS/LINKS read */
	sim_unlock(sim);
	return v;
}

/* Bits a ring register keeps (8.2.3.8.1/3, 8.2.3.9.5/7): the base's low 7
 * bits and the length's bits 6:0 and 31:20 read 0 whatever is written
 * (Linux's ethtool register test writes them and expects 0 back). */
static uint32_t ring_reg_mask(uint32_t r)
{
	switch (r) {
	case 0x00: return 0xffffff80u;	/* RDBAL/TDBAL */
	case 0x08: return 0x000fff80u;	/* RDLEN/TDLEN */
	}
	return 0xffffffffu;
}

static void rx_queue_write(struct ixy_sim *sim, unsigned q, uint32_t r, uint32_t off, uint32_t val)
{
	struct sim_rxq *rq = &sim->rxq[q];
	const char *name = NULL;
	switch (r) {
	case 0x00: name = "RDBAL"; break;
	case 0x04: name = "RDBAH"; break;
	case 0x08: name = "RDLEN"; break;
	case 0x10: name = "RDH"; break;
	case 0x14: name = "SRRCTL"; break;
	}
	/* 4.6.7.1 / 8.2.3.8: the ring is programmed while the queue is
	 * disabled; once enabled the hardware owns the head. Narrowed to what
	 * changes the running ring (docs/sim.md, "Violations under Linux's
	 * driver"): SRRCTL.DROP_EN is a policy bit Intel's drivers flip on
	 * live queues (Linux's ixgbe_set_rx_drop_en at every link-up, a
	 * read-modify-write that usually rewrites the same value), and RDH
	 * written with the head it already has (DPDK's queue start writes
	 * RDH = 0 after RXDCTL.ENABLE) changes nothing. */
	bool harmless = (r == 0x14 && !((sim_reg(sim, off) ^ val) & ~SIM_SRRCTL_DROP_EN)) ||
			(r == 0x10 && val == rq->head);
	if (name && rq->enabled && !harmless)
		sim_violation(sim, "%s[%u] written (0x%08" PRIx32 ") while RX queue %u is enabled "
			      "(RXDCTL.ENABLE=1): program the ring before enabling the queue (datasheet 4.6.7.1)",
			      name, q, val, q);
	if (r == 0x14 && rq->enabled)
		rq->drop_en = val & SIM_SRRCTL_DROP_EN;	/* takes effect for the next frame */
	if (r == 0x00 && (val & 0x7f))
		sim_violation(sim, "RDBAL[%u] = 0x%08" PRIx32 ": the RX ring base must be 128-byte aligned "
			      "(datasheet 8.2.3.8.1)", q, val);
	if (r == 0x08 && (val & 0x7f))
		sim_violation(sim, "RDLEN[%u] = %" PRIu32 ": the RX ring length must be a multiple of 128 bytes "
			      "(8 descriptors, datasheet 8.2.3.8.3)", q, val);
	if (r == 0x18) {
		__atomic_store_n(&sim->bar[off / 4], val, __ATOMIC_RELEASE);
		return;
	}
	if (r == 0x28) {
		bool on = val & SIM_RXDCTL_ENABLE, was = sim_reg(sim, off) & SIM_RXDCTL_ENABLE;
		sim_setreg(sim, off, val);
		rq->vme = val & SIM_RXDCTL_VME;	/* may change while enabled (drivers toggle it) */
		if (on != was)
			sim_rxq_enable(sim, q, on);
		return;
	}
	if (r == 0x10 && rq->enabled)
		return;	/* the head belongs to the hardware */
	sim_setreg(sim, off, val & ring_reg_mask(r));
}

static void tx_queue_write(struct ixy_sim *sim, unsigned q, uint32_t r, uint32_t off, uint32_t val)
{
	struct sim_txq *tq = &sim->txq[q];
	const char *name = NULL;
	switch (r) {
	case 0x00: name = "TDBAL"; break;
	case 0x04: name = "TDBAH"; break;
	case 0x08: name = "TDLEN"; break;
	case 0x10: name = "TDH"; break;
	}
	/* as for RX: the head written with the value it has changes nothing */
	if (name && tq->enabled && !(r == 0x10 && val == tq->head))
		sim_violation(sim, "%s[%u] written (0x%08" PRIx32 ") while TX queue %u is enabled "
			      "(TXDCTL.ENABLE=1): program the ring before enabling the queue (datasheet 4.6.8)",
			      name, q, val, q);
	if (r == 0x00 && (val & 0x7f))
		sim_violation(sim, "TDBAL[%u] = 0x%08" PRIx32 ": the TX ring base must be 128-byte aligned "
			      "(datasheet 8.2.3.9.5)", q, val);
	if (r == 0x08 && (val & 0x7f))
		sim_violation(sim, "TDLEN[%u] = %" PRIu32 ": the TX ring length must be a multiple of 128 bytes "
			      "(8 descriptors, datasheet 8.2.3.9.7)", q, val);
	if (r == 0x18) {
		__atomic_store_n(&sim->bar[off / 4], val, __ATOMIC_RELEASE);
		return;
	}
	if (r == 0x28) {
		uint32_t old = sim_reg(sim, off);
		bool on = val & SIM_TXDCTL_ENABLE, was = old & SIM_TXDCTL_ENABLE;
		sim_setreg(sim, off, val & ~SIM_TXDCTL_SWFLSH);	/* self-clearing */
		if (was && !on)
			sim_txq_wb_flush(sim, q);	/* what was sent is reported before the queue stops */
		if (on != was)
			sim_txq_enable(sim, q, on);
		/* thresholds are checked when the queue starts or they change
		 * while it runs */
		sim_txq_config(sim, q, val, on && (!was || ((old ^ val) & 0x7f7f7fu)));
		return;
	}
	if (r == 0x10 && tq->enabled)
		return;
	sim_setreg(sim, off, val & ring_reg_mask(r));
}

void ixy_sim_reg_write(struct ixy_sim *sim, uint32_t reg, uint32_t val)
{
	if (!sim) {
		ixy_error(-EINVAL, "ixy_sim_reg_write: no port given (NULL)");
		return;
	}
	uint32_t off = alias(reg), r;
	int q;
	sim_lock(sim);
	uint64_t now = sim_now_ns();
	sim->cfg_dirty = true;	/* the receive path rebuilds sim->rx before the next frame */
	if (__builtin_expect(sim->trace != NULL, 0))
		sim_trace_access(sim, now, true, reg, val);
	if (off >= SIM_BAR0_SIZE || (off & 3)) {
		sim_violation(sim, "write of 0x%08" PRIx32 " to register 0x%05" PRIx32
			      ": outside BAR0 (128 KiB) or not 4-byte aligned", val, reg);
		goto out;
	}
	if (__builtin_expect(sim->rst_quiet, 0))
		reset_quiet_check(sim, now, true, off, val);
	if ((q = rx_queue_of(off, &r)) >= 0 && r <= 0x28 && r != 0x0c) {
		rx_queue_write(sim, (unsigned)q, r, off, val);
		goto out;
	}
	if ((q = tx_queue_of(off, &r)) >= 0 && (r <= 0x28 && r != 0x0c)) {
		tx_queue_write(sim, (unsigned)q, r, off, val);
		goto out;
	}
	if (q >= 0 && r == 0x38) {	/* TDWBAL: head write-back on or off */
		bool changed = (sim_reg(sim, off) ^ val) & SIM_TDWBAL_HEAD_WB_EN;
		sim_setreg(sim, off, val);
		if (changed && sim->txq[q].enabled)
			sim_txq_config(sim, (unsigned)q, sim_reg(sim, SIM_TXDCTL(q)), true);
		goto out;
	}
	if (sim_irq_reg(off)) {
		sim_irq_write(sim, off, val, now);
		goto out;
	}
	uint32_t dummy;
	if (board_write(sim, off, val, now) || sim_ptp_write(sim, off, val, now))
		goto out;
	switch (off) {
	case SIM_CTRL:
		/* RST, and LRST which resets everything RST does and the
		 * link too: back to reset values, self-clearing */
		if (val & (SIM_CTRL_RST | SIM_CTRL_LRST)) {
			if (sim->mac != SIM_MAC_82599)
				phy_semaphore_check(sim, now);
			sim_reset(sim, false, val & SIM_CTRL_LRST);
			goto out;
		}
		sim_setreg(sim, SIM_CTRL, val);
		goto out;
	case SIM_STATUS:
	case SIM_LINKS:
	case SIM_ANLP1:
	case SIM_SECRXSTAT:
	case SIM_SECTXSTAT:
		goto out;	/* read-only */
	case SIM_AUTOC:
		sim_setreg(sim, SIM_AUTOC, val & ~SIM_AUTOC_RESTART_AN);
		if (val & SIM_AUTOC_RESTART_AN)
			sim_link_restart(sim, now);
		goto out;
	case SIM_ESDP: {
		bool was_off = laser_off(sim);
		sim_setreg(sim, SIM_ESDP, val);
		if (was_off && !laser_off(sim))
			sim_link_restart(sim, now);	/* the laser lights up, the link trains */
		sim_link_update(sim, now);
		goto out;
	}
	case SIM_RDRXCTL:
		sim_setreg(sim, SIM_RDRXCTL, val & ~SIM_RDRXCTL_DMAIDONE);
		goto out;
	case SIM_RXCTRL: {
		bool on = val & SIM_RXCTRL_RXEN, was = sim_reg(sim, SIM_RXCTRL) & SIM_RXCTRL_RXEN;
		sim_setreg(sim, SIM_RXCTRL, val);
		if (on && !was) {
			if (reset_in_progress(sim, now))
				sim_violation(sim, "RXCTRL.RXEN set before RDRXCTL.DMAIDONE: wait for the DMA "
					      "initialisation to finish after reset (datasheet 4.6.3)");
			bool hl = sim_reg(sim, SIM_HLREG0) & SIM_HLREG0_RXCRCSTRP;
			bool rd = sim_reg(sim, SIM_RDRXCTL) & SIM_RDRXCTL_CRCSTRIP;
			if (hl != rd)
				sim_violation(sim, "receive enabled with HLREG0.RXCRCSTRP=%d but RDRXCTL.CRCSTRIP=%d: "
					      "both must be set the same way (datasheet 8.2.3.8.8)", hl, rd);
			rx_buffer_check(sim);
		}
		goto out;
	}
	}
	if (off >= SIM_RAH(0) && off <= SIM_RAH(127) && !((off - SIM_RAH(0)) & 7)) {
		/* reserved bits read 0 (8.2.3.7.9); the 82598 aliases land here too */
		sim_setreg(sim, off, val & SIM_RAH_WRITABLE);
		goto out;
	}
	if ((off >= SIM_RQSMR(0) && off <= SIM_RQSMR(31)) || (off >= SIM_TQSM(0) && off <= SIM_TQSM(31))) {
		sim_setreg(sim, off, val);
		update_statidx(sim);
		goto out;
	}
	struct sim_stats saved = sim->st;
	if (stat_read(sim, off, &dummy)) {
		sim->st = saved;	/* the probe must not clear the counter */
		sim_violation(sim, "write of 0x%08" PRIx32 " to statistics register 0x%05" PRIx32
			      ": statistics are read-only (read-to-clear, datasheet 8.2.3.23)", val, reg);
		goto out;
	}
	if (!sim_reg_known_for(sim, off))
		sim_unknown_access(sim, off, true);
	sim_setreg(sim, off, val);
out:
	sim_irq_poll(sim, now);	/* causes this access raised (LSC, a TX write-back flush) */
	sim_unlock(sim);
}
