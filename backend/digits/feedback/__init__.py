"""User feedback: drawings people confirmed or corrected, stored for retraining (no web imports).

* :mod:`digits.feedback.models`: the SQLAlchemy 2 tables;
* :mod:`digits.feedback.store`: :class:`FeedbackStore` (add, stats, delete, stream) on SQLite or PostgreSQL;
* :mod:`digits.feedback.migrate`: ``python -m digits.feedback.migrate`` (Alembic ``upgrade head``);
* :mod:`digits.feedback.export`: ``python -m digits.feedback.export --output PATH.jsonl`` and
  :func:`digits.feedback.export.iter_records`.
"""

from digits.feedback.store import (
    DEVICES,
    MAX_OVERFLOW,
    POOL_SIZE,
    FeedbackStore,
    NewFeedback,
    create_db_engine,
    database_url,
)

__all__ = ["DEVICES", "MAX_OVERFLOW", "POOL_SIZE", "FeedbackStore", "NewFeedback", "create_db_engine", "database_url"]
