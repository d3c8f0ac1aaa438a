"""What the default service costs to start and hold, and what glibc's allocator settings buy.

Usage (from ``backend/``; ``make benchmark-serving`` from the project root)::

    python -m benchmarks.serving                  # 3 cold starts of the default service, then the allocator A/B
    python -m benchmarks.serving --runs 5 --requests 2000

1. **Lean default.** ``python -m app`` exactly as ``make run`` starts it (``WORKERS=2``, the
   default ``MODELS``: engines that need no TensorFlow), ``--runs`` times: process start to the
   first ``GET /health`` 200 and to every worker ready (seconds), and the resident memory
   (``VmRSS``, MiB) of each worker and of the supervisor after start-up and after ``--requests``
   predictions. Medians over the runs.
2. **Allocator.** The same server with 1 worker, with and without glibc's
   ``MALLOC_MMAP_THRESHOLD_=16777216 MALLOC_TRIM_THRESHOLD_=67108864`` (what the Makefile and the
   Docker image set; glibc reads them at process start, see mallopt(3)), alternated ``--runs``
   times: median and p99 of ``POST /predict`` with one client on a 280x280 canvas PNG
   (milliseconds), and the worker's RSS after the run (MiB).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
from typing import Any

import numpy as np

from benchmarks.loadgen import Request, http_request, run_in_subprocess
from benchmarks.server import running_server
from digits.data.mnist import load_mnist
from digits.data.rendering import render_canvas
from digits.settings import DataSettings

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "16777216", "MALLOC_TRIM_THRESHOLD_": "67108864"}
"""glibc's allocator tunables, as the Makefile and the Dockerfile set them."""


def predict_request() -> Request:
    """``POST /predict`` with a 280x280 canvas PNG of MNIST's first test digit (the benchmark's request)."""
    canvas = render_canvas(load_mnist(DataSettings().mnist_dir).x_test[0])
    body = json.dumps({"image": "data:image/png;base64," + base64.b64encode(canvas).decode()}).encode()
    return Request(http_request("POST", "/predict", body), frozenset({200}))


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    """The server's environment: no inherited allocator tunables or MODELS, plus ``extra``."""
    for name in (*MALLOC_ENV, "MODELS", "DEFAULT_MODEL", "PROMETHEUS_MULTIPROC_DIR"):
        os.environ.pop(name, None)
    return {"ACCESS_LOG": "false", **extra}


def lean_default(runs: int, requests: int, predict: Request) -> dict[str, Any]:
    """Cold start and memory of the default service (2 workers, default MODELS)."""
    first, every, worker_rss, worker_rss_after, supervisor_rss = [], [], [], [], []
    for _ in range(runs):
        with running_server(_clean_env(MALLOC_ENV), workers=2) as server:
            first.append(server.first_ready_s)
            every.append(server.all_ready_s)
            rss = server.rss_mib()
            supervisor_rss.append(rss[server.process.pid])
            worker_rss.append(max(rss[pid] for pid in server.worker_pids()))
            run_in_subprocess(server.port, [predict], concurrency=2, max_requests=requests, duration_s=120)
            after = server.rss_mib()
            worker_rss_after.append(max(after[pid] for pid in server.worker_pids()))
    return {
        "cold_start_health_s": statistics.median(first),
        "cold_start_all_workers_s": statistics.median(every),
        "worker_rss_mib": statistics.median(worker_rss),
        "worker_rss_after_requests_mib": statistics.median(worker_rss_after),
        "supervisor_rss_mib": statistics.median(supervisor_rss),
    }


def allocator_ab(runs: int, requests: int, predict: Request) -> dict[str, dict[str, float]]:
    """``POST /predict`` latency and RSS with and without the glibc tunables, alternated."""
    samples: dict[str, dict[str, list[float]]] = {
        name: {"median_ms": [], "p99_ms": [], "rss_mib": []} for name in ("glibc defaults", "MALLOC_* set")
    }
    for _ in range(runs):
        for name, extra in (("glibc defaults", {}), ("MALLOC_* set", MALLOC_ENV)):
            with running_server(_clean_env(dict(extra)), workers=1) as server:
                run_in_subprocess(server.port, [predict], concurrency=1, max_requests=100, duration_s=60)
                result = run_in_subprocess(server.port, [predict], concurrency=1, max_requests=requests, duration_s=300)
                samples[name]["median_ms"].append(float(np.median(result.latencies_ms)))
                samples[name]["p99_ms"].append(float(np.percentile(result.latencies_ms, 99)))
                samples[name]["rss_mib"].append(server.rss_mib()[server.process.pid])  # 1 worker: the process itself
    return {name: {k: statistics.median(v) for k, v in values.items()} for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serving", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold starts, and alternations of the allocator A/B")
    parser.add_argument("--requests", type=int, default=1000, help="predictions per measurement")
    parser.add_argument("--skip-allocator", action="store_true")
    args = parser.parse_args(argv)
    predict = predict_request()

    lean = lean_default(args.runs, args.requests, predict)
    print(f"default service (WORKERS=2, default MODELS), median of {args.runs} starts:")
    print(
        f"  cold start: /health ready {lean['cold_start_health_s']:.2f} s, every worker ready "
        f"{lean['cold_start_all_workers_s']:.2f} s"
    )
    print(
        f"  RSS per worker: {lean['worker_rss_mib']:.0f} MiB after start, "
        f"{lean['worker_rss_after_requests_mib']:.0f} MiB after {args.requests} predictions; "
        f"supervisor {lean['supervisor_rss_mib']:.0f} MiB"
    )
    if not args.skip_allocator:
        ab = allocator_ab(args.runs, args.requests, predict)
        print(f"\nallocator, 1 worker, POST /predict with 1 client, {args.requests} requests, median of {args.runs}:")
        for name, figures in ab.items():
            print(
                f"  {name:15s} median {figures['median_ms']:.3f} ms  p99 {figures['p99_ms']:.3f} ms  "
                f"worker RSS {figures['rss_mib']:.0f} MiB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
