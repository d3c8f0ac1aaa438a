"""Training augmentation: shapes, value range, that it changes images, determinism, no-op configs."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from digits.preprocessing import preprocess_mnist  # noqa: E402
from digits.training.augmentation import (  # noqa: E402
    AugmentationConfig,
    DrawingAugmentationConfig,
    drawing_augment,
    elastic_distortion,
    random_affine,
)

NO_AFFINE = AugmentationConfig(rotation_degrees=0.0, shift_fraction=0.0, zoom_fraction=0.0, shear_degrees=0.0)
NO_DRAWING = DrawingAugmentationConfig(
    elastic_probability=0.0, thicken_probability=0.0, thicken_more_probability=0.0, lowres_probability=0.0
)
ALWAYS_DRAWING = DrawingAugmentationConfig(
    elastic_probability=1.0, thicken_probability=1.0, thicken_more_probability=0.0, lowres_probability=1.0
)


@pytest.fixture(scope="module")
def images(mnist) -> np.ndarray:
    """Eight MNIST test digits as training sees them: (8, 28, 28, 1) float32 in [0, 1]."""
    return preprocess_mnist(mnist.x_test[:8])[..., None]


def _check_range_and_shape(out: tf.Tensor, like: np.ndarray) -> np.ndarray:
    array = out.numpy()
    assert array.shape == like.shape and array.dtype == np.float32
    assert array.min() >= 0.0 and array.max() <= 1.0
    assert np.isfinite(array).all()
    return array


def _per_image_change(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b).reshape(len(a), -1).max(axis=1)


def test_random_affine_moves_every_image_and_keeps_the_range(images: np.ndarray) -> None:
    out = _check_range_and_shape(random_affine(tf.constant(images), AugmentationConfig(), seed=1), images)
    assert (_per_image_change(out, images) > 0.05).all()
    # Ink is resampled, not invented: the total ink of a digit changes by well under half.
    ratio = out.sum(axis=(1, 2, 3)) / images.sum(axis=(1, 2, 3))
    assert ((ratio > 0.5) & (ratio < 1.5)).all(), ratio


def test_random_affine_with_zero_ranges_is_the_identity(images: np.ndarray) -> None:
    out = _check_range_and_shape(random_affine(tf.constant(images), NO_AFFINE, seed=1), images)
    np.testing.assert_allclose(out, images, atol=1e-5)


def test_random_affine_is_deterministic_for_a_seed(images: np.ndarray) -> None:
    def run(seed: int) -> np.ndarray:
        tf.random.set_seed(seed)
        return random_affine(tf.constant(images), AugmentationConfig(), seed=seed).numpy()

    np.testing.assert_array_equal(run(7), run(7))
    assert not np.array_equal(run(7), run(8))


def test_a_pure_shift_moves_the_digit_by_whole_pixels(images: np.ndarray) -> None:
    """With only translation allowed, the output is the input shifted (bilinear at fractional offsets)."""
    config = AugmentationConfig(rotation_degrees=0.0, shift_fraction=0.2, zoom_fraction=0.0, shear_degrees=0.0)
    out = random_affine(tf.constant(images), config, seed=3).numpy()
    # A shift keeps the ink's spread: the second moments about each image's centre of mass barely change.
    rows = np.arange(28, dtype=np.float32)[None, :, None]

    def spread(batch: np.ndarray) -> np.ndarray:
        ink = batch[..., 0]
        mass = ink.sum(axis=(1, 2))
        centre = (ink * rows).sum(axis=(1, 2)) / mass
        return ((ink * (rows - centre[:, None, None]) ** 2).sum(axis=(1, 2)) / mass).astype(np.float64)

    kept = out[..., 0].sum(axis=(1, 2)) > 0.8 * images[..., 0].sum(axis=(1, 2))  # not pushed off the edge
    assert kept.any()
    np.testing.assert_allclose(spread(out)[kept], spread(images)[kept], rtol=0.25)


def test_elastic_distortion_warps_each_image_and_keeps_the_range(images: np.ndarray) -> None:
    out = _check_range_and_shape(elastic_distortion(tf.constant(images), alpha=24.0, sigma=4.0, seed=2), images)
    assert (_per_image_change(out, images) > 0.05).all()


def test_elastic_distortion_with_zero_alpha_is_the_identity(images: np.ndarray) -> None:
    out = _check_range_and_shape(elastic_distortion(tf.constant(images), alpha=0.0, sigma=4.0, seed=2), images)
    np.testing.assert_allclose(out, images, atol=1e-5)


def test_elastic_distortion_is_deterministic_for_a_seed(images: np.ndarray) -> None:
    def run(seed: int) -> np.ndarray:
        tf.random.set_seed(seed)
        return elastic_distortion(tf.constant(images), alpha=24.0, sigma=4.0, seed=seed).numpy()

    np.testing.assert_array_equal(run(5), run(5))
    assert not np.array_equal(run(5), run(6))


def test_drawing_augment_with_zero_probabilities_leaves_images_unchanged(images: np.ndarray) -> None:
    out = _check_range_and_shape(drawing_augment(tf.constant(images), NO_DRAWING, seed=4), images)
    np.testing.assert_allclose(out, images, atol=1e-6)


def test_drawing_augment_changes_every_image_when_certain(images: np.ndarray) -> None:
    out = _check_range_and_shape(drawing_augment(tf.constant(images), ALWAYS_DRAWING, seed=4), images)
    assert (_per_image_change(out, images) > 0.05).all()


def test_thickening_only_adds_ink(images: np.ndarray) -> None:
    """Full-strength thickening is a 3x3 grey dilation: no pixel gets darker, the strokes get wider."""
    thicken = DrawingAugmentationConfig(
        elastic_probability=0.0, thicken_probability=0.0, thicken_more_probability=1.0, lowres_probability=0.0
    )
    out = _check_range_and_shape(drawing_augment(tf.constant(images), thicken, seed=4), images)
    assert (out >= images - 1e-6).all()
    assert ((out > 0.5).sum(axis=(1, 2, 3)) > (images > 0.5).sum(axis=(1, 2, 3))).all()


def test_drawing_augment_is_deterministic_for_a_seed(images: np.ndarray) -> None:
    def run(seed: int) -> np.ndarray:
        tf.random.set_seed(seed)
        return drawing_augment(tf.constant(images), DrawingAugmentationConfig(), seed=seed).numpy()

    np.testing.assert_array_equal(run(11), run(11))


def test_configs_serialise_every_range() -> None:
    assert AugmentationConfig().to_dict() == {
        "rotation_degrees": 10.0,
        "shift_fraction": 0.1,
        "zoom_fraction": 0.1,
        "shear_degrees": 10.0,
    }
    assert set(DrawingAugmentationConfig().to_dict()) == {
        "elastic_probability",
        "elastic_alpha",
        "elastic_sigma",
        "thicken_probability",
        "thicken_more_probability",
        "lowres_probability",
        "lowres_min_side",
        "lowres_max_side",
    }


def test_a_lower_resolution_loses_more_detail(images: np.ndarray) -> None:
    """The round trip's side is drawn from [lowres_min_side, lowres_max_side]: at 7 px an image
    keeps less of itself than at 20 px."""

    def lowres(side: int) -> np.ndarray:
        config = DrawingAugmentationConfig(
            elastic_probability=0.0,
            thicken_probability=0.0,
            thicken_more_probability=0.0,
            lowres_probability=1.0,
            lowres_min_side=side,
            lowres_max_side=side,
        )
        return _check_range_and_shape(drawing_augment(tf.constant(images), config, seed=4), images)

    assert (_per_image_change(lowres(7), images) > _per_image_change(lowres(20), images)).all()


def test_scaling_keeps_the_low_resolution_range() -> None:
    config = DrawingAugmentationConfig(lowres_min_side=9, lowres_max_side=15).scaled(0.5)
    assert (config.lowres_min_side, config.lowres_max_side, config.lowres_probability) == (9, 15, 0.04)
    assert config.elastic_sigma == DrawingAugmentationConfig().elastic_sigma
