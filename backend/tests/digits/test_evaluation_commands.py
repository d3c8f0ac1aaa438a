"""The evaluation, open-set and latency commands, run on a few images against a copy of the models.

Each command writes its section into the cards in ``MODELS_DIR``; here that is a copy in
``tmp_path``, so the committed cards are never touched. MNIST is cut to its first images
(:func:`tests.helpers.small_mnist`) to keep each run to seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digits.cards import ModelCard
from digits.data import evalsets
from digits.data.mnist import Mnist
from digits.engines.keras_engine import KerasEngine
from digits.evaluation import evaluate, fonts, latency, open_set, photos
from digits.settings import BACKEND_DIR, DEFAULT_MODELS_DIR
from tests.helpers import copy_models, small_mnist

STROKE_SETS = {f"strokes-{width}px" for width in evalsets.STROKE_WIDTHS}


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the LiteRT CNN (also served as cnn-tta) and both MLPs, as ``MODELS_DIR``."""
    directory = copy_models(tmp_path / "models", ["cnn", "mlp", "mlp-numpy"])
    monkeypatch.setenv("MODELS_DIR", str(directory))
    return directory


def _committed_cards() -> dict[str, str]:
    return {path.name: path.read_text() for path in DEFAULT_MODELS_DIR.glob("*.json")}


@pytest.mark.parametrize("max_refused", [0.0, 0.01, 0.05, 0.3])
def test_thresholds_refuse_at_most_the_given_share_of_validation_digits(max_refused: float) -> None:
    rng = np.random.default_rng(0)
    scores, confidences = rng.beta(1, 8, size=2001), rng.beta(8, 1, size=2001)
    not_a_digit, uncertain = open_set.choose_thresholds(scores, confidences, max_refused, 0.02)
    assert float((scores >= not_a_digit).mean()) <= max_refused
    # ... and no more than one score short of it: the threshold is not needlessly high.
    assert float((scores >= not_a_digit - 1e-6).mean()) >= max_refused - 1 / len(scores)
    kept = confidences[scores < not_a_digit]
    assert float((kept < uncertain).mean()) <= 0.02 + 1 / len(kept)


def test_auroc_separates_and_chance_is_a_half() -> None:
    assert open_set.auroc(np.array([0.9, 0.8]), np.array([0.1, 0.2])) == 1.0
    assert open_set.auroc(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == 0.5


def test_open_set_writes_a_valid_section(
    models_dir: Path, mnist: Mnist, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = _committed_cards()
    monkeypatch.setattr(open_set, "load_mnist", lambda _directory: small_mnist(mnist, train=600, test=300))
    before = ModelCard.load(models_dir / "cnn_litert.json")

    assert open_set.main(["--model", "cnn", "--count", "12", "--max-refused", "0.05"]) == 0

    card = ModelCard.load(models_dir / "cnn_litert.json")
    section = card.open_set
    assert section is not None
    printed = capsys.readouterr().out
    assert printed.startswith("cnn ") and section.model_dump() == json.loads(printed[4:])  # printed = written
    assert section.command.startswith("python -m digits.evaluation.open_set --model cnn --max-refused=0.05")
    assert "5.0%" in section.chosen_on and 0.0 < section.not_a_digit_threshold <= 1.0
    assert section.validation["digits_refused"] <= 0.05
    digit_sets = {"mnist", "optdigits-canvas", "photos"} | STROKE_SETS
    not_digit_sets = {f"not-digits-{name}" for name in ("omniglot", "letters", "shapes", "probes")}
    assert set(section.refused) == digit_sets | not_digit_sets and set(section.auroc) == not_digit_sets
    assert all(0.0 <= share <= 1.0 for share in section.refused.values())
    assert all(0.0 <= area <= 1.0 for area in section.auroc.values())
    # Everything else in the card is as it was.
    assert card.model_dump(exclude={"open_set"}) == before.model_dump(exclude={"open_set"})
    assert _committed_cards() == committed


def test_open_set_without_update_leaves_the_card(
    models_dir: Path, mnist: Mnist, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(open_set, "load_mnist", lambda _directory: small_mnist(mnist, train=300, test=100))
    before = (models_dir / "mlp_numpy.json").read_text()
    assert open_set.main(["--model", "mlp-numpy", "--count", "5", "--no-update-card"]) == 0
    assert (models_dir / "mlp_numpy.json").read_text() == before


def test_evaluation_scores_every_model_and_updates_the_cards(
    models_dir: Path, mnist: Mnist, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = _committed_cards()
    monkeypatch.setattr(evaluate, "load_mnist", lambda _directory: small_mnist(mnist, train=0, test=120))
    full_optdigits = evaluate.optdigits_canvas_set
    monkeypatch.setattr(evaluate, "optdigits_canvas_set", lambda seed: full_optdigits(seed=seed, limit=60))

    assert evaluate.main(["--strokes-limit", "15", "--update-card"]) == 0

    out = capsys.readouterr().out
    assert "built 6 evaluation sets" in out
    header = next(line for line in out.splitlines() if line.startswith("model"))
    assert "mnist (120)" in header and "optdigits-canvas (60)" in header and "strokes-8px (15)" in header
    rows = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert set(rows) == {"cnn", "cnn-tta", "mlp", "mlp-numpy"}  # every model in MODELS_DIR, no other
    command = "python -m digits.evaluation --update-card --strokes-limit 15 --seed 0"
    for card_file in ("cnn_litert.json", "mlp.json", "mlp_numpy.json"):
        evaluations = ModelCard.load(models_dir / card_file).evaluations
        assert evaluations is not None and evaluations.command == command, card_file
        assert set(evaluations.sets) == {"mnist", "optdigits-canvas", "photos"} | STROKE_SETS
        assert evaluations.sets["mnist"] >= 0.9, (card_file, evaluations.sets)
        assert all(0.0 <= accuracy <= 1.0 for accuracy in evaluations.sets.values())
    # The TTA engine shares cnn's file: its figures are printed but cnn's card holds cnn's own.
    cnn = ModelCard.load(models_dir / "cnn_litert.json").evaluations
    assert cnn is not None
    assert f"{cnn.sets['mnist'] * 100:.2f} %" in rows["cnn"]
    assert _committed_cards() == committed


def test_evaluation_resolves_a_keras_file_by_path(models_dir: Path) -> None:
    engine = evaluate.resolve(str(models_dir / "mlp.keras"), models_dir)
    assert isinstance(engine, KerasEngine) and engine.name == "mlp" and engine.path == models_dir / "mlp.keras"
    assert evaluate.resolve("mlp-numpy", models_dir).kind == "numpy"


def test_latency_times_every_model_and_writes_inference_ms(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = _committed_cards()
    assert latency.main(["--runs", "5"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["model", "median", "ms", "p99", "ms", "vs", "Keras"]
    printed = {line.split()[0]: [float(value) for value in line.split()[1:3]] for line in lines[1:]}
    assert set(printed) == {"cnn", "cnn-tta", "mlp", "mlp-numpy"}
    for name, (median, p99) in printed.items():
        assert 0.0 < median <= p99 < 1000.0, name

    command = "python -m digits.evaluation.latency --runs 5"
    cnn = ModelCard.load(models_dir / "cnn_litert.json").inference_ms
    assert cnn is not None and cnn.command == command
    assert cnn.keras_reference == "cnn-keras" and cnn.vs_keras is None  # cnn-keras is not in this MODELS_DIR
    # cnn's own timing, not the seven-times-slower TTA engine's that shares its card.
    assert cnn.median == pytest.approx(printed["cnn"][0], abs=1e-3)
    numpy_mlp = ModelCard.load(models_dir / "mlp_numpy.json").inference_ms
    assert numpy_mlp is not None and numpy_mlp.keras_reference == "mlp"
    keras_mlp = ModelCard.load(models_dir / "mlp.json").inference_ms
    assert keras_mlp is not None and keras_mlp.keras_reference is None and keras_mlp.vs_keras is None
    assert numpy_mlp.vs_keras == pytest.approx(numpy_mlp.median / keras_mlp.median, rel=0.05, abs=2e-3)
    assert _committed_cards() == committed


def test_latency_of_one_model_beside_its_keras_reference_writes_only_its_card(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = ModelCard.load(models_dir / "mlp.json").inference_ms
    assert latency.main(["--runs", "5", "--model", "mlp-numpy"]) == 0
    printed = {line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]}
    assert printed == {"mlp-numpy", "mlp"}  # the model asked for and the Keras model it is compared with
    timing = ModelCard.load(models_dir / "mlp_numpy.json").inference_ms
    assert timing is not None and timing.command == "python -m digits.evaluation.latency --runs 5 --model mlp-numpy"
    assert timing.vs_keras is not None
    assert ModelCard.load(models_dir / "mlp.json").inference_ms == before
    with pytest.raises(SystemExit):
        latency.main(["--model", "no-such-model"])


def test_python_m_digits_evaluation_is_the_evaluation_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "digits.evaluation", "--help"],
        cwd=BACKEND_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m digits.evaluation") and "--update-card" in done.stdout


def test_photo_check_prints_accuracy_and_compares_runs(
    models_dir: Path, mnist: Mnist, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(photos, "load_mnist", lambda _directory: small_mnist(mnist, train=0, test=12))
    saved = tmp_path / "before.npz"
    assert photos.main(["--limit", "12", "--save", str(saved)]) == 0
    assert photos.main(["--limit", "12", "--compare", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "photos: 12 (seed 0)" in out and "accuracy: " in out and "'not a digit'" in out
    assert f"against {saved}: 0 fixed, 0 broken" in out  # the same photos, the same answers
    with np.load(saved) as run:
        assert run["inputs"].shape == (12, 28, 28, 1) and run["answers"].shape == (12,)


def test_font_digit_check_prints_each_models_accuracy(models_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fonts.main(["--model", "cnn", "--model", "mlp", "--count", "20"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("font-digits: 20 (seed 0)")
    lines = [line for line in out.splitlines() if "accuracy" in line]
    assert [line.split(" ")[0] for line in lines] == ["cnn", "mlp"]
    accuracy = float(lines[0].split("accuracy ")[1].split(" %")[0])
    assert 50.0 <= accuracy <= 100.0  # printed digits read far above chance (10 %)
    assert "per digit (%) 0:" in lines[0] and "'not a digit'" in lines[0]


def test_font_digit_set_holds_the_held_out_fonts_digits_in_turn() -> None:
    fonts_set = evalsets.font_digit_set(12, seed=1)
    assert fonts_set.name == "font-digits" and len(fonts_set.images) == 12
    assert fonts_set.labels.tolist() == [i % 10 for i in range(12)]


def test_ink_extent_is_the_long_side_of_the_ink_box() -> None:
    inputs = np.zeros((3, 28, 28, 1), np.float32)
    inputs[0, 4:24, 10:18] = 1.0
    inputs[1, 13:15, 13:16] = 0.5
    assert photos.ink_extent(inputs).tolist() == [20, 3, 0]


def test_architectures_gathers_each_folders_cards(tmp_path: Path) -> None:
    from digits.evaluation import architectures

    folder = copy_models(tmp_path / "champion", ["cnn-keras", "cnn", "cnn-litert-dynamic"])
    (tmp_path / "bare").mkdir()
    shutil.copy2(folder / "cnn.json", tmp_path / "bare" / "cnn.json")  # a card alone: no export, no latency
    output = tmp_path / "results" / "architectures.json"
    argv = ["--model", f"VGG-like={folder}", "--model", f"bare={tmp_path / 'bare'}", "--output", str(output)]
    assert architectures.main(argv) == 0
    result = json.loads(output.read_text())
    card = ModelCard.load(folder / "cnn.json")
    champion, bare = result["rows"]
    assert champion["label"] == "VGG-like" and champion["folder"] == "champion"
    assert champion["architecture"] == card.architecture and champion["parameters"] == card.parameters
    stages = card.stages or []
    assert champion["stages"] == len(stages) + 1
    assert champion["distilled_from"] == (card.distillation.teacher if card.distillation else None)
    assert champion["training_seconds"] == round(
        sum(s.training_seconds for s in stages) + (card.training_seconds or 0), 1
    )
    assert champion["sets"]["mnist"] == (card.evaluations.sets["mnist"] if card.evaluations else card.test_accuracy)
    assert champion["litert_bytes"] == (folder / "cnn_litert.tflite").stat().st_size
    assert champion["litert_dynamic_bytes"] == (folder / "cnn_litert_dynamic.tflite").stat().st_size
    assert champion["commands"]["train"][-1] == card.command
    assert bare["litert_bytes"] is None and bare["latency_ms"]["litert"] is None
    assert "mnist" in result["set_names"] and str(tmp_path) not in output.read_text()
    with pytest.raises(SystemExit):
        architectures.main(["--model", "no-folder"])
