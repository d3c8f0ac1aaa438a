"""Cutting a written number into digit pieces, from pixels.

Steps of :func:`components` (on white ink on black, :func:`ink_levels`):
    1. connected components of the ink (8-connected, above :data:`digits.preprocessing.INK_THRESHOLD`),
       with specks (tiny, isolated) dropped;
    2. merged where they belong together: pieces whose horizontal extents overlap by at least
       :data:`MERGE_OVERLAP` of the narrower one (the flag of a 5, the two strokes of a 4, a
       stroke broken across), and small pieces next to a digit (a broken-off end of a stroke).

A piece that may hold touching digits is then over-segmented: :func:`cut_paths` gives straight cut
paths at the valleys of its column profile and of its upper and lower contours and at regular
spacing, each at the slope crossing the least ink; :func:`between` is the ink between two of
them. Which segments are digits is chosen by the classifier (:func:`digits.numbers.reader.segment_by_recognition`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, signal

from digits.preprocessing import INK_THRESHOLD, MIN_CONTRAST, EmptyImageError

MERGE_OVERLAP = 0.5
"""Pieces whose horizontal extents overlap by this share of the narrower one are one digit."""
SMALL_PIECE = 0.35
"""A piece whose larger side is below this share of the line's height is a fragment ..."""
NEAR_PIECE = 0.3
"""... and joins the nearest piece when it is within this share of the line's height."""
SPECK = 0.004
"""A fragment with less than this share of the ink, and not near any piece, is dropped (noise)."""


@dataclass(frozen=True)
class Piece:
    """A part of the drawing taken to be one digit.

    Attributes:
        ink: (h, w) float32 in [0, 1], white ink on black: only this piece's ink, cropped to it.
        box: (x, y, width, height) of ``ink`` in the drawing's pixels.
    """

    ink: NDArray[np.float32]
    box: tuple[int, int, int, int]

    @property
    def aspect(self) -> float:
        """Width over height of the piece's box."""
        return self.box[2] / max(self.box[3], 1)


def ink_levels(gray: NDArray[np.float32]) -> NDArray[np.float32]:
    """Step 4 of :func:`digits.preprocessing.normalize_array` on a whole drawing: the border's
    level (the background) to 0, the brightest ink to 1.

    Raises:
        EmptyImageError: no pixel stands out from the background by ``MIN_CONTRAST``.
    """
    border = np.concatenate([gray[0, :], gray[-1, :], gray[:, 0], gray[:, -1]])
    background = float(np.median(border))
    peak = float(gray.max())
    if peak - background < MIN_CONTRAST:
        raise EmptyImageError("the image has no ink: write a number (or upload one) and try again")
    ink: NDArray[np.float32] = np.clip((gray - background) / (peak - background), 0.0, 1.0).astype(np.float32)
    return ink


def _crop(ink: NDArray[np.float32], keep: NDArray[np.bool_], offset: tuple[int, int]) -> Piece | None:
    """The ink where ``keep`` (a mask of ``ink``'s shape) holds, cropped to it; ``offset`` (x, y)
    of ``ink`` in the drawing. ``None`` when nothing is kept."""
    rows = np.flatnonzero(keep.any(axis=1))
    cols = np.flatnonzero(keep.any(axis=0))
    if len(rows) == 0:
        return None
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    piece = np.where(keep[top:bottom, left:right], ink[top:bottom, left:right], np.float32(0.0))
    return Piece(piece.astype(np.float32, copy=False), (offset[0] + left, offset[1] + top, right - left, bottom - top))


def _gap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Distance between two boxes (0 when they touch or overlap), pixels."""
    dx = max(0, max(a[0], b[0]) - min(a[0] + a[2], b[0] + b[2]))
    dy = max(0, max(a[1], b[1]) - min(a[1] + a[3], b[1] + b[3]))
    return float(np.hypot(dx, dy))


def _x_overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    shared = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    return max(0, shared) / max(min(a[2], b[2]), 1)


def line_height(boxes: list[tuple[int, int, int, int]]) -> float:
    """The height of the line of digits: the median height of the pieces at least 40 % as tall as
    the tallest, pixels."""
    heights = np.array([b[3] for b in boxes], dtype=np.float64)
    return float(np.median(heights[heights >= 0.4 * heights.max()]))


def union(a: Piece, b: Piece) -> Piece:
    """One piece holding the ink of both (their boxes in the same drawing's pixels)."""
    x0, y0 = min(a.box[0], b.box[0]), min(a.box[1], b.box[1])
    x1 = max(a.box[0] + a.box[2], b.box[0] + b.box[2])
    y1 = max(a.box[1] + a.box[3], b.box[1] + b.box[3])
    ink = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
    for p in (a, b):
        x, y, w, h = p.box
        region = ink[y - y0 : y - y0 + h, x - x0 : x - x0 + w]
        np.maximum(region, p.ink, out=region)
    return Piece(ink, (x0, y0, x1 - x0, y1 - y0))


def contact(a: Piece, b: Piece) -> int:
    """How much two pieces' inks touch: the pixels of ``b``'s ink (above
    :data:`digits.preprocessing.INK_THRESHOLD`) on or next to (8-connected) a pixel of ``a``'s ink;
    0 when they do not touch. Both boxes are in the same drawing's pixels."""
    ax, ay, aw, ah = a.box
    bx, by, bw, bh = b.box
    x0, x1 = max(ax - 1, bx), min(ax + aw + 1, bx + bw)
    y0, y1 = max(ay - 1, by), min(ay + ah + 1, by + bh)
    if x0 >= x1 or y0 >= y1:
        return 0
    grown = ndimage.binary_dilation(np.pad(a.ink > INK_THRESHOLD, 1), structure=np.ones((3, 3), dtype=bool))
    near_a = grown[y0 - ay + 1 : y1 - ay + 1, x0 - ax + 1 : x1 - ax + 1]
    ink_b = b.ink[y0 - by : y1 - by, x0 - bx : x1 - bx] > INK_THRESHOLD
    return int(np.count_nonzero(near_a & ink_b))


class TooManyDigitsError(ValueError):
    """The drawing has more digit pieces than the limit (``code``: ``too_many_digits``)."""

    code = "too_many_digits"


def components(ink: NDArray[np.float32], max_pieces: int = 64) -> list[Piece]:
    """The drawing's digit pieces before any split, left to right (steps 1-2 above).

    Args:
        ink: (H, W) float32 in [0, 1], white ink on black, background 0 (:func:`ink_levels`).
        max_pieces: most components left after specks are dropped (the merges cost the square
            of their number: noise, a texture, is refused rather than searched).

    Returns:
        Pieces ordered by the centre of their box, left to right; at least one when ``ink`` has
        a pixel above the ink threshold.

    Raises:
        TooManyDigitsError: more than ``max_pieces`` components.
    """
    mask = ink > INK_THRESHOLD
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return []
    slices = ndimage.find_objects(labels)
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    boxes = [(s[1].start, s[0].start, s[1].stop - s[1].start, s[0].stop - s[0].start) for s in slices]
    height = line_height(boxes)
    total = float(areas.sum())
    kept = list(range(count))
    if count > max_pieces:  # noise or a texture: drop its specks (tiny and small) at once first
        kept = [i for i in kept if areas[i] >= SPECK * total or max(boxes[i][2:]) >= SMALL_PIECE * height]
    if len(kept) > max_pieces:
        raise TooManyDigitsError(f"the drawing has {len(kept)} separate pieces (at most {max_pieces} are searched)")
    groups: list[list[int]] = [[i] for i in kept]
    group_boxes = [boxes[i] for i in kept]

    def union(i: int, j: int) -> None:
        a, b = group_boxes[i], group_boxes[j]
        x0, y0 = min(a[0], b[0]), min(a[1], b[1])
        x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
        group_boxes[i] = (x0, y0, x1 - x0, y1 - y0)
        groups[i] += groups[j]
        del groups[j], group_boxes[j]

    changed = True
    while changed and len(groups) > 1:
        changed = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if _x_overlap(group_boxes[i], group_boxes[j]) >= MERGE_OVERLAP:
                    union(i, j)
                    changed = True
                    break
            if changed:
                break
        if changed:
            continue
        for i in range(len(groups)):
            if max(group_boxes[i][2], group_boxes[i][3]) >= SMALL_PIECE * height:
                continue
            others = [j for j in range(len(groups)) if j != i]
            if not others:
                break
            nearest = min(others, key=lambda j: _gap(group_boxes[i], group_boxes[j]))
            if _gap(group_boxes[i], group_boxes[nearest]) <= NEAR_PIECE * height:
                union(min(i, nearest), max(i, nearest))
                changed = True
                break
            if sum(int(areas[k]) for k in groups[i]) < SPECK * total:
                del groups[i], group_boxes[i]
                changed = True
                break

    # Each piece: its components' ink plus the faint anti-aliased edge around them (1 px).
    pieces = []
    for members, box in zip(groups, group_boxes, strict=True):
        x, y, w, h = box
        x0, y0 = max(0, x - 1), max(0, y - 1)
        x1, y1 = min(ink.shape[1], x + w + 1), min(ink.shape[0], y + h + 1)
        local = labels[y0:y1, x0:x1]
        own = np.isin(local, np.asarray(members) + 1)
        keep = ndimage.binary_dilation(own) & ((local == 0) | own)
        piece = _crop(ink[y0:y1, x0:x1], keep, (x0, y0))
        if piece is not None:
            pieces.append(piece)
    pieces.sort(key=lambda p: p.box[0] + p.box[2] / 2.0)
    return pieces


PATH_SLANTS = (0.0, -0.15, 0.15, -0.3, 0.3)
"""Slopes (columns per row) a cut path may take; each position keeps the one crossing the least ink.
The synthetic numbers are slanted up to 0.25 (:data:`digits.numbers.synthetic.MAX_SLANT`), MNIST's
own digits about as much: 0.3 covers both."""
PATH_SPACING = 0.4
"""Besides the valleys, cut positions are spread every this share of the piece's height (a
narrow 1 is 0.15-0.4 of its height wide in MNIST, so a boundary without a valley still has a
position within about a 1's width of it). Measured on development numbers (``--seed 1`` and
``--seed 2``, ``python -m digits.evaluation.numbers --count 100``, mean exact share of the six
touching sets from pixels): 0.25 89.2 %, 0.33 89.2 %, 0.4 89.2 %, 0.5 89.1 %, 0.6 89.2 %; a
non-digit among digits refused 92.5 % at 0.25, 93.0 % above. 0.4 makes 19-31 % fewer candidate
segments than 0.25 (touching 4-digit numbers of ``--seed 0``), and so reads them 17-25 % faster.
(With the shape prior the segmentation had before, 0.4 cut glued MNIST digits of
``tests/digits/test_numbers.py`` apart: 284 read as 2874; without it they read right.)"""
PATH_MIN_GAP = 0.06
"""Cut positions closer than this share of the piece's height (at mid-height) are one position:
the valley's, or the one crossing less ink."""


def _local_minima(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Indices where ``values`` is below both neighbours (a plateau: its middle), by SciPy's
    ``find_peaks`` on the negated values."""
    peaks, _ = signal.find_peaks(-values)
    return np.asarray(peaks, dtype=np.int64)


def cut_paths(piece: Piece) -> list[NDArray[np.float64]]:
    """Where a piece may be cut between digits: straight cut paths, left to right.

    Positions (columns of the piece): the local minima of the column profile (ink per column,
    smoothed), the valleys of the upper contour (where the top of the ink dips) and of the lower
    contour (where its bottom rises), and every :data:`PATH_SPACING` of the height; each through
    the row of its valley (mid-height for the others) at the slope of :data:`PATH_SLANTS` that
    crosses the least ink. Positions within :data:`PATH_MIN_GAP` of the height are one.

    Returns:
        For each cut, (h,) float64: the column per row left of which the pixels are the left
        side (``column < bound[row]``), ordered by the column at mid-height. The piece's own edges
        are not included.
    """
    ink = piece.ink
    h, w = ink.shape
    mask = ink > INK_THRESHOLD
    rows = np.arange(h, dtype=np.float64)
    margin = max(2, round(0.05 * h))
    if w < 2 * margin + 2:
        return []
    profile = ndimage.uniform_filter1d(ink.sum(axis=0).astype(np.float64), size=max(3, h // 20))
    inked = mask.any(axis=0)
    top = np.where(inked, mask.argmax(axis=0), h).astype(np.float64)
    bottom = np.where(inked, h - 1 - mask[::-1].argmax(axis=0), -1).astype(np.float64)
    smooth = max(3, h // 25)
    top_s = ndimage.uniform_filter1d(top, size=smooth)
    bottom_s = ndimage.uniform_filter1d(bottom, size=smooth)
    anchors: list[tuple[float, float, int]] = []  # (column, row it passes through, rank: 0 valley, 1 spaced)
    anchors += [(float(c), h / 2.0, 0) for c in _local_minima(profile)]
    anchors += [(float(c), float(min(top[c], h - 1)), 0) for c in _local_minima(-top_s)]
    anchors += [(float(c), float(max(bottom[c], 0)), 0) for c in _local_minima(bottom_s)]
    step = max(2.0, PATH_SPACING * h)
    anchors += [(float(c), h / 2.0, 1) for c in np.arange(step, w - margin, step)]
    options = []
    for column, through, rank in anchors:
        if not margin <= column <= w - margin:
            continue
        best: tuple[float, NDArray[np.float64]] | None = None
        for slant in PATH_SLANTS:
            bound = column + 0.5 + slant * (rows - through)
            cols = np.clip(np.floor(bound).astype(np.int64), 0, w - 1)
            crossed = float(ink[rows.astype(np.int64), cols].sum()) + 0.01 * abs(slant)  # ties: upright
            if best is None or crossed < best[0]:
                best = (crossed, bound)
        assert best is not None
        options.append((rank, best[0], best[1]))
    options.sort(key=lambda o: (o[0], o[1]))
    kept: list[NDArray[np.float64]] = []
    gap = max(2.0, PATH_MIN_GAP * h)
    for _, _, bound in options:
        middle = bound[h // 2]
        if all(abs(middle - other[h // 2]) >= gap for other in kept):
            kept.append(bound)
    kept.sort(key=lambda bound: float(bound[h // 2]))
    return kept


def between(piece: Piece, left: NDArray[np.float64] | None, right: NDArray[np.float64] | None) -> Piece | None:
    """The ink of ``piece`` between two cut paths of :func:`cut_paths` (``None``: the piece's edge),
    cropped; ``None`` when nothing above the ink threshold is left."""
    w = piece.ink.shape[1]
    cols = np.arange(w, dtype=np.float64)[None, :]
    keep = piece.ink > 0
    if left is not None:
        keep &= cols >= left[:, None]
    if right is not None:
        keep &= cols < right[:, None]
    strong = keep & (piece.ink > INK_THRESHOLD)
    if not strong.any():
        return None
    return _crop(piece.ink, keep, (piece.box[0], piece.box[1]))
