"""Benchmark the committed model: accuracy through the service's preprocessing, and latency.

Usage (from ``backend/``)::

    python -m benchmarks.benchmark               # all 10,000 test images, 1,000 requests
    python -m benchmarks.benchmark --limit 1000 --requests 200

Prints:
    * accuracy on the MNIST test images, each encoded as a PNG and sent through
      :func:`digits.preprocessing.preprocess_bytes` (the API's path);
    * accuracy on the same images drawn as 280x280 canvas PNGs at random size, position and
      polarity (:func:`digits.rendering.random_style`, fixed seed);
    * cold start of a real uvicorn process (process start to ``/health`` ready), seconds;
    * ``POST /predict`` latency over real HTTP on loopback with one client and a 280x280 canvas
      PNG: median, p90, p99, in milliseconds.
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

from digits.data import load_mnist
from digits.engines import KerasEngine
from digits.preprocessing import preprocess_bytes, to_png
from digits.rendering import random_style, render_canvas
from digits.settings import DataSettings

BACKEND_DIR = Path(__file__).resolve().parent.parent


def accuracy(engine: KerasEngine, pngs: list[bytes], labels: np.ndarray, batch_size: int = 500) -> float:
    """Share of ``pngs`` whose prediction equals ``labels``, through ``preprocess_bytes``."""
    correct = 0
    for start in range(0, len(pngs), batch_size):
        batch = np.stack([preprocess_bytes(p).image for p in pngs[start : start + batch_size]])[..., None]
        predicted = engine.predict_proba(batch).argmax(axis=1)
        correct += int((predicted == labels[start : start + batch_size]).sum())
    return correct / len(pngs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_and_measure(model_path: Path, png: bytes, requests: int) -> tuple[float, list[float]]:
    """Start ``uvicorn app.main:app`` in a new process; return (cold start s, latencies ms)."""
    port = _free_port()
    env = {**os.environ, "MODEL_PATH": str(model_path), "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"],
        cwd=BACKEND_DIR,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            while True:
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.perf_counter() - started > 120:
                    raise RuntimeError("the server did not start")
                time.sleep(0.02)
            cold_start = time.perf_counter() - started
            body = {"image": "data:image/png;base64," + base64.b64encode(png).decode()}
            for _ in range(20):  # warm-up
                http.post("/predict", json=body).raise_for_status()
            latencies = []
            for _ in range(requests):
                t0 = time.perf_counter()
                response = http.post("/predict", json=body)
                latencies.append((time.perf_counter() - t0) * 1000)
                response.raise_for_status()
        return cold_start, latencies
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--model-path", type=Path, default=settings.model_path)
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    parser.add_argument("--limit", type=int, default=10_000, help="test images to score")
    parser.add_argument("--requests", type=int, default=1000, help="timed /predict requests")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    data = load_mnist(args.mnist_dir)
    x, y = data.x_test[: args.limit], data.y_test[: args.limit]
    engine = KerasEngine(args.model_path)
    rng = np.random.default_rng(args.seed)

    t0 = time.perf_counter()
    mnist_acc = accuracy(engine, [to_png(image / 255.0) for image in x], y)
    t1 = time.perf_counter()
    canvas_acc = accuracy(engine, [render_canvas(image, random_style(rng)) for image in x], y)
    t2 = time.perf_counter()
    cold_start, latencies = serve_and_measure(args.model_path, render_canvas(x[0]), args.requests)
    q = np.percentile(latencies, [50, 90, 99])

    card = engine.card
    rows = [
        ("model", f"{engine.version} ({args.model_path.name})"),
        ("model card test accuracy", f"{card.get('test_accuracy', float('nan')) * 100:.2f} %"),
        (f"MNIST test accuracy, PNG -> preprocess ({len(x)} images)", f"{mnist_acc * 100:.2f} %  ({t1 - t0:.1f} s)"),
        (
            f"canvas drawings 280x280, random size/place/polarity ({len(x)})",
            f"{canvas_acc * 100:.2f} %  ({t2 - t1:.1f} s)",
        ),
        ("cold start: process start to /health ready", f"{cold_start:.2f} s"),
        (
            f"POST /predict latency, 1 client, {args.requests} requests",
            f"median {q[0]:.2f} ms, p90 {q[1]:.2f} ms, p99 {q[2]:.2f} ms",
        ),
        ("", f"mean {statistics.fmean(latencies):.2f} ms, max {max(latencies):.2f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
