"""Training smoke test: the real command on a small subset, end to end."""

from pathlib import Path

import numpy as np
import pytest

from digits.cards import ModelCard
from digits.engines.keras_engine import KerasEngine
from digits.training.architectures import build_enhanced_cnn
from digits.training.train import main

pytestmark = pytest.mark.slow  # real training runs: a minute or more each


def test_training_command_writes_model_and_card(mnist_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "smoke.keras"
    status = main(
        [
            "--mnist-dir",
            str(mnist_dir),
            "--output",
            str(output),
            "--subset",
            "600",
            "--epochs",
            "2",
            "--outlier-exposure",
            "40",
            "--font-digits",
            "30",
            "--batch-size",
            "64",
        ]
    )
    assert status == 0 and output.is_file()
    card = ModelCard.load(output.with_suffix(".json"))  # validates every field
    assert card.architecture == "enhanced_cnn" and card.parameters is not None and card.parameters > 300_000
    assert card.epochs == 2 and card.history is not None and len(card.history["val_loss"]) == 2
    assert card.data_sha256 is not None
    assert set(card.data_sha256) >= {"train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"}
    assert card.test_accuracy is not None and 0.0 <= card.test_accuracy <= 1.0
    assert card.training_seconds is not None and card.versions is not None and card.date is not None
    assert card.stroke_mix == 150 and card.outlier_exposure == 40 and card.font_digits == 30
    assert card.train_images == 600 + 150 + 30 + 40  # MNIST, strokes, font digits, outliers
    engine = KerasEngine(output)
    probabilities = engine.predict_proba(np.zeros((3, 28, 28, 1), np.float32))
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert engine.version.startswith("enhanced_cnn-")


def test_fine_tuning_starts_from_a_trained_model(mnist_dir: Path, tmp_path: Path) -> None:
    """A fine-tune starts from the earlier weights (not new ones) and its card tells both stages."""
    import keras

    first = tmp_path / "first.keras"
    main(["--mnist-dir", str(mnist_dir), "--output", str(first), "--subset", "200", "--epochs", "2"])
    second = tmp_path / "second.keras"
    args = ["--mnist-dir", str(mnist_dir), "--output", str(second), "--subset", "200", "--epochs", "1"]
    main([*args, "--init-from", str(first), "--learning-rate", "1e-4"])

    earlier, card = ModelCard.load(first.with_suffix(".json")), ModelCard.load(second.with_suffix(".json"))
    assert card.init_from == "first.keras" and card.learning_rate == 1e-4  # no machine path in the card
    assert card.command is not None and str(tmp_path) not in card.command
    assert card.stages is not None and card.stages[-1].command == earlier.command and card.stages[-1].epochs == 2
    assert earlier.history is not None and card.history is not None
    assert card.epochs == 3 and card.history["loss"][:2] == earlier.history["loss"]
    assert card.best_epoch is not None and card.best_epoch > 2  # counted over both stages

    def weights(path: Path) -> np.ndarray:
        model = keras.models.load_model(path, compile=False)
        return np.concatenate([np.ravel(w) for w in model.get_weights()])

    before, after = weights(first), weights(second)
    fresh = np.concatenate([np.ravel(w) for w in build_enhanced_cnn().get_weights()])
    moved = np.linalg.norm(after - before) / np.linalg.norm(before)
    assert 0 < moved < 0.5 * np.linalg.norm(fresh - before) / np.linalg.norm(before)


def test_touching_pairs_join_the_not_a_digit_class(mnist_dir: Path, tmp_path: Path) -> None:
    args = ["--mnist-dir", str(mnist_dir), "--output", str(tmp_path / "m.keras"), "--subset", "200", "--no-cache"]
    with pytest.raises(ValueError, match="not-a-digit class"):
        main([*args, "--touching-pairs", "20"])
    assert main([*args, "--epochs", "1", "--not-a-digit", "40", "--touching-pairs", "20"]) == 0
    card = ModelCard.load(tmp_path / "m.json")
    assert card.classes == 11 and card.touching_pairs == 20
    # 200 digits + 50 re-drawn + 40 non-digits + 20 pairs; validation 40 digits + 4 + 2
    assert (card.train_images, card.validation_images) == (310, 46)


def test_one_cycle_warms_up_then_anneals(tmp_path: Path) -> None:
    from digits.training.train import WARMUP_SHARE, TrainConfig, learning_rate_schedule

    config = TrainConfig(
        output=tmp_path / "m.keras", epochs=4, batch_size=100, learning_rate=3e-3, schedule="one-cycle"
    )
    rate = learning_rate_schedule(config, train_images=1000)  # 10 steps an epoch, 40 in all
    warmup = int(WARMUP_SHARE * 40)
    first, peak, last = (float(rate(step)) for step in (0, warmup, 40))
    assert first == pytest.approx(3e-3 / 25) and peak == pytest.approx(3e-3)
    assert last == pytest.approx(3e-3 * 1e-4, rel=1e-3)
    assert float(rate(warmup // 2)) < peak and float(rate(warmup + 5)) < peak
    exponential = TrainConfig(output=tmp_path / "m.keras", learning_rate=1e-3)
    assert learning_rate_schedule(exponential, train_images=1000) == 1e-3
    with pytest.raises(ValueError, match="unknown schedule"):
        learning_rate_schedule(TrainConfig(output=tmp_path / "m.keras", schedule="step"), train_images=1000)


def test_a_one_cycle_run_records_its_schedule(mnist_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "cycle.keras"
    argv = ["--mnist-dir", str(mnist_dir), "--output", str(output), "--subset", "400", "--epochs", "2"]
    assert main([*argv, "--schedule", "one-cycle", "--learning-rate", "3e-3", "--no-cache"]) == 0
    card = ModelCard.load(output.with_suffix(".json"))
    assert card.schedule == "one-cycle" and card.lr_decay_per_epoch is None
    assert card.callbacks == ["ModelCheckpoint"] and card.epochs == 2


def test_a_bfloat16_run_saves_a_float32_model(mnist_dir: Path, tmp_path: Path) -> None:
    import keras

    output = tmp_path / "bf16.keras"
    argv = ["--mnist-dir", str(mnist_dir), "--output", str(output), "--subset", "600", "--epochs", "2"]
    assert main([*argv, "--mixed-precision", "--not-a-digit", "40", "--no-cache"]) == 0
    card = ModelCard.load(output.with_suffix(".json"))
    assert card.mixed_precision is True
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    model = keras.models.load_model(output)
    assert {layer.dtype_policy.name for layer in model.layers} == {"float32"}


def test_the_float32_copy_computes_what_the_bfloat16_model_did() -> None:
    from digits.training.train import _mixed_bfloat16, float32_copy

    mixed = _mixed_bfloat16(lambda: build_enhanced_cnn(11))
    assert mixed.get_layer("block1_conv1").compute_dtype == "bfloat16"
    assert mixed.get_layer("probabilities").compute_dtype == "float32"
    copy = float32_copy(mixed, lambda: build_enhanced_cnn(11))
    x = np.random.default_rng(0).random((16, 28, 28, 1)).astype(np.float32)
    a, b = np.asarray(mixed(x, training=False)), np.asarray(copy(x, training=False))
    assert a.dtype == b.dtype == np.float32
    np.testing.assert_allclose(a, b, atol=0.02)  # bfloat16 keeps 8 bits of mantissa


def test_bfloat16_is_refused_for_fine_tuning_before_any_data_is_read(tmp_path: Path) -> None:
    from digits.training.train import TrainConfig, train

    config = TrainConfig(
        output=tmp_path / "m.keras", mnist_dir=tmp_path / "absent", mixed_precision=True, init_from=tmp_path / "x.keras"
    )
    with pytest.raises(ValueError, match="from scratch"):
        train(config)
