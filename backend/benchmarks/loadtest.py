"""Load test: many clients, a mix of good and hostile requests, for a while; nothing may break.

Usage (from ``backend/``; ``make loadtest ARGS="..."``)::

    python -m benchmarks.loadtest                        # 32 clients, 60 s, WORKERS=2
    python -m benchmarks.loadtest --clients 64 --duration 120

Starts ``python -m app`` on a free loopback port (127.0.0.1 only) with the served models, warms
it up, then runs ``--clients`` keep-alive connections (:mod:`benchmarks.loadgen`, in its own
process) for ``--duration`` seconds, each sending random picks from a mix of requests: canvas
and 28x28 predictions, batches, uploads, health/models/metrics, and bad ones (not base64, not
an image, a blank canvas, a decompression bomb, malformed JSON, an unknown model, a body over
the limit, a batch over the limit, an unknown route, a wrong method). Every answer must have
the status documented for its request.

Prints the answers by request kind, the server's memory (RSS of all its processes) after the
warm-up and at the end, and the server's own count of 5xx from ``/metrics``. Exits 1 if any
answer was a 5xx or not the expected status, any connection was dropped, or the memory grew by
more than ``--max-rss-growth-mib``.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import struct
import sys
import threading
import zlib

import httpx
import numpy as np
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.loadgen import LoadResult, Request, http_request, run_in_subprocess
from benchmarks.server import running_server
from digits.data.mnist import load_mnist
from digits.data.rendering import random_style, render_canvas
from digits.preprocessing import to_png
from digits.settings import DataSettings


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _json(path: str, payload: object) -> bytes:
    return http_request("POST", path, json.dumps(payload).encode())


def _multipart(data: bytes) -> bytes:
    boundary = "digitsloadtest"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="digit.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return http_request("POST", "/predict/upload", body, content_type=f"multipart/form-data; boundary={boundary}")


def request_mix(seed: int = 0, max_body_bytes: int = 2_000_000) -> list[Request]:
    """The requests of the test, repeated in proportion to how often they are sent."""
    mnist = load_mnist(DataSettings().mnist_dir)
    rng = np.random.default_rng(seed)
    canvases = [render_canvas(mnist.x_test[i], random_style(rng)) for i in range(20)]
    smalls = [to_png(mnist.x_test[i] / 255.0) for i in range(64)]
    blank = io.BytesIO()
    Image.new("RGB", (280, 280), "white").save(blank, format="PNG")

    def ok(raw: bytes, kind: str) -> Request:
        return Request(raw, frozenset({200}), kind)

    def bad(raw: bytes, status: int, kind: str) -> Request:
        return Request(raw, frozenset({status}), kind)

    good = [ok(_json("/predict", {"image": "data:image/png;base64," + _b64(c)}), "predict canvas") for c in canvases]
    good += [ok(_json("/predict", {"image": _b64(s)}), "predict 28x28") for s in smalls[:20]]
    good += [
        ok(_json("/predict", {"image": _b64(smalls[0]), "model": "cnn-litert-dynamic"}), "predict other model"),
        ok(_json("/predict/batch", {"images": [_b64(s) for s in smalls[:32]]}), "batch of 32"),
        ok(_json("/predict/batch", {"images": [_b64(canvases[0]), "@@", _b64(b"x")]}), "batch with bad images"),
        ok(_multipart(canvases[1]), "upload"),
        ok(http_request("GET", "/health"), "health"),
        ok(http_request("GET", "/models"), "models"),
        ok(http_request("GET", "/metrics"), "metrics"),
    ]
    hostile = [
        bad(_json("/predict", {"image": "not base64!"}), 400, "not base64"),
        bad(_json("/predict", {"image": _b64(b"%PDF-1.4")}), 400, "not an image"),
        bad(_json("/predict", {"image": _b64(canvases[2][:300])}), 400, "truncated PNG"),
        bad(_json("/predict", {"image": _b64(blank.getvalue())}), 422, "blank canvas"),
        bad(_json("/predict", {"image": _b64(_png_claiming(10_000, 10_000))}), 413, "decompression bomb"),
        bad(http_request("POST", "/predict", b'{"image": '), 422, "malformed JSON"),
        bad(_json("/predict", {"image": _b64(smalls[0]), "model": "gpt"}), 422, "unknown model"),
        bad(_json("/predict/batch", {"images": ["x"] * 257}), 413, "batch over the limit"),
        bad(_json("/predict", {"image": "A" * (max_body_bytes + 1)}), 413, "body over the limit"),
        bad(http_request("GET", "/nowhere"), 404, "unknown route"),
        bad(http_request("GET", "/predict"), 405, "wrong method"),
    ]
    # About 70 % good requests (most of them predictions), 30 % hostile; big bodies rarely.
    mix = good * 3 + [r for r in hostile if r.kind != "body over the limit"] * 6
    mix += [r for r in hostile if r.kind == "body over the limit"]
    return mix


def _server_5xx(url: str) -> tuple[float, float]:
    """(requests counted by the server, of which 5xx), from /metrics."""
    text = httpx.get(url + "/metrics", timeout=10).text
    total = errors = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "digits_http_requests_total":
                total += sample.value
                if sample.labels.get("status", "").startswith("5"):
                    errors += sample.value
    return total, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadtest", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive connections (16-64)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--models", default='["cnn", "cnn-litert-dynamic"]', help="JSON list, as MODELS")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before the memory is measured")
    parser.add_argument("--max-rss-growth-mib", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    mix = request_mix(args.seed)
    env = {"MODELS": args.models, "DEFAULT_MODEL": "cnn", "ACCESS_LOG": "true"}
    with running_server(env, workers=args.workers) as server:
        print(
            f"server: python -m app, WORKERS={args.workers}, models {args.models}, ready in {server.all_ready_s:.2f} s",
            flush=True,
        )
        run_in_subprocess(server.port, mix, concurrency=args.clients, duration_s=args.warmup, seed=args.seed + 1)
        rss_start = server.rss_mib()
        samples: list[float] = []
        holder: dict[str, LoadResult] = {}

        def load() -> None:
            holder["result"] = run_in_subprocess(
                server.port, mix, concurrency=args.clients, duration_s=args.duration, seed=args.seed
            )

        thread = threading.Thread(target=load)
        print(f"load: {args.clients} clients for {args.duration:.0f} s on {server.url} ...", flush=True)
        thread.start()
        while thread.is_alive():
            thread.join(timeout=5)
            samples.append(sum(server.rss_mib().values()))
        result = holder["result"]
        rss_end = server.rss_mib()
        counted, server_5xx = _server_5xx(server.url)

    start_total, end_total = sum(rss_start.values()), sum(rss_end.values())
    print(f"\n{result.requests} answers in {result.duration_s:.1f} s ({result.rate:.0f}/s), {args.clients} clients")
    print(f"{'request':24s} {'answers':>8s}")
    for kind, count in sorted(result.by_kind.items(), key=lambda item: -item[1]):
        print(f"{kind:24s} {count:8d}")
    print(f"statuses: {dict(sorted(result.by_status.items()))}")
    latencies = np.percentile(result.latencies_ms, [50, 99]) if result.latencies_ms else [0, 0]
    print(f"latency p50 {latencies[0]:.1f} ms, p99 {latencies[1]:.1f} ms (all kinds)")
    print(f"5xx answers: {result.server_errors} (the server's own count: {server_5xx:.0f} of {counted:.0f})")
    print(f"unexpected statuses: {result.unexpected} {result.unexpected_examples}")
    print(f"dropped connections: {result.dropped} {result.dropped_examples}")
    per_process = ", ".join(f"{pid}: {rss_start.get(pid, 0):.0f} -> {mib:.0f}" for pid, mib in rss_end.items())
    print(
        f"server RSS, all processes: {start_total:.0f} MiB after warm-up, {end_total:.0f} MiB at the end "
        f"(max {max(samples, default=end_total):.0f}); by pid: {per_process}"
    )
    print("server RSS every 5 s, MiB: " + " ".join(f"{mib:.0f}" for mib in samples))
    growth = end_total - start_total
    failures = []
    if result.server_errors or server_5xx:
        failures.append("5xx answers")
    if result.unexpected:
        failures.append("unexpected statuses")
    if result.dropped:
        failures.append("dropped connections")
    if growth > args.max_rss_growth_mib:
        failures.append(f"memory grew by {growth:.0f} MiB")
    print("PASS" if not failures else "FAIL: " + ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
