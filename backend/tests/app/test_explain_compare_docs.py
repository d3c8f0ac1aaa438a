"""POST /predict's `explain` and `models`, and /docs and /redoc served without a CDN."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.api.examples import EXAMPLE_PNG_DATA_URL
from tests.helpers import EVERY_MODEL

Client = Any


@pytest.mark.parametrize("model", EVERY_MODEL)
def test_explain_adds_a_28x28_saliency_for_every_engine(client: Client, model: str) -> None:
    response = client.post("/predict", json={"image": EXAMPLE_PNG_DATA_URL, "model": model, "explain": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["digit"] == 7
    saliency = body["saliency"]
    assert len(saliency) == 28 and all(len(row) == 28 for row in saliency)
    values = [v for row in saliency for v in row]
    assert min(values) >= 0.0 and max(values) == pytest.approx(1.0)
    assert "explain;dur=" in response.headers["server-timing"]


def test_without_explain_or_models_the_response_is_unchanged(client: Client) -> None:
    body = client.post("/predict", json={"image": EXAMPLE_PNG_DATA_URL}).json()
    assert set(body) == {
        "digit",
        "confidence",
        "verdict",
        "uncertain",
        "not_a_digit",
        "probabilities",
        "model",
        "model_version",
        "input_image",
    }


def test_models_compares_every_named_model_in_one_request(client: Client) -> None:
    names = ["mlp-numpy", "cnn", "cnn-litert-dynamic"]
    response = client.post("/predict", json={"image": EXAMPLE_PNG_DATA_URL, "model": "cnn", "models": names})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == "cnn"
    assert [reading["model"] for reading in body["comparison"]] == names
    for reading in body["comparison"]:
        alone = client.post("/predict", json={"image": EXAMPLE_PNG_DATA_URL, "model": reading["model"]}).json()
        assert reading["digit"] == alone["digit"]
        assert reading["probabilities"] == pytest.approx(alone["probabilities"], abs=1e-6)
        assert reading["model_version"] == alone["model_version"]
        assert reading["inference_ms"] >= 0


def test_models_refuses_unknown_names_and_too_many(client: Client) -> None:
    unknown = client.post("/predict", json={"image": EXAMPLE_PNG_DATA_URL, "models": ["cnn", "resnet"]})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_model"
    many = client.post("/predict", json={"image": EXAMPLE_PNG_DATA_URL, "models": ["cnn"] * 9})
    assert many.status_code == 422 and many.json()["code"] == "invalid_request"
    assert "MAX_COMPARE_MODELS" in many.json()["detail"]
    empty = client.post("/predict", json={"image": EXAMPLE_PNG_DATA_URL, "models": []})
    assert empty.status_code == 422 and empty.json()["code"] == "invalid_request"


@pytest.mark.parametrize(("path", "asset"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_docs_pages_load_their_assets_from_the_app(client: Client, path: str, asset: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    # Images stay on this origin too (ReDoc's menu links its maker's logo on a CDN).
    assert page.headers["content-security-policy"] == "img-src 'self' data:"
    html = page.text
    assert f"/docs/assets/{asset}" in html
    # Nothing from another origin: no CDN, no web fonts.
    assert not re.search(r"""(src|href)=["']https?://""", html), html
    for url in re.findall(r"""(?:src|href)=["'](/docs/assets/[^"']+)""", html):
        served = client.get(url)
        assert served.status_code == 200, url
        assert len(served.content) > 1000, url


def test_every_documented_status_has_an_example_and_the_request_examples_work(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    for path in ["/predict", "/predict/upload", "/predict/batch", "/health", "/models"]:
        for method, operation in schema["paths"][path].items():
            for status, response in operation["responses"].items():
                media = response.get("content", {}).get("application/json", {})
                assert "example" in media or "examples" in media, f"{method.upper()} {path} {status} has no example"
    for path in ["/predict", "/predict/batch"]:
        examples = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"]
        assert examples
        for name, example in examples.items():
            answer = client.post(path, json=example["value"])
            assert answer.status_code == 200, (path, name, answer.text)
    # The example image is a real PNG of a 7, not a truncated data URL.
    assert client.post("/predict", json={"image": EXAMPLE_PNG_DATA_URL}).json()["verdict"] == "digit"


def test_upload_takes_explain_and_models_as_form_fields(client: Client) -> None:
    import base64

    from app.api.examples import EXAMPLE_PNG_BASE64

    png = base64.b64decode(EXAMPLE_PNG_BASE64)
    response = client.post(
        "/predict/upload",
        files={"file": ("seven.png", png, "image/png")},
        data={"explain": "true", "models": ["cnn", "mlp-numpy"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["saliency"]) == 28
    assert [r["model"] for r in body["comparison"]] == ["cnn", "mlp-numpy"]
    plain = client.post("/predict/upload", files={"file": ("seven.png", png, "image/png")}).json()
    assert "saliency" not in plain and "comparison" not in plain
