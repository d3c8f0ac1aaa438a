"""Train a digit classifier on MNIST and write the model plus its JSON model card.

Usage::

    python -m digits.training.train --help
    python -m digits.training.train --epochs 20 --output models/cnn.keras

The validation split is carved from the 60,000 training images; the 10,000 test images are
only evaluated once, at the end, and never used to choose anything.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from digits.cards import Distillation, ModelCard, Stage, portable_command, portable_path
from digits.data.mnist import load_mnist
from digits.preprocessing import preprocess_mnist
from digits.settings import DataSettings
from digits.training.architectures import NUM_CLASSES
from digits.training.distill import STUDENT_LOSS_WEIGHT, TEMPERATURE
from digits.training.distribute import STRATEGIES, make_strategy
from digits.verdict import digit_probabilities


@dataclass
class TrainConfig:
    """Hyperparameters and paths of one training run.

    Attributes:
        mnist_dir: directory with the MNIST IDX files.
        output: path of the ``.keras`` model; the card is written beside it as ``.json``.
        architecture: key of ``digits.training.architectures.ARCHITECTURES``.
        epochs: maximum number of epochs (EarlyStopping may stop sooner).
        batch_size: images per gradient step.
        learning_rate: Adam's initial learning rate.
        lr_decay: per-epoch multiplicative learning-rate decay (on top of ReduceLROnPlateau);
            with ``schedule="exponential"`` only.
        schedule: ``"exponential"``: ``learning_rate`` decayed by ``lr_decay`` every epoch and
            halved when the validation loss stalls for 2 epochs; ``"one-cycle"``: per step, a linear
            warm-up from ``learning_rate / 25`` to ``learning_rate`` over the first
            :data:`WARMUP_SHARE` of the steps, then a cosine decay to ``learning_rate / 1e4``
            (Keras' ``CosineDecay``; the one-cycle policy of Smith and Topin, "Super-Convergence",
            2019), for a fixed number of epochs.
        mixed_precision: compute in bfloat16 with float32 weights (Keras' ``mixed_bfloat16``
            policy; the output layer stays float32, as the Keras mixed-precision guide advises), then
            save the same weights as a float32 model, so serving and export are unchanged. Only
            for a model built here (not ``init_from`` or ``teacher``). Fast where the CPU has
            bfloat16 instructions (AVX512-BF16, AMX); slower where it must emulate them.
        validation_size: images held out of the 60,000 for validation.
        seed: seeds NumPy, Python and TensorFlow; the split and augmentation depend on it.
        split_seed: seeds the validation split alone when set, so models trained with different
            ``seed`` (an ensemble's members) hold out the same validation images as the served
            model, on which the verdict thresholds are chosen; ``None``: ``seed``.
        augment: whether to apply random affine augmentation.
        drawing_augment: whether to add elastic distortion, stroke thickening and low
            resolution (:class:`digits.training.augmentation.DrawingAugmentationConfig`).
        stroke_mix: how many training images to add re-drawn from their skeleton with a
            round brush of random width (6-32 px on a 280 px canvas), through the service's
            preprocessing (:func:`stroke_renderings`); 0 for none.
        font_digits: how many digits of the Hershey fonts' training split to add, redrawn by a
            wobbly hand with a round brush (:func:`digits.data.hershey.digit_set`): styles MNIST's
            writers seldom use (a 1 with a flag and a foot, a closed 4, a barred 7); 0 for none.
        outlier_exposure: how many non-digit drawings (:mod:`digits.data.negatives`) to add with a
            uniform target, so the model's confidence on such input drops (Hendrycks et al.,
            ICLR 2019); 0 for none.
        not_a_digit: how many real non-digit drawings (:func:`digits.data.negatives.negative_drawings`,
            training split: held-out Omniglot characters and fonts are never used) to add as an 11th
            class, "not a digit"; a tenth as many from the validation split join the validation
            data. 0 for a 10-class model.
        touching_pairs: how many two-digit numbers written touching
            (:func:`digits.numbers.synthetic.touching_pairs`; half MNIST pixels, half re-drawn as pen
            strokes, from training digits only) to add to the "not a digit" class, so the number
            reader cuts touching digits that would read as one (needs ``not_a_digit``); a tenth as
            many from validation digits join the validation data.
        init_from: start from this trained ``.keras`` model (fine-tuning) instead of new weights.
        teacher: distil this trained ``.keras`` model into the one trained here
            (:mod:`digits.training.distill`); it must have the same classes.
        temperature: the distillation's temperature (with ``teacher``).
        student_loss_weight: weight of the labels' loss in the distillation, in [0, 1] (with ``teacher``).
        filters: the CNNs' first-block filters (doubled in each later block); ``None``: the
            architecture's default (:data:`digits.training.architectures.TUNABLE`).
        dropout: the CNNs' dropout before the output layer; ``None``: the default (0.5).
        augment_strength: scales every augmentation range and probability (1.0 = the defaults of
            :class:`AugmentationConfig` and :class:`DrawingAugmentationConfig`; 0 = none).
        evaluate_test: evaluate the test set once at the end (``False`` for hyperparameter search,
            which must choose on validation only: the card then has no test figures).
        cache_dir: where the deterministic part of the data (preprocessed MNIST, stroke
            renderings, non-digit drawings) is kept between runs and stages (:class:`DataCache`);
            ``None`` computes everything every time.
        subset: if set, train on only this many images (smoke tests).
        distribute: ``tf.distribute`` strategy, one of :data:`digits.training.distribute.STRATEGIES`
            (``batch_size`` is then the global batch, split across the replicas).
        cpu_devices: split the CPU into this many logical devices (to run ``mirrored`` on a
            machine without GPUs, as the tests do).
        verbose: Keras verbosity (1 = a progress bar per epoch).
        command: the command line that ran it, for the card (:func:`digits.cards.portable_command`).
        callbacks: more Keras callbacks for ``fit`` (``main`` adds MLflow's epoch logger,
            :mod:`digits.training.tracking`; a search adds its pruning callback).
    """

    mnist_dir: Path = field(default_factory=lambda: DataSettings().mnist_dir)
    output: Path = field(default_factory=lambda: DataSettings().model_path)
    architecture: str = "enhanced_cnn"
    epochs: int = 14
    batch_size: int = 128
    learning_rate: float = 1e-3
    lr_decay: float = 0.9
    schedule: str = "exponential"
    mixed_precision: bool = False
    validation_size: int = 5000
    seed: int = 42
    split_seed: int | None = None
    augment: bool = True
    drawing_augment: bool = True
    stroke_mix: int = 15_000
    font_digits: int = 0
    outlier_exposure: int = 0
    not_a_digit: int = 0
    touching_pairs: int = 0
    init_from: Path | None = None
    teacher: Path | None = None
    temperature: float = TEMPERATURE
    student_loss_weight: float = STUDENT_LOSS_WEIGHT
    filters: int | None = None
    dropout: float | None = None
    augment_strength: float = 1.0
    evaluate_test: bool = True
    cache_dir: Path | None = None
    subset: int | None = None
    distribute: str = "none"
    cpu_devices: int = 1
    verbose: int = 1
    command: str | None = None
    callbacks: list[Any] = field(default_factory=list)


SCHEDULES = ("exponential", "one-cycle")
WARMUP_SHARE = 0.3
"""Share of a one-cycle run's steps spent warming up (Smith and Topin's 0.3, also PyTorch's
``OneCycleLR`` default)."""


def learning_rate_schedule(config: TrainConfig, train_images: int) -> Any:
    """Adam's learning rate: ``config.learning_rate`` (a float, changed per epoch by callbacks) for
    the ``exponential`` schedule, a ``keras.optimizers.schedules.CosineDecay`` with warm-up for
    ``one-cycle`` (:class:`TrainConfig`'s ``schedule``).

    Raises:
        ValueError: an unknown schedule.
    """
    if config.schedule == "exponential":
        return config.learning_rate
    if config.schedule != "one-cycle":
        raise ValueError(f"unknown schedule {config.schedule!r}; choose from {SCHEDULES}")
    import keras

    steps = config.epochs * -(-train_images // config.batch_size)
    warmup = max(1, int(WARMUP_SHARE * steps))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=config.learning_rate / 25.0,
        decay_steps=max(1, steps - warmup),
        alpha=1e-4,
        warmup_target=config.learning_rate,
        warmup_steps=warmup,
    )


def _mixed_bfloat16(build: Any) -> Any:
    """``build()`` under Keras' ``mixed_bfloat16`` policy, its ``probabilities`` layer rebuilt in
    float32 (the softmax and the loss stay in full precision); the global policy is restored."""
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        model = build()
    finally:
        keras.config.set_dtype_policy(previous)
    head = model.get_layer("probabilities")
    output = keras.layers.Dense(head.units, activation=head.activation, name="probabilities", dtype="float32")(
        head.input
    )
    return keras.Model(model.inputs, output, name=model.name)


def float32_copy(trained: Any, build: Any) -> Any:
    """A float32 model from ``build()`` holding ``trained``'s weights (float32 variables under any
    policy), e.g. of a model trained under ``mixed_bfloat16`` (:func:`_mixed_bfloat16`)."""
    model = build()
    model.set_weights(trained.get_weights())
    return model


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "training"
"""The default :attr:`TrainConfig.cache_dir` of the command line (git-ignored)."""

CACHE_SOURCES = (
    "preprocessing.py",
    "data/rendering.py",
    "data/negatives.py",
    "data/omniglot.py",
    "data/hershey.py",
    "training/train.py",
)
"""The code the cached arrays depend on (under ``digits/``): editing any of it invalidates the cache."""


@dataclass
class DataCache:
    """Arrays that depend only on the data, the seed and the code, kept as ``.npy`` files.

    The key of an entry hashes its name, ``parts`` (sizes), the MNIST files' sha256, the seed and
    the source of :data:`CACHE_SOURCES`, so a changed input or changed code computes afresh.
    ``directory=None`` caches nothing.
    """

    directory: Path | None
    data_sha256: dict[str, str]
    seed: int | str

    def get(self, name: str, parts: tuple[int, ...], compute: Any) -> NDArray[np.float32]:
        """The cached array ``name`` for ``parts``, or ``compute()`` (then stored)."""
        if self.directory is None:
            return np.asarray(compute(), dtype=np.float32)
        digest = hashlib.sha256(json.dumps([name, parts, self.data_sha256, self.seed]).encode())
        root = Path(__file__).resolve().parents[1]
        for source in CACHE_SOURCES:
            digest.update((root / source).read_bytes())
        path = self.directory / f"{name}-{digest.hexdigest()[:16]}.npy"
        if path.is_file():
            return np.asarray(np.load(path), dtype=np.float32)
        array = np.asarray(compute(), dtype=np.float32)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, array)
        tmp.replace(path)  # atomic: a killed run leaves no half-written entry
        return array


def split_order(rng: np.random.Generator, count: int, split_seed: int | None = None) -> NDArray[np.int64]:
    """The order of the ``count`` training images; the first ``validation_size`` are held out.

    Args:
        rng: the run's generator, seeded with ``seed``; one permutation is always drawn from it,
            so what it draws next is the same whatever ``split_seed`` is.
        count: images in the training file (60,000 for MNIST).
        split_seed: seeds the order alone when set (an ensemble member trained with another
            ``seed`` holds out the served model's validation images); ``None``: ``rng``'s.

    Returns:
        ``(count,)`` int64, a permutation of ``range(count)``.
    """
    order = rng.permutation(count)
    return order if split_seed is None else np.random.default_rng(split_seed).permutation(count)


def _render_strokes(args: tuple[NDArray[np.uint8], int]) -> NDArray[np.float32]:
    from digits.data.rendering import CanvasStyle, draw_strokes, random_style, skeleton_points
    from digits.preprocessing import EmptyImageError, preprocess_bytes

    images, seed = args
    rng = np.random.default_rng(seed)
    out = np.zeros(images.shape, dtype=np.float32)
    for i, image in enumerate(images):
        width = float(rng.uniform(6, 32))
        style = random_style(rng)
        size = max(style.digit_size, min(style.canvas_size, int(width * 7)))
        style = CanvasStyle(
            digit_size=size,
            left=min(style.left, style.canvas_size - size),
            top=min(style.top, style.canvas_size - size),
            dark_ink=style.dark_ink,
        )
        with contextlib.suppress(EmptyImageError):
            out[i] = preprocess_bytes(draw_strokes(skeleton_points(image), width, style)).image
    return out


def _preprocess_drawings(drawings: list[bytes]) -> NDArray[np.float32]:
    """Encoded drawings -> (N, 28, 28, 1) float32 model inputs, leaving out any with no ink."""
    from digits.preprocessing import EmptyImageError, preprocess_bytes

    inputs = []
    for data in drawings:
        with contextlib.suppress(EmptyImageError):
            inputs.append(preprocess_bytes(data).image)
    return np.stack(inputs)[..., None] if inputs else np.zeros((0, 28, 28, 1), np.float32)


def font_digit_inputs(count: int, seed: int) -> NDArray[np.float32]:
    """``count`` digits of the Hershey fonts' training split (:func:`digits.data.hershey.digit_set`)
    as model inputs, through the service's preprocessing; their digits cycle 0-9 (``i % 10``).

    Returns:
        (count, 28, 28, 1) float32 in [0, 1].

    Raises:
        digits.preprocessing.EmptyImageError: a drawing has no ink (never expected: every glyph has
            strokes, and dropping it would shift the digits after it).
    """
    from digits.data.hershey import digit_set
    from digits.preprocessing import preprocess_bytes

    _, drawings = digit_set("train", count, seed=seed)
    return np.stack([preprocess_bytes(data).image for data in drawings])[..., None]


def pair_drawings(images: NDArray[np.uint8], labels: NDArray[np.uint8], count: int, seed: int) -> NDArray[np.float32]:
    """``count`` pairs of touching digits (:func:`digits.numbers.synthetic.touching_pairs`) as model
    inputs: half from the images' pixels, half from their pen strokes (traced from the skeletons of
    at most 4 * count of the images).

    Args:
        images: (N, 28, 28) uint8 white-on-black digits.
        labels: (N,) uint8 their digits.
        count: how many pairs.
        seed: seeds the choice and the jitter.

    Returns:
        (M, 28, 28, 1) float32 in [0, 1], M <= count (a pair with no ink is left out).
    """
    from digits.numbers.synthetic import mnist_source, strokes_source, touching_pairs

    drawn = count // 2
    traced = np.random.default_rng(seed).choice(len(images), size=min(len(images), 4 * max(drawn, 1)), replace=False)
    pngs = touching_pairs(mnist_source(images, labels), count - drawn, seed=seed)
    if drawn > 0:
        pngs += touching_pairs(strokes_source(images[traced], labels[traced]), drawn, seed=seed + 1)
    return _preprocess_drawings(pngs)


def stroke_renderings(images: NDArray[np.uint8], seed: int, workers: int = 0) -> NDArray[np.float32]:
    """Re-draw MNIST images as a person would with a mouse: skeleton + round brush, then
    the service's preprocessing (see :mod:`digits.data.evalsets` for the same on the test set).

    Args:
        images: (N, 28, 28) uint8 in [0, 255].
        seed: brush widths (6-32 px on 280 px), sizes and positions depend on it.
        workers: processes (0 = one per CPU core).

    Returns:
        (N, 28, 28) float32 in [0, 1].
    """
    workers = workers or os.cpu_count() or 1
    chunks = np.array_split(images, max(1, workers * 4))
    jobs = [(chunk, seed + i) for i, chunk in enumerate(chunks)]
    if len(images) < 2000 or workers == 1:
        parts = [_render_strokes(job) for job in jobs]
    else:
        # "spawn": safe even when TensorFlow's threads already run in this process.
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            parts = pool.map(_render_strokes, jobs)
    return np.concatenate(parts) if parts else np.zeros((0, 28, 28), np.float32)


def train(config: TrainConfig) -> ModelCard:
    """Train, evaluate on the test set once, save the model and its card.

    Returns:
        The model card (also written beside the model, :meth:`ModelCard.path_for`).

    Raises:
        digits.data.mnist.MnistError: the MNIST files are missing or corrupt.
        ValueError: unknown architecture or inconsistent sizes, or ``mixed_precision`` together
            with ``init_from`` or ``teacher`` (bfloat16 applies to a model built from scratch).
    """
    if config.mixed_precision and (config.init_from is not None or config.teacher is not None):
        raise ValueError("mixed_precision applies to a model built from scratch (no init_from or teacher)")
    data = load_mnist(config.mnist_dir, verify_counts=config.subset is None)
    rng = np.random.default_rng(config.seed)
    split_seed = None if config.split_seed in (None, config.seed) else config.split_seed  # another split, or None
    order = split_order(rng, len(data.x_train), split_seed)
    x_all, y_all = data.x_train[order], data.y_train[order]
    x_test, y_test = data.x_test, data.y_test
    validation_size = config.validation_size
    stroke_mix = config.stroke_mix
    if config.subset is not None:
        validation_size = min(validation_size, max(config.subset // 5, 1))
        x_all, y_all = x_all[: config.subset + validation_size], y_all[: config.subset + validation_size]
        x_test, y_test = x_test[: config.subset], y_test[: config.subset]
        stroke_mix = min(stroke_mix, config.subset // 4)
    if validation_size >= len(x_all):
        raise ValueError("validation_size must be smaller than the training set")

    started = time.perf_counter()
    cache = DataCache(
        config.cache_dir, data.sha256, config.seed if split_seed is None else f"{config.seed}/{split_seed}"
    )
    x_all_p = cache.get("mnist", (len(x_all), validation_size), lambda: preprocess_mnist(x_all)[..., None])
    x_test_p = cache.get("mnist-test", (len(x_test),), lambda: preprocess_mnist(x_test)[..., None])
    x_val, y_val = x_all_p[:validation_size], y_all[:validation_size]
    x_train, y_train = x_all_p[validation_size:], y_all[validation_size:]
    if stroke_mix > 0:
        # Drawn-stroke renderings of training images only (never of validation or test images).
        pick = rng.choice(len(x_train), size=min(stroke_mix, len(x_train)), replace=False)
        strokes = cache.get(
            "strokes",
            (len(x_all), validation_size, len(pick)),
            lambda: stroke_renderings(x_all[validation_size:][pick], seed=config.seed),
        )
        x_train = np.concatenate([x_train, strokes[..., None]])
        y_train = np.concatenate([y_train, y_train[pick]])
    font_digits = config.font_digits if config.subset is None else min(config.font_digits, config.subset // 4)
    if font_digits > 0:
        fonts = cache.get("font-digits", (font_digits,), lambda: font_digit_inputs(font_digits, config.seed + 6000))
        x_train = np.concatenate([x_train, fonts])
        y_train = np.concatenate([y_train, (np.arange(font_digits) % NUM_CLASSES).astype(y_train.dtype)])
    # Targets as distributions: one-hot for digits (and for "not a digit", class 10), uniform for outliers.
    classes = NUM_CLASSES + 1 if config.not_a_digit > 0 else NUM_CLASSES

    def as_not_a_digit(
        x: NDArray[np.float32], t: NDArray[np.float32], drawings: NDArray[np.float32]
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """``x`` and its targets ``t`` with ``drawings`` added as class 10, "not a digit"."""
        return np.concatenate([x, drawings]), np.concatenate(
            [t, np.eye(classes, dtype=np.float32)[[NUM_CLASSES] * len(drawings)]]
        )

    t_train = np.eye(classes, dtype=np.float32)[y_train]
    t_val = np.eye(classes, dtype=np.float32)[y_val]
    t_test = np.eye(classes, dtype=np.float32)[y_test]
    not_a_digit = config.not_a_digit if config.subset is None else min(config.not_a_digit, config.subset // 4)
    if not_a_digit > 0:
        from digits.data.negatives import negative_drawings

        drawn = cache.get(
            "not-a-digit",
            (len(x_all), validation_size, not_a_digit),
            lambda: _preprocess_drawings(
                negative_drawings(
                    not_a_digit, seed=config.seed + 2000, split="train", mnist_images=x_all[validation_size:]
                )[1]
            ),
        )
        x_train, t_train = as_not_a_digit(x_train, t_train, drawn)
        held_drawn = cache.get(
            "not-a-digit-validation",
            (len(x_all), validation_size, not_a_digit),
            lambda: _preprocess_drawings(
                negative_drawings(
                    max(1, not_a_digit // 10),
                    seed=config.seed + 3000,
                    split="validation",
                    mnist_images=x_all[:validation_size],
                )[1]
            ),
        )
        x_val, t_val = as_not_a_digit(x_val, t_val, held_drawn)
    pairs = config.touching_pairs if config.subset is None else min(config.touching_pairs, config.subset // 4)
    if pairs > 0:
        if not_a_digit <= 0:
            raise ValueError("touching_pairs needs the not-a-digit class (not_a_digit > 0)")
        x_pairs = cache.get(
            "touching-pairs",
            (len(x_all), validation_size, pairs),
            lambda: pair_drawings(x_all[validation_size:], y_all[validation_size:], pairs, config.seed + 4000),
        )
        x_train, t_train = as_not_a_digit(x_train, t_train, x_pairs)
        held_pairs = cache.get(
            "touching-pairs-validation",
            (len(x_all), validation_size, pairs),
            lambda: pair_drawings(
                x_all[:validation_size], y_all[:validation_size], max(1, pairs // 10), config.seed + 5000
            ),
        )
        x_val, t_val = as_not_a_digit(x_val, t_val, held_pairs)
    outliers = config.outlier_exposure if config.subset is None else min(config.outlier_exposure, config.subset // 4)
    if outliers > 0:
        from digits.data.negatives import not_digit_set
        from digits.evaluation.metrics import preprocess_all

        x_train = np.concatenate(
            [
                x_train,
                cache.get(
                    "outliers", (outliers,), lambda: preprocess_all(not_digit_set(outliers, seed=config.seed + 1000)[1])
                ),
            ]
        )
        uniform = np.zeros((outliers, classes), dtype=np.float32)
        uniform[:, :NUM_CLASSES] = 1.0 / NUM_CLASSES
        t_train = np.concatenate([t_train, uniform])

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    from digits.training.architectures import ARCHITECTURES, TUNABLE, with_not_a_digit_class
    from digits.training.augmentation import (
        AugmentationConfig,
        DrawingAugmentationConfig,
        drawing_augment,
        random_affine,
    )

    if config.architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {config.architecture!r}; choose from {sorted(ARCHITECTURES)}")
    strategy = make_strategy(config.distribute, config.cpu_devices)  # before any TensorFlow operation
    if config.verbose:
        print(f"training on {strategy.num_replicas_in_sync} replica(s) ({type(strategy).__name__})")
    keras.utils.set_random_seed(config.seed)

    aug_config = AugmentationConfig().scaled(config.augment_strength)
    ds = tf.data.Dataset.from_tensor_slices((x_train, t_train))
    ds = ds.shuffle(len(x_train), seed=config.seed, reshuffle_each_iteration=True)
    ds = ds.batch(config.batch_size)
    drawing_config = DrawingAugmentationConfig().scaled(config.augment_strength)
    if config.drawing_augment:
        ds = ds.map(
            lambda x, y: (drawing_augment(x, drawing_config, seed=config.seed), y),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    if config.augment:
        ds = ds.map(
            lambda x, y: (random_affine(x, aug_config, seed=config.seed), y),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    ds = ds.prefetch(tf.data.AUTOTUNE)

    with strategy.scope():  # the weights and the optimizer's slots live on every replica
        if config.init_from is not None:
            model = keras.models.load_model(config.init_from, compile=False)
            if classes > NUM_CLASSES:
                model = with_not_a_digit_class(model, config.architecture)
        else:
            hyper = {k: v for k, v in (("filters", config.filters), ("dropout", config.dropout)) if v is not None}
            if hyper and config.architecture not in TUNABLE:
                raise ValueError(f"{config.architecture!r} takes no filters or dropout")
            if config.mixed_precision:
                model = _mixed_bfloat16(lambda: ARCHITECTURES[config.architecture](classes, **hyper))
            else:
                model = ARCHITECTURES[config.architecture](classes, **hyper)
        fitted = model
        if config.teacher is not None:
            from digits.training.distill import distiller

            teacher = keras.models.load_model(config.teacher, compile=False)
            fitted = distiller(teacher, model, config.temperature, config.student_loss_weight)
        fitted.compile(
            optimizer=keras.optimizers.Adam(learning_rate=learning_rate_schedule(config, len(x_train))),
            loss=keras.losses.CategoricalCrossentropy(from_logits=fitted is not model),
            metrics=["accuracy"],
        )
    config.output.parent.mkdir(parents=True, exist_ok=True)
    # A distiller is checkpointed by its weights (the student's layers are among them).
    checkpoint_path = config.output.with_suffix(".best.keras" if fitted is model else ".best.weights.h5")
    decay = config.lr_decay
    schedule_callbacks: list[keras.callbacks.Callback] = [
        keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * decay),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-5),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
    ]
    if config.schedule == "one-cycle":
        schedule_callbacks = []  # the optimizer's schedule sets every step's rate
    callbacks: list[keras.callbacks.Callback] = [
        *schedule_callbacks,
        keras.callbacks.ModelCheckpoint(
            checkpoint_path, monitor="val_loss", save_best_only=True, save_weights_only=fitted is not model
        ),
        *config.callbacks,
    ]
    history = fitted.fit(
        ds,
        validation_data=(x_val, t_val),
        epochs=config.epochs,
        callbacks=callbacks,
        verbose=config.verbose,
    )
    training_seconds = time.perf_counter() - started
    if fitted is not model:
        if checkpoint_path.exists():
            fitted.load_weights(checkpoint_path)
        model.compile(loss="categorical_crossentropy", metrics=["accuracy"])  # to evaluate the student alone
        best = model
    else:
        best = keras.models.load_model(checkpoint_path) if checkpoint_path.exists() else model
        if config.mixed_precision:  # the same weights in a float32 model: what is saved and served
            best = float32_copy(best, lambda: ARCHITECTURES[config.architecture](classes, **hyper))
            best.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    val_loss, val_accuracy = best.evaluate(x_val, t_val, verbose=0)
    test_loss: float | None = None
    test_accuracy: float | None = None
    if config.evaluate_test:
        test_loss = float(best.evaluate(x_test_p, t_test, verbose=0)[0])
        # The digit the API answers: the most probable of 0-9, whatever class 10 says (digits.verdict).
        test_accuracy = float((digit_probabilities(best.predict(x_test_p, verbose=0)).argmax(1) == y_test).mean())
    best.save(config.output)
    checkpoint_path.unlink(missing_ok=True)

    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    card = ModelCard(
        name=config.output.stem,
        architecture=config.architecture,
        parameters=int(best.count_params()),
        input="(N, 28, 28, 1) float32 in [0, 1], white ink on black, MNIST-centred",
        output=f"(N, {classes}) float32 probabilities, index = digit" + (", 10 = not a digit" if classes > 10 else ""),
        epochs=len(hist.get("loss", [])),
        best_epoch=int(np.argmin(hist["val_loss"])) + 1 if hist.get("val_loss") else None,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        lr_decay_per_epoch=config.lr_decay if config.schedule == "exponential" else None,
        schedule=config.schedule,
        mixed_precision=config.mixed_precision or None,
        optimizer="Adam",
        callbacks=[type(c).__name__ for c in callbacks if c not in config.callbacks],
        augmentation=aug_config.to_dict() if config.augment else None,
        drawing_augmentation=drawing_config.to_dict() if config.drawing_augment else None,
        stroke_mix=stroke_mix,
        font_digits=font_digits,
        outlier_exposure=outliers,
        classes=classes,
        not_a_digit=not_a_digit,
        touching_pairs=pairs or None,
        init_from=portable_path(config.init_from) if config.init_from else None,
        distillation=Distillation(
            teacher=portable_path(config.teacher),
            teacher_sha256=sha256_file(config.teacher),
            temperature=config.temperature,
            student_loss_weight=config.student_loss_weight,
        )
        if config.teacher is not None
        else None,
        hyperparameters={
            k: float(v)
            for k, v in (
                ("filters", config.filters),
                ("dropout", config.dropout),
                ("augment_strength", None if config.augment_strength == 1.0 else config.augment_strength),
                ("split_seed", split_seed),
            )
            if v is not None
        }
        or None,
        seed=config.seed,
        train_images=len(x_train),
        validation_images=len(x_val),
        test_images=len(x_test) if config.evaluate_test else None,
        training_seconds=round(training_seconds, 1),
        validation_accuracy=round(float(val_accuracy), 5),
        validation_loss=round(float(val_loss), 5),
        test_accuracy=round(test_accuracy, 5) if test_accuracy is not None else None,
        test_loss=round(test_loss, 5) if test_loss is not None else None,
        model_sha256=sha256_file(config.output),
        model_bytes=config.output.stat().st_size,
        data_sha256=data.sha256,
        versions={
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },
        machine=f"{platform.machine()}, {os.cpu_count()} CPU cores",
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        command=config.command,
        history=hist,
    )
    previous = ModelCard.path_for(config.init_from) if config.init_from is not None else None
    if previous is not None and previous.is_file():
        card = continue_stages(ModelCard.load(previous), card)
    card.save(ModelCard.path_for(config.output))
    return card


def continue_stages(earlier: ModelCard, card: ModelCard) -> ModelCard:
    """A fine-tune's card that tells the whole story: ``earlier``'s stages and history come first.

    ``earlier`` becomes the last of ``stages`` (its command, epochs and training seconds); the
    per-epoch ``history`` is ``earlier``'s followed by ``card``'s, and ``epochs`` and
    ``best_epoch`` count over both stages.
    """
    earlier_history = earlier.history or {}
    offset = len(earlier_history.get("loss", []))
    history = {k: [*earlier_history.get(k, []), *v] for k, v in (card.history or {}).items()}
    stage = Stage(
        command=earlier.command or "(unknown)",
        epochs=earlier.epochs or 0,
        training_seconds=earlier.training_seconds or 0,
    )
    return card.updated(
        stages=[*(earlier.stages or []), stage],
        history=history,
        epochs=len(history.get("loss", [])),
        best_epoch=card.best_epoch + offset if card.best_epoch is not None else None,
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m digits.training.train`` (defaults from :class:`TrainConfig`)."""
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(
        prog="python -m digits.training.train",
        description="Train the digit classifier on MNIST; write the .keras model and a JSON model card beside it.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--mnist-dir", type=Path, default=defaults.mnist_dir, help="MNIST IDX directory (env MNIST_DIR)"
    )
    parser.add_argument(
        "--output", type=Path, default=defaults.output, help="model path (.keras); card is written beside it"
    )
    parser.add_argument("--architecture", default=defaults.architecture)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--lr-decay", type=float, default=defaults.lr_decay, help="per-epoch multiplicative decay")
    parser.add_argument(
        "--schedule", choices=SCHEDULES, default=defaults.schedule, help="learning-rate schedule (one-cycle: per step)"
    )
    parser.add_argument(
        "--mixed-precision", action="store_true", help="compute in bfloat16, save float32 (CPUs with AVX512-BF16)"
    )
    parser.add_argument("--validation-size", type=int, default=defaults.validation_size)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--split-seed", type=int, default=None, help="seed of the validation split alone (default: --seed)"
    )
    parser.add_argument("--no-augment", action="store_true", help="train without affine augmentation")
    parser.add_argument(
        "--no-drawing-augment", action="store_true", help="no elastic distortion, thickening or low resolution"
    )
    parser.add_argument(
        "--stroke-mix", type=int, default=defaults.stroke_mix, help="training images added as drawn strokes"
    )
    parser.add_argument(
        "--font-digits",
        type=int,
        default=defaults.font_digits,
        help="digits of the Hershey fonts (training split) added, redrawn by a wobbly hand",
    )
    parser.add_argument(
        "--outlier-exposure", type=int, default=defaults.outlier_exposure, help="non-digit drawings, uniform target"
    )
    parser.add_argument(
        "--not-a-digit", type=int, default=defaults.not_a_digit, help="real non-digit drawings as an 11th class"
    )
    parser.add_argument(
        "--touching-pairs",
        type=int,
        default=defaults.touching_pairs,
        help="two touching digits as 'not a digit' drawings (with --not-a-digit)",
    )
    parser.add_argument("--init-from", type=Path, default=None, help="fine-tune this .keras model")
    parser.add_argument("--teacher", type=Path, default=None, help="distil this .keras model into the one trained")
    parser.add_argument("--temperature", type=float, default=defaults.temperature, help="distillation temperature")
    parser.add_argument(
        "--student-loss-weight", type=float, default=defaults.student_loss_weight, help="labels' share of the loss"
    )
    parser.add_argument("--filters", type=int, default=None, help="first-block filters of a CNN (default 32)")
    parser.add_argument("--dropout", type=float, default=None, help="a CNN's dropout before the output (0.5)")
    parser.add_argument(
        "--augment-strength", type=float, default=defaults.augment_strength, help="scales every augmentation"
    )
    parser.add_argument("--subset", type=int, default=None, help="train on only N images (smoke test)")
    parser.add_argument(
        "--distribute", choices=STRATEGIES, default=defaults.distribute, help="tf.distribute strategy (several devices)"
    )
    parser.add_argument(
        "--cpu-devices", type=int, default=defaults.cpu_devices, help="split the CPU into N logical devices"
    )
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="cache of the deterministic data")
    parser.add_argument("--no-cache", action="store_true", help="compute the data afresh, keep nothing")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    config = TrainConfig(
        mnist_dir=args.mnist_dir,
        output=args.output,
        architecture=args.architecture,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        lr_decay=args.lr_decay,
        schedule=args.schedule,
        mixed_precision=args.mixed_precision,
        validation_size=args.validation_size,
        seed=args.seed,
        split_seed=args.split_seed,
        augment=not args.no_augment,
        drawing_augment=not args.no_drawing_augment,
        stroke_mix=args.stroke_mix,
        font_digits=args.font_digits,
        outlier_exposure=args.outlier_exposure,
        not_a_digit=args.not_a_digit,
        touching_pairs=args.touching_pairs,
        init_from=args.init_from,
        teacher=args.teacher,
        temperature=args.temperature,
        student_loss_weight=args.student_loss_weight,
        filters=args.filters,
        dropout=args.dropout,
        augment_strength=args.augment_strength,
        subset=args.subset,
        distribute=args.distribute,
        cpu_devices=args.cpu_devices,
        cache_dir=None if args.no_cache else args.cache_dir,
        command=portable_command("digits.training.train", argv),
    )
    from digits.training import tracking

    params = {k: v for k, v in vars(config).items() if k != "callbacks"}
    with tracking.start_run("train", run_name=config.output.name, params=params):
        config.callbacks.append(tracking.epoch_logger())
        card = train(config)
        tracking.log_model([config.output], card)
    summary = card.model_dump(
        include={"architecture", "parameters", "epochs", "training_seconds", "validation_accuracy", "test_accuracy"}
    )
    print(json.dumps(summary, indent=2))
    print(f"wrote {config.output} and {ModelCard.path_for(config.output)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
