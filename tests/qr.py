"""Read a QR code back from the SVG the site serves, the way a phone camera would."""

import re

import zxingcpp

SCALE = 6  # pixels per module: a comfortably sharp image for the decoder


def svg_to_modules(svg: str) -> list[list[bool]]:
    """segno's SVG draws dark modules as horizontal runs in one path: `M4 4.5h7m2 0h2...`."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a run of dark modules on this row
            for column in range(int(x), int(x + float(a))):
                grid[int(y)][column] = True
            x += float(a)
    return grid


def decode_svg(svg: str) -> list[str]:
    """Every QR payload zxing-cpp finds in the rendered SVG."""
    grid = svg_to_modules(svg)
    size = len(grid) * SCALE
    pixels = bytearray(size * size)
    for r, row in enumerate(grid):
        for c, dark in enumerate(row):
            value = 0 if dark else 255
            for dy in range(SCALE):
                start = (r * SCALE + dy) * size + c * SCALE
                pixels[start : start + SCALE] = bytes([value]) * SCALE
    return decode_gray(bytes(pixels), size, size)


def decode_gray(pixels: bytes, width: int, height: int) -> list[str]:
    image = memoryview(pixels).cast("B", (height, width))
    return [code.text for code in zxingcpp.read_barcodes(image)]
