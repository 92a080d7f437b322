#!/usr/bin/env python3
"""Writes seed inputs for fuzz_client_stream into corpus/: records of
[len hi][len lo][ms][RTP datagram] carrying small VP8 streams."""
import os
import struct

SSRC, RTX_SSRC = 0x01020304, 0x05060708


def rtp(seq, ts, marker, payload, ssrc=SSRC, pt=96):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts, ssrc) + payload


def vp8(first, key):
    return bytes([0x10 if first else 0x00, (0x10 if key else 0x11) if first else 0x42, 0x99, 0x77])


def frame(seq, ts, n, key):
    return [rtp(seq + i, ts, i == n - 1, vp8(i == 0, key and i == 0)) for i in range(n)]


def record(packet, ms=5):
    return struct.pack("!HB", len(packet), ms) + packet


def rtx(packet, rtx_seq):
    seq = packet[2:4]
    head = bytearray(packet[:12])
    head[1] = (head[1] & 0x80) | 97
    head[2:4] = struct.pack("!H", rtx_seq)
    head[8:12] = struct.pack("!I", RTX_SSRC)
    return bytes(head) + seq + packet[12:]


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    stream = frame(65530, 1000, 3, True) + frame(65533, 4000, 4, False) + frame(1, 7000, 2, False)
    seeds = {
        "in_order": stream,
        "reordered": [stream[1], stream[0]] + stream[3:5] + [stream[2]] + stream[5:],
        "hole_then_rtx": stream[:4] + stream[5:] + [rtx(stream[4], 100)],
        "hole_given_up": stream[:4] + stream[5:],
    }
    for name, packets in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"".join(record(p) for p in packets))
        if name == "hole_given_up":
            with open(os.path.join(out, name), "ab") as f:
                f.write(record(b"", 250) * 8)


if __name__ == "__main__":
    main()
