"""Typed request and response bodies; FastAPI turns them into the OpenAPI schema at /docs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.api.examples import EXAMPLE_PNG_BASE64, EXAMPLE_PNG_DATA_URL
from digits.verdict import Verdict

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


StrokesField = Field(
    default=None,
    description=(
        "The drawing as pen strokes, oldest first: each stroke a list of points `[x, y]` or "
        "`[x, y, t_ms]` in canvas pixels (x right, y down; `t_ms` when the point was drawn, in "
        "milliseconds). The server paints them with a round brush of `STROKE_BRUSH_WIDTH` pixels; "
        "when given, they are read instead of `image`. At most `MAX_STROKES` strokes and "
        "`MAX_STROKE_POINTS` points (413 `too_many_strokes`)."
    ),
    examples=[[[[10, 10, 0], [12, 40, 16], [14, 80, 33]]]],
)
Strokes = list[list[list[float]]]


def _image_or_strokes(image: str | None, strokes: Strokes | None) -> None:
    if image is None and strokes is None:
        raise ValueError("send an image or strokes")


class PredictRequest(BaseModel):
    """An image (or the strokes of a drawing) to recognise."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"image": EXAMPLE_PNG_DATA_URL},
                {"image": EXAMPLE_PNG_DATA_URL, "model": "cnn", "explain": True},
                {"image": EXAMPLE_PNG_DATA_URL, "models": ["cnn", "cnn-litert-dynamic", "mlp-numpy"]},
            ]
        },
    )

    image: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "The image, base64-encoded: raw base64 or a data URL (`data:image/png;base64,...`). "
            "PNG, JPEG, WebP, BMP or GIF; any size up to the pixel limit; dark ink on light or "
            "light ink on dark; transparent backgrounds are fine. Required unless `strokes` is given."
        ),
    )
    strokes: Strokes | None = StrokesField
    model: str | None = Field(
        default=None,
        description="Which model answers (see GET /models); the service's default (`cnn`) when omitted.",
        examples=["cnn"],
    )
    explain: bool = Field(
        default=False,
        strict=True,
        description="Also answer `saliency`: which pixels of the 28x28 input drove the answer.",
    )
    models: list[str] | None = Field(
        default=None,
        min_length=1,
        description=(
            "Compare models: every model named here reads the same preprocessed image, and the "
            "response's `comparison` holds their answers in this order (at most `MAX_COMPARE_MODELS`, "
            "8 by default). The top-level answer stays `model`'s. Omitted: no comparison."
        ),
        examples=[["cnn", "mlp-numpy"]],
    )

    @model_validator(mode="after")
    def _needs_input(self) -> PredictRequest:
        _image_or_strokes(self.image, self.strokes)
        return self


VerdictField = Field(
    description="`digit`: read with confidence. `uncertain`: a guess (show the two leading digits). "
    "`not_a_digit`: the drawing does not look like a digit (a letter, a symbol, a scribble, a dot); "
    "`digit` is then only the closest digit. Thresholds: the model card's `open_set`, chosen on "
    "validation data (`NOT_A_DIGIT_ABOVE` and `UNCERTAIN_BELOW` override them)."
)
UncertainField = Field(description='`verdict != "digit"`: do not take `digit` as read.')
NotADigitField = Field(
    description="How much the drawing looks like something other than a digit, in [0, 1]: the model's "
    "probability of its not-a-digit class, or 1 - the top probability for a model without one."
)
DigitProbabilities = Field(
    min_length=10,
    max_length=10,
    description="Probability of each digit 0-9 given that it is a digit (index = digit); they sum to 1.",
)


class Reading(BaseModel):
    """What a model read in one image: the fields ``POST /predict``, each comparison and each image of
    ``POST /predict/batch`` share."""

    digit: int = Field(ge=0, le=9, description="The most probable digit.")
    confidence: Probability = Field(description="Probability of `digit` among the digits, in [0, 1].")
    verdict: Verdict = VerdictField
    uncertain: bool = UncertainField
    not_a_digit: Probability = NotADigitField
    probabilities: list[Probability] = DigitProbabilities


class ModelReading(Reading):
    """What one model of a comparison read in the image."""

    model: str = Field(description="Name of the model, as in the request's `models`.")
    model_version: str = Field(description="Its version.")
    inference_ms: float = Field(ge=0, description="Time this model took on the image, in milliseconds (server side).")


Saliency = Annotated[
    list[Annotated[list[Probability], Field(min_length=28, max_length=28)]],
    Field(
        min_length=28,
        max_length=28,
        description=(
            "Only with `explain`: a 28x28 map (rows top to bottom) of how much each pixel of "
            "`input_image` drove the answer, in [0, 1] (1 = most). Occlusion sensitivity (patches "
            "blanked, all in one batched call of the engine) for every engine; the input gradient "
            "for Keras engines. See `digits.explain`."
        ),
    ),
]


class PredictResponse(Reading):
    """What the model read."""

    model: str = Field(description="Name of the model that answered, e.g. `cnn`.")
    model_version: str = Field(description="Its version, e.g. `enhanced_cnn-1a2b3c4d+litert`.")
    input_image: str = Field(
        description="The 28x28 image the model saw (white ink on black), as base64 PNG without a data: prefix."
    )
    saliency: Saliency | None = Field(default=None)
    comparison: list[ModelReading] | None = Field(
        default=None,
        description="Only with `models`: each model's reading of the same image, in the order asked.",
    )


class HealthResponse(BaseModel):
    """Liveness and readiness."""

    status: Literal["ok", "unavailable"]
    model_loaded: bool = Field(description="Whether the default model is loaded.")
    model_version: str | None = Field(description="Version of the default model.")
    models: list[str] = Field(description="Names of every loaded model.")


class ModelInfo(BaseModel):
    """One servable model and what its model card says."""

    name: str = Field(description="Pass it as `model` to /predict.")
    description: str
    engine: str = Field(description="`keras` (TensorFlow) or `litert` (LiteRT interpreter).")
    version: str
    default: bool
    file: str = Field(description="File name in the models directory.")
    size_bytes: int = Field(ge=0, description="Size of the model file on disk, in bytes.")
    parameters: int | None = Field(default=None, description="Trainable and non-trainable weights.")
    test_accuracy: float | None = Field(default=None, ge=0, le=1, description="On the 10,000 MNIST test images.")
    card: dict[str, Any] = Field(description="The whole JSON model card (training and evaluation figures).")


class ModelsResponse(BaseModel):
    """The models this service serves."""

    default: str
    models: list[ModelInfo]


class ErrorResponse(BaseModel):
    """Every 4xx answer: what went wrong, in words, and a stable code."""

    detail: str = Field(description="What is wrong with the request and what to do about it.")
    code: str = Field(
        description=(
            "Machine-readable reason: invalid_request, invalid_base64, invalid_image, "
            "image_too_large, empty_image, payload_too_large, batch_too_large, invalid_strokes, "
            "too_many_strokes, too_many_digits, unknown_model, model_unavailable, not_found, "
            "method_not_allowed, strokes_too_long, invalid_client_id, unauthorized, forbidden, "
            "feedback_not_found, rate_limited, database_unavailable, reload_failed."
        )
    )


class BatchPredictRequest(BaseModel):
    """Several images to recognise with one model, in one request."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"images": [EXAMPLE_PNG_BASE64, EXAMPLE_PNG_DATA_URL]}]},
    )

    images: list[str] = Field(
        min_length=1,
        description=(
            "The images, each as `POST /predict`'s `image` (raw base64 or a data URL). At most "
            "`MAX_BATCH_SIZE` (256 by default) images; a longer list gets 413 `batch_too_large`."
        ),
    )
    model: str | None = Field(
        default=None,
        description="Which model answers every image (see GET /models); the service's default when omitted.",
        examples=["cnn"],
    )


class BatchPrediction(Reading):
    """What the model read in one image of the batch."""

    index: int = Field(ge=0, description="Position of the image in `images`.")
    status: Literal["ok"] = Field(description="`ok`: the image was recognised.")


class BatchImageError(BaseModel):
    """Why one image of the batch could not be recognised; the other images are still answered."""

    index: int = Field(ge=0, description="Position of the image in `images`.")
    status: Literal["error"] = Field(description="`error`: this image was refused.")
    code: str = Field(
        description="Machine-readable reason, as `POST /predict` would answer for this image alone: "
        "invalid_base64, invalid_image, image_too_large, empty_image."
    )
    detail: str = Field(description="What is wrong with this image, in words.")


BatchItem = Annotated[BatchPrediction | BatchImageError, Field(discriminator="status")]


class BatchPredictResponse(BaseModel):
    """One result per image, in the order of `images`.

    A bad image does not fail the batch: its result has `status: "error"` with the `code` and
    `detail` that `POST /predict` would have answered for it alone. Only request-level problems
    (invalid JSON, too many images, body too large, unknown model) refuse the whole batch with a 4xx.
    """

    model: str = Field(description="Name of the model that answered.")
    model_version: str = Field(description="Its version.")
    count: int = Field(ge=0, description="Number of results (= number of images).")
    errors: int = Field(ge=0, description="How many results are errors.")
    results: list[BatchItem] = Field(description="One per image, in order: a prediction or an error.")


class NumberRequest(BaseModel):
    """A written number (several digits in one drawing) to read."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"image": "data:image/png;base64,iVBORw0KGgo..."}]},
    )

    image: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "The image of the number, as `POST /predict`'s `image` (raw base64 or a data URL). "
            "Required unless `strokes` is given."
        ),
    )
    strokes: Strokes | None = StrokesField
    model: str | None = Field(
        default=None,
        description="Which model reads the digits (see GET /models); the service's default when omitted.",
        examples=["cnn"],
    )

    @model_validator(mode="after")
    def _needs_input(self) -> NumberRequest:
        _image_or_strokes(self.image, self.strokes)
        return self


class NumberDigit(BaseModel):
    """One piece of the number: a digit, or something that is not one."""

    digit: int = Field(ge=0, le=9, description="The most probable digit (only the closest one when not a digit).")
    confidence: Probability = Field(description="Probability of `digit` among the digits, in [0, 1].")
    probabilities: list[Probability] = DigitProbabilities
    verdict: Verdict = Field(
        description="`digit`, `uncertain` (a guess) or `not_a_digit` (left out of `number`); "
        "thresholds as in `POST /predict`."
    )
    box: list[int] = Field(
        min_length=4,
        max_length=4,
        description="Where the piece is: `[x, y, width, height]` in the input's pixels (canvas pixels for "
        "`strokes`), x right and y down from the top-left corner.",
    )
    input_image: str = Field(description="The 28x28 image the model saw for this piece, base64 PNG.")


class NumberResponse(BaseModel):
    """The number read, digit by digit, left to right."""

    number: str = Field(
        description="The digits read, left to right, without the pieces whose verdict is `not_a_digit` "
        "(empty when no piece is a digit).",
        examples=["2026"],
    )
    confidence: Probability = Field(
        description="Product of the confidences of the digits in `number` (1 when it is empty)."
    )
    digits: list[NumberDigit] = Field(description="Every piece, left to right.")
    model: str = Field(description="Name of the model that read the digits.")
    model_version: str = Field(description="Its version.")
