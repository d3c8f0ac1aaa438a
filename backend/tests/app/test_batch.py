"""POST /predict/batch: one result per image, in order; per-image errors; limits."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.schemas import BatchPredictResponse
from digits.data.rendering import CanvasStyle, random_style, render_canvas
from digits.preprocessing import to_png
from tests.helpers import app_with_engines, b64, png_bytes


def test_batch_matches_single_predictions_in_order(client, mnist) -> None:
    rng = np.random.default_rng(5)
    images = [b64(render_canvas(mnist.x_test[i], random_style(rng))) for i in range(40)]
    response = client.post("/predict/batch", json={"images": images})
    assert response.status_code == 200, response.text
    body = BatchPredictResponse.model_validate(response.json())
    assert body.count == 40 and body.errors == 0 and body.model == "cnn"
    assert [r.index for r in body.results] == list(range(40))
    for index in (0, 17, 39):
        single = client.post("/predict", json={"image": images[index]}).json()
        result = body.results[index]
        assert result.status == "ok"
        assert result.digit == single["digit"]
        np.testing.assert_allclose(result.probabilities, single["probabilities"], atol=1e-5)
        assert result.uncertain == single["uncertain"]
    digits = [r.digit for r in body.results if r.status == "ok"]
    accuracy = np.mean(np.array(digits) == mnist.y_test[:40])
    assert accuracy >= 0.95


def test_small_images_and_another_model(client, mnist) -> None:
    images = ["data:image/png;base64," + b64(to_png(mnist.x_test[i] / 255.0)) for i in range(70)]
    response = client.post("/predict/batch", json={"images": images, "model": "cnn-litert-dynamic"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == "cnn-litert-dynamic" and body["count"] == 70
    digits = [r["digit"] for r in body["results"]]
    assert np.mean(np.array(digits) == mnist.y_test[:70]) >= 0.97
    for result in body["results"]:
        assert sum(result["probabilities"]) == pytest.approx(1.0, abs=1e-6)
        assert result["confidence"] == pytest.approx(max(result["probabilities"]))


def test_bad_images_get_their_own_error(client, mnist) -> None:
    good = b64(render_canvas(mnist.x_test[0], CanvasStyle(digit_size=150)))
    images = [
        good,
        "not base64!",
        b64(b"just text"),
        b64(png_bytes(Image.new("RGB", (280, 280), "white"))),
        b64(png_bytes(Image.new("L", (2000, 1500)))),
        good,
    ]
    response = client.post("/predict/batch", json={"images": images})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 6 and body["errors"] == 4
    statuses = [(r["index"], r["status"], r.get("code")) for r in body["results"]]
    assert statuses == [
        (0, "ok", None),
        (1, "error", "invalid_base64"),
        (2, "error", "invalid_image"),
        (3, "error", "empty_image"),
        (4, "error", "image_too_large"),
        (5, "ok", None),
    ]
    for result in body["results"]:
        if result["status"] == "error":
            assert result["detail"]
    assert body["results"][0]["digit"] == body["results"][5]["digit"] == int(mnist.y_test[0])


def test_all_bad_is_still_200(client) -> None:
    response = client.post("/predict/batch", json={"images": ["", "@@"]})
    assert response.status_code == 200
    assert response.json()["errors"] == 2


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"images": []}, 422, "invalid_request"),
        ({}, 422, "invalid_request"),
        ({"images": "iVBOR"}, 422, "invalid_request"),
        ({"images": [1, 2]}, 422, "invalid_request"),
        ({"images": ["x"], "extra": True}, 422, "invalid_request"),
        ({"images": ["x"], "model": "gpt"}, 422, "unknown_model"),
    ],
)
def test_request_level_errors(client, payload, status: int, code: str) -> None:
    response = client.post("/predict/batch", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    if code == "invalid_request":
        assert '"images"' in response.json()["detail"]


def test_more_than_max_batch_size_is_413(settings, engines) -> None:
    small = settings.model_copy(update={"max_batch_size": 4})
    with TestClient(app_with_engines(small, engines)) as test_client:
        assert test_client.post("/predict/batch", json={"images": ["x"] * 4}).status_code == 200
        response = test_client.post("/predict/batch", json={"images": ["x"] * 5})
    assert response.status_code == 413
    assert response.json()["code"] == "batch_too_large"
    assert "5 images" in response.json()["detail"] and "limit is 4" in response.json()["detail"]


def test_batch_body_has_its_own_size_limit(settings, engines) -> None:
    limited = settings.model_copy(update={"max_batch_body_bytes": 50_000, "max_body_bytes": 10_000})
    with TestClient(app_with_engines(limited, engines)) as test_client:
        ok = test_client.post("/predict/batch", json={"images": ["A" * 1000] * 30})
        assert ok.status_code == 200  # 30 kB: over MAX_BODY_BYTES but under MAX_BATCH_BODY_BYTES
        response = test_client.post("/predict/batch", json={"images": ["A" * 1000] * 60})
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large" and "50000" in response.json()["detail"]
        single = test_client.post("/predict", json={"image": "A" * 20_000})
        assert single.status_code == 413 and "10000" in single.json()["detail"]


def test_pixel_budget_of_a_batch(settings, engines, mnist) -> None:
    """After MAX_BATCH_PIXELS decoded pixels, the remaining images are refused, not decoded."""
    canvas = b64(render_canvas(mnist.x_test[0]))  # 280x280 = 78,400 pixels
    budget = settings.model_copy(update={"max_batch_pixels": 200_000})
    with TestClient(app_with_engines(budget, engines)) as test_client:
        body = test_client.post("/predict/batch", json={"images": [canvas] * 4}).json()
    assert [r["status"] for r in body["results"]] == ["ok", "ok", "error", "error"]
    assert body["results"][2]["code"] == "image_too_large"
    assert "MAX_BATCH_PIXELS" in body["results"][2]["detail"]


def test_more_images_than_one_engine_call(settings, engines, mnist) -> None:
    """Batches longer than INFERENCE_BATCH_SIZE are split into several engine calls: same answers."""
    images = [b64(to_png(mnist.x_test[i] / 255.0)) for i in range(30)]
    bodies = []
    for size in (7, 256):
        chunked = settings.model_copy(update={"inference_batch_size": size})
        with TestClient(app_with_engines(chunked, engines)) as test_client:
            bodies.append(test_client.post("/predict/batch", json={"images": images}).json())
    assert [r["index"] for r in bodies[0]["results"]] == list(range(30))
    assert [r["digit"] for r in bodies[0]["results"]] == [r["digit"] for r in bodies[1]["results"]]
    np.testing.assert_allclose(
        [r["probabilities"] for r in bodies[0]["results"]],
        [r["probabilities"] for r in bodies[1]["results"]],
        atol=1e-5,
    )


def test_batch_reports_server_timing(client, mnist) -> None:
    response = client.post("/predict/batch", json={"images": [b64(to_png(mnist.x_test[0] / 255.0))] * 3})
    timing = response.headers["server-timing"]
    for stage in ("decode", "preprocess", "inference", "serialize", "app"):
        assert f"{stage};dur=" in timing


def test_openapi_documents_the_batch(client) -> None:
    schema = client.get("/openapi.json").json()
    batch = schema["paths"]["/predict/batch"]["post"]
    assert set(batch["responses"]) >= {"200", "413", "422"}
    assert batch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/BatchPredictRequest")
    components = schema["components"]["schemas"]
    item = components["BatchPredictResponse"]["properties"]["results"]["items"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in item["oneOf"]} == {"BatchPrediction", "BatchImageError"}
    assert item["discriminator"]["propertyName"] == "status"
