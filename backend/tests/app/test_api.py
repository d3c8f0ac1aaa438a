"""The HTTP API: schemas, errors and accuracy of the committed model on canvas drawings."""

from __future__ import annotations

import base64
import io

import httpx
import numpy as np
import pytest
from PIL import Image, ImageDraw

from digits.data.negatives import probe_drawings
from digits.data.photos import ORIENTATION_TAG, photo_of_digit
from digits.data.rendering import CanvasStyle, random_style, render_canvas
from tests.helpers import b64, png_bytes


def test_health_reports_the_loaded_model(client, engine, engines) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "model_loaded": True,
        "model_version": engine.version,
        "models": sorted(engines),
    }


def test_models_lists_every_model_with_its_card(client, engines) -> None:
    body = client.get("/models").json()
    assert body["default"] == "cnn"
    names = {m["name"]: m for m in body["models"]}
    assert set(names) == {"cnn", "cnn-keras", "cnn-litert-dynamic", "mlp", "mlp-numpy"}  # not the cnn-segmenter
    assert set(engines) == {*names, "cnn-segmenter"}
    assert names["cnn"]["engine"] == "litert" and names["cnn-keras"]["engine"] == "keras"
    for name, info in names.items():
        assert info["size_bytes"] > 10_000
        if name.startswith("mlp"):  # the 784-128-256-10 MLP: about 98 %, 136,074 weights
            assert 0.975 <= info["test_accuracy"] <= 1.0 and info["parameters"] == 136_074
            continue
        assert 0.99 <= info["test_accuracy"] <= 1.0
        assert info["parameters"] > 300_000
    assert names["cnn-litert-dynamic"]["size_bytes"] < names["cnn"]["size_bytes"] / 2


@pytest.mark.parametrize("model", ["cnn", "cnn-keras", "cnn-litert-dynamic", "mlp", "mlp-numpy"])
def test_every_model_answers(client, mnist, model: str) -> None:
    png = render_canvas(mnist.x_test[2], CanvasStyle(digit_size=150, left=100, top=20))
    response = client.post("/predict", json={"image": b64(png), "model": model})
    assert response.status_code == 200, response.text
    assert response.json()["model"] == model
    assert response.json()["digit"] == int(mnist.y_test[2])


def test_litert_export_matches_keras(engines, mnist) -> None:
    """The default engine is the Keras model's exact LiteRT export."""
    from digits.preprocessing import preprocess_mnist

    x = preprocess_mnist(mnist.x_test[:500])[..., None]
    keras_p = engines["cnn-keras"].predict_proba(x)
    litert_p = engines["cnn"].predict_proba(x)
    np.testing.assert_allclose(litert_p, keras_p, atol=1e-4)
    assert (litert_p.argmax(1) == keras_p.argmax(1)).all()


def test_unknown_model_is_a_4xx(client, mnist) -> None:
    response = client.post("/predict", json={"image": b64(render_canvas(mnist.x_test[0])), "model": "gpt"})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_model"
    assert "cnn-keras" in response.json()["detail"]


def test_openapi_describes_predict(client) -> None:
    schema = client.get("/openapi.json").json()
    predict = schema["paths"]["/predict"]["post"]
    assert predict["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/PredictRequest")
    assert set(predict["responses"]) >= {"200", "400", "413", "422"}
    response = schema["components"]["schemas"]["PredictResponse"]
    assert set(response["required"]) == {
        "digit",
        "confidence",
        "probabilities",
        "verdict",
        "uncertain",
        "not_a_digit",
        "model",
        "model_version",
        "input_image",
    }
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("prefix", ["", "data:image/png;base64,"])
def test_predict_answers_schema(client, mnist, engine, prefix: str) -> None:
    png = render_canvas(mnist.x_test[0], CanvasStyle(transparent=True))
    response = client.post("/predict", json={"image": prefix + b64(png)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["digit"] == int(mnist.y_test[0])
    assert len(body["probabilities"]) == 10
    assert sum(body["probabilities"]) == pytest.approx(1.0, abs=1e-6)
    assert body["confidence"] == pytest.approx(max(body["probabilities"]))
    assert body["probabilities"].index(max(body["probabilities"])) == body["digit"]
    assert body["model_version"] == engine.version and body["model"] == "cnn"
    assert body["uncertain"] is False
    seen = Image.open(io.BytesIO(base64.b64decode(body["input_image"])))
    assert seen.size == (28, 28) and seen.mode == "L"


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "BMP", "GIF"])
def test_other_formats(client, mnist, fmt: str) -> None:
    img = Image.open(io.BytesIO(render_canvas(mnist.x_test[1]))).convert("RGB")
    response = client.post("/predict", json={"image": b64(png_bytes(img, fmt))})
    assert response.status_code == 200, response.text
    assert response.json()["digit"] == int(mnist.y_test[1])


@pytest.mark.parametrize(
    ("payload", "status", "code", "words"),
    [
        ({"image": "not base64 at all!"}, 400, "invalid_base64", "not valid base64"),
        ({"image": b64(b"just some text")}, 400, "invalid_image", "not an image"),
        ({"image": "data:text/plain;base64," + b64(b"hello")}, 400, "invalid_base64", "text/plain"),
        ({"image": "   "}, 400, "invalid_base64", "empty"),
        ({"image": ""}, 422, "invalid_request", "image"),
        ({}, 422, "invalid_request", "send an image or strokes"),
        ({"image": 42}, 422, "invalid_request", "string"),
        ({"image": b64(png_bytes(Image.new("RGB", (280, 280), "white")))}, 422, "empty_image", "no ink"),
        (
            {"image": b64(png_bytes(Image.new("RGBA", (280, 280), (0, 0, 0, 0))))},
            422,
            "empty_image",
            "no ink",
        ),
        ({"image": b64(png_bytes(Image.new("L", (2000, 1500))))}, 413, "image_too_large", "2000x1500"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, payload, status: int, code: str, words: str) -> None:
    response = client.post("/predict", json=payload)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert words in body["detail"]


def test_truncated_png(client, mnist) -> None:
    data = render_canvas(mnist.x_test[0])
    response = client.post("/predict", json={"image": b64(data[:200])})
    assert response.status_code == 400 and response.json()["code"] == "invalid_image"


def test_malformed_json(client) -> None:
    response = client.post("/predict", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


def test_body_over_the_limit_is_413(client, settings) -> None:
    response = client.post("/predict", json={"image": "A" * (settings.max_body_bytes + 10)})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert str(settings.max_body_bytes) in response.json()["detail"]


def test_unknown_route_and_method(client) -> None:
    assert client.get("/nope").json()["code"] == "not_found"
    assert client.get("/predict").status_code == 405


def test_models_are_loaded_once_at_start_up(settings, mnist, monkeypatch) -> None:
    """The lifespan loads the models; requests never load them again."""
    from fastapi.testclient import TestClient

    import app.main as main_module

    loads = []
    real = main_module.load_engines

    def counting(*args, **kwargs):
        loads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(main_module, "load_engines", counting)
    light = settings.model_copy(update={"models": ["cnn"]})
    with TestClient(main_module.create_app(light)) as test_client:
        for index in range(3):
            png = render_canvas(mnist.x_test[index])
            assert test_client.post("/predict", json={"image": b64(png)}).status_code == 200
    assert loads == [1]


def test_missing_model_is_503_with_advice(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from app.core.config import Settings
    from app.main import create_app

    with TestClient(create_app(Settings(models_dir=tmp_path, models=["cnn"]))) as test_client:
        health = test_client.get("/health")
        assert health.status_code == 503 and health.json()["model_loaded"] is False
        response = test_client.post("/predict", json={"image": b64(b"x")})
        assert response.status_code == 503
        assert response.json()["code"] == "model_unavailable"
        assert "make train" in response.json()["detail"]


def test_canvas_drawings_over_real_http(live_url, mnist) -> None:
    """300 MNIST test digits drawn as 280x280 canvas PNGs at random size, place and polarity."""
    rng = np.random.default_rng(2026)
    indices = rng.choice(len(mnist.x_test), size=300, replace=False)
    correct = 0
    with httpx.Client(base_url=live_url, timeout=30) as http:
        for index in indices:
            png = render_canvas(mnist.x_test[index], random_style(rng))
            response = http.post("/predict", json={"image": "data:image/png;base64," + b64(png)})
            assert response.status_code == 200, response.text
            correct += response.json()["digit"] == int(mnist.y_test[index])
    accuracy = correct / len(indices)
    assert accuracy >= 0.98, f"accuracy {accuracy:.3f} on 300 canvas drawings"


def test_upload_a_file(client, mnist) -> None:
    png = render_canvas(mnist.x_test[3], CanvasStyle(digit_size=100, left=150, top=150))
    response = client.post("/predict/upload", files={"file": ("digit.png", png, "image/png")})
    assert response.status_code == 200, response.text
    assert response.json()["digit"] == int(mnist.y_test[3])
    response = client.post(
        "/predict/upload", files={"file": ("digit.png", png, "image/png")}, data={"model": "cnn-keras"}
    )
    assert response.json()["model"] == "cnn-keras"


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ({"file": ("notes.txt", b"hello", "text/plain")}, 400, "invalid_image"),
        ({"file": ("empty.png", b"", "image/png")}, 400, "invalid_image"),
        ({"picture": ("x.png", b"x", "image/png")}, 422, "invalid_request"),
    ],
)
def test_upload_errors(client, files, status: int, code: str) -> None:
    response = client.post("/predict/upload", files=files)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def test_upload_over_the_limit_is_413(client, settings) -> None:
    big = b"\x89PNG" + bytes(settings.max_upload_bytes + 100)  # the upload route's own limit
    response = client.post("/predict/upload", files={"file": ("big.png", big, "image/png")})
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_scribbles_are_refused_and_digits_are_not(client, engines, mnist) -> None:
    """Random scribbles get the verdict not_a_digit; canvas digits get digit. The verdict follows
    the model card's calibrated thresholds (`uncertain` is exactly `verdict != "digit"`)."""
    from PIL import ImageDraw

    calibrated = engines["cnn"].card.open_set
    assert calibrated is not None and 0.0 < calibrated.not_a_digit_threshold < 1.0
    rng = np.random.default_rng(7)
    refused = 0
    for _ in range(20):
        img = Image.new("L", (280, 280), 255)
        points = [tuple(int(v) for v in rng.integers(20, 260, size=2)) for _ in range(12)]
        ImageDraw.Draw(img).line(points, fill=0, width=14, joint="curve")
        body = client.post("/predict", json={"image": b64(png_bytes(img))}).json()
        assert body["verdict"] == (
            "not_a_digit" if body["not_a_digit"] >= calibrated.not_a_digit_threshold else body["verdict"]
        )
        assert body["uncertain"] == (body["verdict"] != "digit")
        refused += body["verdict"] == "not_a_digit"
    digits = [client.post("/predict", json={"image": b64(render_canvas(mnist.x_test[i]))}).json() for i in range(20)]
    assert refused >= 17 and sum(d["verdict"] == "digit" for d in digits) >= 19, refused


def _small_fat_one() -> bytes:
    """A 1 drawn small near a corner of a 280 px canvas with the default 16 px brush."""
    img = Image.new("RGB", (280, 280), "white")
    draw = ImageDraw.Draw(img)
    draw.line([(40, 30), (40, 75)], fill="black", width=16)
    for x, y in ((40, 30), (40, 75)):
        draw.ellipse([x - 8, y - 8, x + 8, y + 8], fill="black")
    return png_bytes(img)


def test_a_small_one_drawn_with_a_fat_brush_reads_one(client) -> None:
    body = client.post("/predict", json={"image": b64(_small_fat_one())}).json()
    assert body["digit"] == 1 and body["verdict"] == "digit", body["probabilities"]


@pytest.mark.parametrize("name", sorted(probe_drawings()))
def test_drawings_that_are_not_digits_are_refused(client, name: str) -> None:
    """A dot, a line, a zigzag, a spiral, '#', a smiley and letters: `not_a_digit`, on every route."""
    png = probe_drawings()[name]
    body = client.post("/predict", json={"image": b64(png)}).json()
    assert body["verdict"] == "not_a_digit" and body["uncertain"] is True, (name, body["not_a_digit"])
    batch = client.post("/predict/batch", json={"images": [b64(png)]}).json()
    assert batch["results"][0]["verdict"] == "not_a_digit"


def test_a_twelve_megapixel_phone_photo_is_read_upright(client, mnist) -> None:
    """A 4000x3000 JPEG stored sideways with an EXIF Orientation tag, uploaded as it is."""
    photo = Image.open(io.BytesIO(photo_of_digit(mnist.x_test[0], np.random.default_rng(1), orientation=1)))
    sideways = photo.convert("RGB").resize((4000, 3000)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6  # "rotate 90 CW to view": the camera was held sideways
    data = png_bytes(sideways, "JPEG", quality=85, exif=exif)
    assert len(data) > 2_000_000 or sideways.width * sideways.height > 4_000_000
    response = client.post("/predict/upload", files={"file": ("photo.jpg", data, "image/jpeg")})
    assert response.status_code == 200, response.text
    assert response.json()["digit"] == int(mnist.y_test[0])
    big_png = png_bytes(Image.new("L", (4000, 3000), 255))  # the pixel limit still holds for other formats
    refused = client.post("/predict/upload", files={"file": ("big.png", big_png, "image/png")})
    assert refused.status_code == 413 and refused.json()["code"] == "image_too_large"
