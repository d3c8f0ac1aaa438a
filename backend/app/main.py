"""The FastAPI application: ``uvicorn app.main:app`` or ``python -m app``.

Models are loaded once, in the lifespan, before the first request is accepted.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import numpy as np
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from app.decoding import decode_image_field
from app.errors import ApiError, install_error_handlers
from app.middleware import BodySizeLimitMiddleware
from app.schemas import (
    ErrorResponse,
    HealthResponse,
    ModelInfo,
    ModelsResponse,
    PredictRequest,
    PredictResponse,
)
from app.settings import Settings, get_settings
from digits.engines import Engine
from digits.preprocessing import PreprocessingError, preprocess_bytes, to_png
from digits.registry import MODEL_SPECS, load_engines

logger = logging.getLogger("digits")

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Not base64, or not a decodable image."},
    413: {"model": ErrorResponse, "description": "Body or image over the configured limits."},
    422: {"model": ErrorResponse, "description": "Invalid request body, an unknown model, or an image with no ink."},
    503: {"model": ErrorResponse, "description": "The model is not loaded."},
}


def create_app(settings: Settings | None = None, engines: dict[str, Engine] | None = None) -> FastAPI:
    """Build the application.

    Args:
        settings: defaults to the environment's (:func:`app.settings.get_settings`).
        engines: already-loaded engines by name (tests); otherwise the lifespan loads
            ``settings.models`` from ``settings.models_dir`` (:func:`digits.registry.load_engines`).
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if engines is None:
            loaded, errors = load_engines(settings.models, settings.models_dir, settings.inference_threads)
        else:
            loaded, errors = dict(engines), {}
        app.state.engines = loaded
        app.state.load_errors = errors
        for name, engine in loaded.items():
            logger.info("loaded model %s (%s)", name, engine.version)
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
        CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"], allow_headers=["Content-Type"]
    )
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)

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

    @app.get("/health", response_model=HealthResponse, tags=["service"])
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
                    engine=type(engine).__name__.removesuffix("Engine").lower(),
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

    def recognise(engine: Engine, data: bytes) -> PredictResponse:
        """Encoded image bytes -> the response, through the one preprocessing path."""
        try:
            pre = preprocess_bytes(data, max_pixels=settings.max_image_pixels, allowed_formats=settings.allowed_formats)
        except PreprocessingError as exc:
            raise ApiError.from_preprocessing(exc) from exc
        probabilities = engine.predict_proba(pre.image[None, :, :, None])[0].astype(np.float64)
        probabilities /= probabilities.sum()
        digit = int(np.argmax(probabilities))
        confidence = float(probabilities[digit])
        return PredictResponse(
            digit=digit,
            confidence=confidence,
            uncertain=confidence < settings.uncertain_below,
            probabilities=[float(p) for p in probabilities],
            model=engine.name,
            model_version=engine.version,
            input_image=base64.b64encode(to_png(pre.image)).decode("ascii"),
        )

    @app.post("/predict", response_model=PredictResponse, responses=ERROR_RESPONSES, tags=["recognition"])
    def predict(body: PredictRequest, request: Request) -> PredictResponse:
        """Recognise one handwritten digit in a base64-encoded image (e.g. a canvas's data URL).

        The image is normalised the way MNIST was prepared (see `digits.preprocessing`):
        polarity, crop to the ink, scale to 20x20, centre of mass at the centre of 28x28.
        """
        engine = engine_for(request, body.model)
        return recognise(engine, decode_image_field(body.image))

    @app.post("/predict/upload", response_model=PredictResponse, responses=ERROR_RESPONSES, tags=["recognition"])
    async def predict_upload(
        request: Request,
        file: Annotated[UploadFile, File(description="The image file: PNG, JPEG, WebP, BMP or GIF.")],
        model: Annotated[str | None, Form(description="Which model answers (see GET /models).")] = None,
    ) -> PredictResponse:
        """Recognise one handwritten digit in an uploaded image file (multipart/form-data).

        Same answer, limits and errors as `POST /predict`.
        """
        engine = engine_for(request, model)
        data = await file.read()
        return await run_in_threadpool(recognise, engine, data)

    return app


app = create_app()
