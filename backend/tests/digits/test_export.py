"""The exporters' commands: LiteRT (float32, dynamic-range, int8) and NumPy, on a copy of the committed MLP."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digits.cards import ModelCard
from digits.data import mnist as mnist_module
from digits.data.mnist import Mnist
from digits.engines.litert_engine import LiteRTEngine
from digits.engines.numpy_mlp import NumpyMLPEngine
from digits.training import export_litert, export_npz
from tests.helpers import copy_models, small_mnist

TEST_IMAGES = 300


@pytest.fixture
def mlp_keras(tmp_path: Path) -> Path:
    return copy_models(tmp_path / "models", ["mlp"]) / "mlp.keras"


@pytest.mark.slow  # three TensorFlow conversions
def test_export_litert_writes_every_flatbuffer_and_its_card(
    mlp_keras: Path, mnist: Mnist, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(export_litert, "load_mnist", lambda _directory: small_mnist(mnist, train=200, test=TEST_IMAGES))
    assert export_litert.main(["--model", str(mlp_keras)]) == 0

    source = ModelCard.load(mlp_keras.with_suffix(".json"))
    out = capsys.readouterr().out
    for suffix, quantization, max_difference in (
        ("_litert", "none (float32)", 1e-4),  # the same function as Keras
        ("_litert_dynamic", "dynamic-range (int8 weights)", 0.2),  # int8 weights: close, not equal
        ("_litert_int8", export_litert.DESCRIPTION["int8"], 0.5),  # int8 activations too: close, coarser
    ):
        output = mlp_keras.with_name(f"mlp{suffix}.tflite")
        assert output.is_file() and f"{output.name}: " in out
        card = ModelCard.load(output.with_suffix(".json"))
        assert card.engine == "litert" and card.quantization == quantization
        assert card.architecture == source.architecture and card.source_model == "mlp.keras"
        assert card.source_model_sha256 == source.model_sha256 and card.parameters == source.parameters
        assert card.model_bytes == output.stat().st_size and card.test_images == TEST_IMAGES
        assert card.max_probability_difference is not None and card.max_probability_difference < max_difference
        assert card.same_digit_as_source is not None and card.same_digit_as_source >= 0.98
        assert card.test_accuracy is not None and card.test_accuracy >= 0.95
        assert card.command == "python -m digits.training.export_litert --model mlp.keras"  # no machine path
        # The file is a working model: it answers like its card says.
        probabilities = LiteRTEngine(output).predict_proba(np.zeros((2, 28, 28, 1), np.float32))
        assert probabilities.shape == (2, 10)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    suffixes = ("_litert", "_litert_dynamic", "_litert_int8")
    size = {name: mlp_keras.with_name(f"mlp{name}.tflite").stat().st_size for name in suffixes}
    assert size["_litert_dynamic"] < size["_litert"] / 2  # int8 weights: about 4x smaller
    assert size["_litert_int8"] < size["_litert"] / 2
    assert LiteRTEngine(mlp_keras.with_name("mlp_litert_int8.tflite")).version.endswith("+litert-int8")
    # Every op of the full-integer model computes in int8: only the edges convert float32 <-> int8.
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(mlp_keras.with_name("mlp_litert_int8.tflite")))
    kinds = {d["dtype"].__name__ for d in interpreter.get_tensor_details()}
    assert "int8" in kinds


def test_int8_export_needs_representative_images(mlp_keras: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="representative"):
        export_litert.export_litert(mlp_keras, tmp_path / "x.tflite", "int8", representative=None)


def test_export_npz_command_writes_the_weights_and_a_card(
    mlp_keras: Path, mnist: Mnist, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(mnist_module, "load_mnist", lambda _directory: small_mnist(mnist, train=0, test=TEST_IMAGES))
    output = tmp_path / "out" / "weights.npz"
    output.parent.mkdir()
    assert export_npz.main(["--model", str(mlp_keras), "--output", str(output)]) == 0

    card = ModelCard.load(output.with_suffix(".json"))
    assert card.name == "weights" and card.engine == "numpy" and card.source_model == "mlp.keras"
    assert card.parameters == 136_074 and card.model_bytes == output.stat().st_size
    assert card.format is not None and card.format.startswith("npz") and "W1 (784, 128)" in card.format
    assert card.test_images == TEST_IMAGES and card.same_digit_as_source == 1.0
    assert card.max_probability_difference is not None and card.max_probability_difference < 1e-5
    assert card.command == "python -m digits.training.export_npz --model mlp.keras --output weights.npz"
    assert "weights.npz: " in capsys.readouterr().out
    assert NumpyMLPEngine(output).predict_proba(np.zeros((1, 28, 28, 1), np.float32)).shape == (1, 10)
