"""MNIST loader for the canonical IDX files.

Format (http://yann.lecun.com/exdb/mnist/): big-endian headers. Images: magic 2051, count,
rows, cols, then ``count*rows*cols`` uint8 pixels (0 = background, 255 = ink). Labels: magic
2049, count, then ``count`` uint8 labels in 0-9. Files may be gzip-compressed (``.gz``).
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
EXPECTED_COUNTS = {"train": 60_000, "test": 10_000}

SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
"""sha256 of the *decompressed* canonical files (the .gz wrappers differ between mirrors)."""


class MnistError(ValueError):
    """A missing, truncated or corrupt MNIST file; the message names the file."""


@dataclass(frozen=True)
class IdxFile:
    """One decoded IDX file: ``array`` plus the sha256 of its decompressed bytes."""

    path: Path
    array: NDArray[np.uint8]
    sha256: str


@dataclass(frozen=True)
class Mnist:
    """The MNIST splits.

    Attributes:
        x_train: (60000, 28, 28) uint8 in [0, 255], white ink on black.
        y_train: (60000,) uint8 in [0, 9].
        x_test: (10000, 28, 28) uint8 in [0, 255].
        y_test: (10000,) uint8 in [0, 9].
        sha256: file name -> sha256 of the decompressed bytes that were read.
    """

    x_train: NDArray[np.uint8]
    y_train: NDArray[np.uint8]
    x_test: NDArray[np.uint8]
    y_test: NDArray[np.uint8]
    sha256: dict[str, str] = field(default_factory=dict)


def _find(directory: Path, stem: str) -> Path:
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.is_file():
            return candidate
    raise MnistError(
        f"MNIST file {stem}(.gz) not found in {directory}: set MNIST_DIR to the directory "
        "holding the four IDX files (e.g. MNIST_DIR=../shared/data/mnist)"
    )


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise MnistError(f"cannot read MNIST file {path}: {exc}") from exc


def read_idx(path: Path, expected_magic: int) -> IdxFile:
    """Read and validate one IDX file (gzip or raw).

    Args:
        path: the file.
        expected_magic: 2051 for images, 2049 for labels.

    Returns:
        The array: images (count, rows, cols) uint8, labels (count,) uint8.

    Raises:
        MnistError: wrong magic number, truncated or oversized payload, bad labels.
    """
    raw = _read_bytes(path)
    header_len = 16 if expected_magic == IMAGE_MAGIC else 8
    if len(raw) < header_len:
        raise MnistError(f"MNIST file {path} is truncated: {len(raw)} bytes, no full header")
    magic, count = struct.unpack(">II", raw[:8])
    if magic != expected_magic:
        raise MnistError(f"MNIST file {path} has magic number {magic}, expected {expected_magic}")
    shape: tuple[int, ...]
    if expected_magic == IMAGE_MAGIC:
        rows, cols = struct.unpack(">II", raw[8:16])
        if (rows, cols) != (28, 28):
            raise MnistError(f"MNIST file {path} has {rows}x{cols} images, expected 28x28")
        shape = (count, rows, cols)
    else:
        shape = (count,)
    expected_len = header_len + int(np.prod(shape))
    if len(raw) != expected_len:
        raise MnistError(f"MNIST file {path} has {len(raw)} bytes, expected {expected_len} for {count} items")
    array = np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape)
    if expected_magic == LABEL_MAGIC and array.size and int(array.max()) > 9:
        raise MnistError(f"MNIST file {path} has a label {int(array.max())} outside 0-9")
    return IdxFile(path=path, array=array, sha256=hashlib.sha256(raw).hexdigest())


def load_split(directory: Path, split: str) -> tuple[NDArray[np.uint8], NDArray[np.uint8], dict[str, str]]:
    """Load one split (``"train"`` or ``"test"``) from ``directory``.

    Returns:
        images (N, 28, 28) uint8, labels (N,) uint8, {file name: sha256}.

    Raises:
        MnistError: a file is missing or corrupt, or images and labels disagree in count.
    """
    directory = Path(directory)
    images = read_idx(_find(directory, FILES[f"{split}_images"]), IMAGE_MAGIC)
    labels = read_idx(_find(directory, FILES[f"{split}_labels"]), LABEL_MAGIC)
    if len(images.array) != len(labels.array):
        raise MnistError(
            f"{images.path} has {len(images.array)} images but {labels.path} has {len(labels.array)} labels"
        )
    sums = {images.path.name: images.sha256, labels.path.name: labels.sha256}
    return images.array, labels.array, sums


def load_mnist(directory: Path, *, verify_counts: bool = True) -> Mnist:
    """Load the four MNIST files from ``directory`` (gzip or raw).

    Args:
        directory: folder with the IDX files, e.g. ``../shared/data/mnist``.
        verify_counts: require the canonical 60,000 / 10,000 images.

    Raises:
        MnistError: a file is missing, truncated, has a wrong magic number or count.
    """
    x_train, y_train, s1 = load_split(directory, "train")
    x_test, y_test, s2 = load_split(directory, "test")
    if verify_counts:
        for name, arr in (("train", x_train), ("test", x_test)):
            if len(arr) != EXPECTED_COUNTS[name]:
                raise MnistError(
                    f"MNIST {name} split in {directory} has {len(arr)} images, expected {EXPECTED_COUNTS[name]}"
                )
    return Mnist(x_train, y_train, x_test, y_test, {**s1, **s2})
