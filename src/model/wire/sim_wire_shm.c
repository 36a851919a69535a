/* The virtual 82599: a shared-memory wire between processes.
 *
 * "wire=shm:NAME" cables this port to the port in another process (or this
 * one) that names the same wire. The cable is a file in /dev/shm,
 * ixy-wire-NAME, holding two single-producer/single-consumer byte rings,
 * one per direction: end 0 transmits into ring 0 and receives from ring 1,
 * end 1 the other way round. The first opener creates and initialises the
 * segment and takes end 0, the second takes end 1, a third is refused.
 *
 * Lock-free: the producer writes a record (length, frame) and then
 * publishes its head with release; the consumer reads the head with
 * acquire, hands the frames straight from the segment to its receive path
 * (one copy, into the RX buffers) and publishes its tail with release. The
 * transmitting port's own link-speed throttle (sim_tx.c) paces the sender.
 * A full ring drops the frame and counts it; the receiver adds those to its
 * MPC, as if its packet buffer had overflowed (the ring is the far end of
 * the wire and the receiver's packet buffer in one).
 *
 * Ends are owned by process ids, recorded in the segment. A port that
 * closes clears its id; a process that died leaves its id behind, and the
 * survivor notices (kill(pid, 0) every 10 ms) and clears it. Either way the
 * survivor's carrier drops, so its link goes down (LINKS, EICR.LSC), and
 * comes back when a new peer takes the free end. Opening and closing are
 * serialised by flock on the segment; the last end to close unlinks the
 * file, and an opener that finds only dead owners starts a fresh segment.
 * Files of wires nobody reopens are removed by the next opener of any
 * wire once both their owners are dead (like stale hugepage files).
 *
 * The segment is untrusted input: the other process (or anything else that
 * can write /dev/shm) may write any value anywhere in it. Each side keeps
 * the index it owns (its producer head, its consumer tail) in private
 * memory and only publishes it; every index and length it reads from the
 * mapping (the peer's head and tail, record lengths, wrap markers, the drop
 * counter) is checked before use: 8-byte aligned, at most one ring ahead,
 * records inside the ring and inside what was published. Bad data is
 * dropped, counted (ixy_sim_wire_errors, and CRCERRS on the receiving side:
 * garbage on the wire) and reported as a model violation; nothing is read
 * or written outside the rings. (A peer that truncates the file would
 * still make accesses fault: that needs sealed memfds, not done.)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "model/sim_internal.h"

#define SHM_MAGIC 0x57595849u		/* "IXYW" */
#define SHM_VERSION 1u
#define SHM_HDR_BYTES 4096u
#define SHM_RING_BYTES (4u << 20)	/* per direction: ~65k minimum-size frames */
#define SHM_WRAP 0xffffffffu		/* record length: continue at the ring's start */
#define SHM_CHECK_PS 10000000000ull	/* look for a dead peer every 10 ms */
#define SHM_ALIGN 8u			/* records start on 8-byte boundaries */
#define SHM_MAX_REPORTS 8		/* violation texts per port; the count goes on */
#define SHM_DIR "/dev/shm"
#define SHM_PREFIX "ixy-wire-"

/* One direction. head/tail count bytes since the segment was initialised;
 * each sits in its own cache line, written by one side only. */
struct shm_ring {
	uint64_t head;		/* producer */
	uint8_t pad0[56];
	uint64_t tail;		/* consumer */
	uint8_t pad1[56];
	uint64_t dropped;	/* producer: frames that found the ring full */
	uint8_t pad2[56];
};

struct shm_hdr {
	uint32_t magic, version, ring_bytes, hdr_bytes;
	int32_t pid[2];		/* owner of each end, 0 = free */
	uint8_t pad[40];
	struct shm_ring ring[2];	/* ring[i]: frames transmitted by end i */
};

struct sim_shm_state {
	int fd;
	uint8_t *map;
	size_t maplen;
	struct shm_hdr *h;
	int end;
	int32_t peer_pid;	/* the peer we last saw, 0 = none */
	uint64_t next_check_ps;
	uint64_t dropped_seen;
	/* the indices this end owns, kept here: the copies in the segment are
	 * only published for the peer (which could overwrite them) */
	uint64_t tx_head;	/* producer head of ring[end] */
	uint64_t rx_tail;	/* consumer tail of ring[1 - end] */
	uint64_t errors;	/* bad indices, lengths and counters seen */
	bool head_bad, tail_bad;	/* the peer's index is bad: counted once per value */
	uint64_t bad_head, bad_tail;
	unsigned reports;
	char name[64];
	char path[128];
};

static size_t seg_bytes(void)
{
	return SHM_HDR_BYTES + 2 * (size_t)SHM_RING_BYTES;
}

static uint8_t *ring_data(struct sim_shm_state *s, int i)
{
	return s->map + SHM_HDR_BYTES + (size_t)i * SHM_RING_BYTES;
}

static bool pid_alive(int32_t pid)
{
	if (pid <= 0)
		return false;
	if (pid == getpid())
		return true;
	return kill(pid, 0) == 0 || errno != ESRCH;	/* EPERM: alive, someone else's */
}

static bool valid_wire_name(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > 48)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* Another process broke the protocol: count it and say what it was (the
 * first few times; the count goes on). */
static void shm_bad(struct ixy_sim *sim, struct sim_shm_state *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void shm_bad(struct ixy_sim *sim, struct sim_shm_state *s, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	s->errors++;
	if (s->reports >= SHM_MAX_REPORTS)
		return;
	s->reports++;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sim_violation(sim, "shared-memory wire %s: %s; the data is dropped (is another program writing the "
		      "wire's file?)", s->path, what);
}

/* A producer head / consumer tail pair is consistent when both are record
 * boundaries and the producer is at most one ring ahead. */
static bool indices_ok(uint64_t head, uint64_t tail)
{
	return !(head & (SHM_ALIGN - 1)) && !(tail & (SHM_ALIGN - 1)) && head - tail <= SHM_RING_BYTES;
}

/* Whether an ixy-wire-* file is a wire whose owners are all dead. Files
 * another process holds locked (being opened or closed) are left alone. */
static bool wire_file_stale(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	bool stale = false;
	struct stat st;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size >= sizeof(struct shm_hdr)) {
		struct shm_hdr h;
		if (pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) && h.magic == SHM_MAGIC)
			stale = !pid_alive(h.pid[0]) && !pid_alive(h.pid[1]);
	}
	close(fd);	/* drops the lock */
	return stale;
}

/* Remove the files of wires whose processes died without closing (kill -9
 * of both ends, or one end of a wire nobody opens again): each holds 8 MiB
 * of /dev/shm. Returns how many were removed. Only files that carry a wire
 * header are touched; an opener racing with the removal finds its file
 * unlinked and starts over (open_locked). */
static int clean_stale_wires(const char *keep)
{
	DIR *d = opendir(SHM_DIR);
	int removed = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, SHM_PREFIX, strlen(SHM_PREFIX)) != 0 ||
		    strcmp(e->d_name + strlen(SHM_PREFIX), keep) == 0)
			continue;
		if (wire_file_stale(dirfd(d), e->d_name) && unlinkat(dirfd(d), e->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

static void init_segment(struct shm_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->version = SHM_VERSION;
	h->ring_bytes = SHM_RING_BYTES;
	h->hdr_bytes = SHM_HDR_BYTES;
	__atomic_store_n(&h->magic, SHM_MAGIC, __ATOMIC_RELEASE);
}

/* Open the file, take the lock, make sure it is still the linked one
 * (a closer may have unlinked it while we waited for the lock). */
static int open_locked(struct ixy_sim *sim, const char *shmname, const char *path)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		int fd = shm_open(shmname, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			int e = errno;
			return ixy_error(-e, "sim %s: cannot open the shared-memory wire %s: %s (is /dev/shm mounted "
					 "and writable?)", sim->name, path, strerror(e));
		}
		if (flock(fd, LOCK_EX) < 0) {
			int e = errno;
			close(fd);
			return ixy_error(-e, "sim %s: cannot lock the shared-memory wire %s: %s", sim->name, path,
					 strerror(e));
		}
		struct stat st;
		if (fstat(fd, &st) == 0 && st.st_nlink > 0)
			return fd;
		close(fd);	/* unlinked under us: open the new one */
	}
	return ixy_error(-EAGAIN, "sim %s: the shared-memory wire %s keeps being removed while opening it",
			 sim->name, path);
}

int sim_shm_open(struct ixy_sim *sim, const char *name)
{
	if (!name || !valid_wire_name(name))
		return ixy_error(-EINVAL, "sim %s: invalid shared-memory wire name \"%s\": 1..48 characters of "
				 "A-Z a-z 0-9 _ - .", sim->name, name ? name : "(null)");
	char shmname[80], path[128];
	snprintf(shmname, sizeof(shmname), "/" SHM_PREFIX "%s", name);
	snprintf(path, sizeof(path), SHM_DIR "%s", shmname);
	clean_stale_wires(name);
	int fd = open_locked(sim, shmname, path);
	if (fd < 0)
		return fd;

	int err = 0;
	size_t len = seg_bytes();
	struct stat st;
	if (fstat(fd, &st) < 0 || ((size_t)st.st_size != len && ftruncate(fd, (off_t)len) < 0)) {
		int e = errno;
		flock(fd, LOCK_UN);
		close(fd);
		return ixy_error(-e, "sim %s: cannot size the shared-memory wire %s to %zu bytes: %s (is /dev/shm "
				 "full?)", sim->name, path, len, strerror(e));
	}
	uint8_t *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		int e = errno;
		flock(fd, LOCK_UN);
		close(fd);
		return ixy_error(-e, "sim %s: cannot map the shared-memory wire %s: %s", sim->name, path,
				 strerror(e));
	}
	struct shm_hdr *h = (struct shm_hdr *)map;
	bool fresh = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != SHM_MAGIC || h->version != SHM_VERSION ||
		     h->ring_bytes != SHM_RING_BYTES || h->hdr_bytes != SHM_HDR_BYTES;
	if (!fresh) {
		/* owners that died without closing leave their id behind */
		for (int i = 0; i < 2; i++) {
			int32_t p = __atomic_load_n(&h->pid[i], __ATOMIC_ACQUIRE);
			if (p && !pid_alive(p))
				__atomic_store_n(&h->pid[i], 0, __ATOMIC_RELEASE);
		}
		fresh = !h->pid[0] && !h->pid[1];	/* nobody left: start clean */
	}
	if (fresh)
		init_segment(h);
	int end = !h->pid[0] ? 0 : !h->pid[1] ? 1 : -1;
	if (end < 0) {
		err = ixy_error(-EBUSY, "sim %s: the shared-memory wire %s already has both ends (processes %d and %d): "
				"a wire connects two ports; use another NAME", sim->name, path, (int)h->pid[0],
				(int)h->pid[1]);
		munmap(map, len);
		flock(fd, LOCK_UN);
		close(fd);
		return err;
	}
	/* Frames a dead predecessor never took are not ours: start reading at
	 * the producer's head (we are this ring's only consumer); a head that
	 * is not a record boundary is rounded down, the reader then checks it
	 * like any other. Sending continues where the predecessor stopped if
	 * that is consistent with the peer's tail, else at that tail. */
	struct shm_ring *in = &h->ring[1 - end], *out = &h->ring[end];
	uint64_t rx_tail = __atomic_load_n(&in->head, __ATOMIC_ACQUIRE) & ~(uint64_t)(SHM_ALIGN - 1);
	uint64_t tx_head = __atomic_load_n(&out->head, __ATOMIC_ACQUIRE);
	uint64_t peer_tail = __atomic_load_n(&out->tail, __ATOMIC_ACQUIRE);
	if (!indices_ok(tx_head, peer_tail))
		tx_head = peer_tail & ~(uint64_t)(SHM_ALIGN - 1);
	__atomic_store_n(&in->tail, rx_tail, __ATOMIC_RELEASE);
	__atomic_store_n(&out->head, tx_head, __ATOMIC_RELEASE);
	__atomic_store_n(&h->pid[end], (int32_t)getpid(), __ATOMIC_RELEASE);

	struct sim_shm_state *s = calloc(1, sizeof(*s));
	if (!s) {
		__atomic_store_n(&h->pid[end], 0, __ATOMIC_RELEASE);
		munmap(map, len);
		flock(fd, LOCK_UN);
		close(fd);
		return ixy_error(-ENOMEM, "sim %s: out of memory", sim->name);
	}
	s->fd = fd;
	s->map = map;
	s->maplen = len;
	s->h = h;
	s->end = end;
	s->tx_head = tx_head;
	s->rx_tail = rx_tail;
	s->dropped_seen = __atomic_load_n(&in->dropped, __ATOMIC_ACQUIRE);
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->path, sizeof(s->path), "%s", path);
	flock(fd, LOCK_UN);
	sim->shm = s;
	return 0;
}

void sim_shm_close(struct ixy_sim *sim)
{
	struct sim_shm_state *s = sim->shm;
	if (!s)
		return;
	flock(s->fd, LOCK_EX);
	__atomic_store_n(&s->h->pid[s->end], 0, __ATOMIC_RELEASE);
	int32_t other = __atomic_load_n(&s->h->pid[1 - s->end], __ATOMIC_ACQUIRE);
	if (!pid_alive(other)) {
		/* the last end out removes the cable */
		char shmname[80];
		snprintf(shmname, sizeof(shmname), "/" SHM_PREFIX "%s", s->name);
		shm_unlink(shmname);
	}
	flock(s->fd, LOCK_UN);
	munmap(s->map, s->maplen);
	close(s->fd);
	free(s);
	sim->shm = NULL;
}

const char *sim_shm_path(const struct ixy_sim *sim)
{
	return sim->shm ? sim->shm->path : NULL;
}

/* The other end's process id, or 0 if the end is free. A clean close is
 * seen at once (the id is cleared); a dead process only by looking, every
 * SHM_CHECK_PS. */
static int32_t peer_pid(struct ixy_sim *sim, struct sim_shm_state *s)
{
	int32_t p = __atomic_load_n(&s->h->pid[1 - s->end], __ATOMIC_ACQUIRE);
	if (!p)
		return 0;
	if (p == s->peer_pid && sim->now_ps < s->next_check_ps)
		return p;
	s->next_check_ps = sim->now_ps + SHM_CHECK_PS;
	if (pid_alive(p))
		return p;
	/* died without closing: free its end for whoever comes next */
	__atomic_compare_exchange_n(&s->h->pid[1 - s->end], &p, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	return 0;
}

bool sim_shm_tx(struct ixy_sim *sim, const struct sim_frame *f)
{
	struct sim_shm_state *s = sim->shm;
	struct shm_ring *r = &s->h->ring[s->end];
	uint8_t *data = ring_data(s, s->end);
	uint64_t head = s->tx_head;
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	if (!indices_ok(head, tail)) {
		/* the consumer's tail is not one our head can be ahead of:
		 * computing room from it could overwrite unread records */
		if (!s->tail_bad || tail != s->bad_tail) {
			s->tail_bad = true;
			s->bad_tail = tail;
			shm_bad(sim, s, "the receiver's tail %llu does not fit the sender's head %llu (misaligned or "
				"more than one ring behind)", (unsigned long long)tail, (unsigned long long)head);
		}
		__atomic_store_n(&r->dropped, r->dropped + 1, __ATOMIC_RELEASE);	/* lost like on a full ring */
		return false;
	}
	s->tail_bad = false;
	uint64_t need = 8 + (((uint64_t)f->len + 7) & ~7ull);
	uint64_t pos = head & (SHM_RING_BYTES - 1), contig = SHM_RING_BYTES - pos;
	uint64_t room = SHM_RING_BYTES - (head - tail);
	if (room < need + (contig < need ? contig : 0)) {
		__atomic_store_n(&r->dropped, r->dropped + 1, __ATOMIC_RELEASE);
		return false;
	}
	if (contig < need) {
		/* records never straddle the end: mark the rest as skipped */
		uint32_t w = SHM_WRAP;
		memcpy(data + pos, &w, 4);
		head += contig;
		pos = 0;
	}
	uint32_t len = f->len;
	memcpy(data + pos, &len, 4);
	sim_frame_flatten(f, data + pos + 8, f->len);
	s->tx_head = head + need;
	__atomic_store_n(&r->head, s->tx_head, __ATOMIC_RELEASE);
	return true;
}

/* Take up to budget frames from the ring into the port. Frames wait in
 * the ring while the link is down, while frames wait in the packet buffer
 * (arrival order) unless flushing, and until the driver can receive
 * (sim_rx_started: frames that came while the port was opening stay). */
static int shm_read(struct ixy_sim *sim, struct sim_shm_state *s, int budget, bool flush)
{
	struct shm_ring *r = &s->h->ring[1 - s->end];
	uint8_t *data = ring_data(s, 1 - s->end);
	uint64_t tail = s->rx_tail;
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	if (!indices_ok(head, tail)) {
		/* Nothing behind a bad head can be trusted: read nothing until
		 * the sender publishes a consistent one again. */
		if (!s->head_bad || head != s->bad_head) {
			s->head_bad = true;
			s->bad_head = head;
			sim->st.crcerrs++;
			shm_bad(sim, s, "the sender's head %llu does not fit the receiver's tail %llu (misaligned or "
				"more than one ring ahead)", (unsigned long long)head, (unsigned long long)tail);
		}
		return 0;
	}
	s->head_bad = false;
	int moved = 0;
	/* Stop while frames wait in the packet buffer (unless flushing): the
	 * ring keeps the rest in arrival order. tail is always 8-aligned and
	 * inside the published part, so the 4-byte length read stays in the
	 * ring. */
	while (tail != head && budget-- > 0 && sim->link_up && (flush || !sim->rxpb.count) &&
	       (sim->rx_started || sim_rx_started(sim))) {
		uint64_t pos = tail & (SHM_RING_BYTES - 1);
		uint32_t len;
		memcpy(&len, data + pos, 4);
		uint64_t need = len == SHM_WRAP ? SHM_RING_BYTES - pos : 8 + (((uint64_t)len + 7) & ~7ull);
		if ((len != SHM_WRAP && (len == 0 || len > SIM_MAX_FRAME || pos + need > SHM_RING_BYTES)) ||
		    need > head - tail) {
			/* a corrupt record: everything up to the head is suspect */
			sim->st.crcerrs++;
			shm_bad(sim, s, "corrupt record (length %u at offset %llu, %llu bytes published)", len,
				(unsigned long long)pos, (unsigned long long)(head - tail));
			tail = head;
			break;
		}
		if (len != SHM_WRAP) {
			struct sim_frame fr;
			sim_frame_one(&fr, data + pos + 8, len);
			moved += sim_rx_frame(sim, &fr) > 0;
		}
		tail += need;
	}
	s->rx_tail = tail;
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	return moved;
}

int sim_shm_rx_round(struct ixy_sim *sim, int budget)
{
	struct sim_shm_state *s = sim->shm;
	uint64_t now = sim->now_ps / 1000;
	int moved = 0;
	struct shm_ring *r = &s->h->ring[1 - s->end];
	uint64_t dropped = __atomic_load_n(&r->dropped, __ATOMIC_ACQUIRE);
	if (dropped != s->dropped_seen) {
		/* only ever grows (a stalled receiver can see any jump); a
		 * counter that goes back is not the sender's */
		if (dropped > s->dropped_seen)
			sim->st.mpc[0] += dropped - s->dropped_seen;	/* lost on the wire = packet buffer overflow */
		else
			shm_bad(sim, s, "the sender's drop counter went back from %llu to %llu",
				(unsigned long long)s->dropped_seen, (unsigned long long)dropped);
		s->dropped_seen = dropped;
	}
	int32_t p = peer_pid(sim, s);
	if (p != s->peer_pid) {
		/* What the old peer sent before it went was on the cable
		 * before the unplug: it all arrives now (or is dropped and
		 * counted by the RX path), not silently lost with the link. */
		if (s->peer_pid)
			moved += shm_read(sim, s, INT_MAX, true);
		/* The peer came, went or was replaced: the far end of the cable
		 * was (un)plugged; the link drops at once and trains again
		 * after auto-negotiation when a peer is there (EICR.LSC). */
		s->peer_pid = p;
		sim->carrier = false;
		sim_link_update(sim, now);
		if (p) {
			sim->carrier = true;
			sim->an_start_ns = now;
			sim_link_update(sim, now);
		}
	}
	return moved + shm_read(sim, s, budget, false);
}

uint64_t ixy_sim_wire_errors(const struct ixy_sim *sim)
{
	return sim && sim->shm ? sim->shm->errors : 0;
}
