"""Drawings that are not digits: scribbles, letters, symbols and strokes people make by mistake.

Used to choose the ``uncertain`` threshold (validation), to measure how often such input is
refused (test), and in training as outlier exposure (Hendrycks, Mazeika and Dietterich, "Deep
anomaly detection with outlier exposure", ICLR 2019: train the model towards the uniform
distribution on outliers, so its confidence on them drops).

Two generators:

* :func:`negative_drawings` (the one to use): real and realistic non-digit drawings, split into
  train / validation / test parts that share no Omniglot character, no Hershey font file and no
  random stream, mixed in fixed proportions (:data:`MIX`):

  ==========  =====  ==========================================================================
  kind        share  what
  ==========  =====  ==========================================================================
  omniglot    35 %   a real person's drawing of a katakana / Sanskrit / Tagalog character of
                     that split (:mod:`digits.data.omniglot`)
  hershey     30 %   a letter or symbol of that split's Hershey fonts, drawn by a wobbly hand
                     (:mod:`digits.data.hershey`)
  dots         3 %   1-3 clicks: small discs
  hline        3 %   one roughly horizontal line (never vertical: that is a 1)
  zigzag       3 %   4-8 teeth (fewer would be a Z, a 2)
  spiral       3 %   2-3.5 turns
  smiley       3 %   face, eyes, mouth
  polygon      4 %   square, triangle or five-pointed star (no circle or ellipse: that is a 0)
  hash         3 %   '#'
  hatch        3 %   4-8 parallel slanted strokes, sometimes cross-hatched
  scribble     4 %   a loopy line or a filled back-and-forth scrawl
  crossed      3 %   an MNIST digit crossed out by an X or a heavy scribble
  partial      3 %   a short fragment (12-33 % of the skeleton) of an MNIST digit, never a lone
                     near-vertical bar (that is a 1)
  ==========  =====  ==========================================================================

  Without ``mnist_images``, ``crossed`` and ``partial`` are left out and the other generated
  kinds share their 6 % (generated kinds stay 35 % in all).

* :func:`not_digit_set` / :func:`not_a_digit`: the first, simpler generator (scribbles, a
  default-font glyph, lines, an X, hatching, spirals), kept for the code that uses it.

:func:`probe_drawings` gives one canonical drawing of each probe (a dot, a line, letters ...)
for API tests.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from digits.data import hershey, omniglot
from digits.data.omniglot import (
    Strokes,
    draw_pen_strokes,
    encode_ink,
    fit_strokes,
    jitter_strokes,
    random_brush,
    rasterize_strokes,
)
from digits.data.rendering import CanvasStyle, draw_strokes, random_style, skeleton_points

# Letters and symbols that do not resemble a digit (no O, I, l, S, Z, B, G, q, g, b, T, ...).
GLYPHS = "AEFHKMNRWXaefhkmnrwx#%&@*+="
KINDS = ("scribble", "glyph", "hline", "cross", "hatch", "spiral")


def _scribble(draw: ImageDraw.ImageDraw, rng: np.random.Generator, n: int, width: int) -> None:
    points = [
        tuple(int(v) for v in rng.integers(int(n * 0.1), int(n * 0.9), size=2)) for _ in range(rng.integers(6, 16))
    ]
    draw.line(points, fill=255, width=width, joint="curve")


def _glyph(img: Image.Image, rng: np.random.Generator, n: int) -> None:
    char = GLYPHS[int(rng.integers(len(GLYPHS)))]
    font = ImageFont.load_default(size=int(rng.integers(n // 3, int(n * 0.7))))
    ImageDraw.Draw(img).text((n // 2, n // 2), char, fill=255, font=font, anchor="mm")


def _spiral(draw: ImageDraw.ImageDraw, rng: np.random.Generator, n: int, width: int) -> None:
    turns = rng.uniform(2.0, 3.5)
    t = np.linspace(0, turns * 2 * math.pi, 200)
    r = (0.05 + 0.35 * t / t[-1]) * n
    pts = [(float(n / 2 + ri * math.cos(ti)), float(n / 2 + ri * math.sin(ti))) for ri, ti in zip(r, t, strict=True)]
    draw.line(pts, fill=255, width=width, joint="curve")


def not_a_digit(rng: np.random.Generator, canvas_size: int = 280) -> tuple[str, bytes]:
    """One random non-digit drawing on a canvas, dark ink on white (as the web app sends it).

    Returns:
        (kind, PNG bytes), kind one of :data:`KINDS`.
    """
    n = canvas_size
    img = Image.new("L", (n, n), 0)
    draw = ImageDraw.Draw(img)
    width = int(rng.integers(8, 29))
    kind = KINDS[int(rng.integers(len(KINDS)))]
    if kind == "scribble":
        _scribble(draw, rng, n, width)
    elif kind == "glyph":
        _glyph(img, rng, n)
    elif kind == "hline":
        y = int(rng.integers(n // 4, 3 * n // 4))
        draw.line([(int(n * 0.15), y), (int(n * 0.85), y + int(rng.integers(-20, 21)))], fill=255, width=width)
    elif kind == "cross":
        a, b = int(n * 0.2), int(n * 0.8)
        draw.line([(a, a), (b, b)], fill=255, width=width)
        draw.line([(a, b), (b, a)], fill=255, width=width)
    elif kind == "hatch":
        for k in range(int(rng.integers(3, 6))):
            y = int(n * (0.2 + 0.15 * k))
            draw.line([(int(n * 0.15), y), (int(n * 0.85), y)], fill=255, width=width)
        draw.line([(int(n * 0.3), int(n * 0.1)), (int(n * 0.3), int(n * 0.9))], fill=255, width=width)
        draw.line([(int(n * 0.7), int(n * 0.1)), (int(n * 0.7), int(n * 0.9))], fill=255, width=width)
    else:
        _spiral(draw, rng, n, width)
    img = img.rotate(float(rng.uniform(-20, 20)), resample=Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    Image.eval(img, lambda v: 255 - v).save(buf, format="PNG")
    return kind, buf.getvalue()


def not_digit_set(count: int, seed: int, canvas_size: int = 280) -> tuple[list[str], list[bytes]]:
    """``count`` non-digit drawings: (kinds, PNG bytes)."""
    rng = np.random.default_rng(seed)
    pairs = [not_a_digit(rng, canvas_size) for _ in range(count)]
    return [k for k, _ in pairs], [p for _, p in pairs]


# --- Realistic non-digit drawings, split into train / validation / test ---

SPLITS = ("train", "validation", "test")

MIX: dict[str, int] = {
    "omniglot": 35,
    "hershey": 30,
    "dots": 3,
    "hline": 3,
    "zigzag": 3,
    "spiral": 3,
    "smiley": 3,
    "polygon": 4,
    "hash": 3,
    "hatch": 3,
    "scribble": 4,
    "crossed": 3,
    "partial": 3,
}
"""Percent of :func:`negative_drawings` per kind (sums to 100)."""

NEEDS_MNIST = ("crossed", "partial")
"""Kinds drawn from MNIST digits, left out when no ``mnist_images`` are given."""

PARTIAL_FRACTION = (0.12, 0.33)
"""Share of a digit's skeleton a ``partial`` drawing keeps (always under 35 %)."""


def _ellipse(
    cx: float, cy: float, rx: float, ry: float, start: float, sweep: float, n: int = 64
) -> NDArray[np.float64]:
    t = start + np.linspace(0.0, sweep, n)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def _smooth_path(control: NDArray[np.float64], per_segment: int = 12) -> NDArray[np.float64]:
    """A Catmull-Rom curve through ``control`` (k, 2) points."""
    p = np.concatenate([control[:1], control, control[-1:]])
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None]
    parts = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        parts.append(
            0.5
            * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        )
    parts.append(control[-1:])
    return np.concatenate(parts)


def _hline(rng: np.random.Generator) -> Strokes:
    y1 = rng.uniform(-0.12, 0.12)
    x = np.linspace(0.0, 1.0, 4)
    return [np.stack([x, x * y1], axis=1)]


def _zigzag(rng: np.random.Generator) -> Strokes:
    teeth = int(rng.integers(4, 9))
    x = np.linspace(0.0, 1.0, teeth + 1) + rng.normal(0, 0.015, teeth + 1)
    y = np.where(np.arange(teeth + 1) % 2 == 0, 0.0, rng.uniform(0.2, 0.6)) + rng.normal(0, 0.03, teeth + 1)
    return [np.stack([x, y], axis=1)]


def _spiral_strokes(rng: np.random.Generator) -> Strokes:
    turns = rng.uniform(2.0, 3.5)
    t = np.linspace(0.0, turns * 2 * math.pi, int(80 * turns))
    r = 0.04 + t / t[-1]
    direction = 1 if rng.random() < 0.5 else -1
    squash = rng.uniform(0.75, 1.0)
    path = np.stack([r * np.cos(direction * t), squash * r * np.sin(direction * t)], axis=1)
    return [path if rng.random() < 0.5 else path[::-1].copy()]


def _smiley(rng: np.random.Generator) -> Strokes:
    start = rng.uniform(0, 2 * math.pi)
    face = _ellipse(0.5, 0.5, 0.5, 0.5 * rng.uniform(0.85, 1.1), start, 2 * math.pi * rng.uniform(1.0, 1.08))
    eye_y = rng.uniform(0.3, 0.4)
    eyes = [np.array([[0.5 - d, eye_y]]) for d in (rng.uniform(0.14, 0.2),)] + [
        np.array([[0.5 + rng.uniform(0.14, 0.2), eye_y]])
    ]
    mouth = _ellipse(0.5, 0.52, rng.uniform(0.22, 0.3), rng.uniform(0.12, 0.22), 0.2, math.pi - 0.4, 24)
    if rng.random() < 0.3:  # a sad face
        mouth = _ellipse(0.5, 0.85, 0.25, 0.15, math.pi + 0.3, math.pi - 0.6, 24)
    return [face, *eyes, mouth]


def _polygon(rng: np.random.Generator) -> Strokes:
    shape = int(rng.integers(3))
    if shape == 0:  # square or rectangle, corners a little rounded by the hand
        corners = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]) * [1.0, rng.uniform(0.6, 1.0)]
    elif shape == 1:  # triangle, apex up or down
        corners = np.array([[0.5, 0.0], [1.0, 0.9], [0.0, 0.9]])
        if rng.random() < 0.3:
            corners[:, 1] = 0.9 - corners[:, 1]
    else:  # five-pointed star in one stroke
        angles = -math.pi / 2 + np.arange(5) * 4 * math.pi / 5
        corners = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    closed = np.concatenate([corners, corners[:1] + rng.normal(0, 0.02, 2)])
    return [closed]


def _hash(rng: np.random.Generator) -> Strokes:
    slant = rng.uniform(-0.25, 0.25)
    a, b = rng.uniform(0.25, 0.4), rng.uniform(0.6, 0.75)
    return [
        np.array([[0.0, a], [1.0, a + rng.normal(0, 0.03)]]),
        np.array([[0.0, b], [1.0, b + rng.normal(0, 0.03)]]),
        np.array([[a + slant, 0.0], [a - slant, 1.0]]),
        np.array([[b + slant, 0.0], [b - slant, 1.0]]),
    ]


def _hatch(rng: np.random.Generator) -> Strokes:
    def family(angle: float, k: int) -> Strokes:
        d = np.array([math.cos(angle), math.sin(angle)])
        normal = np.array([-d[1], d[0]])
        return [np.stack([c - 0.5 * d, c + 0.5 * d]) for c in np.linspace(-0.4, 0.4, k)[:, None] * normal]

    # Slanted 15-60 degrees from horizontal, either way: never near vertical (a row of 1s).
    angle = math.radians(rng.uniform(15, 60)) * (1 if rng.random() < 0.5 else -1)
    strokes = family(angle, int(rng.integers(4, 9)))
    if rng.random() < 0.3:
        strokes += family(-angle, int(rng.integers(4, 7)))
    return strokes


def _scribble_strokes(rng: np.random.Generator) -> Strokes:
    if rng.random() < 0.5:  # a loopy line through random points
        return [_smooth_path(rng.uniform(0.0, 1.0, size=(int(rng.integers(7, 16)), 2)))]
    # A filled scrawl: back and forth across an ellipse, drifting along it.
    passes = int(rng.integers(8, 20))
    s = np.linspace(-1.0, 1.0, passes)
    half = np.sqrt(np.clip(1 - s**2, 0.05, 1.0))
    xs = np.where(np.arange(passes) % 2 == 0, -half, half) + rng.normal(0, 0.08, passes)
    path = np.stack([xs, s * rng.uniform(0.4, 1.0)], axis=1)
    return [_smooth_path(path, 6)]


SHAPES: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "hline": _hline,
    "zigzag": _zigzag,
    "spiral": _spiral_strokes,
    "smiley": _smiley,
    "polygon": _polygon,
    "hash": _hash,
    "hatch": _hatch,
    "scribble": _scribble_strokes,
}
"""Generated kinds drawn as unit-square strokes, then jittered and brushed."""


DETAIL: dict[str, float] = {"spiral": 0.07, "hatch": 0.08, "scribble": 0.1, "smiley": 0.12, "hash": 0.15}
"""Largest brush per generated kind, as a share of the drawing's size (default 0.25): shapes
with close lines are drawn with a finer brush, so most stay lines rather than blobs."""


def _hand_drawn(kind: str, rng: np.random.Generator, canvas_size: int) -> bytes:
    strokes = jitter_strokes(SHAPES[kind](rng), rng, rotation_deg=8.0, shear=0.15)
    return draw_pen_strokes(strokes, rng, canvas_size, max_brush_fraction=DETAIL.get(kind, 0.25))


def _dots(rng: np.random.Generator, canvas_size: int) -> bytes:
    """1-3 clicks: discs of 1-1.6 brush widths, somewhere on the canvas."""
    style = random_style(rng, canvas_size)
    width = random_brush(rng, canvas_size) * rng.uniform(1.0, 1.6)
    n = int(rng.integers(1, 4))
    lo, hi = 0.15 * canvas_size, 0.85 * canvas_size
    points = [rng.uniform(lo, hi, size=(1, 2)) for _ in range(n)]
    return encode_ink(rasterize_strokes(points, width, canvas_size), style)


def _digit_canvas(
    digit: NDArray[np.uint8], rng: np.random.Generator, canvas_size: int
) -> tuple[NDArray[np.float64], CanvasStyle, float]:
    points = skeleton_points(digit)
    style = random_style(rng, canvas_size)
    return points, style, random_brush(rng, canvas_size, style.digit_size)


def _ink_of(points: NDArray[np.float64], brush: float, style: CanvasStyle) -> NDArray[np.uint8]:
    plain = CanvasStyle(style.canvas_size, style.digit_size, style.left, style.top, dark_ink=False, transparent=False)
    return np.asarray(Image.open(io.BytesIO(draw_strokes(points, brush, plain))).convert("L"), dtype=np.uint8)


def _crossed(digit: NDArray[np.uint8], rng: np.random.Generator, canvas_size: int) -> bytes:
    """An MNIST digit redrawn from its skeleton, then crossed out (an X or a heavy scribble)."""
    points, style, brush = _digit_canvas(digit, rng, canvas_size)
    ink = _ink_of(points, brush, style)
    if len(points) == 0:
        points = np.array([[4.0, 4.0], [24.0, 24.0]])
    scale = style.digit_size / 28.0
    canvas_pts = points[:, ::-1] * scale + [style.left, style.top]  # (x, y)
    lo, hi = canvas_pts.min(axis=0) - brush, canvas_pts.max(axis=0) + brush
    # At least 0.7 as wide as tall (and the reverse): an X squeezed over a 1 would be a bar.
    centre, half = (lo + hi) / 2, (hi - lo) / 2
    half = np.maximum(half, 0.7 * half.max())
    lo, hi = centre - half, centre + half
    if rng.random() < 0.5:
        cover: Strokes = [np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])]
    else:
        passes = int(rng.integers(6, 14))
        ys = np.linspace(0.0, 1.0, passes) + rng.normal(0, 0.02, passes)
        xs = np.where(np.arange(passes) % 2 == 0, 0.0, 1.0) + rng.normal(0, 0.05, passes)
        cover = [_smooth_path(np.stack([xs, ys], axis=1), 6)]
    cover = jitter_strokes(cover, rng, rotation_deg=6.0, shear=0.1, aspect=(1.0, 1.0))
    # Stretch the cover (unit square) over the digit's box, whatever its aspect.
    points_all = np.concatenate(cover)
    c_lo, c_hi = points_all.min(axis=0), points_all.max(axis=0)
    placed = [(c - c_lo) / np.maximum(c_hi - c_lo, 1e-6) * (hi - lo) + lo for c in cover]
    over = rasterize_strokes(placed, brush * rng.uniform(1.0, 1.4), canvas_size)
    return encode_ink(np.maximum(ink, over), style)


def _is_one_like(points: NDArray[np.float64]) -> bool:
    """A thin bar within 45 degrees of vertical (a fragment of a 1, 4, 7 ...) reads as the digit 1."""
    if len(points) < 3:
        return False
    centred = points - points.mean(axis=0)
    evals, evecs = np.linalg.eigh(np.cov(centred.T))
    major = evecs[:, -1]  # (row, column) direction of the main axis
    thin = math.sqrt(max(evals[0], 0.0)) < 0.3 * math.sqrt(max(evals[-1], 1e-9))
    return bool(thin and abs(major[0]) > math.cos(math.radians(45)))


def partial_skeleton(
    points: NDArray[np.float64], fraction: float, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """A connected piece of a skeleton, grown along it (breadth first) from one end.

    Args:
        points: (K, 2) skeleton points (:func:`digits.data.rendering.skeleton_points`, 8-connected
            on a grid of 1/4 of a 28x28 pixel).
        fraction: share of the K points to keep, e.g. 0.2.
        rng: picks the start (an end of a stroke if the skeleton has one).

    Returns:
        (piece, parent): piece (M, 2) float64, M = ``round(fraction * K)`` (fewer if the start's
        connected part is smaller); parent (M,) intp, the index in ``piece`` of the point each
        was reached from (-1 for the start), so (piece[i], piece[parent[i]]) are the segments.
    """
    if len(points) == 0:
        return points, np.zeros(0, dtype=np.intp)
    grid = np.round(points * 4 - 0.5).astype(int)
    index = {(int(r), int(c)): i for i, (r, c) in enumerate(grid)}
    offsets = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc]

    def neighbours(i: int) -> list[int]:
        r, c = grid[i]
        return [j for dr, dc in offsets if (j := index.get((int(r) + dr, int(c) + dc))) is not None]

    ends = [i for i in range(len(points)) if len(neighbours(i)) == 1]
    start = int(rng.choice(ends)) if ends else int(rng.integers(len(points)))
    target = max(1, round(fraction * len(points)))
    order, parent = [start], [-1]
    position = {start: 0}
    head = 0
    while head < len(order) and len(order) < target:
        for j in neighbours(order[head]):
            if j not in position and len(order) < target:
                position[j] = len(order)
                order.append(j)
                parent.append(head)
        head += 1
    return points[order], np.array(parent, dtype=np.intp)


def _partial(digit: NDArray[np.uint8], rng: np.random.Generator, canvas_size: int) -> bytes:
    """A short fragment of an MNIST digit's skeleton (12-33 %), never a lone near-vertical bar."""
    points, style, brush = _digit_canvas(digit, rng, canvas_size)
    piece, parent = points[:0], np.zeros(0, dtype=np.intp)
    for _ in range(12):
        piece, parent = partial_skeleton(points, rng.uniform(*PARTIAL_FRACTION), rng)
        if len(piece) >= 4 and not _is_one_like(piece):
            break
    else:  # every try was a bar (or nothing): lay it down (a horizontal stroke is no digit)
        if len(piece) < 2:
            piece, parent = np.array([[14.0, 10.0], [14.0, 18.0]]), np.array([-1, 0], dtype=np.intp)
        piece = piece[:, ::-1].copy()
    # Smooth the skeleton's pixel staircase (a few Laplacian steps along the piece's tree).
    links: list[list[int]] = [[] for _ in range(len(piece))]
    for i in range(1, len(piece)):
        links[i].append(int(parent[i]))
        links[int(parent[i])].append(i)
    for _ in range(6):
        piece = np.array([(p + piece[n].mean(axis=0)) / 2 if n else p for p, n in zip(piece, links, strict=True)])
    # Drawn at a person's size: the fragment's longer side fills the style's square less a margin.
    xy = piece[:, ::-1]
    segments = [np.stack([xy[i], xy[parent[i]]]) for i in range(1, len(xy))] or [xy[:1]]
    return encode_ink(rasterize_strokes(fit_strokes(segments, style, brush), brush, canvas_size), style)


def _allocate(count: int, weights: dict[str, float]) -> list[str]:
    """``count`` kinds in the proportions of ``weights`` (largest remainder), in a fixed order."""
    total = sum(weights.values())
    exact = {k: count * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[: count - sum(counts.values())]:
        counts[k] += 1
    return [k for k in weights for _ in range(counts[k])]


def mix_for(with_mnist: bool) -> dict[str, float]:
    """The kind proportions used (percent): :data:`MIX`, or without MNIST its generated kinds rescaled."""
    if with_mnist:
        return {k: float(v) for k, v in MIX.items()}
    generated = {k: v for k, v in MIX.items() if k not in ("omniglot", "hershey", *NEEDS_MNIST)}
    share = sum(v for k, v in MIX.items() if k not in ("omniglot", "hershey")) / sum(generated.values())
    return {
        "omniglot": float(MIX["omniglot"]),
        "hershey": float(MIX["hershey"]),
        **{k: v * share for k, v in generated.items()},
    }


def negative_drawings(
    count: int,
    seed: int,
    split: str = "train",
    mnist_images: NDArray[np.uint8] | None = None,
    *,
    canvas_size: int = 280,
    omniglot_dir: Path | str | None = None,
) -> tuple[list[str], list[bytes]]:
    """``count`` non-digit drawings of one split, mixed in the fixed proportions of :data:`MIX`.

    Args:
        count: how many drawings.
        seed: seeds everything; the split is part of the stream, so train and test never share
            a random drawing even with the same seed.
        split: ``train``, ``validation`` or ``test``: Omniglot characters
            (:func:`digits.data.omniglot.split_by_character`, seed 0) and Hershey font files
            (:data:`digits.data.hershey.FONT_SPLITS`) of that split only.
        mnist_images: (N, 28, 28) uint8 MNIST-style digits (white on black) for the ``crossed``
            and ``partial`` kinds: pass training digits for ``train``, test digits for ``test``.
            ``None`` leaves those kinds out (:func:`mix_for`).
        canvas_size: side of the square canvas in pixels.
        omniglot_dir: the Omniglot directory (``None``: ``DataSettings().omniglot_dir``).

    Returns:
        (kind names, PNG bytes), ``count`` of each, kinds shuffled; the share of each kind is
        exact up to rounding (largest remainder). Deterministic for (count, seed, split, images).
        Each PNG is a ``canvas_size`` square: grayscale with dark or light ink, or RGBA with the
        ink in the alpha channel; drawing 30-100 % of the canvas; brush 6-32 px of 280.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    with_mnist = mnist_images is not None and len(mnist_images) > 0
    rng = np.random.default_rng([seed, SPLITS.index(split), 11])
    kinds = _allocate(count, mix_for(with_mnist))
    kinds = [kinds[i] for i in rng.permutation(len(kinds))]
    drawings: list[omniglot.OmniglotDrawing] = []
    if "omniglot" in kinds:
        drawings = omniglot.split_by_character(omniglot.load_omniglot(omniglot_dir))[split]
        drawings = [drawings[i] for i in rng.permutation(len(drawings))]
    fonts = hershey.FONT_SPLITS[split]
    images: list[bytes] = []
    n_omniglot = 0
    for kind in kinds:
        if kind == "omniglot":
            images.append(omniglot.render_omniglot(drawings[n_omniglot % len(drawings)], rng, canvas_size))
            n_omniglot += 1
        elif kind == "hershey":
            font = fonts[int(rng.integers(len(fonts)))]
            keys = hershey.charset(font)
            images.append(hershey.render_glyph(font, keys[int(rng.integers(len(keys)))], rng, canvas_size))
        elif kind == "dots":
            images.append(_dots(rng, canvas_size))
        elif kind in NEEDS_MNIST:
            assert mnist_images is not None
            digit = mnist_images[int(rng.integers(len(mnist_images)))]
            images.append((_crossed if kind == "crossed" else _partial)(digit, rng, canvas_size))
        else:
            images.append(_hand_drawn(kind, rng, canvas_size))
    return kinds, images


PROBES = ("dot", "hline", "zigzag", "spiral", "hash", "smiley", "A", "K", "M", "W", "R", "X", "B")
"""Keys of :func:`probe_drawings`; single letters are Hershey ``futural`` capitals."""


def probe_drawings(canvas_size: int = 280, brush_width: float = 16.0) -> dict[str, bytes]:
    """One canonical drawing of each :data:`PROBES` entry, for API tests.

    Drawn as a person would with a mouse: black ink on a white grayscale canvas, the drawing
    about 70 % of the canvas and centred, a round brush of ``brush_width`` px (16 by default
    on the 280 px canvas), a slight fixed hand wobble. The dot is one click (a disc of 1.2
    brush widths). Always the same bytes.

    Returns:
        ``{name: PNG bytes}`` in :data:`PROBES` order.
    """
    size = round(canvas_size * 0.7)
    margin = (canvas_size - size) // 2
    style = CanvasStyle(canvas_size, size, margin, margin, dark_ink=True, transparent=False)
    shapes: dict[str, Strokes] = {
        "hline": [np.array([[0.0, 0.5], [0.5, 0.52], [1.0, 0.53]])],
        "zigzag": [np.array([[0.0, 0.3], [0.2, 0.7], [0.4, 0.3], [0.6, 0.7], [0.8, 0.3], [1.0, 0.7]])],
        "spiral": _spiral_strokes(np.random.default_rng(3)),
        "hash": [
            np.array([[0.0, 0.35], [1.0, 0.33]]),
            np.array([[0.0, 0.65], [1.0, 0.63]]),
            np.array([[0.38, 0.0], [0.32, 1.0]]),
            np.array([[0.68, 0.0], [0.62, 1.0]]),
        ],
        "smiley": [
            _ellipse(0.5, 0.5, 0.5, 0.5, -math.pi / 2, 2.05 * math.pi),
            np.array([[0.33, 0.36]]),
            np.array([[0.67, 0.36]]),
            _ellipse(0.5, 0.5, 0.28, 0.22, 0.25, math.pi - 0.5, 24),
        ],
    }
    probes: dict[str, bytes] = {}
    for name in PROBES:
        rng = np.random.default_rng(PROBES.index(name))
        if name == "dot":
            centre = np.array([[canvas_size / 2, canvas_size / 2]])
            probes[name] = encode_ink(rasterize_strokes([centre], brush_width * 1.2, canvas_size), style)
            continue
        strokes = shapes[name] if name in shapes else hershey.glyph_strokes("futural", name)
        wobbly = jitter_strokes(strokes, rng, rotation_deg=3.0, shear=0.05, aspect=(0.95, 1.05), wobble=0.012)
        probes[name] = encode_ink(
            rasterize_strokes(fit_strokes(wobbly, style, brush_width), brush_width, canvas_size), style
        )
    return probes
