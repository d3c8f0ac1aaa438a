"""Written numbers built from single digits, as people write them (evaluation sets and tests).

A number of 1-8 digits is laid out on a canvas left to right, each digit at a random height
(size jitter), its baseline moved up or down (baseline jitter), all slanted alike (slant), with
either a gap between neighbours (``separated``) or an overlap of up to :data:`MAX_OVERLAP` of a
digit's width (``touching``: the ink of neighbours meets or crosses). Digits come from

* ``mnist``: MNIST test images (:mod:`digits.data.mnist`);
* ``optdigits``: the UCI optical digits shipped with scikit-learn (43 other writers), upscaled;
* ``strokes``: MNIST test digits thinned to their skeleton (:func:`digits.data.rendering.skeleton_points`),
  traced into ordered pen strokes, and drawn with a round brush
  (:func:`digits.data.rendering.brush_ink`); these samples also carry their strokes, for the
  strokes path of the API.

Every sample is an encoded PNG, dark ink on white as a canvas exports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from digits.data.rendering import brush_ink, skeleton_points
from digits.preprocessing import to_png

SOURCES = ("mnist", "optdigits", "strokes")
LAYOUTS = ("separated", "touching")
DIGIT_HEIGHT = 96
"""Mean height of a digit on the canvas, pixels (a finger or mouse on a phone-width canvas)."""
SIZE_JITTER = 0.15
"""Each digit's height is DIGIT_HEIGHT times 1 +/- up to this."""
BASELINE_JITTER = 0.08
"""Each digit's bottom moves up or down by up to this share of DIGIT_HEIGHT."""
MAX_SLANT = 0.25
"""The number's slant: columns per row, +/- up to this (about 14 degrees)."""
GAP = (0.1, 0.45)
"""Separated digits: the gap between neighbours' boxes, as a share of DIGIT_HEIGHT."""
MAX_OVERLAP = 0.15
"""Touching digits: neighbours' boxes overlap by 0 to this share of the narrower digit's width."""
MARGIN = 24
"""Blank canvas around the number, pixels."""
NOT_A_DIGIT = 10
"""The label of a drawing that is not a digit (:func:`with_non_digits`): left out of the number."""


@dataclass(frozen=True)
class DigitSource:
    """Single digits to build numbers from.

    Attributes:
        name: ``mnist``, ``optdigits`` or ``strokes``.
        images: (N, h, w) uint8 white-on-black digit images (``strokes``: the MNIST images the
            skeletons come from).
        labels: (N,) uint8 in [0, 9], or :data:`NOT_A_DIGIT` for a drawing that is not a digit.
        strokes: for ``strokes``, each digit's pen strokes, (K, 2) float64 (row, column) in 28x28
            coordinates; else ``None``.
    """

    name: str
    images: NDArray[np.uint8]
    labels: NDArray[np.uint8]
    strokes: list[list[NDArray[np.float64]]] | None = None


@dataclass(frozen=True)
class NumberSample:
    """One written number.

    Attributes:
        label: the number, e.g. ``"2026"``.
        image: PNG bytes, dark ink on white.
        boxes: (x, y, width, height) of each digit's scaled image on the canvas, left to right.
        strokes: ``[[[x, y, t_ms], ...], ...]`` in canvas pixels (``strokes`` source), else ``None``.
        brush_width: the brush's diameter in pixels (``strokes`` source), else 0.
    """

    label: str
    image: bytes
    boxes: list[tuple[int, int, int, int]]
    strokes: list[list[list[float]]] | None = None
    brush_width: float = 0.0


def trace_strokes(points: NDArray[np.float64], step: float = 0.5) -> list[NDArray[np.float64]]:
    """Order a skeleton's points (:func:`digits.data.rendering.skeleton_points`) into pen strokes.

    A greedy walk: start at a point with the fewest neighbours (a stroke's end), go to the
    nearest unvisited point within ``step`` * 1.5 pixels, start a new stroke when there is none.

    Returns:
        Strokes of (K, 2) float64 (row, column) points, every second point kept; strokes of fewer
        than 3 points (specks of the skeleton) are dropped.
    """
    if len(points) == 0:
        return []
    left = np.ones(len(points), dtype=bool)
    distances = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    near = distances <= step * 1.5
    strokes = []
    while left.any():
        candidates = np.flatnonzero(left)
        degree = (near[candidates][:, left]).sum(axis=1)
        current = int(candidates[np.argmin(degree)])
        path = [current]
        left[current] = False
        while True:
            reach = np.where(left & near[current], distances[current], np.inf)
            nxt = int(np.argmin(reach))
            if not np.isfinite(reach[nxt]):
                break
            path.append(nxt)
            left[nxt] = False
            current = nxt
        if len(path) >= 3:
            strokes.append(points[path[::2] + ([path[-1]] if len(path) % 2 == 0 else [])])
    return strokes


def mnist_source(x: NDArray[np.uint8], y: NDArray[np.uint8]) -> DigitSource:
    """MNIST images as a digit source."""
    return DigitSource("mnist", x, y)


def optdigits_source() -> DigitSource:
    """The 1,797 UCI optical digits, 8x8 upscaled smoothly to 32x32 (a 2-pixel margin first)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.stack(
        [
            np.asarray(
                Image.fromarray(np.pad((np.clip(image / 16.0, 0, 1) * 255).astype(np.uint8), 2), mode="L").resize(
                    (36, 36), Image.Resampling.BICUBIC
                )
            )
            for image in digits.images
        ]
    )
    return DigitSource("optdigits", images, digits.target.astype(np.uint8))


def strokes_source(x: NDArray[np.uint8], y: NDArray[np.uint8]) -> DigitSource:
    """MNIST images traced into pen strokes (:func:`trace_strokes`)."""
    return DigitSource("strokes", x, y, [trace_strokes(skeleton_points(image)) for image in x])


def _crop_box(image: NDArray[np.uint8]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the pixels above 25 % ink; the whole image when none."""
    mask = image > 64
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return 0, image.shape[0], 0, image.shape[1]
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _shear(image: NDArray[np.float32], slant: float) -> NDArray[np.float32]:
    """Slant an image: row r moves right by ``slant * (h - r)`` (the top leans right for slant > 0),
    into an image ``ceil(|slant| * h)`` pixels wider."""
    h, w = image.shape
    extra = int(np.ceil(abs(slant) * h))
    out = Image.fromarray(image, mode="F").transform(
        (w + extra, h),
        Image.Transform.AFFINE,
        (1.0, slant, -slant * h if slant > 0 else 0.0, 0.0, 1.0, 0.0),
        resample=Image.Resampling.BILINEAR,
    )
    return np.asarray(out, dtype=np.float32)


def make_number(source: DigitSource, indices: NDArray[np.int64], layout: str, rng: np.random.Generator) -> NumberSample:
    """Write the digits ``source[indices]`` as one number (see the module's docstring)."""
    slant = float(rng.uniform(-MAX_SLANT, MAX_SLANT))
    pieces: list[tuple[NDArray[np.float32], int]] = []  # (ink, baseline offset)
    stroke_pieces: list[list[NDArray[np.float64]]] = []
    brush = float(DIGIT_HEIGHT * rng.uniform(0.08, 0.2))
    for index in indices:
        height = DIGIT_HEIGHT * (1.0 + rng.uniform(-SIZE_JITTER, SIZE_JITTER))
        shift = round(DIGIT_HEIGHT * rng.uniform(-BASELINE_JITTER, BASELINE_JITTER))
        if source.strokes is not None:
            paths = source.strokes[int(index)]
            everything = np.concatenate(paths) if paths else np.zeros((1, 2))
            top, left = everything.min(axis=0)
            bottom, right = everything.max(axis=0)
            scale = height / max(bottom - top, 1.0)
            # (row, column) in the digit's own frame, pixels; slanted: the top leans right.
            local = [(p - [top, left]) * scale for p in paths]
            h = int(np.ceil((bottom - top) * scale)) + 1
            local = [np.column_stack([p[:, 0], p[:, 1] + slant * (h - p[:, 0])]) for p in local]
            least = min(float(p[:, 1].min()) for p in local)
            local = [p - [0.0, least] for p in local]
            width = int(np.ceil(max(float(p[:, 1].max()) for p in local) if local else 1)) + 1
            radius = brush / 2.0
            padded = [p + radius + 1 for p in local]
            ink = brush_ink(padded, radius, (h + int(2 * radius) + 3, width + int(2 * radius) + 3))
            pieces.append((ink, shift))
            stroke_pieces.append(padded)
            continue
        image = source.images[int(index)]
        top, bottom, left, right = _crop_box(image)
        crop = image[top:bottom, left:right].astype(np.float32) / 255.0
        scale = height / crop.shape[0]
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(height)))
        big = np.asarray(Image.fromarray(crop, mode="F").resize(size, Image.Resampling.BILINEAR), dtype=np.float32)
        sheared = _shear(big, slant)
        pieces.append((np.clip(sheared, 0.0, 1.0), shift))

    inks = [_trim(ink) for ink, _ in pieces]
    widths = [ink.shape[1] for ink in inks]
    lefts = [MARGIN]
    for k in range(1, len(inks)):
        if layout == "touching":
            step = widths[k - 1] - round(rng.uniform(0.0, MAX_OVERLAP) * min(widths[k - 1], widths[k]))
        else:
            step = widths[k - 1] + round(rng.uniform(*GAP) * DIGIT_HEIGHT)
        lefts.append(lefts[-1] + step)
    bottoms = [MARGIN + int(DIGIT_HEIGHT * (1 + SIZE_JITTER + BASELINE_JITTER)) + shift for _, shift in pieces]
    canvas_h = max(bottoms) + MARGIN
    canvas_w = lefts[-1] + widths[-1] + MARGIN
    canvas = np.zeros((canvas_h, canvas_w), dtype=np.float32)
    boxes = []
    strokes_out: list[list[list[float]]] = []
    clock = 0.0
    for k, ink in enumerate(inks):
        h, w = ink.shape
        top = bottoms[k] - h
        region = canvas[top : top + h, lefts[k] : lefts[k] + w]
        np.maximum(region, ink, out=region)
        boxes.append((lefts[k], top, w, h))
        if source.strokes is not None:
            (r0, c0), _ = _trim_offset(pieces[k][0])
            for path in stroke_pieces[k]:
                xs = path[:, 1] - c0 + lefts[k]
                ys = path[:, 0] - r0 + top
                times = clock + 8.0 * np.arange(len(path))
                strokes_out.append([[float(a), float(b), float(t)] for a, b, t in zip(xs, ys, times, strict=True)])
                clock = float(times[-1]) + 150.0
            clock += 250.0
    label = "".join(str(int(source.labels[int(i)])) for i in indices if source.labels[int(i)] < NOT_A_DIGIT)
    png = to_png(np.float32(1.0) - canvas)
    if source.strokes is not None:
        return NumberSample(label, png, boxes, strokes_out, brush)
    return NumberSample(label, png, boxes)


def _trim_offset(ink: NDArray[np.float32]) -> tuple[tuple[int, int], tuple[int, int]]:
    """(top, left), (bottom, right) of the pixels with any ink."""
    mask = ink > 0.02
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return (0, 0), ink.shape  # type: ignore[return-value]
    return (int(rows[0]), int(cols[0])), (int(rows[-1]) + 1, int(cols[-1]) + 1)


def _trim(ink: NDArray[np.float32]) -> NDArray[np.float32]:
    (top, left), (bottom, right) = _trim_offset(ink)
    return ink[top:bottom, left:right]


def number_set(source: DigitSource, layout: str, lengths: list[int], seed: int = 0) -> list[NumberSample]:
    """One written number per entry of ``lengths`` (its digit count), digits drawn at random from
    ``source`` (without replacement within a number), laid out as ``layout``.

    Raises:
        ValueError: an unknown layout.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout is one of {LAYOUTS}, not {layout!r}")
    rng = np.random.default_rng(seed)
    usable = np.arange(len(source.labels))
    if source.strokes is not None:
        usable = np.array([i for i in usable if source.strokes[i]])
    return [make_number(source, rng.choice(usable, size=n, replace=False), layout, rng) for n in lengths]


def touching_pairs(source: DigitSource, count: int, seed: int = 0) -> list[bytes]:
    """``count`` two-digit numbers written touching (:func:`make_number`, layout ``touching``), as
    PNG bytes: training drawings of the "not a digit" class, so that two touching digits read as
    one piece are not answered as one digit (a 1 against a 6 reads as a confident 6 otherwise),
    and the number reader cuts them (:func:`digits.numbers.reader.segment_by_recognition`).

    Args:
        source: the digits (pass training digits only: the evaluation numbers use test digits).
        count: how many pairs.
        seed: seeds the choice of digits and the layout's jitter.
    """
    return [sample.image for sample in number_set(source, "touching", [2] * count, seed=seed)]


def with_non_digits(source: DigitSource, count: int, seed: int = 0) -> DigitSource:
    """``source`` (pixels only) and ``count`` drawings that are not digits
    (:func:`digits.data.negatives.not_digit_set`: shapes, scribbles, letters, symbols), each
    cropped and fitted into 28x28, labelled :data:`NOT_A_DIGIT`."""
    from digits.data.negatives import not_digit_set
    from digits.preprocessing import decode_image, to_ink

    _, drawings = not_digit_set(count, seed)
    fitted = []
    for png in drawings:
        ink, _ = to_ink(decode_image(png))
        top, bottom, left, right = _crop_box((ink * 255).astype(np.uint8))
        crop = Image.fromarray((ink[top:bottom, left:right] * 255).astype(np.uint8), mode="L")
        scale = 24.0 / max(crop.size)
        crop = crop.resize(
            (max(1, round(crop.width * scale)), max(1, round(crop.height * scale))), Image.Resampling.BOX
        )
        frame = Image.new("L", (28, 28), 0)
        frame.paste(crop, ((28 - crop.width) // 2, (28 - crop.height) // 2))
        fitted.append(np.asarray(frame))
    images = np.concatenate([source.images[:, :28, :28], np.stack(fitted)]) if len(fitted) else source.images
    labels = np.concatenate([source.labels, np.full(len(fitted), NOT_A_DIGIT, np.uint8)])
    return DigitSource(f"{source.name}+not-a-digit", images, labels)
