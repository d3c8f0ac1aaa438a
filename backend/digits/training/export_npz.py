"""Export the Keras MLP's weights to a plain ``.npz`` for the NumPy engine.

Usage (from ``backend/``)::

    python -m digits.training.export_npz                   # models/mlp.keras -> models/mlp_numpy.npz

Writes, beside the Keras model, ``<name>_numpy.npz`` (the six float32 arrays W1, b1, W2, b2,
W3, b3 described in :mod:`digits.engines.numpy_mlp`) and its JSON card ``<name>_numpy.json``: size,
parameters, and its agreement with Keras on the 10,000 MNIST test images through the service's
preprocessing (accuracy, same digit, largest probability difference).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

import numpy as np

from digits.cards import ModelCard, portable_command
from digits.engines.numpy_mlp import MLPWeights, save_npz
from digits.settings import DataSettings

DEFAULT_KERAS_MODEL = DataSettings().models_dir / "mlp.keras"
EXPECTED_ACTIVATIONS = ("relu", "relu", "softmax")


def npz_path_for(keras_path: Path) -> Path:
    """``models/mlp.keras`` -> ``models/mlp_numpy.npz`` (its card: ``mlp_numpy.json``)."""
    return keras_path.with_name(keras_path.stem + "_numpy.npz")


def mlp_weights_from_keras(keras_path: Path) -> MLPWeights:
    """Read the three ``Dense`` layers of a Keras MLP (``digits.training.architectures.build_mlp``).

    Raises:
        ValueError: the model is not Flatten + Dense(ReLU) + Dense(ReLU) + Dense(softmax).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    model = keras.models.load_model(keras_path, compile=False)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    others = [
        layer.name
        for layer in model.layers
        if not isinstance(layer, keras.layers.Dense | keras.layers.Flatten | keras.layers.InputLayer)
    ]
    activations = tuple(layer.activation.__name__ for layer in dense)
    if others or activations != EXPECTED_ACTIVATIONS:
        raise ValueError(
            f"{keras_path} is not an MLP Flatten -> Dense(relu) -> Dense(relu) -> Dense(softmax): "
            f"dense activations {activations}, other layers {others}"
        )
    # A Keras Dense kernel is (inputs, outputs): the layer computes x @ kernel + bias.
    (w1, b1), (w2, b2), (w3, b3) = (
        [np.asarray(array, dtype=np.float32) for array in layer.get_weights()] for layer in dense
    )
    return MLPWeights(W1=w1, b1=b1, W2=w2, b2=b2, W3=w3, b3=b3)


def export_npz(keras_path: Path, output: Path | None = None) -> Path:
    """Write the weights of the Keras MLP at ``keras_path`` to ``output`` (default:
    :func:`npz_path_for`).

    Returns:
        The ``.npz`` path.
    """
    output = output or npz_path_for(keras_path)
    return save_npz(mlp_weights_from_keras(keras_path), output)


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.training.export_npz", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_KERAS_MODEL, help="the Keras MLP (.keras)")
    parser.add_argument("--output", type=Path, default=None, help="the .npz (default: <model>_numpy.npz)")
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    args = parser.parse_args(argv)

    from digits.data.mnist import load_mnist
    from digits.engines.base import predict_batched
    from digits.engines.keras_engine import KerasEngine
    from digits.engines.numpy_mlp import NumpyMLPEngine
    from digits.evaluation.metrics import agreement, describe_agreement
    from digits.preprocessing import preprocess_mnist
    from digits.training.train import sha256_file

    output = export_npz(args.model, args.output)
    data = load_mnist(args.mnist_dir)
    x = preprocess_mnist(data.x_test)[..., None]
    keras_engine = KerasEngine(args.model)
    reference = predict_batched(keras_engine.predict_proba, x, 1000)
    numpy_engine = NumpyMLPEngine(output)
    probabilities = predict_batched(numpy_engine.predict_proba, x, 1000)
    card = ModelCard(
        name=output.stem,
        architecture=keras_engine.card.architecture,
        engine="numpy",
        format="npz (numpy.savez, no pickle), float32: "
        + ", ".join(f"{key} {array.shape}" for key, array in numpy_engine.weights.as_dict().items()),
        source_model=args.model.name,
        source_model_sha256=keras_engine.card.model_sha256 or sha256_file(args.model),
        parameters=numpy_engine.weights.parameters,
        model_sha256=sha256_file(output),
        model_bytes=output.stat().st_size,
        source_model_bytes=args.model.stat().st_size,
        **agreement(probabilities, reference, data.y_test),
        test_images=len(x),
        versions={"numpy": np.__version__},
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        command=portable_command("digits.training.export_npz", argv),
    )
    card.save(ModelCard.path_for(output))
    size_mb = (card.model_bytes or 0) / 1e6
    print(f"{output.name}: {size_mb:.2f} MB, {card.parameters:,} parameters, {describe_agreement(card)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
