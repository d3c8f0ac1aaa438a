"""Inline copies or library calls in the preprocessing: what each inline copy saves per request.

Usage (from ``backend/``; about 4 minutes)::

    python -m benchmarks.preprocessing_helpers                      # 100 canvases per set, 61 rounds
    python -m benchmarks.preprocessing_helpers --canvases 50 --rounds 21

``digits.preprocessing`` carried inline copies of four library functions (``np.median``,
``np.pad``, ``scipy.ndimage.center_of_mass``, ``scipy.ndimage.binary_erosion``) to skip their
per-call overhead. The rule: call the library unless one inline copy alone saves at least 10 %
of a request's server time. That time is about 2.7 ms: ``POST /predict`` with a 280x280 canvas
PNG and the default engine, benchmarks/README.md ("Results", ``make benchmark``): the server's
own ``Server-Timing`` split at 1 client, decode 0.76 + preprocess 0.68 + inference 0.50 +
serialize 0.18 ms plus the rest of the app, and 2.73 ms of server CPU per prediction under 16
clients. The bar is 0.27 ms per request.

Two sets of ``--canvases`` 280x280 canvas PNGs of MNIST test digits, decoded once: the benchmark's
style (:func:`digits.data.rendering.render_canvas` defaults: dark ink, the digit filling the
canvas; the request behind the 2.7 ms) and :func:`digits.data.rendering.random_style` (30-100 %
of the canvas, any place and polarity, half of them transparent; fixed seed). For each set:

1. the arguments each helper really receives inside :func:`digits.preprocessing.preprocess`,
   recorded by running it with recording wrappers in place of the functions;
2. per helper, the inline copy and the library call on those same arguments, all the calls one
   request makes ("call saving"), and whether both give the same bits on every argument;
3. ``preprocess()`` (decoded image in) with all four library calls, with each inline copy in
   place of its call ("preprocess() saving", the verdict's figure: what one helper alone saves of
   a request), and with all four inline; and that all of them give the same output.

Each measurement alternates its variants in every one of ``--rounds`` rounds; a saving is the
median of the per-round differences. Times are this thread's CPU time (``time.thread_time``),
which other programs on the cores disturb far less than wall-clock time, scaled to the machine
behind the 2.7 ms: its 0.68 ms of preprocessing was measured with all four inline copies, so
every time is multiplied by ``0.68 ms / preprocess() with all four inline copies here``. glibc's
allocator is tuned as the server's (``benchmarks.serving.MALLOC_ENV``; the script restarts itself
with it when the environment lacks it).

The inline copies of ``np.median``, ``np.pad`` and ``center_of_mass`` are the ones
digits/preprocessing.py had (reproduced below); the binary erosion's is the one it keeps.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage

from benchmarks.serving import MALLOC_ENV
from digits import preprocessing as pp
from digits.data.mnist import load_mnist
from digits.data.rendering import random_style, render_canvas
from digits.settings import DataSettings

REQUEST_MS = 2.7
"""Server time of POST /predict with a 280x280 canvas PNG (benchmarks/README.md, "Results")."""
PREPROCESS_MS = 0.68
"""Its preprocessing stage in the same measurement (``Server-Timing`` median, 0.680 ms), taken
when digits/preprocessing.py still had all four inline copies."""
BAR = 0.10
"""An inline copy stays only if it alone saves this fraction of REQUEST_MS."""


# --- the inline copies, as they were in digits/preprocessing.py ------------------------------------


def inline_median(border: NDArray[Any]) -> float:
    """``float(np.median(border))`` of a 1-D array."""
    if border.dtype.kind != "f":
        return float(np.median(border))
    ordered = np.sort(border)
    if np.isnan(ordered[-1]):
        return float(np.median(border))
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return float((ordered[middle - 1] + ordered[middle]) / ordered.dtype.type(2))


def inline_pad(array: NDArray[Any], top: int, bottom: int, left: int, right: int) -> NDArray[Any]:
    """``np.pad(array, ((top, bottom), (left, right)))``."""
    height, width = array.shape
    out = np.zeros((height + top + bottom, width + left + right), dtype=array.dtype)
    out[top : top + height, left : left + width] = array
    return out


def inline_center_of_mass(image: NDArray[Any]) -> tuple[float, float]:
    """``scipy.ndimage.center_of_mass(image)`` of a 2-D array."""
    total = image.sum()
    rows = np.arange(image.shape[0], dtype=np.float64).reshape(-1, 1)
    cols = np.arange(image.shape[1], dtype=np.float64).reshape(1, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float((image * rows).sum() / total), float((image * cols).sum() / total)


def _pad_widths(pad_width: Any) -> tuple[int, int, int, int]:
    if isinstance(pad_width, int | np.integer):
        return (int(pad_width),) * 4
    (top, bottom), (left, right) = pad_width
    return int(top), int(bottom), int(left), int(right)


def inline_binary_erosion(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """``ndimage.binary_erosion(mask)`` by slices (3x3 cross, outside counted as background), as
    ``digits.preprocessing`` had it while it measured strokes on the full-size crop."""
    interior = np.zeros_like(mask)
    interior[1:-1, 1:-1] = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    return interior


def _inline_pad_as_np_pad(array: NDArray[Any], pad_width: Any) -> NDArray[Any]:
    return inline_pad(array, *_pad_widths(pad_width))


# --- helper -> (where digits.preprocessing looks it up, library function, inline copy) -------------
# The inline copy takes the library's arguments.

SWAPS: dict[str, tuple[str, Callable[..., Any], Callable[..., Any]]] = {
    "np.median": ("np.median", np.median, inline_median),
    "np.pad": ("np.pad", np.pad, _inline_pad_as_np_pad),
    "ndimage.center_of_mass": ("ndimage.center_of_mass", ndimage.center_of_mass, inline_center_of_mass),
    "ndimage.binary_erosion": ("ndimage.binary_erosion", ndimage.binary_erosion, inline_binary_erosion),
}
MODULES: dict[str, types.ModuleType] = {"np": np, "ndimage": ndimage}
ALL_INLINE = {path: inline for path, _, inline in SWAPS.values()}


def _clone(module: types.ModuleType, overrides: dict[str, Callable[..., Any]]) -> types.ModuleType:
    """A module object with ``module``'s attributes (same lookup cost) and some replaced."""
    clone = types.ModuleType(module.__name__)
    clone.__dict__.update(vars(module))
    clone.__dict__.update(overrides)
    return clone


@contextmanager
def _swapped(overrides: dict[str, Callable[..., Any]]) -> Iterator[None]:
    """Run ``digits.preprocessing`` with every helper's library function, except ``overrides``
    (lookup path -> function): its ``np`` and ``ndimage`` become clones of the modules with the
    functions replaced."""
    functions = {path: library for path, library, _ in SWAPS.values()} | overrides
    saved = {name: getattr(pp, name) for name in MODULES}
    try:
        for name, module in MODULES.items():
            prefix = f"{name}."
            replaced = {path.removeprefix(prefix): f for path, f in functions.items() if path.startswith(prefix)}
            setattr(pp, name, _clone(module, replaced))
        yield
    finally:
        for name, value in saved.items():
            setattr(pp, name, value)


def _check_preprocessing() -> None:
    """digits.preprocessing is what this script assumes: library calls only."""
    for name, module in MODULES.items():
        assert getattr(pp, name) is module, f"digits.preprocessing.{name} is not {module.__name__}"
    for attribute in ("_median", "_pad", "_center_of_mass", "_binary_erosion"):
        assert not hasattr(pp, attribute), f"digits.preprocessing still has its inline {attribute}"


# --- measurements ----------------------------------------------------------------------------------


def record_calls(images: Sequence[Image.Image]) -> dict[str, list[list[tuple[Any, ...]]]]:
    """For each helper, per image, the positional arguments of each call preprocess() makes."""
    calls: dict[str, list[list[tuple[Any, ...]]]] = {helper: [] for helper in SWAPS}
    overrides: dict[str, Callable[..., Any]] = {}
    for helper, (path, library, _) in SWAPS.items():

        def recorder(*args: Any, _helper: str = helper, _library: Any = library) -> Any:
            calls[_helper][-1].append(args)  # the arrays themselves (views stay views); none is written later
            return _library(*args)

        overrides[path] = recorder
    with _swapped(overrides):
        for img in images:
            for per_image in calls.values():
                per_image.append([])
            pp.preprocess(img)
    return calls


def _inline_call(helper: str) -> Callable[..., Any]:
    """The inline copy with the signature it had in digits/preprocessing.py."""
    if helper == "np.pad":
        return inline_pad
    return SWAPS[helper][2]


def _inline_args(helper: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    return (args[0], *_pad_widths(args[1])) if helper == "np.pad" else args


def _max_difference(a: Any, b: Any) -> float:
    a_arr, b_arr = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a_arr.shape != b_arr.shape:
        return float("inf")
    return float(np.max(np.abs(a_arr - b_arr), initial=0.0))


def _bit_identical(a: Any, b: Any) -> bool:
    a_arr, b_arr = np.asarray(a), np.asarray(b)
    if isinstance(a, tuple | float) or isinstance(b, tuple | float):  # center_of_mass, median: floats
        a_arr, b_arr = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a_arr.shape == b_arr.shape and a_arr.dtype == b_arr.dtype and a_arr.tobytes() == b_arr.tobytes()


def time_helper(helper: str, calls: list[list[tuple[Any, ...]]], rounds: int) -> dict[str, Any]:
    """Inline copy vs library call on the recorded arguments: median us per request, and the
    median of the paired differences (library - inline, same round)."""
    library = SWAPS[helper][1]
    inline = _inline_call(helper)
    library_args = [args for per_image in calls for args in per_image]
    inline_args = [_inline_args(helper, args) for args in library_args]
    identical = all(_bit_identical(inline(*i), library(*a)) for i, a in zip(inline_args, library_args, strict=True))
    difference = max(
        (_max_difference(inline(*i), library(*a)) for i, a in zip(inline_args, library_args, strict=True)),
        default=0.0,
    )
    variants: list[tuple[str, Callable[..., Any], list[tuple[Any, ...]]]] = [
        ("inline", inline, inline_args),
        ("library", library, library_args),
    ]
    samples: dict[str, list[float]] = {"inline": [], "library": []}
    for round_index in range(rounds):
        for name, function, arguments in variants if round_index % 2 else variants[::-1]:
            start = time.thread_time()
            for args in arguments:
                function(*args)
            samples[name].append((time.thread_time() - start) / len(calls) * 1e6)
    return {
        "calls": len(library_args) / len(calls),
        "inline_us": statistics.median(samples["inline"]),
        "library_us": statistics.median(samples["library"]),
        "saving_us": statistics.median(
            library - inline for library, inline in zip(samples["library"], samples["inline"], strict=True)
        ),
        "identical": identical,
        "max_difference": difference,
    }


def time_preprocess(images: Sequence[Image.Image], rounds: int) -> dict[str, tuple[float, float]]:
    """preprocess() with the four library calls, with each inline copy in place of its call, and
    with all four inline: median ms per request, and median of the paired differences from the
    all-library version in the same round."""
    configurations: dict[str, dict[str, Callable[..., Any]]] = {"all four library": {}}
    for helper, (path, _, inline) in SWAPS.items():
        configurations[helper] = {path: inline}
    configurations["all four inline"] = ALL_INLINE
    samples: dict[str, list[float]] = {name: [] for name in configurations}
    order = list(configurations)
    for round_index in range(rounds):
        for name in order if round_index % 2 else order[::-1]:
            with _swapped(configurations[name]):
                start = time.thread_time()
                for img in images:
                    pp.preprocess(img)
                samples[name].append((time.thread_time() - start) / len(images) * 1e3)
    library = samples["all four library"]
    return {
        name: (statistics.median(values), statistics.median(v - s for v, s in zip(values, library, strict=True)))
        for name, values in samples.items()
    }


def check_same_output(images: Sequence[Image.Image]) -> float:
    """Largest difference in preprocess()'s output between all four library calls, all four inline
    copies and what ships."""
    worst = 0.0
    for img in images:
        shipped = pp.preprocess(img)
        for overrides in ({}, ALL_INLINE):
            with _swapped(overrides):
                other = pp.preprocess(img)
            worst = max(worst, _max_difference(shipped.image, other.image))
            worst = max(worst, _max_difference(shipped.center_of_mass, other.center_of_mass))
            assert shipped.bounding_box == other.bounding_box and shipped.inverted == other.inverted
    return worst


def measure(title: str, images: Sequence[Image.Image], rounds: int) -> dict[str, bool]:
    """Measure every helper on ``images``, print the table; helper -> keep the inline copy."""
    for img in images:  # warm-up
        pp.preprocess(img)
    calls = record_calls(images)
    output_difference = check_same_output(images)
    gc.disable()
    try:
        helpers = {helper: time_helper(helper, calls[helper], rounds) for helper in SWAPS}
        whole = time_preprocess(images, rounds)
    finally:
        gc.enable()

    bar_ms = BAR * REQUEST_MS
    library, inline_all = whole["all four library"][0], whole["all four inline"][0]
    scaled = PREPROCESS_MS / inline_all
    print(f"\n{title}: {len(images)} canvases, {rounds} interleaved rounds, medians")
    print(
        f"preprocess() (decoded image in), CPU ms per request here: {library:.3f} with the four library calls, "
        f"{inline_all:.3f} with all four inline copies (= {PREPROCESS_MS} ms in benchmarks/README.md): "
        f"times below x {scaled:.2f}"
    )
    header = (
        f"{'helper':<24}{'calls/req':>10}{'inline us':>11}{'library us':>12}{'call saving ms':>16}{'%':>7}"
        f"{'preprocess() saving ms':>24}{'%':>7}  {'same bits':<10}verdict"
    )
    print(header)
    print("-" * len(header))
    verdicts = {}
    for helper, result in helpers.items():
        call_saving = result["saving_us"] / 1e3 * scaled
        saving = -whole[helper][1] * scaled
        verdicts[helper] = keep = saving >= bar_ms
        same = "yes" if result["identical"] else f"no ({result['max_difference']:.1e})"
        print(
            f"{helper:<24}{result['calls']:>10.2f}{result['inline_us'] * scaled:>11.1f}"
            f"{result['library_us'] * scaled:>12.1f}{call_saving:>16.3f}{call_saving / REQUEST_MS:>7.1%}"
            f"{saving:>24.3f}{saving / REQUEST_MS:>7.1%}  {same:<10}{'keep inline' if keep else 'library'}"
        )
    saving = -whole["all four inline"][1] * scaled
    print(f"{'all four together':<24}{'':>72}{saving:>24.3f}{saving / REQUEST_MS:>7.1%}")
    print(f"preprocess() output, library calls vs inline copies vs as shipped: max difference {output_difference:.1e}")
    return verdicts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--canvases", type=int, default=100, help="canvases per input set (default 100)")
    parser.add_argument("--rounds", type=int, default=61, help="interleaved rounds per measurement (default 61)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random canvas styles")
    args = parser.parse_args(argv)

    _check_preprocessing()
    if any(os.environ.get(name) != value for name, value in MALLOC_ENV.items()):
        # glibc reads its tunables at process start: start again with the server's (Makefile, Dockerfile)
        command = [sys.executable, "-m", "benchmarks.preprocessing_helpers", *(sys.argv[1:] if argv is None else argv)]
        os.execve(sys.executable, command, os.environ | MALLOC_ENV)
    digits = load_mnist(DataSettings().mnist_dir).x_test[: args.canvases]
    rng = np.random.default_rng(args.seed)
    sets = {
        "benchmark's canvas style (render_canvas default: the digit fills the 280x280 canvas)": [
            render_canvas(digit) for digit in digits
        ],
        f"random_style canvases (30-100 % of 280x280, any polarity, half transparent; seed {args.seed})": [
            render_canvas(digit, random_style(rng)) for digit in digits
        ],
    }
    print(
        f"request = {REQUEST_MS} ms of server time (benchmarks/README.md); an inline copy stays if it alone "
        f"saves >= {BAR:.0%} = {BAR * REQUEST_MS:.2f} ms"
    )
    kept: set[str] = set()
    for title, pngs in sets.items():
        verdicts = measure(title, [pp.decode_image(data) for data in pngs], args.rounds)
        kept |= {helper for helper, keep in verdicts.items() if keep}
    library = [helper for helper in SWAPS if helper not in kept]
    print(f"\nkeep inline: {', '.join(sorted(kept)) or 'none'}; library calls: {', '.join(library) or 'none'}")


if __name__ == "__main__":
    main()
