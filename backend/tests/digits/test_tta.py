"""Test-time augmentation: seven variants, the mean of the base engine's probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from digits.engines import Engine, load_engine
from digits.engines.tta import ROTATIONS, SHIFTS, VARIANTS, TTAEngine, variants
from digits.preprocessing import preprocess_mnist
from digits.settings import DataSettings


@pytest.fixture(scope="module")
def images(mnist) -> NDArray[np.float32]:
    return preprocess_mnist(mnist.x_test[:5])[..., None]


@pytest.fixture(scope="module")
def tta() -> TTAEngine:
    engine = load_engine("cnn-tta", DataSettings().models_dir)
    assert isinstance(engine, TTAEngine)
    return engine


def test_there_are_seven_variants_the_first_the_image_itself(images: NDArray[np.float32]) -> None:
    assert VARIANTS == 7 == len(SHIFTS) + len(ROTATIONS)
    out = variants(images)
    n = len(images)
    assert out.shape == (VARIANTS * n, 28, 28, 1) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    blocks = out.reshape(VARIANTS, n, 28, 28, 1)
    np.testing.assert_array_equal(blocks[0], images)  # shift (0, 0), variant-major order
    np.testing.assert_array_equal(blocks[1][:, 1:], images[:, :-1])  # one pixel down
    np.testing.assert_array_equal(blocks[3][:, :, 1:], images[:, :, :-1])  # one pixel right
    for index in range(1, VARIANTS):
        assert not np.array_equal(blocks[index], images), index


def test_tta_is_the_mean_of_the_base_engines_probabilities(
    tta: TTAEngine, engine: Engine, images: NDArray[np.float32]
) -> None:
    probabilities = tta.predict_proba(images)
    classes = engine.card.classes  # 11: the CNN's last class is "not a digit"
    assert probabilities.shape == (len(images), classes) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    expected = engine.predict_proba(variants(images)).reshape(VARIANTS, len(images), classes).mean(axis=0)
    np.testing.assert_allclose(probabilities, expected, atol=1e-6)
    # Not the base engine's answer on the image alone (the variants do move the probabilities) ...
    assert not np.allclose(probabilities, engine.predict_proba(images), atol=1e-6)
    # ... but the same digits on clean MNIST.
    np.testing.assert_array_equal(probabilities.argmax(axis=1), engine.predict_proba(images).argmax(axis=1))


def test_tta_names_itself_and_shares_its_base_models_file(tta: TTAEngine, engine: Engine) -> None:
    assert tta.name == "cnn-tta" and tta.kind == "tta"
    assert tta.version == f"{engine.version}+tta7"
    assert tta.path == engine.path
    assert tta.card.engine == "tta" and tta.card.tta_variants == 7
    assert tta.card.architecture == engine.card.architecture
    assert engine.card.engine != "tta"  # the base engine's card is not changed


class _Constant:
    """A base engine answering the same probabilities for every input, counting its calls."""

    name = "constant"
    kind = "numpy"
    version = "constant-00000000"

    def __init__(self, card, path) -> None:  # type: ignore[no-untyped-def]
        self.card, self.path, self.calls = card, path, []

    def predict_proba(self, images: NDArray[np.float32]) -> NDArray[np.float32]:
        self.calls.append(len(images))
        row = np.linspace(1, 10, 10, dtype=np.float32)
        return np.tile(row / row.sum(), (len(images), 1))


def test_tta_makes_one_batched_call_of_seven_times_the_images(engine: Engine, images: NDArray[np.float32]) -> None:
    base = _Constant(engine.card, engine.path)
    probabilities = TTAEngine(base, name="constant-tta").predict_proba(images)  # type: ignore[arg-type]
    assert base.calls == [VARIANTS * len(images)]
    np.testing.assert_allclose(probabilities, base.predict_proba(images), atol=1e-7)
