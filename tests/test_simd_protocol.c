/* ixy-simd against a fake User-Mode Linux: the vhost-user and virtio_pcidev
 * protocol as UML speaks it (arch/um/drivers/virtio_uml.c, virt-pci.c).
 *
 * The server runs its poll loop in a thread; the test is the client: it
 * connects to the port's socket, shares a memfd as "UML's physical memory"
 * (SET_MEM_TABLE with SCM_RIGHTS), lays out both virtqueues in it, and
 * posts virtio_pcidev commands on queue 0 and interrupt buffers on queue 1,
 * reading the replies and interrupt records back from that memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_pcidev.h>
#include <linux/virtio_ring.h>

#include "ixy/sim.h"
#include "simd.h"

/* vhost-user requests (the specification's numbers) */
enum {
	GET_FEATURES = 1, SET_FEATURES = 2, SET_OWNER = 3, SET_MEM_TABLE = 5, SET_VRING_NUM = 8,
	SET_VRING_ADDR = 9, SET_VRING_BASE = 10, GET_VRING_BASE = 11, SET_VRING_KICK = 12, SET_VRING_CALL = 13,
	GET_PROTOCOL_FEATURES = 15, SET_PROTOCOL_FEATURES = 16, SET_VRING_ENABLE = 18, SET_SLAVE_REQ_FD = 21,
};
#define NEED_REPLY (1u << 3)

/* the fake UML's physical memory */
#define GPA		0x40000000ull	/* where "UML's memory" starts */
#define MEM_SIZE	(1u << 20)
#define QSIZE		64
#define VQ_OFF(q)	((q) * 0x4000u)	/* desc at +0, avail at +0x400, used at +0x1000 */
#define CMD_OFF		0x10000u	/* command buffer */
#define RESP_OFF	0x11000u	/* reply buffer */
#define IRQBUF_OFF	0x12000u	/* interrupt buffers, 32 bytes apart */
#define RING_OFF	0x20000u	/* an RX ring for the model */
#define BUF_OFF		0x30000u	/* its packet buffers */

#define SOCK "/tmp/ixy-test-simd.sock"

struct client {
	int sock;
	int memfd;
	uint8_t *mem;
	int kick[2], call[2];
	uint16_t avail_idx[2], used_seen[2];
};

static struct simd_server server;
static pthread_t server_thread;

static void *serve(void *arg)
{
	(void)arg;
	simd_server_run(&server);
	return NULL;
}

/* ---- vhost-user messages ---- */

static int send_msg(struct client *c, uint32_t req, uint32_t flags, const void *pl, uint32_t size, const int *fds,
		    unsigned nfds)
{
	uint8_t buf[12 + 512];
	uint32_t h[3] = { req, flags | 1, size };
	memcpy(buf, h, 12);
	if (size)
		memcpy(buf + 12, pl, size);
	struct iovec iov = { .iov_base = buf, .iov_len = 12 + size };
	union {
		struct cmsghdr a;
		char b[CMSG_SPACE(sizeof(int) * 8)];
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds) {
		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	return sendmsg(c->sock, &mh, MSG_NOSIGNAL) == (ssize_t)(12 + size) ? 0 : -1;
}

/* Receive one reply's u64 (or -1 when the server closed the connection). */
static int64_t recv_u64(struct client *c)
{
	struct pollfd pf = { .fd = c->sock, .events = POLLIN };
	if (poll(&pf, 1, 5000) != 1)
		return -2;
	uint8_t buf[20];
	ssize_t n = recv(c->sock, buf, sizeof(buf), MSG_WAITALL);
	if (n != 20)
		return -1;
	uint32_t h[3];
	memcpy(h, buf, 12);
	if (!(h[1] & 4) || h[2] != 8)
		return -3;
	uint64_t v;
	memcpy(&v, buf + 12, 8);
	return (int64_t)v;
}

/* A request that wants an ack (REPLY_ACK): 0 = done, 1 = refused. */
static int64_t req_ack(struct client *c, uint32_t req, const void *pl, uint32_t size, const int *fds, unsigned nfds)
{
	if (send_msg(c, req, NEED_REPLY, pl, size, fds, nfds) < 0)
		return -1;
	return recv_u64(c);
}

static void u64_req(struct client *c, uint32_t req, uint64_t v, const int *fds, unsigned nfds)
{
	assert_int_equal(req_ack(c, req, &v, 8, fds, nfds), 0);
}

static void state_req(struct client *c, uint32_t req, uint32_t index, uint32_t num)
{
	uint32_t st[2] = { index, num };
	assert_int_equal(req_ack(c, req, st, 8, NULL, 0), 0);
}

static int connect_sock(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = SOCK };
	for (int i = 0; i < 100; i++) {
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			return s;
		usleep(10000);
	}
	close(s);
	return -1;
}

/* What UML does at probe: features, memory table, two rings. */
static void client_open(struct client *c)
{
	memset(c, 0, sizeof(*c));
	c->sock = connect_sock();
	assert_true(c->sock >= 0);
	assert_int_equal(send_msg(c, SET_OWNER, 0, NULL, 0, NULL, 0), 0);
	assert_int_equal(send_msg(c, GET_FEATURES, 0, NULL, 0, NULL, 0), 0);
	int64_t f = recv_u64(c);
	assert_true(f > 0 && (f & (1ll << 30)));	/* VHOST_USER_F_PROTOCOL_FEATURES */
	assert_int_equal(send_msg(c, GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL, 0), 0);
	int64_t pf = recv_u64(c);
	assert_true(pf >= 0 && (pf & (1 << 3)) && (pf & (1 << 5)));	/* REPLY_ACK, SLAVE_REQ */
	u64_req(c, SET_PROTOCOL_FEATURES, (1 << 3) | (1 << 5), NULL, 0);
	int sp[2];
	assert_int_equal(pipe(sp), 0);
	assert_int_equal(req_ack(c, SET_SLAVE_REQ_FD, NULL, 0, &sp[1], 1), 0);
	close(sp[0]);
	close(sp[1]);
	u64_req(c, SET_FEATURES, (1ull << 32) | (1ull << 30), NULL, 0);

	c->memfd = memfd_create("uml-physmem", MFD_CLOEXEC);
	assert_true(c->memfd >= 0);
	assert_int_equal(ftruncate(c->memfd, MEM_SIZE + 4096), 0);
	c->mem = mmap(NULL, MEM_SIZE + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, c->memfd, 0);
	assert_true(c->mem != MAP_FAILED);
	c->mem += 4096;	/* the region starts one page into the file (mmap_offset) */
	/* as UML sends it: room for two regions, one used */
	uint8_t tbl[8 + 2 * 32] = { 0 };
	uint32_t num = 1;
	uint64_t r[4] = { GPA, MEM_SIZE, GPA, 4096 };
	memcpy(tbl, &num, 4);
	memcpy(tbl + 8, r, sizeof(r));
	assert_int_equal(req_ack(c, SET_MEM_TABLE, tbl, sizeof(tbl), &c->memfd, 1), 0);

	for (unsigned q = 0; q < 2; q++) {
		c->call[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		c->kick[q] = eventfd(0, EFD_CLOEXEC);
		u64_req(c, SET_VRING_CALL, q, &c->call[q], 1);
		state_req(c, SET_VRING_NUM, q, QSIZE);
		state_req(c, SET_VRING_BASE, q, 0);
		struct {
			uint32_t index, flags;
			uint64_t desc, used, avail, log;
		} __attribute__((packed)) a = { q, 0, GPA + VQ_OFF(q), GPA + VQ_OFF(q) + 0x1000, GPA + VQ_OFF(q) + 0x400,
						 ~0ull };
		assert_int_equal(req_ack(c, SET_VRING_ADDR, &a, sizeof(a), NULL, 0), 0);
	}
	for (unsigned q = 0; q < 2; q++) {
		u64_req(c, SET_VRING_KICK, q, &c->kick[q], 1);
		state_req(c, SET_VRING_ENABLE, q, 1);
	}
}

static void client_close(struct client *c)
{
	close(c->sock);
	for (unsigned q = 0; q < 2; q++) {
		close(c->kick[q]);
		close(c->call[q]);
	}
	munmap(c->mem - 4096, MEM_SIZE + 4096);
	close(c->memfd);
}

/* ---- rings ---- */

static struct vring_desc *desc(struct client *c, unsigned q)
{
	return (struct vring_desc *)(c->mem + VQ_OFF(q));
}
static struct vring_avail *avail(struct client *c, unsigned q)
{
	return (struct vring_avail *)(c->mem + VQ_OFF(q) + 0x400);
}
static struct vring_used *used(struct client *c, unsigned q)
{
	return (struct vring_used *)(c->mem + VQ_OFF(q) + 0x1000);
}

static void post(struct client *c, unsigned q, uint16_t head)
{
	struct vring_avail *a = avail(c, q);
	a->ring[c->avail_idx[q] % QSIZE] = head;
	c->avail_idx[q]++;
	__atomic_store_n(&a->idx, c->avail_idx[q], __ATOMIC_RELEASE);
	uint64_t one = 1;
	assert_int_equal(write(c->kick[q], &one, 8), 8);
}

/* Wait (bounded) for the next used entry of queue q; returns its length. */
static int64_t wait_used(struct client *c, unsigned q, int ms)
{
	for (int i = 0; i < ms * 10; i++) {
		if (__atomic_load_n(&used(c, q)->idx, __ATOMIC_ACQUIRE) != c->used_seen[q]) {
			struct vring_used_elem e = used(c, q)->ring[c->used_seen[q] % QSIZE];
			c->used_seen[q]++;
			return e.len;
		}
		usleep(100);
	}
	return -1;
}

/* One virtio_pcidev command: header (+data) out, reply in. Returns the
 * reply length the server reported. */
static int64_t command(struct client *c, uint8_t op, uint8_t bar, uint64_t addr, uint32_t size, const void *data,
		       uint32_t dlen, void *out, uint32_t outlen)
{
	struct virtio_pcidev_msg h = { .op = op, .bar = bar, .size = size, .addr = addr };
	memcpy(c->mem + CMD_OFF, &h, sizeof(h));
	if (dlen)
		memcpy(c->mem + CMD_OFF + sizeof(h), data, dlen);
	memset(c->mem + RESP_OFF, 0xee, 64);
	struct vring_desc *d = desc(c, 0);
	d[0] = (struct vring_desc){ .addr = GPA + CMD_OFF, .len = (uint32_t)sizeof(h) + dlen,
				    .flags = outlen ? VRING_DESC_F_NEXT : 0, .next = 1 };
	d[1] = (struct vring_desc){ .addr = GPA + RESP_OFF, .len = outlen, .flags = VRING_DESC_F_WRITE };
	post(c, 0, 0);
	int64_t n = wait_used(c, 0, 5000);
	if (out)
		memcpy(out, c->mem + RESP_OFF, outlen);
	return n;
}

static uint64_t cfg_read(struct client *c, uint32_t off, uint32_t size)
{
	uint64_t v = 0;
	uint8_t out[8];
	assert_int_equal(command(c, VIRTIO_PCIDEV_OP_CFG_READ, 0, off, size, NULL, 0, out, 8), size);
	memcpy(&v, out, size);
	return v;
}

static void cfg_write(struct client *c, uint32_t off, uint32_t size, uint64_t v)
{
	uint8_t data[8] = { 0 };	/* UML always sends 8 data bytes */
	memcpy(data, &v, 8);
	assert_int_equal(command(c, VIRTIO_PCIDEV_OP_CFG_WRITE, 0, off, size, data, 8, NULL, 0), 0);
}

static uint32_t mmio_read32(struct client *c, unsigned bar, uint64_t off)
{
	uint32_t v;
	assert_int_equal(command(c, VIRTIO_PCIDEV_OP_MMIO_READ, (uint8_t)bar, off, 4, NULL, 0, &v, 4), 4);
	return v;
}

static void mmio_write32(struct client *c, unsigned bar, uint64_t off, uint32_t v)
{
	assert_int_equal(command(c, VIRTIO_PCIDEV_OP_MMIO_WRITE, (uint8_t)bar, off, 4, &v, 4, NULL, 0), 0);
}

/* Interrupt buffers: UML posts 20-byte in-buffers on queue 1. */
static void post_irq_buffers(struct client *c, unsigned n)
{
	static uint16_t next;
	for (unsigned i = 0; i < n; i++, next++) {
		uint16_t id = next % QSIZE;
		memset(c->mem + IRQBUF_OFF + 32u * id, 0, 32);
		desc(c, 1)[id] = (struct vring_desc){ .addr = GPA + IRQBUF_OFF + 32u * id, .len = 20,
						       .flags = VRING_DESC_F_WRITE };
		post(c, 1, id);
	}
}

/* The next interrupt record on queue 1: its op, data and data size. */
static int next_irq_sized(struct client *c, int ms, uint32_t *data, uint64_t *addr, uint32_t *size)
{
	uint16_t slot = c->used_seen[1];
	int64_t n = wait_used(c, 1, ms);
	if (n < 0)
		return -1;
	uint32_t id = used(c, 1)->ring[slot % QSIZE].id;
	struct virtio_pcidev_msg h;
	memcpy(&h, c->mem + IRQBUF_OFF + 32u * id, sizeof(h));
	assert_int_equal(n, sizeof(struct virtio_pcidev_msg) + h.size);
	*data = 0;
	memcpy(data, c->mem + IRQBUF_OFF + 32u * id + sizeof(h), h.size);
	*addr = h.addr;
	*size = h.size;
	return h.op;
}

/* An MSI-X record: 32-bit data. */
static int next_irq(struct client *c, int ms, uint32_t *data, uint64_t *addr)
{
	uint32_t size = 0;
	int op = next_irq_sized(c, ms, data, addr, &size);
	if (op >= 0)
		assert_int_equal(size, 4);
	return op;
}

static struct simd_port *port0(void)
{
	return server.ports[0];
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	(void)state;
	if (simd_server_init(&server) < 0 || simd_server_add(&server, SOCK, "sim:simdtest,wire=null") < 0)
		return -1;
	return pthread_create(&server_thread, NULL, serve, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	simd_server_stop(&server);
	pthread_join(server_thread, NULL);
	simd_server_free(&server);
	return 0;
}

/* ---- tests ---- */

static void test_config_space(void **state)
{
	(void)state;
	struct client c;
	client_open(&c);
	assert_int_equal(cfg_read(&c, 0x00, 4), 0x10fb8086);
	assert_int_equal(cfg_read(&c, 0x08, 4), 0x02000001);	/* class 020000, revision 1 */
	assert_int_equal(cfg_read(&c, 0x0e, 1), 0x00);		/* header type 0 */
	assert_int_equal(cfg_read(&c, 0x2c, 4), 0x00038086);	/* X520-2 */
	assert_int_equal(cfg_read(&c, 0x3d, 1), 1);		/* INTA# */
	assert_true(cfg_read(&c, 0x06, 2) & (1 << 4));		/* capabilities list */

	/* the capability chain, at the card's offsets */
	unsigned ids[8], offs[8], n = 0;
	for (unsigned off = cfg_read(&c, 0x34, 1); off && n < 8; off = cfg_read(&c, off + 1, 1)) {
		offs[n] = off;
		ids[n++] = (unsigned)cfg_read(&c, off, 1);
	}
	assert_int_equal(n, 4);
	assert_int_equal(offs[0], 0x40);
	assert_int_equal(ids[0], 0x01);	/* PM */
	assert_int_equal(offs[1], 0x50);
	assert_int_equal(ids[1], 0x05);	/* MSI */
	assert_int_equal(offs[2], 0x70);
	assert_int_equal(ids[2], 0x11);	/* MSI-X */
	assert_int_equal(offs[3], 0xa0);
	assert_int_equal(ids[3], 0x10);	/* PCIe */
	assert_int_equal(cfg_read(&c, 0x72, 2) & 0x7ff, 63);	/* 64 vectors */
	assert_int_equal(cfg_read(&c, 0x74, 4), 4);		/* table in BAR4 at 0 */
	assert_int_equal(cfg_read(&c, 0x78, 4), 0x2004);	/* PBA in BAR4 at 0x2000 */
	assert_int_equal(cfg_read(&c, 0x52, 2) & 0x180, 0x180);	/* MSI 64-bit, per-vector mask */
	assert_int_equal(cfg_read(&c, 0xb2, 2) & 0x3ff, 0x82);	/* link: 5 GT/s x8 */
	assert_int_equal(cfg_read(&c, 0x100, 4), 0);		/* empty extended list */

	/* BAR sizing: all ones, read back the size mask */
	cfg_write(&c, 0x10, 4, 0xffffffff);
	cfg_write(&c, 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_read(&c, 0x10, 4), 0xfffe0004);	/* 128 KiB, 64-bit memory */
	assert_int_equal(cfg_read(&c, 0x14, 4), 0xffffffff);
	cfg_write(&c, 0x18, 4, 0xffffffff);
	assert_int_equal(cfg_read(&c, 0x18, 4), 0);		/* no I/O BAR */
	cfg_write(&c, 0x20, 4, 0xffffffff);
	assert_int_equal(cfg_read(&c, 0x20, 4), 0xffffc004);	/* 16 KiB */
	cfg_write(&c, 0x10, 4, 0xf0000000);
	cfg_write(&c, 0x14, 4, 0);
	assert_int_equal(cfg_read(&c, 0x10, 8), 0xf0000004);	/* an 8-byte read */

	/* read-only fields stay, the refusal is counted */
	uint64_t refused = port0()->refused;
	cfg_write(&c, 0x00, 4, 0x12345678);
	assert_int_equal(cfg_read(&c, 0x00, 4), 0x10fb8086);
	assert_int_equal(port0()->refused, refused + 1);
	/* outside the 4 KiB: all ones, refused */
	assert_int_equal(command(&c, VIRTIO_PCIDEV_OP_CFG_READ, 0, 0xffe, 4, NULL, 0, NULL, 8), 4);
	assert_memory_equal(c.mem + RESP_OFF, "\xff\xff\xff\xff", 4);
	assert_int_equal(port0()->refused, refused + 2);
	client_close(&c);
}

static void test_bar0_registers(void **state)
{
	(void)state;
	struct client c;
	client_open(&c);
	/* memory space off: refused, all ones */
	uint64_t refused = port0()->refused;
	assert_int_equal(mmio_read32(&c, 0, 0x8), 0xffffffff);
	assert_int_equal(port0()->refused, refused + 1);
	cfg_write(&c, 0x04, 2, 0x0006);	/* memory space, bus master */
	assert_int_equal(cfg_read(&c, 0x04, 2), 0x0006);

	uint32_t status = mmio_read32(&c, 0, 0x00008);
	assert_int_equal(status, ixy_sim_reg_read(port0()->sim, 0x00008));
	assert_true(mmio_read32(&c, 0, 0x10010) & (1u << 8));	/* EEC.PRES */
	mmio_write32(&c, 0, 0x01000, 0x12345680);		/* RDBAL[0] */
	assert_int_equal(mmio_read32(&c, 0, 0x01000), 0x12345680);
	/* a 2-byte write is merged into the register */
	uint16_t half = 0xabcd;
	assert_int_equal(command(&c, VIRTIO_PCIDEV_OP_MMIO_WRITE, 0, 0x01002, 2, &half, 2, NULL, 0), 0);
	assert_int_equal(mmio_read32(&c, 0, 0x01000), 0xabcd5680);
	/* an 8-byte read: two registers, low first */
	uint64_t q = 0;
	assert_int_equal(command(&c, VIRTIO_PCIDEV_OP_MMIO_READ, 0, 0x01000, 8, NULL, 0, &q, 8), 8);
	assert_int_equal(q, 0xabcd5680ull | (uint64_t)ixy_sim_reg_read(port0()->sim, 0x01004) << 32);

	/* outside BAR0, and a BAR the function does not have */
	refused = port0()->refused;
	assert_int_equal(mmio_read32(&c, 0, 0x20000), 0xffffffff);
	assert_int_equal(command(&c, VIRTIO_PCIDEV_OP_MMIO_READ, 0, 0x1fffe, 4, NULL, 0, &q, 4), 4);
	assert_int_equal(mmio_read32(&c, 2, 0x0), 0xffffffff);
	mmio_write32(&c, 0, 0x20000, 1);
	assert_int_equal(port0()->refused, refused + 4);
	client_close(&c);
}

static void test_dma_through_memory_table(void **state)
{
	(void)state;
	struct client c;
	client_open(&c);
	struct ixy_sim *sim = port0()->sim;
	/* the lookup the model uses */
	struct ixy_sim_dma_region r;
	assert_int_equal(simd_dma_lookup(port0(), GPA + RING_OFF, &r), 0);
	assert_int_equal(r.addr, GPA);
	assert_int_equal(r.len, MEM_SIZE);
	((volatile uint8_t *)r.virt)[BUF_OFF] = 0x5a;	/* the server's view is UML's memory */
	assert_int_equal(c.mem[BUF_OFF], 0x5a);
	assert_int_equal(simd_dma_lookup(port0(), GPA + MEM_SIZE, &r), -1);
	assert_int_equal(simd_dma_lookup(port0(), GPA - 1, &r), -1);

	/* a receive through the model into "UML's memory": legacy
	 * descriptors in the memfd, a frame injected on the wire */
	cfg_write(&c, 0x04, 2, 0x0006);
	memset(c.mem + RING_OFF, 0, 8 * 16);
	for (unsigned i = 0; i < 8; i++) {
		uint64_t a = GPA + BUF_OFF + i * 2048u;
		memcpy(c.mem + RING_OFF + 16 * i, &a, 8);
	}
	uint64_t faults = ixy_sim_dma_faults(sim);
	mmio_write32(&c, 0, 0x05080, (1u << 8) | (1u << 9) | (1u << 10));	/* FCTRL: MPE, UPE, BAM */
	mmio_write32(&c, 0, 0x01000, (uint32_t)(GPA + RING_OFF));		/* RDBAL[0] */
	mmio_write32(&c, 0, 0x01004, (uint32_t)((GPA + RING_OFF) >> 32));	/* RDBAH[0] */
	mmio_write32(&c, 0, 0x01008, 8 * 16);					/* RDLEN[0] */
	mmio_write32(&c, 0, 0x01028, 1u << 25);					/* RXDCTL[0].ENABLE */
	mmio_write32(&c, 0, 0x01018, 7);					/* RDT[0] */
	mmio_write32(&c, 0, 0x03000, 1);					/* RXCTRL.RXEN */
	assert_int_equal(ixy_sim_dma_faults(sim), faults);

	uint8_t frame[60];
	memset(frame, 0xff, 6);
	for (unsigned i = 6; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	assert_int_equal(ixy_sim_inject(sim, frame, sizeof(frame)), 0);
	int i;
	for (i = 0; i < 5000 && !(__atomic_load_n(&c.mem[RING_OFF + 12], __ATOMIC_ACQUIRE) & 1); i++)
		usleep(1000);
	assert_true(c.mem[RING_OFF + 12] & 1);	/* DD */
	uint16_t len;
	memcpy(&len, c.mem + RING_OFF + 8, 2);
	assert_int_equal(len, sizeof(frame));
	assert_memory_equal(c.mem + BUF_OFF, frame, sizeof(frame));

	/* a ring outside UML's memory: refused, counted as a DMA fault */
	mmio_write32(&c, 0, 0x01040, 0x00900000);	/* RDBAL[1]: nowhere in the table */
	mmio_write32(&c, 0, 0x01048, 8 * 16);
	mmio_write32(&c, 0, 0x01068, 1u << 25);
	assert_int_equal(ixy_sim_dma_faults(sim), faults + 1);
	client_close(&c);
}

static void test_msix_delivery_and_masking(void **state)
{
	(void)state;
	struct client c;
	client_open(&c);
	cfg_write(&c, 0x04, 2, 0x0006);
	cfg_write(&c, 0x72, 2, 1u << 15);	/* MSI-X enable */
	/* vector 3: UML's MSI address, the IRQ number as data, unmasked */
	mmio_write32(&c, 4, 3 * 16 + 0, 0xa0000);
	mmio_write32(&c, 4, 3 * 16 + 4, 0);
	mmio_write32(&c, 4, 3 * 16 + 8, 42);
	assert_int_equal(mmio_read32(&c, 4, 3 * 16 + 12), 1);	/* vectors start masked */
	mmio_write32(&c, 4, 3 * 16 + 12, 0);
	post_irq_buffers(&c, 2);
	usleep(20000);	/* the server takes them */

	uint64_t before;
	assert_int_equal(read(c.call[1], &before, 8) < 0 || before == 0, 1);	/* nothing yet */
	simd_irq(port0(), 3);
	uint32_t data;
	uint64_t addr;
	assert_int_equal(next_irq(&c, 5000, &data, &addr), VIRTIO_PCIDEV_OP_MSI);
	assert_int_equal(data, 42);
	assert_int_equal(addr, 0xa0000);
	uint64_t calls;
	assert_int_equal(read(c.call[1], &calls, 8), 8);	/* UML was notified */

	/* vector 5 masked: the PBA bit, no message; unmasking sends it */
	mmio_write32(&c, 4, 5 * 16 + 0, 0xa0000);
	mmio_write32(&c, 4, 5 * 16 + 8, 51);
	simd_irq(port0(), 5);
	assert_int_equal(next_irq(&c, 100, &data, &addr), -1);
	uint64_t pba = 0;
	assert_int_equal(command(&c, VIRTIO_PCIDEV_OP_MMIO_READ, 4, 0x2000, 8, NULL, 0, &pba, 8), 8);
	assert_int_equal(pba, 1ull << 5);
	mmio_write32(&c, 4, 5 * 16 + 12, 0);
	assert_int_equal(next_irq(&c, 5000, &data, &addr), VIRTIO_PCIDEV_OP_MSI);
	assert_int_equal(data, 51);
	assert_int_equal(command(&c, VIRTIO_PCIDEV_OP_MMIO_READ, 4, 0x2000, 8, NULL, 0, &pba, 8), 8);
	assert_int_equal(pba, 0);

	/* the function mask holds every vector */
	cfg_write(&c, 0x72, 2, (1u << 15) | (1u << 14));
	simd_irq(port0(), 3);
	assert_int_equal(next_irq(&c, 100, &data, &addr), -1);
	cfg_write(&c, 0x72, 2, 1u << 15);
	post_irq_buffers(&c, 1);
	assert_int_equal(next_irq(&c, 5000, &data, &addr), VIRTIO_PCIDEV_OP_MSI);
	assert_int_equal(data, 42);

	/* no buffer posted: the interrupt waits for one, not lost */
	simd_irq(port0(), 3);
	assert_int_equal(next_irq(&c, 100, &data, &addr), -1);
	post_irq_buffers(&c, 1);
	assert_int_equal(next_irq(&c, 5000, &data, &addr), VIRTIO_PCIDEV_OP_MSI);
	assert_int_equal(data, 42);
	client_close(&c);
}

/* Without MSI-X: the MSI capability (16-bit data, per-vector mask with
 * its pending bit), then INTx unless the command register disables it. */
static void test_msi_and_intx(void **state)
{
	(void)state;
	struct client c;
	client_open(&c);
	cfg_write(&c, 0x04, 2, 0x0006);
	post_irq_buffers(&c, 4);
	usleep(20000);
	cfg_write(&c, 0x54, 4, 0xa0000);	/* MSI address */
	cfg_write(&c, 0x58, 4, 0);
	cfg_write(&c, 0x5c, 2, 77);		/* data: the IRQ number */
	cfg_write(&c, 0x52, 2, 1);		/* MSI enable */
	simd_irq(port0(), 0);
	uint32_t data, size;
	uint64_t addr;
	assert_int_equal(next_irq_sized(&c, 5000, &data, &addr, &size), VIRTIO_PCIDEV_OP_MSI);
	assert_int_equal(size, 2);
	assert_int_equal(data, 77);
	assert_int_equal(addr, 0xa0000);
	/* masked: the pending bit instead; unmasking sends it */
	cfg_write(&c, 0x60, 4, 1);
	simd_irq(port0(), 0);
	assert_int_equal(next_irq_sized(&c, 100, &data, &addr, &size), -1);
	assert_int_equal(cfg_read(&c, 0x64, 4), 1);
	cfg_write(&c, 0x60, 4, 0);
	assert_int_equal(next_irq_sized(&c, 5000, &data, &addr, &size), VIRTIO_PCIDEV_OP_MSI);
	assert_int_equal(data, 77);
	assert_int_equal(cfg_read(&c, 0x64, 4), 0);
	/* INTx: MSI off, INTA# */
	cfg_write(&c, 0x52, 2, 0);
	simd_irq(port0(), 0);
	assert_int_equal(next_irq_sized(&c, 5000, &data, &addr, &size), VIRTIO_PCIDEV_OP_INT);
	assert_int_equal(addr, 1);
	assert_int_equal(port0()->int_sent, 1);
	/* INTx disabled in the command register: nothing */
	cfg_write(&c, 0x04, 2, 0x0406);
	simd_irq(port0(), 0);
	assert_int_equal(next_irq_sized(&c, 100, &data, &addr, &size), -1);
	client_close(&c);
}

/* A function level reset (PCIe device control bit 15) puts the function
 * and the port back to power-on state; the session goes on. */
static void test_function_level_reset(void **state)
{
	(void)state;
	struct client c;
	client_open(&c);
	cfg_write(&c, 0x04, 2, 0x0006);
	mmio_write32(&c, 0, 0x01000, 0x22222200);
	assert_int_equal(mmio_read32(&c, 0, 0x01000), 0x22222200);
	cfg_write(&c, 0xa8, 2, cfg_read(&c, 0xa8, 2) | 0x8000);
	assert_int_equal(cfg_read(&c, 0xa8, 2) & 0x8000, 0);	/* reads 0 */
	assert_int_equal(cfg_read(&c, 0x04, 2), 0);		/* command register reset */
	cfg_write(&c, 0x04, 2, 0x0006);
	assert_int_equal(mmio_read32(&c, 0, 0x01000), 0);	/* the port was reset */
	client_close(&c);
}

static void test_bad_messages_close_and_reconnect(void **state)
{
	(void)state;
	struct client c;
	client_open(&c);
	cfg_write(&c, 0x04, 2, 0x0006);
	mmio_write32(&c, 0, 0x01000, 0x11111100);	/* RDBAL[0], to see the reset */
	assert_int_equal(mmio_read32(&c, 0, 0x01000), 0x11111100);

	/* an oversized message: the connection is closed */
	uint32_t h[3] = { GET_FEATURES, 1, 1u << 20 };
	assert_int_equal(send(c.sock, h, sizeof(h), MSG_NOSIGNAL), (ssize_t)sizeof(h));
	char b;
	struct pollfd pf = { .fd = c.sock, .events = POLLIN };
	assert_int_equal(poll(&pf, 1, 5000), 1);
	assert_int_equal(recv(c.sock, &b, 1, 0), 0);
	client_close(&c);

	/* a new UML finds a fresh function and port */
	client_open(&c);
	assert_int_equal(cfg_read(&c, 0x04, 2), 0);	/* memory space off again */
	cfg_write(&c, 0x04, 2, 0x0006);
	assert_int_equal(mmio_read32(&c, 0, 0x01000), 0);	/* register file at power-on values */

	/* malformed: SET_MEM_TABLE claiming 3 regions with one fd */
	uint8_t tbl[8 + 3 * 32] = { 3 };
	assert_int_equal(send_msg(&c, SET_MEM_TABLE, NEED_REPLY, tbl, sizeof(tbl), &c.memfd, 1), 0);
	assert_int_equal(recv_u64(&c), -1);
	client_close(&c);

	/* an unknown request closes too */
	client_open(&c);
	assert_int_equal(send_msg(&c, 99, NEED_REPLY, NULL, 0, NULL, 0), 0);
	assert_int_equal(recv_u64(&c), -1);
	client_close(&c);

	/* a client that vanishes in the middle of a message */
	int s = connect_sock();
	assert_true(s >= 0);
	assert_int_equal(send(s, h, 6, MSG_NOSIGNAL), 6);
	close(s);

	/* and after all that, the port still serves */
	client_open(&c);
	assert_int_equal(cfg_read(&c, 0x00, 4), 0x10fb8086);
	assert_true(port0()->sessions >= 5);
	client_close(&c);
}

/* A UML that goes away while a queue runs: the port is stopped before its
 * memory goes, so that is neither a DMA fault nor a violation. */
static void test_disconnect_with_running_queue(void **state)
{
	(void)state;
	struct client c;
	client_open(&c);
	struct ixy_sim *sim = port0()->sim;
	cfg_write(&c, 0x04, 2, 0x0006);
	uint64_t faults = ixy_sim_dma_faults(sim);
	unsigned viol = ixy_sim_violation_count(sim);
	mmio_write32(&c, 0, 0x01000, (uint32_t)(GPA + RING_OFF));
	mmio_write32(&c, 0, 0x01004, (uint32_t)((GPA + RING_OFF) >> 32));
	mmio_write32(&c, 0, 0x01008, 8 * 16);
	mmio_write32(&c, 0, 0x01028, 1u << 25);	/* RXDCTL[0].ENABLE */
	assert_true(mmio_read32(&c, 0, 0x01028) & (1u << 25));
	client_close(&c);
	client_open(&c);	/* served after the old session is torn down */
	assert_int_equal(ixy_sim_dma_faults(sim), faults);
	assert_int_equal(ixy_sim_violation_count(sim), viol);
	cfg_write(&c, 0x04, 2, 0x0006);
	assert_int_equal(mmio_read32(&c, 0, 0x01028) & (1u << 25), 0);	/* the queue is off */
	client_close(&c);
}

static void test_bad_descriptors_refused(void **state)
{
	(void)state;
	struct client c;
	client_open(&c);
	/* a command whose buffer lies outside UML's memory: given back with
	 * length 0, counted, and the queue goes on */
	struct vring_desc *d = desc(&c, 0);
	d[2] = (struct vring_desc){ .addr = GPA + MEM_SIZE - 8, .len = 64 };
	uint64_t refused = port0()->refused;
	post(&c, 0, 2);
	assert_int_equal(wait_used(&c, 0, 5000), 0);
	assert_int_equal(port0()->refused, refused + 1);
	/* a descriptor loop */
	d[3] = (struct vring_desc){ .addr = GPA + CMD_OFF, .len = 16, .flags = VRING_DESC_F_NEXT, .next = 3 };
	post(&c, 0, 3);
	assert_int_equal(wait_used(&c, 0, 5000), 0);
	assert_int_equal(port0()->refused, refused + 2);
	/* a command shorter than its header */
	d[4] = (struct vring_desc){ .addr = GPA + CMD_OFF, .len = 8 };
	post(&c, 0, 4);
	assert_int_equal(wait_used(&c, 0, 5000), 0);
	assert_int_equal(port0()->refused, refused + 3);
	assert_int_equal(cfg_read(&c, 0x00, 2), 0x8086);
	client_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_space),
		cmocka_unit_test(test_bar0_registers),
		cmocka_unit_test(test_dma_through_memory_table),
		cmocka_unit_test(test_msix_delivery_and_masking),
		cmocka_unit_test(test_msi_and_intx),
		cmocka_unit_test(test_function_level_reset),
		cmocka_unit_test(test_bad_messages_close_and_reconnect),
		cmocka_unit_test(test_disconnect_with_running_queue),
		cmocka_unit_test(test_bad_descriptors_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
