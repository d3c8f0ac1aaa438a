"""The training section: accuracy and loss per epoch, from the history in each model card."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digits.cards import ModelCard
from digits.engines.base import Engine
from digits.report.figures import FigureWriter


@dataclass(frozen=True)
class TrainedModel:
    """One row of the training table: a model file whose card holds a training history.

    Attributes:
        file: the model file's name, e.g. ``cnn.keras``.
        card: its card (architecture, parameters, epochs, accuracies, command ...).
        training_seconds: time of every training stage together (``card.stages`` and the last).
        stages: how many training runs made the weights (1, or 2 for a fine-tune).
        augmentation: the augmentations used, e.g. ``affine, drawing``; ``none`` when none.
    """

    file: str
    card: ModelCard
    training_seconds: float | None
    stages: int
    augmentation: str


@dataclass(frozen=True)
class TrainingContext:
    """The trained models (possibly none) and the figure of their curves (None without models)."""

    models: list[TrainedModel]
    curves_figure: str | None


def training_cards(engines: Iterable[Engine]) -> dict[str, ModelCard]:
    """The cards holding the training history behind ``engines``, by model file name.

    An engine's own card when it has a history (a Keras model), else the card of the model it was
    exported from (``card.source_model``, in the same directory); each file once, in order.
    """
    cards: dict[str, ModelCard] = {}
    for engine in engines:
        if engine.card.history is not None:
            cards.setdefault(engine.path.name, engine.card)
        elif engine.card.source_model:
            source = engine.path.parent / Path(engine.card.source_model).name
            source_card = ModelCard.for_model(source)
            if source_card.history is not None:
                cards.setdefault(source.name, source_card)
    return cards


def augmentation(card: ModelCard) -> str:
    """The augmentations a card records, e.g. ``affine, 10,000 stroke re-drawings``; ``none``."""
    used = [
        name
        for name, on in (
            ("affine", card.augmentation),
            ("drawing", card.drawing_augmentation),
            (f"{card.stroke_mix or 0:,} stroke re-drawings", card.stroke_mix),
        )
        if on
    ]
    return ", ".join(used) or "none"


def total_training_seconds(card: ModelCard) -> float | None:
    """Seconds of every stage that trained the weights: ``card.stages`` and the last run."""
    if card.training_seconds is None:
        return None
    return card.training_seconds + sum(stage.training_seconds for stage in card.stages or [])


def training_section(figures: FigureWriter, cards: dict[str, ModelCard]) -> TrainingContext:
    """Draw accuracy and loss per epoch (training and validation), one row of plots per card."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    trained = [(file, card, card.history) for file, card in cards.items() if card.history is not None]
    if not trained:
        return TrainingContext(models=[], curves_figure=None)
    fig, axes = plt.subplots(len(trained), 2, figsize=(10, 3.2 * len(trained)), squeeze=False)
    models = []
    for (file, card, history), (ax_acc, ax_loss) in zip(trained, axes, strict=True):
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
            if card.best_epoch:
                ax.axvline(card.best_epoch, color="grey", ls=":", lw=1, label=f"best epoch ({card.best_epoch})")
            if metric == "accuracy" and low:
                ax.set_ylim(floor, 1.0)
                for where, value in sorted(low):
                    ax.plot([], [], " ", label=f"{where}: {value:.2f} (off the scale)")
            ax.set_title(f"{file} ({card.architecture}): {metric}", fontsize=10)
            ax.set_xlabel("epoch")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        ax_loss.set_yscale("log")
        for ax in (ax_acc, ax_loss):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        models.append(
            TrainedModel(
                file=file,
                card=card,
                training_seconds=total_training_seconds(card),
                stages=1 + len(card.stages or []),
                augmentation=augmentation(card),
            )
        )
    fig.tight_layout()
    return TrainingContext(models=models, curves_figure=figures.save(fig, "training_curves"))
