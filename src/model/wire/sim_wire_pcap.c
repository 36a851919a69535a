/* The virtual 82599: pcap files as the wire (libpcap).
 *
 * Frames of the RX file arrive as received traffic, back to back at line
 * rate (the file's timestamps are not replayed), optionally in a loop;
 * transmitted frames are appended to the TX file with the time they left,
 * through src/pcap_file.c: a TX file that cannot be written (disk full)
 * stops growing at its last whole frame, and every frame it could not take
 * is counted as a wire error with the file's message (ixy_sim_wire_lost).
 * Captures taken by Linux may hold frames shorter than the 60-byte minimum
 * (the kernel pads only on the wire): they are padded on arrival, as a real
 * wire would have carried them. A record libpcap cannot read ends the
 * replay with a violation (ixy_sim_violation) naming the file. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "model/sim_internal.h"
#include "pcap_file.h"

struct sim_pcap_state {
	pcap_t *rx;
	char rx_path[512];
	bool loop;
	struct ixy_pcap_file *tx;
	uint64_t rx_frames;
};

int sim_pcap_open(struct ixy_sim *sim, const char *rx_file, const char *tx_file, bool loop)
{
	char err[PCAP_ERRBUF_SIZE];
	struct sim_pcap_state *p = calloc(1, sizeof(*p));
	if (!p)
		return ixy_error(-ENOMEM, "sim %s: out of memory", sim->name);
	p->loop = loop;
	if (rx_file && *rx_file) {
		p->rx = pcap_open_offline(rx_file, err);
		if (!p->rx) {
			free(p);
			return ixy_error(-ENOENT, "sim %s: cannot open pcap file %s for replay: %s", sim->name, rx_file,
					 err);
		}
		int dlt = pcap_datalink(p->rx);
		if (dlt != DLT_EN10MB) {
			pcap_close(p->rx);
			free(p);
			return ixy_error(-EINVAL, "sim %s: pcap file %s is not Ethernet (link type %d): only "
					 "DLT_EN10MB captures can be replayed", sim->name, rx_file, dlt);
		}
		snprintf(p->rx_path, sizeof(p->rx_path), "%s", rx_file);
	}
	if (tx_file && *tx_file) {
		p->tx = ixy_pcap_file_create(tx_file, SIM_MAX_FRAME, false);
		if (!p->tx) {
			ixy_error_prefix("sim %s: transmitted frames", sim->name);
			if (p->rx)
				pcap_close(p->rx);
			free(p);
			return ixy_last_error_code();
		}
	}
	sim->pcap = p;
	return 0;
}

void sim_pcap_close(struct ixy_sim *sim)
{
	struct sim_pcap_state *p = sim->pcap;
	if (!p)
		return;
	if (p->tx && ixy_pcap_file_close(p->tx) < 0)
		sim_wire_error(sim, 0, ixy_last_error());	/* (the frames were counted when lost) */
	if (p->rx)
		pcap_close(p->rx);
	free(p);
	sim->pcap = NULL;
}

void sim_pcap_tx(struct ixy_sim *sim, const struct sim_frame *f)
{
	struct sim_pcap_state *p = sim->pcap;
	if (!p || !p->tx)
		return;
	uint32_t n = (uint32_t)sim_frame_flatten(f, sim->scratch, SIM_MAX_FRAME);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* written at once, so the file can be read while the port runs */
	if (ixy_pcap_file_add(p->tx, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, sim->scratch, n, n) < 0 ||
	    ixy_pcap_file_flush(p->tx) < 0)
		sim_wire_error(sim, 1, ixy_pcap_file_error(p->tx));
}

int sim_pcap_rx_round(struct ixy_sim *sim, int budget)
{
	struct sim_pcap_state *p = sim->pcap;
	int moved = 0;
	if (!p || !p->rx || !sim->link_up)
		return 0;
	while (budget-- > 0) {
		/* line rate: the wire is shared by arriving frames the same way */
		if (!sim->cfg.unthrottled && sim->wire_free_ps > sim->now_ps + 10000000ull)
			break;
		struct pcap_pkthdr *h;
		const u_char *data;
		int r = pcap_next_ex(p->rx, &h, &data);
		if (r == PCAP_ERROR_BREAK || r == -2) {
			if (!p->loop || !p->rx_frames)
				break;
			char err[PCAP_ERRBUF_SIZE];
			pcap_close(p->rx);
			p->rx = pcap_open_offline(p->rx_path, err);
			if (!p->rx) {
				char msg[1200];
				snprintf(msg, sizeof(msg), "sim %s: cannot reopen pcap file %s for the next loop: %s",
					 sim->name, p->rx_path, err);
				sim_wire_error(sim, 0, msg);
				break;
			}
			continue;
		}
		if (r == PCAP_ERROR) {
			/* A broken record: libpcap would go on reading from
			 * the middle of it and hand out whatever follows as
			 * frames. The file ends here, loop or not, and says so:
			 * as a violation and as a wire error the apps print. */
			char msg[1200];
			snprintf(msg, sizeof(msg), "sim %s: pcap file %s is broken after %llu frames (%s; truncated or "
				 "damaged file?); the rest is not replayed", sim->name, p->rx_path,
				 (unsigned long long)p->rx_frames, pcap_geterr(p->rx));
			sim_violation(sim, "pcap wire: %s is broken after %llu frames (%s); the rest of the file is "
				      "not replayed", p->rx_path, (unsigned long long)p->rx_frames, pcap_geterr(p->rx));
			sim_wire_error(sim, 0, msg);
			pcap_close(p->rx);
			p->rx = NULL;
			break;
		}
		if (r != 1)
			break;
		uint32_t len = h->caplen < SIM_MAX_FRAME ? h->caplen : SIM_MAX_FRAME;
		memcpy(sim->scratch, data, len);
		if (len < 60) {
			memset(sim->scratch + len, 0, 60 - len);
			len = 60;
		}
		struct sim_frame f;
		sim_frame_one(&f, sim->scratch, len);
		if (!sim->cfg.unthrottled)
			sim->wire_free_ps = (sim->wire_free_ps > sim->now_ps ? sim->wire_free_ps : sim->now_ps) +
					    sim_frame_time_ps(len);
		moved += sim_rx_frame(sim, &f) > 0;
		p->rx_frames++;
	}
	return moved;
}
