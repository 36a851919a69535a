/* ixy-simd: the served ports and the poll loop.
 *
 * Each port is a model port (ixy_sim_open_spec, threaded: the model's own
 * engine thread moves frames between the wire and UML's memory) plus a
 * listening unix socket for one UML at a time. One thread waits on every
 * socket and every kick eventfd of every port (epoll) and serves them in
 * turn; a port whose UML misbehaves or goes away is reset to power-on state
 * and waits for the next one, and the other ports keep running.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ixy/error.h"
#include "simd.h"

#define REFUSAL_LOG_LINES 100	/* per session; the count goes on */

int simd_server_init(struct simd_server *s)
{
	memset(s, 0, sizeof(*s));
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->epfd < 0 || s->stop_fd < 0) {
		fprintf(stderr, "ixy-simd: epoll/eventfd: %s\n", strerror(errno));
		return -errno;
	}
	s->ev_stop = (struct simd_ev){ .kind = SIMD_EV_STOP };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->ev_stop };
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->stop_fd, &ev);
	return 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "ixy-simd: socket path %s is longer than %zu characters\n", path, sizeof(a.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "ixy-simd: %s exists and is not a socket; not replacing it\n", path);
			return -EEXIST;
		}
		unlink(path);	/* a stale socket of an earlier run */
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		int e = errno;
		fprintf(stderr, "ixy-simd: cannot listen on %s: %s\n", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	return fd;
}

int simd_server_add(struct simd_server *s, const char *sock_path, const char *spec)
{
	if (s->nports == sizeof(s->ports) / sizeof(s->ports[0])) {
		fprintf(stderr, "ixy-simd: at most %zu ports (UML serves 8 PCI devices)\n",
			sizeof(s->ports) / sizeof(s->ports[0]));
		return -ENOSPC;
	}
	for (unsigned i = 0; i < s->nports; i++) {
		if (strcmp(s->ports[i]->sock_path, sock_path) == 0) {
			fprintf(stderr, "ixy-simd: socket %s is given twice (port %s has it already)\n", sock_path,
				s->ports[i]->name);
			return -EINVAL;
		}
	}
	if (strncmp(spec, "sim:", 4) == 0)
		spec += 4;
	if (strstr(spec, "mode=stepped")) {
		fprintf(stderr, "ixy-simd: port \"%s\": the server needs threaded ports (the model's engine moves "
			"frames while UML runs); drop mode=stepped\n", spec);
		return -EINVAL;
	}
	struct simd_port *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->sim = ixy_sim_open_spec(spec);
	if (!p->sim) {
		fprintf(stderr, "ixy-simd: port \"%s\": %s\n", spec, ixy_last_error());
		free(p);
		return -EINVAL;
	}
	snprintf(p->name, sizeof(p->name), "%s", ixy_sim_name(p->sim));
	snprintf(p->sock_path, sizeof(p->sock_path), "%s", sock_path);
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->mem_lock, NULL);
	simd_fn_init(&p->fn, ixy_sim_device_id(p->sim));
	p->conn.fd = p->conn.slave_fd = -1;
	for (unsigned q = 0; q < SIMD_NUM_VQS; q++) {
		p->vq[q].kick_fd = p->vq[q].call_fd = -1;
		simd_vq_reset(&p->vq[q]);
		p->ev_kick[q] = (struct simd_ev){ .kind = SIMD_EV_KICK, .port = p, .vq = q };
	}
	p->ev_listen = (struct simd_ev){ .kind = SIMD_EV_LISTEN, .port = p };
	p->ev_conn = (struct simd_ev){ .kind = SIMD_EV_CONN, .port = p };
	p->epfd = s->epfd;
	p->trace = s->trace;
	p->log_budget = REFUSAL_LOG_LINES;
	if (ixy_sim_set_dma_lookup(p->sim, simd_dma_lookup, p) < 0 || ixy_sim_set_irq_handler(p->sim, simd_irq, p) < 0) {
		fprintf(stderr, "ixy-simd: port %s: %s\n", p->name, ixy_last_error());
		ixy_sim_destroy(p->sim);
		free(p);
		return -EINVAL;
	}
	p->listen_fd = listen_on(sock_path);
	if (p->listen_fd < 0) {
		int e = p->listen_fd;
		ixy_sim_destroy(p->sim);
		free(p);
		return e;
	}
	struct stat st;
	if (stat(sock_path, &st) == 0) {
		p->sock_dev = st.st_dev;
		p->sock_ino = st.st_ino;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &p->ev_listen };
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, p->listen_fd, &ev);
	s->ports[s->nports++] = p;
	return 0;
}

/* The function and the port back to power-on state (a new UML, an FLR). */
static void port_reset(struct simd_port *p)
{
	pthread_mutex_lock(&p->lock);
	simd_fn_reset(&p->fn);
	pthread_mutex_unlock(&p->lock);
	ixy_sim_power_cycle(p->sim);
}

void simd_port_disconnect(struct simd_port *p, const char *why)
{
	if (p->conn.fd < 0)
		return;
	simd_log(p, "UML disconnected (%s) after %" PRIu64 " messages; the port is reset and waits for the next",
		 why, p->conn.messages);
	if (p->epfd >= 0)
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, p->conn.fd, NULL);
	close(p->conn.fd);
	for (unsigned i = 0; i < p->conn.nfds; i++)
		close(p->conn.fds[i]);
	if (p->conn.slave_fd >= 0)
		close(p->conn.slave_fd);
	memset(&p->conn, 0, sizeof(p->conn));
	p->conn.fd = p->conn.slave_fd = -1;
	pthread_mutex_lock(&p->lock);
	for (unsigned q = 0; q < SIMD_NUM_VQS; q++) {
		if (p->vq[q].kick_fd >= 0 && p->epfd >= 0)
			epoll_ctl(p->epfd, EPOLL_CTL_DEL, p->vq[q].kick_fd, NULL);
		simd_vq_reset(&p->vq[q]);
	}
	pthread_mutex_unlock(&p->lock);
	/* the port first: its queues stop while UML's memory is still mapped,
	 * so a UML that vanished mid-transfer is not reported as DMA faults */
	port_reset(p);
	simd_mem_clear(p);
}

static void accept_conn(struct simd_port *p)
{
	int fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* The previous UML may be gone with its goodbye not yet read (both
	 * events in one epoll round): read it first. */
	if (p->conn.fd >= 0 && simd_vu_readable(p) < 0)
		simd_port_disconnect(p, "connection closed or protocol error");
	if (p->conn.fd >= 0) {
		simd_log(p, "a second UML tried to connect while one is being served: refused");
		close(fd);
		return;
	}
	p->conn.fd = fd;
	p->sessions++;
	p->log_budget = REFUSAL_LOG_LINES;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = &p->ev_conn };
	epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev);
	simd_log(p, "UML connected on %s", p->sock_path);
}

static void kicked(struct simd_port *p, unsigned q)
{
	int fd = p->vq[q].kick_fd;
	if (fd < 0)
		return;
	/* One read: an eventfd hands over its whole count at once; what a pipe
	 * still holds wakes epoll again. UML's eventfds are blocking, so a
	 * second read here would hang the server. */
	uint64_t n[8];
	ssize_t r = read(fd, n, sizeof(n));
	(void)r;
	if (q == SIMD_VQ_CMD) {
		simd_pcidev_kick(p);
	} else {
		pthread_mutex_lock(&p->lock);
		simd_irq_flush_locked(p);
		pthread_mutex_unlock(&p->lock);
	}
	simd_port_flr_check(p);
}

void simd_port_flr_check(struct simd_port *p)
{
	if (p->fn.flr) {
		simd_log(p, "function level reset");
		port_reset(p);
	}
}

int simd_server_poll(struct simd_server *s, int timeout_ms)
{
	struct epoll_event evs[16];
	int n = epoll_wait(s->epfd, evs, 16, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct simd_ev *e = evs[i].data.ptr;
		struct simd_port *p = e->port;
		switch (e->kind) {
		case SIMD_EV_STOP:
			return 1;
		case SIMD_EV_LISTEN:
			accept_conn(p);
			break;
		case SIMD_EV_CONN:
			if (p->conn.fd < 0)
				break;	/* closed by an earlier event of this round */
			if (simd_vu_readable(p) < 0)
				simd_port_disconnect(p, "connection closed or protocol error");
			break;
		case SIMD_EV_KICK:
			kicked(p, e->vq);
			break;
		}
	}
	return 0;
}

int simd_server_run(struct simd_server *s)
{
	int r;
	while ((r = simd_server_poll(s, -1)) == 0)
		;
	return r < 0 ? r : 0;
}

void simd_server_stop(struct simd_server *s)
{
	uint64_t one = 1;
	ssize_t r = write(s->stop_fd, &one, sizeof(one));	/* async-signal-safe */
	(void)r;
}

/* Registers the model saw and does not know: each is either to be
 * implemented or shown harmless (issue 10, item 2). */
static void report_unknown_regs(FILE *f, struct simd_port *p)
{
	unsigned n = ixy_sim_unknown_reg_count(p->sim);
	fprintf(f, "  unknown registers: %u\n", n);
	for (unsigned i = 0; i < n; i++) {
		uint32_t off;
		uint64_t reads, writes;
		if (ixy_sim_unknown_reg(p->sim, i, &off, &reads, &writes) == 0)
			fprintf(f, "    0x%05" PRIx32 ": %" PRIu64 " reads, %" PRIu64 " writes\n", off, reads, writes);
	}
}

void simd_server_report(struct simd_server *s, FILE *f)
{
	for (unsigned i = 0; i < s->nports; i++) {
		struct simd_port *p = s->ports[i];
		unsigned nv = ixy_sim_violation_count(p->sim);
		fprintf(f, "port %s (%s): %" PRIu64 " UML sessions, %" PRIu64 " commands, %" PRIu64
			" refused, %" PRIu64 " MSI + %" PRIu64 " INTx messages\n", p->name, p->sock_path, p->sessions,
			p->cmds, p->refused, p->msi_sent, p->int_sent);
		fprintf(f, "  command ring: at most %u of %u entries waiting, full %" PRIu64 " times\n", p->cmd_peak,
			p->cmd_num, p->cmd_full);
		fprintf(f, "  violations: %u\n", nv);
		for (unsigned k = 0; k < nv && k < 64; k++)
			fprintf(f, "    %s\n", ixy_sim_violation(p->sim, k));
		fprintf(f, "  DMA faults: %" PRIu64 "\n", ixy_sim_dma_faults(p->sim));
		report_unknown_regs(f, p);
	}
}

void simd_server_free(struct simd_server *s)
{
	for (unsigned i = 0; i < s->nports; i++) {
		struct simd_port *p = s->ports[i];
		simd_port_disconnect(p, "server stops");
		ixy_sim_set_irq_handler(p->sim, NULL, NULL);
		ixy_sim_set_dma_lookup(p->sim, NULL, NULL);
		close(p->listen_fd);
		/* only our own socket: another server may have taken the path since */
		struct stat st;
		if (lstat(p->sock_path, &st) == 0 && st.st_dev == p->sock_dev && st.st_ino == p->sock_ino)
			unlink(p->sock_path);
		ixy_sim_destroy(p->sim);
		pthread_mutex_destroy(&p->lock);
		pthread_mutex_destroy(&p->mem_lock);
		free(p);
	}
	s->nports = 0;
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	s->epfd = s->stop_fd = -1;
}
