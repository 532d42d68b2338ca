"""The letterhead mark, drawn by the project itself: a blue water drop with two white waves, no text.

The PNG lives in ``templates_src/assets/logo.png`` and is committed; this module regenerates it
(``python -m omnidesk_macros.logo templates_src/assets/logo.png``) so the image has a known, free origin.
Pure Python (zlib + struct): the drop is an implicit shape sampled on a supersampled grid for smooth edges.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

DEEP = (11, 84, 158)  # the bottom of the drop
LIGHT = (64, 160, 226)  # its top
WHITE = (255, 255, 255)


def png_bytes(width: int, height: int, rgba_rows: list[bytes], dpi: int = 300) -> bytes:
    """A minimal RGBA PNG: IHDR, pHYs (so Word sizes it sensibly), IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rgba_rows)  # filter type 0 on every row
    ppm = round(dpi / 0.0254)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _inside_drop(x: float, y: float) -> bool:
    """The drop in unit coordinates: a circle of radius 0.34 at (0.5, 0.63) under a cone from (0.5, 0.06)."""
    cx, cy, r, apex = 0.5, 0.63, 0.34, 0.06
    dx, dy = x - cx, y - cy
    if dx * dx + dy * dy <= r * r:
        return True
    d = cy - apex
    tangent_y = cy - r * r / d  # where the cone touches the circle
    if apex <= y <= tangent_y:
        half = (y - apex) * r / math.sqrt(d * d - r * r)
        return abs(dx) <= half
    return False


def _on_wave(x: float, y: float) -> bool:
    """Two white wave bands across the lower half of the drop."""
    for base in (0.60, 0.74):
        centre = base + 0.035 * math.sin((x - 0.16) * 2 * math.pi / 0.34)
        if abs(y - centre) <= 0.026:
            return True
    return False


def draw_logo(size: int = 240, samples: int = 3) -> bytes:
    """The mark as PNG bytes, ``size`` pixels square with a transparent background."""
    rows = []
    step = 1.0 / (size * samples)
    for py in range(size):
        row = bytearray()
        for px in range(size):
            covered = waves = 0
            for sy in range(samples):
                y = (py * samples + sy + 0.5) * step
                for sx in range(samples):
                    x = (px * samples + sx + 0.5) * step
                    if _inside_drop(x, y):
                        covered += 1
                        waves += _on_wave(x, y)
            total = samples * samples
            if not covered:
                row += b"\x00\x00\x00\x00"
                continue
            t = min(1.0, max(0.0, (py / size - 0.06) / 0.9))  # vertical gradient, light to deep
            blue = [LIGHT[i] + (DEEP[i] - LIGHT[i]) * t for i in range(3)]
            mix = waves / covered
            colour = [round(blue[i] + (WHITE[i] - blue[i]) * mix) for i in range(3)]
            row += bytes(colour) + bytes([round(255 * covered / total)])
        rows.append(bytes(row))
    return png_bytes(size, size, rows)


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "templates_src/assets/logo.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(draw_logo())
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
