"""An ensemble of trained models as ONE LiteRT graph: averaged probabilities, one batched call.

Usage (from ``backend/``)::

    python -m digits.training.ensemble --member models/cnn.keras --member models/cnn_b.keras
    # -> models/cnn_ensemble_litert.tflite + .json, served as ``cnn-ensemble`` when listed in MODELS

The members (``.keras`` files with the same number of classes) are wrapped side by side in one
Keras functional model, ``probabilities = mean(member_i(image))``, and converted to LiteRT
float32 (:func:`digits.training.export_litert.export_litert`): one interpreter call answers a
whole batch for every member, with no Python loop over models at serving time. Averaging the
members' probabilities is the classic ensemble of independently trained networks (e.g. Ciresan,
Meier and Schmidhuber, "Multi-column deep neural networks for image classification", CVPR 2012,
who average the columns' outputs). The card records each member's file and sha256, the test
accuracy (the digit answered, :mod:`digits.verdict`) and the members' own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path

import numpy as np

from digits.cards import ModelCard, portable_command, portable_path
from digits.data.mnist import load_mnist
from digits.engines.base import predict_batched
from digits.preprocessing import preprocess_mnist
from digits.settings import DataSettings
from digits.verdict import digit_probabilities


def build_ensemble(members: list[Path]) -> object:
    """One Keras model averaging the probabilities of ``members``.

    Args:
        members: two or more ``.keras`` models, (N, 28, 28, 1) -> (N, C) probabilities, same C.

    Returns:
        A ``keras.Model``: (N, 28, 28, 1) float32 in [0, 1] -> (N, C) float32 probabilities.

    Raises:
        ValueError: fewer than two members, or members with different numbers of classes.
    """
    if len(members) < 2:
        raise ValueError("an ensemble needs at least two members")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    from keras import layers

    from digits.training.architectures import INPUT_SHAPE

    models = [keras.models.load_model(path, compile=False) for path in members]
    classes = {int(m.output_shape[-1]) for m in models}
    if len(classes) != 1:
        raise ValueError(f"members disagree on the number of classes: {sorted(classes)}")
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    outputs = []
    for i, model in enumerate(models):
        model.name = f"member{i}"  # the same architecture twice needs distinct names in one graph
        outputs.append(model(inputs))
    averaged = layers.Average(name="probabilities")(outputs)
    return keras.Model(inputs, averaged, name="ensemble")


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.training.ensemble", description=__doc__.split("\n")[0])
    parser.add_argument("--member", type=Path, action="append", required=True, help="a .keras model (repeat)")
    parser.add_argument(
        "--output", type=Path, default=settings.models_dir / "cnn_ensemble_litert.tflite", help="the .tflite file"
    )
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    args = parser.parse_args(argv)

    from digits.engines.keras_engine import KerasEngine
    from digits.engines.litert_engine import LiteRTEngine
    from digits.training.export_litert import export_litert
    from digits.training.train import sha256_file

    ensemble = build_ensemble(args.member)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ensemble.keras"
        ensemble.save(path)  # type: ignore[attr-defined]
        export_litert(path, args.output, "none")
    data = load_mnist(args.mnist_dir)
    x = preprocess_mnist(data.x_test)[..., None]

    def accuracy(probabilities: np.ndarray) -> float:
        return round(float((digit_probabilities(probabilities).argmax(1) == data.y_test).mean()), 5)

    member_cards = [KerasEngine(m).card for m in args.member]
    member_accuracy = [accuracy(predict_batched(KerasEngine(m).predict_proba, x, 1000)) for m in args.member]
    engine_card = ModelCard(
        name=args.output.stem,
        architecture="ensemble(" + "+".join(c.architecture for c in member_cards) + ")",
        classes=member_cards[0].classes,
        engine="litert",
        quantization="none (float32)",
        parameters=sum(c.parameters or 0 for c in member_cards),
        model_bytes=args.output.stat().st_size,
        members=[portable_path(m) for m in args.member],
        members_sha256=[sha256_file(m) for m in args.member],
        members_test_accuracy=member_accuracy,
        test_images=len(x),
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        command=portable_command("digits.training.ensemble", argv),
    )
    engine_card.save(ModelCard.path_for(args.output))
    probabilities = predict_batched(LiteRTEngine(args.output, name="cnn-ensemble").predict_proba, x, 1000)
    engine_card = ModelCard.amend(args.output, test_accuracy=accuracy(probabilities))
    print(
        f"{args.output.name}: {len(args.member)} members, {(engine_card.model_bytes or 0) / 1e6:.2f} MB, "
        f"test accuracy {(engine_card.test_accuracy or 0) * 100:.2f} % "
        f"(members: {', '.join(f'{a * 100:.2f} %' for a in member_accuracy)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
