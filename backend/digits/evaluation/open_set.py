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


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.evaluation.open_set", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="cnn", help="a served model name")
    parser.add_argument("--max-refused", type=float, default=0.01, help="share of validation digits refused")
    parser.add_argument("--max-uncertain", type=float, default=0.01, help="share of validation digits uncertain")
    parser.add_argument("--count", type=int, default=1000, help="images per stroke, photo and non-digit set")
    parser.add_argument("--no-update-card", action="store_true")
    args = parser.parse_args(argv)

    engine = load_engine(args.model, settings.models_dir)
    data = load_mnist(settings.mnist_dir)
    order = np.random.default_rng(VALIDATION_SEED).permutation(len(data.x_train))
    x_val, y_val = data.x_train[order[:VALIDATION_SIZE]], data.y_train[order[:VALIDATION_SIZE]]

    val_inputs = [preprocess_mnist(x_val)[..., None]]
    val_inputs += [preprocess_all(s.images) for s in stroke_sets(x_val[: args.count], y_val[: args.count], seed=1)]
    val_scores, val_confidences = scores_and_confidences(engine, np.concatenate(val_inputs))
    not_a_digit, uncertain = choose_thresholds(val_scores, val_confidences, args.max_refused, args.max_uncertain)
    _, negatives = negative_drawings(
        args.count, seed=NEGATIVES_VALIDATION_SEED, split="validation", mnist_images=x_val[: args.count]
    )
    negative_scores, _ = scores_and_confidences(engine, preprocess_all(negatives))
    validation = {
        "digits_refused": round(float((val_scores >= not_a_digit).mean()), 4),
        "digits_uncertain": round(float((val_confidences[val_scores < not_a_digit] < uncertain).mean()), 4),
        "not_digits_refused": round(float((negative_scores >= not_a_digit).mean()), 4),
    }

    x_test, y_test = data.x_test, data.y_test
    digit_sets: list[EvalSet] = [mnist_set(x_test, y_test), optdigits_canvas_set(seed=0)]
    digit_sets += stroke_sets(x_test[: args.count], y_test[: args.count], seed=0)
    digit_sets.append(photo_set(x_test[: args.count], y_test[: args.count], seed=0))
    refused: dict[str, float] = {}
    mnist_scores = np.zeros(0)
    for evalset in digit_sets:
        scores, _ = scores_and_confidences(engine, preprocess_all(evalset.images))
        refused[evalset.name] = round(float((scores >= not_a_digit).mean()), 4)
        if evalset.name == "mnist":
            mnist_scores = scores
    aurocs: dict[str, float] = {}
    held_out = non_digit_sets(3 * args.count, NEGATIVES_TEST_SEED, x_test[args.count : 2 * args.count])
    held_out["probes"] = list(probe_drawings().values())
    for name, drawings in held_out.items():
        scores, _ = scores_and_confidences(engine, preprocess_all(drawings))
        refused[f"not-digits-{name}"] = round(float((scores >= not_a_digit).mean()), 4)
        aurocs[f"not-digits-{name}"] = round(auroc(scores, mnist_scores), 4)

    classes = int(predict_batched(engine.predict_proba, val_inputs[0][:1]).shape[1])
    result = OpenSet(
        method="not_a_digit_class" if classes > NOT_A_DIGIT_CLASS else "max_softmax",
        not_a_digit_threshold=round(not_a_digit, 6),
        uncertain_threshold=round(uncertain, 4),
        chosen_on=f"MNIST validation split ({VALIDATION_SIZE}) + {args.count} of its digits drawn as strokes "
        f"at 3 widths: refuse at most {args.max_refused:.1%}, flag about {args.max_uncertain:.1%} uncertain",
        validation=validation,
        refused=refused,
        auroc=aurocs,
        command=portable_command("digits.evaluation.open_set", argv),
    )
    print(result.model_dump_json(indent=2))
    if not args.no_update_card and engine.kind != "tta":
        ModelCard.amend(engine.path, open_set=result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
