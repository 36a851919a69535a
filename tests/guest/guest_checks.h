/* ixy-guest-checks: the C half of the QEMU guest test bed. Each subcommand
 * exercises one libixy layer against QEMU's own device models inside the
 * guest and prints one machine-readable line per check:
 *
 *   IXY-CHECK name=NAME result=pass|fail detail="..."
 *
 * which the host (tests/sh/test_guest.sh) turns into test results.
 */
#ifndef IXY_GUEST_CHECKS_H
#define IXY_GUEST_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "ixy/pci.h"

/* Print the result line; returns 0 for pass, 1 for fail (exit status). */
int check(const char *name, bool pass, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Open a device, printing a failing line for `name` when that fails. */
struct ixy_pci_dev *open_or_fail(const char *name, const char *addr);

/* Read a sysfs attribute of a PCI device as a number (hex "0x..." or
 * decimal); 0 on success. */
int sysfs_attr_num(const char *addr, const char *attr, long *val);

/* Parse a MAC argument, printing a failing line for `name` when bad. */
int mac_or_fail(const char *name, const char *text, uint8_t mac[6]);

/* Free 2 MiB hugepages from sysfs, -1 if unreadable. */
long free_hugepages_2m(void);

/* Subcommands in guest_dma.c. */
int cmd_dma_alloc(int argc, char **argv);
int cmd_stale_cleanup(int argc, char **argv);
int cmd_e1000_tx(int argc, char **argv);
int cmd_e1000_rx(int argc, char **argv);

#endif
