/* Fuzz target: the sim port spec parser (src/model/sim_spec.c,
 * ixy_sim_open_spec) and the wires it attaches.
 *
 * The input is up to four specs, one per line, opened in order (so pairs
 * form: "a,wire=pair:b" then "b"). Stepped ports are stepped a few rounds,
 * then every port is destroyed, and the harness checks that none is left
 * in the registry. Checks besides memory safety: a port that opens has
 * the name its spec starts with and is found under it; a refusal returns
 * NULL with an error code and a message.
 *
 * Left out on purpose, because they reach outside the process: iface:
 * (AF_PACKET on a real interface) and shm: (files in /dev/shm that another
 * process may be using; fuzz_shm_wire covers that wire). pcap: and trace=
 * file names may not contain '/': the harness works in a scratch directory
 * of its own (fuzz_util.h), so files the specs name land there and are
 * removed after each input. */
#include <dirent.h>

#include "fuzz_util.h"
#include "ixy/error.h"
#include "ixy/sim.h"

#define MAX_SPECS 4
#define STEPS 3

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_dir();
	return 0;
}

/* Remove whatever the wires created in the scratch directory. */
static void clean_dir(void)
{
	DIR *d = opendir(".");
	if (!d)
		fuzz_fail("cannot list the scratch directory");
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(e->d_name);
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4 * 1100)
		return 0;
	char *text = fuzz_cstr(data, size);
	if (strstr(text, "iface") || strstr(text, "shm") || strchr(text, '/')) {
		free(text);
		return 0;
	}

	struct ixy_sim *ports[MAX_SPECS];
	char names[MAX_SPECS][1100];
	int nports = 0;
	char *save = NULL;
	int nspecs = 0;
	for (char *spec = strtok_r(text, "\n", &save); spec && nspecs < MAX_SPECS;
	     spec = strtok_r(NULL, "\n", &save), nspecs++) {
		struct ixy_sim *sim = ixy_sim_open_spec(spec);
		if (!sim) {
			const char *msg = ixy_last_error();
			FUZZ_CHECK(msg && msg[0], "spec \"%s\" refused without a message", spec);
			continue;
		}
		/* the name is the spec up to the first ',' (strtok: leading commas skipped) */
		size_t skip = strspn(spec, ",");
		size_t n = strcspn(spec + skip, ",");
		FUZZ_CHECK(n < sizeof(names[0]), "name too long");
		memcpy(names[nports], spec + skip, n);
		names[nports][n] = '\0';
		FUZZ_CHECK(strcmp(ixy_sim_name(sim), names[nports]) == 0,
			   "spec \"%s\" opened a port named \"%s\"", spec, ixy_sim_name(sim));
		FUZZ_CHECK(ixy_sim_find(names[nports]) == sim, "port \"%s\" is not found under its name",
			   names[nports]);
		ports[nports++] = sim;
	}

	for (int s = 0; s < STEPS; s++)
		for (int i = 0; i < nports; i++)
			if (ixy_sim_mode(ports[i]) == IXY_SIM_STEPPED)
				ixy_sim_step(ports[i]);

	for (int i = nports - 1; i >= 0; i--)
		ixy_sim_destroy(ports[i]);
	for (int i = 0; i < nports; i++)
		FUZZ_CHECK(!ixy_sim_find(names[i]), "port \"%s\" is still registered after ixy_sim_destroy",
			   names[i]);
	clean_dir();
	free(text);
	return 0;
}
