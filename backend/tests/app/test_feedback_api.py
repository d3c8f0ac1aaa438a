"""``/feedback``: store, count, delete and export drawings over HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import io
import json
import logging
import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.core.config import Settings
from digits.data.rendering import render_canvas
from digits.feedback import FeedbackStore
from digits.feedback.export import iter_records
from digits.preprocessing import decode_image, preprocess, to_png
from tests import feedback_db
from tests.helpers import app_with_engines, b64, free_port, png_bytes

TOKEN = "s3cret-admin-token"


def make_client(database_url: str, engines: dict | None = None, **overrides: object) -> TestClient:
    options: dict[str, object] = {"database_url": database_url, "feedback_rate_limit": "1000/minute", **overrides}
    return TestClient(app_with_engines(Settings(**options), engines or {}))


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    with make_client(database_url) as client:
        yield client


@pytest.fixture
def admin_api(database_url: str) -> Iterator[TestClient]:
    with make_client(database_url, feedback_admin_token=TOKEN) as client:
        yield client


@pytest.fixture(scope="module")
def drawing(mnist) -> bytes:
    """An MNIST test digit (a 7) drawn on a 280x280 canvas, as the SPA sends it."""
    return render_canvas(mnist.x_test[0])


def body(drawn: bytes, **fields: object) -> dict[str, object]:
    return {"image": "data:image/png;base64," + b64(drawn), "label": 7, "predicted": 7, "model_version": "v1", **fields}


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_a_correction_is_stored_with_everything_and_counted(api: TestClient, database_url: str, drawing) -> None:
    assert api.get("/feedback/stats").json()["total"] == 0
    strokes = [[[10.0, 12.5, 0], [40.0, 60.0, 33]], [[5, 5, 120]]]
    sent = body(
        drawing,
        label=1,
        predicted=7,
        strokes=strokes,
        probabilities=[0.05] * 10,
        canvas={"width": 280, "height": 280},
        device="touch",
    )
    response = api.post("/feedback", json=sent, headers={"X-Digits-Client": "browser-abc"})
    assert response.status_code == 201, response.text
    new_id = response.json()["id"]

    stats = api.get("/feedback/stats").json()
    assert stats["total"] == 1 and stats["by_label"]["1"] == 1 and stats["agreement"] == 0.0
    assert stats["by_model_version"] == {"v1": {"total": 1, "agreement": 0.0}}

    (stored,) = list(iter_records(database_url))
    assert stored["id"] == new_id and stored["label"] == 1 and stored["predicted"] == 7
    assert base64.b64decode(stored["image"]) == drawing  # the original bytes
    expected_input = to_png(preprocess(decode_image(drawing)).image)  # the one preprocessing path
    assert base64.b64decode(stored["input_image"]) == expected_input
    assert stored["strokes"] == strokes and stored["canvas"] == {"width": 280, "height": 280}
    assert stored["device"] == "touch" and stored["probabilities"] == pytest.approx([0.05] * 10)
    # no raw client id, no address anywhere
    text = json.dumps(stored)
    assert "browser-abc" not in text and "testclient" not in text and "127.0.0.1" not in text
    assert len(stored["client"]) == 32


def test_confirmations_move_agreement(api: TestClient, drawing) -> None:
    for label, predicted in [(7, 7), (7, 7), (1, 7), (None, None)]:
        assert api.post("/feedback", json=body(drawing, label=label, predicted=predicted)).status_code == 201
    stats = api.get("/feedback/stats").json()
    assert stats["total"] == 4 and stats["by_label"]["7"] == 2 and stats["by_label"]["not_a_digit"] == 1
    assert stats["agreement"] == pytest.approx(0.75)


def test_feedback_of_a_prediction_round_trip(database_url: str, engines, drawing) -> None:
    with make_client(database_url, {"cnn": engines["cnn"]}) as client:
        answer = client.post("/predict", json={"image": b64(drawing)}).json()
        sent = body(drawing, label=answer["digit"], predicted=answer["digit"], model_version=answer["model_version"])
        assert client.post("/feedback", json=sent).status_code == 201
        stored = next(iter_records(database_url))
        assert stored["input_image"] == answer["input_image"]  # what the model saw
        assert client.get("/feedback/stats").json()["by_model_version"] == {
            answer["model_version"]: {"total": 1, "agreement": 1.0}
        }


def test_delete_and_export_are_open_without_a_token(api: TestClient, drawing) -> None:
    ids = [api.post("/feedback", json=body(drawing, label=d)).json()["id"] for d in (1, 2, 3)]
    assert api.delete(f"/feedback/{ids[1]}").status_code == 204
    missing = api.delete(f"/feedback/{ids[1]}")
    assert missing.status_code == 404 and missing.json()["code"] == "feedback_not_found"
    export = api.get("/feedback/export")
    assert export.status_code == 200 and export.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert [line["id"] for line in lines] == [ids[0], ids[2]]
    assert api.get("/feedback/stats").json()["total"] == 2


def test_export_streams_what_the_command_writes(api: TestClient, database_url: str, drawing) -> None:
    for digit in range(5):
        api.post("/feedback", json=body(drawing, label=digit))
    streamed = [json.loads(line) for line in api.get("/feedback/export").text.splitlines()]
    assert streamed == list(iter_records(database_url))
    assert api.get("/feedback/export").status_code == 200


def test_an_empty_export_is_empty(api: TestClient) -> None:
    response = api.get("/feedback/export")
    assert response.status_code == 200 and response.text == ""


def test_admin_routes_need_the_bearer_token(admin_api: TestClient, drawing) -> None:
    new_id = admin_api.post("/feedback", json=body(drawing)).json()["id"]  # sending needs no token
    assert admin_api.get("/feedback/stats").status_code == 200
    for method, path in [("DELETE", f"/feedback/{new_id}"), ("GET", "/feedback/export"), ("POST", "/admin/reload")]:
        missing = admin_api.request(method, path)
        assert missing.status_code == 401 and missing.json()["code"] == "unauthorized"
        assert missing.headers["www-authenticate"] == "Bearer"
        basic = admin_api.request(method, path, headers={"Authorization": f"Basic {TOKEN}"})
        assert basic.status_code == 401
        wrong = admin_api.request(method, path, headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 403 and wrong.json()["code"] == "forbidden"
    export = admin_api.get("/feedback/export", headers=AUTH)
    assert export.status_code == 200 and new_id in export.text
    assert admin_api.delete(f"/feedback/{new_id}", headers=AUTH).status_code == 204


def _tiny_png(size: tuple[int, int] = (8, 8)) -> bytes:
    img = Image.new("L", size, 255)
    img.putpixel((3, 3), 0)
    return png_bytes(img)


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"image": "not base64!!"}, 400, "invalid_base64"),
        ({"image": b64(b"plain text, not an image")}, 400, "invalid_image"),
        ({"label": 10}, 422, "invalid_request"),
        ({"label": -1}, 422, "invalid_request"),
        ({"label": "7"}, 422, "invalid_request"),
        ({"predicted": 11}, 422, "invalid_request"),
        ({"model_version": ""}, 422, "invalid_request"),
        ({"model_version": "v" * 129}, 422, "invalid_request"),
        ({"strokes": [[[1, 2]]]}, 422, "invalid_request"),
        ({"strokes": "scribble"}, 422, "invalid_request"),
        ({"device": "keyboard"}, 422, "invalid_request"),
        ({"canvas": {"width": 0, "height": 10}}, 422, "invalid_request"),
        ({"probabilities": [1.5]}, 422, "invalid_request"),
        ({"extra": 1}, 422, "invalid_request"),
        ({"strokes": [[[0, 0, 0]]] * 201}, 413, "strokes_too_long"),
        ({"strokes": [[[0, 0, t] for t in range(10_001)]]}, 413, "strokes_too_long"),
    ],
)
def test_bad_input_gets_a_4xx_with_a_code(api: TestClient, drawing, fields, status, code) -> None:
    response = api.post("/feedback", json=body(drawing, **fields))
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert api.get("/feedback/stats").json()["total"] == 0


def test_missing_label_is_refused_not_taken_as_not_a_digit(api: TestClient, drawing) -> None:
    sent = body(drawing)
    del sent["label"]
    assert api.post("/feedback", json=sent).json()["code"] == "invalid_request"


def test_blank_drawing_is_refused(api: TestClient) -> None:
    blank = png_bytes(Image.new("L", (280, 280), 255))
    response = api.post("/feedback", json=body(blank))
    assert response.status_code == 422 and response.json()["code"] == "empty_image"


def test_limits_are_settings(database_url: str, drawing) -> None:
    big = png_bytes(Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 300), dtype=np.uint8)))
    with make_client(database_url, feedback_max_image_bytes=len(drawing) + 10, feedback_max_body_bytes=200_000) as c:
        too_big = c.post("/feedback", json=body(big))
        assert too_big.status_code == 413 and too_big.json()["code"] == "image_too_large"
        huge = c.post("/feedback", json=body(b"x" * 300_000))
        assert huge.status_code == 413 and huge.json()["code"] == "payload_too_large"
        assert c.post("/feedback", json=body(drawing)).status_code == 201
    with make_client(database_url, max_image_pixels=1000) as c:
        response = c.post("/feedback", json=body(drawing))
        assert response.status_code == 413 and response.json()["code"] == "image_too_large"


def test_bad_client_id_is_refused(api: TestClient, drawing) -> None:
    for bad in ["x" * 129, "tab\there"]:
        response = api.post("/feedback", json=body(drawing), headers={"X-Digits-Client": bad})
        assert response.status_code == 400 and response.json()["code"] == "invalid_client_id"


def test_rate_limit_per_client(database_url: str, drawing) -> None:
    with make_client(database_url, feedback_rate_limit="3/minute") as client:
        for _ in range(3):
            assert client.post("/feedback", json=body(drawing), headers={"X-Digits-Client": "a"}).status_code == 201
        refused = client.post("/feedback", json=body(drawing), headers={"X-Digits-Client": "a"})
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 61
        # another browser has its own budget; without an id the address is the key
        assert client.post("/feedback", json=body(drawing), headers={"X-Digits-Client": "b"}).status_code == 201
        for _ in range(3):
            assert client.post("/feedback", json=body(drawing)).status_code == 201
        assert client.post("/feedback", json=body(drawing)).status_code == 429
        assert client.get("/feedback/stats").json()["total"] == 7


def test_a_shared_store_limits_every_replica_together(tmp_path, redis_url: str, drawing) -> None:
    """Two replicas (two apps, one database) with 3/minute: counting in one Redis, the client gets 3
    drawings from the pair; counting in each process's memory, 3 from each."""
    url = feedback_db.sqlite_database(tmp_path)
    for storage, granted in ((redis_url, 3), ("memory://", 6)):
        options = {"feedback_rate_limit": "3/minute", "feedback_rate_limit_storage": storage}
        with make_client(url, **options) as one, make_client(url, **options) as two:
            client_id = {"X-Digits-Client": uuid.uuid4().hex}  # a fresh key in the long-lived Redis
            statuses = [
                (one, two)[i % 2].post("/feedback", json=body(drawing), headers=client_id).status_code for i in range(8)
            ]
        assert statuses == [201] * granted + [429] * (8 - granted), storage


def test_an_unreachable_store_counts_in_memory(tmp_path, drawing, caplog: pytest.LogCaptureFixture) -> None:
    """A shared store that is down never refuses a drawing by itself: this process counts instead."""
    storage = f"redis://127.0.0.1:{free_port()}"  # nothing listens there: connections are refused
    url = feedback_db.sqlite_database(tmp_path)
    options = {"feedback_rate_limit": "3/minute", "feedback_rate_limit_storage": storage}
    with caplog.at_level(logging.ERROR, logger="digits"), make_client(url, **options) as client:
        statuses = [client.post("/feedback", json=body(drawing)).status_code for _ in range(4)]
        assert client.get("/feedback/stats").json()["total"] == 3
    assert statuses == [201, 201, 201, 429]
    assert "counting in memory" in caplog.text


def test_a_bad_rate_limit_setting_fails_at_start() -> None:
    for bad in ({"feedback_rate_limit": "often"}, {"feedback_rate_limit_storage": "postgres://db"}):
        with pytest.raises(ValueError):
            Settings(**bad)


def test_clients_are_hashed_and_kept_apart(api: TestClient, database_url: str, drawing) -> None:
    for client_id in ("alpha", "alpha", "beta"):
        api.post("/feedback", json=body(drawing), headers={"X-Digits-Client": client_id})
    api.post("/feedback", json=body(drawing))
    clients = [record["client"] for record in iter_records(database_url)]
    assert clients[0] == clients[1] != clients[2]
    assert clients[3] == "anonymous"
    store = FeedbackStore(database_url)
    try:
        assert clients[0] == store.hash_client("alpha")
    finally:
        store.close()


def test_an_unreachable_database_is_a_503(tmp_path, drawing) -> None:
    url = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/none?connect_timeout=1"
    with make_client(url) as client:  # the service starts anyway: predictions do not need the database
        for response in (
            client.post("/feedback", json=body(drawing)),
            client.get("/feedback/stats"),
            client.get("/feedback/export"),
            client.delete("/feedback/some-id"),
        ):
            assert response.status_code == 503 and response.json()["code"] == "database_unavailable"


def test_a_sqlite_database_is_created_on_first_start(tmp_path, drawing) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'feedback.db'}"
    with make_client(url) as client:
        assert client.post("/feedback", json=body(drawing)).status_code == 201
    assert (tmp_path / "data" / "feedback.db").is_file()


def test_cors_allows_the_client_header(database_url: str) -> None:
    with make_client(database_url, cors_origins=["http://localhost:5173"]) as client:
        response = client.options(
            "/feedback",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-digits-client",
            },
        )
        assert response.status_code == 200
        assert "x-digits-client" in response.headers["access-control-allow-headers"].lower()


def test_tiny_png_helper_is_an_image() -> None:
    assert Image.open(io.BytesIO(_tiny_png())).size == (8, 8)


def test_the_export_is_what_retraining_reads(api: TestClient, database_url: str, drawing, tmp_path) -> None:
    """The combination end to end: drawings sent over HTTP, exported by the command, read by
    ``digits.finetune`` (its reader checks every field and decodes the 28x28 model input)."""
    from digits.feedback.export import export
    from digits.finetune.records import read_jsonl

    sent = [(3, 3, "alpha"), (None, 7, "beta"), (8, 3, "alpha")]
    for label, predicted, client in sent:
        response = api.post(
            "/feedback", json=body(drawing, label=label, predicted=predicted), headers={"X-Digits-Client": client}
        )
        assert response.status_code == 201
    path = tmp_path / "feedback" / "export.jsonl"
    assert export(path, database_url) == 3
    records = read_jsonl(path)
    assert [(r.label, r.predicted) for r in records] == [(label, predicted) for label, predicted, _ in sent]
    assert records[0].client == records[2].client != records[1].client
    assert [r.target for r in records] == [3, 10, 8]
    expected = preprocess(decode_image(drawing)).image
    assert all(r.image.shape == (28, 28) and np.abs(r.image - expected).max() <= 1 / 255 for r in records)


def test_a_server_database_pool_is_sized_by_its_settings() -> None:
    """``DATABASE_POOL_SIZE`` / ``DATABASE_MAX_OVERFLOW`` reach SQLAlchemy's pool (no connection is made)."""
    from sqlalchemy.pool import QueuePool

    from app.core.config import Settings
    from app.services.feedback import open_store
    from digits.feedback.store import create_db_engine

    url = "postgresql://user:secret@db.invalid/feedback"
    settings = Settings(
        database_url=url, database_migrate_on_start=False, database_pool_size=2, database_max_overflow=1
    )
    pool = open_store(settings).engine.pool
    assert isinstance(pool, QueuePool) and pool.size() == 2 and pool._max_overflow == 1
    assert create_db_engine(url).pool.size() == 5  # SQLAlchemy's default
