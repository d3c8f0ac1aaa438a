"""``GET /health`` and ``GET /models``: is the service ready, and what does it serve."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import EnginesDep
from app.api.responses import HEALTH_RESPONSES, MODELS_RESPONSES
from app.schemas import HealthResponse, ModelInfo, ModelsResponse

router = APIRouter(tags=["service"])


@router.get(
    "/health",
    response_model=HealthResponse,
    responses=HEALTH_RESPONSES,
)
def health(engines: EnginesDep) -> JSONResponse:
    """Whether the service is up and its default model loaded (503 while it is not)."""
    default = engines.default_engine
    body = HealthResponse(
        status="ok" if default else "unavailable",
        model_loaded=default is not None,
        model_version=default.version if default else None,
        models=sorted(engines.engines),
    )
    return JSONResponse(body.model_dump(), status_code=200 if default else 503)


@router.get("/models", response_model=ModelsResponse, responses=MODELS_RESPONSES)
def models(engines: EnginesDep) -> ModelsResponse:
    """Every loaded model a request may choose, with its model card (accuracy, parameters, size on
    disk, engine); a helper such as `cnn-segmenter`, which decides how a written number is cut
    for the CNNs, is listed in `/health` only."""
    choosable = set(engines.choosable())
    infos = [
        ModelInfo(
            name=name,
            description=engines.description(name),
            engine=engine.kind,
            version=engine.version,
            default=name == engines.default,
            file=engine.path.name,
            size_bytes=engine.path.stat().st_size,
            parameters=engine.card.parameters,
            test_accuracy=engine.card.test_accuracy,
            card=engine.card.public(),
        )
        for name, engine in engines.engines.items()
        if name in choosable
    ]
    return ModelsResponse(default=engines.default, models=infos)
