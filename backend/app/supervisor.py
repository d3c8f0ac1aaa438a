"""Several uvicorn workers, each on its own ``SO_REUSEPORT`` socket, supervised.

uvicorn's own ``--workers`` shares one listening socket, and whichever worker is awake first
accepts a whole burst of connections: measured, 16 keep-alive clients opening at once often all
landed on one worker, which then served at the rate of one core. Here each worker listens on its
own socket bound to the same port with ``SO_REUSEPORT``, so the kernel spreads new connections
over the workers by a hash of their addresses. :class:`Supervisor` forwards SIGTERM/SIGINT to the
workers, waits for their graceful shutdown, and restarts a worker that dies; it gives up if a
worker dies within :data:`STARTUP_GRACE_S` seconds of starting (e.g. the port is taken).

(A separate module, not ``app.__main__``: spawned workers must be able to import the function
they run.)
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

from app.settings import Settings

logger = logging.getLogger("uvicorn.error")

STARTUP_GRACE_S = 10.0
"""A worker that exits sooner than this after starting is not restarted: the server stops."""


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options every worker runs with (host, port, log level, graceful shutdown)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,  # app.observability writes one JSON line per request instead
        "timeout_graceful_shutdown": settings.graceful_shutdown_seconds,
    }


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` with ``SO_REUSEPORT``, which every worker opens.

    Raises:
        OSError: the address cannot be bound (e.g. taken by a process without ``SO_REUSEPORT``).
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
        0
    ]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _run_worker(options: dict[str, Any]) -> None:
    """One worker process: its own SO_REUSEPORT socket, one uvicorn server, until SIGTERM/SIGINT."""
    sock = reuseport_socket(options["host"], options["port"])
    server = uvicorn.Server(uvicorn.Config("app.main:app", **options))
    server.run(sockets=[sock])


class Supervisor:
    """Runs ``count`` workers (:func:`_run_worker`), restarts the ones that die, stops them on a signal."""

    def __init__(self, options: dict[str, Any], count: int) -> None:
        self.options = options
        self.count = count
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[BaseProcess] = []
        self.started: list[float] = []
        self.stopping = False

    def _start(self) -> tuple[BaseProcess, float]:
        process = self.context.Process(target=_run_worker, args=(self.options,), name="digits-worker")
        process.start()
        return process, time.monotonic()

    def _signal(self, signum: int, _: FrameType | None) -> None:
        self.stopping = True
        for process in self.workers:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signal.SIGTERM)

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT; the exit status: 0, or 1 if a worker failed to start."""
        previous = {sig: signal.signal(sig, self._signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        status = 0
        try:
            for _ in range(self.count):
                process, started = self._start()
                self.workers.append(process)
                self.started.append(started)
            while not self.stopping:
                for index, process in enumerate(self.workers):
                    if process.is_alive() or self.stopping:
                        continue
                    if time.monotonic() - self.started[index] < STARTUP_GRACE_S:
                        logger.error("worker %s exited with %s at start-up: stopping", process.pid, process.exitcode)
                        status = 1
                        self._signal(signal.SIGTERM, None)
                        break
                    logger.warning("worker %s exited with %s: starting another", process.pid, process.exitcode)
                    self.workers[index], self.started[index] = self._start()
                time.sleep(0.2)
            deadline = time.monotonic() + (self.options.get("timeout_graceful_shutdown") or 30) + 10
            for process in self.workers:
                process.join(timeout=max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    logger.error("worker %s did not stop in time: killing it", process.pid)
                    process.kill()
                    process.join()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return status
