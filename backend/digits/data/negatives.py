"""Drawings that are not digits: scribbles, letters, symbols and strokes people make by mistake.

Used to choose the ``uncertain`` threshold (on one seed) and to measure how often such input is
refused (on another), and optionally in training as outlier exposure (Hendrycks, Mazeika and
Dietterich, "Deep anomaly detection with outlier exposure", ICLR 2019: train the model towards
the uniform distribution on outliers, so its confidence on them drops).
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# Letters and symbols that do not resemble a digit (no O, I, l, S, Z, B, G, q, g, b, T, ...).
GLYPHS = "AEFHKMNRWXaefhkmnrwx#%&@*+="
KINDS = ("scribble", "glyph", "hline", "cross", "hatch", "spiral")


def _scribble(draw: ImageDraw.ImageDraw, rng: np.random.Generator, n: int, width: int) -> None:
    points = [
        tuple(int(v) for v in rng.integers(int(n * 0.1), int(n * 0.9), size=2)) for _ in range(rng.integers(6, 16))
    ]
    draw.line(points, fill=255, width=width, joint="curve")


def _glyph(img: Image.Image, rng: np.random.Generator, n: int) -> None:
    char = GLYPHS[int(rng.integers(len(GLYPHS)))]
    font = ImageFont.load_default(size=int(rng.integers(n // 3, int(n * 0.7))))
    ImageDraw.Draw(img).text((n // 2, n // 2), char, fill=255, font=font, anchor="mm")


def _spiral(draw: ImageDraw.ImageDraw, rng: np.random.Generator, n: int, width: int) -> None:
    turns = rng.uniform(2.0, 3.5)
    t = np.linspace(0, turns * 2 * math.pi, 200)
    r = (0.05 + 0.35 * t / t[-1]) * n
    pts = [(float(n / 2 + ri * math.cos(ti)), float(n / 2 + ri * math.sin(ti))) for ri, ti in zip(r, t, strict=True)]
    draw.line(pts, fill=255, width=width, joint="curve")


def not_a_digit(rng: np.random.Generator, canvas_size: int = 280) -> tuple[str, bytes]:
    """One random non-digit drawing on a canvas, dark ink on white (as the web app sends it).

    Returns:
        (kind, PNG bytes), kind one of :data:`KINDS`.
    """
    n = canvas_size
    img = Image.new("L", (n, n), 0)
    draw = ImageDraw.Draw(img)
    width = int(rng.integers(8, 29))
    kind = KINDS[int(rng.integers(len(KINDS)))]
    if kind == "scribble":
        _scribble(draw, rng, n, width)
    elif kind == "glyph":
        _glyph(img, rng, n)
    elif kind == "hline":
        y = int(rng.integers(n // 4, 3 * n // 4))
        draw.line([(int(n * 0.15), y), (int(n * 0.85), y + int(rng.integers(-20, 21)))], fill=255, width=width)
    elif kind == "cross":
        a, b = int(n * 0.2), int(n * 0.8)
        draw.line([(a, a), (b, b)], fill=255, width=width)
        draw.line([(a, b), (b, a)], fill=255, width=width)
    elif kind == "hatch":
        for k in range(int(rng.integers(3, 6))):
            y = int(n * (0.2 + 0.15 * k))
            draw.line([(int(n * 0.15), y), (int(n * 0.85), y)], fill=255, width=width)
        draw.line([(int(n * 0.3), int(n * 0.1)), (int(n * 0.3), int(n * 0.9))], fill=255, width=width)
        draw.line([(int(n * 0.7), int(n * 0.1)), (int(n * 0.7), int(n * 0.9))], fill=255, width=width)
    else:
        _spiral(draw, rng, n, width)
    img = img.rotate(float(rng.uniform(-20, 20)), resample=Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    Image.eval(img, lambda v: 255 - v).save(buf, format="PNG")
    return kind, buf.getvalue()


def not_digit_set(count: int, seed: int, canvas_size: int = 280) -> tuple[list[str], list[bytes]]:
    """``count`` non-digit drawings: (kinds, PNG bytes)."""
    rng = np.random.default_rng(seed)
    pairs = [not_a_digit(rng, canvas_size) for _ in range(count)]
    return [k for k, _ in pairs], [p for _, p in pairs]
