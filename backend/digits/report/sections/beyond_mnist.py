"""The beyond-MNIST section: accuracy on the evaluation sets of :mod:`digits.data.evalsets`
(UCI optical digits on a canvas, MNIST digits re-drawn with round brushes), with examples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digits.data.evalsets import EvalSet
from digits.engines.base import Engine
from digits.evaluation.metrics import predict_digits
from digits.report.figures import FigureWriter, canvas_view

EXAMPLES = 6
"""Examples of each set in the figure."""


@dataclass(frozen=True)
class SetSize:
    """An evaluation set's name and number of images."""

    name: str
    size: int


@dataclass(frozen=True)
class BeyondMnistContext:
    """The sets (table columns), accuracy by model then by set, and the examples figure."""

    sets: list[SetSize]
    accuracy: dict[str, dict[str, float]]
    examples_figure: str


def examples_figure(sets: Sequence[EvalSet], inputs: Mapping[str, NDArray[np.float32]]) -> object:
    """For each set, a row of canvases as sent and a row of the model's 28x28 inputs."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2 * len(sets), EXAMPLES, figsize=(EXAMPLES * 1.1, len(sets) * 2.4), squeeze=False)
    for row, s in enumerate(sets):
        for col in range(EXAMPLES):
            canvas_ax, input_ax = axes[2 * row, col], axes[2 * row + 1, col]
            if col >= len(s.images):
                canvas_ax.axis("off")
                input_ax.axis("off")
                continue
            canvas_ax.imshow(canvas_view(s.images[col]), cmap="gray", vmin=0, vmax=255)
            input_ax.imshow(inputs[s.name][col, :, :, 0], cmap="gray_r", vmin=0, vmax=1)
            canvas_ax.set_title(f"{s.name}: {s.labels[col]}" if col == 0 else str(s.labels[col]), fontsize=8)
            for ax in (canvas_ax, input_ax):
                ax.set_xticks([])
                ax.set_yticks([])
    fig.tight_layout(pad=0.3)
    return fig


def beyond_mnist_section(
    figures: FigureWriter,
    engines: Mapping[str, Engine],
    sets: Sequence[EvalSet],
    inputs: Mapping[str, NDArray[np.float32]],
) -> BeyondMnistContext:
    """Score every engine on every set (``inputs``: each set's preprocessed images) and draw examples."""
    accuracy = {
        name: {
            s.name: float((predict_digits(engine.predict_proba, inputs[s.name], 1000) == s.labels).mean()) for s in sets
        }
        for name, engine in engines.items()
    }
    return BeyondMnistContext(
        sets=[SetSize(s.name, len(s.labels)) for s in sets],
        accuracy=accuracy,
        examples_figure=figures.save(examples_figure(sets, inputs), "beyond_mnist_examples"),
    )
