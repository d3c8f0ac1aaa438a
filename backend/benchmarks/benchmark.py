"""Benchmark the served models: accuracy, where the time goes, latency, throughput, cold start.

Usage (from ``backend/``; ``make benchmark ARGS="..."``)::

    python -m benchmarks.benchmark                                  # cnn vs cnn-litert-dynamic
    python -m benchmarks.benchmark --engines cnn                    # one engine
    python -m benchmarks.benchmark --engines cnn,cnn-keras --limit 1000 --duration 5
    python -m benchmarks.benchmark --layouts 1:thread,1:inline,2:thread,2:inline --skip-accuracy

Prints one table, a column per engine and, with two engines, their ratio (second / first),
measured in the same run so that the ratio holds even when the machine is busy:

* accuracy on the MNIST test images, each encoded as a PNG and sent through the API's
  preprocessing, and on the same digits drawn as 280x280 canvas PNGs at random size, position
  and polarity (:func:`digits.data.rendering.random_style`, fixed seed);
* the split of ``POST /predict``'s work for a 280x280 canvas PNG, measured in-process per stage
  (median of ``--stage-runs``): decode (base64 + PNG), preprocessing, inference, serialisation;
  and inference time per image at batch 1, 32 and 256;
* for each engine, a real server (``python -m app``, ``--workers`` processes, only that model
  loaded): cold start (process start to ``/health`` ready, and to every worker ready), memory;
  ``POST /predict`` latency with one client (median, p90, p99) and the server's own split from
  its ``Server-Timing`` header; throughput with ``--concurrency`` clients; ``POST /predict/batch``
  throughput in images per second with batches of ``--batch-size`` 28x28 PNGs and 280x280
  canvases. Clients are :mod:`benchmarks.loadgen` (asyncio + uvloop, in their own process).
  CPU time per request (server and client) is given too: unlike a rate, it hardly changes when
  other programs share the cores, and ``2 cores / CPU per request`` projects the rate on an
  idle 2-core machine.
* ``--layouts``: the same throughput run for several worker layouts (``WORKERS:inline`` or
  ``WORKERS:thread``, see ``Settings.inline_inference``) with the first engine;
* ``--cold-start``: process start to ``/health`` ready for every served model (default ``all``),
  each alone in a server, with the memory it takes;
* strokes and whole numbers (``--number-requests`` requests each, one client, on each engine's
  server): ``POST /predict`` with one drawn digit as its strokes against the same drawing as a
  canvas PNG, and ``POST /predict/number`` with a 4-digit number (MNIST digits traced into pen
  strokes, :mod:`digits.numbers.synthetic`) as a PNG and as strokes: latency, the server's time
  (``Server-Timing``) and the server's CPU time per request (which, unlike wall time, hardly
  changes when other programs share the cores).

All times are milliseconds unless marked otherwise.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.loadgen import LoadResult, Request, http_request, run_in_subprocess
from benchmarks.server import Server, models_env, running_server
from digits.data.mnist import load_mnist
from digits.data.rendering import random_style, render_canvas
from digits.engines.base import Engine
from digits.engines.registry import MODEL_SPECS, load_engine
from digits.evaluation.metrics import preprocess_all, score
from digits.preprocessing import decode_image, preprocess, to_png
from digits.settings import DataSettings
from digits.verdict import digit_probabilities

BACKEND_DIR = Path(__file__).resolve().parent.parent
STAGES = ("decode", "preprocess", "inference", "serialize")


@dataclass
class Row:
    """One line of the table: a label and a value per engine (numbers get a ratio)."""

    label: str
    values: list[float | str | None]
    fmt: str = "{:.2f}"
    ratio: bool = True


@dataclass
class Table:
    engines: list[str]
    rows: list[Row] = field(default_factory=list)

    def add(self, label: str, values: Sequence[float | str | None], fmt: str = "{:.2f}", ratio: bool = True) -> None:
        self.rows.append(Row(label, list(values), fmt, ratio))

    def section(self, title: str) -> None:
        self.rows.append(Row(f"-- {title}", [None] * len(self.engines), ratio=False))

    def render(self) -> str:
        def cell(value: float | str | None, fmt: str) -> str:
            if value is None:
                return ""
            return value if isinstance(value, str) else fmt.format(value)

        header = ["", *self.engines] + (["ratio"] if len(self.engines) == 2 else [])
        lines = [header]
        for row in self.rows:
            cells = [row.label, *(cell(v, row.fmt) for v in row.values)]
            if len(self.engines) == 2:
                a, b = row.values
                ok = row.ratio and isinstance(a, float | int) and isinstance(b, float | int) and a
                cells.append(f"{b / a:.2f}x" if ok else "")  # type: ignore[operator]
            lines.append(cells)
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        out = []
        for index, line in enumerate(lines):
            text = "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
            out.append(text.rstrip())
            if index == 0:
                out.append("-" * len(out[0]))
        return "\n".join(out)


def _median_ms(function: Callable[[], object], runs: int) -> float:
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def stage_split(engine: Engine, canvas_png: bytes, runs: int) -> dict[str, float]:
    """Median milliseconds of each stage of ``/predict`` for one canvas, in this process."""
    from app.schemas import PredictResponse
    from app.services.decoding import decode_image_field

    field_value = "data:image/png;base64," + base64.b64encode(canvas_png).decode()
    img = decode_image(canvas_png)
    pre = preprocess(img)
    x = pre.image[None, :, :, None]
    probabilities = digit_probabilities(engine.predict_proba(x))[0]

    def serialize() -> bytes:
        return (
            PredictResponse(
                digit=int(probabilities.argmax()),
                confidence=float(probabilities.max()),
                verdict="digit",
                uncertain=False,
                not_a_digit=0.0,
                probabilities=probabilities.tolist(),
                model=engine.name,
                model_version=engine.version,
                input_image=base64.b64encode(to_png(pre.image)).decode("ascii"),
            )
            .model_dump_json()
            .encode()
        )

    split = {
        "decode": _median_ms(lambda: decode_image(decode_image_field(field_value)), runs),
        "preprocess": _median_ms(lambda: preprocess(decode_image(canvas_png)), runs)
        - _median_ms(lambda: decode_image(canvas_png), runs),
        "inference": _median_ms(lambda: engine.predict_proba(x), runs),
        "serialize": _median_ms(serialize, runs),
    }
    for size in (32, 256):
        xb = np.repeat(x, size, axis=0)
        split[f"inference_us_per_image_{size}"] = (
            _median_ms(lambda xb=xb: engine.predict_proba(xb), max(5, runs // 20)) * 1000 / size
        )
    split["inference_us_per_image_1"] = split["inference"] * 1000
    return split


def _percentiles(latencies: Sequence[float]) -> tuple[float, float, float]:
    q = np.percentile(latencies, [50, 90, 99])
    return float(q[0]), float(q[1]), float(q[2])


@dataclass
class ServerRun:
    cold_first_s: float
    cold_all_s: float
    rss_mib: float
    single: LoadResult
    load: LoadResult
    load_server_cpu_s: float
    batches: dict[str, tuple[LoadResult, float]]
    extras: dict[str, tuple[LoadResult, float]]


def measure_server(
    model: str,
    workers: int,
    predict: Request,
    batches: dict[str, Request],
    args: argparse.Namespace,
    extra_env: dict[str, str] | None = None,
    extras: dict[str, Request] | None = None,
) -> ServerRun:
    """Start a server with only ``model``; measure latency, throughput and batches on it."""
    env = {**models_env(model), **(extra_env or {})}
    with running_server(env, workers=workers, port=args.port) as server:
        rss = sum(server.rss_mib().values())
        run_in_subprocess(server.port, [predict], concurrency=1, max_requests=50, duration_s=60)  # warm-up
        single = run_in_subprocess(
            server.port, [predict], concurrency=1, max_requests=args.requests, duration_s=600, timings=True
        )
        load, load_cpu = _timed_load(server, [predict], args.concurrency, args.duration)
        batch_results = {}
        for name, request in batches.items():
            batch_results[name] = _timed_load(server, [request], args.batch_concurrency, args.duration)
        extra_results = {}
        for name, request in (extras or {}).items():
            run_in_subprocess(server.port, [request], concurrency=1, max_requests=10, duration_s=60)  # warm-up
            cpu_before = server.cpu_s()
            result = run_in_subprocess(
                server.port, [request], concurrency=1, max_requests=args.number_requests, duration_s=600, timings=True
            )
            extra_results[name] = (result, server.cpu_s() - cpu_before)
        return ServerRun(
            server.first_ready_s, server.all_ready_s, rss, single, load, load_cpu, batch_results, extra_results
        )


def stroke_requests(x: NDArray[np.uint8], y: NDArray[np.uint8], brush: float, seed: int) -> dict[str, Request]:
    """The strokes and number requests of the module's docstring: one digit (``x[0]``) traced into
    pen strokes on a 280 px canvas, sent as strokes and painted as a PNG; a 4-digit number, separated,
    as a PNG and as strokes."""
    from digits.data.rendering import brush_ink, skeleton_points
    from digits.numbers import synthetic

    paths = synthetic.trace_strokes(skeleton_points(x[0]))
    scale = 280 * 0.7 / 28  # the digit 70 % of the canvas, centred
    strokes = [[[float(c * scale + 42), float(r * scale + 42)] for r, c in path] for path in paths]
    ink = brush_ink([np.asarray([[py, px] for px, py in s]) for s in strokes], brush / 2, (280, 280))
    digit_png = to_png(np.float32(1.0) - ink)
    source = synthetic.strokes_source(x[:64], y[:64])
    number = synthetic.number_set(source, "separated", [4], seed=seed)[0]
    return {
        "POST /predict, one digit as a canvas PNG": Request(
            _json_request("/predict", {"image": base64.b64encode(digit_png).decode()}), frozenset({200})
        ),
        "POST /predict, the same digit as strokes": Request(
            _json_request("/predict", {"strokes": strokes}), frozenset({200})
        ),
        "POST /predict/number, 4 digits as a PNG": Request(
            _json_request("/predict/number", {"image": base64.b64encode(number.image).decode()}), frozenset({200})
        ),
        "POST /predict/number, 4 digits as strokes": Request(
            _json_request("/predict/number", {"strokes": number.strokes}), frozenset({200})
        ),
    }


def _timed_load(server: Server, requests: list[Request], concurrency: int, duration: float) -> tuple[LoadResult, float]:
    run_in_subprocess(server.port, requests, concurrency=concurrency, duration_s=min(2.0, duration / 2))  # warm-up
    cpu_before = server.cpu_s()
    result = run_in_subprocess(server.port, requests, concurrency=concurrency, duration_s=duration)
    return result, server.cpu_s() - cpu_before


def _errors(result: LoadResult) -> str:
    """``5xx, other unexpected statuses, dropped connections``."""
    return f"{result.server_errors}, {result.unexpected - result.server_errors}, {result.dropped}"


def _json_request(path: str, payload: dict[str, Any]) -> bytes:
    return http_request("POST", path, json.dumps(payload).encode())


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.benchmark", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--engines", default="cnn,cnn-litert-dynamic", help="one or two served model names, comma-separated"
    )
    parser.add_argument("--models-dir", type=Path, default=settings.models_dir)
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    parser.add_argument("--limit", type=int, default=10_000, help="test images to score")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--stage-runs", type=int, default=300, help="runs per in-process stage timing")
    parser.add_argument("--requests", type=int, default=1000, help="timed /predict requests with one client")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 2)))
    parser.add_argument("--concurrency", type=int, default=16, help="clients of the throughput run")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each throughput run")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--batch-concurrency", type=int, default=8, help="clients of the batch runs")
    parser.add_argument("--layouts", default="", help="e.g. 1:thread,1:inline,2:thread,2:inline")
    parser.add_argument("--cold-start", default="all", help="models whose cold start to measure: all, none, or names")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--port", type=int, default=None, help="port of the measured servers (default: a free one)")
    parser.add_argument("--number-requests", type=int, default=300, help="requests of each strokes/number run")
    args = parser.parse_args(argv)
    engines_names = [name.strip() for name in args.engines.split(",") if name.strip()]
    if not 1 <= len(engines_names) <= 2:
        parser.error("--engines takes one or two names")

    started = time.perf_counter()
    data = load_mnist(args.mnist_dir)
    x, y = data.x_test[: args.limit], data.y_test[: args.limit]
    rng = np.random.default_rng(args.seed)
    engines = {name: load_engine(name, args.models_dir) for name in engines_names}
    table = Table(engines_names)
    results: dict[str, Any] = {"engines": engines_names, "load_average": os.getloadavg(), "args": vars(args)}

    table.add("model", [e.version for e in engines.values()], ratio=False)
    table.add(
        "model card test accuracy, %",
        [(e.card.test_accuracy or float("nan")) * 100 for e in engines.values()],
        "{:.2f}",
    )
    if not args.skip_accuracy:
        table.section("accuracy (the API's preprocessing)")
        mnist_inputs = preprocess_all([to_png(image / 255.0) for image in x])
        canvas_inputs = preprocess_all([render_canvas(image, random_style(rng)) for image in x])
        table.add(
            f"MNIST test accuracy, PNG -> preprocess ({len(x)} images), %",
            [score(e.predict_proba, mnist_inputs, y) * 100 for e in engines.values()],
        )
        table.add(
            f"canvas drawings 280x280, random size/place/polarity ({len(x)}), %",
            [score(e.predict_proba, canvas_inputs, y) * 100 for e in engines.values()],
        )

    canvas = render_canvas(x[0])
    table.section(f"in-process split of POST /predict, 280x280 canvas PNG ({len(canvas)} bytes), median ms")
    splits = {name: stage_split(e, canvas, args.stage_runs) for name, e in engines.items()}
    for stage in STAGES:
        table.add(f"  {stage}", [s[stage] for s in splits.values()], "{:.3f}")
    table.add("  total", [sum(s[k] for k in STAGES) for s in splits.values()], "{:.3f}")
    for size in (1, 32, 256):
        table.add(
            f"inference per image at batch {size}, us",
            [s[f"inference_us_per_image_{size}"] for s in splits.values()],
            "{:.0f}",
        )
    results["split"] = splits

    predict = Request(
        _json_request("/predict", {"image": "data:image/png;base64," + base64.b64encode(canvas).decode()}),
        frozenset({200}),
    )
    small = [base64.b64encode(to_png(image / 255.0)).decode() for image in x[: args.batch_size]]
    canvases = [base64.b64encode(render_canvas(image, random_style(rng))).decode() for image in x[: args.batch_size]]
    batches = {
        "28x28 PNG": Request(_json_request("/predict/batch", {"images": small}), frozenset({200})),
        "280x280 canvas PNG": Request(_json_request("/predict/batch", {"images": canvases}), frozenset({200})),
    }
    extras = stroke_requests(x, y, 22.0, args.seed)
    runs = {}
    for name in engines_names:
        print(f"serving {name} with {args.workers} worker(s)...", file=sys.stderr, flush=True)
        runs[name] = measure_server(name, args.workers, predict, batches, args, extras=extras)
    cores = os.cpu_count() or 1

    table.section(f"server: python -m app, WORKERS={args.workers}, one model loaded")
    table.add("cold start: process start to /health ready, s", [r.cold_first_s for r in runs.values()])
    table.add("cold start: to every worker ready, s", [r.cold_all_s for r in runs.values()])
    table.add("memory after start, all processes, MiB", [r.rss_mib for r in runs.values()], "{:.0f}")

    table.section(f"POST /predict, 1 client, {args.requests} requests, real HTTP on 127.0.0.1")
    for label, index in (("median", 0), ("p90", 1), ("p99", 2)):
        table.add(
            f"  latency {label}, ms", [_percentiles(r.single.latencies_ms)[index] for r in runs.values()], "{:.2f}"
        )
    table.add(
        "  latency mean / max, ms",
        [f"{statistics.fmean(r.single.latencies_ms):.2f} / {max(r.single.latencies_ms):.2f}" for r in runs.values()],
        ratio=False,
    )
    for stage in (*STAGES, "app"):
        table.add(
            f"  server split (Server-Timing median): {stage}, ms",
            [statistics.median(r.single.server_timing.get(stage, [float("nan")])) for r in runs.values()],
            "{:.3f}",
        )
    table.add(
        "  HTTP, framework outside the app, client: median - app, ms",
        [
            _percentiles(r.single.latencies_ms)[0] - statistics.median(r.single.server_timing.get("app", [0.0]))
            for r in runs.values()
        ],
        "{:.3f}",
    )

    table.section(f"POST /predict throughput, {args.concurrency} clients, {args.duration:.0f} s")
    table.add("  predictions/s", [r.load.rate for r in runs.values()], "{:.0f}")
    table.add(
        "  errors (5xx, other non-200, dropped)",
        [_errors(r.load) for r in runs.values()],
        ratio=False,
    )
    table.add(
        "  latency p50 / p99 under load, ms",
        [
            f"{_percentiles(r.load.latencies_ms)[0]:.1f} / {_percentiles(r.load.latencies_ms)[2]:.1f}"
            for r in runs.values()
        ],
        ratio=False,
    )
    table.add(
        "  server CPU per prediction, ms",
        [r.load_server_cpu_s / r.load.requests * 1000 for r in runs.values()],
        "{:.3f}",
    )
    table.add(
        "  client CPU per prediction, ms",
        [r.load.client_cpu_s / r.load.requests * 1000 for r in runs.values()],
        "{:.3f}",
    )
    table.add(
        f"  projected on {cores} idle cores: cores / (server + client CPU), /s",
        [cores / ((r.load_server_cpu_s + r.load.client_cpu_s) / r.load.requests) for r in runs.values()],
        "{:.0f}",
    )

    for batch_name in batches:
        clients = f"{args.batch_concurrency} clients, {args.duration:.0f} s"
        table.section(f"POST /predict/batch, {args.batch_size} x {batch_name}, {clients}")
        table.add("  images/s", [r.batches[batch_name][0].rate * args.batch_size for r in runs.values()], "{:.0f}")
        table.add(
            "  batch latency p50, ms",
            [_percentiles(r.batches[batch_name][0].latencies_ms)[0] for r in runs.values()],
            "{:.1f}",
        )
        table.add(
            "  errors (5xx, other non-200, dropped)",
            [_errors(r.batches[batch_name][0]) for r in runs.values()],
            ratio=False,
        )
        table.add(
            "  server CPU per image, us",
            [
                r.batches[batch_name][1] / (r.batches[batch_name][0].requests * args.batch_size) * 1e6
                for r in runs.values()
            ],
            "{:.0f}",
        )
        table.add(
            f"  projected on {cores} idle cores, images/s",
            [
                cores
                / (
                    (r.batches[batch_name][1] + r.batches[batch_name][0].client_cpu_s)
                    / (r.batches[batch_name][0].requests * args.batch_size)
                )
                for r in runs.values()
            ],
            "{:.0f}",
        )

    for extra in extras:
        table.section(f"{extra}, 1 client, {args.number_requests} requests")
        table.add(
            "  latency median / p99, ms",
            ["{:.2f} / {:.2f}".format(*_percentiles(r.extras[extra][0].latencies_ms)[::2]) for r in runs.values()],
            ratio=False,
        )
        table.add(
            "  server CPU per request, ms",
            [r.extras[extra][1] / max(r.extras[extra][0].requests, 1) * 1000 for r in runs.values()],
            "{:.3f}",
        )
        stages = ("decode", "preprocess", "segment", "inference", "serialize", "app")
        for stage in stages:
            values = [r.extras[extra][0].server_timing.get(stage) for r in runs.values()]
            if any(values):
                table.add(
                    f"  server (Server-Timing median): {stage}, ms",
                    [statistics.median(v) if v else float("nan") for v in values],
                    "{:.3f}",
                )
        table.add(
            "  errors (5xx, other non-200, dropped)", [_errors(r.extras[extra][0]) for r in runs.values()], ratio=False
        )

    layout_lines = []
    if args.layouts:
        first = engines_names[0]
        layout_lines.append(
            f"\nworker layouts, {first}, POST /predict, {args.concurrency} clients, {args.duration:.0f} s each:"
        )
        for layout in args.layouts.split(","):
            count, _, mode = layout.partition(":")
            env = {**models_env(first), "INLINE_INFERENCE": "true" if mode == "inline" else "false"}
            with running_server(env, workers=int(count)) as server:
                load, cpu = _timed_load(server, [predict], args.concurrency, args.duration)
            p50, _, p99 = _percentiles(load.latencies_ms)
            layout_lines.append(
                f"  WORKERS={count} {mode:6s}  {load.rate:6.0f} predictions/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
                f"server CPU {cpu / load.requests * 1000:.3f} ms/prediction  "
                f"5xx {load.server_errors}  dropped {load.dropped}"
            )

    cold_lines = []
    cold_names = list(MODEL_SPECS) if args.cold_start == "all" else [] if args.cold_start == "none" else None
    if cold_names is None:
        cold_names = [name.strip() for name in args.cold_start.split(",") if name.strip()]
    if cold_names:
        cold_lines.append(f"\ncold start per engine: python -m app, WORKERS={args.workers}, only that model loaded:")
        for name in cold_names:
            try:
                with running_server(models_env(name), workers=args.workers) as server:
                    rss = sum(server.rss_mib().values())
                    cold_lines.append(
                        f"  {name:20s} {MODEL_SPECS[name].engine:7s} /health ready {server.first_ready_s:5.2f} s, "
                        f"every worker ready {server.all_ready_s:5.2f} s, memory {rss:4.0f} MiB"
                    )
            except RuntimeError as exc:
                cold_lines.append(f"  {name:20s} did not start: {str(exc).splitlines()[0]}")

    print()
    print(table.render())
    for line in layout_lines + cold_lines:
        print(line)
    load1 = os.getloadavg()[0]
    print(
        f"\n{cores} cores; load average {results['load_average'][0]:.2f} at the start, {load1:.2f} at the end "
        f"(1 min); {time.perf_counter() - started:.0f} s in all."
    )
    if args.json:
        results["table"] = [{"label": r.label, "values": r.values} for r in table.rows]
        results["layouts"] = layout_lines
        results["cold_start"] = cold_lines
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
