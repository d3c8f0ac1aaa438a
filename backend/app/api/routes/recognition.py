"""``POST /predict``: one image in, the digit, its probabilities and a verdict out."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app.api.deps import EnginesDep, SettingsDep
from app.api.examples import PREDICT_REQUEST_EXAMPLES
from app.api.responses import PREDICT_RESPONSES
from app.core.config import Settings
from app.core.errors import ApiError
from app.schemas import PredictRequest, PredictResponse, Strokes
from app.services.engines import LoadedEngines
from app.services.recognition import Answer, recognise
from digits.engines import Engine

router = APIRouter(tags=["recognition"])


def respond(answer: Answer) -> Response:
    """The answer's JSON body, with its stage timings as ``Server-Timing`` (milliseconds)."""
    return Response(
        answer.body, media_type="application/json", headers={"Server-Timing": answer.timings.server_timing()}
    )


async def answer_one(
    engine: Engine,
    image: str | bytes | None,
    settings: Settings,
    strokes: Strokes | None = None,
    *,
    explain: bool = False,
    compare: Sequence[Engine] = (),
) -> Response:
    """Recognise one image (or drawing's strokes), on the event loop (``INLINE_INFERENCE``,
    measured faster) or a worker thread."""
    work = partial(recognise, engine, image, settings, strokes, explain=explain, compare=compare)
    if settings.inline_inference:
        return respond(work())
    return respond(await run_in_threadpool(work))


def select_compared(engines: LoadedEngines, names: list[str] | None, settings: Settings) -> list[Engine]:
    """The engines of a request's ``models`` (none without it).

    Raises:
        ApiError: ``invalid_request`` (422) for an empty list or more than ``MAX_COMPARE_MODELS``
            names; ``unknown_model`` / ``model_unavailable`` as :meth:`LoadedEngines.select`.
    """
    if names is None:
        return []
    if not names or len(names) > settings.max_compare_models:
        raise ApiError(
            "invalid_request",
            f"models names {len(names)} models; between 1 and {settings.max_compare_models} can be "
            "compared in one request (MAX_COMPARE_MODELS)",
        )
    return [engines.select(name) for name in names]


@router.post("/predict", response_model=PredictResponse, responses=PREDICT_RESPONSES)
async def predict(
    body: Annotated[PredictRequest, Body(openapi_examples=PREDICT_REQUEST_EXAMPLES)],
    engines: EnginesDep,
    settings: SettingsDep,
) -> Response:
    """Recognise one handwritten digit in a base64-encoded image (e.g. a canvas's data URL).

    The image is normalised the way MNIST was prepared (see `digits.preprocessing`):
    polarity, crop to the ink, scale to 20x20, centre of mass at the centre of 28x28.
    The `Server-Timing` header gives the milliseconds spent decoding, preprocessing,
    running the model (and explaining it) and serialising (and in the app as a whole).

    Instead of an image, the drawing's `strokes` may be sent: the server paints them with a
    round brush (`STROKE_BRUSH_WIDTH`) and reads the painting through the same preprocessing.

    `"explain": true` adds `saliency`, what drove the answer; `"models": [...]` adds
    `comparison`, every named model's reading of the same image, in one request.
    """
    engine = engines.select(body.model)
    compare = select_compared(engines, body.models, settings)
    return await answer_one(engine, body.image, settings, body.strokes, explain=body.explain, compare=compare)
