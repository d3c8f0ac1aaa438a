"""The open-world section: how each model refuses what is not a digit (its card's ``open_set``,
written by ``python -m digits.evaluation.open_set``), and the probe drawings with their verdicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from digits.cards import OpenSet
from digits.data.negatives import probe_drawings
from digits.engines.base import Engine, predict_batched
from digits.evaluation.metrics import preprocess_all
from digits.report.figures import FigureWriter, canvas_view
from digits.verdict import Thresholds, read


@dataclass(frozen=True)
class OpenWorldContext:
    """Each model's calibrated open-set figures (None: not calibrated), the set names, the figure."""

    open_sets: dict[str, OpenSet | None]
    digit_sets: list[str]
    not_digit_sets: list[str]
    probes_model: str
    probes_figure: str


def probes_figure(engine: Engine) -> object:
    """The probe drawings (a dot, a line, letters, ...) as sent, titled with ``engine``'s verdict."""
    import matplotlib.pyplot as plt

    probes = probe_drawings()
    calibrated = engine.card.open_set
    thresholds = (
        Thresholds(calibrated.not_a_digit_threshold, calibrated.uncertain_threshold)
        if calibrated
        else Thresholds(0.9, 0.7)
    )
    readings = read(predict_batched(engine.predict_proba, preprocess_all(list(probes.values()))), thresholds)
    fig, axes = plt.subplots(1, len(probes), figsize=(len(probes) * 1.05, 1.5), squeeze=False)
    for ax, name, digit, verdict in zip(axes[0], probes, readings.digits, readings.verdicts, strict=True):
        ax.imshow(canvas_view(probes[name]), cmap="gray", vmin=0, vmax=255)
        answer = "not a digit" if verdict == "not_a_digit" else f"{verdict} {digit}"
        ax.set_title(f"{name}\n{answer}", fontsize=7, color="black" if verdict == "not_a_digit" else "red")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout(pad=0.3)
    return fig


def open_world_section(figures: FigureWriter, engines: Mapping[str, Engine]) -> OpenWorldContext:
    """Read every engine's ``open_set`` section and draw the probes through the first engine."""
    open_sets = {name: engine.card.open_set for name, engine in engines.items()}
    refused_names = next((list(o.refused) for o in open_sets.values() if o is not None), [])
    first = next(iter(engines))
    return OpenWorldContext(
        open_sets=open_sets,
        digit_sets=[n for n in refused_names if not n.startswith("not-digits-")],
        not_digit_sets=[n for n in refused_names if n.startswith("not-digits-")],
        probes_model=first,
        probes_figure=figures.save(probes_figure(engines[first]), "open_world_probes"),
    )
