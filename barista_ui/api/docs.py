"""The interactive API docs at ``/api/docs``, served with Swagger UI's own files from this
server: a cluster without internet access (or behind a strict content policy) still gets them.
The files come with the ``fastapi-offline`` package; nothing is fetched from a CDN."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS = "/docs-assets"


def install_docs(api: FastAPI) -> None:
    """``/docs`` (Swagger UI) and the files it loads, under the API's own prefix."""
    api.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), "docs")

    @api.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{api.openapi_url}",
            title="Barista API",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url="data:,",
        )
