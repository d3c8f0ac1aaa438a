"""Defence against wrong labels in the feedback: agreement filtering with the champion.

Some people tap the wrong digit, by mistake or on purpose. A record the champion finds
implausible, whose label it gives a probability below ``min_label_probability``, is left out
of fine-tuning. A random wrong label is such a record almost always (the champion reads its
own population well); a correct label on a drawing the champion misreads usually keeps some
probability for the true digit, so most of the corrections the fine-tune should learn from stay.

A digit label is judged by the champion's probabilities *among the digits* (classes 0-9,
renormalised), not against its "not a digit" class: a user who says "this is a 7" where the
champion says "not a digit" disagrees about whether it is a digit at all, which is exactly the
correction an open-set model needs (a small 7 on a photo's paper, read as not a digit), while a
tap on the wrong digit still gets almost no probability among the digits. A "not a digit" label
is judged by the champion's probability of that class. Measured by the loop: with the label
judged against all 11 classes, the filter left out most of the photos the champion misread as
not a digit, and the fine-tune learned nothing from 1,000 records.
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
        label_probability: (N,) float64 in [0, 1], the champion's probability of each record's
            label: among the digits for a digit label, of the class for "not a digit".
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
            they are normalised: over the 10 digits for a digit label, over all C otherwise).
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
    among_all = rows / np.maximum(rows.sum(axis=1, keepdims=True), 1e-12)
    digits = rows[:, :10]
    among_digits = digits / np.maximum(digits.sum(axis=1, keepdims=True), 1e-12)
    index = np.arange(len(labels))
    is_digit = labels < 10
    label_probability = np.where(is_digit, among_digits[index, np.minimum(labels, 9)], among_all[index, labels])
    return FilterResult(keep=label_probability >= min_label_probability, label_probability=label_probability)
