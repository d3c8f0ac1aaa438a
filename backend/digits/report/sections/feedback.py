"""The feedback section: the loop experiment's measured result (``results/feedback_loop.json``,
written by ``python -m digits.finetune.loop``) and its learning curve; nothing is recomputed here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digits.report.figures import FigureWriter
from digits.settings import BACKEND_DIR

DEFAULT_RESULT = BACKEND_DIR / "results" / "feedback_loop.json"


@dataclass(frozen=True)
class FeedbackContext:
    """The loop's result (None: not measured yet), its runs with the label filter, the run without
    it, the learning-curve figure (None without a result), and what the product would serve over
    the draws (:func:`served`; None without draws)."""

    result: dict[str, Any] | None
    runs: list[dict[str, Any]]
    unfiltered: dict[str, Any] | None
    figure: str | None
    served: dict[str, float] | None = None


def served(draws: list[dict[str, Any]]) -> dict[str, float] | None:
    """The held-out errors the product would serve over ``draws``: the challenger's where the
    promotion rule promoted it, the champion's where it did not. ``{"before", "after",
    "reduction"}`` (errors summed over the draws; reduction a fraction); None without draws."""
    if not draws:
        return None
    before = sum(d["errors_before"] for d in draws)
    after = sum(d["errors_after"] if d["promoted"] else d["errors_before"] for d in draws)
    return {"before": before, "after": after, "reduction": 1 - after / before if before else 0.0}


def learning_curve(result: dict[str, Any]) -> Any:
    """The population's held-out error and MNIST test error against the feedback records used."""
    import matplotlib.pyplot as plt

    population = result["population"]
    runs = [r for r in result["runs"] if r["label_filter"] == "agreement"]
    sizes = [0] + [r["feedback"] for r in runs]
    population_error = [result["champion_population_error"] * 100] + [r["population_error"] * 100 for r in runs]
    mnist_error = [(1 - result["champion_scores"]["mnist"]) * 100] + [
        (1 - r["challenger"]["mnist"]) * 100 for r in runs
    ]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    left.plot(sizes, population_error, "o-", label=f"{population} (held out)")
    target = result["champion_population_error"] * 100 * (1 - result["target"]["required"])
    left.axhline(target, color="grey", linestyle="--", linewidth=1, label="target: -30 %")
    left.set_xlabel("feedback records (10 % wrong labels)")
    left.set_ylabel("error (%)")
    left.set_title(f"{population}: error of the fine-tuned model")
    left.legend(fontsize=8)
    right.plot(sizes, mnist_error, "o-", color="tab:orange", label="MNIST test")
    tolerance = (1 - result["champion_scores"]["mnist"] + result["target"]["mnist_tolerance"]) * 100
    right.axhline(tolerance, color="grey", linestyle="--", linewidth=1, label="champion + 0.05 pt")
    right.set_xlabel("feedback records (10 % wrong labels)")
    right.set_ylabel("error (%)")
    right.set_title("MNIST test: no forgetting")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.set_xticks(sizes)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def feedback_section(figures: FigureWriter, path: Path = DEFAULT_RESULT) -> FeedbackContext:
    """Read the loop's JSON result (if measured) and draw its learning curve."""
    if not path.is_file():
        return FeedbackContext(None, [], None, None)
    result = json.loads(path.read_text())
    runs = [r for r in result["runs"] if r["label_filter"] == "agreement"]
    unfiltered = next((r for r in result["runs"] if r["label_filter"] == "none"), None)
    figure = figures.save(learning_curve(result), "feedback_learning_curve")
    return FeedbackContext(result, runs, unfiltered, figure, served(result.get("draws") or []))
