"""Whole numbers: a drawing of several digits cut into digit pieces and read in one engine call.

* :mod:`digits.numbers.strokes`: pen strokes to ink; strokes grouped into digits.
* :mod:`digits.numbers.segmentation`: pixels to digit pieces (components, merges, cuts).
* :mod:`digits.numbers.reader`: pieces through the single-digit preprocessing and the engine.
* :mod:`digits.numbers.synthetic`: written numbers built from single digits (evaluation, tests).
"""

from digits.numbers.reader import DigitReading, NumberReading, Segmenter, read_image, read_strokes
from digits.numbers.segmentation import TooManyDigitsError
from digits.numbers.strokes import StrokesError, as_arrays, rasterise

__all__ = [
    "DigitReading",
    "NumberReading",
    "Segmenter",
    "StrokesError",
    "TooManyDigitsError",
    "as_arrays",
    "rasterise",
    "read_image",
    "read_strokes",
]
