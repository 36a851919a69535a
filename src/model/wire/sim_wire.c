/* The virtual 82599: wires (what is plugged into the port).
 *
 * In-process wires move frames without copies of their own: loopback and
 * pair deliver a transmitted frame (the list of the sender's TX buffers)
 * straight into the receiver's RX buffers; the generator's frames are
 * templates copied straight into RX buffers. Only wires that leave the
 * process (pcap files, AF_PACKET) or hold frames for a test (capture,
 * inject) make a copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model/sim_core.h"
#include "model/sim_internal.h"
#include "model/dma/sim_parse.h"

int sim_frame_flatten(const struct sim_frame *f, uint8_t *buf, uint32_t cap)
{
	uint32_t off = 0;
	for (uint32_t i = 0; i < f->nseg && off < cap; i++) {
		uint32_t n = f->seg[i].len < cap - off ? f->seg[i].len : cap - off;
		memcpy(buf + off, f->seg[i].p, n);
		off += n;
	}
	return (int)off;
}

uint64_t sim_frame_time_ps(uint32_t len)
{
	return (uint64_t)(len + 4 + 20) * 800;	/* 10 Gb/s: FCS, preamble+SFD 8, IFG 12 */
}

/* Called with the domain lock held (TX round, detach). */
void sim_wire_error(struct ixy_sim *sim, uint64_t frames, const char *msg)
{
	if (!sim->wire_error[0] && msg)
		snprintf(sim->wire_error, sizeof(sim->wire_error), "%s", msg);
	sim->wire_errors += frames;
}

uint64_t ixy_sim_wire_lost(struct ixy_sim *sim, const char **msg)
{
	if (msg)
		*msg = NULL;
	if (!sim)
		return 0;
	sim_lock(sim);
	uint64_t n = sim->wire_errors;
	if (msg)
		*msg = sim->wire_error[0] ? sim->wire_error : NULL;
	sim_unlock(sim);
	return n;
}

/* Returns false when the wire had no room for the frame (it is lost, as on
 * a congested cable): the engine does not count that as progress, so a
 * sender whose receiver cannot keep up backs off instead of spinning. */
bool sim_wire_tx(struct ixy_sim *sim, const struct sim_frame *f)
{
	switch (sim->wire) {
	case SIM_WIRE_LOOP:
		sim_rx_frame(sim, f);
		break;
	case SIM_WIRE_PAIR:
		sim_rx_frame(sim->peer, f);
		break;
	case SIM_WIRE_CAPTURE:
		return sim_fq_push(&sim->capture, f, 0) == 0;	/* full: the frame is lost */
	case SIM_WIRE_PCAP:
		sim_pcap_tx(sim, f);
		break;
	case SIM_WIRE_IFACE:
		sim_iface_tx(sim, f);
		break;
	case SIM_WIRE_SHM:
		return sim_shm_tx(sim, f);
	default:
		break;	/* null sink, generator, unplugged */
	}
	return true;
}

static int gen_round(struct ixy_sim *sim)
{
	struct sim_gen_state *g = sim->gen;
	int moved = 0;
	if (!sim->link_up)
		return 0;
	/* Far behind (the port was stalled): do not make up for it in one
	 * burst, like a traffic generator that keeps its rate. */
	if (g->interval_ps && g->next_ps + 1000000000ull < sim->now_ps)
		g->next_ps = sim->now_ps;
	for (int budget = SIM_ROUND_BUDGET; budget > 0; budget--) {
		if (g->cfg.count && g->sent >= g->cfg.count)
			break;
		if (g->interval_ps && g->next_ps > sim->now_ps)
			break;
		struct sim_frame f;
		sim_frame_one(&f, g->tmpl + (size_t)g->next_flow * g->cfg.frame_len, g->cfg.frame_len);
		f.pre = &g->pre[g->next_flow];
		if (++g->next_flow == g->nflows)
			g->next_flow = 0;
		uint64_t before = sim->frames_moved;
		sim_rx_frame(sim, &f);
		g->sent++;
		g->next_ps += g->interval_ps;
		if (sim->frames_moved != before)
			moved++;
		else if (!g->interval_ps)
			break;	/* as fast as possible = as fast as the driver takes them */
	}
	return moved;
}

/* Whether the port can take frames from a wire that can hold them back (a
 * pcap file, the generator, a shm ring, a socket's queue). Until the driver
 * has enabled the receiver and handed a queue its first descriptors, a
 * frame would be dropped before anything could count it (RXCTRL.RXEN clear)
 * or dropped for want of a descriptor (SRRCTL.DROP_EN): such wires wait
 * instead, so a short pcap file is not used up while the port is still
 * opening. Once started, frames flow as on a cable: a full ring drops and
 * counts as before. rx_started is cleared when RXEN is (sim_rx.c). */
bool sim_rx_started(struct ixy_sim *sim)
{
	if (sim->rx_started)
		return true;
	if (sim->cfg_dirty)
		sim_rx_config(sim);
	if (!sim->link_up || !sim->rx.rxen || sim->rx.halted)
		return false;
	for (unsigned i = 0; i < sim->n_rx_active; i++) {
		unsigned q = sim->rx_active[i];
		struct sim_rxq *rq = &sim->rxq[q];
		if (rq->enabled && !rq->stopped &&
		    __atomic_load_n(&sim->bar[SIM_RDT(q) / 4], __ATOMIC_ACQUIRE) != rq->head) {
			/* a paced generator starts its schedule now, not with
			 * a burst of everything due while the port opened */
			if (sim->wire == SIM_WIRE_GEN)
				sim->gen->next_ps = sim->now_ps;
			return sim->rx_started = true;
		}
	}
	return false;
}

int sim_wire_rx_round(struct ixy_sim *sim)
{
	int moved = 0, n;
	sim->paced_moved = 0;
	bool holds = sim->wire == SIM_WIRE_GEN || sim->wire == SIM_WIRE_PCAP || sim->wire == SIM_WIRE_IFACE;
	if (holds && !sim_rx_started(sim)) {	/* (the shm wire asks in its own loop: it also tracks its peer) */
		if (sim->rxpb.count)
			moved += sim_rx_drain(sim);
		return moved;
	}
	if (sim->rxpb.count)
		moved += sim_rx_drain(sim);
	struct sim_fq_slot *s;
	while ((s = sim_fq_peek(&sim->inject))) {
		struct sim_frame f;
		sim_frame_one(&f, s->buf, s->len);
		moved += sim_rx_frame(sim, &f) > 0;
		sim_fq_pop(&sim->inject);
	}
	switch (sim->wire) {
	case SIM_WIRE_GEN:
		n = gen_round(sim);
		/* a paced generator's frames come on its own schedule, not
		 * because the driver did something (see sim_engine.c) */
		if (sim->gen->interval_ps)
			sim->paced_moved = n;
		moved += n;
		break;
	case SIM_WIRE_PCAP:
		moved += sim_pcap_rx_round(sim, SIM_ROUND_BUDGET);
		break;
	case SIM_WIRE_IFACE:
		moved += sim_iface_rx_round(sim, SIM_ROUND_BUDGET);
		break;
	case SIM_WIRE_SHM:
		moved += sim_shm_rx_round(sim, SIM_ROUND_BUDGET);
		break;
	default:
		break;
	}
	return moved;
}

/* Unplug whatever is connected. Called with the engine paused. */
void sim_wire_detach(struct ixy_sim *sim)
{
	struct ixy_sim *peer = sim->wire == SIM_WIRE_PAIR ? sim->peer : NULL;
	sim_lock(sim);
	switch (sim->wire) {
	case SIM_WIRE_PCAP:
		sim_pcap_close(sim);
		break;
	case SIM_WIRE_IFACE:
		sim_iface_close(sim);
		break;
	case SIM_WIRE_SHM:
		sim_shm_close(sim);
		break;
	case SIM_WIRE_GEN:
		free(sim->gen->tmpl);
		free(sim->gen->pre);
		free(sim->gen);
		sim->gen = NULL;
		break;
	case SIM_WIRE_PAIR:
		peer->peer = NULL;
		peer->wire = SIM_WIRE_NONE;
		peer->carrier = false;
		sim_link_update(peer, sim_now_ns());
		break;
	default:
		break;
	}
	sim_fq_free(&sim->capture);
	sim->peer = NULL;
	sim->pending_peer[0] = '\0';
	sim->wire = SIM_WIRE_NONE;
	sim->carrier = false;
	sim_link_update(sim, sim_now_ns());
	sim_unlock(sim);
	if (peer)
		sim_domain_split(peer);
}

/* Plug a new wire in: the cable is connected now and the link trains. */
static void plug(struct ixy_sim *sim, enum sim_wire_kind kind)
{
	sim->wire = kind;
	if (!sim->carrier) {
		sim->carrier = true;
		sim->an_start_ns = sim_now_ns();
	}
}

int ixy_sim_wire_loopback(struct ixy_sim *sim)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_wire_loopback: no port given (NULL)");
	sim_engine_pause(sim->dom);
	sim_wire_detach(sim);
	sim_lock(sim);
	plug(sim, SIM_WIRE_LOOP);
	sim_unlock(sim);
	return sim_engine_resume(sim->dom);
}

int ixy_sim_wire_null(struct ixy_sim *sim)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_wire_null: no port given (NULL)");
	sim_engine_pause(sim->dom);
	sim_wire_detach(sim);
	sim_lock(sim);
	plug(sim, SIM_WIRE_NULL);
	sim_unlock(sim);
	return sim_engine_resume(sim->dom);
}

int ixy_sim_wire_capture(struct ixy_sim *sim, size_t max_frames)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_wire_capture: no port given (NULL)");
	if (max_frames == 0 || max_frames > (1u << 20))
		return ixy_error(-EINVAL, "sim %s: capture queue of %zu frames: use 1..1048576", sim->name, max_frames);
	sim_engine_pause(sim->dom);
	sim_wire_detach(sim);
	sim_lock(sim);
	int err = sim_fq_init(&sim->capture, (uint32_t)max_frames, 0);
	if (!err)
		plug(sim, SIM_WIRE_CAPTURE);
	sim_unlock(sim);
	if (err)
		return ixy_error(-ENOMEM, "sim %s: out of memory for a capture queue of %zu frames", sim->name,
				 max_frames);
	return sim_engine_resume(sim->dom);
}

int ixy_sim_capture_pop(struct ixy_sim *sim, void *buf, size_t buflen)
{
	if (!sim || (!buf && buflen))
		return ixy_error(-EINVAL, "ixy_sim_capture_pop: %s is NULL", !sim ? "port" : "buf");
	sim_lock(sim);
	struct sim_fq_slot *s = sim->capture.slots ? sim_fq_peek(&sim->capture) : NULL;
	int len = 0;
	if (s && s->len > buflen) {
		len = ixy_error(-ENOSPC, "sim %s: captured frame of %u bytes does not fit a buffer of %zu", sim->name,
				s->len, buflen);
	} else if (s) {
		memcpy(buf, s->buf, s->len);
		len = (int)s->len;
		sim_fq_pop(&sim->capture);
	}
	sim_unlock(sim);
	return len;
}

int ixy_sim_inject(struct ixy_sim *sim, const void *frame, size_t len)
{
	if (!sim || !frame)
		return ixy_error(-EINVAL, "ixy_sim_inject: %s is NULL", !sim ? "port" : "frame");
	if (len == 0 || len > SIM_MAX_FRAME)
		return ixy_error(-EINVAL, "sim %s: cannot inject a frame of %zu bytes (1..%u)", sim->name, len,
				 SIM_MAX_FRAME);
	struct sim_frame f;
	sim_frame_one(&f, frame, (uint32_t)len);
	sim_lock(sim);
	int err = sim_fq_push(&sim->inject, &f, 0);
	sim_unlock(sim);
	if (err)
		return ixy_error(-ENOSPC, "sim %s: inject queue full (%u frames waiting): step the port first",
				 sim->name, sim->inject.count);
	return 0;
}

int ixy_sim_wire_pair(struct ixy_sim *a, struct ixy_sim *b)
{
	if (!a || !b)
		return ixy_error(-EINVAL, "ixy_sim_wire_pair: no port given (NULL)");
	if (a == b)
		return ixy_error(-EINVAL, "sim %s: cannot pair a port with itself (use wire=loop)", a->name);
	if (a->cfg.mode != b->cfg.mode)
		return ixy_error(-EINVAL, "sim %s and %s: a pair needs both ports in the same mode (threaded or stepped)",
				 a->name, b->name);
	sim_engine_pause(a->dom);
	sim_engine_pause(b->dom);
	sim_wire_detach(a);
	sim_wire_detach(b);
	int err = sim_domain_merge(a, b);	/* resumes the shared engine */
	if (err)
		return err;
	sim_engine_pause(a->dom);
	sim_lock(a);
	a->peer = b;
	b->peer = a;
	plug(a, SIM_WIRE_PAIR);
	plug(b, SIM_WIRE_PAIR);
	sim_unlock(a);
	return sim_engine_resume(a->dom);
}

static const char *mode_name(enum ixy_sim_mode m)
{
	return m == IXY_SIM_STEPPED ? "stepped" : "threaded";
}

/* Pair with a port that does not exist yet: done when it is created.
 * Whatever could never come up is refused now, naming the problem, rather
 * than left to a link wait that times out blaming the cable. */
int sim_wire_pair_pending(struct ixy_sim *sim, const char *peer_name)
{
	if (!sim_valid_name(peer_name))
		return ixy_error(-EINVAL, "sim %s: wire=pair:%s names a port that can never exist (port names are "
				 "1..63 characters without , : = or space)", sim->name, peer_name);
	if (strcmp(peer_name, sim->name) == 0)
		return ixy_error(-EINVAL, "sim %s: cannot pair a port with itself (use wire=loop)", sim->name);
	struct ixy_sim *peer = ixy_sim_find(peer_name);
	if (peer) {
		if (peer->wire == SIM_WIRE_PAIR && peer->peer && peer->peer != sim)
			return ixy_error(-EBUSY, "sim %s: wire=pair:%s, but %s is already paired with %s", sim->name,
					 peer_name, peer_name, peer->peer->name);
		if (peer->pending_peer[0] && strcmp(peer->pending_peer, sim->name) != 0)
			return ixy_error(-EBUSY, "sim %s: wire=pair:%s, but %s waits to pair with %s (its wire=pair:%s)",
					 sim->name, peer_name, peer_name, peer->pending_peer, peer->pending_peer);
		if (peer->cfg.mode != sim->cfg.mode)
			return ixy_error(-EINVAL, "sim %s (%s) and %s (%s): a pair needs both ports in the same mode "
					 "(mode=threaded or mode=stepped on both)", sim->name, mode_name(sim->cfg.mode),
					 peer_name, mode_name(peer->cfg.mode));
		return ixy_sim_wire_pair(sim, peer);
	}
	sim_engine_pause(sim->dom);
	sim_wire_detach(sim);
	sim_lock(sim);
	snprintf(sim->pending_peer, sizeof(sim->pending_peer), "%s", peer_name);
	sim_unlock(sim);
	return sim_engine_resume(sim->dom);
}

void ixy_sim_set_carrier(struct ixy_sim *sim, bool up)
{
	if (!sim) {
		ixy_error(-EINVAL, "ixy_sim_set_carrier: no port given (NULL)");
		return;
	}
	sim_lock(sim);
	uint64_t now = sim_now_ns();
	struct ixy_sim *ends[2] = { sim, sim->wire == SIM_WIRE_PAIR ? sim->peer : NULL };
	for (int i = 0; i < 2 && ends[i]; i++) {
		struct ixy_sim *s = ends[i];
		if (up && !s->carrier)
			s->an_start_ns = now;	/* plugged back in: the link trains again */
		s->carrier = up;
		sim_link_update(s, now);
		sim_irq_poll(s, now);	/* LSC */
	}
	sim_unlock(sim);
}

int ixy_sim_wire_generator(struct ixy_sim *sim, const struct ixy_sim_gen *cfg)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_wire_generator: no port given (NULL)");
	if (!cfg || cfg->frame_len < 60 || cfg->frame_len > 9018)
		return ixy_error(-EINVAL, "sim %s: generator frame length %u: use 60..9018 bytes (without FCS)",
				 sim->name, cfg ? cfg->frame_len : 0);
	if (cfg->rate_pps < 0)
		return ixy_error(-EINVAL, "sim %s: generator rate %g pps is negative", sim->name, cfg->rate_pps);
	struct sim_gen_state *g = calloc(1, sizeof(*g));
	uint32_t nflows = cfg->flows ? (cfg->flows > 4096 ? 4096 : cfg->flows) : 1;
	uint32_t len = cfg->frame_len;
	if (g) {
		g->tmpl = calloc(nflows, len);
		g->pre = calloc(nflows, sizeof(*g->pre));
	}
	if (!g || !g->tmpl || !g->pre) {
		if (g) {
			free(g->tmpl);
			free(g->pre);
		}
		free(g);
		return ixy_error(-ENOMEM, "sim %s: out of memory for %u generator templates", sim->name, nflows);
	}
	g->cfg = *cfg;
	g->nflows = nflows;
	/* UDP over IPv4 from 198.18.0.1 to 198.19.0.1 (RFC 2544 benchmark
	 * range), one source port per flow so RSS spreads them; IPv4 header
	 * checksum valid, UDP checksum 0 (none). */
	for (uint32_t i = 0; i < nflows; i++) {
		uint8_t *p = g->tmpl + (size_t)i * len;
		memcpy(p, sim->perm_mac, 6);
		const uint8_t src[6] = { 0x02, 0x53, 0x49, 0x4d, 0x00, 0x01 };
		memcpy(p + 6, src, 6);
		p[12] = 0x08;
		p[13] = 0x00;
		uint8_t *ip = p + 14;
		uint32_t iplen = len - 14, udplen = len - 34;
		ip[0] = 0x45;
		ip[2] = (uint8_t)(iplen >> 8);
		ip[3] = (uint8_t)iplen;
		ip[8] = 64;
		ip[9] = 17;
		const uint8_t addrs[8] = { 198, 18, 0, 1, 198, 19, 0, 1 };
		memcpy(ip + 12, addrs, 8);
		uint16_t c = sim_csum_fold(sim_csum_add(0, ip, 20));
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
		uint8_t *udp = ip + 20;
		uint16_t sport = (uint16_t)(1024 + i);
		udp[0] = (uint8_t)(sport >> 8);
		udp[1] = (uint8_t)sport;
		udp[2] = 0x10;
		udp[3] = 0xe1;	/* 4321 */
		udp[4] = (uint8_t)(udplen >> 8);
		udp[5] = (uint8_t)udplen;
		for (uint32_t k = 42; k < len; k++)
			p[k] = (uint8_t)k;
		/* templates never change: parse and check them once */
		sim_rx_precompute(p, len, &g->pre[i]);
	}
	double iv = cfg->rate_pps > 0 ? 1e12 / cfg->rate_pps : 0;
	uint64_t line = sim_frame_time_ps(len);
	if (!sim->cfg.unthrottled && iv < (double)line)
		iv = (double)line;	/* never faster than the link */
	g->interval_ps = (uint64_t)iv;

	sim_engine_pause(sim->dom);
	sim_wire_detach(sim);
	sim_lock(sim);
	g->next_ps = sim_now_ns() * 1000;
	sim->gen = g;
	plug(sim, SIM_WIRE_GEN);
	sim_unlock(sim);
	return sim_engine_resume(sim->dom);
}

int ixy_sim_wire_pcap(struct ixy_sim *sim, const char *rx_file, const char *tx_file, bool loop)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_wire_pcap: no port given (NULL)");
	sim_engine_pause(sim->dom);
	sim_wire_detach(sim);
	sim_lock(sim);
	int err = sim_pcap_open(sim, rx_file, tx_file, loop);
	if (!err)
		plug(sim, SIM_WIRE_PCAP);
	sim_unlock(sim);
	int e2 = sim_engine_resume(sim->dom);
	return err ? err : e2;
}

int ixy_sim_wire_iface(struct ixy_sim *sim, const char *ifname)
{
	if (!sim || !ifname)
		return ixy_error(-EINVAL, "ixy_sim_wire_iface: %s is NULL", !sim ? "port" : "ifname");
	sim_engine_pause(sim->dom);
	sim_wire_detach(sim);
	sim_lock(sim);
	int err = sim_iface_open(sim, ifname);
	if (!err)
		plug(sim, SIM_WIRE_IFACE);
	sim_unlock(sim);
	int e2 = sim_engine_resume(sim->dom);
	return err ? err : e2;
}

int ixy_sim_wire_shm(struct ixy_sim *sim, const char *name)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_wire_shm: no port given (NULL)");
	sim_engine_pause(sim->dom);
	sim_wire_detach(sim);
	sim_lock(sim);
	int err = sim_shm_open(sim, name);
	if (!err)
		sim->wire = SIM_WIRE_SHM;	/* carrier comes with the peer (sim_wire_shm.c) */
	sim_unlock(sim);
	int e2 = sim_engine_resume(sim->dom);
	return err ? err : e2;
}
