"""Cutting a written number into digit pieces, from pixels.

Steps of :func:`components` (on white ink on black, :func:`ink_levels`):
    1. connected components of the ink (8-connected, above :data:`digits.preprocessing.INK_THRESHOLD`),
       with specks (tiny, isolated) dropped;
    2. merged where they belong together: pieces whose horizontal extents overlap by at least
       :data:`MERGE_OVERLAP` of the narrower one (the flag of a 5, the two strokes of a 4, a
       stroke broken across), and small pieces next to a digit (a broken-off end of a stroke).

Touching digits are then split by :func:`cut_candidates`, a search over vertical and slanted cut
positions at the valleys of the ink's column profile, scored by the classifier
(:mod:`digits.numbers.reader`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from digits.preprocessing import INK_THRESHOLD, MIN_CONTRAST, EmptyImageError

MERGE_OVERLAP = 0.5
"""Pieces whose horizontal extents overlap by this share of the narrower one are one digit."""
SMALL_PIECE = 0.35
"""A piece whose larger side is below this share of the line's height is a fragment ..."""
NEAR_PIECE = 0.3
"""... and joins the nearest piece when it is within this share of the line's height."""
SPECK = 0.004
"""A fragment with less than this share of the ink, and not near any piece, is dropped (noise)."""
CUT_SLANTS = (0.0, -0.3, 0.3)
"""Slopes of the cut lines tried (columns per row): upright and slanted either way."""
CUT_RANGE = (0.25, 0.75)
"""Cuts are tried between these shares of the piece's width."""
CUT_VALLEYS = 2
"""How many valleys of the column profile are tried as cut positions (plus the middle)."""


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


def cut(piece: Piece, column: float, slant: float) -> tuple[Piece, Piece] | None:
    """Split a piece along the line ``x = column + slant * (y - h / 2)`` (piece pixels).

    Returns:
        The (left, right) pieces, or ``None`` when either side has no ink.
    """
    h, w = piece.ink.shape
    rows = np.arange(h, dtype=np.float64)[:, None] - h / 2.0
    cols = np.arange(w, dtype=np.float64)[None, :]
    left_side = cols < column + slant * rows
    ink_mask = piece.ink > INK_THRESHOLD
    x, y = piece.box[0], piece.box[1]
    left = _crop(piece.ink, left_side & (piece.ink > 0), (x, y))
    right = _crop(piece.ink, ~left_side & (piece.ink > 0), (x, y))
    if left is None or right is None:
        return None
    if not (ink_mask & left_side).any() or not (ink_mask & ~left_side).any():
        return None
    return left, right


def cut_candidates(piece: Piece) -> list[tuple[Piece, Piece]]:
    """Ways to split a piece into two digits: cuts at the :data:`CUT_VALLEYS` deepest valleys of
    its column profile (the ink per column, smoothed) and at the middle, within
    :data:`CUT_RANGE` of its width, each at every slope of :data:`CUT_SLANTS`."""
    w = piece.ink.shape[1]
    lo, hi = int(w * CUT_RANGE[0]), max(int(w * CUT_RANGE[0]) + 1, int(np.ceil(w * CUT_RANGE[1])))
    profile = ndimage.uniform_filter1d(piece.ink.sum(axis=0), size=max(3, w // 20))[lo:hi]
    valleys = [lo + int(i) for i in np.argsort(profile, kind="stable")]
    columns: list[int] = []
    for column in [*valleys, w // 2]:
        if all(abs(column - c) > max(2, w // 12) for c in columns):
            columns.append(column)
        if len(columns) >= CUT_VALLEYS:
            break
    if w // 2 not in columns:
        columns.append(w // 2)
    candidates = []
    for column in columns:
        for slant in CUT_SLANTS:
            halves = cut(piece, column + 0.5, slant)
            if halves is not None:
                candidates.append(halves)
    return candidates
