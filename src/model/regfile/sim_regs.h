/* The virtual 82599: register offsets and bit fields, as the model sees them.
 *
 * Written from the Intel 82599 10 GbE Controller Datasheet, chapter 8
 * ("Programming Interface", register summary in 8.2.2 and the register
 * descriptions in 8.2.3.x); section numbers are given per group. These are
 * the model's own definitions: the driver keeps a separate set, so that one
 * misreading of the datasheet does not hide in both.
 *
 * Queue registers are written as functions of the queue number n. The
 * canonical (82599) address is the one the model stores; alias() in
 * sim_regfile.c maps the 82598-compatible addresses onto it.
 */
#ifndef IXY_SIM_REGS_H
#define IXY_SIM_REGS_H

#define SIM_BAR0_SIZE		0x20000u	/* 128 KiB of CSR space (8.2.1) */
#define SIM_NUM_QUEUES		128		/* RX and TX queues (1.2) */
#define SIM_NUM_STATQ		16		/* per-queue statistic sets (8.2.3.23.66) */

/* 8.2.3.1 General control */
#define SIM_CTRL		0x00000
#define  SIM_CTRL_GIO_DIS	(1u << 2)	/* PCIe master disable */
#define  SIM_CTRL_LRST		(1u << 3)	/* link reset, self-clearing */
#define  SIM_CTRL_RST		(1u << 26)	/* device reset, self-clearing */
#define SIM_STATUS		0x00008
#define  SIM_STATUS_LAN_ID_SHIFT 2
#define  SIM_STATUS_LINKUP	(1u << 7)
#define  SIM_STATUS_GIO		(1u << 19)	/* GIO master enable status */
#define SIM_CTRL_EXT		0x00018
#define SIM_ESDP		0x00020
#define  SIM_ESDP_SDP2		(1u << 2)	/* 82599 SFP+ boards: 1 = module in the cage */
#define  SIM_ESDP_SDP3		(1u << 3)	/* 82599 SFP+ boards: 1 = TX laser off */
#define  SIM_ESDP_SDP2_DIR	(1u << 10)	/* 0 = SDP2 is an input */
#define SIM_I2CCTL		0x00028		/* I2C bit-bang interface (8.2.3.1) */
#define  SIM_I2C_CLK_IN		(1u << 0)
#define  SIM_I2C_CLK_OUT	(1u << 1)
#define  SIM_I2C_DATA_IN	(1u << 2)
#define  SIM_I2C_DATA_OUT	(1u << 3)
#define SIM_LEDCTL		0x00200
#define SIM_CORESPARE		0x00600

/* 8.2.3.2 EEPROM/flash */
#define SIM_EEC			0x10010		/* 8.2.3.2.1 */
#define  SIM_EEC_SK		(1u << 0)	/* bit-bang SPI clock */
#define  SIM_EEC_CS		(1u << 1)
#define  SIM_EEC_DI		(1u << 2)
#define  SIM_EEC_DO		(1u << 3)
#define  SIM_EEC_FWE_MASK	(3u << 4)	/* flash write enable */
#define  SIM_EEC_REQ		(1u << 6)	/* software asks for bit-bang access */
#define  SIM_EEC_GNT		(1u << 7)	/* ... and gets it */
#define  SIM_EEC_PRES		(1u << 8)
#define  SIM_EEC_ARD		(1u << 9)	/* auto-read done */
#define  SIM_EEC_ADDR_SIZE	(1u << 10)	/* 16-bit SPI addressing */
#define  SIM_EEC_SIZE_SHIFT	11		/* 14:11: 2^(n+6) words */
#define  SIM_EEC_SIZE_MASK	(0xfu << 11)
#define  SIM_EEC_FLUP		(1u << 23)	/* X540/X550: flash update */
#define  SIM_EEC_FLUDONE	(1u << 26)	/* X540/X550: flash update done */
#define SIM_EERD		0x10014		/* 8.2.3.2.2 EEPROM read */
#define SIM_EEWR		0x10018		/* EEPROM write (8.2.3.2; same layout as EERD) */
#define  SIM_EERW_START		(1u << 0)
#define  SIM_EERW_DONE		(1u << 1)
#define  SIM_EERW_ADDR_SHIFT	2		/* 15:2 word address */
#define  SIM_EERW_ADDR_MASK	0xfffcu
#define  SIM_EERW_DATA_SHIFT	16		/* 31:16 data */
#define SIM_GRC			0x10200		/* general receive control (MNG, APME) */

/* 8.2.3.4 PCIe / firmware interface: semaphores between the drivers
 * (SMBI), software and firmware (SWESMBI), and per resource (SW_FW_SYNC) */
#define SIM_SWSM		0x10140
#define  SIM_SWSM_SMBI		(1u << 0)	/* read-to-set driver semaphore */
#define  SIM_SWSM_SWESMBI	(1u << 1)	/* software/firmware semaphore */
#define  SIM_SWSM_WMNG		(1u << 2)
#define SIM_FWSM		0x10148
#define  SIM_FWSM_FW_VAL	(1u << 15)	/* firmware valid, no errors */
#define SIM_FACTPS		0x10150
#define SIM_SW_FW_SYNC		0x10160		/* a.k.a. GSSR */
#define  SIM_SWFW_SW_MASK	0x41fu		/* EEP, PHY0, PHY1, MAC_CSR, FLASH; 10: MNG host interface */
#define  SIM_SWFW_FW_SHIFT	5		/* firmware's bits: software's << 5 */
/* X540/X550 layout of SW_FW_SYNC (same address): software bits 3:0 (EEPROM,
 * PHY 0, PHY 1, MAC CSR), 10 (manageability host interface), 12:11 (I2C
 * 0/1); firmware 8:5 and 14:13; bit 4 the hardware's flash access; 31
 * REGSMP, read-to-set, guarding the register itself (with SWSM.SMBI). */
#define  SIM_SWFW_X540_SW_MASK	0x1c0fu
#define  SIM_SWFW_X540_FW_MASK	0x61e0u
#define  SIM_SWFW_REGSMP	(1u << 31)
#define SIM_GCR_EXT		0x11050

/* 8.2.3.5 Interrupts (behaviour: 7.3, the model's sim_irq.c) */
#define SIM_NUM_VECTORS		64		/* MSI-X vectors of the PF (7.3.1) */
#define SIM_EICR		0x00800
#define  SIM_EICR_RTXQ_MASK	0x0000ffffu	/* queue causes / MSI-X vectors 15:0 */
#define  SIM_EICR_RX_MISS	(1u << 17)	/* packet buffer overrun */
#define  SIM_EICR_LSC		(1u << 20)	/* link status change */
#define  SIM_EICR_TCP_TIMER	(1u << 30)	/* IVAR_MISC entry 0 */
#define  SIM_EICR_OTHER_MASK	0xbfff0000u	/* 31, 29:16: "other" causes, IVAR_MISC entry 1 */
#define SIM_EICS		0x00808
#define SIM_EIAC		0x00810
#define SIM_EITR(n)		((n) < 24 ? 0x00820 + 4 * (n) : 0x12300 + 4 * ((n) - 24))
#define  SIM_EITR_INTERVAL_MASK	0x00000ff8u	/* 11:3, in units of 2 us */
#define  SIM_EITR_LLI_MOD	(1u << 15)
#define  SIM_EITR_CNT_WDIS	(1u << 31)	/* write leaves the ITR counter alone */
#define SIM_EIMS		0x00880
#define SIM_EIMC		0x00888
#define SIM_EIAM		0x00890
#define SIM_GPIE		0x00898
#define  SIM_GPIE_MSIX_MODE	(1u << 4)
#define  SIM_GPIE_OCD		(1u << 5)	/* other clear disable: EICR reads clear other causes only */
#define  SIM_GPIE_EIMEN		(1u << 6)	/* EICS writes interrupt at once (no EITR wait) */
#define  SIM_GPIE_EIAME		(1u << 30)	/* EIAM masks when the MSI-X message is sent */
#define  SIM_GPIE_PBA_SUPPORT	(1u << 31)
#define  SIM_GPIE_SDP2_GPIEN	(1u << 2)	/* SDP2 changes are an interrupt cause */
#define  SIM_EICR_GPI_SDP2	(1u << 26)
#define SIM_IVAR(n)		(0x00900 + 4 * (n))	/* n = 0..63 */
#define SIM_IVAR_MISC		0x00a00		/* byte 0 TCP timer, byte 1 other causes */
#define  SIM_IVAR_VALID		0x80u
#define  SIM_IVAR_VECTOR_MASK	0x3fu
/* The extended registers for vectors 63:0, two per kind, vector 32n+i in
 * bit i of register n. Bits 15:0 of the first one are the same bits as
 * 15:0 of EICR/EICS/EIMS/EIMC/EIAM. EICR_EX is not in Linux's header: its
 * address follows the others' 0x10 stride (the 82599 specification update
 * names the registers EICR1/EICR2). */
#define SIM_EICR_EX(n)		(0x00a80 + 4 * (n))
#define SIM_EICS_EX(n)		(0x00a90 + 4 * (n))
#define SIM_EIMS_EX(n)		(0x00aa0 + 4 * (n))
#define SIM_EIMC_EX(n)		(0x00ab0 + 4 * (n))
#define SIM_EIAM_EX(n)		(0x00ad0 + 4 * (n))

/* 8.2.3.8 Receive DMA */
#define SIM_RDBAL(n)		((n) < 64 ? 0x01000 + 0x40 * (n) : 0x0d000 + 0x40 * ((n) - 64))
#define SIM_RDBAH(n)		(SIM_RDBAL(n) + 0x04)
#define SIM_RDLEN(n)		(SIM_RDBAL(n) + 0x08)
#define SIM_DCA_RXCTRL(n)	(SIM_RDBAL(n) + 0x0c)
/* 8.2.3.11.1 reset value: relaxed ordering for descriptor reads (bit 9),
 * data writes (13) and header writes (15), and the reserved bit 12 that
 * reads 1 and that software must clear (4.6.7) */
#define  SIM_DCA_RXCTRL_RESET	0x0000b200u
#define SIM_RDH(n)		(SIM_RDBAL(n) + 0x10)
#define SIM_SRRCTL(n)		(SIM_RDBAL(n) + 0x14)
#define SIM_RDT(n)		(SIM_RDBAL(n) + 0x18)
#define SIM_RXDCTL(n)		(SIM_RDBAL(n) + 0x28)
#define  SIM_RXDCTL_ENABLE	(1u << 25)
#define  SIM_RXDCTL_VME		(1u << 30)
#define SIM_SRRCTL_BSIZEPKT_MASK 0x1fu		/* 1 KiB units */
#define SIM_SRRCTL_BSIZEHDR_SHIFT 8
#define SIM_SRRCTL_DESCTYPE_SHIFT 25
#define SIM_SRRCTL_DESCTYPE_MASK (7u << 25)
#define  SIM_DESCTYPE_LEGACY	0u
#define  SIM_DESCTYPE_ADV_ONEBUF 1u
#define SIM_SRRCTL_DROP_EN	(1u << 28)
#define SIM_RDRXCTL		0x02f00
#define  SIM_RDRXCTL_CRCSTRIP	(1u << 1)
#define  SIM_RDRXCTL_DMAIDONE	(1u << 3)
#define SIM_RQSMR(n)		(0x02300 + 4 * (n))	/* n = 0..31 */
#define SIM_RXCTRL		0x03000
#define  SIM_RXCTRL_RXEN	(1u << 0)
#define SIM_RXPBSIZE(n)		(0x03c00 + 4 * (n))
#define SIM_TXPBTHRESH(n)	(0x04950 + 4 * (n))	/* 8.2.3.9.16: KiB, 4.6.11.3.1 */

/* 8.2.3.7 Receive filters */
#define SIM_RXCSUM		0x05000
#define  SIM_RXCSUM_IPPCSE	(1u << 12)
#define  SIM_RXCSUM_PCSD	(1u << 13)
#define SIM_FCTRL		0x05080
#define  SIM_FCTRL_SBP		(1u << 1)
#define  SIM_FCTRL_MPE		(1u << 8)
#define  SIM_FCTRL_UPE		(1u << 9)
#define  SIM_FCTRL_BAM		(1u << 10)
#define SIM_VLNCTRL		0x05088
#define SIM_MCSTCTRL		0x05090
#define  SIM_MCSTCTRL_MO_MASK	3u
#define  SIM_MCSTCTRL_MFE	(1u << 2)
#define SIM_MTA(n)		(0x05200 + 4 * (n))	/* n = 0..127 */
#define SIM_RAL(n)		(0x0a200 + 8 * (n))	/* n = 0..127 */
#define SIM_RAH(n)		(0x0a204 + 8 * (n))
#define  SIM_RAH_AV		(1u << 31)
#define SIM_PSRTYPE(n)		(0x0ea00 + 4 * (n))
#define SIM_RETA(n)		(0x0eb00 + 4 * (n))	/* n = 0..31 */
#define SIM_RSSRK(n)		(0x0eb80 + 4 * (n))	/* n = 0..9 */
#define SIM_MRQC		0x0ec80
#define  SIM_MRQC_MRQE_MASK	0xfu
#define  SIM_MRQC_MRQE_RSS	1u
#define  SIM_MRQC_TCPIPV4	(1u << 16)
#define  SIM_MRQC_IPV4		(1u << 17)
#define  SIM_MRQC_IPV6		(1u << 20)
#define  SIM_MRQC_TCPIPV6	(1u << 21)
#define  SIM_MRQC_UDPIPV4	(1u << 22)
#define  SIM_MRQC_UDPIPV6	(1u << 23)

/* Flow director (8.2.3): only its command interface is modelled */
#define SIM_FDIRCTRL		0x0ee00
#define  SIM_FDIRCTRL_PBALLOC	0x3u		/* 0 = off */
#define  SIM_FDIRCTRL_INIT_DONE	(1u << 3)
#define SIM_FDIRCMD		0x0ee2c
#define  SIM_FDIRCMD_CMD	0x3u		/* command, 0 = done */

/* 8.2.3.9 Transmit DMA */
#define SIM_TDBAL(n)		(0x06000 + 0x40 * (n))	/* n = 0..127 */
#define SIM_TDBAH(n)		(SIM_TDBAL(n) + 0x04)
#define SIM_TDLEN(n)		(SIM_TDBAL(n) + 0x08)
#define SIM_TDH(n)		(SIM_TDBAL(n) + 0x10)
#define SIM_TDT(n)		(SIM_TDBAL(n) + 0x18)
#define SIM_TXDCTL(n)		(SIM_TDBAL(n) + 0x28)
#define  SIM_TXDCTL_PTHRESH_MASK 0x7fu		/* 6:0, prefetch threshold */
#define  SIM_TXDCTL_HTHRESH_SHIFT 8		/* 14:8, host threshold */
#define  SIM_TXDCTL_WTHRESH_SHIFT 16		/* 22:16, write-back threshold */
#define  SIM_TXDCTL_ENABLE	(1u << 25)
#define  SIM_TXDCTL_SWFLSH	(1u << 26)	/* software flush of write-backs, self-clearing */
#define SIM_TX_DESC_CACHE	40		/* on-chip TX descriptors per queue (7.2.3.4.1) */
#define SIM_TDWBAL(n)		(SIM_TDBAL(n) + 0x38)
#define  SIM_TDWBAL_HEAD_WB_EN	1u		/* 7.2.3.5.2 */
#define SIM_TDWBAH(n)		(SIM_TDBAL(n) + 0x3c)
#define SIM_DMATXCTL		0x04a80
#define SIM_DCA_TXCTRL(n)	(0x0600c + 0x40 * (n))
/* 8.2.3.11.2 reset value: relaxed ordering for descriptor reads (bit 9),
 * descriptor write-back (11) and data reads (13) */
#define  SIM_DCA_TXCTRL_RESET	0x00002a00u

/* 8.2.3.12 Security block: the model has no IPsec engine, its security
 * paths hold no data, so they are empty ("ready") as soon as they are
 * halted. */
#define SIM_SECTXCTRL		0x08800
#define  SIM_SECTXCTRL_TX_DIS	0x2u
#define SIM_SECTXSTAT		0x08804
#define  SIM_SECTXSTAT_RDY	0x1u
#define SIM_SECRXCTRL		0x08d00
#define  SIM_SECRXCTRL_RX_DIS	0x2u
#define SIM_SECRXSTAT		0x08d04
#define  SIM_SECRXSTAT_RDY	0x1u
#define  SIM_DMATXCTL_TE	(1u << 0)
#define SIM_DTXMXSZRQ		0x08100
#define SIM_MTQC		0x08120
#define SIM_TQSM(n)		(0x08600 + 4 * (n))	/* n = 0..31 */
#define SIM_RTTDCS		0x04900
#define SIM_TXPBSIZE(n)		(0x0cc00 + 4 * (n))

/* 8.2.3.22 MAC */
#define SIM_HLREG0		0x04240
#define  SIM_HLREG0_TXCRCEN	(1u << 0)
#define  SIM_HLREG0_RXCRCSTRP	(1u << 1)
#define  SIM_HLREG0_JUMBOEN	(1u << 2)
#define  SIM_HLREG0_TXPADEN	(1u << 10)
#define  SIM_HLREG0_LPBK	(1u << 15)
#define  SIM_HLREG0_RXLNGTHERREN (1u << 27)
#define SIM_MAXFRS		0x04268
#define  SIM_MAXFRS_MFS_SHIFT	16
#define SIM_AUTOC		0x042a0
#define  SIM_AUTOC_FLU		(1u << 0)
#define  SIM_AUTOC_RESTART_AN	(1u << 12)
#define  SIM_AUTOC_LMS_SHIFT	13
#define  SIM_AUTOC_LMS_MASK	(7u << 13)
#define SIM_LINKS		0x042a4
#define  SIM_LINKS_KX_AN_COMP	(1u << 31)
#define  SIM_LINKS_UP		(1u << 30)
#define  SIM_LINKS_SPEED_SHIFT	28		/* 01 100M, 10 1G, 11 10G */
#define  SIM_LINKS_STATUS	(1u << 7)
#define  SIM_AUTOC_10G_PMA_SHIFT	7		/* 8:7: 0 XAUI, 1 KX4, 2 CX4 */
#define  SIM_AUTOC_1G_PMA_KX	(1u << 9)	/* 1G PMA/PMD: 1 = KX, 0 = SFI/BX */
#define  SIM_AUTOC_KR_SUPP	(1u << 16)
#define  SIM_AUTOC_KX_SUPP	(1u << 30)
#define  SIM_AUTOC_KX4_SUPP	(1u << 31)
#define SIM_AUTOC2		0x042a8
#define  SIM_AUTOC2_10G_SERIAL_SHIFT 16		/* 17:16: 0 KR, 1 XFI, 2 SFI */
#define SIM_MSCA		0x0425c		/* MDI single command and address (8.2.3.22) */
#define  SIM_MSCA_ADDR_MASK	0xffffu		/* register address (clause 45) */
#define  SIM_MSCA_DEVTYPE_SHIFT	16		/* 20:16 MMD */
#define  SIM_MSCA_PHYADD_SHIFT	21		/* 25:21 */
#define  SIM_MSCA_OP_SHIFT	26		/* 27:26: 0 address, 1 write, 2 read-inc, 3 read */
#define  SIM_MSCA_MDICMD	(1u << 30)	/* go; self-clears when done */
#define SIM_MSRWD		0x04260		/* 15:0 write data, 31:16 read data */
#define SIM_ANLP1		0x042b0
#define  SIM_ANLP1_AN_STATE_SHIFT 16		/* 19:16 auto-negotiation arbitration state */
#define SIM_MMNGC		0x042d0
#define SIM_CORECTL		0x14f00		/* analog core control (SFP init sequences) */

/* 8.2.3.23 Statistics (all read-to-clear) */
#define SIM_CRCERRS		0x04000
#define SIM_ILLERRC		0x04004
#define SIM_ERRBC		0x04008
#define SIM_MPC(n)		(0x03fa0 + 4 * (n))	/* n = 0..7 */
#define SIM_RLEC		0x04040
#define SIM_PRC64		0x0405c		/* PRC64..PRC1522: 6 counters */
#define SIM_GPRC		0x04074
#define SIM_BPRC		0x04078
#define SIM_MPRC		0x0407c
#define SIM_GPTC		0x04080
#define SIM_GORCL		0x04088
#define SIM_GORCH		0x0408c
#define SIM_GOTCL		0x04090
#define SIM_GOTCH		0x04094
#define SIM_RUC			0x040a4
#define SIM_RFC			0x040a8
#define SIM_ROC			0x040ac
#define SIM_RJC			0x040b0
#define SIM_TORL		0x040c0
#define SIM_TORH		0x040c4
#define SIM_TPR			0x040d0
#define SIM_TPT			0x040d4
#define SIM_PTC64		0x040d8		/* PTC64..PTC1522: 6 counters */
#define SIM_MPTC		0x040f0
#define SIM_BPTC		0x040f4
#define SIM_QPRC(n)		(0x01030 + 0x40 * (n))	/* n = 0..15 */
#define SIM_QBRCL(n)		(0x01034 + 0x40 * (n))
#define SIM_QBRCH(n)		(0x01038 + 0x40 * (n))
#define SIM_QPRDC(n)		(0x01430 + 0x40 * (n))
#define SIM_QPTC(n)		(0x08680 + 4 * (n))
#define SIM_QBTCL(n)		(0x08700 + 8 * (n))
#define SIM_QBTCH(n)		(0x08704 + 8 * (n))

/* 7.1.6 / 7.2.3 descriptor fields */
#define SIM_RXD_STAT_DD		(1u << 0)
#define SIM_RXD_STAT_EOP	(1u << 1)
#define SIM_RXD_STAT_VP		(1u << 3)
#define SIM_RXD_STAT_UDPCS	(1u << 4)
#define SIM_RXD_STAT_L4CS	(1u << 5)
#define SIM_RXD_STAT_IPCS	(1u << 6)
#define SIM_RXD_STAT_PIF	(1u << 7)
#define SIM_RXADV_ERR_L4E	(1u << 30)
#define SIM_RXADV_ERR_IPE	(1u << 31)
#define SIM_RXLEG_ERR_L4E	(1u << 6)	/* legacy errors byte */
#define SIM_RXLEG_ERR_IPE	(1u << 7)

#define SIM_TXD_DTALEN_MASK	0xffffu
#define SIM_TXD_DTYP_SHIFT	20
#define SIM_TXD_DTYP_MASK	(0xfu << 20)
#define  SIM_TXD_DTYP_CTXT	2u
#define  SIM_TXD_DTYP_DATA	3u
#define SIM_TXD_CMD_EOP		(1u << 24)
#define SIM_TXD_CMD_IFCS	(1u << 25)
#define SIM_TXD_CMD_RS		(1u << 27)
#define SIM_TXD_CMD_DEXT	(1u << 29)
#define SIM_TXD_CMD_VLE		(1u << 30)
#define SIM_TXD_CMD_TSE		(1u << 31)
#define SIM_TXD_STAT_DD		(1u << 0)
#define SIM_TXD_POPTS_IXSM	(1u << 8)	/* in olinfo_status */
#define SIM_TXD_POPTS_TXSM	(1u << 9)
#define SIM_TXD_IDX_SHIFT	4		/* context index, olinfo / mss_l4len_idx */
/* advanced context descriptor (7.2.3.2.3) */
#define SIM_TXCTX_IPLEN_MASK	0x1ffu		/* VLAN_MACIP_LENS 8:0 */
#define SIM_TXCTX_MACLEN_SHIFT	9		/* 15:9 */
#define SIM_TXCTX_VLAN_SHIFT	16		/* 31:16 */
#define SIM_TXCTX_TUCMD_IPV4	(1u << 10)	/* TYPE_TUCMD_MLHL */
#define SIM_TXCTX_L4T_SHIFT	11		/* 12:11: 0 UDP, 1 TCP, 2 SCTP */
#define SIM_TXCTX_L4T_MASK	(3u << 11)

#endif
