"""The MLP and its NumPy engine: same probabilities as Keras, stable softmax, the .npz format."""

from __future__ import annotations

import base64
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from digits.data.rendering import CanvasStyle, render_canvas
from digits.engines.base import ModelLoadError
from digits.engines.keras_engine import KerasEngine
from digits.engines.numpy_mlp import MLPWeights, NumpyMLPEngine, forward, load_npz, save_npz, softmax
from digits.engines.registry import MODEL_SPECS, load_engine
from digits.preprocessing import preprocess_mnist
from digits.settings import DataSettings

MODELS_DIR = DataSettings().models_dir


def random_weights(seed: int = 0, hidden: tuple[int, int] = (128, 256)) -> MLPWeights:
    rng = np.random.default_rng(seed)
    sizes = (784, *hidden, 10)
    arrays = {}
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        arrays[f"W{layer}"] = (rng.normal(size=(n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)
        arrays[f"b{layer}"] = rng.normal(scale=0.1, size=n_out).astype(np.float32)
    return MLPWeights(**arrays)


def test_numpy_engine_matches_keras_on_real_test_images(engines, mnist) -> None:
    """500 MNIST test images through the service's normalisation: NumPy == Keras within 1e-5."""
    x = preprocess_mnist(mnist.x_test[:500])[..., None]
    keras_p = engines["mlp"].predict_proba(x)
    numpy_p = engines["mlp-numpy"].predict_proba(x)
    assert numpy_p.shape == (500, 10) and numpy_p.dtype == np.float32
    np.testing.assert_allclose(numpy_p, keras_p, rtol=0, atol=1e-5)
    assert (numpy_p.argmax(1) == keras_p.argmax(1)).all()
    assert (numpy_p.argmax(1) == mnist.y_test[:500]).mean() > 0.97


def test_the_committed_npz_is_the_export_of_the_committed_keras_model(tmp_path: Path) -> None:
    from digits.training.export_npz import export_npz

    exported = load_npz(export_npz(MODELS_DIR / "mlp.keras", tmp_path / "mlp_numpy.npz"))
    committed = load_npz(MODELS_DIR / "mlp_numpy.npz")
    for key, array in committed.as_dict().items():
        np.testing.assert_array_equal(exported.as_dict()[key], array, err_msg=key)
    card = json.loads((MODELS_DIR / "mlp_numpy.json").read_text())
    keras_card = json.loads((MODELS_DIR / "mlp.json").read_text())
    assert card["source_model_sha256"] == keras_card["model_sha256"]
    assert card["parameters"] == keras_card["parameters"] == committed.parameters == 136_074
    assert card["max_probability_difference"] < 1e-5


def test_registry_builds_the_right_engines(engines) -> None:
    assert MODEL_SPECS["mlp"].engine == "keras" and MODEL_SPECS["mlp-numpy"].engine == "numpy"
    assert isinstance(engines["mlp"], KerasEngine)
    assert isinstance(engines["mlp-numpy"], NumpyMLPEngine)
    # The same weights: the NumPy engine's version names the Keras model it was exported from.
    assert engines["mlp-numpy"].version == engines["mlp"].version + "+numpy"
    assert engines["mlp-numpy"].card.engine == "numpy" and engines["mlp-numpy"].kind == "numpy"
    fresh = load_engine("mlp-numpy", MODELS_DIR)
    assert isinstance(fresh, NumpyMLPEngine) and fresh.name == "mlp-numpy"


def test_forward_is_the_textbook_formula_in_float64() -> None:
    weights = random_weights(1)
    x = np.random.default_rng(2).random((64, 784), dtype=np.float32)
    w = {k: v.astype(np.float64) for k, v in weights.as_dict().items()}
    h1 = np.maximum(x @ w["W1"] + w["b1"], 0)
    h2 = np.maximum(h1 @ w["W2"] + w["b2"], 0)
    z = h2 @ w["W3"] + w["b3"]
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(forward(weights, x), expected, atol=1e-5)


def test_softmax_is_stable_for_huge_logits() -> None:
    logits = np.array(
        [
            [1000.0, 0.0, -1000.0],
            [1e30, 1e30, 0.0],
            [-1e4, -1e4 - 1, -1e4 - 2],
            [3e38, -3e38, 0.0],
        ],
        dtype=np.float32,
    )
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is the right answer
        p = softmax(logits)
    assert np.isfinite(p).all() and (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(p[1], [0.5, 0.5, 0.0], atol=1e-7)
    expected = np.exp([0.0, -1.0, -2.0]) / np.exp([0.0, -1.0, -2.0]).sum()
    np.testing.assert_allclose(p[2], expected, rtol=1e-5)  # only differences matter
    assert p[3].argmax() == 0


def test_npz_round_trip_and_engine(tmp_path: Path) -> None:
    weights = random_weights(3, hidden=(16, 8))
    path = save_npz(weights, tmp_path / "tiny.npz")
    assert path.name == "tiny.npz"
    loaded = load_npz(path)
    for key, array in weights.as_dict().items():
        np.testing.assert_array_equal(loaded.as_dict()[key], array)
        assert loaded.as_dict()[key].dtype == np.float32
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted(["W1", "b1", "W2", "b2", "W3", "b3"])
    engine = NumpyMLPEngine(path, name="tiny", batch_size=7)  # batches of 7 rows, no card beside it
    images = np.random.default_rng(4).random((20, 28, 28, 1), dtype=np.float32)
    probabilities = engine.predict_proba(images)
    np.testing.assert_allclose(probabilities, forward(weights, images.reshape(20, 784)), atol=1e-7)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    assert engine.card.name == "tiny" and engine.card.model_sha256 is None and engine.version.startswith("tiny-")
    assert engine.predict_proba(np.zeros((0, 28, 28, 1), np.float32)).shape == (0, 10)
    with pytest.raises(ValueError, match="28, 28, 1"):
        engine.predict_proba(np.zeros((2, 27, 27, 1), np.float32))


def test_bad_npz_files_are_model_load_errors(tmp_path: Path) -> None:
    good = random_weights(5, hidden=(4, 3)).as_dict()
    with pytest.raises(ModelLoadError, match="not found"):
        NumpyMLPEngine(tmp_path / "missing.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ModelLoadError):
        load_npz(tmp_path / "text.npz")
    np.savez(tmp_path / "partial.npz", **{k: v for k, v in good.items() if k != "b3"})
    with pytest.raises(ModelLoadError, match="missing b3"):
        load_npz(tmp_path / "partial.npz")
    np.savez(tmp_path / "shapes.npz", **{**good, "W2": np.zeros((5, 3), np.float32)})
    with pytest.raises(ModelLoadError, match="W2"):
        load_npz(tmp_path / "shapes.npz")
    np.savez(tmp_path / "pickled.npz", **{**good, "W1": np.array([object()], dtype=object)})
    with pytest.raises(ModelLoadError):
        load_npz(tmp_path / "pickled.npz")


def test_mlp_is_served_by_the_api(client, mnist) -> None:
    png = render_canvas(mnist.x_test[0], CanvasStyle(digit_size=160, left=60, top=40))
    for model in ("mlp", "mlp-numpy"):
        response = client.post("/predict", json={"image": base64.b64encode(png).decode(), "model": model})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["model"] == model and body["digit"] == int(mnist.y_test[0])
        assert sum(body["probabilities"]) == pytest.approx(1.0, abs=1e-5)
    models = {m["name"]: m for m in client.get("/models").json()["models"]}
    info = models["mlp-numpy"]
    assert info["file"] == "mlp_numpy.npz" and info["parameters"] == 136_074
    assert 0.975 <= info["test_accuracy"] <= 1.0 and info["card"]["engine"] == "numpy"
    assert models["mlp"]["file"] == "mlp.keras" and models["mlp"]["test_accuracy"] == info["test_accuracy"]


@pytest.mark.slow
def test_mlp_trains_with_the_training_command_and_exports(mnist_dir: Path, tmp_path: Path) -> None:
    """The real training command with ``--architecture mlp`` on a small subset, then the exporter."""
    from digits.training.export_npz import export_npz
    from digits.training.train import main

    output = tmp_path / "mlp.keras"
    status = main(
        [
            *("--mnist-dir", str(mnist_dir), "--output", str(output), "--architecture", "mlp"),
            *("--subset", "500", "--epochs", "1", "--no-augment", "--no-drawing-augment", "--stroke-mix", "0"),
        ]
    )
    assert status == 0
    card = json.loads(output.with_suffix(".json").read_text())
    assert card["architecture"] == "mlp" and card["parameters"] == 136_074
    assert card["augmentation"] is None and card["stroke_mix"] == 0 and len(card["history"]["loss"]) == 1
    engine = NumpyMLPEngine(export_npz(output))
    assert engine.path == tmp_path / "mlp_numpy.npz"
    x = np.random.default_rng(6).random((50, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(engine.predict_proba(x), KerasEngine(output).predict_proba(x), atol=1e-5)
