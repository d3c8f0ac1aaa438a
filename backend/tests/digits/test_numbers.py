"""digits.numbers: strokes grouped into digits, pixels cut into digits, numbers read in one call."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from PIL import Image

from digits.data.mnist import Mnist
from digits.engines import Engine
from digits.numbers import (
    Segmenter,
    StrokesError,
    TooManyDigitsError,
    as_arrays,
    rasterise,
    read_image,
    read_strokes,
    synthetic,
)
from digits.numbers.reader import image_pieces, stroke_pieces
from digits.numbers.segmentation import Piece, between, components, contact, cut_paths, ink_levels
from digits.numbers.strokes import group_strokes
from digits.preprocessing import EmptyImageError
from digits.verdict import Thresholds


@pytest.fixture(scope="module")
def limits(engine: Engine) -> Thresholds:
    calibrated = engine.card.open_set
    assert calibrated is not None
    return Thresholds(calibrated.not_a_digit_threshold, calibrated.uncertain_threshold)


def line(x0: float, y0: float, x1: float, y1: float, t0: float = 0.0, n: int = 12) -> list[list[float]]:
    return [[x0 + (x1 - x0) * k / (n - 1), y0 + (y1 - y0) * k / (n - 1), t0 + 10.0 * k] for k in range(n)]


def test_strokes_of_a_4_a_5_and_a_1_make_three_digits_in_order() -> None:
    four = [line(100, 10, 80, 70, 0), line(80, 70, 140, 70, 200), line(125, 30, 125, 110, 400)]
    five = [line(230, 10, 200, 10, 3000), line(200, 10, 195, 55, 3200), line(195, 55, 240, 100, 3400)]
    one = [line(20, 10, 20, 110, 1000)]  # written between them in time, leftmost in place
    arrays = as_arrays([*four, *one, *five])
    assert group_strokes(arrays, 16.0) == [[3], [0, 1, 2], [4, 5, 6]]


def test_a_stroke_drawn_at_once_after_its_digit_joins_it_on_a_smaller_overlap() -> None:
    body = line(0, 0, 100, 100, 0)
    late = line(70, 0, 150, 0, 5000)  # overlaps the body by 40 % of its width, long after
    assert len(group_strokes(as_arrays([body, late]), 4.0)) == 2
    soon = line(70, 0, 150, 0, 200)
    assert group_strokes(as_arrays([body, soon]), 4.0) == [[0, 1]]


def test_strokes_without_times_take_their_order_and_bad_points_are_refused() -> None:
    arrays = as_arrays([[[0, 0], [5, 5]], [], [[9, 9]]])
    assert [a.shape for a in arrays] == [(2, 3), (1, 3)]
    assert arrays[1][0, 2] > arrays[0][-1, 2]
    with pytest.raises(StrokesError) as bad:
        as_arrays([[[0, 0, 0, 0]]])
    assert bad.value.code == "invalid_strokes"
    with pytest.raises(StrokesError) as nan:
        as_arrays([[[0, float("nan")]]])
    assert nan.value.code == "invalid_strokes"
    with pytest.raises(StrokesError) as empty:
        as_arrays([[], []])
    assert empty.value.code == "empty_image"


def test_a_stroke_group_too_short_for_a_digit_joins_the_one_its_ink_touches_and_a_dot_stays() -> None:
    one = [line(20, 0, 20, 100, 0)]
    body = [line(130, 0, 190, 50, 1000), line(190, 50, 140, 100, 1200)]
    foot = [line(80, 100, 140, 100, 1400)]  # overlaps the body's extent by 26 %: not grouped with it
    dot = [[[300.0, 50.0, 3000.0]]]
    arrays = as_arrays([*one, *body, *foot, *dot])
    assert len(group_strokes(arrays, 8.0)) == 4
    pieces, to_canvas = stroke_pieces(arrays, 8.0)
    boxes = [to_canvas(p.box) for p in pieces]
    assert len(boxes) == 3  # the foot joined the body it touches; the dot touches nothing
    x, _, w, h = boxes[1]
    assert x <= 77 and x + w >= 193 and h >= 100
    assert boxes[2][0] >= 295 and boxes[2][3] <= 12


def loop(cx: float, cy: float, r: float, t0: float, start: float = 0.0, n: int = 40) -> list[list[float]]:
    angles = start + 2 * np.pi * np.arange(n) / (n - 1)
    return [[cx + r * np.cos(a), cy + r * np.sin(a), t0 + 10.0 * k] for k, a in enumerate(angles)]


def test_a_loop_and_the_stem_that_touches_it_are_one_9_but_a_1_touching_a_0_stays_10(
    engine: Engine, limits: Thresholds
) -> None:
    nine = as_arrays([loop(50, 40, 28, 0), line(78, 40, 96, 130, 2000)])  # the stem slants away
    assert len(group_strokes(nine, 14.0)) == 2  # too little overlap to be grouped
    assert read_strokes(nine, 14.0, engine.predict_proba, limits, max_digits=12).number == "9"
    ten = as_arrays([line(40, 10, 40, 120, 0), loop(90, 65, 40, 2000, start=np.pi)])
    pieces, _ = stroke_pieces(ten, 14.0)
    assert contact(pieces[0], pieces[1]) > 0
    assert read_strokes(ten, 14.0, engine.predict_proba, limits, max_digits=12).number == "10"


def test_contact_counts_the_ink_that_touches() -> None:
    a = Piece(np.ones((10, 10), np.float32), (0, 0, 10, 10))
    beside = Piece(np.ones((10, 10), np.float32), (10, 0, 10, 10))  # the next column
    apart = Piece(np.ones((10, 10), np.float32), (12, 0, 10, 10))
    assert contact(a, beside) == 10 and contact(beside, a) == 10
    assert contact(a, apart) == 0


def test_rasterise_paints_a_continuous_line_with_the_brush_width() -> None:
    raster = rasterise(as_arrays([[[10, 10], [10, 60]]]), brush_width=10.0)
    assert raster.scale == 1.0
    column = raster.ink[:, raster.ink.shape[1] // 2]
    assert (column > 0.5).sum() >= 50  # unbroken from end to end
    row = raster.ink[raster.ink.shape[0] // 2]
    assert 9 <= (row > 0.5).sum() <= 12
    # A tall drawing is painted smaller, and its boxes map back to canvas pixels.
    tall = rasterise(as_arrays([[[0, 0], [0, 1000]]]), brush_width=20.0)
    assert tall.ink.shape[0] <= 100 and tall.scale < 0.1
    x, y, _, h = tall.to_canvas((0, 0, tall.ink.shape[1], tall.ink.shape[0]))
    assert x <= -20 and y <= -20 and h >= 1040


def test_a_5_with_a_detached_flag_is_one_piece_and_two_digits_apart_are_two() -> None:
    ink = np.zeros((120, 300), np.float32)
    ink[20:24, 30:80] = 1.0  # the flag
    ink[30:100, 30:36] = 1.0  # the body (apart from the flag)
    ink[60:64, 30:80] = 1.0
    ink[60:100, 76:80] = 1.0
    ink[20:100, 200:206] = 1.0  # a 1, far away
    pieces = components(ink)
    assert len(pieces) == 2
    assert pieces[0].box == (29, 19, 52, 82) and pieces[1].box[0] == 199


def test_specks_far_from_the_digits_are_dropped_and_blank_images_refused() -> None:
    ink = np.zeros((120, 300), np.float32)
    ink[20:100, 100:106] = 1.0
    ink[5, 290] = 1.0
    assert len(components(ink)) == 1
    with pytest.raises(EmptyImageError):
        ink_levels(np.full((50, 50), 0.5, np.float32))


def test_cut_paths_run_left_to_right_and_segments_hold_the_ink_between_them(mnist: Mnist) -> None:
    sample = synthetic.number_set(
        synthetic.mnist_source(mnist.x_test[:50], mnist.y_test[:50]), "touching", [2], seed=5
    )[0]
    pieces, _ = image_pieces(Image.open(io.BytesIO(sample.image)))
    widest = max(pieces, key=lambda p: p.aspect)
    paths = cut_paths(widest)
    h = widest.ink.shape[0]
    assert len(paths) >= 2
    middles = [float(p[h // 2]) for p in paths]
    assert middles == sorted(middles)
    assert all(p.shape == (h,) for p in paths)
    # Consecutive segments hold the piece's ink (paths of different slopes may cross a little).
    bounds = [None, *paths, None]
    segments = [between(widest, a, b) for a, b in itertools.pairwise(bounds)]
    total = sum(float(s.ink.sum()) for s in segments if s is not None)
    assert total == pytest.approx(float(widest.ink.sum()), rel=0.1)
    x, y, w, h = widest.box
    for s in segments:
        if s is not None:
            assert x <= s.box[0] and s.box[0] + s.box[2] <= x + w and y <= s.box[1] and s.box[1] + s.box[3] <= y + h
    whole = between(widest, None, None)
    assert whole is not None and float(whole.ink.sum()) == pytest.approx(float(widest.ink.sum()))


def glued(images: list[np.ndarray], overlap: float, height: int = 96) -> Image.Image:
    """MNIST digits scaled to ``height`` and laid side by side, each overlapping the previous one
    by ``overlap`` of its width (dark ink on white, as a canvas exports it)."""
    inks = []
    for image in images:
        mask = image > 64
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        crop = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32) / 255.0
        width = max(1, round(crop.shape[1] * height / crop.shape[0]))
        inks.append(np.asarray(Image.fromarray(crop, mode="F").resize((width, height), Image.Resampling.BILINEAR)))
    lefts = [20]
    for previous, current in itertools.pairwise(inks):
        lefts.append(lefts[-1] + previous.shape[1] - round(overlap * min(previous.shape[1], current.shape[1])))
    canvas = np.zeros((height + 40, lefts[-1] + inks[-1].shape[1] + 20), np.float32)
    for left, ink in zip(lefts, inks, strict=True):
        region = canvas[20 : 20 + height, left : left + ink.shape[1]]
        np.maximum(region, np.clip(ink, 0, 1), out=region)
    return Image.fromarray(((1.0 - canvas) * 255).astype(np.uint8))


def first_of(mnist: Mnist, digit: int, skip: int = 0) -> np.ndarray:
    return mnist.x_test[np.flatnonzero(mnist.y_test == digit)[skip]]


@pytest.mark.parametrize("digits", [[3, 5], [2, 8, 4], [7, 0, 9]])
def test_touching_mnist_digits_glued_with_overlap_are_read_exactly(
    digits: list[int], mnist: Mnist, engine: Engine, limits: Thresholds
) -> None:
    image = glued([first_of(mnist, d) for d in digits], overlap=0.12)
    pieces, _ = image_pieces(image)
    assert len(pieces) < len(digits)  # the ink touches: a cut is the segmentation's
    reading = read_image(image, engine.predict_proba, limits, max_digits=12)
    assert reading.number == "".join(map(str, digits))


@pytest.mark.parametrize("digit", [0, 4])
def test_a_digit_drawn_wide_is_not_cut(digit: int, mnist: Mnist, engine: Engine, limits: Thresholds) -> None:
    image = first_of(mnist, digit)
    wide = Image.fromarray(255 - image).resize((28 * 5, 28 * 3), Image.Resampling.BILINEAR)
    pieces, _ = image_pieces(wide)
    assert len(pieces) == 1 and pieces[0].aspect >= 1.1  # wide enough to be tried
    reading = read_image(wide, engine.predict_proba, limits, max_digits=12)
    assert reading.number == str(digit)


@pytest.mark.parametrize("skip", [1, 2, 5, 7])
def test_a_narrow_0_touching_its_neighbour_is_not_cut_into_1s(
    skip: int, mnist: Mnist, engines: dict[str, Engine], limits: Thresholds
) -> None:
    # A 0 drawn half as wide as MNIST's. A shape prior fitted to MNIST's upright 0s cut it into
    # "11" or lost it: with the prior these four read "", 511, 511 and 511 with the segmenter and
    # 62, 62, 62 and 511 without it.
    zero = np.asarray(Image.fromarray(first_of(mnist, 0, skip)).resize((14, 28), Image.Resampling.BILINEAR))
    image = glued([first_of(mnist, 5), zero], overlap=0.12)
    helper = engines["cnn-segmenter"]
    segmenter = Segmenter(helper.predict_proba, Thresholds.calibrated(helper.card.open_set))
    predict = engines["cnn"].predict_proba
    assert read_image(image, predict, limits, max_digits=12, segmenter=segmenter).number == "50"
    assert read_image(image, predict, limits, max_digits=12).number == "50"


def test_the_segmentation_reads_every_candidate_segment_in_one_engine_call(
    mnist: Mnist, engine: Engine, limits: Thresholds
) -> None:
    calls: list[int] = []

    def counted(x: np.ndarray) -> np.ndarray:
        calls.append(len(x))
        return engine.predict_proba(x)

    # Two touching pairs: two pieces to segment, still one call for all their segments.
    left = np.asarray(glued([first_of(mnist, 3), first_of(mnist, 5)], overlap=0.12))
    right = np.asarray(glued([first_of(mnist, 2), first_of(mnist, 8)], overlap=0.12))
    image = Image.fromarray(np.concatenate([left, right], axis=1))
    reading = read_image(image, counted, limits, max_digits=12)
    assert reading.number == "3528"
    assert len(calls) <= 3  # the pieces, any fragment merges, the segments
    assert max(calls) > 4  # the segments went through together


def test_the_segmenter_decides_the_cuts_and_the_model_reads_the_answer(
    mnist: Mnist, engines: dict[str, Engine], limits: Thresholds
) -> None:
    model, helper = engines["cnn"], engines["cnn-segmenter"]
    calls: dict[str, list[int]] = {"model": [], "segmenter": []}

    def read_by(name: str, engine: Engine):  # type: ignore[no-untyped-def]
        def predict(x: np.ndarray) -> np.ndarray:
            calls[name].append(len(x))
            return engine.predict_proba(x)

        return predict

    segmenter = Segmenter(read_by("segmenter", helper), Thresholds.calibrated(helper.card.open_set))
    image = glued([first_of(mnist, d) for d in (2, 0, 2, 6)], overlap=0.12)
    reading = read_image(image, read_by("model", model), limits, max_digits=12, segmenter=segmenter)
    assert reading.number == "2026"
    assert sum(calls["segmenter"]) > 8  # the pieces and every candidate segment
    assert calls["model"] == [4]  # only the four digits chosen, in one call
    for digit in reading.digits:  # what is answered is the model's reading
        row = model.predict_proba(digit.image[None, ..., None])[0, :10].astype(np.float64)
        np.testing.assert_allclose(digit.probabilities, row / row.sum(), rtol=1e-5)


@pytest.mark.parametrize(("digits", "skip"), [((1, 6), 3), ((4, 4), 2), ((7, 1), 3)])
def test_touching_digits_the_model_reads_as_one_are_cut_by_the_segmenter(
    digits: tuple[int, int], skip: int, mnist: Mnist, engines: dict[str, Engine], limits: Thresholds
) -> None:
    """A 1 against a 6, two 4s, a 7 against a 1: the CNN reads each pair as one confident digit;
    the segmenter, trained with such pairs as "not a digit", has them cut."""
    model, helper = engines["cnn"], engines["cnn-segmenter"]
    image = glued([first_of(mnist, d, skip) for d in digits], overlap=0.05)
    alone = read_image(image, model.predict_proba, limits, max_digits=12)
    assert len(alone.number) == 1
    segmenter = Segmenter(helper.predict_proba, Thresholds.calibrated(helper.card.open_set))
    reading = read_image(image, model.predict_proba, limits, max_digits=12, segmenter=segmenter)
    assert reading.number == "".join(map(str, digits))


def test_the_segmentation_never_makes_more_digits_than_allowed() -> None:
    from digits.numbers.reader import _best_path, _Read

    def read_as(digit: int, width: int) -> _Read:
        row = np.full(11, 1e-4, np.float32)
        row[digit] = 1.0
        piece = Piece(np.ones((100, width), np.float32), (0, 0, width, 100))
        return _Read(piece, np.zeros((28, 28), np.float32), row)

    # Eight narrow segments that each read as a confident 1; the whole reads as not a digit.
    segments = {(i, i + 1): read_as(1, 30) for i in range(8)}
    segments[(0, 8)] = read_as(10, 240)
    assert len(_best_path(9, segments, most=12)) == 8
    assert len(_best_path(9, segments, most=3)) == 1  # 8 ones are too many: only the whole fits
    segments[(0, 4)] = read_as(1, 30)
    segments[(4, 8)] = read_as(7, 80)
    assert [s.piece.box[2] for s in _best_path(9, segments, most=3)] == [30, 80]


def test_a_part_of_a_digit_is_not_a_segment() -> None:
    piece = Piece(np.ones((100, 10), np.float32), (0, 0, 10, 100))
    assert cut_paths(piece) == []  # too narrow to cut
    assert between(piece, np.full(100, 20.0), None) is None  # nothing right of the piece


def exact_share(samples: list[synthetic.NumberSample], read: object) -> float:
    return float(np.mean([read(s).number == s.label for s in samples]))  # type: ignore[operator]


def test_separated_numbers_from_mnist_are_read_from_pixels(mnist: Mnist, engine: Engine, limits: Thresholds) -> None:
    source = synthetic.mnist_source(mnist.x_test[:500], mnist.y_test[:500])
    samples = synthetic.number_set(source, "separated", [1, 2, 3, 4, 4, 4, 5, 6, 7, 8] * 2, seed=11)

    def read(sample: synthetic.NumberSample) -> object:
        return read_image(Image.open(io.BytesIO(sample.image)), engine.predict_proba, limits, max_digits=12)

    assert exact_share(samples, read) >= 0.8
    reading = read(samples[3])
    assert len(reading.digits) == 4  # type: ignore[attr-defined]
    for digit, (x, y, w, h) in zip(reading.digits, samples[3].boxes, strict=True):  # type: ignore[attr-defined]
        bx, by, bw, bh = digit.box
        assert abs(bx - x) <= 4 and abs(by - y) <= 4 and abs(bw - w) <= 8 and abs(bh - h) <= 8
        assert digit.image.shape == (28, 28)


def test_a_number_written_small_in_a_large_photo_is_cut_at_its_own_resolution(
    mnist: Mnist, engine: Engine, limits: Thresholds
) -> None:
    """The image is cropped to its ink before it is shrunk to the working size: a number 6 % as
    wide as a 3000 px image keeps digits tall enough to cut, and boxes come back in its pixels."""
    source = synthetic.mnist_source(mnist.x_test[:500], mnist.y_test[:500])
    sample = synthetic.number_set(source, "separated", [4], seed=11)[0]
    small = Image.open(io.BytesIO(sample.image)).convert("L")
    scale = 180 / small.width
    small = small.resize((180, round(small.height * scale)), Image.Resampling.BILINEAR)
    photo = Image.new("L", (3000, 2000), 255)
    photo.paste(small, (1000, 1200))
    pieces, to_input = image_pieces(photo)
    assert len(pieces) == 4
    assert min(p.box[3] for p in pieces) >= 0.5 * min(b[3] for b in sample.boxes) * scale  # not shrunk 4.7x
    reading = read_image(photo, engine.predict_proba, limits, max_digits=12)
    assert reading.number == sample.label
    for digit, (x, y, w, h) in zip(reading.digits, sample.boxes, strict=True):
        bx, by, bw, bh = digit.box
        assert abs(bx - (1000 + x * scale)) <= 3 and abs(by - (1200 + y * scale)) <= 3
        assert abs(bw - w * scale) <= 4 and abs(bh - h * scale) <= 4
    assert to_input(pieces[0].box) == reading.digits[0].box


def test_touching_numbers_are_split_by_the_classifier(mnist: Mnist, engine: Engine, limits: Thresholds) -> None:
    source = synthetic.mnist_source(mnist.x_test[:500], mnist.y_test[:500])
    samples = synthetic.number_set(source, "touching", [4] * 20, seed=12)

    def read(sample: synthetic.NumberSample) -> object:
        return read_image(Image.open(io.BytesIO(sample.image)), engine.predict_proba, limits, max_digits=12)

    assert exact_share(samples, read) >= 0.6


def test_numbers_drawn_as_strokes_are_read_from_the_strokes(mnist: Mnist, engine: Engine, limits: Thresholds) -> None:
    source = synthetic.strokes_source(mnist.x_test[:100], mnist.y_test[:100])
    samples = synthetic.number_set(source, "separated", [4] * 12, seed=13)
    assert all(s.strokes for s in samples)

    def read(sample: synthetic.NumberSample) -> object:
        assert sample.strokes is not None
        return read_strokes(as_arrays(sample.strokes), sample.brush_width, engine.predict_proba, limits, max_digits=12)

    assert exact_share(samples, read) >= 0.6


def test_too_many_digits_are_refused(mnist: Mnist, engine: Engine, limits: Thresholds) -> None:
    source = synthetic.mnist_source(mnist.x_test[:50], mnist.y_test[:50])
    sample = synthetic.number_set(source, "separated", [5], seed=14)[0]
    with pytest.raises(TooManyDigitsError):
        read_image(Image.open(io.BytesIO(sample.image)), engine.predict_proba, limits, max_digits=3)


def test_a_piece_that_is_not_a_digit_is_reported_but_left_out_of_the_number(
    mnist: Mnist, engine: Engine, limits: Thresholds
) -> None:
    digits = [mnist.x_test[i] for i in range(3)]  # 7, 2, 1
    hash_mark = np.zeros((28, 28), np.uint8)
    for k in (9, 18):
        hash_mark[3:25, k - 1 : k + 2] = 255
        hash_mark[k - 1 : k + 2, 3:25] = 255
    canvas = np.zeros((60, 4 * 45 + 20), np.uint8)
    for k, image in enumerate([digits[0], hash_mark, digits[1], digits[2]]):
        big = np.asarray(Image.fromarray(image).resize((40, 40), Image.Resampling.BILINEAR))
        canvas[10:50, 10 + 45 * k : 50 + 45 * k] = np.maximum(canvas[10:50, 10 + 45 * k : 50 + 45 * k], big)
    reading = read_image(Image.fromarray(255 - canvas), engine.predict_proba, limits, max_digits=12)
    assert [d.verdict == "not_a_digit" for d in reading.digits] == [False, True, False, False]
    assert reading.number == "721"
    assert 0.0 < reading.confidence <= 1.0


def ellipse(cx: float, cy: float, rx: float, ry: float, t0: float, n: int = 24) -> list[list[float]]:
    angles = np.linspace(0.0, 2 * np.pi, n)
    return [[cx + rx * np.sin(a), cy - ry * np.cos(a), t0 + 10.0 * k] for k, a in enumerate(angles)]


def test_a_comma_and_a_minus_sign_are_not_digits(engine: Engine, limits: Thresholds) -> None:
    """Seen alone and scaled up to a digit's size, a comma reads as a 1 and a dash as a 1 or a 7:
    a piece under half the line's height is answered not_a_digit and left out of the number."""
    one = line(100, 60, 100, 220, t0=0)
    comma = line(142, 212, 134, 240, t0=500, n=4)
    zeros = [ellipse(210 + 100 * k, 140, 35, 80, t0=1000 + 500 * k) for k in range(3)]
    reading = read_strokes(as_arrays([one, comma, *zeros]), 22.0, engine.predict_proba, limits, max_digits=12)
    assert reading.number == "1000"
    assert [d.verdict == "not_a_digit" for d in reading.digits] == [False, True, False, False, False]
    minus = line(20, 140, 60, 140, t0=0, n=6)
    reading = read_strokes(as_arrays([minus, *zeros]), 22.0, engine.predict_proba, limits, max_digits=12)
    assert reading.number == "000"
    assert reading.digits[0].verdict == "not_a_digit"


def test_synthetic_layouts_and_the_stroke_tracer() -> None:
    square = np.zeros((28, 28), np.uint8)
    square[6:22, 6:22] = 255
    square[9:19, 9:19] = 0
    from digits.data.rendering import skeleton_points

    strokes = synthetic.trace_strokes(skeleton_points(square))
    assert strokes and sum(len(s) for s in strokes) >= 20
    with pytest.raises(ValueError, match="layout"):
        synthetic.number_set(
            synthetic.DigitSource("x", np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8)), "diagonal", [1]
        )


def test_touching_pairs_are_two_digits_wide_from_pixels_and_from_strokes(mnist: Mnist) -> None:
    """The "not a digit" training drawings of two touching digits: as wide as two digits, half of
    them from pen strokes, the same for the same seed."""
    from digits.training.train import pair_drawings

    x, y = mnist.x_train[:400], mnist.y_train[:400]
    pairs = pair_drawings(x, y, 40, seed=3)
    assert pairs.shape == (40, 28, 28, 1) and pairs.dtype == np.float32
    assert pairs.min() >= 0.0 and pairs.max() <= 1.0
    np.testing.assert_array_equal(pairs, pair_drawings(x, y, 40, seed=3))

    def aspect(image: np.ndarray) -> float:
        rows, cols = np.flatnonzero(image.max(axis=1) > 0.1), np.flatnonzero(image.max(axis=0) > 0.1)
        return (cols[-1] - cols[0] + 1) / (rows[-1] - rows[0] + 1)

    singles = [aspect(image) for image in mnist.x_train[:400] / 255.0]
    assert np.median([aspect(p[..., 0]) for p in pairs]) > 1.5 * np.median(singles)
    png = synthetic.touching_pairs(synthetic.strokes_source(x[:20], y[:20]), 1, seed=0)[0]
    wide = Image.open(io.BytesIO(png))
    assert wide.width > wide.height  # two digits side by side


def test_edit_distance_counts_insertions_deletions_and_substitutions() -> None:
    from digits.evaluation.numbers import edit_distance

    assert edit_distance("2026", "2026") == 0
    assert edit_distance("2026", "206") == 1
    assert edit_distance("2026", "20126") == 1
    assert edit_distance("2026", "2126") == 1
    assert edit_distance("", "123") == 3


def test_the_numbers_command_writes_the_card_section(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from digits.cards import ModelCard
    from digits.evaluation import numbers as command
    from digits.settings import DataSettings
    from tests.helpers import copy_models

    directory = copy_models(tmp_path / "models", ["cnn"])
    monkeypatch.setenv("MODELS_DIR", str(directory))
    assert command.main(["--count", "2", "--seed", "1"]) == 0
    card = ModelCard.load(directory / "cnn_litert.json")
    assert card.numbers is not None and card.numbers.command.startswith("python -m digits.evaluation.numbers")
    sets = card.numbers.sets
    assert {"mnist/separated/4/pixels", "optdigits/touching/1-8/pixels", "strokes/touching/4/strokes"} <= set(sets)
    assert sets["mnist/separated/4/pixels"].numbers == 2 and sets["mnist/separated/4/pixels"].digits == 8
    assert sets["strokes/separated/1-8/pixels"].digits == sum(range(1, 9))
    assert all(0.0 <= s.exact <= 1.0 and 0.0 <= s.per_digit <= 1.0 for s in sets.values())
    assert card.numbers.not_a_digit is not None and set(card.numbers.not_a_digit) == {"refused", "exact"}
    assert "wrote numbers into the card of cnn" in capsys.readouterr().out
    assert DataSettings().models_dir == directory


def test_noise_is_refused_as_too_many_pieces_not_searched(engine: Engine, limits: Thresholds) -> None:
    rng = np.random.default_rng(0)
    noise = (rng.random((400, 600)) < 0.03) * 255
    with pytest.raises(TooManyDigitsError):
        read_image(Image.fromarray((255 - noise).astype(np.uint8)), engine.predict_proba, limits, max_digits=12)
    ink = np.zeros((100, 300), np.float32)
    ink[::4, ::4] = 1.0  # 1,875 specks
    with pytest.raises(TooManyDigitsError):
        components(ink, max_pieces=10)


@pytest.mark.parametrize(("width", "cut"), [(100, False), (130, True)])
def test_a_piece_read_as_not_a_digit_two_digits_wide_is_cut_into_fair_readings(width: int, cut: bool) -> None:
    """The segmenter reads touching digits, like a symbol, as not a digit. A piece no wider than a
    digit is cut only into segments that read well (a letter's strokes read as 1s and 7s); one
    wider than a single digit ever is (PAIR_ASPECT) into segments read fairly well (PAIR_CUT_READ)."""
    from digits.numbers.reader import (
        PAIR_ASPECT,
        PAIR_CUT_READ,
        SPLIT_ASPECT,
        SYMBOL_CUT_READ,
        _Read,
        segment_by_recognition,
    )

    assert 100 / 100 < PAIR_ASPECT <= 130 / 100 < SPLIT_ASPECT and PAIR_CUT_READ < 0.75 < SYMBOL_CUT_READ
    ink = np.zeros((100, width), np.float32)
    ink[:, 4 : width // 2 - 4] = 1.0  # two blocks ...
    ink[:, width // 2 + 4 : width - 4] = 1.0
    ink[45:55, width // 2 - 4 : width // 2 + 4] = 1.0  # ... joined by a bridge
    piece = Piece(ink, (0, 0, width, 100))

    def row(digit: int, p: float) -> np.ndarray:
        out = np.full(11, (1.0 - p) / 10, np.float32)
        out[digit] = p
        return out

    def segmenter(x: np.ndarray) -> np.ndarray:  # a half (10-14 of 28 columns inked) is a 0, the rest not a digit
        return np.stack(
            [row(0, 0.99) if 10 <= (im > 0.1).any(axis=0).sum() <= 14 else row(10, 1.0) for im in x[..., 0]]
        )

    def answer(x: np.ndarray) -> np.ndarray:  # each half reads as a 0 three times in four
        return np.stack([row(0, 0.75) for _ in x])

    limits = Thresholds(0.5, 0.3)
    whole = _Read(piece, np.zeros((28, 28), np.float32), row(10, 1.0))
    reads = segment_by_recognition([whole], segmenter, limits, max_digits=8, answer=(answer, limits))
    assert len(reads) == (2 if cut else 1)
