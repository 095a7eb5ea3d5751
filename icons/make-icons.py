#!/usr/bin/env python3
"""Draws Vireo's icon (a stylised V, a vireo's wing, on a rounded square) as PNGs.

Plain Python (zlib + struct) so the icons can be regenerated anywhere:
    python3 icons/make-icons.py
"""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def png(path, size, pixel):
    rows = bytearray()
    for y in range(size):
        rows.append(0)
        for x in range(size):
            rows.extend(pixel(x / size, y / size))
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def pixel(u, v):
    # Rounded square background with a vertical teal-to-green gradient.
    r = 0.2
    cx, cy = min(max(u, r), 1 - r), min(max(v, r), 1 - r)
    if math.hypot(u - cx, v - cy) > r:
        return (0, 0, 0, 0)
    top, bottom = (22, 94, 120), (46, 160, 110)
    bg = tuple(int(top[i] + (bottom[i] - top[i]) * v) for i in range(3))
    # The V: two strokes meeting low in the middle.
    d = min(seg_dist(u, v, 0.25, 0.27, 0.5, 0.76), seg_dist(u, v, 0.5, 0.76, 0.78, 0.22))
    if d < 0.075:
        return (250, 250, 245, 255)
    return bg + (255,)


if __name__ == "__main__":
    for name, size in [("icon.png", 512), ("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256)]:
        png(os.path.join(HERE, name), size, pixel)
