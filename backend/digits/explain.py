"""Saliency: which pixels of the 28x28 model input drove an answer.

Two methods, one result: a (28, 28) float32 map in [0, 1] (1 = the pixel that mattered most), on
the grid of :func:`digits.preprocessing.preprocess`'s output.

* :func:`occlusion_saliency` works for every engine (LiteRT, NumPy, TTA, Keras): patches of the
  input are blanked (set to the background, 0) and the drop in the answer's probability is
  spread over the blanked pixels (Zeiler & Fergus 2014, "Visualizing and Understanding
  Convolutional Networks", section 4.2). All occluded copies go through the engine in one
  batched ``predict_proba`` call.
* :func:`gradient_saliency` is gradient x input: the gradient of the answer's probability with
  respect to the input (Simonyan et al. 2014, "Deep Inside Convolutional Networks", section 3)
  times the input, in magnitude (Shrikumar et al. 2016, "Not Just a Black Box"), so the map
  shows which strokes drove the answer rather than where ink would change it; for an engine that
  holds a differentiable Keras model (``KerasEngine.input_gradient``).

:func:`saliency` picks the gradient where the engine offers it, occlusion otherwise.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from digits.engines.base import PredictProba

SIZE = 28
OCCLUSION_PATCH = 6
"""Side of the blanked square, in pixels of the 28x28 input (a stroke is 2.5-5 px wide)."""
OCCLUSION_STRIDE = 2
"""Step between two patches: 12 x 12 = 144 occluded copies per answer."""


@runtime_checkable
class GradientEngine(Protocol):
    """An engine that can differentiate its probabilities with respect to its input."""

    def input_gradient(self, image: NDArray[np.float32], target: int) -> NDArray[np.float32]:
        """(28, 28) float32 input -> (28, 28) float32 d probability[target] / d input."""
        ...


def _normalise(values: NDArray[np.float32]) -> NDArray[np.float32]:
    """Clip below 0 and scale so that the largest value is 1; all zeros stay zeros."""
    clipped = np.clip(values, 0.0, None)
    peak = float(clipped.max(initial=0.0))
    return (clipped / peak if peak > 0 else clipped).astype(np.float32)


def occlusion_batch(
    image: NDArray[np.float32], patch: int = OCCLUSION_PATCH, stride: int = OCCLUSION_STRIDE
) -> tuple[NDArray[np.float32], list[tuple[int, int]]]:
    """Every occluded copy of ``image``: (K, 28, 28, 1) float32 and each patch's top-left corner.

    Patches start every ``stride`` pixels and cover the whole image (the last row and column of
    patches end at the border).
    """
    starts = sorted({*range(0, SIZE - patch + 1, stride), SIZE - patch})
    corners = [(row, col) for row in starts for col in starts]
    batch = np.repeat(image[None, :, :, None], len(corners), axis=0).astype(np.float32)
    for k, (row, col) in enumerate(corners):
        batch[k, row : row + patch, col : col + patch, 0] = 0.0
    return batch, corners


def occlusion_saliency(
    predict_proba: PredictProba,
    image: NDArray[np.float32],
    target: int,
    patch: int = OCCLUSION_PATCH,
    stride: int = OCCLUSION_STRIDE,
) -> NDArray[np.float32]:
    """Occlusion sensitivity of class ``target`` for one preprocessed image.

    Args:
        predict_proba: an engine's ``predict_proba`` ((N, 28, 28, 1) -> (N, C)); called once,
            with the original image and every occluded copy in one batch.
        image: (28, 28) float32 in [0, 1], white ink on black (the output of ``preprocess``).
        target: the class explained (the answered digit), 0 <= target < C.
        patch, stride: size of the blanked square and the step between squares, in pixels.

    Returns:
        (28, 28) float32 in [0, 1]: each pixel's mean drop of ``probability[target]`` over the
        patches that blank it, clipped at 0 and scaled to a maximum of 1 (all zeros when no patch
        lowers the probability, e.g. for an empty image).

    Raises:
        ValueError: ``image`` is not 28x28.
    """
    if image.shape != (SIZE, SIZE):
        raise ValueError(f"expected a (28, 28) image, got {image.shape}")
    occluded, corners = occlusion_batch(image, patch, stride)
    batch = np.concatenate([image[None, :, :, None].astype(np.float32), occluded])
    probabilities = predict_proba(batch)[:, target]
    drops = probabilities[0] - probabilities[1:]
    total = np.zeros((SIZE, SIZE), np.float64)
    counts = np.zeros((SIZE, SIZE), np.float64)
    for drop, (row, col) in zip(drops, corners, strict=True):
        total[row : row + patch, col : col + patch] += drop
        counts[row : row + patch, col : col + patch] += 1
    return _normalise((total / np.maximum(counts, 1)).astype(np.float32))


def gradient_saliency(engine: GradientEngine, image: NDArray[np.float32], target: int) -> NDArray[np.float32]:
    """|input x d probability[target] / d input| for one (28, 28) float32 image, scaled to [0, 1].

    Raises:
        ValueError: ``image`` is not 28x28.
    """
    if image.shape != (SIZE, SIZE):
        raise ValueError(f"expected a (28, 28) image, got {image.shape}")
    pixels = image.astype(np.float32)
    return _normalise(np.abs(pixels * engine.input_gradient(pixels, target)))


def saliency(
    engine: object, predict_proba: PredictProba, image: NDArray[np.float32], target: int
) -> NDArray[np.float32]:
    """The saliency of ``target`` for ``image``: gradients where ``engine`` has them, else occlusion.

    Args:
        engine: any engine; one with ``input_gradient`` (:class:`GradientEngine`, the Keras engine)
            is explained by its gradient.
        predict_proba: the engine's ``predict_proba``, for occlusion.
        image, target: as :func:`occlusion_saliency`.

    Returns:
        (28, 28) float32 in [0, 1].
    """
    if isinstance(engine, GradientEngine):
        return gradient_saliency(engine, image, target)
    return occlusion_saliency(predict_proba, image, target)
