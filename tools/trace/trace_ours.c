/* ixy-trace-ours: libixy's ixgbe through the steps the UML trace job takes
 * Linux's ixgbe through (tests/uml/trace/linux.sh), on a sim port that
 * records every register access (trace=FILE), with the phases noted in the
 * trace: open (reset, EEPROM, SFP+, link, queues: Linux's probe and
 * `ip link set up`), then close (Linux's `ip link set down` and unbind).
 * scripts/uml-trace-diff.sh compares the two traces.
 *
 *   ixy-trace-ours 'NAME,device_id=0x10fb,trace=ours.trace[,option...]'
 *
 * Exit 0 when the port opened with link and closed; 1 with one line on
 * stderr otherwise; 2 for bad usage. */
#include <stdio.h>

#include <ixy/device.h>
#include <ixy/sim.h>
#include <ixy/error.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ixy-trace-ours 'NAME,trace=FILE[,sim option...]'\n");
		return 2;
	}
	struct ixy_sim *sim = ixy_sim_open_spec(argv[1]);
	if (!sim) {
		fprintf(stderr, "ixy-trace-ours: %s\n", ixy_last_error());
		return 1;
	}
	ixy_sim_trace_note(sim, "phase open");
	struct ixy_config cfg = { 0 };
	struct ixy_device *dev = ixy_open_sim(sim, &cfg);
	if (!dev) {
		fprintf(stderr, "ixy-trace-ours: %s\n", ixy_last_error());
		ixy_sim_destroy(sim);
		return 1;
	}
	ixy_sim_trace_note(sim, "phase close");
	ixy_close(dev);
	ixy_sim_trace_note(sim, "phase end");
	ixy_sim_destroy(sim);
	return 0;
}
