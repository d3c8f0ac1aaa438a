"""The Keras engine: a ``.keras`` model behind a compiled ``tf.function`` (needs TensorFlow)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from digits.cards import EngineKind, ModelCard
from digits.engines.base import ModelLoadError, model_version


@dataclass
class KerasEngine:
    """The Keras model behind a compiled ``tf.function`` with a fixed input signature.

    ``model.predict`` costs tens of milliseconds per call in set-up; a traced function with a
    fixed signature ``(None, 28, 28, 1) float32`` runs a single image in about 1 ms on 2 cores.

    Raises:
        ModelLoadError: the file is missing or not a Keras model.
    """

    path: Path
    name: str = "cnn-keras"
    intra_op_threads: int = 0
    kind: EngineKind = field(default="keras", init=False)
    version: str = field(init=False)
    card: ModelCard = field(init=False)

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
        self.card = ModelCard.for_model(self.path)
        self.version = model_version(self.path, self.card)
        self.predict_proba(np.zeros((1, 28, 28, 1), np.float32))  # trace once, at start-up

    def predict_proba(self, images: NDArray[np.float32]) -> NDArray[np.float32]:
        """(N, 28, 28, 1) float32 in [0, 1] -> (N, C) float32 probabilities (C = ``card.classes``)."""
        out = self._serve(np.ascontiguousarray(images, dtype=np.float32))
        return np.asarray(out.numpy(), dtype=np.float32)

    def input_gradient(self, image: NDArray[np.float32], target: int) -> NDArray[np.float32]:
        """(28, 28) float32 in [0, 1] -> (28, 28) float32 d probability[target] / d image.

        The gradient of the model's output (its softmax probability of class ``target``) with
        respect to the input pixels, by ``tf.GradientTape`` (used by :mod:`digits.explain`).
        """
        import tensorflow as tf

        x = tf.convert_to_tensor(np.ascontiguousarray(image, dtype=np.float32)[None, :, :, None])
        with tf.GradientTape() as tape:
            tape.watch(x)
            probability = self._model(x, training=False)[0, target]
        gradient = tape.gradient(probability, x)
        return np.asarray(gradient.numpy()[0, :, :, 0], dtype=np.float32)
