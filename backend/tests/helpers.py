"""Helpers shared by the tests: building the app around loaded engines, encoding images."""

from __future__ import annotations

import base64
import dataclasses
import io
import shutil
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from PIL import Image

from app.api.deps import get_engines
from app.core.config import Settings
from app.main import create_app
from app.services.engines import LoadedEngines
from digits.cards import ModelCard
from digits.data.mnist import Mnist
from digits.engines import MODEL_SPECS, Engine
from digits.settings import DEFAULT_MODELS_DIR

EVERY_MODEL = ["cnn", "cnn-keras", "cnn-litert-dynamic", "mlp", "mlp-numpy", "cnn-segmenter"]
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


def png_bytes(img: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    """A Pillow image encoded in ``fmt`` (PNG by default), with Pillow's save ``options``."""
    buf = io.BytesIO()
    img.save(buf, format=fmt, **options)
    return buf.getvalue()


def copy_models(destination: Path, names: Iterable[str]) -> Path:
    """Copy the committed files of the served models ``names`` (and their cards) into ``destination``.

    For commands that write into cards: point ``MODELS_DIR`` at the copy so the committed cards stay
    as they are. Returns ``destination``.
    """
    destination.mkdir(parents=True, exist_ok=True)
    for name in names:
        model = DEFAULT_MODELS_DIR / MODEL_SPECS[name].file
        for source in (model, ModelCard.path_for(model)):
            if source.is_file():
                shutil.copy2(source, destination / source.name)
    return destination


def small_mnist(mnist: Mnist, train: int, test: int) -> Mnist:
    """The first ``train`` training and ``test`` test images of ``mnist`` (quick runs of the commands)."""
    return dataclasses.replace(
        mnist,
        x_train=mnist.x_train[:train],
        y_train=mnist.y_train[:train],
        x_test=mnist.x_test[:test],
        y_test=mnist.y_test[:test],
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: FastAPI, startup_s: float = 30.0) -> Iterator[str]:
    """``app`` served by a real uvicorn on a loopback port (real HTTP), in a thread; yields its URL
    once ``/health`` answers 200 (raises ``TimeoutError`` after ``startup_s`` seconds)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup_s
    while True:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"the live server did not start in {startup_s:g} s")
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
