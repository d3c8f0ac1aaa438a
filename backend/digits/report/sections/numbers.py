"""The whole-numbers section: exact-number and per-digit accuracy as measured by
``python -m digits.evaluation.numbers`` and written into each card's ``numbers`` (read, never recomputed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from digits.cards import NumberReading
from digits.engines.base import Engine


@dataclass(frozen=True)
class NumbersContext:
    """Each model's ``numbers`` card section (``None`` when it was not measured)."""

    numbers: dict[str, NumberReading | None]


def numbers_section(engines: Mapping[str, Engine]) -> NumbersContext:
    """Read every engine's ``numbers`` card section."""
    return NumbersContext(numbers={name: engine.card.numbers for name, engine in engines.items()})
