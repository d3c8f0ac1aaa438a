"""The responses each route documents in the OpenAPI schema: every status with an example.

Errors are :class:`ErrorResponse` bodies; the examples show each ``code`` a status can carry, so
/docs and /redoc show what a client will really receive.
"""

from __future__ import annotations

from typing import Any

from app.api.examples import EXAMPLE_INPUT_IMAGE, PREDICTION_EXAMPLE, error_example, json_examples
from app.schemas import ErrorResponse, HealthResponse

_SALIENCY_EXAMPLE = [[0.0] * 28 for _ in range(28)]
_SALIENCY_EXAMPLE[8][12:18] = [0.42, 0.88, 1.0, 0.93, 0.61, 0.2]

_PREDICT_OK = {
    "description": "What the model read (with `saliency` when `explain` was sent, `comparison` with `models`).",
    "content": {
        "application/json": {
            "examples": {
                "prediction": {"summary": "a 7", "value": PREDICTION_EXAMPLE},
                "explained": {
                    "summary": 'with "explain": true',
                    "value": {**PREDICTION_EXAMPLE, "saliency": _SALIENCY_EXAMPLE},
                },
                "compared": {
                    "summary": 'with "models": ["cnn", "mlp-numpy"]',
                    "value": {
                        **PREDICTION_EXAMPLE,
                        "comparison": [
                            {
                                "model": name,
                                "model_version": version,
                                **{k: PREDICTION_EXAMPLE[k] for k in ("digit", "confidence", "verdict", "uncertain")},
                                "not_a_digit": PREDICTION_EXAMPLE["not_a_digit"],
                                "probabilities": PREDICTION_EXAMPLE["probabilities"],
                                "inference_ms": ms,
                            }
                            for name, version, ms in (
                                ("cnn", "enhanced_cnn-1a2b3c4d+litert", 0.61),
                                ("mlp-numpy", "mlp-5e6f7a8b", 0.03),
                            )
                        ],
                    },
                },
            }
        }
    },
}

_BAD_IMAGE = json_examples(
    a=error_example("invalid_base64", "the image is not valid base64: Incorrect padding"),
    b=error_example("invalid_image", "the data is not a PNG, JPEG, WebP, BMP or GIF image"),
)
_TOO_LARGE = json_examples(
    a=error_example(
        "payload_too_large",
        "the request body is larger than the limit of 2000000 bytes; send a smaller image "
        "(a 280x280 PNG is about 10 kB) or fewer images",
    ),
    b=error_example("image_too_large", "the image has 16000000 pixels; the limit is 4000000 (MAX_IMAGE_PIXELS)"),
)
_UNPROCESSABLE = json_examples(
    a=error_example(
        "invalid_request", 'invalid request: image: Field required (expected JSON like {"image": "<base64 PNG>"})'
    ),
    b=error_example("unknown_model", "unknown model 'resnet'; available: cnn, cnn-litert-dynamic, mlp-numpy"),
    c=error_example("empty_image", "the image has no ink: draw a digit"),
)
_UNAVAILABLE = json_examples(a=error_example("model_unavailable", "no model is loaded: train one with `make train`"))

PREDICT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _PREDICT_OK,
    400: {"model": ErrorResponse, "description": "Not base64, or not a decodable image.", "content": _BAD_IMAGE},
    413: {"model": ErrorResponse, "description": "Body or image over the configured limits.", "content": _TOO_LARGE},
    422: {
        "model": ErrorResponse,
        "description": "Invalid request body or strokes, an unknown model, or an image with no ink.",
        "content": _UNPROCESSABLE,
    },
    503: {"model": ErrorResponse, "description": "The model is not loaded.", "content": _UNAVAILABLE},
}

BATCH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One result per image, in order: a prediction or that image's error.",
        "content": {
            "application/json": {
                "example": {
                    "model": "cnn",
                    "model_version": "enhanced_cnn-1a2b3c4d+litert",
                    "count": 2,
                    "errors": 1,
                    "results": [
                        {
                            "index": 0,
                            "status": "ok",
                            **{
                                k: v
                                for k, v in PREDICTION_EXAMPLE.items()
                                if k not in ("model", "model_version", "input_image")
                            },
                        },
                        {
                            "index": 1,
                            "status": "error",
                            "code": "empty_image",
                            "detail": "the image has no ink: draw a digit",
                        },
                    ],
                }
            }
        },
    },
    413: {
        "model": ErrorResponse,
        "description": "Body over MAX_BATCH_BODY_BYTES, or more than MAX_BATCH_SIZE images.",
        "content": json_examples(
            a=error_example(
                "batch_too_large",
                "the batch has 300 images; the limit is 256 (MAX_BATCH_SIZE): split it into smaller batches",
            ),
            b=error_example("payload_too_large", "the request body is larger than the limit of 16000000 bytes"),
        ),
    },
    422: {
        "model": ErrorResponse,
        "description": "Invalid request body (e.g. no images) or an unknown model.",
        "content": json_examples(
            a=error_example("invalid_request", "invalid request: images: List should have at least 1 item"),
            b=error_example("unknown_model", "unknown model 'resnet'; available: cnn, cnn-litert-dynamic, mlp-numpy"),
        ),
    },
    503: {"model": ErrorResponse, "description": "The model is not loaded.", "content": _UNAVAILABLE},
}

HEALTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The service is up and its default model loaded.",
        "content": {
            "application/json": {
                "example": {
                    "status": "ok",
                    "model_loaded": True,
                    "model_version": "enhanced_cnn-1a2b3c4d+litert",
                    "models": ["cnn", "cnn-litert-dynamic", "mlp-numpy"],
                }
            }
        },
    },
    503: {
        "model": HealthResponse,
        "description": "The default model is not loaded.",
        "content": {
            "application/json": {
                "example": {"status": "unavailable", "model_loaded": False, "model_version": None, "models": []}
            }
        },
    },
}

MODELS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Every loaded model with its card.",
        "content": {
            "application/json": {
                "example": {
                    "default": "cnn",
                    "models": [
                        {
                            "name": "cnn",
                            "description": "The CNN, LiteRT float32 export",
                            "engine": "litert",
                            "version": "enhanced_cnn-1a2b3c4d+litert",
                            "default": True,
                            "file": "cnn.tflite",
                            "size_bytes": 1300000,
                            "parameters": 323627,
                            "test_accuracy": 0.9955,
                            "card": {"architecture": "enhanced_cnn", "classes": 11},
                        }
                    ],
                }
            }
        },
    }
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

__all__ = [
    "BATCH_RESPONSES",
    "EXAMPLE_INPUT_IMAGE",
    "HEALTH_RESPONSES",
    "MODELS_RESPONSES",
    "NUMBER_ERRORS",
    "PREDICT_RESPONSES",
]
