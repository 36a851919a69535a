/* The public interrupt calls: one eventfd per RX queue, the arm sequence,
 * blocking waits and the hybrid of polling and sleeping.
 *
 * What is the same for every driver and backend lives here: the eventfd
 * (a sim port's interrupt handler writes it; with VFIO the kernel will,
 * through VFIO_DEVICE_SET_IRQS on the same fd), the order of arming and the
 * sleep. The driver only routes, masks and unmasks (ops->rx_irq_*).
 *
 * The arm sequence, and why no frame is stranded (ixy's issue 21: frames
 * that arrive between "the ring is empty" and "the interrupt is on" stay in
 * the ring until the next interrupt, which may never come):
 *   1. discard what the eventfd holds (signals from before; counted)
 *   2. the driver drops the vector's stale cause and unmasks it (EIMS)
 *   3. a full barrier, then look at the ring once more
 *   4. empty: sleep on the fd; not empty: mask again and receive
 * A frame written back before 2 is seen in 3. A frame written back after 2
 * raises the vector's cause while it is unmasked: the interrupt fires and
 * the fd becomes readable, whether the thread is already asleep or not. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "error.h"
#include "ixy/device.h"
#include "ixy/sim.h"

#define WAIT_MAX_QUEUES 64      /* queues in one ixy_rx_wait_any */
#define STEPPED_NAP_US 20       /* a stepped port's "time" between steps while waiting */

struct ixy_rx_irq {
	int fd;                     /* eventfd; -1: interrupts off */
	struct ixy_rx_irq_stats stats;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int check_queue(const char *fn, struct ixy_device *dev, uint16_t queue)
{
	if (!dev)
		return ixy_error(-EINVAL, "%s: no device given", fn);
	if (queue >= dev->num_rx_queues)
		return ixy_error(-EINVAL, "%s: RX queue %u does not exist (%u configured)", dev->name, queue,
				 dev->num_rx_queues);
	return 0;
}

/* The interrupt state of an enabled queue, or NULL with the message set. */
static struct ixy_rx_irq *enabled_queue(const char *fn, struct ixy_device *dev, uint16_t queue)
{
	if (check_queue(fn, dev, queue))
		return NULL;
	if (!dev->rx_irq || dev->rx_irq[queue].fd < 0)
		return ixy_error_null(-EINVAL, "%s: %s: the interrupt of RX queue %u is not enabled; call "
				      "ixy_rx_interrupt_enable first", dev->name, fn, queue);
	return &dev->rx_irq[queue];
}

int ixy_rx_interrupt_enable(struct ixy_device *dev, uint16_t queue, const struct ixy_irq_config *cfg)
{
	struct ixy_irq_config c = { 0 };
	int rc;

	if ((rc = check_queue("ixy_rx_interrupt_enable", dev, queue)))
		return rc;
	if (cfg)
		c = *cfg;
	if (!dev->ops->rx_irq_enable)
		return ixy_error(-ENOTSUP, "%s: the %s driver has no interrupts; poll the queue with "
				 "ixy_rx_batch instead", dev->name, dev->driver_name);
	if (!dev->rx_irq) {
		dev->rx_irq = calloc(dev->num_rx_queues, sizeof(*dev->rx_irq));
		if (!dev->rx_irq)
			return ixy_error(-ENOMEM, "%s: out of memory for interrupt state", dev->name);
		for (uint16_t i = 0; i < dev->num_rx_queues; i++)
			dev->rx_irq[i].fd = -1;
	}
	struct ixy_rx_irq *q = &dev->rx_irq[queue];
	bool fresh = q->fd < 0;
	if (fresh) {
		q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (q->fd < 0)
			return ixy_error(-errno, "%s: RX queue %u: eventfd: %s (out of file descriptors? check "
					 "ulimit -n)", dev->name, queue, strerror(errno));
		memset(&q->stats, 0, sizeof(q->stats));
	}
	if ((rc = dev->ops->rx_irq_enable(dev, queue, q->fd, &c))) {
		if (fresh) {
			close(q->fd);
			q->fd = -1;
		}
		return rc;
	}
	return 0;
}

int ixy_rx_interrupt_disable(struct ixy_device *dev, uint16_t queue)
{
	int rc;
	if ((rc = check_queue("ixy_rx_interrupt_disable", dev, queue)))
		return rc;
	if (!dev->rx_irq || dev->rx_irq[queue].fd < 0)
		return 0;
	/* the driver masks and unroutes first: after that nothing writes the
	 * fd, and it can be closed */
	dev->ops->rx_irq_disable(dev, queue);
	close(dev->rx_irq[queue].fd);
	dev->rx_irq[queue].fd = -1;
	return 0;
}

void ixy_irq_close(struct ixy_device *dev)
{
	if (!dev->rx_irq)
		return;
	for (uint16_t i = 0; i < dev->num_rx_queues; i++)
		(void)ixy_rx_interrupt_disable(dev, i);
	free(dev->rx_irq);
	dev->rx_irq = NULL;
}

int ixy_rx_queue_fd(struct ixy_device *dev, uint16_t queue)
{
	struct ixy_rx_irq *q = enabled_queue("ixy_rx_queue_fd", dev, queue);
	return q ? q->fd : ixy_last_error_code();
}

int ixy_rx_interrupt_stats(struct ixy_device *dev, uint16_t queue, struct ixy_rx_irq_stats *stats)
{
	struct ixy_rx_irq *q = enabled_queue("ixy_rx_interrupt_stats", dev, queue);
	if (!q)
		return ixy_last_error_code();
	if (stats)
		*stats = q->stats;
	return 0;
}

/* Read what the eventfd holds (non-blocking): the interrupts since the last
 * read. An fd that fails otherwise than "empty" is an error. */
static int drain(struct ixy_device *dev, uint16_t queue, struct ixy_rx_irq *q)
{
	uint64_t v;
	ssize_t r = read(q->fd, &v, sizeof(v));
	if (r == (ssize_t)sizeof(v)) {
		q->stats.interrupts += v;
		return 0;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return ixy_error(-EIO, "%s: RX queue %u: reading its interrupt eventfd %d failed: %s", dev->name, queue,
			 q->fd, r < 0 ? strerror(errno) : "short read");
}

/* Steps 1-4 of the arm sequence (top of the file): 1 = packets are there
 * (left masked), 0 = armed with an empty ring. */
static int arm(struct ixy_device *dev, uint16_t queue, struct ixy_rx_irq *q)
{
	int rc = drain(dev, queue, q);
	if (rc)
		return rc;
	dev->ops->rx_irq_arm(dev, queue);
	/* The unmask must be done before the ring is read again: otherwise
	 * the CPU could read the descriptor early, see it empty, and the
	 * frame written after that read but before the unmask is missed. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (dev->ops->rx_ready(dev, queue)) {
		dev->ops->rx_irq_disarm(dev, queue);
		q->stats.ready_at_arm++;
		return 1;
	}
	q->stats.arms++;
	return 0;
}

int ixy_rx_interrupt_arm(struct ixy_device *dev, uint16_t queue)
{
	struct ixy_rx_irq *q = enabled_queue("ixy_rx_interrupt_arm", dev, queue);
	return q ? arm(dev, queue, q) : ixy_last_error_code();
}

int ixy_rx_interrupt_disarm(struct ixy_device *dev, uint16_t queue)
{
	struct ixy_rx_irq *q = enabled_queue("ixy_rx_interrupt_disarm", dev, queue);
	if (!q)
		return ixy_last_error_code();
	dev->ops->rx_irq_disarm(dev, queue);
	return 0;
}

int ixy_event_fd(struct ixy_device *dev)
{
	if (!dev)
		return ixy_error(-EINVAL, "ixy_event_fd: no device given");
	return dev->pci ? ixy_pci_event_fd(dev->pci) : -1;
}

/* ---- waiting ---- */

/* The poll set: the n queues' eventfds, then one event fd per device
 * that has one (ixy_pci_event_fd: the kernel asking for a VFIO device
 * back must not wait for the sleeper's timeout). */
struct waitset {
	const struct ixy_rxq *e;
	struct ixy_rx_irq *q[WAIT_MAX_QUEUES];
	struct pollfd pfd[2 * WAIT_MAX_QUEUES];
	struct ixy_device *ev_dev[WAIT_MAX_QUEUES];   /* owner of pfd[n + i] */
	unsigned n, nev;
	bool stepped;               /* a stepped sim port among them: step while waiting */
};

static void add_event_fd(struct waitset *w, struct ixy_device *dev)
{
	int fd = dev->pci ? ixy_pci_event_fd(dev->pci) : -1;
	if (fd < 0)
		return;
	for (unsigned i = 0; i < w->nev; i++)
		if (w->ev_dev[i] == dev)
			return;
	w->pfd[w->n + w->nev] = (struct pollfd){ .fd = fd, .events = POLLIN };
	w->ev_dev[w->nev++] = dev;
}

/* A device's event fd fired: ixy_pci_check says what happened (and, for
 * VFIO's request, gives the device back). 0 when it had nothing. */
static int check_events(const struct waitset *w)
{
	for (unsigned i = 0; i < w->nev; i++) {
		if (!w->pfd[w->n + i].revents)
			continue;
		int rc = ixy_pci_check(w->ev_dev[i]->pci);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static unsigned count_ready(const struct waitset *w)
{
	unsigned ready = 0;
	for (unsigned i = 0; i < w->n; i++)
		ready += w->e[i].dev->ops->rx_ready(w->e[i].dev, w->e[i].queue);
	return ready;
}

static void disarm_all(const struct waitset *w)
{
	for (unsigned i = 0; i < w->n; i++)
		w->e[i].dev->ops->rx_irq_disarm(w->e[i].dev, w->e[i].queue);
}

/* poll(2) on the fds; a stepped port gets a round per check instead of
 * time passing by itself. Returns poll's result (errno set on -1). */
static int sleep_on_fds(struct waitset *w, uint64_t deadline)
{
	for (;;) {
		uint64_t now = now_ns();
		int ms = now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
		if (!w->stepped)
			return poll(w->pfd, w->n + w->nev, ms);
		for (unsigned i = 0; i < w->n; i++)
			if (w->e[i].dev->sim_stepped)
				ixy_sim_step(w->e[i].dev->sim);
		int r = poll(w->pfd, w->n + w->nev, 0);
		if (r != 0 || ms == 0)
			return r;
		usleep(STEPPED_NAP_US);
	}
}

int ixy_rx_wait_any(const struct ixy_rxq *queues, unsigned n, int timeout_ms)
{
	struct waitset w = { .e = queues, .n = n };

	if (!queues || n == 0 || n > WAIT_MAX_QUEUES)
		return ixy_error(-EINVAL, "ixy_rx_wait_any: %u queues given (1..%u)", queues ? n : 0, WAIT_MAX_QUEUES);
	if (timeout_ms <= 0)
		return ixy_error(-EINVAL, "%s: ixy_rx_wait: timeout %d ms: a wait needs a positive timeout (to "
				 "check without waiting use ixy_rx_batch; to wait without bound, poll the queue's "
				 "fd after ixy_rx_interrupt_arm)", queues[0].dev ? queues[0].dev->name : "?",
				 timeout_ms);
	for (unsigned i = 0; i < n; i++) {
		if (!(w.q[i] = enabled_queue("ixy_rx_wait", queues[i].dev, queues[i].queue)))
			return ixy_last_error_code();
		w.pfd[i] = (struct pollfd){ .fd = w.q[i]->fd, .events = POLLIN };
		w.stepped |= queues[i].dev->sim_stepped;
	}
	for (unsigned i = 0; i < n; i++)
		add_event_fd(&w, queues[i].dev);
	unsigned ready = count_ready(&w);
	if (ready)
		return (int)ready;  /* no need to arm anything */

	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		for (unsigned i = 0; i < n; i++) {
			int rc = arm(queues[i].dev, queues[i].queue, w.q[i]);
			if (rc < 0) {
				disarm_all(&w);
				return rc;
			}
			ready += (unsigned)rc;
		}
		if (ready) {
			disarm_all(&w);
			return (int)count_ready(&w);
		}
		int r = sleep_on_fds(&w, deadline);
		int err = errno;
		disarm_all(&w);  /* the vectors that fired masked themselves; the others now too */
		if (r < 0 && err != EINTR)
			return ixy_error(-err, "%s: ixy_rx_wait: poll on the interrupt eventfds: %s",
					 queues[0].dev->name, strerror(err));
		for (unsigned i = 0; r > 0 && i < n; i++)
			if (w.pfd[i].revents & (POLLERR | POLLNVAL))
				return ixy_error(-EIO, "%s: RX queue %u: its interrupt eventfd %d reports an error "
						 "(closed behind the library's back?)", queues[i].dev->name,
						 queues[i].queue, w.pfd[i].fd);
		if (r > 0) {
			int rc = check_events(&w);
			if (rc < 0)
				return rc;
		}
		ready = count_ready(&w);
		if (ready || r < 0 || now_ns() >= deadline)
			return (int)ready;  /* packets, a signal, or the timeout */
		/* woken without a packet (a signal from before the unmask of a
		 * vector whose cause could not be dropped): arm again */
	}
}

int ixy_rx_wait(struct ixy_device *dev, uint16_t queue, int timeout_ms)
{
	struct ixy_rxq q = { .dev = dev, .queue = queue };
	if (!dev)
		return ixy_error(-EINVAL, "ixy_rx_wait: no device given");
	return ixy_rx_wait_any(&q, 1, timeout_ms);
}

/* ---- the hybrid ---- */

int ixy_rx_hybrid_idle(struct ixy_rx_hybrid *h, const struct ixy_rxq *queues, unsigned n, uint32_t received)
{
	if (!h)
		return ixy_error(-EINVAL, "ixy_rx_hybrid_idle: no state given");
	if (received) {
		h->idle_since_ns = 0;
		return 0;
	}
	/* idle: the clock is read only on empty rounds, which cost nothing */
	uint64_t now = now_ns();
	if (!h->idle_since_ns) {
		h->idle_since_ns = now;
		return 0;
	}
	uint64_t idle_ns = (uint64_t)(h->idle_us ? h->idle_us : IXY_HYBRID_IDLE_US) * 1000u;
	if (now - h->idle_since_ns < idle_ns)
		return 0;
	h->sleeps++;
	int rc = ixy_rx_wait_any(queues, n, h->sleep_ms > 0 ? h->sleep_ms : IXY_HYBRID_SLEEP_MS);
	h->idle_since_ns = 0;  /* poll for idle_us again before the next sleep */
	if (rc > 0)
		h->wakeups++;
	return rc;
}
