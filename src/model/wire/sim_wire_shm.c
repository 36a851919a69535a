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
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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
	uint64_t bad_records;
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
	snprintf(shmname, sizeof(shmname), "/ixy-wire-%s", name);
	snprintf(path, sizeof(path), "/dev/shm%s", shmname);
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
	 * the producer's head (we are this ring's only consumer). */
	struct shm_ring *in = &h->ring[1 - end];
	__atomic_store_n(&in->tail, __atomic_load_n(&in->head, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
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
		snprintf(shmname, sizeof(shmname), "/ixy-wire-%s", s->name);
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
	uint64_t head = r->head;	/* ours alone */
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
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
	__atomic_store_n(&r->head, head + need, __ATOMIC_RELEASE);
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
	uint64_t tail = r->tail;	/* ours alone */
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	int moved = 0;
	while (tail != head && budget-- > 0 && sim->link_up && (flush || !sim->rxpb.count) &&
	       (sim->rx_started || sim_rx_started(sim))) {
		uint64_t pos = tail & (SHM_RING_BYTES - 1);
		uint32_t len;
		memcpy(&len, data + pos, 4);
		if (len == SHM_WRAP) {
			tail += SHM_RING_BYTES - pos;
			continue;
		}
		uint64_t need = 8 + (((uint64_t)len + 7) & ~7ull);
		if (len == 0 || len > SIM_MAX_FRAME || pos + need > SHM_RING_BYTES || need > head - tail) {
			/* a corrupt record: the peer broke the protocol; skip all */
			if (!s->bad_records++)
				sim_violation(sim, "shared-memory wire %s: corrupt record (length %u at offset %llu): "
					      "the other end does not speak this protocol version; frames skipped",
					      s->path, len, (unsigned long long)pos);
			tail = head;
			break;
		}
		struct sim_frame fr;
		sim_frame_one(&fr, data + pos + 8, len);
		moved += sim_rx_frame(sim, &fr) > 0;
		tail += need;
	}
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
		sim->st.mpc[0] += dropped - s->dropped_seen;	/* lost on the wire = packet buffer overflow */
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
