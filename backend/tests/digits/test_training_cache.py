"""The cache of the deterministic training data (computed once, keyed by sizes, seed, data and code), and the split."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digits.training.train import DataCache


def test_an_entry_is_computed_once_then_read_back(tmp_path: Path) -> None:
    calls: list[int] = []

    def compute() -> np.ndarray:
        calls.append(1)
        return np.arange(6, dtype=np.float64).reshape(2, 3)

    cache = DataCache(tmp_path, {"train-images-idx3-ubyte.gz": "abc"}, seed=42)
    first = cache.get("strokes", (10, 2), compute)
    second = cache.get("strokes", (10, 2), compute)
    assert len(calls) == 1 and second.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    assert len(list(tmp_path.glob("strokes-*.npy"))) == 1 and not list(tmp_path.glob("*.tmp.npy"))


def test_other_sizes_seed_or_data_compute_afresh(tmp_path: Path) -> None:
    calls: list[int] = []

    def compute() -> np.ndarray:
        calls.append(1)
        return np.zeros(3)

    DataCache(tmp_path, {"a": "1"}, seed=42).get("x", (1,), compute)
    DataCache(tmp_path, {"a": "1"}, seed=42).get("x", (2,), compute)
    DataCache(tmp_path, {"a": "1"}, seed=7).get("x", (1,), compute)
    DataCache(tmp_path, {"a": "2"}, seed=42).get("x", (1,), compute)
    assert len(calls) == 4


def test_no_directory_caches_nothing(tmp_path: Path) -> None:
    calls: list[int] = []
    cache = DataCache(None, {}, seed=0)
    for _ in range(2):
        cache.get("x", (1,), lambda: calls.append(1) or np.ones(2))
    assert len(calls) == 2 and not list(tmp_path.iterdir())


def test_a_split_seed_holds_out_the_same_images_whatever_the_seed() -> None:
    from digits.training.train import split_order

    served = split_order(np.random.default_rng(42), 1000)
    member_rng = np.random.default_rng(7)
    member = split_order(member_rng, 1000, split_seed=42)
    np.testing.assert_array_equal(member, served)
    assert not np.array_equal(split_order(np.random.default_rng(7), 1000), served)
    plain = np.random.default_rng(7)
    plain.permutation(1000)
    assert member_rng.integers(1 << 30) == plain.integers(1 << 30)  # what the run draws next is unchanged
