"""Feedback for the routes: check and preprocess a drawing, store it; the rate limit and the admin token.

Database work is blocking (:class:`digits.feedback.FeedbackStore`): the routes call
:func:`submit` and the store from a worker thread. A database that cannot be reached answers
503 ``database_unavailable``, never a 500.
"""

from __future__ import annotations

import dataclasses
import hmac
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.exc import SQLAlchemyError

from app.core.config import Settings
from app.core.errors import ApiError
from app.schemas_feedback import FeedbackRequest
from app.services.decoding import decode_image_field
from digits.feedback import FeedbackStore, NewFeedback
from digits.feedback.migrate import upgrade
from digits.preprocessing import PreprocessingError, decode_image, preprocess, to_png

logger = logging.getLogger("digits")

CLIENT_HEADER = "X-Digits-Client"
"""The header carrying the SPA's random per-browser id (kept in its localStorage)."""

MAX_CLIENT_ID_LENGTH = 128

STORAGE_TIMEOUT_SECONDS = 0.25
"""How long a shared rate-limit store may take to connect or answer before memory counts instead."""
STORAGE_RETRY_SECONDS = 5.0
"""How long memory counts alone after the shared store failed, before the store is tried again."""

T = TypeVar("T")


def open_store(settings: Settings) -> FeedbackStore:
    """The store of ``settings.database_url``, migrated first when ``DATABASE_MIGRATE_ON_START``.

    A database that cannot be migrated is logged, not raised: predictions are served anyway and
    the feedback routes answer 503 until it can be reached.
    """
    if settings.database_migrate_on_start:
        try:
            upgrade(settings.database_url)
        except (SQLAlchemyError, OSError) as exc:
            logger.error("the feedback database could not be migrated: %s", exc)
    if settings.feedback_admin_token is None and settings.environment == "production":
        logger.warning("FEEDBACK_ADMIN_TOKEN is not set: anyone can export and delete feedback")
    return FeedbackStore(settings.database_url, settings.database_pool_size, settings.database_max_overflow)


def with_database(work: Callable[[], T]) -> T:
    """Run ``work``; a database error becomes 503 ``database_unavailable``."""
    try:
        return work()
    except (SQLAlchemyError, LookupError) as exc:
        logger.error("feedback database error: %s", exc)
        raise ApiError("database_unavailable", "the feedback database is unavailable; try again later") from exc


def check_client_id(value: str | None) -> str | None:
    """The ``X-Digits-Client`` header's value, checked: at most 128 printable ASCII characters.

    Raises:
        ApiError: ``invalid_client_id`` (400).
    """
    if value is None or value == "":
        return None
    if len(value) > MAX_CLIENT_ID_LENGTH or not value.isascii() or not value.isprintable():
        raise ApiError(
            "invalid_client_id",
            f"{CLIENT_HEADER} must be at most {MAX_CLIENT_ID_LENGTH} printable ASCII characters (a random id)",
        )
    return value


class RateLimit:
    """``settings.feedback_rate_limit`` per client (the ``limits`` library, moving window), counted in
    the storage at ``FEEDBACK_RATE_LIMIT_STORAGE``.

    ``memory://`` counts in this process only: with N replicas a client gets up to N times the
    limit. A shared store (``redis://host:6379``) is counted in by every replica, so the limit holds
    for the service as a whole. While a shared store cannot be reached (a timeout of
    :data:`STORAGE_TIMEOUT_SECONDS`), this process's memory counts instead, logged once per outage:
    a drawing is never refused because the limiter's store is down, and the limit still holds per
    process.
    """

    def __init__(self, limit: str, storage: str = "memory://") -> None:
        self.items: list[RateLimitItem] = parse_many(limit)
        options: dict[str, float] = {}
        if storage.startswith(("redis", "valkey")):
            options = {"socket_timeout": STORAGE_TIMEOUT_SECONDS, "socket_connect_timeout": STORAGE_TIMEOUT_SECONDS}
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage, wrap_exceptions=True, **options))
        shared = not storage.startswith("memory")
        self.fallback = MovingWindowRateLimiter(MemoryStorage()) if shared else self.limiter
        self.storage_down = False
        self.retry_at = 0.0

    def _hit(self, item: RateLimitItem, key: str) -> tuple[bool, float]:
        """Count one request of ``key`` against ``item``: (allowed, the window's reset time in epoch
        seconds), in the shared storage or, while it is down, in memory (the shared storage is
        tried again every :data:`STORAGE_RETRY_SECONDS`, so an outage does not cost each request a
        timeout)."""
        limiter = self.limiter
        if self.storage_down and time.monotonic() < self.retry_at:
            limiter = self.fallback
        try:
            allowed = limiter.hit(item, "feedback", key)
            if self.storage_down and limiter is self.limiter:
                logger.warning("the feedback rate limit's storage is back")
                self.storage_down = False
        except StorageError as exc:
            if not self.storage_down:
                logger.error("the feedback rate limit's storage is unavailable, counting in memory: %s", exc)
            self.storage_down = True
            self.retry_at = time.monotonic() + STORAGE_RETRY_SECONDS
            limiter = self.fallback
            allowed = limiter.hit(item, "feedback", key)
        return allowed, 0.0 if allowed else limiter.get_window_stats(item, "feedback", key).reset_time

    def hit(self, key: str) -> None:
        """Count one request of ``key``.

        Raises:
            ApiError: ``rate_limited`` (429, with ``Retry-After`` in seconds) past any of the limits.
        """
        for item in self.items:
            allowed, reset = self._hit(item, key)
            if not allowed:
                retry = max(1, int(reset - time.time()) + 1)
                raise ApiError(
                    "rate_limited",
                    f"too many drawings from this client (limit {item}); try again in {retry} s",
                    headers={"Retry-After": str(retry)},
                )


def require_admin(settings: Settings, given: str | None) -> None:
    """Check the bearer token ``given`` (``Authorization: Bearer <token>``; ``None`` without one) against
    ``FEEDBACK_ADMIN_TOKEN``, in constant time; nothing to check when that is unset.

    Raises:
        ApiError: ``unauthorized`` (401) without a bearer token, ``forbidden`` (403) with another one.
    """
    token = settings.feedback_admin_token
    if token is None:
        return
    if not given or not given.strip():
        raise ApiError(
            "unauthorized",
            "this route needs 'Authorization: Bearer <FEEDBACK_ADMIN_TOKEN>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(given.strip().encode("utf-8"), token.get_secret_value().encode("utf-8")):
        raise ApiError("forbidden", "the bearer token is not the admin token")


def _check_strokes(strokes: list[list[tuple[float, float, float]]] | None, settings: Settings) -> None:
    if strokes is None:
        return
    points = sum(len(stroke) for stroke in strokes)
    if len(strokes) > settings.feedback_max_strokes or points > settings.feedback_max_points:
        raise ApiError(
            "strokes_too_long",
            f"the drawing has {len(strokes)} strokes and {points} points; the limits are "
            f"{settings.feedback_max_strokes} strokes (FEEDBACK_MAX_STROKES) and {settings.feedback_max_points} "
            "points (FEEDBACK_MAX_POINTS)",
        )


def prepare(body: FeedbackRequest, client: str, settings: Settings) -> NewFeedback:
    """Check a drawing and make its 28x28 model input (the one preprocessing path), ready to store.

    Raises:
        ApiError: ``invalid_base64``, ``invalid_image``, ``image_too_large`` (pixels or
            ``FEEDBACK_MAX_IMAGE_BYTES``), ``empty_image``, ``strokes_too_long``.
    """
    _check_strokes(body.strokes, settings)
    data = decode_image_field(body.image)
    if len(data) > settings.feedback_max_image_bytes:
        raise ApiError(
            "image_too_large",
            f"the image is {len(data)} bytes; feedback keeps images up to {settings.feedback_max_image_bytes} "
            "bytes (FEEDBACK_MAX_IMAGE_BYTES): send the canvas as a PNG",
        )
    try:
        img = decode_image(data, max_pixels=settings.max_image_pixels, allowed_formats=settings.allowed_formats)
        pre = preprocess(img)
    except PreprocessingError as exc:
        raise ApiError.from_preprocessing(exc) from exc
    return NewFeedback(
        client=client,
        label=body.label,
        predicted=body.predicted,
        model_version=body.model_version,
        input_image=to_png(pre.image),
        image=data,
        probabilities=body.probabilities,
        strokes=[[list(point) for point in stroke] for stroke in body.strokes] if body.strokes is not None else None,
        canvas=(body.canvas.width, body.canvas.height) if body.canvas else None,
        device=body.device,
    )


def submit(store: FeedbackStore, body: FeedbackRequest, client_id: str | None, settings: Settings) -> str:
    """Check, preprocess and store one drawing (blocking: call it from a worker thread); its id."""
    item = prepare(body, "", settings)
    client = with_database(lambda: store.hash_client(client_id))
    return with_database(lambda: store.add(dataclasses.replace(item, client=client)))


def first_and_rest(records: Iterator[dict[str, Any]]) -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]]]:
    """Fetch the first record now (a database error is still a 503 before the response starts)."""
    first = with_database(lambda: next(records, None))
    return ([first] if first is not None else []), records
