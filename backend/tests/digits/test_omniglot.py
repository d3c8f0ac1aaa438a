import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digits.data.omniglot import (
    OmniglotDrawing,
    load_omniglot,
    omniglot_set,
    render_omniglot,
    split_by_character,
)
from digits.preprocessing import decode_image, preprocess_bytes
from digits.settings import DataSettings


@pytest.fixture(scope="module")
def drawings() -> list[OmniglotDrawing]:
    directory = DataSettings().omniglot_dir
    if not (directory / "strokes.zip").is_file():
        pytest.fail(f"Omniglot not found at {directory}: set OMNIGLOT_DIR (e.g. ../shared/data/omniglot)")
    return load_omniglot(directory)


def _fake_omniglot(directory: Path, alphabets: dict[str, int], drawers: int = 2) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(directory / "strokes.zip", "w") as archive:
        for alphabet, characters in alphabets.items():
            for c in range(1, characters + 1):
                for d in range(1, drawers + 1):
                    text = f"START\n10,-10,0\n{20 + c},-{30 + d},10\n60,-60,20\nBREAK\n50,-20,30\nBREAK\n"
                    archive.writestr(f"{alphabet}/character{c:02d}/{c:04d}_{d:02d}.txt", text)
    return directory


def test_reads_every_drawing_of_the_shipped_alphabets(drawings: list[OmniglotDrawing]) -> None:
    assert len(drawings) == 2120
    assert {d.alphabet for d in drawings} == {"Japanese_(katakana)", "Sanskrit", "Tagalog"}
    assert len({d.key for d in drawings}) == 106
    assert {d.drawer for d in drawings} == set(range(1, 21))
    for drawing in drawings[:50]:
        for stroke in drawing.strokes:
            assert stroke.ndim == 2 and stroke.shape[1] == 2 and stroke.dtype == np.float64
    points = np.concatenate([s for d in drawings for s in d.strokes])
    # y negated in the file, y down here: in the 105x105 frame (a mouse may stray past its edge).
    assert points.min() > 0 and points.max() < 120
    assert 40 < float(np.median(points[:, 1])) < 65


def test_split_keeps_characters_apart_and_every_alphabet_in_each_part(drawings: list[OmniglotDrawing]) -> None:
    parts = split_by_character(drawings, seed=0)
    characters = {name: {d.key for d in part} for name, part in parts.items()}
    assert not characters["train"] & characters["validation"]
    assert not characters["train"] & characters["test"]
    assert not characters["validation"] & characters["test"]
    assert sum(len(c) for c in characters.values()) == 106
    assert sum(len(p) for p in parts.values()) == len(drawings)
    for part in parts.values():
        assert {d.alphabet for d in part} == {"Japanese_(katakana)", "Sanskrit", "Tagalog"}
    assert 0.55 <= len(characters["train"]) / 106 <= 0.65
    assert 0.15 <= len(characters["test"]) / 106 <= 0.25
    again = split_by_character(drawings, seed=0)
    assert [d.name for d in again["test"]] == [d.name for d in parts["test"]]
    other = split_by_character(drawings, seed=1)
    assert {d.key for d in other["test"]} != characters["test"]


def test_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "nowhere")):
        load_omniglot(tmp_path / "nowhere")


def test_directory_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OMNIGLOT_DIR", str(tmp_path))
    assert DataSettings().omniglot_dir == tmp_path


def test_rendered_drawing_is_a_canvas_image_with_ink(drawings: list[OmniglotDrawing]) -> None:
    rng = np.random.default_rng(0)
    for drawing in drawings[::500]:
        data = render_omniglot(drawing, rng)
        img = decode_image(data)
        assert img.format == "PNG" and img.size == (280, 280)
        assert float(preprocess_bytes(data).image.max()) > 0.5
    small = Image.open(io.BytesIO(render_omniglot(drawings[0], rng, canvas_size=140)))
    assert small.size == (140, 140)


def test_omniglot_set_renders_one_split_deterministically(tmp_path: Path) -> None:
    directory = _fake_omniglot(tmp_path / "omniglot", {"Alpha": 5, "Beta": 5, "Gamma": 5})
    names, images = omniglot_set("test", count_per_drawing=2, seed=3, directory=directory)
    test_keys = {d.key for d in split_by_character(load_omniglot(directory))["test"]}
    assert len(names) == len(images) == 2 * 2 * len(test_keys)
    assert {name.rsplit("/", 1)[0] for name in names} == test_keys
    assert omniglot_set("test", count_per_drawing=2, seed=3, directory=directory) == (names, images)
    assert omniglot_set("test", count_per_drawing=2, seed=4, directory=directory)[1] != images
    for data in images:
        assert float(preprocess_bytes(data).image.max()) > 0.5
    with pytest.raises(ValueError, match="split"):
        omniglot_set("everything", directory=directory)
