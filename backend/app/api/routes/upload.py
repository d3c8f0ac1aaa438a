"""``POST /predict/upload``: the same as ``POST /predict`` for an image file (multipart), e.g. a photo.

Its body limit is ``MAX_UPLOAD_BYTES`` (a phone photo is 3-6 MB), not ``MAX_BODY_BYTES``:
``create_app`` includes this router with its own ``max_body_size``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from app.api.deps import EnginesDep, SettingsDep
from app.api.responses import PREDICT_ERRORS
from app.api.routes.recognition import answer_one
from app.schemas import PredictResponse

router = APIRouter(tags=["recognition"])


@router.post("/predict/upload", response_model=PredictResponse, responses=PREDICT_ERRORS)
async def predict_upload(
    file: Annotated[UploadFile, File(description="The image file: PNG, JPEG, WebP, BMP or GIF.")],
    engines: EnginesDep,
    settings: SettingsDep,
    model: Annotated[str | None, Form(description="Which model answers (see GET /models).")] = None,
) -> Response:
    """Recognise one handwritten digit in an uploaded image file (multipart/form-data).

    Same answer and errors as `POST /predict`; the body may be up to `MAX_UPLOAD_BYTES`
    (12,000,000 by default): a phone photo as it is. A JPEG larger than the pixel limit is
    decoded at a reduced scale, and its EXIF orientation is applied.
    """
    engine = engines.select(model)
    return await answer_one(engine, await file.read(), settings)
