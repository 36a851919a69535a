/* ixy-simd: the virtio_pcidev commands UML sends on queue 0.
 *
 * A command is one buffer chain: readable segments with the header
 * {u8 op; u8 bar; u16 reserved; u32 size; u64 addr} and, for writes, the
 * data; for reads a writable segment where the reply goes (UML polls the
 * used ring for it, up to 40 ms). Writes are posted: UML does not wait.
 *   CFG_READ / CFG_WRITE     config space, size 1, 2, 4 or 8
 *   MMIO_READ / MMIO_WRITE   BAR `bar`, any size
 *   MMIO_MEMSET              BAR `bar`, size bytes of the one data byte
 * Linux 6.1's memset_io on a BAR (um_pci_bar_set in virt-pci.c) sends its
 * record with op CFG_WRITE, the BAR index and a single data byte, while a
 * real config write always carries 8 data bytes; a CFG_WRITE with exactly
 * one data byte is therefore served as the MEMSET it is.
 *
 * A malformed command (too short, an unknown op, a size the op does not
 * allow, a config access outside 4 KiB) is refused with a log line: reads
 * return all ones, writes are dropped; the connection stays.
 */
#include <inttypes.h>
#include <string.h>

#include <linux/virtio_pcidev.h>

#include "simd.h"

#define HDR sizeof(struct virtio_pcidev_msg)

static const char *op_name(uint8_t op)
{
	switch (op) {
	case VIRTIO_PCIDEV_OP_CFG_READ: return "CFG_READ";
	case VIRTIO_PCIDEV_OP_CFG_WRITE: return "CFG_WRITE";
	case VIRTIO_PCIDEV_OP_MMIO_READ: return "MMIO_READ";
	case VIRTIO_PCIDEV_OP_MMIO_WRITE: return "MMIO_WRITE";
	case VIRTIO_PCIDEV_OP_MMIO_MEMSET: return "MMIO_MEMSET";
	}
	return "unknown op";
}

static bool cfg_size_ok(uint32_t size, uint64_t addr)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && addr < SIMD_CFG_SIZE &&
	       size <= SIMD_CFG_SIZE - addr;
}

static void trace(struct simd_port *p, const struct virtio_pcidev_msg *h, const uint8_t *data, uint32_t n)
{
	uint64_t v = 0;
	memcpy(&v, data, n < 8 ? n : 8);
	if (h->op == VIRTIO_PCIDEV_OP_CFG_READ || h->op == VIRTIO_PCIDEV_OP_CFG_WRITE)
		simd_log(p, "%s 0x%03" PRIx64 "/%" PRIu32 " %s 0x%" PRIx64, op_name(h->op), (uint64_t)h->addr, h->size,
			 h->op == VIRTIO_PCIDEV_OP_CFG_READ ? "->" : "<-", v);
	else
		simd_log(p, "%s BAR%u 0x%05" PRIx64 "/%" PRIu32 " %s 0x%" PRIx64, op_name(h->op), h->bar, (uint64_t)h->addr,
			 h->size, h->op == VIRTIO_PCIDEV_OP_MMIO_READ ? "->" : "<-", v);
}

uint32_t simd_pcidev_cmd(struct simd_port *p, const uint8_t *req, uint32_t len, uint8_t *resp, uint32_t resp_cap)
{
	struct virtio_pcidev_msg h;
	if (len < HDR) {
		simd_refuse(p, "virtio_pcidev command of %" PRIu32 " bytes (the header has %zu)", len, HDR);
		return 0;
	}
	memcpy(&h, req, HDR);
	const uint8_t *data = req + HDR;
	uint32_t dlen = len - (uint32_t)HDR;
	p->cmds++;
	if (h.op == VIRTIO_PCIDEV_OP_CFG_WRITE && dlen == 1 && h.size != 1)
		h.op = VIRTIO_PCIDEV_OP_MMIO_MEMSET;	/* Linux 6.1's memset_io (see above) */

	switch (h.op) {
	case VIRTIO_PCIDEV_OP_CFG_READ:
	case VIRTIO_PCIDEV_OP_MMIO_READ: {
		uint32_t n = h.size < resp_cap ? h.size : resp_cap;
		if (h.size > resp_cap) {
			simd_refuse(p, "%s of %" PRIu32 " bytes: the reply buffer holds %" PRIu32, op_name(h.op), h.size,
				    resp_cap);
			memset(resp, 0xff, n);
			return n;
		}
		if (h.op == VIRTIO_PCIDEV_OP_CFG_READ) {
			if (!cfg_size_ok(h.size, (uint64_t)h.addr)) {
				simd_refuse(p, "CFG_READ of %" PRIu32 " bytes at 0x%" PRIx64 ": outside the 4 KiB config "
					    "space or not 1, 2, 4 or 8 bytes", h.size, (uint64_t)h.addr);
				memset(resp, 0xff, n);
				return n;
			}
			uint64_t v = simd_cfg_read(p, (uint32_t)h.addr, h.size);
			memcpy(resp, &v, n);
		} else {
			simd_bar_read(p, h.bar, h.addr, resp, n);
		}
		if (p->trace)
			trace(p, &h, resp, n);
		return n;
	}
	case VIRTIO_PCIDEV_OP_CFG_WRITE:
		if (!cfg_size_ok(h.size, (uint64_t)h.addr) || dlen < h.size) {
			simd_refuse(p, "CFG_WRITE of %" PRIu32 " bytes (%" PRIu32 " given) at 0x%" PRIx64 ": outside the "
				    "4 KiB config space, or not 1, 2, 4 or 8 bytes", h.size, dlen, (uint64_t)h.addr);
			return 0;
		}
		if (p->trace)
			trace(p, &h, data, h.size);
		{
			uint64_t v = 0;
			memcpy(&v, data, h.size);
			simd_cfg_write(p, (uint32_t)h.addr, h.size, v);
		}
		return 0;
	case VIRTIO_PCIDEV_OP_MMIO_WRITE:
		if (dlen < h.size) {
			simd_refuse(p, "MMIO_WRITE of %" PRIu32 " bytes with %" PRIu32 " data bytes", h.size, dlen);
			return 0;
		}
		if (p->trace)
			trace(p, &h, data, h.size);
		simd_bar_write(p, h.bar, h.addr, data, h.size);
		return 0;
	case VIRTIO_PCIDEV_OP_MMIO_MEMSET: {
		if (dlen < 1 || h.size > SIMD_MAX_CMD) {
			simd_refuse(p, "MMIO_MEMSET of %" PRIu32 " bytes with %" PRIu32 " data bytes", h.size, dlen);
			return 0;
		}
		static __thread uint8_t fill[SIMD_MAX_CMD];
		memset(fill, data[0], h.size);
		if (p->trace)
			trace(p, &h, data, 1);
		simd_bar_write(p, h.bar, h.addr, fill, h.size);
		return 0;
	}
	}
	simd_refuse(p, "virtio_pcidev command with op %u (%s)", h.op, op_name(h.op));
	return 0;
}

void simd_pcidev_kick(struct simd_port *p)
{
	struct simd_vq *vq = &p->vq[SIMD_VQ_CMD];
	static __thread uint8_t req[SIMD_MAX_CMD], resp[SIMD_MAX_CMD];
	struct simd_chain c;
	bool any = false;
	int r;
	unsigned pending = simd_vq_pending(vq);
	if (pending > p->cmd_peak) {
		p->cmd_peak = pending;
		p->cmd_num = vq->num;
	}
	if (pending && pending >= vq->num)
		p->cmd_full++;
	while ((r = simd_vq_pop(vq, &p->mem, &c)) != 0) {
		any = true;
		if (r < 0) {
			simd_refuse(p, "command queue: a malformed descriptor chain (outside UML's memory, a loop or "
				    "too many segments) given back unserved");
			continue;
		}
		/* gather the readable part (header + data) */
		uint32_t len = 0;
		bool big = false;
		for (unsigned i = 0; i < c.nout; i++) {
			if (c.out[i].len > SIMD_MAX_CMD - len) {
				big = true;
				break;
			}
			memcpy(req + len, c.out[i].p, c.out[i].len);
			len += c.out[i].len;
		}
		uint32_t cap = 0;
		for (unsigned i = 0; i < c.nin; i++)
			cap += c.in[i].len;
		if (cap > SIMD_MAX_CMD)
			cap = SIMD_MAX_CMD;
		uint32_t n = 0;
		if (big)
			simd_refuse(p, "a command of more than %d bytes", SIMD_MAX_CMD);
		else
			n = simd_pcidev_cmd(p, req, len, resp, cap);
		/* scatter the reply */
		uint32_t done = 0;
		for (unsigned i = 0; i < c.nin && done < n; i++) {
			uint32_t k = c.in[i].len < n - done ? c.in[i].len : n - done;
			memcpy(c.in[i].p, resp + done, k);
			done += k;
		}
		simd_vq_push(vq, c.head, done);
	}
	if (any)
		simd_vq_notify(vq);
}
