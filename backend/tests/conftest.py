"""Shared fixtures: the real MNIST files, the committed model, an app and a live server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from app.core.config import Settings
from digits.data.mnist import Mnist, load_mnist
from digits.engines import Engine, load_engines
from digits.settings import DataSettings
from tests import feedback_db
from tests.helpers import EVERY_MODEL, app_with_engines, free_port, serve


@pytest.fixture(scope="session", autouse=True)
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Training and fine-tuning in tests log to a throwaway MLflow store, never the developer's
    (``MLFLOW_TRACKING_URI``; :mod:`digits.training.tracking`)."""
    store = tmp_path_factory.mktemp("mlflow")
    patch = pytest.MonkeyPatch()
    patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store / 'mlflow.db'}")
    yield store
    patch.undo()


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    directory = DataSettings().mnist_dir
    if not directory.is_dir():
        pytest.fail(f"MNIST not found at {directory}: set MNIST_DIR (e.g. MNIST_DIR=../shared/data/mnist)")
    return directory


@pytest.fixture(scope="session")
def mnist(mnist_dir: Path) -> Mnist:
    return load_mnist(mnist_dir)


@pytest.fixture(scope="session")
def engines() -> dict[str, Engine]:
    """Every committed model, loaded once for the whole session."""
    loaded, errors = load_engines(EVERY_MODEL, DataSettings().models_dir)
    assert not errors, errors
    return loaded


@pytest.fixture(scope="session")
def engine(engines: dict[str, Engine]) -> Engine:
    """The default model (``cnn``)."""
    return engines["cnn"]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    database = tmp_path_factory.mktemp("feedback") / "feedback.db"
    # The admin token is set as in any deployment (the schema fuzzer checks that the admin routes refuse
    # requests without it).
    return Settings(
        max_body_bytes=1_000_000,
        max_image_pixels=2_000_000,
        database_url=f"sqlite:///{database}",
        feedback_admin_token="test-admin-token",
    )


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A fresh database on the real PostgreSQL server of ``PG_TEST_URL`` (``make postgresql`` starts
    Debian's and makes the role), created and dropped by pytest-postgresql's janitor, migrated."""
    yield from feedback_db.postgresql_database()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server of its own (Debian's ``redis-server``, which ``make redis`` installs) on a
    free local port, in memory only; its ``redis://`` URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run `make redis` (make test does)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated feedback database: a SQLite file, then the real PostgreSQL server (the
    same test runs on both)."""
    if request.param == "sqlite":
        return feedback_db.sqlite_database(tmp_path)
    url: str = request.getfixturevalue("postgresql_url")
    feedback_db.empty(url)
    return url


@pytest.fixture(scope="session")
def client(settings: Settings, engines: dict[str, Engine]) -> Iterator[object]:
    from fastapi.testclient import TestClient

    with TestClient(app_with_engines(settings, engines)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_url(settings: Settings, engines: dict[str, Engine]) -> Iterator[str]:
    """The app served by a real uvicorn on a loopback port (real HTTP)."""
    with serve(app_with_engines(settings, engines)) as url:
        yield url
