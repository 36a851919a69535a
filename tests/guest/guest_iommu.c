/* ixy-guest-iommu: does the IOMMU really confine the device? Runs in the
 * QEMU guest with the vIOMMU, as root, on a virtio 1.0 NIC bound to
 * vfio-pci (checks.d/90-vfio.sh) while the host injects frames towards it
 * every 5 ms.
 *
 *   ixy-guest-iommu ADDR          the confinement check below
 *   ixy-guest-iommu --irq ADDR    RX interrupts through the public API
 *                                 (ixy_rx_interrupt_enable, ixy_rx_wait):
 *                                 the wait sleeps until a frame from the
 *                                 outside raises the queue's MSI-X vector
 *                                 (or INTx, irq_intx=1, on a NIC without
 *                                 MSI-X); reports irq_* key=value lines
 *
 *  1. opens the port (VFIO) and receives a few frames: DMA to IOVAs works;
 *  2. fills a canary page of this process with 0xa5 and looks up its
 *     guest-physical address (pagemap, root): the address a driver without
 *     an IOMMU would give the device;
 *  3. points every RX descriptor at that physical address, which is no
 *     IOVA of the container (they start at 4 GiB, the guest has 1 GiB),
 *     and lets frames arrive (the IOMMU refuses the writes: DMAR faults);
 *  4. then chains the descriptors in pairs, both outside the IOVAs, which
 *     makes QEMU's device give up with DEVICE_NEEDS_RESET;
 *  5. reports, one key=value per line: rx_before (frames received
 *     normally), iova/phys of the canary, rx_after (descriptors completed
 *     after step 3), canary_changed (bytes of the canary that are no
 *     longer 0xa5), link_rc and link_msg (what ixy_get_link says about the
 *     device at the end), and closes the port.
 * The process must end normally: the library reports, nothing crashes.
 */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/virtio.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/packet.h"

#define CANARY 0xa5

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The public interrupt API on the virtio 1.0 NIC: the RX queue's MSI-X
 * vector to its eventfd, then three times: drain the ring, ixy_rx_wait
 * sleeps until a host frame raises the vector. */
static int irq_check(const char *addr)
{
	struct ixy_pkt_buf *bufs[64];
	struct ixy_config cfg = { .link_timeout_ms = 5000 };
	struct ixy_device *dev = ixy_open(addr, &cfg);
	if (!dev) {
		printf("open_error=%s\n", ixy_last_error());
		return 1;
	}
	int rc = ixy_rx_interrupt_enable(dev, 0, NULL);
	printf("irq_enable_rc=%d%s%s\n", rc, rc ? " " : "", rc ? ixy_last_error() : "");
	/* which kind VFIO delivers: INTx where the device has no MSI-X */
	printf("irq_intx=%d\n", rc == 0 && to_virtio(dev)->intx);
	/* Until three wake-ups came from the interrupt itself (the eventfd
	 * counted one): a wait may also return at once when a frame came
	 * between draining and arming, which the arm sequence catches. */
	int woke = 0, irq_woke = 0, rounds = 0;
	uint32_t got = 0;
	double waited = 0;
	struct ixy_rx_irq_stats st = { 0 };
	for (; rc == 0 && irq_woke < 3 && rounds < 50; rounds++) {
		uint32_t n;
		while ((n = ixy_rx_batch(dev, 0, bufs, 64)) > 0)
			ixy_pkt_buf_free_batch(bufs, n);
		uint64_t before = st.interrupts;
		double t0 = now_ms();
		int r = ixy_rx_wait(dev, 0, 2000);
		waited += now_ms() - t0;
		if (r <= 0) {
			printf("irq_wait_rc=%d%s%s\n", r, r < 0 ? " " : "", r < 0 ? ixy_last_error() : "");
			break;
		}
		woke++;
		(void)ixy_rx_interrupt_stats(dev, 0, &st);
		n = ixy_rx_batch(dev, 0, bufs, 64);
		got += n;
		ixy_pkt_buf_free_batch(bufs, n);
		/* the interrupt's signal is taken by the next arm (or the
		 * wait itself): look at the count after this wait */
		if (st.interrupts > before && n > 0)
			irq_woke++;
	}
	(void)ixy_rx_interrupt_stats(dev, 0, &st);
	printf("irq_woke=%d in %d waits\nirq_woke_by_interrupt=%d\nirq_wait_ms=%.1f\nirq_rx_after_wake=%u\n", woke,
	       rounds, irq_woke, waited, got);
	printf("irq_arms=%llu\nirq_interrupts=%llu\nirq_ready_at_arm=%llu\n", (unsigned long long)st.arms,
	       (unsigned long long)st.interrupts, (unsigned long long)st.ready_at_arm);
	printf("irq_disable_rc=%d\n", ixy_rx_interrupt_disable(dev, 0));
	ixy_close(dev);
	printf("closed=1\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct ixy_pkt_buf *bufs[64];

	if (argc == 3 && strcmp(argv[1], "--irq") == 0)
		return irq_check(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: %s [--irq] ADDR\n", argv[0]);
		return 2;
	}
	struct ixy_config cfg = { .link_timeout_ms = 5000 };
	struct ixy_device *dev = ixy_open(argv[1], &cfg);
	if (!dev) {
		printf("open_error=%s\n", ixy_last_error());
		return 1;
	}
	printf("model=%s\n", ixy_device_model(dev));

	uint32_t before = 0;
	for (int i = 0; i < 2000 && before < 5; i++) {
		uint32_t n = ixy_rx_batch(dev, 0, bufs, 64);
		before += n;
		ixy_pkt_buf_free_batch(bufs, n);
		usleep(1000);
	}
	printf("rx_before=%u\n", before);

	struct ixy_dma_region *canary = ixy_dma_alloc(4096, NULL);
	if (!canary) {
		printf("canary_error=%s\n", ixy_last_error());
		ixy_close(dev);
		return 1;
	}
	uint8_t *c = ixy_dma_virt(canary);
	memset(c, CANARY, 4096);
	uint64_t phys = 0;
	if (ixy_virt_to_phys(c, &phys)) {
		printf("pagemap_error=%s\n", ixy_last_error());
		ixy_dma_free(canary);
		ixy_close(dev);
		return 1;
	}
	printf("canary_iova=0x%llx canary_phys=0x%llx canary_is_iova=%d\n",
	       (unsigned long long)ixy_dma_phys(canary), (unsigned long long)phys, ixy_dma_is_iova(canary));

	/* Phase 1. The device owns every RX descriptor between receptions:
	 * redirect them all to the canary's physical address. (QEMU's
	 * device model then writes through a bounce buffer into nothing and
	 * still completes the descriptor: the frames that "arrive" are stale
	 * buffers, counted as rx_after.) */
	struct virtio_dev *d = to_virtio(dev);
	for (uint32_t i = 0; i < d->rxq.size; i++)
		d->rxq.desc[i].addr = phys;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	uint32_t after = 0;
	for (int i = 0; i < 300; i++) {   /* frames keep arriving every 5 ms */
		uint32_t n = ixy_rx_batch(dev, 0, bufs, 64);
		after += n;
		ixy_pkt_buf_free_batch(bufs, n);
		usleep(1000);
	}
	printf("rx_after=%u\n", after);
	struct ixy_link link;
	int rc = ixy_get_link(dev, &link);
	printf("phase1_link_rc=%d\n", rc);

	/* Phase 2. Two-descriptor chains, both halves outside the IOVAs: a
	 * device that cannot map a descriptor stops with NEEDS_RESET (QEMU
	 * does once its single bounce buffer is taken by the first half). */
	for (uint32_t i = 0; i + 1 < d->rxq.size; i += 2) {
		d->rxq.desc[i].addr = phys;
		d->rxq.desc[i].len = 2048;
		d->rxq.desc[i].next = (uint16_t)(i + 1);
		d->rxq.desc[i].flags = VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT;
		d->rxq.desc[i + 1].addr = phys + 2048;
		d->rxq.desc[i + 1].len = 2048;
		d->rxq.desc[i + 1].flags = VIRTQ_DESC_F_WRITE;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < 300; i++) {
		/* nothing may come back now: the rings are not touched */
		if (ixy_get_link(dev, &link))
			break;
		usleep(1000);
	}
	size_t changed = 0;
	for (size_t i = 0; i < 4096; i++)
		changed += c[i] != CANARY;
	printf("canary_changed=%zu\n", changed);

	rc = ixy_get_link(dev, &link);
	printf("link_rc=%d\nlink_msg=%s\n", rc, rc ? ixy_last_error() : "(no error)");
	ixy_dma_free(canary);
	ixy_close(dev);
	printf("closed=1\n");
	return 0;
}
