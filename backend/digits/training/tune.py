"""Hyperparameter search for the CNN with Optuna: validation split only, bad trials pruned, resumable.

Usage (from ``backend/``)::

    python -m digits.training.tune --trials 30 --timeout 3600      # or: make tune ARGS="--trials 30"
    python -m digits.training.tune --trials 0                        # print the best so far, train nothing

Why Optuna rather than KerasTuner: a trial here is our own :func:`digits.training.train.train` (the
same data, preprocessing, stroke renderings and "not a digit" class as ``make train``), not a
Keras model-building function; Optuna's define-by-run objective calls it as it is, its
``HyperbandPruner`` stops a trial from its per-epoch validation accuracy, and its RDB storage (a
SQLite file) keeps every trial, so a search stopped by the budget or killed resumes where it
stopped, and the history can be read back with ``optuna.load_study`` (Akiba et al., "Optuna: A
Next-generation Hyperparameter Optimization Framework", KDD 2019).

What is searched (:func:`suggest`): the learning rate (log-uniform 3e-4 to 3e-3), the schedule
(``exponential`` with its per-epoch decay, 0.6 to 0.95, or ``one-cycle`` with the learning rate as
its peak; :func:`digits.training.train.learning_rate_schedule`), the batch size (64, 128, 256),
the head's dropout (0.2 to 0.6), the first block's filters (16, 24, 32, 48) and the augmentation
strength (0.5 to 1.5 times every range and probability). Each trial trains on ``--subset``
training images (the cheap rung; the best configuration is then retrained on everything with the
printed command), is scored by its best validation accuracy, and never sees the test set
(``evaluate_test=False``).

A trial's batch normalization keeps its moving statistics with momentum :data:`TRIAL_BN_MOMENTUM`
(0.9) instead of Keras' 0.99 (:func:`_short_run_batch_norm`): with 0.99 they need several hundred
steps to forget their initial values, and a trial on the subset makes only 70-281 steps an epoch
(18,000 images with its drawings, batch 256 to 64), so its validation accuracy stayed near chance
for the first epochs and Hyperband pruned on that noise. Measured (the first search on these
machines, 2026-12-02, 14 trials, ``.tuning/`` kept locally): every one of the 11 pruned trials was
cut at a validation accuracy of 0.08-0.57, after 1-3 epochs, and all trials of batch 128 or 256 were
pruned. The same first configuration (TPE, seed 42) read 0.117 on validation after epoch 1 with 0.99
and 0.857 with 0.9 (``make tune``, a new study each). The command that trains the best configuration
on the full data (703 steps an epoch at batch 128) keeps 0.99: there the first epoch already reads
0.957.

Every trial is in the storage (parameters, per-epoch validation accuracy, state, duration), is an
MLflow run of the ``digits-tune`` experiment (:mod:`digits.training.tracking`), and is also
appended as one JSON line to ``trials.jsonl`` beside it; ``best.json`` holds the best
trial and the command that trains it on the full data.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digits.settings import BACKEND_DIR, DataSettings

if TYPE_CHECKING:
    import optuna

DEFAULT_DIR = BACKEND_DIR / ".tuning"
"""Where studies live (git-ignored): ``<dir>/<study>.db``, ``<study>.trials.jsonl``, ``<study>.best.json``."""


@dataclass(frozen=True)
class SearchBudget:
    """How much one search may spend.

    Attributes:
        trials: trials to run in this invocation (the study keeps earlier ones).
        timeout: seconds after which no new trial starts (``None``: no limit).
        subset: training images per trial (the validation split stays 5,000 digits + negatives).
        epochs: most epochs per trial (Hyperband's maximum resource).
        not_a_digit: non-digit drawings in each trial's training data (scaled to the subset by
            :func:`digits.training.train.train`).
    """

    trials: int = 20
    timeout: float | None = None
    subset: int = 12_000
    epochs: int = 6
    not_a_digit: int = 20_000


def suggest(trial: optuna.Trial) -> dict[str, Any]:
    """The search space: one configuration, keyed by ``digits.training.train`` option names."""
    from digits.training.train import SCHEDULES

    params: dict[str, Any] = {
        "learning_rate": trial.suggest_float("learning_rate", 3e-4, 3e-3, log=True),
        "schedule": trial.suggest_categorical("schedule", list(SCHEDULES)),
    }
    if params["schedule"] == "exponential":  # a conditional parameter: one-cycle has no per-epoch decay
        params["lr_decay"] = trial.suggest_float("lr_decay", 0.6, 0.95)
    return params | {
        "batch_size": trial.suggest_categorical("batch_size", [64, 128, 256]),
        "dropout": trial.suggest_float("dropout", 0.2, 0.6),
        "filters": trial.suggest_categorical("filters", [16, 24, 32, 48]),
        "augment_strength": trial.suggest_float("augment_strength", 0.5, 1.5),
    }


BASELINE: dict[str, Any] = {
    "learning_rate": 1e-3,
    "schedule": "exponential",
    "lr_decay": 0.9,
    "batch_size": 128,
    "dropout": 0.5,
    "filters": 32,
    "augment_strength": 1.0,
}
"""``make train``'s first stage (the defaults of ``digits.training.train``): a new study's first
trial, so every configuration is compared with it under the same budget."""


def train_command(params: dict[str, Any], epochs: int, not_a_digit: int, output: str = "models/cnn_tuned.keras") -> str:
    """The one command that trains ``params`` on the full training data."""
    args = ["python", "-m", "digits.training.train", "--output", output, "--epochs", str(epochs)]
    args += ["--not-a-digit", str(not_a_digit)]
    for key in ("learning_rate", "schedule", "lr_decay", "batch_size", "dropout", "filters", "augment_strength"):
        if key not in params:  # lr_decay of a one-cycle trial
            continue
        value = params[key]
        args += [f"--{key.replace('_', '-')}", f"{value:.4g}" if isinstance(value, float) else str(value)]
    return shlex.join(args)


TRIAL_BN_MOMENTUM = 0.9
"""Momentum of the batch normalization's moving statistics in a trial (Keras' default: 0.99):
they follow the last ~10 steps, so a short trial's validation accuracy measures its weights."""


def _short_run_batch_norm(momentum: float = TRIAL_BN_MOMENTUM) -> Any:
    """A Keras callback that sets every ``BatchNormalization`` layer's momentum before training
    (before the training step is traced, so the step uses it)."""
    import keras

    class ShortRunBatchNorm(keras.callbacks.Callback):  # type: ignore[misc]
        def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
            for layer in self.model.layers:
                if isinstance(layer, keras.layers.BatchNormalization):
                    layer.momentum = momentum

    return ShortRunBatchNorm()


def _pruning_callback(trial: optuna.Trial) -> Any:
    """A Keras callback that reports each epoch's validation accuracy and stops a pruned trial."""
    import keras
    import optuna

    class Report(keras.callbacks.Callback):  # type: ignore[misc]
        pruned = False

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            trial.report(float((logs or {}).get("val_accuracy", 0.0)), step=epoch + 1)
            if trial.should_prune():
                self.pruned = True
                self.model.stop_training = True

    del optuna
    return Report()


def run_search(
    budget: SearchBudget,
    directory: Path = DEFAULT_DIR,
    study_name: str = "cnn",
    mnist_dir: Path | None = None,
    seed: int = 42,
) -> optuna.Study:
    """Run (or resume) the study ``study_name`` stored in ``directory``.

    Returns:
        The study, with every trial so far (``study.best_trial`` when one completed).

    Raises:
        digits.data.mnist.MnistError: the MNIST files are missing.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import optuna

    from digits.training import tracking
    from digits.training.train import TrainConfig, train

    directory.mkdir(parents=True, exist_ok=True)
    storage = f"sqlite:///{directory / f'{study_name}.db'}"
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        direction="maximize",
        load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=seed + len(_finished(directory, study_name))),
        pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=budget.epochs, reduction_factor=3),
    )
    if not study.trials:
        study.enqueue_trial(BASELINE)
    log = directory / f"{study_name}.trials.jsonl"

    def objective(trial: optuna.Trial) -> float:
        params = suggest(trial)
        report = _pruning_callback(trial)
        started = time.perf_counter()
        # Each trial is also an MLflow run of the "digits-tune" experiment (digits.training.tracking).
        with tracking.start_run("tune", run_name=f"{study_name}-{trial.number}", params=params):
            card = train(
                TrainConfig(
                    mnist_dir=mnist_dir or DataSettings().mnist_dir,
                    output=directory / "trials" / f"{study_name}-{trial.number}.keras",
                    epochs=budget.epochs,
                    seed=seed,
                    subset=budget.subset,
                    not_a_digit=budget.not_a_digit,
                    evaluate_test=False,
                    cache_dir=directory / "cache",  # trials share the stroke renderings and non-digit drawings
                    callbacks=[_short_run_batch_norm(), report, tracking.epoch_logger()],
                    verbose=0,
                    command=train_command(params, budget.epochs, budget.not_a_digit),
                    **params,
                )
            )
        history = (card.history or {}).get("val_accuracy", [])
        value = max(history) if history else 0.0
        entry = {
            "number": trial.number,
            "params": params,
            "val_accuracy": history,
            "value": value,
            "pruned": report.pruned,
            "seconds": round(time.perf_counter() - started, 1),
        }
        with log.open("a") as fh:
            fh.write(json.dumps(entry) + "\n")
        for leftover in (directory / "trials").glob(f"{study_name}-{trial.number}.*"):
            leftover.unlink()  # the search keeps figures, not weights: retrain the best with its command
        if report.pruned:
            raise optuna.TrialPruned()
        return value

    if budget.trials > 0:
        study.optimize(objective, n_trials=budget.trials, timeout=budget.timeout, gc_after_trial=True)
    completed = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if completed:
        best = study.best_trial
        summary = {
            "study": study_name,
            "trials": len(study.trials),
            "completed": len(completed),
            "pruned": sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials),
            "best_trial": best.number,
            "best_val_accuracy": best.value,
            "best_params": best.params,
            "subset": budget.subset,
            "command": train_command(best.params, 14, budget.not_a_digit),
        }
        (directory / f"{study_name}.best.json").write_text(json.dumps(summary, indent=2) + "\n")
    return study


def _finished(directory: Path, study_name: str) -> list[str]:
    log = directory / f"{study_name}.trials.jsonl"
    return log.read_text().splitlines() if log.is_file() else []


def main(argv: list[str] | None = None) -> int:
    defaults = SearchBudget()
    parser = argparse.ArgumentParser(
        prog="python -m digits.training.tune",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--trials", type=int, default=defaults.trials, help="trials in this run (0: report only)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds after which no trial starts")
    parser.add_argument("--subset", type=int, default=defaults.subset, help="training images per trial")
    parser.add_argument("--epochs", type=int, default=defaults.epochs, help="most epochs per trial")
    parser.add_argument("--not-a-digit", type=int, default=defaults.not_a_digit)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the study is stored (resumable)")
    parser.add_argument("--study", default="cnn", help="study name (a new name starts a new search)")
    parser.add_argument("--mnist-dir", type=Path, default=DataSettings().mnist_dir)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    budget = SearchBudget(args.trials, args.timeout, args.subset, args.epochs, args.not_a_digit)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = run_search(budget, args.dir, args.study, args.mnist_dir, args.seed)
    print(f"{'trial':>5} {'state':<9} {'val acc':>8}  params")
    for t in study.trials:
        value = f"{t.value:.4f}" if t.value is not None else "-"
        print(f"{t.number:>5} {t.state.name:<9} {value:>8}  {json.dumps(t.params)}")
    best_file = args.dir / f"{args.study}.best.json"
    if best_file.is_file():
        best = json.loads(best_file.read_text())
        print(f"best: trial {best['best_trial']}, validation accuracy {best['best_val_accuracy']:.4f}")
        print(f"train it on the full data: {best['command']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
