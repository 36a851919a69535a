/* ixy-simd: split virtqueues in UML's shared memory (virtio 1.x, 2.6).
 *
 * UML lays out each ring in its physical memory and tells us where with
 * SET_VRING_ADDR (addresses in its own address space, which for UML equal
 * its physical addresses). We read descriptors it made available, and
 * return them on the used ring. Everything in the ring is written by a
 * client we do not trust: every index is taken modulo the ring size, every
 * buffer must lie inside the memory table, chains are bounded; a bad chain
 * is returned with length 0 and counted, never followed.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "simd.h"

void simd_vq_reset(struct simd_vq *vq)
{
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	memset(vq, 0, sizeof(*vq));
	vq->kick_fd = -1;
	vq->call_fd = -1;
}

/* UML's address (its user address) -> our pointer. */
static void *uva(struct simd_mem *m, uint64_t a, uint64_t len)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct simd_region *r = &m->r[i];
		if (a >= r->uva && a - r->uva < r->size && len <= r->size - (a - r->uva))
			return r->base + (a - r->uva);
	}
	return NULL;
}

int simd_vq_map(struct simd_vq *vq, struct simd_mem *m)
{
	vq->addr_set = false;
	if (!vq->num)
		return -1;
	/* sizes of the three parts (2.6: descriptor table, driver and device area) */
	uint64_t dlen = 16ull * vq->num, alen = 6 + 2ull * vq->num, ulen = 6 + 8ull * vq->num;
	vq->desc = uva(m, vq->desc_uva, dlen);
	vq->avail = uva(m, vq->avail_uva, alen);
	vq->used = uva(m, vq->used_uva, ulen);
	if (!vq->desc || !vq->avail || !vq->used)
		return -1;
	vq->addr_set = true;
	return 0;
}

bool simd_vq_ready(const struct simd_vq *vq)
{
	return vq->addr_set && vq->enabled && vq->started;
}

unsigned simd_vq_pending(const struct simd_vq *vq)
{
	if (!simd_vq_ready(vq))
		return 0;
	return (uint16_t)(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) - vq->last_avail);
}

int simd_vq_pop(struct simd_vq *vq, struct simd_mem *m, struct simd_chain *c)
{
	if (!simd_vq_ready(vq))
		return 0;
	uint16_t avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num) {
		/* the driver claims more than the ring holds: a broken ring */
		vq->errors++;
		vq->last_avail = avail_idx;
		return -1;
	}
	uint16_t head = vq->avail->ring[vq->last_avail % vq->num];
	vq->last_avail++;
	c->head = head;
	c->nout = c->nin = 0;
	if (head >= vq->num)
		goto bad;
	uint16_t i = head;
	for (unsigned n = 0;; n++) {
		if (n >= vq->num || i >= vq->num)
			goto bad;	/* a loop or an index outside the table */
		struct vring_desc d = vq->desc[i];
		if (d.flags & VRING_DESC_F_INDIRECT)
			goto bad;	/* not offered (VIRTIO_RING_F_INDIRECT_DESC) */
		uint8_t *p = d.len ? simd_gpa(m, d.addr, d.len) : NULL;
		if (d.len && !p)
			goto bad;	/* outside UML's memory */
		if (d.flags & VRING_DESC_F_WRITE) {
			if (c->nin == SIMD_MAX_SEGS)
				goto bad;
			c->in[c->nin].p = p;
			c->in[c->nin++].len = d.len;
		} else {
			if (c->nin || c->nout == SIMD_MAX_SEGS)
				goto bad;	/* readable after writable is not allowed (2.6.4.2) */
			c->out[c->nout].p = p;
			c->out[c->nout++].len = d.len;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		i = d.next;
	}
	return 1;
bad:
	vq->errors++;
	if (head < vq->num)
		simd_vq_push(vq, head, 0);
	return -1;
}

void simd_vq_push(struct simd_vq *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx % vq->num];
	e->id = head;
	e->len = len;
	vq->used_idx++;
	/* the entry before the index (2.6.8.2) */
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

void simd_vq_notify(struct simd_vq *vq)
{
	if (vq->call_fd < 0)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* used->idx before reading the flag */
	if (__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	/* UML gives a pipe (eventfd does not raise SIGIO); 8 bytes either way.
	 * A full pipe means UML has notifications to read already. */
	uint64_t one = 1;
	ssize_t r;
	do {
		r = write(vq->call_fd, &one, sizeof(one));
	} while (r < 0 && errno == EINTR);
}
