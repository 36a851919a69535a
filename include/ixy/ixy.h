/* libixy: umbrella header. */
#ifndef IXY_IXY_H
#define IXY_IXY_H

#include "ixy/error.h"
#include "ixy/pci.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "ixy/packet.h"
#include "ixy/device.h"
#include "ixy/ptp.h"
#include "ixy/sim.h"

#define IXY_VERSION_MAJOR 0
#define IXY_VERSION_MINOR 1
#define IXY_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

/* Library version as "MAJOR.MINOR.PATCH". */
const char *ixy_version(void);

#ifdef __cplusplus
}
#endif
#endif
