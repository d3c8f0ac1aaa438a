"""``python -m digits.feedback.migrate [--database-url URL]``: bring the feedback database to the
latest schema (= ``alembic upgrade head``; run from ``backend/``).

The URL defaults to ``DATABASE_URL`` (:class:`digits.settings.DataSettings`). The service runs
the same upgrade at start-up when ``DATABASE_MIGRATE_ON_START`` is true.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL

from digits.feedback.store import database_url
from digits.settings import BACKEND_DIR, DataSettings

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported when a migration runs, not with this module: the service's workers import
# it but never migrate (the server process does, once), and it costs ~0.3 s of start-up.


def alembic_ini() -> Path:
    """``backend/alembic.ini``: beside the package (a source checkout), else in the working directory
    (an installed package run from a folder holding ``alembic.ini`` and ``alembic/``).

    Raises:
        FileNotFoundError: neither has one.
    """
    for candidate in (BACKEND_DIR / "alembic.ini", Path.cwd() / "alembic.ini"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"alembic.ini is neither in {BACKEND_DIR} nor in {Path.cwd()}")


def alembic_config(url: str | URL) -> Config:
    """The Alembic configuration of ``backend/alembic.ini``, pointed at ``url``."""
    from alembic.config import Config

    config = Config(str(alembic_ini()))
    rendered = database_url(url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade(url: str | URL | None = None) -> None:
    """Migrate the database at ``url`` (default: ``DATABASE_URL``) to the latest revision.

    Creates the SQLite file (and its folder) when missing. Raises SQLAlchemy's
    ``OperationalError`` when the database cannot be reached.
    """
    from alembic import command

    command.upgrade(alembic_config(url or DataSettings().database_url), "head")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m digits.feedback.migrate", description=__doc__)
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: env DATABASE_URL)")
    args = parser.parse_args(argv)
    url = args.database_url or os.environ.get("DATABASE_URL") or DataSettings().database_url
    upgrade(url)
    print(f"feedback database at revision head: {database_url(url).render_as_string(hide_password=True)}")


if __name__ == "__main__":
    main()
