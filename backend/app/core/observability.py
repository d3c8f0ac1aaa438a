"""Operability: Prometheus metrics, JSON-lines request logs with a request id, timings.

* :class:`RequestContextMiddleware` gives every request an id (the client's ``X-Request-ID``
  when it is a sane token, else a new one), echoes it in the response, adds the time spent in
  the app to ``Server-Timing`` (``app;dur=<milliseconds>``), counts the request in the metrics
  and writes one JSON line to the ``digits.access`` logger.
* Metrics live in the process-wide default registry. Under several uvicorn workers
  ``python -m app`` sets ``PROMETHEUS_MULTIPROC_DIR`` before the workers start, and
  :func:`render_metrics` then adds up every worker's values (prometheus-client's multiprocess
  mode), so a scrape of any worker sees the whole service.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client import generate_latest as _generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

disable_created_metrics()  # no `*_created` series: they double the output and nobody graphs them

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being served (``None`` outside a request)."""

access_logger = logging.getLogger("digits.access")

_LATENCY_BUCKETS = (0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "digits_http_requests_total",
    "HTTP requests answered, by route template, method and status code.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "digits_http_request_duration_seconds",
    "Time from receiving a request to having sent its response, in seconds, by route template and method.",
    ["route", "method"],
    buckets=_LATENCY_BUCKETS,
)
PREDICTIONS = Counter(
    "digits_predictions_total",
    "Images recognised, by model and predicted digit (batches count every image).",
    ["model", "digit"],
)
IMAGES_REFUSED = Counter(
    "digits_images_refused_total",
    "Images refused instead of recognised, by error code (e.g. empty_image, invalid_image).",
    ["code"],
)
STAGE_SECONDS = Histogram(
    "digits_stage_seconds",
    "Time per request spent in each stage of recognition (decode, preprocess, inference, serialize), seconds.",
    ["stage"],
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
MODEL_INFO = Gauge(
    "digits_model_info",
    "A loaded model: always 1, with its name, version, engine and whether it is the default.",
    ["model", "version", "engine", "default"],
    multiprocess_mode="max",
)


def render_metrics() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type.

    With ``PROMETHEUS_MULTIPROC_DIR`` set (several workers) the values of every worker are
    added up; otherwise this process's registry is rendered.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return _generate_latest(registry), CONTENT_TYPE_LATEST
    return _generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id,
    the record's ``fields`` (``extra={"fields": {...}}``) and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id is not None:
            payload["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            payload.update(fields)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, separators=(",", ":"), default=str)


_HANDLER_MARK = "_digits_handler"


def configure_logging(log_format: str = "json", level: str = "info") -> None:
    """Send the ``digits`` loggers (service and ``digits.access``) to standard output.

    Idempotent: calling it again replaces the handler it installed. The access logger logs at
    INFO whatever ``level`` is; whether requests are logged is ``Settings.access_log``.
    """
    logger = logging.getLogger("digits")
    for handler in list(logger.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stdout)
    setattr(handler, _HANDLER_MARK, True)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else logging.INFO)
    logger.propagate = False
    access_logger.setLevel(logging.INFO)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            try:
                candidate: str = bytes(value).decode("ascii")
            except UnicodeDecodeError:
                break
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Request id, ``Server-Timing: app``, metrics and the access log, for every HTTP request.

    A pure ASGI middleware (no per-request task or body buffering). Route labels are route
    templates (``/predict``), or the path when it is one of ``known_paths`` but no route ran
    (e.g. a 413 from the body-size limit), else ``unmatched``: the label set stays bounded.
    """

    def __init__(
        self, app: ASGIApp, *, known_paths: Iterable[str] = (), access_log: bool = True, metrics: bool = True
    ) -> None:
        self.app = app
        self.known_paths = frozenset(known_paths)
        self.access_log = access_log
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        token = request_id_var.set(request_id)
        status = 500
        sent_bytes = 0

        async def send_with_context(message: Message) -> None:
            nonlocal status, sent_bytes
            if message["type"] == "http.response.start":
                status = message["status"]
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers = [
                    *message.get("headers", ()),
                    (b"x-request-id", request_id.encode("ascii")),
                    (b"server-timing", f"app;dur={elapsed_ms:.3f}".encode("ascii")),
                ]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                sent_bytes += len(message.get("body", b""))
            await send(message)

        error: BaseException | None = None
        try:
            await self.app(scope, receive, send_with_context)
        except BaseException as exc:
            error = exc
            status = 500
            raise
        finally:
            duration = time.perf_counter() - started
            route = scope.get("route")
            path: str = scope.get("path", "")
            template = getattr(route, "path", None) or (path if path in self.known_paths else "unmatched")
            method: str = scope.get("method", "")
            if self.metrics:
                HTTP_REQUESTS.labels(template, method, str(status)).inc()
                HTTP_LATENCY.labels(template, method).observe(duration)
            if self.access_log:
                client = scope.get("client")
                fields = {
                    "method": method,
                    "path": path,
                    "route": template,
                    "status": status,
                    "duration_ms": round(duration * 1000, 3),
                    "bytes_sent": sent_bytes,
                    "client": client[0] if client else None,
                }
                if error is not None and not isinstance(error, Exception):
                    fields["cancelled"] = True
                access_logger.info(
                    "request", extra={"fields": fields}, exc_info=error if isinstance(error, Exception) else None
                )
            request_id_var.reset(token)
