"""Operability: request ids, JSON request logs, Prometheus metrics, CORS, worker layout, graceful shutdown."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

import app.__main__ as entrypoint
import app.supervisor as supervisor
from app.core.config import Settings
from app.core.observability import JsonFormatter
from benchmarks.server import Server
from digits.data.rendering import render_canvas
from digits.preprocessing import to_png
from tests.helpers import app_with_engines, b64


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def access_lines():  # type: ignore[no-untyped-def]
    handler = _Records()
    logger = logging.getLogger("digits.access")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_request_id_is_echoed_or_made(client) -> None:
    response = client.get("/health", headers={"X-Request-ID": "frontend-42.a"})
    assert response.headers["x-request-id"] == "frontend-42.a"
    made = client.get("/health").headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    for hostile in ("a" * 200, "has space", "semi;colon", "ü"):
        answer = client.get("/health", headers={"X-Request-ID": hostile.encode("utf-8")})
        assert answer.headers["x-request-id"] != hostile and len(answer.headers["x-request-id"]) == 32


def test_every_request_is_one_json_log_line(client, mnist, access_lines) -> None:
    png = render_canvas(mnist.x_test[0])
    client.post("/predict", json={"image": b64(png)}, headers={"X-Request-ID": "req-1"})
    client.post("/predict", json={"image": "@@"}, headers={"X-Request-ID": "req-2"})
    client.get("/nowhere", headers={"X-Request-ID": "req-3"})
    entries = [json.loads(line) for line in access_lines]
    by_id = {entry["request_id"]: entry for entry in entries}
    assert by_id["req-1"]["status"] == 200 and by_id["req-1"]["route"] == "/predict"
    assert by_id["req-1"]["method"] == "POST" and by_id["req-1"]["duration_ms"] > 0
    assert by_id["req-2"]["status"] == 400
    assert by_id["req-3"]["status"] == 404 and by_id["req-3"]["route"] == "unmatched"
    for entry in entries:
        assert {"time", "level", "logger", "message", "path", "bytes_sent"} <= set(entry)


def test_server_timing_splits_the_request(client, mnist) -> None:
    response = client.post("/predict", json={"image": b64(render_canvas(mnist.x_test[0]))})
    timings = dict(part.strip().split(";dur=") for part in response.headers["server-timing"].split(","))
    assert set(timings) == {"decode", "preprocess", "inference", "serialize", "app"}
    stages = sum(float(timings[stage]) for stage in ("decode", "preprocess", "inference", "serialize"))
    assert 0 < stages <= float(timings["app"])


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_in_prometheus_format(client, mnist, engine) -> None:
    before = _samples(client.get("/metrics").text)
    client.post("/predict", json={"image": b64(render_canvas(mnist.x_test[0]))})  # a 7
    client.post("/predict", json={"image": b64(to_png(mnist.x_test[1] / 255.0))})  # a 2
    client.post("/predict/batch", json={"images": [b64(to_png(mnist.x_test[0] / 255.0))] * 3 + ["@@"]})
    client.post("/predict", json={"image": "@@"})
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    after = _samples(response.text)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("digits_http_requests_total", route="/predict", method="POST", status="200") == 2
    assert grew("digits_http_requests_total", route="/predict", method="POST", status="400") == 1
    assert grew("digits_http_requests_total", route="/predict/batch", method="POST", status="200") == 1
    assert grew("digits_http_request_duration_seconds_count", route="/predict", method="POST") == 3
    assert grew("digits_predictions_total", model="cnn", digit="7") == 4
    assert grew("digits_predictions_total", model="cnn", digit="2") == 1
    assert grew("digits_images_refused_total", code="invalid_base64") == 2
    assert grew("digits_stage_seconds_count", stage="inference") == 3
    info = [key for key in after if key[0] == "digits_model_info"]
    assert any(("version", engine.version) in labels and ("default", "True") in labels for _, labels in info)


def test_metrics_can_be_turned_off(settings, engines) -> None:
    with TestClient(app_with_engines(settings.model_copy(update={"metrics": False}), engines)) as test_client:
        assert test_client.get("/metrics").status_code == 404


@pytest.mark.parametrize(
    ("environment", "origins", "allowed"),
    [
        ("development", ["http://localhost:5173"], {"http://localhost:5173": True, "http://evil.example": False}),
        ("production", ["https://digits.example"], {"https://digits.example": True, "http://evil.example": False}),
        ("production", [], {"http://localhost:5173": False, "http://evil.example": False}),
        ("development", [], {"http://evil.example": True}),  # development with no list: any origin
    ],
)
def test_cors_origins_come_from_settings(settings, engines, environment, origins, allowed) -> None:
    configured = settings.model_copy(update={"environment": environment, "cors_origins": origins})
    with TestClient(app_with_engines(configured, engines)) as test_client:
        for origin, ok in allowed.items():
            preflight = test_client.options(
                "/predict",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type,x-request-id",
                },
            )
            assert (preflight.status_code == 200) == ok, (origin, preflight.status_code)
            answer = test_client.get("/health", headers={"Origin": origin})
            assert ("access-control-allow-origin" in answer.headers) == ok
            if ok:
                exposed = answer.headers["access-control-expose-headers"].lower()
                assert "x-request-id" in exposed and "server-timing" in exposed


def test_no_wildcard_origin_by_default() -> None:
    defaults = Settings()
    assert "*" not in defaults.cors_origins
    assert Settings(environment="production").cors_origins == defaults.cors_origins


def test_python_m_app_passes_the_settings_to_uvicorn(monkeypatch) -> None:
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(entrypoint.uvicorn, "run", lambda target, **kwargs: calls.append({"target": target, **kwargs}))
    assert entrypoint.serve(Settings(workers=1, graceful_shutdown_seconds=7, port=9123, host="127.0.0.9")) == 0
    assert calls == [
        {
            "target": "app.main:app",
            "host": "127.0.0.9",
            "port": 9123,
            "log_level": "info",
            "access_log": False,
            "timeout_graceful_shutdown": 7,
        }
    ]


def test_python_m_app_supervises_several_workers(monkeypatch) -> None:
    seen: dict[str, object] = {}

    class FakeSupervisor:
        def __init__(self, options: dict[str, object], count: int, worker_timeout: float) -> None:
            seen.update(options=options, count=count, worker_timeout=worker_timeout)

        def run(self) -> int:
            directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
            seen["metrics_dir"] = directory
            assert Path(directory).is_dir()
            return 0

    monkeypatch.setattr(entrypoint, "Supervisor", FakeSupervisor)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # keep the test's changes to itself
    assert entrypoint.serve(Settings(workers=3, graceful_shutdown_seconds=7, worker_timeout_seconds=12)) == 0
    assert seen["count"] == 3 and seen["worker_timeout"] == 12
    assert seen["options"] == supervisor.uvicorn_options(Settings(graceful_shutdown_seconds=7))
    assert not Path(str(seen["metrics_dir"])).exists()  # removed after the server stopped
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"


@pytest.mark.slow
def test_a_worker_that_cannot_start_stops_the_server() -> None:
    """The port is taken by a socket without SO_REUSEPORT: the workers die at start-up, exit 1."""
    import socket

    from benchmarks.server import free_port

    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        options = supervisor.uvicorn_options(Settings(port=port, host="127.0.0.1"))
        started = time.monotonic()
        assert supervisor.Supervisor(options, 2).run() == 1
        assert time.monotonic() - started < supervisor.STARTUP_GRACE_S + 5


@pytest.mark.slow
def test_two_workers_share_metrics_and_shut_down_gracefully(mnist) -> None:
    """A real ``python -m app`` with 2 workers: metrics add up across workers; on SIGTERM an
    in-flight batch still gets its full answer and the server exits cleanly."""
    from benchmarks.server import models_env, running_server

    canvas = b64(render_canvas(mnist.x_test[0]))
    env = {**models_env("cnn"), "GRACEFUL_SHUTDOWN_SECONDS": "20", "ACCESS_LOG": "false"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with running_server(env, workers=2) as server:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            for _ in range(12):  # new connections: the kernel spreads them over both workers
                with httpx.Client(base_url=server.url, timeout=60) as fresh:
                    assert fresh.post("/predict", json={"image": canvas}).status_code == 200
            metrics = _samples(http.get("/metrics").text)
            key = ("digits_http_requests_total", (("method", "POST"), ("route", "/predict"), ("status", "200")))
            assert metrics[key] == 12

        answer: dict[str, object] = {}

        def slow_batch() -> None:
            with httpx.Client(base_url=server.url, timeout=60) as http:
                response = http.post("/predict/batch", json={"images": [canvas] * 256})
                answer["status"] = response.status_code
                answer["count"] = response.json().get("count")
                answer["at"] = time.perf_counter()

        thread = threading.Thread(target=slow_batch)
        thread.start()
        time.sleep(0.3)  # the batch (256 canvases, ~0.5-2 s of work) is being processed
        signalled = time.perf_counter()
        server.process.send_signal(signal.SIGTERM)
        thread.join(timeout=60)
        assert server.process.wait(timeout=60) == 0
    assert answer["status"] == 200 and answer["count"] == 256
    assert isinstance(answer["at"], float) and answer["at"] > signalled, "the batch finished before the signal"
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url + "/health", timeout=2)


@pytest.mark.slow
def test_a_worker_that_stops_answering_is_replaced(mnist) -> None:
    """A worker whose event loop stops (SIGSTOP: alive, silent) is killed and replaced by another."""
    from benchmarks.server import models_env, running_server

    canvas = b64(render_canvas(mnist.x_test[0]))
    env = {**models_env("cnn"), "WORKER_TIMEOUT_SECONDS": "3", "ACCESS_LOG": "false"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with running_server(env, workers=2) as server:
        workers = server.worker_pids()
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGSTOP)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            current = server.worker_pids()
            if workers[0] not in current and len(current) == 2:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the stopped worker was not replaced: workers {server.worker_pids()}\n{server.log_tail()}")
        assert workers[1] in current  # the healthy worker was left alone
        assert "has not answered" in server.log_tail(60)
        wait_for_all_workers(server, 3)  # the two first, then the replacement
        for _ in range(10):  # new connections reach both workers; every one is answered
            with httpx.Client(base_url=server.url, timeout=10) as fresh:
                assert fresh.post("/predict", json={"image": canvas}).status_code == 200
        assert server.process.poll() is None  # the supervisor itself kept running


def wait_for_all_workers(server: Server, started: int, timeout_s: float = 60) -> None:
    """Wait until the log says ``started`` workers have completed their start-up."""
    log_path = server.log_path
    deadline = time.monotonic() + timeout_s
    while log_path.read_text(errors="replace").count("Application startup complete") < started:
        if time.monotonic() > deadline:
            pytest.fail("the replacement worker did not start")
        time.sleep(0.1)
