"""Service settings, from environment variables (and ``backend/.env``) via pydantic-settings.

Every limit the service enforces is here, with a safe default.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from limits import parse_many
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from pydantic import Field, SecretStr, field_validator

from digits.feedback import MAX_OVERFLOW, POOL_SIZE
from digits.settings import DataSettings


class Settings(DataSettings):
    """Settings of the HTTP service (env names in capitals, e.g. ``MAX_BODY_BYTES``).

    Attributes:
        environment: ``development`` allows any CORS origin when none is configured.
        cors_origins: origins allowed to call the API from a browser (JSON list in the env).
        host, port: where ``python -m app`` listens.
        max_body_bytes: largest request body in bytes; larger bodies get 413.
        max_image_pixels: largest width*height of an image, checked before decoding the
            pixels (decompression bombs); larger images get 413.
        allowed_formats: Pillow format names accepted.
        models: the models to load at start-up (names of ``digits.engines.registry.MODEL_SPECS``);
            ``cnn-segmenter`` only decides how the CNNs cut a written number (not listed in
            ``GET /models``): without it, each model decides itself.
        default_model: the model ``/predict`` uses when the request names none.
        uncertain_below: probability of the digit among the digits under which an answer's
            verdict is ``uncertain`` (an ambiguous digit). Unset: each model's own threshold
            (its card's ``open_set``, chosen on validation data by
            ``python -m digits.evaluation.open_set``), or 0.7 for a model without one.
        not_a_digit_above: out-of-distribution score (:func:`digits.verdict.not_digit_score`) at
            or above which the verdict is ``not_a_digit``. Unset: the model card's, or 0.9.
        inference_threads: threads per inference engine (LiteRT ``num_threads``, TensorFlow
            intra-op threads); 1 keeps concurrent requests from fighting over the cores.
        log_level: uvicorn's log level.
        workers: server processes ``python -m app`` starts (uvicorn ``--workers``). Python runs
            one request's CPU work at a time per process, so one process per core (2 here) with
            1 inference thread each serves the most predictions per second; see
            ``benchmarks/README.md``.
        inline_inference: run ``/predict``'s CPU work (about 1-2 ms) on the event loop instead
            of handing it to a worker thread: no thread hop, no GIL hand-over; measured faster.
        max_batch_size: most images in one ``POST /predict/batch``; more gets 413
            ``batch_too_large``.
        max_upload_bytes: largest body of ``POST /predict/upload`` in bytes (a phone photo as it
            is); larger bodies get 413.
        max_batch_body_bytes: largest body of ``POST /predict/batch`` in bytes (other routes:
            ``max_body_bytes``); larger bodies get 413.
        max_batch_pixels: most pixels (width*height, summed over the images) one batch may
            decode; images past the budget get the per-image error ``image_too_large``, so a
            batch of decompression bombs costs at most this much decoding.
        max_compare_models: most names in ``POST /predict``'s ``models`` (the comparison of
            several models on one image); more gets 422 ``invalid_request``.
        inference_batch_size: images per engine call when a batch is run; LiteRT's time per
            image grows 3-5x past ~64 images a call (the activations no longer fit in cache).
        worker_timeout_seconds: with several workers, a worker whose event loop has not run for
            this many seconds (a stuck request, a stopped process) is killed and replaced by the
            supervisor (:mod:`app.supervisor`).
        graceful_shutdown_seconds: on SIGTERM/SIGINT, how long in-flight requests may take to
            finish before they are cancelled (uvicorn ``timeout_graceful_shutdown``), seconds.
        access_log: write one JSON line per request (request id, route, status, duration in
            milliseconds) to standard output.
        log_format: ``json`` (one object per line) or ``text`` for the service's own logs.
        metrics: serve Prometheus metrics at ``GET /metrics``.
        max_number_digits: most digit pieces ``POST /predict/number`` reads in one number; a
            drawing with more pieces gets 422 ``too_many_digits``.
        max_strokes: most strokes a request's ``strokes`` may hold; more gets 413 ``too_many_strokes``.
        max_stroke_points: most points of all strokes together; more gets 413 ``too_many_strokes``.
        max_stroke_coordinate: largest ``|x|`` or ``|y|`` of a stroke's point, in canvas pixels;
            a point farther out gets 422 ``invalid_strokes``.
        stroke_brush_width: the brush's diameter, in canvas pixels, with which the server paints
            ``strokes`` (the SPA's default brush on its canvas).
        database_migrate_on_start: migrate the feedback database (``DATABASE_URL``, see
            :class:`digits.settings.DataSettings`) to the latest schema at start-up; a deployment that
            runs ``python -m digits.feedback.migrate`` as a separate step sets it false.
        database_pool_size: connections to a PostgreSQL feedback database each process keeps open
            (SQLAlchemy's pool); size it with the replicas against PostgreSQL's ``max_connections``
            (docs/capacity.md).
        database_max_overflow: connections a process may open beyond ``database_pool_size`` while
            busy, closed again after use.
        feedback_max_body_bytes: largest body of ``POST /feedback`` in bytes (image and strokes);
            larger bodies get 413.
        feedback_max_image_bytes: largest image ``POST /feedback`` stores, in bytes once decoded
            from base64; larger gets 413 ``image_too_large``.
        feedback_max_strokes: most strokes in one drawing; more gets 413 ``strokes_too_long``.
        feedback_max_points: most points, all strokes together; more gets 413 ``strokes_too_long``.
        feedback_rate_limit: how many drawings one client may send, in the ``limits`` library's
            notation (e.g. ``60/minute``, ``1000/day``; several separated by ``;``), counted in
            ``FEEDBACK_RATE_LIMIT_STORAGE``; past it 429 ``rate_limited`` with ``Retry-After``. The
            client is the SPA's ``X-Digits-Client`` id, else the peer address, counted as the feedback
            store's salted hash of it (never as itself).
        feedback_rate_limit_storage: where the rate limit counts, as a ``limits`` storage URI:
            ``memory://`` (each worker process on its own, the default) or a store shared by every
            replica, e.g. ``redis://redis:6379`` (Redis or Valkey). A shared store that cannot be
            reached falls back to the process's memory (logged), never to refusing feedback.
        feedback_admin_token: when set, ``DELETE /feedback/{id}``, ``GET /feedback/export`` and
            ``POST /admin/reload`` need ``Authorization: Bearer <token>`` (401 without, 403
            with another). Unset: they are open (a warning is logged in production).
    """

    environment: Literal["development", "production"] = "development"
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"])
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = Field(default=2_000_000, gt=0)
    max_image_pixels: int = Field(default=4_000_000, gt=0)
    allowed_formats: frozenset[str] = frozenset({"PNG", "JPEG", "WEBP", "BMP", "GIF"})
    models: list[str] = Field(default_factory=lambda: ["cnn", "cnn-litert-dynamic", "mlp-numpy", "cnn-segmenter"])
    default_model: str = "cnn"
    uncertain_below: float | None = Field(default=None, ge=0.0, le=1.0)
    not_a_digit_above: float | None = Field(default=None, ge=0.0, le=1.0)
    inference_threads: int = Field(default=1, ge=1)
    log_level: str = "info"
    workers: int = Field(default=2, ge=1)
    inline_inference: bool = True
    max_batch_size: int = Field(default=256, ge=1)
    max_batch_body_bytes: int = Field(default=16_000_000, gt=0)
    max_upload_bytes: int = Field(default=12_000_000, gt=0)
    max_batch_pixels: int = Field(default=64_000_000, gt=0)
    inference_batch_size: int = Field(default=32, ge=1)
    max_compare_models: int = Field(default=8, ge=1)
    worker_timeout_seconds: float = Field(default=30.0, gt=0)
    graceful_shutdown_seconds: int = Field(default=10, ge=0)
    access_log: bool = True
    log_format: Literal["json", "text"] = "json"
    metrics: bool = True
    max_number_digits: int = Field(default=12, ge=1)
    max_strokes: int = Field(default=200, ge=1)
    max_stroke_points: int = Field(default=20_000, ge=1)
    max_stroke_coordinate: float = Field(default=100_000.0, gt=0)
    stroke_brush_width: float = Field(default=22.0, gt=0)
    database_migrate_on_start: bool = True
    database_pool_size: int = Field(default=POOL_SIZE, ge=1)
    database_max_overflow: int = Field(default=MAX_OVERFLOW, ge=0)
    feedback_max_body_bytes: int = Field(default=2_000_000, gt=0)
    feedback_max_image_bytes: int = Field(default=1_000_000, gt=0)
    feedback_max_strokes: int = Field(default=200, ge=0)
    feedback_max_points: int = Field(default=10_000, ge=0)
    feedback_rate_limit: str = "60/minute;1000/day"
    feedback_rate_limit_storage: str = "memory://"
    feedback_admin_token: SecretStr | None = None

    @field_validator("feedback_rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        parse_many(value)  # a ValueError here is the setting's validation error, at start-up
        return value

    @field_validator("feedback_rate_limit_storage")
    @classmethod
    def _storage_is_known(cls, value: str) -> str:
        try:
            storage_from_string(value)  # checks the scheme and its client library; connects to nothing
        except (ConfigurationError, ValueError) as exc:
            raise ValueError(f"a limits storage URI such as memory:// or redis://host:6379, not {value!r}") from exc
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
