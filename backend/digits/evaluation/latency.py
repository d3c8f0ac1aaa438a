"""Inference latency of every served model, in-process, one image at a time.

Usage (from ``backend/``)::

    python -m digits.evaluation.latency            # prints a table and writes ``inference_ms`` into each card
    python -m digits.evaluation.latency --model cnn-ensemble   # one model (and its Keras reference)

For each model: the median and p99 over ``--runs`` calls of ``predict_proba`` on one
preprocessed (1, 28, 28, 1) image, in milliseconds, after a warm-up; and the ratio to the Keras
engine of the same network (``cnn-keras`` for the CNNs, ``mlp`` for the MLPs). This is the model
alone; ``make benchmark`` measures whole HTTP requests.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from digits.cards import InferenceTiming, ModelCard
from digits.data.mnist import load_mnist
from digits.engines.registry import load_engine, servable
from digits.preprocessing import preprocess_mnist
from digits.settings import DataSettings

KERAS_REFERENCE = {
    "cnn": "cnn-keras",
    "cnn-litert-dynamic": "cnn-keras",
    "cnn-litert-int8": "cnn-keras",
    "cnn-ensemble": "cnn-keras",
    "cnn-tta": "cnn-keras",
    "mlp-numpy": "mlp",
}


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.evaluation.latency", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--no-update-card", action="store_true")
    parser.add_argument(
        "--model", action="append", default=None, help="a served model name (repeatable; default: every one)"
    )
    args = parser.parse_args(argv)

    image = preprocess_mnist(load_mnist(settings.mnist_dir).x_test[:1])[..., None]
    names = servable(settings.models_dir)
    if args.model:  # those asked for, and the Keras model each is compared with (its card is left as is)
        unknown = sorted(set(args.model) - set(names))
        if unknown:
            parser.error(f"no such model file for: {', '.join(unknown)}")
        wanted = set(args.model) | {KERAS_REFERENCE[n] for n in args.model if n in KERAS_REFERENCE}
        names = [n for n in names if n in wanted]
    medians: dict[str, float] = {}
    rows = []
    for name in names:
        engine = load_engine(name, settings.models_dir)
        for _ in range(20):
            engine.predict_proba(image)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            engine.predict_proba(image)
            times.append((time.perf_counter() - started) * 1000)
        median, p99 = float(np.median(times)), float(np.percentile(times, 99))
        medians[name] = median
        rows.append((name, engine, median, p99))
    print(f"{'model':<20} {'median ms':>10} {'p99 ms':>8} {'vs Keras':>9}")
    for name, engine, median, p99 in rows:
        reference = KERAS_REFERENCE.get(name)
        ratio = median / medians[reference] if reference in medians else None
        print(f"{name:<20} {median:>10.3f} {p99:>8.3f} {f'{ratio:.2f}x' if ratio else '':>9}")
        asked = not args.model or name in args.model
        if asked and not args.no_update_card and engine.kind != "tta":  # a TTA engine shares its base model's card
            command = f"python -m digits.evaluation.latency --runs {args.runs}"
            if args.model:
                command += f" --model {name}"
            timing = InferenceTiming(
                median=round(median, 4),
                p99=round(p99, 4),
                vs_keras=round(ratio, 3) if ratio else None,
                keras_reference=reference,
                command=command,
            )
            ModelCard.amend(engine.path, inference_ms=timing)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
