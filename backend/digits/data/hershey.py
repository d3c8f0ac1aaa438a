"""Letters, punctuation and symbols from the Hershey vector fonts, drawn with a wobbly hand.

Source: the Hershey fonts (A. V. Hershey, U.S. National Bureau of Standards, 1967; public
domain) as packaged on PyPI by ``Hershey-Fonts`` (``import HersheyFonts``). Each glyph is a set
of pen strokes, so it can be redrawn as a person draws: with :func:`digits.data.omniglot.jitter_strokes`
(rotation +-12 degrees, shear, aspect, smooth wobble, tremor) and a round brush of random width
(:func:`digits.data.omniglot.draw_pen_strokes`).

Characters that ARE digit shapes in handwriting are never drawn (:data:`EXCLUDED`): O o (0),
I l | (1), Z z (2), S s (5), b (6), q g (9), and others a hand easily turns into a digit
(D Q G J L P T d p t y ( ) [ ] / ...). Greek fonts map Latin keys to Greek letters and keep
their own list of keys whose glyphs are not digit-like.

The same fonts' digits, drawn the same way, are digit styles MNIST's American writers seldom
use (a 1 with a flag and a foot, a 4 closed at the top, a 7 with a bar, a 9 with a straight
stem): :func:`digit_set` adds them to training (``--font-digits``) and measures how a model reads
the held-out fonts' digits.

The splits use disjoint font FILES (:data:`FONT_SPLITS`): the test fonts (cursive, script
complex, Times italic, Roman duplex, Gothic German, Greek simplex) are never seen in training.
Some are close relatives of a training font (cursive of script simplex, Roman duplex of Roman
simplex, Times italic of Times roman), as different people's hands are of each other.
"""

from __future__ import annotations

import functools

import numpy as np

from digits.data.omniglot import Strokes, draw_pen_strokes, jitter_strokes

DIGIT_LIKE = "OoIl|ZzSsbqg"
"""Keys never drawn in any font: O o (0), I l | (1), Z z (2), S s (5), b (6), q g (9)."""

EXCLUDED = DIGIT_LIKE + "DQGJLPTYdptyijcuv" + "0123456789()[]{}/\\-_.,:;'\"`"
"""Latin keys never drawn: :data:`DIGIT_LIKE`, shapes a hand easily turns into a digit
(D Q as 0, G as 6, J L T as 7 or 1, P d p as 9 or 6, Y y as 4, c as 0, i j as 1, u v as a
sloppy 0 or 7), digits, and marks too small or too line-like (a '/' or '(' is a 1)."""

LATIN_CHARS = "ABCEFHKMNRUVWX" + "aefhkmnrwx" + "#%&@*+=?!$<>~"
"""Keys drawn in the Latin fonts: letters and symbols no one reads as a digit."""

GREEK_SIMPLEX_CHARS = "ABCDEHKLMNPUWXY" + "ahkmnw" + "#%&@*+=?!$<>~"
"""Keys drawn in ``greek``, which maps them to A B Chi Delta E H K Lambda M N Pi Upsilon Omega
Xi Psi and alpha eta kappa mu nu omega (Theta, Phi, Gamma, delta, epsilon, zeta, rho, sigma
... left out as digit-like)."""

GREEK_COMPLEX_CHARS = "ABEKMNRVWX" + "akmwx" + "#%&@*+=?!$<>~"
"""Keys drawn in ``greekc`` / ``greeks``, which map them to A B E Lambda N Xi Sigma Chi Psi
Omega and alpha lambda nu psi omega."""

TRAIN_FONTS = (
    "futural",
    "futuram",
    "rowmans",
    "rowmant",
    "scripts",
    "timesr",
    "timesrb",
    "gothiceng",
    "gothitt",
    "gothicita",
    "greekc",
)
VALIDATION_FONTS = ("timesib", "greeks")
TEST_FONTS = ("cursive", "scriptc", "timesi", "rowmand", "gothicger", "gothgrt", "greek")
FONT_SPLITS: dict[str, tuple[str, ...]] = {"train": TRAIN_FONTS, "validation": VALIDATION_FONTS, "test": TEST_FONTS}
"""Font files per split; no file is in two splits."""


DIGIT_FONTS: dict[str, tuple[str, ...]] = {
    split: tuple(f for f in fonts if not f.startswith(("goth", "greek"))) for split, fonts in FONT_SPLITS.items()
}
"""Fonts whose digits :func:`digit_set` draws, per split: the Latin fonts of :data:`FONT_SPLITS`
(simplex, complex, script, Times), not the Gothic (blackletter numerals, which no one writes by
hand) nor the Greek (whose digits are the Roman fonts' again). Test: cursive, script complex,
Times italic, Roman duplex."""


def charset(font: str) -> str:
    """The keys drawn in ``font``: none in :data:`DIGIT_LIKE`; for Latin fonts none in :data:`EXCLUDED`."""
    if font == "greek":
        return GREEK_SIMPLEX_CHARS
    if font in ("greekc", "greeks"):
        return GREEK_COMPLEX_CHARS
    return LATIN_CHARS


@functools.lru_cache(maxsize=1)
def _fonts() -> dict[str, object]:
    from HersheyFonts import HersheyFonts  # type: ignore[import-untyped]

    fonts: dict[str, object] = {}
    for name in (*TRAIN_FONTS, *VALIDATION_FONTS, *TEST_FONTS):
        font = HersheyFonts()
        font.load_default_font(name)
        fonts[name] = font
    return fonts


@functools.lru_cache(maxsize=4096)
def _glyph(font: str, char: str) -> tuple[tuple[tuple[float, float], ...], ...]:
    hershey = _fonts()[font]
    return tuple(tuple((float(x), float(y)) for x, y in s) for s in hershey.strokes_for_text(char))  # type: ignore[attr-defined]


def glyph_strokes(font: str, char: str) -> Strokes:
    """The pen strokes of one glyph.

    Returns:
        (k, 2) float64 arrays of (x, y) in Hershey units (cap height about 21), y down.

    Raises:
        ValueError: the font is not in :data:`FONT_SPLITS` or has no strokes for ``char``.
    """
    if font not in _fonts():
        raise ValueError(f"unknown font {font!r}")
    strokes = [np.array(s, dtype=np.float64) for s in _glyph(font, char)]
    if not strokes:
        raise ValueError(f"font {font!r} has no glyph for {char!r}")
    return strokes


def render_glyph(font: str, char: str, rng: np.random.Generator, canvas_size: int = 280) -> bytes:
    """One glyph redrawn by a wobbly hand on a canvas like a user's drawing.

    :func:`digits.data.omniglot.jitter_strokes` (rotation +-12 degrees, shear +-0.25, aspect
    0.75-1.3, smooth wobble, tremor), then :func:`digits.data.omniglot.draw_pen_strokes`
    (30-100 % of the canvas, random place, brush 6-32 px of 280, random polarity/background).

    Returns:
        PNG bytes.
    """
    return draw_pen_strokes(jitter_strokes(glyph_strokes(font, char), rng), rng, canvas_size)


def hershey_set(split: str, count: int, seed: int = 0, canvas_size: int = 280) -> tuple[list[str], list[bytes]]:
    """``count`` jittered glyphs from the fonts of ``split`` (font and key drawn uniformly).

    Returns:
        (names ``<font>:<key>``, PNG bytes); deterministic for (split, seed).
    """
    if split not in FONT_SPLITS:
        raise ValueError(f"split must be one of {tuple(FONT_SPLITS)}, not {split!r}")
    fonts = FONT_SPLITS[split]
    rng = np.random.default_rng([seed, list(FONT_SPLITS).index(split), 7])
    names, images = [], []
    for _ in range(count):
        font = fonts[int(rng.integers(len(fonts)))]
        keys = charset(font)
        char = keys[int(rng.integers(len(keys)))]
        names.append(f"{font}:{char}")
        images.append(render_glyph(font, char, rng, canvas_size))
    return names, images


def digit_set(split: str, count: int, seed: int = 0, canvas_size: int = 280) -> tuple[list[int], list[bytes]]:
    """``count`` digits 0-9 of the fonts of ``split`` (:data:`DIGIT_FONTS`), each redrawn by a wobbly
    hand as :func:`render_glyph` draws letters; the digits cycle 0-9 (balanced classes), the font is
    drawn uniformly.

    Returns:
        (digits 0-9, PNG bytes); deterministic for (split, seed).

    Raises:
        ValueError: ``split`` is not one of :data:`FONT_SPLITS`.
    """
    if split not in DIGIT_FONTS:
        raise ValueError(f"split must be one of {tuple(DIGIT_FONTS)}, not {split!r}")
    fonts = DIGIT_FONTS[split]
    rng = np.random.default_rng([seed, list(DIGIT_FONTS).index(split), 10])
    labels, images = [], []
    for i in range(count):
        font = fonts[int(rng.integers(len(fonts)))]
        labels.append(i % 10)
        images.append(render_glyph(font, str(i % 10), rng, canvas_size))
    return labels, images
