"""The feedback tables (SQLAlchemy 2 declarative models); the schema itself is made by Alembic.

``feedback``: one row per drawing a user confirmed or corrected. ``feedback_meta``: key/value
pairs the service needs across processes (the salt of the client hashes, made by the first
migration).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The declarative base of the feedback tables."""


class Feedback(Base):
    """One drawing with the label its author gave it.

    Attributes:
        id: a random UUID (36 characters).
        created_at: when it was accepted, timezone-aware UTC.
        client: an opaque salted hash (HMAC-SHA256, 32 hex characters) of the per-browser id the
            SPA sends in ``X-Digits-Client``, or ``anonymous``; never an IP address.
        label: the digit 0-9 the user says it is, or ``None`` for "not a digit".
        predicted: the digit the model answered, or ``None`` (it answered "not a digit", or no
            prediction was made).
        model_version: the version of the model that answered (``model_version`` of /predict).
        probabilities: the model's probabilities as the client received them, or ``None``.
        input_image: the 28x28 8-bit grayscale PNG the preprocessing made of ``image`` (the
            model input, white digit on black).
        image: the image bytes as sent (PNG, JPEG, ...), bounded by ``FEEDBACK_MAX_IMAGE_BYTES``.
        strokes: ``[[[x, y, t_ms], ...], ...]`` in canvas pixels and milliseconds, or ``None``.
        canvas_width, canvas_height: the canvas size in CSS pixels, or ``None``.
        device: ``touch``, ``mouse``, ``pen`` or ``None`` (unknown).
    """

    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[int | None] = mapped_column(SmallInteger)
    predicted: Mapped[int | None] = mapped_column(SmallInteger)
    model_version: Mapped[str] = mapped_column(String(128))
    probabilities: Mapped[list[float] | None] = mapped_column(JSON)
    input_image: Mapped[bytes] = mapped_column(LargeBinary)
    image: Mapped[bytes] = mapped_column(LargeBinary)
    strokes: Mapped[Any | None] = mapped_column(JSON)
    canvas_width: Mapped[int | None] = mapped_column(Integer)
    canvas_height: Mapped[int | None] = mapped_column(Integer)
    device: Mapped[str | None] = mapped_column(String(8))


class FeedbackMeta(Base):
    """A named value shared by every process of the service (e.g. ``client_salt``)."""

    __tablename__ = "feedback_meta"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
