"""The model card: validation errors name the file, no machine paths, amend, portable commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digits.cards import ModelCard, ModelCardError, OpenSet, portable_command, portable_path
from digits.settings import BACKEND_DIR, DEFAULT_MODELS_DIR


def test_every_committed_card_is_valid() -> None:
    cards = sorted(DEFAULT_MODELS_DIR.glob("*.json"))
    assert len(cards) >= 5
    for path in cards:
        card = ModelCard.load(path)
        assert card.name and card.architecture, path


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"name": "m"}', "architecture"),  # a required field missing
        ('{"name": "m", "architecture": "a", "colour": "red"}', "colour"),  # an unknown field
        ('{"name": "m", "architecture": "a", "test_accuracy": 1.5}', "test_accuracy"),  # out of range
        ('{"name": "m", "architecture": "a", "engine": "onnx"}', "engine"),  # not an engine kind
        ("not json", "json"),
    ],
)
def test_an_invalid_card_is_an_error_naming_the_file_and_field(tmp_path: Path, content: str, field: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(ModelCardError) as raised:
        ModelCard.load(path)
    assert str(path) in str(raised.value)
    assert field in str(raised.value).lower()


def test_a_missing_card_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ModelCard.load(tmp_path / "nothing.json")


@pytest.mark.parametrize("field", ["command", "init_from", "source_model"])
def test_an_absolute_path_is_refused(field: str) -> None:
    with pytest.raises(ValueError, match="absolute path"):
        ModelCard(name="m", architecture="a", **{field: "python -m digits.training --output /home/me/cnn.keras"})
    # A relative path is fine.
    assert getattr(ModelCard(name="m", architecture="a", **{field: "models/cnn.keras"}), field) == "models/cnn.keras"


def test_for_model_without_a_card_is_a_minimal_one(tmp_path: Path) -> None:
    card = ModelCard.for_model(tmp_path / "other.keras")
    assert card.name == "other" and card.architecture == "other" and card.test_accuracy is None
    assert ModelCard.path_for(tmp_path / "cnn_litert.tflite") == tmp_path / "cnn_litert.json"


def test_amend_creates_then_updates_a_card_and_keeps_other_fields(tmp_path: Path) -> None:
    model = tmp_path / "m.keras"
    ModelCard.amend(model, test_accuracy=0.9)
    assert json.loads((tmp_path / "m.json").read_text()) == {"name": "m", "architecture": "m", "test_accuracy": 0.9}
    open_set = OpenSet(
        method="not_a_digit_class",
        not_a_digit_threshold=0.5,
        uncertain_threshold=0.6,
        chosen_on="validation",
        validation={"digits_refused": 0.01},
        refused={"mnist": 0.01, "not-digits-omniglot": 0.97},
        auroc={"not-digits-omniglot": 0.99},
        command="python -m digits.evaluation.open_set",
    )
    card = ModelCard.amend(model, open_set=open_set, epochs=3)
    reloaded = ModelCard.load(tmp_path / "m.json")
    assert reloaded == card
    assert reloaded.test_accuracy == 0.9 and reloaded.epochs == 3 and reloaded.open_set == open_set
    # Only the fields that were set are written: no nulls for the rest.
    assert "history" not in json.loads((tmp_path / "m.json").read_text())


def test_amend_refuses_an_invalid_value_and_leaves_the_card(tmp_path: Path) -> None:
    model = tmp_path / "m.keras"
    ModelCard.amend(model, test_accuracy=0.9)
    before = (tmp_path / "m.json").read_text()
    with pytest.raises(ModelCardError, match="m.json"):
        ModelCard.amend(model, test_accuracy=2.0)
    with pytest.raises(ModelCardError, match="m.json"):
        ModelCard.amend(model, command="python -m x /abs/path")
    assert (tmp_path / "m.json").read_text() == before


def test_public_leaves_out_the_history_and_unset_fields() -> None:
    card = ModelCard(name="m", architecture="a", history={"loss": [1.0, 0.5]}, epochs=2)
    assert card.public() == {"name": "m", "architecture": "a", "epochs": 2}


def test_portable_path_is_relative_to_backend_or_a_file_name(tmp_path: Path) -> None:
    assert portable_path(BACKEND_DIR / "models" / "cnn.keras") == "models/cnn.keras"
    assert portable_path(tmp_path / "elsewhere" / "cnn.keras") == "cnn.keras"


def test_portable_command_leaves_no_absolute_path(tmp_path: Path) -> None:
    argv = [
        "--output",
        str(BACKEND_DIR / "models" / "cnn.keras"),
        f"--init-from={tmp_path / 'stage1.keras'}",
        "--epochs",
        "4",
        "relative/file.keras",
        "--name=x y",
    ]
    command = portable_command("digits.training.train", argv)
    assert command == (
        "python -m digits.training.train --output models/cnn.keras --init-from=stage1.keras "
        "--epochs 4 relative/file.keras '--name=x y'"
    )
    assert str(tmp_path) not in command and str(BACKEND_DIR) not in command
    ModelCard(name="m", architecture="a", command=command)  # a card accepts it


def test_portable_command_defaults_to_this_process_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["prog", "--epochs", "1", str(BACKEND_DIR / "models" / "mlp.keras")])
    assert portable_command("digits.training.train") == "python -m digits.training.train --epochs 1 models/mlp.keras"
