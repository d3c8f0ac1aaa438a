"""The model card: one JSON file beside every model file, one schema for all who read or write it.

``models/cnn.keras`` has ``models/cnn.json``; ``models/cnn_litert.tflite`` has
``models/cnn_litert.json``. Training writes a card, export writes one per exported file, and
evaluation, the open-set calibration and latency add their sections to an existing card. Every writer and
reader goes through :class:`ModelCard`: :meth:`ModelCard.load` validates a card (an unknown
field or a wrong type is an error naming the file), :meth:`ModelCard.save` writes it. A card
never holds a path of the machine it was made on: commands and ``init_from`` name files
relative to ``backend/`` (:func:`portable_command`).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from digits.settings import BACKEND_DIR

EngineKind = Literal["keras", "litert", "numpy", "tta"]
"""How a model is run: Keras/TensorFlow, the LiteRT interpreter, plain NumPy, or test-time
augmentation over another engine."""


class ModelCardError(ValueError):
    """A card file is missing a required field, has an unknown one, or is not JSON; names the file."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Stage(_Section):
    """An earlier training stage of the same weights (the fine-tune's card keeps stage 1 here)."""

    command: str
    epochs: int = Field(ge=0)
    training_seconds: float = Field(ge=0, description="seconds")


class Distillation(_Section):
    """The teacher a model was distilled from (:mod:`digits.training.distill`)."""

    teacher: str = Field(description="the teacher's .keras file, relative to backend/ where it is inside")
    teacher_sha256: str
    temperature: float = Field(gt=0)
    student_loss_weight: float = Field(ge=0, le=1)


class Evaluations(_Section):
    """Accuracy (fraction in [0, 1]) on each evaluation set (``python -m digits.evaluation``)."""

    sets: dict[str, float]
    command: str


class OpenSet(_Section):
    """How the model refuses what is not a digit (:mod:`digits.verdict`), chosen on validation data only.

    Attributes:
        method: ``not_a_digit_class`` (an 11-class model's class 10) or ``max_softmax`` (1 - top probability).
        not_a_digit_threshold: score at or above which the verdict is ``not_a_digit``.
        uncertain_threshold: probability among the digits below which the verdict is ``uncertain``.
        chosen_on: the validation data and the rule that chose them.
        validation: rates on the validation data that chose them (fractions in [0, 1]).
        refused: held-out sets -> the fraction answered ``not_a_digit`` (for digit sets, false refusals).
        auroc: held-out non-digit sets -> area under the ROC curve of the score, against MNIST test digits.
    """

    method: Literal["not_a_digit_class", "max_softmax"]
    not_a_digit_threshold: float = Field(ge=0, le=1)
    uncertain_threshold: float = Field(ge=0, le=1)
    chosen_on: str
    validation: dict[str, float]
    refused: dict[str, float]
    auroc: dict[str, float]
    command: str


class InferenceTiming(_Section):
    """Time of one image through the model alone, in-process (``python -m digits.evaluation.latency``)."""

    median: float = Field(ge=0, description="milliseconds")
    p99: float = Field(ge=0, description="milliseconds")
    vs_keras: float | None = Field(default=None, description="median / the Keras engine's median")
    keras_reference: str | None = None
    command: str


class FineTuning(_Section):
    """How a challenger was fine-tuned on feedback and how it compared with the champion
    (``python -m digits.finetune``).

    Attributes:
        feedback: the export it read (path relative to ``backend/`` or a file name).
        feedback_sha256: sha256 of that file.
        split_by: ``client`` (whole clients per split, newest held out) or ``time``.
        records: records per split (``train``, ``validation``, ``test``) before label filtering.
        label_filter: ``agreement`` (drop a training record the champion gives its label less than
            ``min_label_probability``) or ``none``.
        min_label_probability: the agreement filter's threshold, a probability in [0, 1].
        filtered_out: training records the label filter left out.
        feedback_repeat: how many times each kept training record is seen per epoch.
        replay_mnist: MNIST training images replayed (never the validation split).
        replay_not_a_digit: non-digit drawings replayed as class 10.
        champion: the champion's version (``architecture-sha256[:8]``) and file.
        scores: ``champion`` and ``challenger`` -> set -> accuracy in [0, 1] (``feedback-test``: the
            held-out feedback, the most probable of all classes against the label; digit sets:
            the digit answered; ``not-digits-*``: the share refused).
        mnist_tolerance: how far below the champion's MNIST accuracy the challenger may be (fraction).
        promoted: whether it replaced the champion.
        reason: why (or why not), in words.
        mlflow_run_id: its MLflow run, when tracked.
    """

    feedback: str
    feedback_sha256: str
    split_by: Literal["client", "time"]
    records: dict[str, int]
    label_filter: Literal["agreement", "none"]
    min_label_probability: float | None = Field(default=None, ge=0, le=1)
    filtered_out: int = Field(ge=0)
    feedback_repeat: int = Field(ge=0)
    replay_mnist: int = Field(ge=0)
    replay_not_a_digit: int = Field(ge=0)
    champion: str
    scores: dict[str, dict[str, float]]
    mnist_tolerance: float = Field(ge=0)
    promoted: bool
    reason: str
    mlflow_run_id: str | None = None


class NumberSetScore(_Section):
    """How well written numbers of one evaluation set are read (:mod:`digits.evaluation.numbers`).

    Attributes:
        numbers: how many numbers the set holds.
        digits: how many digits they hold together.
        exact: share of numbers read exactly (every digit, nothing more), in [0, 1].
        per_digit: share of the digits read: 1 - edit distance / length, summed over the set, in [0, 1].
        median_ms: median time to read one number in-process (decode to the last engine call), milliseconds.
    """

    numbers: int = Field(ge=0)
    digits: int = Field(ge=0)
    exact: float = Field(ge=0, le=1)
    per_digit: float = Field(ge=0, le=1)
    median_ms: float = Field(ge=0, description="milliseconds")


class NumberReading(_Section):
    """Whole numbers read by the model (``python -m digits.evaluation.numbers``).

    Attributes:
        sets: ``<source>/<layout>/<digits>/<path>`` (e.g. ``mnist/touching/4/pixels``) -> its score.
        not_a_digit: a non-digit drawing placed among the digits: share of them answered
            ``not_a_digit`` and share of those numbers still read exactly.
        method: how the numbers are cut into digits.
        command: the command that measured it.
    """

    sets: dict[str, NumberSetScore]
    not_a_digit: dict[str, float] | None = None
    method: str
    seed: int
    command: str


class ModelCard(_Section):
    """What a model is, how it was made and how well it does; ``<model>.json`` beside the model.

    Fractions (accuracy, agreement) are in [0, 1]; sizes in bytes; times in seconds unless the
    field says milliseconds. Only ``name`` and ``architecture`` are required: training, export,
    evaluation and the open-set calibration each fill in their own fields.
    """

    name: str
    architecture: str
    engine: EngineKind | None = None
    parameters: int | None = Field(default=None, ge=0)
    classes: int = Field(default=10, ge=10, le=11, description="10 digits, or 10 + not a digit (class 10)")
    input: str | None = None
    output: str | None = None
    format: str | None = None
    quantization: str | None = None
    # Training (python -m digits.training)
    epochs: int | None = Field(default=None, ge=0)
    best_epoch: int | None = Field(default=None, ge=1)
    batch_size: int | None = Field(default=None, ge=1)
    learning_rate: float | None = Field(default=None, gt=0)
    lr_decay_per_epoch: float | None = None
    schedule: str | None = Field(default=None, description="exponential (per epoch) or one-cycle (per step)")
    mixed_precision: bool | None = Field(default=None, description="trained in bfloat16, saved float32")
    optimizer: str | None = None
    callbacks: list[str] | None = None
    augmentation: dict[str, float] | None = None
    drawing_augmentation: dict[str, float] | None = None
    stroke_mix: int | None = Field(default=None, ge=0)
    font_digits: int | None = Field(default=None, ge=0, description="Hershey font digits added to training")
    outlier_exposure: int | None = Field(default=None, ge=0)
    not_a_digit: int | None = Field(default=None, ge=0, description="non-digit drawings trained as class 10")
    touching_pairs: int | None = Field(default=None, ge=0, description="two touching digits trained as class 10")
    init_from: str | None = None
    distillation: Distillation | None = None
    hyperparameters: dict[str, float] | None = Field(
        default=None, description="filters, dropout and augment_strength where they differ from the defaults"
    )
    seed: int | None = None
    train_images: int | None = Field(default=None, ge=0)
    validation_images: int | None = Field(default=None, ge=0)
    test_images: int | None = Field(default=None, ge=0)
    training_seconds: float | None = Field(default=None, ge=0)
    validation_accuracy: float | None = Field(default=None, ge=0, le=1)
    validation_loss: float | None = Field(default=None, ge=0)
    test_accuracy: float | None = Field(
        default=None, ge=0, le=1, description="the digit answered (most probable of 0-9) on the MNIST test set"
    )
    test_loss: float | None = Field(default=None, ge=0)
    history: dict[str, list[float]] | None = None
    stages: list[Stage] | None = None
    numbers: NumberReading | None = None
    # The model file and where it came from
    model_sha256: str | None = None
    model_bytes: int | None = Field(default=None, ge=0)
    source_model: str | None = None
    source_model_sha256: str | None = None
    source_model_bytes: int | None = Field(default=None, ge=0)
    # An ensemble (python -m digits.training.ensemble): its members, as files, sha256 and test accuracy
    members: list[str] | None = None
    members_sha256: list[str] | None = None
    members_test_accuracy: list[float] | None = None
    data_sha256: dict[str, str] | None = None
    versions: dict[str, str] | None = None
    machine: str | None = None
    date: str | None = None
    command: str | None = None
    # An export's agreement with its source on the MNIST test set (digits.evaluation.agreement)
    source_test_accuracy: float | None = Field(default=None, ge=0, le=1)
    accuracy_change: float | None = None
    same_digit_as_source: float | None = Field(default=None, ge=0, le=1)
    max_probability_difference: float | None = Field(default=None, ge=0)
    tta_variants: int | None = Field(default=None, ge=1)
    # Sections added by evaluation, the open-set calibration and latency
    evaluations: Evaluations | None = None
    open_set: OpenSet | None = None
    inference_ms: InferenceTiming | None = None
    finetune: FineTuning | None = None

    @field_validator("init_from", "command", "source_model")
    @classmethod
    def _no_machine_paths(cls, value: str | None) -> str | None:
        if value is not None and any(token.startswith("/") for token in value.split()):
            raise ValueError(f"holds an absolute path of the machine it was made on: {value!r}")
        return value

    @staticmethod
    def path_for(model_path: Path) -> Path:
        """The card beside a model file: ``models/cnn.keras`` -> ``models/cnn.json``."""
        return model_path.with_suffix(".json")

    @classmethod
    def load(cls, path: Path) -> ModelCard:
        """Read and validate the card at ``path`` (a ``.json`` file).

        Raises:
            FileNotFoundError: no such file.
            ModelCardError: not JSON, or not a valid card (the message names the file and field).
        """
        try:
            return cls.model_validate_json(path.read_bytes())
        except ValidationError as exc:
            raise ModelCardError(f"{path} is not a valid model card: {exc}") from exc

    @classmethod
    def for_model(cls, model_path: Path) -> ModelCard:
        """The card beside ``model_path``, or a minimal one named after the file when there is none.

        Raises:
            ModelCardError: the card exists but is not valid.
        """
        path = cls.path_for(model_path)
        if not path.is_file():
            return cls(name=model_path.stem, architecture=model_path.stem)
        return cls.load(path)

    def save(self, path: Path) -> Path:
        """Write the card as indented JSON (only the fields that were set); returns ``path``."""
        path.write_text(self.model_dump_json(indent=2, exclude_unset=True) + "\n")
        return path

    @classmethod
    def amend(cls, model_path: Path, **fields: Any) -> ModelCard:
        """Set ``fields`` in the card beside ``model_path`` (created if missing) and save it.

        Raises:
            ModelCardError: the existing card, or the result, is not valid.
        """
        try:
            card = cls.for_model(model_path).updated(**fields)
        except ValidationError as exc:
            raise ModelCardError(f"{cls.path_for(model_path)}: {exc}") from exc
        card.save(cls.path_for(model_path))
        return card

    def updated(self, **fields: Any) -> ModelCard:
        """A copy with ``fields`` set (validated), e.g. ``card.updated(evaluations=...)``."""
        return type(self).model_validate({**self.model_dump(exclude_unset=True), **fields})

    def public(self) -> dict[str, Any]:
        """The card as served by ``GET /models``: every field that was set, less the per-epoch history."""
        return self.model_dump(mode="json", exclude_unset=True, exclude={"history"})


def portable_path(path: Path | str) -> str:
    """A path as a card records it: relative to ``backend/`` when inside it, else the file name."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(BACKEND_DIR))
    except ValueError:
        return resolved.name


def portable_command(module: str, argv: list[str] | None = None) -> str:
    """``python -m <module> <args>`` with every absolute path made portable (:func:`portable_path`).

    ``argv`` defaults to this process's arguments (``sys.argv[1:]``).
    """
    args = sys.argv[1:] if argv is None else argv
    parts = []
    for arg in args:
        key, sep, value = arg.partition("=")
        if sep and value.startswith("/"):
            parts.append(f"{key}={portable_path(value)}")
        else:
            parts.append(portable_path(arg) if arg.startswith("/") else arg)
    return shlex.join(["python", "-m", module, *parts])
