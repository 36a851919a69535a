/* The PCI device ids the ixgbe driver takes (vendor 0x8086), with the MAC
 * generation and how each board's link is brought up; and the ids it
 * knows but refuses at once, with the reason, rather than open them and
 * fail after the link timeout (docs/driver.md, "Ids not taken"). */
#include <stddef.h>

#include "drivers/ixgbe.h"

static const struct ixgbe_id ids[] = {
	/* 82599 */
	{ 0x10F7, IXGBE_MAC_82599, IXGBE_MEDIA_BACKPLANE, "82599 KX4" },
	{ 0x1514, IXGBE_MAC_82599, IXGBE_MEDIA_BACKPLANE, "82599 KX4 mezzanine" },
	{ 0x1517, IXGBE_MAC_82599, IXGBE_MEDIA_BACKPLANE, "82599 KR" },
	{ 0x10F8, IXGBE_MAC_82599, IXGBE_MEDIA_BACKPLANE, "82599 combined backplane" },
	{ 0x10F9, IXGBE_MAC_82599, IXGBE_MEDIA_BACKPLANE, "82599 CX4" },
	{ 0x10FC, IXGBE_MAC_82599, IXGBE_MEDIA_BACKPLANE, "82599 XAUI/BX4" },
	{ 0x152A, IXGBE_MAC_82599, IXGBE_MEDIA_BACKPLANE, "82599 backplane FCoE" },
	{ 0x10FB, IXGBE_MAC_82599, IXGBE_MEDIA_SFP, "82599ES SFP+" },
	{ 0x1529, IXGBE_MAC_82599, IXGBE_MEDIA_SFP, "82599 SFP+ FCoE" },
	{ 0x1507, IXGBE_MAC_82599, IXGBE_MEDIA_SFP, "82599 SFP+ (EM)" },
	{ 0x154D, IXGBE_MAC_82599, IXGBE_MEDIA_SFP, "82599 SFP+ SF2" },
	{ 0x154A, IXGBE_MAC_82599, IXGBE_MEDIA_SFP, "82599 SFP+ SF QP" },
	{ 0x1558, IXGBE_MAC_82599, IXGBE_MEDIA_SFP, "82599 QSFP+ SF QP" },
	{ 0x1557, IXGBE_MAC_82599, IXGBE_MEDIA_SFP, "82599EN SFP+" },
	{ 0x154F, IXGBE_MAC_82599, IXGBE_MEDIA_SFP, "82599 LS" },
	/* X540 */
	{ 0x1528, IXGBE_MAC_X540, IXGBE_MEDIA_COPPER, "X540-AT2" },
	{ 0x1560, IXGBE_MAC_X540, IXGBE_MEDIA_COPPER, "X540-T1" },
	/* X550 */
	{ 0x1563, IXGBE_MAC_X550, IXGBE_MEDIA_COPPER, "X550-T2" },
	{ 0x15D1, IXGBE_MAC_X550, IXGBE_MEDIA_COPPER, "X550-T1" },
};

/* Boards whose link needs programming this driver does not do, and
 * which the model cannot be, so nothing here could be tested. */
#define X550EM_X "X550EM_x (Xeon D): no link programming for X550EM boards yet (KR/KX4 over the IOSF " \
		 "sideband, external PHYs, SFP+, firmware link commands)"
#define X550EM_A "X550EM_a (Atom C3000): no link programming for X550EM boards yet (KR over the IOSF " \
		 "sideband, SGMII, SFP+, PHYs through firmware commands)"
static const struct {
	uint16_t device_id;
	const char *why;
} refused[] = {
	{ 0x15AA, X550EM_X }, { 0x15AB, X550EM_X }, { 0x15AC, X550EM_X },
	{ 0x15AD, X550EM_X }, { 0x15AE, X550EM_X }, { 0x15B0, X550EM_X },
	{ 0x15C2, X550EM_A }, { 0x15C3, X550EM_A }, { 0x15C4, X550EM_A },
	{ 0x15C6, X550EM_A }, { 0x15C7, X550EM_A }, { 0x15C8, X550EM_A },
	{ 0x15CE, X550EM_A }, { 0x15E4, X550EM_A }, { 0x15E5, X550EM_A },
	{ 0x151C, "82599 T3 LOM: its external 10GBASE-T PHY is not driven over MDIO" },
	{ 0x155C, "X540 bypass card: its bypass relay and watchdog are not driven (Linux's in-tree ixgbe does "
		  "not take it either)" },
	{ 0x155D, "82599 bypass card: its bypass relay and watchdog are not driven (Linux's in-tree ixgbe does "
		  "not take it either)" },
};

const char *ixgbe_refusal(uint16_t device_id)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (refused[i].device_id == device_id)
			return refused[i].why;
	return NULL;
}

const struct ixgbe_id *ixgbe_lookup(uint16_t device_id)
{
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i].device_id == device_id)
			return &ids[i];
	return NULL;
}

const char *ixgbe_supported(uint16_t vendor_id, uint16_t device_id)
{
	const struct ixgbe_id *id = vendor_id == IXY_INTEL_VENDOR_ID ? ixgbe_lookup(device_id) : NULL;
	return id ? id->model : NULL;
}

const char *ixgbe_refused(uint16_t vendor_id, uint16_t device_id)
{
	return vendor_id == IXY_INTEL_VENDOR_ID ? ixgbe_refusal(device_id) : NULL;
}
