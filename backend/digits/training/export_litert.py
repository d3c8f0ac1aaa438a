"""Export a trained Keras model to LiteRT (TensorFlow Lite) for fast, TensorFlow-free serving.

Usage (from ``backend/``)::

    python -m digits.training.export_litert                       # models/cnn.keras -> cnn_litert*.tflite

Writes, beside the Keras model:
    * ``<name>_litert.tflite``: float32, the same function as the Keras model;
    * ``<name>_litert_dynamic.tflite``: dynamic-range quantization (int8 weights, float
      activations), about 4x smaller;
    * ``<name>_litert_int8.tflite``: full-integer quantization: int8 weights *and* activations,
      their ranges calibrated on a representative dataset of MNIST *training* images through the
      service's preprocessing (never test images); the input and output tensors stay float32
      (a quantize op at the input, a dequantize op at the output), so every engine feeds it alike;
and a JSON card for each (``.json`` beside it) with its size and its agreement with Keras on
the MNIST test set through the service's preprocessing (accuracy, largest probability
difference). Latency is measured by ``python -m benchmarks.benchmark``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
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

Quantization = Literal["none", "dynamic", "int8"]
SUFFIX = {"none": "_litert", "dynamic": "_litert_dynamic", "int8": "_litert_int8"}
DESCRIPTION = {
    "none": "none (float32)",
    "dynamic": "dynamic-range (int8 weights)",
    "int8": "full-integer int8 (weights and activations; float32 input and output)",
}
REPRESENTATIVE_IMAGES = 1000
"""How many MNIST training images calibrate the int8 activation ranges (TensorFlow's guide
suggests "around 100-500" samples; more costs only conversion time)."""


def export_litert(
    keras_path: Path,
    output: Path,
    quantization: Quantization = "none",
    representative: NDArray[np.float32] | None = None,
) -> Path:
    """Convert a ``.keras`` model to a ``.tflite`` flatbuffer.

    The model is exported as a SavedModel (``serve`` signature, input (None, 28, 28, 1) float32)
    and converted with ``tf.lite.TFLiteConverter``; ``quantization="dynamic"`` applies
    ``tf.lite.Optimize.DEFAULT`` without a representative dataset (dynamic-range quantization);
    ``quantization="int8"`` adds ``representative`` as the representative dataset (one image per
    calibration step) and restricts the ops to ``TFLITE_BUILTINS_INT8``, so the conversion fails
    rather than leave an op in float (full-integer quantization, see
    https://ai.google.dev/edge/litert/models/post_training_integer_quant).

    Args:
        representative: (N, 28, 28, 1) float32 in [0, 1], required for ``"int8"``.

    Returns:
        ``output``.

    Raises:
        ValueError: ``"int8"`` without representative images.
    """
    if quantization == "int8" and (representative is None or len(representative) == 0):
        raise ValueError("int8 quantization needs representative images")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    model = keras.models.load_model(keras_path, compile=False)
    with tempfile.TemporaryDirectory() as tmp:
        model.export(tmp, format="tf_saved_model", verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
        if quantization in ("dynamic", "int8"):
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if quantization == "int8":
            assert representative is not None
            images = representative

            def calibration() -> Iterator[list[NDArray[np.float32]]]:
                for image in images:
                    yield [image[None].astype(np.float32)]

            converter.representative_dataset = calibration
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        output.write_bytes(converter.convert())
    return output


def export_with_cards(
    keras_path: Path,
    x: NDArray[np.float32],
    y: NDArray[np.uint8],
    command: str,
    representative: NDArray[np.float32] | None = None,
) -> list[ModelCard]:
    """The exports of ``keras_path`` (float32, dynamic-range, and full-integer int8 when
    ``representative`` images are given) beside it, each with its card.

    Args:
        keras_path: the ``.keras`` model (its card, if any, gives architecture and classes).
        x: (N, 28, 28, 1) float32 inputs the agreement is measured on (the MNIST test set).
        y: (N,) uint8 labels.
        command: the command line recorded in the cards.
        representative: (M, 28, 28, 1) float32 *training* images that calibrate the int8
            export's activation ranges; ``None``: no int8 export.

    Returns:
        The cards written (``<name>_litert.json``, ``<name>_litert_dynamic.json``, and
        ``<name>_litert_int8.json`` with ``representative``).
    """
    from digits.engines.keras_engine import KerasEngine
    from digits.engines.litert_engine import LiteRTEngine

    keras_engine = KerasEngine(keras_path)
    reference = predict_batched(keras_engine.predict_proba, x, 1000)
    source_card = keras_engine.card
    cards = []
    quantizations: list[Quantization] = ["none", "dynamic"]
    if representative is not None:
        quantizations.append("int8")
    for quantization in quantizations:
        output = keras_path.with_name(keras_path.stem + SUFFIX[quantization] + ".tflite")
        export_litert(keras_path, output, quantization, representative)
        probabilities = predict_batched(LiteRTEngine(output).predict_proba, x, 1000)
        card = ModelCard(
            name=output.stem,
            architecture=source_card.architecture,
            classes=source_card.classes,
            engine="litert",
            quantization=DESCRIPTION[quantization],
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
    representative = preprocess_mnist(data.x_train[:REPRESENTATIVE_IMAGES])[..., None]
    command = portable_command("digits.training.export_litert", argv)
    for card in export_with_cards(args.model, x, data.y_test, command, representative):
        print(f"{card.name}.tflite: {(card.model_bytes or 0) / 1e6:.2f} MB, {describe_agreement(card)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
