"""Swap the served engines without downtime: ``POST /admin/reload`` and SIGHUP.

The new engines are loaded completely first (on a worker thread: requests keep being served by
the old ones meanwhile), then ``app.state.engines`` -- the one reference every request reads
through :func:`app.api.deps.get_engines` -- is replaced in a single assignment. A request that
already holds the old engines finishes with them; the next one gets the new ones. No request
waits and none fails. Reloads run one at a time.

A reload that loads fewer of ``MODELS`` than are served now (a file missing or half-written)
changes nothing: the old engines stay, and the caller gets 503 ``reload_failed``.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from app.core.config import Settings
from app.core.errors import ApiError
from app.core.observability import MODEL_INFO
from app.services.engines import LoadedEngines
from digits import engines as engine_loading

logger = logging.getLogger("digits")


def load(settings: Settings) -> LoadedEngines:
    """Load ``settings.models`` from ``settings.models_dir`` (blocking: seconds for a TensorFlow model)."""
    loaded, errors = engine_loading.load_engines(settings.models, settings.models_dir, settings.inference_threads)
    return LoadedEngines(loaded, errors, settings.default_model)


def publish(old: LoadedEngines, new: LoadedEngines, default: str) -> None:
    """Set the ``digits_model_info`` gauge to the served engines: 0 for the ones no longer served
    (prometheus-client cannot remove a label set in multi-process mode), 1 for the new ones."""
    for name, engine in old.engines.items():
        MODEL_INFO.labels(name, engine.version, engine.kind, str(name == default)).set(0)
    for name, engine in new.engines.items():
        MODEL_INFO.labels(name, engine.version, engine.kind, str(name == default)).set(1)


def _lock(app: FastAPI) -> asyncio.Lock:
    lock: asyncio.Lock | None = getattr(app.state, "reload_lock", None)
    if lock is None:
        lock = app.state.reload_lock = asyncio.Lock()
    return lock


async def reload_engines(app: FastAPI) -> LoadedEngines:
    """Load the configured models anew and make them the served ones (see the module's docstring).

    Raises:
        ApiError: ``reload_failed`` (503) when fewer models load than are served now; the
            served engines are then unchanged.
    """
    settings: Settings = app.state.settings
    async with _lock(app):
        current: LoadedEngines = app.state.engines
        fresh = await run_in_threadpool(load, settings)
        missing = sorted(set(current.engines) - set(fresh.engines))
        if missing:
            reasons = "; ".join(f"{name}: {fresh.errors.get(name, 'not loaded')}" for name in missing)
            logger.error("reload refused, the served engines are kept: %s", reasons)
            raise ApiError("reload_failed", f"the served engines are kept: these models did not load: {reasons}")
        app.state.engines = fresh  # the swap: one reference assignment
        publish(current, fresh, settings.default_model)
        versions = ", ".join(f"{name} {engine.version}" for name, engine in fresh.engines.items())
        logger.info("reloaded models: %s", versions)
        return fresh


def on_sighup(app: FastAPI) -> None:
    """SIGHUP's handler (on the event loop): start a reload; a refused one is logged."""

    async def run() -> None:
        try:
            await reload_engines(app)
        except ApiError as exc:
            logger.error("SIGHUP reload failed: %s", exc.detail)

    task = asyncio.get_running_loop().create_task(run())
    app.state.reload_task = task  # keep a reference until it is done
