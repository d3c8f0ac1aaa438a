"""Variants of the CNN side by side, read from their cards (nothing is recomputed): the float32,
dynamic-range and full-integer int8 LiteRT exports, the ensemble and any candidate architecture
trained with the same pipeline (``python -m digits.training.train --architecture ...``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digits.cards import ModelCard
from digits.engines.registry import MODEL_SPECS

VARIANTS = ("cnn", "cnn-litert-dynamic", "cnn-litert-int8", "cnn-ensemble")
"""The served names compared, in this order; missing files are left out."""


@dataclass(frozen=True)
class Variant:
    """One row: the served name (or file name), its card and its evaluation-set accuracies."""

    name: str
    card: ModelCard
    sets: dict[str, float]
    refused_not_digits: float | None


@dataclass(frozen=True)
class VariantsContext:
    """The rows (cards that exist) and the evaluation-set names every row is shown on."""

    rows: list[Variant]
    set_names: list[str]


def variants_section(models_dir: Path, candidates: tuple[str, ...] = ()) -> VariantsContext:
    """Read the cards of :data:`VARIANTS` and of the ``candidates`` (``.keras`` file names) in ``models_dir``.

    Raises:
        digits.cards.ModelCardError: a card exists but is not valid.
    """
    rows = []
    files = [(name, models_dir / MODEL_SPECS[name].file) for name in VARIANTS]
    files += [(name, models_dir / name) for name in candidates]
    for name, path in files:
        if not path.is_file():
            continue
        card = ModelCard.for_model(path)
        sets = dict(card.evaluations.sets) if card.evaluations else {}
        if card.test_accuracy is not None:
            sets.setdefault("mnist", card.test_accuracy)
        refused = None
        if card.open_set is not None:
            omniglot = card.open_set.refused.get("not-digits-omniglot")
            refused = omniglot if omniglot is not None else None
        rows.append(Variant(name, card, sets, refused))
    set_names: list[str] = []
    for row in rows:
        set_names += [s for s in row.sets if s not in set_names]
    return VariantsContext(rows, set_names)
