"""The candidate architectures: shapes, parameter counts, the tunable ones' options, augmentation strength."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from digits.training.architectures import ARCHITECTURES, TUNABLE, with_not_a_digit_class
from digits.training.augmentation import AugmentationConfig, DrawingAugmentationConfig

PARAMETERS = {"enhanced_cnn": 323_627, "separable_cnn": 72_555, "lenet5": 61_791, "mlp": 136_331}


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_every_architecture_maps_images_to_probabilities(name: str) -> None:
    model = ARCHITECTURES[name](11)
    assert model.count_params() == PARAMETERS[name]  # the figures the docstrings and README quote
    out = np.asarray(model(np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32), training=False))
    assert out.shape == (3, 11)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("name", TUNABLE)
def test_tunable_cnns_take_filters_and_dropout(name: str) -> None:
    small, large = ARCHITECTURES[name](11, filters=16), ARCHITECTURES[name](11, filters=48)
    assert small.count_params() < PARAMETERS[name] < large.count_params()
    assert ARCHITECTURES[name](11, dropout=0.3).get_layer("dropout").rate == pytest.approx(0.3)


def test_separable_cnn_uses_depthwise_separable_convolutions_after_the_first() -> None:
    kinds = [type(layer).__name__ for layer in ARCHITECTURES["separable_cnn"](11).layers]
    assert kinds.count("Conv2D") == 1 and kinds.count("SeparableConv2D") == 5


def test_lenet5_widens_to_the_not_a_digit_class_keeping_its_digit_weights() -> None:
    ten = ARCHITECTURES["lenet5"](10)
    eleven = with_not_a_digit_class(ten, "lenet5")
    np.testing.assert_array_equal(eleven.get_layer("c1").get_weights()[0], ten.get_layer("c1").get_weights()[0])
    assert eleven.output_shape[-1] == 11


def test_augmentation_strength_scales_ranges_and_caps_probabilities() -> None:
    assert AugmentationConfig().scaled(1.0) == AugmentationConfig()
    assert AugmentationConfig().scaled(0.5).rotation_degrees == pytest.approx(5.0)
    assert AugmentationConfig().scaled(0.0) == AugmentationConfig(0.0, 0.0, 0.0, 0.0)
    strong = DrawingAugmentationConfig().scaled(4.0)
    assert strong.elastic_probability == 1.0 and strong.elastic_alpha == pytest.approx(96.0)
    assert strong.elastic_sigma == DrawingAugmentationConfig().elastic_sigma
