"""Split feedback into train, validation and test by client and by time.

A person's drawings share a style, so one client's records never straddle two splits: the held-out
sets measure how the model reads people it has not learnt from. Clients are ordered by the time of
their first record and the newest go to test, the next to validation, the earliest to train, so
held-out data is also later in time than what the model learnt from (as the next users will be).
With fewer than ``min_clients`` clients there is no such split to make; the records are then split
by time alone (oldest to train, newest to test).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from digits.finetune.records import FeedbackRecord


@dataclass(frozen=True)
class FeedbackSplit:
    """The three parts of the feedback; every record is in exactly one.

    Attributes:
        train: records fine-tuned on.
        validation: records that choose the epoch (and nothing else).
        test: held-out records that decide the promotion.
        by: ``client`` (whole clients per split) or ``time`` (too few clients).
    """

    train: list[FeedbackRecord]
    validation: list[FeedbackRecord]
    test: list[FeedbackRecord]
    by: str

    def sizes(self) -> dict[str, int]:
        """``{"train": n, "validation": n, "test": n}``."""
        return {"train": len(self.train), "validation": len(self.validation), "test": len(self.test)}


def split_feedback(
    records: Sequence[FeedbackRecord],
    validation_fraction: float = 0.15,
    test_fraction: float = 0.25,
    min_clients: int = 5,
) -> FeedbackSplit:
    """Split ``records`` (any order) by client and time (see the module).

    Args:
        records: the feedback.
        validation_fraction, test_fraction: the share of records aimed at for each held-out split,
            in [0, 1); whole clients are added, newest first, until a split reaches its share.
        min_clients: fewer distinct clients than this splits by time alone.

    Returns:
        The split; within each part records are in time order.

    Raises:
        ValueError: fractions outside [0, 1) or summing to 1 or more.
    """
    if not (0 <= validation_fraction < 1 and 0 <= test_fraction < 1 and validation_fraction + test_fraction < 1):
        raise ValueError("validation_fraction and test_fraction must be in [0, 1) and sum to less than 1")
    ordered = sorted(records, key=lambda r: (r.created_at, r.id))
    total = len(ordered)
    by_client: dict[str, list[FeedbackRecord]] = defaultdict(list)
    for record in ordered:
        by_client[record.client].append(record)
    if len(by_client) < min_clients:
        n_test = round(total * test_fraction)
        n_val = round(total * validation_fraction)
        n_train = total - n_test - n_val
        return FeedbackSplit(ordered[:n_train], ordered[n_train : n_train + n_val], ordered[n_train + n_val :], "time")
    clients = sorted(by_client, key=lambda c: (by_client[c][0].created_at, c), reverse=True)  # newest first
    test: list[FeedbackRecord] = []
    validation: list[FeedbackRecord] = []
    train: list[FeedbackRecord] = []
    for client in clients:
        if len(test) < total * test_fraction:
            test += by_client[client]
        elif len(validation) < total * validation_fraction:
            validation += by_client[client]
        else:
            train += by_client[client]

    def in_time(part: list[FeedbackRecord]) -> list[FeedbackRecord]:
        return sorted(part, key=lambda r: (r.created_at, r.id))

    return FeedbackSplit(in_time(train), in_time(validation), in_time(test), "client")
