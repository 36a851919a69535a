#!/usr/bin/env python3
"""Write the seed corpus of fuzz_pcap (fuzz/corpus/fuzz_pcap/): small pcap and
pcapng files, valid and broken, in both byte orders and both time stamp
precisions. Run from the repository root; the files are committed, so this
is only needed to change them."""
import os
import struct

OUT = "fuzz/corpus/fuzz_pcap"
USEC, NSEC = 0xA1B2C3D4, 0xA1B23C4D


def frame(n, vlan=False, dst=b"\xff" * 6):
    src = b"\x02\x00\x00\x00\x00\x01"
    tag = b"\x81\x00\x00\x05" if vlan else b""
    body = bytes((i * 7) & 0xFF for i in range(max(0, n - 14 - len(tag))))
    return (dst + src + tag + b"\x08\x00" + body)[:n]


def pcap(frames, magic=USEC, endian="<", linktype=1, snaplen=65535, caplen_of=None):
    out = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for i, f in enumerate(frames):
        cap = caplen_of(i, f) if caplen_of else len(f)
        out += struct.pack(endian + "IIII", 1000 + i, 500 * i, cap, len(f)) + f
    return out


def pcapng(frames):
    def block(t, body):
        body += b"\x00" * ((-len(body)) % 4)
        n = 12 + len(body)
        return struct.pack("<II", t, n) + body + struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 65535))
    for f in frames:
        out += block(6, struct.pack("<IIIII", 0, 0, 0, len(f), len(f)) + f)
    return out


seeds = {
    "usec-le": pcap([frame(60), frame(64), frame(1514)]),
    "usec-be": pcap([frame(60), frame(128)], endian=">"),
    "nsec-le": pcap([frame(98)], magic=NSEC),
    "nsec-be": pcap([frame(98), frame(42)], magic=NSEC, endian=">"),
    "short-frames": pcap([frame(14), frame(20), frame(59)]),
    "unicast-multicast": pcap([frame(60, dst=b"\x02\x00\x00\x00\x00\x99"), frame(60, dst=b"\x01\x00\x5e\x00\x00\x01")]),
    "vlan": pcap([frame(1518, vlan=True), frame(64, vlan=True)]),
    "jumbo": pcap([frame(9000), frame(9724)]),
    "oversize": pcap([frame(9725), frame(9800), frame(60)]),
    "no-records": pcap([]),
    "caplen-smaller": pcap([frame(200)], caplen_of=lambda i, f: 100),
    "truncated-record": pcap([frame(100)])[:-30],
    "truncated-header": pcap([frame(100)])[:30],
    "not-ethernet": pcap([frame(60)], linktype=101),
    "small-snaplen": pcap([frame(60)], snaplen=64),
    "pcapng": pcapng([frame(60), frame(300)]),
    "empty": b"",
}

# caplen_of is applied before the bytes are appended: fix caplen-smaller so
# the record holds exactly caplen bytes.
hdr = struct.pack("<IHHiIII", USEC, 2, 4, 0, 0, 65535, 1)
seeds["caplen-smaller"] = hdr + struct.pack("<IIII", 1, 0, 100, 200) + frame(200)[:100]

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
