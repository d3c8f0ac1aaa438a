"""Score models on MNIST and on handwriting beyond MNIST, through the service's preprocessing.

Usage (from ``backend/``)::

    python -m digits.evaluation                          # every servable model in models/
    python -m digits.evaluation --model cnn-keras --model /tmp/other.keras --update-card

Prints one row per model: MNIST test accuracy (10,000 images as PNGs), ``optdigits-canvas``
(1,797 UCI digits by other writers on a 280x280 canvas), ``strokes-<w>px`` (MNIST test digits
re-drawn with a round brush of w px) and ``photos`` (MNIST test digits as phone photos,
:mod:`digits.data.photos`). See :mod:`digits.data.evalsets` for how the sets are built.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from digits.cards import Evaluations, ModelCard
from digits.data.evalsets import EvalSet, mnist_set, optdigits_canvas_set, stroke_sets
from digits.data.mnist import load_mnist
from digits.data.photos import photo_set
from digits.engines.base import Engine
from digits.engines.keras_engine import KerasEngine
from digits.engines.registry import MODEL_SPECS, load_engine, servable
from digits.evaluation.metrics import preprocess_all, score
from digits.settings import DataSettings


def resolve(model: str, models_dir: Path) -> Engine:
    """A served model's name (``cnn``, ``cnn-keras``, ...) or a path to a ``.keras`` file."""
    if model in MODEL_SPECS:
        return load_engine(model, models_dir)
    return KerasEngine(Path(model), name=Path(model).stem)


def build_sets(mnist_dir: Path, strokes_limit: int, seed: int = 0) -> list[EvalSet]:
    """MNIST test, optdigits-canvas, the stroke sets and the photos (first ``strokes_limit`` test digits)."""
    data = load_mnist(mnist_dir)
    sets = [mnist_set(data.x_test, data.y_test), optdigits_canvas_set(seed=seed)]
    sets += stroke_sets(data.x_test[:strokes_limit], data.y_test[:strokes_limit], seed=seed)
    sets.append(photo_set(data.x_test[:strokes_limit], data.y_test[:strokes_limit], seed=seed))
    return sets


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.evaluation", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", action="append", help="a served model name or a .keras path (repeatable; default: all served)"
    )
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    parser.add_argument("--strokes-limit", type=int, default=2000, help="MNIST test digits per brush width")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--update-card", action="store_true", help="write the figures into each model card")
    args = parser.parse_args(argv)
    models = args.model or servable(settings.models_dir)

    started = time.perf_counter()
    sets = build_sets(args.mnist_dir, args.strokes_limit, args.seed)
    inputs = {s.name: preprocess_all(s.images) for s in sets}
    print(f"built {len(sets)} evaluation sets in {time.perf_counter() - started:.0f} s")

    header = ["model"] + [f"{s.name} ({len(s.labels)})" for s in sets]
    rows = []
    for model in models:
        engine = resolve(model, settings.models_dir)
        results = {s.name: round(score(engine.predict_proba, inputs[s.name], s.labels), 5) for s in sets}
        rows.append([f"{model} ({engine.version})"] + [f"{results[s.name] * 100:.2f} %" for s in sets])
        if args.update_card and engine.kind != "tta":  # a TTA engine shares its base model's file and card
            command = (
                f"python -m digits.evaluation --update-card --strokes-limit {args.strokes_limit} --seed {args.seed}"
            )
            ModelCard.amend(engine.path, evaluations=Evaluations(sets=results, command=command))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
