"""Replicas behind a load balancer, on this machine: what one worker holds, what a second adds, and
a rolling restart under load with no failed prediction.

Usage (from ``backend/``; ``make scale-demo ARGS="..."`` from the project root)::

    python -m benchmarks.scale                       # ~3 min: sweep, 1 vs 2 replicas x3, rolling restart
    python -m benchmarks.scale --repeats 5 --duration 15 --json ../reports/scale.json
    python -m benchmarks.scale --port 8841           # nginx on 8841, the replicas on 8842, 8843

Everything runs on 127.0.0.1. A *replica* is ``python -m app`` with ``WORKERS=1`` (one uvicorn
worker, as a Kubernetes pod or a docker compose replica runs it); the load balancer is Debian's
``nginx`` (``make nginx`` installs it) with an ``upstream`` of the replicas and the retry rule of
``frontend/nginx.conf`` and the Ingress: a failed read-only request (refused connection, reset,
timeout, 502/503/504) goes to the next replica. The load is :mod:`benchmarks.loadgen`
(keep-alive connections, in its own process), sending the benchmark's ``POST /predict`` of a
280x280 canvas PNG (:func:`benchmarks.serving.predict_request`).

1. **One worker's capacity** (``--sweep``): one replica, no nginx, the worker kept on core 0 and
   the load generator on the other cores (``--no-pin`` lets them share), offered an *open* load (Poisson
   arrivals, as from many independent users; latency from each request's scheduled time) of
   25 to 300 predictions/s, each ``--duration`` seconds: the rate answered, p50/p99 latency (ms),
   the worker's CPU (cores busy, from ``/proc``) and its RSS (MiB). The highest rate answered in
   full with p99 at most ``--p99-ms`` (10 ms) is the worker's capacity at that latency, and its
   CPU the utilisation an autoscaler should aim under.
2. **1 vs 2 replicas** behind nginx, alternated ``--repeats`` times, ``--clients`` clients:
   predictions/s of each, the ratio, and the CPU per prediction of the replicas, of nginx and of
   the load generator (all three share the machine's cores).
3. **Rolling restart** with 2 replicas under load (``--clients``, until both replicas are back,
   at most ``--restart-duration`` seconds): replica 1 is stopped (SIGTERM, what Kubernetes sends in
   a rolling update; ``--crash``: SIGKILL) and started again, then replica 2 is stopped (SIGTERM)
   and started again, each waiting for the other to be ready. A crash can drop a request nginx
   cannot re-send (our reading: one whose status line nginx had already relayed; 1 of 2,091 in a
   CI run under load), so the zero-failure claim is made for the rolling restart and ``--crash``
   shows the crash. Every prediction must be answered 200: a failed or dropped request fails the
   run (exit 1). nginx's log tells how many requests were retried on the other replica.

4. **Feedback writes** (only with ``--feedback-database URL``, a PostgreSQL database of its own:
   its ``feedback`` table is emptied first): the schema migrated by ``python -m digits.feedback.migrate``,
   then one replica with ``DATABASE_MIGRATE_ON_START=false`` (as in Kubernetes) answering
   ``POST /feedback`` (a 280x280 canvas with its strokes, many client ids, the rate limit lifted)
   from ``--clients`` clients for ``--duration`` seconds: writes/s, p50/p99, the worker's and
   PostgreSQL's CPU per write (all ``postgres`` processes of the machine, from ``/proc``) and the
   table's bytes per stored drawing.

``--cpu-latency-us N`` holds a CPU latency request of N microseconds through the kernel's PM QoS
interface (``/dev/cpu_dma_latency``, Linux ``Documentation/power/pm_qos_interface.rst``; root only)
for the whole run, as tuned's ``latency-performance`` profile does on a node: with 0, an idle core
polls instead of halting, so a request arriving at an idle worker does not wait for its core to
wake (on this VM's ``haltpoll`` idle driver, a halt costs a request about 2 ms). A node-level
setting, not the service's: it costs an idle core's power.

``--json PATH`` writes every figure. Rates depend on what else runs on the machine (printed: the
load average); the CPU per prediction much less.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.loadgen import LoadResult, Request, http_request, run_in_subprocess
from benchmarks.server import Server, free_port, running_server
from benchmarks.serving import MALLOC_ENV, predict_request

CPU_LATENCY_DEVICE = "/dev/cpu_dma_latency"
"""The kernel's PM QoS CPU latency interface (``--cpu-latency-us``)."""

NGINX_CONF = """\
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format upstreams '$status "$upstream_addr" "$upstream_status"';
    access_log {tmp}/access.log upstreams buffer=64k;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 2m;
    client_body_buffer_size 2m;

    upstream api {{
{servers}
        keepalive 32;
    }}

    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # As frontend/nginx.conf and the Ingress: the read-only routes go to the next replica
            # when one fails, POSTs included (a prediction changes nothing).
            proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    """Debian's nginx (``make nginx`` installs it).

    Raises:
        RuntimeError: nginx is not installed.
    """
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise RuntimeError("nginx is not installed: run `make nginx` (apt-get install nginx)")
    return found


def _process_cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` and their children so far (``/proc``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    seen = set()
    queue = list(pids)
    while queue:
        pid = queue.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        queue += [int(child) for child in children]
    return total / ticks


@dataclass
class Nginx:
    """A running nginx in front of ``upstream_ports``; its log and CPU."""

    process: subprocess.Popen[bytes]
    port: int
    directory: Path

    def cpu_s(self) -> float:
        return _process_cpu_s([self.process.pid])

    def retried(self) -> int:
        """Requests nginx sent to more than one replica (``$upstream_addr`` lists several)."""
        self.process.send_signal(signal.SIGUSR1)  # reopen the log: flushes the buffered lines
        time.sleep(0.3)
        log = self.directory / "access.log"
        return sum(1 for line in log.read_text().splitlines() if ", " in line) if log.exists() else 0


@contextmanager
def running_nginx(port: int, upstream_ports: list[int]) -> Iterator[Nginx]:
    """nginx on 127.0.0.1:``port`` balancing over the replicas on ``upstream_ports``.

    Raises:
        RuntimeError: nginx is missing, or did not start (with its error log).
    """
    directory = Path(tempfile.mkdtemp(prefix="digits-nginx-"))
    directory.chmod(0o755)  # nginx's workers run as an unprivileged user when started as root
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in upstream_ports)
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=directory, port=port, servers=servers))
    process = subprocess.Popen(
        [
            nginx_binary(),
            "-p",
            str(directory),
            "-c",
            str(conf),
            "-e",
            str(directory / "error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    nginx = Nginx(process, port, directory)
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                error_log = directory / "error.log"
                raise RuntimeError(f"nginx exited: {error_log.read_text() if error_log.exists() else ''}")
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start in 10 s") from None
                time.sleep(0.05)
        yield nginx
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(directory, ignore_errors=True)


class Replicas:
    """``python -m app`` with ``WORKERS=1`` on fixed ports, each one stoppable and restartable."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self._stacks: dict[int, ExitStack] = {}
        self.servers: dict[int, Server] = {}

    def start(self, port: int) -> Server:
        stack = ExitStack()
        # One worker, and glibc's allocator tuned as the Dockerfile and the Makefile run the service.
        self.servers[port] = stack.enter_context(running_server({"WORKERS": "1", **MALLOC_ENV}, workers=1, port=port))
        self._stacks[port] = stack
        return self.servers[port]

    def stop(self, port: int, sig: signal.Signals) -> float:
        """Send ``sig`` to the replica on ``port``; seconds until it exited."""
        server = self.servers.pop(port)
        started = time.perf_counter()
        server.process.send_signal(sig)
        server.process.wait(timeout=60)
        self._stacks.pop(port).close()
        return time.perf_counter() - started

    def cpu_s(self) -> float:
        return sum(server.cpu_s() for server in self.servers.values())

    def __enter__(self) -> Replicas:
        for port in self.ports:
            self.start(port)
        return self

    def __exit__(self, *exc: object) -> None:
        for stack in self._stacks.values():
            stack.close()


@dataclass
class Run:
    """One load run: the load generator's result and the CPU seconds each party used."""

    result: LoadResult
    server_cpu_s: float
    nginx_cpu_s: float = 0.0
    rss_mib: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        """Predictions not answered 200: other statuses and dropped connections."""
        return self.result.unexpected + self.result.dropped

    def summary(self) -> dict[str, Any]:
        r = self.result
        p50, p99 = (float(v) for v in np.percentile(r.latencies_ms, [50, 99])) if r.latencies_ms else (0.0, 0.0)
        per = 1000.0 / r.requests if r.requests else 0.0
        return {
            "predictions": r.requests,
            "duration_s": round(r.duration_s, 2),
            "rate_per_s": round(r.rate, 1),
            "p50_ms": round(p50, 2),
            "p99_ms": round(p99, 2),
            "failed": self.failed,
            "statuses": {str(k): v for k, v in sorted(r.by_status.items())},
            "dropped": r.dropped,
            "dropped_examples": r.dropped_examples,
            "server_cpu_ms_per_prediction": round(self.server_cpu_s * per, 3),
            "server_cores_busy": round(self.server_cpu_s / r.duration_s, 2) if r.duration_s else 0.0,
            "nginx_cpu_ms_per_prediction": round(self.nginx_cpu_s * per, 3),
            "client_cpu_ms_per_prediction": round(r.client_cpu_s * per, 3),
            "rss_mib": round(self.rss_mib, 1),
            **self.extra,
        }


def _measure(
    port: int,
    predict: Request,
    clients: int,
    duration: float,
    replicas: Replicas,
    nginx: Nginx | None,
    rate: float | None = None,
    cpus: set[int] | None = None,
) -> Run:
    load = {"concurrency": clients, "rate": rate, "cpus": cpus}
    run_in_subprocess(port, [predict], duration_s=min(2.0, duration / 2), **load)  # warm-up
    server_before = replicas.cpu_s()
    nginx_before = nginx.cpu_s() if nginx else 0.0
    result = run_in_subprocess(port, [predict], duration_s=duration, **load)
    rss = sum(sum(server.rss_mib().values()) for server in replicas.servers.values())
    return Run(result, replicas.cpu_s() - server_before, (nginx.cpu_s() - nginx_before) if nginx else 0.0, rss_mib=rss)


def sweep(
    ports: list[int], predict: Request, rates: list[float], duration: float, pin: bool = True
) -> list[dict[str, Any]]:
    """One replica, no nginx: answered rate, latency, CPU and RSS at each offered (Poisson) rate.

    With ``pin`` (and two or more cores) the worker runs on core 0 only and the load generator on
    the others, as a pod with one core and its clients on other machines: the load generator's
    own CPU would otherwise sit in the worker's queue and its latencies.
    """
    rows = []
    cores = os.cpu_count() or 1
    load_cpus = set(range(1, cores)) if pin and cores >= 2 else None
    with Replicas(ports[:1]) as replicas:
        if load_cpus:
            replicas.servers[ports[0]].pin({0})
        for rate in rates:
            connections = sweep_connections(rate)
            row = _measure(
                ports[0], predict, connections, duration, replicas, None, rate=rate, cpus=load_cpus
            ).summary()
            rows.append({"offered_per_s": rate, **row, "worker_cpus": [0] if load_cpus else None})
            print(
                f"  offered {rate:5.0f}/s  answered {row['rate_per_s']:6.0f}/s  p50 {row['p50_ms']:6.2f} ms  "
                f"p99 {row['p99_ms']:6.2f} ms  worker CPU {row['server_cores_busy']:.2f} cores "
                f"({row['server_cpu_ms_per_prediction']:.2f} ms/prediction)  RSS {row['rss_mib']:.0f} MiB  "
                f"failed {row['failed']}",
                flush=True,
            )
    return rows


def sweep_connections(rate: float) -> int:
    """Connections of the open-load sweep at ``rate``: enough that they are never the queue (each
    sends 8/s on average), few enough that none sits idle past the server's keep-alive timeout
    (uvicorn: 5 s), where it would be closed under the client."""
    return max(8, int(rate / 8))


def one_vs_two(
    nginx_port: int, ports: list[int], predict: Request, clients: int, duration: float, repeats: int
) -> dict[str, list[dict[str, Any]]]:
    """1 and 2 replicas behind nginx, alternated ``repeats`` times."""
    runs: dict[str, list[dict[str, Any]]] = {"1": [], "2": []}
    for repeat in range(repeats):
        for count in (1, 2):
            with Replicas(ports[:count]) as replicas, running_nginx(nginx_port, ports[:count]) as nginx:
                row = _measure(nginx_port, predict, clients, duration, replicas, nginx).summary()
            runs[str(count)].append(row)
            print(
                f"  round {repeat + 1}, {count} replica{'s' if count > 1 else ' '}  {row['rate_per_s']:6.0f} "
                f"predictions/s  p50 {row['p50_ms']:6.2f} ms  p99 {row['p99_ms']:6.2f} ms  CPU per prediction: "
                f"replicas {row['server_cpu_ms_per_prediction']:.2f} ms, nginx {row['nginx_cpu_ms_per_prediction']:.2f}"
                f" ms, client {row['client_cpu_ms_per_prediction']:.2f} ms  failed {row['failed']}",
                flush=True,
            )
    return runs


def _merge(into: LoadResult, part: LoadResult) -> None:
    """Add ``part``'s counts, latencies and CPU to ``into`` (consecutive runs of one load)."""
    into.duration_s += part.duration_s
    into.requests += part.requests
    for status, count in part.by_status.items():
        into.by_status[status] = into.by_status.get(status, 0) + count
    for kind, count in part.by_kind.items():
        into.by_kind[kind] = into.by_kind.get(kind, 0) + count
    into.unexpected += part.unexpected
    into.unexpected_examples += part.unexpected_examples[: 5 - len(into.unexpected_examples)]
    into.dropped += part.dropped
    into.dropped_examples += part.dropped_examples[: 5 - len(into.dropped_examples)]
    into.latencies_ms += part.latencies_ms
    into.client_cpu_s += part.client_cpu_s


def rolling_restart(
    nginx_port: int, ports: list[int], predict: Request, clients: int, max_duration: float, crash: bool = False
) -> Run:
    """2 replicas under load; replica 1 stopped (SIGTERM, or SIGKILL when ``crash``) and
    restarted, then replica 2 stopped (SIGTERM) and restarted; the load goes on (in 2 s runs,
    back to back) until both are ready again and 3 s more, or ``max_duration`` seconds."""
    events: list[str] = []
    result = LoadResult()
    done = threading.Event()

    def load() -> None:
        while not done.is_set() and result.duration_s < max_duration:
            _merge(result, run_in_subprocess(nginx_port, [predict], concurrency=clients, duration_s=2.0))

    with Replicas(ports[:2]) as replicas, running_nginx(nginx_port, ports[:2]) as nginx:
        run_in_subprocess(nginx_port, [predict], concurrency=clients, duration_s=1.0)  # warm-up
        loader = threading.Thread(target=load)
        started = time.perf_counter()
        loader.start()
        first = signal.SIGKILL if crash else signal.SIGTERM
        for port, sig in ((ports[0], first), (ports[1], signal.SIGTERM)):
            # Longer than nginx's fail_timeout (2 s): the replica restarted last is back in its pool.
            time.sleep(3.0)
            stopped_in = replicas.stop(port, sig)
            t = time.perf_counter() - started
            events.append(f"{t:5.1f} s  replica :{port} stopped with {sig.name} (exited in {stopped_in:.2f} s)")
            server = replicas.start(port)
            t = time.perf_counter() - started
            events.append(f"{t:5.1f} s  replica :{port} started again, ready in {server.first_ready_s:.2f} s")
        time.sleep(3.0)
        # The restarts must have happened while the load ran, or the run proves nothing.
        within = loader.is_alive()
        done.set()
        loader.join()
        retried = nginx.retried()
    return Run(
        result, 0.0, extra={"retried_on_other_replica": retried, "events": events, "restarts_within_load": within}
    )


def _postgres_cpu_s() -> float:
    """CPU seconds used so far by every ``postgres`` process on this machine (``/proc``)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return _process_cpu_s(pids)


def feedback_request(canvas_png: bytes, client: int) -> Request:
    """``POST /feedback`` of ``canvas_png`` with a drawn-looking stroke, from client number ``client``."""
    import base64

    stroke = [[float(40 + i), float(40 + 2 * i), float(16 * i)] for i in range(100)]
    body = {
        "image": "data:image/png;base64," + base64.b64encode(canvas_png).decode(),
        "strokes": [stroke, stroke[::-1]],
        "label": 7,
        "predicted": 7,
        "model_version": "scale-demo",
        "probabilities": [0.01] * 7 + [0.92] + [0.01] * 2 + [0.0],
        "canvas": {"width": 280, "height": 280},
        "device": "mouse",
    }
    raw = http_request(
        "POST", "/feedback", json.dumps(body).encode(), headers=[f"X-Digits-Client: scale-demo-client-{client:04d}"]
    )
    return Request(raw, frozenset({201}), kind="feedback")


def feedback_writes(database_url: str, port: int, clients: int, duration: float) -> dict[str, Any]:
    """One replica on PostgreSQL ``database_url`` taking ``POST /feedback`` from ``clients`` clients."""
    import sqlalchemy

    from benchmarks.server import BACKEND_DIR
    from digits.data.mnist import load_mnist
    from digits.data.rendering import render_canvas
    from digits.settings import DataSettings

    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", "digits.feedback.migrate"], cwd=BACKEND_DIR, env=env, check=True)
    engine = sqlalchemy.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("TRUNCATE feedback"))
    canvas = render_canvas(load_mnist(DataSettings().mnist_dir).x_test[0])
    requests = [feedback_request(canvas, client) for client in range(256)]
    server_env = {
        "WORKERS": "1",
        "DATABASE_URL": database_url,
        "DATABASE_MIGRATE_ON_START": "false",
        "FEEDBACK_RATE_LIMIT": "1000000/second",
    }
    with running_server(server_env, workers=1, port=port) as server:
        run_in_subprocess(port, requests, concurrency=clients, duration_s=min(2.0, duration / 2))  # warm-up
        with engine.connect() as connection:
            rows_before = connection.execute(sqlalchemy.text("SELECT count(*) FROM feedback")).scalar_one()
            bytes_before = connection.execute(sqlalchemy.text("SELECT pg_total_relation_size('feedback')")).scalar_one()
        server_before, postgres_before = server.cpu_s(), _postgres_cpu_s()
        result = run_in_subprocess(port, requests, concurrency=clients, duration_s=duration)
        server_cpu, postgres_cpu = server.cpu_s() - server_before, _postgres_cpu_s() - postgres_before
        rss = sum(server.rss_mib().values())
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT count(*) FROM feedback")).scalar_one()
        size = connection.execute(sqlalchemy.text("SELECT pg_total_relation_size('feedback')")).scalar_one()
    engine.dispose()
    run = Run(result, server_cpu, rss_mib=rss)
    summary = run.summary()
    written = rows - rows_before
    summary.update(
        rows_written=written,
        postgres_cpu_ms_per_write=round(postgres_cpu * 1000 / written, 3) if written else 0.0,
        table_bytes_per_row=round((size - bytes_before) / written) if written else 0,
        body_bytes=len(requests[0].raw),
    )
    return summary


@contextmanager
def cpu_latency_request(microseconds: int | None) -> Iterator[None]:
    """Hold a PM QoS CPU latency request of ``microseconds`` (None: none) while the block runs.

    The kernel keeps the request while the file is open (``/dev/cpu_dma_latency``, a binary int32).

    Raises:
        SystemExit: the interface is missing or not writable (not Linux, or not root).
    """
    if microseconds is None:
        yield
        return
    try:
        fd = os.open(CPU_LATENCY_DEVICE, os.O_WRONLY)
    except OSError as error:
        raise SystemExit(f"--cpu-latency-us needs {CPU_LATENCY_DEVICE} writable (Linux, as root): {error}") from error
    try:
        os.write(fd, struct.pack("i", microseconds))
        yield
    finally:
        os.close(fd)


def _port_plan(base: int) -> tuple[int, list[int]]:
    if base:
        return base, [base + 1, base + 2]
    return free_port(), [free_port(), free_port()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--port", type=int, default=0, help="nginx's port; the replicas on the next two (0: free ports)"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive connections of the load")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each measured run")
    parser.add_argument("--repeats", type=int, default=3, help="alternations of 1 and 2 replicas (0 to skip)")
    parser.add_argument(
        "--sweep", default="25,50,100,150,200,250,300", help="offered predictions/s of one worker ('' to skip)"
    )
    parser.add_argument("--p99-ms", type=float, default=10.0, help="the latency bound of a worker's capacity")
    parser.add_argument(
        "--no-pin", action="store_true", help="part 1: do not keep the worker on core 0 and the load on the others"
    )
    parser.add_argument(
        "--restart-duration", type=float, default=120.0, help="most seconds of load of the rolling restart"
    )
    parser.add_argument(
        "--cpu-latency-us",
        type=int,
        default=None,
        help="hold a PM QoS CPU latency request (microseconds; 0: idle cores poll) during the run; root only",
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--skip-restart", action="store_true", help="no rolling restart (part 3)")
    parser.add_argument("--crash", action="store_true", help="part 3 kills replica 1 with SIGKILL (a crash)")
    parser.add_argument(
        "--feedback-database", help="postgresql+psycopg:// URL of a database of its own: measure POST /feedback"
    )
    args = parser.parse_args(argv)
    nginx_binary()  # fail early, with the hint
    nginx_port, ports = _port_plan(args.port)
    predict = predict_request()
    with cpu_latency_request(args.cpu_latency_us):
        return _run(args, nginx_port, ports, predict)


def _run(args: argparse.Namespace, nginx_port: int, ports: list[int], predict: Request) -> int:
    figures: dict[str, Any] = {
        "cores": os.cpu_count(),
        "load_average_start": round(os.getloadavg()[0], 2),
        "cpu_latency_us": args.cpu_latency_us,
    }
    latency = "" if args.cpu_latency_us is None else f"; PM QoS CPU latency {args.cpu_latency_us} us"
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; nginx :{nginx_port}, replicas {ports}{latency}"
    )

    if args.sweep:
        offered = [float(rate) for rate in args.sweep.split(",")]
        print(
            f"\n1. one worker (WORKERS=1, no nginx), POST /predict 280x280 canvas, Poisson arrivals, "
            f"{args.duration:g} s per rate:"
        )
        rows = sweep(ports, predict, offered, args.duration, pin=not args.no_pin)
        within = [
            row
            for row in rows
            if row["p99_ms"] <= args.p99_ms and row["failed"] == 0 and row["rate_per_s"] >= 0.95 * row["offered_per_s"]
        ]
        best = max(within, key=lambda row: row["rate_per_s"]) if within else None
        figures["sweep"] = rows
        figures["capacity_at_p99"] = {"p99_ms_bound": args.p99_ms, **(best or {})}
        if best:
            print(
                f"  capacity at p99 <= {args.p99_ms:g} ms: {best['rate_per_s']:.0f} predictions/s "
                f"(p99 {best['p99_ms']:.2f} ms), worker CPU "
                f"{best['server_cores_busy']:.2f} cores, RSS {best['rss_mib']:.0f} MiB"
            )
        else:
            print(f"  no step kept p99 <= {args.p99_ms:g} ms (a busy machine?)")

    if args.repeats:
        print(
            f"\n2. 1 vs 2 replicas behind nginx, {args.clients} clients, {args.duration:g} s each, "
            f"{args.repeats} rounds:"
        )
        runs = one_vs_two(nginx_port, ports, predict, args.clients, args.duration, args.repeats)
        rates = {count: [row["rate_per_s"] for row in rows] for count, rows in runs.items()}
        ratios = [two / one for one, two in zip(rates["1"], rates["2"], strict=True) if one]
        figures["replicas"] = runs
        figures["ratio_2_vs_1"] = [round(r, 2) for r in ratios]
        print(
            f"  1 replica  {statistics.median(rates['1']):.0f} predictions/s (median; {min(rates['1']):.0f}-"
            f"{max(rates['1']):.0f})\n  2 replicas {statistics.median(rates['2']):.0f} predictions/s (median; "
            f"{min(rates['2']):.0f}-{max(rates['2']):.0f})\n  2 vs 1: {statistics.median(ratios):.2f}x (median; "
            "per round " + ", ".join(f"{r:.2f}" for r in ratios) + ")"
        )

    failures: list[str] = []
    if not args.skip_restart:
        stop_signal = "SIGKILL" if args.crash else "SIGTERM"
        print(
            f"\n3. rolling restart: 2 replicas behind nginx, {args.clients} clients until both replicas are back "
            f"(at most {args.restart_duration:g} s); one replica stopped ({stop_signal}) and restarted, "
            "then the other stopped and restarted:"
        )
        summary = rolling_restart(nginx_port, ports, predict, args.clients, args.restart_duration, args.crash).summary()
        figures["rolling_restart"] = summary
        for event in summary["events"]:
            print(f"  {event}")
        print(
            f"  {summary['predictions']} predictions in {summary['duration_s']:.1f} s "
            f"({summary['rate_per_s']:.0f}/s), statuses {summary['statuses']}, dropped {summary['dropped']}, "
            f"p99 {summary['p99_ms']:.1f} ms; {summary['retried_on_other_replica']} retried on the other replica "
            "by nginx"
        )
        print(f"  failed prediction requests: {summary['failed']}")
        for example in summary["dropped_examples"]:
            print(f"    dropped: {example}")
        if not summary["restarts_within_load"]:
            failures.append("the load ended before both replicas were back: raise --restart-duration")
        if summary["failed"] or not summary["predictions"]:
            failures.append("a prediction request failed during the rolling restart")

    if args.feedback_database:
        print(
            f"\n4. POST /feedback on PostgreSQL: 1 replica, {args.clients} clients, {args.duration:g} s "
            "(the feedback table is emptied first):"
        )
        writes = feedback_writes(args.feedback_database, ports[0], args.clients, args.duration)
        figures["feedback"] = writes
        print(
            f"  {writes['rate_per_s']:.0f} writes/s  p50 {writes['p50_ms']:.1f} ms  p99 {writes['p99_ms']:.1f} ms  "
            f"statuses {writes['statuses']}, dropped {writes['dropped']}; {writes['rows_written']} rows written\n"
            f"  CPU per write: worker {writes['server_cpu_ms_per_prediction']:.2f} ms, PostgreSQL "
            f"{writes['postgres_cpu_ms_per_write']:.2f} ms; {writes['table_bytes_per_row']} bytes of table per "
            f"drawing (request body {writes['body_bytes']} bytes)"
        )
        if writes["failed"]:
            failures.append("a feedback write failed")
    figures["load_average_end"] = round(os.getloadavg()[0], 2)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end (1 min; other jobs share these cores)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    for failure in failures:
        print(f"FAIL: {failure}")
    if failures:
        return 1
    print("PASS" + ("" if args.skip_restart else ": no failed prediction request during the rolling restart"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
