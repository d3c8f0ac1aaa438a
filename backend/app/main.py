"""The FastAPI application: ``python -m app`` (the configured workers) or ``uvicorn app.main:app``.

:func:`create_app` only wires: settings and engines on ``app.state`` (read by the dependencies in
:mod:`app.api.deps`), the lifespan that loads the models once before the first request, the
error handlers, the middleware and the routers of :mod:`app.api.routes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from app.api.deps import get_engines
from app.api.routes import admin, batch, docs, feedback, metrics, numbers, recognition, service, upload
from app.core.config import Settings, get_settings
from app.core.errors import JsonPayloadTooLarge, install_error_handlers
from app.core.observability import MODEL_INFO, REQUEST_ID_HEADER, RequestContextMiddleware, configure_logging
from app.services.engines import LoadedEngines
from app.services.feedback import CLIENT_HEADER, open_store
from app.services.reloading import on_sighup
from digits.engines import load_engines

logger = logging.getLogger("digits")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application.

    Args:
        settings: defaults to the environment's (:func:`app.core.config.get_settings`). The
            lifespan loads ``settings.models`` from ``settings.models_dir``
            (:func:`digits.engines.load_engines`), unless a test brings its own engines by
            overriding :func:`app.api.deps.get_engines` (``app.dependency_overrides``).
    """
    settings = settings or get_settings()
    configure_logging(settings.log_format, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        provided = app.dependency_overrides.get(get_engines)  # engines a test brings
        if provided is not None:
            engines: LoadedEngines = provided()
        else:
            loaded, errors = load_engines(settings.models, settings.models_dir, settings.inference_threads)
            engines = LoadedEngines(loaded, errors, settings.default_model)
        app.state.engines = engines
        for name, engine in engines.engines.items():
            logger.info("loaded model %s (%s)", name, engine.version)
            MODEL_INFO.labels(name, engine.version, engine.kind, str(name == settings.default_model)).set(1)
        app.state.feedback = await run_in_threadpool(open_store, settings)
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):  # not the main thread
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, on_sighup, app)
        yield
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        app.state.feedback.close()
        app.state.feedback = None
        app.state.engines = LoadedEngines(default=settings.default_model)

    app = FastAPI(
        title="digits",
        version="1.0.0",
        summary="Handwritten digit recognition: send a drawing, get the digit and the probability of each of 0-9.",
        lifespan=lifespan,
        # /docs and /redoc are served by app.api.routes.docs from packaged assets, not a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engines = LoadedEngines(default=settings.default_model)
    install_error_handlers(app)
    origins = settings.cors_origins
    if settings.environment == "development" and not origins:
        origins = ["*"]
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Content-Type", REQUEST_ID_HEADER, CLIENT_HEADER, "Authorization"],
        expose_headers=[REQUEST_ID_HEADER, "Server-Timing"],
    )
    # Body limits per router (FastAPI's max_body_size): inside the middleware below, so that
    # JsonPayloadTooLarge sees their 413 and answers it as JSON.
    app.include_router(service.router, max_body_size=settings.max_body_bytes)
    app.include_router(recognition.router, max_body_size=settings.max_body_bytes)
    app.include_router(upload.router, max_body_size=settings.max_upload_bytes)
    app.include_router(batch.router, max_body_size=settings.max_batch_body_bytes)
    app.include_router(numbers.router, max_body_size=settings.max_body_bytes)
    app.include_router(numbers.upload_router, max_body_size=settings.max_upload_bytes)
    app.include_router(feedback.router, max_body_size=settings.feedback_max_body_bytes)
    app.include_router(admin.router, max_body_size=settings.max_body_bytes)
    if settings.metrics:
        app.include_router(metrics.router)
    docs.install(app)
    app.add_middleware(JsonPayloadTooLarge)
    app.add_middleware(
        RequestContextMiddleware,
        known_paths=[getattr(route, "path", "") for route in app.routes],
        access_log=settings.access_log,
        metrics=settings.metrics,
    )
    return app


app = create_app()
