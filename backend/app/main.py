"""The FastAPI application: ``python -m app`` (the configured workers) or ``uvicorn app.main:app``.

Models are loaded once, in the lifespan, before the first request is accepted.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response

from app.errors import ApiError, install_error_handlers
from app.middleware import BodySizeLimitMiddleware
from app.observability import (
    MODEL_INFO,
    REQUEST_ID_HEADER,
    RequestContextMiddleware,
    configure_logging,
    render_metrics,
)
from app.pipeline import Answer, recognise, recognise_batch
from app.schemas import (
    BatchPredictRequest,
    BatchPredictResponse,
    ErrorResponse,
    HealthResponse,
    ModelInfo,
    ModelsResponse,
    PredictRequest,
    PredictResponse,
)
from app.settings import Settings, get_settings
from digits.engines import Engine
from digits.registry import MODEL_SPECS, load_engines

logger = logging.getLogger("digits")

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Not base64, or not a decodable image."},
    413: {"model": ErrorResponse, "description": "Body or image over the configured limits."},
    422: {"model": ErrorResponse, "description": "Invalid request body, an unknown model, or an image with no ink."},
    503: {"model": ErrorResponse, "description": "The model is not loaded."},
}
BATCH_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorResponse, "description": "Body over MAX_BATCH_BODY_BYTES, or more than MAX_BATCH_SIZE images."},
    422: {"model": ErrorResponse, "description": "Invalid request body (e.g. no images) or an unknown model."},
    503: {"model": ErrorResponse, "description": "The model is not loaded."},
}


def tune_allocator(mmap_threshold: int = 16 << 20, trim_threshold: int = 64 << 20) -> bool:
    """Let glibc's malloc keep freed image-sized buffers for reuse (Linux; elsewhere a no-op).

    Every request allocates and frees buffers of a few hundred kB (decoded pixels, float
    arrays). By default glibc serves those with ``mmap`` and gives them back on ``free``, so the
    next request page-faults on fresh memory: about 0.4 ms per 280x280 canvas on this machine
    (see benchmarks/README.md). Raising ``M_MMAP_THRESHOLD`` to ``mmap_threshold`` bytes and
    ``M_TRIM_THRESHOLD`` to ``trim_threshold`` bytes keeps them in the heap: the process holds
    on to at most ``trim_threshold`` bytes of free memory. Returns whether it applied.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    return bool(mallopt(m_mmap_threshold, mmap_threshold)) and bool(mallopt(m_trim_threshold, trim_threshold))


def create_app(settings: Settings | None = None, engines: dict[str, Engine] | None = None) -> FastAPI:
    """Build the application.

    Args:
        settings: defaults to the environment's (:func:`app.settings.get_settings`).
        engines: already-loaded engines by name (tests); otherwise the lifespan loads
            ``settings.models`` from ``settings.models_dir`` (:func:`digits.registry.load_engines`).
    """
    settings = settings or get_settings()
    configure_logging(settings.log_format, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_allocator()
        if engines is None:
            loaded, errors = load_engines(settings.models, settings.models_dir, settings.inference_threads)
        else:
            loaded, errors = dict(engines), {}
        app.state.engines = loaded
        app.state.load_errors = errors
        for name, engine in loaded.items():
            logger.info("loaded model %s (%s)", name, engine.version)
            MODEL_INFO.labels(name, engine.version, _engine_kind(engine), str(name == settings.default_model)).set(1)
        yield
        app.state.engines = {}

    app = FastAPI(
        title="digits",
        version="1.0.0",
        summary="Handwritten digit recognition: send a drawing, get the digit and the probability of each of 0-9.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    origins = settings.cors_origins
    if settings.environment == "development" and not origins:
        origins = ["*"]
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER, "Server-Timing"],
    )
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        path_limits={"/predict/batch": settings.max_batch_body_bytes},
    )

    def engine_for(request: Request, name: str | None) -> Engine:
        name = name or settings.default_model
        loaded: dict[str, Engine] = request.app.state.engines
        if name in loaded:
            return loaded[name]
        errors: dict[str, str] = request.app.state.load_errors
        if name in errors:
            raise ApiError("model_unavailable", f"model {name!r} is not loaded: {errors[name]}")
        if name == settings.default_model and not loaded:
            raise ApiError("model_unavailable", "no model is loaded: train one with `make train`")
        available = ", ".join(sorted(loaded)) or "none"
        raise ApiError("unknown_model", f"unknown model {name!r}; available: {available} (see GET /models)")

    @app.get(
        "/health",
        response_model=HealthResponse,
        responses={503: {"model": HealthResponse, "description": "The default model is not loaded."}},
        tags=["service"],
    )
    def health(request: Request) -> JSONResponse:
        """Whether the service is up and its default model loaded (503 while it is not)."""
        loaded: dict[str, Engine] = request.app.state.engines
        default = loaded.get(settings.default_model)
        body = HealthResponse(
            status="ok" if default else "unavailable",
            model_loaded=default is not None,
            model_version=default.version if default else None,
            models=sorted(loaded),
        )
        return JSONResponse(body.model_dump(), status_code=200 if default else 503)

    @app.get("/models", response_model=ModelsResponse, tags=["service"])
    def models(request: Request) -> ModelsResponse:
        """Every loaded model with its model card (accuracy, parameters, size on disk, engine)."""
        loaded: dict[str, Engine] = request.app.state.engines
        infos = []
        for name, engine in loaded.items():
            spec = MODEL_SPECS.get(name)
            path = getattr(engine, "path", None)
            card = engine.card
            infos.append(
                ModelInfo(
                    name=name,
                    description=spec.description if spec else name,
                    engine=_engine_kind(engine),
                    version=engine.version,
                    default=name == settings.default_model,
                    file=path.name if path else "",
                    size_bytes=path.stat().st_size if path else 0,
                    parameters=card.get("parameters"),
                    test_accuracy=card.get("test_accuracy"),
                    card={k: v for k, v in card.items() if k != "history"},
                )
            )
        return ModelsResponse(default=settings.default_model, models=infos)

    def respond(answer: Answer) -> Response:
        return Response(
            answer.body, media_type="application/json", headers={"Server-Timing": answer.timings.server_timing()}
        )

    async def answer_one(engine: Engine, image: str | bytes) -> Response:
        if settings.inline_inference:
            return respond(recognise(engine, image, settings))
        return respond(await run_in_threadpool(recognise, engine, image, settings))

    @app.post("/predict", response_model=PredictResponse, responses=ERROR_RESPONSES, tags=["recognition"])
    async def predict(body: PredictRequest, request: Request) -> Response:
        """Recognise one handwritten digit in a base64-encoded image (e.g. a canvas's data URL).

        The image is normalised the way MNIST was prepared (see `digits.preprocessing`):
        polarity, crop to the ink, scale to 20x20, centre of mass at the centre of 28x28.
        The `Server-Timing` header gives the milliseconds spent decoding, preprocessing,
        running the model and serialising (and in the app as a whole).
        """
        engine = engine_for(request, body.model)
        return await answer_one(engine, body.image)

    @app.post(
        "/predict/batch",
        response_model=BatchPredictResponse,
        responses=BATCH_ERROR_RESPONSES,
        tags=["recognition"],
    )
    async def predict_batch(body: BatchPredictRequest, request: Request) -> Response:
        """Recognise one digit in each of up to `MAX_BATCH_SIZE` (256) images, with one model.

        Answers one result per image, in order. An image that cannot be recognised does not fail
        the batch: its result has `status: "error"` and the `code` and `detail` that `POST /predict`
        would answer for it. More than `MAX_BATCH_SIZE` images, or a body over
        `MAX_BATCH_BODY_BYTES`, gets 413; an unknown model 422. The images are run through the
        model together (`INFERENCE_BATCH_SIZE` per engine call), on a worker thread.
        """
        engine = engine_for(request, body.model)
        answer = await run_in_threadpool(recognise_batch, engine, body.images, settings)
        return respond(answer)

    @app.post("/predict/upload", response_model=PredictResponse, responses=ERROR_RESPONSES, tags=["recognition"])
    async def predict_upload(
        request: Request,
        file: Annotated[UploadFile, File(description="The image file: PNG, JPEG, WebP, BMP or GIF.")],
        model: Annotated[str | None, Form(description="Which model answers (see GET /models).")] = None,
    ) -> Response:
        """Recognise one handwritten digit in an uploaded image file (multipart/form-data).

        Same answer, limits and errors as `POST /predict`.
        """
        engine = engine_for(request, model)
        data = await file.read()
        return await answer_one(engine, data)

    if settings.metrics:

        @app.get("/metrics", include_in_schema=False)
        def metrics() -> Response:
            """Prometheus metrics (text exposition format)."""
            content, media_type = render_metrics()
            return Response(content, media_type=media_type)

    app.add_middleware(
        RequestContextMiddleware,
        known_paths=[getattr(route, "path", "") for route in app.routes],
        access_log=settings.access_log,
        metrics=settings.metrics,
    )
    return app


def _engine_kind(engine: Engine) -> str:
    """``keras``, ``litert``, ...: the engine's class name without ``Engine``."""
    return type(engine).__name__.removesuffix("Engine").lower()


app = create_app()
