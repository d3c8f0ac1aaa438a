"""Shared plotting helpers: where figures are written, the image grid, canvases for display.

Every figure is drawn with matplotlib's Agg backend (no display needed) and written as a PNG
beside ``README.md``; the Markdown links them by file name only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass
class FigureWriter:
    """Writes figures into ``output`` and remembers their file names.

    Attributes:
        output: the report directory (must exist).
        dpi: resolution of every PNG.
        written: file names written so far, in order.
    """

    output: Path
    dpi: int = 100
    written: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        import matplotlib

        matplotlib.use("Agg")

    def save(self, fig: Any, name: str) -> str:
        """Write ``fig`` as ``<output>/<name>.png``, close it, return the file name (``<name>.png``)."""
        import matplotlib.pyplot as plt

        file_name = f"{name}.png"
        fig.savefig(self.output / file_name, dpi=self.dpi, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        self.written.append(file_name)
        return file_name


def image_grid(
    images: Sequence[NDArray[Any]],
    titles: Sequence[str],
    columns: int,
    cell: float = 0.9,
    title_size: int = 7,
) -> Any:
    """A grid of grayscale images (white ink on black shown as black ink on white); returns the figure."""
    import matplotlib.pyplot as plt

    rows = max(1, -(-len(images) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * cell, rows * (cell + 0.15)), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles, strict=False):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=255 if image.dtype == np.uint8 else 1.0)
        if title:
            ax.set_title(title, fontsize=title_size, pad=2)
    fig.tight_layout(pad=0.3)
    return fig


def canvas_view(png: bytes) -> NDArray[np.uint8]:
    """A canvas PNG as (H, W) uint8 grayscale for display; a transparent background is shown
    in the colour that contrasts with the ink (white behind dark ink, black behind light ink)."""
    from PIL import Image

    canvas = Image.open(io.BytesIO(png))
    if canvas.mode != "RGBA":
        return np.asarray(canvas.convert("L"))
    rgba = np.asarray(canvas, dtype=np.float32) / 255.0
    alpha = rgba[..., 3]
    gray = rgba[..., :3].mean(axis=2)
    ink_level = float((gray * alpha).sum() / max(float(alpha.sum()), 1e-6))
    background = 1.0 if ink_level < 0.5 else 0.0
    view: NDArray[np.uint8] = np.round((gray * alpha + background * (1 - alpha)) * 255).astype(np.uint8)
    return view
