"""Request and response bodies of ``/feedback`` and ``/admin`` (see :mod:`app.api.routes.feedback`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Coordinate = Annotated[float, Field(allow_inf_nan=False)]
Point = tuple[Coordinate, Coordinate, Coordinate]
Digit = Annotated[int, Field(ge=0, le=9, strict=True)]


class Canvas(BaseModel):
    """The drawing surface's size in CSS pixels."""

    model_config = ConfigDict(extra="forbid")

    width: int = Field(ge=1, le=10_000)
    height: int = Field(ge=1, le=10_000)


class FeedbackRequest(BaseModel):
    """A drawing and the label its author gives it (confirming or correcting the model's answer)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "image": "data:image/png;base64,iVBORw0KGgo...",
                    "strokes": [[[12.0, 40.5, 0], [14.0, 42.0, 16]]],
                    "label": 4,
                    "predicted": 9,
                    "model_version": "cnn-2026-11-30",
                    "device": "touch",
                    "canvas": {"width": 280, "height": 280},
                }
            ]
        },
    )

    image: str = Field(
        min_length=1,
        description="The drawing, base64 or a data URL, as sent to POST /predict (same formats and limits; "
        "the decoded bytes at most FEEDBACK_MAX_IMAGE_BYTES).",
    )
    strokes: list[list[Point]] | None = Field(
        default=None,
        description="The pen's path: strokes of [x, y, t_ms] points in canvas pixels and milliseconds since "
        "the first point (at most FEEDBACK_MAX_STROKES strokes and FEEDBACK_MAX_POINTS points in all).",
    )
    label: Digit | None = Field(description="What the drawing is: 0-9, or null for 'not a digit'.")
    predicted: Digit | None = Field(
        default=None, description="The digit the model answered, or null (it answered 'not a digit')."
    )
    model_version: str = Field(
        min_length=1, max_length=128, description="`model_version` of the /predict answer being confirmed."
    )
    probabilities: list[Annotated[float, Field(ge=0.0, le=1.0)]] | None = Field(
        default=None, max_length=16, description="The answer's `probabilities`, as received (optional)."
    )
    canvas: Canvas | None = Field(default=None, description="The canvas size the strokes are in (optional).")
    device: Literal["touch", "mouse", "pen"] | None = Field(
        default=None, description="What drew it (the pointer type), if known."
    )


class FeedbackCreated(BaseModel):
    """The stored drawing's id (use it to delete the drawing)."""

    id: str


class VersionStats(BaseModel):
    """The drawings answered by one model version."""

    total: int = Field(ge=0)
    agreement: float = Field(ge=0.0, le=1.0, description="Share whose label is the model's answer.")


class FeedbackStats(BaseModel):
    """How much feedback there is and how often the model was right."""

    total: int = Field(ge=0, description="Drawings stored.")
    by_label: dict[str, int] = Field(description='Drawings per label: "0".."9" and "not_a_digit".')
    agreement: float | None = Field(
        description="Share (0-1) of drawings whose label is the model's answer ('not a digit' for both "
        "counts); null while there are none."
    )
    by_model_version: dict[str, VersionStats] = Field(description="Totals and agreement per model version.")


class ReloadResponse(BaseModel):
    """The engines now served, after a reload."""

    models: dict[str, str] = Field(description="Served model name -> version.")
    errors: dict[str, str] = Field(description="Models named in MODELS that could not be loaded, with why.")
    default: str
