"""Reading a whole number: pieces of the drawing, each through the single-digit path, in one call.

From an image (:func:`read_image`): white ink on black (:func:`digits.preprocessing.to_ink`),
connected components merged where they belong together
(:func:`digits.numbers.segmentation.components`), touching digits split by a search over cut
positions scored by the classifier (:func:`split_touching`). From strokes (:func:`read_strokes`):
the strokes grouped into digits by horizontal overlap and time
(:func:`digits.numbers.strokes.group_strokes`), each group painted alone, then the same split
search for a group that is still two digits (one stroke through both).

Every piece becomes the model's 28x28 input through :func:`digits.preprocessing.normalize_array`
(the one preprocessing path), and the pieces not yet read by the split search go through the
engine together, in one ``predict_proba`` call; :func:`digits.verdict.read` gives each its verdict.
A piece whose verdict is ``not_a_digit`` is reported but left out of the number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from digits.numbers.segmentation import Piece, TooManyDigitsError, components, cut_candidates, ink_levels
from digits.numbers.strokes import Raster, group_strokes, rasterise, work_scale
from digits.preprocessing import normalize_array, to_ink
from digits.verdict import Readings, Thresholds, Verdict, read

Predict = Callable[[NDArray[np.float32]], NDArray[np.float32]]
"""An engine's ``predict_proba``: (N, 28, 28, 1) float32 in [0, 1] -> (N, 10 or 11) probabilities."""

WORK_SIDE = 640
"""A larger image is shrunk so its longer side is this many pixels before it is cut into digits
(a digit needs 20 px; labelling costs by the pixel)."""
SPLIT_ASPECT = 1.5
"""A piece wider than this share of its height is cut (single digits almost never are: the 99th
percentile of single MNIST and optdigits pieces is 1.32, ``python -m digits.evaluation.numbers``'s sets) ..."""
DOUBTFUL_ASPECT = 1.1
"""... and so is a piece wider than this share that does not read well (:data:`WELL_READ`): two
touching MNIST digits are wider than 1.07 in 95 % of cases; a lone symbol that is not a digit
(about as wide as tall) is not cut into digits."""
WELL_READ = 0.9
"""A piece reads well when its top digit's probability times P(a digit) is at least this."""
SPLIT_ODDS = ((1.15, 4.0), (1.3, 1.0), (float("inf"), 0.25))
"""How much better than the whole (the product of the halves' scores over the whole's score) a
cut must read, by the piece's width over height: below 1.15, 4 times (a wide single digit);
below 1.3, as well; wider, a quarter as well (two digits, most likely)."""
SPLIT_ROUNDS = 3
"""Pieces split at most this many times over (a number of up to 8 touching digits)."""
MERGE_ASPECT = 1.1
"""Two neighbouring pieces are tried as one digit when their union is at most this wide (share of its height)."""


@dataclass(frozen=True)
class DigitReading:
    """One piece of a number and what the model read in it.

    Attributes:
        digit: the most probable digit, 0-9 (only the closest digit when ``verdict`` is ``not_a_digit``).
        confidence: its probability among the digits, in [0, 1].
        probabilities: (10,) float64, the digits' probabilities given a digit (sums to 1).
        not_a_digit: the out-of-distribution score in [0, 1] (:func:`digits.verdict.not_digit_score`).
        verdict: ``digit``, ``uncertain`` or ``not_a_digit``.
        box: (x, y, width, height) of the piece in the input's pixels (canvas pixels for strokes).
        image: (28, 28) float32 in [0, 1], the model's input for this piece.
    """

    digit: int
    confidence: float
    probabilities: NDArray[np.float64]
    not_a_digit: float
    verdict: Verdict
    box: tuple[int, int, int, int]
    image: NDArray[np.float32]


@dataclass(frozen=True)
class NumberReading:
    """A number read from a drawing.

    Attributes:
        number: the digits whose verdict is not ``not_a_digit``, left to right (may be empty).
        confidence: product of those digits' confidences, in [0, 1] (1.0 for no digit).
        digits: every piece, left to right, with its reading.
    """

    number: str
    confidence: float
    digits: list[DigitReading]


@dataclass
class _Read:
    piece: Piece
    image: NDArray[np.float32]
    row: NDArray[np.float32] | None = None

    @property
    def score(self) -> float:
        """How well the piece reads as one digit: top digit probability times P(a digit)."""
        assert self.row is not None
        digits = self.row[:10].astype(np.float64)
        total = float(self.row.sum())
        is_digit = float(digits.sum()) / total if total > 0 else 0.0
        return float(digits.max() / max(float(digits.sum()), 1e-12)) * is_digit


def _model_input(piece: Piece) -> NDArray[np.float32]:
    """The 28x28 input of one piece (the single-digit preprocessing, steps 4-8)."""
    return normalize_array(np.pad(piece.ink, 2)).image


def _predict(reads: Sequence[_Read], predict: Predict) -> None:
    """Fill in the probabilities of the reads that have none, in one engine call."""
    todo = [r for r in reads if r.row is None]
    if not todo:
        return
    rows = predict(np.stack([r.image for r in todo])[..., None])
    for r, row in zip(todo, rows, strict=True):
        r.row = np.asarray(row, dtype=np.float32)


def _needs_cut(r: _Read) -> bool:
    return r.piece.aspect >= SPLIT_ASPECT or (r.piece.aspect >= DOUBTFUL_ASPECT and r.score < WELL_READ)


def split_touching(reads: list[_Read], predict: Predict, max_digits: int) -> list[_Read]:
    """Split the pieces that are touching digits (every read must have its probabilities).

    A piece wider than :data:`SPLIT_ASPECT` of its height, or wider than
    :data:`DOUBTFUL_ASPECT` and not read well, is cut at every candidate of
    :func:`digits.numbers.segmentation.cut_candidates`; every half is read in one engine call.
    The best cut (the product of its halves' scores) replaces the piece when it reads better than
    the whole by the odds of :data:`SPLIT_ODDS` for the piece's shape; halves are tried again, up
    to :data:`SPLIT_ROUNDS` rounds or ``max_digits`` pieces.
    """
    for _ in range(SPLIT_ROUNDS):
        wide = [i for i, r in enumerate(reads) if _needs_cut(r)]
        if not wide or len(reads) >= max_digits:
            break
        options: dict[int, list[tuple[_Read, _Read]]] = {}
        batch: list[_Read] = []
        for i in wide:
            pairs = [(_Read(a, _model_input(a)), _Read(b, _model_input(b))) for a, b in cut_candidates(reads[i].piece)]
            options[i] = pairs
            batch += [half for pair in pairs for half in pair]
        _predict(batch, predict)
        replaced: dict[int, tuple[_Read, _Read]] = {}
        for i in wide:
            if not options[i]:
                continue
            best = max(options[i], key=lambda pair: pair[0].score * pair[1].score)
            whole, split = reads[i].score, best[0].score * best[1].score
            odds = next(odds for below, odds in SPLIT_ODDS if reads[i].piece.aspect < below)
            if split > odds * whole:
                replaced[i] = best
        if not replaced:
            break
        out: list[_Read] = []
        for i, r in enumerate(reads):
            out.extend(replaced.get(i, (r,)))
        reads = out
    return reads


def _union(a: Piece, b: Piece) -> Piece:
    """One piece holding the ink of both."""
    x0, y0 = min(a.box[0], b.box[0]), min(a.box[1], b.box[1])
    x1 = max(a.box[0] + a.box[2], b.box[0] + b.box[2])
    y1 = max(a.box[1] + a.box[3], b.box[1] + b.box[3])
    ink = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
    for p in (a, b):
        x, y, w, h = p.box
        region = ink[y - y0 : y - y0 + h, x - x0 : x - x0 + w]
        np.maximum(region, p.ink, out=region)
    return Piece(ink, (x0, y0, x1 - x0, y1 - y0))


def merge_fragments(reads: list[_Read], predict: Predict) -> list[_Read]:
    """Join neighbouring pieces that read better as one digit (every read must have its probabilities).

    Neighbours (left to right) of which one does not read well (:data:`WELL_READ`) and whose
    union is at most :data:`MERGE_ASPECT` as wide as tall are read as one piece, all in one
    engine call; a union replaces the pair when it reads better than the pair (the product of
    their scores), best first, each piece joining at most one union.
    """
    pairs = []
    for i in range(len(reads) - 1):
        a, b = reads[i], reads[i + 1]
        if min(a.score, b.score) >= WELL_READ:
            continue
        union = _union(a.piece, b.piece)
        if union.aspect <= MERGE_ASPECT:
            pairs.append((i, _Read(union, _model_input(union))))
    if not pairs:
        return reads
    _predict([r for _, r in pairs], predict)
    taken: dict[int, _Read] = {}
    for i, joined in sorted(pairs, key=lambda pair: -pair[1].score):
        if i in taken or i + 1 in taken or joined.score <= reads[i].score * reads[i + 1].score:
            continue
        taken[i] = joined
        taken[i + 1] = joined
    out: list[_Read] = []
    for i, r in enumerate(reads):
        if i not in taken:
            out.append(r)
        elif i + 1 in taken and taken[i + 1] is taken[i]:
            out.append(taken[i])
    return out


def read_pieces(
    pieces: Sequence[Piece],
    predict: Predict,
    thresholds: Thresholds,
    *,
    max_digits: int,
    split: bool = True,
    to_input: Callable[[tuple[int, int, int, int]], tuple[int, int, int, int]] | None = None,
) -> NumberReading:
    """Read pieces (left to right) as a number.

    Args:
        pieces: the drawing's pieces, left to right.
        predict: the engine's ``predict_proba``.
        thresholds: where the verdicts change (the model's, :mod:`digits.verdict`).
        max_digits: most pieces a number may have.
        split: join fragments (:func:`merge_fragments`) and split touching digits
            (:func:`split_touching`), each a further engine call when there is a candidate.
        to_input: maps a piece's box to the input's pixels (identity when ``None``).

    Raises:
        TooManyDigitsError: more than ``max_digits`` pieces.
    """
    if len(pieces) > max_digits:
        raise TooManyDigitsError(
            f"the drawing has {len(pieces)} separate pieces; a number has at most {max_digits} digits"
        )
    reads = [_Read(p, _model_input(p)) for p in pieces]
    _predict(reads, predict)
    if split:
        reads = merge_fragments(reads, predict)
        reads = split_touching(reads, predict, max_digits)
    if len(reads) > max_digits:
        raise TooManyDigitsError(f"the drawing reads as {len(reads)} digits; a number has at most {max_digits}")
    reads.sort(key=lambda r: r.piece.box[0] + r.piece.box[2] / 2.0)
    _predict(reads, predict)
    rows = np.stack([r.row for r in reads if r.row is not None]) if reads else np.zeros((0, 11), np.float32)
    readings: Readings = read(rows, thresholds)
    digits = [
        DigitReading(
            digit=int(readings.digits[k]),
            confidence=float(readings.confidences[k]),
            probabilities=readings.probabilities[k],
            not_a_digit=float(readings.not_a_digit[k]),
            verdict=readings.verdicts[k],
            box=to_input(r.piece.box) if to_input else r.piece.box,
            image=r.image,
        )
        for k, r in enumerate(reads)
    ]
    kept = [d for d in digits if d.verdict != "not_a_digit"]
    return NumberReading(
        number="".join(str(d.digit) for d in kept),
        confidence=float(np.prod([d.confidence for d in kept])) if kept else 1.0,
        digits=digits,
    )


def image_pieces(img: Image.Image, max_pieces: int = 64) -> tuple[list[Piece], float]:
    """An image of a written number -> its pieces before any split, and the working scale
    (working pixels per input pixel, <= 1; see :data:`WORK_SIDE`).

    Raises:
        EmptyImageError: the image has no ink.
    """
    gray, _ = to_ink(img)
    height, width = gray.shape
    scale = min(1.0, WORK_SIDE / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        gray = np.asarray(Image.fromarray(gray, mode="F").resize(size, Image.Resampling.BOX), dtype=np.float32)
    return components(ink_levels(gray), max_pieces), scale


def _scaled_box(scale: float) -> Callable[[tuple[int, int, int, int]], tuple[int, int, int, int]]:
    def to_input(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x, y, w, h = box
        left, top = int(np.floor(x / scale)), int(np.floor(y / scale))
        return left, top, int(np.ceil((x + w) / scale)) - left, int(np.ceil((y + h) / scale)) - top

    return to_input


def read_image(img: Image.Image, predict: Predict, thresholds: Thresholds, *, max_digits: int) -> NumberReading:
    """Read the number written in an image (pixels): components, merges, splits, one engine call.

    Boxes are in the image's pixels (after its EXIF orientation is applied).

    Raises:
        EmptyImageError: the image has no ink.
        TooManyDigitsError: more than ``max_digits`` pieces.
    """
    pieces, scale = image_pieces(img, max_pieces=4 * max_digits)
    return read_pieces(pieces, predict, thresholds, max_digits=max_digits, to_input=_scaled_box(scale))


def stroke_pieces(
    strokes: Sequence[NDArray[np.float64]], brush_width: float
) -> tuple[list[Piece], Callable[[tuple[int, int, int, int]], tuple[int, int, int, int]]]:
    """Strokes ((K, 3) arrays, :func:`digits.numbers.strokes.as_arrays`) -> one piece per group
    of strokes (:func:`digits.numbers.strokes.group_strokes`), left to right, each painted alone
    at the whole drawing's scale, and the map from a piece's box to canvas pixels."""
    scale = work_scale(strokes, brush_width)
    left, top = np.concatenate([s[:, :2] for s in strokes]).min(axis=0) - brush_width
    whole = Raster(np.zeros((1, 1), np.float32), (float(left), float(top)), scale)  # the frame only, as rasterise's
    pieces = []
    for group in group_strokes(strokes, brush_width):
        raster = rasterise([strokes[i] for i in group], brush_width, scale=whole.scale)
        ink = raster.ink
        keep = ink > 0
        rows, cols = np.flatnonzero(keep.any(axis=1)), np.flatnonzero(keep.any(axis=0))
        top, left = int(rows[0]), int(cols[0])
        crop = ink[top : int(rows[-1]) + 1, left : int(cols[-1]) + 1]
        x = round((raster.origin[0] - whole.origin[0]) * whole.scale) + left
        y = round((raster.origin[1] - whole.origin[1]) * whole.scale) + top
        pieces.append(Piece(crop, (x, y, crop.shape[1], crop.shape[0])))
    return pieces, whole.to_canvas


def read_strokes(
    strokes: Sequence[NDArray[np.float64]],
    brush_width: float,
    predict: Predict,
    thresholds: Thresholds,
    *,
    max_digits: int,
) -> NumberReading:
    """Read the number drawn as strokes: grouped into digits, a group split when it is still two
    touching digits, one engine call. Boxes are in canvas pixels.

    Raises:
        TooManyDigitsError: more than ``max_digits`` groups.
    """
    pieces, to_canvas = stroke_pieces(strokes, brush_width)
    return read_pieces(pieces, predict, thresholds, max_digits=max_digits, to_input=to_canvas)
