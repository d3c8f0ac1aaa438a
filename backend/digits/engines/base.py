"""What every inference engine is: the :class:`Engine` protocol, its errors, and batched prediction.

Every engine loads a model once and maps (N, 28, 28, 1) float32 in [0, 1] (the output of
:func:`digits.preprocessing.preprocess`) to (N, C) float32 probabilities whose rows sum to 1,
index = digit; C is 10, or 11 for an open-set model whose class 10 is "not a digit" (the card's
``classes``; :mod:`digits.verdict` reads both).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from digits.cards import EngineKind, ModelCard

PredictProba = Callable[[NDArray[np.float32]], NDArray[np.float32]]
"""(N, 28, 28, 1) float32 in [0, 1] -> (N, C) float32 probabilities, C = 10 or 11."""


class ModelLoadError(RuntimeError):
    """The model file is missing or cannot be loaded; the message names the file."""


class Engine(Protocol):
    """What the service, evaluation and the report need from an inference engine.

    Attributes:
        name: the served name, e.g. ``cnn`` (``digits.engines.registry.MODEL_SPECS``).
        kind: how it runs the model: ``keras``, ``litert``, ``numpy`` or ``tta``.
        path: the model file it loaded.
        version: ``<architecture>-<8 hex of the weights' sha256>[+engine]``.
        card: the model card beside ``path``.
    """

    name: str
    kind: EngineKind
    path: Path
    version: str
    card: ModelCard

    def predict_proba(self, images: NDArray[np.float32]) -> NDArray[np.float32]:
        """(N, 28, 28, 1) float32 in [0, 1] -> (N, C) float32 probabilities (C = ``card.classes``)."""
        ...


def model_version(path: Path, card: ModelCard) -> str:
    """A readable, content-addressed version: ``<architecture>-<first 8 hex of sha256>``.

    The sha256 is the card's ``model_sha256``, or the file's own when the card has none.
    """
    digest = card.model_sha256 or hashlib.sha256(path.read_bytes()).hexdigest()
    return f"{card.architecture}-{digest[:8]}"


def exported_version(path: Path, card: ModelCard, suffix: str) -> str:
    """The version of an exported model: the source Keras model's, plus ``suffix`` (``+litert``).

    An export serves the same weights as the ``.keras`` it came from, so it carries that model's
    sha256 (the card's ``source_model_sha256``); without one, the export file's own sha256 and no
    suffix.
    """
    if card.source_model_sha256:
        return f"{card.architecture}-{card.source_model_sha256[:8]}{suffix}"
    return f"{card.architecture}-{hashlib.sha256(path.read_bytes()).hexdigest()[:8]}"


def predict_batched(
    predict_proba: PredictProba, images: NDArray[np.float32], batch_size: int = 500
) -> NDArray[np.float32]:
    """Run ``predict_proba`` over ``images`` ``batch_size`` at a time and stack the answers.

    Args:
        predict_proba: an engine's ``predict_proba`` (or any function of that shape).
        images: (N, 28, 28, 1) float32 in [0, 1].
        batch_size: images per call; keeps memory flat and, for LiteRT, the activations in cache.

    Returns:
        (N, C) float32 probabilities; (0, 10) for no images.
    """
    if len(images) == 0:
        return np.zeros((0, 10), np.float32)
    chunks = [predict_proba(images[start : start + batch_size]) for start in range(0, len(images), batch_size)]
    return np.concatenate(chunks).astype(np.float32, copy=False)
