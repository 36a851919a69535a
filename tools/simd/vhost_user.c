/* ixy-simd: the vhost-user side of one port (we are the "backend").
 *
 * UML connects to our socket and configures us with vhost-user messages:
 * a 12-byte header (request, flags, payload size), the payload, and file
 * descriptors passed alongside (SCM_RIGHTS): its memory files with
 * SET_MEM_TABLE, eventfds to kick us, pipes to call it. The socket is
 * non-blocking and a message may arrive in pieces, so bytes are collected
 * per connection; a read never goes past the current message, which keeps
 * the descriptors with the message they came with.
 *
 * UML (arch/um/drivers/virtio_uml.c) sends SET_OWNER, GET_FEATURES,
 * GET/SET_PROTOCOL_FEATURES, SET_MEM_TABLE, SET_VRING_NUM/BASE/ADDR/CALL/
 * KICK/ENABLE, SET_FEATURES, and GET_VRING_BASE/GET_FEATURES on teardown.
 * We offer VHOST_USER_F_PROTOCOL_FEATURES with REPLY_ACK and SLAVE_REQ.
 * Kicks come as eventfds and calls go out through pipes; the back channel
 * (SLAVE_REQ) is not used, but Linux 6.1's UML needs it offered: only then
 * does it allocate the interrupt its call pipes are registered on
 * (vhost_user_init_slave_req; without it they land on IRQ 0, the timer's,
 * and the device fails to probe with -EBUSY).
 *
 * Anything malformed (a payload larger than any request has, a size that
 * does not fit the request, descriptors where none belong, an unknown
 * request) is logged in one line and closes the connection; the port then
 * waits for the next UML.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "simd.h"

/* vhost-user (the specification in QEMU's docs/interop/vhost-user.rst) */
#define VU_GET_FEATURES			1
#define VU_SET_FEATURES			2
#define VU_SET_OWNER			3
#define VU_RESET_OWNER			4
#define VU_SET_MEM_TABLE		5
#define VU_SET_LOG_BASE			6
#define VU_SET_LOG_FD			7
#define VU_SET_VRING_NUM		8
#define VU_SET_VRING_ADDR		9
#define VU_SET_VRING_BASE		10
#define VU_GET_VRING_BASE		11
#define VU_SET_VRING_KICK		12
#define VU_SET_VRING_CALL		13
#define VU_SET_VRING_ERR		14
#define VU_GET_PROTOCOL_FEATURES	15
#define VU_SET_PROTOCOL_FEATURES	16
#define VU_GET_QUEUE_NUM		17
#define VU_SET_VRING_ENABLE		18
#define VU_SET_SLAVE_REQ_FD		21
#define VU_VRING_KICK			35

#define VU_VERSION		0x1
#define VU_FLAG_REPLY		(1u << 2)
#define VU_FLAG_NEED_REPLY	(1u << 3)
#define VU_F_PROTOCOL_FEATURES	30
#define VU_PROTOCOL_F_REPLY_ACK	3
#define VU_PROTOCOL_F_SLAVE_REQ	5
#define VU_VRING_NOFD		(1u << 8)	/* SET_VRING_KICK/CALL without a descriptor */

#define VIRTIO_F_VERSION_1	32

#define SIMD_FEATURES		((1ull << VIRTIO_F_VERSION_1) | (1ull << VU_F_PROTOCOL_FEATURES))
#define SIMD_PROTOCOL_FEATURES	((1ull << VU_PROTOCOL_F_REPLY_ACK) | (1ull << VU_PROTOCOL_F_SLAVE_REQ))

struct vu_hdr {
	uint32_t request, flags, size;
} __attribute__((packed));

struct vu_state {
	uint32_t index, num;
} __attribute__((packed));

struct vu_addr {
	uint32_t index, flags;
	uint64_t desc, used, avail, log;
} __attribute__((packed));

struct vu_region {
	uint64_t gpa, size, uva, mmap_offset;
} __attribute__((packed));

/* ---- the memory table ---- */

void *simd_gpa(struct simd_mem *m, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct simd_region *r = &m->r[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return r->base + (gpa - r->gpa);
	}
	return NULL;
}

int simd_dma_lookup(void *ctx, uint64_t addr, struct ixy_sim_dma_region *out)
{
	struct simd_port *p = ctx;
	int ret = -1;
	pthread_mutex_lock(&p->mem_lock);
	for (unsigned i = 0; i < p->mem.n; i++) {
		struct simd_region *r = &p->mem.r[i];
		if (addr >= r->gpa && addr - r->gpa < r->size) {
			*out = (struct ixy_sim_dma_region){ .addr = r->gpa, .len = r->size, .virt = r->base };
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&p->mem_lock);
	return ret;
}

static void unmap_all(struct simd_mem *m)
{
	for (unsigned i = 0; i < m->n; i++)
		munmap(m->r[i].map, m->r[i].map_len);
	m->n = 0;
}

/* Put table nm in place of the current one: the rings are translated
 * again, the model forgets its cached translations, then the old
 * mappings go. */
static void mem_replace(struct simd_port *p, struct simd_mem *nm)
{
	struct simd_mem old;
	pthread_mutex_lock(&p->lock);
	pthread_mutex_lock(&p->mem_lock);
	old = p->mem;
	p->mem = *nm;
	for (unsigned q = 0; q < SIMD_NUM_VQS; q++)
		if (p->vq[q].addr_set && simd_vq_map(&p->vq[q], &p->mem) < 0)
			simd_log(p, "vring %u is outside the new memory table: stopped", q);
	pthread_mutex_unlock(&p->mem_lock);
	pthread_mutex_unlock(&p->lock);
	if (p->sim)
		ixy_sim_dma_invalidate(p->sim);	/* waits for the engine's round to end */
	unmap_all(&old);
}

void simd_mem_clear(struct simd_port *p)
{
	struct simd_mem empty = { 0 };
	mem_replace(p, &empty);
}

static int set_mem_table(struct simd_port *p, const uint8_t *pl, uint32_t size, int *fds, unsigned nfds)
{
	uint32_t num;
	if (size < 8)
		return -1;
	memcpy(&num, pl, 4);
	/* UML sends room for two regions whatever num says: the payload may be
	 * longer than num regions, never shorter */
	if (num == 0 || num > SIMD_MAX_REGIONS || size < 8 + num * sizeof(struct vu_region) ||
	    size > 8 + SIMD_MAX_REGIONS * sizeof(struct vu_region) || nfds != num) {
		simd_log(p, "SET_MEM_TABLE with %" PRIu32 " regions, %" PRIu32 " payload bytes and %u fds: malformed",
			 num, size, nfds);
		return -1;
	}
	struct simd_mem nm = { 0 };
	for (unsigned i = 0; i < num; i++) {
		struct vu_region vr;
		memcpy(&vr, pl + 8 + i * sizeof(vr), sizeof(vr));
		uint64_t len = vr.mmap_offset + vr.size;
		if (vr.size == 0 || len < vr.size || len > SIZE_MAX || vr.gpa + vr.size < vr.gpa) {
			simd_log(p, "SET_MEM_TABLE region %u (0x%" PRIx64 " + 0x%" PRIx64 ", offset 0x%" PRIx64
				 "): bad size", i, vr.gpa, vr.size, vr.mmap_offset);
			unmap_all(&nm);
			return 1;
		}
		void *m = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
		if (m == MAP_FAILED) {
			simd_log(p, "SET_MEM_TABLE region %u: mmap of %" PRIu64 " bytes failed: %s", i, len, strerror(errno));
			unmap_all(&nm);
			return 1;
		}
		nm.r[nm.n++] = (struct simd_region){ .gpa = vr.gpa, .size = vr.size, .uva = vr.uva, .map = m,
						     .map_len = (size_t)len, .base = (uint8_t *)m + vr.mmap_offset };
	}
	mem_replace(p, &nm);
	if (p->trace)
		for (unsigned i = 0; i < p->mem.n; i++)
			simd_log(p, "memory region %u: UML 0x%" PRIx64 "..0x%" PRIx64, i, p->mem.r[i].gpa,
				 p->mem.r[i].gpa + p->mem.r[i].size - 1);
	return 0;
}

/* ---- replies ---- */

static int send_reply(struct simd_port *p, const struct vu_hdr *req, const void *pl, uint32_t size)
{
	uint8_t buf[sizeof(struct vu_hdr) + 64];
	struct vu_hdr h = { .request = req->request, .flags = VU_VERSION | VU_FLAG_REPLY, .size = size };
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), pl, size);
	size_t len = sizeof(h) + size, done = 0;
	while (done < len) {
		ssize_t r = send(p->conn.fd, buf + done, len - done, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			simd_log(p, "reply to request %" PRIu32 " failed: %s", req->request,
				 r < 0 ? strerror(errno) : "connection closed");
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

static int reply_u64(struct simd_port *p, const struct vu_hdr *req, uint64_t v)
{
	return send_reply(p, req, &v, sizeof(v));
}

/* ---- vrings ---- */

static struct simd_vq *vring_of(struct simd_port *p, uint32_t index, uint32_t request)
{
	if (index >= SIMD_NUM_VQS) {
		simd_log(p, "request %" PRIu32 " for vring %" PRIu32 ": this device has %d", request, index,
			 SIMD_NUM_VQS);
		return NULL;
	}
	return &p->vq[index];
}

/* A ring may have become usable: serve what UML queued meanwhile. */
static void vring_poke(struct simd_port *p, unsigned q)
{
	if (q == SIMD_VQ_CMD) {
		simd_pcidev_kick(p);
		simd_port_flr_check(p);
	} else {
		pthread_mutex_lock(&p->lock);
		simd_irq_flush_locked(p);
		pthread_mutex_unlock(&p->lock);
	}
}

static void kick_watch(struct simd_port *p, unsigned q, bool on)
{
	struct simd_vq *vq = &p->vq[q];
	if (vq->kick_fd < 0 || p->epfd < 0)
		return;
	if (on) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &p->ev_kick[q] };
		epoll_ctl(p->epfd, EPOLL_CTL_ADD, vq->kick_fd, &ev);
	} else {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, vq->kick_fd, NULL);
	}
}

static int set_vring_fd(struct simd_port *p, uint32_t request, const uint8_t *pl, uint32_t size, int *fds,
			unsigned *nfds)
{
	uint64_t v;
	if (size != 8)
		return -1;
	memcpy(&v, pl, 8);
	bool nofd = v & VU_VRING_NOFD;
	if ((nofd && *nfds) || (!nofd && *nfds != 1)) {
		simd_log(p, "request %" PRIu32 " for vring %u with %u fds", request, (unsigned)(v & 0xff), *nfds);
		return -1;
	}
	struct simd_vq *vq = vring_of(p, (uint32_t)(v & 0xff), request);
	if (!vq)
		return -1;
	unsigned q = (unsigned)(vq - p->vq);
	int fd = nofd ? -1 : fds[0];
	*nfds = 0;	/* taken */
	if (request == VU_SET_VRING_ERR) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	pthread_mutex_lock(&p->lock);	/* the interrupt side uses call_fd */
	if (request == VU_SET_VRING_KICK) {
		kick_watch(p, q, false);
		if (vq->kick_fd >= 0)
			close(vq->kick_fd);
		vq->kick_fd = fd;
		vq->started = true;	/* without an fd: in-band kicks (VU_VRING_KICK) */
		kick_watch(p, q, true);
	} else {
		if (vq->call_fd >= 0)
			close(vq->call_fd);
		/* Our end of UML's pipe (nobody else writes it): never block on
		 * it, the interrupt side writes it under the model's lock. */
		if (fd >= 0)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		vq->call_fd = fd;
	}
	pthread_mutex_unlock(&p->lock);
	if (request == VU_SET_VRING_KICK)
		vring_poke(p, q);
	return 0;
}

static int vring_state(struct simd_port *p, const struct vu_hdr *h, const uint8_t *pl)
{
	struct vu_state st;
	if (h->size != sizeof(st))
		return -1;
	memcpy(&st, pl, sizeof(st));
	struct simd_vq *vq = vring_of(p, st.index, h->request);
	if (!vq)
		return -1;
	unsigned q = st.index;
	int ret = 0;
	pthread_mutex_lock(&p->lock);
	switch (h->request) {
	case VU_SET_VRING_NUM:
		if (st.num == 0 || st.num > 32768 || (st.num & (st.num - 1))) {
			simd_log(p, "SET_VRING_NUM %" PRIu32 " for vring %u: not a power of two up to 32768", st.num, q);
			ret = 1;
			break;
		}
		vq->num = st.num;
		vq->addr_set = false;
		break;
	case VU_SET_VRING_BASE:
		vq->last_avail = (uint16_t)st.num;
		vq->used_idx = (uint16_t)st.num;
		break;
	case VU_SET_VRING_ENABLE:
		vq->enabled = st.num != 0;
		break;
	}
	pthread_mutex_unlock(&p->lock);
	if (h->request == VU_SET_VRING_ENABLE && vq->enabled)
		vring_poke(p, q);
	return ret;
}

static int set_vring_addr(struct simd_port *p, const struct vu_hdr *h, const uint8_t *pl)
{
	struct vu_addr a;
	if (h->size != sizeof(a))
		return -1;
	memcpy(&a, pl, sizeof(a));
	struct simd_vq *vq = vring_of(p, a.index, h->request);
	if (!vq)
		return -1;
	int ret = 0;
	pthread_mutex_lock(&p->lock);
	vq->desc_uva = a.desc;
	vq->avail_uva = a.avail;
	vq->used_uva = a.used;
	if (simd_vq_map(vq, &p->mem) < 0) {
		simd_log(p, "vring %" PRIu32 " at desc 0x%" PRIx64 " avail 0x%" PRIx64 " used 0x%" PRIx64
			 " (%u entries): not inside the memory table", a.index, a.desc, a.avail, a.used, vq->num);
		ret = 1;
	} else {
		/* 2.6.8: the device starts with the index the used ring holds */
		vq->used_idx = vq->used->idx;
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static int get_vring_base(struct simd_port *p, const struct vu_hdr *h, const uint8_t *pl)
{
	struct vu_state st;
	if (h->size != sizeof(st))
		return -1;
	memcpy(&st, pl, sizeof(st));
	struct simd_vq *vq = vring_of(p, st.index, h->request);
	if (!vq)
		return -1;
	/* the ring stops (vhost-user: GET_VRING_BASE stops it) */
	pthread_mutex_lock(&p->lock);
	kick_watch(p, st.index, false);
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	vq->kick_fd = -1;
	vq->started = false;
	st.num = vq->last_avail;
	pthread_mutex_unlock(&p->lock);
	return send_reply(p, h, &st, sizeof(st)) < 0 ? -1 : 2;	/* 2: replied already */
}

/* ---- one message ---- */

/* Returns 0 (done, ack 0), 1 (refused, ack 1), 2 (replied already),
 * -1 (malformed: close the connection) or -2 (close, already logged). */
static int handle(struct simd_port *p, const struct vu_hdr *h, const uint8_t *pl, int *fds, unsigned *nfds)
{
	uint64_t v = 0;
	if (h->size == 8)
		memcpy(&v, pl, 8);
	switch (h->request) {
	case VU_GET_FEATURES:
		return reply_u64(p, h, SIMD_FEATURES) < 0 ? -1 : 2;
	case VU_SET_FEATURES:
		if (h->size != 8)
			return -1;
		if (v & ~SIMD_FEATURES)
			simd_log(p, "SET_FEATURES 0x%" PRIx64 ": bits we did not offer ignored", v);
		p->conn.features = v & SIMD_FEATURES;
		return 0;
	case VU_GET_PROTOCOL_FEATURES:
		return reply_u64(p, h, SIMD_PROTOCOL_FEATURES) < 0 ? -1 : 2;
	case VU_SET_PROTOCOL_FEATURES:
		if (h->size != 8)
			return -1;
		p->conn.protocol_features = v & SIMD_PROTOCOL_FEATURES;
		return (v & ~SIMD_PROTOCOL_FEATURES) ? 1 : 0;
	case VU_SET_OWNER:
		p->conn.owner = true;
		return 0;
	case VU_RESET_OWNER:
		p->conn.owner = false;
		return 0;
	case VU_GET_QUEUE_NUM:
		return reply_u64(p, h, SIMD_NUM_VQS) < 0 ? -1 : 2;
	case VU_SET_MEM_TABLE: {
		int r = set_mem_table(p, pl, h->size, fds, *nfds);
		for (unsigned i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		return r;
	}
	case VU_SET_VRING_NUM:
	case VU_SET_VRING_BASE:
	case VU_SET_VRING_ENABLE:
		return vring_state(p, h, pl);
	case VU_SET_VRING_ADDR:
		return set_vring_addr(p, h, pl);
	case VU_GET_VRING_BASE:
		return get_vring_base(p, h, pl);
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		return set_vring_fd(p, h->request, pl, h->size, fds, nfds);
	case VU_VRING_KICK: {
		struct vu_state st;
		if (h->size != sizeof(st))
			return -1;
		memcpy(&st, pl, sizeof(st));
		if (!vring_of(p, st.index, h->request))
			return -1;
		vring_poke(p, st.index);
		return 0;
	}
	case VU_SET_SLAVE_REQ_FD:
		if (*nfds != 1)
			return -1;
		if (p->conn.slave_fd >= 0)
			close(p->conn.slave_fd);
		p->conn.slave_fd = fds[0];	/* kept for the session, not written to */
		*nfds = 0;
		return 0;
	case VU_SET_LOG_FD:
	case VU_SET_LOG_BASE:
		/* not offered; the descriptors are not used */
		simd_log(p, "request %" PRIu32 " (not offered) ignored", h->request);
		return 1;
	}
	simd_log(p, "unknown vhost-user request %" PRIu32 " (%" PRIu32 " payload bytes): closing the connection",
		 h->request, h->size);
	return -2;
}

static int dispatch(struct simd_port *p)
{
	struct simd_conn *c = &p->conn;
	struct vu_hdr h;
	memcpy(&h, c->buf, sizeof(h));
	c->messages++;
	if ((h.flags & 0x3) != VU_VERSION) {
		simd_log(p, "vhost-user message with version %u (flags 0x%" PRIx32 "): only version 1 is known; "
			 "closing the connection", h.flags & 0x3, h.flags);
		return -1;
	}
	if (p->trace)
		simd_log(p, "vhost-user request %" PRIu32 " flags 0x%" PRIx32 " size %" PRIu32 " fds %u", h.request,
			 h.flags, h.size, c->nfds);
	int r = handle(p, &h, c->buf + sizeof(h), c->fds, &c->nfds);
	if (c->nfds) {
		/* descriptors with a message that takes none */
		simd_log(p, "request %" PRIu32 " came with %u unexpected fds; closing the connection", h.request,
			 c->nfds);
		for (unsigned i = 0; i < c->nfds; i++)
			close(c->fds[i]);
		c->nfds = 0;
		return -1;
	}
	if (r < 0) {
		if (r == -1)
			simd_log(p, "malformed request %" PRIu32 " (%" PRIu32 " payload bytes): closing the connection",
				 h.request, h.size);
		return -1;
	}
	if (r != 2 && (h.flags & VU_FLAG_NEED_REPLY) &&
	    (c->protocol_features & (1ull << VU_PROTOCOL_F_REPLY_ACK)))
		return reply_u64(p, &h, (uint64_t)r);
	return 0;
}

int simd_vu_readable(struct simd_port *p)
{
	struct simd_conn *c = &p->conn;
	for (;;) {
		/* read no further than the current message */
		size_t want = sizeof(struct vu_hdr);
		if (c->have >= want) {
			struct vu_hdr h;
			memcpy(&h, c->buf, sizeof(h));
			if (h.size > SIMD_MAX_PAYLOAD) {
				simd_log(p, "vhost-user request %" PRIu32 " with a %" PRIu32 "-byte payload (at most %d): "
					 "closing the connection", h.request, h.size, SIMD_MAX_PAYLOAD);
				return -1;
			}
			want += h.size;
		}
		if (c->have == want) {
			int r = dispatch(p);
			c->have = 0;
			if (r < 0)
				return -1;
			continue;
		}
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * SIMD_MAX_FDS)];
		} ctl;
		struct iovec iov = { .iov_base = c->buf + c->have, .iov_len = want - c->have };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		ssize_t n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			if (n < 0 || c->have)
				simd_log(p, "connection lost%s%s%s", c->have ? " in the middle of a message" : "",
					 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			return -1;
		}
		bool bad_fds = mh.msg_flags & MSG_CTRUNC;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			unsigned k = (unsigned)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			int *fds = (int *)CMSG_DATA(cm);
			for (unsigned i = 0; i < k; i++) {
				if (c->nfds < SIMD_MAX_FDS) {
					c->fds[c->nfds++] = fds[i];
				} else {
					close(fds[i]);
					bad_fds = true;
				}
			}
		}
		if (bad_fds) {
			simd_log(p, "more than %d fds with one message: closing the connection", SIMD_MAX_FDS);
			return -1;
		}
		c->have += (size_t)n;
	}
}

/* ---- log lines ---- */

void simd_log(struct simd_port *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ixy-simd %s: %s\n", p->name, buf);
}

void simd_refuse(struct simd_port *p, const char *fmt, ...)
{
	p->refused++;
	if (p->log_budget == 0)
		return;
	if (--p->log_budget == 0) {
		fprintf(stderr, "ixy-simd %s: (further refusals are counted, not logged)\n", p->name);
		return;
	}
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ixy-simd %s: refused: %s\n", p->name, buf);
}
