"""Reloading the engines without downtime: ``POST /admin/reload`` and SIGHUP, under load."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from app.main import create_app
from app.services import reloading
from digits.data.rendering import render_canvas
from digits.settings import BACKEND_DIR
from tests.helpers import b64, free_port, serve

MODELS = ["cnn", "mlp-numpy"]


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[tuple[str, object]]:
    """The app loading its own engines (no test override: the reload is real), over real HTTP."""
    settings = Settings(models=MODELS, database_url=f"sqlite:///{tmp_path / 'feedback.db'}", access_log=False)
    app = create_app(settings)
    with serve(app, startup_s=60) as url:
        yield url, app


def test_reload_under_load_fails_no_request(live_app, mnist) -> None:
    url, app = live_app
    canvases = [b64(render_canvas(mnist.x_test[i])) for i in range(8)]
    expected = [int(mnist.y_test[i]) for i in range(8)]
    stop = threading.Event()
    results: list[tuple[float, int, int | None]] = []  # (finished at, status, digit)
    lock = threading.Lock()

    def hammer(worker: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            i = worker
            while not stop.is_set():
                index = i % len(canvases)
                try:
                    response = client.post("/predict", json={"image": canvases[index], "model": MODELS[i % 2]})
                    status = response.status_code
                    digit = response.json().get("digit") if status == 200 else None
                except httpx.HTTPError:
                    status, digit = -1, None
                with lock:
                    results.append((time.monotonic(), status, digit if digit == expected[index] else -1))
                i += 1

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    windows = []
    served = []
    with httpx.Client(base_url=url, timeout=60) as admin:
        for _ in range(3):
            before = app.state.engines
            started = time.monotonic()
            response = admin.post("/admin/reload")
            windows.append((started, time.monotonic()))
            assert response.status_code == 200, response.text
            assert set(response.json()["models"]) == set(MODELS)
            assert app.state.engines is not before  # swapped
            served.append(app.state.engines)
            time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) >= 20  # a loaded 2-core machine answers a few dozen; an idle one hundreds
    failures = [r for r in results if r[1] != 200]
    assert not failures, f"{len(failures)} of {len(results)} requests failed: {failures[:5]}"
    assert all(r[2] != -1 for r in results), "a request was answered wrongly"
    during = sum(1 for at, _, _ in results if any(start <= at <= end for start, end in windows))
    assert during > 0, "no request was answered while the engines were being loaded"
    assert len({id(engines) for engines in served}) == 3


def test_a_reload_that_loses_a_model_changes_nothing(live_app, monkeypatch) -> None:
    url, app = live_app
    before = app.state.engines
    monkeypatch.setattr(reloading.engine_loading, "load_engines", lambda *_: ({}, {"cnn": "file is truncated"}))
    response = httpx.post(url + "/admin/reload", timeout=30)
    assert response.status_code == 503 and response.json()["code"] == "reload_failed"
    assert "file is truncated" in response.json()["detail"]
    assert app.state.engines is before
    assert httpx.get(url + "/health", timeout=5).status_code == 200


@pytest.mark.slow
def test_sighup_reloads_every_worker(tmp_path: Path, mnist) -> None:
    """``kill -HUP`` on ``python -m app``: the supervisor passes it on; each worker reloads; requests go on."""
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "2",
        "MODELS": json.dumps(["cnn"]),
        "DEFAULT_MODEL": "cnn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.db'}",
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "info",
        "ACCESS_LOG": "false",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log_path = tmp_path / "server.log"
    canvas = b64(render_canvas(mnist.x_test[0]))
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "app"], cwd=BACKEND_DIR, env=env, stdout=log, stderr=log)
    try:
        wait_for_log(log_path, "Application startup complete", 2, process)
        os.kill(process.pid, signal.SIGHUP)
        deadline = time.monotonic() + 60
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            while log_path.read_text(errors="replace").count("reloaded models") < 2:
                assert client.post("/predict", json={"image": canvas}).status_code == 200
                if time.monotonic() > deadline:
                    pytest.fail(f"the workers did not reload:\n{log_path.read_text(errors='replace')[-3000:]}")
                time.sleep(0.05)
            assert client.post("/predict", json={"image": canvas}).status_code == 200
        assert process.poll() is None
        assert (tmp_path / "feedback.db").is_file()  # migrated once, before the workers
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def wait_for_log(path: Path, text: str, count: int, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    """Wait until ``text`` appears ``count`` times in the server's log."""
    deadline = time.monotonic() + timeout_s
    while path.read_text(errors="replace").count(text) < count:
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the server did not start:\n{path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
