"""The architectures section: candidate architectures trained with the same pipeline, side by side,
as ``python -m digits.evaluation.architectures`` gathered them from their cards into
``results/architectures.json``; nothing is recomputed here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digits.settings import BACKEND_DIR

DEFAULT_RESULT = BACKEND_DIR / "results" / "architectures.json"
NOT_DIGIT_SETS = ("not-digits-omniglot", "not-digits-letters", "not-digits-shapes")
"""The held-out non-digit sets shown (share refused), in this order."""


@dataclass(frozen=True)
class ArchitecturesContext:
    """The gathered result (None: not measured yet), its rows, the digit sets every row is shown
    on, and the non-digit sets shown."""

    result: dict[str, Any] | None
    rows: list[dict[str, Any]]
    set_names: list[str]
    not_digit_sets: list[str]


def architectures_section(path: Path = DEFAULT_RESULT) -> ArchitecturesContext:
    """Read the gathered JSON result, if there is one."""
    if not path.is_file():
        return ArchitecturesContext(None, [], [], [])
    result = json.loads(path.read_text())
    rows = result["rows"]
    refused = [name for row in rows for name in (row.get("refused") or {})]
    return ArchitecturesContext(result, rows, list(result["set_names"]), [s for s in NOT_DIGIT_SETS if s in refused])
