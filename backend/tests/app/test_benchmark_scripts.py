"""The benchmark, the serving benchmark and the load test run end to end.

Tiny settings: smoke tests, not measurements; but the figures they print must be plausible.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import benchmark, loadtest, scale
from digits.settings import BACKEND_DIR

pytestmark = pytest.mark.slow  # each starts real servers


def _row(table: list[dict[str, Any]], label: str) -> list[Any]:
    """The values of the one row of the benchmark's JSON table whose label starts with ``label``."""
    rows = [row["values"] for row in table if row["label"].strip().startswith(label)]
    assert len(rows) >= 1, (label, [row["label"] for row in table])
    return rows[0]


def _rows(table: list[dict[str, Any]], label: str) -> list[list[Any]]:
    return [row["values"] for row in table if row["label"].strip().startswith(label)]


def _positive_finite(values: list[Any]) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) and v > 0 for v in values)


def test_benchmark_prints_the_table_for_two_engines(capsys, tmp_path: Path) -> None:
    args = ["--engines", "cnn,cnn-litert-dynamic", "--limit", "40", "--stage-runs", "3", "--requests", "20"]
    args += ["--workers", "1", "--duration", "0.5", "--batch-size", "8", "--batch-concurrency", "2"]
    args += ["--cold-start", "none", "--number-requests", "5", "--json", str(tmp_path / "b.json")]
    assert benchmark.main(args) == 0
    out = capsys.readouterr().out
    for row in (
        "MNIST test accuracy",
        "canvas drawings 280x280",
        "decode",
        "preprocess",
        "inference",
        "serialize",
        "cold start: process start to /health ready, s",
        "latency p99, ms",
        "predictions/s",
        "images/s",
        "ratio",
    ):
        assert row in out, row

    results = json.loads((tmp_path / "b.json").read_text())
    assert results["engines"] == ["cnn", "cnn-litert-dynamic"]
    table = results["table"]
    # Accuracy (percent) on the first 40 MNIST test digits, through the API's preprocessing.
    assert all(90.0 <= accuracy <= 100.0 for accuracy in _row(table, "MNIST test accuracy, PNG -> preprocess (40"))
    assert all(0.0 <= accuracy <= 100.0 for accuracy in _row(table, "canvas drawings 280x280"))
    # The in-process split and the served latencies: positive and finite milliseconds.
    for stage in ("decode", "preprocess", "inference", "serialize", "total"):
        assert _positive_finite(_row(table, stage)), stage
    for stage in results["split"].values():
        assert stage["inference_us_per_image_1"] > 0 and stage["inference_us_per_image_256"] > 0
    for label in ("latency median, ms", "latency p90, ms", "latency p99, ms"):
        assert _positive_finite(_row(table, label)), label
    median, p99 = _row(table, "latency median, ms"), _row(table, "latency p99, ms")
    assert all(m <= p for m, p in zip(median, p99, strict=True))
    assert all(value < 10_000 for value in p99)  # under 10 s per request even on a busy machine
    assert _positive_finite(_row(table, "cold start: process start to /health ready, s"))
    assert _positive_finite(_row(table, "predictions/s"))
    assert all(_positive_finite(values) for values in _rows(table, "images/s"))
    # No 5xx, no other unexpected status, no dropped connection, in any run.
    errors = _rows(table, "errors (5xx, other non-200, dropped)")
    assert len(errors) == 7  # the /predict load, both batch runs, strokes against PNG, the two number runs
    # Strokes and whole numbers: the server's own time for each of the four runs.
    assert len(_rows(table, "server (Server-Timing median): app, ms")) == 4
    assert all(_positive_finite(values) for values in _rows(table, "server (Server-Timing median): app, ms"))
    assert _positive_finite(_row(table, "server (Server-Timing median): segment, ms"))
    assert all(value == "0, 0, 0" for values in errors for value in values), errors


def test_serving_benchmark_prints_plausible_cold_start_and_memory() -> None:
    """``python -m benchmarks.serving`` on one start of the default service (2 workers)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "benchmarks.serving", "--runs", "1", "--requests", "20", "--skip-allocator"]
    done = subprocess.run(command, cwd=BACKEND_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout

    cold = re.search(r"cold start: /health ready ([\d.]+) s, every worker ready ([\d.]+) s", out)
    assert cold, out
    health, every = float(cold[1]), float(cold[2])
    assert 0 < health <= every < 120, out

    rss = re.search(r"RSS per worker: (\d+) MiB after start, (\d+) MiB after 20 predictions; supervisor (\d+) MiB", out)
    assert rss, out
    after_start, after_requests, supervisor = (int(value) for value in rss.groups())
    for mib in (after_start, after_requests, supervisor):
        assert 0 < mib < 1000, out
    assert "allocator" not in out  # --skip-allocator


def test_loadtest_passes_on_a_short_run(capsys) -> None:
    assert loadtest.main(["--duration", "1.5", "--warmup", "0.3", "--clients", "8", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "5xx answers: 0" in out and "dropped connections: 0" in out


def test_scale_demo_restarts_replicas_behind_nginx_without_a_failed_prediction(capsys, tmp_path: Path) -> None:
    """``python -m benchmarks.scale`` (``make scale-demo``) on short runs: Debian's nginx in front."""
    # 2 s runs: nginx's CPU is read from /proc in clock ticks (10 ms), and a 1 s run of nginx at
    # about 0.1 ms a prediction sometimes measured no tick at all.
    args = ["--duration", "2", "--repeats", "1", "--sweep", "20,40", "--clients", "4"]
    assert scale.main([*args, "--json", str(tmp_path / "scale.json")]) == 0
    out = capsys.readouterr().out
    assert "failed prediction requests: 0" in out and "PASS" in out
    figures = json.loads((tmp_path / "scale.json").read_text())
    assert [row["offered_per_s"] for row in figures["sweep"]] == [20, 40]
    for row in figures["sweep"]:
        assert row["failed"] == 0 and 0 < row["p50_ms"] <= row["p99_ms"]
        # An open load: never much above the offered rate (below it when the machine is busy).
        assert 0 < row["rate_per_s"] < 1.5 * row["offered_per_s"]
        assert 50 < row["rss_mib"] < 1000 and row["server_cpu_ms_per_prediction"] > 0
        # The worker kept on core 0, the load generator on the others (with two cores or more).
        assert row["worker_cpus"] == ([0] if (os.cpu_count() or 1) >= 2 else None)
    nginx_cpu = []
    for count in ("1", "2"):
        (run,) = figures["replicas"][count]
        assert run["failed"] == 0 and run["statuses"] == {"200": run["predictions"]} and run["predictions"] > 0
        nginx_cpu.append(run["nginx_cpu_ms_per_prediction"])
    assert min(nginx_cpu) >= 0 and max(nginx_cpu) > 0
    restart = figures["rolling_restart"]
    assert restart["restarts_within_load"] and len(restart["events"]) == 4
    assert restart["failed"] == 0 and restart["dropped"] == 0 and restart["statuses"] == {"200": restart["predictions"]}


def test_scale_demo_measures_feedback_writes_on_postgresql(capsys, tmp_path: Path) -> None:
    """``--feedback-database``: migrate, one replica without migrating at start, POST /feedback rows counted."""
    pytest.importorskip("digits.feedback", reason="the feedback store (issue 11) is not in this checkout")
    from tests.feedback_db import postgresql_database

    database = postgresql_database()
    url = next(database)
    try:
        args = ["--sweep", "", "--repeats", "0", "--skip-restart", "--duration", "1", "--clients", "4"]
        assert scale.main([*args, "--feedback-database", url, "--json", str(tmp_path / "scale.json")]) == 0
    finally:
        database.close()  # drops the database
    assert "writes/s" in capsys.readouterr().out
    writes = json.loads((tmp_path / "scale.json").read_text())["feedback"]
    assert writes["failed"] == 0 and writes["statuses"] == {"201": writes["predictions"]} and writes["predictions"] > 0
    assert writes["rows_written"] == writes["predictions"]  # every answered write is a row, nothing more
    assert 1_000 < writes["table_bytes_per_row"] < 100_000 and writes["postgres_cpu_ms_per_write"] >= 0


def test_scale_demo_holds_a_cpu_latency_request_only_while_it_runs(tmp_path: Path, monkeypatch) -> None:
    """``--cpu-latency-us``: the request (a native int32) is written to the PM QoS device and the
    device closed after the run (the kernel drops the request then); without the device, a clear exit."""
    device = tmp_path / "cpu_dma_latency"
    device.write_bytes(b"")
    monkeypatch.setattr(scale, "CPU_LATENCY_DEVICE", str(device))

    def held() -> bool:
        return any(os.path.realpath(fd) == str(device) for fd in Path("/proc/self/fd").iterdir())

    with scale.cpu_latency_request(0):
        assert device.read_bytes() == (0).to_bytes(4, sys.byteorder) and held()
    assert not held()
    with scale.cpu_latency_request(None):  # none asked: the device is never opened
        pass
    monkeypatch.setattr(scale, "CPU_LATENCY_DEVICE", str(tmp_path / "missing"))
    with pytest.raises(SystemExit, match="cpu-latency-us needs"), scale.cpu_latency_request(0):
        pass
