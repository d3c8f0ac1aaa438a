import gzip
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from digits.data.mnist import FILES, SHA256, MnistError, load_mnist, load_split, read_idx


def test_loads_the_canonical_files_with_checksums(mnist) -> None:
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28)
    assert mnist.y_train.shape == (60000,) and set(np.unique(mnist.y_test)) == set(range(10))
    for name, digest in mnist.sha256.items():
        assert SHA256[name.removesuffix(".gz")] == digest


def _copy_raw(src: Path, dst: Path, split: str = "test") -> None:
    for key in (f"{split}_images", f"{split}_labels"):
        stem = FILES[key]
        with gzip.open(src / f"{stem}.gz") as fh, (dst / stem).open("wb") as out:
            shutil.copyfileobj(fh, out)


def test_reads_uncompressed_files(mnist_dir: Path, tmp_path: Path, mnist) -> None:
    _copy_raw(mnist_dir, tmp_path)
    images, labels, sums = load_split(tmp_path, "test")
    np.testing.assert_array_equal(images, mnist.x_test)
    np.testing.assert_array_equal(labels, mnist.y_test)
    assert sums["t10k-images-idx3-ubyte"] == SHA256["t10k-images-idx3-ubyte"]


def test_missing_directory_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(MnistError, match="train-images-idx3-ubyte.*not found.*MNIST_DIR"):
        load_mnist(tmp_path / "nowhere")


def _write(path: Path, header: bytes, payload: bytes) -> Path:
    path.write_bytes(header + payload)
    return path


def test_wrong_magic_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "x", struct.pack(">IIII", 1234, 1, 28, 28), bytes(784))
    with pytest.raises(MnistError, match=r"x has magic number 1234, expected 2051"):
        read_idx(path, 2051)


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "short", struct.pack(">IIII", 2051, 2, 28, 28), bytes(784))
    with pytest.raises(MnistError, match="short has 800 bytes, expected 1584"):
        read_idx(path, 2051)


def test_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(MnistError, match="t10k-labels-idx1-ubyte.gz"):
        read_idx(path, 2049)


def test_label_out_of_range_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "labels", struct.pack(">II", 2049, 3), bytes([1, 2, 11]))
    with pytest.raises(MnistError, match="label 11 outside 0-9"):
        read_idx(path, 2049)


def test_count_mismatch_between_images_and_labels(tmp_path: Path) -> None:
    _write(tmp_path / FILES["test_images"], struct.pack(">IIII", 2051, 2, 28, 28), bytes(2 * 784))
    _write(tmp_path / FILES["test_labels"], struct.pack(">II", 2049, 3), bytes([1, 2, 3]))
    with pytest.raises(MnistError, match="2 images but .* 3 labels"):
        load_split(tmp_path, "test")
