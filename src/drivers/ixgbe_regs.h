/* ixgbe register map: offsets in BAR0 and the bits this driver uses.
 *
 * Written from the Intel 82599 10 GbE Controller Datasheet, chapter 8
 * ("Programming Interface"), section numbers given per register. The X540
 * and X550 keep these offsets for everything used here unless noted.
 * Deliberately independent of the virtual device's own definitions, so one
 * misreading cannot hide in both. */
#ifndef IXY_SRC_DRIVERS_IXGBE_REGS_H
#define IXY_SRC_DRIVERS_IXGBE_REGS_H

#include <stdint.h>

#define BIT(n) (1u << (n))

/* ---- general control (8.2.3.1) ---- */
#define IXGBE_CTRL            0x00000
#define IXGBE_CTRL_GIO_DIS    BIT(2)    /* PCIe master disable (5.2.5.3.2) */
#define IXGBE_CTRL_LRST       BIT(3)    /* link reset */
#define IXGBE_CTRL_RST        BIT(26)   /* device (software) reset, self-clearing */
#define IXGBE_CTRL_RST_MASK   (IXGBE_CTRL_LRST | IXGBE_CTRL_RST)
#define IXGBE_STATUS          0x00008
#define IXGBE_STATUS_GIO      BIT(19)   /* PCIe master enable status: requests pending */
#define IXGBE_CTRL_EXT        0x00018
#define IXGBE_CTRL_EXT_NS_DIS BIT(16)   /* no-snoop disable; 4.6.7 last step */
/* Extended SDP control (8.2.3.1.4). On 82599 SFP+ boards SDP3 drives the
 * module's TX_DISABLE line: 1 = laser off. */
#define IXGBE_ESDP            0x00020
#define IXGBE_ESDP_SDP3       BIT(3)

/* EEPROM/flash control (8.2.3.2.1); the X550EM_a moved it. */
#define IXGBE_EEC             0x10010
#define IXGBE_EEC_X550EM_A    0x15FF8
#define IXGBE_EEC_ARD         BIT(9)    /* EEPROM auto-read done */

/* ---- interrupts (8.2.3.5; behaviour in 7.3) ----
 * In MSI-X mode bits 15:0 of EICR/EICS/EIMS/EIMC/EIAM are the queue
 * vectors 0..15 (RTxQ); the _EX registers hold one bit per vector 0..63
 * (index 0: vectors 0..31, 1: 32..63), their bits 15:0 being the same as
 * those of the short registers. */
#define IXGBE_EICR            0x00800   /* cause, clears on read; writing 1s clears */
#define IXGBE_EICR_RTXQ       0x0000FFFFu /* queue causes: vectors 0..15 in MSI-X mode */
#define IXGBE_EIMS            0x00880   /* writing 1s unmasks (enables) causes */
#define IXGBE_EIMC            0x00888   /* writing 1s masks causes */
#define IXGBE_EIMC_ALL        0x7FFFFFFFu
#define IXGBE_EIAC            0x00810   /* auto-clear: EICR bits cleared when the vector's MSI-X message goes */
#define IXGBE_EIAM            0x00890   /* auto-mask: EIMS bits cleared when the message goes (GPIE.EIAME) */
#define IXGBE_EIMS_EX(n)      (0x00AA0u + 4u * (n))
#define IXGBE_EIMC_EX(n)      (0x00AB0u + 4u * (n))
#define IXGBE_EIAM_EX(n)      (0x00AD0u + 4u * (n))
/* Interrupt throttle of vector n (EITR, 8.2.3.5): bits 11:3 are the minimum
 * interval between two interrupts in 2 us units (at 10 Gb/s); CNT_WDIS:
 * this write leaves the running counter alone instead of restarting it
 * (a restart ends the interval and could fire at once). */
#define IXGBE_EITR(n)         ((n) < 24 ? 0x00820u + 4u * (n) : 0x12300u + 4u * ((n) - 24))
#define IXGBE_EITR_ITR_MASK   0x00000FF8u
#define IXGBE_EITR_ITR_SHIFT  3
#define IXGBE_EITR_MAX_US     1022u     /* 511 units of 2 us */
#define IXGBE_EITR_CNT_WDIS   BIT(31)
/* Interrupt vector allocation (IVAR, 8.2.3.5): IVAR[n] maps queues 2n, 2n+1;
 * byte 0 RX 2n, byte 1 TX 2n, byte 2 RX 2n+1, byte 3 TX 2n+1. Each byte:
 * bit 7 valid, bits 5:0 the MSI-X vector. */
#define IXGBE_IVAR(n)         (0x00900u + 4u * (n))
#define IXGBE_IVAR_RX_SHIFT(q) (16u * ((q) & 1u))
#define IXGBE_IVAR_VALID      0x80u
#define IXGBE_IVAR_VECTOR_MASK 0x3Fu
/* General purpose interrupt enable (GPIE, 8.2.3.5) */
#define IXGBE_GPIE            0x00898
#define IXGBE_GPIE_MSIX_MODE  BIT(4)    /* MSI-X (else MSI/INTx: one interrupt, EICR bits) */
#define IXGBE_GPIE_OCD        BIT(5)    /* EICR reads clear only the "other" causes */
#define IXGBE_GPIE_EIAME      BIT(30)   /* EIAM applies when a message is sent (not on EICR reads) */
#define IXGBE_GPIE_PBA_SUPPORT BIT(31)  /* MSI-X pending bit array in use */
#define IXGBE_MSIX_VECTORS    64

/* ---- receive (8.2.3.8) ---- */
/* Per-queue registers: queues 0..63 at 0x01000 + 0x40*n, 64..127 at 0x0D000. */
#define IXGBE_RXQ_BASE(n)     ((n) < 64 ? 0x01000u + 0x40u * (n) : 0x0D000u + 0x40u * ((n) - 64))
#define IXGBE_RDBAL(n)        (IXGBE_RXQ_BASE(n) + 0x00)
#define IXGBE_RDBAH(n)        (IXGBE_RXQ_BASE(n) + 0x04)
#define IXGBE_RDLEN(n)        (IXGBE_RXQ_BASE(n) + 0x08)
#define IXGBE_DCA_RXCTRL(n)   (IXGBE_RXQ_BASE(n) + 0x0C)
#define IXGBE_RDH(n)          (IXGBE_RXQ_BASE(n) + 0x10)
#define IXGBE_SRRCTL(n)       (IXGBE_RXQ_BASE(n) + 0x14)
#define IXGBE_RDT(n)          (IXGBE_RXQ_BASE(n) + 0x18)
#define IXGBE_RXDCTL(n)       (IXGBE_RXQ_BASE(n) + 0x28)
/* per-queue RX statistics, 16 counter sets (8.2.3.23) */
#define IXGBE_QPRC(n)         (0x01030u + 0x40u * (n))
#define IXGBE_QBRC_L(n)       (0x01034u + 0x40u * (n))
#define IXGBE_QBRC_H(n)       (0x01038u + 0x40u * (n))
#define IXGBE_QPRDC(n)        (0x01430u + 0x40u * (n))

#define IXGBE_DCA_RXCTRL_BIT12 BIT(12)  /* reserved, resets to 1, must be cleared (4.6.7) */

#define IXGBE_SRRCTL_BSIZEPKT_SHIFT 0   /* packet buffer size in 1 KiB units, bits 4:0 */
#define IXGBE_SRRCTL_BSIZEPKT_MASK  0x1Fu
#define IXGBE_SRRCTL_DESCTYPE_MASK  (7u << 25)
#define IXGBE_SRRCTL_DESCTYPE_ADV_1BUF (1u << 25)  /* advanced descriptors, one buffer */
#define IXGBE_SRRCTL_DROP_EN   BIT(28)  /* drop when no descriptor instead of stalling the buffer */

#define IXGBE_RXDCTL_ENABLE    BIT(25)

#define IXGBE_RDRXCTL          0x02F00  /* 8.2.3.8.8 */
#define IXGBE_RDRXCTL_CRCSTRIP BIT(1)
#define IXGBE_RDRXCTL_DMAIDONE BIT(3)
#define IXGBE_RDRXCTL_RSCFRSTSIZE (0x1Fu << 17)  /* must be 0 (4.6.7), resets to 0x8 */
#define IXGBE_RDRXCTL_RSCACKC  BIT(25)  /* must be 1 (8.2.3.8.8) */
#define IXGBE_RDRXCTL_FCOE_WRFIX BIT(26) /* must be 1 (8.2.3.8.8) */

#define IXGBE_RXCTRL           0x03000  /* 8.2.3.8.10 */
#define IXGBE_RXCTRL_RXEN      BIT(0)
#define IXGBE_RXPBSIZE(n)      (0x03C00u + 4u * (n))
#define IXGBE_RQSMR(n)         (0x02300u + 4u * (n))  /* queue -> statistics counter map */

/* The security (MACsec/IPsec) receive block must be idle while RXCTRL is
 * written (4.6.7 step 11; registers 8.2.3.12.x). */
#define IXGBE_SECRXCTRL        0x08D00
#define IXGBE_SECRXCTRL_RX_DIS BIT(1)
#define IXGBE_SECRXSTAT        0x08D04
#define IXGBE_SECRXSTAT_RDY    BIT(0)

#define IXGBE_RXCSUM           0x05000  /* 8.2.3.7.5 */
#define IXGBE_RXCSUM_IPPCSE    BIT(12)
#define IXGBE_RXCSUM_PCSD      BIT(13)  /* report the RSS hash instead of the fragment checksum */

#define IXGBE_FCTRL            0x05080  /* 8.2.3.7.1 */
#define IXGBE_FCTRL_MPE        BIT(8)   /* multicast promiscuous */
#define IXGBE_FCTRL_UPE        BIT(9)   /* unicast promiscuous */
#define IXGBE_FCTRL_BAM        BIT(10)  /* broadcast accept */

#define IXGBE_RAL(n)           (0x0A200u + 8u * (n))  /* 8.2.3.7.9 */
#define IXGBE_RAH(n)           (0x0A204u + 8u * (n))
#define IXGBE_RAH_AV           BIT(31)  /* address valid */

/* RSS (8.2.3.7.x) */
#define IXGBE_MRQC             0x0EC80
#define IXGBE_MRQC_RSSEN       0x1u     /* MRQE = 0001b: RSS only */
#define IXGBE_MRQC_TCPIPV4     BIT(16)
#define IXGBE_MRQC_IPV4        BIT(17)
#define IXGBE_MRQC_IPV6        BIT(20)
#define IXGBE_MRQC_TCPIPV6     BIT(21)
#define IXGBE_MRQC_UDPIPV4     BIT(22)
#define IXGBE_MRQC_UDPIPV6     BIT(23)
#define IXGBE_RETA(n)          (0x0EB00u + 4u * (n))  /* 32 registers, 4 entries each */
#define IXGBE_ERETA(n)         (0x0EE80u + 4u * (n))  /* X550: entries 128..511 */
#define IXGBE_RSSRK(n)         (0x0EB80u + 4u * (n))  /* 10 registers = 40-byte key */

/* ---- MAC (8.2.3.22) ---- */
#define IXGBE_HLREG0           0x04240
#define IXGBE_HLREG0_TXCRCEN   BIT(0)
#define IXGBE_HLREG0_RXCRCSTRP BIT(1)
#define IXGBE_HLREG0_JUMBOEN   BIT(2)
#define IXGBE_HLREG0_TXPADEN   BIT(10)
#define IXGBE_MAXFRS           0x04268
#define IXGBE_MAXFRS_MFS_SHIFT 16
#define IXGBE_AUTOC            0x042A0
#define IXGBE_AUTOC_AN_RESTART BIT(12)
#define IXGBE_AUTOC_LMS_SHIFT  13
#define IXGBE_AUTOC_LMS_MASK   (7u << IXGBE_AUTOC_LMS_SHIFT)
#define IXGBE_AUTOC_LMS_10G_SERIAL (3u << IXGBE_AUTOC_LMS_SHIFT)
#define IXGBE_LINKS            0x042A4
#define IXGBE_LINKS_UP         BIT(30)
#define IXGBE_LINKS_SPEED_MASK (3u << 28)
#define IXGBE_LINKS_SPEED_10G  (3u << 28)
#define IXGBE_LINKS_SPEED_1G   (2u << 28)
#define IXGBE_LINKS_SPEED_100M (1u << 28)
#define IXGBE_LINKS_SPEED_NON_STD BIT(27) /* X550: 2.5G/5G */
#define IXGBE_AUTOC2           0x042A8
#define IXGBE_AUTOC2_10G_SERIAL_PMA_PMD_MASK (3u << 16)
#define IXGBE_AUTOC2_10G_SFI   (2u << 16)
/* bits 30:28: link disable (in D3 / always); a previous driver may have
 * left them set for power management */
#define IXGBE_AUTOC2_LINK_DISABLE_MASK (7u << 28)

/* ---- transmit (8.2.3.9) ---- */
#define IXGBE_TDBAL(n)         (0x06000u + 0x40u * (n))
#define IXGBE_TDBAH(n)         (0x06004u + 0x40u * (n))
#define IXGBE_TDLEN(n)         (0x06008u + 0x40u * (n))
#define IXGBE_TDH(n)           (0x06010u + 0x40u * (n))
#define IXGBE_TDT(n)           (0x06018u + 0x40u * (n))
#define IXGBE_TXDCTL(n)        (0x06028u + 0x40u * (n))
#define IXGBE_TXDCTL_ENABLE    BIT(25)
#define IXGBE_TXDCTL_PTHRESH_SHIFT 0
#define IXGBE_TXDCTL_HTHRESH_SHIFT 8
#define IXGBE_TXDCTL_WTHRESH_SHIFT 16
#define IXGBE_TXDCTL_THRESH_MASK (0x7Fu | (0x7Fu << 8) | (0x7Fu << 16))
#define IXGBE_QPTC(n)          (0x06030u + 0x40u * (n))
#define IXGBE_QBTC_L(n)        (0x08700u + 8u * (n))
#define IXGBE_QBTC_H(n)        (0x08704u + 8u * (n))
#define IXGBE_TQSM(n)          (0x08600u + 4u * (n))
#define IXGBE_DMATXCTL         0x04A80
#define IXGBE_DMATXCTL_TE      BIT(0)
#define IXGBE_DTXMXSZRQ        0x08100
#define IXGBE_MTQC             0x08120
#define IXGBE_RTTDCS           0x04900
#define IXGBE_RTTDCS_ARBDIS    BIT(6)
#define IXGBE_TXPBSIZE(n)      (0x0CC00u + 4u * (n))

/* ---- statistics (8.2.3.23); all clear on read ---- */
#define IXGBE_CRCERRS          0x04000
#define IXGBE_ILLERRC          0x04004
#define IXGBE_ERRBC            0x04008
#define IXGBE_RXMPC(n)         (0x03FA0u + 4u * (n))
#define IXGBE_RLEC             0x04040
#define IXGBE_GPRC             0x04074
#define IXGBE_BPRC             0x04078
#define IXGBE_MPRC             0x0407C
#define IXGBE_GPTC             0x04080
#define IXGBE_GORCL            0x04088
#define IXGBE_GORCH            0x0408C
#define IXGBE_GOTCL            0x04090
#define IXGBE_GOTCH            0x04094
#define IXGBE_RUC              0x040A4
#define IXGBE_ROC              0x040AC
#define IXGBE_TPR              0x040D0
#define IXGBE_TPT              0x040D4

/* ---- descriptors (7.1.6 receive, 7.2.3.2.4 transmit) ---- */

/* Advanced receive descriptor: read format (driver -> NIC) and write-back
 * format (NIC -> driver), 16 bytes. */
union ixgbe_rx_desc {
	struct {
		uint64_t pkt_addr;    /* physical address of the packet buffer */
		uint64_t hdr_addr;    /* header buffer (unused); bit 0 aliases DD: write 0 */
	} read;
	struct {
		uint16_t pkt_info;    /* RSS type 3:0, packet type 16:4 */
		uint16_t hdr_info;
		uint32_t rss_hash;    /* when RXCSUM.PCSD = 1 */
		uint32_t status_error;/* status 19:0, errors 31:20 */
		uint16_t length;
		uint16_t vlan;
	} wb;
};
_Static_assert(sizeof(union ixgbe_rx_desc) == 16, "RX descriptor is 16 bytes");

#define IXGBE_RXD_STAT_DD      BIT(0)
#define IXGBE_RXD_STAT_EOP     BIT(1)
#define IXGBE_RXD_STAT_L4CS    BIT(5)   /* L4 checksum was checked */
#define IXGBE_RXD_STAT_IPCS    BIT(6)   /* IPv4 header checksum was checked */
#define IXGBE_RXD_ERR_TCPE     BIT(30)  /* L4 checksum error */
#define IXGBE_RXD_ERR_IPE      BIT(31)  /* IPv4 header checksum error */
#define IXGBE_RXD_RSSTYPE_MASK 0x000Fu  /* in pkt_info: 0 = no hash computed */
#define IXGBE_RXD_PKTTYPE_UDP  BIT(9)   /* in pkt_info (packet type 16:4): UDP header */

/* Advanced transmit data descriptor (7.2.3.2.4) and its write-back. */
union ixgbe_tx_desc {
	struct {
		uint64_t buffer_addr;
		uint32_t cmd_type_len;
		uint32_t olinfo_status;
	} read;
	struct {
		uint64_t rsvd;
		uint32_t nxtseq_seed;
		uint32_t status;
	} wb;
};
_Static_assert(sizeof(union ixgbe_tx_desc) == 16, "TX descriptor is 16 bytes");

#define IXGBE_TXD_DTYP_DATA    (3u << 20)  /* advanced data descriptor */
#define IXGBE_TXD_CMD_EOP      BIT(24)
#define IXGBE_TXD_CMD_IFCS     BIT(25)     /* insert FCS (CRC) */
#define IXGBE_TXD_CMD_RS       BIT(27)     /* report status: write back DD */
#define IXGBE_TXD_CMD_DEXT     BIT(29)     /* extended (advanced) descriptor */
#define IXGBE_TXD_PAYLEN_SHIFT 14          /* olinfo_status: payload length 31:14 */
#define IXGBE_TXD_STAT_DD      BIT(0)
#define IXGBE_TXD_MAC_TSTAMP   BIT(19)     /* advanced data: IEEE 1588 TX timestamp (7.2.3.2.4) */

/* ---- IEEE 1588 time sync (82599 7.9, registers 8.2.3.26) ----
 * Offsets, bits and the TIMINCA values per link speed checked against the
 * facts in Linux 6.1's ixgbe_type.h / ixgbe_ptp.c. */
#define IXGBE_TSYNCRXCTL          0x05188
#define IXGBE_TSYNCRXCTL_VALID    BIT(0)      /* RO: a timestamp is latched in RXSTMP */
#define IXGBE_TSYNCRXCTL_TYPE_EVENT_V2 (5u << 1) /* 3:1 = 101b: v2 event messages, L2 and L4 */
#define IXGBE_TSYNCRXCTL_EN       BIT(4)
#define IXGBE_RXSTMPL             0x051E8
#define IXGBE_RXSTMPH             0x051A4     /* reading it releases the latch */
#define IXGBE_RXSATRL             0x051A0     /* source id */
#define IXGBE_RXSATRH             0x051A8     /* 31:16 sequence id */
#define IXGBE_RXSATRH_SEQ_SHIFT   16
#define IXGBE_RXMTRL              0x05120     /* 31:16 UDP port of 1588 frames */
#define IXGBE_RXMTRL_UDP_SHIFT    16
#define IXGBE_PTP_EVENT_PORT      319         /* IEEE 1588 event messages over UDP */
#define IXGBE_TSYNCTXCTL          0x08C00
#define IXGBE_TSYNCTXCTL_VALID    BIT(0)
#define IXGBE_TSYNCTXCTL_EN       BIT(4)
#define IXGBE_TXSTMPL             0x08C04
#define IXGBE_TXSTMPH             0x08C08     /* reading it releases the latch */
#define IXGBE_SYSTIML             0x08C0C     /* reading it latches SYSTIMH */
#define IXGBE_SYSTIMH             0x08C10
#define IXGBE_TIMINCA             0x08C14
#define IXGBE_TIMADJL             0x08C18
#define IXGBE_TIMADJH             0x08C1C
#define IXGBE_TIMADJH_SIGN        BIT(31)     /* 1 = subtract */
/* 82599 TIMINCA: 31:24 increment period in oscillator ticks (6.4 ns at
 * 10 Gb/s, 64 ns at 1 Gb/s, 640 ns at 100 Mb/s), 23:0 increment value.
 * Period 1 and a value that is the tick in ns times 2^shift makes SYSTIM a
 * fixed-point ns count: ns = SYSTIM >> shift. X540: 30:0 value, added every
 * tick (no period field), with a shift 7 larger. */
#define IXGBE_TIMINCA_82599_10G   (BIT(24) | 0x00CCCCCCu)  /* 6.4 * 2^21 */
#define IXGBE_TIMINCA_82599_1G    (BIT(24) | 0x00800000u)  /* 64 * 2^17 */
#define IXGBE_TIMINCA_82599_100M  (BIT(24) | 0x00A00000u)  /* 640 * 2^14 */
#define IXGBE_SYSTIM_SHIFT_10G    21
#define IXGBE_SYSTIM_SHIFT_1G     17
#define IXGBE_SYSTIM_SHIFT_100M   14
#define IXGBE_X540_TIMINCA_10G    0x66666666u /* 6.4 * 2^28 */
#define IXGBE_X540_TIMINCA_1G     0x40000000u /* 64 * 2^24 */
#define IXGBE_X540_TIMINCA_100M   0x50000000u /* 640 * 2^21 */
#define IXGBE_X540_SHIFT_EXTRA    7           /* X540 shift = 82599 shift + 7 */
/* EtherType filters (8.2.3.7.x): entry 3 for 1588 by the Intel drivers' convention */
#define IXGBE_ETQF(n)             (0x05128 + 4 * (n))
#define IXGBE_ETQF_1588           BIT(30)     /* frames of this type are 1588 frames */
#define IXGBE_ETQF_EN             BIT(31)
#define IXGBE_ETQF_PTP_INDEX      3
#define IXGBE_ETHERTYPE_1588      0x88F7
#define IXGBE_RXD_STAT_TS         BIT(16)     /* advanced RX write-back: timestamp latched */

#endif
