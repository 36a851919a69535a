/* The software/firmware semaphores of the 82599 (and X540/X550).
 *
 * Two drivers (one per port) and the manageability firmware share the
 * EEPROM, the PHYs and the SFP+ I2C buses, and the MAC registers that set
 * up the link (AUTOC, CORECTL). SW_FW_SYNC holds one bit per resource for
 * software and one (the same bit << 5) for the firmware. Changing it is
 * itself guarded by SWSM:
 *  - SWSM.SMBI arbitrates between software agents: a read that sees 0
 *    sets it, and the reader then owns it;
 *  - SWSM.SWESMBI arbitrates between software and firmware: software
 *    writes 1 and owns it if it reads back 1.
 * Holding both, software reads SW_FW_SYNC, sets its bit if neither bit of
 * the resource is set, and gives SWSM back at once. The resource bit is
 * held for the whole access and cleared the same way.
 *
 * The X540 and X550 guard SW_FW_SYNC differently: SMBI still arbitrates
 * between software agents, but the software/firmware arbiter is bit 31 of
 * SW_FW_SYNC itself (REGSMP), read-to-set like SMBI; SWESMBI is unused.
 * Linux also pauses 5 ms after taking and after giving back a resource on
 * these MACs (room for the firmware); so does this driver.
 *
 * Every wait is bounded. A bit left set by a process that died holding it
 * would block the port forever, so after the bound the driver clears the
 * stale bits (as Linux does) and tries once more. On the X540/X550 a bit
 * the firmware (or, for the EEPROM, the hardware's flash access) keeps for
 * longer than the bound is taken over rather than cleared: Linux does
 * that there, the firmware is taken to have failed. */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"

#define SWSM_TRIES      2000u   /* x 50 us: 100 ms, as long as Linux waits */
#define SWSM_POLL_US    50u
#define SWFW_TRIES      200u    /* x 5 ms: 1 s */
#define SWFW_POLL_US    5000u
#define X540_PAUSE_US   5000u   /* after taking and after giving back, as Linux */

/* X540/X550: REGSMP in SW_FW_SYNC instead of SWSM.SWESMBI. */
static bool regsmp_guard(const struct ixgbe_dev *d)
{
	return d->id->mac == IXGBE_MAC_X540 || d->id->mac == IXGBE_MAC_X550;
}

static void swsm_release(struct ixgbe_dev *d)
{
	if (regsmp_guard(d)) {
		ixgbe_clear_bits(d, IXGBE_SW_FW_SYNC, IXGBE_SWFW_REGSMP);
		ixgbe_clear_bits(d, IXGBE_SWSM, IXGBE_SWSM_SMBI);
		return;
	}
	ixgbe_clear_bits(d, IXGBE_SWSM, IXGBE_SWSM_SMBI | IXGBE_SWSM_SWESMBI);
}

/* REGSMP: a read that finds it clear has set it for us. */
static int regsmp_take(struct ixgbe_dev *d)
{
	for (uint32_t i = 0; i < SWSM_TRIES; i++) {
		if (!(ixgbe_read(d, IXGBE_SW_FW_SYNC) & IXGBE_SWFW_REGSMP))
			return 0;
		if (d->gone)
			return ixy_error(-ENODEV, "%s: SW_FW_SYNC reads all ones: the device is gone", d->ixy.name);
		ixgbe_delay_us(d, SWSM_POLL_US);
	}
	ixgbe_clear_bits(d, IXGBE_SWSM, IXGBE_SWSM_SMBI);
	return ixy_error(-EBUSY, "%s: the firmware did not release SW_FW_SYNC.REGSMP (bit 31) within %u ms; the "
			 "manageability firmware may be hung: power-cycle the machine", d->ixy.name,
			 SWSM_TRIES * SWSM_POLL_US / 1000);
}

/* Reads SMBI until a read finds it clear (that read set it for us). */
static bool smbi_take(struct ixgbe_dev *d)
{
	for (uint32_t i = 0; i < SWSM_TRIES; i++) {
		if (!(ixgbe_read(d, IXGBE_SWSM) & IXGBE_SWSM_SMBI))
			return true;
		if (d->gone)
			return false;
		ixgbe_delay_us(d, SWSM_POLL_US);
	}
	return false;
}

/* Both SWSM bits, or -EBUSY / -ENODEV with a message. */
static int swsm_take(struct ixgbe_dev *d)
{
	if (!smbi_take(d)) {
		if (d->gone)
			return ixy_error(-ENODEV, "%s: SWSM reads all ones: the device is gone", d->ixy.name);
		/* Held for 100 ms: another driver died holding it. Clear it
		 * and look once more. */
		ixgbe_clear_bits(d, IXGBE_SWSM,
				 regsmp_guard(d) ? IXGBE_SWSM_SMBI : IXGBE_SWSM_SMBI | IXGBE_SWSM_SWESMBI);
		ixgbe_delay_us(d, SWSM_POLL_US);
		if (ixgbe_read(d, IXGBE_SWSM) & IXGBE_SWSM_SMBI)
			return ixy_error(-EBUSY, "%s: software semaphore SWSM.SMBI stays taken even after clearing "
					 "it (another driver on this port?); unload it or power-cycle the machine",
					 d->ixy.name);
	}
	if (regsmp_guard(d))
		return regsmp_take(d);
	for (uint32_t i = 0; i < SWSM_TRIES; i++) {
		ixgbe_set_bits(d, IXGBE_SWSM, IXGBE_SWSM_SWESMBI);
		if (ixgbe_read(d, IXGBE_SWSM) & IXGBE_SWSM_SWESMBI)
			return 0;
		ixgbe_delay_us(d, SWSM_POLL_US);
	}
	swsm_release(d);
	return ixy_error(-EBUSY, "%s: the firmware did not grant SWSM.SWESMBI within %u ms; the manageability "
			 "firmware may be hung: power-cycle the machine", d->ixy.name, SWSM_TRIES * SWSM_POLL_US / 1000);
}

/* One attempt: 0 if we now hold mask, 1 if someone else holds part of it
 * (*held tells which bits), <0 on error. */
static int swfw_try(struct ixgbe_dev *d, uint32_t mask, uint32_t *held)
{
	int rc = swsm_take(d);
	if (rc)
		return rc;
	uint32_t v = ixgbe_read(d, IXGBE_SW_FW_SYNC);
	/* X540/X550: while software asks for the EEPROM, the flash bit
	 * means the hardware is using it */
	uint32_t hw = regsmp_guard(d) && (mask & IXGBE_SWFW_EEP) ? IXGBE_SWFW_FLASH : 0;
	*held = v & (mask | mask << IXGBE_SWFW_FW_SHIFT | hw);
	if (!*held)
		ixgbe_write(d, IXGBE_SW_FW_SYNC, v | mask);
	swsm_release(d);
	return *held ? 1 : 0;
}

int ixgbe_swfw_acquire(struct ixgbe_dev *d, uint32_t mask, const char *what)
{
	uint32_t held = 0;
	int rc;

	for (uint32_t i = 0; i < SWFW_TRIES; i++) {
		if ((rc = swfw_try(d, mask, &held)) <= 0)
			goto out;
		ixgbe_delay_us(d, SWFW_POLL_US);
	}
	/* A second above anything the firmware or another driver needs:
	 * the holder is gone. Clear its bits (Linux does the same) and try
	 * once more. */
	if ((rc = swsm_take(d)))
		return rc;
	uint32_t now = ixgbe_read(d, IXGBE_SW_FW_SYNC);
	if (regsmp_guard(d) && !(now & mask)) {
		/* X540/X550, no software holds it (only the firmware or the
		 * hardware, or nobody by now): take it next to their bits, as
		 * Linux does there */
		ixgbe_write(d, IXGBE_SW_FW_SYNC, now | mask);
		swsm_release(d);
		rc = 0;
		goto out;
	}
	ixgbe_clear_bits(d, IXGBE_SW_FW_SYNC, held);
	swsm_release(d);
	if ((rc = swfw_try(d, mask, &held)) > 0)
		return ixy_error(-EBUSY, "%s: %s: semaphore SW_FW_SYNC bits 0x%03x stay taken (%s) even after "
				 "clearing them; power-cycle the machine", d->ixy.name, what, held,
				 held & (mask << IXGBE_SWFW_FW_SHIFT) ? "by the firmware" : "by software");
out:
	if (rc == 0) {
		d->swfw_held |= mask;
		if (regsmp_guard(d))
			ixgbe_delay_us(d, X540_PAUSE_US);
	}
	return rc;
}

void ixgbe_swfw_release(struct ixgbe_dev *d, uint32_t mask)
{
	/* Like Linux, clear the bits even if SWSM cannot be had: keeping
	 * them would block the firmware for good. */
	int rc = swsm_take(d);
	ixgbe_clear_bits(d, IXGBE_SW_FW_SYNC, mask);
	if (rc == 0)
		swsm_release(d);
	else
		ixy_clear_error();
	d->swfw_held &= ~mask;
	if (regsmp_guard(d))
		ixgbe_delay_us(d, X540_PAUSE_US);
}

uint32_t ixgbe_swfw_phy(const struct ixgbe_dev *d)
{
	return d->lan_id ? IXGBE_SWFW_PHY1 : IXGBE_SWFW_PHY0;
}
