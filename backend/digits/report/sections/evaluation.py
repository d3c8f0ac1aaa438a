"""The evaluation section: per model, MNIST test accuracy, confusion matrix, per-class
precision / recall / F1, and the first misclassified test images."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digits.engines.base import Engine, predict_batched
from digits.engines.registry import MODEL_SPECS
from digits.preprocessing import preprocess_mnist
from digits.report.figures import FigureWriter, image_grid
from digits.verdict import digit_probabilities

MISCLASSIFIED_SHOWN = 40
"""At most this many misclassified test images per model in the figure."""


@dataclass(frozen=True)
class ClassStats:
    """One row of the per-class table: a digit (or ``macro avg`` / ``weighted avg``)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ModelEvaluation:
    """What the report measured for one model on the MNIST test set.

    Attributes:
        name: the served name, e.g. ``cnn``.
        kind: the engine that ran it (``litert``, ``keras``, ``numpy``, ``tta``).
        description: the registry's one-line description.
        version: the engine's version string.
        parameters: trainable parameters (from the card), None if unknown.
        file_bytes: size of the model file.
        accuracy: fraction of the test images classified correctly.
        errors: number of test images misclassified.
        per_class: precision / recall / F1 / support per digit, then the two averages.
        confusion_figure: PNG file name.
        misclassified_shown: how many misclassified images the figure shows.
        misclassified_figure: PNG file name, None when there was no error.
    """

    name: str
    kind: str
    description: str
    version: str
    parameters: int | None
    file_bytes: int
    accuracy: float
    errors: int
    per_class: list[ClassStats]
    confusion_figure: str
    misclassified_shown: int
    misclassified_figure: str | None


@dataclass(frozen=True)
class EvaluationContext:
    """The number of test images and every model's results, in the order of the models."""

    test_images: int
    models: list[ModelEvaluation]


def confusion_figure(name: str, accuracy: float, matrix: NDArray[np.int64]) -> object:
    """The confusion matrix with the errors coloured (the diagonal would dwarf them)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.4, 4.6))
    shown = np.where(np.eye(10, dtype=bool), 0, matrix)
    image = ax.imshow(shown, cmap="Reds")
    for (row, col), count in np.ndenumerate(matrix):
        if count:
            colour = "navy" if row == col else ("white" if count > shown.max() / 2 else "black")
            ax.text(col, row, str(count), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(f"{name}: confusion matrix ({accuracy * 100:.2f} %)", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="errors (off-diagonal)")
    return fig


def class_stats(y_true: NDArray[np.uint8], predicted: NDArray[np.int64]) -> list[ClassStats]:
    """Per-digit precision, recall, F1 and support, then the macro and weighted averages."""
    from sklearn.metrics import classification_report

    stats = classification_report(y_true, predicted, labels=list(range(10)), output_dict=True, zero_division=0)
    keys = [str(digit) for digit in range(10)] + ["macro avg", "weighted avg"]
    return [
        ClassStats(
            label=key,
            precision=float(stats[key]["precision"]),
            recall=float(stats[key]["recall"]),
            f1=float(stats[key]["f1-score"]),
            support=int(stats[key]["support"]),
        )
        for key in keys
    ]


def evaluation_section(
    figures: FigureWriter, engines: Mapping[str, Engine], x_test: NDArray[np.uint8], y_test: NDArray[np.uint8]
) -> EvaluationContext:
    """Run every engine on the test images (the service's normalisation) and draw its figures."""
    from sklearn.metrics import confusion_matrix

    inputs = preprocess_mnist(x_test)[..., None]
    models = []
    for name, engine in engines.items():
        probabilities = digit_probabilities(predict_batched(engine.predict_proba, inputs, batch_size=1000))
        predicted = probabilities.argmax(axis=1)
        accuracy = float((predicted == y_test).mean())
        slug = name.replace("-", "_")
        matrix = confusion_matrix(y_test, predicted, labels=list(range(10)))
        confusion = figures.save(confusion_figure(name, accuracy, matrix), f"confusion_{slug}")

        wrong = np.flatnonzero(predicted != y_test)
        shown = wrong[:MISCLASSIFIED_SHOWN]
        titles = [f"{y_test[i]}→{predicted[i]} ({probabilities[i, predicted[i]]:.2f})" for i in shown]
        misclassified = None
        if len(shown):
            grid = image_grid([x_test[i] for i in shown], titles, columns=10, cell=0.95)
            misclassified = figures.save(grid, f"misclassified_{slug}")
        models.append(
            ModelEvaluation(
                name=name,
                kind=engine.kind,
                description=MODEL_SPECS[name].description if name in MODEL_SPECS else "",
                version=engine.version,
                parameters=engine.card.parameters,
                file_bytes=engine.path.stat().st_size,
                accuracy=accuracy,
                errors=len(wrong),
                per_class=class_stats(y_test, predicted),
                confusion_figure=confusion,
                misclassified_shown=len(shown),
                misclassified_figure=misclassified,
            )
        )
    return EvaluationContext(test_images=len(y_test), models=models)
