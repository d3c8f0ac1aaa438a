"""The training-time breakdown command, on a few images and batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digits.data.mnist import Mnist
from digits.training import timing
from tests.helpers import small_mnist

pytestmark = pytest.mark.slow  # TensorFlow graphs and a few training steps


def test_timing_prints_every_part_and_writes_json(
    mnist: Mnist, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(timing, "load_mnist", lambda _directory: small_mnist(mnist, train=64, test=16))
    output = tmp_path / "timing.json"
    args = ["--batches", "2", "--batch-size", "8", "--sample", "4", "--json", str(output)]
    assert timing.main(args) == 0
    figures = json.loads(output.read_text())
    parts = {"preprocess_mnist", "stroke_renderings", "negative_drawings", "pipeline_plain", "pipeline_augmented"}
    assert set(figures) == parts | {"model_step", "model_step_xla", "model_step_bf16", "fit_step"}
    assert all(value > 0 for value in figures.values())
    out = capsys.readouterr().out
    assert all(part in out for part in figures) and "per 100k-image epoch" in out
