"""Export a trained Keras model to LiteRT (TensorFlow Lite) for fast, TensorFlow-free serving.

Usage (from ``backend/``)::

    python -m digits.training.export_litert                       # models/cnn.keras -> cnn_litert*.tflite

Writes, beside the Keras model:
    * ``<name>_litert.tflite``: float32, the same function as the Keras model;
    * ``<name>_litert_dynamic.tflite``: dynamic-range quantization (int8 weights, float
      activations), about 4x smaller;
and a JSON card for each (``.json`` beside it) with its size and its agreement with Keras on
the MNIST test set through the service's preprocessing (accuracy, largest probability
difference). Latency is measured by ``python -m benchmarks.benchmark``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from digits.cards import ModelCard, portable_command
from digits.data.mnist import load_mnist
from digits.engines.base import predict_batched
from digits.evaluation.metrics import agreement, describe_agreement
from digits.preprocessing import preprocess_mnist
from digits.settings import DataSettings

Quantization = Literal["none", "dynamic"]
SUFFIX = {"none": "_litert", "dynamic": "_litert_dynamic"}


def export_litert(keras_path: Path, output: Path, quantization: Quantization = "none") -> Path:
    """Convert a ``.keras`` model to a ``.tflite`` flatbuffer.

    The model is exported as a SavedModel (``serve`` signature, input (None, 28, 28, 1) float32)
    and converted with ``tf.lite.TFLiteConverter``; ``quantization="dynamic"`` applies
    ``tf.lite.Optimize.DEFAULT`` without a representative dataset (dynamic-range quantization).

    Returns:
        ``output``.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    model = keras.models.load_model(keras_path, compile=False)
    with tempfile.TemporaryDirectory() as tmp:
        model.export(tmp, format="tf_saved_model", verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
        if quantization == "dynamic":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        output.write_bytes(converter.convert())
    return output


def export_with_cards(keras_path: Path, x: NDArray[np.float32], y: NDArray[np.uint8], command: str) -> list[ModelCard]:
    """Both exports of ``keras_path`` (float32 and dynamic-range) beside it, each with its card.

    Args:
        keras_path: the ``.keras`` model (its card, if any, gives architecture and classes).
        x: (N, 28, 28, 1) float32 inputs the agreement is measured on (the MNIST test set).
        y: (N,) uint8 labels.
        command: the command line recorded in the cards.

    Returns:
        The two cards written (``<name>_litert.json``, ``<name>_litert_dynamic.json``).
    """
    from digits.engines.keras_engine import KerasEngine
    from digits.engines.litert_engine import LiteRTEngine

    keras_engine = KerasEngine(keras_path)
    reference = predict_batched(keras_engine.predict_proba, x, 1000)
    source_card = keras_engine.card
    cards = []
    for quantization in ("none", "dynamic"):
        output = keras_path.with_name(keras_path.stem + SUFFIX[quantization] + ".tflite")
        export_litert(keras_path, output, quantization)  # type: ignore[arg-type]
        probabilities = predict_batched(LiteRTEngine(output).predict_proba, x, 1000)
        card = ModelCard(
            name=output.stem,
            architecture=source_card.architecture,
            classes=source_card.classes,
            engine="litert",
            quantization="dynamic-range (int8 weights)" if quantization == "dynamic" else "none (float32)",
            source_model=keras_path.name,
            source_model_sha256=source_card.model_sha256,
            parameters=source_card.parameters,
            model_bytes=output.stat().st_size,
            source_model_bytes=keras_path.stat().st_size,
            **agreement(probabilities, reference, y),
            test_images=len(x),
            date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            command=command,
        )
        card.save(ModelCard.path_for(output))
        cards.append(card)
    return cards


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.training.export_litert", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=settings.model_path, help="the .keras model")
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    args = parser.parse_args(argv)

    data = load_mnist(args.mnist_dir)
    x = preprocess_mnist(data.x_test)[..., None]
    for card in export_with_cards(args.model, x, data.y_test, portable_command("digits.training.export_litert", argv)):
        print(f"{card.name}.tflite: {(card.model_bytes or 0) / 1e6:.2f} MB, {describe_agreement(card)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
