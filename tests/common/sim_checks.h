/* Checks every test of a driver or model against the virtual 82599 ends
 * with. Header-only (cmocka's asserts report the caller's line). */
#ifndef IXY_TEST_SIM_CHECKS_H
#define IXY_TEST_SIM_CHECKS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ixy/sim.h"

/* The model recorded no violation of the driver/DMA protocol; when it did,
 * each one is printed first, so the log says what broke, not only how
 * many. */
#define assert_no_sim_violations(sim)                                                          \
	do {                                                                                    \
		unsigned n_violations_ = ixy_sim_violation_count(sim);                          \
		for (unsigned i_violation_ = 0; i_violation_ < n_violations_; i_violation_++)   \
			print_message("violation: %s\n", ixy_sim_violation((sim), i_violation_)); \
		assert_int_equal(n_violations_, 0);                                             \
	} while (0)

#endif
