"""The one transform from a user's drawing to the model's input.

Used by the API, the training pipeline, the benchmark and the tests, so that training and
serving agree. It reproduces MNIST's own preparation (LeCun et al., "Gradient-based learning
applied to document recognition", 1998, and the MNIST page): the digit is size-normalised to
fit a 20x20 box keeping its aspect ratio, anti-aliased to grey levels, and placed in a 28x28
field so that its centre of mass (pixel-intensity weighted) sits at the centre of the field.
MNIST's own test set has its centre of mass at (14.0, 14.0) in (row, column) pixel indices,
which is what :data:`TARGET_CENTER` reproduces.

Steps of :func:`preprocess`:
    1. composite any alpha channel onto a background that contrasts with the ink;
    2. convert to grayscale float32;
    3. detect polarity from the border (the background) and normalise to white ink on black;
       a photo (an uneven or grey border) takes its polarity from the histogram's ink tail, has
       its light flattened and keeps only its ink regions (not the sheet's edge, the table, shadows);
    4. subtract the background level and stretch the ink to [0, 1];
    5. find the ink's bounding box (pixels above :data:`INK_THRESHOLD`) and crop to it;
    6. bring strokes that would be thinner or fatter than MNIST's after scaling into its range
       (thin pens, fat brushes on small drawings; :data:`MIN_STROKE_WIDTH`, :data:`MAX_STROKE_WIDTH`;
       soft strokes with a narrow core are not thinned, :data:`MAX_CORE_WIDTH`);
    7. scale the longer side to 20 px keeping the aspect ratio (anti-aliased);
    8. place it in 28x28 with its centre of mass at the centre.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

FRAME_SIZE = 28
"""Side of the model's input in pixels."""
BOX_SIZE = 20
"""Side of the box the digit is scaled to fit (MNIST: 20x20)."""
TARGET_CENTER = (14.0, 14.0)
"""Centre of mass of the ink in the 28x28 frame, (row, column) in pixel indices (MNIST)."""
INK_THRESHOLD = 0.2
"""Ink level (after normalisation to [0, 1]) above which a pixel belongs to the bounding box."""
MIN_CONTRAST = 0.12
"""Smallest ink-minus-background contrast, as a fraction of full scale, that counts as ink."""
MIN_STROKE_WIDTH = 2.45
"""Stroke width, in pixels of the 20x20 box, below which strokes are thickened: MNIST's 5th
percentile (``python -m digits.evaluation.stroke_width`` on its 60,000 training digits)."""
MAX_STROKE_WIDTH = 7.2
"""Stroke width above which strokes are thinned: MNIST's 99.9th percentile, so only blobs MNIST
almost never has (a small drawing made with a fat brush) are thinned. At MNIST's 95th
percentile (5.0) it also thinned the smooth, blurry strokes of upscaled low-resolution digits and
cost 3 points on optdigits-canvas."""
MAX_CORE_WIDTH = 6.54
"""The strokes' core width (:func:`output_stroke_width` with ``core``: of the pixels above half the
peak, as a blurred line's width is its full width at half maximum) above which strokes may be
thinned: MNIST's 99.9th percentile of it (``python -m digits.evaluation.stroke_width``). Strokes are
thinned only when both widths are over MNIST's range. A fat brush has sharp edges, so its core is
nearly as wide as its ink; an upscaled low-resolution digit (a small photo, a thumbnail) has soft,
wide edges around a narrow core, and grey erosion by its width at ``INK_THRESHOLD`` erased its
fainter strokes whole (a 4 became the solid triangle where its strokes meet, a 9 a hollow outline).
Measured with the served ``cnn`` (``python -m digits.evaluation --update-card``): optdigits-canvas
98.11 -> 98.27 %, MNIST, the stroke sets and the photos unchanged."""
TARGET_STROKE_WIDTH = 3.4
"""The width strokes outside [MIN_STROKE_WIDTH, MAX_STROKE_WIDTH] are brought to: MNIST's median."""
WORKING_SIZE = 80
"""Longer side, in pixels, of the copy whose strokes are thickened or thinned (4x the box)."""
UNEVEN_BACKGROUND = 0.08
"""Spread (90th - 10th percentile) of the border's levels above which the background is taken to
be unevenly lit (a photo) and flattened before the ink is measured; a canvas's border is flat."""
GREY_BACKGROUND = 0.15
"""A flat border whose median level is farther than this from both black and white is a photo too
(paper in a photo is grey: a dim exposure, a sheet filling the frame): a canvas's background is
white or black. Such a border's level does not tell the polarity: a dim photo of white paper, grey
at 0.49 (``test_a_dim_photo_of_paper_with_an_even_border_is_read_as_a_photo``), was read as light
ink on dark, the whole sheet as ink. Measured on the photo renders (``python -m
digits.evaluation.photos --limit 1000``): seed 0 99.00 -> 99.20 % (2 fixed, none broken), seed 1
99.20 % (no answer changed); the 2,000 photos of ``python -m digits.evaluation`` 98.95 -> 99.05 %;
canvases, MNIST and the stroke sets never come here (a test)."""
STRONG_INK = 0.5
"""In a photo, an ink region is kept only if its darkest point reaches this fraction of the
strongest ink's contrast (hysteresis thresholding, Canny 1986: weak regions are kept only when
they hold a strong pixel): faint marks, a shadow's edge or the paper's texture are dropped."""
MIN_INK_AREA = 0.05
"""In a photo, an ink region smaller than this fraction of the largest one's area is dropped
(dust, a speck of the table): a lone speck far from the digit would stretch its bounding box."""
INK_MARGIN = 0.01
"""In a photo, pixels farther than this fraction of the shorter side from a kept ink region are
set to 0 (the strokes' blurred edges are nearer)."""
MAX_DECODED_PIXELS_JPEG = 4_000_000
"""A larger JPEG is decoded at 1/2, 1/4 or 1/8 scale (Pillow's draft mode) to at most this many
pixels, so a 12-megapixel phone photo is read without raising the pixel limit for other formats."""

RESAMPLING = Image.Resampling.BILINEAR
"""Pillow's triangle filter: anti-aliased when shrinking (support grows with the factor) and
continuous in sub-pixel offsets, so the centre of mass can be placed exactly."""

DEFAULT_ALLOWED_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "BMP", "GIF"})


class PreprocessingError(ValueError):
    """Input that cannot become a digit image; ``code`` is a stable machine-readable reason."""

    code = "invalid_image"


class InvalidImageError(PreprocessingError):
    """The bytes are not a decodable image of an allowed format."""

    code = "invalid_image"


class ImageTooLargeError(PreprocessingError):
    """The image's dimensions exceed the configured pixel limit (decompression-bomb guard)."""

    code = "image_too_large"


class EmptyImageError(PreprocessingError):
    """The image holds no ink (a blank canvas): there is nothing to recognise."""

    code = "empty_image"


@dataclass(frozen=True)
class Preprocessed:
    """The model's input and what the transform found.

    Attributes:
        image: (28, 28) float32 in [0, 1], white ink on black, centre of mass at (14, 14).
        inverted: True when the input had dark ink on a light background.
        bounding_box: ink box in the input image, (left, top, right, bottom) pixels, right and
            bottom exclusive.
        center_of_mass: (row, column) of the ink in the 28x28 image, pixel indices.
    """

    image: NDArray[np.float32]
    inverted: bool
    bounding_box: tuple[int, int, int, int]
    center_of_mass: tuple[float, float]


def decode_image(
    data: bytes,
    *,
    max_pixels: int = 4_000_000,
    allowed_formats: frozenset[str] = DEFAULT_ALLOWED_FORMATS,
) -> Image.Image:
    """Decode image bytes with Pillow, refusing what is not a safe, allowed image.

    The header is read first; dimensions are checked against ``max_pixels`` before any pixel
    data is decoded (decompression bombs). A JPEG over the limit is decoded at a reduced scale
    instead (:data:`MAX_DECODED_PIXELS_JPEG`, libjpeg's DCT scaling), so phone photos are read.
    An EXIF Orientation tag is applied (``ImageOps.exif_transpose``). Animated images give their
    first frame.

    Args:
        data: encoded bytes (PNG, JPEG, WebP, BMP or GIF by default).
        max_pixels: largest width*height accepted.
        allowed_formats: Pillow format names accepted.

    Raises:
        InvalidImageError: empty, not an image, truncated/corrupt, or a format not allowed.
        ImageTooLargeError: width*height above ``max_pixels``.
    """
    if not data:
        raise InvalidImageError("the image is empty (0 bytes)")
    try:
        with warnings.catch_warnings():  # our own, stricter pixel limit applies below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=sorted(allowed_formats))
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"the image is too large: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise InvalidImageError(
            f"the data is not an image in an accepted format ({', '.join(sorted(allowed_formats))})"
        ) from exc
    except (OSError, ValueError) as exc:
        raise InvalidImageError(f"the image cannot be read: {exc}") from exc
    width, height = img.size
    if width < 1 or height < 1:
        raise InvalidImageError(f"the image has no pixels ({width}x{height})")
    if img.format == "JPEG" and width * height > max_pixels:
        # A phone photo: let libjpeg decode it at 1/2, 1/4 or 1/8 scale (Pillow's draft mode),
        # which never allocates the full-size pixels; the digit needs far fewer than 12 MP.
        limit = min(max_pixels, MAX_DECODED_PIXELS_JPEG)
        scale = next((s for s in (0.5, 0.25, 0.125) if width * height * s * s <= limit), 0.125)
        img.draft("L", (int(np.ceil(width * scale)), int(np.ceil(height * scale))))
        width, height = img.size
    if width * height > max_pixels:
        raise ImageTooLargeError(f"the image is {width}x{height} = {width * height} pixels; the limit is {max_pixels}")
    try:
        img.seek(0)
        img.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError) as exc:
        raise InvalidImageError(f"the image is truncated or corrupt: {exc}") from exc
    if img.format == "JPEG" or "exif" in img.info:
        # A camera's EXIF Orientation tag: rotate the pixels as the photo was taken.
        return ImageOps.exif_transpose(img)
    return img


def _to_ink_array(img: Image.Image) -> tuple[NDArray[np.float32], bool]:
    """Grayscale (H, W) float32 in [0, 1], white ink on black; and whether it was inverted."""
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(img, dtype=np.float32)
        top = 65535.0 if img.mode.startswith("I") and float(arr.max(initial=0)) > 255 else 255.0
        gray = np.clip(arr / top, 0.0, 1.0)
        alpha = None
    else:
        has_alpha = "A" in img.getbands() or (img.mode == "P" and "transparency" in img.info)
        if not has_alpha:
            return _levels_to_ink(np.asarray(img.convert("L")))
        rgba = img.convert("RGBA")
        opacity = np.asarray(rgba.getchannel("A"))
        if int(opacity.min()) == 255:  # opaque everywhere (e.g. a canvas with a painted background)
            return _levels_to_ink(np.asarray(rgba.convert("L")))
        alpha = np.take(_LEVELS, opacity)
        gray = np.take(_LEVELS, np.asarray(rgba.convert("L")))
    if alpha is not None and float(alpha.min()) < 1.0:
        # Composite onto a background that contrasts with the ink: the colour of the visible
        # (opaque) pixels says whether the ink is dark or light.
        visible = alpha > 0.5
        ink_is_dark = bool(visible.any()) and float(gray[visible].mean()) < 0.5
        background = 1.0 if ink_is_dark else 0.0
        gray = gray * alpha + background * (1.0 - alpha)
    # Polarity: the border is background. Light background -> dark ink -> invert.
    inverted = _border_median(gray) > 0.5
    if inverted:
        gray = 1.0 - gray
    return gray.astype(np.float32, copy=False), inverted


def to_ink(img: Image.Image) -> tuple[NDArray[np.float32], bool]:
    """Steps 1-3 of :func:`preprocess`: any Pillow image to white ink on black.

    Returns:
        (H, W) float32 in [0, 1], white ink on black (uneven light flattened), and whether the
        input had dark ink on a light background. :func:`normalize_array` takes it from there;
        :mod:`digits.numbers` cuts a written number into digits on it first.
    """
    return _to_ink_array(img)


def _levels_to_ink(levels: NDArray[np.uint8]) -> tuple[NDArray[np.float32], bool]:
    """:func:`_to_ink_array` of opaque 8-bit gray levels: ``levels / 255``, inverted when the
    border is light, through a 256-entry table (one pass over the image).

    A border whose levels spread over more than :data:`UNEVEN_BACKGROUND`, or whose level is grey
    (:data:`GREY_BACKGROUND`), is a photo (a canvas's border is flat and white or black; MNIST,
    canvases and the stroke sets never come here): its polarity is read from the ink's side of the
    histogram (:func:`_photo_has_dark_ink`), not from the border's level, and its background is
    flattened (:func:`flatten_background`)."""
    border = np.take(_LEVELS, np.concatenate([levels[0, :], levels[-1, :], levels[:, 0], levels[:, -1]]))
    low, median, high = np.percentile(border, [10, 50, 90])
    photo = bool(high - low > UNEVEN_BACKGROUND) or GREY_BACKGROUND < float(median) < 1.0 - GREY_BACKGROUND
    inverted = _photo_has_dark_ink(levels) if photo else float(median) > 0.5
    ink = np.take(_INVERTED_LEVELS if inverted else _LEVELS, levels)
    if photo:
        flattened = flatten_background(ink)
        if float(flattened.max()) >= MIN_CONTRAST:  # else it was ink all over the border, not light
            ink = flattened
    return ink, inverted


def flatten_background(ink: NDArray[np.float32]) -> NDArray[np.float32]:
    """Remove uneven light (a shadow, a lamp's falloff on paper) from a white-ink-on-black image.

    The background is estimated as a grey opening (:func:`scipy.ndimage.grey_opening`, which
    removes bright structures narrower than its window: the strokes) of a copy shrunk to 64 px
    on its longer side, with a window of a quarter of that, smoothed and scaled back up; it is
    subtracted from the image (flat-field correction); then ink regions touching the image's
    border (the paper's edge, the table around it) are removed, and of the rest only the regions
    strong and large enough to be strokes are kept (:func:`_keep_ink_regions`). Returns (H, W)
    float32 in [0, 1]; the flattened image whole when nothing inside the border stands out
    (a drawing that fills the frame)."""
    height, width = ink.shape
    factor = 64.0 / max(height, width)
    small_size = (max(1, round(width * factor)), max(1, round(height * factor)))
    small = np.asarray(Image.fromarray(ink, mode="F").resize(small_size, Image.Resampling.BOX))
    background = ndimage.uniform_filter(ndimage.grey_opening(small, size=(16, 16)), size=8)
    upsampled = np.asarray(Image.fromarray(background.astype(np.float32), mode="F").resize((width, height), RESAMPLING))
    flat: NDArray[np.float32] = np.clip(ink - upsampled, 0.0, 1.0).astype(np.float32)
    # What still touches the border after flattening is the photo's surroundings (the paper's
    # edge, a table, a shadow), not the digit: drop those connected regions (skimage's clear_border).
    labels, _ = ndimage.label(flat > INK_THRESHOLD * float(flat.max()))
    touching = np.unique(np.concatenate([labels[0, :], labels[-1, :], labels[:, 0], labels[:, -1]]))
    inside = np.where(np.isin(labels, touching[touching > 0]), np.float32(0.0), flat)
    if float(inside.max()) < MIN_CONTRAST:
        return flat  # keep a drawing that fills the frame
    return _keep_ink_regions(inside)


def _photo_has_dark_ink(levels: NDArray[np.uint8]) -> bool:
    """Whether a photo (uneven background) shows dark ink on light paper.

    Ink is the minority of the pixels, so it lies in the histogram's longer tail away from the
    background's (median) level: dark ink when the median is farther above the 0.5th percentile
    than below the 99.5th. Unlike the border's level against mid-grey, this does not depend on the
    exposure: a dim photo of white paper (border under 50 % grey) is still dark ink on light, and
    a darker table around the sheet only lengthens the dark tail. Measured on a subsample of at
    most about 256x256 pixels (percentiles of the full image cost tens of milliseconds).
    """
    sample = levels[:: max(1, levels.shape[0] // 256), :: max(1, levels.shape[1] // 256)]
    dark, median, light = np.percentile(sample, [0.5, 50.0, 99.5])
    return bool(median - dark > light - median)


def _keep_ink_regions(flat: NDArray[np.float32]) -> NDArray[np.float32]:
    """The flattened photo ``flat`` ((H, W) float32 in [0, 1], white ink) with only its ink regions.

    The regions are the connected components (:func:`scipy.ndimage.label`) of the pixels above
    ``INK_THRESHOLD`` of the peak. A region is kept when its own peak reaches :data:`STRONG_INK`
    of the image's (hysteresis thresholding, as in Canny's edge detector and
    ``skimage.filters.apply_hysteresis_threshold``) and its area reaches :data:`MIN_INK_AREA` of
    the largest region's: what a flattened photo still holds besides the digit (a faint edge of the
    sheet, a shadow's rim, dust) is fainter or much smaller than the strokes, and left in, it
    makes the crop to ink take the whole sheet with the digit small inside it. Pixels farther
    than :data:`INK_MARGIN` from a kept region are set to 0.
    """
    peak = float(flat.max())
    labels, count = ndimage.label(flat > INK_THRESHOLD * peak)
    strong = np.zeros(count + 1, dtype=bool)  # the regions holding a strong pixel, as skimage finds them
    strong[labels[flat >= STRONG_INK * peak]] = True  # (ndimage.maximum per label is 30x slower here)
    areas = np.bincount(labels.ravel(), minlength=count + 1)
    areas[0] = 0
    keep = strong & (areas >= MIN_INK_AREA * areas.max())
    keep[0] = False
    # The strokes' soft edges (below the threshold) are kept; the faint haze elsewhere (what is
    # left of a removed edge or shadow) is not: everything farther than INK_MARGIN from a kept
    # region is set to 0.
    margin = 2 * max(1, round(INK_MARGIN * min(flat.shape))) + 1
    near = ndimage.maximum_filter(keep[labels], size=margin)
    return np.where(near, flat, np.float32(0.0))


def stroke_width(mask: NDArray[np.bool_]) -> float:
    """Mean stroke width of a binary (H, W) ink mask, in pixels: 2 * area / perimeter (a stroke of
    width w and length L has area w*L and perimeter about 2L).

    The perimeter is the mask less its interior (``scipy.ndimage.binary_erosion``: the pixels
    whose 3x3-cross neighbours are all ink, outside the image counted as background). The
    preprocessing measures it on the 28x28 output, where the library call costs microseconds.
    """
    area = int(mask.sum())
    perimeter = float(area - int(ndimage.binary_erosion(mask).sum()))
    return 2.0 * float(area) / max(perimeter, 1.0)


_LEVELS = np.arange(256, dtype=np.float32) / 255.0
"""``level / 255.0`` in float32 for each 8-bit level: what ``asarray(img, float32) / 255.0`` gives."""
_INVERTED_LEVELS = 1.0 - _LEVELS
"""``1.0 - level / 255.0`` in float32: the same table for dark ink on a light background."""


def _border_median(gray: NDArray[np.floating[Any]]) -> float:
    """Median of the image's outermost rows and columns (its background level)."""
    return float(np.median(np.concatenate([gray[0, :], gray[-1, :], gray[:, 0], gray[:, -1]])))


def normalize_array(gray: NDArray[np.float32], *, inverted: bool = False) -> Preprocessed:
    """Steps 4-8 of :func:`preprocess` on a white-ink-on-black array.

    Args:
        gray: (H, W) float32 in [0, 1], white ink on black (e.g. an MNIST image / 255).
        inverted: recorded in the result.

    Raises:
        EmptyImageError: no pixel stands out from the background by ``MIN_CONTRAST``.
    """
    background = _border_median(gray)
    peak = float(gray.max())
    if peak - background < MIN_CONTRAST:
        raise EmptyImageError("the image has no ink: draw a digit (or upload one) and try again")
    ink = np.subtract(gray, background)  # clip((gray - background) / (peak - background), 0, 1), in place
    np.divide(ink, peak - background, out=ink)
    np.clip(ink, 0.0, 1.0, out=ink)

    mask = ink > INK_THRESHOLD
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    crop = ink[top:bottom, left:right]  # a view, as before: its float32 sums round the same way
    height, width = crop.shape
    scale = BOX_SIZE / max(height, width)

    # Bring the stroke width into MNIST's range, measured as MNIST's was: on the 28x28 output
    # (output_stroke_width). A thin pen scaled down becomes a faint hairline (thicken it by grey
    # dilation), a fat brush on a small drawing becomes a blob (thin it by grey erosion); both
    # with a disk, on a copy shrunk to at most WORKING_SIZE px, then placed again. MNIST-sized
    # input (scale >= 1) is left as it is, so MNIST itself is not changed.
    frame = _place(crop, scale)
    for _ in range(2):  # thinning re-crops the ink, which changes the scale: measure once more
        width_in_box = output_stroke_width(frame)
        if scale >= 1.0 or MIN_STROKE_WIDTH <= width_in_box <= MAX_STROKE_WIDTH:
            break
        if width_in_box > MAX_STROKE_WIDTH and output_stroke_width(frame, core=True) <= MAX_CORE_WIDTH:
            break  # soft edges around a narrow core (upscaled low resolution), not a fat brush
        crop = _restroke(crop, width_in_box, scale)
        crop = crop / max(float(crop.max()), 1e-6)  # the shrunk copy's peak, back to full ink
        scale = BOX_SIZE / max(crop.shape)
        frame = _place(crop, scale)
    final_com = ndimage.center_of_mass(frame) if frame.any() else (float("nan"), float("nan"))
    return Preprocessed(
        image=frame,
        inverted=inverted,
        bounding_box=(left, top, right, bottom),
        center_of_mass=(float(final_com[0]), float(final_com[1])),
    )


def _place(crop: NDArray[np.float32], scale: float) -> NDArray[np.float32]:
    """Scale ``crop`` by ``scale`` and place it in 28x28 with its centre of mass at the centre.

    One resampling step: output pixel u maps to input x by u = x*scale + t, with t chosen so the
    (continuous) centre of mass lands on TARGET_CENTER. Pillow's resize takes a fractional source
    box, so the placement is exact, not rounded to whole pixels. Returns (28, 28) float32 in [0, 1].
    """
    height, width = crop.shape
    com_r, com_c = ndimage.center_of_mass(crop)
    t_r = (TARGET_CENTER[0] + 0.5) - (com_r + 0.5) * scale
    t_c = (TARGET_CENTER[1] + 0.5) - (com_c + 0.5) * scale
    y0, y1 = -t_r / scale, (FRAME_SIZE - t_r) / scale
    x0, x1 = -t_c / scale, (FRAME_SIZE - t_c) / scale
    pad_top = max(0, int(np.ceil(-y0)))
    pad_left = max(0, int(np.ceil(-x0)))
    pad_bottom = max(0, int(np.ceil(y1 - height)))
    pad_right = max(0, int(np.ceil(x1 - width)))
    source = np.pad(crop, ((pad_top, pad_bottom), (pad_left, pad_right)))
    resized = Image.fromarray(source.astype(np.float32, copy=False), mode="F").resize(
        (FRAME_SIZE, FRAME_SIZE),
        RESAMPLING,
        box=(x0 + pad_left, y0 + pad_top, x1 + pad_left, y1 + pad_top),
    )
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def output_stroke_width(frame: NDArray[np.float32], *, core: bool = False) -> float:
    """The stroke width of a (28, 28) model input in pixels of its 20x20 box, as MNIST's is measured
    (``python -m digits.evaluation.stroke_width``): :func:`stroke_width` of the pixels above
    ``INK_THRESHOLD``, cropped to their bounding box, times the scale that fits that box into 20x20.

    ``core``: of the pixels above half the frame's peak instead (cropped to their own box, scaled by
    the same factor): the strokes' core, as a blurred line's width is its full width at half
    maximum (see :data:`MAX_CORE_WIDTH`). 0.0 when no pixel is above ``INK_THRESHOLD``."""
    mask = frame > INK_THRESHOLD
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return 0.0
    scale = BOX_SIZE / max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    if core:
        mask = frame > 0.5 * float(frame.max())
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return float(stroke_width(crop) * scale)


def _restroke(crop: NDArray[np.float32], width_in_box: float, scale: float) -> NDArray[np.float32]:
    """The ink ``crop`` (white on black, [0, 1]) with its strokes brought to TARGET_STROKE_WIDTH.

    ``width_in_box`` is the strokes' width as measured in the 28x28 output after scaling by
    ``scale`` (:func:`output_stroke_width`). Works on a copy shrunk to at most :data:`WORKING_SIZE`
    px; returns that copy, dilated or eroded by a disk, and re-cropped to the ink that is left.
    """
    height, width = crop.shape
    shrink = min(1.0, WORKING_SIZE / max(height, width))
    if shrink < 1.0:
        size = (max(1, round(width * shrink)), max(1, round(height * shrink)))
        crop = np.asarray(Image.fromarray(crop, mode="F").resize(size, Image.Resampling.BOX), dtype=np.float32)
        scale /= shrink
    radius = round(abs(TARGET_STROKE_WIDTH - width_in_box) / scale / 2.0)  # working pixels per side
    if radius < 1:
        return crop
    if width_in_box < TARGET_STROKE_WIDTH:
        changed = ndimage.grey_dilation(np.pad(crop, radius), footprint=_disk(radius))
    else:
        changed = ndimage.grey_erosion(crop, footprint=_disk(radius))
    kept = changed > INK_THRESHOLD * float(changed.max())
    if not kept.any():
        return crop
    rows, cols = np.flatnonzero(kept.any(axis=1)), np.flatnonzero(kept.any(axis=0))
    return np.asarray(changed[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], dtype=np.float32)


def _disk(radius: int) -> NDArray[np.bool_]:
    y, x = np.ogrid[-radius : radius + 1, -radius : radius + 1]
    return np.asarray(x * x + y * y <= radius * radius + radius)


def preprocess(img: Image.Image) -> Preprocessed:
    """Turn a drawing or photo of one digit into the model's 28x28 input.

    Args:
        img: any Pillow image: RGBA with a transparent background, RGB, grayscale, palette,
            16-bit; dark ink on light or light ink on dark; any size and position.

    Returns:
        :class:`Preprocessed` whose ``image`` is (28, 28) float32 in [0, 1], white on black,
        the digit scaled to fit 20x20 and its centre of mass at (14, 14) (MNIST's centring).

    Raises:
        EmptyImageError: the image has no ink.
    """
    gray, inverted = _to_ink_array(img)
    return normalize_array(gray, inverted=inverted)


def preprocess_bytes(
    data: bytes,
    *,
    max_pixels: int = 4_000_000,
    allowed_formats: frozenset[str] = DEFAULT_ALLOWED_FORMATS,
) -> Preprocessed:
    """:func:`decode_image` then :func:`preprocess`: encoded bytes to the model's input.

    Raises:
        InvalidImageError, ImageTooLargeError, EmptyImageError: see those classes.
    """
    return preprocess(decode_image(data, max_pixels=max_pixels, allowed_formats=allowed_formats))


def preprocess_mnist(images: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Run MNIST images through the same normalisation the service applies.

    Args:
        images: (N, 28, 28) uint8 in [0, 255], white on black.

    Returns:
        (N, 28, 28) float32 in [0, 1]. An image with no ink (none in MNIST) stays black.
    """
    out = np.zeros(images.shape, dtype=np.float32)
    for i, image in enumerate(images):
        with contextlib.suppress(EmptyImageError):
            out[i] = normalize_array(image.astype(np.float32) / 255.0).image
    return out


def to_png(image: NDArray[np.float32]) -> bytes:
    """Encode a (H, W) float32 image in [0, 1] as an 8-bit grayscale PNG."""
    buf = io.BytesIO()
    Image.fromarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8), mode="L").save(buf, format="PNG")
    return buf.getvalue()


__all__ = [
    "BOX_SIZE",
    "FRAME_SIZE",
    "TARGET_CENTER",
    "EmptyImageError",
    "ImageTooLargeError",
    "InvalidImageError",
    "Preprocessed",
    "PreprocessingError",
    "decode_image",
    "normalize_array",
    "preprocess",
    "preprocess_bytes",
    "preprocess_mnist",
    "to_ink",
    "to_png",
]
