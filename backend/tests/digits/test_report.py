"""The report: its transforms, and a quick end-to-end run on a small subset."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from digits.report import PAD, TRANSFORMS, Transform, build_report, markdown_table, transform_digit
from digits.settings import DataSettings


def centre_of_mass(image: np.ndarray) -> np.ndarray:
    return np.array(ndimage.center_of_mass(image.astype(np.float64)))


def test_transforms_move_the_digit_as_named(mnist) -> None:
    digit = mnist.x_test[0]
    field = transform_digit(digit, Transform("none"))
    assert field.shape == (28 + 2 * PAD, 28 + 2 * PAD) and field.dtype == np.uint8
    np.testing.assert_array_equal(field[PAD:-PAD, PAD:-PAD], digit)

    shifted = transform_digit(digit, Transform("shift", shift=8))
    np.testing.assert_allclose(centre_of_mass(shifted) - centre_of_mass(field), [8, 8], atol=0.05)
    assert shifted.sum() == pytest.approx(field.sum(), rel=0.01)  # nothing cut off

    half = transform_digit(digit, Transform("scale", scale=0.5))
    assert half.astype(float).sum() == pytest.approx(field.astype(float).sum() / 4, rel=0.1)
    np.testing.assert_allclose(centre_of_mass(half) - 27.5, (centre_of_mass(field) - 27.5) / 2, atol=0.3)

    # A 1 (vertical stroke) rotated counter-clockwise leans left: its top moves left.
    one = np.zeros((28, 28), np.uint8)
    one[4:24, 13:15] = 255
    rotated = transform_digit(one, Transform("rotate", rotate=30))
    rows, cols = np.nonzero(rotated > 127)
    assert cols[rows.argmin()] < cols[rows.argmax()]


def test_markdown_table() -> None:
    assert markdown_table(["a", "b"], [[1, "x"]]) == "| a | b |\n| :--- | ---: |\n| 1 | x |"


def test_report_on_a_small_subset(tmp_path: Path) -> None:
    settings = DataSettings()
    lines: list[str] = []
    markdown = build_report(
        tmp_path,
        settings.mnist_dir,
        settings.models_dir,
        models=("mlp-numpy",),
        test_limit=300,
        robustness_limit=20,
        strokes_limit=10,
        optdigits_limit=20,
        log=lines.append,
    )
    text = markdown.read_text()
    for heading in ("## Data", "## Training", "## Evaluation", "## Robustness", "## Beyond MNIST"):
        assert heading in text
    assert "`mlp-numpy`" in text and "optdigits-canvas" in text and "strokes-28px" in text
    for transform in TRANSFORMS:
        assert transform.name in text
    assert "| 9 |" in text and "macro avg" in text  # the per-class table
    linked = set(re.findall(r"\]\(([^)]+\.png)\)", text))
    written = {p.name for p in tmp_path.glob("*.png")}
    assert linked == written and len(written) >= 7
    assert {"data_samples.png", "training_curves.png", "confusion_mlp_numpy.png"} <= written
    for name in written:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert lines and lines[-1].startswith("wrote")
