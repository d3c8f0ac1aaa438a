"""Scoring through the service's own preprocessing: accuracy, and an export's agreement with its source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import numpy as np
from numpy.typing import NDArray

from digits.cards import ModelCard
from digits.engines.base import PredictProba, predict_batched
from digits.preprocessing import preprocess_bytes
from digits.verdict import digit_probabilities


def preprocess_all(images: Sequence[bytes]) -> NDArray[np.float32]:
    """Encoded images -> (N, 28, 28, 1) float32 in [0, 1] through the API's preprocessing."""
    return np.stack([preprocess_bytes(data).image for data in images])[..., None]


def score(
    predict_proba: PredictProba, inputs: NDArray[np.float32], labels: NDArray[np.uint8], batch_size: int = 500
) -> float:
    """Accuracy (fraction in [0, 1]) of ``predict_proba`` on preprocessed digits: the digit the API
    would answer (the most probable of 0-9, whatever an 11-class model thinks of "not a digit").

    Args:
        predict_proba: (N, 28, 28, 1) float32 -> (N, 10) or (N, 11) probabilities, e.g. an engine's.
        inputs: (N, 28, 28, 1) float32 in [0, 1].
        labels: (N,) uint8 in [0, 9].
        batch_size: images per call (:func:`digits.engines.predict_batched`).
    """
    if len(inputs) == 0:
        return 0.0
    return float((predict_digits(predict_proba, inputs, batch_size) == labels).mean())


def predict_digits(
    predict_proba: PredictProba, inputs: NDArray[np.float32], batch_size: int = 500
) -> NDArray[np.int64]:
    """(N, 28, 28, 1) float32 inputs -> (N,) the digit the API would answer for each (0-9).

    The most probable digit, whatever an 11-class model thinks of "not a digit"
    (:func:`digits.verdict.digit_probabilities`).
    """
    predicted: NDArray[np.int64] = digit_probabilities(predict_batched(predict_proba, inputs, batch_size)).argmax(
        axis=1
    )
    return predicted


class Agreement(TypedDict):
    """An export's agreement with its source on a labelled set (fields of :class:`digits.cards.ModelCard`)."""

    test_accuracy: float
    source_test_accuracy: float
    accuracy_change: float
    same_digit_as_source: float
    max_probability_difference: float


def agreement(
    probabilities: NDArray[np.float32], reference: NDArray[np.float32], labels: NDArray[np.uint8]
) -> Agreement:
    """How an exported model (``probabilities``, (N, 10)) compares with its source (``reference``).

    Returns:
        test_accuracy, source_test_accuracy, accuracy_change (fractions in [0, 1] / [-1, 1]),
        same_digit_as_source (fraction), max_probability_difference (absolute).
    """
    digits, source_digits = digit_probabilities(probabilities).argmax(1), digit_probabilities(reference).argmax(1)
    accuracy = float((digits == labels).mean())
    source = float((source_digits == labels).mean())
    return {  # a TypedDict literal
        "test_accuracy": round(accuracy, 5),
        "source_test_accuracy": round(source, 5),
        "accuracy_change": round(accuracy - source, 5),
        "same_digit_as_source": round(float((probabilities.argmax(1) == reference.argmax(1)).mean()), 5),
        "max_probability_difference": float(np.abs(probabilities - reference).max()),
    }


def describe_agreement(card: ModelCard) -> str:
    """One line for an export's card: its accuracy, its source's, same digit, largest difference."""
    return (
        f"test accuracy {(card.test_accuracy or 0) * 100:.2f} % "
        f"(source {(card.source_test_accuracy or 0) * 100:.2f} %), "
        f"same digit {(card.same_digit_as_source or 0) * 100:.2f} %, "
        f"max |dp| {card.max_probability_difference or 0:.2e}"
    )
