"""Fine-tune the champion on feedback; promote the challenger only when it is measurably better.

Steps (:func:`run_finetune`):

1. read the export (:mod:`digits.finetune.records`) and split it by client and time
   (:mod:`digits.finetune.split`);
2. leave out training records whose label the champion finds implausible
   (:mod:`digits.finetune.noise`);
3. fine-tune a copy of the champion on the kept records, repeated so they make up
   ``feedback_share`` of each epoch, with replay of MNIST training images and of non-digit
   drawings (class 10) so it forgets nothing, and the training's augmentation
   (:mod:`digits.training.augmentation`: random affine, elastic distortion, thickening);
4. evaluate champion and challenger on the same data: MNIST test, optdigits-canvas, strokes,
   photos (the digit answered), the held-out non-digit sets (share refused, each model's verdict
   thresholds chosen on validation data by :func:`digits.evaluation.open_set.calibrate`) and the
   held-out feedback;
5. promote (:func:`decide`) only if the challenger's MNIST accuracy is at least the champion's
   minus ``mnist_tolerance`` (0.05 points) and it is better on the held-out feedback: its files
   (``cnn.keras``, the LiteRT exports, the cards) are copied into ``models_dir``, the previous
   ones kept in the run's folder, and MLflow's ``champion`` alias moves to it.

Every run writes its challenger, card and exports under ``work_dir/<time>/`` and is an MLflow run
(:mod:`digits.training.tracking`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from digits.cards import Evaluations, FineTuning, ModelCard, OpenSet, portable_command, portable_path
from digits.data.mnist import load_mnist
from digits.engines.base import Engine
from digits.evaluation.open_set import VALIDATION_SEED, VALIDATION_SIZE, OpenSetData
from digits.finetune.noise import DEFAULT_MIN_LABEL_PROBABILITY, agreement_filter
from digits.finetune.records import FeedbackRecord, read_jsonl
from digits.finetune.split import FeedbackSplit, split_feedback
from digits.preprocessing import EmptyImageError, preprocess_bytes, preprocess_mnist
from digits.settings import BACKEND_DIR, DataSettings
from digits.verdict import NOT_A_DIGIT_CLASS

FEEDBACK_TEST = "feedback-test"
"""The score name of the held-out feedback."""
DEFAULT_WORK_DIR = BACKEND_DIR / "data" / "finetune"
SERVED_FILES = ("cnn.keras", "cnn_litert.tflite", "cnn_litert_dynamic.tflite", "cnn_litert_int8.tflite")
"""The champion's files in the models directory (:data:`digits.engines.registry.MODEL_SPECS`)."""


@dataclass
class FinetuneConfig:
    """One fine-tune.

    Attributes:
        feedback: the export (JSONL, :mod:`digits.finetune.records`).
        champion: the served ``.keras`` model fine-tuned from and compared with.
        models_dir: where a promoted challenger goes (env ``MODELS_DIR``); tests and experiments
            pass a temporary folder, never the committed ``backend/models``.
        work_dir: each run's challenger, card and exports go to ``work_dir/<UTC time>/``.
        mnist_dir: the MNIST IDX files (replay and validation).
        epochs: passes over the training data.
        batch_size: images per step.
        learning_rate: Adam's learning rate (constant).
        replay_mnist: MNIST training images replayed (from the 55,000 outside the validation split).
        replay_not_a_digit: non-digit drawings (training split) replayed as class 10.
        feedback_share: the share of each epoch's images that are feedback (kept records repeated).
        label_filter: ``agreement`` or ``none`` (:mod:`digits.finetune.noise`).
        min_label_probability: the agreement filter's threshold.
        mnist_tolerance: the challenger may score this much (a fraction: 0.0005 = 0.05 points) below
            the champion on MNIST test and still be promoted.
        validation_fraction, test_fraction, min_clients: the split (:func:`split_feedback`).
        eval_count: images per stroke, photo and non-digit evaluation set.
        seed: seeds replay, augmentation and weights' updates.
        promote: copy a better challenger into ``models_dir``.
        export: export the challenger to LiteRT (both quantizations).
        track: log the run to MLflow.
        augment: apply the training augmentation.
        freeze_batch_norm: keep the batch normalization layers in inference mode, with the
            champion's statistics (as Keras' fine-tuning guide advises). Off by default: the
            feedback loop learnt less with it (``python -m digits.finetune.loop
            --freeze-batch-norm``, README "The loop, measured") and MNIST moved as much; letting the
            statistics follow the new drawings is itself a domain adaptation (Li et al., "Revisiting
            batch normalization for practical domain adaptation", 2016).
        verbose: Keras verbosity.
        command: the command line, for the card.
    """

    feedback: Path
    champion: Path = field(default_factory=lambda: DataSettings().model_path)
    models_dir: Path = field(default_factory=lambda: DataSettings().models_dir)
    work_dir: Path = DEFAULT_WORK_DIR
    mnist_dir: Path = field(default_factory=lambda: DataSettings().mnist_dir)
    epochs: int = 3
    batch_size: int = 128
    learning_rate: float = 1e-4
    replay_mnist: int = 12_000
    replay_not_a_digit: int = 1_500
    feedback_share: float = 0.2
    label_filter: Literal["agreement", "none"] = "agreement"
    min_label_probability: float = DEFAULT_MIN_LABEL_PROBABILITY
    mnist_tolerance: float = 0.0005
    validation_fraction: float = 0.15
    test_fraction: float = 0.25
    min_clients: int = 5
    eval_count: int = 1000
    seed: int = 0
    promote: bool = True
    export: bool = True
    track: bool = True
    augment: bool = True
    freeze_batch_norm: bool = False
    verbose: int = 2
    command: str | None = None


@dataclass(frozen=True)
class ReplayData:
    """What the fine-tune replays and validates on besides the feedback.

    Attributes:
        x: (N, 28, 28, 1) float32 replayed images: MNIST training digits then non-digit drawings.
        targets: (N,) int64 class indices (10 = not a digit).
        x_val: (M, 28, 28, 1) float32 MNIST validation digits.
        y_val: (M,) int64.
        mnist_images: how many of ``x`` are MNIST digits (the rest are non-digits).
    """

    x: NDArray[np.float32]
    targets: NDArray[np.int64]
    x_val: NDArray[np.float32]
    y_val: NDArray[np.int64]
    mnist_images: int


@dataclass(frozen=True)
class FinetuneResult:
    """What a fine-tune made and decided.

    Attributes:
        challenger: the challenger's ``.keras`` file (in the run folder).
        card: its card (with the ``finetune`` section).
        promoted: whether it replaced the champion in ``models_dir``.
        reason: why, in words.
        scores: ``champion``/``challenger`` -> set -> score (:attr:`digits.cards.FineTuning.scores`).
        split: the feedback split.
        kept: ids of the training records fine-tuned on (after the label filter).
        run_id: the MLflow run id, or None when not tracked.
    """

    challenger: Path
    card: ModelCard
    promoted: bool
    reason: str
    scores: dict[str, dict[str, float]]
    split: FeedbackSplit
    kept: frozenset[str]
    run_id: str | None


def _inputs(records: Sequence[FeedbackRecord]) -> NDArray[np.float32]:
    if not records:
        return np.zeros((0, 28, 28, 1), np.float32)
    return np.stack([r.image for r in records])[..., None].astype(np.float32)


def _targets(records: Sequence[FeedbackRecord]) -> NDArray[np.int64]:
    return np.asarray([r.target for r in records], dtype=np.int64)


def replay_data(
    mnist_dir: Path,
    replay_mnist: int,
    replay_not_a_digit: int,
    seed: int,
    validation: int = 2000,
    exclude: NDArray[np.int64] | None = None,
) -> ReplayData:
    """MNIST training digits and non-digit drawings to replay, and MNIST validation digits.

    The digits come from the 55,000 training images outside the validation split (the seed-42
    permutation training uses); the validation digits are the first ``validation`` of that split.
    The non-digit drawings are :func:`digits.data.negatives.negative_drawings` of the training
    split (their Omniglot characters and fonts are never in the held-out sets). ``exclude``: indices
    of MNIST training images never to replay (e.g. the source digits of the feedback).

    Raises:
        digits.data.mnist.MnistError: the MNIST files are missing or corrupt.
    """
    data = load_mnist(mnist_dir)
    order = np.random.default_rng(VALIDATION_SEED).permutation(len(data.x_train))
    train_part = order[VALIDATION_SIZE:]
    if exclude is not None:
        train_part = train_part[~np.isin(train_part, exclude)]
    rng = np.random.default_rng(seed)
    pick = rng.choice(train_part, size=min(replay_mnist, len(train_part)), replace=False)
    x = preprocess_mnist(data.x_train[pick])[..., None]
    targets = data.y_train[pick].astype(np.int64)
    if replay_not_a_digit > 0:
        from digits.data.negatives import negative_drawings

        _, drawings = negative_drawings(
            replay_not_a_digit, seed=seed + 2000, split="train", mnist_images=data.x_train[train_part[:5000]]
        )
        drawn = []
        for png in drawings:
            with contextlib.suppress(EmptyImageError):
                drawn.append(preprocess_bytes(png).image)
        if drawn:
            x = np.concatenate([x, np.stack(drawn)[..., None]])
            targets = np.concatenate([targets, np.full(len(drawn), NOT_A_DIGIT_CLASS, np.int64)])
    val = order[: min(validation, VALIDATION_SIZE)]
    return ReplayData(
        x=x.astype(np.float32),
        targets=targets,
        x_val=preprocess_mnist(data.x_train[val])[..., None].astype(np.float32),
        y_val=data.y_train[val].astype(np.int64),
        mnist_images=len(pick),
    )


def decide(champion: dict[str, float], challenger: dict[str, float], mnist_tolerance: float) -> tuple[bool, str]:
    """The promotion rule: MNIST no worse than the champion's minus ``mnist_tolerance`` and
    strictly better on the held-out feedback (:data:`FEEDBACK_TEST`).

    Args:
        champion, challenger: set -> accuracy in [0, 1]; both need ``mnist`` (and
            :data:`FEEDBACK_TEST` for a promotion).
        mnist_tolerance: a fraction (0.0005 = 0.05 points).

    Returns:
        (promote, reason in words).
    """
    if FEEDBACK_TEST not in challenger or FEEDBACK_TEST not in champion:
        return False, "no held-out feedback to compare on"
    mnist_floor = champion["mnist"] - mnist_tolerance
    if challenger["mnist"] < mnist_floor - 1e-12:
        return False, (
            f"MNIST {challenger['mnist']:.2%} is below the champion's {champion['mnist']:.2%} "
            f"minus {mnist_tolerance * 100:.2f} points"
        )
    if challenger[FEEDBACK_TEST] <= champion[FEEDBACK_TEST]:
        return False, (
            f"held-out feedback {challenger[FEEDBACK_TEST]:.2%} is not better than the champion's "
            f"{champion[FEEDBACK_TEST]:.2%}"
        )
    return True, (
        f"held-out feedback {champion[FEEDBACK_TEST]:.2%} -> {challenger[FEEDBACK_TEST]:.2%}, "
        f"MNIST {champion['mnist']:.2%} -> {challenger['mnist']:.2%} (floor {mnist_floor:.2%})"
    )


def predict(model: Any, x: NDArray[np.float32], batch_size: int = 500) -> NDArray[np.float32]:
    """(N, 28, 28, 1) -> (N, C) probabilities of a Keras model, in inference mode."""
    if len(x) == 0:
        return np.zeros((0, int(model.output_shape[-1])), np.float32)
    parts = [np.asarray(model(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    return np.concatenate(parts).astype(np.float32)


def evaluate_feedback(engine: Engine, x: NDArray[np.float32], targets: NDArray[np.int64]) -> dict[str, float]:
    """``{FEEDBACK_TEST: accuracy}`` of a model on held-out feedback (the most probable class against
    the label, 10 = not a digit), or ``{}`` when there is none."""
    if len(x) == 0:
        return {}
    from digits.engines.base import predict_batched

    probabilities = predict_batched(engine.predict_proba, x)
    return {FEEDBACK_TEST: round(float((probabilities.argmax(axis=1) == targets).mean()), 5)}


def evaluate(
    engine: Engine, data: OpenSetData, feedback_x: NDArray[np.float32], feedback_t: NDArray[np.int64], command: str
) -> tuple[dict[str, float], OpenSet]:
    """Score one model: every digit set of ``data`` (the digit answered), the non-digit sets (share
    refused at thresholds chosen on ``data``'s validation part), and the held-out feedback (the most
    probable class against the label; absent when there is none).

    Returns:
        (set -> score in [0, 1], the :class:`digits.cards.OpenSet` chosen).
    """
    from digits.evaluation.metrics import score
    from digits.evaluation.open_set import calibrate

    scores = {
        name: round(score(engine.predict_proba, x, data.digit_labels[name]), 5)
        for name, x in data.digit_sets.items()
        if name in data.digit_labels
    }
    open_set = calibrate(engine, data, 0.01, 0.01, command)
    scores.update({k: v for k, v in open_set.refused.items() if k.startswith("not-digits-")})
    return {**scores, **evaluate_feedback(engine, feedback_x, feedback_t)}, open_set


def fit(
    champion: Path,
    x: NDArray[np.float32],
    targets: NDArray[np.int64],
    x_val: NDArray[np.float32],
    t_val: NDArray[np.int64],
    config: FinetuneConfig,
    output: Path,
    callbacks: Sequence[Any] = (),
) -> dict[str, list[float]]:
    """Fine-tune a copy of ``champion`` on (``x``, ``targets``) with the training augmentation
    (batch normalization frozen with ``config.freeze_batch_norm``); save the epoch with the lowest
    validation loss to ``output``. Returns the per-epoch history."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    from digits.training.augmentation import (
        AugmentationConfig,
        DrawingAugmentationConfig,
        drawing_augment,
        random_affine,
    )

    keras.utils.set_random_seed(config.seed)
    model = keras.models.load_model(champion, compile=False)
    for layer in model.layers:
        if config.freeze_batch_norm and isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False  # inference mode: the champion's statistics, never updated
    classes = int(model.output_shape[-1])
    eye = np.eye(classes, dtype=np.float32)
    ds = tf.data.Dataset.from_tensor_slices((x, eye[targets]))
    ds = ds.shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True).batch(config.batch_size)
    if config.augment:
        drawing, affine = DrawingAugmentationConfig(), AugmentationConfig()
        ds = ds.map(
            lambda a, b: (drawing_augment(a, drawing, seed=config.seed), b), num_parallel_calls=tf.data.AUTOTUNE
        )
        ds = ds.map(lambda a, b: (random_affine(a, affine, seed=config.seed), b), num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.prefetch(tf.data.AUTOTUNE)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    checkpoint = output.with_suffix(".best.keras")
    history = model.fit(
        ds,
        validation_data=(x_val, eye[t_val]),
        epochs=config.epochs,
        callbacks=[
            keras.callbacks.ModelCheckpoint(checkpoint, monitor="val_loss", save_best_only=True),
            *callbacks,
        ],
        verbose=config.verbose,
    )
    best = keras.models.load_model(checkpoint) if checkpoint.exists() else model
    for layer in best.layers:  # the saved model trains as any other when it is fine-tuned again
        layer.trainable = True
    best.save(output)
    checkpoint.unlink(missing_ok=True)
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def run_finetune(
    config: FinetuneConfig,
    evaluation: OpenSetData | None = None,
    replay: ReplayData | None = None,
    records: Sequence[FeedbackRecord] | None = None,
    log: Callable[[str], None] = print,
    champion_cache: dict[str, dict[str, float]] | None = None,
) -> FinetuneResult:
    """Fine-tune, evaluate, decide, export and (maybe) promote (see the module).

    Args:
        config: the run.
        evaluation: the evaluation data; built with :func:`digits.evaluation.open_set.build_data`
            (``config.eval_count`` per drawn set) when None. Passed in to share one build between runs.
        replay: the replay data (:func:`replay_data`) when already built.
        records: the feedback when already read (else ``config.feedback`` is read).
        champion_cache: the champion's scores on ``evaluation`` from an earlier run with the same
            champion and evaluation data (filled in by this run when empty); only its held-out
            feedback score is computed again.
        log: receives progress lines.

    Raises:
        FileNotFoundError: the export or the champion is missing.
        digits.finetune.records.FeedbackFormatError: a line of the export is not a record.
        ValueError: no training record is left after the split and the filter.
    """
    from digits.engines.keras_engine import KerasEngine
    from digits.evaluation.open_set import build_data
    from digits.training import tracking

    started = time.perf_counter()
    if not config.champion.is_file():
        raise FileNotFoundError(f"champion {config.champion} not found")
    feedback = list(records) if records is not None else read_jsonl(config.feedback)
    split = split_feedback(feedback, config.validation_fraction, config.test_fraction, config.min_clients)
    log(f"feedback: {len(feedback)} records, split by {split.by}: {split.sizes()}")

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    champion_model = keras.models.load_model(config.champion, compile=False)
    classes = int(champion_model.output_shape[-1])
    usable = [r for r in split.train if r.target < classes]
    x_train, t_train = _inputs(usable), _targets(usable)
    if config.label_filter == "agreement" and len(usable):
        result = agreement_filter(predict(champion_model, x_train), t_train, config.min_label_probability)
        keep = result.keep
    else:
        keep = np.ones(len(usable), dtype=bool)
    kept = [r for r, k in zip(usable, keep, strict=True) if k]
    if not kept:
        raise ValueError("no feedback left to fine-tune on after the split and the label filter")
    log(f"label filter ({config.label_filter}): kept {len(kept)} of {len(usable)} training records")

    if replay is None:
        replay = replay_data(config.mnist_dir, config.replay_mnist, config.replay_not_a_digit, config.seed)
    share = min(max(config.feedback_share, 0.0), 0.9)
    repeat = max(1, round(share * len(replay.x) / ((1 - share) * len(kept))))
    x = np.concatenate([replay.x, np.repeat(_inputs(kept), repeat, axis=0)])
    t = np.concatenate([replay.targets, np.repeat(_targets(kept), repeat)])
    val_records = [r for r in split.validation if r.target < classes]
    x_val = np.concatenate([replay.x_val, _inputs(val_records)])
    t_val = np.concatenate([replay.y_val, _targets(val_records)])

    run_dir = config.work_dir / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    run_dir.mkdir(parents=True, exist_ok=True)
    challenger = run_dir / config.champion.name
    params = {
        "feedback": config.feedback,
        "champion": config.champion,
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "learning_rate": config.learning_rate,
        "replay_mnist": replay.mnist_images,
        "replay_not_a_digit": len(replay.x) - replay.mnist_images,
        "feedback_share": share,
        "feedback_repeat": repeat,
        "label_filter": config.label_filter,
        "freeze_batch_norm": config.freeze_batch_norm,
        "min_label_probability": config.min_label_probability,
        "mnist_tolerance": config.mnist_tolerance,
        "seed": config.seed,
        "records": split.sizes(),
        "kept": len(kept),
    }
    run_context = tracking.start_run("finetune", run_name=run_dir.name, params=params) if config.track else None
    with run_context if run_context is not None else contextlib.nullcontext() as run_id:
        callbacks = [tracking.epoch_logger()] if config.track else []
        log(f"fine-tuning on {len(x)} images ({len(kept)} feedback x {repeat}) for {config.epochs} epochs")
        history = fit(config.champion, x, t, x_val, t_val, config, challenger, callbacks)
        training_seconds = time.perf_counter() - started

        if evaluation is None:
            log(f"building the evaluation sets ({config.eval_count} per drawn set)")
            evaluation = build_data(config.eval_count)
        test_records = [r for r in split.test if r.target < classes]
        fx, ft = _inputs(test_records), _targets(test_records)
        command = config.command or portable_command("digits.finetune", [])
        if champion_cache:
            champion_scores = {**champion_cache["scores"], **evaluate_feedback(KerasEngine(config.champion), fx, ft)}
        else:
            champion_scores, _ = evaluate(KerasEngine(config.champion), evaluation, fx, ft, command)
            if champion_cache is not None:
                champion_cache["scores"] = {k: v for k, v in champion_scores.items() if k != FEEDBACK_TEST}
        challenger_scores, open_set = evaluate(KerasEngine(challenger), evaluation, fx, ft, command)
        scores = {"champion": champion_scores, "challenger": challenger_scores}
        promoted, reason = decide(champion_scores, challenger_scores, config.mnist_tolerance)
        log(f"{'promote' if promoted else 'keep the champion'}: {reason}")

        card = _card(
            config,
            challenger,
            history,
            training_seconds,
            scores,
            open_set,
            split,
            kept,
            usable,
            repeat,
            replay,
            promoted,
            reason,
            run_id,
        )
        card.save(ModelCard.path_for(challenger))
        files = [challenger]
        if config.export or (promoted and config.promote):  # a promoted model is served by its LiteRT export
            from digits.engines.litert_engine import LiteRTEngine
            from digits.training.export_litert import REPRESENTATIVE_IMAGES, export_with_cards

            x_test = evaluation.digit_sets["mnist"]
            # The int8 export is calibrated on replayed MNIST *training* digits, as make train's is.
            representative = replay.x[: min(REPRESENTATIVE_IMAGES, replay.mnist_images)]
            exports = export_with_cards(challenger, x_test, evaluation.digit_labels["mnist"], command, representative)
            for exported in exports:
                # Each export is served with its own card: its own verdict thresholds and figures.
                path = run_dir / f"{exported.name}.tflite"
                sets, thresholds = evaluate(LiteRTEngine(path), evaluation, fx, ft, command)
                digit_sets = {k: v for k, v in sets.items() if not k.startswith("not-digits-")}
                ModelCard.amend(path, open_set=thresholds, evaluations=Evaluations(sets=digit_sets, command=command))
            files = [run_dir / name for name in SERVED_FILES if (run_dir / name).is_file()]
        if promoted and config.promote:
            _promote(files, config.models_dir, run_dir / "previous")
            log(f"promoted into {config.models_dir}")
        if run_id is not None:
            tracking.log_model(files, card)
            import mlflow

            mlflow.log_metrics({f"champion.{k}": v for k, v in champion_scores.items()})
            mlflow.set_tag("promoted", str(promoted))
            tracking.register(run_id, alias=tracking.CHAMPION if promoted and config.promote else None)
    return FinetuneResult(challenger, card, promoted, reason, scores, split, frozenset(r.id for r in kept), run_id)


def _card(
    config: FinetuneConfig,
    challenger: Path,
    history: dict[str, list[float]],
    training_seconds: float,
    scores: dict[str, dict[str, float]],
    open_set: OpenSet,
    split: FeedbackSplit,
    kept: list[FeedbackRecord],
    usable: list[FeedbackRecord],
    repeat: int,
    replay: ReplayData,
    promoted: bool,
    reason: str,
    run_id: str | None,
) -> ModelCard:
    """The challenger's card: the champion's story (:func:`digits.training.train.continue_stages`)
    followed by this fine-tune, its evaluations, verdict thresholds and the ``finetune`` section."""
    import keras
    import tensorflow as tf

    from digits.engines.base import model_version
    from digits.training.train import continue_stages, sha256_file

    champion_card = ModelCard.for_model(config.champion)
    model = keras.models.load_model(challenger, compile=False)
    challenger_scores = scores["challenger"]
    command = config.command or portable_command("digits.finetune", [])
    card = ModelCard(
        name=challenger.stem,
        architecture=champion_card.architecture,
        parameters=int(model.count_params()),
        classes=int(model.output_shape[-1]),
        input=champion_card.input,
        output=champion_card.output,
        epochs=len(history.get("loss", [])),
        best_epoch=int(np.argmin(history["val_loss"])) + 1 if history.get("val_loss") else None,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        optimizer="Adam",
        callbacks=["ModelCheckpoint"],
        init_from=portable_path(config.champion),
        seed=config.seed,
        train_images=len(replay.x) + repeat * len(kept),
        validation_images=len(replay.x_val) + len(split.validation),
        test_images=len(split.test),
        training_seconds=round(training_seconds, 1),
        test_accuracy=challenger_scores.get("mnist"),
        model_sha256=sha256_file(challenger),
        model_bytes=challenger.stat().st_size,
        versions={"tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__},
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        command=command,
        history=history,
        evaluations=Evaluations(
            sets={k: v for k, v in challenger_scores.items() if not k.startswith("not-digits-")}, command=command
        ),
        open_set=open_set,
        finetune=FineTuning(
            feedback=portable_path(config.feedback),
            feedback_sha256=sha256_file(config.feedback) if config.feedback.is_file() else "",
            split_by="client" if split.by == "client" else "time",
            records=split.sizes(),
            label_filter=config.label_filter,
            min_label_probability=config.min_label_probability if config.label_filter == "agreement" else None,
            filtered_out=len(usable) - len(kept),
            feedback_repeat=repeat,
            replay_mnist=replay.mnist_images,
            replay_not_a_digit=len(replay.x) - replay.mnist_images,
            champion=f"{model_version(config.champion, champion_card)} ({portable_path(config.champion)})",
            scores=scores,
            mnist_tolerance=config.mnist_tolerance,
            promoted=promoted,
            reason=reason,
            mlflow_run_id=run_id,
        ),
    )
    if champion_card.history:
        card = continue_stages(champion_card, card)
    return card


def _promote(files: Sequence[Path], models_dir: Path, backup: Path) -> None:
    """Copy the challenger's files and cards into ``models_dir``; the files they replace go to ``backup``.

    Each file is copied beside its destination and renamed over it (an atomic replace), so a
    reload never reads half a file.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    for source in files:
        for path in (source, ModelCard.path_for(source)):
            if not path.is_file():
                continue
            target = models_dir / path.name
            if target.is_file():
                backup.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target, backup / path.name)
            partial = target.with_name(f".{target.name}.partial")
            shutil.copy2(path, partial)
            partial.replace(target)
