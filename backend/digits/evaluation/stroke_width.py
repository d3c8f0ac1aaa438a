"""MNIST's stroke width, in pixels of the 20x20 box: the range the preprocessing brings drawings into.

Usage (from ``backend/``)::

    python -m digits.evaluation.stroke_width            # the 60,000 training digits
    python -m digits.evaluation.stroke_width --limit 5000

Each digit's width is :func:`digits.preprocessing.output_stroke_width` (2 * area / perimeter of its
ink mask, pixels above ``INK_THRESHOLD``, times the scale that fits its bounding box into 20x20):
the same estimate :func:`digits.preprocessing.normalize_array` makes of a user's drawing; and its
core width (the same of the pixels above half its peak). It prints the percentiles that set
``MIN_STROKE_WIDTH``, ``TARGET_STROKE_WIDTH``, ``MAX_STROKE_WIDTH`` and ``MAX_CORE_WIDTH``.
"""

from __future__ import annotations

import argparse

import numpy as np
from numpy.typing import NDArray

from digits.data.mnist import load_mnist
from digits.preprocessing import (
    MAX_CORE_WIDTH,
    MAX_STROKE_WIDTH,
    MIN_STROKE_WIDTH,
    TARGET_STROKE_WIDTH,
    output_stroke_width,
)
from digits.settings import DataSettings

PERCENTILES = (0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9)


def box_stroke_widths(images: NDArray[np.uint8], *, core: bool = False) -> NDArray[np.float64]:
    """(N, 28, 28) uint8 white-on-black digits -> (N,) stroke widths in pixels of the 20x20 box
    (``core``: of the pixels above half each digit's peak)."""
    return np.array([output_stroke_width(image.astype(np.float32) / 255.0, core=core) for image in images])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m digits.evaluation.stroke_width", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N training digits")
    args = parser.parse_args(argv)
    images = load_mnist(DataSettings().mnist_dir).x_train[: args.limit]
    for core in (False, True):
        widths = box_stroke_widths(images, core=core)
        what = "core width (above half the peak)" if core else "stroke width"
        print(f"MNIST training digits: {len(widths)}; {what} in pixels of the 20x20 box")
        for percentile, value in zip(PERCENTILES, np.percentile(widths, PERCENTILES), strict=True):
            print(f"  p{percentile:<5g} {value:5.2f}")
        print(f"  mean {widths.mean():5.2f}")
    print(
        f"preprocessing: strokes under {MIN_STROKE_WIDTH} or over {MAX_STROKE_WIDTH} px (and a core over "
        f"{MAX_CORE_WIDTH} px) are brought to {TARGET_STROKE_WIDTH} px"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
