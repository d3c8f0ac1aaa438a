"""The feedback store: SQLite (embedded default, WAL) or PostgreSQL (psycopg 3) through SQLAlchemy 2.

Every method is blocking (plain SQLAlchemy sessions): the service calls them from a worker
thread, never on its event loop. The schema is Alembic's (:mod:`digits.feedback.migrate`); the
store expects it to be at ``head``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, case, create_engine, delete, event, func, or_, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from digits.feedback.models import Feedback, FeedbackMeta

DEVICES = ("touch", "mouse", "pen")
"""The device classes a drawing may come from (``device``; ``None`` when unknown)."""

ANONYMOUS = "anonymous"
"""The ``client`` of a drawing sent without a per-browser id."""

NOT_A_DIGIT = "not_a_digit"
"""The ``by_label`` key of drawings labelled "not a digit" (``label`` ``None``)."""


def database_url(url: str | URL) -> URL:
    """``url`` parsed, with PostgreSQL pointed at psycopg 3 (``postgresql://`` -> ``postgresql+psycopg://``).

    Raises:
        sqlalchemy.exc.ArgumentError: not a database URL.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


POOL_SIZE = 5
"""Connections a process keeps open to a server database by default (SQLAlchemy's ``QueuePool`` default)."""
MAX_OVERFLOW = 10
"""Connections a process may open beyond :data:`POOL_SIZE` while busy, by default (SQLAlchemy's)."""


def create_db_engine(url: str | URL, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW) -> Engine:
    """A SQLAlchemy engine for ``url``.

    SQLite: the file's folder is created, and every connection uses write-ahead logging (readers
    never block the writer), ``synchronous=NORMAL`` and a 10 s busy timeout (several worker
    processes write to one file). PostgreSQL: pooled connections, checked before use: at most
    ``pool_size`` kept open and ``max_overflow`` more while busy (SQLAlchemy's ``QueuePool``; the
    defaults, :data:`POOL_SIZE` and :data:`MAX_OVERFLOW`, are SQLAlchemy's), per process.
    """
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 10})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    return engine


@dataclass(frozen=True)
class NewFeedback:
    """A drawing to store (already checked and preprocessed by the caller).

    Attributes:
        client: the hashed client (:meth:`FeedbackStore.hash_client`).
        label: 0-9, or ``None`` for "not a digit".
        predicted: the model's digit, or ``None``.
        model_version: the answering model's version (at most 128 characters).
        input_image: the 28x28 PNG the preprocessing made (the model input).
        image: the original image bytes.
        probabilities: the model's probabilities, or ``None``.
        strokes: ``[[[x, y, t_ms], ...], ...]`` or ``None``.
        canvas: ``(width, height)`` in CSS pixels, or ``None``.
        device: one of :data:`DEVICES`, or ``None``.
    """

    client: str
    label: int | None
    predicted: int | None
    model_version: str
    input_image: bytes
    image: bytes
    probabilities: list[float] | None = None
    strokes: list[list[list[float]]] | None = None
    canvas: tuple[int, int] | None = None
    device: str | None = None


def _agrees() -> Any:
    """SQL: the label is the prediction (both ``None`` -- "not a digit" -- counts too)."""
    return case(
        (
            or_(
                Feedback.label == Feedback.predicted,
                Feedback.label.is_(None) & Feedback.predicted.is_(None),
            ),
            1,
        ),
        else_=0,
    )


def record(row: Feedback) -> dict[str, Any]:
    """One stored drawing as the export's JSON object (see :func:`digits.feedback.export.iter_records`)."""
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    canvas = (
        {"width": row.canvas_width, "height": row.canvas_height}
        if row.canvas_width is not None and row.canvas_height is not None
        else None
    )
    return {
        "id": row.id,
        "created_at": created.astimezone(UTC).isoformat(),
        "client": row.client,
        "label": row.label,
        "predicted": row.predicted,
        "model_version": row.model_version,
        "probabilities": row.probabilities,
        "input_image": base64.b64encode(row.input_image).decode("ascii"),
        "image": base64.b64encode(row.image).decode("ascii"),
        "strokes": row.strokes,
        "canvas": canvas,
        "device": row.device,
    }


class FeedbackStore:
    """Adds, counts, deletes and streams feedback in the database at ``url`` (migrated to head).

    Args:
        url: a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql+psycopg://user:pw@host:5432/db``).
        pool_size, max_overflow: the connection pool of a server database (:func:`create_db_engine`).
    """

    def __init__(self, url: str | URL, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW) -> None:
        self.engine = create_db_engine(url, pool_size, max_overflow)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._salt: bytes | None = None

    def close(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()

    def session(self) -> Session:
        """A new session (use it as a context manager)."""
        return self._sessions()

    def client_salt(self) -> bytes:
        """The salt of the client hashes: ``feedback_meta.client_salt``, random, made by the first migration.

        Raises:
            LookupError: the database was not migrated (no salt).
        """
        if self._salt is None:
            with self.session() as session:
                value = session.get(FeedbackMeta, "client_salt")
            if value is None:
                raise LookupError("feedback_meta has no client_salt: run `python -m digits.feedback.migrate`")
            self._salt = value.value.encode("ascii")
        return self._salt

    def hash_client(self, client_id: str | None) -> str:
        """The stored, opaque form of a per-browser id: HMAC-SHA256 with :meth:`client_salt`, 32 hex
        characters; :data:`ANONYMOUS` for ``None``. The id itself is never stored."""
        if not client_id:
            return ANONYMOUS
        return hmac.new(self.client_salt(), client_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def add(self, item: NewFeedback, now: datetime | None = None) -> str:
        """Store one drawing; returns its new id (a UUID string)."""
        row = Feedback(
            id=str(uuid.uuid4()),
            created_at=now or datetime.now(UTC),
            client=item.client,
            label=item.label,
            predicted=item.predicted,
            model_version=item.model_version,
            probabilities=item.probabilities,
            input_image=item.input_image,
            image=item.image,
            strokes=item.strokes,
            canvas_width=item.canvas[0] if item.canvas else None,
            canvas_height=item.canvas[1] if item.canvas else None,
            device=item.device,
        )
        with self.session() as session, session.begin():
            session.add(row)
        return row.id

    def delete(self, feedback_id: str) -> bool:
        """Delete one drawing; ``False`` when there is none with that id."""
        with self.session() as session, session.begin():
            result = session.execute(delete(Feedback).where(Feedback.id == feedback_id))
        return bool(getattr(result, "rowcount", 0))

    def stats(self) -> dict[str, Any]:
        """Counts: ``{"total": int, "by_label": {"0".."9", "not_a_digit": int}, "agreement": float | None,
        "by_model_version": {version: {"total": int, "agreement": float}}}``.

        ``agreement`` is the share (0-1) of drawings whose label is the model's prediction ("not
        a digit" for both counts); ``None`` while there are none.
        """
        with self.session() as session:
            by_label = dict(session.execute(select(Feedback.label, func.count()).group_by(Feedback.label)).all())
            versions = session.execute(
                select(Feedback.model_version, func.count(), func.sum(_agrees())).group_by(Feedback.model_version)
            ).all()
        total = sum(int(count) for count in by_label.values())
        agreeing = sum(int(agree or 0) for _, _, agree in versions)
        labels = {str(digit): int(by_label.get(digit, 0)) for digit in range(10)}
        labels[NOT_A_DIGIT] = int(by_label.get(None, 0))
        return {
            "total": total,
            "by_label": labels,
            "agreement": agreeing / total if total else None,
            "by_model_version": {
                version: {"total": int(count), "agreement": int(agree or 0) / int(count)}
                for version, count, agree in sorted(versions, key=lambda row: str(row[0]))
            },
        }

    def iter_records(self, batch_size: int = 256) -> Iterator[dict[str, Any]]:
        """Every drawing as an export record (:func:`record`), oldest first, ``batch_size`` rows
        fetched at a time (a server-side cursor on PostgreSQL): memory stays flat."""
        with self.session() as session:
            rows = session.scalars(
                select(Feedback).order_by(Feedback.created_at, Feedback.id).execution_options(yield_per=batch_size)
            )
            for row in rows:
                yield record(row)
