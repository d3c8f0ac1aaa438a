"""Inference engines: load a model once, then map preprocessed images to probabilities.

Every engine takes (N, 28, 28, 1) float32 in [0, 1] (the output of
:func:`digits.preprocessing.preprocess`) and returns (N, 10) float32 probabilities whose rows
sum to 1, index = digit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray


class ModelLoadError(RuntimeError):
    """The model file is missing or cannot be loaded; the message names the file."""


class Engine(Protocol):
    """What the service needs from an inference engine."""

    name: str
    version: str
    card: dict[str, Any]

    def predict_proba(self, images: NDArray[np.float32]) -> NDArray[np.float32]:
        """(N, 28, 28, 1) float32 in [0, 1] -> (N, 10) float32 probabilities."""
        ...


def model_version(path: Path, card: dict[str, Any]) -> str:
    """A readable, content-addressed version: ``<architecture>-<first 8 hex of sha256>``."""
    digest = card.get("model_sha256") or hashlib.sha256(path.read_bytes()).hexdigest()
    return f"{card.get('architecture', path.stem)}-{str(digest)[:8]}"


def read_card(model_path: Path) -> dict[str, Any]:
    """The JSON model card beside ``model_path`` (``cnn.keras`` -> ``cnn.json``), or ``{}``."""
    card_path = model_path.with_suffix(".json")
    if card_path.is_file():
        card: dict[str, Any] = json.loads(card_path.read_text())
        return card
    return {}


@dataclass
class KerasEngine:
    """The Keras model behind a compiled ``tf.function`` with a fixed input signature.

    ``model.predict`` costs tens of milliseconds per call in set-up; a traced function with a
    fixed signature ``(None, 28, 28, 1) float32`` runs a single image in about 2 ms on 2 cores.

    Raises:
        ModelLoadError: the file is missing or not a Keras model.
    """

    path: Path
    name: str = "cnn"
    intra_op_threads: int = 0
    version: str = field(init=False)
    card: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        if not self.path.is_file():
            raise ModelLoadError(f"model file {self.path} not found: train one with `make train` or set MODELS_DIR")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras
        import tensorflow as tf

        if self.intra_op_threads > 0:
            with contextlib.suppress(RuntimeError):  # already initialised in this process
                tf.config.threading.set_intra_op_parallelism_threads(self.intra_op_threads)
        try:
            self._model = keras.models.load_model(self.path, compile=False)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load model {self.path}: {exc}") from exc
        model = self._model

        @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)], reduce_retracing=True)
        def serve(x: tf.Tensor) -> tf.Tensor:
            return model(x, training=False)

        self._serve = serve
        self.card = read_card(self.path)
        self.version = model_version(self.path, self.card)
        self.predict_proba(np.zeros((1, 28, 28, 1), np.float32))  # trace once, at start-up

    def predict_proba(self, images: NDArray[np.float32]) -> NDArray[np.float32]:
        """(N, 28, 28, 1) float32 in [0, 1] -> (N, 10) float32 probabilities."""
        out = self._serve(np.ascontiguousarray(images, dtype=np.float32))
        return np.asarray(out.numpy(), dtype=np.float32)


@dataclass
class LiteRTEngine:
    """A LiteRT (TensorFlow Lite) flatbuffer run by ``ai_edge_litert``: no TensorFlow needed.

    One interpreter per engine, guarded by a lock (interpreters are not thread-safe); the input
    is resized only when the batch length changes.

    Raises:
        ModelLoadError: the file is missing or not a LiteRT model.
    """

    path: Path
    name: str = "cnn"
    num_threads: int = 1
    version: str = field(init=False)
    card: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        if not self.path.is_file():
            raise ModelLoadError(
                f"model file {self.path} not found: export it with `python -m digits.export` or `make train`"
            )
        from ai_edge_litert.interpreter import Interpreter

        try:
            self._interpreter = Interpreter(model_path=str(self.path), num_threads=self.num_threads)
            self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelLoadError(f"cannot load LiteRT model {self.path}: {exc}") from exc
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = 1
        self._lock = threading.Lock()
        self.card = read_card(self.path)
        # Named after the Keras model it was exported from, plus the engine: the same weights.
        source_sha = self.card.get("source_model_sha256")
        if source_sha:
            suffix = "+litert-dynamic" if "dynamic" in str(self.card.get("quantization", "")) else "+litert"
            self.version = f"{self.card.get('architecture', self.path.stem)}-{str(source_sha)[:8]}{suffix}"
        else:
            self.version = model_version(self.path, {**self.card, "model_sha256": None})
        self.predict_proba(np.zeros((1, 28, 28, 1), np.float32))

    def predict_proba(self, images: NDArray[np.float32]) -> NDArray[np.float32]:
        """(N, 28, 28, 1) float32 in [0, 1] -> (N, 10) float32 probabilities."""
        batch = np.ascontiguousarray(images, dtype=np.float32)
        with self._lock:
            if len(batch) != self._batch:
                self._interpreter.resize_tensor_input(self._input, list(batch.shape))
                self._interpreter.allocate_tensors()
                self._batch = len(batch)
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            return np.array(self._interpreter.get_tensor(self._output), dtype=np.float32)
