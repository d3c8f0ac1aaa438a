"""``python -m app.openapi``: the schema the SPA's typed client is generated from (``make openapi``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.main import create_app
from app.openapi import main


def test_writes_the_apps_schema_to_a_file(tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    assert main([str(path)]) == 0
    text = path.read_text()
    assert text.endswith("}\n") and text.startswith('{\n  "openapi": ')  # indented, one final newline
    schema = json.loads(text)
    assert schema == create_app().openapi()
    assert {"/predict", "/predict/batch", "/predict/upload", "/models", "/health"} <= set(schema["paths"])
    assert "/metrics" not in schema["paths"]


def test_writes_to_standard_output_without_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert json.loads(capsys.readouterr().out) == create_app().openapi()
