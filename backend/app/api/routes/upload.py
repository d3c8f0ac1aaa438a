"""``POST /predict/upload``: the same as ``POST /predict`` for an image file (multipart), e.g. a photo.

Its body limit is ``MAX_UPLOAD_BYTES`` (a phone photo is 3-6 MB), not ``MAX_BODY_BYTES``:
``create_app`` includes this router with its own ``max_body_size``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from app.api.deps import EnginesDep, SettingsDep
from app.api.responses import PREDICT_RESPONSES
from app.api.routes.recognition import answer_one, select_compared
from app.schemas import PredictResponse

router = APIRouter(tags=["recognition"])


@router.post("/predict/upload", response_model=PredictResponse, responses=PREDICT_RESPONSES)
async def predict_upload(
    file: Annotated[UploadFile, File(description="The image file: PNG, JPEG, WebP, BMP or GIF.")],
    engines: EnginesDep,
    settings: SettingsDep,
    model: Annotated[str | None, Form(description="Which model answers (see GET /models).")] = None,
    explain: Annotated[bool, Form(description="Also answer `saliency` (as `POST /predict`).")] = False,
    models: Annotated[
        list[str] | None,
        Form(description="Models to compare on the same image (as `POST /predict`); repeat the field."),
    ] = None,
) -> Response:
    """Recognise one handwritten digit in an uploaded image file (multipart/form-data).

    Same answer and errors as `POST /predict`; the body may be up to `MAX_UPLOAD_BYTES`
    (12,000,000 by default): a phone photo as it is. A JPEG larger than the pixel limit is
    decoded at a reduced scale, and its EXIF orientation is applied. `explain` and `models`
    work as on `POST /predict`.
    """
    engine = engines.select(model)
    compare = select_compared(engines, models, settings)
    return await answer_one(engine, await file.read(), settings, explain=explain, compare=compare)
