"""Which models the service can serve, from which files, with which engine.

Every name maps to one file in the models directory; ``cnn`` is served by LiteRT from the
float32 export of ``cnn.keras`` (the same function, see ``digits.training.export_litert``) and falls back to the
Keras engine when the export is missing. ``mlp`` and ``mlp-numpy`` serve the same MLP weights,
by Keras and by plain NumPy (``digits.engines.numpy_mlp``, no TensorFlow needed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from digits.cards import EngineKind, ModelCardError
from digits.engines.base import Engine, ModelLoadError
from digits.engines.keras_engine import KerasEngine
from digits.engines.litert_engine import LiteRTEngine
from digits.engines.numpy_mlp import NumpyMLPEngine
from digits.engines.tta import TTAEngine

logger = logging.getLogger("digits")


@dataclass(frozen=True)
class ModelSpec:
    """A servable model: file name in the models directory, engine, one-line description.

    ``fallback``: the file served with Keras when ``file`` is missing. ``segmenter``: the served
    name of the model that decides how a written number is cut, when it is loaded too
    (:class:`digits.numbers.reader.Segmenter`): ``cnn-segmenter``, the CNN fine-tuned with two
    touching digits as "not a digit", which the CNN itself reads as one confident digit; the
    requested model reads the digits chosen. ``helper``: loaded only to help another model
    (``MODELS`` names it), not listed as a model to choose (``GET /models``).
    """

    file: str
    engine: EngineKind
    description: str
    fallback: str | None = None
    segmenter: str | None = None
    helper: bool = False


MODEL_SPECS: dict[str, ModelSpec] = {
    "cnn": ModelSpec(
        "cnn_litert.tflite",
        "litert",
        "Enhanced CNN (conv 32-64-128 + batch norm), LiteRT float32 export of cnn.keras: same outputs, faster",
        fallback="cnn.keras",
        segmenter="cnn-segmenter",
    ),
    "cnn-keras": ModelSpec(
        "cnn.keras",
        "keras",
        "Enhanced CNN run by Keras/TensorFlow (compiled tf.function)",
        segmenter="cnn-segmenter",
    ),
    "cnn-litert-dynamic": ModelSpec(
        "cnn_litert_dynamic.tflite",
        "litert",
        "Enhanced CNN, LiteRT with dynamic-range quantization (int8 weights)",
        segmenter="cnn-segmenter",
    ),
    "cnn-segmenter": ModelSpec(
        "segmenter_litert_dynamic.tflite",
        "litert",
        "Enhanced CNN fine-tuned with two touching digits as 'not a digit' (int8 weights): decides where a "
        "written number is cut, for the CNNs",
        helper=True,
    ),
    "cnn-litert-int8": ModelSpec(
        "cnn_litert_int8.tflite",
        "litert",
        "Enhanced CNN, LiteRT full-integer quantization (int8 weights and activations, calibrated on training images)",
    ),
    "cnn-ensemble": ModelSpec(
        "cnn_ensemble_litert.tflite",
        "litert",
        "Ensemble of CNNs: their averaged probabilities, one LiteRT graph, one batched call (optional)",
        segmenter="cnn-segmenter",
    ),
    "cnn-tta": ModelSpec(
        "cnn_litert.tflite",
        "tta",
        "Enhanced CNN (LiteRT) with test-time augmentation: mean over 7 shifted/rotated copies of the input",
    ),
    "mlp": ModelSpec("mlp.keras", "keras", "MLP 784-128-256-10 (ReLU, softmax) run by Keras/TensorFlow"),
    "mlp-numpy": ModelSpec(
        "mlp_numpy.npz", "numpy", "The same MLP in plain NumPy: matrix products, ReLU, softmax (no TensorFlow)"
    ),
}


def servable(models_dir: Path) -> list[str]:
    """The names of :data:`MODEL_SPECS` whose model file is in ``models_dir``, in registry order."""
    return [name for name, spec in MODEL_SPECS.items() if (models_dir / spec.file).is_file()]


def load_engine(name: str, models_dir: Path, threads: int = 1) -> Engine:
    """Load the model ``name`` of :data:`MODEL_SPECS` from ``models_dir``.

    Raises:
        KeyError: unknown name.
        ModelLoadError: its file (and fallback) is missing or unreadable.
        ModelCardError: its card is not valid.
        ImportError: a Keras model without TensorFlow installed (the ``ml`` extra).
    """
    spec = MODEL_SPECS[name]
    path = models_dir / spec.file
    if not path.is_file() and spec.fallback and (models_dir / spec.fallback).is_file():
        logger.warning("%s not found; serving %s from %s with Keras", path, name, spec.fallback)
        return KerasEngine(models_dir / spec.fallback, name=name, intra_op_threads=threads)
    if spec.engine == "litert":
        return LiteRTEngine(path, name=name, num_threads=threads)
    if spec.engine == "tta":
        return TTAEngine(LiteRTEngine(path, name=name, num_threads=threads), name=name)
    if spec.engine == "numpy":
        return NumpyMLPEngine(path, name=name)  # NumPy's BLAS picks its own threads
    return KerasEngine(path, name=name, intra_op_threads=threads)


def load_engines(names: Iterable[str], models_dir: Path, threads: int = 1) -> tuple[dict[str, Engine], dict[str, str]]:
    """Load every model in ``names``; returns (engines by name, load errors by name)."""
    engines: dict[str, Engine] = {}
    errors: dict[str, str] = {}
    for name in names:
        try:
            engines[name] = load_engine(name, models_dir, threads)
        except (KeyError, ModelLoadError, ModelCardError, ImportError) as exc:
            errors[name] = str(exc) if not isinstance(exc, KeyError) else f"unknown model {name!r}"
            logger.error("cannot load model %s: %s", name, errors[name])
    return engines, errors
