"""Service settings, from environment variables (and ``backend/.env``) via pydantic-settings.

Every limit the service enforces is here, with a safe default.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field

from digits.settings import DataSettings


class Settings(DataSettings):
    """Settings of the HTTP service (env names in capitals, e.g. ``MAX_BODY_BYTES``).

    Attributes:
        environment: ``development`` allows any CORS origin when none is configured.
        cors_origins: origins allowed to call the API from a browser (JSON list in the env).
        host, port: where ``python -m app`` listens.
        max_body_bytes: largest request body in bytes; larger bodies get 413.
        max_image_pixels: largest width*height of an image, checked before decoding the
            pixels (decompression bombs); larger images get 413.
        allowed_formats: Pillow format names accepted.
        models: the models to load at start-up (names of ``digits.registry.MODEL_SPECS``).
        default_model: the model ``/predict`` uses when the request names none.
        uncertain_below: confidence under which an answer is flagged ``uncertain`` (a scribble,
            a letter, an ambiguous digit); chosen on the validation split, see the model card.
        inference_threads: threads per inference engine (LiteRT ``num_threads``, TensorFlow
            intra-op threads); 1 keeps concurrent requests from fighting over the cores.
        log_level: uvicorn's log level.
    """

    environment: Literal["development", "production"] = "development"
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"])
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = Field(default=2_000_000, gt=0)
    max_image_pixels: int = Field(default=4_000_000, gt=0)
    allowed_formats: frozenset[str] = frozenset({"PNG", "JPEG", "WEBP", "BMP", "GIF"})
    models: list[str] = Field(default_factory=lambda: ["cnn", "cnn-keras", "cnn-litert-dynamic"])
    default_model: str = "cnn"
    uncertain_below: float = Field(default=0.7, ge=0.0, le=1.0)
    inference_threads: int = Field(default=1, ge=1)
    log_level: str = "info"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
