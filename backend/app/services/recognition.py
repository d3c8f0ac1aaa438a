"""Recognition for the routes: request image(s) -> the JSON response body, timed per stage.

Stages (each timed, in milliseconds, and sent as ``Server-Timing``):

* ``decode``: base64 (or a data URL) to bytes, and the bytes to a Pillow image
  (:func:`digits.preprocessing.decode_image`, with the service's limits);
* ``preprocess``: :func:`digits.preprocessing.preprocess` to the 28x28 model input;
* ``inference``: the engine's ``predict_proba`` and the verdict (:func:`digits.verdict.read`);
* ``explain``: only when asked, the saliency map (:mod:`digits.explain`);
* ``serialize``: the response body as JSON bytes (for ``/predict``, with the 28x28 PNG).

Together ``decode`` and ``preprocess`` are exactly :func:`digits.preprocessing.preprocess_bytes`,
the one path from image bytes to the model's input.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.core.config import Settings
from app.core.errors import ApiError
from app.core.observability import IMAGES_REFUSED, PREDICTIONS, STAGE_SECONDS
from app.schemas import ModelReading, PredictResponse
from app.services.decoding import decode_image_field
from digits.engines import Engine, predict_batched
from digits.explain import saliency
from digits.numbers import StrokesError, as_arrays, rasterise
from digits.preprocessing import (
    ImageTooLargeError,
    Preprocessed,
    PreprocessingError,
    decode_image,
    normalize_array,
    preprocess,
    to_png,
)
from digits.verdict import Readings, Thresholds, read

STAGES = ("decode", "preprocess", "inference", "serialize")


@dataclass
class Timings:
    """Milliseconds spent in each stage of one request."""

    ms: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    def add(self, stage: str, since: float) -> float:
        """Add ``perf_counter() - since`` to ``stage``; return the new ``perf_counter()``."""
        now = time.perf_counter()
        self.ms[stage] = self.ms.get(stage, 0.0) + (now - since) * 1000
        return now

    def server_timing(self) -> str:
        """The ``Server-Timing`` header value, e.g. ``decode;dur=0.412, preprocess;dur=0.533, ...``."""
        return ", ".join(f"{stage};dur={ms:.3f}" for stage, ms in self.ms.items())

    def observe(self) -> None:
        """Record the stages in the ``digits_stage_seconds`` histogram."""
        for stage, ms in self.ms.items():
            STAGE_SECONDS.labels(stage).observe(ms / 1000)


@dataclass
class Answer:
    """A response body (JSON bytes) and how long each stage took."""

    body: bytes
    timings: Timings


def _to_input(image: str | bytes, settings: Settings, timings: Timings, max_pixels: int) -> tuple[Preprocessed, int]:
    """One image field (or raw bytes) -> (the model's input, the image's pixel count).

    Refusals are raised as :class:`ApiError`.
    """
    started = time.perf_counter()
    stage = "decode"
    try:
        data = decode_image_field(image) if isinstance(image, str) else image
        img = decode_image(data, max_pixels=max_pixels, allowed_formats=settings.allowed_formats)
        started = timings.add(stage, started)
        stage = "preprocess"
        pre = preprocess(img)
        timings.add(stage, started)
        return pre, img.width * img.height
    except PreprocessingError as exc:
        timings.add(stage, started)
        raise ApiError.from_preprocessing(exc) from exc
    except ApiError:
        timings.add(stage, started)
        raise


def stroke_arrays(strokes: Sequence[Sequence[Sequence[float]]], settings: Settings) -> list[NDArray[np.float64]]:
    """A request's ``strokes`` as (K, 3) arrays of x, y, t_ms (:func:`digits.numbers.as_arrays`).

    Raises:
        ApiError: ``too_many_strokes`` (413) past ``MAX_STROKES`` strokes or ``MAX_STROKE_POINTS``
            points; ``invalid_strokes`` (422) for a point that is not 2 or 3 finite numbers or lies
            beyond ``MAX_STROKE_COORDINATE``;
            ``empty_image`` (422) for strokes without a point.
    """
    points = sum(len(stroke) for stroke in strokes)
    if len(strokes) > settings.max_strokes or points > settings.max_stroke_points:
        raise ApiError(
            "too_many_strokes",
            f"the drawing has {len(strokes)} strokes and {points} points; the limits are "
            f"{settings.max_strokes} strokes (MAX_STROKES) and {settings.max_stroke_points} points "
            "(MAX_STROKE_POINTS)",
        )
    try:
        arrays = as_arrays(strokes)
    except StrokesError as exc:
        raise ApiError(exc.code, str(exc)) from exc
    farthest = max(float(np.abs(a[:, :2]).max()) for a in arrays)
    if farthest > settings.max_stroke_coordinate:
        raise ApiError(
            "invalid_strokes",
            f"a point lies {farthest:g} pixels from the canvas's corner; the limit is "
            f"{settings.max_stroke_coordinate:g} (MAX_STROKE_COORDINATE)",
        )
    return arrays


def _strokes_to_input(
    strokes: Sequence[Sequence[Sequence[float]]], settings: Settings, timings: Timings
) -> Preprocessed:
    """Strokes -> the model's input: painted (:func:`digits.numbers.rasterise`), then steps 4-8
    of the preprocessing (:func:`digits.preprocessing.normalize_array`)."""
    started = time.perf_counter()
    arrays = stroke_arrays(strokes, settings)
    started = timings.add("decode", started)
    try:
        return normalize_array(rasterise(arrays, settings.stroke_brush_width).ink)
    except PreprocessingError as exc:
        raise ApiError.from_preprocessing(exc) from exc
    finally:
        timings.add("preprocess", started)


def thresholds(engine: Engine, settings: Settings) -> Thresholds:
    """Where this model's answers change verdict (:mod:`digits.verdict`).

    The model card's ``open_set`` thresholds (chosen on validation data by
    ``python -m digits.evaluation.open_set``); ``UNCERTAIN_BELOW`` and ``NOT_A_DIGIT_ABOVE``
    override them; a model without a calibration gets :data:`digits.verdict.DEFAULT_THRESHOLDS`.
    """
    base = Thresholds.calibrated(engine.card.open_set)
    return Thresholds(
        not_a_digit=settings.not_a_digit_above if settings.not_a_digit_above is not None else base.not_a_digit,
        uncertain=settings.uncertain_below if settings.uncertain_below is not None else base.uncertain,
    )


def digit_label(digit: int, verdict: str) -> str:
    """The ``digit`` label of ``digits_predictions_total``: the digit, or ``not_a_digit``."""
    return "not_a_digit" if verdict == "not_a_digit" else str(digit)


def answer_fields(reading: Readings, index: int = 0) -> dict[str, Any]:
    """The answer fields shared by ``PredictResponse`` and ``ModelReading`` for image ``index`` of
    ``reading``: ``digit``, ``confidence``, ``verdict``, ``uncertain``, ``not_a_digit`` and the
    ten ``probabilities`` (floats in [0, 1])."""
    verdict = reading.verdicts[index]
    return {
        "digit": int(reading.digits[index]),
        "confidence": float(reading.confidences[index]),
        "verdict": verdict,
        "uncertain": verdict != "digit",
        "not_a_digit": float(reading.not_a_digit[index]),
        "probabilities": reading.probabilities[index].tolist(),
    }


def _compare(engines: Sequence[Engine], image: NDArray[np.float32], settings: Settings) -> list[ModelReading]:
    """Every engine's reading of one preprocessed (28, 28) image, each timed (``inference_ms``)."""
    readings = []
    for engine in engines:
        started = time.perf_counter()
        reading = read(engine.predict_proba(image[None, :, :, None]), thresholds(engine, settings))
        elapsed_ms = (time.perf_counter() - started) * 1000
        digit, verdict = int(reading.digits[0]), reading.verdicts[0]
        readings.append(
            ModelReading(
                model=engine.name,
                model_version=engine.version,
                **answer_fields(reading),
                inference_ms=round(elapsed_ms, 3),
            )
        )
        PREDICTIONS.labels(engine.name, digit_label(digit, verdict)).inc()
    return readings


def recognise(
    engine: Engine,
    image: str | bytes | None,
    settings: Settings,
    strokes: Sequence[Sequence[Sequence[float]]] | None = None,
    *,
    explain: bool = False,
    compare: Sequence[Engine] = (),
) -> Answer:
    """One image (a base64/data-URL field, or the file's bytes) or the strokes of a drawing
    (read instead of the image when given) -> the ``PredictResponse`` JSON.

    Args:
        engine: the model that answers.
        image: the request's image field, or the uploaded file's bytes.
        settings: the service's limits and thresholds.
        strokes: the drawing's strokes, read instead of ``image`` when given.
        explain: add ``saliency`` (:func:`digits.explain.saliency` of the answered digit: the
            input gradient for a Keras engine, occlusion sensitivity otherwise), timed as
            ``explain``.
        compare: engines that also read the same preprocessed image; their readings go to
            ``comparison`` in this order (timed within ``inference``). Empty: no ``comparison``
            field, so the single-model response is unchanged.

    Raises:
        ApiError: invalid_base64, invalid_image, image_too_large, empty_image, invalid_strokes,
            too_many_strokes (see :data:`app.core.errors.STATUS_BY_CODE` for the statuses).
    """
    timings = Timings()
    try:
        if strokes is not None:
            pre = _strokes_to_input(strokes, settings, timings)
        elif image is not None:
            pre, _ = _to_input(image, settings, timings, settings.max_image_pixels)
        else:  # the request schema requires one of them
            raise ApiError("invalid_request", "send an image or strokes")
    except ApiError as exc:
        IMAGES_REFUSED.labels(exc.code).inc()
        raise
    started = time.perf_counter()
    reading = read(engine.predict_proba(pre.image[None, :, :, None]), thresholds(engine, settings))
    digit, verdict = int(reading.digits[0]), reading.verdicts[0]
    extra: dict[str, Any] = {}
    if compare:
        extra["comparison"] = _compare(compare, pre.image, settings)
    started = timings.add("inference", started)
    if explain:
        extra["saliency"] = np.round(saliency(engine, engine.predict_proba, pre.image, digit), 3).tolist()
        started = timings.add("explain", started)
    body = PredictResponse(
        **answer_fields(reading),
        model=engine.name,
        model_version=engine.version,
        input_image=base64.b64encode(to_png(pre.image)).decode("ascii"),
        **extra,
    ).model_dump_json(exclude_unset=True)
    timings.add("serialize", started)
    PREDICTIONS.labels(engine.name, digit_label(digit, verdict)).inc()
    timings.observe()
    return Answer(body.encode(), timings)


def recognise_batch(engine: Engine, images: Sequence[str], settings: Settings) -> Answer:
    """Many images -> the ``BatchPredictResponse`` JSON: one result per image, in order.

    Images that cannot be recognised get a result with ``status: "error"`` and the code and
    detail ``POST /predict`` would answer for them; the rest are run through the engine together,
    ``settings.inference_batch_size`` images per call. Decoding stops granting pixels once the
    batch has decoded ``settings.max_batch_pixels``: later images get ``image_too_large``.

    Raises:
        ApiError: ``batch_too_large`` (413) for more than ``settings.max_batch_size`` images.
    """
    if len(images) > settings.max_batch_size:
        raise ApiError(
            "batch_too_large",
            f"the batch has {len(images)} images; the limit is {settings.max_batch_size} (MAX_BATCH_SIZE): "
            "split it into smaller batches",
        )
    timings = Timings()
    results: list[dict[str, Any] | None] = [None] * len(images)
    inputs: list[NDArray[np.float32]] = []
    positions: list[int] = []
    budget = settings.max_batch_pixels
    for index, image in enumerate(images):
        max_pixels = min(settings.max_image_pixels, budget)
        try:
            pre, pixels = _to_input(image, settings, timings, max_pixels)
        except ApiError as exc:
            detail = exc.detail
            if isinstance(exc.__cause__, ImageTooLargeError) and max_pixels < settings.max_image_pixels:
                detail += (
                    f" (the pixels left of the batch's budget of {settings.max_batch_pixels} pixels, "
                    "MAX_BATCH_PIXELS: send large images in smaller batches)"
                )
            results[index] = {"index": index, "status": "error", "code": exc.code, "detail": detail}
            IMAGES_REFUSED.labels(exc.code).inc()
            continue
        budget -= pixels
        inputs.append(pre.image)
        positions.append(index)

    started = time.perf_counter()
    x = np.stack(inputs)[..., None] if inputs else np.zeros((0, 28, 28, 1), np.float32)
    reading = read(
        predict_batched(engine.predict_proba, x, settings.inference_batch_size), thresholds(engine, settings)
    )
    started = timings.add("inference", started)

    for position, digit, confidence, verdict, score, row in zip(
        positions,
        reading.digits.tolist(),
        reading.confidences.tolist(),
        reading.verdicts,
        reading.not_a_digit.tolist(),
        reading.probabilities.tolist(),
        strict=True,
    ):
        results[position] = {
            "index": position,
            "status": "ok",
            "digit": digit,
            "confidence": confidence,
            "verdict": verdict,
            "uncertain": verdict != "digit",
            "not_a_digit": score,
            "probabilities": row,
        }
    body = json.dumps(
        {
            "model": engine.name,
            "model_version": engine.version,
            "count": len(results),
            "errors": len(results) - len(positions),
            "results": results,
        },
        separators=(",", ":"),
    )
    timings.add("serialize", started)
    for label, count in Counter(map(digit_label, reading.digits.tolist(), reading.verdicts)).items():
        PREDICTIONS.labels(engine.name, label).inc(count)
    timings.observe()
    return Answer(body.encode(), timings)
