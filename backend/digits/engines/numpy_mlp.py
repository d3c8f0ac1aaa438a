"""The MLP run by plain NumPy: three matrix products, two ReLUs and a softmax.

This engine exists to show the maths behind a prediction, with nothing hidden in a framework.
It serves the same weights as ``models/mlp.keras`` (see :func:`digits.training.export_npz.export_npz`),
read from a plain ``.npz`` file, and needs neither TensorFlow nor Keras.

The network (``digits.training.architectures.build_mlp``), for a batch of N preprocessed images::

    x  = image.reshape(N, 784)            # row-major: pixel (r, c) -> column 28 * r + c
    h1 = relu(x  @ W1 + b1)               # (N, 784) @ (784, 128) + (128,) -> (N, 128)
    h2 = relu(h1 @ W2 + b2)               # (N, 128) @ (128, 256) + (256,) -> (N, 256)
    z  =      h2 @ W3 + b3                # (N, 256) @ (256, 10)  + (10,)  -> (N, 10) logits
    p  = softmax(z)                       # each row: exp(z_k) / sum_j exp(z_j)

The ``.npz`` file format (``numpy.savez``, no pickled objects) holds exactly six float32 arrays:

    ====  ============  ==================================================
    key   shape         meaning
    ====  ============  ==================================================
    W1    (784, 128)    first layer's weights, input pixel -> hidden unit
    b1    (128,)        first layer's biases
    W2    (128, 256)    second layer's weights
    b2    (256,)        second layer's biases
    W3    (256, 10)     output layer's weights, hidden unit -> digit logit
    b3    (10,)         output layer's biases
    ====  ============  ==================================================

The weights are stored as Keras keeps a ``Dense`` kernel, (inputs, outputs), so a layer is
``x @ W + b`` with the batch in rows. The hidden widths are read from the shapes, so the file
defines the network; only the input (784) and output (10) sizes are fixed.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from digits.cards import EngineKind, ModelCard
from digits.engines.base import ModelLoadError, exported_version

INPUT_SIZE = 28 * 28
"""Pixels per image: the MLP sees the 28x28 frame as one vector of 784 values."""
NUM_CLASSES = 10
WEIGHT_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
"""The arrays of an MLP ``.npz`` file, in the order the layers use them."""

Float32Array = NDArray[np.float32]


@dataclass(frozen=True)
class MLPWeights:
    """The parameters of the three dense layers, float32.

    Attributes:
        W1: (784, H1) weights of the first hidden layer (H1 = 128 for ``mlp``).
        b1: (H1,) its biases.
        W2: (H1, H2) weights of the second hidden layer (H2 = 256).
        b2: (H2,) its biases.
        W3: (H2, 10) weights of the output layer.
        b3: (10,) its biases.
    """

    W1: Float32Array
    b1: Float32Array
    W2: Float32Array
    b2: Float32Array
    W3: Float32Array
    b3: Float32Array

    def __post_init__(self) -> None:
        """Check that the shapes chain: 784 -> H1 -> H2 -> 10, one bias per output unit."""
        if self.W1.ndim != 2 or self.W1.shape[0] != INPUT_SIZE:
            raise ValueError(f"W1 must be (784, H1), got {self.W1.shape}")
        if self.W2.ndim != 2 or self.W2.shape[0] != self.W1.shape[1]:
            raise ValueError(f"W2 must be ({self.W1.shape[1]}, H2), got {self.W2.shape}")
        if self.W3.shape != (self.W2.shape[1], NUM_CLASSES):
            raise ValueError(f"W3 must be ({self.W2.shape[1]}, 10), got {self.W3.shape}")
        for weight, bias, key in ((self.W1, self.b1, "b1"), (self.W2, self.b2, "b2"), (self.W3, self.b3, "b3")):
            if bias.shape != (weight.shape[1],):
                raise ValueError(f"{key} must be ({weight.shape[1]},), got {bias.shape}")
        for key in WEIGHT_KEYS:
            if getattr(self, key).dtype != np.float32:
                raise ValueError(f"{key} must be float32, got {getattr(self, key).dtype}")

    def as_dict(self) -> dict[str, Float32Array]:
        """The arrays by key, in :data:`WEIGHT_KEYS` order."""
        return {key: getattr(self, key) for key in WEIGHT_KEYS}

    @property
    def parameters(self) -> int:
        """Number of weights and biases: 136,074 for 784 -> 128 -> 256 -> 10."""
        return sum(array.size for array in self.as_dict().values())


def save_npz(weights: MLPWeights, path: Path) -> Path:
    """Write ``weights`` to ``path`` as an uncompressed ``.npz`` (six float32 arrays, no pickle).

    Returns:
        ``path``.
    """
    with path.open("wb") as fh:  # a file object: numpy would append ".npz" to a path without it
        np.savez(fh, W1=weights.W1, b1=weights.b1, W2=weights.W2, b2=weights.b2, W3=weights.W3, b3=weights.b3)
    return path


def load_npz(path: Path) -> MLPWeights:
    """Read the six arrays of an MLP ``.npz`` file (pickled objects are refused).

    Raises:
        ModelLoadError: the file is missing, not an ``.npz``, lacks an array or has wrong shapes.
    """
    if not path.is_file():
        raise ModelLoadError(f"model file {path} not found: export it with `python -m digits.training.export_npz`")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [key for key in WEIGHT_KEYS if key not in npz.files]
            if missing:
                raise ModelLoadError(f"cannot load MLP weights {path}: missing {', '.join(missing)}")
            arrays = {key: np.ascontiguousarray(npz[key], dtype=np.float32) for key in WEIGHT_KEYS}
        return MLPWeights(**arrays)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelLoadError(f"cannot load MLP weights {path}: {exc}") from exc


def relu(x: Float32Array) -> Float32Array:
    """Rectified linear unit, elementwise: ``max(x, 0)``. Same shape and dtype as ``x``."""
    return np.maximum(x, np.float32(0.0))


def softmax(logits: Float32Array) -> Float32Array:
    """Row-wise softmax, numerically stable.

    ``softmax(z)_k = exp(z_k) / sum_j exp(z_j)``. Subtracting the row's largest logit first
    changes nothing mathematically (the factor ``exp(-max)`` cancels) but keeps every exponent
    <= 0, so ``exp`` never overflows (``exp(1000)`` would be ``inf``, and ``inf / inf`` is
    ``nan``); the largest term is ``exp(0) = 1``, so the sum is >= 1 and never underflows to 0.

    Args:
        logits: (N, K) float32.

    Returns:
        (N, K) float32, each row non-negative and summing to 1.
    """
    with np.errstate(over="ignore"):  # a gap beyond float32's range gives -inf, and exp(-inf) = 0 exactly
        shifted = logits - logits.max(axis=1, keepdims=True)
    exps = np.exp(shifted)  # in (0, 1]; the row's largest logit gives exactly 1
    probabilities: Float32Array = exps / exps.sum(axis=1, keepdims=True)
    return probabilities


def forward(weights: MLPWeights, x: Float32Array) -> Float32Array:
    """The MLP's forward pass on flattened images.

    Args:
        weights: the three layers.
        x: (N, 784) float32, one image per row.

    Returns:
        (N, 10) float32 probabilities, rows summing to 1.
    """
    h1 = relu(x @ weights.W1 + weights.b1)  # (N, 784) -> (N, H1)
    h2 = relu(h1 @ weights.W2 + weights.b2)  # (N, H1) -> (N, H2)
    logits = h2 @ weights.W3 + weights.b3  # (N, H2) -> (N, 10), unnormalised scores
    return softmax(logits)


@dataclass
class NumpyMLPEngine:
    """Serve an MLP ``.npz`` (:func:`load_npz`) with NumPy only: no TensorFlow, no Keras.

    Implements :class:`digits.engines.Engine`. Stateless after loading (the arrays are only
    read), so one engine may serve concurrent requests.

    Attributes:
        path: the ``.npz`` file; its card is the ``.json`` beside it (``mlp_numpy.json``).
        name: the served model name.
        batch_size: rows per matrix product; larger batches are split so that the hidden
            activations stay small (4096 x 256 float32 = 4 MB).
        version: ``<architecture>-<first 8 hex of the source .keras sha256>+numpy``: the same
            weights as the Keras model it was exported from.
        card: the model card beside the file.
        weights: the loaded :class:`MLPWeights`.

    Raises:
        ModelLoadError: the file is missing or not a valid MLP ``.npz``.
    """

    path: Path
    name: str = "mlp-numpy"
    batch_size: int = 4096
    kind: EngineKind = field(default="numpy", init=False)
    version: str = field(init=False)
    card: ModelCard = field(init=False)
    weights: MLPWeights = field(init=False)

    def __post_init__(self) -> None:
        self.weights = load_npz(self.path)
        self.card = ModelCard.for_model(self.path)
        self.version = exported_version(self.path, self.card, "+numpy")

    def predict_proba(self, images: NDArray[np.float32]) -> NDArray[np.float32]:
        """Class probabilities for a batch of preprocessed images.

        Args:
            images: (N, 28, 28, 1) float32 in [0, 1] (any shape with 784 values per image,
                e.g. (N, 28, 28) or (N, 784), is accepted).

        Returns:
            (N, 10) float32 probabilities, rows summing to 1, index = digit.

        Raises:
            ValueError: an image does not have 28 * 28 values.
        """
        batch = np.asarray(images, dtype=np.float32)
        n = batch.shape[0] if batch.ndim else 0
        if batch.ndim < 2 or batch.size != n * INPUT_SIZE:
            raise ValueError(f"expected (N, 28, 28, 1) images, got shape {batch.shape}")
        x = batch.reshape(n, INPUT_SIZE)  # Keras' Flatten: row-major, channel last
        out = np.empty((n, NUM_CLASSES), dtype=np.float32)
        for start in range(0, n, self.batch_size):
            out[start : start + self.batch_size] = forward(self.weights, x[start : start + self.batch_size])
        return out
