/* The virtual 82599: a Linux network interface as the wire (AF_PACKET).
 *
 * The port is cabled to a veth or tap end: whatever the kernel sends out of
 * that interface arrives at the port, and what the port transmits enters the
 * kernel there. The socket is non-blocking and polled by the DMA engine; the
 * interface is put in promiscuous mode (the port's MAC is not the
 * interface's), and the socket ignores the frames it sent itself. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "model/sim_internal.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

struct sim_iface_state {
	int fd;
	int ifindex;
	char ifname[IF_NAMESIZE];
	uint64_t tx_errors;
};

int sim_iface_open(struct ixy_sim *sim, const char *ifname)
{
	unsigned idx = ifname ? if_nametoindex(ifname) : 0;
	if (!idx)
		return ixy_error(-ENODEV, "sim %s: no network interface named %s: create it first (e.g. ip link add "
				 "NAME type veth peer name PEER)", sim->name, ifname ? ifname : "(null)");
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		int e = errno;
		return ixy_error(-e, "sim %s: cannot open an AF_PACKET socket for %s: %s%s", sim->name, ifname,
				 strerror(e), e == EPERM ? " (needs root or CAP_NET_RAW)" : "");
	}
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)idx };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return ixy_error(-e, "sim %s: cannot bind an AF_PACKET socket to %s: %s", sim->name, ifname,
				 strerror(e));
	}
	struct packet_mreq mr = { .mr_ifindex = (int)idx, .mr_type = PACKET_MR_PROMISC };
	setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
	int one = 1;
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	struct sim_iface_state *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return ixy_error(-ENOMEM, "sim %s: out of memory", sim->name);
	}
	s->fd = fd;
	s->ifindex = (int)idx;
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	sim->iface = s;
	return 0;
}

void sim_iface_close(struct ixy_sim *sim)
{
	if (!sim->iface)
		return;
	close(sim->iface->fd);
	free(sim->iface);
	sim->iface = NULL;
}

void sim_iface_tx(struct ixy_sim *sim, const struct sim_frame *f)
{
	struct sim_iface_state *s = sim->iface;
	if (!s)
		return;
	const uint8_t *p = f->seg[0].p;
	if (f->nseg > 1) {
		sim_frame_flatten(f, sim->scratch, SIM_MAX_FRAME);
		p = sim->scratch;
	}
	if (send(s->fd, p, f->len, MSG_DONTWAIT) < 0) {
		/* like a full link, the frame is lost: counted, and the first
		 * reason kept for the apps (ixy_sim_wire_lost) */
		int e = errno;
		char msg[160] = "";
		s->tx_errors++;
		if (!sim->wire_error[0])
			snprintf(msg, sizeof(msg), "sim %s: sending on interface %s failed: %s (errno %d)", sim->name,
				 s->ifname, strerror(e), e);
		sim_wire_error(sim, 1, msg[0] ? msg : NULL);
	}
}

int sim_iface_rx_round(struct ixy_sim *sim, int budget)
{
	struct sim_iface_state *s = sim->iface;
	int moved = 0;
	if (!s)
		return 0;
	while (budget-- > 0) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s->fd, sim->scratch, SIM_MAX_FRAME, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n <= 0)
			break;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		uint32_t len = (uint32_t)n;
		if (len < 60) {	/* the kernel pads on a real wire, not on veth */
			memset(sim->scratch + len, 0, 60 - len);
			len = 60;
		}
		struct sim_frame f;
		sim_frame_one(&f, sim->scratch, len);
		moved += sim_rx_frame(sim, &f) > 0;
	}
	return moved;
}
