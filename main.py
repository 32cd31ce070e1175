"""Barista's entry point (the composition root): builds the typed app, mounts the page, serves it.

    python main.py [--host 127.0.0.1] [--port 8080]

Configuration comes from BARISTA_* environment variables (see README).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

from nicegui import app, ui
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from barista_ui.api.server import PREFIX as API_PREFIX
from barista_ui.api.server import create_api
from barista_ui.app import App, build_app
from barista_ui.ops import logs, metrics
from barista_ui.ops.health import liveness, readiness
from barista_ui.ops.http import RequestMetrics, metrics_refusal, token_check
from barista_ui.settings import Settings
from components.page import PageServices, mount


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="barista-dashboard", description=__doc__)
    parser.add_argument("--host", default=None, help="interface to listen on (BARISTA_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port to listen on (BARISTA_PORT)")
    return parser.parse_args(argv)


def create_app(settings: Settings) -> App:
    """Build Barista (the embedded simulator when no cluster is configured), mount the page,
    start the services with the server and stop them with it."""
    # A page on another site may resolve its own name to 127.0.0.1 (DNS rebinding): answer only
    # the names the dashboard is meant to be reached by.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts())
    app.add_middleware(RequestMetrics)  # latency by route template (outermost: sees every 400)
    # The page's event loop shares the GIL with worker threads (database reads, cost figures,
    # reconciles): hand it back after 1 ms instead of 5, so a busy thread delays a page handler
    # less (measured: handler steps that waited up to 40 ms for the GIL now wait under 1 ms).
    sys.setswitchinterval(0.001)
    barista = build_app(settings, embedded=True)
    mount(
        PageServices(
            fleet=barista.fleet,
            schedules=barista.schedule_board,
            cost=barista.cost_board,
            access=barista.access,
            resolve=barista.identity.resolve_actor if settings.auth == "proxy" else None,
        )
    )

    async def start() -> None:
        barista.hub.bind_loop(asyncio.get_running_loop())
        barista.start()  # quick: starts threads; the first apply runs behind

    app.on_startup(start)
    app.mount(API_PREFIX, create_api(barista))  # the REST API and its docs at /api/docs

    def answer(result: tuple[int, dict]) -> JSONResponse:
        return JSONResponse(result[1], status_code=result[0])

    @app.get("/healthz/live")
    def healthz_live() -> JSONResponse:
        return answer(liveness())

    @app.get("/healthz/ready")
    @app.get("/healthz")
    def healthz_ready() -> JSONResponse:
        return answer(readiness(barista.engine, stopping=barista.stopping))

    token_ok = token_check(barista.identity.resolve_actor)

    @app.get("/metrics")
    def prometheus(request: Request) -> Response:
        refused = metrics_refusal(request, settings, token_ok)
        if refused is not None:
            return JSONResponse({"error": refused[1]}, status_code=refused[0])
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    app.on_shutdown(barista.stop)
    return barista


def main() -> None:
    under_pytest = "PYTEST_CURRENT_TEST" in os.environ
    args = parse_args([] if under_pytest else sys.argv[1:])
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = Settings(**overrides)
    logs.configure(settings.log_format)
    problem = settings.exposure_problem()
    if problem:  # before anything listens: no sign-in, or a known cookie secret, on a network
        sys.exit(f"barista: refusing to start: {problem}")
    create_app(settings)
    # uvicorn stops gracefully on SIGTERM (no new connections, on_shutdown runs) and then raises
    # the signal again: end with status 0 then, since the stop was the clean one.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ui.run(
        host=settings.host,
        port=settings.port,
        title="Barista",
        reload=False,
        show=False,
        favicon="☕",
        storage_secret=settings.storage_secret,
        # the peer address is the one identity headers are trusted by (BARISTA_TRUSTED_PROXIES):
        # never let X-Forwarded-For replace it
        proxy_headers=False,
        timeout_graceful_shutdown=settings.shutdown_grace_s,  # open pages get this long on SIGTERM
        **({"log_config": None} if settings.log_format == "json" else {}),  # ours, one format
    )


if __name__ in {"__main__", "__mp_main__"}:
    main()
