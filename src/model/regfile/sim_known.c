/* The virtual 82599: which registers the model knows, and a record of the
 * accesses to the ones it does not.
 *
 * "Known" means the model implements the register or knowingly stores it
 * (a write is kept, a read returns it; for counters the model does not
 * count, 0). The table is the 82599 register map (datasheet 8.2.2, the
 * register summary; groups below by their 8.2.3.x sections), with arrays
 * as ranges. Anything else - a hole in the map, or a register of another
 * MAC - is served from the BAR0 image like before, and recorded per port:
 * offset, reads, writes (the first SIM_MAX_UNKNOWN distinct offsets), so a
 * foreign driver's needs show up (ixy-simd prints them).
 */
#include <errno.h>
#include <pthread.h>

#include "error.h"
#include "model/sim_internal.h"

struct known_range {
	uint32_t first, last;	/* byte offsets, inclusive, every dword */
};

static const struct known_range known[] = {
	/* 8.2.3.1 general control */
	{ 0x00000, 0x00000 }, { 0x00004, 0x00004 },	/* CTRL and its alias */
	{ 0x00008, 0x00008 },				/* STATUS */
	{ 0x00018, 0x00018 },				/* CTRL_EXT */
	{ 0x00020, 0x00020 },				/* ESDP */
	{ 0x00028, 0x00028 },				/* I2CCTL */
	{ 0x00048, 0x0004c },				/* FRTIMER, TCPTIMER */
	{ 0x00200, 0x00200 },				/* LEDCTL */
	{ 0x00600, 0x00600 },				/* CORESPARE */
	/* 8.2.3.5 interrupts: EICR, EICS, EIAC, EITR[0..23], EIMS, EIMC,
	 * EIAM, EITRSEL, GPIE, IVAR[0..63], IVAR_MISC, EICS_EX, EIMS_EX,
	 * EIMC_EX, EIAM_EX, EITR[24..127] */
	{ 0x00800, 0x00800 }, { 0x00808, 0x00808 }, { 0x00810, 0x00810 },
	{ 0x00820, 0x0087c }, { 0x00880, 0x00880 }, { 0x00888, 0x00888 },
	{ 0x00890, 0x00898 }, { 0x00900, 0x009fc }, { 0x00a00, 0x00a00 },
	{ 0x00a90, 0x00a94 }, { 0x00aa0, 0x00aa4 }, { 0x00ab0, 0x00ab4 },
	{ 0x00ad0, 0x00ad4 }, { 0x12300, 0x124fc },
	/* 8.2.3.6 MSI-X table and PBA when the BAR is BAR0-mapped: none
	 * (BAR 4 on the 82599) */
	/* 8.2.3.8 receive DMA: queues 0-63, per-queue statistics inside
	 * their blocks (QPRC, QBRC, QPRDC) */
	{ 0x01000, 0x01ffc },
	{ 0x02100, 0x0213c }, { 0x02200, 0x0223c },	/* 82598 SRRCTL / DCA_RXCTRL aliases */
	{ 0x02300, 0x0237c },				/* RQSMR */
	{ 0x02140, 0x0216c },				/* RTRPT4C, RTRPT4S (DCB RX) */
	{ 0x02410, 0x0242c },				/* FCoE DMA: FCPTRL/H, FCBUFF, FCDMARW, FCoE RX counters */
	{ 0x02430, 0x02430 },				/* RTRPCS */
	{ 0x02f00, 0x02f08 }, { 0x02f20, 0x02f20 },	/* RDRXCTL, QDE, DRECCCTL, RDDCC */
	{ 0x02f90, 0x02f90 },				/* B2OGPRC (BMC to OS counter) */
	{ 0x03000, 0x03000 }, { 0x03008, 0x03008 },	/* RXCTRL, PFCTOP */
	{ 0x03020, 0x03028 },				/* RTRUP2TC, STARCTRL, RSCDBU */
	{ 0x03190, 0x03190 },				/* RXMEMWRAP */
	{ 0x03200, 0x0320c },				/* FCTTV */
	{ 0x03210, 0x03214 },				/* FCADBUL/H */
	{ 0x03220, 0x0323c }, { 0x03260, 0x0327c },	/* FCRTL, FCRTH */
	{ 0x03240, 0x0325c },				/* PXON2OFFCNT */
	{ 0x032a0, 0x032a0 },				/* FCRTV */
	{ 0x03c00, 0x03c1c },				/* RXPBSIZE */
	{ 0x03c20, 0x03c4c },				/* RT2CR, RT2SR (DCB RX) */
	{ 0x03d00, 0x03d04 },				/* FCCFG, DROPEN */
	{ 0x06000, 0x07ffc },				/* TX queues 0-127, QPTC/QBTC 82598 aliases */
	{ 0x07e00, 0x07e00 }, { 0x07f40, 0x07f40 },	/* DTXCTL, DPMCS */
	{ 0x0d000, 0x0dffc },				/* RX queues 64-127 */
	/* 8.2.3.23 statistics and 8.2.3.22 MAC (0x04000-0x042ff) */
	{ 0x03f00, 0x03ffc },				/* TXDGPC.., LXON/LXOFF TX, MPC, FCOE */
	{ 0x04000, 0x042fc },				/* CRCERRS..BPTC, XEC, PCS1G*, HLREG0..MMNGC.. */
	{ 0x04310, 0x0432c },				/* SGMIIC, MPVC, LINKS2, FCAMACL/H */
	{ 0x04900, 0x0496c },				/* RTTDCS, RTTDQSEL, RTTDT1C/S, RTTDT2C/S, TXPBTHRESH */
	{ 0x04980, 0x04990 },				/* RTTBCNRM/C/D, RTTDTECC */
	{ 0x04a80, 0x04a90 },				/* DMATXCTL, DTXTCPFLGL/H, RTTQCNTG */
	{ 0x05000, 0x05008 },				/* RXCSUM, RFCTL */
	{ 0x05078, 0x0507c },				/* EXVET, VXLANCTRL */
	{ 0x05080, 0x05090 },				/* FCTRL, VLNCTRL, MCSTCTRL */
	{ 0x050a0, 0x050b4 },				/* RUPPBMR, PFFLPL/H */
	{ 0x05100, 0x05144 },				/* FCoE RX filters, RXMTRL, ETQF[0..7] */
	{ 0x05180, 0x051fc },				/* VMTXSW, TSYNCRXCTL.., METF, VT_CTL, RXFECCERR0, VFRE, RXSTMPL */
	{ 0x05200, 0x053fc },				/* MTA */
	{ 0x05400, 0x054bc },				/* 82598 RAL/RAH, PSRTYPE aliases */
	{ 0x05800, 0x05818 },				/* WUC, WUFC, WUS, MRQC (82598) */
	{ 0x0581c, 0x05824 },				/* VMD_CTL, MANC */
	{ 0x05838, 0x0589c },				/* IPAV, IP4AT, IP6AT */
	{ 0x05900, 0x05900 }, { 0x05a00, 0x05bfc },	/* WUPL, WUPM */
	{ 0x05ac0, 0x05ac4 },				/* IMIRVP */
	{ 0x05c00, 0x05ca4 },				/* 82598 RETA / RSSRK aliases */
	{ 0x08000, 0x080fc },				/* VMVIR */
	{ 0x08100, 0x08120 },				/* DTXMXSZRQ, VFTE, MTQC */
	{ 0x08200, 0x08228 },				/* PFVFSPOOF, PFDTXGSWC.. */
	{ 0x08600, 0x0867c },				/* TQSM */
	{ 0x08680, 0x086bc },				/* QPTC */
	{ 0x08700, 0x0877c },				/* QBTC */
	{ 0x08780, 0x087fc },				/* SSVPC, FCoE TX counters, VMECM, TXDGPC.. */
	{ 0x08800, 0x08810 },				/* SECTXCTRL/STAT, SECTXBUFFAF, SECTXMINIFG */
	{ 0x08900, 0x08904 },				/* IPSTXIDX, IPSTXSALT */
	{ 0x08a00, 0x08a4c }, { 0x08b00, 0x08b00 },	/* LinkSec TX, RTTQCNCR */
	{ 0x08c00, 0x08c68 },				/* TSYNCTXCTL, TXSTMP, SYSTIM, TIMINCA, TIMADJ, TSAUXC.. (IEEE 1588) */
	{ 0x09000, 0x093fc }, { 0x09800, 0x09bfc },	/* FHFT, FHFT_EXT: wake-up flexible filters */
	{ 0x08d00, 0x08d04 },				/* SECRXCTRL/STAT */
	{ 0x08e00, 0x08e30 },				/* IPsec RX */
	{ 0x08f00, 0x08f80 },				/* LinkSec RX */
	{ 0x0a000, 0x0a1fc },				/* VFTA */
	{ 0x0a200, 0x0a5fc },				/* RAL/RAH[0..127] */
	{ 0x0a600, 0x0a9fc },				/* MPSAR */
	{ 0x0c800, 0x0c81c },				/* RTTUP2TC */
	{ 0x0ca00, 0x0ca00 }, { 0x0cb00, 0x0cb00 },	/* LBDRPEN, TIPG */
	{ 0x0cc00, 0x0cc1c },				/* TXPBSIZE */
	{ 0x0cd00, 0x0cd14 },				/* RTTPCS, MNGTXMAP */
	{ 0x0cd20, 0x0cd4c },				/* RTTPT2C, RTTPT2S (DCB TX) */
	{ 0x0ce00, 0x0ce00 },				/* TFCS */
	{ 0x0cf90, 0x0cf90 },				/* MNGPTC */
	{ 0x0e000, 0x0e7fc },				/* SAQF, DAQF, SDPQF, FTQF (5-tuple filters) */
	{ 0x0e800, 0x0e9fc },				/* L34T_IMIR */
	{ 0x0ea00, 0x0ea3c },				/* PSRTYPE */
	{ 0x0eb00, 0x0eba4 },				/* RETA, RSSRK */
	{ 0x0ec00, 0x0ec70 },				/* ETQS, SYNQF, RQTC */
	{ 0x0ec80, 0x0ec80 }, { 0x0ec90, 0x0ec90 },	/* MRQC, LLITHRESH */
	{ 0x0ed00, 0x0ed2c },				/* FCRECTL, FCRETA (FCoE redirection) */
	{ 0x0ee00, 0x0ee78 },				/* flow director */
	{ 0x0f000, 0x0f7fc },				/* VMOLR, VLVF, VLVFB, UTA, MRCTL.. (virtualisation) */
	/* 8.2.3.2 EEPROM/flash, 8.2.3.4 PCIe and firmware interface */
	{ 0x10010, 0x1001c },				/* EEC, EERD, EEWR, FLA */
	{ 0x10110, 0x10120 }, { 0x1013c, 0x10150 },	/* EEMNGCTL.., FLOP, SWSM, FWSM, FACTPS */
	{ 0x10160, 0x10160 },				/* SW_FW_SYNC */
	{ 0x10200, 0x10208 },				/* GRC, VPDDIAG */
	{ 0x11000, 0x110fc },				/* GCR, PCIEANACTL, PHYADR/DAT, GCR_EXT, MREVID, PBACL.. */
	{ 0x11100, 0x11104 },				/* PCIe ECC control */
	{ 0x14f00, 0x14f00 },				/* CORECTL */
	/* manageability host interface: Linux's 82599 probe sends the driver
	 * version through it (HICR.EN = 0 here: no firmware listens) */
	{ 0x15800, 0x15efc },				/* FLEX_MNG buffer */
	{ 0x15f00, 0x15f10 },				/* HICR, HSMC0R, HSMC1R, FWSTS, SWSR */
};

static uint32_t known_bits[SIM_BAR0_SIZE / 4 / 32];
static pthread_once_t known_once = PTHREAD_ONCE_INIT;

static void build_known(void)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		for (uint32_t off = known[i].first; off <= known[i].last && off < SIM_BAR0_SIZE; off += 4)
			known_bits[off / 128] |= 1u << (off / 4 % 32);
}

bool sim_reg_known(uint32_t off)
{
	pthread_once(&known_once, build_known);
	if (off >= SIM_BAR0_SIZE)
		return false;
	return known_bits[off / 128] & (1u << (off / 4 % 32));
}

/* Registers only some personalities have: the X550's extended
 * redirection table ERETA (entries 128..511 of its 512-entry RSS table,
 * 0x0EE80 + 4n, n < 96; Linux's IXGBE_ERETA). Stored; the model's RSS
 * uses the first 128 entries (RETA) only, see docs/sim.md. */
bool sim_reg_known_for(const struct ixy_sim *sim, uint32_t off)
{
	if (sim_reg_known(off))
		return true;
	return sim->mac == SIM_MAC_X550 && off >= 0x0ee80 && off < 0x0ee80 + 4 * 96;
}

bool ixy_sim_reg_known(uint32_t reg)
{
	return sim_reg_known(reg & ~3u);
}

void sim_unknown_access(struct ixy_sim *sim, uint32_t off, bool write)
{
	for (unsigned i = 0; i < sim->n_unknown; i++) {
		struct sim_unknown *u = &sim->unknown[i];
		if (u->off == off) {
			write ? u->writes++ : u->reads++;
			return;
		}
	}
	if (sim->n_unknown >= SIM_MAX_UNKNOWN || !sim->unknown)
		return;	/* the first ones are kept; the count says the table is full */
	struct sim_unknown *u = &sim->unknown[sim->n_unknown++];
	u->off = off;
	u->reads = write ? 0 : 1;
	u->writes = write ? 1 : 0;
}

unsigned ixy_sim_unknown_reg_count(const struct ixy_sim *sim)
{
	return sim ? sim->n_unknown : 0;
}

int ixy_sim_unknown_reg(const struct ixy_sim *sim, unsigned i, uint32_t *off, uint64_t *reads, uint64_t *writes)
{
	if (!sim || i >= sim->n_unknown)
		return ixy_error(-EINVAL, "ixy_sim_unknown_reg: entry %u does not exist (the port has %u)", i,
				 sim ? sim->n_unknown : 0);
	const struct sim_unknown *u = &sim->unknown[i];
	if (off)
		*off = u->off;
	if (reads)
		*reads = u->reads;
	if (writes)
		*writes = u->writes;
	return 0;
}
