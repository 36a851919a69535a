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
#define IXGBE_STATUS          0x00008   /* 8.2.3.1.2 */
#define IXGBE_STATUS_LAN_ID_SHIFT 2     /* bits 3:2: which port of the chip (function) */
#define IXGBE_STATUS_LAN_ID_MASK (3u << IXGBE_STATUS_LAN_ID_SHIFT)
#define IXGBE_STATUS_GIO      BIT(19)   /* PCIe master enable status: requests pending */
#define IXGBE_CTRL_EXT        0x00018   /* 8.2.3.1.3 */
#define IXGBE_CTRL_EXT_NS_DIS BIT(16)   /* no-snoop disable; 4.6.7 last step */
#define IXGBE_CTRL_EXT_DRV_LOAD BIT(28) /* tells the manageability firmware a driver runs the port */
/* Extended SDP control (8.2.3.1.4). On 82599 SFP+ boards SDP3 drives the
 * module's TX_DISABLE line (1 = laser off) and SDP5 its rate select
 * (RS0/RS1: 1 = full bandwidth, 10 Gb/s) when SDP5's direction bit makes
 * it an output. */
#define IXGBE_ESDP            0x00020
#define IXGBE_ESDP_SDP3       BIT(3)
#define IXGBE_ESDP_SDP5       BIT(5)
#define IXGBE_ESDP_SDP5_DIR   BIT(13)   /* SDP5 is an output */
/* I2C control (general registers, 8.2.3.1): the SFP+ module's two-wire management bus,
 * driven bit by bit by software. 82599 and X540 bit positions; the X550
 * family moved the register and its bits. Outputs are open drain: writing
 * 1 releases the line, the _IN bits read what is really on it. */
#define IXGBE_I2CCTL          0x00028
#define IXGBE_I2CCTL_CLK_IN   BIT(0)    /* SCL as seen on the bus */
#define IXGBE_I2CCTL_CLK_OUT  BIT(1)    /* SCL driven by us */
#define IXGBE_I2CCTL_DATA_IN  BIT(2)    /* SDA as seen on the bus */
#define IXGBE_I2CCTL_DATA_OUT BIT(3)    /* SDA driven by us */

/* EEPROM/flash control (8.2.3.2.1). */
#define IXGBE_EEC             0x10010
#define IXGBE_EEC_PRES        BIT(8)    /* an EEPROM was detected */
#define IXGBE_EEC_ARD         BIT(9)    /* EEPROM auto-read done */
#define IXGBE_EEC_SIZE_SHIFT  11        /* bits 14:11: size = 2^(SIZE + 6) 16-bit words */
#define IXGBE_EEC_SIZE_MASK   (0xFu << IXGBE_EEC_SIZE_SHIFT)
/* EEPROM read register (8.2.3.2.2): write START with a word address,
 * poll DONE, take the word from bits 31:16. Hardware arbitrates it with
 * the firmware; no semaphore is needed to read. */
#define IXGBE_EERD            0x10014
#define IXGBE_EERD_START      BIT(0)
#define IXGBE_EERD_DONE       BIT(1)
#define IXGBE_EERD_ADDR_SHIFT 2         /* bits 15:2: word address */
#define IXGBE_EERD_ADDR_MAX   0x3FFFu
#define IXGBE_EERD_DATA_SHIFT 16

/* Words of the EEPROM image the driver reads (EEPROM map, chapter 6):
 * 0x00-0x3F are the "hardware" words summed by the checksum, together with
 * the sections that words 0x03-0x0E point to; 0x0F points to the firmware
 * module, which is not summed; 0x2B points to the SFP+ init-sequence table. */
#define IXGBE_EE_FIRST_PTR        0x03
#define IXGBE_EE_FW_PTR           0x0F
#define IXGBE_EE_PHY_PTR          0x04    /* X540: the PHY's firmware, not in the checksum */
#define IXGBE_EE_OPTION_ROM_PTR   0x05    /* X540: expansion ROM, not in the checksum */
#define IXGBE_EE_LAST_X550        0x41    /* X550: words 0x00-0x41 are summed */
#define IXGBE_EE_FIRST_PTR_X550   0x02    /* X550: pointers from 0x02 on */
#define IXGBE_EE_PCIE_GENERAL_X550 0x06   /* X550: a fixed block of 0x24 words */
#define IXGBE_EE_PCIE_GENERAL_WORDS 0x24
#define IXGBE_EE_PCIE_CONFIG0_X550 0x07   /* X550: fixed blocks of 8 words */
#define IXGBE_EE_PCIE_CONFIG1_X550 0x08
#define IXGBE_EE_PCIE_CONFIG_WORDS 8
#define IXGBE_EE_SFP_INIT_PTR     0x2B
#define IXGBE_EE_CHECKSUM         0x3F
#define IXGBE_EE_CHECKSUM_SUM     0xBABA  /* words 0x00-0x3F plus sections add up to this */
#define IXGBE_EE_SFP_INIT_END     0xFFFF  /* ends the id list and each data list */
/* In the firmware module: word 2 points to the LESM (link establishment
 * state machine) parameters, whose word 1 bit 15 says the firmware runs
 * the link and shares AUTOC with software. */
#define IXGBE_EE_FW_LESM_PARAM_PTR 0x02
#define IXGBE_EE_FW_LESM_STATE_1   0x01
#define IXGBE_EE_FW_LESM_ENABLED   BIT(15)

/* Software/firmware semaphores (SWSM, SW_FW_SYNC in the register chapter
 * 8.2.3; how to use them: the datasheet's software/firmware
 * synchronization section). SWSM.SMBI: reads 0 once and is set by the read itself
 * (the reader owns it); SWSM.SWESMBI: software writes 1 and owns it if it
 * reads back 1. Holding both, software may change SW_FW_SYNC, whose low
 * bits claim a resource for software and the same bits << 5 show the
 * firmware holding it. */
#define IXGBE_SWSM            0x10140
#define IXGBE_SWSM_SMBI       BIT(0)
#define IXGBE_SWSM_SWESMBI    BIT(1)
#define IXGBE_FWSM            0x10148   /* firmware semaphore / status */
#define IXGBE_FWSM_MODE_MASK  (7u << 1) /* bits 3:1: firmware mode */
#define IXGBE_FWSM_MODE_PT    (2u << 1) /* pass-through: a BMC shares the port */
#define IXGBE_FACTPS          0x10150   /* function active and power state */
#define IXGBE_FACTPS_MNGCG    BIT(29)   /* manageability clock gated: firmware idle */
#define IXGBE_SW_FW_SYNC      0x10160
#define IXGBE_SWFW_EEP        BIT(0)    /* EEPROM */
#define IXGBE_SWFW_PHY0       BIT(1)    /* PHY / I2C of port 0 */
#define IXGBE_SWFW_PHY1       BIT(2)    /* PHY / I2C of port 1 */
#define IXGBE_SWFW_MAC_CSR    BIT(3)    /* shared MAC registers (AUTOC, CORECTL) */
#define IXGBE_SWFW_FLASH      BIT(4)
#define IXGBE_SWFW_FW_SHIFT   5         /* firmware's bit for the same resource */
#define IXGBE_SWFW_SW_MNG     BIT(10)   /* X540/X550: the host interface (manageability) */
/* X540/X550 (not X550EM_a, which moved both registers): the same SWSM and
 * SW_FW_SYNC offsets (Linux 6.1 ixgbe_type.h defines SWFW_SYNC_X540/X550 as
 * the 82599's 0x10160), but SWSM.SWESMBI is no longer the software/firmware
 * arbiter: SW_FW_SYNC bit 31 (REGSMP) is, read-to-set like SMBI (a read
 * that finds it 0 owns it; software writes 0 to give it back). While
 * software asks for the EEPROM, the flash bit (4) set means the hardware
 * itself is using the flash. X540 datasheet, "SW_FW_SYNC" in the host
 * interface registers and the software/firmware synchronization section
 * (section numbers not checked here). */
#define IXGBE_SWFW_REGSMP     BIT(31)

/* X550 manageability host interface: software writes a command block into
 * FLEX_MNG, sets HICR.C, the firmware clears it and sets SV when it took
 * the command (the register layout and command block as Linux 6.1's
 * ixgbe_hic_unlocked and read_ee_hostif_buffer_X550 use them). */
#define IXGBE_FLEX_MNG         0x15800  /* command/response buffer, 448 dwords */
#define IXGBE_FLEX_MNG_DWORDS  448u
#define IXGBE_HICR             0x15F00
#define IXGBE_HICR_EN          BIT(0)   /* the firmware listens */
#define IXGBE_HICR_C           BIT(1)   /* command pending */
#define IXGBE_HICR_SV          BIT(2)   /* status valid: the command was taken */
#define IXGBE_FWSTS            0x15F0C
#define IXGBE_FWSTS_FWRI       BIT(9)   /* firmware reset indication, write 1 to clear */
#define IXGBE_HI_READ_NVM      0x31u    /* command: read shadow RAM (the NVM's words) */
#define IXGBE_HI_READ_NVM_LEN  6u       /* its block after the header, bytes */
#define IXGBE_HI_NVM_DATA      3u       /* first dword of the words read back */
#define IXGBE_HI_MAX_NVM_WORDS 512u     /* per command (Linux: 1024 bytes) */

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
#define IXGBE_RXDCTL_VME       BIT(30)     /* strip the VLAN tag into the write-back (8.2.3.8.6) */

#define IXGBE_RDRXCTL          0x02F00  /* 8.2.3.8.8 */
#define IXGBE_RDRXCTL_CRCSTRIP BIT(1)
#define IXGBE_RDRXCTL_DMAIDONE BIT(3)
#define IXGBE_RDRXCTL_RSCFRSTSIZE (0x1Fu << 17)  /* must be 0 (4.6.7), resets to 0x8 */
#define IXGBE_RDRXCTL_RSCACKC  BIT(25)  /* must be 1 (8.2.3.8.8) */
#define IXGBE_RDRXCTL_FCOE_WRFIX BIT(26) /* must be 1 (8.2.3.8.8) */

#define IXGBE_RXCTRL           0x03000  /* 8.2.3.8.10 */
#define IXGBE_RXCTRL_RXEN      BIT(0)
#define IXGBE_RXPBSIZE(n)      (0x03C00u + 4u * (n))  /* receive registers (8.2.3.8), bytes; 8 buffers */
#define IXGBE_NUM_PB           8
#define IXGBE_RQSMR(n)         (0x02300u + 4u * (n))  /* queue -> statistics counter map */

/* The security (MACsec/IPsec) receive block must be idle while RXCTRL is
 * written (4.6.7 step 11; registers 8.2.3.12.x). */
#define IXGBE_SECRXCTRL        0x08D00
#define IXGBE_SECRXCTRL_RX_DIS BIT(1)
#define IXGBE_SECRXSTAT        0x08D04
#define IXGBE_SECRXSTAT_RDY    BIT(0)

/* Manageability control (manageability registers): RCV_TCO_EN = the BMC
 * receives traffic through this port. */
#define IXGBE_MANC             0x05820
#define IXGBE_MANC_RCV_TCO_EN  BIT(17)

#define IXGBE_RXCSUM           0x05000  /* 8.2.3.7.5 */
#define IXGBE_RXCSUM_IPPCSE    BIT(12)
#define IXGBE_RXCSUM_PCSD      BIT(13)  /* report the RSS hash instead of the fragment checksum */

#define IXGBE_FCTRL            0x05080  /* 8.2.3.7.1 */
#define IXGBE_FCTRL_MPE        BIT(8)   /* multicast promiscuous */
#define IXGBE_FCTRL_UPE        BIT(9)   /* unicast promiscuous */
#define IXGBE_FCTRL_BAM        BIT(10)  /* broadcast accept */

#define IXGBE_RAL(n)           (0x0A200u + 8u * (n))  /* 8.2.3.7.9 */
#define IXGBE_RAH(n)           (0x0A204u + 8u * (n))
#define IXGBE_NUM_RAR          128     /* receive address registers, 82599/X540/X550 */
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
/* Auto-negotiation control (MAC registers, 8.2.3.22). The EEPROM loads the board's
 * link mode (LMS) and the backplane abilities it may advertise. */
#define IXGBE_AUTOC            0x042A0
#define IXGBE_AUTOC_1G_PMA_PMD BIT(9)   /* 1 Gb/s PMA/PMD: 0 = SFI/BX, 1 = KX */
#define IXGBE_AUTOC_AN_RESTART BIT(12)
#define IXGBE_AUTOC_LMS_SHIFT  13
#define IXGBE_AUTOC_LMS_MASK   (7u << IXGBE_AUTOC_LMS_SHIFT)
#define IXGBE_AUTOC_LMS_1G_NO_AN   (0u << IXGBE_AUTOC_LMS_SHIFT)
#define IXGBE_AUTOC_LMS_10G_NO_AN  (1u << IXGBE_AUTOC_LMS_SHIFT)  /* XAUI/CX4 parallel */
#define IXGBE_AUTOC_LMS_1G_AN      (2u << IXGBE_AUTOC_LMS_SHIFT)  /* 1 Gb/s with clause 37 AN */
#define IXGBE_AUTOC_LMS_10G_SERIAL (3u << IXGBE_AUTOC_LMS_SHIFT)  /* SFI/KR without AN */
#define IXGBE_AUTOC_LMS_KX4_KX_KR  (4u << IXGBE_AUTOC_LMS_SHIFT)  /* clause 73 backplane AN */
#define IXGBE_AUTOC_LMS_SGMII      (5u << IXGBE_AUTOC_LMS_SHIFT)
#define IXGBE_AUTOC_LMS_KX4_KX_KR_1G_AN (6u << IXGBE_AUTOC_LMS_SHIFT)
#define IXGBE_AUTOC_LMS_KX4_KX_KR_SGMII (7u << IXGBE_AUTOC_LMS_SHIFT)
#define IXGBE_AUTOC_LMS_BIT2   (4u << IXGBE_AUTOC_LMS_SHIFT)  /* toggled for a pipeline reset */
#define IXGBE_AUTOC_KR_SUPP    BIT(16)  /* advertise 10GBASE-KR */
#define IXGBE_AUTOC_KX_SUPP    BIT(30)  /* advertise 1000BASE-KX */
#define IXGBE_AUTOC_KX4_SUPP   BIT(31)  /* advertise 10GBASE-KX4 */
#define IXGBE_LINKS            0x042A4
#define IXGBE_LINKS_KX_AN_COMP BIT(31)  /* backplane auto-negotiation complete */
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
/* Link partner ability 1 (MAC registers, 8.2.3.22): bits 19:16 are the state of the
 * backplane auto-negotiation machine; it leaves 0 once a restart began. */
#define IXGBE_ANLP1            0x042B0
#define IXGBE_ANLP1_AN_STATE_MASK (0xFu << 16)
/* MAC manageability control (MAC registers, 8.2.3.22): with MNG_VETO set the
 * manageability firmware forbids software to change the link. */
#define IXGBE_MMNGC            0x042D0
#define IXGBE_MMNGC_MNG_VETO   BIT(0)
/* MDI single command and address (MSCA) and read/write data (MSRWD),
 * 82599 8.2.3.22.11-12, same offsets on the X540/X550, where the MDIO bus
 * reaches the internal copper PHY. Clause 45 frames: an address cycle
 * (opcode 00) latches the register address in the MMD, then a write (01)
 * or read (11). MDI_CMD starts the frame and clears when it is done; the
 * read data is in MSRWD 31:16, the write data goes in 15:0 first. */
#define IXGBE_MSCA             0x0425C
#define IXGBE_MSCA_REG_SHIFT   0         /* 15:0 register address (clause 45) */
#define IXGBE_MSCA_MMD_SHIFT   16        /* 20:16 MMD (device type) */
#define IXGBE_MSCA_PHY_SHIFT   21        /* 25:21 PHY (port) address */
#define IXGBE_MSCA_OP_ADDR     (0u << 26)
#define IXGBE_MSCA_OP_WRITE    (1u << 26)
#define IXGBE_MSCA_OP_READ     (3u << 26)
#define IXGBE_MSCA_ST_C45      (0u << 28) /* 29:28 = 00: clause 45 frame */
#define IXGBE_MSCA_MDI_CMD     BIT(30)
#define IXGBE_MSRWD            0x04260
#define IXGBE_MSRWD_READ_SHIFT 16
#define IXGBE_MDIO_ADDRS       32

/* Registers of the X540/X550 internal 10GBASE-T PHY, reached over MDIO
 * (clause 45: MMD.register). The standard ones are IEEE 802.3 clause 45
 * (45.2.1 PMA/PMD, 45.2.7 auto-negotiation); the vendor ones are the X540
 * datasheet's PHY registers, with the bits as Linux 6.1's ixgbe uses them
 * (ixgbe_type.h, ixgbe_phy.c). */
#define MDIO_MMD_PMAPMD        1
#define MDIO_MMD_AN            7
#define MDIO_MMD_VEND1         30        /* global vendor registers */
#define MDIO_PHY_ID1           2         /* 1.2/1.3: PHY identifier */
#define MDIO_PHY_ID2           3
#define MDIO_PHY_ID2_REV_MASK  0x000Fu   /* low 4 bits: revision, not part of the id */
#define MDIO_PMA_SPEED         4         /* 1.4: speed ability */
#define MDIO_PMA_SPEED_10G     BIT(0)
#define MDIO_PMA_SPEED_1G      BIT(4)
#define MDIO_PMA_SPEED_100M    BIT(5)
#define MDIO_AN_CTRL1          0         /* 7.0: AN control */
#define MDIO_AN_CTRL1_RESTART  BIT(9)
#define MDIO_AN_STAT1          1         /* 7.1: AN status */
#define MDIO_AN_STAT1_LINK     BIT(2)
#define MDIO_AN_STAT1_COMPLETE BIT(5)
#define MDIO_AN_ADV            16        /* 7.16: base page advertisement (100BASE-TX abilities) */
#define MDIO_AN_ADV_100HALF    BIT(7)
#define MDIO_AN_ADV_100FULL    BIT(8)
#define MDIO_AN_10GBT_CTRL     32        /* 7.32: 10GBASE-T AN control */
#define MDIO_AN_10GBT_ADV10G   BIT(12)
#define MDIO_AN_VEND_PROV1     0xC400    /* 7.C400: vendor provisioning 1 */
#define MDIO_AN_VEND_PROV1_1G  BIT(15)   /* advertise 1000BASE-T full duplex */
#define MDIO_AN_VEND_PROV1_5G  BIT(11)   /* X550: advertise 5GBASE-T */
#define MDIO_AN_VEND_PROV1_2G5 BIT(10)   /* X550: advertise 2.5GBASE-T */
#define MDIO_VEND1_CTRL1       0         /* 30.0: global standard control 1 */
#define MDIO_VEND1_LOW_POWER   BIT(11)   /* the PHY is powered down (Linux's set_phy_power) */
/* What the internal PHYs answer in 1.2/1.3 (revision masked off). */
#define IXGBE_PHY_ID_X540      0x01540200u
#define IXGBE_PHY_ID_X550      0x01540220u

/* Core analog configuration: the SFP+ init sequence from the EEPROM is
 * written here word by word (each word carries address and data). */
#define IXGBE_CORECTL          0x14F00

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
#define IXGBE_RTTDQSEL         0x04904  /* 8.2.3.10.5: TX queue RTTBCNRC applies to */
#define IXGBE_RTTBCNRC         0x04984  /* 8.2.3.10.13: that queue's rate limiter, 0 = off */
#define IXGBE_NUM_TX_QUEUES_HW 128
#define IXGBE_RTTDCS_ARBDIS    BIT(6)
#define IXGBE_TXPBSIZE(n)      (0x0CC00u + 4u * (n))  /* transmit registers (8.2.3.9), bytes */
#define IXGBE_TXPBTHRESH(n)    (0x04950u + 4u * (n))  /* 8.2.3.9, KiB: buffer size - largest frame */

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
/* offloads in the advanced data descriptor (7.2.3.2.4) */
#define IXGBE_TXD_CMD_VLE      BIT(30)     /* insert the context's VLAN tag */
#define IXGBE_TXD_CMD_TSE      BIT(31)     /* TCP segmentation */
#define IXGBE_TXD_IDX_SHIFT    4           /* olinfo_status: context slot (bit 4) */
#define IXGBE_TXD_POPTS_IXSM   BIT(8)      /* olinfo_status: insert the IPv4 header checksum */
#define IXGBE_TXD_POPTS_TXSM   BIT(9)      /* olinfo_status: insert the TCP/UDP checksum */

/* Advanced transmit context descriptor (7.2.3.2.3): what the data
 * descriptors that name its slot (IDX) need to find the headers. */
struct ixgbe_tx_ctx_desc {
	uint32_t vlan_macip_lens;   /* IPLEN 8:0, MACLEN 15:9, VLAN 31:16 */
	uint32_t seqnum_seed;       /* unused here (IPsec/FCoE) */
	uint32_t type_tucmd_mlhl;   /* TUCMD, DTYP = 2, DEXT */
	uint32_t mss_l4len_idx;     /* IDX 6:4, L4LEN 15:8, MSS 31:16 */
};
_Static_assert(sizeof(struct ixgbe_tx_ctx_desc) == 16, "TX context descriptor is 16 bytes");
#define IXGBE_TXCTX_MACLEN_SHIFT 9
#define IXGBE_TXCTX_VLAN_SHIFT   16
#define IXGBE_TXCTX_DTYP         (2u << 20)  /* context descriptor */
#define IXGBE_TXCTX_TUCMD_IPV4   BIT(10)     /* IPv4 (clear: IPv6) */
#define IXGBE_TXCTX_TUCMD_L4T_TCP BIT(11)    /* L4T 12:11: 0 UDP, 1 TCP */
#define IXGBE_TXCTX_L4LEN_SHIFT  8
#define IXGBE_TXCTX_MSS_SHIFT    16
#define IXGBE_TXCTX_MAX_MACLEN   127         /* 7-bit field */
#define IXGBE_TXCTX_MAX_IPLEN    511         /* 9-bit field */
#define IXGBE_TXCTX_MAX_HDR      511         /* MACLEN + IPLEN + L4LEN of a TSO prototype header (7.2.4) */
#define IXGBE_TXD_MAX_PAYLEN     0x3FFFFu    /* olinfo_status PAYLEN: 18 bits */
/* The most one data descriptor carries here: DTALEN has 16 bits (7.2.3.2.4),
 * and Linux's ixgbe never puts more than 16 KiB behind one descriptor
 * (it splits larger buffers): the offload loop sends each frame from one. */
#define IXGBE_TXD_MAX_DATA       16384u
#define IXGBE_RXD_STAT_VP        BIT(3)      /* RX write-back: 802.1Q frame; its tag in wb.vlan when stripped */

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
