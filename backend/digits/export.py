"""Export a trained Keras model to LiteRT (TensorFlow Lite) for fast, TensorFlow-free serving.

Usage (from ``backend/``)::

    python -m digits.export                       # models/cnn.keras -> cnn_litert*.tflite

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
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

import numpy as np

from digits.data import load_mnist
from digits.evaluation import agreement
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


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.export", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=settings.model_path, help="the .keras model")
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    args = parser.parse_args(argv)

    from digits.engines import KerasEngine, LiteRTEngine, read_card

    data = load_mnist(args.mnist_dir)
    x = preprocess_mnist(data.x_test)[..., None]
    keras_engine = KerasEngine(args.model)
    reference = np.concatenate([keras_engine.predict_proba(x[i : i + 1000]) for i in range(0, len(x), 1000)])
    source_card = read_card(args.model)
    for quantization in ("none", "dynamic"):
        output = args.model.with_name(args.model.stem + SUFFIX[quantization] + ".tflite")
        export_litert(args.model, output, quantization)  # type: ignore[arg-type]
        engine = LiteRTEngine(output)
        probabilities = np.concatenate([engine.predict_proba(x[i : i + 1000]) for i in range(0, len(x), 1000)])
        card: dict[str, Any] = {
            "name": output.stem,
            "architecture": source_card.get("architecture", args.model.stem),
            "engine": "litert",
            "quantization": "dynamic-range (int8 weights)" if quantization == "dynamic" else "none (float32)",
            "source_model": args.model.name,
            "source_model_sha256": source_card.get("model_sha256"),
            "parameters": source_card.get("parameters"),
            "model_bytes": output.stat().st_size,
            "source_model_bytes": args.model.stat().st_size,
            **agreement(probabilities, reference, data.y_test),
            "test_images": len(x),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": "python -m digits.export",
        }
        output.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
        print(
            f"{output.name}: {card['model_bytes'] / 1e6:.2f} MB, test accuracy {card['test_accuracy'] * 100:.2f} % "
            f"(Keras {card['source_test_accuracy'] * 100:.2f} %), "
            f"same digit {card['same_digit_as_source'] * 100:.2f} %, "
            f"max |dp| {card['max_probability_difference']:.2e}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
