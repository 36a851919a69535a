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
int sim_port_round_queues(struct ixy_sim *sim, uint64_t now_ns, unsigned first, unsigned count);
uint64_t sim_port_due_ns(const struct ixy_sim *sim);

/* Put b into a's domain (pairing) / give b a domain of its own again. */
int sim_domain_merge(struct ixy_sim *a, struct ixy_sim *b);
int sim_domain_split(struct ixy_sim *b);

/* Pair with a port that may not exist yet (the spec's wire=pair:OTHER).
 * Refuses a peer that can never pair with sim: an invalid name, sim itself,
 * a port paired or waiting elsewhere, another mode. */
int sim_wire_pair_pending(struct ixy_sim *sim, const char *peer_name);

/* Port names: 1..63 characters, none of , : = or space. */
bool sim_valid_name(const char *n);
/* Whether a port waits to pair with `name` (its spec said pair:NAME before
 * NAME existed): copies its name into who and its mode. */
bool sim_find_waiting(const char *name, char *who, size_t len, enum ixy_sim_mode *mode);
/* The peer a port waits for, or NULL. */
const char *sim_pending_peer(const struct ixy_sim *sim);

#endif
