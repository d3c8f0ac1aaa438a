"""The data section: sample images per class and the class distribution of both MNIST splits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digits.data.mnist import Mnist
from digits.report.figures import FigureWriter, image_grid

SAMPLES_PER_CLASS = 12


@dataclass(frozen=True)
class DataContext:
    """What the template says about MNIST.

    Attributes:
        train_images, test_images: sizes of the two splits.
        train_min, train_max: fewest and most training images of one digit; ``*_digit`` says which.
        test_min, test_max: fewest and most test images of one digit.
        samples_per_class: images per digit in the sample grid.
        samples_figure, distribution_figure: PNG file names.
    """

    train_images: int
    test_images: int
    train_min: int
    train_min_digit: int
    train_max: int
    train_max_digit: int
    test_min: int
    test_max: int
    samples_per_class: int
    samples_figure: str
    distribution_figure: str


def data_section(figures: FigureWriter, mnist: Mnist) -> DataContext:
    """Draw twelve random training images of each digit and the class distribution of both splits."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    images, titles = [], []
    for digit in range(10):
        picks = rng.choice(np.flatnonzero(mnist.y_train == digit), size=SAMPLES_PER_CLASS, replace=False)
        for j, index in enumerate(picks):
            images.append(mnist.x_train[index])
            titles.append(str(digit) if j == 0 else "")
    samples = figures.save(image_grid(images, titles, SAMPLES_PER_CLASS, cell=0.7), "data_samples")

    fig, ax = plt.subplots(figsize=(8, 3.2))
    width = 0.4
    digits = np.arange(10)
    for offset, (label, y) in zip(
        (-width / 2, width / 2), (("train", mnist.y_train), ("test", mnist.y_test)), strict=True
    ):
        counts = np.bincount(y, minlength=10)
        share = counts / counts.sum() * 100
        bars = ax.bar(digits + offset, share, width, label=f"{label} ({len(y):,} images)")
        ax.bar_label(bars, labels=[f"{c:,}" for c in counts], fontsize=6, rotation=90, padding=2)
    ax.set_xticks(digits)
    ax.set_xlabel("digit")
    ax.set_ylabel("share of the split (%)")
    ax.set_ylim(0, 16)
    ax.set_title("Class distribution (bar labels: image counts)")
    ax.legend(loc="upper center", ncol=2, fontsize=8)
    distribution = figures.save(fig, "data_class_distribution")

    train_counts = np.bincount(mnist.y_train, minlength=10)
    test_counts = np.bincount(mnist.y_test, minlength=10)
    return DataContext(
        train_images=len(mnist.y_train),
        test_images=len(mnist.y_test),
        train_min=int(train_counts.min()),
        train_min_digit=int(train_counts.argmin()),
        train_max=int(train_counts.max()),
        train_max_digit=int(train_counts.argmax()),
        test_min=int(test_counts.min()),
        test_max=int(test_counts.max()),
        samples_per_class=SAMPLES_PER_CLASS,
        samples_figure=samples,
        distribution_figure=distribution,
    )
