"""The API application: routers, problem documents, the OpenAPI document at ``/api/openapi.json``
and the interactive docs at ``/api/docs``. ``main.py`` mounts it at ``/api`` on the dashboard's
server, with the one typed App it serves."""

from __future__ import annotations

import secrets
import time
from typing import Any

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse

from barista_ui.access.actor import NONE_MODE, Actor
from barista_ui.api import access, cost, model_history, models, problems, schedules
from barista_ui.api.deps import CSRF_COOKIE, CSRF_HEADER, request_actor
from barista_ui.api.docs import install_docs
from barista_ui.api.schemas import PROBLEM_RESPONSES
from barista_ui.app import App

PREFIX = "/api"
DESCRIPTION = """Barista's REST API: the same services as the page and the CLI.

* Records use the record format (the YAML/JSON keys of `barista models get`).
* A model's `ETag` is its version; `PUT`, `PATCH` and `DELETE` need `If-Match` (428 without,
  412 with the current version when someone saved in between).
* Errors are `application/problem+json` (RFC 9457); validation errors list each field path.
* Lists are paged: `limit` (default 100, at most 1000) and the answer's `continue` token.
"""


class ServerTiming:
    """``Server-Timing: app;dur=<ms>`` on every answer: the time the API spent on the call
    (what bench/bench_api.py reports), without the network."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Any) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000
                message.setdefault("headers", []).append(
                    (b"server-timing", f"app;dur={ms:.1f}".encode())
                )
            await send(message)

        await self.app(scope, receive, timed)


class WhoAmI(BaseModel):
    identity: str
    authenticated: bool
    detail: str


class CsrfToken(BaseModel):
    header: str
    token: str


def create_api(barista: App) -> FastAPI:
    api = FastAPI(
        title="Barista API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # served by install_docs, with local files
        redoc_url=None,
        separate_input_output_schemas=False,
    )
    api.state.barista = barista
    api.add_middleware(ServerTiming)
    problems.install(api)
    for module in (models, model_history, schedules, cost, access):
        api.include_router(module.router, responses=PROBLEM_RESPONSES)

    _document_bodies(api)
    install_docs(api)

    @api.get("/v1/whoami", response_model=WhoAmI, tags=["access"], summary="Who the API sees")
    def whoami(actor: Actor = Depends(request_actor)) -> JSONResponse:
        body = {
            "identity": actor.name,
            "authenticated": actor.kind != NONE_MODE,
            "detail": actor.describe(),
        }
        return JSONResponse(body)

    @api.get("/v1/csrf", response_model=CsrfToken, tags=["access"], summary="A CSRF token")
    def csrf(request: Request) -> JSONResponse:
        """Sets the same-site cookie whose value cookie callers echo in the header."""
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        resp = JSONResponse({"header": CSRF_HEADER, "token": token})
        resp.set_cookie(CSRF_COOKIE, token, samesite="strict", httponly=False, path="/api")
        return resp

    return api


def _document_bodies(api: FastAPI) -> None:
    """Bodies the routes read as plain JSON (so the services' own validation answers, with the
    page's and CLI's messages) are documented by their real schema: an operation's ``x-body``
    becomes the schema of each of its request content types."""
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        doc = generate()
        for ops in doc.get("paths", {}).values():
            for op in ops.values():
                schema = op.pop("x-body", None)
                if schema is not None:
                    for content in op["requestBody"]["content"].values():
                        content["schema"] = schema
        return doc

    api.openapi = openapi  # type: ignore[method-assign]
