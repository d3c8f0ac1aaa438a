"""Writes the example gallery of the SPA: real MNIST test images as small PNGs.

Run from frontend/ with the backend's virtual environment (it reads MNIST through the
backend's own loader):

    ../backend/.venv/bin/python scripts/make-examples.py

For every digit 0-9 it takes the first PER_DIGIT images of that digit in the MNIST test set
(deterministic: no sampling), turns them into dark ink on a light background, scales them
up to SIZE x SIZE so that they look like drawings, and writes them to public/examples/
together with manifest.json (file, label, MNIST test index). The images are not curated:
the model sees them exactly as any other upload.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

FRONTEND_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(FRONTEND_DIR.parent / "backend"))

from digits.data.mnist import load_mnist  # noqa: E402
from digits.settings import DataSettings  # noqa: E402

OUT_DIR = FRONTEND_DIR / "public" / "examples"
PER_DIGIT = 2
SIZE = 112
#: Ink and paper colours of the written PNGs (grey levels).
PAPER = 250
INK = 20


def to_drawing(image: np.ndarray) -> Image.Image:
    """28x28 MNIST image (white ink on black, uint8) -> SIZE x SIZE dark ink on light paper."""
    ink = image.astype(np.float32) / 255.0
    grey = PAPER - ink * (PAPER - INK)
    small = Image.fromarray(np.clip(np.rint(grey), 0, 255).astype(np.uint8), mode="L")
    return small.resize((SIZE, SIZE), Image.Resampling.BICUBIC)


def main() -> None:
    mnist = load_mnist(DataSettings().mnist_dir)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in OUT_DIR.glob("*.png"):
        old.unlink()
    examples = []
    for digit in range(10):
        indices = np.flatnonzero(mnist.y_test == digit)[:PER_DIGIT]
        for index in indices:
            name = f"mnist-test-{int(index):05d}.png"
            to_drawing(mnist.x_test[index]).save(OUT_DIR / name, optimize=True)
            examples.append({"file": name, "label": digit, "mnist_test_index": int(index)})
    manifest = {
        "source": "MNIST test set (first images of each digit)",
        "size": SIZE,
        "examples": examples,
    }
    (OUT_DIR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    total = sum(p.stat().st_size for p in OUT_DIR.glob("*.png"))
    print(f"wrote {len(examples)} examples ({total / 1024:.1f} KiB) to {OUT_DIR}")


if __name__ == "__main__":
    main()
