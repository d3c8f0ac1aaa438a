"""Render 28x28 digits as a browser canvas would carry them (tests and benchmark).

A canvas drawing reaches the service as a PNG of, say, 280x280 pixels, with the digit at some
size and position, dark ink on a white or transparent background (or light on dark).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
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
    ink = Image.fromarray(digit, mode="L").resize((style.digit_size, style.digit_size), Image.Resampling.BILINEAR)
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


def skeleton_points(digit: NDArray[np.uint8], upsample: int = 4) -> NDArray[np.float64]:
    """The centre line of a digit's strokes, as (row, column) points in 28x28 coordinates.

    The 28x28 image is upsampled ``upsample`` times (bilinear), thresholded at half intensity
    and thinned to a one-pixel skeleton with scikit-image's ``skeletonize`` (Zhang-Suen 1984).

    Returns:
        (K, 2) float64 in [0, 28): K skeleton points (K may be 0 for an empty image).
    """
    from skimage.morphology import skeletonize

    size = 28 * upsample
    big = np.asarray(Image.fromarray(digit, mode="L").resize((size, size), Image.Resampling.BILINEAR))
    skeleton = skeletonize(big > 127)
    rows, cols = np.nonzero(skeleton)
    return (np.stack([rows, cols], axis=1).astype(np.float64) + 0.5) / upsample


def brush_ink(
    paths: Sequence[NDArray[np.float64]], radius: float, shape: tuple[int, int], step: float = 0.5
) -> NDArray[np.float32]:
    """Paint polylines with a round brush: ink 1 within ``radius`` of a path, anti-aliased over 1 px.

    The model of :func:`draw_strokes` (a Euclidean distance transform from the painted centre
    line, ``scipy.ndimage.distance_transform_edt``), for ordered paths: each segment is sampled
    every ``step`` pixels, so fast strokes with far-apart points stay continuous.

    Args:
        paths: (K, 2+) arrays of (row, column) points in pixels of the output (extra columns ignored).
        radius: brush radius in pixels (> 0).
        shape: (H, W) of the output.
        step: sampling distance along a segment, in pixels.

    Returns:
        (H, W) float32 in [0, 1], white ink on black.
    """
    from scipy import ndimage

    height, width = shape
    seeds = np.ones(shape, dtype=bool)
    for path in paths:
        rc = np.asarray(path, dtype=np.float64)[:, :2]
        if len(rc) > 1:
            # Each segment i sampled at fractions 1/n_i, 2/n_i, ..., 1 of its length (vectorised).
            delta = np.diff(rc, axis=0)
            counts = np.maximum(1, np.ceil(np.hypot(delta[:, 0], delta[:, 1]) / step)).astype(np.int64)
            segment = np.repeat(np.arange(len(delta)), counts)
            within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
            fraction = (within + 1) / counts[segment]
            rc = np.concatenate([rc[:1], rc[segment] + delta[segment] * fraction[:, None]])
        rr = np.clip(np.floor(rc[:, 0]).astype(int), 0, height - 1)
        cc = np.clip(np.floor(rc[:, 1]).astype(int), 0, width - 1)
        seeds[rr, cc] = False
    if seeds.all():
        return np.zeros(shape, dtype=np.float32)
    distance = ndimage.distance_transform_edt(seeds)
    ink: NDArray[np.float32] = np.clip(radius + 0.5 - distance, 0.0, 1.0).astype(np.float32)
    return ink


def draw_strokes(
    points: NDArray[np.float64],
    brush_width: float,
    style: CanvasStyle = CanvasStyle(),
) -> bytes:
    """Redraw a skeleton with a round brush of uniform width, as a person draws on a canvas.

    Args:
        points: (K, 2) skeleton points in 28x28 coordinates (:func:`skeleton_points`).
        brush_width: brush diameter in canvas pixels (e.g. 8, 16 or 28 on a 280 px canvas).
        style: canvas size, where the 28x28 frame lands (``digit_size``, ``left``, ``top``),
            polarity and transparency.

    Returns:
        PNG bytes of the canvas, anti-aliased brush edges.
    """
    from scipy import ndimage

    n = style.canvas_size
    scale = style.digit_size / 28.0
    seeds = np.ones((n, n), dtype=bool)
    if len(points):
        canvas_pts = points * scale + np.array([style.top, style.left])
        # Densify so consecutive skeleton points are closer than the brush radius.
        rr = np.clip(np.round(canvas_pts[:, 0]).astype(int), 0, n - 1)
        cc = np.clip(np.round(canvas_pts[:, 1]).astype(int), 0, n - 1)
        seeds[rr, cc] = False
        if scale > 2:
            seeds = ~ndimage.binary_dilation(~seeds, iterations=int(scale // 2))
            seeds_dist = ndimage.distance_transform_edt(seeds)
            radius = max(brush_width / 2.0, scale / 2.0)
        else:
            seeds_dist = ndimage.distance_transform_edt(seeds)
            radius = brush_width / 2.0
        ink = np.clip(radius + 0.5 - seeds_dist, 0.0, 1.0)
    else:
        ink = np.zeros((n, n))
    level = (ink * 255).astype(np.uint8)
    buf = io.BytesIO()
    if style.transparent:
        colour = (0, 0, 0) if style.dark_ink else (255, 255, 255)
        rgba = Image.new("RGBA", (n, n), (*colour, 0))
        rgba.putalpha(Image.fromarray(level, mode="L"))
        rgba.save(buf, format="PNG")
    else:
        pixels = 255 - level if style.dark_ink else level
        Image.fromarray(pixels, mode="L").save(buf, format="PNG")
    return buf.getvalue()
