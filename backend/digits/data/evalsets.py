"""Evaluation sets beyond MNIST: encoded images and their labels, as a user would send them.

Sets (all built from data the project ships or derives, no download):
    * ``mnist``: the 10,000 MNIST test images, each encoded as a PNG.
    * ``optdigits-canvas``: scikit-learn's copy of the UCI optical digits
      (``sklearn.datasets.load_digits``: 1,797 digits by 43 writers who are not in MNIST, 8x8,
      values 0-16), upscaled onto a 280x280 canvas at random size and position, both polarities.
    * ``strokes-<w>px``: MNIST test digits thinned to a skeleton (scikit-image) and redrawn with
      a round brush of ``w`` px on a 280x280 canvas at random size and position, as a person
      draws with a mouse or finger (uniform stroke width).
    * ``font-digits``: digits of the Hershey fonts held out of training (cursive, script complex,
      Times italic, Roman duplex; :func:`digits.data.hershey.digit_set`), redrawn by a wobbly hand
      with a round brush: styles MNIST's writers seldom use (a 1 with a flag and a foot, a printed
      6). Scored by ``python -m digits.evaluation.fonts``.

Every set is scored through :func:`digits.preprocessing.preprocess_bytes`, as in the API
(:mod:`digits.evaluation.metrics`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from digits.data.rendering import CanvasStyle, draw_strokes, random_style, render_canvas, skeleton_points
from digits.preprocessing import to_png

STROKE_WIDTHS = (8, 16, 28)
"""Brush diameters in pixels on a 280 px canvas: thin pen, normal, thick marker."""


@dataclass(frozen=True)
class EvalSet:
    """A named list of encoded images and their labels.

    Attributes:
        name: e.g. ``optdigits-canvas``.
        images: PNG bytes, one per sample.
        labels: (N,) uint8 in [0, 9].
    """

    name: str
    images: list[bytes]
    labels: NDArray[np.uint8]


def mnist_set(x: NDArray[np.uint8], y: NDArray[np.uint8]) -> EvalSet:
    """MNIST images (N, 28, 28) uint8 as 28x28 PNGs."""
    return EvalSet("mnist", [to_png(image / 255.0) for image in x], y)


def optdigits_canvas_set(seed: int = 0, canvas_size: int = 280, limit: int | None = None) -> EvalSet:
    """The 1,797 UCI optical digits drawn on canvases (random size, place, polarity).

    ``limit`` keeps only the first N digits (the same first N as the full set, quick runs).
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(seed)
    images = []
    for image in digits.images[:limit]:
        square = (np.clip(image / 16.0, 0, 1) * 255).astype(np.uint8)
        # A 4-pixel margin, as MNIST has around its 20x20 box, then a smooth upscale.
        framed = np.pad(square, 2)
        style = random_style(rng, canvas_size)
        big = np.asarray(
            Image.fromarray(framed, mode="L").resize((style.digit_size, style.digit_size), Image.Resampling.BICUBIC)
        )
        images.append(render_canvas(big, style))
    return EvalSet("optdigits-canvas", images, digits.target[:limit].astype(np.uint8))


def stroke_sets(
    x: NDArray[np.uint8],
    y: NDArray[np.uint8],
    widths: Sequence[int] = STROKE_WIDTHS,
    seed: int = 0,
    canvas_size: int = 280,
) -> list[EvalSet]:
    """MNIST digits re-drawn from their skeleton with round brushes, one set per width."""
    rng = np.random.default_rng(seed)
    skeletons = [skeleton_points(image) for image in x]
    sets = []
    for width in widths:
        images = []
        for points in skeletons:
            style = random_style(rng, canvas_size)
            # Keep the drawing at least ~4 brush widths tall, as people draw.
            size = max(style.digit_size, min(canvas_size, int(width * 7)))
            style = CanvasStyle(
                canvas_size=canvas_size,
                digit_size=size,
                left=min(style.left, canvas_size - size),
                top=min(style.top, canvas_size - size),
                dark_ink=style.dark_ink,
                transparent=style.transparent,
            )
            images.append(draw_strokes(points, width, style))
        sets.append(EvalSet(f"strokes-{width}px", images, y))
    return sets


def font_digit_set(count: int = 2000, seed: int = 0, canvas_size: int = 280) -> EvalSet:
    """``count`` digits of the held-out (test) Hershey fonts, 0-9 in turn, as PNG canvases."""
    from digits.data.hershey import digit_set

    labels, images = digit_set("test", count, seed=seed, canvas_size=canvas_size)
    return EvalSet("font-digits", images, np.asarray(labels, dtype=np.uint8))
