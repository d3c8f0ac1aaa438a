"""A photo-like evaluation set: digits written on paper and photographed with a phone.

Each MNIST-style digit becomes a JPEG "photo" of dark ink on light paper: paper texture (fine
grain and soft blotches, a slight colour cast), an uneven light (up to about 50 % darker on one
side), a mild perspective (the phone not held square), a little blur (focus, shake), sensor
noise, JPEG quality 60-90, sides of about 400-1200 px. A quarter of the photos are stored
rotated with an EXIF Orientation tag (0x0112: 3, 6 or 8), as phones store them: a reader that
ignores EXIF orientation sees the digit on its side or upside down
(``PIL.ImageOps.exif_transpose`` turns it upright).

Built from the digits given (e.g. the MNIST test set); nothing is downloaded.
"""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFilter

from digits.data.evalsets import EvalSet

ORIENTATION_TAG = 0x0112
EXIF_SHARE = 0.25
"""Share of the photos stored rotated, with an EXIF Orientation tag other than 1."""

_STORED_AS = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
"""How the upright picture is turned for storage, per EXIF orientation (its inverse is what
``exif_transpose`` applies: 6 is shown turned 90 degrees clockwise, 8 counter-clockwise)."""


def _perspective_coefficients(
    target: NDArray[np.float64], source: NDArray[np.float64]
) -> tuple[float, float, float, float, float, float, float, float]:
    """Coefficients for ``Image.transform(PERSPECTIVE)`` mapping output corners ``target`` (4, 2)
    to input corners ``source`` (4, 2)."""
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(np.array(rows, dtype=np.float64), source.reshape(8))
    a, b, c, d, e, f, g, h = (float(v) for v in solution)
    return a, b, c, d, e, f, g, h


def _smooth_noise(rng: np.random.Generator, height: int, width: int, cells: int) -> NDArray[np.float32]:
    """Soft blotches: (height, width) float32 in about [-1, 1], ``cells`` blobs across."""
    small = rng.normal(0.0, 1.0, size=(cells, cells)).astype(np.float32)
    img = Image.fromarray(small, mode="F").resize((width, height), Image.Resampling.BICUBIC)
    blotches: NDArray[np.float32] = np.clip(np.asarray(img, dtype=np.float32) / 1.5, -1.0, 1.0)
    return blotches


def photo_of_digit(digit: NDArray[np.uint8], rng: np.random.Generator, *, orientation: int | None = None) -> bytes:
    """One digit photographed on paper (the module's recipe).

    Args:
        digit: (28, 28) uint8, white digit (255) on black (0), as MNIST; or any (h, w) drawing
            (a written number), placed keeping its aspect.
        rng: the random source.
        orientation: EXIF orientation to store (1 upright without a tag, 3, 6 or 8);
            ``None`` draws it (:data:`EXIF_SHARE` of photos rotated).

    Returns:
        JPEG bytes, RGB, about 400-1200 px a side.
    """
    if orientation is None:
        orientation = int(rng.choice([3, 6, 8])) if rng.random() < EXIF_SHARE else 1
    width = int(rng.integers(400, 1201))
    height = int(np.clip(width * rng.uniform(0.75, 1.33), 400, 1200))
    # Paper: a light, slightly tinted colour, soft blotches and fine grain.
    base = (rng.uniform(195, 245) + rng.normal(0, 6, size=3)).astype(np.float32)
    blotch = _smooth_noise(rng, height, width, int(rng.integers(3, 8))) * np.float32(rng.uniform(2, 8))
    grain = rng.standard_normal((height, width), dtype=np.float32) * np.float32(rng.uniform(1.5, 5))
    paper = (blotch + grain)[..., None] + base
    # Ink: the digit at 30-65 % of the shorter side, dark blue-black or graphite.
    # (A wider drawing, a written number, keeps its aspect and at most 80 % of the width.)
    aspect = digit.shape[1] / digit.shape[0]
    side = int(min(width, height) * rng.uniform(0.3, 0.65))
    side = max(1, min(side, int(width * 0.8 / aspect)))
    side_w = max(1, round(side * aspect))
    ink_mask = np.zeros((height, width), dtype=np.float32)
    big = np.asarray(Image.fromarray(digit, mode="L").resize((side_w, side), Image.Resampling.BICUBIC), np.float32)
    top = int(rng.integers(int(height * 0.1), max(int(height * 0.1) + 1, height - side - int(height * 0.1))))
    left = int(rng.integers(int(width * 0.1), max(int(width * 0.1) + 1, width - side_w - int(width * 0.1))))
    ink_mask[top : top + side, left : left + side_w] = np.clip(big / 255.0, 0, 1)[: height - top, : width - left]
    ink_mask *= rng.uniform(0.75, 1.0)
    ink_colour = (rng.uniform(15, 70) + np.array([0.0, rng.uniform(0, 10), rng.uniform(0, 35)])).astype(np.float32)
    pixels = paper + (ink_colour - paper) * ink_mask[..., None]
    img = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="RGB")
    # Perspective: each corner moved up to 8 % of the side.
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    moved = corners + rng.uniform(-0.08, 0.08, size=(4, 2)) * [width, height]
    fill = tuple(int(v) for v in np.clip(base * 0.8, 0, 255))
    img = img.transform(
        (width, height),
        Image.Transform.PERSPECTIVE,
        _perspective_coefficients(corners, moved),
        Image.Resampling.BILINEAR,
        fillcolor=fill,
    )
    # Uneven light: a linear gradient from full light to 50-100 % of it, any direction.
    angle = rng.uniform(0, 2 * np.pi)
    xs = (np.arange(width, dtype=np.float32) / width - 0.5) * np.float32(np.cos(angle))
    ys = (np.arange(height, dtype=np.float32) / height - 0.5) * np.float32(np.sin(angle))
    ramp = ys[:, None] + xs[None, :]
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    light = (1.0 - np.float32(rng.uniform(0.0, 0.5)) * ramp) * np.float32(rng.uniform(0.85, 1.05))
    lit = np.asarray(img, dtype=np.float32) * light[..., None]
    lit += rng.standard_normal(lit.shape, dtype=np.float32) * np.float32(rng.uniform(1, 4))  # sensor noise
    img = Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8), mode="RGB")
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5) * min(width, height) / 600))
    exif = Image.Exif()
    if orientation != 1:
        img = img.transpose(_STORED_AS[orientation])
        exif[ORIENTATION_TAG] = orientation
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=int(rng.integers(60, 91)), exif=exif.tobytes())
    return buf.getvalue()


def photo_set(x: NDArray[np.uint8], y: NDArray[np.uint8], seed: int = 0) -> EvalSet:
    """``photos``: each digit as a phone photo of ink on paper (:func:`photo_of_digit`).

    Args:
        x: (N, 28, 28) uint8 MNIST-style digits, white on black.
        y: (N,) labels 0-9.
        seed: seeds the photos; deterministic for a seed.

    Returns:
        EvalSet named ``photos``: N JPEGs (RGB, about 400-1200 px a side, a quarter with an
        EXIF Orientation of 3, 6 or 8) and the labels as uint8.
    """
    rng = np.random.default_rng([seed, 0x0112])
    images = [photo_of_digit(digit, rng) for digit in x]
    return EvalSet("photos", images, np.asarray(y, dtype=np.uint8))
