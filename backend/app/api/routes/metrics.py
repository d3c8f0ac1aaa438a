"""``GET /metrics``: Prometheus metrics (left out of the OpenAPI schema; ``METRICS=false`` removes it)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.core.observability import render_metrics

router = APIRouter(tags=["service"], include_in_schema=False)


@router.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics (text exposition format)."""
    content, media_type = render_metrics()
    return Response(content, media_type=media_type)
