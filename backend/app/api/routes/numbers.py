"""``POST /predict/number`` and ``POST /predict/number/upload``: a whole number written in one go.

The upload route's body limit is ``MAX_UPLOAD_BYTES`` (a phone photo), set where ``create_app``
includes :data:`upload_router`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app.api.deps import EnginesDep, SettingsDep
from app.api.responses import NUMBER_ERRORS
from app.api.routes.recognition import respond
from app.core.config import Settings
from app.schemas import NumberRequest, NumberResponse, Strokes
from app.services.engines import LoadedEngines
from app.services.numbers import recognise_number

router = APIRouter(tags=["numbers"])
upload_router = APIRouter(tags=["numbers"])


async def answer_number(
    engines: LoadedEngines,
    model: str | None,
    image: str | bytes | None,
    settings: Settings,
    strokes: Strokes | None = None,
) -> Response:
    """Read one number with the model ``model`` (its segmenter, when loaded, decides the cuts),
    on the event loop (``INLINE_INFERENCE``) or a worker thread."""
    engine = engines.select(model)
    segmenter = engines.segmenter(engine)
    if settings.inline_inference:
        return respond(recognise_number(engine, image, settings, strokes, segmenter))
    return respond(await run_in_threadpool(recognise_number, engine, image, settings, strokes, segmenter))


@router.post("/predict/number", response_model=NumberResponse, responses=NUMBER_ERRORS)
async def predict_number(body: NumberRequest, engines: EnginesDep, settings: SettingsDep) -> Response:
    """Read a number of several digits written in one drawing (e.g. a year: 2026).

    From `strokes` when they are sent (grouped into digits by horizontal overlap and time),
    else from the image's pixels (connected components, merged where they belong together, split
    where digits touch by a search over cuts scored by the classifier). Each digit goes through
    the single-digit preprocessing; the pieces are read in one engine call. A piece that is not a
    digit gets `verdict: "not_a_digit"` and is left out of `number`. At most `MAX_NUMBER_DIGITS`
    pieces (422 `too_many_digits`). `Server-Timing`: decode, segment, inference, serialize.
    """
    return await answer_number(engines, body.model, body.image, settings, body.strokes)


@upload_router.post("/predict/number/upload", response_model=NumberResponse, responses=NUMBER_ERRORS)
async def predict_number_upload(
    file: Annotated[UploadFile, File(description="The image file (a photo of a written number).")],
    engines: EnginesDep,
    settings: SettingsDep,
    model: Annotated[str | None, Form(description="Which model reads the digits (see GET /models).")] = None,
) -> Response:
    """Read a number written on paper from an uploaded image file (multipart/form-data).

    Same answer and errors as `POST /predict/number`; the body may be up to `MAX_UPLOAD_BYTES`.
    """
    engines.select(model)  # an unknown model is refused before the body is read
    return await answer_number(engines, model, await file.read(), settings)
