"""Start ``python -m app`` as a real server process on a loopback port, for benchmarks and load tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BACKEND_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``python -m app``: its process, port, and start-up times in seconds."""

    process: subprocess.Popen[bytes]
    port: int
    workers: int
    first_ready_s: float
    """Process start to the first ``GET /health`` answered 200."""
    all_ready_s: float
    """Process start to every worker having logged 'Application startup complete'."""
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The supervisor and its worker processes."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.is_file():
            pids += [int(pid) for pid in children.read_text().split()]
        return pids

    def pin(self, cpus: set[int]) -> None:
        """Run every thread of the supervisor and its workers on ``cpus`` only
        (``os.sched_setaffinity`` of each ``/proc/<pid>/task/<tid>``; threads started later
        inherit it)."""
        for pid in self.pids():
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(int(task.name), cpus)

    def worker_pids(self) -> list[int]:
        """The worker processes (multiprocessing's spawned children; not its resource tracker)."""
        workers = []
        for pid in self.pids()[1:]:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline:
                workers.append(pid)
        return workers

    def rss_mib(self) -> dict[int, float]:
        """Resident memory of each process (``VmRSS``), MiB; empty where /proc is missing."""
        sizes = {}
        for pid in self.pids():
            status = Path(f"/proc/{pid}/status")
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes[pid] = int(line.split()[1]) / 1024
            except OSError:
                continue
        return sizes

    def cpu_s(self) -> float:
        """CPU time (user + system) used so far by the supervisor and its workers, seconds.

        Unlike wall-clock rates it hardly depends on what else runs on the machine, so it
        gives the cost of a request even on a busy machine.
        """
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / ticks

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_server(
    env: Mapping[str, str] | None = None, workers: int = 2, timeout_s: float = 180, port: int | None = None
) -> Iterator[Server]:
    """Start ``python -m app`` with ``env`` on ``port`` (a free one if None); stop it with SIGTERM on exit.

    Access logs go to ``/dev/null`` (still written: their cost is part of what is measured);
    uvicorn's messages go to a temporary file, read to tell when every worker has started.

    Raises:
        RuntimeError: the server exited or was not ready within ``timeout_s`` (with its log).
    """
    port = port or free_port()
    log = tempfile.NamedTemporaryFile(prefix="digits-server-", suffix=".log", delete=False)  # noqa: SIM115
    full_env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
        "LOG_LEVEL": "info",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **(env or {}),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "app"], cwd=BACKEND_DIR, env=full_env, stdout=subprocess.DEVNULL, stderr=log
    )
    log_path = Path(log.name)
    server = Server(process, port, workers, 0.0, 0.0, log_path)
    try:
        first_ready = None
        with httpx.Client(timeout=5) as http:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited with {process.returncode}:\n{server.log_tail()}")
                if time.perf_counter() - started > timeout_s:
                    raise RuntimeError(f"the server was not ready in {timeout_s} s:\n{server.log_tail()}")
                if first_ready is None:
                    try:
                        if http.get(server.url + "/health").status_code == 200:
                            first_ready = time.perf_counter() - started
                    except httpx.TransportError:
                        pass
                if first_ready is not None:
                    text = log_path.read_text(errors="replace")
                    if text.count("Application startup complete") >= workers:
                        break
                time.sleep(0.01)
        server.first_ready_s = first_ready
        server.all_ready_s = time.perf_counter() - started
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def models_env(model: str) -> dict[str, str]:
    """Environment that loads only ``model`` (and the segmenter that decides how it cuts a written
    number, as the default ``MODELS`` does: ``MODEL_SPECS[model].segmenter``) and makes it the default."""
    from digits.engines.registry import MODEL_SPECS

    spec = MODEL_SPECS.get(model)
    names = [model, *([spec.segmenter] if spec is not None and spec.segmenter else [])]
    return {"MODELS": json.dumps(names), "DEFAULT_MODEL": model}
