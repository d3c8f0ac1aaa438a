"""Training smoke test: the real command on a small subset, end to end."""

import json
from pathlib import Path

import numpy as np

from digits.engines import KerasEngine
from digits.train import main


def test_training_command_writes_model_and_card(mnist_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "smoke.keras"
    status = main(
        [
            "--mnist-dir",
            str(mnist_dir),
            "--output",
            str(output),
            "--subset",
            "600",
            "--epochs",
            "2",
            "--outlier-exposure",
            "40",
            "--batch-size",
            "64",
        ]
    )
    assert status == 0 and output.is_file()
    card = json.loads(output.with_suffix(".json").read_text())
    for key in (
        "architecture",
        "parameters",
        "epochs",
        "training_seconds",
        "validation_accuracy",
        "test_accuracy",
        "test_loss",
        "versions",
        "date",
        "data_sha256",
        "history",
    ):
        assert key in card, key
    assert card["architecture"] == "enhanced_cnn" and card["parameters"] > 300_000
    assert card["epochs"] == 2 and len(card["history"]["val_loss"]) == 2
    assert set(card["data_sha256"]) >= {"train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"}
    assert 0.0 <= card["test_accuracy"] <= 1.0
    assert card["stroke_mix"] == 150 and card["outlier_exposure"] == 40
    engine = KerasEngine(output)
    probabilities = engine.predict_proba(np.zeros((3, 28, 28, 1), np.float32))
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert engine.version.startswith("enhanced_cnn-")


def test_fine_tuning_starts_from_a_trained_model(mnist_dir: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.keras"
    main(["--mnist-dir", str(mnist_dir), "--output", str(first), "--subset", "200", "--epochs", "1"])
    second = tmp_path / "second.keras"
    main(
        [
            "--mnist-dir",
            str(mnist_dir),
            "--output",
            str(second),
            "--subset",
            "200",
            "--epochs",
            "1",
            "--init-from",
            str(first),
            "--learning-rate",
            "1e-4",
        ]
    )
    card = json.loads(second.with_suffix(".json").read_text())
    assert card["init_from"] == str(first) and card["learning_rate"] == 1e-4
