/* Fuzz target: the shared-memory wire (src/model/wire/sim_wire_shm.c),
 * with the shared segment as untrusted input.
 *
 * Two stepped sim ports of this process, each driven by the unchanged
 * ixgbe driver, are the two ends of one wire ("a" is end 0, "b" end 1);
 * the harness maps the segment a third time and plays a hostile peer. Per
 * input: the ring indices are put back to where the ports left them (idle,
 * empty rings), both ports transmit a few frames, and while those sit in
 * the rings unread the input's patches are written over the header (heads,
 * tails, drop counters, owner ids, the version fields) and the ring bytes
 * (anywhere, or right where the reader will read next); then both ports
 * run and receive until idle.
 *
 * Reading or writing outside the mapping must not happen: each port's
 * mapping gets an inaccessible guard page on both sides (__wrap_mmap
 * below), so even a read of a few bytes past the end faults. The segment's
 * file is unlinked as soon as both ends are open, so nothing is left in
 * /dev/shm whatever happens to this process.
 *
 * Input: byte 0 = frames a (low nibble) and b (high nibble) send, 0..15
 * (12 or more: full-size frames);
 * then patches, each [area][offset: 4 bytes LE][length][bytes]:
 *   area % 7 = 0 header (offset % 448), 1 ring 0, 2 ring 1 (offset % ring
 *   size), 3 ring 0 / 4 ring 1 at its consumer's position + offset % 64,
 *   5 ring 0 / 6 ring 1: a record length (offset & 0xffff) over the one
 *   of the (offset >> 16 & 15)-th record after the consumer's position
 *   (the bytes are not used). */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <time.h>

#include "fuzz_util.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/mempool.h"
#include "ixy/sim.h"

/* The segment's layout, as the wire defines it (sim_wire_shm.c). */
#define HDR_BYTES 4096u
#define RING_BYTES (4u << 20)
#define SEG_BYTES (HDR_BYTES + 2 * (size_t)RING_BYTES)
#define HDR_USED 448u			/* struct shm_hdr */
#define OFF_PID(i) (16u + 4u * (i))
#define OFF_HEAD(r) (64u + 192u * (r))
#define OFF_TAIL(r) (OFF_HEAD(r) + 64u)
#define OFF_DROPPED(r) (OFF_HEAD(r) + 128u)

#define ROUNDS 8

static struct ixy_device *dev[2];
static struct ixy_sim *sim[2];
static struct ixy_mempool *txpool;
static uint8_t *seg;		/* the harness's own mapping: the hostile peer */
static char wire[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t get64(uint32_t off)
{
	return __atomic_load_n((uint64_t *)(seg + off), __ATOMIC_ACQUIRE);
}

static void put64(uint32_t off, uint64_t v)
{
	__atomic_store_n((uint64_t *)(seg + off), v, __ATOMIC_RELEASE);
}

/* Guard pages: this target is linked with --wrap=mmap (fuzz/CMakeLists.txt),
 * so the wire's own mmap of the segment comes here. It gets an inaccessible
 * page on each side, reserved first, so an access even a few bytes past the
 * mapping faults (SEGV, reported by ASan with its stack) instead of
 * silently reading whatever happens to be mapped there. */
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
static int guarded;

static bool is_wire_fd(int fd)
{
	char link[64], target[256];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strstr(target, "/ixy-wire-") != NULL;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (addr || len != SEG_BYTES || !(flags & MAP_SHARED) || fd < 0 || !is_wire_fd(fd))
		return __real_mmap(addr, len, prot, flags, fd, off);
	uint8_t *r = __real_mmap(NULL, len + 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return r;
	void *m = __real_mmap(r + 4096, len, prot, flags | MAP_FIXED, fd, off);
	if (m == MAP_FAILED)
		munmap(r, len + 2 * 4096);
	else
		guarded++;
	return m;
}

/* Ring indices as the ports published them when idle: each input starts
 * from there, so what the previous input wrote does not carry over as a
 * corrupt index (for a wire that keeps its own copies, as it should, this
 * is also what its ends believe). */
static uint64_t sane[2][2];

static void remember_sane(void)
{
	for (unsigned r = 0; r < 2; r++) {
		sane[r][0] = get64(OFF_HEAD(r));
		sane[r][1] = get64(OFF_TAIL(r));
		if (sane[r][0] != sane[r][1] || (sane[r][0] & 7))
			sane[r][0] = sane[r][1] = 0;	/* not idle or not sane: start over */
	}
}

static void step_all(int rounds)
{
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < 2; i++)
			ixy_sim_step(sim[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* a wire name of our own: never another process's cable */
	snprintf(wire, sizeof(wire), "fuzz-%d", (int)getpid());
	struct ixy_config cfg = {
		.rx_ring_size = 512,
		.tx_ring_size = 512,
		.max_frame_size = IXY_MAX_FRAME_SIZE,	/* jumbo: more record lengths are read whole */
		.promisc = true,
		.link_optional = true,	/* "a" has no peer yet */
		.link_timeout_ms = 10,
	};
	for (int i = 0; i < 2; i++) {
		char spec[160];
		snprintf(spec, sizeof(spec), "sim:%s,mode=stepped,unthrottled,link_delay_us=1,wire=shm:%s",
			 i ? "fzshm-b" : "fzshm-a", wire);
		dev[i] = ixy_open(spec, &cfg);
		if (!dev[i])
			fuzz_fail("cannot open %s (needs root and a 2 MiB hugetlbfs, like the unit tests): %s", spec,
				  ixy_last_error());
		sim[i] = ixy_device_sim(dev[i]);
	}
	FUZZ_CHECK(guarded == 2, "%d of the 2 port mappings got guard pages: is --wrap=mmap linked in?", guarded);
	char shmname[96], shmpath[112];
	snprintf(shmname, sizeof(shmname), "/ixy-wire-%s", wire);
	snprintf(shmpath, sizeof(shmpath), "/dev/shm%s", shmname);
	int fd = shm_open(shmname, O_RDWR, 0);
	if (fd < 0)
		fuzz_fail("cannot open %s", shmpath);
	seg = mmap(NULL, SEG_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (seg == MAP_FAILED)
		fuzz_fail("cannot map %s", shmpath);
	shm_unlink(shmname);	/* nothing left behind, whatever happens */

	struct ixy_mempool_opts mo = { .num_entries = 256, .numa_node = -1 };
	txpool = ixy_mempool_create(&mo);
	if (!txpool)
		fuzz_fail("cannot create the TX pool: %s", ixy_last_error());
	step_all(100);
	remember_sane();
	return 0;
}

static void send(int i, unsigned n)
{
	struct ixy_pkt_buf *b[16];
	uint32_t got = ixy_pkt_buf_alloc_batch(txpool, b, n);
	for (uint32_t k = 0; k < got; k++) {
		uint8_t *p = ixy_pkt_data(b[k]);
		b[k]->len = n >= 12 ? 1514 : 60 + 97 * k;	/* many: full size, to fill the ring */
		memset(p, 0xff, 6);	/* broadcast */
		memset(p + 6, 0x02, 6);
		p[12] = 0x08;
		p[13] = 0x00;
		for (uint32_t j = 14; j < b[k]->len; j++)
			p[j] = (uint8_t)(j * 7 + k + (unsigned)i);
	}
	uint32_t sent = ixy_tx_batch(dev[i], 0, b, got);
	ixy_pkt_buf_free_batch(b + sent, got - sent);
}

/* Receive everything there is; every frame must lie within its buffer. */
static int drain(void)
{
	int total = 0;
	for (int i = 0; i < 2; i++) {
		struct ixy_pkt_buf *b[64];
		uint32_t n;
		while ((n = ixy_rx_batch(dev[i], 0, b, 64)) > 0) {
			for (uint32_t k = 0; k < n; k++)
				FUZZ_CHECK(b[k]->len <= b[k]->buf_len, "port %d: a %u-byte frame in a %u-byte buffer",
					   i, b[k]->len, b[k]->buf_len);
			ixy_pkt_buf_free_batch(b, n);
			total += (int)n;
		}
	}
	return total;
}

static void patch(const uint8_t *p, size_t len, uint32_t area, uint32_t off)
{
	size_t base, room;
	unsigned r;
	switch (area % 7) {
	case 0:
		base = off % HDR_USED;
		room = HDR_USED - base;
		break;
	case 1:
	case 2:
		base = HDR_BYTES + (area % 7 - 1) * (size_t)RING_BYTES + off % RING_BYTES;
		room = HDR_BYTES + (area % 7) * (size_t)RING_BYTES - base;
		break;
	case 3:
	case 4:
		r = area % 7 - 3;
		base = HDR_BYTES + r * (size_t)RING_BYTES + ((get64(OFF_TAIL(r)) + off % 64) & (RING_BYTES - 1));
		room = HDR_BYTES + (r + 1) * (size_t)RING_BYTES - base;
		break;
	default: {
		/* a record length of (off & 0xffff) over the length of the
		 * (off >> 16 & 15)-th record after the consumer's position
		 * (the wrap marker included): the lengths that matter are near
		 * the limits and the places near the ring's end, which random
		 * bytes rarely hit */
		r = area % 7 - 5;
		const uint8_t *ring = seg + HDR_BYTES + r * (size_t)RING_BYTES;
		uint64_t pos = get64(OFF_TAIL(r)) & (RING_BYTES - 1);
		for (unsigned k = (off >> 16) & 15; k > 0 && pos + 4 <= RING_BYTES; k--) {
			uint32_t rec;
			memcpy(&rec, ring + pos, 4);
			pos = rec == 0xffffffffu ? 0 : pos + 8 + (((uint64_t)rec + 7) & ~7ull);
		}
		uint32_t v = off & 0xffff;
		if (pos + 4 <= RING_BYTES)
			memcpy(seg + HDR_BYTES + r * (size_t)RING_BYTES + pos, &v, 4);
		return;
	}
	}
	memcpy(seg + base, p, len < room ? len : room);
}

static void apply_patches(const uint8_t *data, size_t size)
{
	for (size_t i = 1; i + 6 <= size;) {
		uint32_t area = data[i], off, len = data[i + 5];
		memcpy(&off, data + i + 1, 4);
		i += 6;
		if (len > size - i)
			len = (uint32_t)(size - i);
		patch(data + i, len, area, off);
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* the wire as the ports last left it, both ends present */
	for (unsigned r = 0; r < 2; r++) {
		put64(OFF_HEAD(r), sane[r][0]);
		put64(OFF_TAIL(r), sane[r][1]);
	}
	__atomic_store_n((int32_t *)(seg + OFF_PID(0)), (int32_t)getpid(), __ATOMIC_RELEASE);
	__atomic_store_n((int32_t *)(seg + OFF_PID(1)), (int32_t)getpid(), __ATOMIC_RELEASE);

	send(0, data[0] & 15);
	send(1, data[0] >> 4);
	/* "a" publishes its frames into ring 0 (ring 1 is still empty), the
	 * patches hit them unread; then "b" reads ring 0 and publishes into
	 * ring 1, and the patches are applied once more, to hit those before
	 * "a" reads them. */
	ixy_sim_step(sim[0]);
	apply_patches(data, size);
	ixy_sim_step(sim[1]);
	apply_patches(data, size);

	for (int r = 0; r < ROUNDS; r++) {
		step_all(1);
		drain();
	}
	/* idle again: nothing from this input reaches the next one */
	for (int r = 0; r < 50 && (drain() || ixy_sim_step(sim[0]) || ixy_sim_step(sim[1])); r++)
		;
	remember_sane();
	return 0;
}
