"""Knowledge distillation: Keras' Distiller on our softmax models, and the training command's --teacher."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digits.cards import ModelCard
from digits.training import distill

keras = pytest.importorskip("keras")


def test_as_logits_are_log_probabilities_sharing_the_layers() -> None:
    from digits.training.architectures import build_lenet5

    model = build_lenet5(11)
    logits = distill.as_logits(model)
    x = np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)
    probabilities = model.predict(x, verbose=0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(keras.ops.softmax(logits(x))), probabilities, atol=1e-5)
    assert any(layer is model.layers[-1] for layer in logits.layers)  # shared: training one trains the other


def test_the_student_moves_towards_the_frozen_teacher() -> None:
    from digits.training.architectures import build_lenet5

    keras.utils.set_random_seed(3)
    teacher, student = build_lenet5(11), build_lenet5(11)
    rng = np.random.default_rng(1)
    x = rng.random((256, 28, 28, 1), dtype=np.float32)
    labels = np.eye(11, dtype=np.float32)[rng.integers(0, 11, 256)]  # noise: only the teacher can be learnt
    teacher_before = [w.copy() for w in teacher.get_weights()]

    def disagreement() -> float:
        t, s = teacher.predict(x, verbose=0), student.predict(x, verbose=0)
        return float(np.mean(np.sum(t * (np.log(t + 1e-9) - np.log(s + 1e-9)), axis=1)))  # KL(teacher || student)

    before = disagreement()
    model = distill.distiller(teacher, student, temperature=2.0, student_loss_weight=0.0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    history = model.fit(x, labels, epochs=8, batch_size=64, verbose=0)
    assert "distillation_loss" in history.history
    assert disagreement() < 0.5 * before
    for w0, w1 in zip(teacher_before, teacher.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)


@pytest.mark.slow
def test_the_training_command_distils_and_records_the_teacher(mnist_dir: Path, tmp_path: Path) -> None:
    from digits.training.architectures import build_lenet5
    from digits.training.train import main

    teacher = tmp_path / "teacher.keras"
    build_lenet5(11).save(teacher)
    output = tmp_path / "student.keras"
    args = ["--mnist-dir", str(mnist_dir), "--output", str(output), "--architecture", "lenet5", "--subset", "400"]
    assert main([*args, "--epochs", "1", "--not-a-digit", "40", "--teacher", str(teacher), "--no-cache"]) == 0
    card = ModelCard.load(output.with_suffix(".json"))
    assert card.distillation is not None
    assert card.distillation.teacher_sha256 == distill_sha(teacher) and card.distillation.temperature == 4.0
    assert card.history is not None and "val_distillation_loss" in card.history
    student = keras.models.load_model(output)
    assert student.output_shape == (None, 11)  # the student alone, softmax probabilities
    assert not output.with_suffix(".best.weights.h5").exists()


def distill_sha(path: Path) -> str:
    from digits.training.train import sha256_file

    return sha256_file(path)
