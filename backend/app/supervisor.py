"""Several uvicorn workers, each on its own ``SO_REUSEPORT`` socket, supervised.

uvicorn's own ``--workers`` shares one listening socket, and whichever worker is awake first
accepts a whole burst of connections: measured, 16 keep-alive clients opening at once often all
landed on one worker, which then served at the rate of one core. Here each worker listens on its
own socket bound to the same port with ``SO_REUSEPORT``, so the kernel spreads new connections
over the workers by a hash of their addresses. :class:`Supervisor` forwards SIGTERM/SIGINT to the
workers (and SIGHUP, which makes each reload its engines), waits for their graceful shutdown,
and replaces a worker that dies or stops answering;
it gives up if a worker dies within :data:`STARTUP_GRACE_S` seconds of starting (e.g. the port is
taken).

A worker "stops answering" when its event loop is blocked (a stuck request, a deadlock) or the
process is stopped: each worker's uvicorn server writes a heartbeat, the monotonic clock, into
shared memory on every tick of its main loop (every 0.1 s); a heartbeat older than
``WORKER_TIMEOUT_SECONDS`` gets the worker killed (SIGKILL) and replaced, as gunicorn does with
its worker timeout.

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
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from types import FrameType
from typing import Any

import uvicorn

from app.core.config import Settings

logger = logging.getLogger("uvicorn.error")

STARTUP_GRACE_S = 10.0
"""A worker that exits sooner than this after starting is not restarted: the server stops."""


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options every worker runs with (host, port, log level, graceful shutdown)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,  # app.core.observability writes one JSON line per request instead
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


class _HeartbeatServer(uvicorn.Server):
    """A uvicorn server that writes ``time.monotonic()`` to ``heartbeat`` on every tick of its loop."""

    def __init__(self, config: uvicorn.Config, heartbeat: Synchronized[float]) -> None:
        super().__init__(config)
        self.heartbeat = heartbeat

    async def on_tick(self, counter: int) -> bool:
        self.heartbeat.value = time.monotonic()
        return await super().on_tick(counter)


def _run_worker(options: dict[str, Any], heartbeat: Synchronized[float]) -> None:
    """One worker process: its own SO_REUSEPORT socket, one uvicorn server, until SIGTERM/SIGINT.

    SIGHUP is ignored until the application's lifespan takes it over (a reload of the engines).
    """
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    sock = reuseport_socket(options["host"], options["port"])
    server = _HeartbeatServer(uvicorn.Config("app.main:app", **options), heartbeat)
    server.run(sockets=[sock])


@dataclass
class _Worker:
    process: BaseProcess
    started: float
    heartbeat: Synchronized[float]

    def silent_for(self, now: float) -> float:
        """Seconds since the last heartbeat (since the start, before the first one)."""
        return now - (self.heartbeat.value or self.started)


class Supervisor:
    """Runs ``count`` workers (:func:`_run_worker`), replaces the ones that die or hang, stops them on a signal.

    Args:
        options: the uvicorn options of every worker (:func:`uvicorn_options`).
        count: how many workers.
        worker_timeout: seconds without a heartbeat after which a worker is killed and replaced
            (``WORKER_TIMEOUT_SECONDS``); a worker that has not started ticking yet gets this long
            plus :data:`STARTUP_GRACE_S` to load its models.
    """

    def __init__(self, options: dict[str, Any], count: int, worker_timeout: float = 30.0) -> None:
        self.options = options
        self.count = count
        self.worker_timeout = worker_timeout
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []
        self.stopping = False

    def _start(self) -> _Worker:
        heartbeat: Synchronized[float] = self.context.Value("d", 0.0)
        process = self.context.Process(target=_run_worker, args=(self.options, heartbeat), name="digits-worker")
        process.start()
        return _Worker(process, time.monotonic(), heartbeat)

    def _signal(self, signum: int, _: FrameType | None) -> None:
        self.stopping = True
        for worker in self.workers:
            if worker.process.pid is not None and worker.process.is_alive():
                os.kill(worker.process.pid, signal.SIGTERM)

    def _reload(self, signum: int, _: FrameType | None) -> None:
        """SIGHUP: pass it on to every worker, which reloads its engines (:mod:`app.services.reloading`)."""
        logger.info("SIGHUP: reloading the engines of %d workers", len(self.workers))
        for worker in self.workers:
            if worker.process.pid is not None and worker.process.is_alive():
                os.kill(worker.process.pid, signal.SIGHUP)

    def _check(self, index: int) -> bool:
        """Replace worker ``index`` if it died or hangs; False when the server must stop."""
        worker = self.workers[index]
        now = time.monotonic()
        process = worker.process
        if not process.is_alive():
            if now - worker.started < STARTUP_GRACE_S:
                logger.error("worker %s exited with %s at start-up: stopping", process.pid, process.exitcode)
                return False
            logger.warning("worker %s exited with %s: starting another", process.pid, process.exitcode)
        else:
            limit = self.worker_timeout + (0 if worker.heartbeat.value else STARTUP_GRACE_S)
            silent = worker.silent_for(now)
            if silent <= limit:
                return True
            logger.error("worker %s has not answered for %.1f s: killing it and starting another", process.pid, silent)
            process.kill()
            process.join(timeout=5)
        self.workers[index] = self._start()
        return True

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT; the exit status: 0, or 1 if a worker failed to start."""
        previous = {sig: signal.signal(sig, self._signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._reload)
        status = 0
        try:
            self.workers = [self._start() for _ in range(self.count)]
            while not self.stopping:
                for index in range(len(self.workers)):
                    if self.stopping:
                        break
                    if not self._check(index):
                        status = 1
                        self._signal(signal.SIGTERM, None)
                        break
                time.sleep(0.2)
            deadline = time.monotonic() + (self.options.get("timeout_graceful_shutdown") or 30) + 10
            for worker in self.workers:
                worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
                if worker.process.is_alive():
                    logger.error("worker %s did not stop in time: killing it", worker.process.pid)
                    worker.process.kill()
                    worker.process.join()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return status
