"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served entirely by this app.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so they are blank without internet.
Here the same pages (``fastapi.openapi.docs``) load the JavaScript, CSS and icon from
``/docs/assets/``, served from the files the PyPI package ``fastapi-offline`` ships
(Swagger UI's ``swagger-ui-bundle.js`` and ``swagger-ui.css``, ReDoc's ``redoc.standalone.js``);
only its assets are used, not its app factory. ReDoc is told not to load Google Fonts.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/docs/assets"
OFFLINE_CSP = "img-src 'self' data:"
"""Images only from the app itself: ReDoc's menu would otherwise fetch its maker's logo from a CDN."""
HIDE_REMOTE_LOGO = '<style>a[href*="redocly.com"] { display: none !important; }</style>'


def _offline(page: HTMLResponse) -> HTMLResponse:
    """The page with its remote logo link hidden and a policy that keeps images on this origin."""
    html = bytes(page.body).decode("utf-8").replace("</head>", f"{HIDE_REMOTE_LOGO}</head>", 1)
    return HTMLResponse(html, headers={"Content-Security-Policy": OFFLINE_CSP})


ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
"""Swagger UI and ReDoc bundles inside the installed ``fastapi-offline`` package."""


def install(app: FastAPI) -> None:
    """Add ``/docs``, ``/docs/oauth2-redirect``, ``/redoc`` and the assets under ``/docs/assets``."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title
    oauth2_redirect = "/docs/oauth2-redirect"
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _offline(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{title} - API docs",
                oauth2_redirect_url=oauth2_redirect,
                swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
                swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
            )
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _offline(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{title} - API reference",
                redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
                redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
                with_google_fonts=False,
            )
        )
