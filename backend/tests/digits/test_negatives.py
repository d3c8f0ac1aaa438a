from collections import Counter

import numpy as np
import pytest

from digits.data import hershey
from digits.data.mnist import Mnist
from digits.data.negatives import (
    KINDS,
    MIX,
    NEEDS_MNIST,
    PROBES,
    _is_one_like,
    mix_for,
    negative_drawings,
    not_digit_set,
    partial_skeleton,
    probe_drawings,
)
from digits.data.rendering import skeleton_points
from digits.preprocessing import decode_image, preprocess_bytes


def test_non_digit_drawings_are_varied_and_reproducible() -> None:
    kinds, images = not_digit_set(60, seed=5)
    again_kinds, again = not_digit_set(60, seed=5)
    assert images == again and kinds == again_kinds
    assert set(kinds) == set(KINDS)
    for data in images[:10]:
        image = preprocess_bytes(data).image
        assert image.shape == (28, 28) and float(image.max()) > 0.5
    assert not_digit_set(5, seed=6)[1] != images[:5]
    assert len({hash(d) for d in images}) == len(images)


def _has_ink(data: bytes) -> bool:
    decode_image(data)
    return float(preprocess_bytes(data).image.max()) > 0.5


def test_hershey_fonts_are_split_without_overlap_and_never_draw_digit_shapes() -> None:
    train, validation, test = (set(hershey.FONT_SPLITS[s]) for s in ("train", "validation", "test"))
    assert train and validation and test
    assert not train & test and not train & validation and not validation & test
    for font in train | validation | test:
        keys = hershey.charset(font)
        assert not set(keys) & set(hershey.DIGIT_LIKE), font
        if not font.startswith("greek"):
            assert not set(keys) & set(hershey.EXCLUDED), font
        for key in keys:
            assert hershey.glyph_strokes(font, key)
    for split in ("train", "test"):
        names, images = hershey.hershey_set(split, 12, seed=1)
        fonts = {name.split(":")[0] for name in names}
        assert fonts <= set(hershey.FONT_SPLITS[split])
        assert not {name.split(":")[1] for name in names} & set(hershey.DIGIT_LIKE)
        assert all(_has_ink(data) for data in images)
    assert hershey.hershey_set("test", 4, seed=1) == hershey.hershey_set("test", 4, seed=1)
    with pytest.raises(ValueError, match="unknown font"):
        hershey.glyph_strokes("comic", "A")


def test_font_digits_cycle_through_0_to_9_from_their_split_fonts_only() -> None:
    for split, fonts in hershey.DIGIT_FONTS.items():
        assert fonts and set(fonts) <= set(hershey.FONT_SPLITS[split]), split
        assert not any(font.startswith(("goth", "greek")) for font in fonts)
        for font in fonts:
            for digit in "0123456789":
                assert hershey.glyph_strokes(font, digit), (font, digit)
    labels, images = hershey.digit_set("test", 13, seed=2)
    assert labels == [i % 10 for i in range(13)] and all(_has_ink(data) for data in images)
    assert hershey.digit_set("test", 13, seed=2) == (labels, images)
    assert hershey.digit_set("test", 13, seed=3)[1] != images
    assert hershey.digit_set("train", 13, seed=2)[1] != images
    with pytest.raises(ValueError, match="split must be one of"):
        hershey.digit_set("holdout", 1)


def test_negative_drawings_mix_kinds_in_fixed_proportions(mnist: Mnist) -> None:
    kinds, images = negative_drawings(100, seed=3, split="validation", mnist_images=mnist.x_test[:50])
    assert len(images) == 100 and Counter(kinds) == Counter({k: v for k, v in MIX.items()})
    assert all(_has_ink(data) for data in images)
    plain, _ = negative_drawings(40, seed=3, split="validation")
    assert not set(plain) & set(NEEDS_MNIST)
    assert abs(sum(v for k, v in mix_for(False).items() if k not in ("omniglot", "hershey")) - 35) < 1e-9


def test_negative_drawings_are_deterministic_and_differ_across_seeds_and_splits(mnist: Mnist) -> None:
    first = negative_drawings(24, seed=7, split="train", mnist_images=mnist.x_train[:20])
    assert negative_drawings(24, seed=7, split="train", mnist_images=mnist.x_train[:20]) == first
    other_seed = negative_drawings(24, seed=8, split="train", mnist_images=mnist.x_train[:20])
    other_split = negative_drawings(24, seed=7, split="test", mnist_images=mnist.x_train[:20])
    assert not set(first[1]) & set(other_seed[1])
    assert not set(first[1]) & set(other_split[1])
    with pytest.raises(ValueError, match="split"):
        negative_drawings(2, seed=0, split="holdout")


def test_partial_digit_keeps_a_short_connected_piece(mnist: Mnist) -> None:
    points = skeleton_points(mnist.x_test[0])
    piece, parent = partial_skeleton(points, 0.3, np.random.default_rng(0))
    assert 0 < len(piece) < 0.35 * len(points)
    assert parent[0] == -1 and all(0 <= p < i for i, p in enumerate(parent[1:], start=1))
    steps = np.hypot(*(piece[1:] - piece[parent[1:]]).T)
    assert steps.max() < 0.4  # each point touches the one it was reached from (grid of 1/4 px)
    assert _is_one_like(np.stack([np.linspace(2, 20, 30), np.full(30, 14.0)], axis=1))
    assert not _is_one_like(np.stack([np.full(30, 14.0), np.linspace(2, 20, 30)], axis=1))


def test_probe_drawings_are_canonical_images_with_ink() -> None:
    probes = probe_drawings()
    assert tuple(probes) == PROBES
    assert probe_drawings() == probes
    for name, data in probes.items():
        img = decode_image(data)
        assert img.format == "PNG" and img.size == (280, 280), name
        assert _has_ink(data), name
