"""Keras model definitions."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
from keras import layers

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
"""Digits 0-9; an open-set model has one more output, class 10 "not a digit" (:mod:`digits.verdict`)."""


def _conv_block(x: keras.KerasTensor, filters: int, name: str, separable: bool = False) -> keras.KerasTensor:
    for i in (1, 2):
        if separable and not (name == "block1" and i == 1):  # the first layer sees one channel: plain conv
            x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_sepconv{i}")(x)
        else:
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
        x = layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = layers.Activation("relu", name=f"{name}_relu{i}")(x)
    x = layers.MaxPooling2D(2, name=f"{name}_pool")(x)
    return layers.Dropout(0.25, name=f"{name}_dropout")(x)


def build_enhanced_cnn(num_classes: int = NUM_CLASSES, filters: int = 32, dropout: float = 0.5) -> keras.Model:
    """The enhanced CNN (VGG-like: blocks of two 3x3 convolutions).

    Three conv blocks (``filters``, 2x, 4x filters: 32, 64, 128 by default; two 3x3 convolutions
    each, batch normalization after every convolution, 2x2 max pooling, dropout 0.25), global
    average pooling, Dense(256, ReLU), dropout ``dropout``, Dense(num_classes, softmax).
    323,627 parameters with the defaults and 11 classes.

    Input: (N, 28, 28, 1) float32 in [0, 1], white ink on black (see ``digits.preprocessing``).
    Output: (N, num_classes) float32 probabilities summing to 1, index = digit (10: not a digit).
    """
    return _vgg_like(num_classes, filters, dropout, separable=False, name="enhanced_cnn")


def build_separable_cnn(num_classes: int = NUM_CLASSES, filters: int = 32, dropout: float = 0.5) -> keras.Model:
    """The enhanced CNN with depthwise-separable convolutions (MobileNet's factorisation: Howard
    et al., 2017) in place of every 3x3 convolution but the first: the same blocks, batch
    normalization, pooling and head, under a quarter of the parameters (72,555 with the defaults
    and 11 classes) and of the multiply-adds.

    Input/Output: as :func:`build_enhanced_cnn`.
    """
    return _vgg_like(num_classes, filters, dropout, separable=True, name="separable_cnn")


def _vgg_like(num_classes: int, filters: int, dropout: float, separable: bool, name: str) -> keras.Model:
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = inputs
    for scale, block in ((1, "block1"), (2, "block2"), (4, "block3")):
        x = _conv_block(x, filters * scale, block, separable)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(256, activation="relu", name="dense")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def build_lenet5(num_classes: int = NUM_CLASSES) -> keras.Model:
    """LeNet-5 (LeCun, Bottou, Bengio and Haffner, "Gradient-based learning applied to document
    recognition", Proc. IEEE 1998), the classic, in its common modern form.

    C1: 6 5x5 convolutions (``same`` padding stands in for the paper's 32x32 padded input), tanh;
    S2: 2x2 average pooling; C3: 16 5x5 convolutions (all-to-all, not the paper's sparse table),
    tanh; S4: 2x2 average pooling; C5/F6: Dense 120 and 84, tanh; output Dense(num_classes,
    softmax) instead of the paper's RBF units. 61,791 parameters with 11 classes.

    Input/Output: as :func:`build_enhanced_cnn`.
    """
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = layers.Conv2D(6, 5, padding="same", activation="tanh", name="c1")(inputs)
    x = layers.AveragePooling2D(2, name="s2")(x)
    x = layers.Conv2D(16, 5, activation="tanh", name="c3")(x)
    x = layers.AveragePooling2D(2, name="s4")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(120, activation="tanh", name="c5")(x)
    x = layers.Dense(84, activation="tanh", name="f6")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="lenet5")


MLP_HIDDEN = (128, 256)
"""Widths of the MLP's two hidden layers (the NumPy engine reads them from the weights)."""


def build_mlp(num_classes: int = NUM_CLASSES) -> keras.Model:
    """A multilayer perceptron: 784 -> 128 (ReLU) -> 256 (ReLU) -> 10 (softmax).

    The image is flattened row by row (``Flatten`` on (28, 28, 1) gives index ``28 * row + col``),
    so it takes the same (N, 28, 28, 1) float32 input as the CNN, from the same preprocessing.
    Only ``Dense`` layers carry weights, which makes it easy to run without Keras:
    :mod:`digits.engines.numpy_mlp` does the same three matrix products in NumPy.

    Input: (N, 28, 28, 1) float32 in [0, 1], white ink on black (see ``digits.preprocessing``).
    Output: (N, 10) float32 probabilities summing to 1, index = digit.
    Parameters: 784*128+128 + 128*256+256 + 256*10+10 = 136,074.
    """
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = layers.Flatten(name="flatten")(inputs)
    for i, units in enumerate(MLP_HIDDEN, start=1):
        x = layers.Dense(units, activation="relu", name=f"dense{i}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mlp")


ARCHITECTURES: dict[str, Callable[..., keras.Model]] = {
    "enhanced_cnn": build_enhanced_cnn,
    "separable_cnn": build_separable_cnn,
    "lenet5": build_lenet5,
    "mlp": build_mlp,
}
"""Every architecture by name; each takes ``num_classes`` (the CNNs also ``filters`` and ``dropout``)."""

TUNABLE = ("enhanced_cnn", "separable_cnn")
"""Architectures that take ``filters`` and ``dropout`` (:mod:`digits.training.tune`)."""


def with_not_a_digit_class(model: keras.Model, architecture: str) -> keras.Model:
    """A 10-class model widened to 11 outputs (class 10: not a digit), keeping what it learnt.

    Every layer's weights are copied by name; the output layer keeps its ten digit columns and
    gains one for "not a digit", initialised to their mean with the mean bias, so the new class
    starts as likely as an average digit and is then learnt in fine-tuning. A model that already
    has 11 outputs is returned as it is.

    Raises:
        ValueError: unknown ``architecture``, or a model with neither 10 nor 11 outputs.
    """
    outputs = int(model.output_shape[-1])
    if outputs == NUM_CLASSES + 1:
        return model
    if outputs != NUM_CLASSES or architecture not in ARCHITECTURES:
        raise ValueError(f"cannot add a not-a-digit class to a {architecture!r} model with {outputs} outputs")
    wider = ARCHITECTURES[architecture](NUM_CLASSES + 1)
    for layer in wider.layers:
        weights = model.get_layer(layer.name).get_weights()
        if layer.name == "probabilities":
            kernel, bias = weights
            weights = [
                np.concatenate([kernel, kernel.mean(axis=1, keepdims=True)], axis=1),
                np.concatenate([bias, [bias.mean()]]),
            ]
        layer.set_weights(weights)
    return wider
