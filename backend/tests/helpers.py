"""Helpers shared by the tests: building the app around loaded engines, encoding images."""

from __future__ import annotations

import base64
import io

from fastapi import FastAPI
from PIL import Image

from app.api.deps import get_engines
from app.core.config import Settings
from app.main import create_app
from app.services.engines import LoadedEngines
from digits.engines import Engine

EVERY_MODEL = ["cnn", "cnn-keras", "cnn-litert-dynamic", "mlp", "mlp-numpy"]
"""Every committed model, the TensorFlow ones included (the service's default loads fewer)."""


def app_with_engines(settings: Settings, engines: dict[str, Engine]) -> FastAPI:
    """The application serving already-loaded ``engines``: the :func:`app.api.deps.get_engines`
    dependency is overridden, so the lifespan loads nothing from disk."""
    app = create_app(settings)
    loaded = LoadedEngines(dict(engines), {}, settings.default_model)
    app.dependency_overrides[get_engines] = lambda: loaded
    return app


def b64(data: bytes) -> str:
    """Bytes as base64 text, as a client sends an image."""
    return base64.b64encode(data).decode("ascii")


def png_bytes(img: Image.Image, fmt: str = "PNG") -> bytes:
    """A Pillow image encoded in ``fmt`` (PNG by default)."""
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()
