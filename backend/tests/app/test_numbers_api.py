"""POST /predict/number, /predict/number/upload and strokes in POST /predict, on generated numbers."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.core.config import Settings
from digits.data.mnist import Mnist
from digits.data.photos import photo_of_digit
from digits.engines import Engine
from digits.numbers import synthetic
from tests.helpers import app_with_engines, b64


@pytest.fixture(scope="module")
def samples(mnist: Mnist) -> list[synthetic.NumberSample]:
    source = synthetic.strokes_source(mnist.x_test[:120], mnist.y_test[:120])
    return synthetic.number_set(source, "separated", [4] * 10 + [2, 3, 6], seed=21)


def test_a_number_image_is_read_digit_by_digit(client: TestClient, samples: list[synthetic.NumberSample]) -> None:
    right = 0
    for sample in samples:
        response = client.post("/predict/number", json={"image": "data:image/png;base64," + b64(sample.image)})
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"number", "confidence", "digits", "model", "model_version"}
        assert body["model"] == "cnn" and 0.0 <= body["confidence"] <= 1.0
        assert "segment;dur=" in response.headers["server-timing"]
        right += body["number"] == sample.label
        width, height = Image.open(io.BytesIO(sample.image)).size
        for digit in body["digits"]:
            assert set(digit) == {"digit", "confidence", "probabilities", "verdict", "box", "input_image"}
            x, y, w, h = digit["box"]
            assert x >= 0 and y >= 0 and x + w <= width and y + h <= height and w > 0 and h > 0
            assert abs(sum(digit["probabilities"]) - 1.0) < 1e-6
            assert Image.open(io.BytesIO(base64.b64decode(digit["input_image"]))).size == (28, 28)
        if body["number"] == sample.label:
            assert [d["digit"] for d in body["digits"]] == [int(c) for c in sample.label]
            centres = [d["box"][0] + d["box"][2] / 2 for d in body["digits"]]
            truth = [x + w / 2 for x, _, w, _ in sample.boxes]
            assert np.allclose(centres, truth, atol=8)
    assert right >= 0.75 * len(samples)


def test_a_number_is_read_from_its_strokes(client: TestClient, samples: list[synthetic.NumberSample]) -> None:
    right = 0
    for sample in samples:
        response = client.post("/predict/number", json={"strokes": sample.strokes})
        assert response.status_code == 200, response.text
        right += response.json()["number"] == sample.label
    assert right >= 0.75 * len(samples)


def test_predict_takes_strokes_and_reads_them_as_the_painted_image(
    client: TestClient, samples: list[synthetic.NumberSample]
) -> None:
    agree = 0
    for sample in samples:
        assert sample.strokes is not None
        # The first digit's strokes only: a single digit, as /predict expects.
        x, _, w, _ = sample.boxes[0]
        first = [s for s in sample.strokes if x <= np.mean([p[0] for p in s]) <= x + w]
        by_strokes = client.post("/predict", json={"strokes": first})
        assert by_strokes.status_code == 200, by_strokes.text
        body = by_strokes.json()
        assert body["verdict"] in ("digit", "uncertain", "not_a_digit") and len(body["probabilities"]) == 10
        agree += body["digit"] == int(sample.label[0])
    assert agree >= 0.75 * len(samples)


def test_a_photo_of_a_written_number_through_the_upload_route(
    client: TestClient, samples: list[synthetic.NumberSample]
) -> None:
    rng = np.random.default_rng(3)
    right = 0
    chosen = samples[:6]
    for sample in chosen:
        ink = 255 - np.asarray(Image.open(io.BytesIO(sample.image)).convert("L"))
        photo = photo_of_digit(ink, rng, orientation=1)
        response = client.post("/predict/number/upload", files={"file": ("number.jpg", photo, "image/jpeg")})
        assert response.status_code == 200, response.text
        right += response.json()["number"] == sample.label
    assert right >= len(chosen) // 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 422, "invalid_request"),
        ({"strokes": []}, 422, "empty_image"),
        ({"strokes": [[[1, 2, 3, 4]]]}, 422, "invalid_strokes"),
        ({"strokes": [[[0, 0]]] * 201}, 413, "too_many_strokes"),
        ({"strokes": [[[1e308, 0], [-1e308, 0]]]}, 422, "invalid_strokes"),
        ({"image": "!!!"}, 400, "invalid_base64"),
        ({"image": b64(b"not an image")}, 400, "invalid_image"),
        ({"strokes": [[[0, 0], [5, 5]]], "model": "nope"}, 422, "unknown_model"),
    ],
)
def test_bad_numbers_are_refused_with_a_code(
    client: TestClient, body: dict[str, object], status: int, code: str
) -> None:
    response = client.post("/predict/number", json=body)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def test_blank_canvas_and_too_many_digits(
    settings: Settings, engines: dict[str, Engine], samples: list[synthetic.NumberSample]
) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (300, 100), "white").save(blank, format="PNG")
    strict = settings.model_copy(update={"max_number_digits": 3})
    with TestClient(app_with_engines(strict, engines)) as client:
        response = client.post("/predict/number", json={"image": b64(blank.getvalue())})
        assert (response.status_code, response.json()["code"]) == (422, "empty_image")
        four = client.post("/predict/number", json={"strokes": samples[0].strokes})
        assert (four.status_code, four.json()["code"]) == (422, "too_many_digits")
        upload = client.post("/predict/number/upload", files={"file": ("n.png", samples[0].image, "image/png")})
        assert (upload.status_code, upload.json()["code"]) == (422, "too_many_digits")
    assert client is not None


def test_predict_needs_an_image_or_strokes(client: TestClient) -> None:
    response = client.post("/predict", json={"model": "cnn"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
    far = client.post("/predict", json={"strokes": [[[0, 0], [200_000, 5]]]})
    assert (far.status_code, far.json()["code"]) == (422, "invalid_strokes")
    too_many = client.post("/predict", json={"strokes": [[[0, 0]] * 20_001]})
    assert (too_many.status_code, too_many.json()["code"]) == (413, "too_many_strokes")


def test_the_cnns_cuts_are_decided_by_the_segmenter_which_is_not_listed_as_a_model(
    engines: dict[str, Engine], settings: Settings
) -> None:
    from app.services.engines import LoadedEngines
    from digits.verdict import Thresholds

    cnn, segmenter = engines["cnn"], engines["cnn-segmenter"]
    loaded = LoadedEngines({"cnn": cnn, "cnn-segmenter": segmenter, "mlp-numpy": engines["mlp-numpy"]})
    chosen = loaded.segmenter(cnn)
    assert chosen is not None and chosen.predict == segmenter.predict_proba
    assert chosen.thresholds == Thresholds.calibrated(segmenter.card.open_set)  # its own calibration
    assert segmenter.card.open_set is not None
    assert loaded.segmenter(engines["mlp-numpy"]) is None  # no segmenter: it decides itself
    assert LoadedEngines({"cnn": cnn}).segmenter(cnn) is None  # the segmenter is not served
    with TestClient(app_with_engines(settings, engines)) as client:
        assert "cnn-segmenter" not in {m["name"] for m in client.get("/models").json()["models"]}
        assert "cnn-segmenter" in client.get("/health").json()["models"]
        refused = client.post("/predict", json={"model": "resnet", "image": "x"}).json()
        assert refused["code"] == "unknown_model" and "cnn-segmenter" not in refused["detail"]
