"""Experiment tracking and the model registry with MLflow (training side only).

Every ``make train`` stage and every ``make finetune`` is an MLflow run: its parameters, the
metrics of each epoch (:func:`epoch_logger`, a Keras callback), the model card and the model
files. A model that is served is registered (``digits-cnn``) and the served version carries the
alias ``champion``.

Where runs go: ``MLFLOW_TRACKING_URI`` when set (an MLflow server, ``http://host:5000``, or any
store MLflow knows); otherwise the embedded default, a SQLite database with its artifacts beside
it under ``backend/data/mlflow/`` (gitignored). Look at them with ``mlflow ui
--backend-store-uri sqlite:///data/mlflow/mlflow.db`` (the ``mlflow`` package, not installed here).

Usage (from ``backend/``)::

    python -m digits.training.tracking register models/cnn.keras --alias champion

The serving runtime never imports this module (nor MLflow): a test checks it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from digits.cards import ModelCard
from digits.settings import BACKEND_DIR

DEFAULT_STORE = BACKEND_DIR / "data" / "mlflow"
"""The embedded store: ``mlflow.db`` (runs, registry) and ``artifacts/``."""
REGISTERED_MODEL = "digits-cnn"
CHAMPION = "champion"
EXPERIMENTS = {"train": "digits-train", "finetune": "digits-finetune", "tune": "digits-tune"}


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI`` when set, else the embedded SQLite store (:data:`DEFAULT_STORE`)."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{DEFAULT_STORE / 'mlflow.db'}"


def _configure(experiment: str) -> str:
    """Point MLflow at :func:`tracking_uri` and return the experiment's id (created if missing).

    With a SQLite store (the embedded one included) the experiment's artifacts go to
    ``artifacts/`` beside the database (MLflow would otherwise write ``./mlruns`` wherever the
    command runs), and the first use is serialised by a file lock beside it (``filelock``): two
    training runs started together on a fresh checkout both created the database's tables and the
    experiment, and one failed ("duplicate column name").
    """
    import mlflow
    from filelock import FileLock

    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    if not uri.startswith("sqlite:///"):
        return _experiment_id(mlflow, experiment, None)
    database = Path(uri.removeprefix("sqlite:///"))
    database.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{database}.lock"):
        return _experiment_id(mlflow, experiment, (database.parent / "artifacts").as_uri())


def _experiment_id(mlflow: Any, experiment: str, artifact_location: str | None) -> str:
    """The id of ``experiment`` in the current tracking store, created if missing."""
    existing = mlflow.get_experiment_by_name(experiment)
    if existing is not None:
        return str(existing.experiment_id)
    return str(mlflow.create_experiment(experiment, artifact_location=artifact_location))


def flat_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested parameters as MLflow takes them: ``{"a.b": "1"}``, values as text (at most 6,000
    characters, MLflow's limit), paths made portable, ``None`` left out."""
    from digits.cards import portable_path

    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flat_params(value, f"{name}."))
        elif value is None:
            continue
        else:
            text = portable_path(value) if isinstance(value, Path) else str(value)
            flat[name] = text[:6000]
    return flat


@contextmanager
def start_run(kind: str, run_name: str | None = None, params: Mapping[str, Any] | None = None) -> Iterator[str]:
    """An MLflow run of ``kind`` (``train`` or ``finetune``, :data:`EXPERIMENTS`); yields its run id.

    The run ends with the block (status ``FAILED`` if it raised).

    Raises:
        mlflow.exceptions.MlflowException: the store cannot be reached or written.
    """
    import mlflow

    experiment_id = _configure(EXPERIMENTS.get(kind, kind))
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
        if params:
            mlflow.log_params(flat_params(params))
        yield str(run.info.run_id)


def epoch_logger() -> Any:
    """A Keras callback that logs every epoch's metrics (loss, accuracy, val_*, learning rate) to
    the active MLflow run, step = epoch (0-based).

    MLflow's own ``mlflow.keras.MlflowCallback`` does the same but needs pandas, which
    ``mlflow-skinny`` leaves out.
    """
    import keras
    import mlflow

    class EpochLogger(keras.callbacks.Callback):  # type: ignore[misc]
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            metrics = {k: float(v) for k, v in (logs or {}).items() if isinstance(v, int | float) or hasattr(v, "item")}
            optimizer = getattr(self.model, "optimizer", None)
            if optimizer is not None and hasattr(optimizer, "learning_rate"):
                metrics["learning_rate"] = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            mlflow.log_metrics(metrics, step=epoch)

    return EpochLogger()


def card_metrics(card: ModelCard, prefix: str = "") -> dict[str, float]:
    """The figures of a card worth comparing between runs: test accuracy and loss, validation
    accuracy, each evaluation set's accuracy (``eval.<set>``), each open-set refusal rate."""
    metrics: dict[str, float] = {}
    for key in ("test_accuracy", "test_loss", "validation_accuracy", "validation_loss", "training_seconds"):
        value = getattr(card, key)
        if value is not None:
            metrics[f"{prefix}{key}"] = float(value)
    if card.evaluations is not None:
        metrics.update({f"{prefix}eval.{k}": float(v) for k, v in card.evaluations.sets.items()})
    if card.open_set is not None:
        metrics.update({f"{prefix}refused.{k}": float(v) for k, v in card.open_set.refused.items()})
    return metrics


def log_model(files: Sequence[Path], card: ModelCard | None = None, artifact_path: str = "model") -> None:
    """Log model files (and the cards beside them) as artifacts of the active run, and ``card``
    as ``card.json`` with its figures as metrics (:func:`card_metrics`)."""
    import mlflow

    for path in files:
        if path.is_file():
            mlflow.log_artifact(str(path), artifact_path)
        beside = ModelCard.path_for(path)
        if beside.is_file() and beside != path:
            mlflow.log_artifact(str(beside), artifact_path)
    if card is not None:
        mlflow.log_dict(card.model_dump(mode="json", exclude_unset=True), "card.json")
        metrics = card_metrics(card)
        if metrics:
            mlflow.log_metrics(metrics)


def register(
    run_id: str, alias: str | None = CHAMPION, name: str = REGISTERED_MODEL, artifact_path: str = "model"
) -> int:
    """Register the run's ``artifact_path`` as a new version of ``name``; give it ``alias``.

    Returns:
        The new version number.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    client = mlflow.MlflowClient()
    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name, description="The served digit classifier (models/cnn.keras)")
    run = client.get_run(run_id)
    version = client.create_model_version(name, source=f"{run.info.artifact_uri}/{artifact_path}", run_id=run_id)
    if alias:
        client.set_registered_model_alias(name, alias, version.version)
    return int(version.version)


def champion_version(name: str = REGISTERED_MODEL) -> int | None:
    """The registered version that carries the ``champion`` alias, or None."""
    import mlflow
    from mlflow.exceptions import MlflowException

    mlflow.set_tracking_uri(tracking_uri())
    try:
        return int(mlflow.MlflowClient().get_model_version_by_alias(name, CHAMPION).version)
    except MlflowException:
        return None


def served_files(keras_path: Path) -> list[Path]:
    """The model and its LiteRT exports as ``make train`` leaves them beside it."""
    stem = keras_path.with_suffix("")
    return [keras_path, *(Path(f"{stem}{s}.tflite") for s in ("_litert", "_litert_dynamic"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digits.training.tracking", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    reg = sub.add_parser("register", help="log a model, its exports and cards as a run; register it")
    reg.add_argument("model", type=Path, help="the .keras model (its LiteRT exports beside it are logged too)")
    reg.add_argument("--alias", default=CHAMPION, help="alias of the new version ('' for none)")
    reg.add_argument("--name", default=REGISTERED_MODEL)
    args = parser.parse_args(argv)
    card = ModelCard.for_model(args.model)
    with start_run("train", run_name=f"register {args.model.name}", params={"model": args.model}) as run_id:
        log_model(served_files(args.model), card)
        version = register(run_id, alias=args.alias or None, name=args.name)
    print(
        f"registered {args.name} version {version}"
        + (f" as {args.alias!r}" if args.alias else "")
        + f" ({tracking_uri()})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
