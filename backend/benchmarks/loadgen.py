"""A small, cheap HTTP/1.1 load generator for loopback benchmarks (asyncio + uvloop).

Why not httpx or aiohttp: the load generator shares the machine's 2 cores with the server, so
every microsecond it spends per request is taken from the server. This client sends prepared
request bytes on keep-alive connections and reads the status line, the headers and exactly
``Content-Length`` bytes: about 30-60 us of CPU per request (see ``client_cpu_s`` in the
results), several times less than a general-purpose client. It runs in its own process
(:func:`run_in_subprocess`), so its CPU shows up apart from the server's.

Only for our own server on 127.0.0.1: it speaks the subset of HTTP/1.1 uvicorn answers with
(``Content-Length`` bodies).
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import random
import resource
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    """One prepared request: its raw bytes and the statuses that count as a correct answer."""

    raw: bytes
    expect: frozenset[int]
    kind: str = "good"


def http_request(
    method: str, path: str, body: bytes = b"", content_type: str = "application/json", headers: Sequence[str] = ()
) -> bytes:
    """The raw bytes of an HTTP/1.1 keep-alive request to 127.0.0.1."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if body or method == "POST":
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    lines += list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class LoadResult:
    """What a run saw. Latencies are in milliseconds; rates per second of wall time."""

    duration_s: float = 0.0
    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    unexpected: int = 0
    unexpected_examples: list[str] = field(default_factory=list)
    dropped: int = 0
    dropped_examples: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    client_cpu_s: float = 0.0
    server_timing: dict[str, list[float]] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.by_status.items() if status >= 500)

    @property
    def rate(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def _parse_server_timing(value: bytes, into: dict[str, list[float]]) -> None:
    for part in value.decode("latin-1").split(","):
        name, _, rest = part.strip().partition(";dur=")
        if rest:
            into.setdefault(name, []).append(float(rest))


async def _connection(
    host: str,
    port: int,
    requests: Sequence[Request],
    deadline: float,
    max_requests: int | None,
    result: LoadResult,
    counter: list[int],
    rng: random.Random,
    timings: bool,
    rate: float | None = None,
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    scheduled = time.perf_counter()
    while time.perf_counter() < deadline and (max_requests is None or counter[0] < max_requests):
        if rate:
            # Open loop: sends at Poisson times; the latency counts from the scheduled time, so a
            # late send (the connection still busy) counts as waiting, not as a slower arrival.
            scheduled += rng.expovariate(rate)
            if scheduled >= deadline:
                break
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        counter[0] += 1
        request = requests[rng.randrange(len(requests))]
        started = scheduled if rate else time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            writer.write(request.raw)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
                elif timings and name == b"server-timing":
                    _parse_server_timing(value, result.server_timing)
            body = await reader.readexactly(length) if length else b""
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            result.dropped += 1
            if len(result.dropped_examples) < 5:
                result.dropped_examples.append(f"{request.kind}: {type(exc).__name__}: {exc}")
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        result.requests += 1
        result.by_status[status] = result.by_status.get(status, 0) + 1
        result.by_kind[request.kind] = result.by_kind.get(request.kind, 0) + 1
        if status not in request.expect:
            result.unexpected += 1
            if len(result.unexpected_examples) < 5:
                result.unexpected_examples.append(f"{request.kind}: {status} {body[:200]!r}")
        if close:
            assert writer is not None
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _run(
    host: str,
    port: int,
    requests: Sequence[Request],
    concurrency: int,
    duration_s: float,
    max_requests: int | None,
    seed: int,
    timings: bool,
    rate: float | None = None,
) -> LoadResult:
    result = LoadResult()
    counter = [0]
    started = time.perf_counter()
    deadline = started + duration_s
    await asyncio.gather(
        *(
            _connection(
                host,
                port,
                requests,
                deadline,
                max_requests,
                result,
                counter,
                random.Random(seed + i),
                timings,
                rate / concurrency if rate else None,
            )
            for i in range(concurrency)
        )
    )
    result.duration_s = time.perf_counter() - started
    return result


def run_load(
    port: int,
    requests: Sequence[Request],
    *,
    concurrency: int = 16,
    duration_s: float = 10.0,
    max_requests: int | None = None,
    host: str = "127.0.0.1",
    seed: int = 0,
    timings: bool = False,
    rate: float | None = None,
    cpus: set[int] | None = None,
) -> LoadResult:
    """``concurrency`` keep-alive connections sending random picks of ``requests`` back to back
    until ``duration_s`` seconds have passed (or ``max_requests`` were sent); in this process.

    A request whose connection fails or closes mid-answer counts as ``dropped`` (the
    connection is reopened); an answer whose status is not in ``Request.expect`` as
    ``unexpected``.

    With ``rate`` (requests/s), the load is *open*: the connections together send at Poisson
    arrival times of that mean rate, whatever the answers' speed (as independent users do), and
    each latency runs from the request's scheduled time; ``concurrency`` must then exceed
    ``rate`` x the latency, or the connections themselves become the queue.

    With ``cpus``, this process runs only on those CPU cores (``os.sched_setaffinity``), so that
    the load does not take the measured server's core.
    """
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    before = resource.getrusage(resource.RUSAGE_SELF)
    result: LoadResult = runner(_run(host, port, requests, concurrency, duration_s, max_requests, seed, timings, rate))
    after = resource.getrusage(resource.RUSAGE_SELF)
    result.client_cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


_pool: ProcessPoolExecutor | None = None


def run_in_subprocess(port: int, requests: Sequence[Request], **kwargs: Any) -> LoadResult:
    """:func:`run_load` in another process (its own interpreter and GIL), started once and reused."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        atexit.register(_pool.shutdown)
    return _pool.submit(run_load, port, list(requests), **kwargs).result()
