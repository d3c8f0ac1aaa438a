"""Data: MNIST from its IDX files, canvas renderings, evaluation sets beyond MNIST, non-digit drawings.

Modules:
    mnist      -- the MNIST IDX loader, with validation and checksums
    rendering  -- 28x28 digits onto canvas-like PNGs, and stroke re-drawings from a skeleton
    evalsets   -- the evaluation sets beyond MNIST (optdigits-canvas, strokes-<w>px)
    negatives  -- generated drawings that are not digits (scribbles, letters, spirals)
"""

from digits.data.mnist import Mnist, MnistError, load_mnist

__all__ = ["Mnist", "MnistError", "load_mnist"]
