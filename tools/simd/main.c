/* ixy-simd: serve virtual 82599 ports to User-Mode Linux (PCI over virtio).
 *
 *   ixy-simd --socket /tmp/a.sock 'sim:a,wire=pair:b' --socket /tmp/b.sock 'sim:b,wire=pair:a'
 *   linux ... virtio_uml.device=/tmp/a.sock:1234 virtio_uml.device=/tmp/b.sock:1234
 *
 * Runs until SIGINT/SIGTERM, then prints per port what the model recorded
 * (violations, DMA faults) and exits 0. See docs/simd.md.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"

#define PROG "ixy-simd"

static struct simd_server server;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [--trace] --socket PATH PORT [--socket PATH PORT ...]\n"
		"Serve each PORT (a virtual 82599: sim:NAME[,wire=...][,options], see docs/sim.md) as a PCI\n"
		"function to User-Mode Linux over vhost-user on the unix socket PATH. Boot UML with\n"
		"virtio_uml.device=PATH:1234 (1234: the PCI-over-virtio device id of scripts/uml-kernel.sh).\n"
		"  --socket PATH PORT   listen on PATH for the UML that drives PORT (up to 8 ports)\n"
		"  --trace              log every config-space and BAR access and every interrupt\n"
		"  --no-realtime        do not run the poll loop as a real-time (SCHED_FIFO) thread\n"
		"  -h, --help           this text\n"
		"Stops on SIGINT/SIGTERM and prints per port: violations, DMA faults, sessions.\n");
}

static void on_signal(int sig)
{
	(void)sig;
	simd_server_stop(&server);
}

int main(int argc, char **argv)
{
	const char *socks[8], *specs[8];
	unsigned n = 0;
	bool trace = false, realtime = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--trace") == 0) {
			trace = true;
		} else if (strcmp(a, "--no-realtime") == 0) {
			realtime = false;
		} else if (strcmp(a, "--socket") == 0) {
			if (i + 2 >= argc) {
				fprintf(stderr, PROG ": --socket needs a socket path and a port (see --help)\n");
				return 2;
			}
			if (n == 8) {
				fprintf(stderr, PROG ": at most 8 ports (UML serves 8 PCI devices)\n");
				return 2;
			}
			socks[n] = argv[++i];
			specs[n++] = argv[++i];
		} else {
			fprintf(stderr, PROG ": unknown argument \"%s\" (see --help)\n", a);
			return 2;
		}
	}
	if (n == 0) {
		fprintf(stderr, PROG ": no port given: --socket PATH sim:NAME[,...] (see --help)\n");
		return 2;
	}
	if (simd_server_init(&server) < 0)
		return 1;
	server.trace = trace;
	for (unsigned i = 0; i < n; i++) {
		if (simd_server_add(&server, socks[i], specs[i]) < 0) {
			simd_server_free(&server);
			return 1;
		}
	}
	/* UML busy-waits at most 40000 us-steps for each read's reply and
	 * breaks the device when one is late: on a loaded machine a normal
	 * thread can wait that long for a CPU. The poll loop sleeps in epoll
	 * and works only when UML asks, so it may run real-time; the model's
	 * engine thread (created with the ports, before this) stays normal and
	 * inherits the priority only while it holds a lock we wait for. */
	if (realtime) {
		struct sched_param sp = { .sched_priority = 10 };
		int e = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
		if (e)
			fprintf(stderr, PROG ": running without real-time priority (%s): on a busy machine UML may "
				"time out waiting for a reply\n", strerror(e));
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (unsigned i = 0; i < n; i++)
		fprintf(stderr, PROG ": port %s (device 8086:%04x) on %s\n", server.ports[i]->name,
			server.ports[i]->fn.device_id, server.ports[i]->sock_path);
	int r = simd_server_run(&server);
	simd_server_report(&server, stdout);
	fflush(stdout);
	simd_server_free(&server);
	if (r < 0) {
		fprintf(stderr, PROG ": poll loop failed: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
