"""Examples for the OpenAPI schema: requests that work in /docs' "Try it out", a response per status."""

from __future__ import annotations

from typing import Any

EXAMPLE_PNG_BASE64 = (
    "iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAAAAAByaaZbAAAAb0lEQVR42u3VwQrAIAwDUDP2/78cjxvYSCvpzd4E46NSFBy1esYNNATe"
    "/wJqF6sC+nvAuQCmzmZfDzi71rywAG5hBcxCAHiFCGiYVuYD6H4EwpadggB8ggJsggRcggZMwgYwCaQElECWZ4n3n/5qAnCbFltPspHr"
    "AAAAAElFTkSuQmCC"
)
"""A real 48x48 PNG of a hand-drawn-like 7 (black on white, 224 base64 characters); every model reads 7."""

EXAMPLE_PNG_DATA_URL = f"data:image/png;base64,{EXAMPLE_PNG_BASE64}"

EXAMPLE_INPUT_IMAGE = (
    "iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAAAAABXZoBIAAAAxElEQVR4nGNgGDaAkYGBgYFBRR9F8PArZF7BfxSwgg0izITNOCcb"
    "CM3CwMDAwHBtPkLGRZaBkRmHIwSP/P+/ig27HFPU//+fLXBo5Dv0/98GHBoZYr/+f++CQ0768P//c3lxSGZ+/v8cl0aGZf//L+fG"
    "Iafz4v9/XxxyjH3//1+TxyGpeuf/7zYccuw1///fUcMhqf/w/89aHHJMfX/+X1fBIan15P//IlYcklP+/r8qhWoWgnls36dlz3Bo"
    "ZGCQiERzKgCMo0xuYqx7hgAAAABJRU5ErkJggg=="
)
"""The ``input_image`` the service answers for :data:`EXAMPLE_PNG_BASE64` (28x28 base64 PNG)."""

PREDICTION_EXAMPLE: dict[str, Any] = {
    "digit": 7,
    "confidence": 0.9999,
    "verdict": "digit",
    "uncertain": False,
    "not_a_digit": 0.0001,
    "probabilities": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9999, 0.0, 0.0001],
    "model": "cnn",
    "model_version": "enhanced_cnn-1a2b3c4d+litert",
    "input_image": EXAMPLE_INPUT_IMAGE,
}


def error_example(code: str, detail: str) -> dict[str, Any]:
    """One named example of an error body, for an OpenAPI ``examples`` map."""
    return {code: {"summary": code, "value": {"detail": detail, "code": code}}}


def json_examples(**examples: dict[str, Any]) -> dict[str, Any]:
    """``{"application/json": {"examples": ...}}`` from named examples (each a summary and a value)."""
    merged: dict[str, Any] = {}
    for named in examples.values():
        merged.update(named)
    return {"application/json": {"examples": merged}}


PREDICT_REQUEST_EXAMPLES: dict[str, Any] = {
    "drawing": {"summary": "a drawing of a 7 (a real PNG data URL)", "value": {"image": EXAMPLE_PNG_DATA_URL}},
    "explain": {
        "summary": "with saliency",
        "value": {"image": EXAMPLE_PNG_DATA_URL, "model": "cnn", "explain": True},
    },
    "compare": {
        "summary": "every default model on the same image",
        "value": {"image": EXAMPLE_PNG_DATA_URL, "models": ["cnn", "cnn-litert-dynamic", "mlp-numpy"]},
    },
}
"""``POST /predict`` request bodies for /docs' "Try it out" (each answers 200 with the default models)."""

BATCH_REQUEST_EXAMPLES: dict[str, Any] = {
    "two": {
        "summary": "the same 7 as raw base64 and as a data URL",
        "value": {"images": [EXAMPLE_PNG_BASE64, EXAMPLE_PNG_DATA_URL]},
    }
}
"""``POST /predict/batch`` request bodies for /docs' "Try it out"."""
