"""The report: its transforms, its template and filters, and a quick end-to-end run on a small subset."""

from __future__ import annotations

import json
import re
import shutil
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from jinja2 import UndefinedError
from scipy import ndimage

from digits.cards import ModelCard
from digits.engines.registry import load_engine
from digits.report import build_report
from digits.report.render import TEMPLATE, environment, percent, portable, render_report
from digits.report.sections.robustness import PAD, TRANSFORMS, Transform, transform_digit
from digits.report.sections.training import training_cards
from digits.settings import BACKEND_DIR, DataSettings

HEADINGS = (
    "# digits: model report",
    "## Data",
    "## Training",
    "## Evaluation on the MNIST test set",
    "## Robustness to shifted, smaller and rotated drawings",
    "## Beyond MNIST",
    "## Open world: what is not a digit",
    "## Feedback and retraining",
    "## Architectures side by side",
)
ABSOLUTE_PATH = re.compile(r"(?<![\w.~-])/[\w.-]+/")
"""A path of the machine, e.g. ``/tmp/x/`` or ``/work/main/``: a ``/`` that starts a word, then a ``/``."""


def centre_of_mass(image: np.ndarray) -> np.ndarray:
    return np.array(ndimage.center_of_mass(image.astype(np.float64)))


def test_transforms_move_the_digit_as_named(mnist) -> None:
    digit = mnist.x_test[0]
    field = transform_digit(digit, Transform("none"))
    assert field.shape == (28 + 2 * PAD, 28 + 2 * PAD) and field.dtype == np.uint8
    np.testing.assert_array_equal(field[PAD:-PAD, PAD:-PAD], digit)

    shifted = transform_digit(digit, Transform("shift", shift=8))
    np.testing.assert_allclose(centre_of_mass(shifted) - centre_of_mass(field), [8, 8], atol=0.05)
    assert shifted.sum() == pytest.approx(field.sum(), rel=0.01)  # nothing cut off

    half = transform_digit(digit, Transform("scale", scale=0.5))
    assert half.astype(float).sum() == pytest.approx(field.astype(float).sum() / 4, rel=0.1)
    np.testing.assert_allclose(centre_of_mass(half) - 27.5, (centre_of_mass(field) - 27.5) / 2, atol=0.3)

    # A 1 (vertical stroke) rotated counter-clockwise leans left: its top moves left.
    one = np.zeros((28, 28), np.uint8)
    one[4:24, 13:15] = 255
    rotated = transform_digit(one, Transform("rotate", rotate=30))
    rows, cols = np.nonzero(rotated > 127)
    assert cols[rows.argmin()] < cols[rows.argmax()]


def test_filters() -> None:
    assert percent(0.99654) == "99.65 %" and percent(None) == "?"
    command = f"python -m digits.training.train --output /tmp/run/cnn.keras --init-from={BACKEND_DIR}/models/a.keras"
    assert portable(command) == "python -m digits.training.train --output cnn.keras --init-from=models/a.keras"
    assert portable("run as --epochs 24 (stopped after 14/24); models/cnn.keras") == (
        "run as --epochs 24 (stopped after 14/24); models/cnn.keras"
    )


def test_template_is_packaged_and_strict() -> None:
    assert (files("digits.report") / "templates" / TEMPLATE).is_file()
    with pytest.raises(UndefinedError):
        render_report(seconds=1.0)  # every section's context is required
    # Block lines vanish; "+%}" keeps the newline after a tag that ends a table row.
    source = "| {{ a }} |{% for x in xs %} {{ x }} |{% endfor +%}\n{% if a %}\nok\n{% endif %}\n"
    row = environment().from_string(source)
    assert row.render(a=1, xs=[2, 3]) == "| 1 | 2 | 3 |\nok\n"


def test_training_cards_follow_an_export_to_its_source() -> None:
    models_dir = DataSettings().models_dir
    engines = [load_engine(name, models_dir) for name in ("mlp-numpy", "cnn", "cnn-litert-dynamic")]
    cards = training_cards(engines)
    assert list(cards) == ["mlp.keras", "cnn.keras"]  # the exports' sources, each once
    assert all(isinstance(card, ModelCard) and card.history for card in cards.values())


def test_report_on_a_small_subset(tmp_path: Path, mnist_dir: Path) -> None:
    # A models directory whose training card names a path of the machine it was made on (the card
    # schema refuses a token that starts with "/", not one like --output=/...): the page must not.
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    source = DataSettings().models_dir
    for name in ("mlp_numpy.npz", "mlp_numpy.json", "mlp.json", "cnn_litert_dynamic.tflite", "cnn_litert_dynamic.json"):
        shutil.copy(source / name, models_dir / name)
    card = json.loads((models_dir / "mlp.json").read_text())
    card["command"] = f"python -m digits.training.train --architecture mlp --output={tmp_path}/elsewhere/mlp.keras"
    (models_dir / "mlp.json").write_text(json.dumps(card))

    output = tmp_path / "report"
    lines: list[str] = []
    markdown = build_report(
        output,
        mnist_dir,
        models_dir,
        models=("mlp-numpy",),
        test_limit=300,
        robustness_limit=20,
        strokes_limit=10,
        optdigits_limit=20,
        log=lines.append,
    )
    text = markdown.read_text()
    positions = [text.find(heading) for heading in HEADINGS]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "`mlp-numpy`" in text and "optdigits-canvas (20)" in text and "strokes-28px (10)" in text
    assert "photos (10)" in text and "open_world_probes.png" in text
    assert "300 test images" in text and "The first 20 MNIST test digits" in text
    for transform in TRANSFORMS:
        assert f" {transform.name} |" in text
    assert "| 9 |" in text and "| macro avg |" in text  # the per-class table
    assert "`mlp.keras` | mlp | 136,074 |" in text  # the training row, from the export's source card
    assert "--output=mlp.keras`" in text  # the card's machine path, cut to the file name
    # The variants table reads the cards in the models directory: the dynamic-range export is there.
    assert "| `cnn-litert-dynamic` | enhanced_cnn | dynamic-range (int8 weights) | 323,627 | 0.34 MB |" in text
    assert "{{" not in text and "{%" not in text and "None" not in text and not text.endswith("\n\n")

    assert str(tmp_path) not in text and str(BACKEND_DIR) not in text
    assert not ABSOLUTE_PATH.search(text), ABSOLUTE_PATH.search(text)

    linked = set(re.findall(r"\]\(([^)]+\.png)\)", text))
    written = {p.name for p in output.glob("*.png")}
    assert linked == written and len(written) >= 7
    assert {"data_samples.png", "training_curves.png", "confusion_mlp_numpy.png", "robustness_accuracy.png"} <= written
    for name in written:
        assert (output / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert lines and lines[-1].startswith("wrote")


def _loop_result() -> dict[str, object]:
    """A result of ``python -m digits.finetune.loop`` in its shape (figures made up for the rendering)."""

    def run(n: int, label_filter: str, error: float, mnist: float) -> dict[str, object]:
        return {
            "feedback": n, "label_filter": label_filter, "wrong_labels": n // 10, "kept": n // 2,
            "train_wrong_labels": n // 20, "wrong_labels_filtered": n // 25, "population_error": error,
            "population_error_reduction": 1 - error / 0.064, "mnist_change": mnist - 0.9955,
            "challenger": {"mnist": mnist, "photos": 1 - error}, "promoted": n > 100,
        }  # fmt: skip

    return {
        "population": "photos", "candidates": {"photos": 0.936, "strokes-28px": 0.98},
        "champion_scores": {"mnist": 0.9955, "photos": 0.936}, "champion_population_error": 0.064,
        "heldout": {"population": 1000, "mnist": 10000}, "clients": 20, "seconds": 900.0,
        "machine": "x86_64, 2 CPU cores",
        "config": {"epochs": 2, "learning_rate": 0.0002, "replay_mnist": 8000, "replay_not_a_digit": 1000, "seed": 0},
        "runs": [
            run(100, "agreement", 0.06, 0.9954), run(1000, "agreement", 0.04, 0.9952), run(1000, "none", 0.05, 0.9950)
        ],
        "draws": [
            {"seed": 0, "heldout": 1000, "errors_before": 64, "errors_after": 40, "population_error_reduction": 0.375,
             "mnist_change": -0.0003, "promoted": True},
            {"seed": 1, "heldout": 1000, "errors_before": 60, "errors_after": 39, "population_error_reduction": 0.35,
             "mnist_change": 0.0001, "promoted": True},
            {"seed": 2, "heldout": 1000, "errors_before": 50, "errors_after": 45, "population_error_reduction": 0.1,
             "mnist_change": 0.0001, "promoted": False},
        ],
        "target": {"population_error_reduction_at": 1000, "required": 0.3, "measured": 0.3629, "mnist_change": -0.0003,
                   "mnist_tolerance": 0.0005, "met": True},
        "command": "python -m digits.finetune.loop",
    }  # fmt: skip


def test_feedback_section_reads_the_loop_result(tmp_path: Path) -> None:
    from digits.report.figures import FigureWriter
    from digits.report.sections.feedback import feedback_section

    figures = FigureWriter(tmp_path)
    missing = feedback_section(figures, tmp_path / "none.json")
    assert missing.result is None and missing.figure is None and not figures.written
    path = tmp_path / "feedback_loop.json"
    path.write_text(json.dumps(_loop_result()))
    context = feedback_section(figures, path)
    assert context.figure == "feedback_learning_curve.png" and (tmp_path / context.figure).is_file()
    assert [r["feedback"] for r in context.runs] == [100, 1000] and context.unfiltered is not None
    text = (
        environment()
        .from_string(
            (files("digits.report") / "templates" / TEMPLATE)
            .read_text()
            .split("## Feedback and retraining")[1]
            .split("{% if variants.rows %}")[0]  # the section after it
        )
        .render(feedback=context)
    )
    assert "**photos**" in text and "| 1,000 | 500 (40 / 50) | 4.00 % | 37.50 % | 99.52 % | -0.03 pt | yes |" in text
    assert "1,000, no label filter" in text and "**met**" in text and "feedback_learning_curve.png" in text
    assert "| 1 | 1,000 | 60 -> 39 | 35.00 % | +0.01 pt | yes |" in text
    assert "36.29 % less error over the 3 draws pooled" in text
    # Served: the challenger where promoted (40 + 39), the champion where not (50): 174 -> 129.
    assert context.served == {"before": 174, "after": 129, "reduction": pytest.approx(45 / 174)}
    assert "174 -> 129 errors (25.86 % less)" in text


def test_numbers_section_reads_the_cards_numbers() -> None:
    from digits.cards import NumberReading, NumberSetScore
    from digits.report.sections.numbers import numbers_section

    class Carded:
        def __init__(self, card: ModelCard) -> None:
            self.card = card

    score = NumberSetScore(numbers=100, digits=400, exact=0.98, per_digit=0.9925, median_ms=8.5)
    measured = ModelCard(name="cnn", architecture="cnn").updated(
        numbers=NumberReading(
            sets={"mnist/separated/4/pixels": score},
            not_a_digit={"refused": 0.75, "exact": 0.8},
            method="m",
            seed=0,
            command="python -m digits.evaluation.numbers",
        ).model_dump()
    )
    context = numbers_section({"cnn": Carded(measured), "mlp": Carded(ModelCard(name="mlp", architecture="mlp"))})  # type: ignore[dict-item]
    assert context.numbers["mlp"] is None and context.numbers["cnn"] is not None
    template = (files("digits.report") / "templates" / TEMPLATE).read_text()
    part = template.split("## Whole numbers")[1].split("## Feedback and retraining")[0]
    text = environment().from_string(part).render(numbers=context)
    assert "| mnist/separated/4/pixels | 100 | 98.00 % | 99.25 % | 8.5 ms |" in text
    assert "`not_a_digit` 75.00 %" in text and "`mlp`" not in text


def test_variants_section_reads_the_cards_that_exist(tmp_path: Path) -> None:
    from digits.report.sections import variants_section
    from tests.helpers import copy_models

    models_dir = copy_models(tmp_path / "models", ["cnn", "cnn-litert-dynamic"])
    context = variants_section(models_dir)
    assert [row.name for row in context.rows] == ["cnn", "cnn-litert-dynamic"]  # no int8 or ensemble file here
    dynamic = context.rows[1]
    assert dynamic.card.quantization == "dynamic-range (int8 weights)"
    assert dynamic.card.evaluations is not None and dynamic.sets == {
        **dynamic.card.evaluations.sets,
        **({} if "mnist" in dynamic.card.evaluations.sets else {"mnist": dynamic.card.test_accuracy}),
    }
    assert "mnist" in context.set_names and "optdigits-canvas" in context.set_names
    assert dynamic.refused_not_digits is not None and 0.5 < dynamic.refused_not_digits <= 1.0


def _architectures_result() -> dict[str, object]:
    """A result of ``python -m digits.evaluation.architectures`` in its shape (figures made up)."""

    def row(
        label: str, architecture: str, parameters: int, mnist: float, latency: dict[str, object] | None
    ) -> dict[str, object]:
        return {
            "label": label, "folder": label, "architecture": architecture, "parameters": parameters, "classes": 11,
            "stages": 1, "epochs": 9, "best_epoch": 9, "training_seconds": 1200.0, "validation_accuracy": 0.98,
            "sets": {"mnist": mnist, "photos": 0.9}, "refused": {"mnist": 0.004, "not-digits-omniglot": 0.95},
            "auroc": {"not-digits-omniglot": 0.99}, "keras_bytes": 900000, "litert_bytes": 250000,
            "litert_dynamic_bytes": 70000, "litert_same_digit": 1.0,
            "latency_ms": {"litert": latency, "litert_dynamic": None, "keras": None},
            "machine": "x86_64, 2 CPU cores", "date": "2026-12-02", "commands": {"train": ["python -m x"]},
        }  # fmt: skip

    return {
        "rows": [
            row("LeNet-5", "lenet5", 61791, 0.9912, {"median": 0.05, "p99": 0.1, "command": "c"}),
            row("separable CNN", "separable_cnn", 72555, 0.993, None),
        ],
        "set_names": ["mnist", "photos"],
        "date": "2026-12-02T02:00:00+00:00",
        "command": "python -m digits.evaluation.architectures --model LeNet-5=lenet5",
    }


def test_architectures_section_renders_the_gathered_result(tmp_path: Path) -> None:
    from digits.report.sections import architectures_section

    template = (files("digits.report") / "templates" / TEMPLATE).read_text().split("## Architectures side by side")[1]
    missing = architectures_section(tmp_path / "none.json")
    assert missing.result is None and not missing.rows
    assert "Not measured yet" in environment().from_string(template).render(architectures=missing)

    path = tmp_path / "architectures.json"
    path.write_text(json.dumps(_architectures_result()))
    context = architectures_section(path)
    assert context.set_names == ["mnist", "photos"] and context.not_digit_sets == ["not-digits-omniglot"]
    text = environment().from_string(template).render(architectures=context)
    header = "| model | architecture | parameters | epochs (stages) | training | mnist | photos | omniglot refused |"
    assert header in text
    assert "| LeNet-5 | lenet5 | 61,791 | 9 (1) | 20.0 min | 99.12 % | 90.00 % | 95.00 % | 0.25 MB | 0.050 ms |" in text
    assert (
        "| separable CNN | separable_cnn | 72,555 | 9 (1) | 20.0 min | 99.30 % | 90.00 % | 95.00 % | 0.25 MB | - |"
        in text
    )
    assert "--model LeNet-5=lenet5`" in text and "None" not in text and "Not measured" not in text
