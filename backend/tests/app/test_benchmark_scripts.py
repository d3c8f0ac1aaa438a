"""The benchmark and the load test run end to end (tiny settings: a smoke test, not a measurement)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import benchmark, loadtest


def test_benchmark_prints_the_table_for_two_engines(capsys, tmp_path: Path) -> None:
    args = ["--engines", "cnn,cnn-litert-dynamic", "--limit", "40", "--stage-runs", "3", "--requests", "20"]
    args += ["--workers", "1", "--duration", "0.5", "--batch-size", "8", "--batch-concurrency", "2"]
    args += ["--cold-start", "none", "--json", str(tmp_path / "b.json")]
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
    assert (tmp_path / "b.json").stat().st_size > 0


def test_loadtest_passes_on_a_short_run(capsys) -> None:
    assert loadtest.main(["--duration", "1.5", "--warmup", "0.3", "--clients", "8", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "5xx answers: 0" in out and "dropped connections: 0" in out
