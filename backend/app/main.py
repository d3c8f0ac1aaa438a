"""The FastAPI application: ``uvicorn app.main:app`` or ``python -m app``.

The model is loaded once, in the lifespan, before the first request is accepted.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import numpy as np
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from app.decoding import decode_image_field
from app.errors import ApiError, install_error_handlers
from app.middleware import BodySizeLimitMiddleware
from app.schemas import ErrorResponse, HealthResponse, PredictRequest, PredictResponse
from app.settings import Settings, get_settings
from digits.engines import Engine, KerasEngine, ModelLoadError
from digits.preprocessing import PreprocessingError, preprocess_bytes, to_png

logger = logging.getLogger("digits")

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorResponse, "description": "Not base64, or not a decodable image."},
    413: {"model": ErrorResponse, "description": "Body or image over the configured limits."},
    422: {"model": ErrorResponse, "description": "Invalid request body, or an image with no ink."},
    503: {"model": ErrorResponse, "description": "The model is not loaded."},
}


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application.

    Args:
        settings: defaults to the environment's (:func:`app.settings.get_settings`).
        engine: an already-loaded engine (tests); otherwise the lifespan loads
            ``settings.model_path`` with :class:`digits.engines.KerasEngine`.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine
        app.state.load_error = None
        if engine is None:
            try:
                app.state.engine = KerasEngine(settings.model_path, intra_op_threads=settings.intra_op_threads)
                logger.info("loaded model %s from %s", app.state.engine.version, settings.model_path)
            except ModelLoadError as exc:
                app.state.load_error = str(exc)
                logger.error("%s", exc)
        yield
        app.state.engine = None

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

    def current_engine(request: Request) -> Engine:
        loaded: Engine | None = request.app.state.engine
        if loaded is None:
            reason = request.app.state.load_error or "the model is not loaded"
            raise ApiError("model_unavailable", reason)
        return loaded

    @app.get("/health", response_model=HealthResponse, tags=["service"])
    def health(request: Request) -> JSONResponse:
        """Whether the service is up and its model loaded (503 while it is not)."""
        loaded: Engine | None = request.app.state.engine
        body = HealthResponse(
            status="ok" if loaded else "unavailable",
            model_loaded=loaded is not None,
            model_version=loaded.version if loaded else None,
        )
        return JSONResponse(body.model_dump(), status_code=200 if loaded else 503)

    @app.post("/predict", response_model=PredictResponse, responses=ERROR_RESPONSES, tags=["recognition"])
    def predict(body: PredictRequest, request: Request) -> PredictResponse:
        """Recognise one handwritten digit in an image.

        The image is normalised the way MNIST was prepared (see `digits.preprocessing`):
        polarity, crop to the ink, scale to 20x20, centre of mass at the centre of 28x28.
        """
        model = current_engine(request)
        data = decode_image_field(body.image)
        try:
            pre = preprocess_bytes(data, max_pixels=settings.max_image_pixels, allowed_formats=settings.allowed_formats)
        except PreprocessingError as exc:
            raise ApiError.from_preprocessing(exc) from exc
        probabilities = model.predict_proba(pre.image[None, :, :, None])[0].astype(np.float64)
        probabilities /= probabilities.sum()
        digit = int(np.argmax(probabilities))
        return PredictResponse(
            digit=digit,
            confidence=float(probabilities[digit]),
            probabilities=[float(p) for p in probabilities],
            model_version=model.version,
            input_image=base64.b64encode(to_png(pre.image)).decode("ascii"),
        )

    return app


app = create_app()
