"""Exact-number and per-digit accuracy on written numbers built by the project.

Usage (from ``backend/``)::

    python -m digits.evaluation.numbers               # prints a table, writes ``numbers`` into the card
    python -m digits.evaluation.numbers --count 40    # a quick run

Sets (:mod:`digits.numbers.synthetic`, seed ``--seed``): numbers from MNIST test digits, from the
UCI optical digits (``optdigits``) and from MNIST test digits traced into pen strokes
(``strokes``), each ``separated`` (gaps) and ``touching`` (overlaps up to 15 % of a digit's
width), with size and baseline jitter and slant; ``4``: ``--count`` numbers of 4 digits;
``1-8``: ``--count`` numbers of 1 to 8 digits (equally many of each length). Each is read from
its pixels (:func:`digits.numbers.read_image`), the ``strokes`` sets also from their strokes
(:func:`digits.numbers.read_strokes`). A set of 3-digit numbers with one non-digit drawing placed
among the digits (``not_a_digit``) measures that such a piece is answered ``not_a_digit`` and left
out of the number. Per-digit accuracy is 1 - edit distance / length.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from digits.cards import ModelCard, ModelCardError, NumberReading, NumberSetScore, portable_command
from digits.data.mnist import load_mnist
from digits.engines import Engine, ModelLoadError
from digits.engines.registry import MODEL_SPECS, load_engine
from digits.numbers import Segmenter, as_arrays, read_image, read_strokes, synthetic
from digits.numbers.reader import NumberReading as Reading
from digits.settings import DataSettings
from digits.verdict import Thresholds

METHOD = (
    "pixels: connected components, merged by horizontal overlap and for fragments, touching digits split by "
    "segmentation by recognition (cut paths, every candidate segment read in one engine call, a dynamic programme "
    "over the cuts scored by the classifier); strokes: grouped by horizontal overlap and "
    "time; every digit through the single-digit preprocessing; the cuts decided by the model's segmenter when it has "
    "one (a CNN fine-tuned with two touching digits as not a digit), the digits read by the model"
)
MAX_DIGITS = 12


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (insertions, deletions, substitutions)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def score(samples: list[synthetic.NumberSample], read: Callable[[synthetic.NumberSample], Reading]) -> NumberSetScore:
    """Read every sample; the set's exact and per-digit accuracy and median time."""
    exact, matched, digits, times = 0, 0, 0, []
    for sample in samples:
        started = time.perf_counter()
        number = read(sample).number
        times.append((time.perf_counter() - started) * 1000)
        exact += number == sample.label
        matched += max(0, len(sample.label) - edit_distance(number, sample.label))
        digits += len(sample.label)
    return NumberSetScore(
        numbers=len(samples),
        digits=digits,
        exact=round(exact / max(len(samples), 1), 4),
        per_digit=round(matched / max(digits, 1), 4),
        median_ms=round(float(np.median(times)) if times else 0.0, 2),
    )


def evaluate(
    engine: Engine, count: int, seed: int, mnist_dir: object, segmenter: Engine | None = None
) -> NumberReading:
    """Every set of the module's docstring read by ``engine``, the cuts decided by ``segmenter``
    when given (as the service does, :func:`segmenter_of`)."""
    mnist = load_mnist(mnist_dir)  # type: ignore[arg-type]
    limits = Thresholds.calibrated(engine.card.open_set)
    decide = Segmenter(segmenter.predict_proba, Thresholds.calibrated(segmenter.card.open_set)) if segmenter else None

    def pixels(sample: synthetic.NumberSample) -> Reading:
        img = Image.open(io.BytesIO(sample.image))
        return read_image(img, engine.predict_proba, limits, max_digits=MAX_DIGITS, segmenter=decide)

    def strokes(sample: synthetic.NumberSample) -> Reading:
        assert sample.strokes is not None
        arrays = as_arrays(sample.strokes)
        return read_strokes(
            arrays, sample.brush_width, engine.predict_proba, limits, max_digits=MAX_DIGITS, segmenter=decide
        )

    sources = [
        synthetic.mnist_source(mnist.x_test, mnist.y_test),
        synthetic.optdigits_source(),
        synthetic.strokes_source(mnist.x_test[: max(24, count * 3)], mnist.y_test[: max(24, count * 3)]),
    ]
    lengths = {"4": [4] * count, "1-8": [n for n in range(1, 9) for _ in range(max(1, count // 8))]}
    sets: dict[str, NumberSetScore] = {}
    for source in sources:
        for layout in synthetic.LAYOUTS:
            for name, sizes in lengths.items():
                samples = synthetic.number_set(source, layout, sizes, seed=seed)
                sets[f"{source.name}/{layout}/{name}/pixels"] = score(samples, pixels)
                if source.strokes is not None:
                    sets[f"{source.name}/{layout}/{name}/strokes"] = score(samples, strokes)
                print(
                    "  ".join(
                        f"{k}: {v.exact:.4f} exact, {v.per_digit:.4f} per digit, {v.median_ms} ms"
                        for k, v in sets.items()
                        if k.startswith(f"{source.name}/{layout}/{name}/")
                    ),
                    flush=True,
                )
    # A non-digit drawing among three MNIST digits: answered not_a_digit, left out of the number.
    mixed = synthetic.with_non_digits(synthetic.mnist_source(mnist.x_test, mnist.y_test), count, seed)
    rng = np.random.default_rng(seed)
    first_negative = len(mnist.y_test)
    refused, exact = 0, 0
    for k in range(count):
        chosen = [*rng.choice(first_negative, size=3, replace=False), first_negative + k]
        rng.shuffle(chosen)
        sample = synthetic.make_number(mixed, np.asarray(chosen), "separated", rng)
        reading = pixels(sample)
        position = chosen.index(first_negative + k)
        if len(reading.digits) == 4:
            refused += reading.digits[position].verdict == "not_a_digit"
        exact += reading.number == sample.label
    not_a_digit = {"refused": round(refused / count, 4), "exact": round(exact / count, 4)}
    print(f"not a digit among digits: {not_a_digit}")
    return NumberReading(sets=sets, not_a_digit=not_a_digit, method=METHOD, seed=seed, command="")


def segmenter_of(engine: Engine, models_dir: Path) -> Engine | None:
    """The engine the service would give ``engine`` to decide the cuts: its ``MODEL_SPECS``
    entry's ``segmenter``, when that file loads."""
    spec = MODEL_SPECS.get(engine.name)
    if spec is None or spec.segmenter is None:
        return None
    try:
        return load_engine(spec.segmenter, models_dir)
    except (ModelLoadError, ModelCardError):
        return None


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m digits.evaluation.numbers", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="cnn", help="served model name (default: cnn)")
    parser.add_argument("--count", type=int, default=200, help="numbers per set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-update-card", action="store_true")
    parser.add_argument(
        "--no-segmenter",
        action="store_true",
        help="decide the cuts with --model itself, not its segmenter (as a service without it)",
    )
    args = parser.parse_args(argv)
    engine = load_engine(args.model, settings.models_dir)
    segmenter = None if args.no_segmenter else segmenter_of(engine, settings.models_dir)
    print(f"cuts decided by {segmenter.name if segmenter else args.model}")
    result = evaluate(engine, args.count, args.seed, settings.mnist_dir, segmenter)
    result = result.model_copy(update={"command": portable_command("digits.evaluation.numbers", argv)})
    if not args.no_update_card:
        ModelCard.amend(settings.models_dir / MODEL_SPECS[args.model].file, numbers=result.model_dump())
        print(f"wrote numbers into the card of {args.model}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
