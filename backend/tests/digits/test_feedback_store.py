"""The feedback store, migrations and export, each on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from digits.feedback import FeedbackStore, NewFeedback, database_url
from digits.feedback.export import export, iter_records
from digits.feedback.migrate import main as migrate_main
from digits.feedback.store import ANONYMOUS
from digits.preprocessing import to_png
from digits.settings import BACKEND_DIR


def item(label: int | None, predicted: int | None, version: str = "v1", client: str = "c1") -> NewFeedback:
    model_input = to_png(np.eye(28, dtype=np.float32))
    return NewFeedback(
        client=client,
        label=label,
        predicted=predicted,
        model_version=version,
        input_image=model_input,
        image=b"\x89PNG original bytes",
        probabilities=[0.1] * 10 if predicted is not None else None,
        strokes=[[[1.0, 2.0, 0.0], [3.5, 4.0, 16.0]]],
        canvas=(280, 300),
        device="touch",
    )


@pytest.fixture
def store(database_url: str):
    store = FeedbackStore(database_url)
    yield store
    store.close()


def test_migration_makes_the_tables_and_a_salt(store: FeedbackStore) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"feedback", "feedback_meta", "alembic_version"} <= tables
    assert len(store.client_salt()) == 64


def test_stats_count_labels_agreement_and_versions(store: FeedbackStore) -> None:
    assert store.stats() == {
        "total": 0,
        "by_label": {**{str(d): 0 for d in range(10)}, "not_a_digit": 0},
        "agreement": None,
        "by_model_version": {},
    }
    store.add(item(4, 4, "v1"))
    store.add(item(4, 9, "v1"))
    store.add(item(None, None, "v2"))  # both say "not a digit": agreement
    store.add(item(None, 7, "v2"))
    stats = store.stats()
    assert stats["total"] == 4
    assert stats["by_label"]["4"] == 2 and stats["by_label"]["not_a_digit"] == 2 and stats["by_label"]["7"] == 0
    assert stats["agreement"] == pytest.approx(0.5)
    assert stats["by_model_version"] == {"v1": {"total": 2, "agreement": 0.5}, "v2": {"total": 2, "agreement": 0.5}}


def test_records_keep_every_field_oldest_first(store: FeedbackStore) -> None:
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    later = store.add(item(3, 5), now=start + timedelta(minutes=1))
    earlier = store.add(item(None, None, client=ANONYMOUS), now=start)
    records = list(store.iter_records(batch_size=1))
    assert [r["id"] for r in records] == [earlier, later]
    first, second = records
    assert first["created_at"] == "2026-01-02T03:04:05+00:00"
    assert first["label"] is None and first["client"] == ANONYMOUS
    assert second["label"] == 3 and second["predicted"] == 5 and second["model_version"] == "v1"
    assert second["probabilities"] == pytest.approx([0.1] * 10)
    assert second["strokes"] == [[[1.0, 2.0, 0.0], [3.5, 4.0, 16.0]]]
    assert second["canvas"] == {"width": 280, "height": 300} and second["device"] == "touch"
    assert base64.b64decode(second["image"]) == b"\x89PNG original bytes"
    model_input = Image.open(io.BytesIO(base64.b64decode(second["input_image"])))
    assert model_input.size == (28, 28) and model_input.mode == "L"
    assert json.loads(json.dumps(records)) == records  # plain JSON


def test_delete(store: FeedbackStore) -> None:
    kept, gone = store.add(item(1, 1)), store.add(item(2, 2))
    assert store.delete(gone) is True
    assert store.delete(gone) is False
    assert [r["id"] for r in store.iter_records()] == [kept]


def test_labels_outside_0_9_are_refused_by_the_database(store: FeedbackStore) -> None:
    with pytest.raises(IntegrityError):
        store.add(item(12, 1))


def test_client_hash_is_salted_and_stable(store: FeedbackStore, database_url: str) -> None:
    hashed = store.hash_client("browser-123")
    assert len(hashed) == 32 and "browser-123" not in hashed
    assert hashed == store.hash_client("browser-123") != store.hash_client("browser-124")
    assert store.hash_client(None) == ANONYMOUS
    other = FeedbackStore(database_url)  # another process: same salt, same hash
    try:
        assert other.hash_client("browser-123") == hashed
    finally:
        other.close()


def test_export_file_and_iter_records(store: FeedbackStore, database_url: str, tmp_path) -> None:
    ids = [store.add(item(d % 10, d % 10)) for d in range(12)]
    assert [r["id"] for r in iter_records(database_url)] == [r["id"] for r in store.iter_records()]
    output = tmp_path / "out" / "export.jsonl"
    assert export(output, database_url) == 12
    lines = output.read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(ids)
    assert not (tmp_path / "out" / "export.jsonl.partial").exists()


def test_migrate_and_export_commands(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'cli.db'}"
    migrate_main(["--database-url", url])  # creates the folder and the file
    store = FeedbackStore(url)
    store.add(item(8, 3))
    store.close()
    output = tmp_path / "export.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "digits.feedback.export", "--output", str(output)],
        cwd=BACKEND_DIR,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "exported 1 drawings" in done.stdout
    (line,) = output.read_text().splitlines()
    assert json.loads(line)["label"] == 8


def test_postgresql_urls_use_psycopg_3() -> None:
    assert database_url("postgresql://u:p@db:5432/x").drivername == "postgresql+psycopg"
    assert database_url("postgres://u:p@db/x").drivername == "postgresql+psycopg"
    assert database_url("sqlite:///x.db").drivername == "sqlite"


def test_sqlite_uses_write_ahead_logging(tmp_path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        store.close()
