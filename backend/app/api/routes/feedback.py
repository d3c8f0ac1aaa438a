"""``/feedback``: store a confirmed or corrected drawing, count them, delete one, export them all.

``DELETE`` and ``export`` need ``Authorization: Bearer <FEEDBACK_ADMIN_TOKEN>`` when that
setting is set. Every database call runs on a worker thread, not on the event loop.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.deps import SettingsDep
from app.core.errors import ApiError
from app.schemas import ErrorResponse
from app.schemas_feedback import FeedbackCreated, FeedbackRequest, FeedbackStats
from app.services.feedback import (
    CLIENT_HEADER,
    RateLimit,
    check_client_id,
    first_and_rest,
    require_admin,
    submit,
    with_database,
)
from digits.feedback import FeedbackStore

router = APIRouter(tags=["feedback"])

ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "FEEDBACK_ADMIN_TOKEN is set and no bearer token was sent."},
    403: {"model": ErrorResponse, "description": "The bearer token is not FEEDBACK_ADMIN_TOKEN."},
    503: {"model": ErrorResponse, "description": "The feedback database is unavailable."},
}


def get_store(request: Request) -> FeedbackStore:
    """The feedback store the lifespan opened.

    Raises:
        ApiError: ``database_unavailable`` (503) before start-up or after shutdown.
    """
    store: FeedbackStore | None = getattr(request.app.state, "feedback", None)
    if store is None:
        raise ApiError("database_unavailable", "the feedback database is not open")
    return store


def get_rate_limit(request: Request) -> RateLimit:
    """This process's feedback rate limiter (made on first use from ``FEEDBACK_RATE_LIMIT`` and
    ``FEEDBACK_RATE_LIMIT_STORAGE``)."""
    limit: RateLimit | None = getattr(request.app.state, "feedback_rate_limit", None)
    if limit is None:
        settings = request.app.state.settings
        limit = RateLimit(settings.feedback_rate_limit, settings.feedback_rate_limit_storage)
        request.app.state.feedback_rate_limit = limit
    return limit


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="adminToken",
    description="FEEDBACK_ADMIN_TOKEN (needed only when the service sets it).",
)


def admin(settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """Dependency: the admin bearer token (:func:`app.services.feedback.require_admin`)."""
    require_admin(settings, credentials.credentials if credentials else None)


StoreDep = Annotated[FeedbackStore, Depends(get_store)]
ClientHeader = Annotated[
    str | None,
    Header(
        alias=CLIENT_HEADER,
        description="A random id of this browser (kept in its localStorage); stored only as a salted hash.",
    ),
]


@router.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackCreated,
    responses={
        400: {"model": ErrorResponse, "description": "Not base64, not an image, or a bad X-Digits-Client."},
        413: {"model": ErrorResponse, "description": "Body, image or strokes over the configured limits."},
        422: {"model": ErrorResponse, "description": "Invalid body (e.g. a label outside 0-9), or no ink."},
        429: {"model": ErrorResponse, "description": "Too many drawings from this client (FEEDBACK_RATE_LIMIT)."},
        503: {"model": ErrorResponse, "description": "The feedback database is unavailable."},
    },
)
async def create_feedback(
    body: FeedbackRequest,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    client_id: ClientHeader = None,
) -> FeedbackCreated:
    """Store a drawing with the label its author gives it (`null`: not a digit).

    Kept: the image as sent, its 28x28 model input (the same preprocessing as /predict), the
    strokes, the canvas size, the label, the model's answer and version, the device class and
    the time; the client only as a salted hash of `X-Digits-Client`; never an IP address.
    """
    client = check_client_id(client_id)
    peer = request.client.host if request.client else "unknown"
    limit = get_rate_limit(request)

    def count_then_store() -> str:
        # The rate limit counts the store's salted hash of the id (or address), never the value
        # itself: a shared store (Redis) keeps its key until the window ends. Both calls may block
        # (the database, the shared store), so they run on a worker thread.
        key = with_database(lambda: store.hash_client(f"client:{client}" if client else f"address:{peer}"))
        limit.hit(key)
        return submit(store, body, client, settings)

    new_id = await run_in_threadpool(count_then_store)
    return FeedbackCreated(id=new_id)


@router.get("/feedback/stats", response_model=FeedbackStats, responses={503: ADMIN_ERRORS[503]})
async def feedback_stats(store: StoreDep) -> FeedbackStats:
    """How many drawings, per label and per model version, and how often the model was right."""
    stats = await run_in_threadpool(with_database, store.stats)
    return FeedbackStats.model_validate(stats)


def _lines(records: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for item in records:
        yield (json.dumps(item, separators=(",", ":")) + "\n").encode()


@router.get(
    "/feedback/export",
    dependencies=[Depends(admin)],
    response_class=StreamingResponse,
    responses={
        **ADMIN_ERRORS,
        200: {
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            "description": "One JSON object per line, oldest first (see `python -m digits.feedback.export`).",
        },
    },
)
async def export_feedback(store: StoreDep) -> StreamingResponse:
    """Every stored drawing, streamed as JSON lines (`application/x-ndjson`), the same lines as
    `python -m digits.feedback.export`."""
    first, rest = await run_in_threadpool(first_and_rest, store.iter_records())
    return StreamingResponse(_lines(itertools.chain(first, rest)), media_type="application/x-ndjson")


# Declared after /feedback/export and /feedback/stats: a path's first partly matching route gives
# the Allow header of a 405, and /feedback/{feedback_id} matches those paths too.
@router.delete(
    "/feedback/{feedback_id}",
    status_code=204,
    dependencies=[Depends(admin)],
    responses={**ADMIN_ERRORS, 404: {"model": ErrorResponse, "description": "No drawing has this id."}},
)
async def delete_feedback(feedback_id: str, store: StoreDep) -> Response:
    """Delete one stored drawing (e.g. at its author's request)."""
    deleted = await run_in_threadpool(with_database, lambda: store.delete(feedback_id))
    if not deleted:
        raise ApiError("feedback_not_found", f"no feedback has the id {feedback_id!r}")
    return Response(status_code=204)
