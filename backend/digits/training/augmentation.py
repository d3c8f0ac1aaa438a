"""On-the-fly data augmentation for training, as a batched ``tf.data`` map.

One random affine transform per image (rotation, shear, zoom and translation composed into a
single matrix, so each image is resampled once, bilinearly), applied after the images went
through :func:`digits.preprocessing.preprocess_mnist`, the same centring the service applies.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
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

    def scaled(self, strength: float) -> AugmentationConfig:
        """Every range times ``strength`` (>= 0; 1 = unchanged, 0 = identity)."""
        return AugmentationConfig(**{k: v * strength for k, v in asdict(self).items()})


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


@dataclass(frozen=True)
class DrawingAugmentationConfig:
    """What drawing changes beyond geometry (applied per image with these probabilities).

    Attributes:
        elastic_probability: chance of an elastic distortion (Simard, Steinkraus and Platt,
            "Best practices for convolutional neural networks applied to visual document
            analysis", ICDAR 2003: a uniform random displacement field smoothed by a Gaussian).
        elastic_alpha: displacement scale in pixels (Simard et al.: 34 on 28x28).
        elastic_sigma: Gaussian smoothing in pixels (Simard et al.: 4).
        thicken_probability: chance of thickening strokes by about 1 px (half-strength 3x3 dilation).
        thicken_more_probability: chance of thickening by about 2 px (full 3x3 grey dilation).
        lowres_probability: chance of a round trip through a lower resolution, as a small or
            blurry upload gives.
        lowres_min_side, lowres_max_side: the smallest and largest side of that lower
            resolution, pixels (of the 28x28 frame), drawn uniformly per batch.
    """

    elastic_probability: float = 0.3
    elastic_alpha: float = 24.0
    elastic_sigma: float = 4.0
    thicken_probability: float = 0.12
    thicken_more_probability: float = 0.05
    lowres_probability: float = 0.08
    lowres_min_side: int = 12
    lowres_max_side: int = 17

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def scaled(self, strength: float) -> DrawingAugmentationConfig:
        """Every probability and the elastic displacement times ``strength`` (>= 0; probabilities
        capped at 1; the smoothing ``elastic_sigma`` is kept)."""
        return replace(
            self,
            elastic_probability=min(1.0, self.elastic_probability * strength),
            elastic_alpha=self.elastic_alpha * strength,
            thicken_probability=min(1.0, self.thicken_probability * strength),
            thicken_more_probability=min(1.0, self.thicken_more_probability * strength),
            lowres_probability=min(1.0, self.lowres_probability * strength),
        )


def _gaussian_kernel(sigma: float) -> tf.Tensor:
    radius = int(3 * sigma)
    x = tf.range(-radius, radius + 1, dtype=tf.float32)
    k = tf.exp(-(x**2) / (2.0 * sigma**2))
    k = k / tf.reduce_sum(k)
    return tf.reshape(k[:, None] * k[None, :], [2 * radius + 1, 2 * radius + 1, 1, 1])


def elastic_distortion(images: tf.Tensor, alpha: float, sigma: float, seed: int | None = None) -> tf.Tensor:
    """Simard et al. (2003) elastic distortion, a different field per image.

    Args:
        images: (N, H, W, 1) float32 in [0, 1].
        alpha: displacement scale in pixels; sigma: smoothing of the field in pixels.

    Returns:
        (N, H, W, 1) float32 in [0, 1], bilinearly resampled.
    """
    shape = tf.shape(images)
    n, h, w = shape[0], shape[1], shape[2]
    field = tf.random.uniform([n, h, w, 2], -1.0, 1.0, seed=seed)
    kernel = _gaussian_kernel(sigma)
    dy = tf.nn.conv2d(field[..., :1], kernel, 1, "SAME")[..., 0] * alpha
    dx = tf.nn.conv2d(field[..., 1:], kernel, 1, "SAME")[..., 0] * alpha
    rows = tf.cast(tf.range(h), tf.float32)[None, :, None] + dy
    cols = tf.cast(tf.range(w), tf.float32)[None, None, :] + dx
    return _bilinear_sample(images[..., 0], rows, cols)[..., None]


def _bilinear_sample(images: tf.Tensor, rows: tf.Tensor, cols: tf.Tensor) -> tf.Tensor:
    """Sample (N, H, W) images at fractional (N, H, W) coordinates; outside is 0."""
    shape = tf.shape(images)
    n, h, w = shape[0], shape[1], shape[2]
    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1]])
    rows = tf.clip_by_value(rows + 1.0, 0.0, tf.cast(h + 1, tf.float32))
    cols = tf.clip_by_value(cols + 1.0, 0.0, tf.cast(w + 1, tf.float32))
    r0 = tf.floor(rows)
    c0 = tf.floor(cols)
    fr = rows - r0
    fc = cols - c0
    r0i = tf.cast(r0, tf.int32)
    c0i = tf.cast(c0, tf.int32)
    r1i = tf.minimum(r0i + 1, h + 1)
    c1i = tf.minimum(c0i + 1, w + 1)
    batch = tf.broadcast_to(tf.range(n)[:, None, None], tf.shape(r0i))

    def at(r: tf.Tensor, c: tf.Tensor) -> tf.Tensor:
        return tf.gather_nd(padded, tf.stack([batch, r, c], axis=-1))

    top = at(r0i, c0i) * (1 - fc) + at(r0i, c1i) * fc
    bottom = at(r1i, c0i) * (1 - fc) + at(r1i, c1i) * fc
    return top * (1 - fr) + bottom * fr


def drawing_augment(images: tf.Tensor, config: DrawingAugmentationConfig, seed: int | None = None) -> tf.Tensor:
    """Elastic distortion, stroke thickening and low resolution, each with its probability.

    Args:
        images: (N, 28, 28, 1) float32 in [0, 1], white on black.

    Returns:
        (N, 28, 28, 1) float32 in [0, 1].
    """
    n = tf.shape(images)[0]

    def chance(p: float) -> tf.Tensor:
        return tf.random.uniform([n, 1, 1, 1], seed=seed) < p

    out = images
    if config.elastic_probability > 0:
        warped = elastic_distortion(out, config.elastic_alpha, config.elastic_sigma, seed=seed)
        out = tf.where(chance(config.elastic_probability), warped, out)
    dilated = tf.nn.max_pool2d(out, 3, 1, "SAME")
    u = tf.random.uniform([n, 1, 1, 1], seed=seed)
    out = tf.where(u < config.thicken_probability, 0.5 * (out + dilated), out)
    more = (u >= config.thicken_probability) & (u < config.thicken_probability + config.thicken_more_probability)
    out = tf.where(more, dilated, out)
    if config.lowres_probability > 0:
        side = tf.random.uniform([], config.lowres_min_side, config.lowres_max_side + 1, dtype=tf.int32, seed=seed)
        small = tf.image.resize(out, tf.stack([side, side]), method="area")
        back = tf.image.resize(small, tf.shape(out)[1:3], method="bilinear")
        out = tf.where(chance(config.lowres_probability), back, out)
    return tf.clip_by_value(out, 0.0, 1.0)
