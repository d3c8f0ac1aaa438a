"""MLflow tracking and registry (training side): parameters, per-epoch metrics, artifacts, the
``champion`` alias; the serving runtime never imports MLflow. Every test logs to the throwaway store
of the ``mlflow_store`` fixture."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digits.cards import ModelCard
from digits.settings import BACKEND_DIR
from digits.training import tracking


def test_the_serving_runtime_does_not_import_mlflow() -> None:
    code = (
        "import sys; from app.main import create_app; from digits.engines import load_engines; "
        "from digits.settings import DataSettings; create_app(); load_engines(['cnn'], DataSettings().models_dir); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mlflow', 'tensorflow')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=BACKEND_DIR, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_tracking_uri_defaults_to_the_embedded_store(monkeypatch: pytest.MonkeyPatch, mlflow_store: Path) -> None:
    assert tracking.tracking_uri() == f"sqlite:///{mlflow_store / 'mlflow.db'}"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert tracking.tracking_uri() == f"sqlite:///{BACKEND_DIR / 'data' / 'mlflow' / 'mlflow.db'}"
    assert "backend/data/" in (BACKEND_DIR.parent / ".gitignore").read_text()


def test_runs_started_together_on_a_fresh_store_all_start(tmp_path: Path) -> None:
    # Three processes open a store that does not exist yet at the same moment: each creates the
    # tables and the experiment unless the first use is serialised (one failed with "duplicate
    # column name" before the lock).
    code = "from digits.training import tracking; print(tracking._configure('digits-train'))"
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"}
    runs = [
        subprocess.Popen([sys.executable, "-c", code], cwd=BACKEND_DIR, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=300)[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0]
    assert len(set(outputs)) == 1 and outputs[0].isdigit()  # one experiment, the same id for all


def test_flat_params() -> None:
    params = {"a": 1, "b": {"c": 0.5, "d": None}, "p": BACKEND_DIR / "models" / "cnn.keras", "long": "x" * 7000}
    assert tracking.flat_params(params) == {"a": "1", "b.c": "0.5", "p": "models/cnn.keras", "long": "x" * 6000}


def test_epoch_metrics_parameters_and_registry(tmp_path: Path, mlflow_store: Path) -> None:
    import keras
    import mlflow

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="categorical_crossentropy", metrics=["accuracy"])
    x, t = np.random.default_rng(0).random((32, 4)), np.eye(2)[np.arange(32) % 2]
    path = tmp_path / "tiny.keras"
    with tracking.start_run("train", run_name="tiny", params={"epochs": 3, "optimizer": {"name": "Adam"}}) as run_id:
        model.fit(x, t, validation_data=(x, t), epochs=3, verbose=0, callbacks=[tracking.epoch_logger()])
        model.save(path)
        card = ModelCard(name="tiny", architecture="dense", test_accuracy=0.5)
        card.save(ModelCard.path_for(path))
        tracking.log_model([path], card)
        first = tracking.register(run_id)
    client = mlflow.MlflowClient()
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED" and run.data.params == {"epochs": "3", "optimizer.name": "Adam"}
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"):
        assert [m.step for m in client.get_metric_history(run_id, key)] == [0, 1, 2], key
    assert run.data.metrics["test_accuracy"] == 0.5
    assert {a.path for a in client.list_artifacts(run_id, "model")} == {"model/tiny.keras", "model/tiny.json"}
    assert {a.path for a in client.list_artifacts(run_id)} >= {"card.json", "model"}
    assert str(mlflow_store) in run.info.artifact_uri  # beside the store, not ./mlruns
    assert tracking.champion_version() == first

    # The registry command: a second version takes the alias.
    assert tracking.main(["register", str(path)]) == 0
    assert tracking.champion_version() == first + 1
    assert tracking.main(["register", str(path), "--alias", ""]) == 0
    assert tracking.champion_version() == first + 1


def test_a_failed_run_is_marked_failed() -> None:
    import mlflow

    with pytest.raises(RuntimeError), tracking.start_run("finetune", run_name="broken") as run_id:
        raise RuntimeError("boom")
    assert mlflow.MlflowClient().get_run(run_id).info.status == "FAILED"
