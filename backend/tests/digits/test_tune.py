"""The hyperparameter search: a tiny real budget, resumed; every trial logged; validation only."""

from __future__ import annotations

import argparse
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
    assert lines[0]["params"] == tune.BASELINE  # the first trial is make train's configuration
    for entry in lines:
        searched = {"learning_rate", "schedule", "batch_size", "dropout", "filters", "augment_strength"}
        # the per-epoch decay is a parameter of the exponential schedule only
        decay = {"lr_decay"} if entry["params"]["schedule"] == "exponential" else set()
        assert set(entry["params"]) == searched | decay
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
    parsed = parse_train_command(command)
    assert (parsed.learning_rate, parsed.lr_decay, parsed.schedule) == (0.0012, 0.7, "exponential")


def parse_train_command(command: str) -> argparse.Namespace:
    """The options ``python -m digits.training.train`` would read from ``command``."""
    from digits.training.train import build_parser

    return build_parser().parse_args(shlex.split(command)[3:])


def test_a_one_cycle_trial_has_no_decay_and_its_command_says_so() -> None:
    import optuna

    study = optuna.create_study()
    study.enqueue_trial({"schedule": "one-cycle"})
    params = tune.suggest(study.ask())
    assert params["schedule"] == "one-cycle" and "lr_decay" not in params
    parsed = parse_train_command(tune.train_command(params, epochs=8, not_a_digit=20000))
    assert parsed.schedule == "one-cycle" and parsed.epochs == 8


def test_trial_batch_norm_follows_recent_steps() -> None:
    """A trial's batch normalization keeps its moving statistics with momentum 0.9: after 5 steps
    they have moved about 1 - 0.9**5 = 41 % of the way to the batches' statistics (Keras' 0.99:
    5 %), so a short trial's validation accuracy measures its weights."""
    import keras
    import numpy as np

    from digits.training.architectures import build_enhanced_cnn

    x = np.random.default_rng(0).random((80, 28, 28, 1)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[np.arange(80) % 10]

    def moved(callbacks: list[keras.callbacks.Callback]) -> float:
        keras.utils.set_random_seed(0)
        model = build_enhanced_cnn()
        model.compile(optimizer=keras.optimizers.SGD(0.0), loss="categorical_crossentropy")  # weights stay
        model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=callbacks)
        bn = model.get_layer("block1_bn1")
        assert bn.momentum == (tune.TRIAL_BN_MOMENTUM if callbacks else 0.99)
        return float(np.abs(np.asarray(bn.moving_mean)).mean())

    short, default = moved([tune._short_run_batch_norm()]), moved([])
    assert tune.TRIAL_BN_MOMENTUM == 0.9
    assert 5 < short / default < 12  # (1 - 0.9**5) / (1 - 0.99**5) = 8.4


def test_the_baseline_trial_is_make_train_s_first_stage() -> None:
    import inspect

    from digits.training.architectures import build_enhanced_cnn
    from digits.training.train import TrainConfig

    config, model = TrainConfig(), inspect.signature(build_enhanced_cnn).parameters
    assert {
        "learning_rate": config.learning_rate,
        "schedule": config.schedule,
        "lr_decay": config.lr_decay,
        "batch_size": config.batch_size,
        "dropout": model["dropout"].default,
        "filters": model["filters"].default,
        "augment_strength": config.augment_strength,
    } == tune.BASELINE
