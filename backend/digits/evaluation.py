"""Evaluation sets beyond MNIST, and scoring through the service's own preprocessing.

Sets (all built from data the project ships or derives, no download):
    * ``mnist``: the 10,000 MNIST test images, each encoded as a PNG.
    * ``optdigits-canvas``: scikit-learn's copy of the UCI optical digits
      (``sklearn.datasets.load_digits``: 1,797 digits by 43 writers who are not in MNIST, 8x8,
      values 0-16), upscaled onto a 280x280 canvas at random size and position, both polarities.
    * ``strokes-<w>px``: MNIST test digits thinned to a skeleton (scikit-image) and redrawn with
      a round brush of ``w`` px on a 280x280 canvas at random size and position, as a person
      draws with a mouse or finger (uniform stroke width).

Every image goes through :func:`digits.preprocessing.preprocess_bytes`, as in the API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from digits.preprocessing import preprocess_bytes, to_png
from digits.rendering import CanvasStyle, draw_strokes, random_style, render_canvas, skeleton_points

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


def preprocess_all(images: Sequence[bytes]) -> NDArray[np.float32]:
    """Encoded images -> (N, 28, 28, 1) float32 in [0, 1] through the API's preprocessing."""
    return np.stack([preprocess_bytes(data).image for data in images])[..., None]


def score(
    predict_proba: Callable[[NDArray[np.float32]], NDArray[np.float32]],
    inputs: NDArray[np.float32],
    labels: NDArray[np.uint8],
    batch_size: int = 500,
) -> float:
    """Accuracy of ``predict_proba`` ((N, 28, 28, 1) -> (N, 10)) on preprocessed inputs."""
    correct = 0
    for start in range(0, len(inputs), batch_size):
        predicted = predict_proba(inputs[start : start + batch_size]).argmax(axis=1)
        correct += int((predicted == labels[start : start + batch_size]).sum())
    return correct / max(len(inputs), 1)


def agreement(
    probabilities: NDArray[np.float32], reference: NDArray[np.float32], labels: NDArray[np.uint8]
) -> dict[str, float]:
    """How an exported model (``probabilities``, (N, 10)) compares with its source (``reference``).

    Returns:
        test_accuracy, source_test_accuracy, accuracy_change (fractions in [0, 1] / [-1, 1]),
        same_digit_as_source (fraction), max_probability_difference (absolute).
    """
    accuracy = float((probabilities.argmax(1) == labels).mean())
    source = float((reference.argmax(1) == labels).mean())
    return {
        "test_accuracy": round(accuracy, 5),
        "source_test_accuracy": round(source, 5),
        "accuracy_change": round(accuracy - source, 5),
        "same_digit_as_source": round(float((probabilities.argmax(1) == reference.argmax(1)).mean()), 5),
        "max_probability_difference": float(np.abs(probabilities - reference).max()),
    }
