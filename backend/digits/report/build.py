"""Orchestration: load the data and the models, compute every section, write ``README.md``."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from digits.data.evalsets import optdigits_canvas_set, stroke_sets
from digits.data.mnist import load_mnist
from digits.data.photos import photo_set
from digits.engines.registry import load_engine
from digits.evaluation.metrics import preprocess_all
from digits.report.figures import FigureWriter
from digits.report.render import render_report
from digits.report.sections import (
    ArchitecturesContext,
    BeyondMnistContext,
    DataContext,
    EvaluationContext,
    FeedbackContext,
    NumbersContext,
    OpenWorldContext,
    RobustnessContext,
    TrainingContext,
    VariantsContext,
    architectures_section,
    beyond_mnist_section,
    data_section,
    evaluation_section,
    feedback_section,
    numbers_section,
    open_world_section,
    robustness_section,
    training_cards,
    training_section,
    variants_section,
)
from digits.settings import BACKEND_DIR

DEFAULT_OUTPUT = BACKEND_DIR.parent / "reports"
DEFAULT_MODELS = ("cnn", "cnn-litert-dynamic", "mlp", "mlp-numpy")
"""One entry per distinct served model. ``cnn-keras`` is left out: ``cnn`` is its float32 LiteRT
export, the same function (its card records the largest probability difference)."""


@dataclass(frozen=True)
class ReportContext:
    """Everything ``templates/report.md.j2`` renders: one context per section and the run time."""

    seconds: float
    data: DataContext
    training: TrainingContext
    evaluation: EvaluationContext
    robustness: RobustnessContext
    beyond: BeyondMnistContext
    open_world: OpenWorldContext
    feedback: FeedbackContext
    numbers: NumbersContext
    variants: VariantsContext
    architectures: ArchitecturesContext


def build_report(
    output: Path,
    mnist_dir: Path,
    models_dir: Path,
    models: Sequence[str] = DEFAULT_MODELS,
    test_limit: int | None = None,
    robustness_limit: int = 1000,
    strokes_limit: int = 1000,
    optdigits_limit: int | None = None,
    threads: int = 2,
    log: Callable[[str], None] = print,
) -> Path:
    """Generate every figure and ``README.md`` in ``output``; returns the Markdown path.

    Args:
        output: directory for ``README.md`` and the PNG figures (created; old PNGs removed).
        mnist_dir: the MNIST IDX files.
        models_dir: the served models (names of ``digits.engines.registry.MODEL_SPECS`` in ``models``).
        test_limit: evaluate on only the first N test images (quick runs); None = all 10,000.
        robustness_limit: test digits per transform.
        strokes_limit: MNIST test digits per brush width.
        optdigits_limit: UCI digits (None = all 1,797).
        threads: inference threads per engine.
        log: receives one line per finished step, the last starting with ``wrote``.
    """
    started = time.perf_counter()
    output.mkdir(parents=True, exist_ok=True)
    for old in output.glob("*.png"):
        old.unlink()
    figures = FigureWriter(output)
    mnist = load_mnist(mnist_dir)

    engines = {name: load_engine(name, models_dir, threads) for name in models}
    log(f"loaded {', '.join(f'{n} ({e.version})' for n, e in engines.items())}")

    data = data_section(figures, mnist)
    training = training_section(figures, training_cards(engines.values()))
    log(f"data and training figures: {time.perf_counter() - started:.0f} s")

    evaluation = evaluation_section(figures, engines, mnist.x_test[:test_limit], mnist.y_test[:test_limit])
    log(f"evaluation: {time.perf_counter() - started:.0f} s")

    limit = min(robustness_limit, len(mnist.y_test))
    robustness = robustness_section(figures, engines, mnist.x_test[:limit], mnist.y_test[:limit])
    log(f"robustness: {time.perf_counter() - started:.0f} s")

    optdigits = optdigits_canvas_set(seed=0, limit=optdigits_limit)
    sets = [optdigits, *stroke_sets(mnist.x_test[:strokes_limit], mnist.y_test[:strokes_limit], seed=0)]
    sets.append(photo_set(mnist.x_test[:strokes_limit], mnist.y_test[:strokes_limit], seed=0))
    beyond = beyond_mnist_section(figures, engines, sets, {s.name: preprocess_all(s.images) for s in sets})
    log(f"beyond MNIST: {time.perf_counter() - started:.0f} s")

    open_world = open_world_section(figures, engines)
    log(f"open world: {time.perf_counter() - started:.0f} s")

    feedback = feedback_section(figures)
    numbers = numbers_section(engines)
    variants = variants_section(models_dir)
    architectures = architectures_section()

    seconds = time.perf_counter() - started
    context = ReportContext(
        seconds, data, training, evaluation, robustness, beyond, open_world, feedback, numbers, variants, architectures
    )
    markdown = output / "README.md"
    markdown.write_text(render_report(**vars(context)))
    log(f"wrote {markdown} and {len(figures.written)} figures in {seconds:.0f} s")
    return markdown
