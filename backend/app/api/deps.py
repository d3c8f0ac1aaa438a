"""Dependencies of the routes: the settings and the loaded engines, both overridable in tests.

``create_app`` puts both on ``app.state``; a test replaces either with
``app.dependency_overrides[get_engines] = lambda: LoadedEngines(...)``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.core.config import Settings
from app.services.engines import LoadedEngines


async def get_app_settings(request: Request) -> Settings:
    """The settings the application was built with (``async``: FastAPI runs a plain ``def``
    dependency on a worker thread, two thread hops per request for an attribute read)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_engines(request: Request) -> LoadedEngines:
    """The engines loaded at start-up (empty until the lifespan has run)."""
    engines: LoadedEngines = request.app.state.engines
    return engines


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EnginesDep = Annotated[LoadedEngines, Depends(get_engines)]
