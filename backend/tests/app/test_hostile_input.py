"""Hostile and odd input: every case gets its documented answer, never a 5xx or a hang."""

from __future__ import annotations

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from digits.data.rendering import CanvasStyle, render_canvas
from tests.helpers import b64


def encode(img: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def digit_canvas(mnist) -> Image.Image:
    return Image.open(io.BytesIO(render_canvas(mnist.x_test[0], CanvasStyle(digit_size=200, left=40, top=40))))


def post(client, image: object):  # type: ignore[no-untyped-def]
    return client.post("/predict", json={"image": image})


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{", "application/json"),
        (b"[]", "application/json"),
        (b'{"image": null}', "application/json"),
        (b'{"image": ["a"]}', "application/json"),
        (b'{"image": "x", "extra": 1}', "application/json"),
        (b"image=abc", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00garbage", "application/json"),
    ],
)
def test_malformed_bodies_are_422(client, body: bytes, content_type: str) -> None:
    response = client.post("/predict", content=body, headers={"content-type": content_type})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize("value", ["", " ", "\n\t", "====", "data:image/png;base64,", "@@@@", "data:,abc"])
def test_empty_or_invalid_strings(client, value: str) -> None:
    response = post(client, value)
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in {"invalid_request", "invalid_base64", "invalid_image"}


def test_data_url_with_wrong_media_type(client, digit_canvas) -> None:
    response = post(client, "data:application/pdf;base64," + b64(encode(digit_canvas, "PNG")))
    assert response.status_code == 400 and "application/pdf" in response.json()["detail"]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_truncated_and_corrupt_images(client, digit_canvas, fmt: str) -> None:
    data = encode(digit_canvas.convert("RGB") if fmt == "JPEG" else digit_canvas, fmt)
    for broken in (data[: len(data) // 3], data[:20], data[:8] + bytes(len(data) - 8)):
        response = post(client, b64(broken))
        assert response.status_code == 400, (fmt, response.text)
        assert response.json()["code"] == "invalid_image"


@pytest.mark.parametrize(
    "payload",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><text>7</text></svg>",
        b"%PDF-1.4 not a digit",
        b"hello, I am a PNG",
        b"\x89PNG\r\n\x1a\n",
    ],
)
def test_non_images_disguised_as_images(client, payload: bytes) -> None:
    response = post(client, "data:image/png;base64," + b64(payload))
    assert response.status_code == 400 and response.json()["code"] == "invalid_image"


def test_one_pixel_image_is_empty(client) -> None:
    response = post(client, b64(encode(Image.new("L", (1, 1), 0), "PNG")))
    assert response.status_code == 422 and response.json()["code"] == "empty_image"


def test_huge_dimensions_are_refused_before_decoding(client) -> None:
    response = post(client, b64(png_claiming(10_000, 10_000)))
    assert response.status_code == 413
    assert response.json()["code"] == "image_too_large" and "10000x10000" in response.json()["detail"]


def test_animated_gif_uses_its_first_frame(client, mnist) -> None:
    frames = [
        Image.open(io.BytesIO(render_canvas(mnist.x_test[i], CanvasStyle(digit_size=200)))).convert("P") for i in (0, 1)
    ]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    response = post(client, b64(data))
    assert response.status_code == 200 and response.json()["digit"] == int(mnist.y_test[0])


@pytest.mark.parametrize("mode", ["I;16", "P", "CMYK", "LA", "1"])
def test_unusual_modes(client, digit_canvas, mnist, mode: str) -> None:
    rgb = digit_canvas.convert("RGB")
    if mode == "I;16":
        img = Image.fromarray(np.asarray(rgb.convert("L"), dtype=np.uint16) * 257)
        data = encode(img, "PNG")
    elif mode == "CMYK":
        data = encode(rgb.convert("CMYK"), "JPEG")
    elif mode == "1":
        data = encode(rgb.convert("1", dither=Image.Dither.NONE), "PNG")
    else:
        data = encode(rgb.convert(mode), "PNG")
    response = post(client, b64(data))
    assert response.status_code == 200, (mode, response.text)
    assert response.json()["digit"] == int(mnist.y_test[0])


@pytest.mark.parametrize("colour", [(255, 255, 255), (0, 0, 0), (30, 120, 200)])
def test_blank_canvases(client, colour) -> None:
    response = post(client, b64(encode(Image.new("RGB", (280, 280), colour), "PNG")))
    assert response.status_code == 422 and response.json()["code"] == "empty_image"


def test_tiff_is_not_an_allowed_format(client, digit_canvas) -> None:
    response = post(client, b64(encode(digit_canvas.convert("L"), "TIFF")))
    assert response.status_code == 400 and "accepted format" in response.json()["detail"]


def test_beyond_pillows_own_bomb_limit_is_413_too(client) -> None:
    response = post(client, b64(png_claiming(20_000, 20_000)))
    assert response.status_code == 413 and response.json()["code"] == "image_too_large"


# --- /predict/batch and /predict/upload -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"images": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"images": [null]}',
        b'{"images": [["a"]]}',
        b'{"images": {"0": "a"}}',
        b'{"images": ["a"], "model": 7}',
        b"\xff\xfe\x00garbage",
        b"",
    ],
)
@pytest.mark.parametrize("path", ["/predict", "/predict/batch"])
def test_hostile_json_is_422_never_5xx(client, path: str, body: bytes) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"


def test_a_batch_of_bombs_is_refused_per_image_without_decoding(client, mnist) -> None:
    """256 tiny PNGs each claiming 10,000 x 10,000 pixels: refused from their headers, quickly."""
    good = b64(encode(Image.open(io.BytesIO(render_canvas(mnist.x_test[0]))), "PNG"))
    images = [b64(png_claiming(10_000, 10_000))] * 255 + [good]
    started = time.perf_counter()
    response = client.post("/predict/batch", json={"images": images})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == 255 and {r.get("code") for r in body["results"][:255]} == {"image_too_large"}
    assert body["results"][255]["status"] == "ok" and body["results"][255]["digit"] == int(mnist.y_test[0])
    assert elapsed < 10, elapsed


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><text>7</text></svg>", "invalid_image"),
        (b"\x89PNG\r\n\x1a\n", "invalid_image"),
        (b"", "invalid_base64"),  # an empty field
    ],
)
def test_hostile_images_in_a_batch(client, payload: bytes, code: str) -> None:
    response = client.post("/predict/batch", json={"images": [b64(payload), "data:text/html;base64,PGI+"]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["code"] == code and results[1]["code"] == "invalid_base64"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"--x\r\n" * 1000, "multipart/form-data; boundary=x"),
        (b"garbage", "multipart/form-data"),
        (b'{"file": "iVBOR"}', "application/json"),
        (b"file=abc", "application/x-www-form-urlencoded"),
    ],
)
def test_hostile_upload_bodies_are_422(client, content: bytes, content_type: str) -> None:
    response = client.post("/predict/upload", content=content, headers={"content-type": content_type})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (lambda: png_claiming(10_000, 10_000), 413, "image_too_large"),
        (lambda: png_claiming(20_000, 20_000), 413, "image_too_large"),
        (lambda: b"%PDF-1.4 not a digit", 400, "invalid_image"),
        (lambda: encode(Image.new("L", (10, 10)), "TIFF"), 400, "invalid_image"),
        (lambda: encode(Image.new("RGB", (280, 280), "white"), "PNG"), 422, "empty_image"),
    ],
)
def test_hostile_uploads(client, data, status: int, code: str) -> None:
    response = client.post("/predict/upload", files={"file": ("digit.png", data(), "image/png")})
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def test_upload_with_an_unknown_model(client, digit_canvas) -> None:
    response = client.post(
        "/predict/upload", files={"file": ("d.png", encode(digit_canvas, "PNG"), "image/png")}, data={"model": "x"}
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_model"
