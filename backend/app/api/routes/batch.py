"""``POST /predict/batch``: many images, one model, one answer per image.

Its body limit is ``MAX_BATCH_BODY_BYTES``, not ``MAX_BODY_BYTES``: ``create_app`` includes this
router with its own ``max_body_size``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app.api.deps import EnginesDep, SettingsDep
from app.api.examples import BATCH_REQUEST_EXAMPLES
from app.api.responses import BATCH_RESPONSES
from app.api.routes.recognition import respond
from app.schemas import BatchPredictRequest, BatchPredictResponse
from app.services.recognition import recognise_batch

router = APIRouter(tags=["recognition"])


@router.post("/predict/batch", response_model=BatchPredictResponse, responses=BATCH_RESPONSES)
async def predict_batch(
    body: Annotated[BatchPredictRequest, Body(openapi_examples=BATCH_REQUEST_EXAMPLES)],
    engines: EnginesDep,
    settings: SettingsDep,
) -> Response:
    """Recognise one digit in each of up to `MAX_BATCH_SIZE` (256) images, with one model.

    Answers one result per image, in order. An image that cannot be recognised does not fail
    the batch: its result has `status: "error"` and the `code` and `detail` that `POST /predict`
    would answer for it. More than `MAX_BATCH_SIZE` images, or a body over
    `MAX_BATCH_BODY_BYTES`, gets 413; an unknown model 422. The images are run through the
    model together (`INFERENCE_BATCH_SIZE` per engine call), on a worker thread.
    """
    engine = engines.select(body.model)
    return respond(await run_in_threadpool(recognise_batch, engine, body.images, settings))
