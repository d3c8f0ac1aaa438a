"""``POST /predict``: one image in, the digit, its probabilities and a verdict out."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app.api.deps import EnginesDep, SettingsDep
from app.api.responses import PREDICT_ERRORS
from app.core.config import Settings
from app.schemas import PredictRequest, PredictResponse, Strokes
from app.services.recognition import Answer, recognise
from digits.engines import Engine

router = APIRouter(tags=["recognition"])


def respond(answer: Answer) -> Response:
    """The answer's JSON body, with its stage timings as ``Server-Timing`` (milliseconds)."""
    return Response(
        answer.body, media_type="application/json", headers={"Server-Timing": answer.timings.server_timing()}
    )


async def answer_one(
    engine: Engine, image: str | bytes | None, settings: Settings, strokes: Strokes | None = None
) -> Response:
    """Recognise one image (or drawing's strokes), on the event loop (``INLINE_INFERENCE``,
    measured faster) or a worker thread."""
    if settings.inline_inference:
        return respond(recognise(engine, image, settings, strokes))
    return respond(await run_in_threadpool(recognise, engine, image, settings, strokes))


@router.post("/predict", response_model=PredictResponse, responses=PREDICT_ERRORS)
async def predict(body: PredictRequest, engines: EnginesDep, settings: SettingsDep) -> Response:
    """Recognise one handwritten digit in a base64-encoded image (e.g. a canvas's data URL).

    The image is normalised the way MNIST was prepared (see `digits.preprocessing`):
    polarity, crop to the ink, scale to 20x20, centre of mass at the centre of 28x28.
    The `Server-Timing` header gives the milliseconds spent decoding, preprocessing,
    running the model and serialising (and in the app as a whole).

    Instead of an image, the drawing's `strokes` may be sent: the server paints them with a
    round brush (`STROKE_BRUSH_WIDTH`) and reads the painting through the same preprocessing.
    """
    return await answer_one(engines.select(body.model), body.image, settings, body.strokes)
