"""The robustness section: accuracy on test digits shifted, scaled down and rotated on a 280x280
canvas, sent through the service's preprocessing (:func:`digits.preprocessing.preprocess_bytes`),
and, for contrast, with the transformed 28x28 frame fed to the model directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digits.data.rendering import CanvasStyle, render_canvas
from digits.engines.base import Engine
from digits.evaluation.metrics import predict_digits
from digits.preprocessing import preprocess_bytes
from digits.report.figures import FigureWriter, canvas_view

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

    field = np.pad(digit, PAD).astype(np.float32)
    centre = (np.array(field.shape, dtype=np.float64) - 1) / 2
    angle = np.deg2rad(transform.rotate)
    # Output pixel p samples input pixel  R(angle)^-1 (p - centre - shift) / scale + centre.
    # In (row, col) coordinates a counter-clockwise rotation on screen has this inverse matrix:
    inverse = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]]) / transform.scale
    shift = np.array([transform.shift, transform.shift])
    offset = centre - inverse @ (centre + shift)
    out = ndimage.affine_transform(field, inverse, offset=offset, order=1, mode="constant", cval=0.0)
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


@dataclass(frozen=True)
class RobustnessContext:
    """Accuracy of every model under every transform, both ways, and what the text concludes.

    Attributes:
        digits: test digits per transform.
        transforms: the transform names (table columns), ``none`` first.
        models: the model names (table rows).
        service, direct: accuracy by model, then by transform: through the service's
            preprocessing, and with the transformed 28x28 fed directly.
        service_drop, direct_drop: accuracy lost to each transform (vs ``none``), percentage points.
        geometric: the shifts and scalings; rotations: the rotations.
        worst_geometric: the largest loss to a shift or scaling through the preprocessing (points).
        first_shift: the smallest shift (the text's example without preprocessing).
        hardest: the last transform (the summary's column).
        examples_figure, chart_figure: PNG file names.
    """

    digits: int
    transforms: list[str]
    models: list[str]
    service: dict[str, dict[str, float]]
    direct: dict[str, dict[str, float]]
    service_drop: dict[str, dict[str, float]]
    direct_drop: dict[str, dict[str, float]]
    geometric: list[str]
    rotations: list[str]
    worst_geometric: float
    first_shift: str
    hardest: str
    examples_figure: str
    chart_figure: str


def _drops(accuracy: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        model: {name: (by_transform["none"] - value) * 100 for name, value in by_transform.items()}
        for model, by_transform in accuracy.items()
    }


def robustness_section(
    figures: FigureWriter, engines: Mapping[str, Engine], images: NDArray[np.uint8], labels: NDArray[np.uint8]
) -> RobustnessContext:
    """Score every engine on ``images`` under each of :data:`TRANSFORMS`, both ways; draw the figures."""
    import matplotlib.pyplot as plt

    service_acc: dict[str, dict[str, float]] = {name: {} for name in engines}
    direct_acc: dict[str, dict[str, float]] = {name: {} for name in engines}
    example_canvases, example_inputs = [], []
    for transform in TRANSFORMS:
        service, direct, canvases = robustness_inputs(images, transform)
        example_canvases.append(canvas_view(canvases[0]))
        example_inputs.append(service[0, :, :, 0])
        for name, engine in engines.items():
            for accuracy, inputs in ((service_acc, service), (direct_acc, direct)):
                predicted = predict_digits(engine.predict_proba, inputs, 1000)
                accuracy[name][transform.name] = float((predicted == labels).mean())

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
    examples = figures.save(fig, "robustness_examples")

    fig, (ax_service, ax_direct) = plt.subplots(1, 2, figsize=(12, 3.8), sharey=True)
    x = np.arange(len(TRANSFORMS))
    width = 0.8 / max(len(engines), 1)
    for k, name in enumerate(engines):
        for ax, accuracy in ((ax_service, service_acc), (ax_direct, direct_acc)):
            values = [accuracy[name][t.name] * 100 for t in TRANSFORMS]
            ax.bar(x + (k - (len(engines) - 1) / 2) * width, values, width, label=name)
    for ax, title in (
        (ax_service, "through the service's preprocessing"),
        (ax_direct, "transformed 28x28 frame fed directly"),
    ):
        ax.set_xticks(x, [t.name for t in TRANSFORMS], fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        ax.set_ylim(0, 100)
    ax_service.set_ylabel(f"accuracy (%) on {len(labels):,} test digits")
    fig.legend(*ax_service.get_legend_handles_labels(), loc="upper center", ncol=max(len(engines), 1), fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    chart = figures.save(fig, "robustness_accuracy")

    service_drop, direct_drop = _drops(service_acc), _drops(direct_acc)
    geometric = [t.name for t in TRANSFORMS if t.rotate == 0 and t.name != "none"]
    return RobustnessContext(
        digits=len(labels),
        transforms=[t.name for t in TRANSFORMS],
        models=list(engines),
        service=service_acc,
        direct=direct_acc,
        service_drop=service_drop,
        direct_drop=direct_drop,
        geometric=geometric,
        rotations=[t.name for t in TRANSFORMS if t.rotate != 0],
        worst_geometric=max((service_drop[m][t] for m in engines for t in geometric), default=0.0),
        first_shift=next(t.name for t in TRANSFORMS if t.shift),
        hardest=TRANSFORMS[-1].name,
        examples_figure=examples,
        chart_figure=chart,
    )
