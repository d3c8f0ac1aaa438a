"""Feedback records as ``python -m digits.feedback.export`` writes them: one JSON object per line.

The format (owned by :mod:`digits.feedback`, see ``GET /feedback/export``)::

    {"id": str, "created_at": ISO-8601 UTC str, "client": str (salted hash of a browser id),
     "label": int 0-9 or null (= not a digit), "predicted": int or null, "model_version": str,
     "probabilities": [float, ...] or null, "input_image": base64 PNG, 28x28 8-bit grayscale (the
     model input as the preprocessing produced it: white digit on black), "image": base64 of the
     original bytes, "strokes": [[[x, y, t_ms], ...], ...] or null, "canvas": {"width", "height"}
     or null, "device": "touch" | "mouse" | "pen" | null}

Retraining reads ``input_image`` only: it already is the model input, so training and serving
share one preprocessing path (:mod:`digits.preprocessing`). :func:`feedback_record` writes the
same format, for tests and for the loop experiment (:mod:`digits.finetune.loop`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, UnidentifiedImageError

from digits.preprocessing import FRAME_SIZE, to_png
from digits.verdict import NOT_A_DIGIT_CLASS


class FeedbackFormatError(ValueError):
    """A line of the export is not a feedback record; the message names the line and the field."""


@dataclass(frozen=True)
class FeedbackRecord:
    """One labelled drawing.

    Attributes:
        id: the record's id.
        created_at: when it was sent (timezone-aware, UTC).
        client: opaque client key (a salted hash), the unit the split keeps together.
        label: 0-9, or None for "not a digit".
        predicted: what the model answered, or None.
        model_version: the model that answered.
        image: (28, 28) float32 in [0, 1], white ink on black: the model input.
    """

    id: str
    created_at: dt.datetime
    client: str
    label: int | None
    predicted: int | None
    model_version: str
    image: NDArray[np.float32]

    @property
    def target(self) -> int:
        """The class index trained on: the digit, or 10 (not a digit) for a null label."""
        return NOT_A_DIGIT_CLASS if self.label is None else self.label


def decode_input_image(text: str) -> NDArray[np.float32]:
    """Base64 PNG of a 28x28 8-bit grayscale image -> (28, 28) float32 in [0, 1].

    Raises:
        FeedbackFormatError: not base64, not an image, or not 28x28.
    """
    try:
        img = Image.open(io.BytesIO(base64.b64decode(text, validate=True)))
        img.load()
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError) as exc:
        raise FeedbackFormatError(f"input_image is not a base64 image: {exc}") from exc
    if img.size != (FRAME_SIZE, FRAME_SIZE):
        raise FeedbackFormatError(f"input_image is {img.size[0]}x{img.size[1]}, expected {FRAME_SIZE}x{FRAME_SIZE}")
    return np.asarray(img.convert("L"), dtype=np.float32) / 255.0


def parse_record(obj: dict[str, Any]) -> FeedbackRecord:
    """One exported JSON object -> :class:`FeedbackRecord`.

    Raises:
        FeedbackFormatError: a missing field, a label outside 0-9/null, a bad time or image.
    """
    try:
        label = obj["label"]
        if label is not None and (not isinstance(label, int) or isinstance(label, bool) or not 0 <= label <= 9):
            raise FeedbackFormatError(f"label must be 0-9 or null, got {label!r}")
        created = dt.datetime.fromisoformat(str(obj["created_at"]).replace("Z", "+00:00"))
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)
        predicted = obj.get("predicted")
        return FeedbackRecord(
            id=str(obj["id"]),
            created_at=created.astimezone(dt.UTC),
            client=str(obj["client"]),
            label=label,
            predicted=int(predicted) if isinstance(predicted, int) else None,
            model_version=str(obj.get("model_version") or ""),
            image=decode_input_image(str(obj["input_image"])),
        )
    except KeyError as exc:
        raise FeedbackFormatError(f"missing field {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        if isinstance(exc, FeedbackFormatError):
            raise
        raise FeedbackFormatError(str(exc)) from exc


def iter_jsonl(path: Path) -> Iterator[FeedbackRecord]:
    """The records of an export file, in file order; blank lines are skipped.

    Raises:
        FileNotFoundError: no such file.
        FeedbackFormatError: a line is not a record (the message gives the line number).
    """
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise FeedbackFormatError("not a JSON object")
                yield parse_record(obj)
            except (json.JSONDecodeError, FeedbackFormatError) as exc:
                raise FeedbackFormatError(f"{path}:{number}: {exc}") from exc


def read_jsonl(path: Path) -> list[FeedbackRecord]:
    """Every record of an export file (:func:`iter_jsonl`)."""
    return list(iter_jsonl(path))


def feedback_record(
    *,
    id: str,
    image: NDArray[np.float32],
    label: int | None,
    client: str,
    created_at: dt.datetime,
    original: bytes | None = None,
    predicted: int | None = None,
    probabilities: list[float] | None = None,
    model_version: str = "",
) -> dict[str, Any]:
    """A record in the export format (every field of the contract), for tests and experiments.

    Args:
        id: the record's id.
        image: (28, 28) float32 in [0, 1], the model input (stored as ``input_image``, a PNG).
        label: 0-9 or None (not a digit).
        client: the client key.
        created_at: timezone-aware time.
        original: the bytes the client sent (``image``); the input PNG when None.
        predicted, probabilities, model_version: what the model answered.
    """
    png = to_png(image)
    return {
        "id": id,
        "created_at": created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "client": client,
        "label": label,
        "predicted": predicted,
        "model_version": model_version,
        "probabilities": probabilities,
        "input_image": base64.b64encode(png).decode("ascii"),
        "image": base64.b64encode(original if original is not None else png).decode("ascii"),
        "strokes": None,
        "canvas": None,
        "device": None,
    }


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records (dicts of the export format) one per line; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, separators=(",", ":")) + "\n")
            count += 1
    return count
