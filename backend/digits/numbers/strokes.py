"""Pen strokes (what the canvas records) to ink, and strokes grouped into digits.

A drawing is a list of strokes, each a list of points ``[x, y]`` or ``[x, y, t_ms]`` in canvas
pixels (x to the right, y down; ``t_ms`` the time the point was drawn, in milliseconds from any
origin), oldest stroke first, as the SPA records them.

* :func:`rasterise` paints the strokes with a round brush as white ink on black, with the brush
  model of :func:`digits.data.rendering.brush_ink` (the one the stroke evaluation sets are drawn
  with); the result goes through :func:`digits.preprocessing.normalize_array` like any image.
* :func:`group_strokes` puts the strokes that belong to one digit together: by horizontal
  overlap (the flag of a 5 and the two strokes of a 4 overlap their digit's extent) and time
  (a stroke that follows its digit at once joins it on a smaller overlap).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digits.data.rendering import brush_ink

Strokes = Sequence[Sequence[Sequence[float]]]
"""``[[[x, y] or [x, y, t_ms], ...], ...]``: strokes of points in canvas pixels."""

WORK_HEIGHT = 96.0
"""Strokes are painted scaled so the drawing is at most this many pixels tall (and at most
:data:`WORK_WIDTH` wide): the model sees 20 px, and the brush's distance transform costs by
the pixel."""
WORK_WIDTH = 960.0
GROUP_OVERLAP = 0.5
"""A stroke joins a digit when their horizontal extents overlap by at least this share of the
narrower one (a 4's bar and its upright, a 5's flag and its body)."""
FOLLOW_OVERLAP = 0.3
"""... or by this share when it was drawn right after that digit's last stroke (:data:`FOLLOW_MS`)."""
FOLLOW_MS = 400.0
"""Pen-up time, in milliseconds, under which a stroke follows the previous one at once."""


class StrokesError(ValueError):
    """Strokes that cannot be drawn: ``code`` is ``invalid_strokes`` or ``empty_image``."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class Raster:
    """Strokes painted as ink.

    Attributes:
        ink: (H, W) float32 in [0, 1], white ink on black.
        origin: canvas coordinates (x, y) of the raster's pixel (0, 0)'s corner.
        scale: raster pixels per canvas pixel (<= 1).
    """

    ink: NDArray[np.float32]
    origin: tuple[float, float]
    scale: float

    def to_canvas(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """A raster box ``(x, y, width, height)`` in canvas pixels, rounded outwards."""
        x, y, w, h = box
        x0 = self.origin[0] + x / self.scale
        y0 = self.origin[1] + y / self.scale
        x1 = self.origin[0] + (x + w) / self.scale
        y1 = self.origin[1] + (y + h) / self.scale
        left, top = int(np.floor(x0)), int(np.floor(y0))
        return left, top, int(np.ceil(x1)) - left, int(np.ceil(y1)) - top


def as_arrays(strokes: Strokes) -> list[NDArray[np.float64]]:
    """Strokes to (K, 3) float64 arrays of x, y, t_ms (t = the point's index when not given).

    Raises:
        StrokesError: ``invalid_strokes`` for a point that is not 2 or 3 finite numbers;
            ``empty_image`` when there is no point at all.
    """
    arrays = []
    clock = 0.0
    for index, stroke in enumerate(strokes):
        if len(stroke) == 0:
            continue
        try:
            points = np.asarray(stroke, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise StrokesError("invalid_strokes", f"stroke {index} is not a list of [x, y] or [x, y, t_ms]") from exc
        if points.ndim != 2 or points.shape[1] not in (2, 3):
            raise StrokesError("invalid_strokes", f"stroke {index}: each point is [x, y] or [x, y, t_ms]")
        if not np.isfinite(points).all():
            raise StrokesError("invalid_strokes", f"stroke {index} has a coordinate that is not a finite number")
        if points.shape[1] == 2:
            times = clock + np.arange(len(points), dtype=np.float64)
            points = np.column_stack([points, times])
        clock = float(points[-1, 2]) + 1.0
        arrays.append(points)
    if not arrays:
        raise StrokesError("empty_image", "the strokes hold no point: draw a digit and try again")
    return arrays


def work_scale(strokes: Sequence[NDArray[np.float64]], brush_width: float) -> float:
    """Raster pixels per canvas pixel for these strokes: the largest <= 1 that keeps the drawing,
    brush and margin included, within :data:`WORK_HEIGHT` x :data:`WORK_WIDTH`."""
    points = np.concatenate([s[:, :2] for s in strokes])
    extent = points.max(axis=0) - points.min(axis=0) + 2 * brush_width
    return float(min(1.0, WORK_WIDTH / max(extent[0], 1.0), WORK_HEIGHT / max(extent[1], 1.0)))


def rasterise(strokes: Sequence[NDArray[np.float64]], brush_width: float, scale: float | None = None) -> Raster:
    """Paint strokes ((K, 3) arrays of :func:`as_arrays`) with a round brush, white on black.

    The drawing is scaled down (never up) so that it is at most :data:`WORK_HEIGHT` x
    :data:`WORK_WIDTH` pixels, brush included; a margin of one brush width surrounds it.

    Args:
        strokes: the strokes, canvas pixels.
        brush_width: the brush's diameter in canvas pixels (> 0).
        scale: raster pixels per canvas pixel; by default the largest <= 1 within the size limits.

    Returns:
        :class:`Raster`: the ink, (H, W) float32 in [0, 1] with H, W >= 1, and how it maps to the canvas.
    """
    points = np.concatenate([s[:, :2] for s in strokes])
    radius = brush_width / 2.0
    low = points.min(axis=0) - brush_width
    extent = points.max(axis=0) + brush_width - low
    if scale is None:
        scale = work_scale(strokes, brush_width)
    shape = (int(np.ceil(extent[1] * scale)) + 1, int(np.ceil(extent[0] * scale)) + 1)
    paths = [(s[:, [1, 0]] - low[[1, 0]]) * scale for s in strokes]  # (row, column)
    ink = brush_ink(paths, radius * scale, shape)
    return Raster(ink=ink, origin=(float(low[0]), float(low[1])), scale=scale)


def _overlap(a: tuple[float, float], b: tuple[float, float], floor: float) -> float:
    """Shared length of two intervals over the narrower one's length (at least ``floor``)."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return max(0.0, shared) / max(min(a[1] - a[0], b[1] - b[0]), floor)


def group_strokes(strokes: Sequence[NDArray[np.float64]], brush_width: float) -> list[list[int]]:
    """Indices of the strokes of each digit, digits ordered left to right.

    Strokes are taken in the order they were drawn; each joins the digit it overlaps most
    horizontally when the overlap is at least :data:`GROUP_OVERLAP` of the narrower extent (or
    :data:`FOLLOW_OVERLAP` when it starts within :data:`FOLLOW_MS` of that digit's last stroke's
    end), else starts a new digit; digits that come to overlap that much are then merged.
    A stroke's extent is its ink's: the pen's positions widened by half the brush on each side.
    """
    pad = brush_width / 2.0  # the ink's extent, not the pen's centre line
    extents = [(float(s[:, 0].min()) - pad, float(s[:, 0].max()) + pad) for s in strokes]
    groups: list[list[int]] = []
    spans: list[tuple[float, float]] = []
    ends: list[float] = []
    for index, (stroke, extent) in enumerate(zip(strokes, extents, strict=True)):
        best, best_share = -1, 0.0
        for g, span in enumerate(spans):
            share = _overlap(extent, span, brush_width)
            follows = float(stroke[0, 2]) - ends[g] <= FOLLOW_MS and groups[g][-1] == index - 1
            needed = FOLLOW_OVERLAP if follows else GROUP_OVERLAP
            if share >= needed and share > best_share:
                best, best_share = g, share
        if best < 0:
            groups.append([index])
            spans.append(extent)
            ends.append(float(stroke[-1, 2]))
        else:
            groups[best].append(index)
            spans[best] = (min(spans[best][0], extent[0]), max(spans[best][1], extent[1]))
            ends[best] = max(ends[best], float(stroke[-1, 2]))
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if _overlap(spans[i], spans[j], brush_width) >= GROUP_OVERLAP:
                    groups[i] = sorted(groups[i] + groups[j])
                    spans[i] = (min(spans[i][0], spans[j][0]), max(spans[i][1], spans[j][1]))
                    del groups[j], spans[j]
                    merged = True
                    break
            if merged:
                break
    order = sorted(range(len(groups)), key=lambda g: (spans[g][0] + spans[g][1]) / 2.0)
    return [groups[g] for g in order]
