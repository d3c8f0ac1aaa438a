"""The photo set's accuracy and how its errors are made: a before/after check for the photo preprocessing.

Usage (from ``backend/``)::

    python -m digits.evaluation.photos                          # cnn, first 1,000 MNIST test digits
    python -m digits.evaluation.photos --limit 2000 --save /tmp/after.npz --compare /tmp/before.npz

Renders the first ``--limit`` MNIST test digits as phone photos (:func:`digits.data.photos.photo_set`,
``--seed``), runs them through the service's preprocessing and the model, and prints the accuracy
(the digit the API answers, as :mod:`digits.evaluation` scores it), how many errors the model calls
"not a digit" (class 10 of an 11-class model), and how many inputs show the ink small in the frame
(its bounding box in the 28x28 input under 12 px on its longer side: a digit drowned in a frame of
paper edge or shadow). ``--save`` writes the inputs and answers; ``--compare`` reports the photos
whose answer changed against such a file.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from digits.data.mnist import load_mnist
from digits.data.photos import photo_set
from digits.engines.base import predict_batched
from digits.engines.registry import load_engine
from digits.evaluation.metrics import preprocess_all
from digits.settings import DataSettings
from digits.verdict import digit_probabilities

SMALL_INK = 12
"""Longer side, in pixels of the 28x28 input, under which the ink is counted as small in its frame
(a digit is scaled to fill 20 px)."""


def ink_extent(inputs: NDArray[np.float32], threshold: float = 0.2) -> NDArray[np.int64]:
    """(N, 28, 28[, 1]) model inputs -> (N,) the longer side of each one's ink bounding box, in pixels."""
    mask = np.asarray(inputs.reshape(len(inputs), 28, 28) > threshold)
    rows, cols = np.asarray(mask.any(axis=2)), np.asarray(mask.any(axis=1))

    def span(hit: NDArray[np.bool_]) -> NDArray[np.int64]:
        first = hit.argmax(axis=1)
        last = hit.shape[1] - 1 - hit[:, ::-1].argmax(axis=1)
        return np.where(hit.any(axis=1), last - first + 1, 0).astype(np.int64)

    return np.maximum(span(rows), span(cols))


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.evaluation.photos", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="cnn", help="a served model name (default: cnn)")
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    parser.add_argument("--limit", type=int, default=1000, help="first N MNIST test digits")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, help="write inputs, answers and labels to this .npz")
    parser.add_argument("--compare", type=Path, help="a .npz written by --save: count the answers that changed")
    args = parser.parse_args(argv)

    data = load_mnist(args.mnist_dir)
    photos = photo_set(data.x_test[: args.limit], data.y_test[: args.limit], seed=args.seed)
    started = time.perf_counter()
    inputs = preprocess_all(photos.images)
    seconds = time.perf_counter() - started
    engine = load_engine(args.model, settings.models_dir)
    probabilities = predict_batched(engine.predict_proba, inputs, 500)
    answers = digit_probabilities(probabilities).argmax(axis=1)
    top = probabilities.argmax(axis=1)
    labels = photos.labels
    wrong = answers != labels
    small = ink_extent(inputs) < SMALL_INK
    print(f"photos: {len(labels)} (seed {args.seed}), model {engine.version}")
    print(f"preprocessing: {seconds * 1000 / len(labels):.1f} ms per photo")
    print(f"accuracy: {100 * (1 - wrong.mean()):.2f} % ({int(wrong.sum())} errors)")
    if probabilities.shape[1] > 10:
        print(f"errors the model calls 'not a digit': {int((wrong & (top == 10)).sum())}")
        print(f"all photos the model calls 'not a digit': {int((top == 10).sum())}")
    print(f"inputs with the ink under {SMALL_INK} px: {int(small.sum())} ({int((small & wrong).sum())} of them errors)")
    if args.save:
        np.savez_compressed(args.save, inputs=inputs, answers=answers, labels=labels)
    if args.compare:
        before = np.load(args.compare)
        was_wrong = before["answers"] != before["labels"]
        print(
            f"against {args.compare}: {int((was_wrong & ~wrong).sum())} fixed, {int((~was_wrong & wrong).sum())} broken"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
