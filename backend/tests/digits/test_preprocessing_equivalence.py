"""What preprocess() must keep giving, and the shortcuts it takes to give it faster.

The model was trained on preprocess()'s output, so its properties are pinned here on many
canvases: MNIST's centring (centre of mass at (14, 14)), the 20 px box, white ink on black
whatever the input's polarity, and the same 28x28 for a canvas and its negative. The shortcuts
that remain in ``digits.preprocessing`` must compute what they replace: the 256-entry table
(``level / 255``), the opaque-RGBA fast path (an RGBA canvas opaque everywhere taken as
grayscale) and the inline binary erosion (``scipy.ndimage.binary_erosion``, kept because the
library call costs about 10 % of a request: benchmarks/README.md). ``np.median``, ``np.pad`` and
``scipy.ndimage.center_of_mass`` are called as they are.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageOps
from scipy import ndimage

from digits import preprocessing as pp
from digits.data.evalsets import mnist_set, optdigits_canvas_set, stroke_sets
from digits.data.rendering import CanvasStyle, random_style, render_canvas
from digits.preprocessing import (
    BOX_SIZE,
    FRAME_SIZE,
    INK_THRESHOLD,
    TARGET_CENTER,
    Preprocessed,
    preprocess,
    preprocess_bytes,
)
from tests.digits.test_preprocessing import VARIANTS

COM_TOLERANCE = 0.05
"""Pixels: how far the centre of mass of the 28x28 may be from (14, 14)."""


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _canvases(mnist, count: int = 100) -> list[bytes]:  # type: ignore[no-untyped-def]
    """Canvas PNGs as users send them: the test-suite variants, random sizes/places/polarities."""
    rng = np.random.default_rng(5)
    canvases = [render_canvas(mnist.x_test[i]) for i in range(10)]
    canvases += [render_canvas(mnist.x_test[i], style) for i, style in enumerate(VARIANTS.values())]
    canvases += [render_canvas(mnist.x_test[i], random_style(rng)) for i in range(count)]
    return canvases


def _long_side(image: NDArray[np.float32], threshold: float) -> int:
    """Long side, in pixels, of the box of the 28x28's pixels above ``threshold``."""
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    return int(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)


def test_mnist_centring_box_and_range_on_canvases(mnist) -> None:
    for data in _canvases(mnist):
        pre = preprocess_bytes(data)
        image = pre.image
        assert image.shape == (FRAME_SIZE, FRAME_SIZE) and image.dtype == np.float32
        assert image.min() >= 0.0 and image.max() <= 1.0
        com = ndimage.center_of_mass(image)
        assert abs(com[0] - TARGET_CENTER[0]) <= COM_TOLERANCE and abs(com[1] - TARGET_CENTER[1]) <= COM_TOLERANCE
        assert pre.center_of_mass == pytest.approx(com, abs=1e-6)
        # the input's ink box (pixels above INK_THRESHOLD) scaled to 20 px on its long side: the
        # same box in the output spans 20 px, +-1 for the sub-pixel placement (+-2 when the strokes
        # were thickened or thinned first, on a shrunk copy); no ink beyond 22
        assert abs(_long_side(image, INK_THRESHOLD) - BOX_SIZE) <= 2
        assert _long_side(image, 0.0) <= BOX_SIZE + 2


def test_polarity_is_detected_and_the_output_is_white_on_black(mnist) -> None:
    for dark_ink in (True, False):
        for transparent in (False, True):
            style = CanvasStyle(dark_ink=dark_ink, transparent=transparent, digit_size=200, left=40, top=30)
            pre = preprocess_bytes(render_canvas(mnist.x_test[7], style))
            assert pre.inverted is dark_ink, style  # transparent dark ink is composited onto white
            border = np.concatenate([pre.image[0], pre.image[-1], pre.image[:, 0], pre.image[:, -1]])
            assert border.max() == 0.0 and pre.image.max() > 0.9, style


def test_a_canvas_and_its_negative_give_the_same_28x28(mnist) -> None:
    for data in _canvases(mnist, count=30):
        img = Image.open(io.BytesIO(data))
        if img.mode == "RGBA":
            continue  # a transparent canvas has no negative of the same drawing
        negative = _png(ImageOps.invert(img.convert("RGB")))
        a, b = preprocess_bytes(data), preprocess_bytes(negative)
        assert a.inverted is not b.inverted
        assert a.bounding_box == b.bounding_box
        np.testing.assert_allclose(a.image, b.image, rtol=0, atol=1e-5)


def test_the_level_table_is_level_over_255() -> None:
    levels = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(pp._LEVELS, levels.astype(np.float32) / 255.0)
    np.testing.assert_array_equal(pp._INVERTED_LEVELS, 1.0 - levels.astype(np.float32) / 255.0)
    assert pp._LEVELS.dtype == pp._INVERTED_LEVELS.dtype == np.float32


def _same(a: Preprocessed, b: Preprocessed) -> None:
    np.testing.assert_array_equal(a.image, b.image)
    assert (a.inverted, a.bounding_box, a.center_of_mass) == (b.inverted, b.bounding_box, b.center_of_mass)


def test_opaque_rgba_is_taken_as_grayscale_with_the_same_result(mnist) -> None:
    """The SPA's canvas: RGBA with a painted background, opaque everywhere (the fast path)."""
    for index in range(10):
        for style in (CanvasStyle(), CanvasStyle(dark_ink=False), CanvasStyle(digit_size=120, left=90, top=20)):
            rgb = Image.open(io.BytesIO(render_canvas(mnist.x_test[index], style))).convert("RGB")
            opaque = preprocess(rgb.convert("RGBA"))
            _same(opaque, preprocess(rgb))
            _same(opaque, preprocess(rgb.convert("L")))
            # the general path (float arrays, any alpha) gives the same bits
            gray = np.asarray(rgb.convert("L"), dtype=np.float32) / 255.0
            inverted = float(np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]]))) > 0.5
            _same(opaque, pp.normalize_array(1.0 - gray if inverted else gray, inverted=inverted))


def test_drawings_mnist_and_stroke_sets_never_take_the_photo_path(mnist, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a photo (an uneven border) has its polarity read from the histogram, its light flattened
    and its ink regions chosen: canvases, MNIST, optdigits-canvas and the stroke sets give the
    model the same input as before those steps existed."""

    def photo_path(*args: object) -> None:
        raise AssertionError("a drawing took the photo path")

    monkeypatch.setattr(pp, "flatten_background", photo_path)
    monkeypatch.setattr(pp, "_photo_has_dark_ink", photo_path)
    sets = [mnist_set(mnist.x_test[:200], mnist.y_test[:200]), optdigits_canvas_set(seed=0, limit=200)]
    sets += stroke_sets(mnist.x_test[:50], mnist.y_test[:50], seed=0)
    for images in [_canvases(mnist, 50), *(s.images for s in sets)]:
        for data in images:
            preprocess_bytes(data)
