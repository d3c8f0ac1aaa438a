"""Omniglot: real handwritten characters that are not digits, as pen strokes, and a pen renderer.

Source: Lake, Salakhutdinov and Tenenbaum (2015), "Human-level concept learning through
probabilistic program induction", Science 350(6266); the ``brendenlake/omniglot`` repository
(MIT licence). The project ships three alphabets of its "background small 2" split in
``../shared/data/omniglot/`` (:attr:`digits.settings.DataSettings.omniglot_dir`): Japanese
katakana (47 characters), Sanskrit (42) and Tagalog (17), each character drawn online with a
mouse by 20 people: 2,120 drawings. ``strokes.zip`` holds ``<alphabet>/characterNN/<id>_<drawer>.txt``
files: ``START``, then one ``x,y,t`` line per sample (pixels of the 105x105 frame, y negated,
time in ms), ``BREAK`` ending each stroke (pen up).

Held-out use: :func:`split_by_character` keeps whole CHARACTERS apart (train / validation /
test), so a test drawing is of a character no training drawing shows. A few characters look
like digits (katakana ロ, ワ): honest ambiguity, kept.

The module also holds the pen renderer shared by :mod:`digits.data.hershey` and
:mod:`digits.data.negatives`: :func:`jitter_strokes` (handwriting-like distortion) and
:func:`draw_pen_strokes` / :func:`rasterize_strokes` (a round brush on a canvas).
"""

from __future__ import annotations

import functools
import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from digits.data.rendering import CanvasStyle, random_style

Strokes = list[NDArray[np.float64]]
"""Pen strokes: each a (k, 2) float64 array of (x, y) points, y pointing down, k >= 1."""

FRAME = 105
"""Side of Omniglot's drawing frame, in pixels."""

SPLITS = ("train", "validation", "test")
SPLIT_FRACTIONS = (0.6, 0.2, 0.2)
"""Share of each alphabet's characters in train / validation / test."""

MIN_BRUSH, MAX_BRUSH = 6.0, 32.0
"""Brush diameters drawn from, in pixels of a 280 px canvas (scaled for other sizes)."""

_SUPERSAMPLE = 2


@dataclass(frozen=True)
class OmniglotDrawing:
    """One person's drawing of one character.

    Attributes:
        alphabet: e.g. ``Sanskrit``, ``Tagalog``, ``Japanese_(katakana)``.
        character: e.g. ``character07`` (numbered within its alphabet).
        drawer: the drawer's number within the character, 1-20.
        strokes: pen strokes, each a (k, 2) float64 array of (x, y) in pixels of the 105x105
            frame, y pointing down (the file's negated y undone), in drawing order.
    """

    alphabet: str
    character: str
    drawer: int
    strokes: Strokes

    @property
    def key(self) -> str:
        """``<alphabet>/<character>``: the character this is a drawing of."""
        return f"{self.alphabet}/{self.character}"

    @property
    def name(self) -> str:
        """``<alphabet>/<character>/<drawer, 2 digits>``."""
        return f"{self.key}/{self.drawer:02d}"


def _parse_strokes(text: str) -> Strokes:
    strokes: Strokes = []
    current: list[tuple[float, float]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line == "START":
            continue
        if line == "BREAK":
            if current:
                strokes.append(np.array(current, dtype=np.float64))
            current = []
            continue
        x, y, _t = line.split(",")
        current.append((float(x), -float(y)))
    if current:
        strokes.append(np.array(current, dtype=np.float64))
    return strokes


@functools.lru_cache(maxsize=4)
def _load_cached(directory: Path) -> tuple[OmniglotDrawing, ...]:
    path = directory / "strokes.zip"
    if not path.is_file():
        raise FileNotFoundError(
            f"no Omniglot strokes in {directory} (expected {path.name} there; "
            "set OMNIGLOT_DIR to the directory holding strokes.zip and images.zip)"
        )
    drawings = []
    with zipfile.ZipFile(path) as archive:
        for member in sorted(archive.namelist()):
            if not member.endswith(".txt"):
                continue
            parts = member.split("/")
            if len(parts) < 3:
                continue
            alphabet, character, filename = parts[-3], parts[-2], parts[-1]
            drawer = int(filename.removesuffix(".txt").rsplit("_", 1)[-1])
            strokes = _parse_strokes(archive.read(member).decode("ascii"))
            if strokes:
                drawings.append(OmniglotDrawing(alphabet, character, drawer, strokes))
    if not drawings:
        raise FileNotFoundError(f"{path} holds no Omniglot stroke files")
    return tuple(drawings)


def load_omniglot(directory: Path | str | None = None) -> list[OmniglotDrawing]:
    """Every drawing in ``strokes.zip`` of ``directory``, read straight from the zip.

    Args:
        directory: the Omniglot directory; ``None`` for ``DataSettings().omniglot_dir``
            (env ``OMNIGLOT_DIR``, default ``../shared/data/omniglot``).

    Returns:
        The drawings sorted by alphabet, character and file name (2,120 for the shipped data).
        Cached per directory: the same objects come back on later calls; do not mutate them.

    Raises:
        FileNotFoundError: naming the directory, if it holds no ``strokes.zip``.
    """
    if directory is None:
        from digits.settings import DataSettings

        directory = DataSettings().omniglot_dir
    return list(_load_cached(Path(directory).resolve()))


def split_by_character(drawings: Sequence[OmniglotDrawing], seed: int = 0) -> dict[str, list[OmniglotDrawing]]:
    """Split drawings into train / validation / test by CHARACTER, stratified by alphabet.

    Each alphabet's characters are shuffled (``seed``) and cut 60 / 20 / 20 % (rounded; at
    least one character per part for an alphabet of three or more), so every part holds
    every alphabet and no character appears in two parts. Deterministic for a seed.

    Returns:
        ``{"train": [...], "validation": [...], "test": [...]}``, drawings in input order.
    """
    by_alphabet: dict[str, list[str]] = {}
    for drawing in drawings:
        characters = by_alphabet.setdefault(drawing.alphabet, [])
        if drawing.key not in characters:
            characters.append(drawing.key)
    part_of: dict[str, str] = {}
    for index, alphabet in enumerate(sorted(by_alphabet)):
        characters = sorted(by_alphabet[alphabet])
        order = np.random.default_rng([seed, index]).permutation(len(characters))
        n = len(characters)
        n_validation = max(1, round(n * SPLIT_FRACTIONS[1])) if n >= 3 else 0
        n_test = max(1, round(n * SPLIT_FRACTIONS[2])) if n >= 3 else 0
        n_train = n - n_validation - n_test
        for rank, i in enumerate(order):
            part_of[characters[i]] = (
                "train" if rank < n_train else "validation" if rank < n_train + n_validation else "test"
            )
    parts: dict[str, list[OmniglotDrawing]] = {split: [] for split in SPLITS}
    for drawing in drawings:
        parts[part_of[drawing.key]].append(drawing)
    return parts


# --- Pen strokes on a canvas (shared with digits.data.hershey and digits.data.negatives) ---


def resample_stroke(stroke: NDArray[np.float64], spacing: float) -> NDArray[np.float64]:
    """Points along a polyline every ``spacing`` units of arc length (ends kept).

    Args:
        stroke: (k, 2) float64 points.
        spacing: wanted distance between consecutive points (> 0), in the stroke's units.

    Returns:
        (m, 2) float64, m >= 1 (a single point stays a single point).
    """
    if len(stroke) < 2:
        return stroke.astype(np.float64)
    seg = np.hypot(*np.diff(stroke, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    if arc[-1] <= 0:
        return stroke[:1].astype(np.float64)
    t = np.linspace(0.0, arc[-1], max(2, math.ceil(float(arc[-1]) / spacing) + 1))
    return np.stack([np.interp(t, arc, stroke[:, 0]), np.interp(t, arc, stroke[:, 1])], axis=1)


def jitter_strokes(
    strokes: Sequence[NDArray[np.float64]],
    rng: np.random.Generator,
    *,
    rotation_deg: float = 12.0,
    shear: float = 0.25,
    aspect: tuple[float, float] = (0.75, 1.3),
    wobble: float = 0.03,
    tremor: float = 0.006,
) -> Strokes:
    """Distort strokes as a hand would: affine, a smooth wobble, and a little tremor.

    Sizes are relative to the drawing's larger bounding-box side, so any unit works.

    Args:
        strokes: (k, 2) float64 (x, y) arrays, y down.
        rng: the random source.
        rotation_deg: rotation drawn uniformly from +-this, in degrees.
        shear: horizontal shear factor drawn uniformly from +-this.
        aspect: range of the width / height stretch.
        wobble: amplitude of a smooth displacement field (a few random low-frequency sines of
            position, the same field for every stroke so crossings stay crossings).
        tremor: standard deviation of per-point noise, smoothed along the stroke.

    Returns:
        New (m, 2) float64 arrays (densified to ~60 points per drawing size).
    """
    points = np.concatenate([np.asarray(s, dtype=np.float64) for s in strokes])
    lo, hi = points.min(axis=0), points.max(axis=0)
    size = float(max(hi - lo)) or 1.0
    centre = (lo + hi) / 2
    angle = math.radians(rng.uniform(-rotation_deg, rotation_deg))
    stretch = math.sqrt(rng.uniform(*aspect))
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    matrix = rot @ np.array([[1.0, rng.uniform(-shear, shear)], [0.0, 1.0]]) @ np.diag([stretch, 1 / stretch])
    n_waves = 3
    freqs = rng.uniform(0.5, 2.0, size=(n_waves, 2, 2)) * 2 * math.pi / size
    phases = rng.uniform(0, 2 * math.pi, size=(n_waves, 2))
    amps = rng.normal(0.0, wobble * size / math.sqrt(n_waves), size=(n_waves, 2))
    out: Strokes = []
    for stroke in strokes:
        dense = resample_stroke(np.asarray(stroke, dtype=np.float64) - centre, size / 60)
        moved = dense.copy()
        for w in range(n_waves):
            for axis in range(2):
                moved[:, axis] += amps[w, axis] * np.sin(dense @ freqs[w, axis] + phases[w, axis])
        noise = rng.normal(0.0, tremor * size, size=moved.shape)
        if len(noise) >= 5:
            kernel = np.ones(5) / 5
            noise = np.stack([np.convolve(noise[:, a], kernel, mode="same") for a in range(2)], axis=1) * 2
        out.append((moved + noise) @ matrix.T + centre)
    return out


def random_brush(rng: np.random.Generator, canvas_size: int = 280, drawing_size: float | None = None) -> float:
    """A brush diameter in pixels: uniform in 6-32 px of a 280 px canvas, scaled to ``canvas_size``.

    With ``drawing_size`` (the side of the drawing's square, pixels), at most a quarter of it:
    a person drawing small draws thin enough to keep the strokes apart.
    """
    width = float(rng.uniform(MIN_BRUSH, MAX_BRUSH)) * canvas_size / 280
    return width if drawing_size is None else min(width, max(2.0, drawing_size / 4))


def rasterize_strokes(
    strokes: Sequence[NDArray[np.float64]], brush_width: float, canvas_size: int = 280
) -> NDArray[np.uint8]:
    """Draw strokes with a round brush: the ink coverage of each canvas pixel.

    Args:
        strokes: (k, 2) (x, y) arrays in canvas pixels, y down; a one-point stroke is a dot.
        brush_width: brush diameter in canvas pixels.
        canvas_size: side of the square canvas in pixels.

    Returns:
        (canvas_size, canvas_size) uint8, 0 (no ink) to 255 (full ink), anti-aliased (drawn at
        twice the size with round joints and caps, then box-filtered down).
    """
    s = _SUPERSAMPLE
    img = Image.new("L", (canvas_size * s, canvas_size * s), 0)
    draw = ImageDraw.Draw(img)
    width = max(1, round(brush_width * s))
    r = brush_width * s / 2
    for stroke in strokes:
        pts = [(float(x) * s, float(y) * s) for x, y in np.asarray(stroke)]
        if len(pts) > 1:
            draw.line(pts, fill=255, width=width, joint="curve")
        for x, y in (pts[0], pts[-1]) if len(pts) > 1 else pts:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(img.resize((canvas_size, canvas_size), Image.Resampling.BOX), dtype=np.uint8)


def encode_ink(ink: NDArray[np.uint8], style: CanvasStyle) -> bytes:
    """PNG bytes of an ink-coverage image, as :func:`digits.data.rendering.draw_strokes` encodes.

    Args:
        ink: (n, n) uint8 coverage, 0 (none) to 255 (full ink).
        style: polarity (``dark_ink``) and ``transparent`` background (RGBA, ink in alpha); the
            other fields are ignored.
    """
    buf = io.BytesIO()
    if style.transparent:
        colour = (0, 0, 0) if style.dark_ink else (255, 255, 255)
        rgba = Image.new("RGBA", (ink.shape[1], ink.shape[0]), (*colour, 0))
        rgba.putalpha(Image.fromarray(ink, mode="L"))
        rgba.save(buf, format="PNG")
    else:
        pixels = 255 - ink if style.dark_ink else ink
        Image.fromarray(pixels.astype(np.uint8), mode="L").save(buf, format="PNG")
    return buf.getvalue()


def fit_strokes(strokes: Sequence[NDArray[np.float64]], style: CanvasStyle, brush_width: float) -> Strokes:
    """Scale and move strokes (aspect kept) so the brushed drawing fills ``style``'s square.

    The larger side of the strokes' bounding box becomes ``style.digit_size - brush_width``,
    centred in the square at (``style.left``, ``style.top``). Returns canvas-pixel arrays.
    """
    points = np.concatenate([np.asarray(s, dtype=np.float64) for s in strokes])
    lo, hi = points.min(axis=0), points.max(axis=0)
    extent = float(max(hi - lo))
    room = max(1.0, style.digit_size - brush_width)
    scale = room / extent if extent > 0 else 1.0
    offset = np.array([style.left, style.top], dtype=np.float64) + style.digit_size / 2 - (lo + hi) / 2 * scale
    return [np.asarray(s, dtype=np.float64) * scale + offset for s in strokes]


def draw_pen_strokes(
    strokes: Sequence[NDArray[np.float64]],
    rng: np.random.Generator,
    canvas_size: int = 280,
    *,
    brush_width: float | None = None,
    style: CanvasStyle | None = None,
    max_brush_fraction: float = 0.25,
) -> bytes:
    """Draw strokes on a canvas as a user's drawing: random size, place, brush and polarity.

    Args:
        strokes: (k, 2) (x, y) arrays in any unit, y down.
        rng: the random source (style, then brush).
        canvas_size: side of the square canvas in pixels.
        brush_width: brush diameter in pixels; ``None`` for :func:`random_brush` (at most a
            quarter of the drawing's size).
        style: where and how to draw; ``None`` for :func:`digits.data.rendering.random_style`
            (drawing 30-100 % of the canvas, random place, either polarity, transparent or not).
        max_brush_fraction: cap of a random brush, as a share of the drawing's size (lower for
            drawings with close lines, such as spirals, so they stay lines and not a blob).

    Returns:
        PNG bytes: grayscale, or RGBA with the ink in the alpha channel.
    """
    style = style or random_style(rng, canvas_size)
    if brush_width is None:
        width = random_brush(rng, canvas_size, style.digit_size * max_brush_fraction * 4)
    else:
        width = brush_width
    ink = rasterize_strokes(fit_strokes(strokes, style, width), width, canvas_size)
    return encode_ink(ink, style)


def render_omniglot(drawing: OmniglotDrawing, rng: np.random.Generator, canvas_size: int = 280) -> bytes:
    """One Omniglot drawing redrawn on a canvas like a user's drawing (:func:`draw_pen_strokes`).

    The person's own strokes are kept as drawn (no added distortion); only size (30-100 % of
    the canvas), place, brush (6-32 px of a 280 px canvas, at most a quarter of the drawing's
    size), polarity and background are random.
    """
    return draw_pen_strokes(drawing.strokes, rng, canvas_size)


def omniglot_set(
    split: str,
    count_per_drawing: int = 1,
    seed: int = 0,
    *,
    directory: Path | str | None = None,
    split_seed: int = 0,
    canvas_size: int = 280,
) -> tuple[list[str], list[bytes]]:
    """Every drawing of one split's characters, rendered ``count_per_drawing`` times.

    Args:
        split: ``train``, ``validation`` or ``test`` (:func:`split_by_character`).
        count_per_drawing: renderings per drawing (different size, place, brush, polarity).
        seed: seeds the renderings.
        directory: the Omniglot directory (``None``: the settings' ``omniglot_dir``).
        split_seed: seeds the character split (keep 0 so the parts stay the project's parts).
        canvas_size: canvas side in pixels.

    Returns:
        (names ``<alphabet>/<character>/<drawer>``, PNG bytes), in drawing order.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    drawings = split_by_character(load_omniglot(directory), split_seed)[split]
    rng = np.random.default_rng([seed, SPLITS.index(split)])
    names, images = [], []
    for drawing in drawings:
        for _ in range(count_per_drawing):
            names.append(drawing.name)
            images.append(render_omniglot(drawing, rng, canvas_size))
    return names, images
