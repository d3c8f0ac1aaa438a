"""The error responses each route documents in the OpenAPI schema (every one an ``ErrorResponse``)."""

from __future__ import annotations

from typing import Any

from app.schemas import ErrorResponse

PREDICT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Not base64, or not a decodable image."},
    413: {"model": ErrorResponse, "description": "Body or image over the configured limits."},
    422: {
        "model": ErrorResponse,
        "description": "Invalid request body or strokes, an unknown model, or an image with no ink.",
    },
    503: {"model": ErrorResponse, "description": "The model is not loaded."},
}
BATCH_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorResponse, "description": "Body over MAX_BATCH_BODY_BYTES, or more than MAX_BATCH_SIZE images."},
    422: {"model": ErrorResponse, "description": "Invalid request body (e.g. no images) or an unknown model."},
    503: {"model": ErrorResponse, "description": "The model is not loaded."},
}
NUMBER_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Not base64, or not a decodable image."},
    413: {"model": ErrorResponse, "description": "Body, image or strokes over the configured limits."},
    422: {
        "model": ErrorResponse,
        "description": "Invalid request body or strokes, an unknown model, no ink, "
        "or more than MAX_NUMBER_DIGITS pieces.",
    },
    503: {"model": ErrorResponse, "description": "The model is not loaded."},
}
