"""The project report: figures and one Markdown page, generated from the committed models and MNIST.

Usage (from ``backend/``; ``make report`` from the project root)::

    python -m digits.report                        # writes ../reports/README.md and PNG figures
    python -m digits.report --output /tmp/r --test-limit 500 --strokes-limit 50   # a quick look

Sections of ``reports/README.md``:
    * data: sample images per class, class distribution of the train and test splits;
    * training: accuracy and loss per epoch (training and validation) from each model card;
    * evaluation, for each served model: MNIST test accuracy, confusion matrix, per-class
      precision / recall / F1, misclassified test images;
    * robustness: accuracy on test digits shifted, scaled down and rotated on a 280x280 canvas,
      sent through the service's preprocessing (:func:`digits.preprocessing.preprocess_bytes`),
      and, for contrast, with the transformed 28x28 frame fed to the model directly;
    * beyond MNIST: the sets of :mod:`digits.evaluation` (UCI optical digits on a canvas, MNIST
      digits re-drawn with round brushes), with examples.

Every figure is generated here (matplotlib, Agg backend); nothing is edited by hand.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from digits.data import Mnist, load_mnist
from digits.engines import Engine, read_card
from digits.evaluation import EvalSet, optdigits_canvas_set, preprocess_all, stroke_sets
from digits.preprocessing import preprocess_bytes, preprocess_mnist
from digits.registry import MODEL_SPECS, load_engine
from digits.rendering import CanvasStyle, render_canvas
from digits.settings import BACKEND_DIR, DataSettings

DEFAULT_OUTPUT = BACKEND_DIR.parent / "reports"
DEFAULT_MODELS = ("cnn", "cnn-litert-dynamic", "mlp", "mlp-numpy")
"""One entry per distinct served model. ``cnn-keras`` is left out: ``cnn`` is its float32 LiteRT
export, the same function (its card records the largest probability difference)."""

PAD = 14
"""MNIST pixels of blank margin around the 28x28 frame before a robustness transform: the digit
sits in a 56x56 field drawn on the 280x280 canvas (5 canvas px per MNIST px), so that shifts,
rotations and scalings never cut it off."""


@dataclass(frozen=True)
class Transform:
    """A fixed geometric change of a drawn digit.

    Attributes:
        name: column title, e.g. ``rotate 15°``.
        shift: translation right and down, in MNIST pixels (each axis).
        scale: size factor about the frame's centre (1 = unchanged).
        rotate: rotation about the frame's centre in degrees (counter-clockwise).
    """

    name: str
    shift: float = 0.0
    scale: float = 1.0
    rotate: float = 0.0


TRANSFORMS = (
    Transform("none"),
    Transform("shift 4 px", shift=4),
    Transform("shift 8 px", shift=8),
    Transform("scale 0.75", scale=0.75),
    Transform("scale 0.5", scale=0.5),
    Transform("rotate 15°", rotate=15),
    Transform("rotate 30°", rotate=30),
)


def transform_digit(digit: NDArray[np.uint8], transform: Transform) -> NDArray[np.uint8]:
    """Apply ``transform`` to a 28x28 MNIST digit inside a blank 56x56 field.

    Args:
        digit: (28, 28) uint8, white on black.
        transform: the change.

    Returns:
        (56, 56) uint8: the digit (centred, then transformed, bilinear) with :data:`PAD` px
        of margin on every side.
    """
    from scipy import ndimage

    field_ = np.pad(digit, PAD).astype(np.float32)
    centre = (np.array(field_.shape, dtype=np.float64) - 1) / 2
    angle = np.deg2rad(transform.rotate)
    # Output pixel p samples input pixel  R(angle)^-1 (p - centre - shift) / scale + centre.
    # In (row, col) coordinates a counter-clockwise rotation on screen has this inverse matrix:
    inverse = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]]) / transform.scale
    shift = np.array([transform.shift, transform.shift])
    offset = centre - inverse @ (centre + shift)
    out = ndimage.affine_transform(field_, inverse, offset=offset, order=1, mode="constant", cval=0.0)
    moved: NDArray[np.uint8] = np.clip(np.round(out), 0, 255).astype(np.uint8)
    return moved


def robustness_inputs(
    images: NDArray[np.uint8], transform: Transform
) -> tuple[NDArray[np.float32], NDArray[np.float32], list[bytes]]:
    """The model inputs for transformed digits, both ways.

    Returns:
        ``(service, direct, canvases)``: (N, 28, 28, 1) float32 inputs after drawing the 56x56
        field on a 280x280 canvas (dark ink on white) and running the service's
        :func:`~digits.preprocessing.preprocess_bytes`; (N, 28, 28, 1) float32 inputs that are
        the transformed field's central 28x28 fed as they are (no re-centring or re-scaling);
        and the canvas PNGs.
    """
    service = np.zeros((len(images), 28, 28, 1), np.float32)
    direct = np.zeros((len(images), 28, 28, 1), np.float32)
    canvases = []
    for i, digit in enumerate(images):
        moved = transform_digit(digit, transform)
        png = render_canvas(moved, CanvasStyle(canvas_size=280, digit_size=280))
        canvases.append(png)
        service[i, :, :, 0] = preprocess_bytes(png).image
        direct[i, :, :, 0] = moved[PAD:-PAD, PAD:-PAD] / 255.0
    return service, direct, canvases


def canvas_view(png: bytes) -> NDArray[np.uint8]:
    """A canvas PNG as (H, W) uint8 grayscale for display; a transparent background is shown
    in the colour that contrasts with the ink (white behind dark ink, black behind light ink)."""
    from PIL import Image

    canvas = Image.open(io.BytesIO(png))
    if canvas.mode != "RGBA":
        return np.asarray(canvas.convert("L"))
    rgba = np.asarray(canvas, dtype=np.float32) / 255.0
    alpha = rgba[..., 3]
    gray = rgba[..., :3].mean(axis=2)
    ink_level = float((gray * alpha).sum() / max(float(alpha.sum()), 1e-6))
    background = 1.0 if ink_level < 0.5 else 0.0
    view: NDArray[np.uint8] = np.round((gray * alpha + background * (1 - alpha)) * 255).astype(np.uint8)
    return view


def predict(engine: Engine, inputs: NDArray[np.float32], batch_size: int = 1000) -> NDArray[np.float32]:
    """(N, 28, 28, 1) -> (N, 10) probabilities, in batches."""
    if len(inputs) == 0:
        return np.zeros((0, 10), np.float32)
    return np.concatenate([engine.predict_proba(inputs[i : i + batch_size]) for i in range(0, len(inputs), batch_size)])


def training_card(engine: Engine, models_dir: Path) -> tuple[str, dict[str, Any]] | None:
    """The card holding the training history behind ``engine``: its own, or its source model's."""
    card = engine.card
    if "history" in card:
        path = getattr(engine, "path", None)
        return (path.name if path else engine.name), card
    source = card.get("source_model")
    if source:
        source_card = read_card(models_dir / str(source))
        if "history" in source_card:
            return str(source), source_card
    return None


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    """A GitHub Markdown table; ``align`` has one character per column, ``l`` or ``r``."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def percent(value: float) -> str:
    return f"{value * 100:.2f} %"


@dataclass
class Report:
    """Collects figures (written as they are made) and Markdown sections."""

    output: Path
    dpi: int = 100
    sections: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    def save(self, fig: Any, name: str) -> str:
        """Write ``fig`` as ``<output>/<name>.png``, close it, return the relative file name."""
        import matplotlib.pyplot as plt

        file_name = f"{name}.png"
        fig.savefig(self.output / file_name, dpi=self.dpi, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        self.figures.append(file_name)
        return file_name

    def add(self, text: str) -> None:
        self.sections.append(text.strip() + "\n")


def _image_grid(
    images: Sequence[NDArray[Any]],
    titles: Sequence[str],
    columns: int,
    cell: float = 0.9,
    title_size: int = 7,
) -> Any:
    """A grid of grayscale images (white ink on black shown as black ink on white)."""
    import matplotlib.pyplot as plt

    rows = max(1, -(-len(images) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * cell, rows * (cell + 0.15)), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles, strict=False):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=255 if image.dtype == np.uint8 else 1.0)
        if title:
            ax.set_title(title, fontsize=title_size, pad=2)
    fig.tight_layout(pad=0.3)
    return fig


def data_section(report: Report, mnist: Mnist) -> None:
    """Sample images per class and the class distribution of both splits."""
    import matplotlib.pyplot as plt

    per_class = 12
    rng = np.random.default_rng(0)
    images, titles = [], []
    for digit in range(10):
        picks = rng.choice(np.flatnonzero(mnist.y_train == digit), size=per_class, replace=False)
        for j, index in enumerate(picks):
            images.append(mnist.x_train[index])
            titles.append(str(digit) if j == 0 else "")
    samples = report.save(_image_grid(images, titles, per_class, cell=0.7), "data_samples")

    fig, ax = plt.subplots(figsize=(8, 3.2))
    width = 0.4
    digits = np.arange(10)
    for offset, (label, y) in zip(
        (-width / 2, width / 2), (("train", mnist.y_train), ("test", mnist.y_test)), strict=True
    ):
        counts = np.bincount(y, minlength=10)
        share = counts / counts.sum() * 100
        bars = ax.bar(digits + offset, share, width, label=f"{label} ({len(y):,} images)")
        ax.bar_label(bars, labels=[f"{c:,}" for c in counts], fontsize=6, rotation=90, padding=2)
    ax.set_xticks(digits)
    ax.set_xlabel("digit")
    ax.set_ylabel("share of the split (%)")
    ax.set_ylim(0, 16)
    ax.set_title("Class distribution (bar labels: image counts)")
    ax.legend(loc="upper center", ncol=2, fontsize=8)
    distribution = report.save(fig, "data_class_distribution")

    train_counts, test_counts = np.bincount(mnist.y_train, minlength=10), np.bincount(mnist.y_test, minlength=10)
    report.add(
        f"""
## Data

MNIST: {len(mnist.y_train):,} training and {len(mnist.y_test):,} test images, 28x28 grayscale,
white ink on black. Training holds out 5,000 of the training images for validation; the test
images are only used for the figures below. The classes are nearly balanced: from
{train_counts.min():,} ({train_counts.argmin()}s) to {train_counts.max():,} ({train_counts.argmax()}s) training
images per digit, {test_counts.min():,} to {test_counts.max():,} test images.

![Twelve random training images of each digit]({samples})

![Class distribution of the train and test splits]({distribution})
"""
    )


def training_section(report: Report, cards: list[tuple[str, dict[str, Any]]]) -> None:
    """Accuracy and loss per epoch, training and validation, one row per trained model."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if not cards:
        report.add("## Training\n\nNo model card with a training history was found.")
        return
    fig, axes = plt.subplots(len(cards), 2, figsize=(10, 3.2 * len(cards)), squeeze=False)
    rows = []
    for (source, card), (ax_acc, ax_loss) in zip(cards, axes, strict=True):
        history = card["history"]
        epochs = np.arange(1, len(history["loss"]) + 1)
        # The first validation accuracy of a batch-normalised net can be near chance (its
        # running statistics are still off); keep the accuracy axis on the range that matters
        # and name the points left out in the legend.
        values = [v for key in ("accuracy", "val_accuracy") for v in history.get(key, [])]
        floor = min([v for v in values if v >= 0.8] or [0.0]) - 0.005
        low = {
            (f"{'validation' if key == 'val_accuracy' else 'training'}, epoch {i + 1}", v)
            for key in ("accuracy", "val_accuracy")
            for i, v in enumerate(history.get(key, []))
            if v < floor
        }
        for ax, metric in ((ax_acc, "accuracy"), (ax_loss, "loss")):
            ax.plot(epochs, history[metric], "o-", ms=3, label="training")
            if f"val_{metric}" in history:
                ax.plot(epochs, history[f"val_{metric}"], "o-", ms=3, label="validation")
            if card.get("best_epoch"):
                ax.axvline(card["best_epoch"], color="grey", ls=":", lw=1, label=f"best epoch ({card['best_epoch']})")
            if metric == "accuracy" and low:
                ax.set_ylim(floor, 1.0)
                for where, value in sorted(low):
                    ax.plot([], [], " ", label=f"{where}: {value:.2f} (off the scale)")
            ax.set_title(f"{source} ({card.get('architecture')}): {metric}", fontsize=10)
            ax.set_xlabel("epoch")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        ax_loss.set_yscale("log")
        for ax in (ax_acc, ax_loss):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        augmented = ", ".join(
            name
            for name, on in (
                ("affine", card.get("augmentation")),
                ("drawing", card.get("drawing_augmentation")),
                (f"{card.get('stroke_mix', 0):,} stroke re-drawings", card.get("stroke_mix")),
            )
            if on
        )
        rows.append(
            [
                f"`{source}`",
                card.get("architecture"),
                f"{card.get('parameters', 0):,}",
                f"{card.get('epochs')} (best {card.get('best_epoch')})",
                f"{card.get('training_seconds', 0) / 60:.1f} min",
                augmented or "none",
                percent(card.get("validation_accuracy", 0.0)),
                percent(card.get("test_accuracy", 0.0)),
                f"`{card.get('command')}`",
            ]
        )
    fig.tight_layout()
    curves = report.save(fig, "training_curves")
    table = markdown_table(
        ["model file", "architecture", "parameters", "epochs", "time", "augmentation", "validation", "test", "command"],
        rows,
        "llrrrlrrl",
    )
    report.add(
        f"""
## Training

From the `history` in each model card (Keras `fit`, cross-entropy loss, Adam). Training accuracy
and loss are averaged over the epoch's training batches (augmented where the table says so) while
the weights change; validation ones are measured on the 5,000 held-out images after each epoch.
The saved model keeps the weights of the epoch with the lowest validation loss (dotted line).
Where a model was fine-tuned with outlier exposure (the CNN's last epochs), the training accuracy
and loss include the generated non-digit drawings, whose target is the uniform distribution: they
count as errors there, so the training curves jump while the validation curves do not.

{table}

![Accuracy and loss per epoch]({curves})
"""
    )


@dataclass
class ModelResult:
    """What the report measured for one model."""

    name: str
    engine: Engine
    probabilities: NDArray[np.float32]
    accuracy: float
    sets: dict[str, float] = field(default_factory=dict)
    robustness: dict[str, tuple[float, float]] = field(default_factory=dict)


def evaluation_section(
    report: Report, results: list[ModelResult], x_test: NDArray[np.uint8], y_test: NDArray[np.uint8]
) -> None:
    """Per model: accuracy, confusion matrix, per-class precision/recall/F1, misclassified images."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import classification_report, confusion_matrix

    parts = [
        f"""
## Evaluation on the MNIST test set

{len(y_test):,} test images through the service's normalisation
(`digits.preprocessing.preprocess_mnist`, the same steps as for a drawing).
"""
    ]
    summary = []
    for result in results:
        predicted = result.probabilities.argmax(axis=1)
        card = result.engine.card
        path = getattr(result.engine, "path", None)
        summary.append(
            [
                f"`{result.name}`",
                MODEL_SPECS[result.name].engine if result.name in MODEL_SPECS else "?",
                f"{card.get('parameters', 0):,}",
                f"{path.stat().st_size / 1e6:.2f} MB" if path else "?",
                percent(result.accuracy),
                f"{int((predicted != y_test).sum())}",
            ]
        )
    parts.append(markdown_table(["model", "engine", "parameters", "file size", "test accuracy", "errors"], summary))
    for result in results:
        predicted = result.probabilities.argmax(axis=1)
        slug = result.name.replace("-", "_")
        matrix = confusion_matrix(y_test, predicted, labels=list(range(10)))
        fig, ax = plt.subplots(figsize=(5.4, 4.6))
        shown = np.where(np.eye(10, dtype=bool), 0, matrix)  # colour the errors; the diagonal dwarfs them
        image = ax.imshow(shown, cmap="Reds")
        for (row, col), count in np.ndenumerate(matrix):
            if count:
                colour = "navy" if row == col else ("white" if count > shown.max() / 2 else "black")
                ax.text(col, row, str(count), ha="center", va="center", fontsize=7, color=colour)
        ax.set_xticks(range(10))
        ax.set_yticks(range(10))
        ax.set_xlabel("predicted digit")
        ax.set_ylabel("true digit")
        ax.set_title(f"{result.name}: confusion matrix ({percent(result.accuracy)})", fontsize=10)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="errors (off-diagonal)")
        confusion = report.save(fig, f"confusion_{slug}")

        stats = classification_report(y_test, predicted, labels=list(range(10)), output_dict=True, zero_division=0)
        rows = [
            [
                str(digit),
                f"{stats[str(digit)]['precision']:.4f}",
                f"{stats[str(digit)]['recall']:.4f}",
                f"{stats[str(digit)]['f1-score']:.4f}",
                f"{int(stats[str(digit)]['support'])}",
            ]
            for digit in range(10)
        ]
        for key in ("macro avg", "weighted avg"):
            rows.append(
                [
                    key,
                    f"{stats[key]['precision']:.4f}",
                    f"{stats[key]['recall']:.4f}",
                    f"{stats[key]['f1-score']:.4f}",
                    f"{int(stats[key]['support'])}",
                ]
            )
        table = markdown_table(["digit", "precision", "recall", "F1", "support"], rows)

        wrong = np.flatnonzero(predicted != y_test)
        shown_wrong = wrong[:40]
        titles = [f"{y_test[i]}→{predicted[i]} ({result.probabilities[i, predicted[i]]:.2f})" for i in shown_wrong]
        misclassified = None
        if len(shown_wrong):
            misclassified = report.save(
                _image_grid([x_test[i] for i in shown_wrong], titles, columns=10, cell=0.95), f"misclassified_{slug}"
            )
        parts.append(
            f"""
### `{result.name}`: {percent(result.accuracy)} ({len(wrong)} errors)

{MODEL_SPECS[result.name].description if result.name in MODEL_SPECS else ""}; version `{result.engine.version}`.

![Confusion matrix of {result.name}]({confusion})

Per-class precision, recall and F1 (`sklearn.metrics.classification_report`):

{table}
"""
            + (
                f"""
The first {len(shown_wrong)} misclassified test images (true→predicted, probability of the prediction):

![Misclassified test images, {result.name}]({misclassified})
"""
                if misclassified
                else ""
            )
        )
    report.add("\n".join(parts))


def robustness_section(
    report: Report,
    results: list[ModelResult],
    images: NDArray[np.uint8],
    labels: NDArray[np.uint8],
) -> None:
    """Accuracy on shifted, scaled and rotated canvas drawings, with and without the preprocessing."""
    import matplotlib.pyplot as plt

    example_canvases, example_inputs = [], []
    for transform in TRANSFORMS:
        service, direct, canvases = robustness_inputs(images, transform)
        example_canvases.append(canvas_view(canvases[0]))
        example_inputs.append(service[0, :, :, 0])
        for result in results:
            service_acc = float((predict(result.engine, service).argmax(1) == labels).mean())
            direct_acc = float((predict(result.engine, direct).argmax(1) == labels).mean())
            result.robustness[transform.name] = (service_acc, direct_acc)

    fig, axes = plt.subplots(2, len(TRANSFORMS), figsize=(1.6 * len(TRANSFORMS), 3.6))
    for col, transform in enumerate(TRANSFORMS):
        axes[0, col].imshow(example_canvases[col], cmap="gray", vmin=0, vmax=255)
        axes[0, col].set_title(transform.name, fontsize=9)
        axes[1, col].imshow(example_inputs[col], cmap="gray_r", vmin=0, vmax=1)
        for ax in axes[:, col]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("280x280 canvas", fontsize=8)
    axes[1, 0].set_ylabel("model input (28x28)", fontsize=8)
    fig.tight_layout(pad=0.4)
    examples = report.save(fig, "robustness_examples")

    fig, (ax_service, ax_direct) = plt.subplots(1, 2, figsize=(12, 3.8), sharey=True)
    x = np.arange(len(TRANSFORMS))
    width = 0.8 / max(len(results), 1)
    for k, result in enumerate(results):
        for ax, which in ((ax_service, 0), (ax_direct, 1)):
            values = [result.robustness[t.name][which] * 100 for t in TRANSFORMS]
            ax.bar(x + (k - (len(results) - 1) / 2) * width, values, width, label=result.name)
    for ax, title in (
        (ax_service, "through the service's preprocessing"),
        (ax_direct, "transformed 28x28 frame fed directly"),
    ):
        ax.set_xticks(x, [t.name for t in TRANSFORMS], fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        ax.set_ylim(0, 100)
    ax_service.set_ylabel(f"accuracy (%) on {len(labels):,} test digits")
    fig.legend(*ax_service.get_legend_handles_labels(), loc="upper center", ncol=len(results), fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    chart = report.save(fig, "robustness_accuracy")

    geometric = [t.name for t in TRANSFORMS if t.rotate == 0 and t.name != "none"]
    rotations = [t.name for t in TRANSFORMS if t.rotate != 0]

    def drop(result: ModelResult, name: str, which: int) -> float:
        """Accuracy lost to a transform, in percentage points."""
        return (result.robustness["none"][which] - result.robustness[name][which]) * 100

    worst_geometric = max(drop(r, name, 0) for r in results for name in geometric)
    first_shift = next(t.name for t in TRANSFORMS if t.shift)
    findings = (
        "Through the service's preprocessing, the shifts and scalings cost at most "
        f"{worst_geometric:.1f} percentage points: the drawing is cropped to its ink, scaled to 20x20 "
        "and centred again before the model sees it. Rotation is not undone; accuracy lost, in "
        "percentage points: "
        + "; ".join(
            f"`{r.name}` " + ", ".join(f"{drop(r, name, 0):.1f} ({name})" for name in rotations) for r in results
        )
        + f".\n\nWithout the preprocessing, {first_shift} costs "
        + "; ".join(f"`{r.name}` {drop(r, first_shift, 1):.1f}" for r in results)
        + " points: convolutions and pooling tolerate small moves, while a fully-connected MLP sees a "
        "moved digit as different pixels. Larger shifts push part of the digit out of the 28x28 frame, "
        "which costs every model."
    )
    header = ["model"] + [t.name for t in TRANSFORMS]
    service_rows = [[f"`{r.name}`"] + [percent(r.robustness[t.name][0]) for t in TRANSFORMS] for r in results]
    direct_rows = [[f"`{r.name}`"] + [percent(r.robustness[t.name][1]) for t in TRANSFORMS] for r in results]
    report.add(
        f"""
## Robustness to shifted, smaller and rotated drawings

The first {len(labels):,} MNIST test digits, each placed in a blank 56x56 field (the 28x28 frame
with 14 px of margin), moved by a fixed transform (shift right and down by 4 or 8 MNIST pixels on
each axis, scale down to 0.75 or 0.5 about the centre, rotate 15° or 30° counter-clockwise), drawn
on a 280x280 canvas (5 canvas px per MNIST px, dark ink on white: `digits.rendering.render_canvas`)
and sent through the service's path, `digits.preprocessing.preprocess_bytes` (decode, polarity,
crop to the ink, scale to 20x20, centre of mass to the centre), then the model.

For contrast, the second table feeds the transformed field's central 28x28 to the model as it is,
without that preprocessing: what the model alone can tolerate.

![One test digit under each transform: the canvas and what the model receives]({examples})

Through the service's preprocessing:

{markdown_table(header, service_rows)}

Transformed 28x28 fed directly, no re-centring or re-scaling:

{markdown_table(header, direct_rows)}

![Accuracy under each transform, with and without the preprocessing]({chart})

{findings}
"""
    )


def beyond_mnist_section(
    report: Report, results: list[ModelResult], sets: list[EvalSet], inputs: dict[str, NDArray[np.float32]]
) -> None:
    """Accuracy on the sets of :mod:`digits.evaluation`, and a few examples of each."""
    import matplotlib.pyplot as plt

    for result in results:
        for s in sets:
            result.sets[s.name] = float((predict(result.engine, inputs[s.name]).argmax(1) == s.labels).mean())

    examples = 6
    fig, axes = plt.subplots(2 * len(sets), examples, figsize=(examples * 1.1, len(sets) * 2.4), squeeze=False)
    for row, s in enumerate(sets):
        for col in range(examples):
            if col >= len(s.images):
                axes[2 * row, col].axis("off")
                axes[2 * row + 1, col].axis("off")
                continue
            axes[2 * row, col].imshow(canvas_view(s.images[col]), cmap="gray", vmin=0, vmax=255)
            axes[2 * row + 1, col].imshow(inputs[s.name][col, :, :, 0], cmap="gray_r", vmin=0, vmax=1)
            axes[2 * row, col].set_title(f"{s.name}: {s.labels[col]}" if col == 0 else str(s.labels[col]), fontsize=8)
            for ax in (axes[2 * row, col], axes[2 * row + 1, col]):
                ax.set_xticks([])
                ax.set_yticks([])
    fig.tight_layout(pad=0.3)
    figure = report.save(fig, "beyond_mnist_examples")

    header = ["model", "MNIST test"] + [f"{s.name} ({len(s.labels):,})" for s in sets]
    rows = [[f"`{r.name}`", percent(r.accuracy)] + [percent(r.sets[s.name]) for s in sets] for r in results]
    report.add(
        f"""
## Beyond MNIST

The sets of `digits.evaluation` (also `make evaluate`), every image through
`digits.preprocessing.preprocess_bytes` as in the API:

* `optdigits-canvas`: the UCI optical digits (scikit-learn's `load_digits`, 43 writers who are not
  in MNIST, 8x8, 17 grey levels), upscaled onto a 280x280 canvas at random size, place and polarity;
* `strokes-<w>px`: MNIST test digits thinned to their skeleton and re-drawn with a round brush of
  w px on a 280x280 canvas, as a person draws with a mouse or a finger (uniform stroke width).

{markdown_table(header, rows)}

Examples (top: the canvas as sent; bottom: the model's 28x28 input), with their labels:

![Examples of each evaluation set]({figure})
"""
    )


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
        models_dir: the served models (names of ``digits.registry.MODEL_SPECS`` in ``models``).
        test_limit: evaluate on only the first N test images (quick runs); None = all 10,000.
        robustness_limit: test digits per transform.
        strokes_limit: MNIST test digits per brush width.
        optdigits_limit: UCI digits (None = all 1,797).
        threads: inference threads per engine.
    """
    import matplotlib

    matplotlib.use("Agg")

    started = time.perf_counter()
    output.mkdir(parents=True, exist_ok=True)
    for old in output.glob("*.png"):
        old.unlink()
    report = Report(output)
    mnist = load_mnist(mnist_dir)
    x_test, y_test = mnist.x_test[:test_limit], mnist.y_test[:test_limit]

    engines = {name: load_engine(name, models_dir, threads) for name in models}
    log(f"loaded {', '.join(f'{n} ({e.version})' for n, e in engines.items())}")

    data_section(report, mnist)
    cards: dict[str, dict[str, Any]] = {}
    for engine in engines.values():
        found = training_card(engine, models_dir)
        if found:
            cards.setdefault(found[0], found[1])
    training_section(report, list(cards.items()))
    log(f"data and training figures: {time.perf_counter() - started:.0f} s")

    inputs = preprocess_mnist(x_test)[..., None]
    results = []
    for name, engine in engines.items():
        probabilities = predict(engine, inputs)
        accuracy = float((probabilities.argmax(1) == y_test).mean())
        results.append(ModelResult(name, engine, probabilities, accuracy))
    evaluation_section(report, results, x_test, y_test)
    log(f"evaluation: {time.perf_counter() - started:.0f} s")

    limit = min(robustness_limit, len(mnist.y_test))
    robustness_section(report, results, mnist.x_test[:limit], mnist.y_test[:limit])
    log(f"robustness: {time.perf_counter() - started:.0f} s")

    optdigits = optdigits_canvas_set(seed=0, limit=optdigits_limit)
    sets = [optdigits, *stroke_sets(mnist.x_test[:strokes_limit], mnist.y_test[:strokes_limit], seed=0)]
    set_inputs = {s.name: preprocess_all(s.images) for s in sets}
    beyond_mnist_section(report, results, sets, set_inputs)
    log(f"beyond MNIST: {time.perf_counter() - started:.0f} s")

    seconds = time.perf_counter() - started
    summary = markdown_table(
        ["model", "engine", "version", "MNIST test", f"{TRANSFORMS[-1].name}, canvas"] + [s.name for s in sets],
        [
            [
                f"`{r.name}`",
                MODEL_SPECS[r.name].engine,
                f"`{r.engine.version}`",
                percent(r.accuracy),
                percent(r.robustness[TRANSFORMS[-1].name][0]),
            ]
            + [percent(r.sets[s.name]) for s in sets]
            for r in results
        ],
        "lll" + "r" * (2 + len(sets)),
    )
    contents = markdown_table(
        ["section", "contents"],
        [
            ["[Data](#data)", "sample images per class, class distribution"],
            ["[Training](#training)", "accuracy and loss per epoch from the model cards"],
            [
                "[Evaluation](#evaluation-on-the-mnist-test-set)",
                "test accuracy, confusion matrices, per-class precision/recall/F1, misclassified digits",
            ],
            [
                "[Robustness](#robustness-to-shifted-smaller-and-rotated-drawings)",
                "shifted, smaller and rotated drawings through the service's preprocessing",
            ],
            ["[Beyond MNIST](#beyond-mnist)", "other writers (UCI optdigits) and brush-drawn strokes"],
        ],
        "ll",
    )
    header = f"""
# digits: model report

Generated by `make report` (`python -m digits.report`) from the committed models in
`backend/models/` and the MNIST files; every figure is produced by `backend/digits/report.py`.
Do not edit by hand: run `make report` again. This run took {seconds:.0f} s.

{contents}

{summary}
"""
    markdown = output / "README.md"
    markdown.write_text("\n".join([header.strip() + "\n", *report.sections]))
    log(f"wrote {markdown} and {len(report.figures)} figures in {seconds:.0f} s")
    return markdown


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(
        prog="python -m digits.report",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="directory for README.md and figures")
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    parser.add_argument("--models-dir", type=Path, default=settings.models_dir)
    parser.add_argument(
        "--model",
        action="append",
        choices=sorted(MODEL_SPECS),
        help=f"repeatable (default: {', '.join(DEFAULT_MODELS)})",
    )
    parser.add_argument("--test-limit", type=int, default=None, help="first N MNIST test images (default: all)")
    parser.add_argument("--robustness-limit", type=int, default=1000, help="test digits per transform")
    parser.add_argument("--strokes-limit", type=int, default=1000, help="MNIST test digits per brush width")
    parser.add_argument("--optdigits-limit", type=int, default=None, help="UCI digits (default: all 1,797)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    build_report(
        args.output,
        args.mnist_dir,
        args.models_dir,
        models=args.model or DEFAULT_MODELS,
        test_limit=args.test_limit,
        robustness_limit=args.robustness_limit,
        strokes_limit=args.strokes_limit,
        optdigits_limit=args.optdigits_limit,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
