/* The virtual 82599: recording what a misprogramming driver did.
 *
 * Each violation is one readable sentence naming the register or queue, the
 * value and the datasheet rule. Tests assert the count is zero for a correct
 * driver, and that each misuse produces its text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model/sim_internal.h"
#include "num.h"

void sim_violation(struct ixy_sim *sim, const char *fmt, ...)
{
	char buf[320];
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(buf, sizeof(buf), "%s: ", sim->name);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (sim->nviol < SIM_MAX_VIOLATIONS)
		sim->viol[sim->nviol] = strdup(buf);
	sim->nviol++;
	bool verbose;
	if (ixy_env_flag("IXY_SIM_VERBOSE", &verbose) == 0 && verbose)	/* "1"; other values: ixy_open refuses them */
		fprintf(stderr, "ixy sim violation: %s\n", buf);
}

unsigned ixy_sim_violation_count(const struct ixy_sim *sim)
{
	if (!sim) {
		ixy_error(-EINVAL, "ixy_sim_violation_count: no port given (NULL)");
		return 0;
	}
	return sim->nviol;
}

const char *ixy_sim_violation(const struct ixy_sim *sim, unsigned i)
{
	if (!sim)
		return ixy_error_null(-EINVAL, "ixy_sim_violation: no port given (NULL)");
	if (i >= sim->nviol)
		return NULL;
	if (i >= SIM_MAX_VIOLATIONS)
		return "(more violations than the model keeps texts for)";
	return sim->viol[i] ? sim->viol[i] : "(out of memory for the violation text)";
}

void ixy_sim_clear_violations(struct ixy_sim *sim)
{
	if (!sim) {
		ixy_error(-EINVAL, "ixy_sim_clear_violations: no port given (NULL)");
		return;
	}
	sim_lock(sim);
	for (unsigned i = 0; i < SIM_MAX_VIOLATIONS; i++) {
		free(sim->viol[i]);
		sim->viol[i] = NULL;
	}
	sim->nviol = 0;
	sim_unlock(sim);
}

uint64_t ixy_sim_dma_faults(const struct ixy_sim *sim)
{
	if (!sim) {
		ixy_error(-EINVAL, "ixy_sim_dma_faults: no port given (NULL)");
		return 0;
	}
	return sim->dma_faults;
}
