"""Reading a whole number: pieces of the drawing, each through the single-digit path, in one call.

From an image (:func:`read_image`): white ink on black (:func:`digits.preprocessing.to_ink`),
connected components merged where they belong together
(:func:`digits.numbers.segmentation.components`), touching digits split by segmentation by
recognition (:func:`segment_by_recognition`: over-segmentation into cut paths, every candidate
segment read by the classifier in one engine call, a dynamic programme choosing the segments and
their number; Casey and Lecolinet, "A survey of methods and strategies in character
segmentation", 1996). From strokes (:func:`read_strokes`): the strokes grouped into digits by
horizontal overlap and time (:func:`digits.numbers.strokes.group_strokes`), each group painted
alone, then the same segmentation for a group that is still two digits (one stroke through both).

Every piece and every candidate segment becomes the model's 28x28 input through
:func:`digits.preprocessing.normalize_array` (the one preprocessing path); the pieces go through
the engine together in one ``predict_proba`` call, the candidate fragment merges in one more and
the candidate segments in one more, when there are any; :func:`digits.verdict.read` gives each
digit its verdict.
A piece whose verdict is ``not_a_digit`` is reported but left out of the number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from digits.numbers.segmentation import (
    Piece,
    TooManyDigitsError,
    between,
    components,
    contact,
    cut_paths,
    ink_levels,
    line_height,
    union,
)
from digits.numbers.strokes import Raster, group_strokes, rasterise, work_scale
from digits.preprocessing import INK_THRESHOLD, normalize_array, to_ink
from digits.verdict import Readings, Thresholds, Verdict, not_digit_score, read

Predict = Callable[[NDArray[np.float32]], NDArray[np.float32]]
"""An engine's ``predict_proba``: (N, 28, 28, 1) float32 in [0, 1] -> (N, 10 or 11) probabilities."""

WORK_SIDE = 640
"""A larger image is shrunk so its longer side is this many pixels before it is cut into digits
(a digit needs 20 px; labelling costs by the pixel)."""
SPLIT_ASPECT = 1.5
"""A piece wider than this share of its height is segmented (single digits almost never are: the 99th
percentile of single MNIST and optdigits pieces is 1.32, ``python -m digits.evaluation.numbers``'s sets) ..."""
DOUBTFUL_ASPECT = 0.6
"""... and so is a piece wider than this share that does not read well (:data:`WELL_READ`): a 1
touching a 9 is 0.88 as wide as tall, two thick 1s touching 0.6 (read whole, often "not a digit");
the segmentation keeps the piece whole when it reads best whole. At 1.1 (two touching MNIST digits
are wider than 1.07 in 95 % of cases), touching 4-digit development numbers (``--seed 1``) read
1-10 points fewer exactly. 0.75 (before), 0.65 and 0.6 were measured on development numbers
(``python -m digits.evaluation.numbers --count 100``, mean exact share of the six touching sets
from pixels): on seeds 1 and 2, 89.2, 89.6 and 89.8 % (separated 92.4, 92.3 and 92.3 %; 0.5,
with cut positions every 0.25 of the height: 89.8 and 92.2 %); 0.6 on seeds 3 and 4: 88.0 ->
88.6 %, separated and non-digits refused level."""
WELL_READ = 0.9
"""A piece reads well when its top digit's probability times P(a digit) is at least this."""
SYMBOL_CUT_READ = 0.9
"""A piece read as not a digit and narrower than :data:`SPLIT_ASPECT` is cut only into segments
that each read at least this well (the score of :data:`WELL_READ`): the strokes of a letter read
as 1s and 7s."""
PAIR_ASPECT = 1.1
"""... unless it is at least this wide (share of its height; two touching MNIST digits are wider
than 1.07 in 95 % of cases, a single one narrower than 1.32 in 99 %) and cut in two: then each
half need only read at least :data:`PAIR_CUT_READ`. The segmenter reads touching digits as not a
digit, as it reads a symbol; the answering model reads the halves of touching digits less surely
than whole ones (a 3 whose neighbour's stroke ends against it, 0.88), which the bar of
:data:`SYMBOL_CUT_READ` refused, leaving the pair one "not a digit"."""
PAIR_CUT_READ = 0.5
"""The score each of the two segments of a piece read as not a digit, between :data:`PAIR_ASPECT`
and :data:`SPLIT_ASPECT` wide, must reach. Measured on development numbers (``--seed 1`` and
``--seed 2``, ``python -m digits.evaluation.numbers --count 100``): 0.9 (the bar before), 0.8,
0.7, 0.6, 0.5 and 0; 0.5 and below read the most touching numbers exactly (optdigits 1-8 digits
78 -> 84 % on both seeds); a cut into three (a spiral read 1, 5, 1, an m read 1, 1) keeps the
bar of :data:`SYMBOL_CUT_READ`, which kept the share of non-digits refused among digits (91 % on
both seeds; 88-91 % with three allowed)."""
MERGE_ASPECT = 1.25
"""Two neighbouring pieces are tried as one digit when their union is at most this wide (share of
its height): 1.1 (before) and 1.25 were measured on development numbers (as for
:data:`DOUBTFUL_ASPECT`): separated numbers 92.4 -> 92.6 % exactly on seeds 1 and 2 and 93.0 ->
93.2 % on seeds 3 and 4 (a wide digit whose stroke came apart), touching ones level or better."""


@dataclass(frozen=True)
class Segmenter:
    """The model that decides how a written number is cut, when it is not the answering model.

    Its readings of the pieces, of neighbours joined and of the candidate segments of touching
    digits choose the digits (:func:`merge_fragments`, :func:`segment_by_recognition`); the
    answering model then reads the digits chosen. ``digits.engines.registry.ModelSpec.segmenter``
    names it: the served CNN fine-tuned with two touching digits as "not a digit"
    (:func:`digits.numbers.synthetic.touching_pairs`), which the answering model reads as one
    confident digit (a 1 against a 6 reads 6), in its int8-weight export (0.18 ms a digit).

    Attributes:
        predict: its ``predict_proba``: (N, 28, 28, 1) float32 in [0, 1] -> (N, 11) probabilities.
        thresholds: its own calibrated verdict thresholds (:mod:`digits.verdict`).
    """

    predict: Predict
    thresholds: Thresholds


@dataclass(frozen=True)
class DigitReading:
    """One piece of a number and what the model read in it.

    Attributes:
        digit: the most probable digit, 0-9 (only the closest digit when ``verdict`` is ``not_a_digit``).
        confidence: its probability among the digits, in [0, 1].
        probabilities: (10,) float64, the digits' probabilities given a digit (sums to 1).
        not_a_digit: the out-of-distribution score in [0, 1] (:func:`digits.verdict.not_digit_score`).
        verdict: ``digit``, ``uncertain`` or ``not_a_digit`` (also for a piece under
            :data:`PUNCTUATION_HEIGHT` of the line's height: a point, a comma, a dash).
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
    final: bool = False  # ``row`` is the answering model's (not a segmenter's)

    @property
    def score(self) -> float:
        """How well the piece reads as one digit: top digit probability times P(a digit)."""
        assert self.row is not None
        digits = self.row[:10].astype(np.float64)
        total = float(self.row.sum())
        is_digit = float(digits.sum()) / total if total > 0 else 0.0
        return float(digits.max() / max(float(digits.sum()), 1e-12)) * is_digit

    @property
    def path_score(self) -> float:
        """What the piece adds to a segmentation as one digit: :func:`_segment_score` less
        :data:`SEGMENT_COST`."""
        assert self.row is not None
        return _segment_score(self.row) - SEGMENT_COST


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


def _not_a_digit(r: _Read, thresholds: Thresholds) -> bool:
    assert r.row is not None
    return float(not_digit_score(r.row[None, :])[0]) >= thresholds.not_a_digit


MAX_SEGMENT_WIDTH = 1.4
"""A segment is at most this many times the piece's height wide (between its cut paths, at
mid-height): the 99th percentile of single MNIST and optdigits pieces is 1.32 (see
:data:`SPLIT_ASPECT`). The whole piece is always a candidate, however wide."""
MIN_SEGMENT_HEIGHT = 0.65
"""A segment's ink is at least this share of the piece's height tall: digits written in one go
differ in height by about 15 % and in baseline by about 8 % of a digit (the evaluation sets'
jitter, :mod:`digits.numbers.synthetic`), so the shortest of touching digits is about
0.85 / (1.15 + 0.16) = 0.65 of their piece; shorter ink is a part of a digit (half a loop, a
stroke's end), which the classifier would still read confidently as a 1 or a 7."""
SEGMENT_COST = 0.5
"""Subtracted from the path's score per segment (an insertion penalty, as word recognisers have):
the classifier reads most parts of a digit as confidently as the digit, so without it the
programme cuts digits apart. 0, 0.5, 1 and 2 were measured on development numbers (``--seed 1``,
touching 4-digit numbers of all three sources): 0 cut digits apart, 1 and 2 swallowed narrow 1s
into their neighbours; 0.5 was best or level on each source. Without the shape prior (see
:func:`_segment_score`), 0.35, 0.5, 0.75 and 1 read the touching sets of seeds 1 and 2 within 0.2
points of each other (89.2-89.4 %, cut positions every 0.25 of the height then), so 0.5 stayed."""
FLOOR = 1e-6
"""Smallest probability taken into a logarithm."""
PUNCTUATION_HEIGHT = 0.5
"""A piece less than this share of the line's height tall (:func:`digits.numbers.segmentation.line_height`
of the pieces read) is answered ``not_a_digit``, whatever the model reads in it: a decimal point, a
comma, a dash, which the model, seeing each alone scaled up to a digit's size, reads as a 1 or a 7
("1,000" drawn as strokes read "11000"). Digits written in one go differ in height by about 15 %
(see :data:`MIN_SEGMENT_HEIGHT`), so the shortest is about 0.75 of the tallest."""


def _segment_score(row: NDArray[np.float32]) -> float:
    """How well a segment reads as one digit: log P(d) of its best digit d, of all classes, so
    "not a digit" lowers it.

    No shape prior: a Gaussian of log(width / height) per digit fitted to MNIST's training digits,
    weighted 0.5, 0.35, 0.25, 0.1 and 0 against the log-probability, was measured on development
    numbers (``--seed 1`` and ``--seed 2``, ``python -m digits.evaluation.numbers --count 100``):
    at 0, touching numbers from pixels read 86.8 -> 89.2 % exactly (mean of the six sets), a
    non-digit among digits was refused 91.0 -> 92.5 %, and separated numbers 92.3 -> 92.4 %; the
    same without the segmenter (82.5 -> 82.9 %, 91.8 -> 92.5 %). The segmenter reads two touching
    digits as not a digit, and the slanted digits of written numbers are wider and narrower than
    MNIST's upright ones: the prior cut a narrow 0 into two 1s, and joined a 1 to its neighbour.
    """
    p = row.astype(np.float64) / max(float(row.sum()), FLOOR)
    return float(np.log(max(float(p[:10].max()), FLOOR)))


def _candidate_segments(r: _Read, line: float) -> tuple[int, dict[tuple[int, int], _Read]]:
    """The cut paths of a piece (:func:`digits.numbers.segmentation.cut_paths`) and every segment
    between two of them (or an edge) that may be one digit: at most :data:`MAX_SEGMENT_WIDTH` of the
    piece's height wide, at least :data:`MIN_SEGMENT_HEIGHT` of the piece's height and of ``line``
    (the line's height, :func:`digits.numbers.segmentation.line_height`) tall. Returns the number
    of nodes (cuts plus both edges) and the segments by (left node, right node); the whole piece
    (first, last) is ``r`` itself."""
    piece = r.piece
    h, w = piece.ink.shape
    bounds: list[NDArray[np.float64] | None] = [None, *cut_paths(piece), None]
    middles = [0.0, *(float(b[h // 2]) for b in bounds[1:-1] if b is not None), float(w)]
    n = len(bounds)
    segments: dict[tuple[int, int], _Read] = {(0, n - 1): r}
    shortest = MIN_SEGMENT_HEIGHT * max(h, line)
    if h < shortest:  # a piece shorter than the line's digits (a dash, a scribble) is not cut
        return n, segments
    for i in range(n - 1):
        for j in range(i + 1, n):
            if (i, j) == (0, n - 1):
                continue
            if middles[j] - middles[i] > MAX_SEGMENT_WIDTH * h:
                break
            seg = between(piece, bounds[i], bounds[j])
            if seg is None or seg.box[3] < shortest:
                continue
            segments[(i, j)] = _Read(seg, _model_input(seg))
    return n, segments


def _best_path(n: int, segments: dict[tuple[int, int], _Read], most: int) -> list[_Read]:
    """At most ``most`` segments from the first node to the last whose scores
    (:func:`_segment_score`, less :data:`SEGMENT_COST` each) sum highest."""
    most = max(1, most)
    best = np.full((most + 1, n), -np.inf)  # [segments used, node]
    back: dict[tuple[int, int], tuple[int, int]] = {}
    best[0, 0] = 0.0
    for (i, j), seg in sorted(segments.items(), key=lambda item: item[0][1]):
        score = seg.path_score
        for k in range(most):
            if np.isfinite(best[k, i]) and best[k, i] + score > best[k + 1, j]:
                best[k + 1, j] = best[k, i] + score
                back[(k + 1, j)] = (i, j)
    k = int(np.argmax(best[:, n - 1]))
    if not np.isfinite(best[k, n - 1]):
        return [segments[(0, n - 1)]]
    path: list[_Read] = []
    node = n - 1
    while node > 0:
        step = back[(k, node)]
        path.append(segments[step])
        node, k = step[0], k - 1
    return path[::-1]


def segment_by_recognition(
    reads: list[_Read],
    predict: Predict,
    thresholds: Thresholds,
    max_digits: int,
    answer: tuple[Predict, Thresholds] | None = None,
) -> list[_Read]:
    """Split the pieces that may hold touching digits (every read must have its probabilities).

    A piece wider than :data:`SPLIT_ASPECT` of its height, or wider than
    :data:`DOUBTFUL_ASPECT` and not read well, is over-segmented
    (:func:`_candidate_segments`); every candidate segment of every such piece is read in one
    engine call, and a dynamic programme over the cut paths picks the segments, and so the number
    of digits, whose scores (:func:`_segment_score`, less :data:`SEGMENT_COST` each) sum highest
    (the whole piece is one of the choices). A piece read as not a digit (``thresholds``: a symbol,
    or touching digits) is replaced only by segments that all read as digits, and when narrower
    than :data:`SPLIT_ASPECT`, that all read well (:data:`SYMBOL_CUT_READ`; :data:`PAIR_CUT_READ` for
    a cut in two of a piece at least :data:`PAIR_ASPECT` wide), by ``answer`` (the
    answering model's ``predict_proba`` and thresholds, one more engine call for all) when the cuts are
    decided by another model (:class:`Segmenter`, which reads two touching digits as not a
    digit, and their halves less surely). The cuts add at most ``max_digits`` less the number of
    pieces, in all.
    """
    wide = [i for i, r in enumerate(reads) if _needs_cut(r)]
    if not wide:
        return reads
    line = line_height([r.piece.box for r in reads])
    found = {i: _candidate_segments(reads[i], line) for i in wide}
    _predict([seg for _, segments in found.values() for seg in segments.values()], predict)
    paths: list[list[_Read]] = []
    spare = max(0, max_digits - len(reads))  # digits the cuts may add in all
    for i, r in enumerate(reads):
        paths.append(_best_path(*found[i], most=spare + 1) if i in found else [r])
        spare -= len(paths[-1]) - 1
    # A symbol is cut only into digits (its strokes alone read as 7s and 1s); one no wider than a
    # digit or two, only into digits that read well.
    symbols = [i for i, path in enumerate(paths) if len(path) > 1 and _not_a_digit(reads[i], thresholds)]
    limits = thresholds
    if answer is not None and symbols:
        for i in symbols:
            paths[i] = [_Read(seg.piece, seg.image, final=True) for seg in paths[i]]
        _predict([seg for i in symbols for seg in paths[i]], answer[0])  # one call for all of them
        limits = answer[1]
    for i in symbols:
        aspect = reads[i].piece.aspect
        bar = SYMBOL_CUT_READ
        if aspect >= SPLIT_ASPECT:
            bar = 0.0
        elif aspect >= PAIR_ASPECT and len(paths[i]) == 2:  # a spiral, an m cut in three stay at the bar
            bar = PAIR_CUT_READ
        if any(_not_a_digit(seg, limits) or seg.score < bar for seg in paths[i]):
            paths[i] = [reads[i]]
    return [seg for path in paths for seg in path]


def merge_fragments(reads: list[_Read], predict: Predict) -> list[_Read]:
    """Join neighbouring pieces that read better as one digit (every read must have its probabilities).

    Neighbours (left to right) of which one does not read well (:data:`WELL_READ`), or whose inks
    touch (:func:`digits.numbers.segmentation.contact`: stroke groups, as pieces from pixels that
    touch are one already), and whose union is at most :data:`MERGE_ASPECT` as wide as tall are
    read as one piece, all in one engine call. A union replaces the pair when it reads better than
    the pair, best first, each piece joining at most one union: for a pair that does not read well,
    better than the product of their scores; for touching pieces that both read well, better on
    the segmentation's own score (:func:`_segment_score` less :data:`SEGMENT_COST` per digit, as
    :func:`_best_path` weighs one digit against two). A 9 written as a loop and a slanted stem
    that touches it (two stroke groups, each read surely as 0 and 1) is one digit by that score,
    as the stem is far narrower than a 1 and the loop's 0 pays one more digit's cost; a 1 touching
    a 0 stays "10". Measured on development numbers (``--seed 1``): separated and touching 1-8
    digit numbers drawn as strokes 92.7 -> 93.8 % and 91.7 -> 92.7 % exact, no set lower.
    """
    pairs = []
    touching: set[int] = set()
    for i in range(len(reads) - 1):
        a, b = reads[i], reads[i + 1]
        if min(a.score, b.score) >= WELL_READ:
            if contact(a.piece, b.piece) == 0:
                continue
            touching.add(i)
        both = union(a.piece, b.piece)
        if both.aspect <= MERGE_ASPECT:
            pairs.append((i, _Read(both, _model_input(both))))
    if not pairs:
        return reads
    _predict([r for _, r in pairs], predict)
    taken: dict[int, _Read] = {}
    for i, joined in sorted(pairs, key=lambda pair: -pair[1].score):
        if i in taken or i + 1 in taken:
            continue
        if i in touching:
            if joined.path_score <= reads[i].path_score + reads[i + 1].path_score:
                continue
        elif joined.score <= reads[i].score * reads[i + 1].score:
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
    segmenter: Segmenter | None = None,
) -> NumberReading:
    """Read pieces (left to right) as a number.

    Args:
        pieces: the drawing's pieces, left to right.
        predict: the engine's ``predict_proba``: it reads every digit of the answer.
        thresholds: where the verdicts change (the model's, :mod:`digits.verdict`).
        max_digits: most pieces a number may have.
        split: join fragments (:func:`merge_fragments`) and split touching digits
            (:func:`segment_by_recognition`), each a further engine call when there is a candidate.
        to_input: maps a piece's box to the input's pixels (identity when ``None``).
        segmenter: the model that decides the cuts, when not ``predict`` (:class:`Segmenter`):
            it reads the pieces and every candidate; ``predict`` reads the digits chosen, in the
            final call, and checks a cut of a piece the segmenter reads as not a digit
            (:func:`segment_by_recognition`).

    Raises:
        TooManyDigitsError: more than ``max_digits`` pieces.
    """
    if len(pieces) > max_digits:
        raise TooManyDigitsError(
            f"the drawing has {len(pieces)} separate pieces; a number has at most {max_digits} digits"
        )
    reads = [_Read(p, _model_input(p)) for p in pieces]
    decide = segmenter.predict if segmenter else predict
    _predict(reads, decide)
    if split:
        reads = merge_fragments(reads, decide)
        if segmenter is None:
            reads = segment_by_recognition(reads, predict, thresholds, max_digits)
        else:
            reads = segment_by_recognition(reads, decide, segmenter.thresholds, max_digits, (predict, thresholds))
    if segmenter is not None:
        for r in reads:
            if not r.final:
                r.row = None  # read by the answering model below
    if len(reads) > max_digits:
        raise TooManyDigitsError(f"the drawing reads as {len(reads)} digits; a number has at most {max_digits}")
    reads.sort(key=lambda r: r.piece.box[0] + r.piece.box[2] / 2.0)
    _predict(reads, predict)
    rows = np.stack([r.row for r in reads if r.row is not None]) if reads else np.zeros((0, 11), np.float32)
    readings: Readings = read(rows, thresholds)
    shortest = PUNCTUATION_HEIGHT * line_height([r.piece.box for r in reads]) if reads else 0.0
    digits = [
        DigitReading(
            digit=int(readings.digits[k]),
            confidence=float(readings.confidences[k]),
            probabilities=readings.probabilities[k],
            not_a_digit=float(readings.not_a_digit[k]),
            verdict="not_a_digit" if r.piece.box[3] < shortest else readings.verdicts[k],
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


CROP_MARGIN = 0.1
"""Before it is cut, the image is cropped to its ink plus this share of the ink's larger side on each
side (background enough for :func:`digits.numbers.segmentation.ink_levels` to read at the border)."""


def image_pieces(
    img: Image.Image, max_pieces: int = 64
) -> tuple[list[Piece], Callable[[tuple[int, int, int, int]], tuple[int, int, int, int]]]:
    """An image of a written number -> its pieces before any split, and the map from a piece's box
    to the input's pixels.

    The image (white ink on black, :func:`digits.preprocessing.to_ink`) is cropped to its ink plus
    a margin (:data:`CROP_MARGIN`) before it is shrunk to at most :data:`WORK_SIDE` px, so a
    number written small in a large photo keeps its resolution (a 4-digit number 180 px wide in a
    3000 px image: its digits were 9 px tall when cut, now 36-47 px;
    ``test_a_number_written_small_in_a_large_photo_is_cut_at_its_own_resolution``).

    Raises:
        EmptyImageError: the image has no ink.
    """
    gray, _ = to_ink(img)
    x0, y0 = 0, 0
    ink = gray > INK_THRESHOLD * float(gray.max())
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) > 0:
        margin = max(2, round(CROP_MARGIN * max(rows[-1] - rows[0], cols[-1] - cols[0])))
        y0, y1 = max(0, int(rows[0]) - margin), min(gray.shape[0], int(rows[-1]) + margin + 1)
        x0, x1 = max(0, int(cols[0]) - margin), min(gray.shape[1], int(cols[-1]) + margin + 1)
        gray = gray[y0:y1, x0:x1]
    height, width = gray.shape
    scale = min(1.0, WORK_SIDE / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        gray = np.asarray(Image.fromarray(gray, mode="F").resize(size, Image.Resampling.BOX), dtype=np.float32)

    def to_input(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x, y, w, h = box
        left, top = int(np.floor(x / scale)), int(np.floor(y / scale))
        return x0 + left, y0 + top, int(np.ceil((x + w) / scale)) - left, int(np.ceil((y + h) / scale)) - top

    return components(ink_levels(gray), max_pieces), to_input


def read_image(
    img: Image.Image,
    predict: Predict,
    thresholds: Thresholds,
    *,
    max_digits: int,
    segmenter: Segmenter | None = None,
) -> NumberReading:
    """Read the number written in an image (pixels): components, merges, splits, one engine call.

    Boxes are in the image's pixels (after its EXIF orientation is applied). ``segmenter``:
    as :func:`read_pieces`'s.

    Raises:
        EmptyImageError: the image has no ink.
        TooManyDigitsError: more than ``max_digits`` pieces.
    """
    pieces, to_input = image_pieces(img, max_pieces=4 * max_digits)
    return read_pieces(pieces, predict, thresholds, max_digits=max_digits, to_input=to_input, segmenter=segmenter)


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
    return join_short_groups(pieces), whole.to_canvas


def join_short_groups(pieces: list[Piece]) -> list[Piece]:
    """Stroke groups too short to be a digit, joined to the group their ink touches.

    A group whose ink is less than :data:`MIN_SEGMENT_HEIGHT` of the line's height
    (:func:`digits.numbers.segmentation.line_height`) tall is a part of a digit, as for the
    segments of touching digits: the bowl of a slanted 5 that overlaps its upright too little, one
    half of an 8 drawn in two strokes, the bar of a 4 written apart. When its ink touches another
    group's (:func:`digits.numbers.segmentation.contact`) it joins the one it touches most, until
    none is left; a short group that touches nothing (a dot, a dash) stays as it is. Connected
    pieces from pixels are one component already, so only strokes need this.

    Args:
        pieces: the groups' pieces, boxes in one drawing's pixels.

    Returns:
        The pieces, ordered left to right by the centre of their box.
    """
    pieces = list(pieces)
    if len(pieces) > 1:
        shortest = MIN_SEGMENT_HEIGHT * line_height([p.box for p in pieces])
        joined = True
        while joined:
            joined = False
            for i, piece in enumerate(pieces):
                if piece.box[3] >= shortest:
                    continue
                touching = [(contact(piece, other), j) for j, other in enumerate(pieces) if j != i]
                most, j = max(touching)
                if most > 0:
                    pieces[min(i, j)] = union(piece, pieces[j])
                    del pieces[max(i, j)]
                    joined = True
                    break
    return sorted(pieces, key=lambda p: p.box[0] + p.box[2] / 2.0)


def read_strokes(
    strokes: Sequence[NDArray[np.float64]],
    brush_width: float,
    predict: Predict,
    thresholds: Thresholds,
    *,
    max_digits: int,
    segmenter: Segmenter | None = None,
) -> NumberReading:
    """Read the number drawn as strokes: grouped into digits, a group split when it is still two
    touching digits, one engine call. Boxes are in canvas pixels. ``segmenter``:
    as :func:`read_pieces`'s.

    Raises:
        TooManyDigitsError: more than ``max_digits`` groups.
    """
    pieces, to_canvas = stroke_pieces(strokes, brush_width)
    return read_pieces(pieces, predict, thresholds, max_digits=max_digits, to_input=to_canvas, segmenter=segmenter)
