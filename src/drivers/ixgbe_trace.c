/* Register tracing: names for the registers the driver touches, and the
 * trace records. Turned on by ixy_config.trace or IXY_TRACE=1; meant for
 * people who want to watch the datasheet's sequences happen. */
#include <stdio.h>
#include <string.h>

#include "drivers/ixgbe.h"

struct reg_single {
	uint32_t reg;
	const char *name;
};

static const struct reg_single singles[] = {
	{ IXGBE_CTRL, "CTRL" },         { IXGBE_STATUS, "STATUS" },       { IXGBE_CTRL_EXT, "CTRL_EXT" },
	{ IXGBE_EEC, "EEC" },           { IXGBE_EICR, "EICR" },
	{ IXGBE_EIMS, "EIMS" },         { IXGBE_EIMC, "EIMC" },           { IXGBE_RDRXCTL, "RDRXCTL" },
	{ IXGBE_RXCTRL, "RXCTRL" },     { IXGBE_RXCSUM, "RXCSUM" },       { IXGBE_FCTRL, "FCTRL" },
	{ IXGBE_MRQC, "MRQC" },         { IXGBE_HLREG0, "HLREG0" },       { IXGBE_MAXFRS, "MAXFRS" },
	{ IXGBE_AUTOC, "AUTOC" },       { IXGBE_LINKS, "LINKS" },         { IXGBE_AUTOC2, "AUTOC2" },
	{ IXGBE_DMATXCTL, "DMATXCTL" }, { IXGBE_DTXMXSZRQ, "DTXMXSZRQ" }, { IXGBE_MTQC, "MTQC" },
	{ IXGBE_RTTDCS, "RTTDCS" },     { IXGBE_CRCERRS, "CRCERRS" },     { IXGBE_ILLERRC, "ILLERRC" },
	{ IXGBE_ERRBC, "ERRBC" },       { IXGBE_RLEC, "RLEC" },           { IXGBE_GPRC, "GPRC" },
	{ IXGBE_BPRC, "BPRC" },         { IXGBE_MPRC, "MPRC" },           { IXGBE_GPTC, "GPTC" },
	{ IXGBE_GORCL, "GORCL" },       { IXGBE_GORCH, "GORCH" },         { IXGBE_GOTCL, "GOTCL" },
	{ IXGBE_GOTCH, "GOTCH" },       { IXGBE_RUC, "RUC" },             { IXGBE_ROC, "ROC" },
	{ IXGBE_TPR, "TPR" },           { IXGBE_TPT, "TPT" },             { IXGBE_SECRXCTRL, "SECRXCTRL" },
	{ IXGBE_SECRXSTAT, "SECRXSTAT" }, { IXGBE_ESDP, "ESDP" },     { IXGBE_I2CCTL, "I2CCTL" },
	{ IXGBE_EERD, "EERD" },         { IXGBE_SWSM, "SWSM" },           { IXGBE_SW_FW_SYNC, "SW_FW_SYNC" },
	{ IXGBE_ANLP1, "ANLP1" },       { IXGBE_MMNGC, "MMNGC" },         { IXGBE_CORECTL, "CORECTL" },
	{ IXGBE_MSCA, "MSCA" },         { IXGBE_MSRWD, "MSRWD" },
	{ IXGBE_FWSM, "FWSM" },         { IXGBE_FACTPS, "FACTPS" },       { IXGBE_MANC, "MANC" },
	{ IXGBE_EIAC, "EIAC" },         { IXGBE_EIAM, "EIAM" },           { IXGBE_GPIE, "GPIE" },
	{ IXGBE_TSYNCRXCTL, "TSYNCRXCTL" }, { IXGBE_RXSTMPL, "RXSTMPL" },  { IXGBE_RXSTMPH, "RXSTMPH" },
	{ IXGBE_RXSATRL, "RXSATRL" },   { IXGBE_RXSATRH, "RXSATRH" },     { IXGBE_RXMTRL, "RXMTRL" },
	{ IXGBE_TSYNCTXCTL, "TSYNCTXCTL" }, { IXGBE_TXSTMPL, "TXSTMPL" },  { IXGBE_TXSTMPH, "TXSTMPH" },
	{ IXGBE_SYSTIML, "SYSTIML" },   { IXGBE_SYSTIMH, "SYSTIMH" },     { IXGBE_TIMINCA, "TIMINCA" },
	{ IXGBE_TIMADJL, "TIMADJL" },   { IXGBE_TIMADJH, "TIMADJH" },
	{ IXGBE_RTTDQSEL, "RTTDQSEL" }, { IXGBE_RTTBCNRC, "RTTBCNRC" },
};

/* Register arrays: base, stride, count. */
struct reg_array {
	uint32_t base, stride, count;
	const char *name;
};

static const struct reg_array arrays[] = {
	{ 0x01000, 0x40, 64, "RDBAL" },   { 0x01004, 0x40, 64, "RDBAH" },  { 0x01008, 0x40, 64, "RDLEN" },
	{ 0x0100C, 0x40, 64, "DCA_RXCTRL" }, { 0x01010, 0x40, 64, "RDH" }, { 0x01014, 0x40, 64, "SRRCTL" },
	{ 0x01018, 0x40, 64, "RDT" },     { 0x01028, 0x40, 64, "RXDCTL" }, { 0x01030, 0x40, 16, "QPRC" },
	{ 0x01034, 0x40, 16, "QBRC_L" },  { 0x01038, 0x40, 16, "QBRC_H" }, { 0x01430, 0x40, 16, "QPRDC" },
	{ 0x06000, 0x40, 128, "TDBAL" },  { 0x06004, 0x40, 128, "TDBAH" }, { 0x06008, 0x40, 128, "TDLEN" },
	{ 0x06010, 0x40, 128, "TDH" },    { 0x06018, 0x40, 128, "TDT" },   { 0x06028, 0x40, 128, "TXDCTL" },
	{ 0x06030, 0x40, 16, "QPTC" },    { 0x08700, 8, 16, "QBTC_L" },    { 0x08704, 8, 16, "QBTC_H" },
	{ 0x08600, 4, 32, "TQSM" },       { 0x02300, 4, 32, "RQSMR" },     { 0x03C00, 4, 8, "RXPBSIZE" },
	{ 0x0CC00, 4, 8, "TXPBSIZE" },    { 0x04950, 4, 8, "TXPBTHRESH" }, { 0x03FA0, 4, 8, "RXMPC" },
	{ 0x0A200, 8, 128, "RAL" },
	{ 0x0A204, 8, 128, "RAH" },       { 0x0EB00, 4, 32, "RETA" },      { 0x0EE80, 4, 96, "ERETA" },
	{ 0x0EB80, 4, 10, "RSSRK" },
	{ 0x00AA0, 4, 2, "EIMS_EX" },     { 0x00AB0, 4, 2, "EIMC_EX" },    { 0x00AD0, 4, 2, "EIAM_EX" },
	{ 0x00900, 4, 64, "IVAR" },       { 0x00820, 4, 24, "EITR" },      { 0x05128, 4, 8, "ETQF" },
};

const char *ixgbe_reg_name(uint32_t reg, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(singles) / sizeof(singles[0]); i++) {
		if (singles[i].reg == reg) {
			snprintf(buf, len, "%s", singles[i].name);
			return buf;
		}
	}
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
		const struct reg_array *a = &arrays[i];
		if (reg >= a->base && reg < a->base + a->stride * a->count && (reg - a->base) % a->stride == 0) {
			snprintf(buf, len, "%s[%u]", a->name, (reg - a->base) / a->stride);
			return buf;
		}
	}
	snprintf(buf, len, "0x%05x", reg);
	return buf;
}

void ixgbe_trace(struct ixgbe_dev *d, bool write, uint32_t reg, uint32_t val)
{
	char name[32];
	struct ixy_reg_access a = {
		.device = d->ixy.name,
		.write = write,
		.reg = reg,
		.value = val,
		.name = ixgbe_reg_name(reg, name, sizeof(name)),
	};
	d->trace_fn(d->trace_arg, &a);
}
