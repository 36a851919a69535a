/* A program outside the libixy tree, built against an installed libixy by
 * tests/sh/test_install.sh (once with pkg-config, once with find_package).
 * Usage: consumer PCI-ADDR [--dma]  -> prints the canonical address and,
 * with --dma, allocates a mempool and prints one buffer's physical address. */
#include <stdio.h>
#include <string.h>

#include <ixy/ixy.h>

int main(int argc, char **argv)
{
	struct ixy_pci_addr a;
	char text[16];

	if (argc < 2) {
		fprintf(stderr, "usage: consumer PCI-ADDR [--dma]\n");
		return 2;
	}
	printf("libixy %s\n", ixy_version());
	if (ixy_pci_addr_parse(argv[1], &a) < 0) {
		fprintf(stderr, "consumer: %s\n", ixy_last_error());
		return 1;
	}
	ixy_pci_addr_format(&a, text, sizeof(text));
	printf("address %s\n", text);
	if (argc > 2 && strcmp(argv[2], "--dma") == 0) {
		struct ixy_mempool_opts o = { .num_entries = 64, .numa_node = -1 };
		struct ixy_mempool *p = ixy_mempool_create(&o);
		if (!p) {
			fprintf(stderr, "consumer: %s\n", ixy_last_error());
			return 1;
		}
		struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(p);
		printf("buffer phys 0x%llx available %u\n", (unsigned long long)b->data_phys,
		       ixy_mempool_available(p));
		ixy_pkt_buf_free(b);
		ixy_mempool_free(p);
	}
	return 0;
}
