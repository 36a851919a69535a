/* The virtual 82599: ports, their registry, domains and the DMA engine.
 *
 * A port is created with its register file at reset values (as after power
 * on: EEPROM read, link trained if a cable is plugged). Its DMA engine runs
 * either in the process's engine thread (threaded mode: polls tails like the
 * NIC does; one thread serves all threaded ports, sim_engine.c) or when the
 * caller asks (stepped mode: ixy_sim_step, deterministic). Two paired ports
 * share one domain: one lock, visited together by the engine, so a frame
 * goes from one port's TX buffers straight into the other's RX buffers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "memory/memory_internal.h"
#include "model/sim_internal.h"
#include "model/sim_core.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ixy_sim *registry;

uint64_t sim_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sim_lock(struct ixy_sim *sim)
{
	/* Announce ourselves so the engine thread, which re-takes the lock
	 * after every round, lets the control path in. */
	atomic_fetch_add(&sim->dom->waiters, 1);
	pthread_mutex_lock(&sim->dom->lock);
	atomic_fetch_sub(&sim->dom->waiters, 1);
}

void sim_unlock(struct ixy_sim *sim)
{
	pthread_mutex_unlock(&sim->dom->lock);
}

/* One round of the DMA engine for one port at time now (one clock read
 * per round of all ports: on a VM it costs ~100 ns); the domain lock is
 * held. */
int sim_port_round(struct ixy_sim *sim, uint64_t now)
{
	return sim_port_round_queues(sim, now, 0, SIM_NUM_QUEUES);
}

/* The same with transmit work for TX queues first..first+count-1 only
 * (ixy_sim_step_queues). The wire's input (generator, pcap, shm, inject,
 * the packet buffer, a delayed cable) feeds every RX queue through RSS: it
 * is taken by rounds that include queue 0, i.e. by one thread of a
 * forwarder with a thread per queue pair, instead of by every thread in
 * turn (which kept the port's lock busy for all of them: ixy-fwd -T 2 from
 * a generator ran at a fifth of one thread's rate). */
int sim_port_round_queues(struct ixy_sim *sim, uint64_t now, unsigned first, unsigned count)
{
	sim->prev_ps = sim->now_ps;
	sim->now_ps = now * 1000;
	sim_link_update(sim, now);
	if (__builtin_expect(sim->sema.swsm || sim->sema.swfw, 0))
		sim_sema_check(sim, now);	/* a semaphore nobody released */
	int moved = 0;
	bool input = first == 0;
	if (__builtin_expect(input && sim->flight.count != 0, 0))
		moved += sim_wire_flight(sim);	/* delayed frames that reached the other end */
	moved += sim_tx_round_queues(sim, first, count);
	if (input)
		moved += sim_wire_rx_round(sim);
	sim_rx_check_tails(sim, first, count);
	return moved;
}

/* The earliest time something happens on this port that no driver action
 * triggers: the link comes up after auto-negotiation, a rate-limited
 * generator's next frame is due, a partial TX write-back batch (WTHRESH
 * > 0) is flushed, an interrupt held by its EITR interval is sent.
 * UINT64_MAX = nothing scheduled (the port waits for tail stores or wire
 * input). The domain lock is held. */
uint64_t sim_port_due_ns(const struct ixy_sim *sim)
{
	uint64_t due = sim_tx_wb_due_ns(sim);
	if (sim->irq.raised | sim->irq.oraised)
		return 0;	/* raised by the other port of the pair after our round */
	if (sim->irq.due_ns < due)
		due = sim->irq.due_ns;
	const struct sim_fq_slot *fl = sim->flight.count ? &sim->flight.slots[sim->flight.head] : NULL;
	if (fl && fl->t_ps / 1000 < due)
		due = fl->t_ps / 1000;
	/* only a link that will come: a port with the laser off, an empty
	 * cage or a powered-down PHY has nothing scheduled (an end of AN in
	 * the past would keep the engine spinning) */
	if (!sim->link_up && sim_link_trainable(sim) && due > sim->an_start_ns + (uint64_t)sim_link_delay_us(sim) * 1000)
		due = sim->an_start_ns + (uint64_t)sim_link_delay_us(sim) * 1000;
	const struct sim_gen_state *g = sim->gen;
	if (sim->wire == SIM_WIRE_GEN && g && sim->link_up && g->interval_ps &&
	    !(g->cfg.count && g->sent >= g->cfg.count)) {
		uint64_t t = g->next_ps / 1000;
		if (t < due)
			due = t;
	}
	return due;
}

static struct sim_domain *domain_new(struct ixy_sim *sim)
{
	struct sim_domain *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	/* Priority inheritance: a device server (ixy-simd) answers register
	 * accesses from a real-time thread while UML busy-waits for the reply
	 * with a deadline; if the engine thread holds the lock, it runs at the
	 * waiter's priority until it lets go instead of waiting for the CPU
	 * behind every other process. Without contention it costs nothing. */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&d->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	d->ports[0] = sim;
	d->nports = 1;
	return d;
}

int sim_domain_merge(struct ixy_sim *a, struct ixy_sim *b)
{
	if (a->dom == b->dom)
		return 0;
	struct sim_domain *old = b->dom;
	sim_engine_pause(a->dom);
	sim_engine_pause(old);
	pthread_mutex_lock(&a->dom->lock);
	a->dom->ports[a->dom->nports++] = b;
	b->dom = a->dom;
	pthread_mutex_unlock(&a->dom->lock);
	pthread_mutex_destroy(&old->lock);
	free(old);
	return sim_engine_resume(a->dom);
}

int sim_domain_split(struct ixy_sim *b)
{
	struct sim_domain *d = b->dom;
	if (d->nports < 2)
		return 0;
	struct sim_domain *nd = domain_new(b);
	if (!nd)
		return ixy_error(-ENOMEM, "sim %s: out of memory", b->name);
	sim_engine_pause(d);
	pthread_mutex_lock(&d->lock);
	if (d->ports[0] == b)
		d->ports[0] = d->ports[1];
	d->nports--;
	b->dom = nd;
	pthread_mutex_unlock(&d->lock);
	int e1 = sim_engine_resume(d), e2 = sim_engine_resume(nd);
	return e1 ? e1 : e2;
}

bool sim_valid_name(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len >= 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (n[i] == ',' || n[i] == ':' || n[i] == '=' || n[i] == ' ')
			return false;
	return true;
}

static struct ixy_sim *find_locked(const char *name)
{
	for (struct ixy_sim *s = registry; s; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

bool sim_find_waiting(const char *name, char *who, size_t len, enum ixy_sim_mode *mode)
{
	bool found = false;
	pthread_mutex_lock(&registry_lock);
	for (struct ixy_sim *s = registry; s && !found; s = s->next) {
		if (strcmp(s->pending_peer, name) == 0) {
			snprintf(who, len, "%s", s->name);
			*mode = s->cfg.mode;
			found = true;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	return found;
}

const char *sim_pending_peer(const struct ixy_sim *sim)
{
	return sim->pending_peer[0] ? sim->pending_peer : NULL;
}

struct ixy_sim *ixy_sim_find(const char *name)
{
	if (!name)
		return ixy_error_null(-EINVAL, "ixy_sim_find: name is NULL");
	pthread_mutex_lock(&registry_lock);
	struct ixy_sim *s = find_locked(name);
	pthread_mutex_unlock(&registry_lock);
	return s;
}

struct ixy_sim *ixy_sim_peer(struct ixy_sim *sim)
{
	if (!sim)
		return ixy_error_null(-EINVAL, "ixy_sim_peer: no port given (NULL)");
	sim_lock(sim);
	struct ixy_sim *p = sim->wire == SIM_WIRE_PAIR ? sim->peer : NULL;
	sim_unlock(sim);
	return p;
}

const char *ixy_sim_name(const struct ixy_sim *sim)
{
	if (!sim)
		return ixy_error_null(-EINVAL, "ixy_sim_name: no port given (NULL)");
	return sim->name;
}

uint16_t ixy_sim_device_id(const struct ixy_sim *sim)
{
	if (!sim) {
		ixy_error(-EINVAL, "ixy_sim_device_id: no port given (NULL)");
		return 0;
	}
	return sim->cfg.device_id;
}

uint64_t ixy_sim_unguarded_resets(const struct ixy_sim *sim)
{
	if (!sim) {
		ixy_error(-EINVAL, "ixy_sim_unguarded_resets: no port given (NULL)");
		return 0;
	}
	struct ixy_sim *s = (struct ixy_sim *)sim;	/* the lock is not part of the value */
	sim_lock(s);
	uint64_t n = s->unguarded_resets;
	sim_unlock(s);
	return n;
}

volatile uint8_t *ixy_sim_bar0(struct ixy_sim *sim, size_t *size)
{
	if (!sim)
		return ixy_error_null(-EINVAL, "ixy_sim_bar0: no port given (NULL)");
	if (size)
		*size = SIM_BAR0_SIZE;
	return (volatile uint8_t *)sim->bar;
}

static void free_sim(struct ixy_sim *sim)
{
	sim_trace_close(sim);
	sim_fq_free(&sim->capture);
	sim_fq_free(&sim->inject);
	sim_fq_free(&sim->rxpb);
	sim_fq_free(&sim->flight);
	sim_dma_free(&sim->dma);
	for (unsigned i = 0; i < SIM_MAX_VIOLATIONS; i++)
		free(sim->viol[i]);
	free(sim->scratch);
	free(sim->strip_buf);
	free(sim->tx_buf);
	free(sim->eeprom);
	free(sim->unknown);
	free(sim->bar);
	free(sim);
}

static void dma_freed(const void *virt, size_t len);

struct ixy_sim *ixy_sim_create(const char *name, const struct ixy_sim_config *cfg)
{
	struct ixy_sim_config c = { .mode = IXY_SIM_THREADED };
	if (cfg)
		c = *cfg;
	if (!name || !sim_valid_name(name))
		return ixy_error_null(-EINVAL, "sim: invalid port name \"%s\": 1..63 characters, without , : = or space",
				      name ? name : "(null)");
	if (c.mode != IXY_SIM_THREADED && c.mode != IXY_SIM_STEPPED)
		return ixy_error_null(-EINVAL, "sim %s: unknown mode %d (threaded or stepped)", name, (int)c.mode);
	if (!c.device_id)
		c.device_id = 0x10fb;
	enum sim_media media = sim_media_of(c.device_id);
	enum sim_mac mac;
	/* The personalities (sim_personality): the 82599 boards, the X540
	 * and X550 with their copper PHY. The X550EM boards (their link needs
	 * the IOSF sideband, external PHYs, firmware commands; the X550EM_a
	 * moved EEC, SWSM and SW_FW_SYNC) and ids no ixgbe driver takes are
	 * refused, listing what the model can be. */
	if (sim_personality(c.device_id, &mac) < 0)
		return ixy_error_null(-EINVAL, "sim %s: device id 0x%04x is not one the model can be: it models %s%s",
				      name, c.device_id, sim_personalities_text,
				      sim_x550em_id(c.device_id) ? " (this id is an X550EM board)" : "");
	if (c.phy_power_off && media != SIM_MEDIA_COPPER)
		return ixy_error_null(-EINVAL, "sim %s: device 0x%04x has no copper PHY: phy_power= applies to the "
				      "X540/X550 ids (0x1528, 0x1560, 0x155c, 0x1563, 0x15d1)", name, c.device_id);
	if ((unsigned)c.sfp > IXY_SIM_SFP_LR)
		return ixy_error_null(-EINVAL, "sim %s: unknown SFP+ module type %d", name, (int)c.sfp);
	if (c.sfp != IXY_SIM_SFP_DEFAULT && media != SIM_MEDIA_SFP)
		return ixy_error_null(-EINVAL, "sim %s: device 0x%04x has no SFP+ cage: sfp= applies to the 82599 "
				      "SFP+ device ids (0x10fb, 0x1529, 0x1507, 0x154d, 0x154a, 0x1557, 0x154f, 0x155d)",
				      name, c.device_id);

	struct ixy_sim *sim = calloc(1, sizeof(*sim));
	if (!sim)
		return ixy_error_null(-ENOMEM, "sim %s: out of memory", name);
	snprintf(sim->name, sizeof(sim->name), "%s", name);
	sim->cfg = c;
	sim->media = media;
	sim->mac = mac;
	sim->sfp = c.sfp != IXY_SIM_SFP_DEFAULT ? c.sfp : media == SIM_MEDIA_SFP ? IXY_SIM_SFP_DA : IXY_SIM_SFP_NONE;
	sim->unknown = calloc(SIM_MAX_UNKNOWN, sizeof(*sim->unknown));
	sim->bar = aligned_alloc(4096, SIM_BAR0_SIZE);
	sim->scratch = malloc(SIM_MAX_FRAME);
	sim->strip_buf = malloc(SIM_MAX_FRAME);
	sim->tx_buf = malloc(SIM_MAX_FRAME);
	sim->dom = domain_new(sim);
	if (!sim->bar || !sim->scratch || !sim->strip_buf || !sim->tx_buf || !sim->dom || !sim->unknown || sim_fq_init(&sim->rxpb, 8192, 512u << 10) < 0 ||
	    sim_fq_init(&sim->inject, 1024, 0) < 0 ||
	    (c.delay_us && sim_fq_init(&sim->flight, 65536, 0) < 0)) {
		free(sim->dom);
		free_sim(sim);
		return ixy_error_null(-ENOMEM, "sim %s: out of memory", name);
	}
	sim_dma_init(&sim->dma);
	static const uint8_t zero[6];
	if (memcmp(c.mac, zero, 6) != 0) {
		memcpy(sim->perm_mac, c.mac, 6);
	} else {
		/* a locally administered address derived from the name */
		uint32_t h = 2166136261u;
		for (const char *p = name; *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
		const uint8_t m[6] = { 0x02, 0x49, 0x58, (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h };
		memcpy(sim->perm_mac, m, 6);
	}
	/* the board: its EEPROM image (with perm_mac) and the SFP+ module */
	if (sim_eeprom_build(sim) < 0) {
		free(sim->dom);
		free_sim(sim);
		return ixy_error_null(-ENOMEM, "sim %s: out of memory", name);
	}
	sim_sfp_load(sim);
	sim_reset(sim, true, true);

	pthread_mutex_lock(&registry_lock);
	if (find_locked(name)) {
		pthread_mutex_unlock(&registry_lock);
		free(sim->dom);
		free_sim(sim);
		return ixy_error_null(-EEXIST, "sim %s: a port of that name already exists in this process", name);
	}
	sim->next = registry;
	registry = sim;
	ixy__dma_set_free_observer(dma_freed);
	struct ixy_sim *waiting = NULL;
	for (struct ixy_sim *s = registry; s; s = s->next)
		if (s != sim && strcmp(s->pending_peer, name) == 0)
			waiting = s;
	pthread_mutex_unlock(&registry_lock);

	if (c.mode == IXY_SIM_THREADED)
		sim_engine_hold();
	int err = sim_engine_resume(sim->dom);
	if (!err && waiting)
		err = ixy_sim_wire_pair(waiting, sim);
	if (err) {
		ixy_sim_destroy(sim);
		return NULL;
	}
	return sim;
}

void ixy_sim_destroy(struct ixy_sim *sim)
{
	if (!sim)
		return;
	pthread_mutex_lock(&registry_lock);
	for (struct ixy_sim **pp = &registry; *pp; pp = &(*pp)->next) {
		if (*pp == sim) {
			*pp = sim->next;
			break;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	sim_engine_pause(sim->dom);
	sim_wire_detach(sim);	/* a paired port gets its own domain back */
	sim_engine_pause(sim->dom);
	pthread_mutex_destroy(&sim->dom->lock);
	free(sim->dom);
	bool threaded = sim->cfg.mode == IXY_SIM_THREADED;
	free_sim(sim);
	if (threaded)
		sim_engine_release();	/* the last threaded port stops the engine thread */
}

int ixy_sim_step(struct ixy_sim *sim)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_step: no port given (NULL)");
	if (sim->cfg.mode != IXY_SIM_STEPPED)
		return ixy_error(-EINVAL, "sim %s: ixy_sim_step needs a port in stepped mode (mode=stepped); "
				 "this one has its own DMA engine thread", sim->name);
	struct sim_domain *d = sim->dom;
	sim_lock(sim);
	int moved = 0;
	uint64_t now = sim_now_ns();
	for (int i = 0; i < d->nports; i++)
		moved += sim_port_round(d->ports[i], now);
	for (int i = 0; i < d->nports; i++)
		sim_irq_poll(d->ports[i], now);	/* after both: a pair delivers into the other port */
	sim_unlock(sim);
	return moved;
}

/* Take the domain lock for a round of ixy_sim_step_queues. Another
 * stepper holds it for one round (microseconds): spin for it rather than
 * sleep in the kernel at once, which on every collision costs a futex
 * sleep and wake-up (measured: 10 times the model's cost per frame with two
 * threads, bench/mc_bench.c). */
static void step_lock(struct sim_domain *d)
{
	for (int i = 0; i < 4096; i++) {
		if (pthread_mutex_trylock(&d->lock) == 0)
			return;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	pthread_mutex_lock(&d->lock);
}

int ixy_sim_step_queues(struct ixy_sim *sim, uint16_t first, uint16_t count)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_step_queues: no port given (NULL)");
	if (sim->cfg.mode != IXY_SIM_STEPPED)
		return ixy_error(-EINVAL, "sim %s: ixy_sim_step_queues needs a port in stepped mode (mode=stepped); "
				 "this one has its own DMA engine thread", sim->name);
	if (count == 0 || first >= SIM_NUM_QUEUES || count > SIM_NUM_QUEUES - first)
		return ixy_error(-EINVAL, "sim %s: ixy_sim_step_queues: queues %u..%u do not exist (the port has "
				 "%u: 0..%u, and count must be at least 1)", sim->name, first,
				 (unsigned)first + count - 1, SIM_NUM_QUEUES, SIM_NUM_QUEUES - 1);
	struct sim_domain *d = sim->dom;
	step_lock(d);
	uint64_t now = sim_now_ns();
	int moved = 0;
	for (int i = 0; i < d->nports; i++)	/* the port and its pair peer, as ixy_sim_step */
		moved += sim_port_round_queues(d->ports[i], now, first, count);
	for (int i = 0; i < d->nports; i++)
		sim_irq_poll(d->ports[i], now);	/* a pair delivers into the other port */
	pthread_mutex_unlock(&d->lock);
	return moved;
}

enum ixy_sim_mode ixy_sim_mode(const struct ixy_sim *sim)
{
	if (!sim) {
		ixy_error(-EINVAL, "ixy_sim_mode: no port given (NULL)");
		return IXY_SIM_THREADED;
	}
	return sim->cfg.mode;
}

/* ---- device servers: DMA translation and interrupt delivery ---- */

/* Translate the enabled rings again (their pointers are cached at enable). */
static void retranslate_rings(struct ixy_sim *sim)
{
	for (unsigned q = 0; q < SIM_NUM_QUEUES; q++) {
		struct sim_rxq *rq = &sim->rxq[q];
		struct sim_txq *tq = &sim->txq[q];
		rq->hit.len = 0;
		tq->hit.len = 0;
		if (rq->enabled && rq->ring && !(rq->ring = sim_dma_ptr(&sim->dma, rq->base, rq->count * 16u))) {
			sim->dma_faults++;
			sim_violation(sim, "DMA fault: RX queue %u ring at 0x%" PRIx64 " is outside DMA memory after "
				      "the memory table changed; queue stopped", q, rq->base);
			rq->stopped = true;
		}
		if (tq->enabled && tq->ring && !(tq->ring = sim_dma_ptr(&sim->dma, tq->base, tq->count * 16u))) {
			sim->dma_faults++;
			sim_violation(sim, "DMA fault: TX queue %u ring at 0x%" PRIx64 " is outside DMA memory after "
				      "the memory table changed; queue stopped", q, tq->base);
			tq->stopped = true;
		}
	}
}

static bool in_range(const void *p, const uint8_t *lo, size_t len)
{
	return p && (uintptr_t)p - (uintptr_t)lo < len;
}

/* DMA memory of this process was just unmapped (ixy_dma_free). A queue
 * that is still enabled with its ring, or with receive buffers it owns, in
 * that memory means the driver freed memory the NIC may still write: on
 * hardware that is DMA into freed (and soon reused) memory. The model says
 * so, stops such a queue (it would otherwise touch the unmapped pages
 * through its cached pointers) and forgets its translations, so that any
 * later access to those addresses is a counted DMA fault. */
static void port_dma_freed(struct ixy_sim *sim, const uint8_t *lo, size_t len)
{
	for (unsigned q = 0; q < SIM_NUM_QUEUES; q++) {
		struct sim_rxq *rq = &sim->rxq[q];
		struct sim_txq *tq = &sim->txq[q];
		if (rq->enabled && !rq->stopped && in_range(rq->ring, lo, len)) {
			sim_violation(sim, "RX queue %u: its descriptor ring was freed while the queue is enabled "
				      "(RXDCTL.ENABLE): the NIC would DMA into freed memory; stop the queue first; "
				      "queue stopped", q);
			rq->stopped = true;
			rq->ring = NULL;
		}
		if (rq->enabled && !rq->stopped && rq->ring) {
			/* buffers of the descriptors the NIC owns (RDH..RDT) */
			uint32_t tail = __atomic_load_n(&sim->bar[SIM_RDT(q) / 4], __ATOMIC_ACQUIRE);
			for (uint32_t i = rq->head; tail < rq->count && i != tail; i = (i + 1) % rq->count) {
				uint64_t addr;
				memcpy(&addr, rq->ring + 16u * i, 8);
				if (in_range(sim_dma_peek(&sim->dma, addr), lo, len)) {
					sim_violation(sim, "RX queue %u: the buffer of descriptor %u (0x%" PRIx64 ") was freed "
						      "while the queue is enabled: the NIC would write a frame into freed "
						      "memory; stop the queue first; queue stopped", q, i, addr);
					rq->stopped = true;
					break;
				}
			}
		}
		if (tq->enabled && !tq->stopped && in_range(tq->ring, lo, len)) {
			sim_violation(sim, "TX queue %u: its descriptor ring was freed while the queue is enabled "
				      "(TXDCTL.ENABLE): the NIC would read and write back freed memory; stop the "
				      "queue first; queue stopped", q);
			tq->stopped = true;
			tq->ring = NULL;
		}
	}
	sim_dma_forget(&sim->dma);
	retranslate_rings(sim);
}

static void dma_freed(const void *virt, size_t len)
{
	pthread_mutex_lock(&registry_lock);
	for (struct ixy_sim *s = registry; s; s = s->next) {
		if (s->dma.plug)
			continue;	/* a device server's memory is not this process's DMA memory */
		sim_lock(s);
		port_dma_freed(s, virt, len);
		sim_unlock(s);
	}
	pthread_mutex_unlock(&registry_lock);
}

int ixy_sim_set_dma_lookup(struct ixy_sim *sim, ixy_sim_dma_lookup_fn lookup, void *ctx)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_set_dma_lookup: no port given");
	sim_lock(sim);
	sim->dma.plug = lookup;
	sim->dma.plug_ctx = ctx;
	sim_dma_forget(&sim->dma);
	retranslate_rings(sim);
	sim_unlock(sim);
	return 0;
}

void ixy_sim_dma_invalidate(struct ixy_sim *sim)
{
	if (!sim)
		return;
	sim_lock(sim);
	sim_dma_forget(&sim->dma);
	retranslate_rings(sim);
	sim_unlock(sim);
}

int ixy_sim_set_irq_handler(struct ixy_sim *sim, ixy_sim_irq_fn fn, void *ctx)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_set_irq_handler: no port given");
	sim_lock(sim);
	sim->irq_fn = fn;
	sim->irq_ctx = ctx;
	sim_unlock(sim);
	return 0;
}

void ixy_sim_power_cycle(struct ixy_sim *sim)
{
	if (!sim)
		return;
	sim_lock(sim);
	sim_reset(sim, true, true);
	sim_unlock(sim);
}
