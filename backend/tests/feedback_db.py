"""Feedback databases for the tests: a SQLite file, or a database on the real PostgreSQL server.

The server is ``PG_TEST_URL`` (default ``postgresql://digits:digits@127.0.0.1:5432/postgres``,
the maintenance database of the server ``make postgresql`` installs and starts). Each test
session creates its own uniquely named database there (several checkouts share the server)
with pytest-postgresql's :class:`DatabaseJanitor`, and drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql.janitor import DatabaseJanitor
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from digits.feedback import FeedbackStore
from digits.feedback.migrate import upgrade
from digits.feedback.models import Feedback

PG_TEST_URL = "postgresql://digits:digits@127.0.0.1:5432/postgres"


def sqlite_database(folder: Path) -> str:
    """A migrated SQLite feedback database in ``folder``; its URL."""
    url = f"sqlite:///{folder / 'feedback.db'}"
    upgrade(url)
    return url


def postgresql_database() -> Iterator[str]:
    """Create a migrated database on the test server, yield its URL, drop it."""
    server = make_url(os.environ.get("PG_TEST_URL", PG_TEST_URL))
    name = f"digits_feedback_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    janitor = DatabaseJanitor(
        user=server.username or "digits",
        host=server.host or "127.0.0.1",
        port=server.port or 5432,
        dbname=name,
        maintenance_dbname=server.database or "postgres",
        password=server.password,
    )
    try:
        janitor.init()
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {server.render_as_string()} is not reachable ({exc}): run `make postgresql`")
    url = server.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        janitor.drop()


def empty(url: str) -> None:
    """Delete every drawing (the schema and the salt stay)."""
    store = FeedbackStore(url)
    try:
        with store.session() as session, session.begin():
            session.execute(delete(Feedback))
    finally:
        store.close()
