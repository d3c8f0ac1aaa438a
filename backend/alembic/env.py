"""Alembic environment: migrate the database of ``DATABASE_URL`` (or the URL the caller set).

:func:`digits.feedback.migrate.upgrade` passes its URL as the config's ``sqlalchemy.url``;
plain ``alembic upgrade head`` uses ``DATABASE_URL`` (the default: the SQLite file in
``backend/data/``). On PostgreSQL the upgrade holds an advisory lock, so that several processes
migrating at start-up run one after the other.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from digits.feedback.models import Base
from digits.feedback.store import create_db_engine
from digits.settings import DataSettings

MIGRATION_LOCK = 4_711_011
"""The PostgreSQL advisory lock key held while migrating."""

config = context.config
url = config.get_main_option("sqlalchemy.url") or DataSettings().database_url
target_metadata = Base.metadata


def run_offline() -> None:
    """Emit the SQL (``alembic upgrade head --sql``) instead of running it."""
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
            try:
                context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
                with context.begin_transaction():
                    context.run_migrations()
            finally:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                    connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
