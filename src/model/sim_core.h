/* The virtual 82599: engine threads and domains (sim_core.c). */
#ifndef IXY_SIM_CORE_H
#define IXY_SIM_CORE_H

#include "model/sim_internal.h"

/* Stop / restart a domain's engine thread (no-op in stepped mode). Wires
 * are re-plugged with the engine paused. */
void sim_engine_pause(struct sim_domain *d);
int sim_engine_resume(struct sim_domain *d);

/* Put b into a's domain (pairing) / give b a domain of its own again. */
int sim_domain_merge(struct ixy_sim *a, struct ixy_sim *b);
int sim_domain_split(struct ixy_sim *b);

/* Pair with a port that may not exist yet (the spec's wire=pair:OTHER). */
int sim_wire_pair_pending(struct ixy_sim *sim, const char *peer_name);

#endif
