"""Accuracy on printed digit styles: the digits of Hershey fonts that training never sees.

Usage (from ``backend/``)::

    python -m digits.evaluation.fonts                              # every servable model
    python -m digits.evaluation.fonts --model cnn --model /tmp/other.keras --count 2000

Draws ``--count`` digits (0-9 in turn) of the held-out fonts (cursive, script complex, Times
italic, Roman duplex; :func:`digits.data.evalsets.font_digit_set`, ``--seed``) as a wobbly hand
with a round brush would, runs them through the service's preprocessing and each model, and prints
the accuracy (the digit the API answers, as :mod:`digits.evaluation` scores it), the accuracy per
digit and the share the model calls "not a digit" (class 10 of an 11-class model). ``--font-digits``
adds the training fonts' digits to training (:mod:`digits.training.train`).
"""

from __future__ import annotations

import argparse

from digits.data.evalsets import font_digit_set
from digits.engines.base import predict_batched
from digits.engines.registry import servable
from digits.evaluation.evaluate import resolve
from digits.evaluation.metrics import preprocess_all
from digits.settings import DataSettings
from digits.verdict import digit_probabilities


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.evaluation.fonts", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", action="append", help="a served model name or a .keras path (repeatable; default: all served)"
    )
    parser.add_argument("--count", type=int, default=2000, help="digits drawn (0-9 in turn)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    models = args.model or servable(settings.models_dir)

    fonts = font_digit_set(args.count, seed=args.seed)
    inputs = preprocess_all(fonts.images)
    print(f"font-digits: {len(fonts.labels)} (seed {args.seed})")
    for model in models:
        engine = resolve(model, settings.models_dir)
        probabilities = predict_batched(engine.predict_proba, inputs, 500)
        answers = digit_probabilities(probabilities).argmax(axis=1)
        right = answers == fonts.labels
        per_digit = " ".join(f"{d}:{100 * right[fonts.labels == d].mean():.0f}" for d in range(10))
        refused = (probabilities.argmax(axis=1) == 10).mean() if probabilities.shape[1] > 10 else 0.0
        print(
            f"{model} ({engine.version}): accuracy {100 * right.mean():.2f} %, per digit (%) {per_digit}, "
            f"'not a digit' {100 * refused:.2f} %"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
