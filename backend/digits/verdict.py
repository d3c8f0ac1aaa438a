"""From a model's probabilities to a verdict: a digit, an uncertain guess, or not a digit at all.

A model answers one of two ways:

* **10 classes** (digits 0-9, softmax): the out-of-distribution score is ``1 - max p``, the
  maximum-softmax-probability baseline (Hendrycks and Gimpel, "A baseline for detecting
  misclassified and out-of-distribution examples", ICLR 2017);
* **11 classes** (digits 0-9, then class 10 "not a digit", trained on real non-digit drawings):
  the score is the probability of class 10.

Either way the two thresholds come from the model card (``open_set``, chosen on validation data
only by ``python -m digits.evaluation.open_set``):

* ``not_a_digit`` when the score is at least ``Thresholds.not_a_digit``;
* else ``uncertain`` when the digit's probability among the digits is below ``Thresholds.uncertain``
  (an ambiguous digit: show the two leading candidates);
* else ``digit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from digits.cards import OpenSet

Verdict = Literal["digit", "uncertain", "not_a_digit"]
VERDICTS: tuple[Verdict, ...] = ("digit", "uncertain", "not_a_digit")
NOT_A_DIGIT_CLASS = 10
"""Index of the "not a digit" output of an 11-class model."""


@dataclass(frozen=True)
class Thresholds:
    """Where a model's answers change verdict.

    Attributes:
        not_a_digit: out-of-distribution score (in [0, 1]) at or above which a drawing is not a digit.
        uncertain: probability of the digit among the digits (in [0, 1]) below which it is a guess.
    """

    not_a_digit: float
    uncertain: float

    @classmethod
    def calibrated(cls, open_set: OpenSet | None) -> Thresholds:
        """A model card's ``open_set`` thresholds (chosen on validation data by
        ``python -m digits.evaluation.open_set``), or :data:`DEFAULT_THRESHOLDS` without them."""
        if open_set is None:
            return DEFAULT_THRESHOLDS
        return cls(not_a_digit=open_set.not_a_digit_threshold, uncertain=open_set.uncertain_threshold)


DEFAULT_THRESHOLDS = Thresholds(not_a_digit=0.9, uncertain=0.7)
"""For a model whose card has no calibrated ones: not a digit below 10 % confidence (10 classes)."""


@dataclass(frozen=True)
class Readings:
    """What a model read in N images.

    Attributes:
        digits: (N,) int64, the most probable digit.
        confidences: (N,) float64 in [0, 1], its probability among the digits.
        probabilities: (N, 10) float64, each row the probabilities of 0-9 among the digits (sums to 1).
        not_a_digit: (N,) float64 in [0, 1], the out-of-distribution score (:func:`not_digit_score`).
        verdicts: the N verdicts.
    """

    digits: NDArray[np.int64]
    confidences: NDArray[np.float64]
    probabilities: NDArray[np.float64]
    not_a_digit: NDArray[np.float64]
    verdicts: list[Verdict]


def not_digit_score(probabilities: NDArray[np.floating]) -> NDArray[np.float64]:
    """(N, 10) or (N, 11) probabilities -> (N,) float64 in [0, 1]: how little it looks like a digit.

    Raises:
        ValueError: not 10 or 11 classes.
    """
    rows = np.asarray(probabilities, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] not in (10, 11):
        raise ValueError(f"expected (N, 10) or (N, 11) probabilities, got {rows.shape}")
    if rows.shape[1] == 11:
        score: NDArray[np.float64] = rows[:, NOT_A_DIGIT_CLASS] / rows.sum(axis=1)
        return score
    msp: NDArray[np.float64] = 1.0 - rows.max(axis=1) / rows.sum(axis=1)
    return msp


def digit_probabilities(probabilities: NDArray[np.floating]) -> NDArray[np.float64]:
    """(N, 10) or (N, 11) -> (N, 10) float64: the digits' probabilities given a digit (rows sum to 1).

    The engines' float32 rows are off by ~1e-7; they are renormalised in float64.
    """
    rows = np.asarray(probabilities, dtype=np.float64)[:, :10]
    totals = rows.sum(axis=1, keepdims=True)
    out: NDArray[np.float64] = np.divide(rows, totals, out=np.full_like(rows, 0.1), where=totals > 0)
    return out


def verdict_of(score: float, confidence: float, thresholds: Thresholds) -> Verdict:
    """One answer's verdict from its out-of-distribution score and its confidence among the digits."""
    if score >= thresholds.not_a_digit:
        return "not_a_digit"
    return "uncertain" if confidence < thresholds.uncertain else "digit"


def read(probabilities: NDArray[np.floating], thresholds: Thresholds) -> Readings:
    """Turn (N, 10) or (N, 11) model probabilities into digits, confidences and verdicts."""
    digit_rows = digit_probabilities(probabilities)
    digits = digit_rows.argmax(axis=1) if len(digit_rows) else np.zeros(0, dtype=np.int64)
    confidences = digit_rows[np.arange(len(digits)), digits]
    scores = not_digit_score(probabilities) if len(digit_rows) else np.zeros(0)
    verdicts: list[Verdict] = [
        "not_a_digit"
        if score >= thresholds.not_a_digit
        else "uncertain"
        if confidence < thresholds.uncertain
        else "digit"
        for score, confidence in zip(scores.tolist(), confidences.tolist(), strict=True)
    ]
    return Readings(digits.astype(np.int64), confidences, digit_rows, scores, verdicts)
