"""Candidate architectures side by side: gather what each one's cards measured into one JSON file.

Usage (from ``backend/``)::

    python -m digits.evaluation.architectures --model "LeNet-5=<dir>" --model "separable CNN=<dir>" ...

Each ``<dir>`` is a models folder whose files are named as the served ones, measured by the
project's own commands (nothing is measured here; this only reads the cards):

* ``cnn.keras`` and its card ``cnn.json`` (``python -m digits.training.train``): parameters,
  epochs, training time, MNIST test accuracy; ``python -m digits.evaluation --update-card`` adds
  the evaluation sets, ``python -m digits.evaluation.open_set --model cnn-keras`` the refusals;
* ``cnn_litert.tflite`` (float32) and ``cnn_litert_dynamic.tflite`` with their cards
  (``python -m digits.training.export_litert``): file sizes; ``MODELS_DIR=<dir> python -m
  digits.evaluation.latency`` adds each one's latency.

Writes ``results/architectures.json`` (``--output``), which the report's architectures section
reads. A row lacks (None) what its cards lack.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from digits.cards import ModelCard, portable_command, portable_path
from digits.settings import BACKEND_DIR

DEFAULT_OUTPUT = BACKEND_DIR / "results" / "architectures.json"
FILES = {"keras": "cnn.keras", "litert": "cnn_litert.tflite", "litert_dynamic": "cnn_litert_dynamic.tflite"}
"""The files of a row's folder, named as served (``digits.engines.registry.MODEL_SPECS``)."""


def _card(folder: Path, key: str) -> ModelCard | None:
    path = ModelCard.path_for(folder / FILES[key])
    return ModelCard.load(path) if path.is_file() else None


def _latency(card: ModelCard | None) -> dict[str, Any] | None:
    timing = card.inference_ms if card else None
    return None if timing is None else {"median": timing.median, "p99": timing.p99, "command": timing.command}


def gather_row(label: str, folder: Path) -> dict[str, Any]:
    """One row from the cards in ``folder``.

    Raises:
        FileNotFoundError: the folder has no ``cnn.json``.
        digits.cards.ModelCardError: a card is not valid.
    """
    card = ModelCard.load(ModelCard.path_for(folder / FILES["keras"]))
    litert, dynamic = _card(folder, "litert"), _card(folder, "litert_dynamic")
    stages = card.stages or []
    sets = dict(card.evaluations.sets) if card.evaluations else {}
    if card.test_accuracy is not None:
        sets.setdefault("mnist", card.test_accuracy)
    return {
        "label": label,
        "folder": portable_path(str(folder)),
        "architecture": card.architecture,
        "parameters": card.parameters,
        "classes": card.classes,
        "stages": len(stages) + 1,
        "distilled_from": card.distillation.teacher if card.distillation else None,
        "epochs": card.epochs,
        "best_epoch": card.best_epoch,
        "training_seconds": round(sum(s.training_seconds for s in stages) + (card.training_seconds or 0.0), 1),
        "validation_accuracy": card.validation_accuracy,
        "sets": sets,
        "refused": dict(card.open_set.refused) if card.open_set else None,
        "auroc": dict(card.open_set.auroc) if card.open_set else None,
        "keras_bytes": card.model_bytes,
        "litert_bytes": litert.model_bytes if litert else None,
        "litert_dynamic_bytes": dynamic.model_bytes if dynamic else None,
        "litert_same_digit": litert.same_digit_as_source if litert else None,
        "latency_ms": {
            "litert": _latency(litert),
            "litert_dynamic": _latency(dynamic),
            "keras": _latency(card),
        },
        "machine": card.machine,
        "date": card.date,
        "commands": {
            "train": [s.command for s in stages] + [card.command or "?"],
            "evaluation": card.evaluations.command if card.evaluations else None,
            "open_set": card.open_set.command if card.open_set else None,
        },
    }


def gather(models: list[tuple[str, Path]], command: str) -> dict[str, Any]:
    """The result: one row per (label, folder), in order, and the command that gathered them."""
    rows = [gather_row(label, folder) for label, folder in models]
    set_names: list[str] = []
    for row in rows:
        set_names += [s for s in row["sets"] if s not in set_names]
    return {
        "rows": rows,
        "set_names": set_names,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
    }


def _label_and_folder(value: str) -> tuple[str, Path]:
    label, sep, folder = value.partition("=")
    if not sep or not label or not folder:
        raise argparse.ArgumentTypeError(f"expected LABEL=FOLDER, got {value!r}")
    return label, Path(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m digits.evaluation.architectures", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--model", action="append", type=_label_and_folder, required=True, help="LABEL=FOLDER (repeatable, in order)"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    result = gather(args.model, portable_command("digits.evaluation.architectures", argv))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    for row in result["rows"]:
        print(f"{row['label']}: {row['architecture']}, MNIST {row['sets'].get('mnist')}")
    print(f"wrote {portable_path(str(args.output))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
