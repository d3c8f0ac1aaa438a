"""Errors the API answers with, and the handlers that render them as :class:`ErrorResponse`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from digits.preprocessing import EmptyImageError, ImageTooLargeError, PreprocessingError

STATUS_BY_CODE = {
    "invalid_request": 422,
    "invalid_base64": 400,
    "invalid_image": 400,
    "image_too_large": 413,
    "empty_image": 422,
    "payload_too_large": 413,
    "batch_too_large": 413,
    "unknown_model": 422,
    "model_unavailable": 503,
    "invalid_strokes": 422,
    "too_many_strokes": 413,
    "too_many_digits": 422,
    "strokes_too_long": 413,
    "invalid_client_id": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "feedback_not_found": 404,
    "rate_limited": 429,
    "database_unavailable": 503,
    "reload_failed": 503,
}


class ApiError(Exception):
    """An error with an HTTP status, a stable ``code`` and a human ``detail``."""

    def __init__(
        self, code: str, detail: str, status_code: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status_code = status_code or STATUS_BY_CODE.get(code, 400)
        self.headers = headers

    @classmethod
    def from_preprocessing(cls, exc: PreprocessingError) -> ApiError:
        if isinstance(exc, EmptyImageError):
            return cls("empty_image", str(exc))
        if isinstance(exc, ImageTooLargeError):
            return cls("image_too_large", str(exc))
        return cls(exc.code, str(exc))


def error_json(status_code: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status_code, headers=headers)


_EXPECTED_BY_PATH = {
    "/predict/batch": 'JSON like {"images": ["<base64 PNG>", ...]}',
    "/predict/upload": 'multipart/form-data with the image in a "file" field',
    "/predict/number": 'JSON like {"image": "<base64 PNG>"} or {"strokes": [[[x, y, t_ms], ...], ...]}',
    "/predict/number/upload": 'multipart/form-data with the image in a "file" field',
    "/feedback": 'JSON like {"image": "<base64 PNG>", "label": 4, "predicted": 9, "model_version": "<from /predict>"}',
}
_EXPECTED = 'JSON like {"image": "<base64 PNG>"}'


def _describe_validation(errors: list[Any], path: str = "/predict") -> str:
    expected = _EXPECTED_BY_PATH.get(path, _EXPECTED)
    parts = []
    for err in errors:
        if err.get("type") == "json_invalid":
            reason = err.get("ctx", {}).get("error", "parse error")
            return f"the body is not valid JSON ({reason}): send {expected}"
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts) + f" (expected {expected})"


def _too_large_detail(limit: int | None) -> str:
    limit_text = f"the limit of {limit} bytes" if limit is not None else "the limit"
    return (
        f"the request body is larger than {limit_text}; "
        "send a smaller image (a 280x280 PNG is about 10 kB) or fewer images"
    )


class JsonPayloadTooLarge:
    """Give the body limit's 413 the API's JSON error shape (``payload_too_large``).

    The limits themselves are FastAPI's ``max_body_size`` (app-wide and per router, see
    :func:`app.main.create_app`), which checks ``Content-Length`` before reading and counts a
    streamed body as it arrives. When ``Content-Length`` is over the limit, Starlette's limiter
    (``starlette.middleware.body_limit``) answers ``text/plain`` "Content Too Large" itself,
    replacing whatever the exception handlers answered; this pure ASGI middleware rewrites that
    one answer, so that every refusal is ``{"detail", "code"}``. Any other response passes as is.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None

        async def send_json_413(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 413:
                content_type = dict(message.get("headers", ())).get(b"content-type", b"")
                if content_type.startswith(b"text/plain"):
                    held = message  # replaced when its body comes
                    return
            if held is not None and message["type"] == "http.response.body":
                body = json.dumps(
                    {"detail": _too_large_detail(scope.get(MAX_BODY_SIZE_SCOPE_KEY)), "code": "payload_too_large"}
                ).encode()
                headers = [
                    (name, value)
                    for name, value in held.get("headers", ())
                    if name not in (b"content-type", b"content-length")
                ]
                headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                await send({**held, "headers": headers})
                held = None
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_json_413)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error as ``{"detail": str, "code": str}``."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_json(exc.status_code, exc.code, exc.detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_json(422, "invalid_request", _describe_validation(list(exc.errors()), request.url.path))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI: a body it cannot parse (not UTF-8, broken multipart)
            expected = _EXPECTED_BY_PATH.get(request.url.path, _EXPECTED)
            detail = f"the request body cannot be parsed ({exc.detail}): send {expected}"
            return error_json(422, "invalid_request", detail)
        if exc.status_code == 413:  # the body limit (FastAPI's max_body_size) refused the body
            limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY)
            return error_json(413, "payload_too_large", _too_large_detail(limit))
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = getattr(exc, "headers", None)
        return error_json(exc.status_code, code, str(exc.detail), headers=headers)
