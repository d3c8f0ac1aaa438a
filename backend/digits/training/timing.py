"""Where the training time goes: data preparation, input pipeline, augmentation, model step.

Usage (from ``backend/``)::

    python -m digits.training.timing                 # prints a table, writes nothing
    python -m digits.training.timing --batches 40 --json /tmp/timing.json

Each part is timed on its own, on a sample, and extrapolated to what ``make train`` does:

* ``preprocess_mnist``: the 70,000 MNIST images through :func:`digits.preprocessing.preprocess_mnist`;
* ``stroke_renderings``: re-drawing training digits as strokes
  (:func:`digits.training.train.stroke_renderings`), per 1,000 images;
* ``negative_drawings``: non-digit drawings + the service's preprocessing, per 1,000;
* ``pipeline_plain`` / ``pipeline_augmented``: one batch out of ``tf.data`` without / with the
  drawing and affine augmentation (no model);
* ``model_step`` / ``model_step_xla`` / ``model_step_bf16``: one ``train_on_batch`` of the
  enhanced CNN on a fixed batch: float32, with XLA (``jit_compile=True``), and with Keras'
  ``mixed_bfloat16`` policy (bfloat16 compute, float32 weights: for CPUs with AVX512-BF16 or AMX);
* ``fit_step``: one batch of the real ``model.fit`` on the augmented pipeline (what an epoch is).

Figures depend on how busy the machine is: run it when it is quiet, and compare within a run.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from digits.data.mnist import load_mnist
from digits.preprocessing import preprocess_mnist
from digits.settings import DataSettings


def _clock(fn: Callable[[], Any], repeat: int = 1) -> float:
    """Seconds per call of ``fn`` (mean over ``repeat`` calls after one warm-up call)."""
    fn()
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def measure(mnist_dir: Path, batches: int = 20, batch_size: int = 128, sample: int = 300) -> dict[str, float]:
    """Time each part of training (seconds; per batch for the ``pipeline``/``step`` entries,
    per 1,000 images for ``stroke_renderings`` and ``negative_drawings``, total for
    ``preprocess_mnist``).

    Args:
        mnist_dir: the MNIST IDX directory.
        batches: batches timed for each pipeline / step figure.
        batch_size: images per batch.
        sample: images rendered for the per-1,000 figures (extrapolated linearly).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    data = load_mnist(mnist_dir)
    out: dict[str, float] = {}
    started = time.perf_counter()
    x = preprocess_mnist(np.concatenate([data.x_train, data.x_test]))[..., None]
    out["preprocess_mnist"] = time.perf_counter() - started

    from digits.training.train import _preprocess_drawings, stroke_renderings

    started = time.perf_counter()
    stroke_renderings(data.x_train[:sample], seed=0, workers=1)
    out["stroke_renderings"] = (time.perf_counter() - started) * 1000 / sample

    from digits.data.negatives import negative_drawings

    started = time.perf_counter()
    _, drawings = negative_drawings(sample, seed=0, split="train", mnist_images=data.x_train[:1000])
    _preprocess_drawings(drawings)
    out["negative_drawings"] = (time.perf_counter() - started) * 1000 / sample

    import keras
    import tensorflow as tf

    from digits.training.architectures import build_enhanced_cnn
    from digits.training.augmentation import (
        AugmentationConfig,
        DrawingAugmentationConfig,
        drawing_augment,
        random_affine,
    )

    n = batches * batch_size
    images = x[: n * 2]
    targets = np.eye(11, dtype=np.float32)[np.concatenate([data.y_train, data.y_test])[: n * 2]]
    plain = tf.data.Dataset.from_tensor_slices((images, targets)).shuffle(len(images)).batch(batch_size)
    drawing, affine = DrawingAugmentationConfig(), AugmentationConfig()
    augmented = plain.map(lambda a, b: (drawing_augment(a, drawing), b), num_parallel_calls=tf.data.AUTOTUNE)
    augmented = augmented.map(lambda a, b: (random_affine(a, affine), b), num_parallel_calls=tf.data.AUTOTUNE)

    def drain(ds: tf.data.Dataset) -> None:
        for _ in ds.take(batches):
            pass

    out["pipeline_plain"] = _clock(lambda: drain(plain)) / batches
    out["pipeline_augmented"] = _clock(lambda: drain(augmented)) / batches

    xb, yb = images[:batch_size], targets[:batch_size]
    for key, jit, policy in (
        ("model_step", False, "float32"),
        ("model_step_xla", True, "float32"),
        ("model_step_bf16", False, "mixed_bfloat16"),
    ):
        keras.mixed_precision.set_dtype_policy(policy)
        model = build_enhanced_cnn(11)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", jit_compile=jit)

        def steps(model: keras.Model = model) -> None:
            for _ in range(batches):
                model.train_on_batch(xb, yb)

        out[key] = _clock(steps) / batches
        keras.mixed_precision.set_dtype_policy("float32")

    model = build_enhanced_cnn(11)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    ds = augmented.prefetch(tf.data.AUTOTUNE)
    out["fit_step"] = _clock(lambda: model.fit(ds.take(batches), epochs=1, verbose=0)) / batches
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digits.training.timing", description=__doc__.split("\n")[0])
    parser.add_argument("--mnist-dir", type=Path, default=DataSettings().mnist_dir)
    parser.add_argument("--batches", type=int, default=20, help="batches timed per figure")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--sample", type=int, default=300, help="images rendered for the per-1,000 figures")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    figures = measure(args.mnist_dir, args.batches, args.batch_size, args.sample)
    per_epoch = 100_000 / args.batch_size
    print(f"{'part':<22}{'measured':>14}  extrapolated")
    print(f"{'preprocess_mnist':<22}{figures['preprocess_mnist']:>12.1f} s  (70,000 images, once per stage)")
    for key in ("stroke_renderings", "negative_drawings"):
        print(f"{key:<22}{figures[key]:>8.1f} s/1000  {figures[key] * 15:>6.0f} s per 15,000, one core")
    for key in ("pipeline_plain", "pipeline_augmented", "model_step", "model_step_xla", "model_step_bf16", "fit_step"):
        print(f"{key:<22}{figures[key] * 1000:>9.1f} ms/b  {figures[key] * per_epoch:>6.0f} s per 100k-image epoch")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
