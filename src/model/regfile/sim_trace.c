/* The virtual 82599: a record of every register access of the driver.
 *
 * One line per access, in one format whoever drives the port (libixy's
 * ixgbe directly, Linux's ixgbe through ixy-simd's BAR0), so that two
 * drivers' init sequences can be put side by side
 * (scripts/uml-trace-diff.sh). Turned on with the spec option trace=PATH or
 * ixy_sim_trace(). Called with the domain lock held, so lines of one port
 * never interleave.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "model/sim_internal.h"

int ixy_sim_trace(struct ixy_sim *sim, const char *path)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_trace: no port given (NULL)");
	FILE *f = NULL;
	if (path) {
		f = fopen(path, "w");
		if (!f)
			return ixy_error(-errno, "sim %s: cannot write the register trace %s: %s", sim->name, path,
					 strerror(errno));
		/* whole lines reach the file as they happen: a trace of a
		 * process that is killed ends at its last access */
		setvbuf(f, NULL, _IOLBF, 0);
	}
	sim_lock(sim);
	FILE *old = sim->trace;
	sim->trace = f;
	sim->trace_t0 = sim_now_ns();
	sim_unlock(sim);
	if (old)
		fclose(old);
	return 0;
}

void sim_trace_access(struct ixy_sim *sim, uint64_t now, bool write, uint32_t reg, uint32_t val)
{
	uint64_t ns = now - sim->trace_t0;
	fprintf(sim->trace, "%10" PRIu64 ".%03u %c 0x%05" PRIx32 " 0x%08" PRIx32 "\n", ns / 1000, (unsigned)(ns % 1000),
		write ? 'W' : 'R', reg, val);
}

void ixy_sim_trace_note(struct ixy_sim *sim, const char *text)
{
	if (!sim || !text)
		return;
	sim_lock(sim);
	if (sim->trace) {
		uint64_t ns = sim_now_ns() - sim->trace_t0;
		fprintf(sim->trace, "%10" PRIu64 ".%03u # %s\n", ns / 1000, (unsigned)(ns % 1000), text);
	}
	sim_unlock(sim);
}

void sim_trace_close(struct ixy_sim *sim)
{
	if (sim->trace)
		fclose(sim->trace);
	sim->trace = NULL;
}
