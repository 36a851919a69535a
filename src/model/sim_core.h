/* The virtual 82599: the engine thread and domains (sim_engine.c, sim_core.c). */
#ifndef IXY_SIM_CORE_H
#define IXY_SIM_CORE_H

#include "model/sim_internal.h"

/* The process's engine thread (sim_engine.c). pause: the domain leaves the
 * thread's round (returns once the thread is outside it); resume: it joins
 * again (no-op in stepped mode), starting the thread if needed. Wires are
 * re-plugged with the domain paused. hold/release count threaded ports: the
 * thread exits when the last one is released. */
void sim_engine_pause(struct sim_domain *d);
int sim_engine_resume(struct sim_domain *d);
void sim_engine_hold(void);
void sim_engine_release(void);

/* One round of DMA work for a port, and the time of its next scheduled
 * event (sim_core.c); the domain lock is held. */
int sim_port_round(struct ixy_sim *sim, uint64_t now_ns);
uint64_t sim_port_due_ns(const struct ixy_sim *sim);

/* Put b into a's domain (pairing) / give b a domain of its own again. */
int sim_domain_merge(struct ixy_sim *a, struct ixy_sim *b);
int sim_domain_split(struct ixy_sim *b);

/* Pair with a port that may not exist yet (the spec's wire=pair:OTHER). */
int sim_wire_pair_pending(struct ixy_sim *sim, const char *peer_name);

#endif
