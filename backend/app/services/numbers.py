"""Reading a whole number for the routes: an image or strokes -> the ``NumberResponse`` JSON.

Stages (milliseconds, sent as ``Server-Timing``): ``decode`` (base64 and the image, or the
strokes' points), ``segment`` (the drawing cut into digit pieces and each piece through the
single-digit preprocessing, :mod:`digits.numbers`), ``inference`` (every engine call: the split
search's and the final one) and ``serialize``.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from app.core.config import Settings
from app.core.errors import ApiError
from app.core.observability import IMAGES_REFUSED, PREDICTIONS
from app.schemas import NumberDigit, NumberResponse
from app.services.decoding import decode_image_field
from app.services.recognition import Answer, Timings, digit_label, stroke_arrays, thresholds
from digits.engines import Engine
from digits.numbers import NumberReading, Segmenter, TooManyDigitsError, read_image, read_strokes
from digits.numbers.reader import Predict
from digits.preprocessing import PreprocessingError, decode_image, to_png

NUMBER_STAGES = ("decode", "segment", "inference", "serialize")


def _read(
    engine: Engine,
    image: str | bytes | None,
    strokes: Sequence[Sequence[Sequence[float]]] | None,
    settings: Settings,
    timings: Timings,
    segmenter: Segmenter | None,
) -> NumberReading:
    inference = 0.0

    def timed(run: Predict) -> Predict:
        def predict(x: NDArray[np.float32]) -> NDArray[np.float32]:
            nonlocal inference
            started = time.perf_counter()
            try:
                return run(x)
            finally:
                inference += time.perf_counter() - started

        return predict

    predict = timed(engine.predict_proba)
    decide = Segmenter(timed(segmenter.predict), segmenter.thresholds) if segmenter is not None else None

    started = time.perf_counter()
    stage = "decode"
    limits = thresholds(engine, settings)
    try:
        if strokes is not None:
            arrays = stroke_arrays(strokes, settings)
            started, stage = timings.add("decode", started), "segment"
            reading = read_strokes(
                arrays,
                settings.stroke_brush_width,
                predict,
                limits,
                max_digits=settings.max_number_digits,
                segmenter=decide,
            )
        elif image is not None:
            data = decode_image_field(image) if isinstance(image, str) else image
            img = decode_image(data, max_pixels=settings.max_image_pixels, allowed_formats=settings.allowed_formats)
            started, stage = timings.add("decode", started), "segment"
            reading = read_image(img, predict, limits, max_digits=settings.max_number_digits, segmenter=decide)
        else:  # the request schema requires one of them
            raise ApiError("invalid_request", "send an image or strokes")
    except PreprocessingError as exc:
        raise ApiError.from_preprocessing(exc) from exc
    except TooManyDigitsError as exc:
        raise ApiError(
            exc.code, f"{exc} (MAX_NUMBER_DIGITS): write fewer digits, or leave more room between numbers"
        ) from exc
    finally:
        timings.add(stage, started)
        timings.ms["segment"] -= inference * 1000  # engine calls happen only while segmenting
        timings.ms["inference"] += inference * 1000
    return reading


def recognise_number(
    engine: Engine,
    image: str | bytes | None,
    settings: Settings,
    strokes: Sequence[Sequence[Sequence[float]]] | None = None,
    segmenter: Segmenter | None = None,
) -> Answer:
    """An image (a base64/data-URL field, or a file's bytes) or a drawing's strokes (read
    instead of the image when given) -> the ``NumberResponse`` JSON.

    ``segmenter`` decides how the number is cut (:meth:`app.services.engines.LoadedEngines.segmenter`);
    ``engine`` reads every digit of the answer.

    Raises:
        ApiError: invalid_base64, invalid_image, image_too_large, empty_image, invalid_strokes,
            too_many_strokes, too_many_digits (see :data:`app.core.errors.STATUS_BY_CODE`).
    """
    timings = Timings(dict.fromkeys(NUMBER_STAGES, 0.0))
    try:
        reading = _read(engine, image, strokes, settings, timings, segmenter)
    except ApiError as exc:
        IMAGES_REFUSED.labels(exc.code).inc()
        raise
    started = time.perf_counter()
    body = NumberResponse(
        number=reading.number,
        confidence=reading.confidence,
        digits=[
            NumberDigit(
                digit=d.digit,
                confidence=d.confidence,
                probabilities=d.probabilities.tolist(),
                verdict=d.verdict,
                box=list(d.box),
                input_image=base64.b64encode(to_png(d.image)).decode("ascii"),
            )
            for d in reading.digits
        ],
        model=engine.name,
        model_version=engine.version,
    ).model_dump_json()
    timings.add("serialize", started)
    for d in reading.digits:
        PREDICTIONS.labels(engine.name, digit_label(d.digit, d.verdict)).inc()
    timings.observe()
    return Answer(body.encode(), timings)
