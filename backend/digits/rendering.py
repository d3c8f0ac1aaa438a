"""Render 28x28 digits as a browser canvas would carry them (tests and benchmark).

A canvas drawing reaches the service as a PNG of, say, 280x280 pixels, with the digit at some
size and position, dark ink on a white or transparent background (or light on dark).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image


@dataclass(frozen=True)
class CanvasStyle:
    """How to draw a digit on the canvas.

    Attributes:
        canvas_size: side of the square canvas in pixels.
        digit_size: side of the square the 28x28 digit is scaled to, in pixels.
        left, top: position of that square on the canvas, in pixels (may be negative: clipped).
        dark_ink: dark ink on a light background (as a drawing app) if True, else light on dark.
        transparent: RGBA with a transparent background (as an untouched ``<canvas>``).
    """

    canvas_size: int = 280
    digit_size: int = 280
    left: int = 0
    top: int = 0
    dark_ink: bool = True
    transparent: bool = False


def render_canvas(digit: NDArray[np.uint8], style: CanvasStyle = CanvasStyle()) -> bytes:
    """Draw a (28, 28) uint8 white-on-black digit onto a canvas and return PNG bytes."""
    ink = Image.fromarray(digit, mode="L").resize(
        (style.digit_size, style.digit_size), Image.Resampling.BILINEAR
    )
    alpha = Image.new("L", (style.canvas_size, style.canvas_size), 0)
    alpha.paste(ink, (style.left, style.top))
    buf = io.BytesIO()
    if style.transparent:
        colour = (0, 0, 0) if style.dark_ink else (255, 255, 255)
        rgba = Image.new("RGBA", alpha.size, (*colour, 0))
        rgba.putalpha(alpha)
        rgba.save(buf, format="PNG")
    else:
        level = np.asarray(alpha)
        pixels = 255 - level if style.dark_ink else level
        Image.fromarray(pixels.astype(np.uint8), mode="L").convert("RGB").save(buf, format="PNG")
    return buf.getvalue()


def random_style(rng: np.random.Generator, canvas_size: int = 280) -> CanvasStyle:
    """A random size (30-100 % of the canvas), position and polarity, as users draw."""
    digit_size = int(rng.integers(canvas_size * 3 // 10, canvas_size + 1))
    room = canvas_size - digit_size
    return CanvasStyle(
        canvas_size=canvas_size,
        digit_size=digit_size,
        left=int(rng.integers(0, room + 1)),
        top=int(rng.integers(0, room + 1)),
        dark_ink=bool(rng.integers(0, 2)),
        transparent=bool(rng.integers(0, 2)),
    )
