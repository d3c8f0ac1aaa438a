"""``python -m app``: serve with uvicorn on the configured host, port and worker processes.

Everything comes from :class:`app.core.config.Settings` (environment variables): ``HOST``,
``PORT``, ``WORKERS`` (2 by default: one per core), ``LOG_LEVEL`` and
``GRACEFUL_SHUTDOWN_SECONDS``: on SIGTERM or SIGINT uvicorn stops accepting connections, closes
idle keep-alive connections, lets in-flight requests finish for up to that many seconds, then
cancels what is left and exits.

With more than one worker, each listens on its own ``SO_REUSEPORT`` socket on the same port and
:class:`app.supervisor.Supervisor` watches them (why: see that module); where ``SO_REUSEPORT``
is missing it falls back to uvicorn's ``--workers``.

The feedback database is migrated once, before the workers start (``DATABASE_MIGRATE_ON_START``);
SIGHUP reloads every worker's engines.

Prometheus metrics are then kept in ``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary directory
unless set), so that ``GET /metrics`` on any worker reports the whole service; BLAS/OpenMP pools
get ``INFERENCE_THREADS`` threads per worker so the workers do not oversubscribe the cores.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
from pathlib import Path

import uvicorn

from app.core.config import Settings, get_settings
from app.supervisor import Supervisor, logger, uvicorn_options
from digits.feedback.migrate import upgrade

_THREAD_POOL_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _prepare_multiprocess_metrics() -> str | None:
    """Point prometheus-client at an empty directory; return it if this process created it."""
    existing = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if existing:
        directory = Path(existing)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # values of a previous run would be added up
            stale.unlink()
        return None
    created = tempfile.mkdtemp(prefix="digits-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = created
    return created


def migrate_database(settings: Settings) -> None:
    """Bring the feedback database to the latest schema; a failure is logged (predictions need no database)."""
    try:
        upgrade(settings.database_url)
    except Exception as exc:  # any driver error: the workers answer 503 on /feedback until it works
        logger.error("the feedback database could not be migrated: %s", exc)


def serve(settings: Settings) -> int:
    """Run the service with ``settings`` until it is stopped (SIGTERM, SIGINT); the exit status."""
    created = None
    if settings.workers > 1 and settings.database_migrate_on_start:
        # Migrate once here rather than in every worker at the same time.
        migrate_database(settings)
        os.environ["DATABASE_MIGRATE_ON_START"] = "false"  # the spawned workers read it
    if settings.workers > 1:
        created = _prepare_multiprocess_metrics()
        for variable in _THREAD_POOL_VARIABLES:
            os.environ.setdefault(variable, str(settings.inference_threads))
    options = uvicorn_options(settings)
    try:
        if settings.workers == 1:
            uvicorn.run("app.main:app", **options)
            return 0
        if not hasattr(socket, "SO_REUSEPORT"):  # pragma: no cover - not Linux
            uvicorn.run("app.main:app", workers=settings.workers, **options)
            return 0
        level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
        logging.basicConfig(level=level, format="%(levelname)s:     %(message)s")
        logger.info("starting %d workers on %s:%d (SO_REUSEPORT)", settings.workers, settings.host, settings.port)
        return Supervisor(options, settings.workers, settings.worker_timeout_seconds).run()
    finally:
        if created:
            shutil.rmtree(created, ignore_errors=True)


def main() -> None:
    raise SystemExit(serve(get_settings()))


if __name__ == "__main__":
    main()
