"""Test-time augmentation: average a model's probabilities over small changes of its input.

The preprocessed 28x28 image is shifted by one pixel in four directions and rotated by ±8
degrees; the base engine scores the seven variants in one batched call and the probabilities are
averaged. It costs about seven times the base engine's inference (still well under a millisecond
with LiteRT); ``python -m digits.evaluation`` and ``make benchmark`` report whether it pays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from digits.cards import EngineKind, ModelCard
from digits.engines.base import Engine

SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))
ROTATIONS = (-8.0, 8.0)
VARIANTS = len(SHIFTS) + len(ROTATIONS)


def variants(images: NDArray[np.float32]) -> NDArray[np.float32]:
    """(N, 28, 28, 1) -> (V*N, 28, 28, 1): V = 7 variants, variant-major order."""
    planes = images[..., 0]
    out = [ndimage.shift(planes, (0, dy, dx), order=0, mode="constant") for dy, dx in SHIFTS]
    out += [ndimage.rotate(planes, angle, axes=(1, 2), reshape=False, order=1, mode="constant") for angle in ROTATIONS]
    stacked: NDArray[np.float32] = np.clip(np.concatenate(out), 0.0, 1.0).astype(np.float32)
    return stacked[..., None]


@dataclass
class TTAEngine:
    """Wraps another engine (e.g. the LiteRT CNN) with test-time augmentation."""

    base: Engine
    name: str = "cnn-tta"
    kind: EngineKind = field(default="tta", init=False)
    version: str = field(init=False)
    card: ModelCard = field(init=False)
    path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.version = f"{self.base.version}+tta{VARIANTS}"
        self.card = self.base.card.updated(engine="tta", tta_variants=VARIANTS)
        self.path = self.base.path

    def predict_proba(self, images: NDArray[np.float32]) -> NDArray[np.float32]:
        """(N, 28, 28, 1) float32 in [0, 1] -> (N, C) mean probabilities over 7 variants."""
        n = len(images)
        probabilities = self.base.predict_proba(variants(np.asarray(images, dtype=np.float32)))
        return np.asarray(probabilities.reshape(VARIANTS, n, -1).mean(axis=0), dtype=np.float32)
