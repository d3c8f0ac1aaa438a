"""The hyperparameter search: a tiny real budget, resumed; every trial logged; validation only."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from digits.training import tune  # noqa: E402

pytestmark = pytest.mark.slow  # real (tiny) training runs


def test_search_runs_logs_every_trial_and_resumes(
    mnist_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    args = ["--dir", str(tmp_path), "--study", "t", "--mnist-dir", str(mnist_dir)]
    args += ["--subset", "160", "--epochs", "2", "--not-a-digit", "40", "--trials", "1"]
    assert tune.main(args) == 0
    assert tune.main(args) == 0  # the second run resumes the stored study: two trials in all

    study = optuna.load_study(study_name="t", storage=f"sqlite:///{tmp_path / 't.db'}")
    assert len(study.trials) == 2
    lines = [json.loads(line) for line in (tmp_path / "t.trials.jsonl").read_text().splitlines()]
    assert [entry["number"] for entry in lines] == [0, 1]
    for entry in lines:
        assert set(entry["params"]) == {
            "learning_rate",
            "lr_decay",
            "batch_size",
            "dropout",
            "filters",
            "augment_strength",
        }
        assert 0.0 <= entry["value"] <= 1.0 and 1 <= len(entry["val_accuracy"]) <= 2
    assert not list((tmp_path / "trials").glob("*.keras"))  # figures are kept, weights are not

    best = json.loads((tmp_path / "t.best.json").read_text())
    assert best["trials"] == 2 and best["best_val_accuracy"] == max(e["value"] for e in lines)
    command = shlex.split(best["command"])
    assert command[:3] == ["python", "-m", "digits.training.train"] and "--filters" in command
    import mlflow

    runs = mlflow.search_runs(experiment_names=["digits-tune"], output_format="list")
    assert sorted(r.info.run_name for r in runs) == ["t-0", "t-1"]  # each trial is an MLflow run too
    out = capsys.readouterr().out
    assert "train it on the full data: python -m digits.training.train" in out


def test_train_command_round_trips_through_the_training_parser() -> None:
    params = {
        "learning_rate": 0.0012,
        "lr_decay": 0.7,
        "batch_size": 64,
        "dropout": 0.35,
        "filters": 24,
        "augment_strength": 1.2,
    }
    command = tune.train_command(params, epochs=9, not_a_digit=20000)
    assert "--learning-rate 0.0012" in command and "--filters 24" in command and "--epochs 9" in command
