"""Choose a model's verdict thresholds on validation data, then measure them on held-out sets.

Usage (from ``backend/``)::

    python -m digits.evaluation.open_set                 # the served default model (cnn): update its card
    python -m digits.evaluation.open_set --model mlp-numpy --max-refused 0.01

The verdicts (:mod:`digits.verdict`) need two thresholds, both chosen on validation data only:

* ``not_a_digit``: the smallest out-of-distribution score threshold that refuses at most
  ``--max-refused`` of the validation digits (the MNIST validation split that training holds
  out, the same seed-42 permutation, drawn both as MNIST images and as round-brush strokes);
* ``uncertain``: the ``--max-uncertain`` quantile of those digits' confidences among the digits.

Then, once, on data that chose nothing: the share refused (answered ``not_a_digit``) of digit
sets (MNIST test, optdigits-canvas, strokes, photos: false refusals) and of non-digit sets
(Omniglot characters and Hershey-font letters held out from training, generated shapes and
scribbles of another seed, and the probe drawings), and the AUROC of the score between each
non-digit set and the MNIST test digits (scikit-learn's ``roc_auc_score``).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from digits.cards import ModelCard, OpenSet, portable_command
from digits.data.evalsets import EvalSet, mnist_set, optdigits_canvas_set, stroke_sets
from digits.data.mnist import load_mnist
from digits.data.negatives import negative_drawings, probe_drawings
from digits.data.photos import photo_set
from digits.engines import Engine, load_engine, predict_batched
from digits.evaluation.metrics import preprocess_all
from digits.preprocessing import preprocess_mnist
from digits.settings import DataSettings
from digits.verdict import NOT_A_DIGIT_CLASS, digit_probabilities, not_digit_score

VALIDATION_SEED = 42
"""The permutation training uses to hold out its validation split (``digits.training.train``)."""
VALIDATION_SIZE = 5000
NEGATIVES_VALIDATION_SEED = 2000
NEGATIVES_TEST_SEED = 3000


def scores_and_confidences(engine: Engine, x: NDArray[np.float32]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(N, 28, 28, 1) inputs -> (out-of-distribution scores, confidences among the digits), each (N,)."""
    probabilities = predict_batched(engine.predict_proba, x)
    return not_digit_score(probabilities), digit_probabilities(probabilities).max(axis=1)


def choose_thresholds(
    digit_scores: NDArray[np.float64], digit_confidences: NDArray[np.float64], max_refused: float, max_uncertain: float
) -> tuple[float, float]:
    """(not_a_digit, uncertain) thresholds from validation digits only.

    ``not_a_digit`` refuses at most ``max_refused`` of the digits (score >= threshold is refused);
    ``uncertain`` flags about ``max_uncertain`` of those kept (confidence < threshold).
    """
    not_a_digit = float(np.quantile(digit_scores, 1.0 - max_refused, method="higher")) + 1e-9
    kept = digit_confidences[digit_scores < not_a_digit]
    uncertain = float(np.quantile(kept, max_uncertain)) if len(kept) else 0.0
    return min(not_a_digit, 1.0), uncertain


def auroc(negatives: NDArray[np.float64], positives: NDArray[np.float64]) -> float:
    """Area under the ROC curve of the score separating non-digits (positives of "not a digit")
    from digits: 1.0 separates perfectly, 0.5 is chance."""
    from sklearn.metrics import roc_auc_score

    labels = np.concatenate([np.zeros(len(positives)), np.ones(len(negatives))])
    return float(roc_auc_score(labels, np.concatenate([positives, negatives])))


def non_digit_sets(count: int, seed: int, mnist_images: NDArray[np.uint8]) -> dict[str, list[bytes]]:
    """Held-out non-digit drawings grouped by what they are: ``omniglot``, ``letters``, ``shapes``."""
    names, drawings = negative_drawings(count, seed=seed, split="test", mnist_images=mnist_images)
    groups: dict[str, list[bytes]] = defaultdict(list)
    for name, png in zip(names, drawings, strict=True):
        group = "omniglot" if name.startswith("omniglot") else "letters" if name.startswith("hershey") else "shapes"
        groups[group].append(png)
    return dict(groups)


@dataclass(frozen=True)
class OpenSetData:
    """Every preprocessed input the thresholds are chosen on and measured on, (N, 28, 28, 1) each,
    and the labels of the digit sets ((N,) uint8, for accuracy)."""

    validation_digits: NDArray[np.float32]
    validation_not_digits: NDArray[np.float32]
    digit_sets: dict[str, NDArray[np.float32]]
    not_digit_sets: dict[str, NDArray[np.float32]]
    digit_labels: dict[str, NDArray[np.uint8]] = field(default_factory=dict)


def build_data(count: int) -> OpenSetData:
    """The validation digits and non-digits, and the held-out sets (``count`` per drawn set)."""
    settings = DataSettings()
    data = load_mnist(settings.mnist_dir)
    order = np.random.default_rng(VALIDATION_SEED).permutation(len(data.x_train))
    x_val, y_val = data.x_train[order[:VALIDATION_SIZE]], data.y_train[order[:VALIDATION_SIZE]]
    val_inputs = [preprocess_mnist(x_val)[..., None]]
    val_inputs += [preprocess_all(s.images) for s in stroke_sets(x_val[:count], y_val[:count], seed=1)]
    _, negatives = negative_drawings(
        count, seed=NEGATIVES_VALIDATION_SEED, split="validation", mnist_images=x_val[:count]
    )
    x_test, y_test = data.x_test, data.y_test
    digit_sets: list[EvalSet] = [mnist_set(x_test, y_test), optdigits_canvas_set(seed=0)]
    digit_sets += stroke_sets(x_test[:count], y_test[:count], seed=0)
    digit_sets.append(photo_set(x_test[:count], y_test[:count], seed=0))
    held_out = non_digit_sets(3 * count, NEGATIVES_TEST_SEED, x_test[count : 2 * count])
    held_out["probes"] = list(probe_drawings().values())
    return OpenSetData(
        validation_digits=np.concatenate(val_inputs),
        validation_not_digits=preprocess_all(negatives),
        digit_sets={s.name: preprocess_all(s.images) for s in digit_sets},
        not_digit_sets={name: preprocess_all(drawings) for name, drawings in held_out.items()},
        digit_labels={s.name: s.labels for s in digit_sets},
    )


def calibrate(engine: Engine, data: OpenSetData, max_refused: float, max_uncertain: float, command: str) -> OpenSet:
    """Choose ``engine``'s thresholds on the validation data, then measure them on the held-out sets."""
    val_scores, val_confidences = scores_and_confidences(engine, data.validation_digits)
    not_a_digit, uncertain = choose_thresholds(val_scores, val_confidences, max_refused, max_uncertain)
    negative_scores, _ = scores_and_confidences(engine, data.validation_not_digits)
    validation = {
        "digits_refused": round(float((val_scores >= not_a_digit).mean()), 4),
        "digits_uncertain": round(float((val_confidences[val_scores < not_a_digit] < uncertain).mean()), 4),
        "not_digits_refused": round(float((negative_scores >= not_a_digit).mean()), 4),
    }
    refused: dict[str, float] = {}
    for name, x in data.digit_sets.items():
        scores, _ = scores_and_confidences(engine, x)
        refused[name] = round(float((scores >= not_a_digit).mean()), 4)
    mnist_scores, _ = scores_and_confidences(engine, data.digit_sets["mnist"])
    aurocs: dict[str, float] = {}
    for name, x in data.not_digit_sets.items():
        scores, _ = scores_and_confidences(engine, x)
        refused[f"not-digits-{name}"] = round(float((scores >= not_a_digit).mean()), 4)
        aurocs[f"not-digits-{name}"] = round(auroc(scores, mnist_scores), 4)
    classes = int(predict_batched(engine.predict_proba, data.validation_digits[:1]).shape[1])
    return OpenSet(
        method="not_a_digit_class" if classes > NOT_A_DIGIT_CLASS else "max_softmax",
        not_a_digit_threshold=round(not_a_digit, 6),
        uncertain_threshold=round(uncertain, 4),
        chosen_on=f"MNIST validation split ({VALIDATION_SIZE}) + its first digits drawn as strokes at 3 widths: "
        f"refuse at most {max_refused:.1%}, flag about {max_uncertain:.1%} uncertain",
        validation=validation,
        refused=refused,
        auroc=aurocs,
        command=command,
    )


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.evaluation.open_set", description=__doc__.split("\n")[0])
    parser.add_argument("--model", action="append", help="a served model name (repeatable; default: cnn)")
    parser.add_argument("--max-refused", type=float, default=0.01, help="share of validation digits refused")
    parser.add_argument("--max-uncertain", type=float, default=0.01, help="share of validation digits uncertain")
    parser.add_argument("--count", type=int, default=1000, help="images per stroke, photo and non-digit set")
    parser.add_argument("--no-update-card", action="store_true")
    args = parser.parse_args(argv)

    data = build_data(args.count)
    for name in args.model or ["cnn"]:
        engine = load_engine(name, settings.models_dir)
        command = portable_command("digits.evaluation.open_set", ["--model", name, *_options(args)])
        result = calibrate(engine, data, args.max_refused, args.max_uncertain, command)
        print(name, result.model_dump_json(indent=2))
        if not args.no_update_card and engine.kind != "tta":
            ModelCard.amend(engine.path, open_set=result)
    return 0


def _options(args: argparse.Namespace) -> list[str]:
    """The non-model options, as a command line records them."""
    return [f"--max-refused={args.max_refused}", f"--max-uncertain={args.max_uncertain}", f"--count={args.count}"]


if __name__ == "__main__":
    raise SystemExit(main())
