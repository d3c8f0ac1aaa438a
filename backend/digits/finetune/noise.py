"""Defence against wrong labels in the feedback: agreement filtering with the champion.

Some people tap the wrong digit, by mistake or on purpose. A record the champion finds
implausible, whose label it gives a probability below ``min_label_probability``, is left out
of fine-tuning. A random wrong label is such a record almost always (the champion reads its
own population well); a correct label on a drawing the champion misreads usually keeps some
probability for the true digit, so most of the corrections the fine-tune should learn from stay.
The figures (wrong labels caught, correct labels lost) are measured by
``python -m digits.finetune.loop`` on the population the model reads worst.

The idea is the classic filter of a noisy training set by the agreement of a trusted classifier
(Brodley and Friedl, "Identifying mislabeled training data", JAIR 1999), here with the champion's
probability of the given label instead of its vote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

DEFAULT_MIN_LABEL_PROBABILITY = 0.01


@dataclass(frozen=True)
class FilterResult:
    """What the label filter kept.

    Attributes:
        keep: (N,) bool, True for a record fine-tuned on.
        label_probability: (N,) float64 in [0, 1], the champion's probability of each record's label.
    """

    keep: NDArray[np.bool_]
    label_probability: NDArray[np.float64]

    @property
    def filtered_out(self) -> int:
        """How many records were left out."""
        return int((~self.keep).sum())


def agreement_filter(
    probabilities: NDArray[np.floating], targets: NDArray[np.integer], min_label_probability: float
) -> FilterResult:
    """Keep the records whose label the champion finds plausible.

    Args:
        probabilities: (N, C) the champion's probabilities (C = 10 or 11; rows need not sum to 1,
            they are normalised).
        targets: (N,) class indices in [0, C) (10 = not a digit).
        min_label_probability: in [0, 1]; a record whose label gets less is left out (0 keeps all).

    Raises:
        ValueError: shapes that do not match, a target outside [0, C), or a threshold outside [0, 1].
    """
    rows = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(targets, dtype=np.int64)
    if rows.ndim != 2 or labels.shape != (rows.shape[0],):
        raise ValueError(f"expected (N, C) probabilities and (N,) targets, got {rows.shape} and {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() >= rows.shape[1]):
        raise ValueError(f"targets must be in [0, {rows.shape[1]})")
    if not 0.0 <= min_label_probability <= 1.0:
        raise ValueError("min_label_probability must be in [0, 1]")
    normalised = rows / np.maximum(rows.sum(axis=1, keepdims=True), 1e-12)
    label_probability = normalised[np.arange(len(labels)), labels]
    return FilterResult(keep=label_probability >= min_label_probability, label_probability=label_probability)
