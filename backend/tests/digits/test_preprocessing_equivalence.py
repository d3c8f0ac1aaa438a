"""The faster preprocessing computes what the original did (the model was trained on it).

``digits.preprocessing`` replaced general-purpose calls (``np.median``, ``np.pad``,
``scipy.ndimage.center_of_mass``, ``scipy.ndimage.binary_erosion``) with equivalent code without
their per-call overhead. ``_reference_*`` below are the original functions, frozen; every input
of the existing preprocessing tests must give the same output to within 1e-6 (in practice the
same bits).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw
from scipy import ndimage

from digits import preprocessing as pp
from digits.preprocessing import (
    BOX_SIZE,
    FRAME_SIZE,
    INK_THRESHOLD,
    MIN_CONTRAST,
    MIN_STROKE_WIDTH,
    RESAMPLING,
    TARGET_CENTER,
    EmptyImageError,
    Preprocessed,
    decode_image,
)
from digits.rendering import CanvasStyle, random_style, render_canvas
from tests.digits.test_preprocessing import VARIANTS

ATOL = 1e-6


# --- the original implementation (commit 652d534), frozen ---------------------------------------


def _reference_to_ink_array(img: Image.Image) -> tuple[NDArray[np.float32], bool]:
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(img, dtype=np.float32)
        top = 65535.0 if img.mode.startswith("I") and float(arr.max(initial=0)) > 255 else 255.0
        gray = np.clip(arr / top, 0.0, 1.0)
        alpha = None
    else:
        has_alpha = "A" in img.getbands() or (img.mode == "P" and "transparency" in img.info)
        if has_alpha:
            rgba = img.convert("RGBA")
            alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
            gray = np.asarray(rgba.convert("L"), dtype=np.float32) / 255.0
        else:
            alpha = None
            gray = np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    if alpha is not None and float(alpha.min()) < 1.0:
        visible = alpha > 0.5
        ink_is_dark = bool(visible.any()) and float(gray[visible].mean()) < 0.5
        background = 1.0 if ink_is_dark else 0.0
        gray = gray * alpha + background * (1.0 - alpha)
    border = np.concatenate([gray[0, :], gray[-1, :], gray[:, 0], gray[:, -1]])
    inverted = float(np.median(border)) > 0.5
    if inverted:
        gray = 1.0 - gray
    return gray.astype(np.float32, copy=False), inverted


def _reference_stroke_width(mask: NDArray[np.bool_]) -> float:
    area = float(mask.sum())
    interior = ndimage.binary_erosion(mask)
    perimeter = float(mask.sum() - interior.sum())
    return 2.0 * area / max(perimeter, 1.0)


def _reference_disk(radius: int) -> NDArray[np.bool_]:
    y, x = np.ogrid[-radius : radius + 1, -radius : radius + 1]
    return np.asarray(x * x + y * y <= radius * radius + radius)


def _reference_normalize_array(gray: NDArray[np.float32], *, inverted: bool = False) -> Preprocessed:
    border = np.concatenate([gray[0, :], gray[-1, :], gray[:, 0], gray[:, -1]])
    background = float(np.median(border))
    peak = float(gray.max())
    if peak - background < MIN_CONTRAST:
        raise EmptyImageError("the image has no ink: draw a digit (or upload one) and try again")
    ink = np.clip((gray - background) / (peak - background), 0.0, 1.0)
    mask = ink > INK_THRESHOLD
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    crop = ink[top:bottom, left:right]
    height, width = crop.shape
    scale = BOX_SIZE / max(height, width)
    width_in_box = _reference_stroke_width(mask[top:bottom, left:right]) * scale
    if width_in_box < MIN_STROKE_WIDTH and scale < 1.0:
        grow = (MIN_STROKE_WIDTH - width_in_box) / scale
        size = 2 * round(grow / 2.0) + 1
        if size > 1:
            pad = size // 2
            padded = np.pad(crop, pad)
            crop = ndimage.grey_dilation(padded, footprint=_reference_disk(pad))
            height, width = crop.shape
            scale = BOX_SIZE / max(height, width)
    com_r, com_c = ndimage.center_of_mass(crop)
    t_r = (TARGET_CENTER[0] + 0.5) - (com_r + 0.5) * scale
    t_c = (TARGET_CENTER[1] + 0.5) - (com_c + 0.5) * scale
    y0, y1 = -t_r / scale, (FRAME_SIZE - t_r) / scale
    x0, x1 = -t_c / scale, (FRAME_SIZE - t_c) / scale
    pad_top = max(0, int(np.ceil(-y0)))
    pad_left = max(0, int(np.ceil(-x0)))
    pad_bottom = max(0, int(np.ceil(y1 - height)))
    pad_right = max(0, int(np.ceil(x1 - width)))
    source = np.pad(crop, ((pad_top, pad_bottom), (pad_left, pad_right)))
    resized = Image.fromarray(source.astype(np.float32, copy=False), mode="F").resize(
        (FRAME_SIZE, FRAME_SIZE),
        RESAMPLING,
        box=(x0 + pad_left, y0 + pad_top, x1 + pad_left, y1 + pad_top),
    )
    frame = np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)
    final_com = ndimage.center_of_mass(frame) if frame.any() else (float("nan"), float("nan"))
    return Preprocessed(
        image=frame,
        inverted=inverted,
        bounding_box=(left, top, right, bottom),
        center_of_mass=(float(final_com[0]), float(final_com[1])),
    )


def _reference_preprocess_bytes(data: bytes) -> Preprocessed:
    gray, inverted = _reference_to_ink_array(decode_image(data))
    return _reference_normalize_array(gray, inverted=inverted)


# --- comparisons -----------------------------------------------------------------------------------


def _assert_same(new: Preprocessed, old: Preprocessed) -> None:
    assert new.image.dtype == old.image.dtype == np.float32 and new.image.shape == old.image.shape
    np.testing.assert_allclose(new.image, old.image, rtol=0, atol=ATOL)
    np.testing.assert_allclose(new.center_of_mass, old.center_of_mass, rtol=0, atol=ATOL)
    assert new.inverted == old.inverted and new.bounding_box == old.bounding_box


def _png(img: Image.Image, fmt: str = "PNG", **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _inputs_of_the_preprocessing_tests(mnist) -> list[bytes]:  # type: ignore[no-untyped-def]
    """The images test_preprocessing.py feeds in (canvas variants, modes, JPEG, thin strokes), and more."""
    inputs = [render_canvas(mnist.x_test[i], CanvasStyle()) for i in range(20)]
    inputs += [render_canvas(mnist.x_test[i], style) for style in VARIANTS.values() for i in range(20)]
    inputs.append(render_canvas(mnist.x_test[3], CanvasStyle(digit_size=100, left=170, top=160)))
    base = Image.open(io.BytesIO(render_canvas(mnist.x_test[0], CanvasStyle(transparent=True))))
    inputs.append(_png(Image.fromarray((255 - np.asarray(base.getchannel("A"), dtype=np.uint16)) * 257)))
    for mode in ("RGBA", "LA", "P"):
        inputs.append(_png(base.convert(mode)))
    for mode in ("L", "RGB"):
        inputs.append(_png(Image.alpha_composite(Image.new("RGBA", base.size, "white"), base).convert(mode)))
    jpeg_source = Image.open(io.BytesIO(render_canvas(mnist.x_test[1], CanvasStyle(digit_size=200, left=30, top=30))))
    inputs.append(_png(jpeg_source.convert("RGB"), "JPEG", quality=60))
    thin = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(thin).line([(140, 40), (140, 240)], fill=0, width=3)
    inputs.append(_png(thin))
    rng = np.random.default_rng(11)
    inputs += [render_canvas(mnist.x_test[i], random_style(rng)) for i in range(100)]
    # and what the SPA sends: an RGBA canvas PNG with an opaque painted background
    inputs += [_png(Image.open(io.BytesIO(render_canvas(mnist.x_test[i]))).convert("RGBA")) for i in range(10)]
    return inputs


def test_same_output_as_the_original_on_the_tests_inputs(mnist) -> None:
    inputs = _inputs_of_the_preprocessing_tests(mnist)
    assert len(inputs) >= 259
    for data in inputs:
        _assert_same(pp.preprocess_bytes(data), _reference_preprocess_bytes(data))


def test_same_output_as_the_original_on_mnist(mnist) -> None:
    images = mnist.x_test[:1000]
    new = pp.preprocess_mnist(images)
    for index, image in enumerate(images):
        old = _reference_normalize_array(image.astype(np.float32) / 255.0).image
        np.testing.assert_allclose(new[index], old, rtol=0, atol=ATOL)


def test_blank_inputs_still_raise(mnist) -> None:
    for colour in ("white", "black", (128, 128, 128)):
        data = _png(Image.new("RGB", (280, 280), colour))  # type: ignore[arg-type]
        with pytest.raises(EmptyImageError):
            _reference_preprocess_bytes(data)
        with pytest.raises(EmptyImageError):
            pp.preprocess_bytes(data)


def test_helpers_equal_numpy_and_scipy_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    for _ in range(500):
        shape = (int(rng.integers(1, 50)), int(rng.integers(1, 50)))
        values = rng.random(shape)
        for gray in (values.astype(np.float32), values):
            border = np.concatenate([gray[0, :], gray[-1, :], gray[:, 0], gray[:, -1]])
            assert pp._border_median(gray) == float(np.median(border))
            assert pp._center_of_mass(gray) == tuple(float(v) for v in ndimage.center_of_mass(gray))
        mask = values > rng.random()
        assert pp._stroke_width(mask) == _reference_stroke_width(mask)
        pads = tuple(int(p) for p in rng.integers(0, 5, size=4))
        np.testing.assert_array_equal(pp._pad(values, *pads), np.pad(values, ((pads[0], pads[1]), (pads[2], pads[3]))))
