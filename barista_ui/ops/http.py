"""HTTP side of operating Barista: request latency by route template (an ASGI middleware), and
the one decision of who may read ``/metrics``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from barista_ui.ops import metrics
from barista_ui.settings import Settings

UNMATCHED = "<unmatched>"  # 404s and the like: one series, not one per path


def route_of(scope: Scope) -> str:
    """The template the request was routed by (``/api/models/{name}``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    return str(path) if path else UNMATCHED


class RequestMetrics:
    """Observes every HTTP request's duration as ``barista_http_request_duration_seconds``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            metrics.HTTP_LATENCY.labels(scope["method"], route_of(scope), str(status)).observe(
                time.perf_counter() - start
            )


TokenCheck = Callable[[str], bool]


def token_check(resolve: Callable[[dict[str, str], str | None], Any]) -> TokenCheck:
    """A bearer token the identity service knows (``barista tokens create``): the same
    check as every other request, through ``Identity.resolve_actor``."""

    def check(token: str) -> bool:
        return resolve({"authorization": f"Bearer {token}"}, None) is not None

    return check


def metrics_refusal(
    request: Request | Any, settings: Settings, token_ok: TokenCheck
) -> tuple[int, str] | None:
    """Who may read /metrics, decided here only. None: serve it. Without authentication
    (``BARISTA_AUTH=none``, the embedded default) everyone may; with it on, a valid bearer
    token is needed unless ``BARISTA_METRICS_PUBLIC=true`` (a scraper inside the cluster's
    network, the NetworkPolicy keeping others out)."""
    if settings.auth == "none" or settings.metrics_public:
        return None
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return 401, "metrics need a bearer token (or BARISTA_METRICS_PUBLIC=true)"
    if not token_ok(token.strip()):
        return 403, "this token may not read metrics"
    return None
