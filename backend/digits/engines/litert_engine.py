"""The LiteRT engine: a ``.tflite`` flatbuffer run by ``ai_edge_litert`` (no TensorFlow needed)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from digits.cards import EngineKind, ModelCard
from digits.engines.base import ModelLoadError, exported_version


@dataclass
class LiteRTEngine:
    """A LiteRT (TensorFlow Lite) flatbuffer run by ``ai_edge_litert``.

    One interpreter per engine, guarded by a lock (interpreters are not thread-safe); the input
    is resized only when the batch length changes. The version names the Keras model it was
    exported from (the same weights) plus ``+litert``, ``+litert-dynamic`` or ``+litert-int8``.

    Raises:
        ModelLoadError: the file is missing or not a LiteRT model.
    """

    path: Path
    name: str = "cnn"
    num_threads: int = 1
    kind: EngineKind = field(default="litert", init=False)
    version: str = field(init=False)
    card: ModelCard = field(init=False)

    def __post_init__(self) -> None:
        if not self.path.is_file():
            raise ModelLoadError(
                f"model file {self.path} not found: export it with `python -m digits.training.export_litert` "
                "or `make train`"
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
        self.card = ModelCard.for_model(self.path)
        quantization = self.card.quantization or ""
        self._renormalize = "full-integer" in quantization
        suffix = "+litert-dynamic" if "dynamic" in quantization else "+litert-int8" if self._renormalize else "+litert"
        self.version = exported_version(self.path, self.card, suffix)
        self.predict_proba(np.zeros((1, 28, 28, 1), np.float32))

    def predict_proba(self, images: NDArray[np.float32]) -> NDArray[np.float32]:
        """(N, 28, 28, 1) float32 in [0, 1] -> (N, C) float32 probabilities (C = ``card.classes``).

        A full-integer (int8) model's probabilities are renormalised to sum to 1.
        """
        batch = np.ascontiguousarray(images, dtype=np.float32)
        with self._lock:
            if len(batch) != self._batch:
                self._interpreter.resize_tensor_input(self._input, list(batch.shape))
                self._interpreter.allocate_tensors()
                self._batch = len(batch)
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            probabilities = np.array(self._interpreter.get_tensor(self._output), dtype=np.float32)
        if self._renormalize:  # an int8 softmax has steps of 1/256: its sum is 1 +- a few steps
            probabilities /= np.maximum(probabilities.sum(axis=1, keepdims=True), 1e-12)
        return probabilities
