"""On-the-fly data augmentation for training, as a batched ``tf.data`` map.

One random affine transform per image (rotation, shear, zoom and translation composed into a
single matrix, so each image is resampled once, bilinearly), applied after the images went
through :func:`digits.preprocessing.preprocess_mnist`, the same centring the service applies.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import tensorflow as tf


@dataclass(frozen=True)
class AugmentationConfig:
    """Ranges of the random affine transform (uniformly sampled, symmetric).

    Attributes:
        rotation_degrees: +- rotation in degrees.
        shift_fraction: +- translation as a fraction of the 28 px side.
        zoom_fraction: +- scale change (0.1 = 90 % to 110 %).
        shear_degrees: +- shear angle in degrees.
    """

    rotation_degrees: float = 10.0
    shift_fraction: float = 0.1
    zoom_fraction: float = 0.1
    shear_degrees: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def random_affine(images: tf.Tensor, config: AugmentationConfig, seed: int | None = None) -> tf.Tensor:
    """Apply one random affine transform to each image of a batch.

    Args:
        images: (N, H, W, 1) float32 in [0, 1].
        config: the ranges.
        seed: op-level seed (with a global seed set, runs are reproducible).

    Returns:
        (N, H, W, 1) float32 in [0, 1]; pixels brought in from outside are 0 (background).
    """
    n = tf.shape(images)[0]
    height = tf.cast(tf.shape(images)[1], tf.float32)
    width = tf.cast(tf.shape(images)[2], tf.float32)

    def uniform(limit: float) -> tf.Tensor:
        return tf.random.uniform([n], -limit, limit, seed=seed)

    theta = uniform(math.radians(config.rotation_degrees))
    shear = uniform(math.radians(config.shear_degrees))
    zoom = 1.0 + uniform(config.zoom_fraction)
    tx = uniform(config.shift_fraction) * width
    ty = uniform(config.shift_fraction) * height

    # Output -> input mapping: A = R(theta) @ Shear(shear) @ diag(1/zoom), about the centre.
    cos, sin, tan = tf.cos(theta), tf.sin(theta), tf.tan(shear)
    a00 = cos / zoom
    a01 = (cos * tan - sin) / zoom
    a10 = sin / zoom
    a11 = (sin * tan + cos) / zoom
    cx = (width - 1.0) / 2.0
    cy = (height - 1.0) / 2.0
    a02 = cx - a00 * cx - a01 * cy - tx
    a12 = cy - a10 * cx - a11 * cy - ty
    zeros = tf.zeros([n])
    transforms = tf.stack([a00, a01, a02, a10, a11, a12, zeros, zeros], axis=1)
    out = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=tf.shape(images)[1:3],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    return tf.clip_by_value(out, 0.0, 1.0)
