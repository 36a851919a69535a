/* The ixgbe control-path register accessor.
 *
 * One small pair of functions for every register access of init, link,
 * filters and statistics: a plain 32-bit volatile MMIO access on hardware,
 * ixy_sim_reg_read/_write on a virtual port (so read-to-clear counters and
 * self-clearing bits behave exactly), and a trace record when tracing is on.
 * The data path does not come here: it writes its tail registers through
 * pointers cached per queue. */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "drivers/ixgbe.h"
#include "error.h"

/* A PCIe read from a device that has fallen off the bus (surprise removal,
 * failed link, FLR in progress) completes with all ones. STATUS has
 * reserved bits that read 0 on a working 82599/X540/X550, so all ones
 * there as well means the device is gone, not that the register happens
 * to hold 0xFFFFFFFF. */
static uint32_t raw_read(struct ixgbe_dev *d, uint32_t reg)
{
	if (d->sim)
		return ixy_sim_reg_read(d->sim, reg);
	return *(volatile uint32_t *)(d->bar0 + reg);
}

uint32_t ixgbe_read(struct ixgbe_dev *d, uint32_t reg)
{
	uint32_t v = raw_read(d, reg);
	if (v == 0xFFFFFFFFu && reg != IXGBE_STATUS && raw_read(d, IXGBE_STATUS) == 0xFFFFFFFFu)
		d->gone = true;
	if (d->trace)
		ixgbe_trace(d, false, reg, v);
	return v;
}

void ixgbe_write(struct ixgbe_dev *d, uint32_t reg, uint32_t val)
{
	if (d->trace)
		ixgbe_trace(d, true, reg, val);
	if (d->sim)
		ixy_sim_reg_write(d->sim, reg, val);
	else
		*(volatile uint32_t *)(d->bar0 + reg) = val;
}

void ixgbe_set_bits(struct ixgbe_dev *d, uint32_t reg, uint32_t bits)
{
	ixgbe_write(d, reg, ixgbe_read(d, reg) | bits);
}

void ixgbe_clear_bits(struct ixgbe_dev *d, uint32_t reg, uint32_t bits)
{
	ixgbe_write(d, reg, ixgbe_read(d, reg) & ~bits);
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void ixgbe_spin_us(uint32_t us)
{
	/* The I2C bus wants a few microseconds between edges; a sleep would
	 * take 50 us or more each and make reading a module take seconds. */
	uint64_t end = now_us() + us;
	while (now_us() < end) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
}

void ixgbe_delay_us(struct ixgbe_dev *d, uint32_t us)
{
	/* A stepped model only moves when stepped: give it a round per
	 * sleep, as time passing would on hardware. */
	if (d->ixy.sim_stepped)
		ixy_sim_step(d->sim);
	usleep(us);
}

int ixgbe_wait(struct ixgbe_dev *d, uint32_t reg, uint32_t mask, uint32_t want, uint32_t timeout_us,
	       const char *what)
{
	char name[32];
	uint64_t deadline = now_us() + timeout_us;
	uint32_t poll_us = 10;
	uint32_t v;

	/* Poll without tracing every iteration; the final value is traced
	 * once, so a trace shows one line per wait, not thousands. */
	for (;;) {
		v = raw_read(d, reg);
		if ((v & mask) == want)
			break;
		if (v == 0xFFFFFFFFu && raw_read(d, IXGBE_STATUS) == 0xFFFFFFFFu) {
			d->gone = true;
			return ixy_error(-ENODEV, "%s: %s: register %s reads all ones: the device is gone "
					 "(removed, or its PCIe link is down); check lspci and dmesg",
					 d->ixy.name, what, ixgbe_reg_name(reg, name, sizeof(name)));
		}
		if (now_us() >= deadline) {
			if (d->trace)
				ixgbe_trace(d, false, reg, v);
			return ixy_error(-ETIMEDOUT, "%s: %s did not complete within %u ms (%s = 0x%08x, "
					 "waiting for bits 0x%08x to be 0x%08x); is the device healthy? try a "
					 "power cycle or reloading the kernel driver once",
					 d->ixy.name, what, (timeout_us + 999) / 1000,
					 ixgbe_reg_name(reg, name, sizeof(name)), v, mask, want);
		}
		ixgbe_delay_us(d, poll_us);
		if (poll_us < 1000)
			poll_us *= 2;
	}
	if (d->trace)
		ixgbe_trace(d, false, reg, v);
	return 0;
}
