/* The virtual 82599: frame FIFOs with preallocated slots.
 *
 * Used where a frame must wait as a copy: the RX packet buffer (frames that
 * arrived while no descriptor was free, 7.1.5 / 8.2.3.8.9 RXPBSIZE), the test
 * capture queue and the inject queue. A slot's buffer grows once to the
 * largest frame it held and is then reused: no allocation per frame. */
#include <stdlib.h>
#include <string.h>

#include "model/sim_internal.h"

int sim_fq_init(struct sim_fq *q, uint32_t nslots, uint64_t max_bytes)
{
	sim_fq_free(q);
	q->slots = calloc(nslots, sizeof(*q->slots));
	if (!q->slots)
		return -1;
	q->nslots = nslots;
	q->max_bytes = max_bytes;
	return 0;
}

void sim_fq_free(struct sim_fq *q)
{
	for (uint32_t i = 0; q->slots && i < q->nslots; i++)
		free(q->slots[i].buf);
	free(q->slots);
	memset(q, 0, sizeof(*q));
}

int sim_fq_push(struct sim_fq *q, const struct sim_frame *f, int32_t tag)
{
	if (q->count == q->nslots || (q->max_bytes && q->bytes + f->len > q->max_bytes))
		return -1;
	struct sim_fq_slot *s = &q->slots[(q->head + q->count) % q->nslots];
	if (s->cap < f->len) {
		uint32_t cap = f->len < 2048 ? 2048 : f->len;
		uint8_t *b = realloc(s->buf, cap);
		if (!b)
			return -1;
		s->buf = b;
		s->cap = cap;
	}
	uint32_t off = 0;
	for (uint32_t i = 0; i < f->nseg; i++) {
		memcpy(s->buf + off, f->seg[i].p, f->seg[i].len);
		off += f->seg[i].len;
	}
	s->len = f->len;
	s->tag = tag;
	s->t_ps = f->sfd_ps;
	q->count++;
	q->bytes += f->len;
	return 0;
}

struct sim_fq_slot *sim_fq_peek(struct sim_fq *q)
{
	return q->count ? &q->slots[q->head] : NULL;
}

void sim_fq_pop(struct sim_fq *q)
{
	if (!q->count)
		return;
	q->bytes -= q->slots[q->head].len;
	q->head = (q->head + 1) % q->nslots;
	q->count--;
}
