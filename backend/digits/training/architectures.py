"""Keras model definitions."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
"""Digits 0-9; an open-set model has one more output, class 10 "not a digit" (:mod:`digits.verdict`)."""


def _conv_block(x: keras.KerasTensor, filters: int, name: str) -> keras.KerasTensor:
    for i in (1, 2):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
        x = layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = layers.Activation("relu", name=f"{name}_relu{i}")(x)
    x = layers.MaxPooling2D(2, name=f"{name}_pool")(x)
    return layers.Dropout(0.25, name=f"{name}_dropout")(x)


def build_enhanced_cnn(num_classes: int = NUM_CLASSES) -> keras.Model:
    """The enhanced CNN.

    Three conv blocks (32, 64, 128 filters; two 3x3 convolutions each, batch normalization
    after every convolution, 2x2 max pooling, dropout 0.25), global average pooling,
    Dense(256, ReLU), dropout 0.5, Dense(num_classes, softmax).

    Input: (N, 28, 28, 1) float32 in [0, 1], white ink on black (see ``digits.preprocessing``).
    Output: (N, num_classes) float32 probabilities summing to 1, index = digit (10: not a digit).
    """
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = inputs
    for filters, name in ((32, "block1"), (64, "block2"), (128, "block3")):
        x = _conv_block(x, filters, name)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(256, activation="relu", name="dense")(x)
    x = layers.Dropout(0.5, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="enhanced_cnn")


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


ARCHITECTURES = {"enhanced_cnn": build_enhanced_cnn, "mlp": build_mlp}


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
