#!/usr/bin/env python3
"""Compare two drivers' register sequences recorded by the model (trace=FILE).

    trace_diff.py OURS.trace LINUX.trace OUTDIR [--reads] [--verdicts FILE]

OURS.trace comes from tools/trace/trace_ours.c (libixy's ixgbe: notes
"phase open", "phase close", "phase end"), LINUX.trace from ixy-simd with
Linux's ixgbe in UML (tests/uml/trace/linux.sh: its phases are marked by
config writes of 0x11..0x14 to the cache line size, which ixy-simd notes
as "config write 0x00c/1 0x11"). Both have one line per register access:
"T_US R|W OFFSET VALUE" (src/model/regfile/sim_trace.c).

Normalisation, so that what is left are differences of behaviour:
  * the time column is dropped; reads are dropped unless --reads;
  * offsets are named (datasheet names, arrays with their index) and the
    82598-compatible aliases Linux uses (SRRCTL 0x02100, RAL/RAH 0x05400,
    MRQC 0x05818, RETA 0x05C00, RSSRK 0x05C80, PSRTYPE 0x05480, DCA_RXCTRL 0x02200) are
    shown as the 82599 register they reach;
  * DMA addresses (RDBAL/H, TDBAL/H, TDWBAL/H) are written as <dma>: they
    depend on where each driver's memory is;
  * tail writes (RDT, TDT) are dropped: libixy's data path writes them
    straight into the BAR image (no trace), Linux's through BAR0;
  * I2CCTL bit-banging is decoded into I2C transactions
    ("I2C 0xA0 read @0x03 -> 0x00") - tens of thousands of accesses become
    one line per byte;
  * a semaphore round (SWSM taken, SW_FW_SYNC changed, SWSM given back)
    becomes "SEM take PHY0" / "SEM give PHY0", an MDIO access through MSCA
    "MDIO read phy P mmd D reg R";
  * runs of the same line become one line with "x N".

Writes to OUTDIR: ours.init / linux.init (ours: open; Linux: probe + up),
ours.stop / linux.stop (ours: close; Linux: down + unbind), init.diff and
stop.diff (unified, ours first), and summary.txt: per phase, the registers
only one driver writes and those both write with different final values.
With --verdicts FILE (tests/uml/trace/verdicts.txt), every such register,
and every I2C, MDIO or semaphore operation only one side does, must match
a line of FILE - a difference whose verdict is written down in
docs/driver.md - or it is listed in OUTDIR/unexplained.txt and the exit
status is 3 (0: all explained; 1: the traces could not be read; 2: usage).
"""
import difflib
import os
import re
import sys

SINGLE = {
    0x00000: "CTRL", 0x00004: "CTRL", 0x00008: "STATUS", 0x00018: "CTRL_EXT", 0x00020: "ESDP",
    0x00028: "I2CCTL", 0x00200: "LEDCTL", 0x00800: "EICR", 0x00808: "EICS", 0x00810: "EIAC",
    0x00880: "EIMS", 0x00888: "EIMC", 0x00890: "EIAM", 0x00898: "GPIE", 0x00A00: "IVAR_MISC",
    0x00A90: "EICS_EX[0]", 0x00A94: "EICS_EX[1]", 0x00AA0: "EIMS_EX[0]", 0x00AA4: "EIMS_EX[1]",
    0x00AB0: "EIMC_EX[0]", 0x00AB4: "EIMC_EX[1]", 0x00AD0: "EIAM_EX[0]", 0x00AD4: "EIAM_EX[1]",
    0x02F00: "RDRXCTL", 0x03000: "RXCTRL", 0x03028: "RSCDBU", 0x032A0: "FCRTV", 0x03D00: "FCCFG",
    0x04200: "PCS1GCFIG", 0x04208: "PCS1GLCTL", 0x04218: "PCS1GANA", 0x04240: "HLREG0",
    0x0425C: "MSCA", 0x04260: "MSRWD", 0x04268: "MAXFRS", 0x04294: "MFLCN", 0x042A0: "AUTOC",
    0x042A4: "LINKS", 0x042A8: "AUTOC2", 0x042AC: "AUTOC3", 0x042B0: "ANLP1", 0x042D0: "MMNGC",
    0x04900: "RTTDCS", 0x04904: "RTTDQSEL", 0x04984: "RTTBCNRC", 0x04A80: "DMATXCTL",
    0x05000: "RXCSUM", 0x05008: "RFCTL", 0x05080: "FCTRL", 0x05088: "VLNCTRL", 0x05090: "MCSTCTRL",
    0x05120: "RXMTRL", 0x05188: "TSYNCRXCTL", 0x05800: "WUC", 0x05808: "WUFC", 0x05810: "WUS",
    0x05820: "MANC", 0x08100: "DTXMXSZRQ", 0x08120: "MTQC", 0x08800: "SECTXCTRL",
    0x08C00: "TSYNCTXCTL", 0x08C0C: "SYSTIML", 0x08C10: "SYSTIMH", 0x08C14: "TIMINCA",
    0x08C18: "TIMADJL", 0x08C1C: "TIMADJH", 0x08D00: "SECRXCTRL", 0x0EC80: "MRQC",
    0x10010: "EEC", 0x10014: "EERD", 0x10140: "SWSM", 0x10148: "FWSM", 0x10160: "SW_FW_SYNC",
    0x11050: "GCR_EXT", 0x14F00: "CORECTL", 0x15F0C: "FWSTS", 0x15F00: "HICR",
    0x08C20: "TSAUXC", 0x08C58: "SYSTIMR", 0x08C68: "TSIM", 0x10018: "EEWR", 0x08220: "PFDTXGSWC",
}
# (base, stride, count, name)
ARRAYS = [
    (0x00820, 4, 24, "EITR"), (0x12300, 4, 104, "EITR+24"), (0x00900, 4, 64, "IVAR"),
    (0x02300, 4, 32, "RQSMR"), (0x03200, 4, 4, "FCTTV"), (0x03220, 4, 8, "FCRTL"),
    (0x03260, 4, 8, "FCRTH"), (0x03C00, 4, 8, "RXPBSIZE"), (0x0CC00, 4, 8, "TXPBSIZE"),
    (0x04950, 4, 8, "TXPBTHRESH"), (0x05200, 4, 128, "MTA"), (0x05128, 4, 8, "ETQF"),
    (0x0EC00, 4, 8, "ETQS"), (0x0EA00, 4, 64, "PSRTYPE"), (0x0EB00, 4, 32, "RETA"),
    (0x0EB80, 4, 10, "RSSRK"), (0x0A200, 8, 128, "RAL"), (0x0A204, 8, 128, "RAH"),
    (0x0A600, 8, 128, "MPSAR_LO"), (0x0A604, 8, 128, "MPSAR_HI"), (0x0A000, 4, 128, "VFTA"),
    (0x0F000, 4, 64, "VMOLR"), (0x0F100, 4, 64, "VLVF"), (0x0F200, 4, 128, "VLVFB"),
    (0x0F400, 4, 128, "UTA"), (0x08600, 4, 32, "TQSM"),
    (0x15800, 4, 448, "HI_BUF"),     # host interface command buffer (X550 firmware commands)
]
RXQ = {0x00: "RDBAL", 0x04: "RDBAH", 0x08: "RDLEN", 0x0C: "DCA_RXCTRL", 0x10: "RDH", 0x14: "SRRCTL",
       0x18: "RDT", 0x28: "RXDCTL", 0x2C: "RSCCTL"}
TXQ = {0x00: "TDBAL", 0x04: "TDBAH", 0x08: "TDLEN", 0x0C: "DCA_TXCTRL", 0x10: "TDH", 0x18: "TDT",
       0x28: "TXDCTL", 0x38: "TDWBAL", 0x3C: "TDWBAH"}
DMA = {"RDBAL", "RDBAH", "TDBAL", "TDBAH", "TDWBAL", "TDWBAH"}
TAILS = {"RDT", "TDT"}
I2CCTL = 0x00028
PHASE_MARK = {"0x11": "up", "0x12": "down", "0x13": "remove", "0x14": "end"}


def canonical(off):
    """The 82599 register an offset reaches (82598-compatible aliases)."""
    if 0x02100 <= off < 0x02140:        # SRRCTL[0..15]
        return 0x01014 + 0x40 * ((off - 0x02100) // 4)
    if 0x02200 <= off < 0x02240:        # DCA_RXCTRL[0..15]
        return 0x0100C + 0x40 * ((off - 0x02200) // 4)
    if 0x05400 <= off < 0x05480:        # RAL/RAH[0..15]
        return 0x0A200 + (off - 0x05400)
    if 0x05480 <= off < 0x054C0:        # PSRTYPE[0..15]
        return 0x0EA00 + (off - 0x05480)
    if 0x05C80 <= off < 0x05CA8:        # RSSRK[0..9]
        return 0x0EB80 + (off - 0x05C80)
    if off == 0x05818:
        return 0x0EC80
    if 0x05C00 <= off < 0x05C80:        # RETA
        return 0x0EB00 + (off - 0x05C00)
    return off


def name(off):
    off = canonical(off)
    if off in SINGLE:
        return SINGLE[off]
    if 0x01000 <= off < 0x02000 or 0x0D000 <= off < 0x0E000:
        q = (off & 0xFFF) // 0x40 + (64 if off >= 0x0D000 else 0)
        if off % 0x40 in RXQ:
            return "%s[%d]" % (RXQ[off % 0x40], q)
    if 0x06000 <= off < 0x08000 and off % 0x40 in TXQ:
        return "%s[%d]" % (TXQ[off % 0x40], (off - 0x06000) // 0x40)
    for base, stride, count, n in ARRAYS:
        if base <= off < base + stride * count and (off - base) % stride == 0:
            return "%s[%d]" % (n, (off - base) // stride)
    return "0x%05X" % off


def parse(path):
    """[(kind, off, val) | ('#', text)] in file order."""
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3 and p[1] == "#":
                out.append(("#", " ".join(p[2:])))
            elif len(p) == 4 and p[1] in ("R", "W"):
                out.append((p[1], int(p[2], 16), int(p[3], 16)))
    return out


class I2C:
    """Decodes the bit-banged I2C bus from I2CCTL accesses (82599: bit 1
    SCL out, bit 3 SDA out, bit 2 SDA in): START, 9-bit bytes (data + ACK),
    STOP. A bit is the SDA the master drives, or, while SCL is high, what a
    read of SDA_IN saw (the slave's data and ACKs)."""

    def __init__(self):
        self.scl = self.sda = 1
        self.bit = None
        self.bits = []
        self.bytes = []     # (byte, acked)
        self.lines = []

    def write(self, v):
        scl, sda = (v >> 1) & 1, (v >> 3) & 1
        if self.scl and scl and self.sda and not sda:
            self.bytes.append(("S", None))     # START (or repeated START)
            self.bits, self.bit = [], None      # its clock pulse carried no bit
        elif self.scl and scl and not self.sda and sda:
            self.bit = None
            self.end("P")                       # STOP
        elif not self.scl and scl:
            self.bit = sda          # rising edge: the bit the master drives
        elif self.scl and not scl and self.bit is not None:
            self.bits.append(self.bit)
            self.bit = None
            if len(self.bits) == 9:
                b = 0
                for x in self.bits[:8]:
                    b = b << 1 | x
                self.bytes.append((b, self.bits[8] == 0))
                self.bits = []
        self.scl, self.sda = scl, sda

    def read(self, v):
        if self.scl and self.bit is not None:
            self.bit = (v >> 2) & 1     # what is on the bus: the slave's bit or ACK

    def end(self, how):
        """One line for the transaction since the last STOP."""
        if self.bytes or self.bits:
            self.lines.append(describe(self.bytes, self.bits, how))
        else:
            self.lines.append("I2C STOP")
        self.bytes, self.bits = [], []

    def take(self, final=False):
        if final and (self.bytes or self.bits):
            self.end("(no STOP)")
        l, self.lines = self.lines, []
        return l


def describe(seq, loose_bits, how):
    """START addr(W) reg START addr(R) data.. STOP -> 'I2C 0xA0 read @0x03 -> 0x00'."""
    parts = []
    for b, ack in seq:
        parts.append("S" if b == "S" else "0x%02X%s" % (b, "" if ack else "n"))
    t = [x for x in seq if x[0] != "S"]
    if how == "P" and not loose_bits and len(t) == 4 and seq[0][0] == "S" and t[0][0] & 1 == 0 and t[2][0] == t[0][0] | 1:
        return "I2C 0x%02X read @0x%02X -> 0x%02X" % (t[0][0], t[1][0], t[3][0])
    if how == "P" and not loose_bits and len(t) == 3 and t[0][0] & 1 == 0:
        return "I2C 0x%02X write @0x%02X <- 0x%02X" % (t[0][0], t[1][0], t[2][0])
    s = "I2C " + " ".join(parts) + " " + how
    if loose_bits:
        s += " (+%d bits)" % len(loose_bits)
    return s


SYNC_BITS = {0: "EEPROM", 1: "PHY0", 2: "PHY1", 3: "MAC_CSR", 4: "FLASH", 10: "SW_MNG"}


def semaphores(lines, state):
    """'W SWSM 3, W SW_FW_SYNC v, W SWSM 0' (82599: take the hardware
    semaphore, change the software bits, give it back), or on the X540/X550
    'W SW_FW_SYNC v|REGSMP, W SW_FW_SYNC v, W SWSM 0' -> 'SEM take PHY0' /
    'SEM give PHY0'. state["sync"] carries the last value across phases."""
    out, i = [], 0
    while i < len(lines):
        t = lines[i:i + 3]
        sync = [int(x.split()[2], 16) for x in t[:2] if x.startswith("W SW_FW_SYNC ")]
        x540 = len(sync) == 2 and sync[0] == sync[1] | 0x80000000     # REGSMP, then the bits
        if len(t) == 3 and t[2] == "W SWSM 0x00000000" and (x540 or (
                t[0] == "W SWSM 0x00000003" and t[1].startswith("W SW_FW_SYNC "))):
            v = int(t[1].split()[2], 16)
            old = state.get("sync", 0)
            for bit, n in sorted(SYNC_BITS.items()):
                if (v ^ old) >> bit & 1:
                    out.append("SEM %s %s" % ("take" if v >> bit & 1 else "give", n))
            if not (v ^ old) & 0x41F:
                out.append("SEM SW_FW_SYNC unchanged 0x%08X" % v)
            state["sync"] = v
            i += 3
            continue
        out.append(lines[i])
        i += 1
    return out


def mdio(lines):
    """An MSCA address cycle and the read or write that follows (clause 45,
    8.2.3.22.11: 15:0 address, 20:16 device, 25:21 PHY, 27:26 opcode, 30
    MDICMD) -> 'MDIO read phy 0 mmd 1 reg 0x0008'."""
    out, i = [], 0
    while i < len(lines):
        t = lines[i:i + 2]
        if len(t) == 2 and all(x.startswith("W MSCA ") for x in t):
            a, b = (int(x.split()[2], 16) for x in t)
            op = (b >> 26) & 3
            if (a >> 26) & 3 == 0 and op in (1, 3) and (a ^ b) & 0x03FFFFFF == 0:
                out.append("MDIO %s phy %d mmd %d reg 0x%04X" % ("read" if op == 3 else "write",
                                                                  (a >> 21) & 31, (a >> 16) & 31, a & 0xFFFF))
                i += 2
                continue
        out.append(lines[i])
        i += 1
    return out


def mdio_data(lines):
    """'W MSRWD v' right before an MDIO write: the value goes into its line."""
    out = []
    for l in lines:
        if l.startswith("MDIO write ") and out and out[-1].startswith("W MSRWD "):
            l += " <- 0x%04X" % (int(out.pop().split()[2], 16) & 0xFFFF)
        out.append(l)
    return out


def compress(lines):
    """Runs of one line -> 'LINE x N'."""
    out = []
    for l in lines:
        if out and out[-1][0] == l:
            out[-1][1] += 1
        else:
            out.append([l, 1])
    return ["%s x %d" % (l, n) if n > 1 else l for l, n in out]


def normalise(events, reads):
    """Phase -> list of lines."""
    phases = {}
    cur = "start"
    i2c = I2C()
    state = {}
    out = []

    def close():
        out.extend(i2c.take(final=True))
        phases.setdefault(cur, []).extend(compress(mdio_data(mdio(semaphores(out, state)))))
        out.clear()

    for e in events:
        if e[0] == "#":
            t = e[1]
            new = None
            if t.startswith("phase "):
                new = t[6:]
            elif t.startswith("config write 0x00c/1 "):
                new = PHASE_MARK.get(t.split()[-1])
            if new:
                close()
                cur = new
            else:
                out.append("# " + t)
            continue
        kind, off, val = e
        if canonical(off) == I2CCTL:
            (i2c.write if kind == "W" else i2c.read)(val)
            out.extend(i2c.take())
            continue
        n = name(off)
        if n.split("[")[0] in TAILS:
            continue
        if kind == "R" and not reads:
            continue
        v = "<dma>" if n.split("[")[0] in DMA else "0x%08X" % val
        out.append("%s %s %s" % ("W" if kind == "W" else "R", n, v))
    close()
    return phases


def last_values(lines):
    """register -> (writes, last value) over W lines."""
    d = {}
    for l in lines:
        p = l.split()
        if len(p) >= 3 and p[0] == "W":
            n = int(p[4]) if len(p) == 5 and p[3] == "x" else 1
            w, _ = d.get(p[1], (0, None))
            d[p[1]] = (w + n, p[2])
    return d


def reg_key(n):
    """Sort key: base name, then index as a number."""
    b, _, i = n.partition("[")
    return (b, int(i.rstrip("]")) if i.rstrip("]").isdigit() else -1)


def grouped(names, d):
    """One line per register, or per run of consecutive array entries with
    the same write count and last value: 'MTA[1..127]'."""
    out, run = [], []

    def flush():
        if not run:
            return
        b, i0 = reg_key(run[0])
        label = run[0] if len(run) == 1 else "%s[%d..%d]" % (b, i0, reg_key(run[-1])[1])
        w, v = d[run[0]]
        out.append("   %-22s %4d write%s%s, last %s" % (label, w, "s" if w > 1 else "",
                                                     " each" if len(run) > 1 else "", v))
        run.clear()

    for k in sorted(names, key=reg_key):
        if run:
            (b0, i0), (b1, i1) = reg_key(run[-1]), reg_key(k)
            if not (b0 == b1 and i0 >= 0 and i1 == i0 + 1 and d[k] == d[run[-1]]):
                flush()
        run.append(k)
    flush()
    return out


def summary(title, ours, linux):
    a, b = last_values(ours), last_values(linux)
    r = ["== %s: %d lines ours, %d lines Linux" % (title, len(ours), len(linux))]
    for label, x, y in (("only Linux writes", b, a), ("only ours writes", a, b)):
        names = set(x) - set(y)
        r.append("-- %s (%d registers):" % (label, len(names)))
        r.extend(grouped(names, x))
    both = sorted((k for k in set(a) & set(b) if a[k][1] != b[k][1]), key=reg_key)
    r.append("-- both write, final value differs (%d):" % len(both))
    r.extend("   %-22s ours %s (%d writes)  Linux %s (%d writes)" % (k, a[k][1], a[k][0], b[k][1], b[k][0])
             for k in both)
    i2c = [sum(1 for l in s if l.startswith("I2C ")) for s in (ours, linux)]
    r.append("-- I2C transactions: ours %d, Linux %d" % tuple(i2c))
    return r


def load_verdicts(path):
    """[(category, phase, pattern)] from lines 'CATEGORY PHASE PATTERN  # why'
    (category linux-only, ours-only or differs; phase init, stop or any;
    pattern a register name where '*' matches anything, e.g. 'MTA[*]', or
    a decoded operation only one side does, e.g. 'MDIO read phy * mmd 1
    reg 0x0008', 'I2C 0xA0 read @0x14 -> *', 'SEM take PHY1')."""
    v = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) < 3 or line[0] not in ("linux-only", "ours-only", "differs") or \
                    line[1] not in ("init", "stop", "any"):
                raise ValueError("%s:%d: want 'linux-only|ours-only|differs init|stop|any PATTERN'" % (path, n))
            v.append((line[0], line[1], " ".join(line[2:])))
    return v


def matches(name, pattern):
    """'*' matches anything; everything else, brackets included, itself."""
    return re.fullmatch(re.escape(pattern).replace("\\*", ".*"), name) is not None


def unexplained(phase, ours, linux, verdicts):
    """Differences of one phase that no verdict covers, grouped as in the summary."""
    a, b = last_values(ours), last_values(linux)
    cats = (("linux-only", set(b) - set(a), b), ("ours-only", set(a) - set(b), a),
            ("differs", {k for k in set(a) & set(b) if a[k][1] != b[k][1]}, b))
    out = []
    for cat, names, d in cats:
        left = {k for k in names if not any(c == cat and p in (phase, "any") and matches(k, pat)
                                            for c, p, pat in verdicts)}
        out.extend("%s %s %s" % (cat, phase, g.strip()) for g in grouped(left, d))
    # the decoded operations (I2C, MDIO, semaphores): which ones only one
    # side does
    def ops(lines):
        return {re.sub(r" x \d+$", "", l) for l in lines if l.startswith(("I2C ", "MDIO ", "SEM "))}
    for cat, names in (("linux-only", ops(linux) - ops(ours)), ("ours-only", ops(ours) - ops(linux))):
        out.extend("%s %s %s" % (cat, phase, k) for k in sorted(names)
                   if not any(c == cat and p in (phase, "any") and matches(k, pat) for c, p, pat in verdicts))
    return out


def main(argv):
    reads = "--reads" in argv
    args = [a for a in argv[1:] if a != "--reads"]
    verdicts = None
    if "--verdicts" in args:
        i = args.index("--verdicts")
        if i + 1 >= len(args):
            sys.stderr.write("trace_diff.py: --verdicts needs a file\n")
            return 2
        try:
            verdicts = load_verdicts(args[i + 1])
        except (OSError, ValueError) as e:
            sys.stderr.write("trace_diff.py: %s\n" % e)
            return 2
        del args[i:i + 2]
    if len(args) != 3:
        sys.stderr.write("usage: trace_diff.py OURS.trace LINUX.trace OUTDIR [--reads] [--verdicts FILE]\n")
        return 2
    ours_t, linux_t, outdir = args
    try:
        ours = normalise(parse(ours_t), reads)
        linux = normalise(parse(linux_t), reads)
    except OSError as e:
        sys.stderr.write("trace_diff.py: %s\n" % e)
        return 1
    missing = [p for p in ("open", "close") if p not in ours] + \
              ["Linux " + p for p in ("start", "up", "down", "remove") if p not in linux]
    if missing:
        sys.stderr.write("trace_diff.py: phases missing from the traces: %s\n" % ", ".join(missing))
        return 1
    os.makedirs(outdir, exist_ok=True)
    sets = {
        "init": (ours["open"], linux["start"] + ["== ip link set up"] + linux["up"]),
        "stop": (ours["close"], linux["down"] + ["== unbind"] + linux["remove"]),
    }
    rep = []
    for phase, (a, b) in sets.items():
        for who, lines in (("ours", a), ("linux", b)):
            with open(os.path.join(outdir, "%s.%s" % (who, phase)), "w") as f:
                f.write("\n".join(lines) + "\n")
        with open(os.path.join(outdir, phase + ".diff"), "w") as f:
            f.writelines(l + "\n" for l in difflib.unified_diff(
                a, b, "ours." + phase, "linux." + phase, n=2, lineterm=""))
        rep += summary(phase, a, b)
    with open(os.path.join(outdir, "summary.txt"), "w") as f:
        f.write("\n".join(rep) + "\n")
    print("trace_diff.py: %s/{init,stop}.diff, ours.* linux.*, summary.txt" % outdir)
    if verdicts is not None:
        left = []
        for phase, (a, b) in sets.items():
            left += unexplained(phase, a, b, verdicts)
        with open(os.path.join(outdir, "unexplained.txt"), "w") as f:
            f.write("".join(l + "\n" for l in left))
        for l in left:
            print("trace_diff.py: difference without a verdict: " + l)
        if left:
            return 3
        print("trace_diff.py: every difference has a verdict (%d patterns)" % len(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
