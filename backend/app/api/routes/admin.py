"""``POST /admin/reload``: serve freshly loaded engines (e.g. a new champion) without downtime."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from app.api.routes.feedback import ADMIN_ERRORS, admin
from app.schemas import ErrorResponse
from app.schemas_feedback import ReloadResponse
from app.services.reloading import reload_engines

router = APIRouter(tags=["admin"])


@router.post(
    "/admin/reload",
    response_model=ReloadResponse,
    dependencies=[Depends(admin)],
    responses={
        401: ADMIN_ERRORS[401],
        403: ADMIN_ERRORS[403],
        503: {"model": ErrorResponse, "description": "A model did not load; the served engines are kept."},
    },
)
async def reload(request: Request) -> ReloadResponse:
    """Load `MODELS` from `MODELS_DIR` again and swap them in atomically (SIGHUP does the same).

    The new engines are loaded completely while the old ones keep answering; then one reference
    is replaced. Requests in flight finish on the old engines; none fails. In a multi-worker
    service this reloads the worker that answers; send SIGHUP to the server process to reload
    every worker.
    """
    engines = await reload_engines(request.app)
    return ReloadResponse(
        models={name: engine.version for name, engine in engines.engines.items()},
        errors=engines.errors,
        default=engines.default,
    )
