"""Choose the ``uncertain`` threshold on validation data and measure what it refuses.

Usage (from ``backend/``)::

    python -m digits.evaluation.calibration                 # the served default model (cnn), update its card
    python -m digits.evaluation.calibration --model cnn-keras --max-refused 0.01

The threshold is the confidence below which the service flags an answer as ``uncertain``. It is
chosen on the validation split that training holds out of the 60,000 MNIST training images (the
same seed-42 permutation, so these digits were never trained on), drawn both as MNIST images and
as round-brush strokes: the largest threshold that refuses at most ``--max-refused`` of those
real digits. It is then measured, once, on data not used to choose it: the MNIST test set, its
stroke renderings, and non-digit drawings of another seed (:mod:`digits.data.negatives`).
"""

from __future__ import annotations

import argparse

import numpy as np
from numpy.typing import NDArray

from digits.cards import ModelCard, Uncertainty
from digits.data.evalsets import stroke_sets
from digits.data.mnist import load_mnist
from digits.data.negatives import not_digit_set
from digits.engines.base import PredictProba, predict_batched
from digits.engines.registry import load_engine
from digits.evaluation.metrics import preprocess_all
from digits.preprocessing import preprocess_mnist
from digits.settings import DataSettings

VALIDATION_SEED = 42
VALIDATION_SIZE = 5000
NEGATIVES_VALIDATION_SEED = 2000
NEGATIVES_TEST_SEED = 3000


def confidences(predict_proba: PredictProba, x: NDArray[np.float32]) -> NDArray[np.float32]:
    """Largest probability per image: (N, 28, 28, 1) float32 inputs -> (N,) float32 in [0, 1]."""
    best: NDArray[np.float32] = predict_batched(predict_proba, x).max(axis=1)
    return best


def choose_threshold(real_confidences: NDArray[np.float32], max_refused: float) -> float:
    """The largest threshold that refuses at most ``max_refused`` (a fraction) of real digits.

    It is the ``max_refused`` quantile of their confidences: an answer whose confidence is below
    it is ``uncertain``.
    """
    return float(np.quantile(real_confidences, max_refused))


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.evaluation.calibration", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="cnn", help="a served model name")
    parser.add_argument("--max-refused", type=float, default=0.01, help="share of real validation digits refused")
    parser.add_argument("--count", type=int, default=1000, help="images per stroke/negative set")
    parser.add_argument("--no-update-card", action="store_true")
    args = parser.parse_args(argv)

    engine = load_engine(args.model, settings.models_dir)
    data = load_mnist(settings.mnist_dir)
    order = np.random.default_rng(VALIDATION_SEED).permutation(len(data.x_train))
    val_idx = order[:VALIDATION_SIZE]
    x_val, y_val = data.x_train[val_idx], data.y_train[val_idx]

    real_val = np.concatenate(
        [
            confidences(engine.predict_proba, preprocess_mnist(x_val)[..., None]),
            *[
                confidences(engine.predict_proba, preprocess_all(s.images))
                for s in stroke_sets(x_val[: args.count], y_val[: args.count], seed=1)
            ],
        ]
    )
    threshold = choose_threshold(real_val, args.max_refused)
    _, neg_val = not_digit_set(args.count, NEGATIVES_VALIDATION_SEED)
    neg_val_conf = confidences(engine.predict_proba, preprocess_all(neg_val))

    test_sets = {"mnist-test": confidences(engine.predict_proba, preprocess_mnist(data.x_test)[..., None])}
    for s in stroke_sets(data.x_test[: args.count], data.y_test[: args.count], seed=0):
        test_sets[s.name] = confidences(engine.predict_proba, preprocess_all(s.images))
    _, neg_test = not_digit_set(args.count, NEGATIVES_TEST_SEED)
    neg_test_conf = confidences(engine.predict_proba, preprocess_all(neg_test))

    result = Uncertainty(
        threshold=round(threshold, 4),
        chosen_on=f"MNIST validation split ({VALIDATION_SIZE}) + its stroke renderings, "
        f"refusing at most {args.max_refused:.1%} of them",
        validation_not_digits_flagged=round(float((neg_val_conf < threshold).mean()), 4),
        test_digits_refused={name: round(float((c < threshold).mean()), 4) for name, c in test_sets.items()},
        test_not_digits_flagged=round(float((neg_test_conf < threshold).mean()), 4),
        command=f"python -m digits.evaluation.calibration --model {args.model} --max-refused {args.max_refused}",
    )
    print(result.model_dump_json(indent=2))
    if not args.no_update_card:
        ModelCard.amend(engine.path, uncertain=result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
