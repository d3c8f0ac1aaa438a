"""Saliency maps (digits.explain): occlusion through one batched call, gradients for Keras."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from digits.data.mnist import Mnist
from digits.engines import Engine
from digits.explain import GradientEngine, occlusion_batch, occlusion_saliency, saliency
from digits.preprocessing import preprocess_mnist


def quadrant_model(images: NDArray[np.float32]) -> NDArray[np.float32]:
    """Class 0's probability grows with the ink in the top-left 14x14 quadrant, and nothing else."""
    ink = images[:, :14, :14, 0].sum(axis=(1, 2))
    p0 = ink / (ink + 10.0)
    return np.stack([p0, 1 - p0], axis=1).astype(np.float32)


def test_occlusion_points_at_the_pixels_the_model_uses_in_one_call() -> None:
    image = np.zeros((28, 28), np.float32)
    image[4:10, 4:10] = 1.0  # ink the model looks at
    image[18:24, 18:24] = 1.0  # ink it ignores
    calls: list[int] = []

    def counting(x: NDArray[np.float32]) -> NDArray[np.float32]:
        calls.append(len(x))
        return quadrant_model(x)

    result = occlusion_saliency(counting, image, target=0)
    assert calls == [1 + len(occlusion_batch(image)[1])]  # the original and every occluded copy, one batch
    assert result.shape == (28, 28) and result.dtype == np.float32
    assert result.min() >= 0.0 and result.max() == pytest.approx(1.0)
    assert result[4:10, 4:10].mean() > 0.5
    assert result[18:24, 18:24].max() == 0.0


def test_occlusion_covers_the_whole_image() -> None:
    batch, corners = occlusion_batch(np.ones((28, 28), np.float32))
    assert batch.shape == (len(corners), 28, 28, 1)
    covered = (batch[..., 0] == 0).any(axis=0)
    assert covered.all()


def test_nothing_to_explain_gives_zeros_and_a_bad_shape_is_refused() -> None:
    assert not occlusion_saliency(quadrant_model, np.zeros((28, 28), np.float32), target=0).any()
    with pytest.raises(ValueError, match="28, 28"):
        occlusion_saliency(quadrant_model, np.zeros((20, 20), np.float32), target=0)


def _on_ink_share(map_: NDArray[np.float32], image: NDArray[np.float32]) -> float:
    """Share of the saliency within 2 px of the ink (an occluding patch is 6 px wide)."""
    from scipy.ndimage import binary_dilation

    near = binary_dilation(image > 0.2, iterations=2)
    return float(map_[near].sum() / max(map_.sum(), 1e-9))


@pytest.mark.parametrize("name", ["cnn", "cnn-litert-dynamic", "mlp-numpy", "cnn-keras", "mlp"])
def test_every_engine_is_explained_on_the_ink_of_real_digits(
    engines: dict[str, Engine], mnist: Mnist, name: str
) -> None:
    engine = engines[name]
    images = preprocess_mnist(mnist.x_test[:3])
    for image, label in zip(images, mnist.y_test[:3], strict=True):
        result = saliency(engine, engine.predict_proba, image, int(label))
        assert result.shape == (28, 28)
        assert result.min() >= 0.0 and result.max() == pytest.approx(1.0)
        # Most of what drove the answer is the digit's strokes, not the empty background.
        share = _on_ink_share(result, image)
        assert share > 0.75, (name, share)


def test_keras_engines_are_explained_by_their_gradient(engines: dict[str, Engine]) -> None:
    assert isinstance(engines["cnn-keras"], GradientEngine)
    assert not isinstance(engines["cnn"], GradientEngine)
    image = np.zeros((28, 28), np.float32)
    image[6:22, 13:15] = 1.0
    gradient = engines["cnn-keras"].input_gradient(image, 1)  # type: ignore[attr-defined]
    assert gradient.shape == (28, 28) and np.isfinite(gradient).all() and np.abs(gradient).max() > 0
